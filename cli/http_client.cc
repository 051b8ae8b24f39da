// The CLI's HTTP client over net::HttpClient; the contract is in
// cli/http_client.h. This file only turns options and failures into the CLI's
// terms: which message and hint each failure gets.
#include "cli/http_client.h"

#include "cli/cli_error.h"

namespace arbor::cli {

namespace {

constexpr uint64_t kMaxResponseBytes = uint64_t{4} << 30;

std::string ServerHint() {
  return "is arbord running there? Set the server with --server URL or ARBOR_SERVER";
}

long Seconds(std::chrono::milliseconds d) {
  return static_cast<long>((d.count() + 999) / 1000);
}

}  // namespace

net::Url ParseServerUrl(std::string_view text) {
  auto url = net::ParseUrl(text);
  if (url.ok()) return std::move(*url);
  const std::string expected = " (expected http://HOST:PORT or https://HOST:PORT)";
  // A URL with user info may hold a password: do not echo it.
  if (net::HasUserInfo(text)) {
    throw UsageError("invalid server URL: " + url.status().message() +
                     "; pass a token with --token or ARBOR_TOKEN" + expected);
  }
  throw UsageError("invalid server URL '" + std::string(text) + "': " + url.status().message() +
                   expected);
}

std::string ServerUrlText(const net::Url& url) {
  return std::string(url.scheme()) + "://" + url.HostPort() + url.path;
}

HttpClient::HttpClient(net::Url url, HttpClientOptions options) : options_(std::move(options)) {
  net::HttpClientOptions o;
  o.connect_timeout = options_.timeout;
  o.request_timeout = options_.timeout;
  o.verify_tls = !options_.insecure;
  o.ca_file = options_.ca_file;
  o.cert_file = options_.cert_file;
  o.key_file = options_.key_file;
  o.max_response_bytes = kMaxResponseBytes;
  o.user_agent = options_.user_agent;
  // Close TLS politely, but do not wait long for the peer's close_notify.
  o.tls_close_wait = std::chrono::seconds(2);
  auto client = net::HttpClient::Create(std::move(url), std::move(o));
  if (!client.ok()) {
    throw CliError(client.status().message(),
                   "--cacert takes a PEM file of trusted CA certificates; --cert and --key a "
                   "PEM client certificate and its unencrypted key");
  }
  client_ = std::move(*client);
}

HttpResponseData HttpClient::Send(
    std::string_view method, std::string_view target, std::string_view body,
    const std::vector<std::pair<std::string, std::string>>& headers) const {
  net::Request request;
  request.method = std::string(method);
  request.target = url().path + std::string(target);
  request.headers.emplace_back("Accept", "application/json");
  request.headers.insert(request.headers.end(), headers.begin(), headers.end());
  if (!body.empty() || method == "POST" || method == "PUT") {
    request.headers.emplace_back("Content-Type", "application/json");
    request.body = std::string(body);
  }
  net::Outcome outcome = client_->Send(request);
  if (outcome.error) {
    using Stage = net::TransportError::Stage;
    using Kind = net::TransportError::Kind;
    const net::TransportError& e = *outcome.error;
    const std::string where = ServerUrlText(url());
    auto timeout = [&](const std::string& what) {
      return TransportError("no answer from " + where + " within " +
                                std::to_string(Seconds(options_.timeout)) + " s (" + what + ")",
                            "check that the server is up and reachable, or raise --timeout");
    };
    switch (e.stage) {
      case Stage::kResolve:
        if (e.kind == Kind::kTimeout) throw timeout("resolving " + url().host);
        throw TransportError(
            "cannot resolve host '" + url().host + "' of " + where + ": " + e.detail, ServerHint());
      case Stage::kConnect:
        if (e.kind == Kind::kTimeout) throw timeout("connecting");
        throw TransportError("cannot connect to " + where + ": " + e.detail, ServerHint());
      case Stage::kTlsHandshake:
        if (e.kind == Kind::kTimeout) throw timeout("the TLS handshake");
        throw TransportError(
            "TLS handshake with " + where +
                " failed: " + (e.certificate.empty() ? e.detail : e.certificate),
            "is the server speaking https? To trust a private CA pass --cacert FILE (or "
            "ARBOR_CACERT); --insecure skips verification");
      case Stage::kSend:
      case Stage::kReceive: {
        std::string what = e.stage == Stage::kSend ? "sending the request" : "reading the response";
        if (e.kind == Kind::kTimeout) throw timeout(what);
        if (e.kind == Kind::kClosed) {
          throw TransportError(
              "the server at " + where + " closed the connection while " + what,
              "is it arbord's HTTP port? Use http:// or https:// as the server expects");
        }
        if (e.kind == Kind::kNotHttp || e.kind == Kind::kTruncated) {
          throw TransportError("the server at " + where + " did not answer HTTP (" + e.detail + ")",
                               "is it arbord's HTTP port (default 9084), not its Thrift port? Use "
                               "http:// or https:// as the server expects");
        }
        throw TransportError("error while " + what + " (" + where + "): " + e.detail, ServerHint());
      }
    }
  }
  HttpResponseData out;
  out.status = outcome.response.status;
  out.reason = std::move(outcome.response.reason);
  out.content_type = outcome.response.Header("Content-Type");
  out.body = std::move(outcome.response.body);
  return out;
}

}  // namespace arbor::cli

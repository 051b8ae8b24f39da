// The Beast HTTP/1.1 client (plain and TLS); the contract is in cli/http_client.h.
// Each Send() runs its own io_context: asynchronous operations bounded by one
// deadline (beast::tcp_stream timeouts), run to completion before returning.
#include "cli/http_client.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <charconv>
#include <cstdint>

#include "cli/cli_error.h"

namespace arbor::cli {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

namespace {

constexpr uint64_t kMaxResponseBytes = uint64_t{4} << 30;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool IsIpLiteral(const std::string& host) {
  beast::error_code ec;
  net::ip::make_address(host, ec);
  return !ec;
}

// Starts one asynchronous operation, runs the context until it completes (the
// streams' deadlines bound it) and returns its error code.
template <class Initiate>
beast::error_code Run(net::io_context& ioc, Initiate&& initiate) {
  beast::error_code result;
  initiate([&result](beast::error_code ec, auto&&...) { result = ec; });
  ioc.restart();
  ioc.run();
  return result;
}

long Seconds(std::chrono::milliseconds d) {
  return static_cast<long>((d.count() + 999) / 1000);
}

class Exchange {
 public:
  Exchange(const ServerUrl& url, const HttpClientOptions& options)
      : url_(url),
        options_(options),
        deadline_(std::chrono::steady_clock::now() + options.timeout) {}

  tcp::resolver::results_type Resolve() {
    tcp::resolver resolver(ioc_);
    net::steady_timer timer(ioc_);
    bool timed_out = false;
    timer.expires_at(deadline_);
    timer.async_wait([&](beast::error_code ec) {
      if (!ec) {
        timed_out = true;
        resolver.cancel();
      }
    });
    tcp::resolver::results_type results;
    beast::error_code error;
    resolver.async_resolve(url_.host, url_.port,
                           [&](beast::error_code ec, tcp::resolver::results_type r) {
                             error = ec;
                             results = std::move(r);
                             timer.cancel();
                           });
    ioc_.run();
    ioc_.restart();
    if (timed_out) throw Timeout("resolving " + url_.host);
    if (error) {
      throw TransportError(
          "cannot resolve host '" + url_.host + "' of " + url_.ToString() + ": " + error.message(),
          ServerHint());
    }
    return results;
  }

  void Connect(beast::tcp_stream& stream, const tcp::resolver::results_type& endpoints) {
    stream.expires_at(deadline_);
    auto ec = Run(ioc_, [&](auto handler) { stream.async_connect(endpoints, std::move(handler)); });
    if (ec == beast::error::timeout) throw Timeout("connecting");
    if (ec) {
      throw TransportError("cannot connect to " + url_.ToString() + ": " + ec.message(),
                           ServerHint());
    }
  }

  template <class Stream>
  HttpResponseData Roundtrip(Stream& stream, http::request<http::string_body>& request) {
    auto ec =
        Run(ioc_, [&](auto handler) { http::async_write(stream, request, std::move(handler)); });
    if (ec) Fail("sending the request", ec);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxResponseBytes);
    ec = Run(ioc_,
             [&](auto handler) { http::async_read(stream, buffer, parser, std::move(handler)); });
    if (ec) Fail("reading the response", ec);
    auto& response = parser.get();
    HttpResponseData out;
    out.status = static_cast<int>(response.result_int());
    out.reason = std::string(response.reason());
    out.content_type = std::string(response[http::field::content_type]);
    out.body = std::move(response.body());
    return out;
  }

  HttpResponseData Plain(http::request<http::string_body>& request) {
    auto endpoints = Resolve();
    beast::tcp_stream stream(ioc_);
    Connect(stream, endpoints);
    HttpResponseData out = Roundtrip(stream, request);
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    return out;
  }

  HttpResponseData Tls(http::request<http::string_body>& request) {
    ssl::context ctx(ssl::context::tls_client);
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                    ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    beast::error_code ec;
    if (options_.insecure) {
      ctx.set_verify_mode(ssl::verify_none);
    } else {
      ctx.set_verify_mode(ssl::verify_peer);
      if (!options_.ca_file.empty()) {
        ctx.load_verify_file(options_.ca_file, ec);
        if (ec) {
          throw CliError(
              "cannot load CA certificates from '" + options_.ca_file + "': " + ec.message(),
              "--cacert takes a PEM file of trusted CA certificates");
        }
      } else {
        ctx.set_default_verify_paths(ec);
      }
    }
    auto endpoints = Resolve();
    beast::ssl_stream<beast::tcp_stream> stream(ioc_, ctx);
    if (!IsIpLiteral(url_.host)) {
      // SNI, so a server with several names picks the right certificate.
      SSL_set_tlsext_host_name(stream.native_handle(), url_.host.c_str());
    }
    if (!options_.insecure) stream.set_verify_callback(ssl::host_name_verification(url_.host));
    Connect(beast::get_lowest_layer(stream), endpoints);
    ec = Run(ioc_, [&](auto handler) {
      stream.async_handshake(ssl::stream_base::client, std::move(handler));
    });
    if (ec == beast::error::timeout) throw Timeout("the TLS handshake");
    if (ec) {
      std::string reason = ec.message();
      long verify = SSL_get_verify_result(stream.native_handle());
      if (verify != X509_V_OK) reason = X509_verify_cert_error_string(verify);
      throw TransportError(
          "TLS handshake with " + url_.ToString() + " failed: " + reason,
          "is the server speaking https? To trust a private CA pass --cacert FILE (or "
          "ARBOR_CACERT); --insecure skips verification");
    }
    HttpResponseData out = Roundtrip(stream, request);
    // Close politely, but do not wait long for the peer's close_notify.
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(2));
    Run(ioc_, [&](auto handler) { stream.async_shutdown(std::move(handler)); });
    return out;
  }

 private:
  TransportError Timeout(const std::string& what) const {
    return TransportError("no answer from " + url_.ToString() + " within " +
                              std::to_string(Seconds(options_.timeout)) + " s (" + what + ")",
                          "check that the server is up and reachable, or raise --timeout");
  }

  [[noreturn]] void Fail(const std::string& what, beast::error_code ec) const {
    if (ec == beast::error::timeout) throw Timeout(what);
    if (ec == http::error::end_of_stream || ec == net::error::eof ||
        ec == net::error::connection_reset) {
      throw TransportError(
          "the server at " + url_.ToString() + " closed the connection while " + what,
          "is it arbord's HTTP port? Use http:// or https:// as the server "
          "expects");
    }
    if (ec.category() == http::make_error_code(http::error::bad_version).category()) {
      throw TransportError(
          "the server at " + url_.ToString() + " did not answer HTTP (" + ec.message() + ")",
          "is it arbord's HTTP port (default 9084), not its Thrift port? Use "
          "http:// or https:// as the server expects");
    }
    throw TransportError("error while " + what + " (" + url_.ToString() + "): " + ec.message(),
                         ServerHint());
  }

  static std::string ServerHint() {
    return "is arbord running there? Set the server with --server URL or ARBOR_SERVER";
  }

  const ServerUrl& url_;
  const HttpClientOptions& options_;
  std::chrono::steady_clock::time_point deadline_;
  net::io_context ioc_;
};

}  // namespace

ServerUrl ServerUrl::Parse(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return UsageError("invalid server URL '" + std::string(text) + "': " + why +
                      " (expected http://HOST:PORT or https://HOST:PORT)");
  };
  ServerUrl url;
  size_t sep = text.find("://");
  if (sep == std::string_view::npos) throw bad("no scheme");
  url.scheme = Lower(text.substr(0, sep));
  if (url.scheme != "http" && url.scheme != "https") throw bad("the scheme must be http or https");
  std::string_view rest = text.substr(sep + 3);
  if (rest.find_first_of("?#") != std::string_view::npos) throw bad("no query or fragment allowed");
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash);
  if (authority.find('@') != std::string_view::npos) {
    throw bad("no user info allowed; pass a token with --token or ARBOR_TOKEN");
  }
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) throw bad("unclosed '[' in the host");
    url.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') throw bad("junk after the host");
      port = after.substr(1);
      if (port.empty()) throw bad("empty port");
    }
  } else {
    size_t colon = authority.rfind(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      if (port.empty()) throw bad("empty port");
    }
  }
  if (url.host.empty()) throw bad("no host");
  if (port.empty()) {
    url.port = url.tls() ? "443" : "80";
  } else {
    unsigned value = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || ptr != port.data() + port.size() || value == 0 || value > 65535) {
      throw bad("the port must be a number from 1 to 65535");
    }
    url.port = std::string(port);
  }
  while (!path.empty() && path.back() == '/')
    path.remove_suffix(1);
  url.base_path = std::string(path);
  return url;
}

std::string ServerUrl::ToString() const {
  bool v6 = host.find(':') != std::string::npos;
  return scheme + "://" + (v6 ? "[" + host + "]" : host) + ":" + port + base_path;
}

HttpClient::HttpClient(ServerUrl url, HttpClientOptions options)
    : url_(std::move(url)), options_(std::move(options)) {}

HttpResponseData HttpClient::Send(
    std::string_view method, std::string_view target, std::string_view body,
    const std::vector<std::pair<std::string, std::string>>& headers) const {
  http::request<http::string_body> request;
  request.method_string(beast::string_view(method.data(), method.size()));
  request.target(url_.base_path + std::string(target));
  request.version(11);
  bool v6 = url_.host.find(':') != std::string::npos;
  bool default_port = url_.port == (url_.tls() ? "443" : "80");
  std::string host = v6 ? "[" + url_.host + "]" : url_.host;
  request.set(http::field::host, default_port ? host : host + ":" + url_.port);
  request.set(http::field::user_agent, options_.user_agent);
  request.set(http::field::accept, "application/json");
  for (const auto& [name, value] : headers)
    request.set(name, value);
  if (!body.empty() || method == "POST" || method == "PUT") {
    request.set(http::field::content_type, "application/json");
    request.body() = std::string(body);
  }
  request.keep_alive(false);
  request.prepare_payload();

  Exchange exchange(url_, options_);
  return url_.tls() ? exchange.Tls(request) : exchange.Plain(request);
}

}  // namespace arbor::cli

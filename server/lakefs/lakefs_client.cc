#include "server/lakefs/lakefs_client.h"

#include <fmt/format.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <optional>
#include <random>
#include <thread>

namespace arbor {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace pb = google::protobuf;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr uint64_t kMaxResponseBodyBytes = 64ull << 20;
constexpr auto kMaxBackoff = std::chrono::milliseconds(10'000);
constexpr auto kMaxRetryAfter = std::chrono::milliseconds(10'000);
constexpr size_t kMaxErrorTextChars = 512;

std::string_view SV(beast::string_view s) {
  return {s.data(), s.size()};
}

std::string Base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint32_t(uint8_t(in[i])) << 16) | (uint32_t(uint8_t(in[i + 1])) << 8) |
                 uint32_t(uint8_t(in[i + 2]));
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i < in.size()) {
    uint32_t v = uint32_t(uint8_t(in[i])) << 16;
    if (i + 1 < in.size()) v |= uint32_t(uint8_t(in[i + 1])) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b])))
    ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1])))
    --e;
  return std::string(s.substr(b, e - b));
}

// A lakeFS commit id: hex (SHA-256, 64 digits; accept 40+ for other builds).
bool LooksLikeCommitId(std::string_view s) {
  if (s.size() < 40 || s.size() > 128) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

Result<pb::Struct> ParseJsonObject(std::string_view body) {
  pb::Struct out;
  pb::util::JsonParseOptions o;
  auto s = pb::util::JsonStringToMessage(pb::StringPiece(body.data(), body.size()), &out, o);
  if (!s.ok()) return Status::InvalidArgument("not a JSON object: " + s.ToString());
  return out;
}

Result<std::string> ToJson(const pb::Struct& s) {
  std::string out;
  auto st = pb::util::MessageToJsonString(s, &out);
  if (!st.ok()) {
    return Status::InvalidArgument("cannot encode the request as JSON (invalid UTF-8?): " +
                                   st.ToString());
  }
  return out;
}

const pb::Value* Field(const pb::Struct& s, const std::string& key) {
  auto it = s.fields().find(key);
  if (it == s.fields().end() || it->second.kind_case() == pb::Value::kNullValue) return nullptr;
  return &it->second;
}

std::string StringField(const pb::Struct& s, const std::string& key) {
  const pb::Value* v = Field(s, key);
  return v != nullptr && v->kind_case() == pb::Value::kStringValue ? v->string_value() : "";
}

// A scalar JSON value as text (metadata values are strings; be lenient).
std::string ScalarText(const pb::Value& v) {
  switch (v.kind_case()) {
    case pb::Value::kStringValue:
      return v.string_value();
    case pb::Value::kBoolValue:
      return v.bool_value() ? "true" : "false";
    case pb::Value::kNumberValue: {
      double d = v.number_value();
      if (d == static_cast<double>(static_cast<int64_t>(d))) {
        return std::to_string(static_cast<int64_t>(d));
      }
      return fmt::format("{}", d);
    }
    default:
      return "";
  }
}

Result<LakeFsCommit> CommitFromJson(const pb::Struct& s) {
  LakeFsCommit c;
  c.id = StringField(s, "id");
  if (c.id.empty()) return Status::InvalidArgument("the commit has no 'id'");
  if (const pb::Value* p = Field(s, "parents"); p != nullptr) {
    if (p->kind_case() != pb::Value::kListValue) {
      return Status::InvalidArgument("the commit's 'parents' is not a list");
    }
    for (const auto& v : p->list_value().values())
      c.parents.push_back(ScalarText(v));
  }
  c.message = StringField(s, "message");
  if (const pb::Value* m = Field(s, "metadata"); m != nullptr) {
    if (m->kind_case() != pb::Value::kStructValue) {
      return Status::InvalidArgument("the commit's 'metadata' is not an object");
    }
    for (const auto& [k, v] : m->struct_value().fields())
      c.metadata[k] = ScalarText(v);
  }
  if (const pb::Value* d = Field(s, "creation_date"); d != nullptr) {
    if (d->kind_case() == pb::Value::kNumberValue) {
      c.creation_date = static_cast<int64_t>(d->number_value());
    } else if (d->kind_case() == pb::Value::kStringValue) {
      try {
        c.creation_date = std::stoll(d->string_value());
      } catch (...) {
        return Status::InvalidArgument("the commit's 'creation_date' is not a number");
      }
    }
  }
  return c;
}

void SetMetadata(pb::Struct* body, const std::map<std::string, std::string>& metadata) {
  auto* m = (*body->mutable_fields())["metadata"].mutable_struct_value();
  for (const auto& [k, v] : metadata)
    (*m->mutable_fields())[k].set_string_value(v);
}

bool IsIpLiteral(const std::string& host) {
  boost::system::error_code ec;
  net::ip::make_address(host, ec);
  return !ec;
}

struct Endpoint {
  bool tls = false;
  std::string host;  // without brackets
  uint16_t port = 0;
  std::string host_header;  // host[:port], IPv6 in brackets
  std::string base_path;    // "<prefix>/api/v1"
  std::string base_url;
};

Result<Endpoint> ParseEndpoint(const std::string& url) {
  auto bad = [](std::string why) {
    return Status::InvalidArgument("invalid lakeFS endpoint: " + std::move(why));
  };
  if (url.empty()) return bad("it is empty (expected http[s]://host[:port][/prefix])");
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return bad("it contains whitespace or control characters");
    }
  }
  size_t sep = url.find("://");
  if (sep == std::string::npos) {
    return bad("'" + url + "' has no scheme (expected http[s]://host[:port][/prefix])");
  }
  std::string scheme = url.substr(0, sep);
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string rest = url.substr(sep + 3);
  size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  std::string path = slash == std::string::npos ? "" : rest.substr(slash);
  // Never echo an endpoint holding user info: it may carry the secret.
  if (authority.find('@') != std::string::npos) {
    return bad("it must not contain user info (user:password@); set the access key options");
  }
  Endpoint ep;
  if (scheme == "http") {
    ep.tls = false;
  } else if (scheme == "https") {
    ep.tls = true;
  } else {
    return bad("'" + url + "': scheme '" + scheme + "' is not http or https");
  }
  if (url.find_first_of("?#") != std::string::npos) {
    return bad("'" + url + "' must not have a query or a fragment");
  }
  std::string port_text;
  if (!authority.empty() && authority[0] == '[') {
    size_t close = authority.find(']');
    if (close == std::string::npos) return bad("'" + url + "': unterminated IPv6 address");
    ep.host = authority.substr(1, close - 1);
    std::string after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return bad("'" + url + "': unexpected text after the IPv6 address");
      port_text = after.substr(1);
      if (port_text.empty()) return bad("'" + url + "': empty port");
    }
    boost::system::error_code ec;
    net::ip::make_address_v6(ep.host, ec);
    if (ec) {
      return bad("'" + url + "': '" + ep.host + "' is not an IPv6 address");
    }
  } else {
    size_t colon = authority.find(':');
    ep.host = authority.substr(0, colon);
    if (colon != std::string::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return bad("'" + url + "': empty port");
      if (port_text.find(':') != std::string::npos) {
        return bad("'" + url + "': IPv6 addresses must be in brackets");
      }
    }
    for (char c : ep.host) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.' && c != '_') {
        return bad("'" + url + "': invalid character '" + std::string(1, c) + "' in the host");
      }
    }
  }
  if (ep.host.empty()) return bad("'" + url + "' has no host");
  if (port_text.empty()) {
    ep.port = ep.tls ? 443 : 80;
  } else {
    if (port_text.size() > 5 || !std::all_of(port_text.begin(), port_text.end(),
                                             [](unsigned char c) { return std::isdigit(c); })) {
      return bad("'" + url + "': port '" + port_text + "' is not a number");
    }
    int port = std::stoi(port_text);
    if (port < 1 || port > 65535) {
      return bad("'" + url + "': port " + port_text + " is out of range 1-65535");
    }
    ep.port = static_cast<uint16_t>(port);
  }
  while (!path.empty() && path.back() == '/')
    path.pop_back();
  if (path.size() >= 7 && path.compare(path.size() - 7, 7, "/api/v1") == 0) {
    path.resize(path.size() - 7);
  }
  bool v6 = ep.host.find(':') != std::string::npos;
  ep.host_header = v6 ? "[" + ep.host + "]" : ep.host;
  if (ep.port != (ep.tls ? 443 : 80)) ep.host_header += ":" + std::to_string(ep.port);
  ep.base_path = path + "/api/v1";
  ep.base_url = scheme + "://" + ep.host_header + ep.base_path;
  return ep;
}

enum class Method { kGet, kPost, kDelete };

// Which call, for the status mapping of non-2xx answers (409 differs).
enum class CallKind { kPlain, kCreateBranch, kMerge };

struct HttpResponse {
  int status = 0;
  std::string reason;
  std::string body;
  std::string retry_after;
};

// One attempt's outcome.
enum class Failure {
  kNone,         // a response was read
  kNotSent,      // resolve, connect or TLS handshake failed: lakeFS never saw the request
  kTlsRejected,  // the TLS handshake failed for a non-transient reason (certificate…)
  kAfterSend,    // sending or reading failed or timed out: the outcome is unknown
};

struct Attempt {
  Failure failure = Failure::kNone;
  std::string error;  // for failures
  HttpResponse response;
};

std::string StatusText(const HttpResponse& r) {
  std::string reason = r.reason;
  if (reason.empty())
    reason = std::string(SV(http::obsolete_reason(http::int_to_status(r.status))));
  return reason.empty() || reason == "<unknown-status>" ? std::to_string(r.status)
                                                        : fmt::format("{} {}", r.status, reason);
}

// lakeFS's Error{message}, or the body's text, shortened.
std::string ErrorText(const std::string& body) {
  std::string text;
  auto parsed = ParseJsonObject(body);
  if (parsed.ok()) text = StringField(*parsed, "message");
  if (text.empty()) text = Trim(body);
  if (text.size() > kMaxErrorTextChars) text = text.substr(0, kMaxErrorTextChars) + "…";
  for (char& c : text) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return text;
}

std::string Describe(const HttpResponse& r) {
  std::string text = ErrorText(r.body);
  return text.empty() ? StatusText(r) : StatusText(r) + ": " + text;
}

std::chrono::milliseconds ParseRetryAfter(const std::string& v) {
  std::string t = Trim(v);
  if (t.empty() || t.size() > 6 ||
      !std::all_of(t.begin(), t.end(), [](unsigned char c) { return std::isdigit(c); })) {
    return std::chrono::milliseconds(0);
  }
  return std::min<std::chrono::milliseconds>(std::chrono::seconds(std::stoi(t)), kMaxRetryAfter);
}

}  // namespace

std::string LakeFsUrlEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

struct LakeFsClient::Impl {
  LakeFsClientOptions options;
  Endpoint endpoint;
  std::string authorization;  // "Basic …"
  std::unique_ptr<ssl::context> ssl_ctx;

  // Every message leaving the client goes through here: the secret (or the
  // header carrying it) is replaced should a server ever echo it.
  std::string Scrub(std::string m) const {
    auto replace_all = [&m](const std::string& needle) {
      if (needle.empty()) return;
      for (size_t pos = m.find(needle); pos != std::string::npos; pos = m.find(needle, pos + 3)) {
        m.replace(pos, needle.size(), "***");
      }
    };
    replace_all(authorization.substr(6));  // the base64 token
    replace_all(options.secret_access_key);
    return m;
  }
  Status Fail(StatusCode code, std::string m) const { return Status(code, Scrub(std::move(m))); }

  std::string RepoPath() const {
    return endpoint.base_path + "/repositories/" + LakeFsUrlEncode(options.repository);
  }

  Attempt DoAttempt(Method method, const std::string& target, const std::string& body) const;
  template <typename Stream>
  void Exchange(net::io_context& ioc, Stream& stream, Clock::time_point deadline, Method method,
                const std::string& target, const std::string& body, Attempt* out) const;

  // Runs the request with the retry policy. A response of any status other
  // than 5xx/429 is returned for the caller to map; transport failures and
  // 5xx/429 that are not (or no longer) retried become Unavailable.
  // `*retried_unknown` (optional): set when an attempt whose outcome was
  // unknown preceded the returned response.
  Result<HttpResponse> Execute(const std::string& what, Method method, const std::string& target,
                               const std::string& body, bool* retried_unknown = nullptr) const;

  // Maps a non-2xx response to the error contract.
  Status HttpError(const std::string& what, CallKind kind, const HttpResponse& r) const;
};

template <typename Stream>
void LakeFsClient::Impl::Exchange(net::io_context& ioc, Stream& stream, Clock::time_point deadline,
                                  Method method, const std::string& target, const std::string& body,
                                  Attempt* out) const {
  http::verb verb = method == Method::kGet    ? http::verb::get
                    : method == Method::kPost ? http::verb::post
                                              : http::verb::delete_;
  http::request<http::string_body> req{verb, target, 11};
  req.set(http::field::host, endpoint.host_header);
  req.set(http::field::user_agent, "arbord-lakefs-client");
  req.set(http::field::accept, "application/json");
  req.set(http::field::authorization, authorization);
  if (method == Method::kPost) {
    req.set(http::field::content_type, "application/json");
    req.body() = body;
  }
  req.keep_alive(false);
  req.prepare_payload();

  beast::error_code ec;
  beast::get_lowest_layer(stream).expires_at(deadline);
  http::async_write(stream, req, [&](beast::error_code e, size_t) { ec = e; });
  ioc.run();
  ioc.restart();
  auto timeout_text = [&] {
    return fmt::format("no answer within the request timeout of {} ms",
                       options.request_timeout.count());
  };
  if (ec) {
    out->failure = Failure::kAfterSend;
    out->error = ec == beast::error::timeout ? timeout_text() : "sending failed: " + ec.message();
    return;
  }
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxResponseBodyBytes);
  http::async_read(stream, buffer, parser, [&](beast::error_code e, size_t) { ec = e; });
  ioc.run();
  ioc.restart();
  if (ec) {
    out->failure = Failure::kAfterSend;
    if (ec == beast::error::timeout) {
      out->error = timeout_text();
    } else if (ec == http::error::end_of_stream || ec == net::error::eof ||
               ec == net::error::connection_reset || ec == http::error::partial_message) {
      out->error = "the connection was closed before a complete answer (" + ec.message() + ")";
    } else {
      out->error = "reading the answer failed: " + ec.message();
    }
    return;
  }
  auto res = parser.release();
  out->failure = Failure::kNone;
  out->response.status = static_cast<int>(res.result_int());
  out->response.reason = std::string(SV(res.reason()));
  out->response.body = std::move(res.body());
  auto ra = res.find(http::field::retry_after);
  if (ra != res.end()) out->response.retry_after = std::string(SV(ra->value()));
  beast::error_code ignored;
  beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_both, ignored);
  beast::get_lowest_layer(stream).socket().close(ignored);
}

Attempt LakeFsClient::Impl::DoAttempt(Method method, const std::string& target,
                                      const std::string& body) const {
  Attempt out;
  net::io_context ioc;
  const auto start = Clock::now();
  const auto deadline = start + options.request_timeout;
  const auto connect_deadline = std::min(start + options.connect_timeout, deadline);
  const auto connect_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(connect_deadline - start).count();
  const std::string where = endpoint.host.find(':') != std::string::npos
                                ? fmt::format("[{}]:{}", endpoint.host, endpoint.port)
                                : fmt::format("{}:{}", endpoint.host, endpoint.port);

  // Resolve, bounded by the connect deadline.
  tcp::resolver resolver(ioc);
  net::steady_timer timer(ioc);
  beast::error_code ec;
  bool resolve_timed_out = false;
  tcp::resolver::results_type results;
  resolver.async_resolve(endpoint.host, std::to_string(endpoint.port),
                         [&](beast::error_code e, tcp::resolver::results_type r) {
                           ec = e;
                           results = std::move(r);
                           timer.cancel();
                         });
  timer.expires_at(connect_deadline);
  timer.async_wait([&](beast::error_code e) {
    if (!e) {
      resolve_timed_out = true;
      resolver.cancel();
    }
  });
  ioc.run();
  ioc.restart();
  if (resolve_timed_out || ec) {
    out.failure = Failure::kNotSent;
    out.error = resolve_timed_out
                    ? fmt::format("resolving '{}' timed out after {} ms", endpoint.host, connect_ms)
                    : fmt::format("cannot resolve '{}': {}", endpoint.host, ec.message());
    return out;
  }

  auto connect = [&](beast::tcp_stream& tcp_stream) {
    tcp_stream.expires_at(connect_deadline);
    tcp_stream.async_connect(results, [&](beast::error_code e, const tcp::endpoint&) { ec = e; });
    ioc.run();
    ioc.restart();
    if (!ec) return true;
    out.failure = Failure::kNotSent;
    out.error = ec == beast::error::timeout
                    ? fmt::format("connecting to {} timed out after {} ms", where, connect_ms)
                    : fmt::format("cannot connect to {}: {}", where, ec.message());
    return false;
  };

  if (!endpoint.tls) {
    beast::tcp_stream stream(ioc);
    if (!connect(stream)) return out;
    Exchange(ioc, stream, deadline, method, target, body, &out);
    return out;
  }

  beast::ssl_stream<beast::tcp_stream> stream(ioc, *ssl_ctx);
  if (!IsIpLiteral(endpoint.host) &&
      !SSL_set_tlsext_host_name(stream.native_handle(), endpoint.host.c_str())) {
    out.failure = Failure::kTlsRejected;
    out.error = "cannot set the TLS server name '" + endpoint.host + "'";
    return out;
  }
  if (options.verify_tls) {
    stream.set_verify_mode(ssl::verify_peer);
    stream.set_verify_callback(ssl::host_name_verification(endpoint.host));
  } else {
    stream.set_verify_mode(ssl::verify_none);
  }
  if (!connect(beast::get_lowest_layer(stream))) return out;
  beast::get_lowest_layer(stream).expires_at(connect_deadline);
  stream.async_handshake(ssl::stream_base::client, [&](beast::error_code e) { ec = e; });
  ioc.run();
  ioc.restart();
  if (ec) {
    if (ec.category() == net::error::get_ssl_category()) {
      out.failure = Failure::kTlsRejected;
      std::string detail = ec.message();
      long verify = SSL_get_verify_result(stream.native_handle());
      if (verify != X509_V_OK) {
        detail += std::string(" (certificate: ") + X509_verify_cert_error_string(verify) + ")";
      }
      out.error = fmt::format("TLS handshake with {} failed: {}", where, detail);
    } else {
      out.failure = Failure::kNotSent;
      out.error =
          ec == beast::error::timeout
              ? fmt::format("TLS handshake with {} timed out after {} ms", where, connect_ms)
              : fmt::format("TLS handshake with {} failed: {}", where, ec.message());
    }
    return out;
  }
  Exchange(ioc, stream, deadline, method, target, body, &out);
  return out;
}

Result<HttpResponse> LakeFsClient::Impl::Execute(const std::string& what, Method method,
                                                 const std::string& target, const std::string& body,
                                                 bool* retried_unknown) const {
  const bool idempotent = method != Method::kPost;
  bool unknown_before = false;
  thread_local std::mt19937_64 rng{std::random_device{}()};
  for (int attempt = 1;; ++attempt) {
    Attempt a = DoAttempt(method, target, body);
    bool retryable = false;
    bool outcome_unknown = false;
    std::string problem;
    std::chrono::milliseconds retry_after{0};
    switch (a.failure) {
      case Failure::kNone: {
        const int s = a.response.status;
        if (s != 429 && s < 500) {
          if (retried_unknown != nullptr) *retried_unknown = unknown_before;
          return std::move(a.response);
        }
        retryable = s == 429 || idempotent;
        outcome_unknown = s != 429;
        problem = Describe(a.response);
        retry_after = ParseRetryAfter(a.response.retry_after);
        break;
      }
      case Failure::kNotSent:
        retryable = true;
        problem = "cannot reach lakeFS at " + endpoint.base_url + ": " + a.error;
        break;
      case Failure::kTlsRejected:
        problem = "cannot reach lakeFS at " + endpoint.base_url + ": " + a.error;
        break;
      case Failure::kAfterSend:
        retryable = idempotent;
        outcome_unknown = true;
        problem = a.error;
        break;
    }
    unknown_before = unknown_before || outcome_unknown;
    if (!retryable || attempt >= options.max_attempts) {
      std::string m = fmt::format("{} failed: {}", what, problem);
      if (attempt > 1) m += fmt::format(" (after {} attempts)", attempt);
      if (outcome_unknown && !idempotent) {
        m += "; the request may or may not have been applied";
      }
      return Fail(StatusCode::kUnavailable, std::move(m));
    }
    // Exponential backoff with jitter: uniform in [base/2, base].
    auto base = options.initial_backoff * (int64_t{1} << std::min(attempt - 1, 20));
    base = std::min<std::chrono::milliseconds>(base, kMaxBackoff);
    std::uniform_int_distribution<int64_t> dist(base.count() / 2,
                                                std::max<int64_t>(base.count(), 0));
    auto delay = std::max(std::chrono::milliseconds(dist(rng)), retry_after);
    spdlog::warn("{}", Scrub(fmt::format("{}: attempt {}/{} failed: {}; retrying in {} ms", what,
                                         attempt, options.max_attempts, problem, delay.count())));
    std::this_thread::sleep_for(delay);
  }
}

Status LakeFsClient::Impl::HttpError(const std::string& what, CallKind kind,
                                     const HttpResponse& r) const {
  const int s = r.status;
  std::string base = fmt::format("{} failed: {}", what, Describe(r));
  switch (s) {
    case 404:
      return Fail(StatusCode::kNotFound, std::move(base));
    case 409:
      return Fail(
          kind == CallKind::kCreateBranch ? StatusCode::kAlreadyExists : StatusCode::kConflict,
          std::move(base));
    case 401: {
      std::string text = ErrorText(r.body);
      return Fail(StatusCode::kInvalidArgument,
                  fmt::format("{} failed: {}: lakeFS rejected the credentials{}", what,
                              StatusText(r), text.empty() ? "" : " (" + text + ")"));
    }
    case 403:
    case 423:
      return Fail(StatusCode::kReadOnly, std::move(base));
    default:
      break;
  }
  if (s >= 500 || s == 429) return Fail(StatusCode::kUnavailable, std::move(base));
  if (s >= 400) return Fail(StatusCode::kInvalidArgument, std::move(base));
  // 1xx/3xx: not an answer lakeFS gives; the request was not applied.
  return Fail(StatusCode::kInvalidArgument,
              fmt::format("{} failed: unexpected answer {} (is {} the lakeFS API?)", what,
                          StatusText(r), endpoint.base_url));
}

// --- LakeFsClient -------------------------------------------------------

LakeFsClient::LakeFsClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LakeFsClient::~LakeFsClient() = default;

const std::string& LakeFsClient::base_url() const {
  return impl_->endpoint.base_url;
}

Result<std::unique_ptr<LakeFsClient>> LakeFsClient::Create(LakeFsClientOptions options) {
  ARBOR_ASSIGN_OR_RETURN(Endpoint ep, ParseEndpoint(options.endpoint));
  if (options.repository.empty()) {
    return Status::InvalidArgument("lakeFS repository is not set");
  }
  if (options.access_key_id.empty() || options.secret_access_key.empty()) {
    return Status::InvalidArgument("lakeFS access key id and secret access key must both be set");
  }
  if (options.connect_timeout.count() <= 0 || options.request_timeout.count() <= 0) {
    return Status::InvalidArgument("lakeFS connect and request timeouts must be positive");
  }
  if (options.max_attempts < 1) {
    return Status::InvalidArgument("lakeFS max_attempts must be at least 1");
  }
  if (options.initial_backoff.count() < 0) {
    return Status::InvalidArgument("lakeFS initial_backoff must not be negative");
  }
  auto impl = std::make_unique<Impl>();
  impl->endpoint = std::move(ep);
  impl->authorization = "Basic " + Base64(options.access_key_id + ":" + options.secret_access_key);
  if (impl->endpoint.tls) {
    try {
      impl->ssl_ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
      impl->ssl_ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                                 ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                                 ssl::context::no_tlsv1_1);
      if (options.verify_tls) {
        impl->ssl_ctx->set_default_verify_paths();
        impl->ssl_ctx->set_verify_mode(ssl::verify_peer);
      } else {
        impl->ssl_ctx->set_verify_mode(ssl::verify_none);
      }
    } catch (const std::exception& e) {
      return Status::InvalidArgument(std::string("cannot set up TLS for lakeFS: ") + e.what());
    }
  }
  impl->options = std::move(options);
  return std::unique_ptr<LakeFsClient>(new LakeFsClient(std::move(impl)));
}

Status LakeFsClient::CheckRepository() {
  const auto& repo = impl_->options.repository;
  std::string what = fmt::format("lakeFS get repository '{}'", repo);
  auto r = impl_->Execute(what, Method::kGet, impl_->RepoPath(), "");
  if (!r.ok()) return r.status();
  if (r->status >= 200 && r->status < 300) return Status::OK();
  if (r->status == 404) {
    return impl_->Fail(StatusCode::kNotFound,
                       fmt::format("lakeFS repository '{}' not found at {} ({})", repo,
                                   impl_->endpoint.base_url, Describe(*r)));
  }
  return impl_->HttpError(what, CallKind::kPlain, *r);
}

Result<std::string> LakeFsClient::CreateBranch(const std::string& branch,
                                               const std::string& source) {
  std::string what = fmt::format("lakeFS create branch '{}' from '{}'", branch, source);
  pb::Struct body;
  (*body.mutable_fields())["name"].set_string_value(branch);
  (*body.mutable_fields())["source"].set_string_value(source);
  auto json = ToJson(body);
  if (!json.ok())
    return impl_->Fail(StatusCode::kInvalidArgument, what + ": " + json.status().message());
  auto r = impl_->Execute(what, Method::kPost, impl_->RepoPath() + "/branches", *json);
  if (!r.ok()) return r.status();
  if (r->status < 200 || r->status >= 300)
    return impl_->HttpError(what, CallKind::kCreateBranch, *r);
  // lakeFS answers with the new branch's commit id as text; tolerate a quoted string.
  std::string ref = Trim(r->body);
  if (ref.size() >= 2 && ref.front() == '"' && ref.back() == '"')
    ref = ref.substr(1, ref.size() - 2);
  if (LooksLikeCommitId(ref)) return ref;
  auto head = GetBranchHead(branch);
  if (!head.ok()) {
    return impl_->Fail(StatusCode::kUnavailable,
                       fmt::format("{}: the branch was created but reading its head failed: {}",
                                   what, head.status().message()));
  }
  return head;
}

Status LakeFsClient::DeleteBranch(const std::string& branch) {
  std::string what = fmt::format("lakeFS delete branch '{}'", branch);
  bool retried_unknown = false;
  auto r = impl_->Execute(what, Method::kDelete,
                          impl_->RepoPath() + "/branches/" + LakeFsUrlEncode(branch), "",
                          &retried_unknown);
  if (!r.ok()) return r.status();
  if (r->status >= 200 && r->status < 300) return Status::OK();
  // An earlier attempt with an unknown outcome deleted it.
  if (r->status == 404 && retried_unknown) return Status::OK();
  return impl_->HttpError(what, CallKind::kPlain, *r);
}

Result<std::string> LakeFsClient::GetBranchHead(const std::string& branch) {
  std::string what = fmt::format("lakeFS get branch '{}'", branch);
  auto r = impl_->Execute(what, Method::kGet,
                          impl_->RepoPath() + "/branches/" + LakeFsUrlEncode(branch), "");
  if (!r.ok()) return r.status();
  if (r->status < 200 || r->status >= 300) return impl_->HttpError(what, CallKind::kPlain, *r);
  auto parsed = ParseJsonObject(r->body);
  std::string id = parsed.ok() ? StringField(*parsed, "commit_id") : "";
  if (id.empty()) {
    return impl_->Fail(
        StatusCode::kUnavailable,
        fmt::format("{}: unreadable answer (no 'commit_id'): {}", what, ErrorText(r->body)));
  }
  return id;
}

Result<LakeFsCommit> LakeFsClient::Commit(const std::string& branch, const std::string& message,
                                          const std::map<std::string, std::string>& metadata,
                                          bool allow_empty) {
  std::string what = fmt::format("lakeFS commit on branch '{}'", branch);
  pb::Struct body;
  (*body.mutable_fields())["message"].set_string_value(message);
  SetMetadata(&body, metadata);
  (*body.mutable_fields())["allow_empty"].set_bool_value(allow_empty);
  auto json = ToJson(body);
  if (!json.ok())
    return impl_->Fail(StatusCode::kInvalidArgument, what + ": " + json.status().message());
  auto r = impl_->Execute(what, Method::kPost,
                          impl_->RepoPath() + "/branches/" + LakeFsUrlEncode(branch) + "/commits",
                          *json);
  if (!r.ok()) return r.status();
  if (r->status < 200 || r->status >= 300) return impl_->HttpError(what, CallKind::kPlain, *r);
  auto parsed = ParseJsonObject(r->body);
  Result<LakeFsCommit> c =
      parsed.ok() ? CommitFromJson(*parsed) : Result<LakeFsCommit>(parsed.status());
  if (!c.ok()) {
    return impl_->Fail(StatusCode::kUnavailable,
                       fmt::format("{}: lakeFS answered {} but the commit could not be read ({}); "
                                   "the outcome is unknown",
                                   what, StatusText(*r), c.status().message()));
  }
  return c;
}

Result<std::string> LakeFsClient::Merge(const std::string& source_ref,
                                        const std::string& destination_branch,
                                        const std::string& message,
                                        const std::map<std::string, std::string>& metadata,
                                        const std::string& strategy, bool allow_empty) {
  std::string what =
      fmt::format("lakeFS merge of '{}' into branch '{}'", source_ref, destination_branch);
  pb::Struct body;
  (*body.mutable_fields())["message"].set_string_value(message);
  SetMetadata(&body, metadata);
  if (!strategy.empty()) (*body.mutable_fields())["strategy"].set_string_value(strategy);
  (*body.mutable_fields())["allow_empty"].set_bool_value(allow_empty);
  auto json = ToJson(body);
  if (!json.ok())
    return impl_->Fail(StatusCode::kInvalidArgument, what + ": " + json.status().message());
  auto r = impl_->Execute(what, Method::kPost,
                          impl_->RepoPath() + "/refs/" + LakeFsUrlEncode(source_ref) + "/merge/" +
                              LakeFsUrlEncode(destination_branch),
                          *json);
  if (!r.ok()) return r.status();
  if (r->status < 200 || r->status >= 300) return impl_->HttpError(what, CallKind::kMerge, *r);
  auto parsed = ParseJsonObject(r->body);
  std::string ref = parsed.ok() ? StringField(*parsed, "reference") : "";
  if (!ref.empty()) return ref;
  auto head = GetBranchHead(destination_branch);
  if (!head.ok()) {
    return impl_->Fail(StatusCode::kUnavailable,
                       fmt::format("{}: lakeFS answered {} without a 'reference' and reading the "
                                   "branch head failed: {}",
                                   what, StatusText(*r), head.status().message()));
  }
  return head;
}

Result<LakeFsCommit> LakeFsClient::GetCommit(const std::string& commit_id) {
  std::string what = fmt::format("lakeFS get commit '{}'", commit_id);
  auto r = impl_->Execute(what, Method::kGet,
                          impl_->RepoPath() + "/commits/" + LakeFsUrlEncode(commit_id), "");
  if (!r.ok()) return r.status();
  if (r->status < 200 || r->status >= 300) return impl_->HttpError(what, CallKind::kPlain, *r);
  auto parsed = ParseJsonObject(r->body);
  Result<LakeFsCommit> c =
      parsed.ok() ? CommitFromJson(*parsed) : Result<LakeFsCommit>(parsed.status());
  if (!c.ok()) {
    return impl_->Fail(StatusCode::kUnavailable,
                       fmt::format("{}: unreadable answer: {}", what, c.status().message()));
  }
  return c;
}

Result<LakeFsLogPage> LakeFsClient::Log(const std::string& ref, int amount,
                                        const std::string& after) {
  std::string what = fmt::format("lakeFS log of '{}'", ref);
  std::string target = impl_->RepoPath() + "/refs/" + LakeFsUrlEncode(ref) + "/commits";
  std::string sep = "?";
  if (amount > 0) {
    target += sep + "amount=" + std::to_string(amount);
    sep = "&";
  }
  if (!after.empty()) target += sep + "after=" + LakeFsUrlEncode(after);
  auto r = impl_->Execute(what, Method::kGet, target, "");
  if (!r.ok()) return r.status();
  if (r->status < 200 || r->status >= 300) return impl_->HttpError(what, CallKind::kPlain, *r);
  auto unreadable = [&](const std::string& why) {
    return impl_->Fail(StatusCode::kUnavailable,
                       fmt::format("{}: unreadable answer: {}", what, why));
  };
  auto parsed = ParseJsonObject(r->body);
  if (!parsed.ok()) return unreadable(parsed.status().message());
  LakeFsLogPage page;
  if (const pb::Value* p = Field(*parsed, "pagination");
      p != nullptr && p->kind_case() == pb::Value::kStructValue) {
    const pb::Value* more = Field(p->struct_value(), "has_more");
    page.has_more =
        more != nullptr && more->kind_case() == pb::Value::kBoolValue && more->bool_value();
    if (const pb::Value* next = Field(p->struct_value(), "next_offset"); next != nullptr) {
      page.next_offset = ScalarText(*next);
    }
  }
  const pb::Value* results = Field(*parsed, "results");
  if (results != nullptr) {
    if (results->kind_case() != pb::Value::kListValue) return unreadable("'results' is not a list");
    for (const auto& v : results->list_value().values()) {
      if (v.kind_case() != pb::Value::kStructValue) return unreadable("a result is not an object");
      auto c = CommitFromJson(v.struct_value());
      if (!c.ok()) return unreadable(c.status().message());
      page.commits.push_back(std::move(*c));
    }
  }
  return page;
}

}  // namespace arbor

#include "server/lakefs/lakefs_client.h"

#include <fmt/format.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/beast/http/status.hpp>
#include <cctype>
#include <optional>
#include <random>
#include <thread>

#include "net/http_client.h"
#include "net/url.h"

namespace arbor {

namespace http = boost::beast::http;
namespace pb = google::protobuf;

namespace {

constexpr uint64_t kMaxResponseBodyBytes = 64ull << 20;
constexpr auto kMaxBackoff = std::chrono::milliseconds(10'000);
constexpr auto kMaxRetryAfter = std::chrono::milliseconds(10'000);
constexpr size_t kMaxErrorTextChars = 512;

std::string_view SV(boost::beast::string_view s) {
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

struct Endpoint {
  net::Url url;
  std::string base_path;  // "<prefix>/api/v1"
  std::string base_url;   // for messages: scheme://host[:port]<prefix>/api/v1
};

Result<Endpoint> ParseEndpoint(const std::string& text) {
  auto url = net::ParseUrl(text);
  if (!url.ok()) {
    // Never echo an endpoint holding user info: it may carry the secret.
    if (net::HasUserInfo(text)) {
      return Status::InvalidArgument("invalid lakeFS endpoint: " + url.status().message() +
                                     "; set the access key options");
    }
    return Status::InvalidArgument("invalid lakeFS endpoint '" + text +
                                   "': " + url.status().message() +
                                   " (expected http[s]://host[:port][/prefix])");
  }
  Endpoint ep;
  ep.url = std::move(*url);
  std::string path = ep.url.path;
  if (path.size() >= 7 && path.compare(path.size() - 7, 7, "/api/v1") == 0) {
    path.resize(path.size() - 7);
  }
  ep.base_path = path + "/api/v1";
  ep.base_url = std::string(ep.url.scheme()) + "://" + ep.url.HostHeader() + ep.base_path;
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
  std::unique_ptr<net::HttpClient> http;

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

  // One request, classified by how far it got (see Failure).
  Attempt DoAttempt(Method method, const std::string& target, const std::string& body) const;

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

Attempt LakeFsClient::Impl::DoAttempt(Method method, const std::string& target,
                                      const std::string& body) const {
  net::Request req;
  req.method = method == Method::kGet ? "GET" : method == Method::kPost ? "POST" : "DELETE";
  req.target = target;
  req.headers = {{"Accept", "application/json"}, {"Authorization", authorization}};
  if (method == Method::kPost) {
    req.headers.emplace_back("Content-Type", "application/json");
    req.body = body;
  }
  net::Outcome outcome = http->Send(req);
  Attempt out;
  if (!outcome.error) {
    out.failure = Failure::kNone;
    out.response.status = outcome.response.status;
    out.response.reason = std::move(outcome.response.reason);
    out.response.retry_after = outcome.response.Header("Retry-After");
    out.response.body = std::move(outcome.response.body);
    return out;
  }
  using Stage = net::TransportError::Stage;
  using Kind = net::TransportError::Kind;
  const net::TransportError& e = *outcome.error;
  const bool timeout = e.kind == Kind::kTimeout;
  const auto connect_ms = std::min(options.connect_timeout, options.request_timeout).count();
  const std::string where = endpoint.url.HostPort();
  switch (e.stage) {
    case Stage::kResolve:
      out.failure = Failure::kNotSent;
      out.error = timeout ? fmt::format("resolving '{}' timed out after {} ms", endpoint.url.host,
                                        connect_ms)
                          : fmt::format("cannot resolve '{}': {}", endpoint.url.host, e.detail);
      break;
    case Stage::kConnect:
      out.failure = Failure::kNotSent;
      out.error = timeout ? fmt::format("connecting to {} timed out after {} ms", where, connect_ms)
                          : fmt::format("cannot connect to {}: {}", where, e.detail);
      break;
    case Stage::kTlsHandshake:
      if (e.kind == Kind::kTlsRefused) {
        out.failure = Failure::kTlsRejected;
        std::string detail = e.detail;
        if (!e.certificate.empty()) detail += " (certificate: " + e.certificate + ")";
        out.error = fmt::format("TLS handshake with {} failed: {}", where, detail);
      } else {
        out.failure = Failure::kNotSent;
        out.error =
            timeout ? fmt::format("TLS handshake with {} timed out after {} ms", where, connect_ms)
                    : fmt::format("TLS handshake with {} failed: {}", where, e.detail);
      }
      break;
    case Stage::kSend:
    case Stage::kReceive: {
      out.failure = Failure::kAfterSend;
      bool sending = e.stage == Stage::kSend;
      if (timeout) {
        out.error = fmt::format("no answer within the request timeout of {} ms",
                                options.request_timeout.count());
      } else if (sending) {
        out.error = "sending failed: " + e.detail;
      } else if (e.kind == Kind::kClosed || e.kind == Kind::kTruncated) {
        out.error = "the connection was closed before a complete answer (" + e.detail + ")";
      } else {
        out.error = "reading the answer failed: " + e.detail;
      }
      break;
    }
  }
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
  net::HttpClientOptions http_options;
  http_options.connect_timeout = options.connect_timeout;
  http_options.request_timeout = options.request_timeout;
  http_options.verify_tls = options.verify_tls;
  http_options.max_response_bytes = kMaxResponseBodyBytes;
  http_options.user_agent = "arbord-lakefs-client";
  auto http = net::HttpClient::Create(impl->endpoint.url, std::move(http_options));
  if (!http.ok()) return Status::InvalidArgument("lakeFS: " + http.status().message());
  impl->http = std::move(*http);
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

// Request parsing shared by the admin API's handlers (admin_call.h).
#include "server/admin/admin_call.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <cstring>
#include <utility>

#include "base/abbreviate.h"
#include "base/ascii.h"
#include "versioning/names.h"

namespace arbor::admin_api {

namespace pb = google::protobuf;

namespace {

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// The first bool field of `d` (searching nested request messages too) whose value
// in `json` is not a JSON boolean, as a dotted path; empty if there is none.
// Protobuf's JSON parser also takes strings for bool fields, so without this a
// request saying "allow_empty": "yes" (or "no"!) would be read as a boolean.
std::string NonBooleanField(const pb::Descriptor* d, const pb::Struct& json) {
  for (int i = 0; i < d->field_count(); ++i) {
    const pb::FieldDescriptor* f = d->field(i);
    auto it = json.fields().find(f->json_name());
    if (it == json.fields().end()) it = json.fields().find(f->name());
    if (it == json.fields().end() || f->is_repeated()) continue;
    const pb::Value& v = it->second;
    if (v.kind_case() == pb::Value::kNullValue) continue;
    if (f->type() == pb::FieldDescriptor::TYPE_BOOL) {
      if (v.kind_case() != pb::Value::kBoolValue) return f->name();
    } else if (f->type() == pb::FieldDescriptor::TYPE_MESSAGE &&
               v.kind_case() == pb::Value::kStructValue &&
               f->message_type()->file()->package() != "google.protobuf") {
      std::string inner = NonBooleanField(f->message_type(), v.struct_value());
      if (!inner.empty()) return f->name() + "." + inner;
    }
  }
  return "";
}

}  // namespace

// Path parameters come from the client: the echo is bounded (base/abbreviate.h).
std::string Quote(std::string_view s) {
  return "'" + Abbreviate(s) + "'";
}

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> out;
  size_t start = 1;  // past the leading '/'
  while (true) {
    size_t slash = path.find('/', start);
    out.emplace_back(path.substr(start, slash == std::string_view::npos ? slash : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

Result<std::string> PercentDecode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      int hi = i + 2 < s.size() ? HexDigitValue(s[i + 1]) : -1;
      int lo = i + 2 < s.size() ? HexDigitValue(s[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        return Status::InvalidArgument("malformed percent-encoding in " +
                                       QuoteName(s.substr(0, 300)));
      }
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

Result<std::map<std::string, std::string>> ParseQuery(std::string_view query) {
  std::map<std::string, std::string> out;
  size_t pos = 0;
  while (pos <= query.size() && !query.empty()) {
    size_t amp = query.find('&', pos);
    std::string_view piece =
        query.substr(pos, amp == std::string_view::npos ? std::string_view::npos : amp - pos);
    if (!piece.empty()) {
      size_t eq = piece.find('=');
      ARBOR_ASSIGN_OR_RETURN(std::string k, PercentDecode(piece.substr(0, eq), true));
      std::string v;
      if (eq != std::string_view::npos) {
        ARBOR_ASSIGN_OR_RETURN(v, PercentDecode(piece.substr(eq + 1), true));
      }
      if (!out.emplace(k, std::move(v)).second) {
        return Status::InvalidArgument("query parameter " + QuoteName(k) + " is repeated");
      }
    }
    if (amp == std::string_view::npos) break;
    pos = amp + 1;
  }
  return out;
}

std::string EncodeCursor(std::string_view raw) {
  std::string out;
  uint32_t buf = 0;
  int bits = 0;
  for (unsigned char c : raw) {
    buf = (buf << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kB64[(buf >> bits) & 63];
    }
  }
  if (bits > 0) out += kB64[(buf << (6 - bits)) & 63];
  return out;
}

Result<std::string> DecodeCursor(std::string_view text, std::string_view what) {
  std::string out;
  uint32_t buf = 0;
  int bits = 0;
  for (char c : text) {
    const char* p = c == '\0' ? nullptr : std::strchr(kB64, c);
    if (p == nullptr) {
      return Status::InvalidArgument(std::string(what) + " " + QuoteName(text.substr(0, 100)) +
                                     " is not a cursor this API returned");
    }
    buf = (buf << 6) | static_cast<uint32_t>(p - kB64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buf >> bits) & 0xff);
    }
  }
  return out;
}

std::optional<HttpResponse> ParseBody(const Call& call, pb::Message* m) {
  const std::string& body = call.request.body;
  bool blank = body.find_first_not_of(" \t\r\n") == std::string::npos;
  if (blank) return std::nullopt;
  pb::util::JsonParseOptions o;
  o.ignore_unknown_fields = false;
  auto s = pb::util::JsonStringToMessage(body, m, o);
  if (!s.ok()) {
    return Error(400, "INVALID_JSON",
                 "invalid " + m->GetDescriptor()->name() + " body: " + std::string(s.message()));
  }
  pb::Struct json;
  if (pb::util::JsonStringToMessage(body, &json, o).ok()) {
    std::string field = NonBooleanField(m->GetDescriptor(), json);
    if (!field.empty()) {
      return Error(400, "INVALID_JSON",
                   "invalid " + m->GetDescriptor()->name() + " body: field " + QuoteName(field) +
                       " must be a JSON boolean (true or false)");
    }
  }
  return std::nullopt;
}

std::optional<HttpResponse> CheckQuery(const Call& call,
                                       std::initializer_list<std::string_view> allowed) {
  for (const auto& [k, v] : call.query) {
    bool ok = false;
    for (auto a : allowed)
      ok = ok || a == k;
    if (!ok) {
      std::string list;
      for (auto a : allowed)
        list += (list.empty() ? "" : ", ") + std::string(a);
      return Error(400, "INVALID_ARGUMENT",
                   "unknown query parameter " + QuoteName(k) +
                       (list.empty() ? " (this route takes none)" : " (expected " + list + ")"));
    }
  }
  return std::nullopt;
}

const std::string* QueryValue(const Call& call, std::string_view name) {
  auto it = call.query.find(std::string(name));
  return it == call.query.end() ? nullptr : &it->second;
}

Result<size_t> LimitParam(const Call& call, std::string_view name, size_t fallback) {
  const std::string* v = QueryValue(call, name);
  if (v == nullptr) return fallback;
  size_t n = 0;
  bool ok = !v->empty() && v->size() <= 6;
  for (char c : *v)
    ok = ok && c >= '0' && c <= '9';
  if (ok) n = std::stoul(*v);
  if (!ok || n < 1 || n > kMaxLimit) {
    return Status::InvalidArgument(std::string(name) + " must be an integer from 1 to " +
                                   std::to_string(kMaxLimit) + ", not " +
                                   QuoteName(v->substr(0, 100)));
  }
  return n;
}

Result<uint64_t> UintParam(const Call& call, std::string_view name) {
  const std::string* v = QueryValue(call, name);
  if (v == nullptr) return uint64_t{0};
  bool ok = !v->empty() && v->size() <= 18;
  for (char c : *v)
    ok = ok && c >= '0' && c <= '9';
  if (!ok) {
    return Status::InvalidArgument(std::string(name) + " must be a non-negative integer, not " +
                                   QuoteName(v->substr(0, 100)));
  }
  return static_cast<uint64_t>(std::stoull(*v));
}

Result<bool> BoolParam(const Call& call, std::string_view name) {
  const std::string* v = QueryValue(call, name);
  if (v == nullptr) return false;
  if (*v == "true" || *v == "1" || v->empty()) return true;
  if (*v == "false" || *v == "0") return false;
  return Status::InvalidArgument(std::string(name) + " must be true or false, not " +
                                 QuoteName(v->substr(0, 100)));
}

Result<std::optional<ObjectId>> ExpectedHead(Repository* repo, const std::string& text) {
  if (text.empty()) return std::optional<ObjectId>();
  if (!IsHex(text) || text.size() < ObjectId::kMinPrefixHex || text.size() > ObjectId::kHexSize) {
    return Status::InvalidArgument("expected_head must be a commit id (8 to 64 hex digits), not " +
                                   QuoteName(text.substr(0, 100)));
  }
  if (text.size() == ObjectId::kHexSize) {
    ARBOR_ASSIGN_OR_RETURN(ObjectId id, ObjectId::FromHex(text));
    return std::optional<ObjectId>(id);
  }
  auto id = repo->commits()->ResolvePrefix(text);
  if (!id.ok()) {
    if (id.status().IsNotFound()) {
      return Status::PreconditionFailed("expected head " + text + " matches no commit");
    }
    return id.status();
  }
  return std::optional<ObjectId>(*id);
}

std::string AuthorOf(const Call& call, const std::string& requested) {
  if (call.caller.authenticated()) return call.caller.user;
  return requested.empty() ? call.options.default_author : requested;
}

HttpResponse BranchError(const Call& call, const Status& s) {
  const std::string& branch = call.params.at(0);
  if (s.code() == StatusCode::kReadOnly && !call.repo->refs().GetBranch(branch).ok()) {
    pb::Struct d = StringDetail("ref", branch);
    return Error(400, "READ_ONLY_REF", s.message(), &d);
  }
  return ErrorFromStatus(s);
}

}  // namespace arbor::admin_api

#include "server/admin/admin_api.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <exception>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <set>

#include "arbor/admin.pb.h"
#include "arbor/catalog.pb.h"
#include "base/abbreviate.h"
#include "versioning/catalog.h"
#include "versioning/catalog_query.h"
#include "versioning/entity_summary.h"
#include "versioning/location_renderer.h"
#include "versioning/names.h"

namespace arbor {

namespace pb = google::protobuf;

// ---------------------------------------------------------------------------
// Status -> HTTP: the one mapping.

int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
    case StatusCode::kInvalidRequest:
      return 400;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
    case StatusCode::kPreconditionFailed:
    case StatusCode::kConflict:
    case StatusCode::kNotEmpty:
      return 409;
    case StatusCode::kReadOnly:
      return 423;
    case StatusCode::kBusy:
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kNoSpace:
      return 507;  // Insufficient Storage
    case StatusCode::kCorruption:
    case StatusCode::kIOError:
    case StatusCode::kInternal:
      return 500;
  }
  return 500;
}

std::string_view ErrorCodeFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "OK";
    // The HTTP API does not tell a malformed request from a malformed object.
    case StatusCode::kInvalidArgument:
    case StatusCode::kInvalidRequest:
      return "INVALID_ARGUMENT";
    case StatusCode::kNotFound:
      return "NOT_FOUND";
    case StatusCode::kAlreadyExists:
      return "ALREADY_EXISTS";
    case StatusCode::kPreconditionFailed:
      return "PRECONDITION_FAILED";
    case StatusCode::kConflict:
      return "CONFLICT";
    case StatusCode::kNotEmpty:
      return "NOT_EMPTY";
    case StatusCode::kReadOnly:
      return "READ_ONLY";
    case StatusCode::kBusy:
      return "BUSY";
    case StatusCode::kUnavailable:
      return "UNAVAILABLE";
    case StatusCode::kCorruption:
      return "CORRUPTION";
    case StatusCode::kIOError:
      return "IO_ERROR";
    case StatusCode::kNoSpace:
      return "NO_SPACE";
    case StatusCode::kInternal:
      return "INTERNAL";
  }
  return "INTERNAL";
}

namespace {

constexpr size_t kMaxLimit = 10000;

// ---------------------------------------------------------------------------
// JSON.

pb::util::JsonPrintOptions PrintOptions() {
  pb::util::JsonPrintOptions o;
  o.preserve_proto_field_names = true;
  o.always_print_primitive_fields = true;
  return o;
}

// Catalog entities are embedded verbatim, as EntityToJson renders them (field
// declaration order, exact numbers), instead of being re-printed from a Struct,
// whose map order is arbitrary. An entity's Struct slot holds a marker,
// {"$arbor_raw": "<the entity's JSON>"}; ToJson takes the JSON out of each
// marker (leaving its index), prints the message and splices the JSON back in.
// All the state is in the message being printed: nothing outlives ToJson.
constexpr char kRawKey[] = "$arbor_raw";
constexpr std::string_view kRawMarker = R"({"$arbor_raw":")";

// The entity JSON a marker holds, or null if `s` is not a marker.
std::string* RawJsonOf(pb::Struct* s) {
  if (s->fields_size() != 1) return nullptr;
  auto it = s->mutable_fields()->find(kRawKey);
  if (it == s->mutable_fields()->end() || !it->second.has_string_value()) return nullptr;
  return it->second.mutable_string_value();
}

void TakeRawEntities(pb::Message* m, std::vector<std::string>* raw);

void TakeRawEntities(pb::Value* v, std::vector<std::string>* raw) {
  if (v->has_struct_value()) TakeRawEntities(v->mutable_struct_value(), raw);
  if (v->has_list_value()) {
    for (pb::Value& item : *v->mutable_list_value()->mutable_values())
      TakeRawEntities(&item, raw);
  }
}

// Moves every marker's JSON into `raw`, replacing it with its index there.
// Walks message-typed fields by reflection; maps of admin.proto hold strings
// only, so map fields other than Struct's are not entered.
void TakeRawEntities(pb::Message* m, std::vector<std::string>* raw) {
  if (m->GetDescriptor() == pb::Struct::descriptor()) {
    auto* s = static_cast<pb::Struct*>(m);
    if (std::string* json = RawJsonOf(s)) {
      raw->push_back(std::move(*json));
      *json = std::to_string(raw->size() - 1);
      return;
    }
    for (auto& [key, value] : *s->mutable_fields())
      TakeRawEntities(&value, raw);
    return;
  }
  const pb::Reflection* r = m->GetReflection();
  std::vector<const pb::FieldDescriptor*> fields;
  r->ListFields(*m, &fields);
  for (const pb::FieldDescriptor* f : fields) {
    if (f->cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE || f->is_map()) continue;
    if (f->is_repeated()) {
      for (int i = 0; i < r->FieldSize(*m, f); ++i)
        TakeRawEntities(r->MutableRepeatedMessage(m, f, i), raw);
    } else {
      TakeRawEntities(r->MutableMessage(m, f), raw);
    }
  }
}

std::string Splice(const std::string& printed, const std::vector<std::string>& raw) {
  if (raw.empty()) return printed;
  std::string out;
  out.reserve(printed.size());
  size_t pos = 0;
  while (true) {
    size_t at = printed.find(kRawMarker, pos);
    if (at == std::string::npos) break;
    size_t digits = at + kRawMarker.size();
    size_t end = printed.find("\"}", digits);
    if (end == std::string::npos) break;
    size_t index = 0;
    bool ok = end > digits && end - digits < 10;
    for (size_t i = digits; ok && i < end; ++i) {
      ok = printed[i] >= '0' && printed[i] <= '9';
      if (ok) index = index * 10 + static_cast<size_t>(printed[i] - '0');
    }
    if (!ok || index >= raw.size()) {
      out.append(printed, pos, digits - pos);
      pos = digits;
      continue;
    }
    out.append(printed, pos, at - pos);
    out += raw[index];
    pos = end + 2;
  }
  out.append(printed, pos, std::string::npos);
  return out;
}

std::string ToJson(const pb::Message& m) {
  // The markers are rewritten in a copy: handlers keep their messages const.
  std::unique_ptr<pb::Message> copy(m.New());
  copy->CopyFrom(m);
  std::vector<std::string> raw;
  TakeRawEntities(copy.get(), &raw);
  std::string out;
  auto s = pb::util::MessageToJsonString(*copy, &out, PrintOptions());
  if (!s.ok()) {
    // Only invalid UTF-8 in a string can fail here; never expected.
    return R"({"code":"INTERNAL","message":"cannot render the response as JSON","details":{}})";
  }
  out = Splice(out, raw);
  out += "\n";
  return out;
}

Status JsonToStruct(std::string_view json, pb::Struct* out) {
  pb::util::JsonParseOptions o;
  auto s = pb::util::JsonStringToMessage(pb::StringPiece(json.data(), json.size()), out, o);
  if (!s.ok()) return Status::Internal("cannot convert JSON to an object: " + s.ToString());
  return Status::OK();
}

Status MessageToStruct(const pb::Message& m, pb::Struct* out) {
  std::string json;
  auto s = pb::util::MessageToJsonString(m, &json, PrintOptions());
  if (!s.ok()) return Status::Internal("cannot render " + m.GetTypeName() + " as JSON");
  return JsonToStruct(json, out);
}

// Puts a marker holding `json` in `out` (see ToJson).
Status RawEntity(std::string json, pb::Struct* out) {
  out->Clear();
  (*out->mutable_fields())[kRawKey].set_string_value(std::move(json));
  return Status::OK();
}

// A catalog entity, with only the fields set (as EntityToJson renders it).
Status EntityMessageToStruct(const pb::Message& m, pb::Struct* out) {
  pb::util::JsonPrintOptions o;
  o.preserve_proto_field_names = true;
  std::string json;
  auto s = pb::util::MessageToJsonString(m, &json, o);
  if (!s.ok()) return Status::Internal("cannot render " + m.GetTypeName() + " as JSON");
  return RawEntity(std::move(json), out);
}

Status EntityBytesToStruct(CatalogKey::Kind kind, std::string_view bytes, pb::Struct* out) {
  ARBOR_ASSIGN_OR_RETURN(std::string json, EntityToJson(kind, bytes));
  return RawEntity(std::move(json), out);
}

HttpResponse JsonResponse(int status, const pb::Message& m) {
  HttpResponse r;
  r.status = status;
  r.body = ToJson(m);
  return r;
}

HttpResponse NoContent() {
  HttpResponse r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

HttpResponse Error(int status, std::string_view code, std::string_view message,
                   const pb::Struct* details = nullptr) {
  admin::Error e;
  e.set_code(std::string(code));
  e.set_message(std::string(message));
  if (details != nullptr) {
    *e.mutable_details() = *details;
  } else {
    e.mutable_details();  // always an object
  }
  return JsonResponse(status, e);
}

HttpResponse ErrorFromStatus(const Status& s) {
  HttpResponse r = Error(HttpStatusFor(s.code()), ErrorCodeFor(s.code()), s.message());
  if (s.code() == StatusCode::kBusy) r.headers.emplace_back("Retry-After", "1");
  return r;
}

pb::Struct StringDetail(std::string key, std::string value) {
  pb::Struct d;
  (*d.mutable_fields())[key].set_string_value(std::move(value));
  return d;
}

// ---------------------------------------------------------------------------
// Text helpers: percent-decoding, query strings, cursors.

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> PercentDecode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      int hi = i + 2 < s.size() ? HexValue(s[i + 1]) : -1;
      int lo = i + 2 < s.size() ? HexValue(s[i + 2]) : -1;
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

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// base64url without padding: diff and conflict cursors are encoded keys, which
// hold 0x00 bytes, so they travel opaque.
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

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  // Runs over the longer input whatever the contents, so timing shows neither
  // where the inputs differ nor (beyond the length) what the token is.
  size_t n = std::max(a.size(), b.size());
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < n; ++i) {
    unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= x ^ y;
  }
  return diff == 0;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Path parameters come from the client: the echo is bounded (base/abbreviate.h).
std::string Quote(std::string_view s) {
  return "'" + Abbreviate(s) + "'";
}

// ---------------------------------------------------------------------------
// Proto builders.

std::string KindSlug(CatalogKey::Kind kind) {
  switch (kind) {
    case CatalogKey::Kind::kDatabase:
      return "database";
    case CatalogKey::Kind::kTable:
      return "table";
    case CatalogKey::Kind::kPartition:
      return "partition";
    case CatalogKey::Kind::kTableColumnStats:
      return "table_column_statistics";
    case CatalogKey::Kind::kPartitionColumnStats:
      return "partition_column_statistics";
    case CatalogKey::Kind::kFunction:
      return "function";
  }
  return "unknown";
}

void FillKey(const CatalogKey& k, admin::EntityKey* out) {
  out->set_kind(KindSlug(k.kind));
  out->set_db(k.db);
  out->set_table(k.table);
  out->set_partition(k.partition);
  out->set_column(k.column);
  out->set_function(k.function);
}

void FillTime(int64_t micros, pb::Timestamp* out) {
  *out = pb::util::TimeUtil::MicrosecondsToTimestamp(micros);
}

void FillCommit(const CommitData& c, admin::Commit* out) {
  out->set_id(c.id.ToHex());
  for (const auto& p : c.parents)
    out->add_parents(p.ToHex());
  out->set_author(c.author);
  out->set_message(c.message);
  FillTime(c.time_micros, out->mutable_time());
  for (const auto& [k, v] : c.metadata)
    (*out->mutable_metadata())[k] = v;
  out->set_generation(c.generation);
  out->set_lakefs_commit(c.lakefs_commit);
  out->set_root(c.root.ToHex());
}

std::string CommitModeName(versioning::CommitMode mode) {
  return mode == versioning::COMMIT_MODE_AUTO ? "auto" : "staged";
}

void FillBranch(const Repository& repo, const Branch& b, admin::Branch* out) {
  out->set_name(b.name);
  out->set_head(b.head.ToHex());
  out->set_protected_(b.is_protected);
  out->set_commit_mode(CommitModeName(b.commit_mode));
  FillTime(b.created_micros, out->mutable_created());
  out->set_is_default(b.name == repo.default_branch());
  auto intent = repo.refs().GetIntent(b.name);
  if (intent.ok() && *intent) {
    static constexpr const char* kOps[] = {"commit", "merge", "revert"};
    int op = (*intent)->op();
    out->set_pending_lakefs_operation(op >= 0 && op < 3 ? kOps[op] : "unknown");
    FillTime((*intent)->created_micros(), out->mutable_pending_since());
  }
}

void FillTag(const Tag& t, admin::Tag* out) {
  out->set_name(t.name);
  out->set_commit(t.commit.ToHex());
  FillTime(t.created_micros, out->mutable_created());
}

void FillRef(const ResolvedRef& r, admin::ResolvedRef* out) {
  out->set_expression(r.expression);
  switch (r.kind) {
    case ResolvedRef::Kind::kBranch:
      out->set_kind("branch");
      break;
    case ResolvedRef::Kind::kTag:
      out->set_kind("tag");
      break;
    case ResolvedRef::Kind::kCommit:
      out->set_kind("commit");
      break;
  }
  out->set_branch(r.branch);
  out->set_commit(r.commit.ToHex());
}

void FillValueChange(const std::optional<ValueChange>& v, admin::ValueChange* out) {
  if (v->old_value) out->set_old_value(*v->old_value);
  if (v->new_value) out->set_new_value(*v->new_value);
}

void FillSummary(const TableChangeSummary& s, admin::TableChangeSummary* out) {
  for (const auto& c : s.columns_added)
    out->add_columns_added(c);
  for (const auto& c : s.columns_removed)
    out->add_columns_removed(c);
  for (const auto& [name, from, to] : s.columns_retyped) {
    auto* r = out->add_columns_retyped();
    r->set_name(name);
    r->set_old_type(from);
    r->set_new_type(to);
  }
  for (const auto& c : s.columns_comment_changed)
    out->add_columns_comment_changed(c);
  out->set_columns_reordered(s.columns_reordered);
  if (s.partition_keys) FillValueChange(s.partition_keys, out->mutable_partition_keys());
  if (s.location) FillValueChange(s.location, out->mutable_location());
  if (s.input_format) FillValueChange(s.input_format, out->mutable_input_format());
  if (s.output_format) FillValueChange(s.output_format, out->mutable_output_format());
  if (s.serde_lib) FillValueChange(s.serde_lib, out->mutable_serde_lib());
  if (s.table_type) FillValueChange(s.table_type, out->mutable_table_type());
  for (const auto& p : s.parameters_added)
    out->add_parameters_added(p);
  for (const auto& p : s.parameters_removed)
    out->add_parameters_removed(p);
  for (const auto& p : s.parameters_changed)
    out->add_parameters_changed(p);
  for (const auto& p : s.other_fields_changed)
    out->add_other_fields_changed(p);
}

Status FillChange(const CatalogChange& c, admin::DiffEntry* out) {
  FillKey(c.name, out->mutable_key());
  out->set_type(std::string(ChangeTypeName(c.type)));
  if (c.old_value) {
    ARBOR_RETURN_IF_ERROR(EntityBytesToStruct(c.name.kind, *c.old_value, out->mutable_old_value()));
  }
  if (c.new_value) {
    ARBOR_RETURN_IF_ERROR(EntityBytesToStruct(c.name.kind, *c.new_value, out->mutable_new_value()));
  }
  if (c.type == ChangeType::kChanged) {
    ARBOR_ASSIGN_OR_RETURN(std::vector<std::string> fields,
                           ChangedFieldPaths(c.name.kind, c.old_value, c.new_value));
    for (auto& f : fields)
      out->add_changed_fields(std::move(f));
  }
  if (c.name.kind == CatalogKey::Kind::kTable) {
    ARBOR_ASSIGN_OR_RETURN(TableChangeSummary s, SummarizeTableChange(c.old_value, c.new_value));
    FillSummary(s, out->mutable_table_summary());
  }
  return Status::OK();
}

Status FillConflict(const MergeConflict& c, admin::Conflict* out) {
  FillKey(c.name, out->mutable_key());
  if (c.base) ARBOR_RETURN_IF_ERROR(EntityBytesToStruct(c.name.kind, *c.base, out->mutable_base()));
  if (c.ours) ARBOR_RETURN_IF_ERROR(EntityBytesToStruct(c.name.kind, *c.ours, out->mutable_ours()));
  if (c.theirs) {
    ARBOR_RETURN_IF_ERROR(EntityBytesToStruct(c.name.kind, *c.theirs, out->mutable_theirs()));
  }
  for (const auto& f : c.fields)
    out->add_fields(f);
  return Status::OK();
}

Status FillMerge(const MergeOutcome& m, std::string_view strategy, admin::MergeResponse* out) {
  if (m.commit) FillCommit(**m.commit, out->mutable_commit());
  if (m.base) out->set_base(m.base->ToHex());
  out->set_source(m.source.ToHex());
  out->set_destination_head(m.destination_head.ToHex());
  out->set_strategy(std::string(strategy));
  out->set_changes(static_cast<uint32_t>(m.changes));
  out->set_conflict_count(static_cast<uint32_t>(m.conflict_count));
  for (const auto& c : m.conflicts)
    ARBOR_RETURN_IF_ERROR(FillConflict(c, out->add_conflicts()));
  out->set_conflicts_has_more(m.conflicts_has_more);
  if (m.conflicts_has_more && !m.conflicts.empty()) {
    out->set_conflicts_next_after(EncodeCursor(m.conflicts.back().key));
  }
  return Status::OK();
}

}  // namespace

// ---------------------------------------------------------------------------
// Routing.

struct AdminApi::Call {
  const HttpRequest& request;
  Repository* repo;
  const AdminApiOptions& options;
  std::vector<std::string> params;  // decoded path parameters, in order
  std::map<std::string, std::string> query;
  auth::Identity caller;  // authenticated, or none when authentication is off
};

struct AdminApi::Route {
  std::string method;
  std::string pattern;
  std::vector<std::string> segments;  // "{x}" for a parameter
  std::function<HttpResponse(Call&)> handler;
  auth::Role need = auth::Role::kReader;
};

namespace {

using Call = AdminApi::Call;

#define API_RETURN_IF_ERROR(expr)                               \
  do {                                                          \
    ::arbor::Status _api_status = (expr);                       \
    if (!_api_status.ok()) return ErrorFromStatus(_api_status); \
  } while (0)

#define API_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr, on_error) \
  auto tmp = (expr);                                        \
  if (!tmp.ok()) return on_error(tmp.status());             \
  lhs = std::move(tmp).value()

#define API_ASSIGN_OR_RETURN(lhs, expr) \
  API_ASSIGN_OR_RETURN_IMPL(ARBOR_CONCAT(_api_result_, __LINE__), lhs, expr, ErrorFromStatus)

// For writes addressed to /branches/{branch}: maps errors with BranchError.
#define API_BRANCH_ASSIGN_OR_RETURN(lhs, expr)                               \
  API_ASSIGN_OR_RETURN_IMPL(ARBOR_CONCAT(_api_result_, __LINE__), lhs, expr, \
                            [&](const Status& _s) { return BranchError(call, _s); })

// A write to a tag or commit through a branch route is a bad request (400
// READ_ONLY_REF): the path names something that is not a branch. A protected
// branch keeps 423 READ_ONLY.
HttpResponse BranchError(const Call& call, const Status& s) {
  const std::string& branch = call.params.at(0);
  if (s.code() == StatusCode::kReadOnly && !call.repo->refs().GetBranch(branch).ok()) {
    pb::Struct d = StringDetail("ref", branch);
    return Error(400, "READ_ONLY_REF", s.message(), &d);
  }
  return ErrorFromStatus(s);
}

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

// Parses the body into `m`; an empty body is {}.
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

// Rejects query parameters the route does not take.
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

// A commit id for an expected_head precondition: 64 hex digits or a unique
// prefix of at least 8. Empty: no precondition.
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

Result<versioning::CommitMode> ParseCommitMode(std::string_view mode) {
  if (mode == "staged") return versioning::COMMIT_MODE_STAGED;
  if (mode == "auto") return versioning::COMMIT_MODE_AUTO;
  return Status::InvalidArgument("commit mode must be \"staged\" or \"auto\", not " +
                                 QuoteName(mode.substr(0, 100)));
}

// An authenticated caller is the author, whatever the request says.
std::string AuthorOf(const Call& call, const std::string& requested) {
  if (call.caller.authenticated()) return call.caller.user;
  return requested.empty() ? call.options.default_author : requested;
}

// ---------------------------------------------------------------------------
// Handlers: branches.

HttpResponse ListBranches(Call& call) {
  if (auto e = CheckQuery(call, {})) return *e;
  API_ASSIGN_OR_RETURN(std::vector<Branch> branches, call.repo->ListBranches());
  admin::ListBranchesResponse out;
  for (const auto& b : branches)
    FillBranch(*call.repo, b, out.add_branches());
  return JsonResponse(200, out);
}

HttpResponse CreateBranch(Call& call) {
  if (auto e = CheckQuery(call, {})) return *e;
  admin::CreateBranchRequest req;
  if (auto e = ParseBody(call, &req)) return *e;
  if (req.name().empty()) return Error(400, "INVALID_ARGUMENT", "name is required");
  std::string source = req.source().empty() ? call.repo->default_branch() : req.source();
  API_ASSIGN_OR_RETURN(Branch b, call.repo->CreateBranch(req.name(), source));
  spdlog::info("admin: created branch '{}' from '{}' at {}", b.name, source, b.head.ShortHex());
  admin::Branch out;
  FillBranch(*call.repo, b, &out);
  HttpResponse r = JsonResponse(201, out);
  r.headers.emplace_back("Location", "/api/v1/branches/" + b.name);
  return r;
}

HttpResponse GetBranch(Call& call) {
  if (auto e = CheckQuery(call, {})) return *e;
  API_ASSIGN_OR_RETURN(Branch b, call.repo->GetBranch(call.params[0]));
  admin::Branch out;
  FillBranch(*call.repo, b, &out);
  return JsonResponse(200, out);
}

HttpResponse DeleteBranch(Call& call) {
  if (auto e = CheckQuery(call, {})) return *e;
  Status s = call.repo->DeleteBranch(call.params[0]);
  if (!s.ok()) return BranchError(call, s);
  spdlog::info("admin: deleted branch '{}'", call.params[0]);
  return NoContent();
}

HttpResponse SetProtection(Call& call) {
  if (auto e = CheckQuery(call, {})) return *e;
  admin::SetProtectionRequest req;
  if (auto e = ParseBody(call, &req)) return *e;
  API_BRANCH_ASSIGN_OR_RETURN(Branch b, call.repo->SetProtected(call.params[0], req.protected_()));
  spdlog::info("admin: branch '{}' protected={}", b.name, b.is_protected);
  admin::Branch out;
  FillBranch(*call.repo, b, &out);
  return JsonResponse(200, out);
}

HttpResponse SetCommitMode(Call& call) {
  if (auto e = CheckQuery(call, {})) return *e;
  admin::SetCommitModeRequest req;
  if (auto e = ParseBody(call, &req)) return *e;
  API_ASSIGN_OR_RETURN(versioning::CommitMode mode, ParseCommitMode(req.mode()));
  API_BRANCH_ASSIGN_OR_RETURN(Branch b, call.repo->SetCommitMode(call.params[0], mode));
  spdlog::info("admin: branch '{}' commit mode {}", b.name, CommitModeName(b.commit_mode));
  admin::Branch out;
  FillBranch(*call.repo, b, &out);
  return JsonResponse(200, out);
}

HttpResponse CommitBranch(Call& call) {
  if (auto e = CheckQuery(call, {})) return *e;
  admin::CommitRequest req;
  if (auto e = ParseBody(call, &req)) return *e;
  CommitOptions opts;
  opts.author = AuthorOf(call, req.author());
  opts.message = req.message();
  opts.metadata.insert(req.metadata().begin(), req.metadata().end());
  opts.allow_empty = req.allow_empty();
  API_ASSIGN_OR_RETURN(opts.expected_head, ExpectedHead(call.repo, req.expected_head()));
  API_BRANCH_ASSIGN_OR_RETURN(CommitPtr c, call.repo->Commit(call.params[0], opts));
  if (call.options.observer != nullptr) call.options.observer->OnCommit();
  spdlog::info("admin: commit {} on '{}'", c->id.ShortHex(), call.params[0]);
  admin::CommitResponse out;
  FillCommit(*c, out.mutable_commit());
  return JsonResponse(201, out);
}

HttpResponse Reset(Call& call) {
  if (auto e = CheckQuery(call, {})) return *e;
  admin::ResetRequest req;
  if (auto e = ParseBody(call, &req)) return *e;
  API_ASSIGN_OR_RETURN(std::optional<ObjectId> expected,
                       ExpectedHead(call.repo, req.expected_head()));
  Status s = call.repo->Reset(call.params[0], expected);
  if (!s.ok()) return BranchError(call, s);
  spdlog::info("admin: reset branch '{}'", call.params[0]);
  API_ASSIGN_OR_RETURN(Branch b, call.repo->GetBranch(call.params[0]));
  admin::Branch out;
  FillBranch(*call.repo, b, &out);
  return JsonResponse(200, out);
}

// A merge or revert result: 200, or 409 with the result as the error's details
// when conflicts blocked it.
HttpResponse MergeResult(Call& call, const MergeOutcome& m, std::string_view strategy, bool blocked,
                         std::string_view status, std::string_view what) {
  admin::MergeResponse out;
  API_RETURN_IF_ERROR(FillMerge(m, strategy, &out));
  if (blocked) {
    out.set_status("conflicts");
    pb::Struct details;
    API_RETURN_IF_ERROR(MessageToStruct(out, &details));
    return Error(409, "CONFLICT",
                 std::string(what) + " has " + std::to_string(m.conflict_count) +
                     (m.conflict_count == 1 ? " conflict" : " conflicts") + "; nothing was written",
                 &details);
  }
  out.set_status(std::string(status));
  return JsonResponse(200, out);
}

HttpResponse Revert(Call& call) {
  if (auto e = CheckQuery(call, {})) return *e;
  admin::RevertRequest req;
  if (auto e = ParseBody(call, &req)) return *e;
  if (req.commit().empty()) return Error(400, "INVALID_ARGUMENT", "commit is required");
  RevertOptions opts;
  opts.parent = req.parent();
  opts.author = AuthorOf(call, req.author());
  opts.message = req.message();
  API_ASSIGN_OR_RETURN(opts.expected_head, ExpectedHead(call.repo, req.expected_head()));
  API_BRANCH_ASSIGN_OR_RETURN(MergeOutcome m,
                              call.repo->Revert(call.params[0], req.commit(), opts));
  if (m.merged) {
    if (call.options.observer != nullptr) call.options.observer->OnCommit();
    spdlog::info("admin: reverted {} on '{}' as {}", m.source.ShortHex(), call.params[0],
                 (*m.commit)->id.ShortHex());
  }
  return MergeResult(call, m, "fail", !m.merged, "reverted",
                     "reverting " + m.source.ShortHex() + " on " + Quote(call.params[0]));
}

HttpResponse Merge(Call& call) {
  if (auto e = CheckQuery(call, {})) return *e;
  admin::MergeRequest req;
  if (auto e = ParseBody(call, &req)) return *e;
  if (req.source().empty()) return Error(400, "INVALID_ARGUMENT", "source is required");
  MergeOptions opts;
  API_ASSIGN_OR_RETURN(opts.strategy, ParseMergeStrategy(req.strategy()));
  opts.author = AuthorOf(call, req.author());
  opts.message = req.message();
  opts.metadata.insert(req.metadata().begin(), req.metadata().end());
  opts.dry_run = req.dry_run();
  API_ASSIGN_OR_RETURN(opts.expected_head, ExpectedHead(call.repo, req.expected_head()));
  if (!req.conflicts_after().empty()) {
    API_ASSIGN_OR_RETURN(opts.conflicts_after,
                         DecodeCursor(req.conflicts_after(), "conflicts_after"));
  }
  if (req.conflicts_limit() != 0) {
    if (req.conflicts_limit() < 1 || static_cast<size_t>(req.conflicts_limit()) > kMaxLimit) {
      return Error(400, "INVALID_ARGUMENT",
                   "conflicts_limit must be from 1 to " + std::to_string(kMaxLimit));
    }
    opts.conflicts_limit = static_cast<size_t>(req.conflicts_limit());
  }
  const std::string& dest = call.params[0];
  API_BRANCH_ASSIGN_OR_RETURN(MergeOutcome m, call.repo->Merge(req.source(), dest, opts));
  std::string_view strategy = MergeStrategyName(opts.strategy);
  std::string what = "merging " + Quote(req.source()) + " into " + Quote(dest);
  if (m.nothing_to_merge) return MergeResult(call, m, strategy, false, "nothing_to_merge", what);
  if (m.merged) {
    if (call.options.observer != nullptr) call.options.observer->OnMerge();
    spdlog::info("admin: merged '{}' into '{}' as {}", req.source(), dest,
                 (*m.commit)->id.ShortHex());
    return MergeResult(call, m, strategy, false, "merged", what);
  }
  if (opts.dry_run) return MergeResult(call, m, strategy, false, "dry_run", what);
  return MergeResult(call, m, strategy, true, "", what);
}

// ---------------------------------------------------------------------------
// Handlers: tags.

HttpResponse ListTags(Call& call) {
  if (auto e = CheckQuery(call, {})) return *e;
  API_ASSIGN_OR_RETURN(std::vector<Tag> tags, call.repo->ListTags());
  admin::ListTagsResponse out;
  for (const auto& t : tags)
    FillTag(t, out.add_tags());
  return JsonResponse(200, out);
}

HttpResponse CreateTag(Call& call) {
  if (auto e = CheckQuery(call, {})) return *e;
  admin::CreateTagRequest req;
  if (auto e = ParseBody(call, &req)) return *e;
  if (req.name().empty()) return Error(400, "INVALID_ARGUMENT", "name is required");
  if (req.ref().empty()) return Error(400, "INVALID_ARGUMENT", "ref is required");
  API_ASSIGN_OR_RETURN(Tag t, call.repo->CreateTag(req.name(), req.ref()));
  spdlog::info("admin: created tag '{}' at {}", t.name, t.commit.ShortHex());
  admin::Tag out;
  FillTag(t, &out);
  HttpResponse r = JsonResponse(201, out);
  r.headers.emplace_back("Location", "/api/v1/tags/" + t.name);
  return r;
}

HttpResponse GetTag(Call& call) {
  if (auto e = CheckQuery(call, {})) return *e;
  API_ASSIGN_OR_RETURN(Tag t, call.repo->GetTag(call.params[0]));
  admin::Tag out;
  FillTag(t, &out);
  return JsonResponse(200, out);
}

HttpResponse DeleteTag(Call& call) {
  if (auto e = CheckQuery(call, {})) return *e;
  API_RETURN_IF_ERROR(call.repo->DeleteTag(call.params[0]));
  spdlog::info("admin: deleted tag '{}'", call.params[0]);
  return NoContent();
}

// ---------------------------------------------------------------------------
// Handlers: history and diff.

HttpResponse ResolveRef(Call& call) {
  if (auto e = CheckQuery(call, {})) return *e;
  API_ASSIGN_OR_RETURN(ResolvedRef r, call.repo->Resolve(call.params[0]));
  admin::ResolvedRef out;
  FillRef(r, &out);
  return JsonResponse(200, out);
}

HttpResponse LogOf(Call& call) {
  if (auto e = CheckQuery(call, {"after", "limit", "first_parent"})) return *e;
  LogOptions opts;
  API_ASSIGN_OR_RETURN(opts.limit, LimitParam(call, "limit", 100));
  API_ASSIGN_OR_RETURN(opts.first_parent, BoolParam(call, "first_parent"));
  if (const std::string* after = QueryValue(call, "after"); after && !after->empty()) {
    auto id = ObjectId::FromHex(*after);
    if (!id.ok()) {
      return Error(400, "INVALID_ARGUMENT",
                   "after must be a full commit id (a previous next_after), not " +
                       QuoteName(after->substr(0, 100)));
    }
    opts.after = *id;
  }
  API_ASSIGN_OR_RETURN(LogPage page, call.repo->Log(call.params[0], opts));
  admin::LogResponse out;
  for (const auto& c : page.commits)
    FillCommit(*c, out.add_commits());
  out.set_has_more(page.has_more);
  if (page.has_more && !page.commits.empty()) out.set_next_after(page.commits.back()->id.ToHex());
  return JsonResponse(200, out);
}

HttpResponse GetCommit(Call& call) {
  if (auto e = CheckQuery(call, {})) return *e;
  API_ASSIGN_OR_RETURN(CommitPtr c, call.repo->GetCommit(call.params[0]));
  admin::Commit out;
  FillCommit(*c, &out);
  return JsonResponse(200, out);
}

Result<DiffPageOptions> DiffOptions(const Call& call) {
  DiffPageOptions opts;
  ARBOR_ASSIGN_OR_RETURN(opts.limit, LimitParam(call, "limit", 100));
  if (const std::string* after = QueryValue(call, "after"); after && !after->empty()) {
    ARBOR_ASSIGN_OR_RETURN(opts.after, DecodeCursor(*after, "after"));
  }
  return opts;
}

HttpResponse DiffResult(const DiffPage& page, admin::DiffResponse* out) {
  for (const auto& c : page.changes)
    API_RETURN_IF_ERROR(FillChange(c, out->add_changes()));
  out->set_has_more(page.has_more);
  if (page.has_more) out->set_next_after(EncodeCursor(page.next_after));
  return JsonResponse(200, *out);
}

HttpResponse DiffRefs(Call& call) {
  if (auto e = CheckQuery(call, {"after", "limit"})) return *e;
  API_ASSIGN_OR_RETURN(DiffPageOptions opts, DiffOptions(call));
  admin::DiffResponse out;
  API_ASSIGN_OR_RETURN(ResolvedRef left, call.repo->Resolve(call.params[0]));
  API_ASSIGN_OR_RETURN(ResolvedRef right, call.repo->Resolve(call.params[1]));
  FillRef(left, out.mutable_left());
  FillRef(right, out.mutable_right());
  API_ASSIGN_OR_RETURN(DiffPage page, call.repo->Diff(call.params[0], call.params[1], opts));
  return DiffResult(page, &out);
}

HttpResponse DiffUncommitted(Call& call) {
  if (auto e = CheckQuery(call, {"after", "limit"})) return *e;
  API_ASSIGN_OR_RETURN(DiffPageOptions opts, DiffOptions(call));
  admin::DiffResponse out;
  API_ASSIGN_OR_RETURN(ResolvedRef right, call.repo->Resolve(call.params[0]));
  if (!right.is_branch()) {
    pb::Struct d = StringDetail("ref", call.params[0]);
    return Error(400, "READ_ONLY_REF",
                 Quote(call.params[0]) + " is not a branch: only branches have uncommitted changes",
                 &d);
  }
  ResolvedRef left = right;
  left.kind = ResolvedRef::Kind::kCommit;
  left.expression = right.commit.ToHex();
  left.branch.clear();
  FillRef(left, out.mutable_left());
  FillRef(right, out.mutable_right());
  API_BRANCH_ASSIGN_OR_RETURN(DiffPage page, call.repo->DiffUncommitted(call.params[0], opts));
  return DiffResult(page, &out);
}

// ---------------------------------------------------------------------------
// Handlers: browsing.

// Renders the stored locations of what a browsing route reads for its ref,
// exactly as the Thrift side renders them (versioning/location_renderer.h).
Result<LocationRenderer> RendererFor(const Call& call, const ReadView& view) {
  return arbor::RendererFor(call.repo, call.options.locations, view);
}

HttpResponse ListDatabases(Call& call) {
  if (auto e = CheckQuery(call, {})) return *e;
  API_ASSIGN_OR_RETURN(ReadView view, call.repo->OpenView(call.params[0]));
  CatalogTxn txn(view);
  API_ASSIGN_OR_RETURN(LocationRenderer render, RendererFor(call, view));
  admin::ListDatabasesResponse out;
  FillRef(view.ref(), out.mutable_ref());
  API_ASSIGN_OR_RETURN(std::vector<std::string> names, txn.ListDatabaseNames());
  for (const auto& name : names) {
    API_ASSIGN_OR_RETURN(catalog::Database db, txn.GetDatabase(name));
    render(&db);
    API_RETURN_IF_ERROR(EntityMessageToStruct(db, out.add_databases()));
  }
  return JsonResponse(200, out);
}

HttpResponse GetDatabase(Call& call) {
  if (auto e = CheckQuery(call, {})) return *e;
  API_ASSIGN_OR_RETURN(ReadView view, call.repo->OpenView(call.params[0]));
  CatalogTxn txn(view);
  API_ASSIGN_OR_RETURN(LocationRenderer render, RendererFor(call, view));
  admin::DatabaseResponse out;
  FillRef(view.ref(), out.mutable_ref());
  API_ASSIGN_OR_RETURN(catalog::Database db, txn.GetDatabase(call.params[1]));
  render(&db);
  API_RETURN_IF_ERROR(EntityMessageToStruct(db, out.mutable_database()));
  return JsonResponse(200, out);
}

HttpResponse ListTables(Call& call) {
  if (auto e = CheckQuery(call, {"after", "limit"})) return *e;
  API_ASSIGN_OR_RETURN(size_t limit, LimitParam(call, "limit", 1000));
  API_ASSIGN_OR_RETURN(ReadView view, call.repo->OpenView(call.params[0]));
  CatalogTxn txn(view);
  std::string db = NormalizeIdentifier(call.params[1]);
  API_RETURN_IF_ERROR(txn.GetDatabase(db).status());
  API_ASSIGN_OR_RETURN(LocationRenderer render, RendererFor(call, view));
  admin::ListTablesResponse out;
  FillRef(view.ref(), out.mutable_ref());
  const std::string* after = QueryValue(call, "after");
  API_ASSIGN_OR_RETURN(CatalogPage<catalog::Table> page,
                       CatalogQuery(txn).Tables(db, after ? *after : "", limit));
  for (auto& t : page.entities) {
    render(&t);
    API_RETURN_IF_ERROR(EntityMessageToStruct(t, out.add_tables()));
  }
  if (page.has_more) {
    out.set_has_more(true);
    out.set_next_after(page.next_after);
  }
  return JsonResponse(200, out);
}

HttpResponse GetTable(Call& call) {
  if (auto e = CheckQuery(call, {})) return *e;
  API_ASSIGN_OR_RETURN(ReadView view, call.repo->OpenView(call.params[0]));
  CatalogTxn txn(view);
  API_ASSIGN_OR_RETURN(LocationRenderer render, RendererFor(call, view));
  admin::TableResponse out;
  FillRef(view.ref(), out.mutable_ref());
  API_ASSIGN_OR_RETURN(catalog::Table t, txn.GetTable(call.params[1], call.params[2]));
  render(&t);
  API_RETURN_IF_ERROR(EntityMessageToStruct(t, out.mutable_table()));
  return JsonResponse(200, out);
}

HttpResponse ListPartitions(Call& call) {
  if (auto e = CheckQuery(call, {"offset", "after", "limit"})) return *e;
  API_ASSIGN_OR_RETURN(size_t limit, LimitParam(call, "limit", 1000));
  API_ASSIGN_OR_RETURN(uint64_t offset, UintParam(call, "offset"));
  const std::string* after = QueryValue(call, "after");
  if (after != nullptr && QueryValue(call, "offset") != nullptr) {
    return Error(400, "INVALID_ARGUMENT", "give either offset or after, not both");
  }
  API_ASSIGN_OR_RETURN(ReadView view, call.repo->OpenView(call.params[0]));
  CatalogTxn txn(view);
  std::string db = NormalizeIdentifier(call.params[1]);
  std::string table = NormalizeIdentifier(call.params[2]);
  API_ASSIGN_OR_RETURN(catalog::Table t, txn.GetTable(db, table));
  API_ASSIGN_OR_RETURN(LocationRenderer render, RendererFor(call, view));
  admin::ListPartitionsResponse out;
  FillRef(view.ref(), out.mutable_ref());
  Status failure;
  // Adds one partition (filled by `fill`), or notes that there are more.
  auto take = [&](const std::string& name, const std::function<Status(pb::Struct*)>& fill) {
    if (static_cast<size_t>(out.partitions_size()) == limit) {
      out.set_has_more(true);
      return false;
    }
    auto* p = out.add_partitions();
    p->set_name(name);
    failure = fill(p->mutable_partition());
    return failure.ok();
  };
  PartitionQuery q;
  if (after != nullptr) q.after = *after;
  q.offset = offset;
  q.limit = limit + 1;  // one more tells whether there are more
  q.parse = true;
  API_RETURN_IF_ERROR(
      CatalogQuery(txn).Partitions(t, q, [&](const std::string& name, const catalog::Partition* p) {
        return take(name, [&](pb::Struct* slot) {
          if (render.mapper == nullptr) return EntityMessageToStruct(*p, slot);
          catalog::Partition rendered = *p;
          render(&rendered);
          return EntityMessageToStruct(rendered, slot);
        });
      }));
  API_RETURN_IF_ERROR(failure);
  if (out.has_more() && out.partitions_size() > 0) {
    out.set_next_after(out.partitions(out.partitions_size() - 1).name());
  }
  out.set_next_offset(offset + static_cast<uint64_t>(out.partitions_size()));
  return JsonResponse(200, out);
}

// ---------------------------------------------------------------------------
// Handlers: service.

HttpResponse Healthz(Call& call) {
  admin::Health out;
  out.set_status("ok");
  return JsonResponse(200, out);
}

// ---------------------------------------------------------------------------
// Handlers: operations.

HttpResponse CollectGarbage(Call& call) {
  if (auto e = CheckQuery(call, {})) return *e;
  admin::GcRequest req;
  if (auto e = ParseBody(call, &req)) return *e;
  GcOptions opts;
  opts.dry_run = req.dry_run();
  int64_t grace = req.has_grace_seconds() ? req.grace_seconds() : call.options.gc_grace_seconds;
  if (grace < 0 || grace > 100LL * 365 * 86400) {
    return Error(400, "INVALID_ARGUMENT", "grace_seconds must be between 0 and 100 years");
  }
  opts.grace_micros = grace * 1'000'000;
  API_ASSIGN_OR_RETURN(GcReport r, call.repo->CollectGarbage(opts));
  spdlog::info("admin: garbage collection{}: {} of {} objects, {} bytes{}",
               r.dry_run ? " (dry run)" : "", r.objects_freed, r.objects_scanned, r.bytes_freed,
               r.dry_run ? " would be freed" : " freed");
  admin::GcResponse out;
  out.set_dry_run(r.dry_run);
  out.set_objects_scanned(r.objects_scanned);
  out.set_objects_live(r.objects_live);
  out.set_objects_freed(r.objects_freed);
  out.set_bytes_freed(r.bytes_freed);
  out.set_deleted_refs_expired(r.deleted_refs_expired);
  out.set_mark_seconds(r.mark_micros / 1e6);
  out.set_pause_seconds(r.pause_micros / 1e6);
  out.set_total_seconds(r.total_micros / 1e6);
  return JsonResponse(200, out);
}

HttpResponse Backup(Call& call) {
  if (auto e = CheckQuery(call, {})) return *e;
  admin::BackupRequest req;
  if (auto e = ParseBody(call, &req)) return *e;
  namespace fs = std::filesystem;
  fs::path dir(req.dir());
  if (req.dir().empty() || !dir.is_absolute()) {
    return Error(400, "INVALID_ARGUMENT", "dir must be an absolute path on the server host");
  }
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    return Error(409, "ALREADY_EXISTS",
                 "backup directory " + Abbreviate(req.dir()) + " already exists");
  }
  if (!fs::is_directory(dir.parent_path(), ec)) {
    return Error(400, "INVALID_ARGUMENT",
                 "the parent of " + Abbreviate(req.dir()) + " is not a directory");
  }
  auto start = std::chrono::steady_clock::now();
  API_RETURN_IF_ERROR(call.repo->kv()->Checkpoint(req.dir()));
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  spdlog::info("admin: backup written to {} in {:.3f} s", req.dir(), seconds);
  admin::BackupResponse out;
  out.set_dir(req.dir());
  out.set_seconds(seconds);
  return JsonResponse(201, out);
}

HttpResponse MetricsText(Call& call) {
  if (auto e = CheckQuery(call, {})) return *e;
  HttpResponse r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  r.body = call.options.observer != nullptr ? call.options.observer->MetricsText() : "";
  return r;
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

}  // namespace

// ---------------------------------------------------------------------------

AdminApi::AdminApi(Repository* repo, AdminApiOptions options)
    : repo_(repo), options_(std::move(options)) {
  auto add = [&](std::string method, std::string pattern,
                 std::function<HttpResponse(Call&)> handler) {
    Route r{std::move(method), std::move(pattern), {}, std::move(handler)};
    r.segments = SplitPath(r.pattern);
    r.need = r.method == "GET" ? auth::Role::kReader : auth::Role::kWriter;
    routes_.push_back(std::move(r));
  };
  auto admin_only = [&](std::string_view method, std::string_view pattern) {
    for (Route& r : routes_) {
      if (r.method == method && r.pattern == pattern) r.need = auth::Role::kAdmin;
    }
  };
  add("GET", "/healthz", Healthz);
  add("GET", "/metrics", MetricsText);
  add("GET", "/api/v1/branches", ListBranches);
  add("POST", "/api/v1/branches", CreateBranch);
  add("GET", "/api/v1/branches/{branch}", GetBranch);
  add("DELETE", "/api/v1/branches/{branch}", DeleteBranch);
  add("PUT", "/api/v1/branches/{branch}/protection", SetProtection);
  add("PUT", "/api/v1/branches/{branch}/commit-mode", SetCommitMode);
  add("POST", "/api/v1/branches/{branch}/commits", CommitBranch);
  add("GET", "/api/v1/branches/{branch}/diff", DiffUncommitted);
  add("POST", "/api/v1/branches/{branch}/reset", Reset);
  add("POST", "/api/v1/branches/{branch}/revert", Revert);
  add("POST", "/api/v1/branches/{branch}/merge", Merge);
  add("GET", "/api/v1/tags", ListTags);
  add("POST", "/api/v1/tags", CreateTag);
  add("GET", "/api/v1/tags/{tag}", GetTag);
  add("DELETE", "/api/v1/tags/{tag}", DeleteTag);
  add("GET", "/api/v1/commits/{commit}", GetCommit);
  add("GET", "/api/v1/refs/{ref}", ResolveRef);
  add("POST", "/api/v1/gc", CollectGarbage);
  add("POST", "/api/v1/backups", Backup);
  add("GET", "/api/v1/refs/{ref}/commits", LogOf);
  add("GET", "/api/v1/refs/{left}/diff/{right}", DiffRefs);
  add("GET", "/api/v1/refs/{ref}/databases", ListDatabases);
  add("GET", "/api/v1/refs/{ref}/databases/{db}", GetDatabase);
  add("GET", "/api/v1/refs/{ref}/databases/{db}/tables", ListTables);
  add("GET", "/api/v1/refs/{ref}/databases/{db}/tables/{table}", GetTable);
  add("GET", "/api/v1/refs/{ref}/databases/{db}/tables/{table}/partitions", ListPartitions);
  // Protection guards main; deleting a protected branch needs it lifted first.
  admin_only("PUT", "/api/v1/branches/{branch}/protection");
  admin_only("DELETE", "/api/v1/tags/{tag}");
  admin_only("POST", "/api/v1/gc");
  admin_only("POST", "/api/v1/backups");
}

AdminApi::~AdminApi() = default;

HttpResponse AdminApi::ErrorResponse(int status, std::string_view code, std::string_view message) {
  return Error(status, code, message);
}

HttpResponse AdminApi::Handle(const HttpRequest& request) {
  auto start = std::chrono::steady_clock::now();
  std::string route;
  HttpResponse response;
  try {
    response = Dispatch(request, &route);
  } catch (const std::exception& e) {
    spdlog::error("admin: {} {} failed: {}", request.method, request.target, e.what());
    response = Error(500, "INTERNAL", std::string("internal error: ") + e.what());
  } catch (...) {
    response = Error(500, "INTERNAL", "internal error");
  }
  response.route = route;
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (options_.observer != nullptr) {
    options_.observer->OnRequest(request.method, route.empty() ? "unmatched" : route,
                                 response.status, seconds);
  }
  spdlog::debug("admin: {} {} -> {} ({:.1f} ms)", request.method, request.target, response.status,
                seconds * 1000);
  return response;
}

std::optional<HttpResponse> AdminApi::Authenticate(const HttpRequest& request, auth::Identity* who,
                                                   auth::Role* role) const {
  const bool required = options_.require_authentication || !options_.admin_token.empty() ||
                        (options_.users != nullptr && options_.users->has_tokens());
  auto unauthenticated = [](std::string message) {
    spdlog::warn("admin: unauthenticated request refused: {}", message);
    HttpResponse r = Error(401, "UNAUTHENTICATED", message);
    r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"arbor\"");
    return r;
  };
  auto it = request.headers.find("authorization");
  // With nothing configured, a token is not checked (the API is open, as before).
  if (it != request.headers.end() && required) {
    std::string_view v = it->second;
    constexpr std::string_view kScheme = "bearer ";
    if (v.size() <= kScheme.size() || Lower(v.substr(0, kScheme.size())) != kScheme) {
      return unauthenticated("the Authorization header is not `Bearer <token>`");
    }
    std::string_view token = v.substr(kScheme.size());
    while (!token.empty() && token.front() == ' ')
      token.remove_prefix(1);
    while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) {
      token.remove_suffix(1);
    }
    if (!options_.admin_token.empty() && ConstantTimeEquals(token, options_.admin_token)) {
      // The shared admin token is a capability, not a person: it names no
      // author (a request's `author` stands, as before users existed).
      *who = {};
      *role = auth::Role::kAdmin;
      return std::nullopt;
    }
    if (options_.users != nullptr) {
      if (auto user = options_.users->UserOfToken(token)) {
        *who = {auth::AuthMethod::kToken, *user, *user};
        *role = options_.users->RoleOf(*user);
        return std::nullopt;
      }
    }
    return unauthenticated("the bearer token is not valid");
  }
  if (request.peer_identity.authenticated()) {
    *who = request.peer_identity;
    if (!required) {
      *role = auth::Role::kAdmin;  // an open API: the certificate names the author only
    } else {
      *role = options_.users != nullptr ? options_.users->RoleOf(who->user) : auth::Role::kReader;
    }
    return std::nullopt;
  }
  if (required) {
    return unauthenticated("this server requires Authorization: Bearer <token>");
  }
  *role = auth::Role::kAdmin;  // no authentication configured: today's open API
  return std::nullopt;
}

HttpResponse AdminApi::Dispatch(const HttpRequest& request, std::string* route_label) {
  std::string_view target = request.target;
  size_t q = target.find('?');
  std::string_view path = target.substr(0, q);
  std::string_view query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
  if (path.empty() || path[0] != '/') {
    return Error(400, "INVALID_ARGUMENT", "the request target must be an absolute path");
  }
  std::vector<std::string> raw = SplitPath(path);

  // Match the path against every route, remembering the methods it allows.
  const Route* match = nullptr;
  std::vector<std::string> allowed;
  const Route* any_method = nullptr;
  for (const Route& r : routes_) {
    if (r.segments.size() != raw.size()) continue;
    bool ok = true;
    for (size_t i = 0; ok && i < raw.size(); ++i) {
      const std::string& s = r.segments[i];
      ok = (!s.empty() && s.front() == '{') ? !raw[i].empty() : s == raw[i];
    }
    if (!ok) continue;
    if (any_method == nullptr) any_method = &r;
    allowed.push_back(r.method);
    if (r.method == request.method) match = &r;
  }
  if (any_method != nullptr) *route_label = match ? match->pattern : any_method->pattern;

  // Authentication, before anything tells whether a route exists.
  bool public_route = match != nullptr && match->pattern == "/healthz";
  auth::Identity caller;
  auth::Role role = auth::Role::kAdmin;
  if (!public_route) {
    if (auto denied = Authenticate(request, &caller, &role)) return *denied;
  }
  if (match != nullptr && caller.authenticated()) {
    Status s =
        auth::RequireRole(caller.user, role, match->need, request.method + " " + match->pattern);
    if (!s.ok()) {
      spdlog::warn("admin: denied: {}", s.message());
      return Error(403, "PERMISSION_DENIED", s.message());
    }
  }

  if (any_method == nullptr) {
    pb::Struct d = StringDetail("path", std::string(path.substr(0, 1000)));
    return Error(404, "NOT_FOUND", "no such route: " + std::string(path.substr(0, 300)), &d);
  }
  if (match == nullptr) {
    std::string allow;
    pb::Struct d;
    auto* list = (*d.mutable_fields())["allowed"].mutable_list_value();
    for (const auto& m : allowed) {
      allow += (allow.empty() ? "" : ", ") + m;
      list->add_values()->set_string_value(m);
    }
    HttpResponse r = Error(
        405, "METHOD_NOT_ALLOWED",
        request.method + " is not allowed on " + any_method->pattern + " (allowed: " + allow + ")",
        &d);
    r.headers.emplace_back("Allow", allow);
    return r;
  }
  if (request.body.size() > options_.max_body_bytes) {
    return Error(400, "BODY_TOO_LARGE",
                 "the request body is over the limit of " +
                     std::to_string(options_.max_body_bytes) + " bytes");
  }

  Call call{request, repo_, options_, {}, {}, caller};
  for (size_t i = 0; i < raw.size(); ++i) {
    if (match->segments[i].front() != '{') continue;
    API_ASSIGN_OR_RETURN(std::string v, PercentDecode(raw[i], /*plus_is_space=*/false));
    call.params.push_back(std::move(v));
  }
  size_t pos = 0;
  while (pos <= query.size() && !query.empty()) {
    size_t amp = query.find('&', pos);
    std::string_view piece =
        query.substr(pos, amp == std::string_view::npos ? std::string_view::npos : amp - pos);
    if (!piece.empty()) {
      size_t eq = piece.find('=');
      API_ASSIGN_OR_RETURN(std::string k, PercentDecode(piece.substr(0, eq), true));
      std::string v;
      if (eq != std::string_view::npos) {
        API_ASSIGN_OR_RETURN(v, PercentDecode(piece.substr(eq + 1), true));
      }
      if (!call.query.emplace(k, std::move(v)).second) {
        return Error(400, "INVALID_ARGUMENT", "query parameter " + QuoteName(k) + " is repeated");
      }
    }
    if (amp == std::string_view::npos) break;
    pos = amp + 1;
  }
  return match->handler(call);
}

}  // namespace arbor

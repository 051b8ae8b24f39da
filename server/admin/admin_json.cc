// The admin API's JSON (admin_json.h): printing with catalog entities spliced in
// verbatim.
#include "server/admin/admin_json.h"

#include <google/protobuf/util/json_util.h>

#include <memory>
#include <utility>
#include <vector>

#include "versioning/entity_summary.h"

namespace arbor::admin_api {

namespace pb = google::protobuf;

namespace {

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

Status JsonToStruct(std::string_view json, pb::Struct* out) {
  pb::util::JsonParseOptions o;
  auto s = pb::util::JsonStringToMessage(pb::StringPiece(json.data(), json.size()), out, o);
  if (!s.ok()) return Status::Internal("cannot convert JSON to an object: " + s.ToString());
  return Status::OK();
}

// Puts a marker holding `json` in `out` (see ToJson).
Status RawEntity(std::string json, pb::Struct* out) {
  out->Clear();
  (*out->mutable_fields())[kRawKey].set_string_value(std::move(json));
  return Status::OK();
}

}  // namespace

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

Status MessageToStruct(const pb::Message& m, pb::Struct* out) {
  std::string json;
  auto s = pb::util::MessageToJsonString(m, &json, PrintOptions());
  if (!s.ok()) return Status::Internal("cannot render " + m.GetTypeName() + " as JSON");
  return JsonToStruct(json, out);
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

}  // namespace arbor::admin_api

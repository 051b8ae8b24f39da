#include "versioning/entity_summary.h"

#include <map>
#include <memory>
#include <set>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include <google/protobuf/util/json_util.h>

#include "arbor/catalog.pb.h"
#include "versioning/deterministic_proto.h"
#include "versioning/entity_merge.h"

namespace arbor {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::OneofDescriptor;
using google::protobuf::Reflection;

std::string Join(const std::string& path, std::string_view name) {
  std::string out = path;
  if (!out.empty()) out += '.';
  out += name;
  return out;
}

// Appends to *out the leaf paths at which `a` and `b` (one type) differ.
void DiffInto(const Message& a, const Message& b, const std::string& path, bool skip_volatile,
              std::vector<std::string>* out) {
  const Descriptor* type = a.GetDescriptor();
  const Reflection* r = a.GetReflection();
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* f = type->field(i);
    if (const OneofDescriptor* oneof = f->real_containing_oneof()) {
      // Atomic: report the oneof once, by its own name.
      if (oneof->field(0) != f) continue;
      const FieldDescriptor* fa = r->GetOneofFieldDescriptor(a, oneof);
      const FieldDescriptor* fb = r->GetOneofFieldDescriptor(b, oneof);
      if (fa != fb || (fa != nullptr && !FieldEquals(a, b, fa))) {
        out->push_back(Join(path, oneof->name()));
      }
      continue;
    }
    if (skip_volatile && IsVolatileField(f)) continue;
    if (FieldEquals(a, b, f)) continue;
    const std::string field_path = FieldPath(path, f);
    if (f->is_map()) {
      const FieldDescriptor* value_field = f->message_type()->map_value();
      const auto ea = MapEntries(a, f), eb = MapEntries(b, f);
      std::set<std::string> keys;
      for (const auto& [key, entry] : ea)
        keys.insert(key);
      for (const auto& [key, entry] : eb)
        keys.insert(key);
      for (const std::string& key : keys) {
        const auto ia = ea.find(key), ib = eb.find(key);
        const bool same =
            ia != ea.end() && ib != eb.end() && FieldEquals(*ia->second, *ib->second, value_field);
        if (same || (skip_volatile && IsVolatileMapKey(key))) continue;
        out->push_back(MapKeyPath(field_path, key));
      }
      continue;
    }
    if (!f->is_repeated() && f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      // An unset submessage reads as its empty default instance, so a
      // submessage that appeared reports the fields it sets.
      const size_t before = out->size();
      DiffInto(r->GetMessage(a, f), r->GetMessage(b, f), field_path, skip_volatile, out);
      if (out->size() == before && r->HasField(a, f) != r->HasField(b, f)) {
        out->push_back(field_path);  // only its presence changed
      }
      continue;
    }
    out->push_back(field_path);
  }
  std::string unknown_a, unknown_b;
  r->GetUnknownFields(a).SerializeToString(&unknown_a);
  r->GetUnknownFields(b).SerializeToString(&unknown_b);
  if (unknown_a != unknown_b) out->push_back(Join(path, "(unknown fields)"));
}

std::optional<ValueChange> Change(bool had, const std::string& old_value, bool has,
                                  const std::string& new_value) {
  if (had == has && (!had || old_value == new_value)) return std::nullopt;
  ValueChange change;
  if (had) change.old_value = old_value;
  if (has) change.new_value = new_value;
  return change;
}

std::optional<std::string> RenderColumns(const catalog::Table& table) {
  if (!table.has_partition_keys()) return std::nullopt;
  std::string out;
  for (const catalog::FieldSchema& col : table.partition_keys().items()) {
    if (!out.empty()) out += ", ";
    out += col.name() + " " + col.type();
  }
  return out;
}

void SummarizeColumns(const catalog::Table& old_table, const catalog::Table& new_table,
                      TableChangeSummary* summary) {
  const auto& old_cols = old_table.sd().cols().items();
  const auto& new_cols = new_table.sd().cols().items();
  // By name; the first of duplicate names wins (Hive forbids duplicates).
  std::unordered_map<std::string, const catalog::FieldSchema*> old_by_name, new_by_name;
  for (const catalog::FieldSchema& col : old_cols)
    old_by_name.emplace(col.name(), &col);
  for (const catalog::FieldSchema& col : new_cols)
    new_by_name.emplace(col.name(), &col);

  std::vector<std::string> kept_old_order, kept_new_order;
  std::unordered_set<std::string> seen;
  for (const catalog::FieldSchema& col : new_cols) {
    if (!seen.insert(col.name()).second) continue;
    const auto it = old_by_name.find(col.name());
    if (it == old_by_name.end()) {
      summary->columns_added.push_back(col.name());
      continue;
    }
    kept_new_order.push_back(col.name());
    const catalog::FieldSchema& old_col = *it->second;
    if (old_col.has_type() != col.has_type() || old_col.type() != col.type()) {
      summary->columns_retyped.emplace_back(col.name(), old_col.type(), col.type());
    }
    if (old_col.has_comment() != col.has_comment() || old_col.comment() != col.comment()) {
      summary->columns_comment_changed.push_back(col.name());
    }
  }
  seen.clear();
  for (const catalog::FieldSchema& col : old_cols) {
    if (!seen.insert(col.name()).second) continue;
    if (new_by_name.count(col.name()) == 0) {
      summary->columns_removed.push_back(col.name());
    } else {
      kept_old_order.push_back(col.name());
    }
  }
  summary->columns_reordered = kept_old_order != kept_new_order;
}

void SummarizeParameters(const catalog::Table& old_table, const catalog::Table& new_table,
                         TableChangeSummary* summary) {
  // Sorted copies: protobuf maps iterate in no particular order.
  const std::map<std::string, std::string> old_params(old_table.parameters().entries().begin(),
                                                      old_table.parameters().entries().end());
  const std::map<std::string, std::string> new_params(new_table.parameters().entries().begin(),
                                                      new_table.parameters().entries().end());
  for (const auto& [key, value] : new_params) {
    if (IsVolatileMapKey(key)) continue;
    const auto it = old_params.find(key);
    if (it == old_params.end()) {
      summary->parameters_added.push_back(key);
    } else if (it->second != value) {
      summary->parameters_changed.push_back(key);
    }
  }
  for (const auto& [key, value] : old_params) {
    if (!IsVolatileMapKey(key) && new_params.count(key) == 0) {
      summary->parameters_removed.push_back(key);
    }
  }
}

// Paths that the dedicated summary fields already describe.
bool CoveredBySummary(const std::string& path) {
  static constexpr std::string_view kCovered[] = {
      "sd.cols",
      "sd.location",
      "sd.input_format",
      "sd.output_format",
      "sd.serde_info.serialization_lib",
      "table_type",
      "partition_keys",
  };
  for (const std::string_view covered : kCovered) {
    if (path == covered) return true;
  }
  return path.rfind("parameters[", 0) == 0;  // keys only: a bare "parameters" is presence
}

}  // namespace

bool TableChangeSummary::Empty() const {
  return columns_added.empty() && columns_removed.empty() && columns_retyped.empty() &&
         columns_comment_changed.empty() && !columns_reordered && !partition_keys && !location &&
         !input_format && !output_format && !serde_lib && !table_type && parameters_added.empty() &&
         parameters_removed.empty() && parameters_changed.empty() && other_fields_changed.empty();
}

Result<TableChangeSummary> SummarizeTableChange(const std::optional<std::string>& old_table,
                                                const std::optional<std::string>& new_table) {
  catalog::Table before, after;
  if (old_table) ARBOR_RETURN_IF_ERROR(ParseProto(*old_table, &before).WithContext("old table"));
  if (new_table) ARBOR_RETURN_IF_ERROR(ParseProto(*new_table, &after).WithContext("new table"));

  TableChangeSummary summary;
  SummarizeColumns(before, after, &summary);
  summary.partition_keys = [&]() -> std::optional<ValueChange> {
    const std::optional<std::string> old_keys = RenderColumns(before);
    const std::optional<std::string> new_keys = RenderColumns(after);
    // Compare the messages, not the renderings, so comment changes count too.
    if (before.has_partition_keys() == after.has_partition_keys() &&
        SerializeDeterministic(before.partition_keys()) ==
            SerializeDeterministic(after.partition_keys())) {
      return std::nullopt;
    }
    return ValueChange{old_keys, new_keys};
  }();
  const catalog::StorageDescriptor& old_sd = before.sd();
  const catalog::StorageDescriptor& new_sd = after.sd();
  summary.location =
      Change(old_sd.has_location(), old_sd.location(), new_sd.has_location(), new_sd.location());
  summary.input_format = Change(old_sd.has_input_format(), old_sd.input_format(),
                                new_sd.has_input_format(), new_sd.input_format());
  summary.output_format = Change(old_sd.has_output_format(), old_sd.output_format(),
                                 new_sd.has_output_format(), new_sd.output_format());
  summary.serde_lib =
      Change(old_sd.serde_info().has_serialization_lib(), old_sd.serde_info().serialization_lib(),
             new_sd.serde_info().has_serialization_lib(), new_sd.serde_info().serialization_lib());
  summary.table_type = Change(before.has_table_type(), before.table_type(), after.has_table_type(),
                              after.table_type());
  SummarizeParameters(before, after, &summary);

  std::vector<std::string> paths;
  DiffInto(before, after, std::string(), /*skip_volatile=*/true, &paths);
  for (std::string& path : paths) {
    if (!CoveredBySummary(path)) summary.other_fields_changed.push_back(std::move(path));
  }
  return summary;
}

Result<std::vector<std::string>> ChangedFieldPaths(CatalogKey::Kind kind,
                                                   const std::optional<std::string>& old_value,
                                                   const std::optional<std::string>& new_value) {
  Result<std::unique_ptr<Message>> before = ParseEntity(kind, old_value);
  if (!before.ok()) return before.status().WithContext("old value");
  Result<std::unique_ptr<Message>> after = ParseEntity(kind, new_value);
  if (!after.ok()) return after.status().WithContext("new value");
  std::vector<std::string> paths;
  DiffInto(**before, **after, std::string(), /*skip_volatile=*/false, &paths);
  return paths;
}

Result<std::string> EntityToJson(CatalogKey::Kind kind, std::string_view bytes) {
  ARBOR_ASSIGN_OR_RETURN(std::unique_ptr<Message> message, ParseEntity(kind, std::string(bytes)));
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;  // Hive-like names, as in catalog.proto
  std::string json;
  const auto status = google::protobuf::util::MessageToJsonString(*message, &json, options);
  if (!status.ok()) {
    return Status::Internal("cannot render " + message->GetTypeName() +
                            " as JSON: " + status.ToString());
  }
  return json;
}

}  // namespace arbor

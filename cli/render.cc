// Text renderings of API results; the contract is in cli/render.h.
#include "cli/render.h"

#include <google/protobuf/util/time_util.h>

#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>
#include <optional>
#include <vector>

namespace arbor::cli {

namespace pb = google::protobuf;

namespace {

constexpr std::string_view kUnset = "(unset)";

bool IsVolatileKey(std::string_view key) {
  return key == "transient_lastDdlTime";
}

// A field path of entity_merge.h's convention split into segments: names, and
// map keys (marked by `is_key`).
struct PathSegment {
  std::string text;
  bool is_key = false;
};

std::vector<PathSegment> SplitPath(std::string_view path) {
  std::vector<PathSegment> out;
  std::string name;
  for (size_t i = 0; i < path.size(); ++i) {
    char c = path[i];
    if (c == '.') {
      if (!name.empty()) out.push_back({name, false});
      name.clear();
    } else if (c == '[' && i + 1 < path.size() && path[i + 1] == '\'') {
      if (!name.empty()) out.push_back({name, false});
      name.clear();
      std::string key;
      size_t j = i + 2;
      for (; j < path.size(); ++j) {
        if (path[j] == '\\' && j + 1 < path.size()) {
          key += path[++j];
        } else if (path[j] == '\'') {
          break;
        } else {
          key += path[j];
        }
      }
      out.push_back({key, true});
      i = j + 1;  // at the closing ']'
    } else {
      name += c;
    }
  }
  if (!name.empty()) out.push_back({name, false});
  return out;
}

// The value at a field path inside an entity's JSON; container wrappers
// ({"entries": {...}}) are stepped through for map keys.
const pb::Value* ValueAtPath(const pb::Struct* entity, std::string_view path) {
  if (entity == nullptr) return nullptr;
  const pb::Struct* current = entity;
  const pb::Value* value = nullptr;
  for (const auto& seg : SplitPath(path)) {
    if (current == nullptr) return nullptr;
    if (seg.is_key) {
      auto entries = current->fields().find("entries");
      if (current->fields_size() == 1 && entries != current->fields().end() &&
          entries->second.has_struct_value()) {
        current = &entries->second.struct_value();
      }
    }
    auto it = current->fields().find(seg.text);
    if (it == current->fields().end()) return nullptr;
    value = &it->second;
    current = value->has_struct_value() ? &value->struct_value() : nullptr;
  }
  return value;
}

bool IsScalar(const pb::Value& v) {
  return v.kind_case() == pb::Value::kStringValue || v.kind_case() == pb::Value::kNumberValue ||
         v.kind_case() == pb::Value::kBoolValue;
}

const pb::Struct* StructOrNull(bool present, const pb::Struct& s) {
  return present ? &s : nullptr;
}

std::string Quoted(const pb::Value* v) {
  if (v == nullptr) return "unset";
  return "\"" + ScalarText(*v) + "\"";
}

std::string ChangeText(const admin::ValueChange& c) {
  return (c.has_old_value() ? c.old_value() : std::string(kUnset)) + " -> " +
         (c.has_new_value() ? c.new_value() : std::string(kUnset));
}

// Column name -> type, from a table's JSON.
std::map<std::string, std::string> ColumnTypes(const pb::Struct* table) {
  std::map<std::string, std::string> out;
  if (table == nullptr) return out;
  const pb::Value* items = Lookup(*table, {"sd", "cols", "items"});
  if (items == nullptr || !items->has_list_value()) return out;
  for (const auto& col : items->list_value().values()) {
    if (!col.has_struct_value()) continue;
    const pb::Value* name = Lookup(col.struct_value(), {"name"});
    const pb::Value* type = Lookup(col.struct_value(), {"type"});
    if (name != nullptr) out[ScalarText(*name)] = type != nullptr ? ScalarText(*type) : "";
  }
  return out;
}

std::string ColumnList(const pb::Struct& table, std::initializer_list<std::string_view> path,
                       size_t* count) {
  std::string out;
  *count = 0;
  const pb::Value* items = Lookup(table, path);
  if (items == nullptr || !items->has_list_value()) return out;
  for (const auto& col : items->list_value().values()) {
    if (!col.has_struct_value()) continue;
    const pb::Value* name = Lookup(col.struct_value(), {"name"});
    const pb::Value* type = Lookup(col.struct_value(), {"type"});
    out += (out.empty() ? "" : ", ") + (name ? ScalarText(*name) : "?") +
           (type ? " " + ScalarText(*type) : "");
    ++*count;
  }
  return out;
}

std::string WithType(const std::string& name, const std::map<std::string, std::string>& types) {
  auto it = types.find(name);
  return it == types.end() || it->second.empty() ? name : name + "(" + it->second + ")";
}

std::vector<std::string> TableSummaryParts(const admin::DiffEntry& e) {
  const auto& s = e.table_summary();
  const pb::Struct* old_table = StructOrNull(e.has_old_value(), e.old_value());
  const pb::Struct* new_table = StructOrNull(e.has_new_value(), e.new_value());
  auto old_types = ColumnTypes(old_table);
  auto new_types = ColumnTypes(new_table);
  std::vector<std::string> parts;
  for (const auto& c : s.columns_added())
    parts.push_back("+col " + WithType(c, new_types));
  for (const auto& c : s.columns_removed())
    parts.push_back("-col " + WithType(c, old_types));
  for (const auto& r : s.columns_retyped()) {
    parts.push_back("~col " + r.name() + "(" + r.old_type() + " -> " + r.new_type() + ")");
  }
  if (s.columns_comment_changed_size() > 0) {
    std::string list;
    for (const auto& c : s.columns_comment_changed())
      list += (list.empty() ? "" : ",") + c;
    parts.push_back("comment: " + list);
  }
  if (s.columns_reordered()) parts.push_back("columns reordered");
  if (s.has_partition_keys()) parts.push_back("partition keys: " + ChangeText(s.partition_keys()));
  if (s.has_location()) parts.push_back("location: " + ChangeText(s.location()));
  if (s.has_input_format()) parts.push_back("input format: " + ChangeText(s.input_format()));
  if (s.has_output_format()) parts.push_back("output format: " + ChangeText(s.output_format()));
  if (s.has_serde_lib()) parts.push_back("serde: " + ChangeText(s.serde_lib()));
  if (s.has_table_type()) parts.push_back("type: " + ChangeText(s.table_type()));
  std::string params;
  for (const auto& p : s.parameters_added())
    params += (params.empty() ? "" : " ") + ("+" + p);
  for (const auto& p : s.parameters_removed())
    params += (params.empty() ? "" : " ") + ("-" + p);
  for (const auto& p : s.parameters_changed())
    params += (params.empty() ? "" : " ") + ("~" + p);
  if (!params.empty()) parts.push_back("params: " + params);
  if (s.other_fields_changed_size() > 0) {
    std::string list;
    for (const auto& f : s.other_fields_changed())
      list += (list.empty() ? "" : ", ") + f;
    parts.push_back("other: " + list);
  }
  return parts;
}

// For entities other than tables: changed fields, with values for locations
// and +/-/~ for parameter keys.
std::vector<std::string> FieldSummaryParts(const admin::DiffEntry& e) {
  const pb::Struct* old_value = StructOrNull(e.has_old_value(), e.old_value());
  const pb::Struct* new_value = StructOrNull(e.has_new_value(), e.new_value());
  std::vector<std::string> parts;
  std::map<std::string, std::string> params;  // container path -> "+a ~b"
  std::vector<std::string> params_order;
  std::string other;
  for (const auto& field : e.changed_fields()) {
    auto segs = SplitPath(field);
    if (segs.empty()) continue;
    const auto& last = segs.back();
    if (last.text == "last_access_time" && !last.is_key) continue;
    if (last.is_key) {
      if (IsVolatileKey(last.text)) continue;
      std::string container = field.substr(0, field.rfind("['"));
      const pb::Value* was = ValueAtPath(old_value, field);
      const pb::Value* now = ValueAtPath(new_value, field);
      std::string mark = was == nullptr ? "+" : now == nullptr ? "-" : "~";
      if (params.find(container) == params.end()) params_order.push_back(container);
      std::string& list = params[container];
      list += (list.empty() ? "" : " ") + mark + last.text;
      continue;
    }
    if (last.text == "location" || last.text == "location_uri" ||
        last.text == "managed_location_uri") {
      const pb::Value* was = ValueAtPath(old_value, field);
      const pb::Value* now = ValueAtPath(new_value, field);
      std::string label = last.text == "managed_location_uri" ? "managed location" : "location";
      parts.push_back(label + ": " + (was ? ScalarText(*was) : std::string(kUnset)) + " -> " +
                      (now ? ScalarText(*now) : std::string(kUnset)));
      continue;
    }
    other += (other.empty() ? "" : ", ") + field;
  }
  for (const auto& container : params_order) {
    std::string label = container == "parameters" ? "params" : container;
    parts.push_back(label + ": " + params[container]);
  }
  if (!other.empty()) parts.push_back("other: " + other);
  if (parts.empty() && e.changed_fields_size() > 0) parts.push_back("(bookkeeping only)");
  return parts;
}

}  // namespace

std::string ShortId(std::string_view id) {
  return std::string(id.substr(0, 12));
}

std::string FormatTime(const pb::Timestamp& t) {
  if (t.seconds() == 0 && t.nanos() == 0) return "";
  std::time_t secs = static_cast<std::time_t>(t.seconds());
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

std::string FirstLine(std::string_view text) {
  size_t nl = text.find('\n');
  return std::string(text.substr(0, nl));
}

std::string KindLabel(std::string_view kind) {
  if (kind == "table_column_statistics" || kind == "partition_column_statistics") {
    return "column stats";
  }
  return std::string(kind);
}

std::string EntityName(const admin::EntityKey& k) {
  const std::string& kind = k.kind();
  if (kind == "database") return k.db();
  if (kind == "function") return k.db() + "." + k.function();
  std::string name = k.db() + "." + k.table();
  if (!k.partition().empty()) name += "/" + k.partition();
  if (!k.column().empty()) name += " (column " + k.column() + ")";
  return name;
}

std::string DiffLine(const admin::DiffEntry& e) {
  std::string mark = e.type() == "added" ? "+" : e.type() == "removed" ? "-" : "~";
  std::string line = mark + " " + KindLabel(e.key().kind()) + " " + EntityName(e.key());
  std::vector<std::string> parts;
  if (e.type() == "added" && e.key().kind() == "table" && e.has_new_value()) {
    size_t cols = 0, keys = 0;
    ColumnList(e.new_value(), {"sd", "cols", "items"}, &cols);
    std::string pkeys = ColumnList(e.new_value(), {"partition_keys", "items"}, &keys);
    parts.push_back("(" + std::to_string(cols) + (cols == 1 ? " column" : " columns") +
                    (keys > 0 ? "; partitioned by " + pkeys : "") + ")");
  } else if (e.type() == "changed") {
    parts = e.key().kind() == "table" && e.has_table_summary() ? TableSummaryParts(e)
                                                               : FieldSummaryParts(e);
  }
  for (const auto& p : parts)
    line += "  " + p;
  return line;
}

void PrintDiff(const admin::DiffResponse& diff, std::ostream& out) {
  size_t added = 0, removed = 0, changed = 0;
  for (const auto& e : diff.changes()) {
    out << DiffLine(e) << '\n';
    if (e.type() == "added")
      ++added;
    else if (e.type() == "removed")
      ++removed;
    else
      ++changed;
  }
  size_t total = added + removed + changed;
  if (total == 0) {
    out << "no changes\n";
    return;
  }
  std::string summary = std::to_string(total) + (total == 1 ? " change: " : " changes: ");
  std::vector<std::string> counts;
  if (added > 0) counts.push_back(std::to_string(added) + " added");
  if (changed > 0) counts.push_back(std::to_string(changed) + " changed");
  if (removed > 0) counts.push_back(std::to_string(removed) + " removed");
  for (size_t i = 0; i < counts.size(); ++i)
    summary += (i ? ", " : "") + counts[i];
  out << summary << '\n';
}

std::string ConflictLine(const admin::Conflict& c) {
  const pb::Struct* ours = StructOrNull(c.has_ours(), c.ours());
  const pb::Struct* theirs = StructOrNull(c.has_theirs(), c.theirs());
  std::string line = KindLabel(c.key().kind()) + " " + EntityName(c.key()) + ":";
  std::string fields;
  for (const auto& f : c.fields()) {
    std::string item = f;
    const pb::Value* a = ValueAtPath(ours, f);
    const pb::Value* b = ValueAtPath(theirs, f);
    if ((a == nullptr || IsScalar(*a)) && (b == nullptr || IsScalar(*b)) &&
        (a != nullptr || b != nullptr) && ours != nullptr && theirs != nullptr) {
      item += " (dest " + Quoted(a) + ", source " + Quoted(b) + ")";
    }
    fields += (fields.empty() ? " " : ", ") + item;
  }
  line += fields;
  std::string how;
  if (!c.has_base()) {
    how = "added on both sides";
  } else if (!c.has_ours()) {
    how = "deleted in destination, changed in source";
  } else if (!c.has_theirs()) {
    how = "changed in destination, deleted in source";
  } else {
    how = "changed on both sides";
  }
  return line + " [" + how + "]";
}

const pb::Value* Lookup(const pb::Struct& s, std::initializer_list<std::string_view> path) {
  const pb::Struct* current = &s;
  const pb::Value* value = nullptr;
  for (auto name : path) {
    if (current == nullptr) return nullptr;
    auto it = current->fields().find(std::string(name));
    if (it == current->fields().end()) return nullptr;
    value = &it->second;
    current = value->has_struct_value() ? &value->struct_value() : nullptr;
  }
  return value;
}

std::string ScalarText(const pb::Value& v) {
  switch (v.kind_case()) {
    case pb::Value::kStringValue:
      return v.string_value();
    case pb::Value::kBoolValue:
      return v.bool_value() ? "true" : "false";
    case pb::Value::kNullValue:
      return "null";
    case pb::Value::kNumberValue: {
      double d = v.number_value();
      char buf[64];
      if (std::floor(d) == d && std::fabs(d) < 1e15) {
        std::snprintf(buf, sizeof buf, "%.0f", d);
      } else {
        std::snprintf(buf, sizeof buf, "%.17g", d);
      }
      return buf;
    }
    default:
      return "";
  }
}

}  // namespace arbor::cli

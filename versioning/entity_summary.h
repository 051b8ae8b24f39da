// Human-meaningful summaries of a change to one catalog entity, for diffs
// (docs/versioning.md#diff), and a JSON rendering of entities for HTTP and the CLI.
//
// Contract: every function here is pure (bytes in, description out). An
// absent side (nullopt: the entity was added or removed) reads as an empty
// message, so an added entity is summarized as every field it sets. Field
// paths follow entity_merge.h's convention ("sd.location",
// "parameters['owner']", wrapper fields elided), so a diff and a merge
// conflict name the same field the same way. Bytes that do not parse as the
// kind's message give Corruption.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "base/status.h"
#include "versioning/catalog_key.h"

namespace arbor {

// One scalar that changed; nullopt is "unset" (which Hive tells from "").
struct ValueChange {
  std::optional<std::string> old_value;
  std::optional<std::string> new_value;

  bool operator==(const ValueChange&) const = default;
};

// What changed in a table, in Hive's terms. Columns are sd.cols, matched by
// name. Volatile bookkeeping (entity_merge.h: transient_lastDdlTime,
// last_access_time) is left out everywhere, since it changes on every touch.
struct TableChangeSummary {
  std::vector<std::string> columns_added;    // in new column order
  std::vector<std::string> columns_removed;  // in old column order
  // (name, old type, new type); an unset type reads as "".
  std::vector<std::tuple<std::string, std::string, std::string>> columns_retyped;
  std::vector<std::string> columns_comment_changed;
  // The columns kept on both sides appear in a different order.
  bool columns_reordered = false;
  // Partition keys rendered as "name type, name type"; set only if changed.
  std::optional<ValueChange> partition_keys;
  // Each set only if changed.
  std::optional<ValueChange> location;       // sd.location
  std::optional<ValueChange> input_format;   // sd.input_format
  std::optional<ValueChange> output_format;  // sd.output_format
  std::optional<ValueChange> serde_lib;      // sd.serde_info.serialization_lib
  std::optional<ValueChange> table_type;
  // Keys of the table's `parameters`, sorted.
  std::vector<std::string> parameters_added, parameters_removed, parameters_changed;
  // Paths of every other changed field (ChangedFieldPaths minus the above),
  // e.g. "owner", "sd.num_buckets", "sd.serde_info.parameters['k']"; a bare
  // "parameters" or "sd" means only that container's presence changed.
  std::vector<std::string> other_fields_changed;

  // True when nothing but volatile bookkeeping changed.
  bool Empty() const;
};

Result<TableChangeSummary> SummarizeTableChange(const std::optional<std::string>& old_table,
                                                const std::optional<std::string>& new_table);

// The leaf field paths at which `old_value` and `new_value` (entities of
// `kind`) differ, in field declaration order, map keys sorted. Messages are
// compared field by field; repeated fields and oneofs are reported whole; a
// map reports each differing key; a submessage that only appeared or
// disappeared empty is reported by its own path. Includes volatile fields.
Result<std::vector<std::string>> ChangedFieldPaths(CatalogKey::Kind kind,
                                                   const std::optional<std::string>& old_value,
                                                   const std::optional<std::string>& new_value);

// The entity as JSON, with proto field names (snake_case) and only the fields
// that are set, so "unset" stays visible as absence. Per the proto3 JSON
// mapping, 64-bit integers are strings and bytes are base64.
Result<std::string> EntityToJson(CatalogKey::Kind kind, std::string_view bytes);

}  // namespace arbor

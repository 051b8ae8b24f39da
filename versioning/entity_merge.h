// Field-aware three-way merge of one catalog entity (docs/versioning.md#field-aware-entity-merge).
//
// The branch merge calls MergeEntity for a key whose value changed differently
// on both sides. One generic mechanism over protobuf reflection handles every
// entity kind; there are no per-entity special cases beyond the small table of
// volatile names in entity_merge.cc.
//
// Rules, applied message by message starting at the entity:
//   * Entity level: changed on one side and deleted on the other is a conflict
//     ("(deleted vs changed)"); deleted on both sides is a delete. Absent in
//     the base and added differently on both sides merges field by field
//     against an empty base, so equal fields merge and differing ones conflict.
//   * A field (or map entry, or oneof) that only one side changed relative to
//     the base is taken from that side; changed identically on both sides, it
//     is taken; changed differently, it conflicts at its field path. Presence
//     is part of the value: set vs unset is a change.
//   * Singular message fields present on both sides (or absent in the base and
//     present on both) are merged recursively. A submessage removed on one
//     side and changed on the other conflicts at the submessage's path.
//   * Map fields merge key by key. That covers the StringMap wrappers of the
//     `parameters` fields; the wrapper's own presence (Hive null vs empty) is
//     a field like any other, so null on one side against a changed map on
//     the other conflicts.
//   * Repeated fields and oneofs are atomic: compared and taken whole
//     (sd.cols, partition_keys, ColumnStatistics.stats_obj, the stats oneof).
//     A nullable list's wrapper is still a message, so a null list made empty
//     on one side and filled on the other merges to the filled list (the
//     empty side changed only the presence, which the filled side agrees on).
//   * Volatile bookkeeping takes the larger value instead of conflicting: the
//     map key `transient_lastDdlTime` (integers in decimal; values that do not
//     parse still conflict) and Table/Partition `last_access_time`. For these
//     an unset value or missing key counts as smaller than any value.
//   * Unknown fields (written by a newer schema) are one atomic value per
//     message: taken from the side that changed them, conflicting when both
//     changed them differently.
//
// Field paths use proto field names joined by ".", map keys as ['key'] (with
// ' and \ escaped by \), and elide the single field of a container wrapper
// (a message whose only field is repeated or a map, such as StringMap or
// FieldSchemaList): "sd.cols", "parameters['owner']",
// "sd.serde_info.parameters['k']". Conflicts are listed in field declaration
// order (field-number order in catalog.proto), map keys sorted, so the list
// does not depend on which side is "ours".
//
// The merged entity is serialized with SerializeDeterministic. For a clean
// merge, MergeEntity(b, o, t) and MergeEntity(b, t, o) give equal bytes and
// equal conflict lists.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include "base/status.h"
#include "versioning/catalog_key.h"

namespace arbor {

struct EntityMergeResult {
  bool conflict = false;
  // The serialized merged entity; nullopt means the entity is deleted.
  // Meaningful only when there is no conflict.
  std::optional<std::string> merged;
  // Field paths in conflict (see the header comment); empty when clean.
  std::vector<std::string> conflict_fields;
  // With a conflict between two present entities: the merge with every conflicting
  // field (or map key) taken from `ours` and every other change merged, which is what
  // a "dest-wins" resolution means field by field (merge with the sides swapped for
  // "source-wins"). nullopt for delete-against-change conflicts.
  std::optional<std::string> prefer_ours;
};

// Merges one entity of `kind`. `base`, `ours` and `theirs` are serialized
// entities, nullopt where the entity is absent. Meant for entities changed
// differently on both sides, but correct for any input (an unchanged side
// yields the other). Corruption if a value does not parse as `kind`'s message.
Result<EntityMergeResult> MergeEntity(CatalogKey::Kind kind, const std::optional<std::string>& base,
                                      const std::optional<std::string>& ours,
                                      const std::optional<std::string>& theirs);

// The message-level merge under MergeEntity, for any message type: fills
// `*merged` and returns the conflicting field paths (empty when clean; then
// `*merged` is the merge, otherwise its content is unspecified).
// InvalidArgument if the four messages are not all of one type.
Result<std::vector<std::string>> MergeMessages(const google::protobuf::Message& base,
                                               const google::protobuf::Message& ours,
                                               const google::protobuf::Message& theirs,
                                               google::protobuf::Message* merged);

// ---------------------------------------------------------------------------
// Helpers shared with versioning/entity_summary.cc, so that diffs and merges
// agree on entity types, field paths and what counts as volatile.

// A new, empty message of the type stored under `kind` (catalog_key.h).
std::unique_ptr<google::protobuf::Message> NewEntityMessage(CatalogKey::Kind kind);

// Parses a stored value of `kind`; nullopt gives an empty message.
Result<std::unique_ptr<google::protobuf::Message>> ParseEntity(
    CatalogKey::Kind kind, const std::optional<std::string>& bytes);

// True for a message whose only field is repeated or a map (StringMap,
// FieldSchemaList, ...): field paths name the wrapper, not its inner field.
bool IsContainerWrapper(const google::protobuf::Descriptor* type);

// `path` extended by the field `field`, honoring wrapper elision: the inner
// field of a container wrapper adds nothing.
std::string FieldPath(const std::string& path, const google::protobuf::FieldDescriptor* field);

// `path` extended by the map key, e.g. parameters['owner'].
std::string MapKeyPath(const std::string& path, std::string_view key);

// The entries of map field `field` of `message`, by key (non-string keys in
// decimal, bools as true/false). Points into `message`.
std::map<std::string, const google::protobuf::Message*> MapEntries(
    const google::protobuf::Message& message, const google::protobuf::FieldDescriptor* field);

// Volatile bookkeeping (see the header comment).
bool IsVolatileField(const google::protobuf::FieldDescriptor* field);
bool IsVolatileMapKey(std::string_view key);

// Field equality by value, presence included; map fields compare as maps
// (insertion order ignored), floating point compares bit for bit so that
// "equal" means "equal bytes" as everywhere else in versioning/.
bool FieldEquals(const google::protobuf::Message& a, const google::protobuf::Message& b,
                 const google::protobuf::FieldDescriptor* field);

}  // namespace arbor

// ThreeWayMerge: merges the catalog tree `theirs` into `ours` relative to `base`.
//
// It diffs base→ours and base→theirs structurally (so it reads only subtrees that
// changed on some side) and joins the two change lists by key:
//   * changed on their side only: take theirs;
//   * changed on our side only, or identically on both: keep ours;
//   * changed differently on both: merge the entity field by field
//     (entity_merge.h); what cannot be merged is a conflict, which the strategy
//     resolves (source-wins takes theirs, dest-wins keeps ours) or reports.
// The result is the edits that turn `ours` into the merged tree, plus every
// conflict, complete and in key order.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "storage/prolly_tree.h"
#include "versioning/catalog_key.h"

namespace arbor {

enum class MergeStrategy { kFail, kSourceWins, kDestWins };
std::string_view MergeStrategyName(MergeStrategy strategy);
Result<MergeStrategy> ParseMergeStrategy(std::string_view name);

struct MergeConflict {
  std::string key;  // encoded
  CatalogKey name;
  std::optional<std::string> base, ours, theirs;
  std::vector<std::string> fields;  // the field paths that conflict
};

struct ThreeWayResult {
  std::vector<Edit> edits;  // to apply to `ours`
  std::vector<MergeConflict> conflicts;
  size_t changes_from_theirs = 0;  // keys whose merged value differs from ours
};

Result<ThreeWayResult> ThreeWayMerge(NodeStore* nodes, const ObjectId& base, const ObjectId& ours,
                                     const ObjectId& theirs, MergeStrategy strategy);

}  // namespace arbor

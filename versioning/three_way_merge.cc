#include "versioning/three_way_merge.h"

#include "storage/prolly_diff.h"
#include "versioning/entity_merge.h"

namespace arbor {

std::string_view MergeStrategyName(MergeStrategy strategy) {
  switch (strategy) {
    case MergeStrategy::kFail:
      return "fail";
    case MergeStrategy::kSourceWins:
      return "source-wins";
    case MergeStrategy::kDestWins:
      return "dest-wins";
  }
  return "fail";
}

Result<MergeStrategy> ParseMergeStrategy(std::string_view name) {
  if (name.empty() || name == "fail") return MergeStrategy::kFail;
  if (name == "source-wins") return MergeStrategy::kSourceWins;
  if (name == "dest-wins") return MergeStrategy::kDestWins;
  return Status::InvalidArgument("unknown merge strategy '" + std::string(name) +
                                 "' (expected fail, source-wins or dest-wins)");
}

namespace {

Result<std::vector<DiffEntry>> CollectDiff(NodeStore* nodes, const ObjectId& from,
                                           const ObjectId& to) {
  std::vector<DiffEntry> out;
  ARBOR_RETURN_IF_ERROR(DiffTrees(nodes, from, to, {}, [&](DiffEntry&& d) {
    out.push_back(std::move(d));
    return true;
  }));
  return out;
}

}  // namespace

Result<ThreeWayResult> ThreeWayMerge(NodeStore* nodes, const ObjectId& base, const ObjectId& ours,
                                     const ObjectId& theirs, MergeStrategy strategy) {
  ThreeWayResult result;
  if (ours == theirs || base == theirs) return result;
  ARBOR_ASSIGN_OR_RETURN(auto our_changes, CollectDiff(nodes, base, ours));
  ARBOR_ASSIGN_OR_RETURN(auto their_changes, CollectDiff(nodes, base, theirs));

  auto take_theirs = [&](const DiffEntry& t) {
    result.edits.push_back({t.key, t.right});
    ++result.changes_from_theirs;
  };
  size_t i = 0;
  for (const DiffEntry& t : their_changes) {
    while (i < our_changes.size() && our_changes[i].key < t.key)
      ++i;  // ours only: keep
    if (i == our_changes.size() || our_changes[i].key != t.key) {
      take_theirs(t);
      continue;
    }
    const DiffEntry& o = our_changes[i];
    if (o.right == t.right) continue;  // the same change on both sides

    ARBOR_ASSIGN_OR_RETURN(CatalogKey name, DecodeKey(t.key));
    ARBOR_ASSIGN_OR_RETURN(EntityMergeResult merged,
                           MergeEntity(name.kind, t.left, o.right, t.right));
    if (!merged.conflict) {
      if (merged.merged != o.right) {
        result.edits.push_back({t.key, merged.merged});
        ++result.changes_from_theirs;
      }
      continue;
    }
    // Strategies resolve conflicts field by field: the winning side's value for each
    // conflicting field, and every non-conflicting change of both sides merged. Only a
    // delete against a change is decided for the whole entity.
    std::optional<std::string> resolved = o.right;
    if (strategy == MergeStrategy::kDestWins && merged.prefer_ours) {
      resolved = merged.prefer_ours;
    } else if (strategy == MergeStrategy::kSourceWins) {
      ARBOR_ASSIGN_OR_RETURN(EntityMergeResult flipped,
                             MergeEntity(name.kind, t.left, t.right, o.right));
      resolved = flipped.prefer_ours ? flipped.prefer_ours : t.right;
    }
    if (strategy != MergeStrategy::kFail && resolved != o.right) {
      result.edits.push_back({t.key, resolved});
      ++result.changes_from_theirs;
    }
    result.conflicts.push_back(
        {t.key, std::move(name), t.left, o.right, t.right, std::move(merged.conflict_fields)});
  }
  return result;
}

}  // namespace arbor

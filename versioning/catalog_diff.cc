#include "versioning/catalog_diff.h"

#include <algorithm>
#include <set>

#include "storage/prolly_diff.h"
#include "versioning/staging.h"

namespace arbor {

std::string_view ChangeTypeName(ChangeType type) {
  switch (type) {
    case ChangeType::kAdded:
      return "added";
    case ChangeType::kRemoved:
      return "removed";
    case ChangeType::kChanged:
      return "changed";
  }
  return "changed";
}

namespace {

// The smallest key greater than `key`.
std::string Successor(std::string_view key) {
  std::string s(key);
  s.push_back('\0');
  return s;
}

Result<CatalogChange> MakeChange(std::string key, std::optional<std::string> old_value,
                                 std::optional<std::string> new_value) {
  CatalogChange c;
  auto name = DecodeKey(key);
  if (!name.ok()) return name.status().WithContext("diff");
  c.name = std::move(name).value();
  c.key = std::move(key);
  c.type = !old_value   ? ChangeType::kAdded
           : !new_value ? ChangeType::kRemoved
                        : ChangeType::kChanged;
  c.old_value = std::move(old_value);
  c.new_value = std::move(new_value);
  return c;
}

// Up to `limit` keys after `after` where the two trees differ; `full` tells whether the
// list was cut at the limit.
Result<std::vector<DiffEntry>> TreeDiffChunk(NodeStore* nodes, const ObjectId& l, const ObjectId& r,
                                             std::string_view after, size_t limit) {
  std::vector<DiffEntry> out;
  DiffRange range;
  if (!after.empty()) range.begin = Successor(after);
  ARBOR_RETURN_IF_ERROR(DiffTrees(nodes, l, r, range, [&](DiffEntry&& d) {
    out.push_back(std::move(d));
    return out.size() < limit;
  }));
  return out;
}

Result<std::vector<std::string>> StagedKeysChunk(KvStore* kv, const ReadView& view,
                                                 std::string_view after, size_t limit) {
  std::vector<std::string> keys;
  if (!view.has_staging()) return keys;
  ReadOptions ro;
  ro.snapshot = view.snapshot();  // the same point in time the view's reads see
  ARBOR_ASSIGN_OR_RETURN(
      auto edits, ReadStagedEdits(kv, view.ref().staging_token, ro,
                                  after.empty() ? std::string() : Successor(after), {}, limit));
  for (auto& e : edits)
    keys.push_back(std::move(e.key));
  return keys;
}

}  // namespace

Result<DiffPage> DiffViews(const ReadView& left, const ReadView& right, NodeStore* nodes,
                           KvStore* kv, const DiffPageOptions& options) {
  DiffPage page;
  const size_t want = options.limit + 1;  // one more than asked tells whether more exist
  const size_t chunk = std::max<size_t>(256, want);

  // A branch whose staging is empty reads exactly its tree: only real staged edits
  // need the slower candidate-by-candidate comparison.
  auto staged = [&](const ReadView& v) -> Result<bool> {
    if (!v.has_staging()) return false;
    ReadOptions ro;
    ro.snapshot = v.snapshot();
    return HasStagedEdits(kv, v.ref().staging_token, ro);
  };
  ARBOR_ASSIGN_OR_RETURN(bool left_staged, staged(left));
  ARBOR_ASSIGN_OR_RETURN(bool right_staged, staged(right));
  if (!left_staged && !right_staged) {
    ARBOR_ASSIGN_OR_RETURN(auto diffs,
                           TreeDiffChunk(nodes, left.root(), right.root(), options.after, want));
    for (auto& d : diffs) {
      ARBOR_ASSIGN_OR_RETURN(CatalogChange c,
                             MakeChange(std::move(d.key), std::move(d.left), std::move(d.right)));
      page.changes.push_back(std::move(c));
    }
  } else {
    std::string cursor = options.after;
    while (page.changes.size() < want) {
      ARBOR_ASSIGN_OR_RETURN(auto tree_keys,
                             TreeDiffChunk(nodes, left.root(), right.root(), cursor, chunk));
      ARBOR_ASSIGN_OR_RETURN(auto left_keys, StagedKeysChunk(kv, left, cursor, chunk));
      ARBOR_ASSIGN_OR_RETURN(auto right_keys, StagedKeysChunk(kv, right, cursor, chunk));
      if (tree_keys.empty() && left_keys.empty() && right_keys.empty()) break;
      // A source cut at `chunk` may hold more keys past its last one: only keys up to
      // the smallest such horizon are complete in this round.
      std::optional<std::string> horizon;
      auto clip = [&](const std::string& last) {
        if (!horizon || last < *horizon) horizon = last;
      };
      if (tree_keys.size() == chunk) clip(tree_keys.back().key);
      if (left_keys.size() == chunk) clip(left_keys.back());
      if (right_keys.size() == chunk) clip(right_keys.back());
      std::set<std::string> candidates;
      for (auto& d : tree_keys)
        candidates.insert(std::move(d.key));
      candidates.insert(left_keys.begin(), left_keys.end());
      candidates.insert(right_keys.begin(), right_keys.end());
      for (const std::string& key : candidates) {
        if (horizon && key > *horizon) break;
        ARBOR_ASSIGN_OR_RETURN(auto l, left.Get(key));
        ARBOR_ASSIGN_OR_RETURN(auto r, right.Get(key));
        if (l == r) continue;
        ARBOR_ASSIGN_OR_RETURN(CatalogChange c, MakeChange(key, std::move(l), std::move(r)));
        page.changes.push_back(std::move(c));
        if (page.changes.size() == want) break;
      }
      if (!horizon) break;
      cursor = *horizon;
    }
  }
  if (page.changes.size() > options.limit) {
    page.changes.resize(options.limit);
    page.has_more = true;
  }
  if (!page.changes.empty()) page.next_after = page.changes.back().key;
  return page;
}

}  // namespace arbor

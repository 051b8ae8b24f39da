// ProllyTree: a sorted map from byte keys to byte values stored as a prolly tree, a
// B-tree whose node boundaries are decided by content.
//
// Invariants (docs/storage-format.md#prolly-trees):
//  * Canonical: an entry ends a node iff Hash64(key, level) falls below a threshold that
//    grows with the entry's own encoded size (so nodes average their level's target).
//    No decision looks at neighbours or history, so one set of entries has exactly one
//    root id, whatever edits produced it. The root is the lowest level that fits in one
//    node.
//  * Local edits: Apply() re-chunks only the nodes its edits fall in (plus, rarely, the
//    next node when a boundary entry disappears), level by level: O(k · log n) nodes.
//  * Counted: internal entries carry subtree entry counts (Count, Rank, SeekToOffset in
//    O(log n)).
//  * Values up to `max_inline_value` bytes live in the leaves; larger ones are blobs.
//
// A tree is just a root id; ProllyTree holds no per-tree state and is thread-safe.
// Writes go into a caller's WriteBatch, so new nodes and the ref that makes them
// reachable can be ordered by the caller.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/node_store.h"
#include "storage/prolly_cursor.h"

namespace arbor {

struct TreeOptions {
  // Part of the format: changing any of these changes every root id.
  // Leaves are larger so scans read few nodes; internal nodes are small so that an
  // edit rewrites little above its leaf (each level costs one internal node).
  size_t target_leaf_bytes = 4096;
  size_t target_internal_bytes = 1024;
  size_t max_inline_value = 16384;
};

struct Edit {
  std::string key;
  std::optional<std::string> value;  // nullopt deletes the key
};

class ProllyTree {
 public:
  explicit ProllyTree(NodeStore* store, TreeOptions options = {});

  const ObjectId& EmptyRoot() const { return store_->empty_leaf_id(); }
  NodeStore* store() const { return store_; }
  const TreeOptions& options() const { return options_; }

  // nullopt if the key is absent.
  Result<std::optional<std::string>> Get(const ObjectId& root, std::string_view key) const;

  // Returns the root of `root` with `edits` applied. Edits need not be sorted; for
  // repeated keys the last edit wins. New nodes and blobs are added to `batch`.
  Result<ObjectId> Apply(const ObjectId& root, std::vector<Edit> edits, WriteBatch* batch) const;

  Result<uint64_t> Count(const ObjectId& root) const;
  // Number of entries with key < `key`.
  Result<uint64_t> Rank(const ObjectId& root, std::string_view key) const;

  // Cursor at the first entry with key >= `key`.
  Result<TreeCursor> Seek(const ObjectId& root, std::string_view key) const;
  // Cursor at the entry with the given 0-based position (invalid if past the end).
  Result<TreeCursor> SeekToOffset(const ObjectId& root, uint64_t offset) const;

  // Calls fn(key, value) for keys in [begin, end) in order (empty end = unbounded) until
  // fn returns false.
  Status Scan(const ObjectId& root, std::string_view begin, std::string_view end,
              const std::function<bool(std::string_view, std::string_view)>& fn) const;

  // Calls fn(key) for keys in [begin, end) in order until fn returns false: a Scan
  // without values, served from the store's KeyBlocks (a lookup per level-2 subtree,
  // keys from one buffer).
  Status ScanKeys(const ObjectId& root, std::string_view begin, std::string_view end,
                  const std::function<bool(std::string_view)>& fn) const;

  // Whether an entry ends its node at `level`; exposed for tests of the boundary rule.
  bool IsBoundary(uint32_t level, const NodeEntry& entry) const;

 private:
  friend class TreeRewriter;
  NodeStore* store_;
  TreeOptions options_;
};

}  // namespace arbor

// TreeCursor: an ordered position in a prolly tree, as a path of (node, index) frames
// from the root down to a leaf entry.
//
// Cursors read immutable nodes, so one stays valid however the tree is edited later:
// it keeps iterating the version it was opened on.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "storage/node_store.h"

namespace arbor {

class TreeCursor {
 public:
  struct Frame {
    NodePtr node;
    size_t index = 0;
  };

  // Positioned at the first leaf entry with key >= key.
  static Result<TreeCursor> Seek(NodeStore* store, const ObjectId& root, std::string_view key);
  // Positioned at the offset-th leaf entry (0-based), using subtree counts.
  static Result<TreeCursor> SeekToOffset(NodeStore* store, const ObjectId& root, uint64_t offset);

  bool Valid() const { return valid_; }
  std::string_view key() const { return leaf().entries[leaf_index()].key; }
  const NodeEntry& entry() const { return leaf().entries[leaf_index()]; }
  // The value, with blobs read from the store.
  Result<std::string> value() const;
  Status Next();

  // Frames from the root (front) to the leaf (back); for diff and level walks.
  const std::vector<Frame>& path() const { return path_; }

 private:
  explicit TreeCursor(NodeStore* store) : store_(store) {}
  const Node& leaf() const { return *path_.back().node; }
  size_t leaf_index() const { return path_.back().index; }
  // Descends from path_.back() along first children down to a leaf.
  Status DescendLeftmost();

  NodeStore* store_;
  std::vector<Frame> path_;
  bool valid_ = false;
};

// Reads a leaf entry's value, loading it from the store when it is a blob.
Result<std::string> ResolveValue(NodeStore* store, const NodeEntry& entry);

}  // namespace arbor

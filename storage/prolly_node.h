// A prolly-tree node and its deterministic binary encoding.
//
// Layout (all varints LEB128):
//   u8      format version (1)
//   varint  level (0 = leaf)
//   varint  entry count n
//   n times:
//     varint  bytes shared with the previous key, varint suffix length, suffix bytes
//     leaf:      u8 kind (0 = inline value, 1 = blob id), then
//                inline: varint length + bytes;  blob: 32-byte id
//     internal:  32-byte child id, varint subtree entry count (>= 1)
// Keys are strictly increasing within a node. An internal entry's key is the largest key
// of its child's subtree. Decode() rejects anything else as Corruption, so a damaged
// node never reaches tree logic.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "storage/object_id.h"

namespace arbor {

struct NodeEntry {
  std::string key;
  // Leaf: the inline value, or the 32 raw bytes of a blob id when `blob` is set.
  std::string value;
  bool blob = false;
  // Internal: the child node and the number of leaf entries beneath it.
  ObjectId child;
  uint64_t count = 1;

  bool operator==(const NodeEntry&) const = default;
};

struct Node {
  uint32_t level = 0;
  std::vector<NodeEntry> entries;

  bool is_leaf() const { return level == 0; }
  // Leaf entries beneath this node.
  uint64_t TotalCount() const;
  const std::string& last_key() const { return entries.back().key; }
  // Index of the first entry whose key is >= key (entries.size() if none).
  size_t LowerBound(std::string_view key) const;
  // Approximate in-memory size, for cache accounting.
  size_t MemoryBytes() const;
};

std::string EncodeNode(const Node& node);
Result<Node> DecodeNode(std::string_view bytes);

}  // namespace arbor

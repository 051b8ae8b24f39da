// KeyBlock: the keys of every leaf beneath one low internal prolly node (level 1
// or 2, NodeStore::kKeyBlockLevel), in order, back to back in one buffer.
//
// A keys-only scan (partition names, counts that must look at names, range
// deletes) would otherwise reach each leaf through a node-cache lookup and read
// each key from its own heap string: a few cache misses per key, which is most of
// such a scan's time. A block serves the few hundred keys of a subtree from one
// lookup and one contiguous buffer. It is derived from immutable nodes, so a block
// cached under its node's id never goes stale.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/prolly_node.h"

namespace arbor {

class KeyBlock {
 public:
  // Appends the keys of `leaf`, which must follow every key already added.
  void AddLeaf(const Node& leaf);

  size_t size() const { return ends_.size(); }
  std::string_view key(size_t i) const {
    const uint32_t begin = i == 0 ? 0 : ends_[i - 1];
    return std::string_view(bytes_).substr(begin, ends_[i] - begin);
  }
  // Index of the first key >= `key` (size() if none).
  size_t LowerBound(std::string_view key) const;
  // Approximate in-memory size, for cache accounting.
  size_t MemoryBytes() const;

 private:
  std::string bytes_;
  std::vector<uint32_t> ends_;  // ends_[i]: where key i ends in bytes_
};

}  // namespace arbor

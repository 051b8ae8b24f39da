#include "storage/prolly_key_block.h"

namespace arbor {

void KeyBlock::AddLeaf(const Node& leaf) {
  ends_.reserve(ends_.size() + leaf.entries.size());
  for (const NodeEntry& e : leaf.entries) {
    bytes_.append(e.key);
    ends_.push_back(static_cast<uint32_t>(bytes_.size()));
  }
}

size_t KeyBlock::LowerBound(std::string_view key) const {
  size_t lo = 0, hi = size();
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (this->key(mid) < key) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

size_t KeyBlock::MemoryBytes() const {
  return sizeof(KeyBlock) + bytes_.capacity() + ends_.capacity() * sizeof(uint32_t);
}

}  // namespace arbor

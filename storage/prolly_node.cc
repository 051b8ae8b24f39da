#include "storage/prolly_node.h"

#include <algorithm>

#include "storage/coding.h"

namespace arbor {

namespace {
constexpr uint8_t kFormatVersion = 1;
constexpr uint8_t kInline = 0;
constexpr uint8_t kBlob = 1;
// Deeper than any tree of 2^64 entries with 2-way fan-out: anything above is damage.
constexpr uint64_t kMaxLevel = 64;
}  // namespace

uint64_t Node::TotalCount() const {
  if (is_leaf()) return entries.size();
  uint64_t total = 0;
  for (const auto& e : entries)
    total += e.count;
  return total;
}

size_t Node::LowerBound(std::string_view key) const {
  auto it = std::lower_bound(entries.begin(), entries.end(), key,
                             [](const NodeEntry& e, std::string_view k) { return e.key < k; });
  return static_cast<size_t>(it - entries.begin());
}

size_t Node::MemoryBytes() const {
  size_t bytes = sizeof(Node);
  for (const auto& e : entries)
    bytes += sizeof(NodeEntry) + e.key.capacity() + e.value.capacity();
  return bytes;
}

std::string EncodeNode(const Node& node) {
  std::string out;
  out.push_back(static_cast<char>(kFormatVersion));
  PutVarint64(&out, node.level);
  PutVarint64(&out, node.entries.size());
  std::string_view prev;
  for (const auto& e : node.entries) {
    size_t shared = 0;
    size_t limit = std::min(prev.size(), e.key.size());
    while (shared < limit && prev[shared] == e.key[shared])
      ++shared;
    PutVarint64(&out, shared);
    PutLengthPrefixed(&out, std::string_view(e.key).substr(shared));
    if (node.is_leaf()) {
      if (e.blob) {
        out.push_back(static_cast<char>(kBlob));
        out.append(e.value);
      } else {
        out.push_back(static_cast<char>(kInline));
        PutLengthPrefixed(&out, e.value);
      }
    } else {
      out.append(e.child.bytes());
      PutVarint64(&out, e.count);
    }
    prev = e.key;
  }
  return out;
}

Result<Node> DecodeNode(std::string_view in) {
  auto bad = [](const std::string& what) { return Status::Corruption("tree node: " + what); };
  if (in.empty() || static_cast<uint8_t>(in[0]) != kFormatVersion) {
    return bad("unknown format version");
  }
  in.remove_prefix(1);
  uint64_t level = 0, n = 0;
  if (!GetVarint64(&in, &level) || level > kMaxLevel) return bad("bad level");
  // Each entry takes at least 3 bytes, which bounds n before anything is allocated.
  if (!GetVarint64(&in, &n) || n > in.size()) return bad("bad entry count");
  if (level > 0 && n == 0) return bad("internal node without entries");
  Node node;
  node.level = static_cast<uint32_t>(level);
  node.entries.resize(n);
  for (uint64_t i = 0; i < n; ++i) {
    NodeEntry& e = node.entries[i];
    uint64_t shared = 0;
    std::string_view suffix;
    if (!GetVarint64(&in, &shared) || !GetLengthPrefixed(&in, &suffix)) return bad("truncated key");
    if (i == 0 ? shared != 0 : shared > node.entries[i - 1].key.size()) {
      return bad("bad key prefix length");
    }
    if (i > 0) {
      const std::string& prev = node.entries[i - 1].key;
      // The encoder always shares the longest common prefix; anything shorter is not
      // this node's canonical form.
      if (shared < prev.size() && !suffix.empty() && prev[shared] == suffix[0]) {
        return bad("non-canonical key prefix");
      }
      e.key.assign(prev, 0, shared);
    }
    e.key.append(suffix);
    if (i > 0 && !(node.entries[i - 1].key < e.key)) return bad("keys out of order");
    if (level == 0) {
      std::string_view kind;
      if (!GetBytes(&in, 1, &kind)) return bad("truncated value");
      std::string_view v;
      if (static_cast<uint8_t>(kind[0]) == kInline) {
        if (!GetLengthPrefixed(&in, &v)) return bad("truncated value");
      } else if (static_cast<uint8_t>(kind[0]) == kBlob) {
        if (!GetBytes(&in, ObjectId::kSize, &v)) return bad("truncated blob id");
        e.blob = true;
      } else {
        return bad("unknown value kind");
      }
      e.value.assign(v);
    } else {
      std::string_view id;
      if (!GetBytes(&in, ObjectId::kSize, &id) || !GetVarint64(&in, &e.count) || e.count == 0) {
        return bad("bad child reference");
      }
      e.child = ObjectId::FromBytes(id).value();
    }
  }
  if (!in.empty()) return bad("trailing bytes");
  return node;
}

}  // namespace arbor

// NodeStore: loads and stores prolly-tree nodes and blobs through the ObjectStore,
// with decoded nodes kept in a byte-budgeted LRU cache.
//
// Nodes are immutable and named by their hash, so the cache is always coherent and needs
// no invalidation. The empty leaf is never read from disk: its id is a constant, so an
// empty tree exists without any write. `loads()` counts every node access (cache hit or
// not), which is how tests prove that diffs and edits touch O(d · log n) nodes.
//
// Beside the nodes it caches KeyBlocks (storage/prolly_key_block.h), the keys of the
// leaves beneath a low internal node, under that node's id, in an eighth more than
// the nodes' budget (keys are a small part of what the nodes hold).
//
// Store() caches a node before its batch is written. That is safe: a tree edit only
// references nodes that are already reachable from a stored root or that it creates
// (and so writes) itself, so a node of a batch that was never written is never linked.
#pragma once

#include <atomic>
#include <memory>

#include "storage/lru_cache.h"
#include "storage/object_store.h"
#include "storage/prolly_key_block.h"
#include "storage/prolly_node.h"

namespace arbor {

using NodePtr = std::shared_ptr<const Node>;

class NodeStore {
 public:
  NodeStore(ObjectStore* objects, size_t cache_bytes);

  Result<NodePtr> Load(const ObjectId& id);
  // Key blocks are made for nodes at levels 1 to kKeyBlockLevel: at level 2 a block
  // holds some 500 keys (~30 KB), so a scan makes one cache lookup per few hundred
  // keys, and an edit rebuilds little.
  static constexpr uint32_t kKeyBlockLevel = 2;
  // The keys beneath node `id` (at a level from 1 to kKeyBlockLevel), built from its
  // leaves on first use; a cached block needs no lookup of the node itself.
  Result<std::shared_ptr<const KeyBlock>> LoadKeyBlock(const ObjectId& id);
  // Encodes and hashes the node, adds it to `batch`, and caches it. `stored`, if
  // given, receives the cached node, so callers need no copy of their own.
  ObjectId Store(Node node, WriteBatch* batch, NodePtr* stored = nullptr);

  Result<std::string> LoadBlob(const ObjectId& id);
  ObjectId StoreBlob(std::string_view value, WriteBatch* batch);

  const ObjectId& empty_leaf_id() const { return empty_leaf_id_; }
  ObjectStore* objects() const { return objects_; }

  uint64_t loads() const { return loads_.load(std::memory_order_relaxed); }
  uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }
  void ResetCounters() {
    loads_ = 0;
    misses_ = 0;
  }
  void ClearCache() {
    cache_.Clear();
    key_blocks_.Clear();
  }

 private:
  // Appends the keys of every leaf beneath `node` (not a leaf) to `block`.
  Status AppendLeaves(const Node& node, KeyBlock* block);

  ObjectStore* objects_;
  LruCache<ObjectId, Node, ObjectIdHash> cache_;
  LruCache<ObjectId, KeyBlock, ObjectIdHash> key_blocks_;
  ObjectId empty_leaf_id_;
  NodePtr empty_leaf_;
  std::atomic<uint64_t> loads_{0};
  std::atomic<uint64_t> misses_{0};
};

}  // namespace arbor

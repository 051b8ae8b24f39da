#include "storage/node_store.h"

#include <string>

namespace arbor {

NodeStore::NodeStore(ObjectStore* objects, size_t cache_bytes)
    : objects_(objects), cache_(cache_bytes), key_blocks_(cache_bytes / 8) {
  Node empty;
  empty_leaf_id_ = ObjectId::Hash(static_cast<uint8_t>(ObjectType::kTreeNode), EncodeNode(empty));
  empty_leaf_ = std::make_shared<const Node>(std::move(empty));
}

Result<NodePtr> NodeStore::Load(const ObjectId& id) {
  loads_.fetch_add(1, std::memory_order_relaxed);
  if (id == empty_leaf_id_) return empty_leaf_;
  if (NodePtr cached = cache_.Lookup(id)) return cached;
  misses_.fetch_add(1, std::memory_order_relaxed);
  ARBOR_ASSIGN_OR_RETURN(std::string bytes, objects_->GetTyped(id, ObjectType::kTreeNode));
  auto decoded = DecodeNode(bytes);
  if (!decoded.ok()) return decoded.status().WithContext("object " + id.ToHex());
  auto node = std::make_shared<const Node>(std::move(decoded).value());
  cache_.Insert(id, node, node->MemoryBytes());
  return node;
}

Status NodeStore::AppendLeaves(const Node& node, KeyBlock* block) {
  for (const NodeEntry& e : node.entries) {
    ARBOR_ASSIGN_OR_RETURN(NodePtr child, Load(e.child));
    if (child->level + 1 != node.level) {
      return Status::Corruption("node " + e.child.ToHex() + " is at level " +
                                std::to_string(child->level) + " under a node at level " +
                                std::to_string(node.level));
    }
    if (child->is_leaf()) {
      block->AddLeaf(*child);
    } else {
      ARBOR_RETURN_IF_ERROR(AppendLeaves(*child, block));
    }
  }
  return Status::OK();
}

Result<std::shared_ptr<const KeyBlock>> NodeStore::LoadKeyBlock(const ObjectId& id) {
  if (auto cached = key_blocks_.Lookup(id)) return cached;
  ARBOR_ASSIGN_OR_RETURN(NodePtr node, Load(id));
  if (node->level == 0 || node->level > kKeyBlockLevel) {
    return Status::InvalidArgument("key blocks are made of nodes at levels 1 to " +
                                   std::to_string(kKeyBlockLevel) + ", not " +
                                   std::to_string(node->level));
  }
  auto block = std::make_shared<KeyBlock>();
  ARBOR_RETURN_IF_ERROR(AppendLeaves(*node, block.get()));
  key_blocks_.Insert(id, block, block->MemoryBytes());
  return std::shared_ptr<const KeyBlock>(std::move(block));
}

ObjectId NodeStore::Store(Node node, WriteBatch* batch, NodePtr* stored) {
  std::string bytes = EncodeNode(node);
  ObjectId id = objects_->PutInBatch(ObjectType::kTreeNode, bytes, batch);
  auto ptr = std::make_shared<const Node>(std::move(node));
  size_t charge = ptr->MemoryBytes();
  if (stored) *stored = ptr;
  cache_.Insert(id, std::move(ptr), charge);
  return id;
}

Result<std::string> NodeStore::LoadBlob(const ObjectId& id) {
  return objects_->GetTyped(id, ObjectType::kBlob);
}

ObjectId NodeStore::StoreBlob(std::string_view value, WriteBatch* batch) {
  return objects_->PutInBatch(ObjectType::kBlob, value, batch);
}

}  // namespace arbor

#include "storage/prolly_cursor.h"

namespace arbor {

Result<std::string> ResolveValue(NodeStore* store, const NodeEntry& entry) {
  if (!entry.blob) return entry.value;
  ARBOR_ASSIGN_OR_RETURN(ObjectId id, ObjectId::FromBytes(entry.value));
  return store->LoadBlob(id);
}

Result<TreeCursor> TreeCursor::Seek(NodeStore* store, const ObjectId& root, std::string_view key) {
  TreeCursor c(store);
  ARBOR_ASSIGN_OR_RETURN(NodePtr node, store->Load(root));
  while (true) {
    size_t idx = node->LowerBound(key);
    if (node->is_leaf()) {
      c.path_.push_back({node, idx});
      break;
    }
    // Internal keys are each subtree's largest key: past the last one, nothing is >= key.
    if (idx == node->entries.size()) return c;
    c.path_.push_back({node, idx});
    ARBOR_ASSIGN_OR_RETURN(node, store->Load(node->entries[idx].child));
  }
  c.valid_ = c.leaf_index() < c.leaf().entries.size();
  return c;
}

Result<TreeCursor> TreeCursor::SeekToOffset(NodeStore* store, const ObjectId& root,
                                            uint64_t offset) {
  TreeCursor c(store);
  ARBOR_ASSIGN_OR_RETURN(NodePtr node, store->Load(root));
  while (!node->is_leaf()) {
    size_t idx = 0;
    while (idx < node->entries.size() && offset >= node->entries[idx].count) {
      offset -= node->entries[idx].count;
      ++idx;
    }
    if (idx == node->entries.size()) return c;
    c.path_.push_back({node, idx});
    ARBOR_ASSIGN_OR_RETURN(node, store->Load(node->entries[idx].child));
  }
  if (offset >= node->entries.size()) return c;
  c.path_.push_back({node, static_cast<size_t>(offset)});
  c.valid_ = true;
  return c;
}

Result<std::string> TreeCursor::value() const {
  return ResolveValue(store_, entry());
}

Status TreeCursor::DescendLeftmost() {
  while (!path_.back().node->is_leaf()) {
    const Frame& f = path_.back();
    ARBOR_ASSIGN_OR_RETURN(NodePtr child, store_->Load(f.node->entries[f.index].child));
    path_.push_back({std::move(child), 0});
  }
  return Status::OK();
}

Status TreeCursor::Next() {
  if (!valid_) return Status::OK();
  if (++path_.back().index < leaf().entries.size()) return Status::OK();
  // Climb to the nearest ancestor with a next child, then descend to its first leaf.
  path_.pop_back();
  while (!path_.empty() && path_.back().index + 1 >= path_.back().node->entries.size()) {
    path_.pop_back();
  }
  if (path_.empty()) {
    valid_ = false;
    return Status::OK();
  }
  ++path_.back().index;
  Status s = DescendLeftmost();
  if (!s.ok()) valid_ = false;
  return s;
}

}  // namespace arbor

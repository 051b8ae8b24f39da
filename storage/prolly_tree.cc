#include "storage/prolly_tree.h"

#include <algorithm>
#include <limits>
#include <map>
#include <unordered_map>

#include "storage/hash64.h"

namespace arbor {

namespace {

// Fixed per-entry overhead of an internal entry for the boundary rule: the child id and
// a count. The count's real varint size is left out on purpose, so that a subtree
// growing does not move its parent's boundaries.
constexpr size_t kInternalEntryOverhead = ObjectId::kSize + 8;
constexpr uint64_t kLevelSalt = 0x51ed270b27a5f3c1ULL;

// An edit at one level of the tree: a leaf entry at level 0, a child reference above.
struct LevelEdit {
  std::string key;
  std::optional<NodeEntry> entry;  // nullopt deletes
};

// One level's worth of tree walking: the path from the root down to a node at `level`.
class LevelCursor {
 public:
  explicit LevelCursor(NodeStore* store) : store_(store) {}

  // The node at `level` whose key range holds `key` (the rightmost node if key is past
  // every key).
  Status Seek(const ObjectId& root, uint32_t level, std::string_view key) {
    path_.clear();
    ids_.clear();
    ObjectId id = root;
    ARBOR_ASSIGN_OR_RETURN(NodePtr node, store_->Load(id));
    while (node->level > level) {
      size_t idx = std::min(node->LowerBound(key), node->entries.size() - 1);
      path_.push_back({node, idx});
      ids_.push_back(id);
      id = node->entries[idx].child;
      ARBOR_ASSIGN_OR_RETURN(node, store_->Load(id));
    }
    path_.push_back({node, 0});
    ids_.push_back(id);
    return Status::OK();
  }

  const Node& node() const { return *path_.back().node; }
  const ObjectId& id() const { return ids_.back(); }

  bool HasNext() const {
    for (size_t i = 0; i + 1 < path_.size(); ++i) {
      if (path_[i].index + 1 < path_[i].node->entries.size()) return true;
    }
    return false;
  }

  // Moves to the next node at the same level. Requires HasNext().
  Status NextNode() {
    size_t depth = path_.size();
    path_.pop_back();
    ids_.pop_back();
    while (path_.back().index + 1 >= path_.back().node->entries.size()) {
      path_.pop_back();
      ids_.pop_back();
    }
    ++path_.back().index;
    while (path_.size() < depth) {
      const TreeCursor::Frame& f = path_.back();
      ObjectId child = f.node->entries[f.index].child;
      ARBOR_ASSIGN_OR_RETURN(NodePtr node, store_->Load(child));
      path_.push_back({std::move(node), 0});
      ids_.push_back(child);
    }
    return Status::OK();
  }

 private:
  NodeStore* store_;
  std::vector<TreeCursor::Frame> path_;
  std::vector<ObjectId> ids_;
};

}  // namespace

// Applies one batch of edits; lives for one Apply() call.
class TreeRewriter {
 public:
  TreeRewriter(const ProllyTree& tree, WriteBatch* batch) : tree_(tree), batch_(batch) {}

  Result<ObjectId> Run(const ObjectId& root, std::vector<LevelEdit> edits) {
    ARBOR_ASSIGN_OR_RETURN(NodePtr root_node, tree_.store_->Load(root));
    const uint32_t top = root_node->level;
    for (uint32_t level = 0;; ++level) {
      std::vector<NodeEntry> emitted;
      ARBOR_ASSIGN_OR_RETURN(std::vector<LevelEdit> parent,
                             RewriteLevel(root, level, edits, &emitted));
      // The top level is a single node that RewriteLevel consumed whole, so `emitted`
      // is that entire level after the edits.
      if (level == top) return FinishRoot(std::move(emitted), level);
      if (parent.empty()) return root;  // every rewritten node came out unchanged
      edits = std::move(parent);
    }
  }

 private:
  // Chunks a stream of entries of one level into nodes, emitting a parent reference per
  // node.
  class Chunker {
   public:
    Chunker(TreeRewriter* w, uint32_t level, std::vector<NodeEntry>* out)
        : w_(w), level_(level), out_(out) {}
    void Add(NodeEntry e) {
      bool boundary = w_->tree_.IsBoundary(level_, e);
      pending_.push_back(std::move(e));
      if (boundary) Flush();
    }
    void Flush() {
      if (pending_.empty()) return;
      Node node;
      node.level = level_;
      node.entries = std::move(pending_);
      pending_.clear();
      NodeEntry ref;
      ref.key = node.last_key();
      ref.count = node.TotalCount();
      ref.child = w_->StoreNode(std::move(node));
      out_->push_back(std::move(ref));
    }
    bool empty() const { return pending_.empty(); }

   private:
    TreeRewriter* w_;
    uint32_t level_;
    std::vector<NodeEntry>* out_;
    std::vector<NodeEntry> pending_;
  };

  ObjectId StoreNode(Node node) {
    NodePtr stored;
    ObjectId id = tree_.store_->Store(std::move(node), batch_, &stored);
    created_[id] = std::move(stored);
    return id;
  }

  // Loads a node, including ones created by this rewrite and not yet written.
  Result<NodePtr> LoadAny(const ObjectId& id) {
    auto it = created_.find(id);
    if (it != created_.end()) return it->second;
    return tree_.store_->Load(id);
  }

  // Rewrites the nodes at `level` that the edits fall in. Appends the new nodes'
  // references to `emitted` and returns the edits for the level above.
  Result<std::vector<LevelEdit>> RewriteLevel(const ObjectId& root, uint32_t level,
                                              const std::vector<LevelEdit>& edits,
                                              std::vector<NodeEntry>* emitted) {
    std::map<std::string, ObjectId> removed;  // old node key -> old node id
    size_t first_emitted = emitted->size();
    LevelCursor cursor(tree_.store_);
    size_t i = 0;
    while (i < edits.size()) {
      ARBOR_RETURN_IF_ERROR(cursor.Seek(root, level, edits[i].key));
      Chunker chunker(this, level, emitted);
      while (true) {
        const Node& node = cursor.node();
        const bool last = !cursor.HasNext();
        size_t j = i;
        if (last) {
          j = edits.size();
        } else {
          while (j < edits.size() && edits[j].key <= node.last_key())
            ++j;
        }
        MergeInto(node, edits, i, j, &chunker);
        if (!node.entries.empty()) removed.emplace(node.last_key(), cursor.id());
        i = j;
        // An old node ends on a boundary (unless it is the last), so an empty chunker
        // here means the new nodes have realigned with the old ones.
        if (chunker.empty()) break;
        if (last) {
          chunker.Flush();
          break;
        }
        ARBOR_RETURN_IF_ERROR(cursor.NextNode());
      }
    }

    // Parent edits: drop each replaced node's reference, add each new node's. A node
    // that came out identical cancels out.
    std::map<std::string, std::optional<NodeEntry>> parent;
    for (const auto& [key, id] : removed)
      parent.emplace(key, std::nullopt);
    for (size_t k = first_emitted; k < emitted->size(); ++k) {
      const NodeEntry& ref = (*emitted)[k];
      auto old = removed.find(ref.key);
      if (old != removed.end() && old->second == ref.child) {
        parent.erase(ref.key);
      } else {
        parent[ref.key] = ref;
      }
    }
    std::vector<LevelEdit> out;
    out.reserve(parent.size());
    for (auto& [key, entry] : parent)
      out.push_back({key, std::move(entry)});
    return out;
  }

  // Feeds node's entries, with edits [i, j) applied, to the chunker in key order.
  static void MergeInto(const Node& node, const std::vector<LevelEdit>& edits, size_t i, size_t j,
                        Chunker* chunker) {
    size_t n = 0;
    while (n < node.entries.size() || i < j) {
      if (i == j || (n < node.entries.size() && node.entries[n].key < edits[i].key)) {
        chunker->Add(node.entries[n++]);
        continue;
      }
      if (n < node.entries.size() && node.entries[n].key == edits[i].key) ++n;  // replaced
      if (edits[i].entry) chunker->Add(*edits[i].entry);
      ++i;
    }
  }

  // Builds levels above `emitted` until one node remains, then drops single-child roots:
  // the canonical root is the lowest level that is a single node.
  Result<ObjectId> FinishRoot(std::vector<NodeEntry> emitted, uint32_t level) {
    if (emitted.empty()) return tree_.EmptyRoot();
    while (emitted.size() > 1) {
      ++level;
      std::vector<NodeEntry> next;
      Chunker chunker(this, level, &next);
      for (auto& e : emitted)
        chunker.Add(std::move(e));
      chunker.Flush();
      emitted = std::move(next);
    }
    ObjectId root = emitted[0].child;
    ARBOR_ASSIGN_OR_RETURN(NodePtr node, LoadAny(root));
    while (!node->is_leaf() && node->entries.size() == 1) {
      root = node->entries[0].child;
      ARBOR_ASSIGN_OR_RETURN(node, LoadAny(root));
    }
    return root;
  }

  const ProllyTree& tree_;
  WriteBatch* batch_;
  std::unordered_map<ObjectId, NodePtr, ObjectIdHash> created_;
};

ProllyTree::ProllyTree(NodeStore* store, TreeOptions options) : store_(store), options_(options) {}

bool ProllyTree::IsBoundary(uint32_t level, const NodeEntry& entry) const {
  size_t size = entry.key.size() + (level == 0 ? entry.value.size() + 2 : kInternalEntryOverhead);
  size_t target = level == 0 ? options_.target_leaf_bytes : options_.target_internal_bytes;
  if (size >= target) return true;
  uint64_t threshold = (std::numeric_limits<uint64_t>::max() / target) * size;
  return Hash64(entry.key, kLevelSalt * (level + 1)) < threshold;
}

Result<std::optional<std::string>> ProllyTree::Get(const ObjectId& root,
                                                   std::string_view key) const {
  ARBOR_ASSIGN_OR_RETURN(NodePtr node, store_->Load(root));
  while (true) {
    size_t idx = node->LowerBound(key);
    if (idx == node->entries.size()) return std::optional<std::string>();
    const NodeEntry& e = node->entries[idx];
    if (node->is_leaf()) {
      if (e.key != key) return std::optional<std::string>();
      ARBOR_ASSIGN_OR_RETURN(std::string v, ResolveValue(store_, e));
      return std::optional<std::string>(std::move(v));
    }
    ARBOR_ASSIGN_OR_RETURN(node, store_->Load(e.child));
  }
}

Result<ObjectId> ProllyTree::Apply(const ObjectId& root, std::vector<Edit> edits,
                                   WriteBatch* batch) const {
  if (edits.empty()) return root;
  std::stable_sort(edits.begin(), edits.end(),
                   [](const Edit& a, const Edit& b) { return a.key < b.key; });
  std::vector<LevelEdit> leaf_edits;
  leaf_edits.reserve(edits.size());
  for (size_t i = 0; i < edits.size(); ++i) {
    if (i + 1 < edits.size() && edits[i + 1].key == edits[i].key) continue;  // last wins
    LevelEdit le;
    le.key = std::move(edits[i].key);
    if (edits[i].value) {
      NodeEntry e;
      e.key = le.key;
      if (edits[i].value->size() > options_.max_inline_value) {
        e.value = std::string(store_->StoreBlob(*edits[i].value, batch).bytes());
        e.blob = true;
      } else {
        e.value = std::move(*edits[i].value);
      }
      le.entry = std::move(e);
    }
    leaf_edits.push_back(std::move(le));
  }
  TreeRewriter rewriter(*this, batch);
  return rewriter.Run(root, std::move(leaf_edits));
}

Result<uint64_t> ProllyTree::Count(const ObjectId& root) const {
  ARBOR_ASSIGN_OR_RETURN(NodePtr node, store_->Load(root));
  return node->TotalCount();
}

Result<uint64_t> ProllyTree::Rank(const ObjectId& root, std::string_view key) const {
  ARBOR_ASSIGN_OR_RETURN(NodePtr node, store_->Load(root));
  uint64_t rank = 0;
  while (!node->is_leaf()) {
    size_t idx = node->LowerBound(key);
    for (size_t k = 0; k < idx; ++k)
      rank += node->entries[k].count;
    if (idx == node->entries.size()) return rank;
    ARBOR_ASSIGN_OR_RETURN(node, store_->Load(node->entries[idx].child));
  }
  return rank + node->LowerBound(key);
}

Result<TreeCursor> ProllyTree::Seek(const ObjectId& root, std::string_view key) const {
  return TreeCursor::Seek(store_, root, key);
}

Result<TreeCursor> ProllyTree::SeekToOffset(const ObjectId& root, uint64_t offset) const {
  return TreeCursor::SeekToOffset(store_, root, offset);
}

Status ProllyTree::Scan(const ObjectId& root, std::string_view begin, std::string_view end,
                        const std::function<bool(std::string_view, std::string_view)>& fn) const {
  ARBOR_ASSIGN_OR_RETURN(TreeCursor c, Seek(root, begin));
  while (c.Valid()) {
    if (!end.empty() && c.key() >= end) break;
    const NodeEntry& e = c.entry();
    if (!e.blob) {
      if (!fn(c.key(), e.value)) break;  // inline values are passed without a copy
    } else {
      ARBOR_ASSIGN_OR_RETURN(std::string v, c.value());
      if (!fn(c.key(), v)) break;
    }
    ARBOR_RETURN_IF_ERROR(c.Next());
  }
  return Status::OK();
}

namespace {

// Calls fn for the keys of `keys` (a leaf's or a KeyBlock's, both with size(),
// key(i) and LowerBound()) that lie in [begin, end); false once fn refused a key or
// a key reached `end`.
template <typename Keys>
bool EmitRun(const Keys& keys, std::string_view begin, std::string_view end,
             const std::function<bool(std::string_view)>& fn) {
  const size_t n = keys.size();
  if (n == 0) return true;
  // Past the first run begin lies behind, and mostly end lies ahead: one comparison
  // each per run instead of one per key.
  const size_t first = keys.key(0) >= begin ? 0 : keys.LowerBound(begin);
  if (end.empty() || keys.key(n - 1) < end) {
    for (size_t i = first; i < n; ++i) {
      if (!fn(keys.key(i))) return false;
    }
    return true;
  }
  for (size_t i = first; i < n; ++i) {
    if (keys.key(i) >= end || !fn(keys.key(i))) return false;
  }
  return false;  // a key reached end
}

// A leaf's keys, seen as EmitRun sees a KeyBlock.
struct LeafKeys {
  const Node& leaf;
  size_t size() const { return leaf.entries.size(); }
  std::string_view key(size_t i) const { return leaf.entries[i].key; }
  size_t LowerBound(std::string_view k) const { return leaf.LowerBound(k); }
};

// Calls fn for the keys in [begin, end) beneath `node`; false once done (fn
// refused a key or a key reached end).
Result<bool> EmitKeys(NodeStore* store, const Node& node, std::string_view begin,
                      std::string_view end, const std::function<bool(std::string_view)>& fn) {
  if (node.is_leaf()) return EmitRun(LeafKeys{node}, begin, end, fn);
  // An internal entry's key is the largest of its subtree: the first subtree that
  // can hold a key >= begin is at LowerBound(begin).
  for (size_t i = node.LowerBound(begin); i < node.entries.size(); ++i) {
    const ObjectId& child_id = node.entries[i].child;
    bool more;
    if (node.level == NodeStore::kKeyBlockLevel + 1) {
      // Children at the key-block level are read as blocks, without loading them.
      ARBOR_ASSIGN_OR_RETURN(std::shared_ptr<const KeyBlock> block, store->LoadKeyBlock(child_id));
      more = EmitRun(*block, begin, end, fn);
    } else {
      ARBOR_ASSIGN_OR_RETURN(NodePtr child, store->Load(child_id));
      ARBOR_ASSIGN_OR_RETURN(more, EmitKeys(store, *child, begin, end, fn));
    }
    if (!more) return false;
  }
  return true;
}

}  // namespace

Status ProllyTree::ScanKeys(const ObjectId& root, std::string_view begin, std::string_view end,
                            const std::function<bool(std::string_view)>& fn) const {
  ARBOR_ASSIGN_OR_RETURN(NodePtr node, store_->Load(root));
  if (!node->is_leaf() && node->level <= NodeStore::kKeyBlockLevel) {
    ARBOR_ASSIGN_OR_RETURN(std::shared_ptr<const KeyBlock> block, store_->LoadKeyBlock(root));
    EmitRun(*block, begin, end, fn);
    return Status::OK();
  }
  return EmitKeys(store_, *node, begin, end, fn).status();
}

}  // namespace arbor

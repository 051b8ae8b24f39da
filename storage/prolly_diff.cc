#include "storage/prolly_diff.h"

#include <vector>

#include "storage/prolly_cursor.h"

namespace arbor {

namespace {

// Entries of one tree level, borrowed from the nodes that hold them: no entry is
// copied, and `owners` keeps those nodes alive while the list is in use.
struct EntryList {
  std::vector<NodePtr> owners;
  std::vector<const NodeEntry*> entries;
};

class Differ {
 public:
  Differ(NodeStore* store, const DiffRange& range, const std::function<bool(DiffEntry&&)>& fn)
      : store_(store), range_(range), fn_(fn) {}

  Status Run(const ObjectId& left, const ObjectId& right) {
    if (left == right) return Status::OK();
    ARBOR_ASSIGN_OR_RETURN(NodePtr l, store_->Load(left));
    ARBOR_ASSIGN_OR_RETURN(NodePtr r, store_->Load(right));
    EntryList a, b;
    Append(l, &a);
    Append(r, &b);
    return DiffLists(l->level, std::move(a), r->level, std::move(b));
  }

 private:
  // Adds a node's entries to `list`, dropping those whose whole subtree (or, in a
  // leaf, the entry itself) lies before the range.
  void Append(const NodePtr& node, EntryList* list) const {
    for (const auto& e : node->entries) {
      if (e.key >= range_.begin) list->entries.push_back(&e);
    }
    list->owners.push_back(node);
  }

  // The entries of the nodes `refs` point at, one level down.
  Result<EntryList> Expand(const std::vector<const NodeEntry*>& refs) {
    EntryList out;
    for (const NodeEntry* ref : refs) {
      ARBOR_ASSIGN_OR_RETURN(NodePtr child, store_->Load(ref->child));
      Append(child, &out);
    }
    return out;
  }

  Status DiffLists(uint32_t llevel, EntryList a, uint32_t rlevel, EntryList b) {
    while (llevel > rlevel) {
      ARBOR_ASSIGN_OR_RETURN(a, Expand(a.entries));
      --llevel;
    }
    while (rlevel > llevel) {
      ARBOR_ASSIGN_OR_RETURN(b, Expand(b.entries));
      --rlevel;
    }
    if (llevel == 0) return DiffLeaves(a.entries, b.entries);

    // Walk both lists in key order. Equal (key, id) pairs are identical subtrees: skip
    // them. Everything between two such pairs covers the same key range on both sides,
    // so those runs are compared one level down.
    std::vector<const NodeEntry*> run_a, run_b;
    auto flush = [&]() -> Status {
      if (run_a.empty() && run_b.empty()) return Status::OK();
      ARBOR_ASSIGN_OR_RETURN(EntryList ea, Expand(run_a));
      ARBOR_ASSIGN_OR_RETURN(EntryList eb, Expand(run_b));
      run_a.clear();
      run_b.clear();
      return DiffLists(llevel - 1, std::move(ea), llevel - 1, std::move(eb));
    };
    const auto& ea = a.entries;
    const auto& eb = b.entries;
    size_t i = 0, j = 0;
    while ((i < ea.size() || j < eb.size()) && !stopped_) {
      if (i < ea.size() && j < eb.size() && ea[i]->key == eb[j]->key) {
        if (ea[i]->child == eb[j]->child) {
          ARBOR_RETURN_IF_ERROR(flush());
        } else {
          run_a.push_back(ea[i]);
          run_b.push_back(eb[j]);
        }
        ++i;
        ++j;
      } else if (j == eb.size() || (i < ea.size() && ea[i]->key < eb[j]->key)) {
        run_a.push_back(ea[i++]);
      } else {
        run_b.push_back(eb[j++]);
      }
    }
    if (stopped_) return Status::OK();
    return flush();
  }

  Status DiffLeaves(const std::vector<const NodeEntry*>& a,
                    const std::vector<const NodeEntry*>& b) {
    size_t i = 0, j = 0;
    while ((i < a.size() || j < b.size()) && !stopped_) {
      const NodeEntry* l = i < a.size() ? a[i] : nullptr;
      const NodeEntry* r = j < b.size() ? b[j] : nullptr;
      const std::string& key = (l && (!r || l->key <= r->key)) ? l->key : r->key;
      if (!range_.end.empty() && key >= range_.end) {
        stopped_ = true;
        break;
      }
      DiffEntry d;
      if (l && r && l->key == r->key) {
        ++i;
        ++j;
        if (l->value == r->value && l->blob == r->blob) continue;
        d.key = l->key;
        ARBOR_ASSIGN_OR_RETURN(d.left, ResolveValue(store_, *l));
        ARBOR_ASSIGN_OR_RETURN(d.right, ResolveValue(store_, *r));
      } else if (l && (!r || l->key < r->key)) {
        ++i;
        d.key = l->key;
        ARBOR_ASSIGN_OR_RETURN(d.left, ResolveValue(store_, *l));
      } else {
        ++j;
        d.key = r->key;
        ARBOR_ASSIGN_OR_RETURN(d.right, ResolveValue(store_, *r));
      }
      if (!fn_(std::move(d))) stopped_ = true;
    }
    return Status::OK();
  }

  NodeStore* store_;
  const DiffRange& range_;
  const std::function<bool(DiffEntry&&)>& fn_;
  bool stopped_ = false;
};

}  // namespace

Status DiffTrees(NodeStore* store, const ObjectId& left, const ObjectId& right,
                 const DiffRange& range, const std::function<bool(DiffEntry&&)>& fn) {
  Differ differ(store, range, fn);
  return differ.Run(left, right);
}

}  // namespace arbor

#include "storage/prolly_diff.h"

#include <vector>

#include "storage/prolly_cursor.h"

namespace arbor {

namespace {

using EntryList = std::vector<NodeEntry>;

class Differ {
 public:
  Differ(NodeStore* store, const DiffRange& range, const std::function<bool(DiffEntry&&)>& fn)
      : store_(store), range_(range), fn_(fn) {}

  Status Run(const ObjectId& left, const ObjectId& right) {
    if (left == right) return Status::OK();
    ARBOR_ASSIGN_OR_RETURN(NodePtr l, store_->Load(left));
    ARBOR_ASSIGN_OR_RETURN(NodePtr r, store_->Load(right));
    return DiffLists(l->level, Prune(l->entries), r->level, Prune(r->entries));
  }

 private:
  // Drops entries whose whole subtree lies before the range.
  EntryList Prune(const EntryList& list) const {
    EntryList out;
    for (const auto& e : list) {
      if (e.key >= range_.begin) out.push_back(e);
    }
    return out;
  }

  // The entries of the nodes `list` references, one level down.
  Result<EntryList> Expand(const EntryList& list) {
    EntryList out;
    for (const auto& ref : list) {
      ARBOR_ASSIGN_OR_RETURN(NodePtr child, store_->Load(ref.child));
      for (const auto& e : child->entries) {
        if (e.key >= range_.begin) out.push_back(e);
      }
    }
    return out;
  }

  Status DiffLists(uint32_t llevel, EntryList a, uint32_t rlevel, EntryList b) {
    while (llevel > rlevel) {
      ARBOR_ASSIGN_OR_RETURN(a, Expand(a));
      --llevel;
    }
    while (rlevel > llevel) {
      ARBOR_ASSIGN_OR_RETURN(b, Expand(b));
      --rlevel;
    }
    if (llevel == 0) return DiffLeaves(a, b);

    // Walk both lists in key order. Equal (key, id) pairs are identical subtrees: skip
    // them. Everything between two such pairs covers the same key range on both sides,
    // so those runs are compared one level down.
    EntryList run_a, run_b;
    auto flush = [&]() -> Status {
      if (run_a.empty() && run_b.empty()) return Status::OK();
      ARBOR_ASSIGN_OR_RETURN(EntryList ea, Expand(run_a));
      ARBOR_ASSIGN_OR_RETURN(EntryList eb, Expand(run_b));
      run_a.clear();
      run_b.clear();
      return DiffLists(llevel - 1, std::move(ea), llevel - 1, std::move(eb));
    };
    size_t i = 0, j = 0;
    while ((i < a.size() || j < b.size()) && !stopped_) {
      if (i < a.size() && j < b.size() && a[i].key == b[j].key) {
        if (a[i].child == b[j].child) {
          ARBOR_RETURN_IF_ERROR(flush());
        } else {
          run_a.push_back(std::move(a[i]));
          run_b.push_back(std::move(b[j]));
        }
        ++i;
        ++j;
      } else if (j == b.size() || (i < a.size() && a[i].key < b[j].key)) {
        run_a.push_back(std::move(a[i++]));
      } else {
        run_b.push_back(std::move(b[j++]));
      }
    }
    if (stopped_) return Status::OK();
    return flush();
  }

  Status DiffLeaves(const EntryList& a, const EntryList& b) {
    size_t i = 0, j = 0;
    while ((i < a.size() || j < b.size()) && !stopped_) {
      const NodeEntry* l = i < a.size() ? &a[i] : nullptr;
      const NodeEntry* r = j < b.size() ? &b[j] : nullptr;
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
      if (!range_.end.empty() && d.key >= range_.end) {
        stopped_ = true;
        break;
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

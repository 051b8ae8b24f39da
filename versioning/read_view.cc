#include "versioning/read_view.h"

#include "versioning/staging.h"

namespace arbor {

OverlayIterator::OverlayIterator(KvStore* kv, const ProllyTree* tree,
                                 std::shared_ptr<Snapshot> snapshot, ObjectId root,
                                 std::string staging_token)
    : kv_(kv),
      tree_(tree),
      snapshot_(std::move(snapshot)),
      root_(root),
      token_(std::move(staging_token)) {
  if (!token_.empty()) {
    ReadOptions ro;
    ro.snapshot = snapshot_.get();
    ro.upper_bound = StagingTokenRange(token_).second;
    staging_ = kv_->NewIterator(Column::kStaging, ro);
  }
}

Status OverlayIterator::Seek(std::string_view key) {
  ARBOR_ASSIGN_OR_RETURN(TreeCursor c, tree_->Seek(root_, key));
  tree_cursor_.emplace(std::move(c));
  if (staging_) {
    staging_->Seek(StagingKey(token_, key));
    ARBOR_RETURN_IF_ERROR(staging_->status());
  }
  return Settle();
}

Status OverlayIterator::AdvanceStaging() {
  staging_->Next();
  return staging_->status();
}

Status OverlayIterator::Settle() {
  while (true) {
    bool have_tree = tree_cursor_ && tree_cursor_->Valid();
    bool have_staged = staging_ && staging_->Valid();
    if (!have_tree && !have_staged) {
      valid_ = false;
      return Status::OK();
    }
    std::string_view staged_key =
        have_staged ? staging_->key().substr(token_.size()) : std::string_view();
    if (have_staged && (!have_tree || staged_key <= tree_cursor_->key())) {
      // Staging shadows the tree: skip the tree's entry for the same key.
      if (have_tree && staged_key == tree_cursor_->key()) {
        ARBOR_RETURN_IF_ERROR(tree_cursor_->Next());
      }
      ARBOR_ASSIGN_OR_RETURN(auto v, DecodeStagedValue(staging_->value()));
      if (!v) {
        ARBOR_RETURN_IF_ERROR(AdvanceStaging());
        continue;  // a tombstone
      }
      key_.assign(staged_key);
      value_ = std::move(*v);
      valid_ = true;
      return Status::OK();
    }
    key_.assign(tree_cursor_->key());
    ARBOR_ASSIGN_OR_RETURN(value_, tree_cursor_->value());
    valid_ = true;
    return Status::OK();
  }
}

Status OverlayIterator::Next() {
  if (!valid_) return Status::OK();
  // Exactly one source produced the current entry (Settle already skipped the other
  // source's shadowed copy), and it is the one still positioned at key_.
  if (staging_ && staging_->Valid() && staging_->key().substr(token_.size()) == key_) {
    ARBOR_RETURN_IF_ERROR(AdvanceStaging());
  } else {
    ARBOR_RETURN_IF_ERROR(tree_cursor_->Next());
  }
  return Settle();
}

ReadView::ReadView(KvStore* kv, const ProllyTree* tree, std::shared_ptr<Snapshot> snapshot,
                   ResolvedRef ref, ObjectId root)
    : kv_(kv), tree_(tree), snapshot_(std::move(snapshot)), ref_(std::move(ref)), root_(root) {}

Result<std::optional<std::string>> ReadView::Get(std::string_view key) const {
  if (has_staging()) {
    ReadOptions ro;
    ro.snapshot = snapshot_.get();
    auto staged = kv_->Get(Column::kStaging, StagingKey(ref_.staging_token, key), ro);
    if (staged.ok()) return DecodeStagedValue(*staged);
    if (!staged.status().IsNotFound()) return staged.status();
  }
  return tree_->Get(root_, key);
}

Result<bool> ReadView::Exists(std::string_view key) const {
  ARBOR_ASSIGN_OR_RETURN(auto v, Get(key));
  return v.has_value();
}

std::unique_ptr<OverlayIterator> ReadView::NewIterator() const {
  return std::make_unique<OverlayIterator>(kv_, tree_, snapshot_, root_,
                                           has_staging() ? ref_.staging_token : std::string());
}

Status ReadView::Scan(const KeyRange& range,
                      const std::function<bool(const std::string&, const std::string&)>& fn) const {
  return ScanFrom(range, 0, fn);
}

Status ReadView::ScanFrom(
    const KeyRange& range, uint64_t offset,
    const std::function<bool(const std::string&, const std::string&)>& fn) const {
  std::string start = range.begin;
  if (offset > 0) {
    bool staged_in_range = false;
    if (has_staging()) {
      ReadOptions ro;
      ro.snapshot = snapshot_.get();
      ARBOR_ASSIGN_OR_RETURN(
          auto staged, ReadStagedEdits(kv_, ref_.staging_token, ro, range.begin, range.end, 1));
      staged_in_range = !staged.empty();
    }
    if (!staged_in_range) {
      // Counted subtrees find the offset-th entry of the range in O(log n).
      ARBOR_ASSIGN_OR_RETURN(uint64_t rank, tree_->Rank(root_, range.begin));
      ARBOR_ASSIGN_OR_RETURN(TreeCursor c, tree_->SeekToOffset(root_, rank + offset));
      if (!c.Valid()) return Status::OK();
      start.assign(c.key());
      offset = 0;
    }
  }
  auto it = NewIterator();
  ARBOR_RETURN_IF_ERROR(it->Seek(start));
  while (it->Valid() && range.Contains(it->key())) {
    if (offset > 0) {
      --offset;
    } else if (!fn(it->key(), it->value())) {
      break;
    }
    ARBOR_RETURN_IF_ERROR(it->Next());
  }
  return Status::OK();
}

}  // namespace arbor

#include "versioning/read_view.h"

#include "versioning/staging.h"

namespace arbor {

OverlayIterator::OverlayIterator(KvStore* kv, const ProllyTree* tree,
                                 std::shared_ptr<Snapshot> snapshot, ObjectId root,
                                 std::string staging_token,
                                 std::shared_ptr<const PendingEdits> pending, ScanValues values)
    : kv_(kv),
      tree_(tree),
      snapshot_(std::move(snapshot)),
      root_(root),
      token_(std::move(staging_token)),
      pending_(std::move(pending)),
      values_(values) {
  if (!token_.empty()) {
    ReadOptions ro;
    ro.snapshot = snapshot_.get();
    ro.upper_bound = StagingTokenRange(token_).second;
    staging_ = kv_->NewIterator(Column::kStaging, ro);
  }
  if (pending_) pending_it_ = pending_->end();
}

Status OverlayIterator::Seek(std::string_view key) {
  ARBOR_ASSIGN_OR_RETURN(TreeCursor c, tree_->Seek(root_, key));
  tree_cursor_.emplace(std::move(c));
  if (staging_) {
    staging_->Seek(StagingKey(token_, key));
    ARBOR_RETURN_IF_ERROR(staging_->status());
  }
  if (pending_) pending_it_ = pending_->lower_bound(key);
  return Settle();
}

bool OverlayIterator::PendingFirst() const {
  if (!pending_ || pending_it_ == pending_->end()) return false;
  if (!staging_ || !staging_->Valid()) return true;
  return std::string_view(pending_it_->first) <= staging_->key().substr(token_.size());
}

bool OverlayIterator::StagedValid() const {
  return (staging_ && staging_->Valid()) || (pending_ && pending_it_ != pending_->end());
}

std::string_view OverlayIterator::StagedKey() const {
  if (PendingFirst()) return pending_it_->first;
  return staging_->key().substr(token_.size());
}

Result<std::optional<std::string>> OverlayIterator::StagedValue() const {
  if (PendingFirst()) return pending_it_->second;
  return DecodeStagedValue(staging_->value());
}

Result<bool> OverlayIterator::StagedLive() const {
  if (PendingFirst()) return pending_it_->second.has_value();
  return StagedValueIsLive(staging_->value());
}

Status OverlayIterator::AdvanceStaging() {
  if (PendingFirst()) {
    // A pending edit shadows a staged one for the same key: step past both.
    if (staging_ && staging_->Valid() &&
        staging_->key().substr(token_.size()) == pending_it_->first) {
      staging_->Next();
    }
    ++pending_it_;
  } else {
    staging_->Next();
  }
  return staging_ ? staging_->status() : Status::OK();
}

Status OverlayIterator::Settle() {
  while (true) {
    bool have_tree = tree_cursor_ && tree_cursor_->Valid();
    bool have_staged = StagedValid();
    if (!have_tree && !have_staged) {
      valid_ = false;
      return Status::OK();
    }
    std::string_view staged_key = have_staged ? StagedKey() : std::string_view();
    if (have_staged && (!have_tree || staged_key <= tree_cursor_->key())) {
      // Staging shadows the tree: skip the tree's entry for the same key.
      if (have_tree && staged_key == tree_cursor_->key()) {
        ARBOR_RETURN_IF_ERROR(tree_cursor_->Next());
      }
      if (values_ == ScanValues::kSkip) {
        ARBOR_ASSIGN_OR_RETURN(bool live, StagedLive());
        if (!live) {
          ARBOR_RETURN_IF_ERROR(AdvanceStaging());
          continue;  // a tombstone
        }
        key_.assign(staged_key);
        valid_ = true;
        return Status::OK();
      }
      ARBOR_ASSIGN_OR_RETURN(auto v, StagedValue());
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
    if (values_ == ScanValues::kSkip) {
      valid_ = true;
      return Status::OK();
    }
    // An inline value is copied into value_'s buffer, which a scan reuses from entry to
    // entry; only a blob needs a fresh string from the store.
    const NodeEntry& entry = tree_cursor_->entry();
    if (entry.blob) {
      ARBOR_ASSIGN_OR_RETURN(value_, tree_cursor_->value());
    } else {
      value_.assign(entry.value);
    }
    valid_ = true;
    return Status::OK();
  }
}

Status OverlayIterator::Next() {
  if (!valid_) return Status::OK();
  // Exactly one source produced the current entry (Settle already skipped the other
  // source's shadowed copy), and it is the one still positioned at key_.
  if (StagedValid() && StagedKey() == key_) {
    ARBOR_RETURN_IF_ERROR(AdvanceStaging());
  } else {
    ARBOR_RETURN_IF_ERROR(tree_cursor_->Next());
  }
  return Settle();
}

ReadView::ReadView(KvStore* kv, const ProllyTree* tree, std::shared_ptr<Snapshot> snapshot,
                   ResolvedRef ref, ObjectId root)
    : kv_(kv), tree_(tree), snapshot_(std::move(snapshot)), ref_(std::move(ref)), root_(root) {}

ReadView ReadView::WithPending(std::shared_ptr<const PendingEdits> pending) const {
  ReadView v = *this;
  v.pending_ = pending && !pending->empty() ? std::move(pending) : nullptr;
  return v;
}

Result<std::optional<std::string>> ReadView::Get(std::string_view key) const {
  if (pending_) {
    auto it = pending_->find(key);
    if (it != pending_->end()) return it->second;
  }
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

std::unique_ptr<OverlayIterator> ReadView::NewIterator(ScanValues values) const {
  return std::make_unique<OverlayIterator>(kv_, tree_, snapshot_, root_,
                                           has_staging() ? ref_.staging_token : std::string(),
                                           pending_, values);
}

Result<bool> ReadView::StagedIn(const KeyRange& range) const {
  if (pending_) {
    auto it = pending_->lower_bound(range.begin);
    if (it != pending_->end() && range.Contains(it->first)) return true;
  }
  if (!has_staging()) return false;
  ReadOptions ro;
  ro.snapshot = snapshot_.get();
  ARBOR_ASSIGN_OR_RETURN(size_t staged,
                         CountStagedEdits(kv_, ref_.staging_token, ro, range.begin, range.end, 1));
  return staged > 0;
}

Result<uint64_t> ReadView::TreeCount(const KeyRange& range) const {
  ARBOR_ASSIGN_OR_RETURN(uint64_t below_end,
                         range.end.empty() ? tree_->Count(root_) : tree_->Rank(root_, range.end));
  ARBOR_ASSIGN_OR_RETURN(uint64_t below_begin, tree_->Rank(root_, range.begin));
  return below_end > below_begin ? below_end - below_begin : 0;
}

Result<std::optional<uint64_t>> ReadView::CountBound(const KeyRange& range,
                                                     size_t max_edits) const {
  ARBOR_ASSIGN_OR_RETURN(uint64_t n, TreeCount(range));
  size_t edits = 0;
  if (pending_) {
    for (auto it = pending_->lower_bound(range.begin);
         it != pending_->end() && range.Contains(it->first) && edits <= max_edits; ++it) {
      ++edits;
    }
  }
  if (has_staging() && edits <= max_edits) {
    ReadOptions ro;
    ro.snapshot = snapshot_.get();
    ARBOR_ASSIGN_OR_RETURN(size_t staged, CountStagedEdits(kv_, ref_.staging_token, ro, range.begin,
                                                           range.end, max_edits + 1 - edits));
    edits += staged;
  }
  if (edits > max_edits) return std::optional<uint64_t>();
  return std::optional<uint64_t>(n + edits);
}

Result<uint64_t> ReadView::Count(const KeyRange& range) const {
  ARBOR_ASSIGN_OR_RETURN(bool staged_in_range, StagedIn(range));
  if (!staged_in_range) return TreeCount(range);
  uint64_t n = 0;
  ARBOR_RETURN_IF_ERROR(Scan(
      range,
      [&](const std::string&, const std::string&) {
        ++n;
        return true;
      },
      ScanValues::kSkip));
  return n;
}

Status ReadView::Scan(const KeyRange& range,
                      const std::function<bool(const std::string&, const std::string&)>& fn,
                      ScanValues values) const {
  return ScanFrom(range, 0, fn, values);
}

Result<bool> ReadView::StartOf(const KeyRange& range, std::string* start, uint64_t* offset,
                               bool* staged_in_range) const {
  start->assign(range.begin);
  ARBOR_ASSIGN_OR_RETURN(*staged_in_range, StagedIn(range));
  if (*offset == 0 || *staged_in_range) return true;
  ARBOR_ASSIGN_OR_RETURN(uint64_t rank, tree_->Rank(root_, range.begin));
  ARBOR_ASSIGN_OR_RETURN(TreeCursor c, tree_->SeekToOffset(root_, rank + *offset));
  if (!c.Valid()) return false;
  start->assign(c.key());
  *offset = 0;
  return true;
}

Status ReadView::ScanFrom(const KeyRange& range, uint64_t offset,
                          const std::function<bool(const std::string&, const std::string&)>& fn,
                          ScanValues values) const {
  if (values == ScanValues::kSkip) {
    const std::string no_value;
    std::string key;
    return ScanKeysFrom(range, offset, [&](std::string_view k) {
      key.assign(k);
      return fn(key, no_value);
    });
  }
  std::string start = range.begin;
  if (offset > 0) {
    bool staged_in_range;
    ARBOR_ASSIGN_OR_RETURN(bool any, StartOf(range, &start, &offset, &staged_in_range));
    if (!any) return Status::OK();
  }
  return Iterate(range, start, offset, values, fn);
}

Status ReadView::ScanKeysFrom(const KeyRange& range, uint64_t offset,
                              const std::function<bool(std::string_view)>& fn) const {
  std::string start;
  bool staged_in_range;
  ARBOR_ASSIGN_OR_RETURN(bool any, StartOf(range, &start, &offset, &staged_in_range));
  if (!any) return Status::OK();
  // Only the tree's keys: its key blocks serve them, without a copy.
  if (!staged_in_range) return tree_->ScanKeys(root_, start, range.end, fn);
  return Iterate(range, start, offset, ScanValues::kSkip,
                 [&](const std::string& k, const std::string&) { return fn(k); });
}

Status ReadView::Iterate(
    const KeyRange& range, std::string_view start, uint64_t offset, ScanValues values,
    const std::function<bool(const std::string&, const std::string&)>& fn) const {
  auto it = NewIterator(values);
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

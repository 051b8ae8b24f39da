// ReadView: the catalog as one ref sees it, through one consistent snapshot.
//
// A view of a branch overlays the branch's staged changes on its head tree; a
// view of a tag or commit reads the tree alone. The view pins a storage
// snapshot taken when the ref was resolved, so the branch record, its staging
// and (immutable) tree nodes all come from one point in time, however many
// reads the view serves and whatever writers do meanwhile.
//
// A view may also carry pending edits: writes of the same branch that are accepted
// but not yet stored (a group commit runs each writer's checks against the writes
// queued before it). They shadow staging, as staging shadows the tree. Only the
// reads of this class see them; code that reads the staging column directly with
// snapshot() (DiffViews) does not, so such views are handed to Mutate functions only.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "storage/prolly_tree.h"
#include "versioning/catalog_key.h"

namespace arbor {

// Which ref a view (or a write) addresses.
struct ResolvedRef {
  enum class Kind { kBranch, kTag, kCommit };
  Kind kind = Kind::kBranch;
  std::string expression;     // as the caller wrote it
  std::string branch;         // kBranch: the branch name
  ObjectId commit;            // the head (branch) or the commit read
  std::string staging_token;  // kBranch only
  bool is_protected = false;  // kBranch only

  bool is_branch() const { return kind == Kind::kBranch; }
};

// Catalog key -> value (nullopt: deleted), in key order.
using PendingEdits = std::map<std::string, std::optional<std::string>, std::less<>>;

// Whether a scan reads stored values, or hands out keys alone (every value "").
// Keys alone copy no value: a names-only listing or a range delete needs nothing else.
enum class ScanValues { kRead, kSkip };

// Iterates the overlay of pending edits on staged edits on a tree, skipping tombstones.
class OverlayIterator {
 public:
  OverlayIterator(KvStore* kv, const ProllyTree* tree, std::shared_ptr<Snapshot> snapshot,
                  ObjectId root, std::string staging_token,
                  std::shared_ptr<const PendingEdits> pending = nullptr,
                  ScanValues values = ScanValues::kRead);

  Status Seek(std::string_view key);
  bool Valid() const { return valid_; }
  const std::string& key() const { return key_; }
  // "" when the iterator skips values.
  const std::string& value() const { return value_; }
  Status Next();

 private:
  Status Settle();  // positions key_/value_ on the next live entry
  // The staged source: pending edits merged over the staging column.
  bool StagedValid() const;
  std::string_view StagedKey() const;
  Result<std::optional<std::string>> StagedValue() const;
  Result<bool> StagedLive() const;  // StagedValue().has_value(), without the copy
  Status AdvanceStaging();
  bool PendingFirst() const;  // the pending entry is the staged source's current one

  KvStore* kv_;
  const ProllyTree* tree_;
  std::shared_ptr<Snapshot> snapshot_;
  ObjectId root_;
  std::string token_;
  std::unique_ptr<KvIterator> staging_;
  std::shared_ptr<const PendingEdits> pending_;
  PendingEdits::const_iterator pending_it_;
  std::optional<TreeCursor> tree_cursor_;
  ScanValues values_;
  bool valid_ = false;
  std::string key_, value_;
};

class ReadView {
 public:
  ReadView(KvStore* kv, const ProllyTree* tree, std::shared_ptr<Snapshot> snapshot, ResolvedRef ref,
           ObjectId root);

  const ResolvedRef& ref() const { return ref_; }
  const ObjectId& root() const { return root_; }
  bool has_staging() const { return !ref_.staging_token.empty(); }
  const Snapshot* snapshot() const { return snapshot_.get(); }
  // This view with `pending` laid over its staged edits (a branch view only).
  ReadView WithPending(std::shared_ptr<const PendingEdits> pending) const;

  // The value stored under an encoded catalog key; nullopt if absent.
  Result<std::optional<std::string>> Get(std::string_view key) const;
  Result<bool> Exists(std::string_view key) const;

  // Calls fn(key, value) for keys in range, in order, until fn returns false.
  Status Scan(const KeyRange& range,
              const std::function<bool(const std::string&, const std::string&)>& fn,
              ScanValues values = ScanValues::kRead) const;
  // Like Scan, but skips the first `offset` entries of the range. Cheap (O(log n))
  // when nothing is staged in the range; otherwise it walks the skipped entries.
  Status ScanFrom(const KeyRange& range, uint64_t offset,
                  const std::function<bool(const std::string&, const std::string&)>& fn,
                  ScanValues values = ScanValues::kRead) const;

  // Keys alone: fn(key) for the live keys in range after the first `offset`,
  // in order, until fn returns false. A key is valid during the call only;
  // nothing is copied when nothing is staged in the range (the tree's key
  // blocks hand their bytes over).
  Status ScanKeysFrom(const KeyRange& range, uint64_t offset,
                      const std::function<bool(std::string_view)>& fn) const;

  // The number of live keys in range: O(log n) through subtree counts when
  // nothing is staged or pending in the range, else a keys-only scan.
  Result<uint64_t> Count(const KeyRange& range) const;
  // An upper bound on Count(range) without scanning the tree: its keys in range
  // through subtree counts, plus one for each edit (pending or staged) in the
  // range, read up to `max_edits` of them; nullopt when there are more.
  Result<std::optional<uint64_t>> CountBound(const KeyRange& range, size_t max_edits) const;

  std::unique_ptr<OverlayIterator> NewIterator(ScanValues values = ScanValues::kRead) const;

 private:
  // Whether a pending or staged edit falls in `range`.
  Result<bool> StagedIn(const KeyRange& range) const;
  // The tree's keys in range, through subtree counts: O(log n).
  Result<uint64_t> TreeCount(const KeyRange& range) const;
  // Where a scan of `range` that skips `*offset` live keys starts; false when
  // the offset is past the tree's end. When nothing is staged in the range the
  // offset-th key is found through subtree counts and *offset becomes 0;
  // *staged_in_range tells which case it was.
  Result<bool> StartOf(const KeyRange& range, std::string* start, uint64_t* offset,
                       bool* staged_in_range) const;
  // fn(key, value) through the overlay for keys in range from `start`, after
  // skipping `offset` of them.
  Status Iterate(const KeyRange& range, std::string_view start, uint64_t offset, ScanValues values,
                 const std::function<bool(const std::string&, const std::string&)>& fn) const;

  KvStore* kv_;
  const ProllyTree* tree_;
  std::shared_ptr<Snapshot> snapshot_;
  ResolvedRef ref_;
  ObjectId root_;
  std::shared_ptr<const PendingEdits> pending_;  // null or non-empty
};

}  // namespace arbor

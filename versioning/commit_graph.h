// Walks over the commit graph: merge bases, ancestry and logs.
//
// Corrected commit times (a commit's time, raised to exceed each parent's) order the
// walks: a commit's ancestors all have smaller ones, so visiting in decreasing
// corrected time lets a merge-base search stop at the first commit reached from both
// sides, without walking history older than the point where the two sides diverged —
// also when one side is a long-lived branch whose generation numbers lag far behind.
//
// The first-parent skip index (CommitData::skip) lets a merge-base walk jump over the
// part of one side's history that is newer than everything the other side still has to
// visit: such commits cannot be common ancestors, so only the skip target needs the
// side's flag. An old fork then costs O(log history) hops instead of a walk down to the
// fork point. Commits without the index are walked parent by parent.
#pragma once

#include <optional>
#include <vector>

#include "versioning/commit_store.h"

namespace arbor {

// The best common ancestor of a and b (one with no other common ancestor as a
// descendant), or nullopt if they share no history.
Result<std::optional<ObjectId>> MergeBase(CommitStore* commits, const ObjectId& a,
                                          const ObjectId& b);

// A lower bound on the corrected time of every commit reachable from `others` but not
// from `first` (the commits a merge of `others` into `first` brings in); INT64_MAX if
// there are none. Walks the brought-in commits, and skips down `first`'s side.
Result<int64_t> MinCorrectedMergedIn(CommitStore* commits, const ObjectId& first,
                                     const std::vector<ObjectId>& others);

// Whether `ancestor` is `descendant` or one of its ancestors.
Result<bool> IsAncestor(CommitStore* commits, const ObjectId& ancestor, const ObjectId& descendant);

struct LogOptions {
  bool first_parent = false;
  // Start after this commit (exclusive), as returned in LogPage::next.
  std::optional<ObjectId> after;
  size_t limit = 100;
};

struct LogPage {
  std::vector<CommitPtr> commits;
  bool has_more = false;
};

// History from `head`, newest first: by generation, then by time. With
// first_parent, only the first-parent chain.
Result<LogPage> Log(CommitStore* commits, const ObjectId& head, const LogOptions& options);

// The commit reached from `start` by `steps` first parents (`~N`), or by taking
// its `n`-th parent (`^N`, 1-based).
Result<ObjectId> NthFirstParent(CommitStore* commits, const ObjectId& start, uint64_t steps);
Result<ObjectId> NthParent(CommitStore* commits, const ObjectId& start, uint64_t n);

}  // namespace arbor

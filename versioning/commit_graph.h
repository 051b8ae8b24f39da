// Walks over the commit graph: merge bases, ancestry and logs.
//
// Corrected commit times (a commit's time, raised to exceed each parent's) order the
// walks: a commit's ancestors all have smaller ones, so visiting in decreasing
// corrected time lets a merge-base search stop at the first commit reached from both
// sides, without walking history older than the point where the two sides diverged —
// also when one side is a long-lived branch whose generation numbers lag far behind.
#pragma once

#include <optional>
#include <vector>

#include "versioning/commit_store.h"

namespace arbor {

// The best common ancestor of a and b (one with no other common ancestor as a
// descendant), or nullopt if they share no history.
Result<std::optional<ObjectId>> MergeBase(CommitStore* commits, const ObjectId& a,
                                          const ObjectId& b);

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

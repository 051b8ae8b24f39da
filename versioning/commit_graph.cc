#include "versioning/commit_graph.h"

#include <queue>
#include <unordered_map>
#include <unordered_set>

namespace arbor {

namespace {

// Newest first by corrected commit time, which grows strictly along every parent
// edge, so a commit always pops before its ancestors. Unlike generation numbers it
// tracks wall time, so a long-lived side branch (whose generations lag far behind the
// main line's) is still met after a few recent commits, not after the whole main line.
struct ByGeneration {
  bool operator()(const CommitPtr& a, const CommitPtr& b) const {
    if (a->corrected_micros != b->corrected_micros) {
      return a->corrected_micros < b->corrected_micros;
    }
    if (a->generation != b->generation) return a->generation < b->generation;
    return a->id < b->id;
  }
};

}  // namespace

Result<std::optional<ObjectId>> MergeBase(CommitStore* commits, const ObjectId& a,
                                          const ObjectId& b) {
  if (a == b) return std::optional<ObjectId>(a);
  constexpr uint8_t kA = 1, kB = 2;
  std::unordered_map<ObjectId, uint8_t, ObjectIdHash> flags;
  std::priority_queue<CommitPtr, std::vector<CommitPtr>, ByGeneration> queue;
  ARBOR_ASSIGN_OR_RETURN(CommitPtr ca, commits->Get(a));
  ARBOR_ASSIGN_OR_RETURN(CommitPtr cb, commits->Get(b));
  flags[a] = kA;
  flags[b] = kB;
  queue.push(ca);
  queue.push(cb);
  // Commits pop in decreasing corrected time, so by the time one pops, every path to it
  // from a or b has been walked and its flags are final. The first commit popped with
  // both flags has the highest corrected time of all common ancestors, so none of them
  // descends from it: it is a best common ancestor.
  while (!queue.empty()) {
    CommitPtr c = queue.top();
    queue.pop();
    uint8_t f = flags[c->id];
    if (f == (kA | kB)) return std::optional<ObjectId>(c->id);
    for (const auto& p : c->parents) {
      uint8_t& pf = flags[p];
      uint8_t before = pf;
      pf |= f;
      if (before == 0) {
        ARBOR_ASSIGN_OR_RETURN(CommitPtr parent, commits->Get(p));
        queue.push(parent);
      }
      // A parent already queued just gains flags; the queue orders by generation, so
      // it is still popped after every descendant that could add more.
    }
  }
  return std::optional<ObjectId>();
}

Result<bool> IsAncestor(CommitStore* commits, const ObjectId& ancestor,
                        const ObjectId& descendant) {
  ARBOR_ASSIGN_OR_RETURN(auto base, MergeBase(commits, ancestor, descendant));
  return base.has_value() && *base == ancestor;
}

Result<LogPage> Log(CommitStore* commits, const ObjectId& head, const LogOptions& options) {
  LogPage page;
  bool skipping = options.after.has_value();
  if (options.first_parent) {
    std::optional<ObjectId> next = head;
    if (skipping) {
      // Continue right after the cursor, which must be on the chain: a cursor from
      // another history would otherwise list that history. Generations fall strictly
      // along the chain, so the check stops at the cursor's generation.
      ARBOR_ASSIGN_OR_RETURN(CommitPtr after, commits->Get(*options.after));
      std::optional<ObjectId> walk = head;
      while (walk && *walk != after->id) {
        ARBOR_ASSIGN_OR_RETURN(CommitPtr c, commits->Get(*walk));
        walk = c->parents.empty() || c->generation <= after->generation
                   ? std::nullopt
                   : std::optional<ObjectId>(c->parents[0]);
      }
      if (!walk) {
        return Status::InvalidArgument("log cursor " + options.after->ToHex() +
                                       " is not in the first-parent history of " + head.ToHex());
      }
      next = after->parents.empty() ? std::nullopt : std::optional<ObjectId>(after->parents[0]);
    }
    while (next) {
      ARBOR_ASSIGN_OR_RETURN(CommitPtr c, commits->Get(*next));
      if (page.commits.size() == options.limit) {
        page.has_more = true;
        break;
      }
      page.commits.push_back(c);
      next = c->parents.empty() ? std::nullopt : std::optional<ObjectId>(c->parents[0]);
    }
    return page;
  }
  std::priority_queue<CommitPtr, std::vector<CommitPtr>, ByGeneration> queue;
  std::unordered_set<ObjectId, ObjectIdHash> seen{head};
  ARBOR_ASSIGN_OR_RETURN(CommitPtr start, commits->Get(head));
  queue.push(start);
  while (!queue.empty()) {
    CommitPtr c = queue.top();
    queue.pop();
    if (!skipping) {
      if (page.commits.size() == options.limit) {
        page.has_more = true;
        break;
      }
      page.commits.push_back(c);
    } else if (c->id == *options.after) {
      skipping = false;
    }
    for (const auto& p : c->parents) {
      if (!seen.insert(p).second) continue;
      ARBOR_ASSIGN_OR_RETURN(CommitPtr parent, commits->Get(p));
      queue.push(parent);
    }
  }
  if (skipping) {
    return Status::InvalidArgument("log cursor " + options.after->ToHex() +
                                   " is not in the history of " + head.ToHex());
  }
  return page;
}

Result<ObjectId> NthFirstParent(CommitStore* commits, const ObjectId& start, uint64_t steps) {
  ObjectId id = start;
  for (uint64_t i = 0; i < steps; ++i) {
    ARBOR_ASSIGN_OR_RETURN(CommitPtr c, commits->Get(id));
    if (c->parents.empty()) {
      return Status::NotFound("commit " + start.ShortHex() + " has fewer than " +
                              std::to_string(steps) + " ancestors");
    }
    id = c->parents[0];
  }
  return id;
}

Result<ObjectId> NthParent(CommitStore* commits, const ObjectId& start, uint64_t n) {
  if (n == 0) return start;
  ARBOR_ASSIGN_OR_RETURN(CommitPtr c, commits->Get(start));
  if (n > c->parents.size()) {
    return Status::NotFound("commit " + start.ShortHex() + " has no parent " + std::to_string(n));
  }
  return c->parents[n - 1];
}

}  // namespace arbor

#include "versioning/commit_graph.h"

#include <cstdint>
#include <queue>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace arbor {

namespace {

// Newest first by corrected commit time, which grows strictly along every parent
// edge, so a commit always pops before its ancestors. Unlike generation numbers it
// tracks wall time, so a long-lived side branch (whose generations lag far behind the
// main line's) is still met after a few recent commits, not after the whole main line.
// Generation breaks ties (commits from before corrected times all have 0).
struct ByGeneration {
  bool operator()(const CommitPtr& a, const CommitPtr& b) const {
    if (a->corrected_micros != b->corrected_micros) {
      return a->corrected_micros < b->corrected_micros;
    }
    if (a->generation != b->generation) return a->generation < b->generation;
    return a->id < b->id;
  }
};

// A walk that paints commits with side flags (two bits) and pops them newest first.
// Per flag combination it keeps the corrected times of the queued commits, so a walk
// can ask how new the newest commit still to visit on a side is.
class PaintWalk {
 public:
  explicit PaintWalk(CommitStore* commits) : commits_(commits) {}

  // Adds `flags` to commit `id`, queueing it when first seen.
  Status Paint(const ObjectId& id, uint8_t flags) {
    auto [it, fresh] = state_.try_emplace(id);
    State& st = it->second;
    if ((st.flags | flags) == st.flags) return Status::OK();
    if (fresh) {
      ARBOR_ASSIGN_OR_RETURN(CommitPtr c, commits_->Get(id));
      st.corrected = c->corrected_micros;
      queue_.push(std::move(c));
    } else {
      // Already queued (commits only gain flags before they pop: anything painted is an
      // ancestor of a popped commit, so it is older than every commit popped so far).
      EraseQueued(st.flags, st.corrected);
    }
    st.flags |= flags;
    queued_[st.flags].insert(st.corrected);
    return Status::OK();
  }

  bool Empty() const { return queue_.empty(); }

  // The newest queued commit and its flags.
  std::pair<CommitPtr, uint8_t> Pop() {
    CommitPtr c = queue_.top();
    queue_.pop();
    const State& st = state_[c->id];
    EraseQueued(st.flags, st.corrected);
    return {std::move(c), st.flags};
  }

  // The newest corrected time among queued commits whose flags satisfy `match`, or
  // nullopt if there are none.
  template <typename Match>
  std::optional<int64_t> NewestQueued(Match match) const {
    std::optional<int64_t> newest;
    for (uint8_t f = 1; f < 4; ++f) {
      if (!match(f) || queued_[f].empty()) continue;
      int64_t t = *queued_[f].rbegin();
      if (!newest || t > *newest) newest = t;
    }
    return newest;
  }

  // The furthest first-parent ancestor of `c` such that every commit in
  // ancestors(c) \ ancestors(result) is newer than `bound`; `c` itself if none is.
  // Such commits cannot be reached from anything queued at `bound` or older.
  Result<CommitPtr> SkipDown(CommitPtr c, int64_t bound) {
    int64_t low = INT64_MAX;
    for (;;) {
      if (c->skip && std::min(low, c->skip_low) > bound) {
        low = std::min(low, c->skip_low);
        ARBOR_ASSIGN_OR_RETURN(c, commits_->Get(*c->skip));
      } else if (c->parents.size() == 1 && std::min(low, c->corrected_micros) > bound) {
        low = std::min(low, c->corrected_micros);
        ARBOR_ASSIGN_OR_RETURN(c, commits_->Get(c->parents[0]));
      } else {
        return c;
      }
    }
  }

 private:
  struct State {
    uint8_t flags = 0;
    int64_t corrected = 0;
  };

  void EraseQueued(uint8_t flags, int64_t corrected) {
    auto& set = queued_[flags];
    set.erase(set.find(corrected));
  }

  CommitStore* commits_;
  std::priority_queue<CommitPtr, std::vector<CommitPtr>, ByGeneration> queue_;
  std::unordered_map<ObjectId, State, ObjectIdHash> state_;
  std::multiset<int64_t> queued_[4];  // by flags: corrected times of queued commits
};

}  // namespace

Result<std::optional<ObjectId>> MergeBase(CommitStore* commits, const ObjectId& a,
                                          const ObjectId& b) {
  if (a == b) return std::optional<ObjectId>(a);
  constexpr uint8_t kA = 1, kB = 2;
  PaintWalk walk(commits);
  ARBOR_RETURN_IF_ERROR(walk.Paint(a, kA));
  ARBOR_RETURN_IF_ERROR(walk.Paint(b, kB));
  // Commits pop in decreasing corrected time, so by the time one pops, every path to it
  // from a or b has been walked and its flags are final. The first commit popped with
  // both flags has the highest corrected time of all common ancestors, so none of them
  // descends from it: it is a best common ancestor.
  //
  // A commit popped with one side's flag need not pass it to all its parents. Every
  // commit the other side can still reach is an ancestor of (or is) one of its queued
  // commits, so it is no newer than the newest of them, `bound`. The skipped commits
  // (ancestors of c but not of the skip target) are all newer than `bound`, so none is
  // a common ancestor; painting the target keeps the flag on everything older.
  while (!walk.Empty()) {
    auto [c, f] = walk.Pop();
    if (f == (kA | kB)) return std::optional<ObjectId>(c->id);
    const uint8_t other = f == kA ? kB : kA;
    auto bound = walk.NewestQueued([&](uint8_t g) { return (g & other) != 0; });
    // Nothing left on the other side: no commit popped from here on gets its flag.
    if (!bound) break;
    ARBOR_ASSIGN_OR_RETURN(CommitPtr to, walk.SkipDown(c, *bound));
    if (to->id != c->id) {
      ARBOR_RETURN_IF_ERROR(walk.Paint(to->id, f));
      continue;
    }
    for (const auto& p : c->parents)
      ARBOR_RETURN_IF_ERROR(walk.Paint(p, f));
  }
  return std::optional<ObjectId>();
}

Result<int64_t> MinCorrectedMergedIn(CommitStore* commits, const ObjectId& first,
                                     const std::vector<ObjectId>& others) {
  constexpr uint8_t kFirst = 1, kOther = 2;
  PaintWalk walk(commits);
  ARBOR_RETURN_IF_ERROR(walk.Paint(first, kFirst));
  for (const auto& o : others)
    ARBOR_RETURN_IF_ERROR(walk.Paint(o, kOther));
  // A commit popped with kOther alone is brought in (flags are final at pop, as in
  // MergeBase). The brought-in side is walked commit by commit so the bound stays
  // tight. The first side skips down past everything newer than the newest queued
  // brought-in candidate: those commits cannot be reached from the candidates, so
  // leaving them unpainted cannot mislabel one. Were a skip ever to leave a reachable
  // commit unpainted, it would only lower the bound, which stays sound.
  int64_t low = INT64_MAX;
  while (!walk.Empty()) {
    auto [c, f] = walk.Pop();
    if (f == kOther) {
      low = std::min(low, c->corrected_micros);
      for (const auto& p : c->parents)
        ARBOR_RETURN_IF_ERROR(walk.Paint(p, kOther));
      continue;
    }
    auto bound = walk.NewestQueued([](uint8_t g) { return g == kOther; });
    if (!bound) break;  // no candidate left
    ARBOR_ASSIGN_OR_RETURN(CommitPtr to, walk.SkipDown(c, *bound));
    if (to->id != c->id) {
      ARBOR_RETURN_IF_ERROR(walk.Paint(to->id, f));
      continue;
    }
    for (const auto& p : c->parents)
      ARBOR_RETURN_IF_ERROR(walk.Paint(p, f));
  }
  return low;
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

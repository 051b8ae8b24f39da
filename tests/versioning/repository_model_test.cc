// A seeded model-based random test of Repository: random operations over several
// branches (staged puts and deletes through Mutate, commits, branch creation and
// deletion, merges with every strategy, dry runs, resets, reverts, auto-commit
// mode), each checked against an in-memory reference model. Merges and reverts are
// checked against a straightforward reference three-way merge written here, field
// by field for the Database entities the test writes (only `description` and
// `parameters` vary), following the rules of docs/versioning.md#field-aware-entity-merge /
// entity_merge.h.
//
// ARBOR_TEST_SEED=<n> replays a run; every failure message carries the seed.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "storage/mem_kv_store.h"
#include "tests/support/seed.h"
#include "tests/versioning/repository_test_util.h"
#include "versioning/commit_graph.h"
#include "versioning/entity_merge.h"

namespace arbor {
namespace {

using testing::DbKey;
using testing::Params;

using Map = std::map<std::string, std::string>;                    // committed catalog
using Staged = std::map<std::string, std::optional<std::string>>;  // raw staged entries

constexpr int kKeys = 6;
constexpr size_t kMaxBranches = 5;
const char* const kVolatile = "transient_lastDdlTime";

std::string DbName(int i) {
  return "db" + std::to_string(i);
}

// ---------------------------------------------------------------------------
// Reference field-wise merge of a Database whose name, description and
// parameters are the only fields set.

struct DbFields {
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<Params> params;
};

DbFields Decode(const std::optional<std::string>& bytes) {
  DbFields f;
  if (!bytes) return f;  // an absent base merges like an empty message
  catalog::Database db = testing::ParseDb(*bytes);
  if (db.has_name()) f.name = db.name();
  if (db.has_description()) f.description = db.description();
  if (db.has_parameters()) {
    f.params.emplace(db.parameters().entries().begin(), db.parameters().entries().end());
  }
  return f;
}

enum class Take { kOurs, kTheirs, kBoth };

template <typename T>
Take Decide(const T& base, const T& ours, const T& theirs) {
  if (ours == theirs || theirs == base) return Take::kOurs;
  if (ours == base) return Take::kTheirs;
  return Take::kBoth;
}

std::optional<int64_t> Decimal(const std::string& s) {
  if (s.empty()) return std::nullopt;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  return std::stoll(s);
}

struct EntityMerge {
  bool conflict = false;
  std::vector<std::string> fields;
  std::optional<std::string> merged;
  // With a conflict: the merge with each conflicting field taken from ours.
  std::optional<std::string> prefer_ours;
};

EntityMerge ReferenceMergeEntity(const std::optional<std::string>& b,
                                 const std::optional<std::string>& o,
                                 const std::optional<std::string>& t) {
  EntityMerge r;
  switch (Decide(b, o, t)) {
    case Take::kOurs:
      r.merged = o;
      return r;
    case Take::kTheirs:
      r.merged = t;
      return r;
    case Take::kBoth:
      break;
  }
  if (!o || !t) {
    r.conflict = true;
    r.fields = {"(deleted vs changed)"};
    return r;
  }
  const DbFields base = Decode(b), ours = Decode(o), theirs = Decode(t);
  DbFields out = ours;
  // Fields in declaration order: name (1), description (2), parameters (4).
  switch (Decide(base.name, ours.name, theirs.name)) {
    case Take::kOurs:
      break;
    case Take::kTheirs:
      out.name = theirs.name;
      break;
    case Take::kBoth:
      r.fields.push_back("name");
      break;
  }
  switch (Decide(base.description, ours.description, theirs.description)) {
    case Take::kOurs:
      break;
    case Take::kTheirs:
      out.description = theirs.description;
      break;
    case Take::kBoth:
      r.fields.push_back("description");
      break;
  }
  switch (Decide(base.params, ours.params, theirs.params)) {
    case Take::kOurs:
      break;
    case Take::kTheirs:
      out.params = theirs.params;
      break;
    case Take::kBoth: {
      if (!ours.params || !theirs.params) {
        r.fields.push_back("parameters");  // null against a changed map
        break;
      }
      const Params empty;
      const Params& bp = base.params ? *base.params : empty;
      std::set<std::string> keys;
      for (const Params* m : {&bp, &*ours.params, &*theirs.params}) {
        for (const auto& [k, v] : *m)
          keys.insert(k);
      }
      Params merged;
      auto find = [](const Params& m, const std::string& k) -> std::optional<std::string> {
        auto it = m.find(k);
        if (it == m.end()) return std::nullopt;
        return it->second;
      };
      for (const std::string& k : keys) {
        const auto be = find(bp, k), oe = find(*ours.params, k), te = find(*theirs.params, k);
        std::optional<std::string> chosen;
        switch (Decide(be, oe, te)) {
          case Take::kOurs:
            chosen = oe;
            break;
          case Take::kTheirs:
            chosen = te;
            break;
          case Take::kBoth: {
            // Volatile bookkeeping: the larger decimal wins; a missing entry is smallest.
            if (k == kVolatile) {
              if (!oe) {
                chosen = te;
                break;
              }
              if (!te) {
                chosen = oe;
                break;
              }
              const auto on = Decimal(*oe), tn = Decimal(*te);
              if (on && tn) {
                chosen = *on != *tn ? (*on > *tn ? oe : te) : (*oe >= *te ? oe : te);
                break;
              }
            }
            r.fields.push_back("parameters['" + k + "']");
            chosen = oe;  // a conflict keeps ours
            break;
          }
        }
        if (chosen) merged[k] = *chosen;
      }
      out.params = merged;
      break;
    }
  }
  r.conflict = !r.fields.empty();
  catalog::Database db;
  if (out.name) db.set_name(*out.name);
  if (out.description) db.set_description(*out.description);
  if (out.params) {
    db.mutable_parameters();  // present even when empty
    for (const auto& [k, v] : *out.params)
      (*db.mutable_parameters()->mutable_entries())[k] = v;
  }
  (r.conflict ? r.prefer_ours : r.merged) = SerializeDeterministic(db);
  return r;
}

struct TreeMerge {
  Map result;
  std::vector<std::pair<std::string, std::vector<std::string>>> conflicts;  // key order
  size_t changes = 0;       // keys whose result differs from ours
  size_t field_merged = 0;  // keys changed differently on both sides, merged cleanly
};

std::optional<std::string> Lookup(const Map& m, const std::string& k) {
  auto it = m.find(k);
  if (it == m.end()) return std::nullopt;
  return it->second;
}

TreeMerge ReferenceMerge(const Map& base, const Map& ours, const Map& theirs,
                         MergeStrategy strategy) {
  TreeMerge out;
  std::set<std::string> keys;
  for (const Map* m : {&base, &ours, &theirs}) {
    for (const auto& [k, v] : *m)
      keys.insert(k);
  }
  for (const auto& k : keys) {
    const auto b = Lookup(base, k), o = Lookup(ours, k), t = Lookup(theirs, k);
    std::optional<std::string> value;
    EntityMerge e = ReferenceMergeEntity(b, o, t);
    if (!e.conflict) {
      value = e.merged;
      if (o != b && t != b && o != t) ++out.field_merged;
    } else {
      out.conflicts.emplace_back(k, e.fields);
      // Strategies resolve field by field; a delete against a change, whole.
      if (strategy == MergeStrategy::kSourceWins) {
        EntityMerge flipped = ReferenceMergeEntity(b, t, o);
        value = flipped.prefer_ours ? flipped.prefer_ours : t;
      } else if (strategy == MergeStrategy::kDestWins) {
        value = e.prefer_ours ? e.prefer_ours : o;
      } else {
        value = o;  // kFail resolves nothing (and writes nothing)
      }
    }
    if (value != o) ++out.changes;
    if (value) out.result[k] = *value;
  }
  return out;
}

// ---------------------------------------------------------------------------
// The model.

struct ModelCommit {
  std::vector<ObjectId> parents;
  Map map;
  uint64_t generation = 1;
};

struct ModelBranch {
  ObjectId head;
  Staged staged;
  bool auto_mode = false;
};

Map Overlay(const Map& committed, const Staged& staged) {
  Map out = committed;
  for (const auto& [k, v] : staged) {
    if (v)
      out[k] = *v;
    else
      out.erase(k);
  }
  return out;
}

class ModelTest {
 public:
  explicit ModelTest(uint64_t seed) : seed_(seed), rng_(seed) {}

  void Run(int steps) {
    RepositoryOptions o = testing::TestRepositoryOptions();
    o.initial_entries = {testing::Put(DbKey(DbName(0)), testing::DbValue(DbName(0), "a")),
                         testing::Put(DbKey(DbName(1)), testing::DbValue(DbName(1), std::nullopt,
                                                                         Params{{"k1", "x"}}))};
    auto opened = Repository::Open(&kv_, o);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString() << " " << Note();
    repo_ = std::move(opened).value();
    const ObjectId root = repo_->GetBranch("main")->head;
    AddCommit(root, {},
              {{DbKey(DbName(0)), testing::DbValue(DbName(0), "a")},
               {DbKey(DbName(1)), testing::DbValue(DbName(1), std::nullopt, Params{{"k1", "x"}})}});
    branches_["main"] = {root, {}, false};
    CheckAll();

    for (step_ = 0; step_ < steps && !::testing::Test::HasFailure(); ++step_) {
      const int op = Uniform(0, 99);
      if (op < 34)
        StageRandom();
      else if (op < 52)
        CommitRandom();
      else if (op < 70)
        MergeRandom();
      else if (op < 77)
        CreateBranchRandom();
      else if (op < 81)
        ResetRandom();
      else if (op < 92)
        RevertRandom();
      else if (op < 94)
        DeleteBranchRandom();
      else if (op < 97)
        ToggleAutoRandom();
      else
        CommitWithWrongExpectedHead();
      CheckAll();
      if (step_ % 50 == 49) CheckHistory();
    }
    stats_.steps = step_;
  }

  struct Stats {
    int steps = 0, commits = 0, merges = 0, merge_conflicts = 0, reverts = 0, revert_conflicts = 0,
        nothing_to_merge = 0, refused = 0, auto_commits = 0, field_merges = 0;
  };
  const Stats& stats() const { return stats_; }

 private:
  std::string Note() const {
    return testing::SeedNote(seed_) + ", step " + std::to_string(step_) + ": " + last_op_;
  }

  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool Chance(int percent) { return Uniform(0, 99) < percent; }

  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[Uniform(0, static_cast<int>(v.size()) - 1)];
  }

  std::vector<std::string> BranchNames() const {
    std::vector<std::string> names;
    for (const auto& [n, b] : branches_)
      names.push_back(n);
    return names;
  }

  std::string RandomEntity(int i) {
    std::optional<std::string> desc;
    if (!Chance(25)) desc = std::string(1, static_cast<char>('a' + Uniform(0, 2)));
    std::optional<Params> params;
    if (!Chance(25)) {
      params.emplace();
      if (Chance(50)) (*params)["k1"] = Chance(50) ? "x" : "y";
      if (Chance(50)) (*params)["k2"] = Chance(50) ? "x" : "y";
      if (Chance(50)) (*params)[kVolatile] = std::to_string(100 * Uniform(1, 3));
    }
    return testing::DbValue(DbName(i), desc, params);
  }

  // --- operations -----------------------------------------------------------

  void StageRandom() {
    const std::string name = Pick(BranchNames());
    ModelBranch& b = branches_[name];
    std::vector<Edit> edits;
    const int n = Uniform(1, 3);
    for (int j = 0; j < n; ++j) {
      const int i = Uniform(0, kKeys - 1);
      if (Chance(25))
        edits.push_back(testing::Del(DbKey(DbName(i))));
      else
        edits.push_back(testing::Put(DbKey(DbName(i)), RandomEntity(i)));
    }
    last_op_ = "stage " + std::to_string(edits.size()) + " edits on " + name +
               (b.auto_mode ? " (auto)" : "");
    auto r = testing::Stage(repo_.get(), name, edits);
    ASSERT_TRUE(r.ok()) << r.status().ToString() << " " << Note();
    EXPECT_EQ(r->edits, edits.size()) << Note();
    if (!b.auto_mode) {
      EXPECT_FALSE(r->commit) << Note();
      for (const auto& e : edits)
        b.staged[e.key] = e.value;
      return;
    }
    // Auto mode: staged (if any) plus these edits become one commit, unless the
    // catalog comes out unchanged; then nothing is written at all.
    const Map& committed = commits_[b.head].map;
    Staged all = b.staged;
    for (const auto& e : edits)
      all[e.key] = e.value;
    Map next = Overlay(committed, all);
    if (next == committed) {
      EXPECT_FALSE(r->commit) << Note();
      return;
    }
    ASSERT_TRUE(r->commit) << Note();
    AddCommit(*r->commit, {b.head}, next);
    b.head = *r->commit;
    b.staged.clear();
    ++stats_.auto_commits;
  }

  void CommitRandom() { CommitBranch(Pick(BranchNames())); }

  void CommitBranch(const std::string& name) {
    ModelBranch& b = branches_[name];
    CommitOptions o;
    o.allow_empty = Chance(10);
    o.message = "step " + std::to_string(step_);
    if (Chance(30)) o.expected_head = b.head;
    last_op_ = "commit " + name + (o.allow_empty ? " (allow empty)" : "");
    auto c = repo_->Commit(name, o);
    const Map& committed = commits_[b.head].map;
    const Map next = Overlay(committed, b.staged);
    if (!o.allow_empty && (b.staged.empty() || next == committed)) {
      EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument)
          << c.status().ToString() << " " << Note();
      ++stats_.refused;
      return;  // nothing changes; the (no-op) staged entries stay
    }
    ASSERT_TRUE(c.ok()) << c.status().ToString() << " " << Note();
    EXPECT_EQ((*c)->parents, std::vector<ObjectId>{b.head}) << Note();
    EXPECT_EQ((*c)->generation, commits_[b.head].generation + 1) << Note();
    AddCommit((*c)->id, {b.head}, next);
    b.head = (*c)->id;
    b.staged.clear();
    ++stats_.commits;
  }

  void CommitWithWrongExpectedHead() {
    const std::string name = Pick(BranchNames());
    ModelBranch& b = branches_[name];
    // Any other commit of the model.
    std::vector<ObjectId> others;
    for (const auto& [id, c] : commits_) {
      if (id != b.head) others.push_back(id);
    }
    if (others.empty()) return;
    CommitOptions o;
    o.allow_empty = true;
    o.expected_head = Pick(others);
    last_op_ = "commit " + name + " with a wrong expected head";
    ARBOR_EXPECT_CODE(repo_->Commit(name, o), kPreconditionFailed);
    MergeOptions m;
    m.expected_head = o.expected_head;
    ARBOR_EXPECT_CODE(repo_->Merge("main", name, m), kPreconditionFailed);
  }

  void CreateBranchRandom() {
    if (branches_.size() >= kMaxBranches) return;
    const std::string name = "b" + std::to_string(next_branch_++);
    ObjectId from;
    std::string source;
    if (Chance(70)) {
      source = Pick(BranchNames());
      from = branches_[source].head;
    } else {
      std::vector<ObjectId> ids;
      for (const auto& [id, c] : commits_)
        ids.push_back(id);
      from = Pick(ids);
      source = from.ToHex().substr(0, 12);
    }
    last_op_ = "create branch " + name + " from " + source;
    auto b = repo_->CreateBranch(name, source);
    ASSERT_TRUE(b.ok()) << b.status().ToString() << " " << Note();
    EXPECT_EQ(b->head, from) << Note();
    branches_[name] = {from, {}, false};
  }

  void DeleteBranchRandom() {
    std::vector<std::string> names;
    for (const auto& [n, b] : branches_) {
      if (n != "main") names.push_back(n);
    }
    if (names.empty()) return;
    const std::string name = Pick(names);
    last_op_ = "delete branch " + name;
    ARBOR_ASSERT_OK(repo_->DeleteBranch(name));
    branches_.erase(name);
  }

  void ResetRandom() {
    const std::string name = Pick(BranchNames());
    last_op_ = "reset " + name;
    ARBOR_ASSERT_OK(repo_->Reset(
        name, Chance(50) ? std::optional<ObjectId>(branches_[name].head) : std::nullopt));
    branches_[name].staged.clear();
  }

  void ToggleAutoRandom() {
    const std::string name = Pick(BranchNames());
    ModelBranch& b = branches_[name];
    b.auto_mode = !b.auto_mode;
    last_op_ = std::string("set ") + name + (b.auto_mode ? " auto" : " staged");
    auto r = repo_->SetCommitMode(
        name, b.auto_mode ? versioning::COMMIT_MODE_AUTO : versioning::COMMIT_MODE_STAGED);
    ASSERT_TRUE(r.ok()) << r.status().ToString() << " " << Note();
    EXPECT_EQ(r->head, b.head) << Note();
  }

  void MergeRandom() {
    const std::vector<std::string> names = BranchNames();
    const std::string dst = Pick(names);
    ModelBranch& d = branches_[dst];
    // Mostly merge into a clean destination, so that merges happen often; a dirty
    // one must be refused.
    if (!d.staged.empty() && Chance(70)) {
      CommitBranch(dst);
      if (!d.staged.empty()) ARBOR_ASSERT_OK(repo_->Reset(dst));
      d.staged.clear();
    }
    std::string src_name = Pick(names);
    ObjectId src = branches_[src_name].head;
    std::string source = src_name;
    if (Chance(10)) {
      source = src.ToHex().substr(0, 12);
    } else if (Chance(10) && !commits_[src].parents.empty()) {
      source = src_name + "~1";
      src = commits_[src].parents[0];
    }
    MergeOptions o;
    const int s = Uniform(0, 3);
    o.strategy = s < 2    ? MergeStrategy::kFail
                 : s == 2 ? MergeStrategy::kSourceWins
                          : MergeStrategy::kDestWins;
    o.dry_run = Chance(15);
    // Pages are checked below by re-running the merge as a dry run, which is only
    // the same merge when the first run wrote nothing.
    if ((o.dry_run || o.strategy == MergeStrategy::kFail) && Chance(30)) o.conflicts_limit = 1;
    last_op_ = "merge " + source + " into " + dst + " (" +
               std::string(MergeStrategyName(o.strategy)) + (o.dry_run ? ", dry run" : "") + ")";
    auto out = repo_->Merge(source, dst, o);
    if (!d.staged.empty()) {
      EXPECT_EQ(out.status().code(), StatusCode::kPreconditionFailed)
          << out.status().ToString() << " " << Note();
      ++stats_.refused;
      return;
    }
    ASSERT_TRUE(out.ok()) << out.status().ToString() << " " << Note();
    EXPECT_EQ(out->source, src) << Note();
    EXPECT_EQ(out->destination_head, d.head) << Note();
    const std::set<ObjectId> best = BestCommonAncestors(d.head, src);
    ASSERT_TRUE(out->base) << Note();
    ASSERT_TRUE(best.count(*out->base))
        << "merge base " << out->base->ToHex() << " is not a best common ancestor; " << Note();
    if (*out->base == src) {
      EXPECT_TRUE(out->nothing_to_merge) << Note();
      EXPECT_FALSE(out->merged) << Note();
      ++stats_.nothing_to_merge;
      return;
    }
    EXPECT_FALSE(out->nothing_to_merge) << Note();
    const TreeMerge want = ReferenceMerge(commits_[*out->base].map, commits_[d.head].map,
                                          commits_[src].map, o.strategy);
    CheckConflicts(*out, want, o, source, dst);
    EXPECT_EQ(out->changes, want.changes) << Note();
    stats_.field_merges += want.field_merged;
    const bool blocked = o.strategy == MergeStrategy::kFail && !want.conflicts.empty();
    if (blocked) ++stats_.merge_conflicts;
    if (blocked || o.dry_run) {
      EXPECT_FALSE(out->merged) << Note();
      EXPECT_FALSE(out->commit) << Note();
      return;
    }
    ASSERT_TRUE(out->merged && out->commit) << Note();
    const CommitPtr& c = *out->commit;
    EXPECT_EQ(c->parents, (std::vector<ObjectId>{d.head, src})) << Note();
    EXPECT_EQ(c->generation, 1 + std::max(commits_[d.head].generation, commits_[src].generation))
        << Note();
    AddCommit(c->id, {d.head, src}, want.result);
    d.head = c->id;
    ++stats_.merges;
  }

  // The full conflict list equals the reference; with a page limit, walking the
  // pages gives the same list.
  void CheckConflicts(const MergeOutcome& out, const TreeMerge& want, const MergeOptions& o,
                      const std::string& source, const std::string& dst) {
    EXPECT_EQ(out.conflict_count, want.conflicts.size()) << Note();
    std::vector<std::pair<std::string, std::vector<std::string>>> got;
    for (const auto& c : out.conflicts)
      got.emplace_back(c.key, c.fields);
    if (out.conflicts_has_more) {
      MergeOptions page = o;
      page.dry_run = true;
      while (true) {
        page.conflicts_after = got.back().first;
        auto next = repo_->Merge(source, dst, page);
        ASSERT_TRUE(next.ok()) << next.status().ToString() << " " << Note();
        ASSERT_FALSE(next->conflicts.empty()) << Note();
        for (const auto& c : next->conflicts)
          got.emplace_back(c.key, c.fields);
        if (!next->conflicts_has_more) break;
      }
    }
    EXPECT_EQ(got, want.conflicts) << Note();
  }

  void RevertRandom() {
    const std::string name = Pick(BranchNames());
    ModelBranch& b = branches_[name];
    std::vector<ObjectId> candidates;
    if (Chance(85)) {
      for (const auto& id : Ancestors(b.head))
        candidates.push_back(id);
    } else {
      for (const auto& [id, c] : commits_)
        candidates.push_back(id);
    }
    const ObjectId target = Pick(candidates);
    const ModelCommit& tc = commits_[target];
    RevertOptions o;
    o.parent = tc.parents.size() > 1 ? Uniform(0, 2) : (Chance(10) ? 2 : Uniform(0, 1));
    last_op_ = "revert " + target.ShortHex() + " on " + name + " (parent " +
               std::to_string(o.parent) + ")";
    auto out = repo_->Revert(name, target.ToHex(), o);
    if (!b.staged.empty()) {
      EXPECT_EQ(out.status().code(), StatusCode::kPreconditionFailed)
          << out.status().ToString() << " " << Note();
      ++stats_.refused;
      return;
    }
    const bool bad_parent = tc.parents.empty() || (tc.parents.size() > 1 && o.parent == 0) ||
                            static_cast<size_t>(std::max(o.parent, 1)) > tc.parents.size();
    if (bad_parent || !Ancestors(b.head).count(target)) {
      EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument)
          << out.status().ToString() << " " << Note();
      ++stats_.refused;
      return;
    }
    ASSERT_TRUE(out.ok()) << out.status().ToString() << " " << Note();
    const ObjectId parent = tc.parents[std::max(o.parent, 1) - 1];
    // Undoing C is merging C's parent into the branch with C as the base.
    const TreeMerge want =
        ReferenceMerge(tc.map, commits_[b.head].map, commits_[parent].map, MergeStrategy::kFail);
    std::vector<std::pair<std::string, std::vector<std::string>>> got;
    for (const auto& c : out->conflicts)
      got.emplace_back(c.key, c.fields);
    EXPECT_EQ(got, want.conflicts) << Note();
    if (!want.conflicts.empty()) {
      EXPECT_FALSE(out->merged) << Note();
      ++stats_.revert_conflicts;
      return;
    }
    ASSERT_TRUE(out->merged && out->commit) << Note();
    EXPECT_EQ((*out->commit)->parents, std::vector<ObjectId>{b.head}) << Note();
    AddCommit((*out->commit)->id, {b.head}, want.result);
    b.head = (*out->commit)->id;
    ++stats_.reverts;
  }

  // --- reference graph --------------------------------------------------------

  void AddCommit(const ObjectId& id, std::vector<ObjectId> parents, Map map) {
    uint64_t g = 0;
    for (const auto& p : parents)
      g = std::max(g, commits_.at(p).generation);
    commits_[id] = {std::move(parents), std::move(map), g + 1};
  }

  std::set<ObjectId> Ancestors(const ObjectId& id) {
    std::set<ObjectId> seen{id};
    std::vector<ObjectId> todo{id};
    while (!todo.empty()) {
      ObjectId c = todo.back();
      todo.pop_back();
      for (const auto& p : commits_[c].parents) {
        if (seen.insert(p).second) todo.push_back(p);
      }
    }
    return seen;
  }

  std::set<ObjectId> BestCommonAncestors(const ObjectId& a, const ObjectId& b) {
    const std::set<ObjectId> aa = Ancestors(a), bb = Ancestors(b);
    std::set<ObjectId> common;
    for (const auto& x : aa) {
      if (bb.count(x)) common.insert(x);
    }
    std::set<ObjectId> best = common;
    for (const auto& x : common) {
      for (const auto& y : Ancestors(x)) {
        if (y != x) best.erase(y);
      }
    }
    return best;
  }

  // --- checks ------------------------------------------------------------------

  void CheckAll() {
    auto listed = repo_->ListBranches();
    ASSERT_TRUE(listed.ok()) << listed.status().ToString() << " " << Note();
    std::vector<std::string> names;
    for (const auto& b : *listed) {
      names.push_back(b.name);
      auto it = branches_.find(b.name);
      if (it == branches_.end()) continue;
      EXPECT_EQ(b.head, it->second.head) << b.name << " " << Note();
      EXPECT_EQ(b.commit_mode == versioning::COMMIT_MODE_AUTO, it->second.auto_mode) << Note();
    }
    EXPECT_EQ(names, BranchNames()) << Note();
    for (const auto& [name, b] : branches_) {
      const Map& committed = commits_[b.head].map;
      const Map overlay = Overlay(committed, b.staged);
      EXPECT_EQ(testing::ContentsOf(repo_.get(), name), overlay) << name << " " << Note();
      EXPECT_EQ(testing::ContentsOf(repo_.get(), name + "~0"), committed) << name << " " << Note();
      auto diff = repo_->DiffUncommitted(name, {});
      ASSERT_TRUE(diff.ok()) << diff.status().ToString() << " " << Note();
      std::vector<std::string> changed, want;
      for (const auto& c : diff->changes)
        changed.push_back(c.key);
      for (const auto& [k, v] : b.staged) {
        if (Lookup(committed, k) != v) want.push_back(k);
      }
      EXPECT_EQ(changed, want) << name << " " << Note();
    }
  }

  // History: logs list exactly the model's ancestors; first-parent logs follow the
  // first parents; every commit's tree is what the model says.
  void CheckHistory() {
    for (const auto& [name, b] : branches_) {
      LogOptions o;
      o.limit = 100000;
      auto log = repo_->Log(name, o);
      ASSERT_TRUE(log.ok()) << log.status().ToString() << " " << Note();
      std::set<ObjectId> listed;
      for (const auto& c : log->commits)
        listed.insert(c->id);
      EXPECT_EQ(listed.size(), log->commits.size()) << "duplicates in log; " << Note();
      EXPECT_EQ(listed, Ancestors(b.head)) << name << " " << Note();
      o.first_parent = true;
      auto fp = repo_->Log(name, o);
      ASSERT_TRUE(fp.ok()) << Note();
      std::vector<ObjectId> chain;
      for (std::optional<ObjectId> c = b.head; c;) {
        chain.push_back(*c);
        const auto& parents = commits_[*c].parents;
        c = parents.empty() ? std::nullopt : std::optional<ObjectId>(parents[0]);
      }
      std::vector<ObjectId> got;
      for (const auto& c : fp->commits)
        got.push_back(c->id);
      EXPECT_EQ(got, chain) << name << " " << Note();
    }
    for (const auto& [id, c] : commits_) {
      EXPECT_EQ(testing::ContentsOf(repo_.get(), id.ToHex()), c.map) << id.ToHex() << " " << Note();
    }
  }

  const uint64_t seed_;
  std::mt19937_64 rng_;
  MemKvStore kv_;
  std::unique_ptr<Repository> repo_;
  std::map<ObjectId, ModelCommit> commits_;
  std::map<std::string, ModelBranch> branches_;
  int next_branch_ = 1;
  int step_ = 0;
  std::string last_op_ = "open";
  Stats stats_;
};

TEST(RepositoryModelTest, ReferenceMergeFollowsDocumentedRules) {
  // The reference itself, on cases whose answer is known from the design.
  const auto base = testing::DbValue("d", "a", Params{{"k1", "x"}, {kVolatile, "100"}});
  // Parameters merge key by key; the volatile key takes the larger value.
  auto m = ReferenceMergeEntity(
      base, testing::DbValue("d", "a", Params{{"k1", "x"}, {"k2", "y"}, {kVolatile, "300"}}),
      testing::DbValue("d", "b", Params{{"k1", "y"}, {kVolatile, "200"}}));
  ASSERT_FALSE(m.conflict);
  EXPECT_EQ(m.merged,
            testing::DbValue("d", "b", Params{{"k1", "y"}, {"k2", "y"}, {kVolatile, "300"}}));
  // Both change the description differently: conflict at that field only.
  m = ReferenceMergeEntity(base,
                           testing::DbValue("d", "b", Params{{"k1", "x"}, {kVolatile, "100"}}),
                           testing::DbValue("d", "c", Params{{"k1", "y"}, {kVolatile, "100"}}));
  EXPECT_TRUE(m.conflict);
  EXPECT_EQ(m.fields, std::vector<std::string>{"description"});
  // Null parameters on one side against a changed map on the other.
  m = ReferenceMergeEntity(base, testing::DbValue("d", "b"),
                           testing::DbValue("d", "a", Params{{"k1", "y"}}));
  EXPECT_EQ(m.fields, std::vector<std::string>{"parameters"});
  // A change against a delete.
  m = ReferenceMergeEntity(base, std::nullopt, testing::DbValue("d", "b"));
  EXPECT_EQ(m.fields, std::vector<std::string>{"(deleted vs changed)"});
}

// Cross-checks the reference entity merge with MergeEntity on random triples, so a
// disagreement in the repository test below points at the branch-level merge.
TEST(RepositoryModelTest, ReferenceMergeAgreesWithMergeEntity) {
  const uint64_t seed = testing::TestSeed();
  std::mt19937_64 rng(seed);
  auto chance = [&](int p) { return std::uniform_int_distribution<int>(0, 99)(rng) < p; };
  auto entity = [&]() -> std::optional<std::string> {
    if (chance(15)) return std::nullopt;
    std::optional<std::string> desc;
    if (!chance(30)) desc = chance(50) ? "a" : "b";
    std::optional<Params> params;
    if (!chance(30)) {
      params.emplace();
      if (chance(50)) (*params)["k1"] = chance(50) ? "x" : "y";
      if (chance(50)) (*params)[kVolatile] = chance(50) ? "100" : "200";
    }
    return testing::DbValue("d", desc, params);
  };
  int conflicts = 0, merged = 0;
  for (int i = 0; i < 3000; ++i) {
    const auto b = entity(), o = entity(), t = entity();
    auto got = MergeEntity(CatalogKey::Kind::kDatabase, b, o, t);
    ASSERT_TRUE(got.ok()) << got.status().ToString() << " " << testing::SeedNote(seed);
    const EntityMerge want = ReferenceMergeEntity(b, o, t);
    ASSERT_EQ(got->conflict, want.conflict) << testing::SeedNote(seed) << " case " << i;
    EXPECT_EQ(got->conflict_fields, want.fields) << testing::SeedNote(seed) << " case " << i;
    if (!want.conflict) {
      EXPECT_EQ(got->merged, want.merged) << testing::SeedNote(seed) << " case " << i;
    }
    (want.conflict ? conflicts : merged)++;
  }
  EXPECT_GT(conflicts, 100);
  EXPECT_GT(merged, 100);
}

TEST(RepositoryModelTest, RandomOperationsMatchTheModel) {
  const uint64_t seed = testing::TestSeed();
  for (uint64_t run = 0; run < 4 && !::testing::Test::HasFailure(); ++run) {
    ModelTest model(seed + run);
    model.Run(800);
    const auto& s = model.stats();
    // The mix must really exercise the interesting paths.
    EXPECT_EQ(s.steps, 800) << testing::SeedNote(seed + run);
    EXPECT_GT(s.commits, 20) << testing::SeedNote(seed + run);
    EXPECT_GT(s.merges, 10) << testing::SeedNote(seed + run);
    EXPECT_GT(s.reverts + s.revert_conflicts, 5) << testing::SeedNote(seed + run);
    std::printf(
        "model run %d (%s): %d commits (%d auto), %d merges, %d blocked by conflicts, "
        "%d nothing to merge, %d reverts, %d reverts with conflicts, %d refused, "
        "%d keys merged field by field\n",
        static_cast<int>(run), testing::SeedNote(seed + run).c_str(), s.commits, s.auto_commits,
        s.merges, s.merge_conflicts, s.nothing_to_merge, s.reverts, s.revert_conflicts, s.refused,
        s.field_merges);
    EXPECT_GT(s.field_merges, 0) << testing::SeedNote(seed + run);
  }
}

}  // namespace
}  // namespace arbor

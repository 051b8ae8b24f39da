// Crash atomicity of Repository operations, with FaultInjectingKvStore.
//
// For each operation that moves a branch (commit, merge, revert, auto-commit and
// staged Mutate, reset, branch delete), the test first counts the Write() calls of
// one successful run, then replays the operation from the same starting state with
// each of those writes failing in turn:
//   * one failed write (FailNthWrite): the operation either fails and leaves the
//     old state exactly (branch heads, staging, reads; also as seen by a freshly
//     opened Repository, i.e. after a restart), or, when the failed write is
//     clean-up after the atomic batch, succeeds with the new state. Failures come
//     first: every write up to the batch fails the operation. A failed operation
//     can then be retried successfully.
//   * a crash (FailWritesFrom: that write and all later ones fail): after a
//     restart the state is entirely old or entirely new, never a mix, and
//     CollectStagingGarbage leaves no orphaned staging behind.
#include <gtest/gtest.h>

#include <set>

#include "storage/mem_kv_store.h"
#include "storage/rocks_kv_store.h"
#include "tests/support/fault_injecting_kv_store.h"
#include "tests/support/temp_dir.h"
#include "tests/versioning/repository_test_util.h"

namespace arbor {
namespace {

using testing::DbKey;
using testing::DbValue;
using testing::Del;
using testing::PartKey;
using testing::PartValue;
using testing::Put;
using testing::TableKey;
using testing::TableValue;

// What a client can observe of the repository.
struct BranchState {
  ObjectId head;
  ObjectId root;
  std::vector<ObjectId> parents;
  std::string token;
  bool is_protected = false;
  testing::Contents contents;                                                   // reads
  std::vector<std::pair<std::string, std::optional<std::string>>> uncommitted;  // staging
};
using State = std::map<std::string, BranchState>;

State Capture(Repository* repo) {
  State s;
  auto branches = repo->ListBranches();
  EXPECT_TRUE(branches.ok()) << branches.status().ToString();
  if (!branches.ok()) return s;
  for (const auto& b : *branches) {
    BranchState& bs = s[b.name];
    bs.head = b.head;
    bs.token = b.staging_token;
    bs.is_protected = b.is_protected;
    auto c = repo->commits()->Get(b.head);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    if (c.ok()) {
      bs.root = (*c)->root;
      bs.parents = (*c)->parents;
    }
    bs.contents = testing::ContentsOf(repo, b.name);
    auto d = repo->DiffUncommitted(b.name, {});
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    if (d.ok()) {
      for (const auto& ch : d->changes)
        bs.uncommitted.emplace_back(ch.key, ch.new_value);
    }
  }
  return s;
}

// The old state must come back exactly: same commits, same staging tokens.
::testing::AssertionResult SameExactly(const State& a, const State& b) {
  if (a.size() != b.size()) return ::testing::AssertionFailure() << "branch sets differ";
  for (const auto& [name, x] : a) {
    auto it = b.find(name);
    if (it == b.end()) return ::testing::AssertionFailure() << "branch " << name << " missing";
    const BranchState& y = it->second;
    if (x.head != y.head) return ::testing::AssertionFailure() << name << ": head differs";
    if (x.token != y.token)
      return ::testing::AssertionFailure() << name << ": staging token differs";
    if (x.contents != y.contents) return ::testing::AssertionFailure() << name << ": reads differ";
    if (x.uncommitted != y.uncommitted)
      return ::testing::AssertionFailure() << name << ": staging differs";
  }
  return ::testing::AssertionSuccess();
}

// The new state: commit ids may differ between runs (a retried commit reads the
// clock again), so compare what the commits hold and where they sit.
::testing::AssertionResult SameContent(const State& a, const State& b) {
  if (a.size() != b.size()) return ::testing::AssertionFailure() << "branch sets differ";
  for (const auto& [name, x] : a) {
    auto it = b.find(name);
    if (it == b.end()) return ::testing::AssertionFailure() << "branch " << name << " missing";
    const BranchState& y = it->second;
    if (x.root != y.root) return ::testing::AssertionFailure() << name << ": tree differs";
    if (x.parents != y.parents) return ::testing::AssertionFailure() << name << ": parents differ";
    if (x.contents != y.contents) return ::testing::AssertionFailure() << name << ": reads differ";
    if (x.uncommitted != y.uncommitted)
      return ::testing::AssertionFailure() << name << ": staging differs";
  }
  return ::testing::AssertionSuccess();
}

// Staging entries whose token no branch holds.
size_t OrphanedStagingEntries(KvStore* kv, Repository* repo) {
  std::set<std::string> live;
  auto branches = repo->ListBranches();
  EXPECT_TRUE(branches.ok()) << branches.status().ToString();
  if (!branches.ok()) return SIZE_MAX;
  for (const auto& b : *branches)
    live.insert(b.staging_token);
  size_t n = 0;
  auto it = kv->NewIterator(Column::kStaging);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (!live.count(std::string(it->key().substr(0, kStagingTokenSize)))) ++n;
  }
  return n;
}

struct Scenario {
  std::string name;
  std::function<void(Repository*)> setup;
  std::function<Status(Repository*)> op;
};

Status StatusOfMerge(const Result<MergeOutcome>& m) {
  if (!m.ok()) return m.status();
  if (!m->merged) return Status::Internal("the merge wrote nothing");
  return Status::OK();
}

template <typename T>
void Must(const Result<T>& r) {
  ASSERT_TRUE(r.ok()) << r.status().ToString();
}

// main: db, table, partitions; dev with committed and staged changes; a staged
// change on a third branch that no operation touches.
void BaseSetup(Repository* repo) {
  Must(
      testing::Stage(repo, "main",
                     {Put(DbKey("sales"), DbValue("sales")),
                      Put(TableKey("sales", "orders"), TableValue("sales", "orders")),
                      Put(PartKey("sales", "orders", "ds=1"), PartValue("sales", "orders", "1")),
                      Put(PartKey("sales", "orders", "ds=2"), PartValue("sales", "orders", "2"))}));
  Must(repo->Commit("main", {}));
  Must(repo->CreateBranch("dev", "main"));
  Must(repo->CreateBranch("other", "main"));
  Must(testing::Stage(repo, "other",
                      {Put(TableKey("sales", "other"), TableValue("sales", "other"))}));
  Must(testing::Stage(
      repo, "dev",
      {Put(PartKey("sales", "orders", "ds=3"), PartValue("sales", "orders", "3")),
       Put(TableKey("sales", "orders"), TableValue("sales", "orders", {{"id", "int"}}))}));
  Must(repo->Commit("dev", {}));
  Must(testing::Stage(repo, "main",
                      {Put(PartKey("sales", "orders", "ds=4"), PartValue("sales", "orders", "4")),
                       Put(DbKey("sales"), DbValue("sales", "sales data"))}));
  Must(repo->Commit("main", {}));
}

std::vector<Scenario> Scenarios() {
  std::vector<Scenario> s;
  s.push_back({"commit",
               [](Repository* repo) {
                 BaseSetup(repo);
                 Must(testing::Stage(repo, "dev",
                                     {Put(TableKey("sales", "t2"), TableValue("sales", "t2")),
                                      Del(PartKey("sales", "orders", "ds=1")),
                                      Put(DbKey("sales"), DbValue("sales", "dev"))}));
               },
               [](Repository* repo) { return repo->Commit("dev", {}).status(); }});
  s.push_back(
      {"merge",
       [](Repository* repo) {
         BaseSetup(repo);
         // A conflict too, resolved by the strategy.
         Must(testing::Stage(repo, "dev", {Put(DbKey("sales"), DbValue("sales", "from dev"))}));
         Must(repo->Commit("dev", {}));
       },
       [](Repository* repo) {
         MergeOptions o;
         o.strategy = MergeStrategy::kSourceWins;
         return StatusOfMerge(repo->Merge("dev", "main", o));
       }});
  s.push_back({"merge into a protected branch",
               [](Repository* repo) {
                 BaseSetup(repo);
                 Must(repo->SetProtected("main", true));
               },
               [](Repository* repo) { return StatusOfMerge(repo->Merge("dev", "main", {})); }});
  s.push_back({"revert", [](Repository* repo) { BaseSetup(repo); },
               [](Repository* repo) { return StatusOfMerge(repo->Revert("main", "main", {})); }});
  s.push_back({"auto-commit mutation",
               [](Repository* repo) {
                 BaseSetup(repo);
                 Must(repo->SetCommitMode("dev", versioning::COMMIT_MODE_AUTO));
               },
               [](Repository* repo) {
                 auto r = testing::Stage(
                     repo, "dev",
                     {Put(PartKey("sales", "orders", "ds=9"), PartValue("sales", "orders", "9")),
                      Put(TableKey("sales", "t9"), TableValue("sales", "t9"))});
                 if (r.ok() && !r->commit) return Status::Internal("no auto commit");
                 return r.status();
               }});
  s.push_back({"staged mutation", [](Repository* repo) { BaseSetup(repo); },
               [](Repository* repo) {
                 return testing::Stage(repo, "dev",
                                       {Put(PartKey("sales", "orders", "ds=9"),
                                            PartValue("sales", "orders", "9")),
                                        Put(TableKey("sales", "t9"), TableValue("sales", "t9"))})
                     .status();
               }});
  s.push_back({"reset",
               [](Repository* repo) {
                 BaseSetup(repo);
                 Must(testing::Stage(repo, "dev",
                                     {Put(TableKey("sales", "t2"), TableValue("sales", "t2"))}));
               },
               [](Repository* repo) { return repo->Reset("dev"); }});
  s.push_back({"delete branch",
               [](Repository* repo) {
                 BaseSetup(repo);
                 Must(testing::Stage(repo, "dev",
                                     {Put(TableKey("sales", "t2"), TableValue("sales", "t2"))}));
               },
               [](Repository* repo) { return repo->DeleteBranch("dev"); }});
  return s;
}

struct Env {
  MemKvStore mem;
  testing::FaultInjectingKvStore kv{&mem};
  std::unique_ptr<Repository> repo;
};

std::unique_ptr<Env> MakeEnv(const Scenario& sc) {
  auto env = std::make_unique<Env>();
  auto opened = Repository::Open(&env->kv, testing::TestRepositoryOptions());
  EXPECT_TRUE(opened.ok()) << opened.status().ToString();
  if (!opened.ok()) return nullptr;
  env->repo = std::move(opened).value();
  sc.setup(env->repo.get());
  return env;
}

// A Repository opened afresh on the inner store: what a restarted process sees.
std::unique_ptr<Repository> Restart(KvStore* kv) {
  auto opened = Repository::Open(kv, testing::TestRepositoryOptions());
  EXPECT_TRUE(opened.ok()) << opened.status().ToString();
  return opened.ok() ? std::move(opened).value() : nullptr;
}

class CrashTest : public ::testing::TestWithParam<size_t> {
 protected:
  Scenario sc_ = Scenarios()[GetParam()];
};

TEST_P(CrashTest, FailedWriteLeavesOldStateAndRetrySucceeds) {
  SCOPED_TRACE(sc_.name);
  // One clean run: how many writes, and the state it ends in.
  auto clean = MakeEnv(sc_);
  ASSERT_TRUE(clean && !HasFailure());
  const State start = Capture(clean->repo.get());
  const uint64_t before = clean->kv.write_calls();
  ASSERT_TRUE(sc_.op(clean->repo.get()).ok());
  const uint64_t writes = clean->kv.write_calls() - before;
  const State done = Capture(clean->repo.get());
  ASSERT_GE(writes, 1u);
  ASSERT_FALSE(SameContent(start, done)) << "the operation must change something";

  bool succeeded_before = false;
  int failures = 0;
  for (uint64_t n = 1; n <= writes; ++n) {
    SCOPED_TRACE("failing write " + std::to_string(n) + " of " + std::to_string(writes));
    auto env = MakeEnv(sc_);
    ASSERT_TRUE(env && !HasFailure());
    const State old = Capture(env->repo.get());
    ASSERT_TRUE(SameContent(old, start));
    env->kv.FailNthWrite(n);
    Status s = sc_.op(env->repo.get());
    EXPECT_EQ(env->kv.failed_writes(), 1u);
    env->kv.Disarm();
    if (!s.ok()) {
      EXPECT_EQ(s.code(), StatusCode::kIOError) << s.ToString();
      EXPECT_FALSE(succeeded_before) << "a failure after a success: the batch is not one write";
      ++failures;
      EXPECT_TRUE(SameExactly(Capture(env->repo.get()), old));
      auto restarted = Restart(&env->mem);
      ASSERT_TRUE(restarted);
      EXPECT_TRUE(SameExactly(Capture(restarted.get()), old));
      // The same repository object retries successfully.
      Status retry = sc_.op(env->repo.get());
      ASSERT_TRUE(retry.ok()) << retry.ToString();
      EXPECT_TRUE(SameContent(Capture(env->repo.get()), done));
      EXPECT_TRUE(SameContent(Capture(Restart(&env->mem).get()), done));
    } else {
      // Only clean-up after the atomic batch may fail without failing the operation.
      succeeded_before = true;
      EXPECT_TRUE(SameContent(Capture(env->repo.get()), done));
      auto restarted = Restart(&env->mem);
      ASSERT_TRUE(restarted);
      EXPECT_TRUE(SameContent(Capture(restarted.get()), done));
      ARBOR_ASSERT_OK(restarted->CollectStagingGarbage());
      EXPECT_EQ(OrphanedStagingEntries(&env->mem, restarted.get()), 0u);
      EXPECT_TRUE(SameContent(Capture(restarted.get()), done))
          << "garbage collection changed state";
    }
  }
  EXPECT_GE(failures, 1) << "the operation's own batch must be among its writes";
}

TEST_P(CrashTest, CrashAtAnyWriteLeavesOldOrNewState) {
  SCOPED_TRACE(sc_.name);
  auto clean = MakeEnv(sc_);
  ASSERT_TRUE(clean && !HasFailure());
  const uint64_t before = clean->kv.write_calls();
  ASSERT_TRUE(sc_.op(clean->repo.get()).ok());
  const uint64_t writes = clean->kv.write_calls() - before;
  const State done = Capture(clean->repo.get());

  int old_states = 0, new_states = 0;
  for (uint64_t n = 1; n <= writes + 1; ++n) {
    SCOPED_TRACE("crash at write " + std::to_string(n) + " of " + std::to_string(writes));
    auto env = MakeEnv(sc_);
    ASSERT_TRUE(env && !HasFailure());
    const State old = Capture(env->repo.get());
    env->kv.FailWritesFrom(n);
    (void)sc_.op(env->repo.get());
    env->repo.reset();  // the process dies

    auto restarted = Restart(&env->mem);
    ASSERT_TRUE(restarted);
    const State after = Capture(restarted.get());
    const bool is_old = SameExactly(after, old);
    const bool is_new = SameContent(after, done);
    EXPECT_TRUE(is_old || is_new) << "a mix of old and new state";
    ARBOR_ASSERT_OK(restarted->CollectStagingGarbage());
    EXPECT_EQ(OrphanedStagingEntries(&env->mem, restarted.get()), 0u);
    if (is_old) {
      ++old_states;
      EXPECT_TRUE(SameExactly(Capture(restarted.get()), old)) << "garbage collection changed state";
      Status retry = sc_.op(restarted.get());
      ASSERT_TRUE(retry.ok()) << retry.ToString();
      EXPECT_TRUE(SameContent(Capture(restarted.get()), done));
    } else {
      ++new_states;
      EXPECT_TRUE(SameContent(Capture(restarted.get()), done))
          << "garbage collection changed state";
    }
  }
  EXPECT_GE(old_states, 1);
  EXPECT_GE(new_states, 1);  // at least the crash after the last write
}

INSTANTIATE_TEST_SUITE_P(Operations, CrashTest, ::testing::Range<size_t>(0, Scenarios().size()),
                         [](const ::testing::TestParamInfo<size_t>& info) {
                           std::string n = Scenarios()[info.param].name;
                           for (char& c : n) {
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return n;
                         });

// ---------------------------------------------------------------------------
// CollectStagingGarbage

TEST(StagingGarbageTest, RemovesOrphanedRangesOnly) {
  MemKvStore mem;
  testing::FaultInjectingKvStore kv(&mem);
  auto opened = Repository::Open(&kv, testing::TestRepositoryOptions());
  ARBOR_ASSERT_OK(opened);
  Repository* repo = opened->get();
  ARBOR_ASSERT_OK(repo->CreateBranch("dev", "main"));
  ARBOR_ASSERT_OK(repo->CreateBranch("feature", "main"));
  ARBOR_ASSERT_OK(testing::Stage(
      repo, "main", {Put(TableKey("default", "live"), TableValue("default", "live"))}));
  ARBOR_ASSERT_OK(testing::Stage(
      repo, "feature",
      {Put(TableKey("default", "f"), TableValue("default", "f")), Del(DbKey("default"))}));
  ARBOR_ASSERT_OK(testing::Stage(repo, "dev",
                                 {Put(TableKey("default", "d1"), TableValue("default", "d1")),
                                  Put(TableKey("default", "d2"), TableValue("default", "d2"))}));
  const std::string dev_token = repo->GetBranch("dev")->staging_token;
  const std::string main_token = repo->GetBranch("main")->staging_token;
  const std::string feature_token = repo->GetBranch("feature")->staging_token;

  // Orphan 1: a commit whose clean-up write was lost (the last write of the commit).
  {
    MemKvStore probe_mem;  // count the commit's writes on a throwaway copy of the flow
    testing::FaultInjectingKvStore probe(&probe_mem);
    auto p = Repository::Open(&probe, testing::TestRepositoryOptions());
    ARBOR_ASSERT_OK(p);
    ARBOR_ASSERT_OK(testing::Stage(p->get(), "main",
                                   {Put(TableKey("default", "x"), TableValue("default", "x"))}));
    const uint64_t w = probe.write_calls();
    ARBOR_ASSERT_OK((*p)->Commit("main", {}));
    kv.FailNthWrite(probe.write_calls() - w);
  }
  auto c = repo->Commit("dev", {});
  ARBOR_ASSERT_OK(c);
  ASSERT_EQ(kv.failed_writes(), 1u) << "the clean-up write was the one that failed";
  kv.Disarm();
  EXPECT_EQ(repo->GetBranch("dev")->head, (*c)->id);
  EXPECT_EQ(testing::StagedEntriesUnderToken(&mem, dev_token), 2u) << "orphaned range left behind";

  // Orphan 2: a range written under a token no branch has (a crash mid-way).
  const std::string stray(kStagingTokenSize, '\x07');
  WriteBatch b;
  StageEdit(stray, Put(TableKey("default", "ghost"), TableValue("default", "ghost")), &b);
  StageEdit(stray, Del(TableKey("default", "ghost2")), &b);
  ARBOR_ASSERT_OK(mem.Write(b));
  // And a token that sorts just next to a live one must not take the live one along.
  std::string neighbour = main_token;
  neighbour.back() = static_cast<char>(static_cast<unsigned char>(neighbour.back()) ^ 1);
  WriteBatch nb;
  StageEdit(neighbour, Put(TableKey("default", "n"), TableValue("default", "n")), &nb);
  ARBOR_ASSERT_OK(mem.Write(nb));

  const auto main_view = testing::ContentsOf(repo, "main");
  const auto feature_view = testing::ContentsOf(repo, "feature");
  const auto dev_view = testing::ContentsOf(repo, "dev");
  ARBOR_ASSERT_OK(repo->CollectStagingGarbage());
  EXPECT_EQ(testing::StagedEntriesUnderToken(&mem, dev_token), 0u);
  EXPECT_EQ(testing::StagedEntriesUnderToken(&mem, stray), 0u);
  EXPECT_EQ(testing::StagedEntriesUnderToken(&mem, neighbour), 0u);
  EXPECT_EQ(testing::StagedEntriesUnderToken(&mem, main_token), 1u);
  EXPECT_EQ(testing::StagedEntriesUnderToken(&mem, feature_token), 2u);
  EXPECT_EQ(OrphanedStagingEntries(&mem, repo), 0u);
  EXPECT_EQ(testing::ContentsOf(repo, "main"), main_view);
  EXPECT_EQ(testing::ContentsOf(repo, "feature"), feature_view);
  EXPECT_EQ(testing::ContentsOf(repo, "dev"), dev_view);
  // Idempotent.
  ARBOR_ASSERT_OK(repo->CollectStagingGarbage());
  EXPECT_EQ(testing::StagedEntriesUnderToken(&mem, main_token), 1u);
}

// ---------------------------------------------------------------------------
// The same crash sweep for a commit on RocksDB, reopening the database each time.

TEST(RocksCrashTest, CommitCrashAtAnyWriteLeavesOldOrNewState) {
  const Scenario sc = Scenarios()[0];
  ASSERT_EQ(sc.name, "commit");
  uint64_t writes = 0;
  State done;
  {
    auto env = MakeEnv(sc);
    ASSERT_TRUE(env);
    const uint64_t before = env->kv.write_calls();
    ARBOR_ASSERT_OK(sc.op(env->repo.get()));
    writes = env->kv.write_calls() - before;
    done = Capture(env->repo.get());
  }
  for (uint64_t n = 1; n <= writes + 1; ++n) {
    SCOPED_TRACE("crash at write " + std::to_string(n));
    testing::TempDir dir;
    RocksOptions ro;
    ro.path = dir.Sub("db");
    ro.block_cache_bytes = 4 << 20;
    ro.write_buffer_bytes = 2 << 20;
    State old;
    {
      auto rocks = RocksKvStore::Open(ro);
      ARBOR_ASSERT_OK(rocks);
      testing::FaultInjectingKvStore kv(rocks->get());
      auto repo = Repository::Open(&kv, testing::TestRepositoryOptions());
      ARBOR_ASSERT_OK(repo);
      sc.setup(repo->get());
      ASSERT_FALSE(HasFailure());
      old = Capture(repo->get());
      kv.FailWritesFrom(n);
      (void)sc.op(repo->get());
    }  // repository and database closed: the crash
    auto rocks = RocksKvStore::Open(ro);
    ARBOR_ASSERT_OK(rocks);
    auto repo = Restart(rocks->get());
    ASSERT_TRUE(repo);
    const State after = Capture(repo.get());
    const bool is_old = SameExactly(after, old);
    EXPECT_TRUE(is_old || SameContent(after, done)) << "a mix of old and new state";
    ARBOR_ASSERT_OK(repo->CollectStagingGarbage());
    EXPECT_EQ(OrphanedStagingEntries(rocks->get(), repo.get()), 0u);
    if (is_old) {
      ARBOR_ASSERT_OK(sc.op(repo.get()));
      EXPECT_TRUE(SameContent(Capture(repo.get()), done));
    }
  }
}

}  // namespace
}  // namespace arbor

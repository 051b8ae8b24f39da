// Group commit of writes to one branch (Repository::Mutate), staged and in auto
// mode (a commit per write, one synced branch move per batch): concurrent
// writers share synced batches, each function sees the writes queued before it,
// a failing function affects only its own caller, and the arrival order decides
// the outcome of writes to the same key. Also: a commit's chunked apply of staged
// edits gives the tree a single apply would.
//
// A gated store holds the first synced write of a test until the test has queued
// the writers it wants in the next batch (Repository::QueuedWrites tells), so batch
// boundaries and queue order are deterministic.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "storage/mem_kv_store.h"
#include "tests/versioning/repository_test_util.h"

namespace arbor {
namespace {

using testing::DbKey;
using testing::DbValue;
using testing::PartKey;
using testing::PartValue;
using testing::Put;

const char* const kDb = "g";

// Counts synced batches; while armed, the next synced write waits for Release().
class GatedKv final : public KvStore {
 public:
  explicit GatedKv(KvStore* inner) : inner_(inner) {}

  void Arm() {
    std::lock_guard<std::mutex> l(mu_);
    armed_ = true;
    holding_ = false;
  }
  // Waits until a synced write is being held.
  void AwaitHeld() {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [&] { return holding_; });
  }
  void Release() {
    std::lock_guard<std::mutex> l(mu_);
    armed_ = false;
    cv_.notify_all();
  }
  int synced() const { return synced_.load(); }

  Result<std::string> Get(Column c, std::string_view key, const ReadOptions& o = {}) override {
    return inner_->Get(c, key, o);
  }
  std::unique_ptr<KvIterator> NewIterator(Column c, const ReadOptions& o = {}) override {
    return inner_->NewIterator(c, o);
  }
  std::unique_ptr<Snapshot> GetSnapshot() override { return inner_->GetSnapshot(); }
  Status Write(const WriteBatch& batch, const WriteOptions& options = {}) override {
    if (options.sync) {
      ++synced_;
      std::unique_lock<std::mutex> l(mu_);
      if (armed_) {
        holding_ = true;
        cv_.notify_all();
        cv_.wait(l, [&] { return !armed_; });
      }
    }
    return inner_->Write(batch, options);
  }
  Status SyncWal() override { return inner_->SyncWal(); }

 private:
  KvStore* inner_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool armed_ = false;
  bool holding_ = false;
  std::atomic<int> synced_{0};
};

class GroupCommitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    kv_ = std::make_unique<GatedKv>(&mem_);
    RepositoryOptions options;
    options.initial_entries.push_back(Put(DbKey(kDb), DbValue(kDb)));
    auto repo = Repository::Open(kv_.get(), std::move(options));
    ASSERT_TRUE(repo.ok()) << repo.status().ToString();
    repo_ = std::move(*repo);
  }

  // A write that creates partition `part` if it does not exist yet.
  Result<MutationOutcome> AddPart(const std::string& part, const std::string& value = "1") {
    return repo_->Mutate(
        "main", MutationOptions{"w", ""}, [&](const ReadView& view) -> Result<std::vector<Edit>> {
          ARBOR_ASSIGN_OR_RETURN(bool exists, view.Exists(PartKey(kDb, "t", part)));
          if (exists) return Status::AlreadyExists("partition " + part);
          return std::vector<Edit>{Put(PartKey(kDb, "t", part), PartValue(kDb, "t", value))};
        });
  }

  // Holds the batch of a first writer in its synced write, so that the writers
  // started by `queue` (each after the previous, with time to enqueue) all land in
  // the next batch; then releases and joins everything.
  void HoldThenRun(const std::vector<std::function<void()>>& queue) {
    kv_->Arm();
    const std::string holder = "first" + std::to_string(holds_++);
    std::thread first([&] { ARBOR_EXPECT_OK(AddPart(holder)); });
    kv_->AwaitHeld();
    std::vector<std::thread> threads;
    for (const auto& fn : queue) {
      threads.emplace_back(fn);
      // Queue order is arrival order: let each writer enqueue before the next starts.
      while (repo_->QueuedWrites("main") < threads.size())
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    kv_->Release();
    first.join();
    for (auto& t : threads)
      t.join();
  }

  Result<std::optional<std::string>> Read(const std::string& key) {
    ARBOR_ASSIGN_OR_RETURN(ReadView view, repo_->OpenView("main"));
    return view.Get(key);
  }

  int holds_ = 0;
  MemKvStore mem_;
  std::unique_ptr<GatedKv> kv_;
  std::unique_ptr<Repository> repo_;
};

TEST_F(GroupCommitTest, QueuedWritersShareOneSyncedBatch) {
  const int kWriters = 12;
  std::vector<Result<MutationOutcome>> outcomes(kWriters, Status::Internal("not run"));
  std::vector<std::function<void()>> queue;
  for (int i = 0; i < kWriters; ++i)
    queue.push_back([&, i] { outcomes[i] = AddPart("p" + std::to_string(i)); });
  const int before = kv_->synced();
  HoldThenRun(queue);
  // The first writer's batch, then one batch for all the others.
  EXPECT_EQ(kv_->synced() - before, 2);
  for (int i = 0; i < kWriters; ++i) {
    ARBOR_ASSERT_OK(outcomes[i]);
    EXPECT_EQ(outcomes[i]->edits, 1u);
    EXPECT_FALSE(outcomes[i]->commit.has_value());
    auto v = Read(PartKey(kDb, "t", "p" + std::to_string(i)));
    ARBOR_ASSERT_OK(v);
    EXPECT_TRUE(v->has_value()) << i;
  }
}

TEST_F(GroupCommitTest, EachFunctionSeesEarlierWritesOfItsBatch) {
  // Two writers create the same partition in one batch: the second one's check
  // must see the first one's pending edit.
  Result<MutationOutcome> a = Status::Internal("not run"), b = Status::Internal("not run");
  HoldThenRun({[&] { a = AddPart("same", "1"); }, [&] { b = AddPart("same", "2"); }});
  ARBOR_EXPECT_OK(a);
  ARBOR_EXPECT_CODE(b, kAlreadyExists);
  auto v = Read(PartKey(kDb, "t", "same"));
  ARBOR_ASSERT_OK(v);
  ASSERT_TRUE(v->has_value());
  EXPECT_EQ(**v, PartValue(kDb, "t", "1"));
}

TEST_F(GroupCommitTest, FailingFunctionIsIsolated) {
  Result<MutationOutcome> before = Status::Internal("not run");
  Result<MutationOutcome> failing = Status::Internal("not run");
  Result<MutationOutcome> after = Status::Internal("not run");
  bool after_saw_failed_edit = true;
  bool threw_reached_caller = false;
  Result<MutationOutcome> other = Status::Internal("not run");
  HoldThenRun({
      [&] { before = AddPart("a"); },
      [&] {
        failing = repo_->Mutate("main", MutationOptions{"w", ""},
                                [&](const ReadView&) -> Result<std::vector<Edit>> {
                                  return Status::InvalidArgument("refused");
                                });
      },
      [&] {
        try {
          (void)repo_->Mutate("main", MutationOptions{"w", ""},
                              [&](const ReadView&) -> Result<std::vector<Edit>> {
                                throw std::runtime_error("boom");
                              });
        } catch (const std::runtime_error& e) {
          threw_reached_caller = std::string(e.what()) == "boom";
        }
      },
      [&] {
        after = repo_->Mutate(
            "main", MutationOptions{"w", ""},
            [&](const ReadView& view) -> Result<std::vector<Edit>> {
              ARBOR_ASSIGN_OR_RETURN(auto a, view.Get(PartKey(kDb, "t", "a")));
              after_saw_failed_edit = !a.has_value();
              return std::vector<Edit>{Put(PartKey(kDb, "t", "b"), PartValue(kDb, "t", "b"))};
            });
      },
      [&] { other = AddPart("c"); },
  });
  ARBOR_EXPECT_OK(before);
  ARBOR_EXPECT_CODE(failing, kInvalidArgument);
  EXPECT_TRUE(threw_reached_caller);
  ARBOR_EXPECT_OK(after);
  EXPECT_FALSE(after_saw_failed_edit);  // it saw "a", written before it in the batch
  ARBOR_EXPECT_OK(other);
  for (const char* p : {"a", "b", "c"}) {
    auto v = Read(PartKey(kDb, "t", p));
    ARBOR_ASSERT_OK(v);
    EXPECT_TRUE(v->has_value()) << p;
  }
}

TEST_F(GroupCommitTest, LaterWriteOfTheSameKeyWins) {
  auto put = [&](const std::string& value) {
    return repo_->Mutate(
        "main", MutationOptions{"w", ""}, [&](const ReadView&) -> Result<std::vector<Edit>> {
          return std::vector<Edit>{Put(PartKey(kDb, "t", "k"), PartValue(kDb, "t", value))};
        });
  };
  auto del = [&] {
    return repo_->Mutate("main", MutationOptions{"w", ""},
                         [&](const ReadView&) -> Result<std::vector<Edit>> {
                           return std::vector<Edit>{{PartKey(kDb, "t", "k"), std::nullopt}};
                         });
  };
  HoldThenRun({[&] { ARBOR_EXPECT_OK(put("1")); }, [&] { ARBOR_EXPECT_OK(del()); },
               [&] { ARBOR_EXPECT_OK(put("3")); }});
  auto v = Read(PartKey(kDb, "t", "k"));
  ARBOR_ASSERT_OK(v);
  ASSERT_TRUE(v->has_value());
  EXPECT_EQ(**v, PartValue(kDb, "t", "3"));

  HoldThenRun({[&] { ARBOR_EXPECT_OK(put("4")); }, [&] { ARBOR_EXPECT_OK(del()); }});
  v = Read(PartKey(kDb, "t", "k"));
  ARBOR_ASSERT_OK(v);
  EXPECT_FALSE(v->has_value());
}

TEST_F(GroupCommitTest, ScansSeePendingEditsInOrder) {
  // A later function's scan of the table sees the earlier pending puts and deletes
  // merged with the staged and committed entries.
  ARBOR_ASSERT_OK(AddPart("p1"));
  CommitOptions co;
  co.author = "t";
  co.message = "base";
  ARBOR_ASSERT_OK(repo_->Commit("main", co));
  ARBOR_ASSERT_OK(AddPart("p3"));  // staged
  std::vector<std::string> seen;
  HoldThenRun({
      [&] { ARBOR_EXPECT_OK(AddPart("p2")); },
      [&] {
        ARBOR_EXPECT_OK(repo_->Mutate(
            "main", MutationOptions{"w", ""}, [&](const ReadView&) -> Result<std::vector<Edit>> {
              return std::vector<Edit>{{PartKey(kDb, "t", "p3"), std::nullopt}};
            }));
      },
      [&] {
        ARBOR_EXPECT_OK(
            repo_->Mutate("main", MutationOptions{"w", ""},
                          [&](const ReadView& view) -> Result<std::vector<Edit>> {
                            ARBOR_ASSIGN_OR_RETURN(KeyRange range, TableRange(kDb, "t"));
                            ARBOR_RETURN_IF_ERROR(
                                view.Scan(range, [&](const std::string& key, const std::string&) {
                                  auto name = DecodeKey(key);
                                  if (name.ok() && name->kind == CatalogKey::Kind::kPartition) {
                                    seen.push_back(name->partition);
                                  }
                                  return true;
                                }));
                            return std::vector<Edit>{};
                          }));
      },
  });
  EXPECT_EQ(seen, (std::vector<std::string>{"first0", "p1", "p2"}));
}

TEST_F(GroupCommitTest, ManyConcurrentWritersAllLand) {
  const int kThreads = 16, kEach = 40;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  const int before = kv_->synced();
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        if (!AddPart("c" + std::to_string(t) + "_" + std::to_string(i)).ok()) ++failures;
      }
    });
  }
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_LE(kv_->synced() - before, kThreads * kEach);
  auto view = repo_->OpenView("main");
  ARBOR_ASSERT_OK(view);
  ARBOR_ASSERT_OK(TableRange(kDb, "t"));
  size_t parts = 0;
  ARBOR_ASSERT_OK(
      view->Scan(*TableRange(kDb, "t"), [&](const std::string& key, const std::string&) {
        auto name = DecodeKey(key);
        if (name.ok() && name->kind == CatalogKey::Kind::kPartition) ++parts;
        return true;
      }));
  EXPECT_EQ(parts, size_t(kThreads * kEach));
}

TEST_F(GroupCommitTest, AutoModeWritesEachCommitInOrder) {
  ARBOR_ASSERT_OK(repo_->SetCommitMode("main", versioning::COMMIT_MODE_AUTO));
  std::vector<Result<MutationOutcome>> outcomes(4, Status::Internal("not run"));
  std::vector<std::function<void()>> queue;
  for (int i = 0; i < 4; ++i)
    queue.push_back([&, i] { outcomes[i] = AddPart("auto" + std::to_string(i)); });
  HoldThenRun(queue);
  for (auto& o : outcomes) {
    ARBOR_ASSERT_OK(o);
    ASSERT_TRUE(o->commit.has_value());
  }
  // Each write is its own commit, on top of the previous one, in arrival order.
  LogOptions lo;
  lo.limit = 5;
  auto log = repo_->Log("main", lo);
  ARBOR_ASSERT_OK(log);
  ASSERT_EQ(log->commits.size(), 5u);
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(log->commits[i]->id, *outcomes[3 - i]->commit);
}

TEST_F(GroupCommitTest, AutoModeBatchSharesOneSyncedWrite) {
  ARBOR_ASSERT_OK(repo_->SetCommitMode("main", versioning::COMMIT_MODE_AUTO));
  const std::vector<std::string> parts = {"a0", "a1", "dup", "dup", "a2", "a3"};
  std::vector<Result<MutationOutcome>> outcomes(parts.size(), Status::Internal("not run"));
  Result<MutationOutcome> failing = Status::Internal("not run");
  Result<MutationOutcome> unchanged = Status::Internal("not run");
  std::vector<std::function<void()>> queue;
  for (size_t i = 0; i < parts.size(); ++i) {
    queue.push_back([&, i] { outcomes[i] = AddPart(parts[i]); });
    if (i == 1) {
      queue.push_back([&] {
        failing = repo_->Mutate("main", MutationOptions{"w", ""},
                                [](const ReadView&) -> Result<std::vector<Edit>> {
                                  return Status::InvalidArgument("refused");
                                });
      });
    }
  }
  // A write of a value the batch already holds: no commit of its own.
  queue.push_back([&] {
    unchanged = repo_->Mutate(
        "main", MutationOptions{"w", ""}, [&](const ReadView&) -> Result<std::vector<Edit>> {
          return std::vector<Edit>{Put(PartKey(kDb, "t", "a3"), PartValue(kDb, "t", "1"))};
        });
  });
  const int before = kv_->synced();
  HoldThenRun(queue);
  // The first writer's commit, then one synced write for the whole batch.
  EXPECT_EQ(kv_->synced() - before, 2);
  ARBOR_EXPECT_CODE(failing, kInvalidArgument);
  ARBOR_EXPECT_CODE(outcomes[3], kAlreadyExists);  // saw the first "dup"'s commit
  ARBOR_ASSERT_OK(unchanged);
  EXPECT_FALSE(unchanged->commit.has_value());
  std::vector<ObjectId> chain;
  for (size_t i : {0, 1, 2, 4, 5}) {
    ARBOR_ASSERT_OK(outcomes[i]);
    ASSERT_TRUE(outcomes[i]->commit.has_value()) << i;
    chain.push_back(*outcomes[i]->commit);
  }
  // One commit per write that changed the catalog, each on the previous one, in
  // queue order, the last at the branch's head.
  LogOptions lo;
  lo.limit = 5;
  auto log = repo_->Log("main", lo);
  ARBOR_ASSERT_OK(log);
  ASSERT_EQ(log->commits.size(), 5u);
  for (size_t i = 0; i < chain.size(); ++i) {
    EXPECT_EQ(log->commits[i]->id, chain[chain.size() - 1 - i]) << i;
    EXPECT_EQ(log->commits[i]->message, "auto-commit");
  }
  for (const auto& p : parts) {
    auto v = Read(PartKey(kDb, "t", p));
    ARBOR_ASSERT_OK(v);
    EXPECT_TRUE(v->has_value()) << p;
  }
}

TEST_F(GroupCommitTest, BatchOnProtectedBranchOrTagIsRefused) {
  ARBOR_ASSERT_OK(repo_->CreateTag("v1", "main"));
  auto r = repo_->Mutate(
      "v1", MutationOptions{"w", ""},
      [&](const ReadView&) -> Result<std::vector<Edit>> { return std::vector<Edit>{}; });
  ARBOR_EXPECT_CODE(r, kReadOnly);
  ARBOR_ASSERT_OK(repo_->SetProtected("main", true));
  Result<MutationOutcome> a = Status::Internal("not run"), b = Status::Internal("not run");
  std::thread ta([&] { a = AddPart("x"); });
  std::thread tb([&] { b = AddPart("y"); });
  ta.join();
  tb.join();
  ARBOR_EXPECT_CODE(a, kReadOnly);
  ARBOR_EXPECT_CODE(b, kReadOnly);
}

// Commit applies staged edits in chunks: the result must be the tree one Apply of all
// of them gives (trees are canonical, so equal roots mean equal contents), with
// deletes, updates and auto mode's extra edits in the right order.
Result<ObjectId> CommitWithChunks(size_t chunk, bool auto_mode) {
  MemKvStore mem;
  RepositoryOptions options;
  options.commit_chunk_edits = chunk;
  options.initial_entries.push_back(Put(DbKey(kDb), DbValue(kDb)));
  for (int i = 0; i < 40; ++i) {
    std::string p = "base" + std::to_string(i);
    options.initial_entries.push_back(Put(PartKey(kDb, "t", p), PartValue(kDb, "t", p)));
  }
  ARBOR_ASSIGN_OR_RETURN(auto repo, Repository::Open(&mem, std::move(options)));
  std::vector<Edit> edits;
  for (int i = 0; i < 100; ++i) {
    std::string p = "new" + std::to_string(i);
    edits.push_back(Put(PartKey(kDb, "t", p), PartValue(kDb, "t", p)));
  }
  for (int i = 0; i < 40; i += 3)
    edits.push_back({PartKey(kDb, "t", "base" + std::to_string(i)), std::nullopt});
  for (int i = 1; i < 40; i += 3)
    edits.push_back(Put(PartKey(kDb, "t", "base" + std::to_string(i)), PartValue(kDb, "t", "x")));
  ARBOR_RETURN_IF_ERROR(testing::Stage(repo.get(), "main", std::move(edits)).status());
  if (auto_mode) {
    // The staged edits are committed together with the write's own, which win.
    ARBOR_RETURN_IF_ERROR(repo->SetCommitMode("main", versioning::COMMIT_MODE_AUTO).status());
    ARBOR_ASSIGN_OR_RETURN(
        MutationOutcome out,
        testing::Stage(repo.get(), "main",
                       {Put(PartKey(kDb, "t", "base1"), PartValue(kDb, "t", "y")),
                        {PartKey(kDb, "t", "new5"), std::nullopt}}));
    if (!out.commit) return Status::Internal("no auto commit");
    ARBOR_ASSIGN_OR_RETURN(CommitPtr c, repo->GetCommit("main"));
    return c->root;
  }
  CommitOptions co;
  co.author = "t";
  co.message = "all";
  ARBOR_ASSIGN_OR_RETURN(CommitPtr c, repo->Commit("main", co));
  ARBOR_ASSIGN_OR_RETURN(ReadView view, repo->OpenView("main"));
  ARBOR_ASSIGN_OR_RETURN(auto deleted, view.Get(PartKey(kDb, "t", "base0")));
  ARBOR_ASSIGN_OR_RETURN(auto added, view.Get(PartKey(kDb, "t", "new99")));
  if (deleted || !added) return Status::Internal("commit lost edits");
  return c->root;
}

TEST(ChunkedCommitTest, ChunksGiveTheSameTreeAsOneApply) {
  for (bool auto_mode : {false, true}) {
    auto whole = CommitWithChunks(1000000, auto_mode);
    ARBOR_ASSERT_OK(whole);
    for (size_t chunk : {1, 7, 64}) {
      auto chunked = CommitWithChunks(chunk, auto_mode);
      ARBOR_ASSERT_OK(chunked);
      EXPECT_EQ(*chunked, *whole) << "chunk " << chunk << " auto " << auto_mode;
    }
  }
}

}  // namespace
}  // namespace arbor

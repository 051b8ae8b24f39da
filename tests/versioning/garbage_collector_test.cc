// Garbage collection (versioning/garbage_collector.h, Repository::CollectGarbage):
// what a deleted branch held goes, after the grace period; everything any ref reaches
// (full history, tags, pending work) stays readable; a dry run deletes nothing; and
// collections racing with commits, merges, staged writes and branch churn that
// re-creates the very objects being swept lose nothing.
#include <gtest/gtest.h>

#include <atomic>
#include <random>
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
using testing::TableKey;
using testing::TableValue;

constexpr int64_t kHour = 3600LL * 1000 * 1000;

class GarbageCollectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RepositoryOptions o = testing::TestRepositoryOptions();
    o.clock = [this] { return now_.load(); };
    auto opened = Repository::Open(&kv_, std::move(o));
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    repo_ = std::move(opened).value();
    ARBOR_ASSERT_OK(
        testing::Stage(repo_.get(), "main",
                       {Put(DbKey("sales"), DbValue("sales", "")),
                        Put(TableKey("sales", "orders"), TableValue("sales", "orders"))}));
    Commit("main", "sales.orders");
  }

  void Commit(std::string_view branch, std::string message) {
    CommitOptions o;
    o.author = "tester";
    o.message = std::move(message);
    auto c = repo_->Commit(branch, o);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
  }

  // Adds partitions [from, to) of sales.orders on `branch` and commits them.
  void AddPartitions(std::string_view branch, int from, int to) {
    std::vector<Edit> edits;
    for (int i = from; i < to; ++i) {
      std::string v = "p" + std::to_string(i);
      edits.push_back(Put(PartKey("sales", "orders", "ds=" + v), PartValue("sales", "orders", v)));
    }
    ARBOR_ASSERT_OK(testing::Stage(repo_.get(), branch, std::move(edits)));
    Commit(branch, "partitions");
  }

  size_t ObjectCount() {
    auto it = kv_.NewIterator(Column::kObjects);
    size_t n = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next())
      ++n;
    return n;
  }

  GcReport Gc(int64_t grace, bool dry_run = false) {
    GcOptions o;
    o.grace_micros = grace;
    o.dry_run = dry_run;
    auto r = repo_->CollectGarbage(o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : GcReport{};
  }

  // Every commit in the ref's history, and its whole tree, reads back.
  void ExpectFullyReadable(std::string_view ref) {
    LogOptions lo;
    lo.limit = 100000;
    auto log = repo_->Log(ref, lo);
    ASSERT_TRUE(log.ok()) << ref << ": " << log.status().ToString();
    for (const auto& c : log->commits) {
      auto view = repo_->OpenView(c->id.ToHex());
      ASSERT_TRUE(view.ok()) << view.status().ToString();
      Status s = view->Scan(AllKeys(), [](const std::string&, const std::string&) { return true; });
      ASSERT_TRUE(s.ok()) << ref << " at " << c->id.ShortHex() << ": " << s.ToString();
    }
  }

  std::atomic<int64_t> now_{1'700'000'000'000'000};
  MemKvStore kv_;
  std::unique_ptr<Repository> repo_;
};

TEST_F(GarbageCollectorTest, DeletedBranchIsFreedAfterTheGracePeriodAndMainIsIntact) {
  size_t baseline = ObjectCount();
  testing::Contents main_before = testing::ContentsOf(repo_.get(), "main");
  ARBOR_ASSERT_OK(repo_->CreateBranch("dev", "main"));
  AddPartitions("dev", 0, 3000);
  ObjectId dev_head = repo_->GetBranch("dev")->head;
  ASSERT_GT(ObjectCount(), baseline + 20);
  ARBOR_ASSERT_OK(repo_->DeleteBranch("dev"));

  // Within the grace period the deleted branch's history is kept, and can be revived.
  GcReport kept = Gc(kHour);
  EXPECT_EQ(kept.objects_freed, 0u);
  ARBOR_ASSERT_OK(repo_->CreateBranch("revived", dev_head.ToHex()));
  ARBOR_ASSERT_OK(repo_->DeleteBranch("revived"));

  now_ += 2 * kHour;
  GcReport freed = Gc(kHour);
  EXPECT_GT(freed.objects_freed, 20u);
  EXPECT_GT(freed.bytes_freed, 100u * 1000);
  EXPECT_EQ(freed.deleted_refs_expired, 2u);
  EXPECT_EQ(ObjectCount(), baseline);
  EXPECT_EQ(freed.objects_live, baseline);
  EXPECT_EQ(testing::ContentsOf(repo_.get(), "main"), main_before);
  ExpectFullyReadable("main");
  ARBOR_EXPECT_CODE(repo_->Resolve(dev_head.ToHex()), kNotFound);
  // Nothing is left to free.
  EXPECT_EQ(Gc(0).objects_freed, 0u);
}

TEST_F(GarbageCollectorTest, DryRunReportsWithoutDeleting) {
  ARBOR_ASSERT_OK(repo_->CreateBranch("dev", "main"));
  AddPartitions("dev", 0, 1000);
  ARBOR_ASSERT_OK(repo_->DeleteBranch("dev"));
  size_t before = ObjectCount();
  GcReport dry = Gc(0, /*dry_run=*/true);
  EXPECT_TRUE(dry.dry_run);
  EXPECT_GT(dry.objects_freed, 0u);
  EXPECT_EQ(ObjectCount(), before);
  GcReport real = Gc(0);
  EXPECT_EQ(real.objects_freed, dry.objects_freed);
  EXPECT_EQ(real.bytes_freed, dry.bytes_freed);
  EXPECT_EQ(ObjectCount(), before - real.objects_freed);
}

TEST_F(GarbageCollectorTest, TagsHistoryAndOtherBranchesKeepWhatTheyReach) {
  ARBOR_ASSERT_OK(repo_->CreateBranch("dev", "main"));
  AddPartitions("dev", 0, 500);
  ARBOR_ASSERT_OK(repo_->CreateTag("v1", "dev"));
  AddPartitions("dev", 500, 1000);
  ARBOR_ASSERT_OK(repo_->CreateBranch("feature", "dev"));
  AddPartitions("dev", 1000, 1500);  // only dev reaches this commit
  auto merged = repo_->Merge("dev", "main", {});
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  ARBOR_ASSERT_OK(repo_->CreateBranch("side", "main"));
  AddPartitions("side", 2000, 2100);
  testing::Contents v1 = testing::ContentsOf(repo_.get(), "v1");
  testing::Contents feature = testing::ContentsOf(repo_.get(), "feature");
  ARBOR_ASSERT_OK(repo_->DeleteBranch("dev"));
  ARBOR_ASSERT_OK(repo_->DeleteBranch("side"));
  // Staged but uncommitted work is untouched.
  ARBOR_ASSERT_OK(testing::Stage(
      repo_.get(), "feature",
      {Put(PartKey("sales", "orders", "ds=staged"), PartValue("sales", "orders", "staged"))}));

  GcReport r = Gc(0);
  EXPECT_GT(r.objects_freed, 0u);  // side's commit and its tree
  EXPECT_EQ(testing::ContentsOf(repo_.get(), "v1"), v1);
  testing::Contents feature_now = testing::ContentsOf(repo_.get(), "feature");
  EXPECT_EQ(feature_now.size(), feature.size() + 1);
  for (const char* ref : {"main", "v1", "feature"})
    ExpectFullyReadable(ref);
  Commit("feature", "staged partition");
  ExpectFullyReadable("feature");
  EXPECT_EQ(testing::ContentsOf(repo_.get(), "main").size(), 3u + 1500);
}

TEST_F(GarbageCollectorTest, DeletedTagKeepsItsCommitForTheGracePeriod) {
  ARBOR_ASSERT_OK(repo_->CreateBranch("dev", "main"));
  AddPartitions("dev", 0, 300);
  ARBOR_ASSERT_OK(repo_->CreateTag("t", "dev"));
  ARBOR_ASSERT_OK(repo_->DeleteBranch("dev"));
  now_ += 2 * kHour;  // the branch's deletion is past the grace period
  ARBOR_ASSERT_OK(repo_->DeleteTag("t"));
  EXPECT_EQ(Gc(kHour).objects_freed, 0u);  // the tag's is not
  now_ += 2 * kHour;
  EXPECT_GT(Gc(kHour).objects_freed, 0u);
}

// Writers race collections that run back to back with no grace period. Each writer
// creates a branch, stages the same partitions every round (so its commit re-creates
// exactly the tree nodes an earlier round's deleted branch left as garbage: the
// content-addressed reuse the sweep must not break), commits, merges into its own
// long-lived branch, reads everything back and deletes the round's branch.
TEST_F(GarbageCollectorTest, ConcurrentWritersLoseNothing) {
  uint64_t seed = std::random_device{}();
  if (const char* env = std::getenv("ARBOR_TEST_SEED")) seed = std::strtoull(env, nullptr, 10);
  SCOPED_TRACE("ARBOR_TEST_SEED=" + std::to_string(seed));
  constexpr int kWriters = 3;
  constexpr int kRounds = 12;
  for (int w = 0; w < kWriters; ++w)
    ARBOR_ASSERT_OK(repo_->CreateBranch("keep" + std::to_string(w), "main"));

  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::atomic<uint64_t> collections{0}, freed{0};
  std::thread collector([&] {
    while (!stop) {
      GcOptions o;
      o.grace_micros = 0;
      auto r = repo_->CollectGarbage(o);
      if (!r.ok()) {
        ADD_FAILURE() << "gc: " << r.status().ToString();
        ++failures;
        return;
      }
      ++collections;
      freed += r->objects_freed;
    }
  });
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      std::mt19937_64 rng(seed + w);
      std::string keep = "keep" + std::to_string(w);
      for (int round = 0; round < kRounds && failures == 0; ++round) {
        std::string b = "w" + std::to_string(w) + "r" + std::to_string(round);
        auto check = [&](const Status& s, const char* what) {
          if (!s.ok()) {
            ADD_FAILURE() << b << " " << what << ": " << s.ToString();
            ++failures;
          }
          return s.ok();
        };
        if (!check(repo_->CreateBranch(b, "main").status(), "create")) return;
        // The same 400 partitions every round, plus one of this round's own.
        int n = 400;
        std::vector<Edit> edits;
        for (int i = 0; i < n; ++i) {
          std::string v = "w" + std::to_string(w) + "-" + std::to_string(i);
          edits.push_back(
              Put(PartKey("sales", "orders", "ds=" + v), PartValue("sales", "orders", v)));
        }
        std::string own = "w" + std::to_string(w) + "-round" + std::to_string(round);
        edits.push_back(
            Put(PartKey("sales", "orders", "ds=" + own), PartValue("sales", "orders", own)));
        if (!check(testing::Stage(repo_.get(), b, edits).status(), "stage")) return;
        CommitOptions co;
        co.message = "round";
        if (!check(repo_->Commit(b, co).status(), "commit")) return;
        if (rng() % 2 == 0) {
          auto m = repo_->Merge(b, keep, {});
          if (!check(m.status(), "merge")) return;
        }
        auto view = repo_->OpenView(b);
        if (!check(view.status(), "view")) return;
        size_t count = 0;
        if (!check(view->Scan(AllKeys(),
                              [&](const std::string&, const std::string&) {
                                ++count;
                                return true;
                              }),
                   "scan")) {
          return;
        }
        if (count != 3u + n + 1) {
          ADD_FAILURE() << b << " has " << count << " entries";
          ++failures;
          return;
        }
        if (!check(repo_->DeleteBranch(b), "delete")) return;
      }
    });
  }
  for (auto& t : writers)
    t.join();
  stop = true;
  collector.join();
  ASSERT_EQ(failures.load(), 0);
  EXPECT_GT(collections.load(), 0u);
  EXPECT_GT(freed.load(), 0u);
  for (int w = 0; w < kWriters; ++w)
    ExpectFullyReadable("keep" + std::to_string(w));
  ExpectFullyReadable("main");
  // A final collection finds every reachable object present (it would stop with
  // Corruption otherwise) and frees what the last rounds left.
  Gc(0);
  EXPECT_EQ(Gc(0).objects_freed, 0u);
}

}  // namespace
}  // namespace arbor

// The per-branch lock and group-commit state of Repository lives only while an
// operation uses it: requests naming branches that do not exist (a hostile client
// can send any number of them) leave nothing behind, and state that is dropped and
// re-created between operations still serializes the writers of one branch.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "storage/mem_kv_store.h"
#include "tests/versioning/repository_test_util.h"

namespace arbor {
namespace {

using testing::DbKey;
using testing::DbValue;
using testing::Params;
using testing::Put;

const char* const kDb = "s";

std::string CountedDb(int64_t count) {
  return DbValue(kDb, "counted", Params{{"count", std::to_string(count)}});
}

class BranchStateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RepositoryOptions options;
    options.initial_entries.push_back(Put(DbKey(kDb), CountedDb(0)));
    auto repo = Repository::Open(&mem_, std::move(options));
    ASSERT_TRUE(repo.ok()) << repo.status().ToString();
    repo_ = std::move(*repo);
  }

  // Reads the counter and writes it back incremented: a lost update under
  // unserialized writers.
  Status Increment(const std::string& branch) {
    auto outcome = repo_->Mutate(branch, MutationOptions{"w", "inc"},
                                 [&](const ReadView& view) -> Result<std::vector<Edit>> {
                                   ARBOR_ASSIGN_OR_RETURN(int64_t count, CountOf(view));
                                   return std::vector<Edit>{Put(DbKey(kDb), CountedDb(count + 1))};
                                 });
    return outcome.status();
  }

  Result<int64_t> CountOf(const ReadView& view) {
    ARBOR_ASSIGN_OR_RETURN(auto bytes, view.Get(DbKey(kDb)));
    if (!bytes) return Status::Internal("database is missing");
    catalog::Database db;
    ARBOR_RETURN_IF_ERROR(ParseProto(*bytes, &db));
    return std::stoll(db.parameters().entries().at("count"));
  }

  MemKvStore mem_;
  std::unique_ptr<Repository> repo_;
};

TEST_F(BranchStateTest, UnknownBranchNamesLeaveNoState) {
  const std::string filler(8 * 1024, 'x');
  for (int i = 0; i < 1000; ++i) {
    const std::string name = "nope" + std::to_string(i) + filler;
    EXPECT_TRUE(repo_->DeleteBranch(name).IsNotFound());
    EXPECT_FALSE(repo_->SetProtected(name, true).ok());
    EXPECT_FALSE(repo_->Reset(name).ok());
    EXPECT_FALSE(repo_->Commit(name, CommitOptions{}).ok());
    EXPECT_FALSE(Increment(name).ok());
    EXPECT_EQ(repo_->QueuedWrites(name), 0u);
  }
  EXPECT_EQ(repo_->BranchStateCount(), 0u);
}

TEST_F(BranchStateTest, ExistingBranchStateIsReleasedAfterUse) {
  ARBOR_ASSERT_OK(repo_->CreateBranch("dev", "main").status());
  ARBOR_ASSERT_OK(Increment("dev"));
  ARBOR_ASSERT_OK(repo_->Commit("dev", CommitOptions{}).status());
  ARBOR_ASSERT_OK(repo_->DeleteBranch("dev"));
  EXPECT_EQ(repo_->BranchStateCount(), 0u);
}

// Writers of one branch, interleaved with operations on unknown branches, keep
// dropping and re-creating the branch's state; every increment must still land.
TEST_F(BranchStateTest, RecreatedStateStillSerializesOneBranch) {
  const int kThreads = 6;
  const int kPerThread = 200;
  std::vector<std::thread> threads;
  std::vector<Status> failures(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        Status s = Increment("main");
        if (!s.ok()) {
          failures[t] = s;
          return;
        }
        if (!repo_->DeleteBranch("ghost" + std::to_string(t)).IsNotFound()) {
          failures[t] = Status::Internal("ghost branch deletion did not say NotFound");
          return;
        }
      }
    });
  }
  for (auto& thread : threads)
    thread.join();
  for (const Status& s : failures)
    ARBOR_EXPECT_OK(s);
  auto view = repo_->OpenView("main");
  ARBOR_ASSERT_OK(view.status());
  auto count = CountOf(*view);
  ARBOR_ASSERT_OK(count.status());
  EXPECT_EQ(*count, kThreads * kPerThread);
  EXPECT_EQ(repo_->BranchStateCount(), 0u);
}

}  // namespace
}  // namespace arbor

// Concurrency of Repository: writers, committers, mergers and readers on one
// branch and on many, at the same time.
//
// Every mutation is one Mutate that reads the database "c", checks that its new
// table does not exist yet, and writes three related keys: table t_<w>_<i>, its
// partition ds=1, and the database with its `count` parameter incremented. So in
// any consistent state, count == #tables == #partitions and every partition has
// its table. Readers check that in every view they open (torn reads would break
// it) and that the count they see on a branch never goes backwards; at the end the
// counts must be exact (lost writes would make them short).
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "storage/mem_kv_store.h"
#include "tests/support/seed.h"
#include "tests/versioning/repository_test_util.h"

namespace arbor {
namespace {

using testing::DbKey;
using testing::Params;
using testing::PartKey;
using testing::PartValue;
using testing::Put;
using testing::TableKey;
using testing::TableValue;

const char* const kDb = "c";

std::string CountedDb(int64_t count) {
  return testing::DbValue(kDb, "counted", Params{{"count", std::to_string(count)}});
}

Result<int64_t> CountOf(const ReadView& view) {
  ARBOR_ASSIGN_OR_RETURN(auto bytes, view.Get(DbKey(kDb)));
  if (!bytes) return Status::Internal("database c is missing");
  catalog::Database db;
  ARBOR_RETURN_IF_ERROR(ParseProto(*bytes, &db));
  return std::stoll(db.parameters().entries().at("count"));
}

// One mutation: a new table, its partition and the incremented counter, checked
// and written atomically under the branch lock.
Result<MutationOutcome> AddTable(Repository* repo, const std::string& branch,
                                 const std::string& table) {
  return repo->Mutate(branch, MutationOptions{"writer", "add " + table},
                      [&](const ReadView& view) -> Result<std::vector<Edit>> {
                        ARBOR_ASSIGN_OR_RETURN(int64_t count, CountOf(view));
                        ARBOR_ASSIGN_OR_RETURN(bool exists, view.Exists(TableKey(kDb, table)));
                        if (exists) return Status::AlreadyExists("table " + table + " exists");
                        return std::vector<Edit>{
                            Put(TableKey(kDb, table), TableValue(kDb, table)),
                            Put(PartKey(kDb, table, "ds=1"), PartValue(kDb, table, "1")),
                            Put(DbKey(kDb), CountedDb(count + 1)),
                        };
                      });
}

// Checks the invariants of one view; returns the count, or an error describing
// what is torn.
Result<int64_t> CheckView(const ReadView& view) {
  ARBOR_ASSIGN_OR_RETURN(int64_t count, CountOf(view));
  ARBOR_ASSIGN_OR_RETURN(KeyRange range, DatabaseRange(kDb));
  std::set<std::string> tables, partitions_of;
  size_t partitions = 0;
  Status bad;
  ARBOR_RETURN_IF_ERROR(view.Scan(range, [&](const std::string& key, const std::string&) {
    auto name = DecodeKey(key);
    if (!name.ok()) {
      bad = name.status();
      return false;
    }
    if (name->kind == CatalogKey::Kind::kTable && name->table.rfind("t_", 0) == 0) {
      tables.insert(name->table);
    } else if (name->kind == CatalogKey::Kind::kPartition) {
      ++partitions;
      partitions_of.insert(name->table);
      if (!tables.count(name->table)) {  // a table sorts before its partitions
        bad = Status::Internal("partition of " + name->table + " without its table");
        return false;
      }
    }
    return true;
  }));
  ARBOR_RETURN_IF_ERROR(bad);
  if (partitions_of != tables || partitions != tables.size()) {
    return Status::Internal("tables and partitions do not match: " + std::to_string(tables.size()) +
                            " tables, " + std::to_string(partitions) + " partitions");
  }
  if (static_cast<size_t>(count) != tables.size()) {
    return Status::Internal("count " + std::to_string(count) + " but " +
                            std::to_string(tables.size()) + " tables");
  }
  return count;
}

// Collects the first failure of any thread.
class Failures {
 public:
  void Add(const std::string& what) {
    std::lock_guard<std::mutex> lock(mu_);
    if (first_.empty()) first_ = what;
    ++count_;
    failed_ = true;
  }
  bool any() const { return failed_.load(); }
  std::string first() const {
    std::lock_guard<std::mutex> lock(mu_);
    return first_ + " (" + std::to_string(count_) + " failures)";
  }

 private:
  mutable std::mutex mu_;
  std::string first_;
  int count_ = 0;
  std::atomic<bool> failed_{false};
};

class ConcurrencyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = Repository::Open(&kv_, testing::TestRepositoryOptions());
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    repo_ = std::move(opened).value();
    ARBOR_ASSERT_OK(testing::Stage(
        repo_.get(), "main",
        {Put(DbKey(kDb), CountedDb(0)), Put(TableKey(kDb, "base"), TableValue(kDb, "base"))}));
    ARBOR_ASSERT_OK(repo_->Commit("main", {}));
  }

  // Reads `ref` until `stop`, checking every view; the count on a branch never
  // decreases from one view to the next.
  void Reader(const std::vector<std::string>& refs, std::atomic<bool>* stop, uint64_t seed,
              std::atomic<int>* views) {
    std::mt19937_64 rng(seed);
    std::map<std::string, int64_t> last;
    while (!stop->load() && !failures_.any()) {
      const std::string& ref = refs[rng() % refs.size()];
      auto view = repo_->OpenView(ref);
      if (!view.ok()) {
        failures_.Add("OpenView(" + ref + "): " + view.status().ToString());
        return;
      }
      auto count = CheckView(*view);
      if (!count.ok()) {
        failures_.Add("view of " + ref + ": " + count.status().ToString());
        return;
      }
      if (*count < last[ref]) {
        failures_.Add("count on " + ref + " went back from " + std::to_string(last[ref]) + " to " +
                      std::to_string(*count));
        return;
      }
      last[ref] = *count;
      // The branch's committed state alone is consistent too.
      auto head = repo_->OpenView(view->ref().commit.ToHex());
      if (!head.ok() || !CheckView(*head).ok()) {
        failures_.Add("committed state of " + ref + " is torn");
        return;
      }
      views->fetch_add(1);
    }
  }

  void Committer(const std::vector<std::string>& branches, std::atomic<bool>* stop, uint64_t seed,
                 std::atomic<int>* commits) {
    std::mt19937_64 rng(seed);
    while (!stop->load() && !failures_.any()) {
      const std::string& b = branches[rng() % branches.size()];
      CommitOptions o;
      o.author = "committer";
      o.message = "periodic";
      auto c = repo_->Commit(b, o);
      if (c.ok()) {
        commits->fetch_add(1);
      } else if (c.status().code() != StatusCode::kInvalidArgument) {  // nothing to commit
        failures_.Add("commit " + b + ": " + c.status().ToString());
        return;
      }
      std::this_thread::yield();
    }
  }

  MemKvStore kv_;
  std::unique_ptr<Repository> repo_;
  Failures failures_;
};

TEST_F(ConcurrencyTest, ManyWritersOneBranchWithCommittersAndReaders) {
  const uint64_t seed = testing::TestSeed();
  ARBOR_ASSERT_OK(repo_->CreateBranch("dev", "main"));
  constexpr int kWriters = 4, kPerWriter = 200;
  std::atomic<bool> stop{false};
  std::atomic<int> commits{0}, views{0};
  std::vector<std::thread> threads;
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < kPerWriter && !failures_.any(); ++i) {
        const std::string table = "t_" + std::to_string(w) + "_" + std::to_string(i);
        auto r = AddTable(repo_.get(), "dev", table);
        if (!r.ok() || r->edits != 3) {
          failures_.Add("mutate " + table + ": " + r.status().ToString());
          return;
        }
        std::this_thread::yield();  // let committers and readers in between
      }
    });
  }
  threads.emplace_back([&] { Committer({"dev"}, &stop, seed, &commits); });
  for (int r = 0; r < 2; ++r) {
    threads.emplace_back([&, r] { Reader({"dev", "main"}, &stop, seed + 1 + r, &views); });
  }
  for (auto& t : writers)
    t.join();
  stop = true;
  for (auto& t : threads)
    t.join();
  ASSERT_FALSE(failures_.any()) << failures_.first() << " " << testing::SeedNote(seed);

  // A last commit, then every write must be there, exactly once.
  auto last = repo_->Commit("dev", {});
  if (!last.ok()) ARBOR_EXPECT_CODE(last, kInvalidArgument);
  auto view = repo_->OpenView("dev~0");
  ARBOR_ASSERT_OK(view);
  auto count = CheckView(*view);
  ARBOR_ASSERT_OK(count);
  EXPECT_EQ(*count, kWriters * kPerWriter);
  EXPECT_TRUE(testing::ViewContents(*repo_->OpenView("dev")) == testing::ViewContents(*view));
  EXPECT_GT(commits.load(), 0) << "commits ran while writers wrote";
  EXPECT_GT(views.load(), 0);
  // main was never touched.
  auto main_view = repo_->OpenView("main");
  ARBOR_ASSERT_OK(main_view);
  EXPECT_EQ(*CheckView(*main_view), 0);
  RecordProperty("commits", commits.load());
  RecordProperty("views", views.load());
}

TEST_F(ConcurrencyTest, ManyBranchesWithCommitsMergesAndReaders) {
  const uint64_t seed = testing::TestSeed();
  const std::vector<std::string> branches = {"b0", "b1", "b2", "auto"};
  for (const auto& b : branches)
    ARBOR_ASSERT_OK(repo_->CreateBranch(b, "main"));
  ARBOR_ASSERT_OK(repo_->SetCommitMode("auto", versioning::COMMIT_MODE_AUTO));
  LogOptions whole;
  whole.limit = 1 << 20;
  const size_t auto_log_before = repo_->Log("auto", whole)->commits.size();

  constexpr int kWriters = 4, kPerWriter = 150;
  std::map<std::string, std::atomic<int>> written;
  for (const auto& b : branches)
    written[b] = 0;  // no insertions once threads run
  std::atomic<int> auto_commits{0};
  std::atomic<bool> stop{false};
  std::atomic<int> commits{0}, views{0}, merges{0};
  std::vector<std::thread> writers, threads;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      std::mt19937_64 rng(seed * 31 + w);
      for (int i = 0; i < kPerWriter && !failures_.any(); ++i) {
        const std::string& b = branches[rng() % branches.size()];
        const std::string table = "t_" + std::to_string(w) + "_" + std::to_string(i);
        auto r = AddTable(repo_.get(), b, table);
        if (!r.ok()) {
          failures_.Add("mutate " + b + " " + table + ": " + r.status().ToString());
          return;
        }
        if ((b == "auto") != r->commit.has_value()) {
          failures_.Add("auto commit mode not honoured on " + b);
          return;
        }
        if (r->commit) auto_commits.fetch_add(1);
        written.at(b).fetch_add(1);
        std::this_thread::yield();
      }
    });
  }
  threads.emplace_back([&] { Committer(branches, &stop, seed + 7, &commits); });
  // Merges of b0 into main, all the time; main changes only through them.
  threads.emplace_back([&] {
    while (!stop.load() && !failures_.any()) {
      auto m = repo_->Merge("b0", "main", {});
      if (!m.ok() || m->conflict_count != 0) {
        failures_.Add("merge b0 into main: " + m.status().ToString());
        return;
      }
      if (m->merged) merges.fetch_add(1);
      std::this_thread::yield();
    }
  });
  std::vector<std::string> refs = branches;
  refs.push_back("main");
  for (int r = 0; r < 2; ++r) {
    threads.emplace_back([&, r] { Reader(refs, &stop, seed + 11 + r, &views); });
  }
  for (auto& t : writers)
    t.join();
  stop = true;
  for (auto& t : threads)
    t.join();
  ASSERT_FALSE(failures_.any()) << failures_.first() << " " << testing::SeedNote(seed);

  int total = 0;
  for (const auto& b : branches) {
    auto c = repo_->Commit(b, {});
    if (!c.ok()) ARBOR_EXPECT_CODE(c, kInvalidArgument);
    auto view = repo_->OpenView(b + "~0");
    ARBOR_ASSERT_OK(view);
    auto count = CheckView(*view);
    ARBOR_ASSERT_OK(count);
    EXPECT_EQ(*count, written[b].load()) << b << " " << testing::SeedNote(seed);
    total += written[b].load();
  }
  EXPECT_EQ(total, kWriters * kPerWriter);
  // Each auto-mode mutation was its own commit, and nothing else committed there.
  EXPECT_EQ(repo_->Log("auto", whole)->commits.size(), auto_log_before + auto_commits.load());
  EXPECT_EQ(auto_commits.load(), written["auto"].load());

  auto m = repo_->Merge("b0", "main", {});
  ARBOR_ASSERT_OK(m);
  EXPECT_EQ(m->conflict_count, 0u);
  EXPECT_EQ(testing::ContentsOf(repo_.get(), "main"), testing::ContentsOf(repo_.get(), "b0"));
  RecordProperty("merges", merges.load());
  RecordProperty("commits", commits.load());
}

}  // namespace
}  // namespace arbor

// The KvStore contract, checked against every implementation. The PostgreSQL variant
// is instantiated only where ctest provides a cluster (tests/support/pg_test_db.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "storage/mem_kv_store.h"
#include "storage/pg_kv_store.h"
#include "storage/rocks_kv_store.h"
#include "tests/support/pg_test_db.h"
#include "tests/support/temp_dir.h"

namespace arbor {
namespace {

class KvStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "rocks") {
      RocksOptions o;
      o.path = dir_.Sub("db");
      auto opened = RocksKvStore::Open(o);
      ASSERT_TRUE(opened.ok()) << opened.status().ToString();
      kv_ = std::move(opened).value();
    } else if (GetParam() == "pg") {
      auto opened = PgKvStore::Open(testing::PgTestOptions());
      ASSERT_TRUE(opened.ok()) << opened.status().ToString();
      kv_ = std::move(opened).value();
    } else {
      kv_ = std::make_unique<MemKvStore>();
    }
  }

  void Put(Column c, const std::string& k, const std::string& v) {
    WriteBatch b;
    b.Put(c, k, v);
    ASSERT_TRUE(kv_->Write(b).ok());
  }

  std::vector<std::string> Keys(Column c, const ReadOptions& ro = {}) {
    std::vector<std::string> out;
    auto it = kv_->NewIterator(c, ro);
    for (it->SeekToFirst(); it->Valid(); it->Next())
      out.emplace_back(it->key());
    EXPECT_TRUE(it->status().ok());
    return out;
  }

  testing::TempDir dir_;
  std::unique_ptr<KvStore> kv_;
};

TEST_P(KvStoreTest, GetPutDelete) {
  EXPECT_TRUE(kv_->Get(Column::kRefs, "a").status().IsNotFound());
  Put(Column::kRefs, "a", "1");
  EXPECT_EQ(kv_->Get(Column::kRefs, "a").value(), "1");
  // Columns are separate namespaces.
  EXPECT_TRUE(kv_->Get(Column::kStaging, "a").status().IsNotFound());
  WriteBatch b;
  b.Delete(Column::kRefs, "a");
  ASSERT_TRUE(kv_->Write(b).ok());
  EXPECT_TRUE(kv_->Get(Column::kRefs, "a").status().IsNotFound());
}

TEST_P(KvStoreTest, EmptyAndBinaryValues) {
  Put(Column::kStaging, std::string("k\0x", 3), "");
  Put(Column::kStaging, "v", std::string("\0\xff\0", 3));
  EXPECT_EQ(kv_->Get(Column::kStaging, std::string("k\0x", 3)).value(), "");
  EXPECT_EQ(kv_->Get(Column::kStaging, "v").value(), std::string("\0\xff\0", 3));
}

TEST_P(KvStoreTest, IteratesInByteOrderWithSeekAndUpperBound) {
  for (std::string k : {"b", "a", "c\xff", "c", "ab", "d"})
    Put(Column::kRefs, k, "x");
  EXPECT_EQ(Keys(Column::kRefs), (std::vector<std::string>{"a", "ab", "b", "c", "c\xff", "d"}));
  ReadOptions ro;
  ro.upper_bound = "c\xff";
  auto it = kv_->NewIterator(Column::kRefs, ro);
  std::vector<std::string> got;
  for (it->Seek("aa"); it->Valid(); it->Next())
    got.emplace_back(it->key());
  EXPECT_EQ(got, (std::vector<std::string>{"ab", "b", "c"}));
}

TEST_P(KvStoreTest, BatchIsAtomicAcrossColumns) {
  WriteBatch b;
  b.Put(Column::kRefs, "r", "1");
  b.Put(Column::kStaging, "s", "2");
  b.Put(Column::kObjects, "o", "3");
  ASSERT_TRUE(kv_->Write(b).ok());
  EXPECT_EQ(kv_->Get(Column::kRefs, "r").value(), "1");
  EXPECT_EQ(kv_->Get(Column::kStaging, "s").value(), "2");
  EXPECT_EQ(kv_->Get(Column::kObjects, "o").value(), "3");
}

TEST_P(KvStoreTest, FailedPreconditionWritesNothing) {
  Put(Column::kRefs, "head", "c1");
  WriteBatch b;
  b.ExpectValue(Column::kRefs, "head", "c0");  // stale
  b.Put(Column::kRefs, "head", "c2");
  b.Put(Column::kStaging, "other", "x");
  b.Put(Column::kObjects, "obj", "y");
  Status s = kv_->Write(b);
  EXPECT_TRUE(s.IsPreconditionFailed()) << s.ToString();
  EXPECT_EQ(kv_->Get(Column::kRefs, "head").value(), "c1");
  EXPECT_TRUE(kv_->Get(Column::kStaging, "other").status().IsNotFound());
  EXPECT_TRUE(kv_->Get(Column::kObjects, "obj").status().IsNotFound());
}

TEST_P(KvStoreTest, PreconditionsOnValueAndAbsence) {
  WriteBatch create;
  create.ExpectAbsent(Column::kRefs, "branch");
  create.Put(Column::kRefs, "branch", "v1");
  ASSERT_TRUE(kv_->Write(create).ok());
  // Creating again fails: the key is no longer absent.
  EXPECT_TRUE(kv_->Write(create).IsPreconditionFailed());

  WriteBatch move;
  move.ExpectValue(Column::kRefs, "branch", "v1");
  move.Put(Column::kRefs, "branch", "v2");
  ASSERT_TRUE(kv_->Write(move).ok());
  EXPECT_TRUE(kv_->Write(move).IsPreconditionFailed());  // v1 no longer holds
  EXPECT_EQ(kv_->Get(Column::kRefs, "branch").value(), "v2");

  WriteBatch gone;
  gone.ExpectValue(Column::kRefs, "missing", "x");
  gone.Put(Column::kRefs, "z", "z");
  EXPECT_TRUE(kv_->Write(gone).IsPreconditionFailed());
  EXPECT_TRUE(kv_->Get(Column::kRefs, "z").status().IsNotFound());
}

TEST_P(KvStoreTest, SnapshotIsStable) {
  Put(Column::kRefs, "a", "old");
  Put(Column::kStaging, "s1", "x");
  auto snap = kv_->GetSnapshot();
  Put(Column::kRefs, "a", "new");
  Put(Column::kStaging, "s2", "y");
  WriteBatch del;
  del.Delete(Column::kStaging, "s1");
  ASSERT_TRUE(kv_->Write(del).ok());

  ReadOptions ro;
  ro.snapshot = snap.get();
  EXPECT_EQ(kv_->Get(Column::kRefs, "a", ro).value(), "old");
  EXPECT_EQ(Keys(Column::kStaging, ro), (std::vector<std::string>{"s1"}));
  EXPECT_EQ(kv_->Get(Column::kRefs, "a").value(), "new");
  EXPECT_EQ(Keys(Column::kStaging), (std::vector<std::string>{"s2"}));
}

TEST_P(KvStoreTest, DeleteRangeRemovesExactlyTheRange) {
  for (std::string k : {"t1/a", "t1/b", "t1/z", "t10/a", "t2/a"})
    Put(Column::kStaging, k, "v");
  WriteBatch b;
  b.DeleteRange(Column::kStaging, "t1/", "t1/\xff");
  ASSERT_TRUE(kv_->Write(b).ok());
  EXPECT_EQ(Keys(Column::kStaging), (std::vector<std::string>{"t10/a", "t2/a"}));
}

// Writers commit batches while readers page through many keys. Writer t's batch j
// adds "n/t/j/a" and "n/t/j/b", deletes the preloaded "k/t/j" (while any are left) and
// sets "count/t" to j + 1, all atomically; so a consistent view holds exactly the keys
// that its own "count/t" values imply, whatever moment it was taken at.
TEST_P(KvStoreTest, IterationAcrossManyKeysSurvivesConcurrentWrites) {
  constexpr int kWriters = 2, kPreloadPerWriter = 500, kReads = 20;
  auto Num = [](int j) {
    char buf[16];
    snprintf(buf, sizeof(buf), "%05d", j);
    return std::string(buf);
  };
  for (int t = 0; t < kWriters; ++t) {
    WriteBatch b;
    for (int j = 0; j < kPreloadPerWriter; ++j)
      b.Put(Column::kStaging, "k/" + std::to_string(t) + "/" + Num(j), "v");
    b.Put(Column::kStaging, "count/" + std::to_string(t), "0");
    ASSERT_TRUE(kv_->Write(b).ok());
  }
  // The keys a consistent view must hold, given each writer's count in that view.
  auto Expected = [&](const std::vector<int>& counts) {
    std::vector<std::string> keys;
    for (int t = 0; t < kWriters; ++t) {
      std::string w = std::to_string(t);
      keys.push_back("count/" + w);
      for (int j = std::min(counts[t], kPreloadPerWriter); j < kPreloadPerWriter; ++j)
        keys.push_back("k/" + w + "/" + Num(j));
      for (int j = 0; j < counts[t]; ++j) {
        keys.push_back("n/" + w + "/" + Num(j) + "/a");
        keys.push_back("n/" + w + "/" + Num(j) + "/b");
      }
    }
    std::sort(keys.begin(), keys.end());
    return keys;
  };

  // The writers run on their own threads until the reader is done, but only write while
  // `budget` allows: the reader hands out writes in the middle of its iterations, so
  // writes land while iterators are open, and the key count stays bounded.
  std::atomic<bool> stop{false};
  std::atomic<int> budget{0};
  std::atomic<int> writes{0};
  // Batches each writer has committed; exact whenever no budget is outstanding.
  std::array<std::atomic<int>, kWriters> written{};
  auto Written = [&] {
    std::vector<int> out;
    for (const auto& n : written)
      out.push_back(n.load());
    return out;
  };
  std::vector<std::string> writer_errors(kWriters);
  std::atomic<bool> writer_failed{false};
  std::vector<std::thread> writers;
  for (int t = 0; t < kWriters; ++t) {
    writers.emplace_back([&, t] {
      std::string w = std::to_string(t);
      for (int j = 0; !stop.load();) {
        int allowed = budget.load();
        if (allowed <= 0 || !budget.compare_exchange_weak(allowed, allowed - 1)) {
          std::this_thread::yield();
          continue;
        }
        WriteBatch b;
        b.Put(Column::kStaging, "n/" + w + "/" + Num(j) + "/a", "x");
        b.Put(Column::kStaging, "n/" + w + "/" + Num(j) + "/b", "x");
        if (j < kPreloadPerWriter) b.Delete(Column::kStaging, "k/" + w + "/" + Num(j));
        b.Put(Column::kStaging, "count/" + w, std::to_string(j + 1));
        WriteOptions wo;
        wo.sync = false;
        Status s = kv_->Write(b, wo);
        if (!s.ok()) {
          writer_errors[t] = s.ToString();
          writer_failed = true;
          return;
        }
        written[t] = ++j;
        writes.fetch_add(1);
      }
    });
  }

  // Lets the writers commit `n` more batches and waits for them (or for a failure).
  auto WaitForWrites = [&](int n) {
    int target = writes.load() + n;
    budget.fetch_add(n);
    while (writes.load() < target && !writer_failed.load())
      std::this_thread::yield();
  };

  // One read of the whole column. A lambda, so that a failed ASSERT returns here and
  // the writers are still stopped and joined below.
  size_t min_seen = SIZE_MAX, max_seen = 0;
  auto ReadOnce = [&](bool pin_snapshot) {
    // Pinned: the view is the snapshot's, even though writes land before the iterator
    // is opened. Unpinned: the iterator must still present the view of its creation.
    std::unique_ptr<Snapshot> snap = pin_snapshot ? kv_->GetSnapshot() : nullptr;
    std::vector<int> want = Written();
    if (pin_snapshot) WaitForWrites(3);
    ReadOptions ro;
    ro.snapshot = snap.get();
    auto it = kv_->NewIterator(Column::kStaging, ro);
    std::vector<std::string> keys;
    std::vector<int> counts(kWriters, -1);
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      std::string key(it->key());
      if (key.rfind("count/", 0) == 0)
        counts.at(std::stoi(key.substr(6))) = std::stoi(std::string(it->value()));
      keys.push_back(std::move(key));
      // Let writes land in the middle of the iteration, between pages.
      if (keys.size() % 200 == 1) WaitForWrites(3);
    }
    ASSERT_TRUE(it->status().ok()) << it->status().ToString();
    for (int t = 0; t < kWriters; ++t)
      ASSERT_GE(counts[t], 0) << "count/" << t << " missing";
    EXPECT_EQ(counts, want);
    EXPECT_EQ(keys, Expected(counts));
    if (snap) {
      // Point reads through the same snapshot agree with the iteration.
      for (int t = 0; t < kWriters; ++t)
        EXPECT_EQ(kv_->Get(Column::kStaging, "count/" + std::to_string(t), ro).value(),
                  std::to_string(counts[t]));
    }
    min_seen = std::min(min_seen, keys.size());
    max_seen = std::max(max_seen, keys.size());
  };
  for (int r = 0; r < kReads && !HasFailure(); ++r) {
    SCOPED_TRACE("read " + std::to_string(r));
    ReadOnce(r % 2 == 0);
  }
  stop = true;
  for (auto& t : writers)
    t.join();
  for (int t = 0; t < kWriters; ++t)
    ASSERT_EQ(writer_errors[t], "") << "writer " << t;

  // The reads saw different moments: the writes really ran during them. (After a failed
  // read the loop stops early, so this says nothing new then.)
  if (!HasFailure()) {
    EXPECT_LT(min_seen, max_seen);
  }
  // Every acknowledged write landed, and nothing else.
  EXPECT_EQ(Keys(Column::kStaging), Expected(Written()));
  for (int t = 0; t < kWriters; ++t)
    EXPECT_EQ(kv_->Get(Column::kStaging, "count/" + std::to_string(t)).value(),
              std::to_string(written[t]));
}

// Compare-and-set increments from many threads: every success is counted exactly once.
TEST_P(KvStoreTest, ConcurrentCompareAndSetLosesNoIncrement) {
  Put(Column::kRefs, "counter", "0");
  constexpr int kThreads = 8, kPerThread = 50;
  std::atomic<int> conflicts{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread;) {
        std::string cur = kv_->Get(Column::kRefs, "counter").value();
        WriteBatch b;
        b.ExpectValue(Column::kRefs, "counter", cur);
        b.Put(Column::kRefs, "counter", std::to_string(std::stoi(cur) + 1));
        WriteOptions wo;
        wo.sync = false;
        Status s = kv_->Write(b, wo);
        if (s.ok()) {
          ++i;
        } else {
          ASSERT_TRUE(s.IsPreconditionFailed()) << s.ToString();
          ++conflicts;
        }
      }
    });
  }
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(kv_->Get(Column::kRefs, "counter").value(), std::to_string(kThreads * kPerThread));
}

std::vector<std::string> Backends() {
  if (testing::PgTestAvailable()) return {"pg"};
  return {"mem", "rocks"};
}

INSTANTIATE_TEST_SUITE_P(Backends, KvStoreTest, ::testing::ValuesIn(Backends()),
                         [](const auto& info) { return info.param; });

TEST(RocksKvStoreTest, DataSurvivesReopen) {
  testing::TempDir dir;
  RocksOptions o;
  o.path = dir.Sub("db");
  {
    auto kv = RocksKvStore::Open(o).value();
    WriteBatch b;
    b.Put(Column::kRefs, "durable", "yes");
    ASSERT_TRUE(kv->Write(b).ok());
  }
  auto kv = RocksKvStore::Open(o).value();
  EXPECT_EQ(kv->Get(Column::kRefs, "durable").value(), "yes");
}

uint64_t WalBytes(const std::string& dir) {
  uint64_t total = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".log" && e.is_regular_file()) total += e.file_size();
  }
  return total;
}

std::string Big(int i) {
  return std::string(4096, static_cast<char>('a' + i % 26)) + std::to_string(i);
}

TEST(RocksKvStoreTest, CleanCloseLeavesNoWalToReplay) {
  // A small refs write and a bulk of object writes: without a flush on close, the refs
  // memtable would keep the whole WAL alive for the next open to replay.
  testing::TempDir dir;
  RocksOptions o;
  o.path = dir.Sub("db");
  const int kObjects = 4000;  // ~16 MiB
  {
    auto kv = RocksKvStore::Open(o).value();
    WriteBatch ref;
    ref.Put(Column::kRefs, "branch", "head");
    ASSERT_TRUE(kv->Write(ref).ok());
    WriteBatch b;
    for (int i = 0; i < kObjects; ++i)
      b.Put(Column::kObjects, "obj" + std::to_string(i), Big(i));
    ASSERT_TRUE(kv->Write(b).ok());
    ASSERT_GT(WalBytes(o.path), uint64_t{kObjects} * 4096);
  }
  EXPECT_LT(WalBytes(o.path), uint64_t{64} << 10);
  auto kv = RocksKvStore::Open(o).value();
  EXPECT_EQ(kv->Get(Column::kRefs, "branch").value(), "head");
  for (int i = 0; i < kObjects; i += 97)
    EXPECT_EQ(kv->Get(Column::kObjects, "obj" + std::to_string(i)).value(), Big(i));
}

TEST(RocksKvStoreTest, WalStaysBoundedWhileOneColumnIsIdle) {
  // Objects fill memtable after memtable, each starting a new WAL file, while the one
  // refs write stays in its memtable and would keep every one of those files alive.
  // The WAL limit flushes it, so a crash never leaves much more than the limit to
  // replay.
  testing::TempDir dir;
  RocksOptions o;
  o.path = dir.Sub("db");
  o.write_buffer_bytes = 1 << 20;
  o.max_wal_bytes = 4 << 20;
  auto kv = RocksKvStore::Open(o).value();
  WriteBatch ref;
  ref.Put(Column::kRefs, "branch", "head");
  ASSERT_TRUE(kv->Write(ref).ok());
  uint64_t peak = 0;
  WriteOptions unsynced;
  unsynced.sync = false;
  for (int i = 0; i < 8000; ++i) {  // ~32 MiB
    WriteBatch b;
    b.Put(Column::kObjects, "obj" + std::to_string(i), Big(i));
    ASSERT_TRUE(kv->Write(b, unsynced).ok());
    if (i % 250 == 0) peak = std::max(peak, WalBytes(o.path));
  }
  // The limit counts closed WAL files; the open one adds up to a memtable, and the
  // flush it triggers runs in the background.
  EXPECT_LT(peak, uint64_t{10} << 20);
  EXPECT_EQ(kv->Get(Column::kRefs, "branch").value(), "head");
}

TEST(RocksKvStoreTest, BelowTheDiskReserveWritesFailAndReadsWork) {
  // A reserve no filesystem has free stands for a full disk: the store opens, reads
  // what is there, refuses every write with NoSpace naming the directory and the
  // numbers, and loses nothing across the reopen that lifts the reserve.
  testing::TempDir dir;
  RocksOptions o;
  o.path = dir.Sub("db");
  {
    auto kv = RocksKvStore::Open(o).value();
    WriteBatch b;
    b.Put(Column::kRefs, "before", "full");
    ASSERT_TRUE(kv->Write(b, WriteOptions{.sync = false}).ok());  // left in the WAL
  }
  o.disk_reserve_bytes = uint64_t{1} << 60;
  {
    auto kv = RocksKvStore::Open(o).value();
    EXPECT_FALSE(kv->read_only());
    EXPECT_EQ(kv->Get(Column::kRefs, "before").value(), "full");
    WriteBatch b;
    b.Put(Column::kRefs, "during", "x");
    Status s = kv->Write(b);
    ASSERT_TRUE(s.IsNoSpace()) << s.ToString();
    EXPECT_NE(s.message().find(o.path), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("the reserve is 1048576.0 TiB"), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("bytes) free"), std::string::npos) << s.message();
  }
  o.disk_reserve_bytes = 1;
  auto kv = RocksKvStore::Open(o).value();
  EXPECT_EQ(kv->Get(Column::kRefs, "before").value(), "full");
  EXPECT_TRUE(kv->Get(Column::kRefs, "during").status().IsNotFound());
  WriteBatch b;
  b.Put(Column::kRefs, "after", "y");
  EXPECT_TRUE(kv->Write(b).ok());
}

TEST(DiskSpaceGuardTest, MeasuresAndCachesFreeSpace) {
  testing::TempDir dir;
  EXPECT_TRUE(DiskSpaceGuard(dir.path(), 0).Check().ok());  // off
  EXPECT_TRUE(DiskSpaceGuard(dir.path(), 1).Check().ok());
  DiskSpaceGuard guard(dir.path(), uint64_t{1} << 60, std::chrono::hours(1));
  EXPECT_GT(guard.FreeBytes(), 0u);
  EXPECT_TRUE(guard.Check().IsNoSpace());
  EXPECT_EQ(FormatBytes(512), "512 bytes");
  EXPECT_EQ(FormatBytes(uint64_t{3} << 29), "1.5 GiB");
}

TEST(RocksKvStoreTest, OpenFailureIsAClearError) {
  RocksOptions o;
  o.path = "/proc/arbor-cannot-create-this";
  auto kv = RocksKvStore::Open(o);
  ASSERT_FALSE(kv.ok());
  EXPECT_NE(kv.status().message().find("/proc/arbor-cannot-create-this"), std::string::npos);
}

}  // namespace
}  // namespace arbor

// What PgKvStore adds to the KvStore contract (kv_store_test.cc checks that): several
// stores on one database behave as one store, a lost connection fails retryably and
// is replaced, and the schema version guards against an older binary.
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "storage/pg_kv_store.h"
#include "tests/support/pg_test_db.h"

namespace arbor {
namespace {

class PgKvStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { options_ = testing::PgTestOptions(); }

  std::unique_ptr<PgKvStore> Open() {
    auto opened = PgKvStore::Open(options_);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    return opened.ok() ? std::move(opened).value() : nullptr;
  }

  // Runs SQL on the test database through a connection of its own.
  std::string Sql(const std::string& sql) {
    PGconn* conn = PQconnectdb(options_.conninfo.c_str());
    EXPECT_EQ(PQstatus(conn), CONNECTION_OK) << PQerrorMessage(conn);
    PGresult* r = PQexec(conn, sql.c_str());
    EXPECT_TRUE(PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK)
        << PQerrorMessage(conn);
    std::string out = PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : "";
    PQclear(r);
    PQfinish(conn);
    return out;
  }

  PgOptions options_;
};

TEST_P(PgKvStoreTest, TwoInstancesShareOneStore) {
  auto a = Open(), b = Open();
  WriteBatch create;
  create.ExpectAbsent(Column::kRefs, "branch/main");
  create.Put(Column::kRefs, "branch/main", "c1");
  ASSERT_TRUE(a->Write(create).ok());
  // The second instance sees the first one's acknowledged write, and cannot create the
  // branch again.
  EXPECT_EQ(b->Get(Column::kRefs, "branch/main").value(), "c1");
  EXPECT_TRUE(b->Write(create).IsPreconditionFailed());
  // A snapshot taken on one instance is not moved by the other's writes.
  auto snap = b->GetSnapshot();
  WriteBatch move;
  move.ExpectValue(Column::kRefs, "branch/main", "c1");
  move.Put(Column::kRefs, "branch/main", "c2");
  ASSERT_TRUE(a->Write(move).ok());
  ReadOptions ro;
  ro.snapshot = snap.get();
  EXPECT_EQ(b->Get(Column::kRefs, "branch/main", ro).value(), "c1");
  EXPECT_EQ(b->Get(Column::kRefs, "branch/main").value(), "c2");
  EXPECT_TRUE(b->Write(move).IsPreconditionFailed());
}

TEST_P(PgKvStoreTest, CompareAndSetAcrossInstancesLosesNoIncrement) {
  std::vector<std::unique_ptr<PgKvStore>> stores;
  for (int i = 0; i < 3; ++i)
    stores.push_back(Open());
  WriteBatch init;
  init.Put(Column::kRefs, "counter", "0");
  ASSERT_TRUE(stores[0]->Write(init).ok());
  constexpr int kThreads = 6, kPerThread = 30;
  std::atomic<int> conflicts{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      KvStore* kv = stores[t % stores.size()].get();
      for (int i = 0; i < kPerThread;) {
        std::string cur = kv->Get(Column::kRefs, "counter").value();
        WriteBatch b;
        b.ExpectValue(Column::kRefs, "counter", cur);
        b.Put(Column::kRefs, "counter", std::to_string(std::stoi(cur) + 1));
        b.Put(Column::kStaging, "log/" + std::to_string(t) + "/" + std::to_string(i), cur);
        Status s = kv->Write(b);
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
  EXPECT_EQ(stores[1]->Get(Column::kRefs, "counter").value(),
            std::to_string(kThreads * kPerThread));
  // Every success read a distinct counter value: no two instances both won one CAS.
  EXPECT_EQ(Sql("SELECT count(DISTINCT v) FROM arbor_staging"),
            std::to_string(kThreads * kPerThread));
  EXPECT_GT(conflicts.load(), 0) << "the writers never raced; the test proves nothing";
}

TEST_P(PgKvStoreTest, LostConnectionFailsRetryablyAndReconnects) {
  auto kv = Open();
  WriteBatch b;
  b.Put(Column::kRefs, "k", "v");
  ASSERT_TRUE(kv->Write(b).ok());
  auto snap = kv->GetSnapshot();
  ReadOptions ro;
  ro.snapshot = snap.get();
  ASSERT_EQ(kv->Get(Column::kRefs, "k", ro).value(), "v");
  // Kill every session of this database but ours, as a failover or restart would.
  Sql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = "
      "current_database() AND pid <> pg_backend_pid()");
  // The snapshot's connection is gone: its reads fail with a retryable status.
  auto lost = kv->Get(Column::kRefs, "k", ro);
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.status().code(), StatusCode::kUnavailable) << lost.status().ToString();
  snap.reset();
  // New calls get fresh connections.
  EXPECT_EQ(kv->Get(Column::kRefs, "k").value(), "v");
  WriteBatch c;
  c.ExpectValue(Column::kRefs, "k", "v");
  c.Put(Column::kRefs, "k", "w");
  Status s = kv->Write(c);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(kv->Get(Column::kRefs, "k").value(), "w");
}

TEST_P(PgKvStoreTest, UnreachableServerIsAClearRetryableError) {
  PgOptions o;
  o.conninfo = "postgresql://arbor:secret@127.0.0.1:1/x";
  o.connect_timeout_seconds = 2;
  auto kv = PgKvStore::Open(o);
  ASSERT_FALSE(kv.ok());
  EXPECT_EQ(kv.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(kv.status().message().find("127.0.0.1:1"), std::string::npos);
  EXPECT_EQ(kv.status().message().find("secret"), std::string::npos) << kv.status().message();
}

TEST_P(PgKvStoreTest, NewerSchemaRefusesToStart) {
  ASSERT_NE(Open(), nullptr);
  Sql("UPDATE arbor_schema SET version = " + std::to_string(PgKvStore::kSchemaVersion + 1));
  auto kv = PgKvStore::Open(options_);
  ASSERT_FALSE(kv.ok());
  EXPECT_NE(kv.status().message().find("newer than version"), std::string::npos)
      << kv.status().ToString();
}

TEST_P(PgKvStoreTest, SchemaIsCreatedOnceByInstancesStartingTogether) {
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      if (!PgKvStore::Open(options_).ok()) ++failures;
    });
  }
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(Sql("SELECT count(*) FROM arbor_schema"), "1");
}

TEST_P(PgKvStoreTest, BulkObjectWritesAreOneRoundTripPerThousands) {
  auto kv = Open();
  WriteBatch b;
  constexpr int kObjects = 20'000;
  for (int i = 0; i < kObjects; ++i)
    b.Put(Column::kObjects, "obj" + std::to_string(i), std::string(200, 'a' + i % 26));
  b.Put(Column::kRefs, "head", "x");
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(kv->Write(b).ok());
  // Writing the same content again is a no-op, not an error.
  ASSERT_TRUE(kv->Write(b).ok());
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("two writes of %d objects: %.3f s\n", kObjects, seconds);
  EXPECT_EQ(Sql("SELECT count(*) FROM arbor_objects"), std::to_string(kObjects));
  // Row-at-a-time inserts would take tens of seconds here.
  EXPECT_LT(seconds, 20.0);
}

TEST_P(PgKvStoreTest, ProcessLockExcludesOtherInstancesAndDiesWithItsHolder) {
  options_.process_lock_timeout_ms = 300;
  auto a = Open(), b = Open();
  auto held = a->LockAcrossProcesses("branch/main");
  ASSERT_TRUE(held.ok()) << held.status().ToString();
  auto blocked = b->LockAcrossProcesses("branch/main");
  ASSERT_FALSE(blocked.ok());
  EXPECT_EQ(blocked.status().code(), StatusCode::kBusy) << blocked.status().ToString();
  EXPECT_TRUE(b->LockAcrossProcesses("branch/dev").ok()) << "another name is independent";
  held->reset();
  EXPECT_TRUE(b->LockAcrossProcesses("branch/main").ok());
  // A holder whose connection dies (its process was killed) holds nothing.
  held = a->LockAcrossProcesses("branch/main");
  ASSERT_TRUE(held.ok());
  Sql("SELECT count(pg_terminate_backend(pid)) FROM pg_locks WHERE locktype = 'advisory' AND "
      "pid <> pg_backend_pid()");
  auto after = b->LockAcrossProcesses("branch/main");
  EXPECT_TRUE(after.ok()) << after.status().ToString();
}

std::vector<std::string> PgOnly() {
  if (testing::PgTestAvailable()) return {"pg"};
  return {};
}
INSTANTIATE_TEST_SUITE_P(Pg, PgKvStoreTest, ::testing::ValuesIn(PgOnly()),
                         [](const auto& info) { return info.param; });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(PgKvStoreTest);

TEST(RedactConninfoTest, HidesPasswords) {
  EXPECT_EQ(RedactConninfo("postgresql://u:pw@h:5432/db"), "postgresql://u:***@h:5432/db");
  EXPECT_EQ(RedactConninfo("postgresql://u@h/db"), "postgresql://u@h/db");
  EXPECT_EQ(RedactConninfo("host=h password=pw user=u"), "host=h password=*** user=u");
  EXPECT_EQ(RedactConninfo("postgresql://h/db?user=u&password=pw"),
            "postgresql://h/db?user=u&password=***");
}

}  // namespace
}  // namespace arbor

// LockManager: HMS lock grant rules, ordering, expiry and ids.
#include "server/hms/lock_manager.h"

#include <gtest/gtest.h>

#include <mutex>
#include <set>

namespace arbor::hms {
namespace {

using Level = LockComponentSpec::Level;
using Type = LockComponentSpec::Type;

constexpr int64_t kStart = 1'000'000;  // fake clock origin, in ms
constexpr std::chrono::milliseconds kTimeout{1000};

LockComponentSpec Db(std::string db, Type type = Type::kExclusive) {
  LockComponentSpec c;
  c.level = Level::kDatabase;
  c.type = type;
  c.db = std::move(db);
  return c;
}

LockComponentSpec Tbl(std::string db, std::string table, Type type = Type::kExclusive) {
  LockComponentSpec c = Db(std::move(db), type);
  c.level = Level::kTable;
  c.table = std::move(table);
  return c;
}

LockComponentSpec Part(std::string db, std::string table, std::string part,
                       Type type = Type::kExclusive) {
  LockComponentSpec c = Tbl(std::move(db), std::move(table), type);
  c.level = Level::kPartition;
  c.partition = std::move(part);
  return c;
}

class LockManagerTest : public ::testing::Test {
 protected:
  LockInfo Take(std::vector<LockComponentSpec> components) {
    return locks_.Lock(std::move(components), "alice", "host1", "test-agent", 0).value();
  }
  LockState StateAfterCheck(int64_t id) {
    auto r = locks_.Check(id);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? r->state : LockState::kAbort;
  }

  int64_t now_ = kStart;
  LockManager locks_{kTimeout, [this] { return now_; }};
};

TEST_F(LockManagerTest, ExclusiveTableLockExcludesSameTableOnly) {
  LockInfo a = Take({Tbl("sales@main", "orders")});
  EXPECT_EQ(a.state, LockState::kAcquired);
  EXPECT_EQ(a.acquired_at_ms, kStart);
  EXPECT_EQ(a.last_heartbeat_ms, kStart);
  EXPECT_EQ(a.user, "alice");
  EXPECT_EQ(a.host, "host1");
  EXPECT_EQ(a.agent_info, "test-agent");

  EXPECT_EQ(Take({Tbl("sales@main", "orders")}).state, LockState::kWaiting);
  EXPECT_EQ(Take({Tbl("sales@main", "customers")}).state, LockState::kAcquired);
  EXPECT_EQ(Take({Tbl("hr@main", "orders")}).state, LockState::kAcquired);
  // Locks are per branch: the db key carries the ref.
  EXPECT_EQ(Take({Tbl("sales@dev", "orders")}).state, LockState::kAcquired);
}

TEST_F(LockManagerTest, TableLockAndItsPartitionsExcludeEachOther) {
  LockInfo table = Take({Tbl("db@main", "t")});
  ASSERT_EQ(table.state, LockState::kAcquired);
  EXPECT_EQ(Take({Part("db@main", "t", "ds=1")}).state, LockState::kWaiting);
  EXPECT_EQ(Take({Part("db@main", "u", "ds=1")}).state, LockState::kAcquired);
}

TEST_F(LockManagerTest, PartitionLockBlocksTableButNotOtherPartitions) {
  ASSERT_EQ(Take({Part("db@main", "t", "ds=1")}).state, LockState::kAcquired);
  EXPECT_EQ(Take({Part("db@main", "t", "ds=2")}).state, LockState::kAcquired);
  EXPECT_EQ(Take({Tbl("db@main", "t")}).state, LockState::kWaiting);
}

TEST_F(LockManagerTest, DatabaseLockCoversItsTablesAndPartitions) {
  ASSERT_EQ(Take({Part("db@main", "t", "ds=1")}).state, LockState::kAcquired);
  EXPECT_EQ(Take({Db("db@main")}).state, LockState::kWaiting);
  EXPECT_EQ(Take({Db("other@main")}).state, LockState::kAcquired);
  // And the other way round: a held database lock blocks a table in it.
  EXPECT_EQ(Take({Tbl("other@main", "x")}).state, LockState::kWaiting);
}

TEST_F(LockManagerTest, SharedReadsCoexistButExcludeExclusive) {
  ASSERT_EQ(Take({Tbl("db@main", "t", Type::kSharedRead)}).state, LockState::kAcquired);
  EXPECT_EQ(Take({Tbl("db@main", "t", Type::kSharedRead)}).state, LockState::kAcquired);
  EXPECT_EQ(Take({Db("db@main", Type::kSharedRead)}).state, LockState::kAcquired);
  EXPECT_EQ(Take({Tbl("db@main", "t", Type::kExclusive)}).state, LockState::kWaiting);
}

TEST_F(LockManagerTest, SharedReadWaitsForHeldExclusive) {
  ASSERT_EQ(Take({Tbl("db@main", "t")}).state, LockState::kAcquired);
  EXPECT_EQ(Take({Tbl("db@main", "t", Type::kSharedRead)}).state, LockState::kWaiting);
  EXPECT_EQ(Take({Part("db@main", "t", "p=1", Type::kSharedRead)}).state, LockState::kWaiting);
}

TEST_F(LockManagerTest, WriteLockMatrixFollowsHive) {
  // SHARED_WRITE with SHARED_WRITE and SHARED_READ: fine.
  ASSERT_EQ(Take({Tbl("db@main", "a", Type::kSharedWrite)}).state, LockState::kAcquired);
  EXPECT_EQ(Take({Tbl("db@main", "a", Type::kSharedWrite)}).state, LockState::kAcquired);
  EXPECT_EQ(Take({Tbl("db@main", "a", Type::kSharedRead)}).state, LockState::kAcquired);
  // EXCL_WRITE against SHARED_WRITE waits.
  EXPECT_EQ(Take({Tbl("db@main", "a", Type::kExclusiveWrite)}).state, LockState::kWaiting);

  // EXCL_WRITE admits readers but not other writers.
  ASSERT_EQ(Take({Tbl("db@main", "b", Type::kExclusiveWrite)}).state, LockState::kAcquired);
  EXPECT_EQ(Take({Tbl("db@main", "b", Type::kSharedRead)}).state, LockState::kAcquired);
  EXPECT_EQ(Take({Tbl("db@main", "b", Type::kSharedWrite)}).state, LockState::kWaiting);
}

TEST_F(LockManagerTest, MultiComponentLockWaitsIfAnyComponentConflicts) {
  ASSERT_EQ(Take({Tbl("db@main", "t")}).state, LockState::kAcquired);
  LockInfo both = Take({Tbl("db@main", "free"), Tbl("db@main", "t")});
  EXPECT_EQ(both.state, LockState::kWaiting);
  // A lock's own components never conflict with each other.
  EXPECT_EQ(Take({Tbl("db@main", "x"), Part("db@main", "x", "p=1")}).state, LockState::kAcquired);
}

TEST_F(LockManagerTest, UnlockLetsWaiterAcquireOnCheck) {
  LockInfo a = Take({Tbl("db@main", "t")});
  LockInfo b = Take({Tbl("db@main", "t")});
  ASSERT_EQ(b.state, LockState::kWaiting);
  EXPECT_EQ(StateAfterCheck(b.id), LockState::kWaiting);
  ASSERT_TRUE(locks_.Unlock(a.id).ok());
  now_ += 10;
  auto checked = locks_.Check(b.id);
  ASSERT_TRUE(checked.ok());
  EXPECT_EQ(checked->state, LockState::kAcquired);
  EXPECT_EQ(checked->acquired_at_ms, kStart + 10);
}

TEST_F(LockManagerTest, WaitersAreServedInOrder) {
  LockInfo a = Take({Tbl("db@main", "t")});
  LockInfo writer = Take({Tbl("db@main", "t")});
  LockInfo reader = Take({Tbl("db@main", "t", Type::kSharedRead)});
  ASSERT_EQ(writer.state, LockState::kWaiting);
  ASSERT_EQ(reader.state, LockState::kWaiting);
  ASSERT_TRUE(locks_.Unlock(a.id).ok());
  // The reader asked after the writer and conflicts with it.
  EXPECT_EQ(StateAfterCheck(reader.id), LockState::kWaiting);
  EXPECT_EQ(StateAfterCheck(writer.id), LockState::kAcquired);
  EXPECT_EQ(StateAfterCheck(reader.id), LockState::kWaiting);
  ASSERT_TRUE(locks_.Unlock(writer.id).ok());
  EXPECT_EQ(StateAfterCheck(reader.id), LockState::kAcquired);
}

TEST_F(LockManagerTest, LaterWaiterDoesNotBlockEarlierOne) {
  LockInfo a = Take({Tbl("db@main", "t")});
  LockInfo b = Take({Tbl("db@main", "t")});
  LockInfo c = Take({Tbl("db@main", "t")});
  ASSERT_TRUE(locks_.Unlock(a.id).ok());
  EXPECT_EQ(StateAfterCheck(c.id), LockState::kWaiting);  // behind b
  EXPECT_EQ(StateAfterCheck(b.id), LockState::kAcquired);
}

TEST_F(LockManagerTest, LockExpiresWithoutHeartbeat) {
  LockInfo a = Take({Tbl("db@main", "t")});
  now_ += kTimeout.count();  // exactly the timeout: still alive
  ASSERT_TRUE(locks_.Heartbeat(a.id).ok());
  now_ += kTimeout.count() + 1;
  auto checked = locks_.Check(a.id);
  EXPECT_EQ(checked.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(locks_.Heartbeat(a.id).code(), StatusCode::kNotFound);
  EXPECT_EQ(locks_.Unlock(a.id).code(), StatusCode::kNotFound);
  EXPECT_TRUE(locks_.Show().value().empty());
  // What it held is free again.
  EXPECT_EQ(Take({Tbl("db@main", "t")}).state, LockState::kAcquired);
}

TEST_F(LockManagerTest, ExpiredHolderReleasesWaiter) {
  LockInfo a = Take({Tbl("db@main", "t")});
  LockInfo b = Take({Tbl("db@main", "t")});
  for (int i = 0; i < 2; ++i) {
    now_ += 400;
    EXPECT_EQ(StateAfterCheck(b.id), LockState::kWaiting);  // b polls; a is silent
  }
  now_ += 400;  // 1200 ms since a's last heartbeat: it has expired
  EXPECT_EQ(StateAfterCheck(b.id), LockState::kAcquired);
  EXPECT_EQ(locks_.Check(a.id).status().code(), StatusCode::kNotFound);
}

TEST_F(LockManagerTest, HeartbeatAndCheckKeepLockAlive) {
  LockInfo a = Take({Tbl("db@main", "t")});
  for (int i = 0; i < 5; ++i) {
    now_ += 800;
    ASSERT_TRUE(locks_.Heartbeat(a.id).ok()) << i;
  }
  for (int i = 0; i < 5; ++i) {
    now_ += 800;
    ASSERT_TRUE(locks_.Check(a.id).ok()) << i;
  }
  auto shown = locks_.Show().value();
  ASSERT_EQ(shown.size(), 1u);
  EXPECT_EQ(shown[0].id, a.id);
  EXPECT_EQ(shown[0].heartbeat_count, 10);
  EXPECT_EQ(shown[0].last_heartbeat_ms, kStart + 8000);
  EXPECT_EQ(shown[0].acquired_at_ms, kStart);
  EXPECT_EQ(shown[0].state, LockState::kAcquired);
}

TEST_F(LockManagerTest, UnknownIdsAreNotFound) {
  EXPECT_EQ(locks_.Check(12345).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(locks_.Heartbeat(12345).code(), StatusCode::kNotFound);
  EXPECT_EQ(locks_.Unlock(12345).code(), StatusCode::kNotFound);
  LockInfo a = Take({Tbl("db@main", "t")});
  ASSERT_TRUE(locks_.Unlock(a.id).ok());
  EXPECT_EQ(locks_.Unlock(a.id).code(), StatusCode::kNotFound);
  EXPECT_EQ(locks_.Check(a.id).status().code(), StatusCode::kNotFound);
  EXPECT_NE(locks_.Check(a.id).status().message().find("No such lock"), std::string::npos);
}

TEST_F(LockManagerTest, OnlyTheOwnerMayCheckHeartbeatOrUnlock) {
  LockInfo a = Take({Tbl("db@main", "t")});  // alice's
  EXPECT_EQ(locks_.Check(a.id, "bob").status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(locks_.Heartbeat(a.id, "bob").code(), StatusCode::kPermissionDenied);
  Status denied = locks_.Unlock(a.id, "bob");
  EXPECT_EQ(denied.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(denied.message().find("belongs to 'alice'"), std::string::npos);
  EXPECT_EQ(locks_.Show().value().size(), 1u);  // still held
  EXPECT_TRUE(locks_.Heartbeat(a.id, "alice").ok());
  EXPECT_TRUE(locks_.Unlock(a.id, "alice").ok());
  LockInfo b = Take({Tbl("db@main", "t")});
  EXPECT_TRUE(locks_.Unlock(b.id).ok());  // no owner given: an admin, or no authentication
}

TEST_F(LockManagerTest, IdsAreNeverReused) {
  std::set<int64_t> seen;
  int64_t last = 0;
  for (int i = 0; i < 50; ++i) {
    LockInfo l = Take({Tbl("db@main", "t" + std::to_string(i % 3))});
    EXPECT_GT(l.id, last);
    EXPECT_TRUE(seen.insert(l.id).second);
    last = l.id;
    if (i % 2 == 0) {
      ASSERT_TRUE(locks_.Unlock(l.id).ok());
    }
  }
  // A manager created later (a restarted server) starts above every id issued here.
  now_ += 1;
  LockManager restarted(kTimeout, [this] { return now_; });
  LockInfo fresh = restarted.Lock({Tbl("db@main", "t")}, "bob", "h", "a", 0).value();
  EXPECT_GT(fresh.id, last);
}

TEST_F(LockManagerTest, ShowFiltersByDatabaseAndTable) {
  LockInfo a = Take({Tbl("db@main", "t")});
  LockInfo b = Take({Part("db@main", "u", "p=1")});
  LockInfo c = Take({Tbl("db@dev", "t")});
  LockInfo w = Take({Tbl("db@main", "t")});  // waiting locks are shown too
  ASSERT_EQ(w.state, LockState::kWaiting);

  auto ids = [](const std::vector<LockInfo>& v) {
    std::vector<int64_t> out;
    for (const auto& l : v)
      out.push_back(l.id);
    return out;
  };
  EXPECT_EQ(ids(locks_.Show().value()), (std::vector<int64_t>{a.id, b.id, c.id, w.id}));
  EXPECT_EQ(ids(locks_.Show("db@main").value()), (std::vector<int64_t>{a.id, b.id, w.id}));
  EXPECT_EQ(ids(locks_.Show("db@main", "t").value()), (std::vector<int64_t>{a.id, w.id}));
  EXPECT_EQ(ids(locks_.Show("db@dev", "t").value()), (std::vector<int64_t>{c.id}));
  EXPECT_TRUE(locks_.Show("nope@main").value().empty());
}

TEST_F(LockManagerTest, RecordsTxnId) {
  LockInfo l = locks_.Lock({Tbl("db@main", "t")}, "u", "h", "agent", 42).value();
  EXPECT_EQ(l.txn_id, 42);
  ASSERT_EQ(locks_.Show().value().size(), 1u);
  EXPECT_EQ(locks_.Show().value()[0].txn_id, 42);
}

}  // namespace
}  // namespace arbor::hms

namespace arbor::hms {
namespace {

// Two managers on one shared table stand for two arbord instances on one store.
TEST(SharedLockManagerTest, InstancesSeeOneLockTable) {
  std::mutex mu;
  std::string stored;
  int writes = 0;
  LockManager::SharedTable table = [&](const std::function<Status(std::string*)>& update) {
    std::lock_guard<std::mutex> l(mu);
    std::string bytes = stored;
    ARBOR_RETURN_IF_ERROR(update(&bytes));
    if (bytes != stored) ++writes;
    stored = bytes;
    return Status::OK();
  };
  int64_t now = kStart;
  auto clock = [&] { return now; };
  LockManager a(kTimeout, clock, table), b(kTimeout, clock, table);
  LockInfo la = a.Lock({Tbl("db@main", "t")}, "alice", "h1", "iceberg", 7).value();
  ASSERT_EQ(la.state, LockState::kAcquired);
  // The other instance makes a conflicting request wait, and sees the holder.
  LockInfo lb = b.Lock({Tbl("db@main", "t")}, "bob", "h2", "iceberg", 0).value();
  EXPECT_EQ(lb.state, LockState::kWaiting);
  EXPECT_GT(lb.id, la.id);
  auto shown = b.Show("db@main", "t").value();
  ASSERT_EQ(shown.size(), 2u);
  EXPECT_EQ(shown[0].user, "alice");
  EXPECT_EQ(shown[0].txn_id, 7);
  EXPECT_EQ(shown[0].components[0].table, "t");
  // A heartbeat through either instance keeps the lock; unlocking through the other
  // instance releases it for the waiter.
  now += 600;
  ASSERT_TRUE(b.Heartbeat(la.id).ok());
  EXPECT_EQ(b.Check(lb.id).value().state, LockState::kWaiting);
  now += 600;  // past the timeout since la was taken, not since its heartbeat
  EXPECT_EQ(a.Check(lb.id).value().state, LockState::kWaiting);
  ASSERT_TRUE(b.Unlock(la.id).ok());
  EXPECT_EQ(a.Check(lb.id).value().state, LockState::kAcquired);
  // The holder dies (no more heartbeats): its lock expires for everyone.
  now += kTimeout.count() + 1;
  LockInfo lc = a.Lock({Tbl("db@main", "t")}, "carol", "h3", "iceberg", 0).value();
  EXPECT_EQ(lc.state, LockState::kAcquired);
  EXPECT_TRUE(b.Check(lb.id).status().IsNotFound());
  EXPECT_GT(writes, 0);
}

TEST(SharedLockManagerTest, StoreFailureIsAnError) {
  LockManager::SharedTable down = [](const std::function<Status(std::string*)>&) {
    return Status::Unavailable("lost the connection to PostgreSQL");
  };
  LockManager m(kTimeout, nullptr, down);
  auto l = m.Lock({Tbl("db@main", "t")}, "u", "h", "a", 0);
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.status().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace arbor::hms

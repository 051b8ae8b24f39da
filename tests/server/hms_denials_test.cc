// Authorization denials (Status::PermissionDenied) as a Thrift client sees them,
// through the generated processor over memory buffers: a MetaException where the
// method declares one, and a TApplicationException carrying the message for the
// lock methods, which declare none that fits (Hive's own clients see the same).
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <thrift/TApplicationException.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/TBufferTransports.h>

#include "server/auth/users.h"
#include "server/hms/hms_handler.h"
#include "storage/mem_kv_store.h"
#include "versioning/repository.h"

namespace arbor::hms {
namespace {

using apache::thrift::TApplicationException;
using apache::thrift::protocol::TBinaryProtocol;
using apache::thrift::transport::TMemoryBuffer;
using Client = hive::ThriftHiveMetastoreClient;

class HmsDenialsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto repo = Repository::Open(&kv_, RepositoryOptions{});
    ASSERT_TRUE(repo.ok()) << repo.status().ToString();
    repo_ = std::move(*repo);
    auto users = auth::UserDirectory::Parse(
        "alice writer\n"
        "bob writer\n"
        "rita reader\n"
        "etl admin proxy=alice\n",
        "test");
    ASSERT_TRUE(users.ok()) << users.status().ToString();
    users_ = std::move(*users);
    context_.repo = repo_.get();
    context_.locks = &locks_;
    context_.users = &users_;
    hive::Database db;
    db.__set_name("sales");
    db.__set_locationUri("file:/warehouse/sales");
    Session("etl")->create_database(db);
  }

  // A session authenticated (by password) as `user`.
  std::shared_ptr<HmsHandler> Session(const std::string& user) {
    return std::make_shared<HmsHandler>(&context_, "test",
                                        auth::Identity{auth::AuthMethod::kPassword, user, user});
  }

  // Serves the call `send` writes with `session`'s processor; returns a client
  // positioned to read the reply with recv_<method>.
  std::unique_ptr<Client> Call(const std::shared_ptr<HmsHandler>& session,
                               const std::function<void(Client&)>& send) {
    auto request = std::make_shared<TMemoryBuffer>();
    Client writer(std::make_shared<TBinaryProtocol>(request));
    send(writer);
    auto reply = std::make_shared<TMemoryBuffer>();
    hive::ThriftHiveMetastoreProcessor processor(session);
    EXPECT_TRUE(processor.process(std::make_shared<TBinaryProtocol>(request),
                                  std::make_shared<TBinaryProtocol>(reply), nullptr));
    return std::make_unique<Client>(std::make_shared<TBinaryProtocol>(reply));
  }

  static hive::LockRequest ExclusiveLock(const std::string& user) {
    hive::LockComponent c;
    c.__set_type(hive::LockType::EXCLUSIVE);
    c.__set_level(hive::LockLevel::TABLE);
    c.__set_dbname("sales");
    c.__set_tablename("orders");
    hive::LockRequest r;
    r.__set_component({c});
    r.__set_user(user);
    r.__set_hostname("host");
    return r;
  }

  MemKvStore kv_;
  std::unique_ptr<Repository> repo_;
  auth::UserDirectory users_;
  LockManager locks_{std::chrono::seconds(10)};
  HmsContext context_;
};

// The message of the exception `recv` throws, prefixed with its type.
template <typename Recv>
std::string Thrown(Recv&& recv) {
  try {
    recv();
  } catch (const hive::MetaException& e) {
    return "MetaException: " + e.message;
  } catch (const TApplicationException& e) {
    return std::string("TApplicationException: ") + e.what();
  } catch (const std::exception& e) {
    return std::string("other: ") + e.what();
  }
  return "nothing";
}

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

// A TApplicationException (the processor's wrapping of an undeclared exception)
// that carries `message`.
bool Denied(const std::string& thrown, const std::string& message) {
  return StartsWith(thrown, "TApplicationException: ") && thrown.find(message) != std::string::npos;
}

TEST_F(HmsDenialsTest, ARoleTooLowIsAMetaException) {
  hive::Database db;
  db.__set_name("reports");
  auto reply = Call(Session("rita"), [&](Client& c) { c.send_create_database(db); });
  const std::string got = Thrown([&] { reply->recv_create_database(); });
  EXPECT_TRUE(StartsWith(got, "MetaException: user 'rita' (role reader) may not")) << got;
  EXPECT_NE(got.find("needs the writer role"), std::string::npos) << got;
  // Nothing was written: the writer sees no such database.
  hive::Database found;
  auto read = Call(Session("alice"), [&](Client& c) { c.send_get_database("reports"); });
  EXPECT_TRUE(StartsWith(Thrown([&] { read->recv_get_database(found); }), "other: "));
}

TEST_F(HmsDenialsTest, ImpersonationWithoutProxyRightsIsAMetaException) {
  std::vector<std::string> groups;
  auto denied = Call(Session("bob"), [&](Client& c) { c.send_set_ugi("alice", {}); });
  const std::string got = Thrown([&] { denied->recv_set_ugi(groups); });
  EXPECT_EQ(got, "MetaException: user 'bob' may not impersonate 'alice' (not a proxy user for it)");
  auto allowed = Call(Session("etl"), [&](Client& c) { c.send_set_ugi("alice", {"g"}); });
  EXPECT_EQ(Thrown([&] { allowed->recv_set_ugi(groups); }), "nothing");
  EXPECT_EQ(groups, std::vector<std::string>{"g"});
}

TEST_F(HmsDenialsTest, LockDenialsAreApplicationExceptions) {
  // A reader may not take a write lock; lock declares no slot for the denial.
  hive::LockResponse lock;
  auto by_reader = Call(Session("rita"), [&](Client& c) { c.send_lock(ExclusiveLock("rita")); });
  std::string got = Thrown([&] { by_reader->recv_lock(lock); });
  EXPECT_TRUE(StartsWith(got, "TApplicationException: ")) << got;
  EXPECT_NE(got.find("user 'rita' (role reader) may not take a write lock"), std::string::npos)
      << got;

  // Only alice (or an admin) may check, heartbeat or release alice's lock.
  auto taken = Call(Session("alice"), [&](Client& c) { c.send_lock(ExclusiveLock("alice")); });
  ASSERT_EQ(Thrown([&] { taken->recv_lock(lock); }), "nothing");
  const std::string owner = "lock " + std::to_string(lock.lockid) + " belongs to 'alice'";
  hive::CheckLockRequest check;
  check.__set_lockid(lock.lockid);
  auto checked = Call(Session("bob"), [&](Client& c) { c.send_check_lock(check); });
  got = Thrown([&] { checked->recv_check_lock(lock); });
  EXPECT_TRUE(Denied(got, owner)) << got;
  hive::HeartbeatRequest beat;
  beat.__set_lockid(lock.lockid);
  auto beaten = Call(Session("bob"), [&](Client& c) { c.send_heartbeat(beat); });
  got = Thrown([&] { beaten->recv_heartbeat(); });
  EXPECT_TRUE(Denied(got, owner)) << got;
  hive::UnlockRequest unlock;
  unlock.__set_lockid(lock.lockid);
  auto released = Call(Session("bob"), [&](Client& c) { c.send_unlock(unlock); });
  got = Thrown([&] { released->recv_unlock(); });
  EXPECT_TRUE(Denied(got, owner)) << got;
  // Still held: the owner releases it.
  auto by_owner = Call(Session("alice"), [&](Client& c) { c.send_unlock(unlock); });
  EXPECT_EQ(Thrown([&] { by_owner->recv_unlock(); }), "nothing");
}

}  // namespace
}  // namespace arbor::hms

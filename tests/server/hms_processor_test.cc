// HmsProcessor (server/hms/hms_processor.h) against the generated processor,
// both serving one HmsHandler: every streamed listing method must produce the
// very bytes the generated code produces — partitions, list framing, response
// wrappers, and exceptions in their declared slots — for the binary and the
// compact protocol. The table holds enough partitions (with escaped names,
// differing columns and parameters) that a reply spans several of the
// processor's 256 KiB buffer chunks, and the streamed listings (count
// announced first) and the buffered ones (filters, privileges) both answer alike.
#include <chrono>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/protocol/TCompactProtocol.h>
#include <thrift/transport/TBufferTransports.h>

#include "server/hms/hms_handler.h"
#include "server/hms/hms_processor.h"
#include "storage/mem_kv_store.h"
#include "tests/support/seed.h"
#include "versioning/repository.h"

namespace arbor::hms {
namespace {

using apache::thrift::TProcessor;
using apache::thrift::protocol::TBinaryProtocol;
using apache::thrift::protocol::TCompactProtocol;
using apache::thrift::protocol::TProtocol;
using apache::thrift::transport::TMemoryBuffer;

using Client = hive::ThriftHiveMetastoreClient;
using Send = std::function<void(Client&)>;

class HmsProcessorTest : public ::testing::TestWithParam<bool /*compact*/> {
 protected:
  static void SetUpTestSuite() {
    seed_ = ::arbor::testing::TestSeed();
    auto repo = Repository::Open(&kv_, RepositoryOptions{});
    ASSERT_TRUE(repo.ok()) << repo.status().ToString();
    repo_ = std::move(*repo);
    context_ = std::make_unique<HmsContext>();
    context_->repo = repo_.get();
    context_->locks = &locks_;
    handler_ = std::make_shared<HmsHandler>(context_.get());

    hive::Database db;
    db.__set_name("sales");
    db.__set_locationUri("file:/warehouse/sales");
    handler_->create_database(db);
    handler_->create_table(Table("orders"));
    handler_->create_table(Table("empty"));

    // Values that need escaping in names, and partitions that differ in shape
    // from their neighbours, so a reused object must not leak fields.
    const std::vector<std::string> days = {"2024-01-01", "a/b",   "x=y", "100%",  "ü ñ",
                                           "c:d",        "#hash", "",    "sp ace"};
    std::mt19937_64 rng(seed_);
    std::vector<hive::Partition> batch;
    for (int i = 0; i < 2400; ++i) {
      hive::Partition p;
      p.__set_dbName("sales");
      p.__set_tableName("orders");
      // Day k of value v is v + k (i = 9k + v); the empty value only once.
      const std::string day = days[i % days.size()];
      p.__set_values({day.empty() && i > 9 ? "e" + std::to_string(i / 9)
                      : day.empty()        ? day
                                           : day + std::to_string(i / 9),
                      std::to_string(i % 24)});
      if (rng() % 5) {
        hive::StorageDescriptor sd;
        std::vector<hive::FieldSchema> cols;
        for (uint64_t c = 0, n = 1 + rng() % 8; c < n; ++c) {
          hive::FieldSchema f;
          f.__set_name("column_" + std::to_string(c));
          f.__set_type(c % 2 ? "string" : "bigint");
          if (rng() % 3 == 0) f.__set_comment(std::string(rng() % 200, 'c'));
          cols.push_back(f);
        }
        sd.__set_cols(cols);
        sd.__set_serdeInfo(hive::SerDeInfo());
        if (rng() % 4) sd.__set_location("file:/elsewhere/" + std::to_string(i));
        if (rng() % 2) sd.__set_parameters({{"k" + std::to_string(rng() % 3), "v"}});
        p.__set_sd(sd);
      }
      std::map<std::string, std::string> params;
      for (uint64_t k = 0, n = rng() % 4; k < n; ++k)
        params["param" + std::to_string(k)] = std::string(rng() % 800, 'p');
      p.__set_parameters(params);
      batch.push_back(std::move(p));
      if (batch.size() == 400) {
        handler_->add_partitions(batch);
        batch.clear();
      }
    }
  }

  static void TearDownTestSuite() {
    handler_.reset();
    context_.reset();
    repo_.reset();
  }

  static hive::Table Table(const std::string& name) {
    hive::Table t;
    t.__set_dbName("sales");
    t.__set_tableName(name);
    hive::FieldSchema ds, hr, id;
    ds.__set_name("ds");
    ds.__set_type("string");
    hr.__set_name("hr");
    hr.__set_type("int");
    id.__set_name("id");
    id.__set_type("bigint");
    hive::StorageDescriptor sd;
    sd.__set_cols({id});
    t.__set_sd(sd);
    t.__set_partitionKeys({ds, hr});
    t.__set_tableType("MANAGED_TABLE");
    return t;
  }

  std::shared_ptr<TProtocol> Protocol(std::shared_ptr<TMemoryBuffer> buffer) const {
    if (GetParam()) return std::make_shared<TCompactProtocol>(std::move(buffer));
    return std::make_shared<TBinaryProtocol>(std::move(buffer));
  }

  // The reply `processor` writes to the call `send` makes.
  std::string Reply(TProcessor& processor, const Send& send) const {
    auto request = std::make_shared<TMemoryBuffer>();
    Client writer(Protocol(request));
    send(writer);
    auto reply = std::make_shared<TMemoryBuffer>();
    auto in = Protocol(request);
    auto out = Protocol(reply);
    EXPECT_TRUE(processor.process(in, out, nullptr));
    return reply->getBufferAsString();
  }

  // The reply of both processors, after checking they are byte-identical.
  std::string Same(const Send& send) const {
    hive::ThriftHiveMetastoreProcessor generated(handler_);
    auto streamed = MakeHmsProcessor(handler_);
    const std::string want = Reply(generated, send);
    const std::string got = Reply(*streamed, send);
    EXPECT_EQ(got.size(), want.size()) << ::arbor::testing::SeedNote(seed_);
    EXPECT_TRUE(got == want) << "replies differ; " << ::arbor::testing::SeedNote(seed_);
    return got;
  }

  // A client that reads `reply`, for recv_<method>.
  std::unique_ptr<Client> Reader(const std::string& reply) const {
    auto buffer = std::make_shared<TMemoryBuffer>();
    buffer->write(reinterpret_cast<const uint8_t*>(reply.data()),
                  static_cast<uint32_t>(reply.size()));
    return std::make_unique<Client>(Protocol(buffer));
  }

  static inline uint64_t seed_ = 0;
  static inline MemKvStore kv_;
  static inline std::unique_ptr<Repository> repo_;
  static inline LockManager locks_{std::chrono::seconds(10)};
  static inline std::unique_ptr<HmsContext> context_;
  static inline std::shared_ptr<HmsHandler> handler_;
};

TEST_P(HmsProcessorTest, WholeTableListingsAreIdentical) {
  std::vector<hive::Partition> parts;
  Reader(Same([](Client& c) {
    c.send_get_partitions("sales", "orders", -1);
  }))->recv_get_partitions(parts);
  EXPECT_EQ(parts.size(), 2400u);
  size_t bytes = Same([](Client& c) { c.send_get_partitions("sales", "orders", -1); }).size();
  EXPECT_GT(bytes, size_t{2} << 20) << "the reply should span several buffer chunks";

  Same([](Client& c) { c.send_get_partitions("sales", "orders", 7); });
  Same([](Client& c) { c.send_get_partitions("sales", "orders", 0); });
  Same([](Client& c) { c.send_get_partitions("sales", "empty", -1); });
  Same([](Client& c) { c.send_get_partitions("SALES", "Orders", 3); });
  Same([](Client& c) { c.send_get_partitions_with_auth("sales", "orders", -1, "u", {"g"}); });
  Same([](Client& c) {
    hive::PartitionsRequest req;
    req.__set_dbName("sales");
    req.__set_tblName("orders");
    req.__set_maxParts(-1);
    c.send_get_partitions_req(req);
  });
  Same([](Client& c) {
    hive::PartitionsRequest req;
    req.__set_dbName("@hive#sales");
    req.__set_tblName("orders");
    req.__set_catName("hive");
    req.__set_maxParts(100);
    c.send_get_partitions_req(req);
  });
}

TEST_P(HmsProcessorTest, SelectionsAreIdentical) {
  std::vector<hive::Partition> parts;
  Reader(Same([](Client& c) {
    c.send_get_partitions_ps("sales", "orders", {"a/b1"}, -1);
  }))->recv_get_partitions_ps(parts);
  EXPECT_EQ(parts.size(), 1u);
  Same([](Client& c) { c.send_get_partitions_ps("sales", "orders", {"", "5"}, -1); });
  Same([](Client& c) {
    c.send_get_partitions_ps_with_auth("sales", "orders", {"x=y3"}, 2, "u", {});
  });
  Same([](Client& c) {
    hive::GetPartitionsPsWithAuthRequest req;
    req.__set_dbName("sales");
    req.__set_tblName("orders");
    req.__set_partVals({"", "7"});
    c.send_get_partitions_ps_with_auth_req(req);
  });
  Same([](Client& c) {
    hive::GetPartitionsPsWithAuthRequest req;
    req.__set_dbName("sales");
    req.__set_tblName("orders");
    req.__set_partNames({"ds=a%2Fb1/hr=10", "ds=100%253/hr=6", "ds=nope/hr=1", "garbage"});
    c.send_get_partitions_ps_with_auth_req(req);
  });

  Reader(Same([](Client& c) {
    c.send_get_partitions_by_filter("sales", "orders", "ds = \"x=y3\"", -1);
  }))->recv_get_partitions_by_filter(parts);
  EXPECT_EQ(parts.size(), 1u);
  Same([](Client& c) {
    c.send_get_partitions_by_filter("sales", "orders", "hr > 20 and ds like \"a/b%\"", -1);
  });
  Same([](Client& c) { c.send_get_partitions_by_filter("sales", "orders", "hr = 3", 5); });
  Same([](Client& c) {
    hive::GetPartitionsByFilterRequest req;
    req.__set_dbName("sales");
    req.__set_tblName("orders");
    req.__set_filter("ds >= \"c\"");
    req.__set_maxParts(-1);
    c.send_get_partitions_by_filter_req(req);
  });

  Reader(Same([](Client& c) {
    c.send_get_partitions_by_names("sales", "orders",
                                   {"ds=ü ñ4/hr=16", "ds=%23hash6/hr=12", "ds=c%3Ad5/hr=2",
                                    "ds=missing/hr=1", "DS=c%3Ad5/HR=2"});
  }))->recv_get_partitions_by_names(parts);
  EXPECT_EQ(parts.size(), 3u);
  Same([](Client& c) {
    hive::GetPartitionsByNamesRequest req;
    req.__set_db_name("sales");
    req.__set_tbl_name("orders");
    req.__set_names({"ds=sp ace8/hr=8", "ds=__HIVE_DEFAULT_PARTITION__/hr=7"});
    c.send_get_partitions_by_names_req(req);
  });
}

TEST_P(HmsProcessorTest, ErrorsGoInTheirDeclaredSlots) {
  // No such table: NoSuchObjectException where declared, MetaException where not.
  std::vector<hive::Partition> parts;
  EXPECT_THROW(Reader(Same([](Client& c) {
                 c.send_get_partitions("sales", "nope", -1);
               }))->recv_get_partitions(parts),
               hive::NoSuchObjectException);
  EXPECT_THROW(Reader(Same([](Client& c) {
                 c.send_get_partitions("nodb", "orders", -1);
               }))->recv_get_partitions(parts),
               hive::NoSuchObjectException);
  EXPECT_THROW(Reader(Same([](Client& c) {
                 c.send_get_partitions("sales@no_such_branch", "orders", -1);
               }))->recv_get_partitions(parts),
               apache::thrift::TException);
  // A filter that does not parse, and one on a key the table lacks.
  EXPECT_THROW(Reader(Same([](Client& c) {
                 c.send_get_partitions_by_filter("sales", "orders", "ds = = 1", -1);
               }))->recv_get_partitions_by_filter(parts),
               hive::MetaException);
  Same([](Client& c) { c.send_get_partitions_by_filter("sales", "orders", "nokey = 1", -1); });
  // More values than keys.
  Same([](Client& c) { c.send_get_partitions_ps("sales", "orders", {"a", "1", "x"}, -1); });
  Same([](Client& c) {
    hive::GetPartitionsPsWithAuthRequest req;
    req.__set_dbName("sales");
    req.__set_tblName("nope");
    c.send_get_partitions_ps_with_auth_req(req);
  });
  Same([](Client& c) { c.send_get_partitions_by_names("sales", "nope", {"ds=a/hr=1"}); });
  Same([](Client& c) {
    hive::GetPartitionsByNamesRequest req;
    req.__set_db_name("bad name!");
    req.__set_tbl_name("orders");
    req.__set_names({});
    c.send_get_partitions_by_names_req(req);
  });
  Same([](Client& c) {
    hive::PartitionsRequest req;
    req.__set_dbName("sales");
    req.__set_tblName("nope");
    c.send_get_partitions_req(req);
  });
}

TEST_P(HmsProcessorTest, NameListingsAreIdentical) {
  std::vector<std::string> names;
  Reader(Same([](Client& c) {
    c.send_get_partition_names("sales", "orders", -1);
  }))->recv_get_partition_names(names);
  EXPECT_EQ(names.size(), 2400u);
  Same([](Client& c) { c.send_get_partition_names("sales", "orders", 7); });
  Same([](Client& c) { c.send_get_partition_names("sales", "orders", 0); });
  Same([](Client& c) { c.send_get_partition_names("sales", "empty", -1); });
  Same([](Client& c) { c.send_get_partition_names("SALES", "Orders", 3); });
  Same([](Client& c) {
    hive::PartitionsRequest req;
    req.__set_dbName("@hive#sales");
    req.__set_tblName("orders");
    req.__set_maxParts(-1);
    c.send_fetch_partition_names_req(req);
  });
  Reader(Same([](Client& c) {
    c.send_get_partition_names_ps("sales", "orders", {"a/b1"}, -1);
  }))->recv_get_partition_names_ps(names);
  EXPECT_EQ(names.size(), 1u);
  Same([](Client& c) { c.send_get_partition_names_ps("sales", "orders", {"", "5"}, -1); });
  Same([](Client& c) { c.send_get_partition_names_ps("sales", "orders", {"", "5"}, 4); });
  Same([](Client& c) {
    c.send_get_partition_names_ps_req(
        HmsHandler::PartitionNamesPsReq("sales", "orders", {"x=y3"}, -1));
  });
  Same([](Client& c) {
    c.send_get_partition_names_ps_req(
        HmsHandler::PartitionNamesPsReq("sales", "orders", {"", "7"}, 50));
  });
  // Errors, in their declared slots.
  EXPECT_THROW(Reader(Same([](Client& c) {
                 c.send_get_partition_names("sales", "nope", -1);
               }))->recv_get_partition_names(names),
               hive::NoSuchObjectException);
  Same([](Client& c) { c.send_get_partition_names("nodb", "orders", -1); });
  Same([](Client& c) { c.send_get_partition_names_ps("sales", "orders", {"a", "1", "x"}, -1); });
  Same([](Client& c) {
    c.send_get_partition_names_ps_req(HmsHandler::PartitionNamesPsReq("sales", "orders", {}, -1));
  });
  Same([](Client& c) {
    hive::PartitionsRequest req;
    req.__set_dbName("bad name!");
    req.__set_tblName("orders");
    c.send_fetch_partition_names_req(req);
  });
}

INSTANTIATE_TEST_SUITE_P(Protocols, HmsProcessorTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "compact" : "binary"; });

// The calls the listener's event loop may serve itself: bounded reads and
// session calls, never a listing, a write, a lock or a transaction.
TEST(ServedInlineTest, OnlyBoundedCalls) {
  for (const char* m :
       {"get_table", "get_table_req", "get_database", "get_partition", "get_partition_by_name",
        "get_fields", "get_schema", "getVersion", "set_ugi", "get_config_value", "getMetaConf"}) {
    EXPECT_TRUE(ServedInline(m)) << m;
  }
  for (const char* m :
       {"", "get_partitions", "get_partitions_by_filter", "get_partition_names", "get_tables",
        "get_all_databases", "get_table_objects_by_name", "get_table_objects_by_name_req",
        "create_table", "alter_table", "add_partitions", "drop_table", "lock", "check_lock",
        "open_txns", "commit_txn", "get_table ", "GET_TABLE", "get_tabl"}) {
    EXPECT_FALSE(ServedInline(m)) << m;
  }
}

}  // namespace
}  // namespace arbor::hms

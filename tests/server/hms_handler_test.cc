// HmsHandler driven directly (no Thrift transport) against a Repository coupled
// with an in-process lakeFS: a request resolves its ref once — the branch record
// is read once per read call, and the locations it returns are rendered from
// the same view.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "server/hms/hms_handler.h"
#include "storage/mem_kv_store.h"
#include "tests/support/counting_kv_store.h"
#include "tests/support/fake_lakefs.h"
#include "versioning/ref_store.h"
#include "versioning/repository.h"

namespace arbor::hms {
namespace {

class HmsHandlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RepositoryOptions o;
    o.lakefs = &lakefs_;
    o.lakefs_repository = "repo";
    auto repo = Repository::Open(&kv_, o);
    ASSERT_TRUE(repo.ok()) << repo.status().ToString();
    repo_ = std::move(*repo);
    context_.repo = repo_.get();
    context_.locks = &locks_;
    context_.locations = LocationMapper({"s3a://repo/"});
    handler_ = std::make_unique<HmsHandler>(&context_);

    hive::Database db;
    db.__set_name("sales");
    db.__set_locationUri("s3a://repo/main/sales");
    handler_->create_database(db);
    handler_->create_table(OrdersTable());
  }

  static hive::Table OrdersTable() {
    hive::Table t;
    t.__set_dbName("sales");
    t.__set_tableName("orders");
    hive::FieldSchema id;
    id.__set_name("id");
    id.__set_type("bigint");
    hive::FieldSchema day;
    day.__set_name("day");
    day.__set_type("string");
    hive::StorageDescriptor sd;
    sd.__set_cols({id});
    sd.__set_location("s3a://repo/main/sales/orders");
    t.__set_sd(sd);
    t.__set_partitionKeys({day});
    t.__set_tableType("EXTERNAL_TABLE");
    return t;
  }

  // Counts reads of `branch`'s record from now on.
  void WatchBranch(const std::string& branch) {
    kv_.Watch(Column::kRefs, RefStore::BranchKey(branch));
  }

  MemKvStore mem_;
  testing::CountingKvStore kv_{&mem_};
  testing::FakeLakeFs lakefs_;
  std::unique_ptr<Repository> repo_;
  LockManager locks_{std::chrono::seconds(10)};
  HmsContext context_;
  std::unique_ptr<HmsHandler> handler_;
};

TEST_F(HmsHandlerTest, GetTableReadsTheBranchRecordOnce) {
  WatchBranch("main");
  hive::Table got;
  handler_->get_table(got, "sales", "orders");
  EXPECT_EQ(kv_.gets(), 1u);
  EXPECT_EQ(kv_.iterators(), 0u);
  // Rendered for the branch the view read.
  EXPECT_EQ(got.sd.location, "s3a://repo/main/sales/orders");
  EXPECT_EQ(got.tableName, "orders");
}

TEST_F(HmsHandlerTest, GetDatabaseReadsTheBranchRecordOnce) {
  WatchBranch("main");
  hive::Database got;
  handler_->get_database(got, "sales");
  EXPECT_EQ(kv_.gets(), 1u);
  EXPECT_EQ(got.locationUri, "s3a://repo/main/sales");
}

TEST_F(HmsHandlerTest, GetDatabasesReqReadsTheBranchRecordOnce) {
  hive::Database other;
  other.__set_name("marketing");
  other.__set_locationUri("s3a://repo/main/marketing");
  handler_->create_database(other);
  WatchBranch("main");
  hive::GetDatabaseObjectsRequest req;
  req.__set_pattern("*");
  hive::GetDatabaseObjectsResponse got;
  handler_->get_databases_req(got, req);
  // One listing and two databases, through one view.
  EXPECT_EQ(kv_.gets(), 1u);
  ASSERT_EQ(got.databases.size(), 2u);
  EXPECT_EQ(got.databases[0].name, "marketing");
  EXPECT_EQ(got.databases[1].name, "sales");
  EXPECT_EQ(got.databases[1].locationUri, "s3a://repo/main/sales");
}

TEST_F(HmsHandlerTest, PartitionWritesRenderFromTheirOwnView) {
  auto part = [](const std::string& day) {
    hive::Partition p;
    p.__set_dbName("sales");
    p.__set_tableName("orders");
    p.__set_values({day});
    return p;
  };
  // Repository::Mutate reads the branch record itself (under the branch's lock);
  // a write that returns partitions must read it no more often than one that
  // returns none: its renderer comes from the view it wrote through.
  WatchBranch("main");
  EXPECT_EQ(handler_->add_partitions({part("2024-01-01")}), 1);
  const uint64_t silent_write = kv_.gets();
  EXPECT_GE(silent_write, 1u);

  kv_.Reset();
  hive::Partition added;
  handler_->add_partition(added, part("2024-01-02"));
  EXPECT_EQ(kv_.gets(), silent_write);
  EXPECT_EQ(added.sd.location, "s3a://repo/main/sales/orders/day=2024-01-02");

  kv_.Reset();
  hive::DropPartitionsRequest drop;
  drop.__set_dbName("sales");
  drop.__set_tblName("orders");
  drop.parts.__set_names({"day=2024-01-02"});
  drop.__isset.parts = true;
  drop.__set_needResult(true);
  hive::DropPartitionsResult dropped;
  handler_->drop_partitions_req(dropped, drop);
  EXPECT_EQ(kv_.gets(), silent_write);
  ASSERT_EQ(dropped.partitions.size(), 1u);
  EXPECT_EQ(dropped.partitions[0].sd.location, "s3a://repo/main/sales/orders/day=2024-01-02");
}

TEST_F(HmsHandlerTest, PartitionReadsReadTheBranchRecordOnce) {
  hive::Partition p;
  p.__set_dbName("sales");
  p.__set_tableName("orders");
  p.__set_values({"2024-01-01"});
  hive::Partition added;
  handler_->add_partition(added, p);

  WatchBranch("main");
  std::vector<hive::Partition> parts;
  handler_->get_partitions(parts, "sales", "orders", -1);
  EXPECT_EQ(kv_.gets(), 1u);
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].sd.location, "s3a://repo/main/sales/orders/day=2024-01-01");

  kv_.Reset();
  hive::Partition one;
  handler_->get_partition_by_name(one, "sales", "orders", "day=2024-01-01");
  EXPECT_EQ(kv_.gets(), 1u);
  EXPECT_EQ(one.sd.location, "s3a://repo/main/sales/orders/day=2024-01-01");
}

TEST_F(HmsHandlerTest, TableObjectsByNameReqReadsTheBranchRecordOnce) {
  WatchBranch("main");
  hive::GetTablesRequest req;
  req.__set_dbName("sales");
  req.__set_tblNames({"orders", "missing", "ORDERS"});
  hive::GetTablesResult got;
  handler_->get_table_objects_by_name_req(got, req);
  EXPECT_EQ(kv_.gets(), 1u);
  ASSERT_EQ(got.tables.size(), 1u);
  EXPECT_EQ(got.tables[0].sd.location, "s3a://repo/main/sales/orders");
}

// create_table reads its database once (for the table's defaults) and hands it
// to CatalogTxn::CreateTable(db, table); the declared exceptions stay Hive's.
TEST_F(HmsHandlerTest, CreateTableReportsHiveExceptions) {
  EXPECT_THROW(handler_->create_table(OrdersTable()), hive::AlreadyExistsException);
  hive::Table orphan = OrdersTable();
  orphan.__set_dbName("nowhere");
  EXPECT_THROW(handler_->create_table(orphan), hive::NoSuchObjectException);
  hive::Table bad = OrdersTable();
  bad.__set_tableName("tab\tname");  // a control character
  EXPECT_THROW(handler_->create_table(bad), hive::InvalidObjectException);

  hive::Table plain = OrdersTable();
  plain.__set_tableName("Customers");
  plain.sd.__isset.location = false;
  plain.sd.location.clear();
  handler_->create_table(plain);
  hive::Table got;
  handler_->get_table(got, "sales", "customers");
  // The default location comes from the database read in the same transaction.
  EXPECT_EQ(got.sd.location, "s3a://repo/main/sales/customers");
}

}  // namespace
}  // namespace arbor::hms

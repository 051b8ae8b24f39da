// Tests of versioning/entity_summary.h: table change summaries, changed field
// paths for every entity kind, and JSON rendering.
#include "versioning/entity_summary.h"

#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "arbor/catalog.pb.h"
#include "versioning/deterministic_proto.h"

namespace arbor {
namespace {

using Kind = CatalogKey::Kind;
using Strings = std::vector<std::string>;

catalog::FieldSchema Column(const std::string& name, const std::string& type) {
  catalog::FieldSchema col;
  col.set_name(name);
  col.set_type(type);
  return col;
}

void SetParameter(catalog::Table* table, const std::string& key, const std::string& value) {
  (*table->mutable_parameters()->mutable_entries())[key] = value;
}

catalog::Table BaseTable() {
  catalog::Table table;
  table.set_table_name("orders");
  table.set_db_name("sales");
  table.set_owner("alice");
  table.set_table_type("MANAGED_TABLE");
  catalog::StorageDescriptor* sd = table.mutable_sd();
  *sd->mutable_cols()->add_items() = Column("id", "bigint");
  *sd->mutable_cols()->add_items() = Column("amount", "double");
  *sd->mutable_cols()->add_items() = Column("note", "string");
  sd->set_location("s3://warehouse/sales/orders");
  sd->set_input_format("OrcInputFormat");
  sd->set_output_format("OrcOutputFormat");
  sd->mutable_serde_info()->set_serialization_lib("OrcSerde");
  *table.mutable_partition_keys()->add_items() = Column("ds", "string");
  SetParameter(&table, "transient_lastDdlTime", "1000");
  SetParameter(&table, "comment", "all orders");
  SetParameter(&table, "numRows", "10");
  return table;
}

TableChangeSummary Summarize(const std::optional<catalog::Table>& before,
                             const std::optional<catalog::Table>& after) {
  auto bytes = [](const std::optional<catalog::Table>& t) -> std::optional<std::string> {
    if (!t) return std::nullopt;
    return SerializeDeterministic(*t);
  };
  Result<TableChangeSummary> summary = SummarizeTableChange(bytes(before), bytes(after));
  EXPECT_TRUE(summary.ok()) << summary.status().ToString();
  return summary.ok() ? *summary : TableChangeSummary{};
}

TEST(EntitySummaryTest, ColumnsAddedRemovedRetypedAndReordered) {
  const catalog::Table before = BaseTable();
  catalog::Table after = before;
  auto* cols = after.mutable_sd()->mutable_cols();
  cols->Clear();
  *cols->add_items() = Column("amount", "decimal(10,2)");
  *cols->add_items() = Column("id", "bigint");
  *cols->add_items() = Column("currency", "string");
  cols->mutable_items(1)->set_comment("order id");

  const TableChangeSummary s = Summarize(before, after);
  EXPECT_EQ(s.columns_added, Strings{"currency"});
  EXPECT_EQ(s.columns_removed, Strings{"note"});
  ASSERT_EQ(s.columns_retyped.size(), 1u);
  EXPECT_EQ(s.columns_retyped[0], std::make_tuple(std::string("amount"), std::string("double"),
                                                  std::string("decimal(10,2)")));
  EXPECT_EQ(s.columns_comment_changed, Strings{"id"});
  EXPECT_TRUE(s.columns_reordered);
  EXPECT_FALSE(s.location.has_value());
  EXPECT_TRUE(s.parameters_changed.empty());
  EXPECT_TRUE(s.other_fields_changed.empty()) << ::testing::PrintToString(s.other_fields_changed);
  EXPECT_FALSE(s.Empty());
}

TEST(EntitySummaryTest, AppendingAColumnIsNotAReorder) {
  const catalog::Table before = BaseTable();
  catalog::Table after = before;
  *after.mutable_sd()->mutable_cols()->add_items() = Column("extra", "int");
  const TableChangeSummary s = Summarize(before, after);
  EXPECT_EQ(s.columns_added, Strings{"extra"});
  EXPECT_FALSE(s.columns_reordered);
}

TEST(EntitySummaryTest, LocationFormatsSerdeAndTableType) {
  const catalog::Table before = BaseTable();
  catalog::Table after = before;
  after.mutable_sd()->set_location("s3://warehouse/v2/orders");
  after.mutable_sd()->set_input_format("ParquetInputFormat");
  after.mutable_sd()->clear_output_format();
  after.mutable_sd()->mutable_serde_info()->set_serialization_lib("ParquetSerde");
  after.set_table_type("EXTERNAL_TABLE");

  const TableChangeSummary s = Summarize(before, after);
  ASSERT_TRUE(s.location.has_value());
  EXPECT_EQ(s.location->old_value, "s3://warehouse/sales/orders");
  EXPECT_EQ(s.location->new_value, "s3://warehouse/v2/orders");
  EXPECT_EQ(s.input_format, (ValueChange{"OrcInputFormat", "ParquetInputFormat"}));
  // Unset stays distinct from "".
  EXPECT_EQ(s.output_format, (ValueChange{"OrcOutputFormat", std::nullopt}));
  EXPECT_EQ(s.serde_lib, (ValueChange{"OrcSerde", "ParquetSerde"}));
  EXPECT_EQ(s.table_type, (ValueChange{"MANAGED_TABLE", "EXTERNAL_TABLE"}));
  EXPECT_TRUE(s.columns_added.empty());
  EXPECT_TRUE(s.other_fields_changed.empty()) << ::testing::PrintToString(s.other_fields_changed);
}

TEST(EntitySummaryTest, ParametersIgnoringTransientLastDdlTime) {
  const catalog::Table before = BaseTable();
  catalog::Table after = before;
  SetParameter(&after, "transient_lastDdlTime", "2000");
  SetParameter(&after, "numRows", "12");
  SetParameter(&after, "owner_team", "payments");
  SetParameter(&after, "a_flag", "true");
  after.mutable_parameters()->mutable_entries()->erase("comment");

  const TableChangeSummary s = Summarize(before, after);
  EXPECT_EQ(s.parameters_added, (Strings{"a_flag", "owner_team"}));
  EXPECT_EQ(s.parameters_removed, Strings{"comment"});
  EXPECT_EQ(s.parameters_changed, Strings{"numRows"});
  EXPECT_TRUE(s.other_fields_changed.empty()) << ::testing::PrintToString(s.other_fields_changed);
}

TEST(EntitySummaryTest, OnlyVolatileBookkeepingChangedIsEmpty) {
  const catalog::Table before = BaseTable();
  catalog::Table after = before;
  SetParameter(&after, "transient_lastDdlTime", "2000");
  after.set_last_access_time(77);
  EXPECT_TRUE(Summarize(before, after).Empty());
  EXPECT_TRUE(Summarize(before, before).Empty());
}

TEST(EntitySummaryTest, OtherFieldsAreListedByPath) {
  catalog::Table before = BaseTable();
  before.clear_retention();
  catalog::Table after = before;
  after.set_owner("bob");
  after.set_retention(0);  // unset -> 0 is a change
  after.mutable_sd()->set_num_buckets(8);
  (*after.mutable_sd()->mutable_serde_info()->mutable_parameters()->mutable_entries())["sep"] = ",";
  after.mutable_sd()->mutable_parameters();  // null -> empty

  const TableChangeSummary s = Summarize(before, after);
  EXPECT_EQ(s.other_fields_changed, (Strings{"owner", "retention", "sd.num_buckets",
                                             "sd.serde_info.parameters['sep']", "sd.parameters"}));
}

TEST(EntitySummaryTest, PartitionKeys) {
  const catalog::Table before = BaseTable();
  catalog::Table after = before;
  *after.mutable_partition_keys()->add_items() = Column("hr", "int");
  TableChangeSummary s = Summarize(before, after);
  EXPECT_EQ(s.partition_keys, (ValueChange{"ds string", "ds string, hr int"}));

  after.clear_partition_keys();
  s = Summarize(before, after);
  EXPECT_EQ(s.partition_keys, (ValueChange{"ds string", std::nullopt}));
}

TEST(EntitySummaryTest, AddedAndRemovedTables) {
  const catalog::Table table = BaseTable();
  TableChangeSummary s = Summarize(std::nullopt, table);
  EXPECT_EQ(s.columns_added, (Strings{"id", "amount", "note"}));
  EXPECT_EQ(s.location, (ValueChange{std::nullopt, "s3://warehouse/sales/orders"}));
  EXPECT_EQ(s.parameters_added, (Strings{"comment", "numRows"}));
  EXPECT_EQ(s.other_fields_changed, (Strings{"table_name", "db_name", "owner"}));

  s = Summarize(table, std::nullopt);
  EXPECT_EQ(s.columns_removed, (Strings{"id", "amount", "note"}));
  EXPECT_EQ(s.table_type, (ValueChange{"MANAGED_TABLE", std::nullopt}));
}

TEST(EntitySummaryTest, CorruptInputIsCorruption) {
  const Result<TableChangeSummary> s = SummarizeTableChange(std::string("\xff\xff"), std::nullopt);
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(s.status().IsCorruption());
  EXPECT_TRUE(ChangedFieldPaths(Kind::kDatabase, std::nullopt, std::string("\xff"))
                  .status()
                  .IsCorruption());
  EXPECT_TRUE(EntityToJson(Kind::kFunction, "\xff").status().IsCorruption());
}

// --- ChangedFieldPaths --------------------------------------------------------

template <typename M>
Strings Paths(Kind kind, const std::optional<M>& before, const std::optional<M>& after) {
  auto bytes = [](const std::optional<M>& m) -> std::optional<std::string> {
    if (!m) return std::nullopt;
    return SerializeDeterministic(*m);
  };
  Result<Strings> paths = ChangedFieldPaths(kind, bytes(before), bytes(after));
  EXPECT_TRUE(paths.ok()) << paths.status().ToString();
  return paths.ok() ? *paths : Strings{};
}

TEST(EntitySummaryTest, ChangedFieldPathsOfPartitions) {
  catalog::Partition before;
  before.mutable_values()->add_items("2024-01-01");
  before.mutable_sd()->set_location("s3://a");
  (*before.mutable_parameters()->mutable_entries())["numRows"] = "1";
  (*before.mutable_parameters()->mutable_entries())["transient_lastDdlTime"] = "5";
  catalog::Partition after = before;
  after.mutable_values()->set_items(0, "2024-01-02");
  after.mutable_sd()->set_location("s3://b");
  (*after.mutable_parameters()->mutable_entries())["numRows"] = "2";
  (*after.mutable_parameters()->mutable_entries())["transient_lastDdlTime"] = "6";
  after.set_last_access_time(3);
  // Volatile fields are real changes here; only the table summary hides them.
  EXPECT_EQ(Paths<catalog::Partition>(Kind::kPartition, before, after),
            (Strings{"values", "last_access_time", "sd.location", "parameters['numRows']",
                     "parameters['transient_lastDdlTime']"}));
  EXPECT_TRUE(Paths<catalog::Partition>(Kind::kPartition, before, before).empty());
}

TEST(EntitySummaryTest, ChangedFieldPathsOfDatabasesAndFunctions) {
  catalog::Database db;
  db.set_name("sales");
  catalog::Database db2 = db;
  db2.set_description("");
  db2.mutable_parameters();
  EXPECT_EQ(Paths<catalog::Database>(Kind::kDatabase, db, db2),
            (Strings{"description", "parameters"}));
  // An added entity lists what it sets.
  EXPECT_EQ(Paths<catalog::Database>(Kind::kDatabase, std::nullopt, db), Strings{"name"});

  catalog::Function fn;
  fn.set_function_name("f");
  fn.mutable_resource_uris()->add_items()->set_uri("s3://j.jar");
  catalog::Function fn2 = fn;
  fn2.mutable_resource_uris()->mutable_items(0)->set_uri("s3://k.jar");
  fn2.set_owner_type(catalog::PRINCIPAL_TYPE_ROLE);
  EXPECT_EQ(Paths<catalog::Function>(Kind::kFunction, fn, fn2),
            (Strings{"owner_type", "resource_uris"}));
}

TEST(EntitySummaryTest, ChangedFieldPathsOfColumnStatistics) {
  catalog::ColumnStatistics before;
  before.mutable_stats_desc()->set_last_analyzed(1);
  auto* obj = before.add_stats_obj();
  obj->set_col_name("id");
  obj->mutable_stats_data()->mutable_long_stats()->set_num_nulls(0);
  catalog::ColumnStatistics after = before;
  after.mutable_stats_desc()->set_last_analyzed(2);
  after.mutable_stats_obj(0)->mutable_stats_data()->mutable_long_stats()->set_num_nulls(4);
  EXPECT_EQ(Paths<catalog::ColumnStatistics>(Kind::kTableColumnStats, before, after),
            (Strings{"stats_desc.last_analyzed", "stats_obj"}));
}

// --- JSON ---------------------------------------------------------------------

TEST(EntitySummaryTest, EntityToJsonUsesProtoNamesAndOmitsUnsetFields) {
  catalog::Table table;
  table.set_table_name("orders");
  table.set_write_id(7);
  table.set_retention(0);
  table.mutable_sd()->set_location("s3://a");
  SetParameter(&table, "k", "v");
  Result<std::string> json = EntityToJson(Kind::kTable, SerializeDeterministic(table));
  ASSERT_TRUE(json.ok()) << json.status().ToString();
  EXPECT_NE(json->find("\"table_name\":\"orders\""), std::string::npos) << *json;
  EXPECT_NE(json->find("\"write_id\":\"7\""), std::string::npos) << *json;
  EXPECT_NE(json->find("\"retention\":0"), std::string::npos) << *json;  // set to 0: shown
  EXPECT_NE(json->find("\"sd\":{\"location\":\"s3://a\"}"), std::string::npos) << *json;
  EXPECT_NE(json->find("\"parameters\":{\"entries\":{\"k\":\"v\"}}"), std::string::npos) << *json;
  EXPECT_EQ(json->find("owner"), std::string::npos) << *json;  // unset: absent
  EXPECT_EQ(json->find("tableName"), std::string::npos) << *json;
}

}  // namespace
}  // namespace arbor

// Tests of versioning/entity_merge.h: the field-aware three-way merge of one
// catalog entity (docs/versioning.md#field-aware-entity-merge), by example and by seeded random
// property checks over table mutations.
#include "versioning/entity_merge.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "arbor/catalog.pb.h"
#include "tests/support/seed.h"
#include "versioning/deterministic_proto.h"
#include "versioning/entity_summary.h"

namespace arbor {
namespace {

using Kind = CatalogKey::Kind;
using Fields = std::vector<std::string>;

template <typename M>
std::optional<std::string> Bytes(const std::optional<M>& message) {
  if (!message) return std::nullopt;
  return SerializeDeterministic(*message);
}

template <typename M>
M Parse(const std::string& bytes) {
  M message;
  const Status status = ParseProto(bytes, &message);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return message;
}

template <typename M>
EntityMergeResult Merge(Kind kind, const std::optional<M>& base, const std::optional<M>& ours,
                        const std::optional<M>& theirs) {
  Result<EntityMergeResult> result = MergeEntity(kind, Bytes(base), Bytes(ours), Bytes(theirs));
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? *result : EntityMergeResult{};
}

// Merges tables both ways round, checks that the two orders agree, and
// returns the first.
EntityMergeResult MergeTables(const std::optional<catalog::Table>& base,
                              const std::optional<catalog::Table>& ours,
                              const std::optional<catalog::Table>& theirs) {
  const EntityMergeResult forward = Merge(Kind::kTable, base, ours, theirs);
  const EntityMergeResult backward = Merge(Kind::kTable, base, theirs, ours);
  EXPECT_EQ(forward.conflict, backward.conflict);
  EXPECT_EQ(forward.conflict_fields, backward.conflict_fields);
  if (!forward.conflict) {
    EXPECT_EQ(forward.merged, backward.merged);
  }
  return forward;
}

void SetParameter(catalog::Table* table, const std::string& key, const std::string& value) {
  (*table->mutable_parameters()->mutable_entries())[key] = value;
}

catalog::FieldSchema Column(const std::string& name, const std::string& type) {
  catalog::FieldSchema col;
  col.set_name(name);
  col.set_type(type);
  return col;
}

catalog::Table BaseTable() {
  catalog::Table table;
  table.set_table_name("orders");
  table.set_db_name("sales");
  table.set_owner("alice");
  table.set_create_time(100);
  table.set_table_type("MANAGED_TABLE");
  catalog::StorageDescriptor* sd = table.mutable_sd();
  *sd->mutable_cols()->add_items() = Column("id", "bigint");
  *sd->mutable_cols()->add_items() = Column("amount", "double");
  sd->set_location("s3://warehouse/sales/orders");
  sd->set_input_format("org.apache.hadoop.hive.ql.io.orc.OrcInputFormat");
  sd->set_output_format("org.apache.hadoop.hive.ql.io.orc.OrcOutputFormat");
  sd->mutable_serde_info()->set_serialization_lib("org.apache.hadoop.hive.ql.io.orc.OrcSerde");
  *table.mutable_partition_keys()->add_items() = Column("ds", "string");
  SetParameter(&table, "transient_lastDdlTime", "1000");
  SetParameter(&table, "comment", "all orders");
  return table;
}

catalog::Table Merged(const EntityMergeResult& result) {
  EXPECT_FALSE(result.conflict) << ::testing::PrintToString(result.conflict_fields);
  EXPECT_TRUE(result.merged.has_value());
  return Parse<catalog::Table>(result.merged.value_or(""));
}

// --- Tables -----------------------------------------------------------------

TEST(EntityMergeTest, DifferentParametersOnEachSideMergeWithBothKeys) {
  const catalog::Table base = BaseTable();
  catalog::Table ours = base, theirs = base;
  SetParameter(&ours, "owner_team", "payments");
  SetParameter(&theirs, "retention_days", "30");

  const catalog::Table merged = Merged(MergeTables(base, ours, theirs));
  const auto& params = merged.parameters().entries();
  EXPECT_EQ(params.at("owner_team"), "payments");
  EXPECT_EQ(params.at("retention_days"), "30");
  EXPECT_EQ(params.at("comment"), "all orders");
  EXPECT_EQ(params.size(), 4u);
}

TEST(EntityMergeTest, SameParameterSetDifferentlyConflictsNamingTheKey) {
  const catalog::Table base = BaseTable();
  catalog::Table ours = base, theirs = base;
  SetParameter(&ours, "owner_team", "payments");
  SetParameter(&theirs, "owner_team", "billing");
  SetParameter(&theirs, "other", "x");  // merges fine; not listed

  const EntityMergeResult result = MergeTables(base, ours, theirs);
  EXPECT_TRUE(result.conflict);
  EXPECT_EQ(result.conflict_fields, Fields{"parameters['owner_team']"});
}

TEST(EntityMergeTest, ParameterRemovedOnOneSideAndChangedOnTheOtherConflicts) {
  const catalog::Table base = BaseTable();
  catalog::Table ours = base, theirs = base;
  ours.mutable_parameters()->mutable_entries()->erase("comment");
  SetParameter(&theirs, "comment", "orders, deduplicated");
  EXPECT_EQ(MergeTables(base, ours, theirs).conflict_fields, Fields{"parameters['comment']"});

  // Removed on both sides is a removal.
  theirs = ours;
  SetParameter(&theirs, "x", "1");
  const catalog::Table merged = Merged(MergeTables(base, ours, theirs));
  EXPECT_EQ(merged.parameters().entries().count("comment"), 0u);
  EXPECT_EQ(merged.parameters().entries().at("x"), "1");
}

TEST(EntityMergeTest, TransientLastDdlTimeTakesTheLargerValue) {
  const catalog::Table base = BaseTable();
  catalog::Table ours = base, theirs = base;
  SetParameter(&ours, "transient_lastDdlTime", "2000");
  SetParameter(&ours, "a", "1");
  SetParameter(&theirs, "transient_lastDdlTime", "999999");  // numerically larger, not textually
  SetParameter(&theirs, "b", "2");
  const catalog::Table merged = Merged(MergeTables(base, ours, theirs));
  EXPECT_EQ(merged.parameters().entries().at("transient_lastDdlTime"), "999999");
  EXPECT_EQ(merged.parameters().entries().at("a"), "1");
  EXPECT_EQ(merged.parameters().entries().at("b"), "2");

  // A side that dropped the key counts as older than any value.
  ours.mutable_parameters()->mutable_entries()->erase("transient_lastDdlTime");
  EXPECT_EQ(
      Merged(MergeTables(base, ours, theirs)).parameters().entries().at("transient_lastDdlTime"),
      "999999");

  // A value that is not a number is a real conflict.
  SetParameter(&ours, "transient_lastDdlTime", "yesterday");
  EXPECT_EQ(MergeTables(base, ours, theirs).conflict_fields,
            Fields{"parameters['transient_lastDdlTime']"});
}

TEST(EntityMergeTest, LastAccessTimeTakesTheLargerValue) {
  catalog::Table base = BaseTable();
  base.set_last_access_time(10);
  catalog::Table ours = base, theirs = base;
  ours.set_last_access_time(30);
  ours.set_owner("bob");
  theirs.set_last_access_time(20);
  theirs.set_retention(7);
  const catalog::Table merged = Merged(MergeTables(base, ours, theirs));
  EXPECT_EQ(merged.last_access_time(), 30);
  EXPECT_EQ(merged.owner(), "bob");
  EXPECT_EQ(merged.retention(), 7);

  // Unset counts as smallest.
  ours.clear_last_access_time();
  EXPECT_EQ(Merged(MergeTables(base, ours, theirs)).last_access_time(), 20);
}

TEST(EntityMergeTest, BothRetypingOneColumnConflictsOnTheColumns) {
  const catalog::Table base = BaseTable();
  catalog::Table ours = base, theirs = base;
  ours.mutable_sd()->mutable_cols()->mutable_items(1)->set_type("decimal(10,2)");
  theirs.mutable_sd()->mutable_cols()->mutable_items(1)->set_type("string");
  EXPECT_EQ(MergeTables(base, ours, theirs).conflict_fields, Fields{"sd.cols"});

  // Columns are one atomic value: even edits to different columns conflict.
  theirs = base;
  theirs.mutable_sd()->mutable_cols()->mutable_items(0)->set_comment("order id");
  EXPECT_EQ(MergeTables(base, ours, theirs).conflict_fields, Fields{"sd.cols"});

  // Partition keys too.
  ours = base;
  theirs = base;
  *ours.mutable_partition_keys()->add_items() = Column("hr", "int");
  *theirs.mutable_partition_keys()->add_items() = Column("region", "string");
  EXPECT_EQ(MergeTables(base, ours, theirs).conflict_fields, Fields{"partition_keys"});
}

TEST(EntityMergeTest, LocationOnOneSideAndParameterOnTheOtherMergeCleanly) {
  const catalog::Table base = BaseTable();
  catalog::Table ours = base, theirs = base;
  ours.mutable_sd()->set_location("s3://warehouse/v2/orders");
  SetParameter(&theirs, "owner_team", "payments");

  catalog::Table expected = base;
  expected.mutable_sd()->set_location("s3://warehouse/v2/orders");
  SetParameter(&expected, "owner_team", "payments");
  const EntityMergeResult result = MergeTables(base, ours, theirs);
  EXPECT_FALSE(result.conflict);
  EXPECT_EQ(result.merged, SerializeDeterministic(expected));
}

TEST(EntityMergeTest, NestedFieldsMergeIndependentlyAndConflictByPath) {
  const catalog::Table base = BaseTable();
  catalog::Table ours = base, theirs = base;
  (*ours.mutable_sd()->mutable_serde_info()->mutable_parameters()->mutable_entries())["sep"] = ",";
  (*theirs.mutable_sd()->mutable_serde_info()->mutable_parameters()->mutable_entries())["sep"] =
      "|";
  ours.mutable_sd()->set_num_buckets(4);
  theirs.mutable_sd()->set_compressed(true);
  theirs.mutable_sd()->set_output_format("x.Output");
  ours.mutable_sd()->set_output_format("y.Output");
  EXPECT_EQ(MergeTables(base, ours, theirs).conflict_fields,
            (Fields{"sd.output_format", "sd.serde_info.parameters['sep']"}));

  ours.mutable_sd()->set_output_format("x.Output");
  (*ours.mutable_sd()->mutable_serde_info()->mutable_parameters()->mutable_entries())["sep"] = "|";
  const catalog::Table merged = Merged(MergeTables(base, ours, theirs));
  EXPECT_EQ(merged.sd().num_buckets(), 4);
  EXPECT_TRUE(merged.sd().compressed());
  EXPECT_EQ(merged.sd().serde_info().parameters().entries().at("sep"), "|");
}

TEST(EntityMergeTest, DeleteAgainstChangeConflicts) {
  const catalog::Table base = BaseTable();
  catalog::Table changed = base;
  changed.set_owner("bob");
  const EntityMergeResult result = MergeTables(base, std::nullopt, changed);
  EXPECT_TRUE(result.conflict);
  EXPECT_EQ(result.conflict_fields, Fields{"(deleted vs changed)"});

  // Deleted on both sides: deleted.
  const EntityMergeResult both = MergeTables(base, std::nullopt, std::nullopt);
  EXPECT_FALSE(both.conflict);
  EXPECT_FALSE(both.merged.has_value());

  // Deleted on one side, untouched on the other: deleted.
  const EntityMergeResult one = MergeTables(base, std::nullopt, base);
  EXPECT_FALSE(one.conflict);
  EXPECT_FALSE(one.merged.has_value());
}

TEST(EntityMergeTest, AddedDifferentlyOnBothSidesMergesFieldByField) {
  catalog::Table ours = BaseTable(), theirs = BaseTable();
  ours.set_owner("alice");
  theirs.set_owner("bob");
  ours.mutable_sd()->set_location("s3://a");
  theirs.mutable_sd()->set_location("s3://b");
  SetParameter(&ours, "a", "1");
  SetParameter(&theirs, "b", "2");
  const EntityMergeResult result = MergeTables(std::nullopt, ours, theirs);
  EXPECT_TRUE(result.conflict);
  EXPECT_EQ(result.conflict_fields, (Fields{"owner", "sd.location"}));

  // Without the differing fields the two additions merge.
  theirs.set_owner("alice");
  theirs.mutable_sd()->set_location("s3://a");
  const catalog::Table merged = Merged(MergeTables(std::nullopt, ours, theirs));
  EXPECT_EQ(merged.parameters().entries().at("a"), "1");
  EXPECT_EQ(merged.parameters().entries().at("b"), "2");
  EXPECT_EQ(merged.owner(), "alice");

  // Added identically: that value (the caller normally short-cuts this).
  const EntityMergeResult same = MergeTables(std::nullopt, ours, ours);
  EXPECT_FALSE(same.conflict);
  EXPECT_EQ(same.merged, SerializeDeterministic(ours));
}

TEST(EntityMergeTest, PresenceIsPartOfTheValue) {
  catalog::Table base = BaseTable();
  base.clear_owner();
  base.clear_parameters();
  catalog::Table ours = base, theirs = base;

  // Unset -> "" on one side, unset -> "bob" on the other: both changed.
  ours.set_owner("");
  theirs.set_owner("bob");
  EXPECT_EQ(MergeTables(base, ours, theirs).conflict_fields, Fields{"owner"});

  // Unset -> "" on one side only is a change, and it is kept.
  theirs = base;
  theirs.set_retention(1);
  catalog::Table merged = Merged(MergeTables(base, ours, theirs));
  EXPECT_TRUE(merged.has_owner());
  EXPECT_EQ(merged.owner(), "");
  EXPECT_EQ(merged.retention(), 1);

  // Null parameters -> empty on one side only: empty, not null.
  ours = base;
  ours.mutable_parameters();
  merged = Merged(MergeTables(base, ours, theirs));
  EXPECT_TRUE(merged.has_parameters());
  EXPECT_TRUE(merged.parameters().entries().empty());

  // Set -> unset on one side only: unset.
  base = BaseTable();
  ours = base;
  theirs = base;
  ours.mutable_sd()->clear_location();
  theirs.set_owner("carol");
  merged = Merged(MergeTables(base, ours, theirs));
  EXPECT_FALSE(merged.sd().has_location());
  EXPECT_EQ(merged.owner(), "carol");

  // Parameters nulled on one side, a key added on the other: conflict on
  // the container, not a silent loss of the key.
  ours = base;
  ours.clear_parameters();
  theirs = base;
  SetParameter(&theirs, "x", "1");
  EXPECT_EQ(MergeTables(base, ours, theirs).conflict_fields, Fields{"parameters"});

  // Storage descriptor dropped on one side, changed on the other.
  ours = base;
  ours.clear_sd();
  theirs = base;
  theirs.mutable_sd()->set_location("s3://elsewhere");
  EXPECT_EQ(MergeTables(base, ours, theirs).conflict_fields, Fields{"sd"});
}

TEST(EntityMergeTest, MapKeysInPathsAreQuoted) {
  const catalog::Table base = BaseTable();
  catalog::Table ours = base, theirs = base;
  SetParameter(&ours, "it's", "1");
  SetParameter(&theirs, "it's", "2");
  EXPECT_EQ(MergeTables(base, ours, theirs).conflict_fields, Fields{"parameters['it\\'s']"});
}

TEST(EntityMergeTest, UnknownFieldsAreKeptWhenOneSideChangesThem) {
  const catalog::Table base = BaseTable();
  // Field 100, varint 1: what a newer schema might have written.
  const std::string unknown_1 = "\xa0\x06\x01";
  const std::string unknown_2 = "\xa0\x06\x02";
  catalog::Table theirs = base;
  theirs.set_owner("bob");
  const std::string base_bytes = SerializeDeterministic(base);
  const std::string ours_bytes = base_bytes + unknown_1;

  Result<EntityMergeResult> result =
      MergeEntity(Kind::kTable, base_bytes, ours_bytes, SerializeDeterministic(theirs));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_FALSE(result->conflict);
  const catalog::Table merged = Parse<catalog::Table>(*result->merged);
  EXPECT_EQ(merged.owner(), "bob");
  EXPECT_EQ(merged.GetReflection()->GetUnknownFields(merged).field_count(), 1);

  result =
      MergeEntity(Kind::kTable, base_bytes, ours_bytes, SerializeDeterministic(theirs) + unknown_2);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->conflict_fields, Fields{"(unknown fields)"});
}

TEST(EntityMergeTest, UnparsableValueIsCorruption) {
  const std::string base = SerializeDeterministic(BaseTable());
  catalog::Table theirs = BaseTable();
  theirs.set_owner("bob");
  const Result<EntityMergeResult> result =
      MergeEntity(Kind::kTable, base, std::string("\xff\xff\xff"), SerializeDeterministic(theirs));
  ASSERT_FALSE(result.ok());
  EXPECT_TRUE(result.status().IsCorruption()) << result.status().ToString();
}

// --- Other kinds ------------------------------------------------------------

TEST(EntityMergeTest, Partitions) {
  catalog::Partition base;
  base.mutable_values()->add_items("2024-01-01");
  base.set_db_name("sales");
  base.set_table_name("orders");
  base.set_last_access_time(5);
  base.mutable_sd()->set_location("s3://warehouse/sales/orders/ds=2024-01-01");
  (*base.mutable_parameters()->mutable_entries())["numRows"] = "10";
  (*base.mutable_parameters()->mutable_entries())["transient_lastDdlTime"] = "100";

  catalog::Partition ours = base, theirs = base;
  ours.mutable_sd()->set_location("s3://moved/ds=2024-01-01");
  (*ours.mutable_parameters()->mutable_entries())["transient_lastDdlTime"] = "300";
  ours.set_last_access_time(9);
  (*theirs.mutable_parameters()->mutable_entries())["numRows"] = "12";
  (*theirs.mutable_parameters()->mutable_entries())["transient_lastDdlTime"] = "200";
  theirs.set_last_access_time(7);

  EntityMergeResult result = Merge<catalog::Partition>(Kind::kPartition, base, ours, theirs);
  ASSERT_FALSE(result.conflict) << ::testing::PrintToString(result.conflict_fields);
  const auto merged = Parse<catalog::Partition>(*result.merged);
  EXPECT_EQ(merged.sd().location(), "s3://moved/ds=2024-01-01");
  EXPECT_EQ(merged.parameters().entries().at("numRows"), "12");
  EXPECT_EQ(merged.parameters().entries().at("transient_lastDdlTime"), "300");
  EXPECT_EQ(merged.last_access_time(), 9);

  (*ours.mutable_parameters()->mutable_entries())["numRows"] = "11";
  ours.mutable_values()->set_items(0, "2024-01-02");
  theirs.mutable_values()->add_items("extra");
  result = Merge<catalog::Partition>(Kind::kPartition, base, ours, theirs);
  EXPECT_EQ(result.conflict_fields, (Fields{"values", "parameters['numRows']"}));
}

TEST(EntityMergeTest, Databases) {
  catalog::Database base;
  base.set_name("sales");
  base.set_location_uri("s3://warehouse/sales");
  (*base.mutable_parameters()->mutable_entries())["a"] = "1";
  catalog::Database ours = base, theirs = base;
  ours.set_description("sales data");
  (*theirs.mutable_parameters()->mutable_entries())["b"] = "2";
  EntityMergeResult result = Merge<catalog::Database>(Kind::kDatabase, base, ours, theirs);
  ASSERT_FALSE(result.conflict);
  const auto merged = Parse<catalog::Database>(*result.merged);
  EXPECT_EQ(merged.description(), "sales data");
  EXPECT_EQ(merged.parameters().entries().size(), 2u);

  theirs.set_description("sales, v2");
  result = Merge<catalog::Database>(Kind::kDatabase, base, ours, theirs);
  EXPECT_EQ(result.conflict_fields, Fields{"description"});
}

TEST(EntityMergeTest, Functions) {
  catalog::Function base;
  base.set_function_name("to_eur");
  base.set_db_name("sales");
  base.set_class_name("com.example.ToEur");
  base.set_owner_name("alice");
  catalog::ResourceUri* jar = base.mutable_resource_uris()->add_items();
  jar->set_resource_type(catalog::RESOURCE_TYPE_JAR);
  jar->set_uri("s3://jars/v1.jar");

  catalog::Function ours = base, theirs = base;
  ours.set_class_name("com.example.ToEurV2");
  theirs.set_owner_name("bob");
  EntityMergeResult result = Merge<catalog::Function>(Kind::kFunction, base, ours, theirs);
  ASSERT_FALSE(result.conflict);
  const auto merged = Parse<catalog::Function>(*result.merged);
  EXPECT_EQ(merged.class_name(), "com.example.ToEurV2");
  EXPECT_EQ(merged.owner_name(), "bob");

  theirs.set_class_name("com.example.ToEurV3");
  ours.mutable_resource_uris()->mutable_items(0)->set_uri("s3://jars/v2.jar");
  theirs.mutable_resource_uris()->mutable_items(0)->set_uri("s3://jars/v3.jar");
  result = Merge<catalog::Function>(Kind::kFunction, base, ours, theirs);
  EXPECT_EQ(result.conflict_fields, (Fields{"class_name", "resource_uris"}));
}

catalog::ColumnStatistics LongStats(int64_t low, int64_t high) {
  catalog::ColumnStatistics stats;
  stats.mutable_stats_desc()->set_is_tbl_level(true);
  stats.mutable_stats_desc()->set_db_name("sales");
  stats.mutable_stats_desc()->set_table_name("orders");
  stats.mutable_stats_desc()->set_last_analyzed(1000);
  catalog::ColumnStatisticsObj* obj = stats.add_stats_obj();
  obj->set_col_name("id");
  obj->set_col_type("bigint");
  obj->mutable_stats_data()->mutable_long_stats()->set_low_value(low);
  obj->mutable_stats_data()->mutable_long_stats()->set_high_value(high);
  stats.set_engine("hive");
  return stats;
}

TEST(EntityMergeTest, ColumnStatistics) {
  const catalog::ColumnStatistics base = LongStats(0, 10);
  catalog::ColumnStatistics ours = base, theirs = LongStats(0, 20);
  ours.set_is_stats_compliant(true);
  EntityMergeResult result =
      Merge<catalog::ColumnStatistics>(Kind::kTableColumnStats, base, ours, theirs);
  ASSERT_FALSE(result.conflict);
  const auto merged = Parse<catalog::ColumnStatistics>(*result.merged);
  EXPECT_TRUE(merged.is_stats_compliant());
  EXPECT_EQ(merged.stats_obj(0).stats_data().long_stats().high_value(), 20);

  // The statistics object is atomic: a changed oneof on both sides conflicts.
  ours = base;
  ours.mutable_stats_obj(0)->mutable_stats_data()->mutable_double_stats()->set_high_value(1.5);
  result = Merge<catalog::ColumnStatistics>(Kind::kPartitionColumnStats, base, ours, theirs);
  EXPECT_EQ(result.conflict_fields, Fields{"stats_obj"});
}

TEST(EntityMergeTest, OneofIsAtomic) {
  catalog::ColumnStatisticsData base, ours, theirs, merged;
  base.mutable_long_stats()->set_low_value(1);
  ours = base;
  theirs = base;
  ours.mutable_long_stats()->set_high_value(5);
  theirs.mutable_long_stats()->set_num_nulls(3);  // a different member field: still a conflict
  Result<Fields> conflicts = MergeMessages(base, ours, theirs, &merged);
  ASSERT_TRUE(conflicts.ok());
  EXPECT_EQ(*conflicts, Fields{"stats"});

  theirs = base;
  theirs.mutable_string_stats()->set_max_col_len(4);
  conflicts = MergeMessages(base, ours, theirs, &merged);
  ASSERT_TRUE(conflicts.ok());
  EXPECT_EQ(*conflicts, Fields{"stats"});

  // One side switching the member is taken whole.
  conflicts = MergeMessages(base, base, theirs, &merged);
  ASSERT_TRUE(conflicts.ok());
  EXPECT_TRUE(conflicts->empty());
  EXPECT_EQ(SerializeDeterministic(merged), SerializeDeterministic(theirs));

  // Messages of different types are refused.
  catalog::Table table;
  EXPECT_FALSE(MergeMessages(base, ours, table, &merged).ok());
}

// --- Property tests ---------------------------------------------------------

// One independent place in a table that a mutation can change, with the
// field path a conflict there is reported under.
struct Slot {
  std::string path;
  std::function<void(catalog::Table*, std::mt19937_64&)> mutate;
};

std::string Pick(std::mt19937_64& rng, std::initializer_list<const char*> options) {
  std::uniform_int_distribution<size_t> d(0, options.size() - 1);
  return *(options.begin() + d(rng));
}

bool Coin(std::mt19937_64& rng, int one_in) {
  return std::uniform_int_distribution<int>(0, one_in - 1)(rng) == 0;
}

// Sets or removes a key of a StringMap; removing never creates the map.
void MutateKey(const std::function<catalog::StringMap*()>& map, bool has_map,
               const std::string& key, std::mt19937_64& rng) {
  if (Coin(rng, 4)) {
    if (has_map) map()->mutable_entries()->erase(key);
    return;
  }
  (*map()->mutable_entries())[key] = Pick(rng, {"1", "2", "30", "x", ""});
}

std::vector<Slot> Slots() {
  std::vector<Slot> slots;
  auto add = [&](std::string path, std::function<void(catalog::Table*, std::mt19937_64&)> f) {
    slots.push_back({std::move(path), std::move(f)});
  };
  add("owner", [](catalog::Table* t, std::mt19937_64& rng) {
    if (Coin(rng, 4)) return t->clear_owner();
    t->set_owner(Pick(rng, {"alice", "bob", "carol", ""}));
  });
  add("retention", [](catalog::Table* t, std::mt19937_64& rng) {
    if (Coin(rng, 4)) return t->clear_retention();
    t->set_retention(std::uniform_int_distribution<int>(0, 3)(rng));
  });
  add("table_type", [](catalog::Table* t, std::mt19937_64& rng) {
    t->set_table_type(Pick(rng, {"MANAGED_TABLE", "EXTERNAL_TABLE", "VIRTUAL_VIEW"}));
  });
  add("last_access_time", [](catalog::Table* t, std::mt19937_64& rng) {
    t->set_last_access_time(std::uniform_int_distribution<int>(0, 5)(rng));
  });
  add("sd.location", [](catalog::Table* t, std::mt19937_64& rng) {
    if (Coin(rng, 4)) return t->mutable_sd()->clear_location();
    t->mutable_sd()->set_location(Pick(rng, {"s3://a", "s3://b", "hdfs://c", ""}));
  });
  add("sd.input_format", [](catalog::Table* t, std::mt19937_64& rng) {
    t->mutable_sd()->set_input_format(Pick(rng, {"orc", "parquet", "text"}));
  });
  add("sd.num_buckets", [](catalog::Table* t, std::mt19937_64& rng) {
    if (Coin(rng, 4)) return t->mutable_sd()->clear_num_buckets();
    t->mutable_sd()->set_num_buckets(std::uniform_int_distribution<int>(-1, 3)(rng));
  });
  add("sd.compressed", [](catalog::Table* t, std::mt19937_64& rng) {
    t->mutable_sd()->set_compressed(Coin(rng, 2));
  });
  add("sd.cols", [](catalog::Table* t, std::mt19937_64& rng) {
    if (Coin(rng, 5)) return t->mutable_sd()->clear_cols();
    catalog::FieldSchemaList* cols = t->mutable_sd()->mutable_cols();
    cols->Clear();
    const int n = std::uniform_int_distribution<int>(0, 3)(rng);
    for (int i = 0; i < n; ++i) {
      *cols->add_items() = Column("c" + std::to_string(i), Pick(rng, {"int", "string", "double"}));
    }
  });
  add("sd.serde_info.serialization_lib", [](catalog::Table* t, std::mt19937_64& rng) {
    t->mutable_sd()->mutable_serde_info()->set_serialization_lib(Pick(rng, {"orc", "lazy"}));
  });
  add("partition_keys", [](catalog::Table* t, std::mt19937_64& rng) {
    if (Coin(rng, 3)) return t->clear_partition_keys();
    t->mutable_partition_keys()->Clear();
    if (Coin(rng, 2)) *t->mutable_partition_keys()->add_items() = Column("ds", "string");
    if (Coin(rng, 2)) *t->mutable_partition_keys()->add_items() = Column("hr", "int");
  });
  for (const char* key : {"p0", "p1", "p2", "transient_lastDdlTime"}) {
    add(std::string("parameters['") + key + "']", [key](catalog::Table* t, std::mt19937_64& rng) {
      const bool has = t->has_parameters();
      MutateKey([t] { return t->mutable_parameters(); }, has, key, rng);
    });
  }
  add("sd.serde_info.parameters['s0']", [](catalog::Table* t, std::mt19937_64& rng) {
    const bool has = t->sd().serde_info().has_parameters();
    MutateKey([t] { return t->mutable_sd()->mutable_serde_info()->mutable_parameters(); }, has,
              "s0", rng);
  });
  return slots;
}

// Whole-container edits that overlap the slots above; used only where
// independence is not required.
void MutateContainers(catalog::Table* t, std::mt19937_64& rng) {
  switch (std::uniform_int_distribution<int>(0, 5)(rng)) {
    case 0:
      t->clear_sd();
      break;
    case 1:
      t->clear_parameters();
      break;
    case 2:
      t->mutable_parameters()->Clear();
      break;
    case 3:
      t->mutable_sd()->clear_serde_info();
      break;
    default:
      break;
  }
}

// A mutation with its randomness fixed, so it can be replayed on two tables.
struct Mutation {
  size_t slot;
  uint64_t seed;
};

void Apply(const std::vector<Slot>& slots, const std::vector<Mutation>& mutations,
           catalog::Table* table) {
  for (const Mutation& m : mutations) {
    std::mt19937_64 rng(m.seed);
    slots[m.slot].mutate(table, rng);
  }
}

catalog::Table RandomTable(const std::vector<Slot>& slots, std::mt19937_64& rng) {
  catalog::Table table;
  table.set_table_name("t");
  table.set_db_name("db");
  for (size_t i = 0; i < slots.size(); ++i) {
    if (Coin(rng, 2)) Apply(slots, {{i, rng()}}, &table);
  }
  return table;
}

std::vector<Mutation> RandomMutations(const std::vector<size_t>& allowed, std::mt19937_64& rng) {
  std::vector<Mutation> out;
  for (size_t slot : allowed) {
    if (Coin(rng, 3)) out.push_back({slot, rng()});
  }
  return out;
}

TEST(EntityMergePropertyTest, ChangesToDisjointFieldsMergeToBoth) {
  const uint64_t seed = testing::TestSeed();
  SCOPED_TRACE(testing::SeedNote(seed));
  std::mt19937_64 rng(seed);
  const std::vector<Slot> slots = Slots();
  for (int iter = 0; iter < 1500; ++iter) {
    const catalog::Table base = RandomTable(slots, rng);
    std::vector<size_t> order(slots.size());
    for (size_t i = 0; i < order.size(); ++i)
      order[i] = i;
    std::shuffle(order.begin(), order.end(), rng);
    const size_t split = std::uniform_int_distribution<size_t>(0, order.size())(rng);
    const std::vector<Mutation> ours_edits =
        RandomMutations({order.begin(), order.begin() + split}, rng);
    const std::vector<Mutation> theirs_edits =
        RandomMutations({order.begin() + split, order.end()}, rng);

    catalog::Table ours = base, theirs = base, expected = base;
    Apply(slots, ours_edits, &ours);
    Apply(slots, theirs_edits, &theirs);
    Apply(slots, ours_edits, &expected);
    Apply(slots, theirs_edits, &expected);

    const EntityMergeResult result = MergeTables(base, ours, theirs);
    ASSERT_FALSE(result.conflict) << "iteration " << iter << ": "
                                  << ::testing::PrintToString(result.conflict_fields);
    ASSERT_EQ(result.merged, SerializeDeterministic(expected)) << "iteration " << iter;

    // Only one side changed anything: the merge is that side.
    const EntityMergeResult one_sided = MergeTables(base, ours, base);
    ASSERT_FALSE(one_sided.conflict);
    ASSERT_EQ(one_sided.merged, SerializeDeterministic(ours)) << "iteration " << iter;
  }
}

// True if `side` turned the null list at `path` of `base` into an empty one.
bool ListCreatedEmpty(const std::string& path, const catalog::Table& base,
                      const catalog::Table& side) {
  if (path == "sd.cols") {
    return !base.sd().has_cols() && side.sd().has_cols() && side.sd().cols().items().empty();
  }
  if (path == "partition_keys") {
    return !base.has_partition_keys() && side.has_partition_keys() &&
           side.partition_keys().items().empty();
  }
  return false;
}

TEST(EntityMergePropertyTest, OneFieldChangedDifferentlyConflictsThere) {
  const uint64_t seed = testing::TestSeed();
  SCOPED_TRACE(testing::SeedNote(seed));
  std::mt19937_64 rng(seed);
  const std::vector<Slot> slots = Slots();
  int checked = 0;
  for (int iter = 0; iter < 3000; ++iter) {
    // With the storage descriptor and serde present in the base, a mutation
    // changes nothing but its slot (it does not also create a parent).
    catalog::Table base = RandomTable(slots, rng);
    base.mutable_sd()->mutable_serde_info();
    const size_t slot = std::uniform_int_distribution<size_t>(0, slots.size() - 1)(rng);
    catalog::Table ours = base, theirs = base;
    Apply(slots, {{slot, rng()}}, &ours);
    Apply(slots, {{slot, rng()}}, &theirs);
    const std::string b = SerializeDeterministic(base), o = SerializeDeterministic(ours),
                      t = SerializeDeterministic(theirs);
    if (o == b || t == b || o == t) continue;
    ++checked;
    const EntityMergeResult result = MergeTables(base, ours, theirs);
    const std::string& path = slots[slot].path;
    const bool is_volatile =
        path == "last_access_time" || path == "parameters['transient_lastDdlTime']";
    // The two ways the rules resolve one field changed on both sides:
    // take-the-max, and a null list made empty on one side (only the
    // wrapper's presence changed there) and filled on the other.
    if (!result.conflict) {
      ASSERT_TRUE(is_volatile || ListCreatedEmpty(path, base, ours) ||
                  ListCreatedEmpty(path, base, theirs))
          << "iteration " << iter << " slot " << path;
      ASSERT_TRUE(result.merged == o || result.merged == t) << "iteration " << iter;
      continue;
    }
    ASSERT_EQ(result.conflict_fields, Fields{slots[slot].path}) << "iteration " << iter;
  }
  EXPECT_GT(checked, 500);
}

TEST(EntityMergePropertyTest, MergeIsSymmetricAndAddsNothingNeitherSideDid) {
  const uint64_t seed = testing::TestSeed();
  SCOPED_TRACE(testing::SeedNote(seed));
  std::mt19937_64 rng(seed);
  const std::vector<Slot> slots = Slots();
  std::vector<size_t> all(slots.size());
  for (size_t i = 0; i < all.size(); ++i)
    all[i] = i;
  int clean = 0, conflicted = 0;
  for (int iter = 0; iter < 1500; ++iter) {
    const std::optional<catalog::Table> base =
        Coin(rng, 8) ? std::nullopt : std::optional(RandomTable(slots, rng));
    auto side = [&]() -> std::optional<catalog::Table> {
      if (Coin(rng, 10)) return std::nullopt;
      catalog::Table t = base.value_or(RandomTable(slots, rng));
      if (Coin(rng, 4)) MutateContainers(&t, rng);
      Apply(slots, RandomMutations(all, rng), &t);
      return t;
    };
    const std::optional<catalog::Table> ours = side(), theirs = side();

    // MergeTables checks that both orders agree.
    const EntityMergeResult result = MergeTables(base, ours, theirs);
    ASSERT_EQ(result.conflict, !result.conflict_fields.empty());

    // merge(b, x, x) == x, without conflict.
    const EntityMergeResult same = MergeTables(base, ours, ours);
    ASSERT_FALSE(same.conflict) << "iteration " << iter;
    ASSERT_EQ(same.merged, Bytes(ours)) << "iteration " << iter;

    if (result.conflict) {
      ++conflicted;
      continue;
    }
    ++clean;
    // Every field where the merge differs from the base was changed by a side.
    if (!result.merged || !ours || !theirs) continue;
    auto paths = [&](const std::optional<std::string>& to) {
      Result<std::vector<std::string>> p = ChangedFieldPaths(Kind::kTable, Bytes(base), to);
      EXPECT_TRUE(p.ok());
      return std::set<std::string>(p->begin(), p->end());
    };
    std::set<std::string> changed = paths(Bytes(ours));
    const std::set<std::string> theirs_changed = paths(Bytes(theirs));
    changed.insert(theirs_changed.begin(), theirs_changed.end());
    for (const std::string& path : paths(result.merged)) {
      ASSERT_TRUE(changed.count(path)) << "iteration " << iter << ": merge changed " << path;
    }
  }
  EXPECT_GT(clean, 100);
  EXPECT_GT(conflicted, 100);
}

}  // namespace
}  // namespace arbor

namespace arbor {
namespace {

// What the source-wins / dest-wins strategies build on: with a conflict, prefer_ours
// keeps ours' value of each conflicting field (and map key) but still takes every
// non-conflicting change of the other side.
TEST(EntityMergeTest, PreferOursResolvesOnlyTheConflictingFields) {
  const catalog::Table base = BaseTable();
  catalog::Table ours = base, theirs = base;
  ours.mutable_sd()->set_location("s3://a/orders");
  SetParameter(&ours, "owner_team", "a");
  SetParameter(&ours, "comment", "ours");
  theirs.mutable_sd()->set_location("s3://b/orders");
  SetParameter(&theirs, "retention", "30d");
  SetParameter(&theirs, "comment", "theirs");

  const EntityMergeResult dest = Merge<catalog::Table>(Kind::kTable, base, ours, theirs);
  ASSERT_TRUE(dest.conflict);
  EXPECT_FALSE(dest.merged.has_value());
  ASSERT_TRUE(dest.prefer_ours.has_value());
  const auto d = Parse<catalog::Table>(*dest.prefer_ours);
  EXPECT_EQ(d.sd().location(), "s3://a/orders");
  EXPECT_EQ(d.parameters().entries().at("comment"), "ours");
  EXPECT_EQ(d.parameters().entries().at("owner_team"), "a");
  EXPECT_EQ(d.parameters().entries().at("retention"), "30d");  // theirs' clean change

  const EntityMergeResult source =
      Merge<catalog::Table>(Kind::kTable, base, theirs, ours);  // sides swapped
  ASSERT_TRUE(source.prefer_ours.has_value());
  const auto s = Parse<catalog::Table>(*source.prefer_ours);
  EXPECT_EQ(s.sd().location(), "s3://b/orders");
  EXPECT_EQ(s.parameters().entries().at("comment"), "theirs");
  EXPECT_EQ(s.parameters().entries().at("owner_team"), "a");  // ours' clean change
  EXPECT_EQ(s.parameters().entries().at("retention"), "30d");

  // A delete against a change has no field-level resolution.
  EXPECT_FALSE(
      Merge<catalog::Table>(Kind::kTable, base, std::nullopt, theirs).prefer_ours.has_value());
}

}  // namespace
}  // namespace arbor

// Unit tests of the DuckDB extension's provider-agnostic core (clients/duckdb/metastore):
// option and secret resolution, partition predicates, storage classification.
#include <gtest/gtest.h>

#include "clients/duckdb/metastore/client.h"
#include "clients/duckdb/metastore/format.h"
#include "clients/duckdb/metastore/partition_predicate.h"
#include "clients/duckdb/metastore/provider_config.h"

namespace arbor::metastore {
namespace {

ProviderRegistry Registry() {
  ProviderRegistry registry;
  RegisterBuiltinProviders(registry);
  return registry;
}

TEST(ProviderConfig, AttachOptionsOverrideTheSecret) {
  auto config =
      Registry().Resolve("HIVE", "thrift://h:9083", {{"REF", "dev"}, {"timeout_ms", "1500"}},
                         {{"ref", "main"}, {"admin_token", "s3cr3t"}, {"user", "ann"}}, "mysecret");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->provider, "hive");
  EXPECT_EQ(config->ref, "dev");
  EXPECT_EQ(config->timeout.count(), 1500);
  EXPECT_EQ(config->Get("user"), "ann");
  std::string described = Registry().Describe(*config);
  EXPECT_NE(described.find("secret: mysecret"), std::string::npos) << described;
  EXPECT_NE(described.find("option admin_token: <redacted>"), std::string::npos) << described;
  EXPECT_EQ(described.find("s3cr3t"), std::string::npos) << described;
}

TEST(ProviderConfig, ErrorsSayWhatToDo) {
  auto none = Registry().Resolve("", "thrift://h:1", {}, {}, "");
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("PROVIDER"), std::string::npos);
  EXPECT_NE(none.status().message().find("hive"), std::string::npos);

  auto unknown = Registry().Resolve("hive", "thrift://h:1", {{"colour", "red"}}, {}, "");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(unknown.status().message().find("'colour'"), std::string::npos);
  EXPECT_NE(unknown.status().message().find("admin_endpoint"), std::string::npos);

  auto scheme = Registry().Resolve("hive", "http://h:1", {}, {}, "");
  ASSERT_FALSE(scheme.ok());
  EXPECT_NE(scheme.status().message().find("thrift://"), std::string::npos);

  auto port = Registry().Resolve("hive", "thrift://h:99999", {}, {}, "");
  ASSERT_FALSE(port.ok());
  EXPECT_NE(port.status().message().find("port"), std::string::npos);

  auto timeout = Registry().Resolve("hive", "thrift://h:1", {{"timeout_ms", "-3"}}, {}, "");
  ASSERT_FALSE(timeout.ok());
  EXPECT_NE(timeout.status().message().find("timeout_ms"), std::string::npos);

  ProviderRegistry twice = Registry();
  ProviderFactory again;
  again.name = "Hive";
  EXPECT_TRUE(twice.Register(again).IsAlreadyExists());
}

TEST(PartitionPredicate, MatchesNumericStringAndNull) {
  std::vector<Column> keys = {{"ds", "string", ""}, {"hr", "int", ""}};
  PartitionPredicate p;
  p.terms.push_back({"ds", PartitionTerm::Op::kGe, {"2024-01-02"}, false});
  p.terms.push_back({"hr", PartitionTerm::Op::kLt, {"3"}, true});
  EXPECT_TRUE(p.Matches(keys, {"2024-01-02", "2"}));
  EXPECT_FALSE(p.Matches(keys, {"2024-01-02", "10"}));  // numeric, not "10" < "3"
  EXPECT_FALSE(p.Matches(keys, {"2024-01-01", "1"}));
  EXPECT_FALSE(p.Matches(keys, {kHiveDefaultPartition, "1"}));  // NULL compares to nothing
  EXPECT_TRUE(p.Matches(keys, {"2024-01-03", "x"}));  // not a number: kept, never wrongly pruned
  EXPECT_EQ(p.ToString(), "ds >= '2024-01-02' AND hr < 3");

  PartitionPredicate in;
  in.terms.push_back({"hr", PartitionTerm::Op::kIn, {"1", "10"}, true});
  in.terms.push_back({"ds", PartitionTerm::Op::kIsNotNull, {}, false});
  EXPECT_TRUE(in.Matches(keys, {"d", "10"}));
  EXPECT_FALSE(in.Matches(keys, {"d", "2"}));
  EXPECT_FALSE(in.Matches(keys, {kHiveDefaultPartition, "1"}));
  EXPECT_TRUE(PartitionPredicate().Matches(keys, {"a", "b"}));
}

TEST(Format, ClassifiesHiveGlueAndSparkSpellings) {
  StorageDescriptor parquet = StorageFor(FileFormat::kParquet);
  EXPECT_EQ(Classify(parquet, {}), FileFormat::kParquet);
  EXPECT_EQ(Classify(parquet, {{"table_type", "ICEBERG"}}), FileFormat::kIceberg);
  EXPECT_EQ(Classify(parquet, {{"spark.sql.sources.provider", "delta"}}), FileFormat::kDelta);
  StorageDescriptor orc;
  orc.serde = "org.apache.hadoop.hive.ql.io.orc.OrcSerde";
  EXPECT_EQ(Classify(orc, {}), FileFormat::kOrc);
  StorageDescriptor json;
  json.serde = "org.openx.data.jsonserde.JsonSerDe";
  EXPECT_EQ(Classify(json, {}), FileFormat::kJson);
  StorageDescriptor unknown;
  unknown.serde = "com.example.Mystery";
  EXPECT_EQ(Classify(unknown, {}), FileFormat::kUnknown);
}

TEST(Format, TextOptionsFollowHive) {
  StorageDescriptor text = StorageFor(FileFormat::kText);
  TextOptions defaults = TextOptionsOf(text, {});
  EXPECT_EQ(defaults.field_delimiter, "\x01");
  EXPECT_EQ(defaults.null_format, "\\N");
  EXPECT_EQ(defaults.header_lines, 0);
  text.serde_parameters = {{"serialization.format", "|"}, {"serialization.null.format", ""}};
  TextOptions legacy = TextOptionsOf(text, {{"skip.header.line.count", "2"}});
  EXPECT_EQ(legacy.field_delimiter, "|");
  EXPECT_EQ(legacy.null_format, "");
  EXPECT_EQ(legacy.header_lines, 2);
  text.serde_parameters["field.delim"] = "\t";
  EXPECT_EQ(TextOptionsOf(text, {}).field_delimiter, "\t");
  StorageDescriptor csv;
  csv.serde = "org.apache.hadoop.hive.serde2.OpenCSVSerde";
  csv.serde_parameters = {{"separatorChar", ";"}};
  TextOptions open_csv = TextOptionsOf(csv, {});
  EXPECT_EQ(open_csv.field_delimiter, ";");
  EXPECT_EQ(open_csv.quote, "\"");
}

TEST(Client, LocationsBecomeDuckDbPaths) {
  EXPECT_EQ(DuckDbPath("file:/w/sales.db/t"), "/w/sales.db/t");
  EXPECT_EQ(DuckDbPath("file:///w/t/"), "/w/t");
  EXPECT_EQ(DuckDbPath("s3a://bucket/t"), "s3://bucket/t");
  EXPECT_EQ(DuckDbPath("gs://bucket/t"), "gs://bucket/t");
}

}  // namespace
}  // namespace arbor::metastore

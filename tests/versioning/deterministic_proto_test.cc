// Tests of versioning/deterministic_proto.h and of the presence conventions
// of proto/arbor/catalog.proto: equal entities give equal bytes, and unset,
// empty and absent stay distinct through a store round trip.
#include "versioning/deterministic_proto.h"

#include <algorithm>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include "arbor/catalog.pb.h"

namespace arbor {
namespace {

using namespace std::string_literals;
using google::protobuf::util::MessageDifferencer;

// Round-trips through the store encoding.
template <typename M>
M RoundTrip(const M& message) {
  M parsed;
  const Status status = ParseProto(SerializeDeterministic(message), &parsed);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return parsed;
}

// A table whose maps are filled in the given order of parameter indexes.
catalog::Table TableWithParameters(const std::vector<int>& order) {
  catalog::Table table;
  table.set_table_name("orders");
  table.set_db_name("sales");
  for (int i : order) {
    (*table.mutable_parameters()->mutable_entries())["key" + std::to_string(i)] =
        "value" + std::to_string(i);
    (*table.mutable_sd()
          ->mutable_serde_info()
          ->mutable_parameters()
          ->mutable_entries())["serde" + std::to_string(i)] = std::to_string(i);
    catalog::PrivilegeGrantInfo* grant = (*table.mutable_privileges()
                                               ->mutable_user_privileges()
                                               ->mutable_entries())["user" + std::to_string(i)]
                                             .add_items();
    grant->set_privilege("SELECT");
    grant->set_create_time(i);
  }
  return table;
}

TEST(DeterministicProtoTest, EqualMessagesGiveEqualBytesWhateverTheMapInsertionOrder) {
  std::vector<int> order;
  for (int i = 0; i < 200; ++i)
    order.push_back(i);
  const catalog::Table first = TableWithParameters(order);
  const std::string expected = SerializeDeterministic(first);
  ASSERT_FALSE(expected.empty());

  std::mt19937 rng(7);
  for (int round = 0; round < 10; ++round) {
    std::shuffle(order.begin(), order.end(), rng);
    const catalog::Table shuffled = TableWithParameters(order);
    ASSERT_TRUE(MessageDifferencer::Equals(first, shuffled));
    EXPECT_EQ(SerializeDeterministic(shuffled), expected) << "round " << round;
  }
  // A parsed copy re-encodes to the same bytes too.
  EXPECT_EQ(SerializeDeterministic(RoundTrip(first)), expected);
}

TEST(DeterministicProtoTest, DifferentMessagesGiveDifferentBytes) {
  catalog::Table a = TableWithParameters({1, 2});
  catalog::Table b = a;
  (*b.mutable_parameters()->mutable_entries())["key1"] = "other";
  EXPECT_NE(SerializeDeterministic(a), SerializeDeterministic(b));
}

TEST(DeterministicProtoTest, ParseRestoresEveryKindOfField) {
  catalog::Partition partition;
  partition.mutable_values()->add_items("2024-01-01");
  partition.set_db_name("sales");
  partition.set_create_time(1700000000);
  partition.set_write_id(-1);
  catalog::StorageDescriptor* sd = partition.mutable_sd();
  catalog::FieldSchema* col = sd->mutable_cols()->add_items();
  col->set_name("amount");
  col->set_type("decimal(10,2)");
  sd->mutable_skewed_info()->mutable_skewed_col_names()->add_items("amount");
  catalog::SkewedColValueLocation* location =
      sd->mutable_skewed_info()->mutable_skewed_col_value_location_maps()->add_items();
  location->add_values("1");
  location->set_location("s3a://bucket/skew");
  catalog::ColumnStatisticsObj* obj = partition.mutable_col_stats()->add_stats_obj();
  obj->set_col_name("amount");
  catalog::DecimalColumnStatsData* decimal = obj->mutable_stats_data()->mutable_decimal_stats();
  decimal->mutable_low_value()->set_unscaled("\0\xff\x80"s);
  decimal->mutable_low_value()->set_scale(2);
  decimal->set_bit_vectors("HLL\0\x01"s);

  const catalog::Partition parsed = RoundTrip(partition);
  EXPECT_TRUE(MessageDifferencer::Equals(partition, parsed)) << parsed.DebugString();
  EXPECT_EQ(parsed.col_stats().stats_obj(0).stats_data().stats_case(),
            catalog::ColumnStatisticsData::kDecimalStats);
  EXPECT_EQ(parsed.col_stats().stats_obj(0).stats_data().decimal_stats().low_value().unscaled(),
            "\0\xff\x80"s);
}

TEST(PresenceTest, UnsetFieldsStayUnset) {
  catalog::Table table;
  table.set_table_name("t");
  const catalog::Table parsed = RoundTrip(table);
  EXPECT_TRUE(parsed.has_table_name());
  EXPECT_FALSE(parsed.has_owner());
  EXPECT_FALSE(parsed.has_create_time());
  EXPECT_FALSE(parsed.has_temporary());
  EXPECT_FALSE(parsed.has_write_id());
  EXPECT_FALSE(parsed.has_view_original_text());
  EXPECT_FALSE(parsed.has_parameters());
  EXPECT_FALSE(parsed.has_partition_keys());
  EXPECT_FALSE(parsed.has_sd());
}

TEST(PresenceTest, ZeroAndEmptyValuesStaySet) {
  catalog::Table table;
  table.set_owner("");
  table.set_create_time(0);
  table.set_temporary(false);
  table.set_owner_type(0);
  const catalog::Table parsed = RoundTrip(table);
  EXPECT_TRUE(parsed.has_owner());
  EXPECT_EQ(parsed.owner(), "");
  EXPECT_TRUE(parsed.has_create_time());
  EXPECT_TRUE(parsed.has_temporary());
  EXPECT_TRUE(parsed.has_owner_type());
  EXPECT_NE(SerializeDeterministic(table), SerializeDeterministic(catalog::Table()));
}

TEST(PresenceTest, EmptyContainerStaysDistinctFromNull) {
  catalog::Table absent;
  catalog::Table empty;
  empty.mutable_parameters();
  empty.mutable_partition_keys();
  empty.mutable_sd()->mutable_bucket_cols();
  empty.mutable_sd()->mutable_sort_cols();
  empty.mutable_sd()->mutable_cols();
  empty.mutable_sd()->mutable_skewed_info()->mutable_skewed_col_values();

  const catalog::Table parsed = RoundTrip(empty);
  EXPECT_TRUE(parsed.has_parameters());
  EXPECT_EQ(parsed.parameters().entries_size(), 0);
  EXPECT_TRUE(parsed.has_partition_keys());
  EXPECT_TRUE(parsed.sd().has_bucket_cols());
  EXPECT_TRUE(parsed.sd().has_sort_cols());
  EXPECT_TRUE(parsed.sd().has_cols());
  EXPECT_TRUE(parsed.sd().skewed_info().has_skewed_col_values());
  EXPECT_FALSE(parsed.sd().skewed_info().has_skewed_col_names());
  EXPECT_FALSE(RoundTrip(absent).has_parameters());
  EXPECT_NE(SerializeDeterministic(absent), SerializeDeterministic(empty));

  catalog::Function function;
  function.mutable_resource_uris();
  EXPECT_TRUE(RoundTrip(function).has_resource_uris());
  EXPECT_FALSE(RoundTrip(catalog::Function()).has_resource_uris());
}

TEST(PresenceTest, UnknownEnumValuesAndUnknownFieldsSurvive) {
  catalog::Database database;
  database.set_owner_type(42);  // a PrincipalType that Hive may add one day
  EXPECT_EQ(RoundTrip(database).owner_type(), 42);

  // Field 99 (varint 5) is unknown to Table: a newer schema wrote it.
  const std::string with_unknown =
      SerializeDeterministic(TableWithParameters({1})) + "\x98\x06\x05"s;
  catalog::Table table;
  ASSERT_TRUE(ParseProto(with_unknown, &table).ok());
  EXPECT_EQ(SerializeDeterministic(table), with_unknown);
}

TEST(ParseProtoTest, ReportsCorruptionNamingTheType) {
  catalog::Table table;
  Status status = ParseProto("\xff\xff\xff\xff"s, &table);
  EXPECT_EQ(status.code(), StatusCode::kCorruption);
  EXPECT_NE(status.message().find("arbor.catalog.Table"), std::string::npos) << status.message();

  // A truncated encoding.
  const std::string full = SerializeDeterministic(TableWithParameters({1, 2, 3}));
  status = ParseProto(std::string_view(full).substr(0, full.size() - 3), &table);
  EXPECT_EQ(status.code(), StatusCode::kCorruption);

  // Field 1 (table_name) holding the invalid UTF-8 byte 0xFF.
  status = ParseProto("\x0a\x01\xff"s, &table);
  EXPECT_EQ(status.code(), StatusCode::kCorruption);
}

TEST(ParseProtoTest, ReplacesPreviousContent) {
  catalog::Table table = TableWithParameters({1, 2});
  catalog::Table other;
  other.set_owner("alice");
  ASSERT_TRUE(ParseProto(SerializeDeterministic(other), &table).ok());
  EXPECT_TRUE(MessageDifferencer::Equals(table, other));
  ASSERT_TRUE(ParseProto("", &table).ok());
  EXPECT_FALSE(table.has_owner());
}

}  // namespace
}  // namespace arbor

// PartitionTranscoder (server/hms/partition_wire.h) against the generic path
// it replaces: for random partitions, stored as arbord stores them
// (ToProto, deterministic encoding), the transcoder's bytes must equal those
// the generated hive::Partition::write produces for PresentPartition of the
// parsed partition, byte for byte, in the binary and the compact protocol,
// for random presentations (database spelling, catalog, lakeFS rendering).
// Every field is populated or absent at random, with unicode, empty and long
// strings, negative and unknown enum numbers, skewed info and statistics.
//
// The transcoder may decline (the caller then takes the generic path), and
// must for the fields it does not transcode; whenever it accepts, its bytes
// are the generic path's. That is also checked on bytes the deterministic
// encoder never writes (fields out of order or repeated, maps out of order,
// unknown fields, corruptions): accepting them wrongly would change a reply.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <google/protobuf/stubs/logging.h>
#include <gtest/gtest.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/protocol/TCompactProtocol.h>
#include <thrift/transport/TBufferTransports.h>

#include "server/hms/hms_convert.h"
#include "server/hms/partition_wire.h"
#include "tests/support/seed.h"
#include "versioning/deterministic_proto.h"
#include "versioning/location_mapper.h"

namespace arbor::hms {
namespace {

using apache::thrift::protocol::TBinaryProtocol;
using apache::thrift::protocol::TCompactProtocol;
using apache::thrift::transport::TMemoryBuffer;

class Gen {
 public:
  explicit Gen(uint64_t seed) : rng_(seed) {}

  bool Coin(int one_in = 2) { return rng_() % one_in == 0; }
  uint64_t Below(uint64_t n) { return rng_() % n; }

  std::string Str() {
    static const std::vector<std::string> kPieces = {
        "a",  "ds", "=",    "/", "%",          " ",
        "ü",  "ñ",  "日本", "😀", "\t",         std::string(1, '\0'),
        "Z9", ".",  "_",    "-", ":",          "x=y",
        "é",  "\\", "\"",   "'", "s3a://repo/"};
    std::string s;
    switch (Below(6)) {
      case 0:
        return s;  // empty
      case 1:
        return std::string(100 + Below(300), 'L');  // a length of two varint bytes
      default:
        for (uint64_t i = 0, n = Below(8); i < n; ++i)
          s += kPieces[Below(kPieces.size())];
        return s;
    }
  }
  std::vector<std::string> Strs(uint64_t max = 5) {
    std::vector<std::string> v;
    for (uint64_t i = 0, n = Below(max + 1); i < n; ++i)
      v.push_back(Str());
    return v;
  }
  std::map<std::string, std::string> StrMap() {
    std::map<std::string, std::string> m;
    for (uint64_t i = 0, n = Below(5); i < n; ++i)
      m[Str()] = Str();
    return m;
  }
  int32_t I32() {
    switch (Below(4)) {
      case 0:
        return 0;
      case 1:
        return -static_cast<int32_t>(Below(1u << 31));
      default:
        return static_cast<int32_t>(rng_());
    }
  }
  int64_t I64() { return Coin() ? -1 : static_cast<int64_t>(rng_()); }
  std::string Location() { return Coin() ? "s3a://repo/${ref}/warehouse/t/" + Str() : Str(); }

  hive::FieldSchema Field() {
    hive::FieldSchema f;
    if (!Coin(4)) f.__set_name(Str());
    if (!Coin(4)) f.__set_type(Str());
    if (Coin()) f.__set_comment(Str());
    return f;
  }

  hive::SkewedInfo Skewed() {
    hive::SkewedInfo s;
    if (Coin()) s.__set_skewedColNames(Strs());
    if (Coin()) {
      std::vector<std::vector<std::string>> values;
      for (uint64_t i = 0, n = Below(4); i < n; ++i)
        values.push_back(Strs(3));
      s.__set_skewedColValues(values);
    }
    if (Coin()) {
      std::map<std::vector<std::string>, std::string> maps;
      for (uint64_t i = 0, n = Below(5); i < n; ++i)
        maps[Strs(3)] = Str();
      s.__set_skewedColValueLocationMaps(maps);
    }
    return s;
  }

  hive::StorageDescriptor Sd() {
    hive::StorageDescriptor sd;
    if (!Coin(4)) {
      std::vector<hive::FieldSchema> cols;
      for (uint64_t i = 0, n = Below(9); i < n; ++i)
        cols.push_back(Field());
      sd.__set_cols(cols);
    }
    if (!Coin(4)) sd.__set_location(Location());
    if (Coin()) sd.__set_inputFormat(Str());
    if (Coin()) sd.__set_outputFormat(Str());
    if (Coin()) sd.__set_compressed(Coin());
    if (Coin()) sd.__set_numBuckets(I32());
    if (!Coin(4)) {
      hive::SerDeInfo serde;
      if (Coin()) serde.__set_name(Str());
      if (Coin()) serde.__set_serializationLib(Str());
      if (Coin()) serde.__set_parameters(StrMap());
      if (Coin(4)) serde.__set_description(Str());
      if (Coin(4)) serde.__set_serializerClass(Str());
      if (Coin(4)) serde.__set_deserializerClass(Str());
      // Known and unknown enum numbers alike.
      if (Coin(4)) serde.__set_serdeType(static_cast<hive::SerdeType::type>(Below(4)));
      sd.__set_serdeInfo(serde);
    }
    if (Coin()) sd.__set_bucketCols(Strs());
    if (Coin()) {
      std::vector<hive::Order> sort;
      for (uint64_t i = 0, n = Below(3); i < n; ++i) {
        hive::Order o;
        if (!Coin(4)) o.__set_col(Str());
        if (!Coin(4)) o.__set_order(I32());
        sort.push_back(o);
      }
      sd.__set_sortCols(sort);
    }
    if (Coin()) sd.__set_parameters(StrMap());
    if (Coin(3)) sd.__set_skewedInfo(Skewed());
    if (Coin()) sd.__set_storedAsSubDirectories(Coin());
    return sd;
  }

  hive::PrincipalPrivilegeSet Privileges() {
    hive::PrivilegeGrantInfo g;
    g.__set_privilege("SELECT");
    g.__set_createTime(I32());
    g.__set_grantor(Str());
    g.__set_grantorType(hive::PrincipalType::USER);
    g.__set_grantOption(Coin());
    hive::PrincipalPrivilegeSet set;
    set.__set_userPrivileges({{Str(), {g}}});
    return set;
  }

  hive::ColumnStatistics Stats() {
    hive::ColumnStatisticsDesc desc;
    desc.__set_isTblLevel(false);
    desc.__set_dbName(Str());
    desc.__set_tableName(Str());
    hive::LongColumnStatsData longs;
    longs.__set_numNulls(I64());
    longs.__set_numDVs(I64());
    hive::ColumnStatisticsData data;
    data.__set_longStats(longs);
    hive::ColumnStatisticsObj obj;
    obj.__set_colName(Str());
    obj.__set_colType("bigint");
    obj.__set_statsData(data);
    hive::ColumnStatistics stats;
    stats.__set_statsDesc(desc);
    stats.__set_statsObj({obj});
    if (Coin()) stats.__set_engine("hive");
    return stats;
  }

  // A partition with every field present or absent at random; `generic_only`
  // tells whether it has a field the transcoder leaves to the generic path.
  hive::Partition Partition(bool* generic_only) {
    hive::Partition p;
    if (!Coin(5)) p.__set_values(Strs());
    if (!Coin(4)) p.__set_dbName(Str());
    if (!Coin(4)) p.__set_tableName(Str());
    if (Coin()) p.__set_createTime(I32());
    if (Coin()) p.__set_lastAccessTime(I32());
    if (!Coin(5)) p.__set_sd(Sd());
    if (Coin()) p.__set_parameters(StrMap());
    if (Coin()) p.__set_catName(Str());
    if (Coin()) p.__set_writeId(I64());
    if (Coin()) p.__set_isStatsCompliant(Coin());
    *generic_only = false;
    if (Coin(8)) {
      p.__set_privileges(Privileges());
      *generic_only = true;
    }
    if (Coin(8)) {
      p.__set_colStats(Stats());
      *generic_only = true;
    }
    if (Coin(12)) {
      hive::FileMetadata fm;
      fm.__set_data({Str()});
      p.__set_fileMetadata(fm);
      *generic_only = true;
    }
    return p;
  }

 private:
  std::mt19937_64 rng_;
};

class PartitionWireTest : public ::testing::TestWithParam<bool /*compact*/> {
 protected:
  WireProtocol wire() const { return GetParam() ? WireProtocol::kCompact : WireProtocol::kBinary; }

  // The generic path's bytes: parse, present, the generated serializer; nullopt
  // when the stored bytes do not parse.
  std::optional<std::string> Generic(const std::string& stored, const PartitionPresentation& how) {
    catalog::Partition parsed;
    if (!ParseProto(stored, &parsed).ok()) return std::nullopt;
    PresentPartition(parsed, how, &reused_);  // one object for all, as listings do
    auto buffer = std::make_shared<TMemoryBuffer>();
    if (GetParam()) {
      TCompactProtocol out(buffer);
      reused_.write(&out);
    } else {
      TBinaryProtocol out(buffer);
      reused_.write(&out);
    }
    return buffer->getBufferAsString();
  }

  // Checks the property on `stored`; returns whether the transcoder accepted.
  bool Check(PartitionTranscoder& transcoder, const std::string& stored,
             const PartitionPresentation& how, const std::string& note) {
    const std::optional<std::string> want = Generic(stored, how);
    const bool accepted = transcoder.Transcode(stored, how);
    if (!want) {
      EXPECT_FALSE(accepted) << "accepted bytes that do not parse; " << note;
      return accepted;
    }
    if (accepted) {
      const std::string got(transcoder.bytes());
      EXPECT_EQ(got.size(), want->size()) << note;
      EXPECT_TRUE(got == *want) << "bytes differ; " << note;
    }
    return accepted;
  }

  hive::Partition reused_;
};

TEST_P(PartitionWireTest, RandomPartitionsMatchTheGeneratedSerializer) {
  const uint64_t seed = ::arbor::testing::TestSeed();
  SCOPED_TRACE(::arbor::testing::SeedNote(seed));
  Gen gen(seed);
  LocationMapper mapper({"s3a://repo/"});
  const LocationRenderer renderer{&mapper, "dev"};
  const LocationRenderer disabled{};
  PartitionTranscoder transcoder(wire());
  int accepted = 0, generic = 0;
  for (int i = 0; i < 3000; ++i) {
    bool generic_only = false;
    hive::Partition p = gen.Partition(&generic_only);
    auto proto = ToProto(p);
    ASSERT_TRUE(proto.ok()) << proto.status().ToString();
    const std::string stored = SerializeDeterministic(*proto);
    const std::string echo = gen.Coin(4) ? gen.Str() : "Sales";
    const std::string catalog = gen.Coin() ? "" : gen.Coin() ? "hive" : gen.Str();
    PartitionPresentation how;
    how.render = gen.Coin(3) ? nullptr : gen.Coin() ? &renderer : &disabled;
    how.db_echo = echo;
    how.catalog = catalog;
    const std::string note = "partition " + std::to_string(i);
    const bool ok = Check(transcoder, stored, how, note);
    if (HasFailure()) return;
    // It takes every partition without the fields it leaves to the generic path.
    EXPECT_EQ(ok, !generic_only) << note;
    (ok ? accepted : generic)++;
  }
  EXPECT_GT(accepted, 2000);
  EXPECT_GT(generic, 100);
}

TEST_P(PartitionWireTest, BytesTheEncoderNeverWritesAreDeclinedOrMatch) {
  const uint64_t seed = ::arbor::testing::TestSeed();
  SCOPED_TRACE(::arbor::testing::SeedNote(seed));
  // Protobuf logs every invalid UTF-8 string it rejects; these are on purpose.
  google::protobuf::LogSilencer quiet;
  Gen gen(seed);
  PartitionTranscoder transcoder(wire());
  PartitionPresentation how;
  how.db_echo = "db";
  how.catalog = "hive";
  auto stored_of = [](const hive::Partition& p) {
    auto proto = ToProto(p);
    EXPECT_TRUE(proto.ok());
    return SerializeDeterministic(*proto);
  };
  bool unused, b_generic_only;
  int declined = 0;
  for (int i = 0; i < 1500; ++i) {
    hive::Partition a = gen.Partition(&unused);
    hive::Partition b = gen.Partition(&b_generic_only);
    const std::string sa = stored_of(a), sb = stored_of(b);
    std::vector<std::string> cases = {
        sa + sb,                                 // protobuf merges: fields repeated, out of order
        sa.substr(0, gen.Below(sa.size() + 1)),  // truncated
    };
    // An unknown field, and a known one with the wrong wire type.
    cases.push_back(sa + std::string("\xA0\x06\x01", 3));
    cases.push_back(sa + std::string("\x1D\x01\x02\x03\x04", 5));
    // Random byte flips, some of which break UTF-8 or lengths.
    std::string flipped = sa;
    for (uint64_t k = 0, n = 1 + gen.Below(3); k < n && !flipped.empty(); ++k)
      flipped[gen.Below(flipped.size())] ^= static_cast<char>(1 + gen.Below(255));
    cases.push_back(flipped);
    for (size_t k = 0; k < cases.size(); ++k) {
      if (!Check(transcoder, cases[k], how,
                 "partition " + std::to_string(i) + ", case " + std::to_string(k))) {
        ++declined;
      }
      if (HasFailure()) return;
    }
    // A declined partition leaves no state behind: the next one is taken and matches.
    EXPECT_EQ(Check(transcoder, sb, how, "after the cases of " + std::to_string(i)),
              !b_generic_only);
    if (HasFailure()) return;
  }
  EXPECT_GT(declined, 1000);
}

TEST_P(PartitionWireTest, MapsOutOfKeyOrderAreDeclined) {
  // A StringMap whose entries are stored "b" before "a" (a writer that is not
  // deterministic): std::map would sort them, so the transcoder must decline.
  auto entry = [](const std::string& k, const std::string& v) {
    std::string e;
    e += '\x0A';
    e += static_cast<char>(k.size());
    e += k;
    e += '\x12';
    e += static_cast<char>(v.size());
    e += v;
    return e;
  };
  std::string map;
  for (const auto& e : {entry("b", "2"), entry("a", "1")}) {
    map += '\x0A';
    map += static_cast<char>(e.size());
    map += e;
  }
  std::string stored = "\x3A";  // Partition.parameters, field 7, length-delimited
  stored += static_cast<char>(map.size());
  stored += map;
  PartitionTranscoder transcoder(wire());
  PartitionPresentation how;
  how.db_echo = "db";
  EXPECT_FALSE(transcoder.Transcode(stored, how));
  ASSERT_TRUE(Generic(stored, how).has_value());
}

INSTANTIATE_TEST_SUITE_P(Protocols, PartitionWireTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "compact" : "binary"; });

}  // namespace
}  // namespace arbor::hms

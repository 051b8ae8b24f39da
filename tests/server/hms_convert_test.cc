// Tests of server/hms/hms_convert.h: Thrift <-> catalog proto for the Hive entities.
//
// Completeness is checked against the sources of truth rather than by hand:
// the IDL file is parsed, and for every mapped struct its field ids and types
// must match the proto message, and the "full" fixture must set every IDL
// field; the proto produced from the full fixtures must have every field of
// every catalog message set somewhere. So a field added to either schema
// fails a test until it is mapped and covered.
#include "server/hms/hms_convert.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/message.h>
#include <google/protobuf/stubs/logging.h>
#include <gtest/gtest.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/TBufferTransports.h>

#include "tests/support/seed.h"
#include "versioning/deterministic_proto.h"

namespace arbor::hms {
namespace {

namespace hive = ::Apache::Hadoop::Hive;
namespace pb = ::google::protobuf;
using ::apache::thrift::protocol::TBinaryProtocol;
using ::apache::thrift::protocol::TProtocol;
using ::apache::thrift::protocol::TType;
using ::apache::thrift::transport::TMemoryBuffer;

// ---------------------------------------------------------------------------
// Thrift bytes.

template <class T>
std::string ThriftBytes(const T& value) {
  auto buffer = std::make_shared<TMemoryBuffer>();
  TBinaryProtocol protocol(buffer);
  value.write(&protocol);
  return buffer->getBufferAsString();
}

// Reads `bytes` into a default-constructed T, as the server's generated
// processor does with a request argument.
template <class T>
T ReadThrift(const std::string& bytes) {
  auto buffer =
      std::make_shared<TMemoryBuffer>(reinterpret_cast<uint8_t*>(const_cast<char*>(bytes.data())),
                                      static_cast<uint32_t>(bytes.size()), TMemoryBuffer::COPY);
  TBinaryProtocol protocol(buffer);
  T value;
  value.read(&protocol);
  return value;
}

// The ids of the fields a struct writes, i.e. of its set fields.
std::set<int> WrittenFieldIds(const std::string& struct_bytes) {
  auto buffer = std::make_shared<TMemoryBuffer>(
      reinterpret_cast<uint8_t*>(const_cast<char*>(struct_bytes.data())),
      static_cast<uint32_t>(struct_bytes.size()), TMemoryBuffer::COPY);
  TBinaryProtocol protocol(buffer);
  std::set<int> ids;
  std::string name;
  protocol.readStructBegin(name);
  while (true) {
    TType type;
    int16_t id;
    protocol.readFieldBegin(name, type, id);
    if (type == ::apache::thrift::protocol::T_STOP) break;
    ids.insert(id);
    protocol.skip(type);
    protocol.readFieldEnd();
  }
  return ids;
}

template <class T>
std::set<int> SetFieldIds(const T& value) {
  return WrittenFieldIds(ThriftBytes(value));
}

// A T with every __isset flag false, including the ones Thrift's constructor
// presets for fields with an IDL default.
template <class T>
T Blank() {
  T value;
  std::memset(static_cast<void*>(&value.__isset), 0, sizeof value.__isset);
  return value;
}

// ---------------------------------------------------------------------------
// Round trip: Thrift -> proto -> deterministic bytes -> proto -> Thrift.

template <class T>
::testing::AssertionResult RoundTrips(const T& in) {
  auto proto = ToProto(in);
  if (!proto.ok()) return ::testing::AssertionFailure() << "ToProto: " << proto.status().ToString();
  const std::string bytes = SerializeDeterministic(*proto);
  std::decay_t<decltype(*proto)> parsed;
  if (Status s = ParseProto(bytes, &parsed); !s.ok()) {
    return ::testing::AssertionFailure() << "ParseProto: " << s.ToString();
  }
  const T out = FromProto(parsed);
  if (!(out == in)) {
    return ::testing::AssertionFailure() << "structs differ\n in:  " << in << "\n out: " << out;
  }
  if (ThriftBytes(out) != ThriftBytes(in)) {
    return ::testing::AssertionFailure()
           << "Thrift bytes differ\n in:  " << in << "\n out: " << out;
  }
  auto again = ToProto(out);
  if (!again.ok() || SerializeDeterministic(*again) != bytes) {
    return ::testing::AssertionFailure() << "proto bytes change on a second ToProto";
  }
  return ::testing::AssertionSuccess();
}

// ---------------------------------------------------------------------------
// Fixtures. Gen hands out distinct values; each text value carries a unique
// ASCII marker ("<s000042>") followed by multi-byte UTF-8, and records which
// Thrift field it fills, so tests can corrupt exactly one string in the
// serialized struct and know which field the error must name. Binary values
// carry "<b000042>" markers and bytes that are not UTF-8.

class Gen {
 public:
  std::string S(std::string_view field) {
    fields_.emplace_back(field);
    return Marker('s', fields_.size() - 1) + "\xC3\xBC\xE2\x82\xAC\xF0\x9F\x98\x80";  // ü€😀
  }
  std::string B() { return Marker('b', binaries_++) + std::string("\xFF\x00\xC0", 3); }
  int32_t I32() { return 1'000'000 + next_++; }
  int64_t I64() { return -(int64_t{1} << 40) - next_++; }
  int8_t I8() { return static_cast<int8_t>(-100 + next_++ % 200); }
  double D() { return -0.25 + next_++; }

  const std::vector<std::string>& fields() const { return fields_; }
  size_t binaries() const { return binaries_; }

  static std::string Marker(char kind, size_t i) {
    std::string digits = std::to_string(i);
    return std::string("<") + kind + std::string(6 - std::min<size_t>(6, digits.size()), '0') +
           digits + ">";
  }

 private:
  std::vector<std::string> fields_;
  size_t binaries_ = 0;
  int32_t next_ = 0;
};

std::vector<std::string> StrList(Gen& g, std::string_view field) {
  return {g.S(field), g.S(field), g.S(field)};
}
std::map<std::string, std::string> StrMap(Gen& g, std::string_view field) {
  std::map<std::string, std::string> m;
  for (int i = 0; i < 2; ++i)
    m.emplace(g.S(field), g.S(field));
  return m;
}

hive::FieldSchema FullFieldSchema(Gen& g) {
  hive::FieldSchema f;
  f.__set_name(g.S("name"));
  f.__set_type(g.S("type"));
  f.__set_comment(g.S("comment"));
  return f;
}

hive::SerDeInfo FullSerDeInfo(Gen& g) {
  hive::SerDeInfo s;
  s.__set_name(g.S("name"));
  s.__set_serializationLib(g.S("serializationLib"));
  s.__set_parameters(StrMap(g, "parameters"));
  s.__set_description(g.S("description"));
  s.__set_serializerClass(g.S("serializerClass"));
  s.__set_deserializerClass(g.S("deserializerClass"));
  s.__set_serdeType(hive::SerdeType::SCHEMA_REGISTRY);
  return s;
}

hive::Order FullOrder(Gen& g, int order) {
  hive::Order o;
  o.__set_col(g.S("col"));
  o.__set_order(order);
  return o;
}

hive::SkewedInfo FullSkewedInfo(Gen& g) {
  hive::SkewedInfo s;
  s.__set_skewedColNames(StrList(g, "skewedColNames"));
  s.__set_skewedColValues({StrList(g, "skewedColValues"), {}, {g.S("skewedColValues")}});
  std::map<std::vector<std::string>, std::string> locations;
  locations[StrList(g, "skewedColValueLocationMaps")] = g.S("skewedColValueLocationMaps");
  locations[{g.S("skewedColValueLocationMaps")}] = g.S("skewedColValueLocationMaps");
  locations[{}] = g.S("skewedColValueLocationMaps");
  s.__set_skewedColValueLocationMaps(locations);
  return s;
}

hive::StorageDescriptor FullStorageDescriptor(Gen& g) {
  hive::StorageDescriptor sd;
  sd.__set_cols({FullFieldSchema(g), FullFieldSchema(g)});
  sd.__set_location(g.S("location"));
  sd.__set_inputFormat(g.S("inputFormat"));
  sd.__set_outputFormat(g.S("outputFormat"));
  sd.__set_compressed(true);
  sd.__set_numBuckets(g.I32());
  sd.__set_serdeInfo(FullSerDeInfo(g));
  sd.__set_bucketCols(StrList(g, "bucketCols"));
  sd.__set_sortCols({FullOrder(g, 1), FullOrder(g, 0)});
  sd.__set_parameters(StrMap(g, "parameters"));
  sd.__set_skewedInfo(FullSkewedInfo(g));
  sd.__set_storedAsSubDirectories(false);
  return sd;
}

hive::PrivilegeGrantInfo FullPrivilegeGrantInfo(Gen& g) {
  hive::PrivilegeGrantInfo p;
  p.__set_privilege(g.S("privilege"));
  p.__set_createTime(g.I32());
  p.__set_grantor(g.S("grantor"));
  p.__set_grantorType(hive::PrincipalType::ROLE);
  p.__set_grantOption(true);
  return p;
}

hive::PrincipalPrivilegeSet FullPrincipalPrivilegeSet(Gen& g) {
  hive::PrincipalPrivilegeSet p;
  p.__set_userPrivileges(
      {{g.S("userPrivileges"), {FullPrivilegeGrantInfo(g), FullPrivilegeGrantInfo(g)}}});
  p.__set_groupPrivileges({{g.S("groupPrivileges"), {FullPrivilegeGrantInfo(g)}}});
  p.__set_rolePrivileges(
      {{g.S("rolePrivileges"), {FullPrivilegeGrantInfo(g)}}, {g.S("rolePrivileges"), {}}});
  return p;
}

hive::Database FullDatabase(Gen& g) {
  hive::Database d;
  d.__set_name(g.S("name"));
  d.__set_description(g.S("description"));
  d.__set_locationUri(g.S("locationUri"));
  d.__set_parameters(StrMap(g, "parameters"));
  d.__set_privileges(FullPrincipalPrivilegeSet(g));
  d.__set_ownerName(g.S("ownerName"));
  d.__set_ownerType(hive::PrincipalType::ROLE);
  d.__set_catalogName(g.S("catalogName"));
  d.__set_createTime(g.I32());
  d.__set_managedLocationUri(g.S("managedLocationUri"));
  d.__set_type(hive::DatabaseType::REMOTE);
  d.__set_connector_name(g.S("connector_name"));
  d.__set_remote_dbname(g.S("remote_dbname"));
  return d;
}

hive::FileMetadata FullFileMetadata(Gen& g) {
  hive::FileMetadata f;
  f.__set_type(g.I8());
  f.__set_version(g.I8());
  f.__set_data({g.B(), std::string(), g.B()});
  return f;
}

hive::ObjectDictionary FullObjectDictionary(Gen& g) {
  hive::ObjectDictionary d;
  d.__set_values({{g.S("values"), {g.B(), g.B()}}, {g.S("values"), {}}});
  return d;
}

hive::BooleanColumnStatsData FullBooleanStats(Gen& g) {
  hive::BooleanColumnStatsData s;
  s.__set_numTrues(g.I64());
  s.__set_numFalses(g.I64());
  s.__set_numNulls(g.I64());
  s.__set_bitVectors(g.B());
  return s;
}

hive::DoubleColumnStatsData FullDoubleStats(Gen& g) {
  hive::DoubleColumnStatsData s;
  s.__set_lowValue(g.D());
  s.__set_highValue(g.D());
  s.__set_numNulls(g.I64());
  s.__set_numDVs(g.I64());
  s.__set_bitVectors(g.B());
  s.__set_histogram(g.B());
  return s;
}

hive::LongColumnStatsData FullLongStats(Gen& g) {
  hive::LongColumnStatsData s;
  s.__set_lowValue(g.I64());
  s.__set_highValue(g.I64());
  s.__set_numNulls(g.I64());
  s.__set_numDVs(g.I64());
  s.__set_bitVectors(g.B());
  s.__set_histogram(g.B());
  return s;
}

hive::StringColumnStatsData FullStringStats(Gen& g) {
  hive::StringColumnStatsData s;
  s.__set_maxColLen(g.I64());
  s.__set_avgColLen(g.D());
  s.__set_numNulls(g.I64());
  s.__set_numDVs(g.I64());
  s.__set_bitVectors(g.B());
  return s;
}

hive::BinaryColumnStatsData FullBinaryStats(Gen& g) {
  hive::BinaryColumnStatsData s;
  s.__set_maxColLen(g.I64());
  s.__set_avgColLen(g.D());
  s.__set_numNulls(g.I64());
  s.__set_bitVectors(g.B());
  return s;
}

hive::Decimal FullDecimal(Gen& g) {
  hive::Decimal d;
  d.__set_unscaled(g.B());
  d.__set_scale(static_cast<int16_t>(-g.I8()));
  return d;
}

hive::DecimalColumnStatsData FullDecimalStats(Gen& g) {
  hive::DecimalColumnStatsData s;
  s.__set_lowValue(FullDecimal(g));
  s.__set_highValue(FullDecimal(g));
  s.__set_numNulls(g.I64());
  s.__set_numDVs(g.I64());
  s.__set_bitVectors(g.B());
  s.__set_histogram(g.B());
  return s;
}

hive::Date FullDate(Gen& g) {
  hive::Date d;
  d.__set_daysSinceEpoch(g.I64());
  return d;
}

hive::DateColumnStatsData FullDateStats(Gen& g) {
  hive::DateColumnStatsData s;
  s.__set_lowValue(FullDate(g));
  s.__set_highValue(FullDate(g));
  s.__set_numNulls(g.I64());
  s.__set_numDVs(g.I64());
  s.__set_bitVectors(g.B());
  s.__set_histogram(g.B());
  return s;
}

hive::Timestamp FullTimestamp(Gen& g) {
  hive::Timestamp t;
  t.__set_secondsSinceEpoch(g.I64());
  return t;
}

hive::TimestampColumnStatsData FullTimestampStats(Gen& g) {
  hive::TimestampColumnStatsData s;
  s.__set_lowValue(FullTimestamp(g));
  s.__set_highValue(FullTimestamp(g));
  s.__set_numNulls(g.I64());
  s.__set_numDVs(g.I64());
  s.__set_bitVectors(g.B());
  s.__set_histogram(g.B());
  return s;
}

constexpr int kStatsKinds = 8;

// kind: the union member's Thrift field id, 1..8.
hive::ColumnStatisticsData FullStatsData(Gen& g, int kind) {
  hive::ColumnStatisticsData d;
  switch (kind) {
    case 1:
      d.__set_booleanStats(FullBooleanStats(g));
      break;
    case 2:
      d.__set_longStats(FullLongStats(g));
      break;
    case 3:
      d.__set_doubleStats(FullDoubleStats(g));
      break;
    case 4:
      d.__set_stringStats(FullStringStats(g));
      break;
    case 5:
      d.__set_binaryStats(FullBinaryStats(g));
      break;
    case 6:
      d.__set_decimalStats(FullDecimalStats(g));
      break;
    case 7:
      d.__set_dateStats(FullDateStats(g));
      break;
    case 8:
      d.__set_timestampStats(FullTimestampStats(g));
      break;
  }
  return d;
}

hive::ColumnStatisticsObj FullStatsObj(Gen& g, int kind) {
  hive::ColumnStatisticsObj o;
  o.__set_colName(g.S("colName"));
  o.__set_colType(g.S("colType"));
  o.__set_statsData(FullStatsData(g, kind));
  return o;
}

hive::ColumnStatisticsDesc FullStatsDesc(Gen& g) {
  hive::ColumnStatisticsDesc d;
  d.__set_isTblLevel(false);
  d.__set_dbName(g.S("dbName"));
  d.__set_tableName(g.S("tableName"));
  d.__set_partName(g.S("partName"));
  d.__set_lastAnalyzed(g.I64());
  d.__set_catName(g.S("catName"));
  return d;
}

hive::ColumnStatistics FullColumnStatistics(Gen& g) {
  hive::ColumnStatistics s;
  s.__set_statsDesc(FullStatsDesc(g));
  std::vector<hive::ColumnStatisticsObj> objs;
  for (int kind = 1; kind <= kStatsKinds; ++kind)
    objs.push_back(FullStatsObj(g, kind));
  s.__set_statsObj(objs);
  s.__set_isStatsCompliant(true);
  s.__set_engine(g.S("engine"));
  return s;
}

hive::Table FullTable(Gen& g, int depth = 1);

// depth > 0: one SourceTable holding a full Table one level down.
hive::CreationMetadata FullCreationMetadata(Gen& g, int depth) {
  hive::CreationMetadata c;
  c.__set_catName(g.S("catName"));
  c.__set_dbName(g.S("dbName"));
  c.__set_tblName(g.S("tblName"));
  c.__set_tablesUsed({g.S("tablesUsed"), g.S("tablesUsed")});
  c.__set_validTxnList(g.S("validTxnList"));
  c.__set_materializationTime(g.I64());
  std::vector<hive::SourceTable> sources;
  if (depth > 0) {
    hive::SourceTable s;
    s.__set_table(FullTable(g, depth - 1));
    s.__set_insertedCount(g.I64());
    s.__set_updatedCount(g.I64());
    s.__set_deletedCount(g.I64());
    sources.push_back(s);
  }
  c.__set_sourceTables(sources);
  return c;
}

hive::Table FullTable(Gen& g, int depth) {
  hive::Table t;
  t.__set_tableName(g.S("tableName"));
  t.__set_dbName(g.S("dbName"));
  t.__set_owner(g.S("owner"));
  t.__set_createTime(g.I32());
  t.__set_lastAccessTime(g.I32());
  t.__set_retention(g.I32());
  t.__set_sd(FullStorageDescriptor(g));
  t.__set_partitionKeys({FullFieldSchema(g), FullFieldSchema(g)});
  t.__set_parameters(StrMap(g, "parameters"));
  t.__set_viewOriginalText(g.S("viewOriginalText"));
  t.__set_viewExpandedText(g.S("viewExpandedText"));
  t.__set_tableType(g.S("tableType"));
  t.__set_privileges(FullPrincipalPrivilegeSet(g));
  t.__set_temporary(true);
  t.__set_rewriteEnabled(false);
  t.__set_creationMetadata(FullCreationMetadata(g, depth));
  t.__set_catName(g.S("catName"));
  t.__set_ownerType(hive::PrincipalType::GROUP);
  t.__set_writeId(g.I64());
  t.__set_isStatsCompliant(true);
  t.__set_colStats(FullColumnStatistics(g));
  t.__set_accessType(g.I8());
  t.__set_requiredReadCapabilities(StrList(g, "requiredReadCapabilities"));
  t.__set_requiredWriteCapabilities(StrList(g, "requiredWriteCapabilities"));
  t.__set_id(g.I64());
  t.__set_fileMetadata(FullFileMetadata(g));
  t.__set_dictionary(FullObjectDictionary(g));
  t.__set_txnId(g.I64());
  return t;
}

hive::Partition FullPartition(Gen& g) {
  hive::Partition p;
  p.__set_values(StrList(g, "values"));
  p.__set_dbName(g.S("dbName"));
  p.__set_tableName(g.S("tableName"));
  p.__set_createTime(g.I32());
  p.__set_lastAccessTime(g.I32());
  p.__set_sd(FullStorageDescriptor(g));
  p.__set_parameters(StrMap(g, "parameters"));
  p.__set_privileges(FullPrincipalPrivilegeSet(g));
  p.__set_catName(g.S("catName"));
  p.__set_writeId(g.I64());
  p.__set_isStatsCompliant(false);
  p.__set_colStats(FullColumnStatistics(g));
  p.__set_fileMetadata(FullFileMetadata(g));
  return p;
}

hive::ResourceUri FullResourceUri(Gen& g, hive::ResourceType::type type) {
  hive::ResourceUri r;
  r.__set_resourceType(type);
  r.__set_uri(g.S("uri"));
  return r;
}

hive::Function FullFunction(Gen& g) {
  hive::Function f;
  f.__set_functionName(g.S("functionName"));
  f.__set_dbName(g.S("dbName"));
  f.__set_className(g.S("className"));
  f.__set_ownerName(g.S("ownerName"));
  f.__set_ownerType(hive::PrincipalType::USER);
  f.__set_createTime(g.I32());
  f.__set_functionType(hive::FunctionType::JAVA);
  f.__set_resourceUris({FullResourceUri(g, hive::ResourceType::ARCHIVE),
                        FullResourceUri(g, hive::ResourceType::JAR)});
  f.__set_catName(g.S("catName"));
  return f;
}

// ---------------------------------------------------------------------------
// The IDL, parsed: struct name -> field id -> {type, name}.

struct IdlField {
  std::string type;
  std::string name;
};
using Idl = std::map<std::string, std::map<int, IdlField>>;

const Idl& ParsedIdl() {
  static const Idl idl = [] {
    Idl out;
    std::ifstream file(std::string(ARBOR_SOURCE_DIR) + "/thrift/hive_metastore.thrift");
    EXPECT_TRUE(file.good()) << "cannot open the IDL under " << ARBOR_SOURCE_DIR;
    const std::regex header(R"(^(struct|union)\s+(\w+)\s*\{)");
    const std::regex field(
        R"(^\s*(\d+)\s*:\s*(?:(?:optional|required)\s+)?(.+?)\s+(\w+)\s*(?:=\s*[^,]+)?,?\s*$)");
    std::string line, current;
    while (std::getline(file, line)) {
      if (auto pos = line.find("//"); pos != std::string::npos) line.resize(pos);
      std::smatch m;
      if (std::regex_search(line, m, header)) {
        current = m[2];
      } else if (!current.empty() && line.find('}') != std::string::npos) {
        current.clear();
      } else if (!current.empty() && std::regex_match(line, m, field)) {
        out[current][std::stoi(m[1])] = {m[2], m[3]};
      }
    }
    return out;
  }();
  return idl;
}

// Every mapped Thrift struct, with its full fixture(s) and its proto message.
struct Mapped {
  std::string thrift;
  const pb::Descriptor* proto;
  std::vector<std::string> full_bytes;  // one per fixture; unions need several
};

std::vector<Mapped> AllMapped() {
  Gen g;
  std::vector<std::string> stats_data;
  for (int kind = 1; kind <= kStatsKinds; ++kind) {
    stats_data.push_back(ThriftBytes(FullStatsData(g, kind)));
  }
  hive::SourceTable source = FullCreationMetadata(g, 1).sourceTables.at(0);
  return {
      {"FieldSchema", catalog::FieldSchema::descriptor(), {ThriftBytes(FullFieldSchema(g))}},
      {"SerDeInfo", catalog::SerDeInfo::descriptor(), {ThriftBytes(FullSerDeInfo(g))}},
      {"Order", catalog::Order::descriptor(), {ThriftBytes(FullOrder(g, 1))}},
      {"SkewedInfo", catalog::SkewedInfo::descriptor(), {ThriftBytes(FullSkewedInfo(g))}},
      {"StorageDescriptor",
       catalog::StorageDescriptor::descriptor(),
       {ThriftBytes(FullStorageDescriptor(g))}},
      {"PrivilegeGrantInfo",
       catalog::PrivilegeGrantInfo::descriptor(),
       {ThriftBytes(FullPrivilegeGrantInfo(g))}},
      {"PrincipalPrivilegeSet",
       catalog::PrincipalPrivilegeSet::descriptor(),
       {ThriftBytes(FullPrincipalPrivilegeSet(g))}},
      {"Database", catalog::Database::descriptor(), {ThriftBytes(FullDatabase(g))}},
      {"CreationMetadata",
       catalog::CreationMetadata::descriptor(),
       {ThriftBytes(FullCreationMetadata(g, 1))}},
      {"SourceTable", catalog::SourceTable::descriptor(), {ThriftBytes(source)}},
      {"FileMetadata", catalog::FileMetadata::descriptor(), {ThriftBytes(FullFileMetadata(g))}},
      {"ObjectDictionary",
       catalog::ObjectDictionary::descriptor(),
       {ThriftBytes(FullObjectDictionary(g))}},
      {"Table", catalog::Table::descriptor(), {ThriftBytes(FullTable(g))}},
      {"Partition", catalog::Partition::descriptor(), {ThriftBytes(FullPartition(g))}},
      {"ResourceUri",
       catalog::ResourceUri::descriptor(),
       {ThriftBytes(FullResourceUri(g, hive::ResourceType::FILE))}},
      {"Function", catalog::Function::descriptor(), {ThriftBytes(FullFunction(g))}},
      {"BooleanColumnStatsData",
       catalog::BooleanColumnStatsData::descriptor(),
       {ThriftBytes(FullBooleanStats(g))}},
      {"DoubleColumnStatsData",
       catalog::DoubleColumnStatsData::descriptor(),
       {ThriftBytes(FullDoubleStats(g))}},
      {"LongColumnStatsData",
       catalog::LongColumnStatsData::descriptor(),
       {ThriftBytes(FullLongStats(g))}},
      {"StringColumnStatsData",
       catalog::StringColumnStatsData::descriptor(),
       {ThriftBytes(FullStringStats(g))}},
      {"BinaryColumnStatsData",
       catalog::BinaryColumnStatsData::descriptor(),
       {ThriftBytes(FullBinaryStats(g))}},
      {"Decimal", catalog::Decimal::descriptor(), {ThriftBytes(FullDecimal(g))}},
      {"DecimalColumnStatsData",
       catalog::DecimalColumnStatsData::descriptor(),
       {ThriftBytes(FullDecimalStats(g))}},
      {"Date", catalog::Date::descriptor(), {ThriftBytes(FullDate(g))}},
      {"DateColumnStatsData",
       catalog::DateColumnStatsData::descriptor(),
       {ThriftBytes(FullDateStats(g))}},
      {"Timestamp", catalog::Timestamp::descriptor(), {ThriftBytes(FullTimestamp(g))}},
      {"TimestampColumnStatsData",
       catalog::TimestampColumnStatsData::descriptor(),
       {ThriftBytes(FullTimestampStats(g))}},
      {"ColumnStatisticsData", catalog::ColumnStatisticsData::descriptor(), stats_data},
      {"ColumnStatisticsObj",
       catalog::ColumnStatisticsObj::descriptor(),
       {ThriftBytes(FullStatsObj(g, 2))}},
      {"ColumnStatisticsDesc",
       catalog::ColumnStatisticsDesc::descriptor(),
       {ThriftBytes(FullStatsDesc(g))}},
      {"ColumnStatistics",
       catalog::ColumnStatistics::descriptor(),
       {ThriftBytes(FullColumnStatistics(g))}},
  };
}

// The proto field type a Thrift scalar type must map to; message/repeated
// for containers and structs (empty result).
std::optional<pb::FieldDescriptor::Type> ProtoTypeFor(const std::string& thrift_type) {
  using F = pb::FieldDescriptor;
  static const std::map<std::string, F::Type> kScalars = {
      {"string", F::TYPE_STRING},      {"binary", F::TYPE_BYTES},
      {"bool", F::TYPE_BOOL},          {"double", F::TYPE_DOUBLE},
      {"i64", F::TYPE_INT64},          {"i32", F::TYPE_INT32},
      {"i16", F::TYPE_INT32},          {"i8", F::TYPE_INT32},
      {"byte", F::TYPE_INT32},         {"PrincipalType", F::TYPE_INT32},
      {"DatabaseType", F::TYPE_INT32}, {"SerdeType", F::TYPE_INT32},
      {"FunctionType", F::TYPE_INT32}, {"ResourceType", F::TYPE_INT32},
  };
  auto it = kScalars.find(thrift_type);
  if (it == kScalars.end()) return std::nullopt;
  return it->second;
}

// The Hive-required containers the proto keeps without a presence wrapper.
const std::set<std::string> kUnwrappedRequired = {
    "ColumnStatistics.statsObj", "CreationMetadata.tablesUsed", "ObjectDictionary.values"};

TEST(HmsConvertSchema, IdlAndProtoHaveTheSameFields) {
  for (const Mapped& m : AllMapped()) {
    SCOPED_TRACE(m.thrift);
    ASSERT_TRUE(ParsedIdl().count(m.thrift)) << "struct not found in the IDL";
    const auto& idl = ParsedIdl().at(m.thrift);
    std::set<int> idl_ids, proto_ids;
    for (const auto& [id, f] : idl)
      idl_ids.insert(id);
    for (int i = 0; i < m.proto->field_count(); ++i)
      proto_ids.insert(m.proto->field(i)->number());
    EXPECT_EQ(idl_ids, proto_ids);
    for (const auto& [id, f] : idl) {
      const pb::FieldDescriptor* pf = m.proto->FindFieldByNumber(id);
      if (pf == nullptr) continue;
      SCOPED_TRACE(f.name + " -> " + pf->name());
      if (auto scalar = ProtoTypeFor(f.type)) {
        EXPECT_EQ(pf->type(), *scalar) << f.type;
        EXPECT_TRUE(pf->has_presence());
      } else if (pf->is_repeated()) {
        EXPECT_TRUE(kUnwrappedRequired.count(m.thrift + "." + f.name))
            << "a nullable container needs a presence wrapper";
      } else {
        EXPECT_EQ(pf->type(), pb::FieldDescriptor::TYPE_MESSAGE) << f.type;
      }
    }
  }
}

TEST(HmsConvertSchema, FullFixturesSetEveryIdlField) {
  for (const Mapped& m : AllMapped()) {
    SCOPED_TRACE(m.thrift);
    std::set<int> idl_ids, written;
    for (const auto& [id, f] : ParsedIdl().at(m.thrift))
      idl_ids.insert(id);
    for (const std::string& bytes : m.full_bytes) {
      std::set<int> ids = WrittenFieldIds(bytes);
      written.insert(ids.begin(), ids.end());
    }
    EXPECT_EQ(written, idl_ids);
  }
}

// Every field of every catalog message reached from the full fixtures is set
// somewhere, and every message of catalog.proto is reached: nothing in the
// proto is left without a Thrift source.
void CollectSetFields(const pb::Message& message, std::set<const pb::Descriptor*>* reached,
                      std::set<const pb::FieldDescriptor*>* set) {
  reached->insert(message.GetDescriptor());
  const pb::Reflection* r = message.GetReflection();
  std::vector<const pb::FieldDescriptor*> fields;
  r->ListFields(message, &fields);
  for (const pb::FieldDescriptor* f : fields) {
    set->insert(f);
    if (f->cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE) continue;
    if (f->is_repeated()) {
      for (int i = 0; i < r->FieldSize(message, f); ++i) {
        CollectSetFields(r->GetRepeatedMessage(message, f, i), reached, set);
      }
    } else {
      CollectSetFields(r->GetMessage(message, f), reached, set);
    }
  }
}

TEST(HmsConvertSchema, FullFixturesSetEveryProtoField) {
  Gen g;
  std::vector<std::unique_ptr<pb::Message>> protos;
  auto add = [&](auto result) {
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    protos.push_back(std::make_unique<std::decay_t<decltype(*result)>>(std::move(*result)));
  };
  add(ToProto(FullDatabase(g)));
  add(ToProto(FullTable(g)));
  add(ToProto(FullPartition(g)));
  add(ToProto(FullFunction(g)));
  add(ToProto(FullColumnStatistics(g)));
  std::set<const pb::Descriptor*> reached;
  std::set<const pb::FieldDescriptor*> set;
  for (const auto& p : protos)
    CollectSetFields(*p, &reached, &set);

  const pb::FileDescriptor* file = catalog::Table::descriptor()->file();
  for (int i = 0; i < file->message_type_count(); ++i) {
    EXPECT_TRUE(reached.count(file->message_type(i))) << file->message_type(i)->full_name();
  }
  for (const pb::Descriptor* d : reached) {
    if (d->options().map_entry()) continue;
    for (int i = 0; i < d->field_count(); ++i) {
      EXPECT_TRUE(set.count(d->field(i))) << d->field(i)->full_name() << " is never set";
    }
  }
}

// ---------------------------------------------------------------------------
// Round trips.

TEST(HmsConvert, FullStructsRoundTrip) {
  Gen g;
  EXPECT_TRUE(RoundTrips(FullDatabase(g)));
  EXPECT_TRUE(RoundTrips(FullTable(g, 2)));
  EXPECT_TRUE(RoundTrips(FullPartition(g)));
  EXPECT_TRUE(RoundTrips(FullFunction(g)));
  EXPECT_TRUE(RoundTrips(FullColumnStatistics(g)));
  EXPECT_TRUE(RoundTrips(FullStatsDesc(g)));
  EXPECT_TRUE(RoundTrips(FullStorageDescriptor(g)));
  EXPECT_TRUE(RoundTrips(FullFieldSchema(g)));
  for (int kind = 1; kind <= kStatsKinds; ++kind) {
    SCOPED_TRACE(kind);
    EXPECT_TRUE(RoundTrips(FullStatsObj(g, kind)));
  }
}

TEST(HmsConvert, FullStructsSurviveTheWire) {
  // What a client sends, read by the generated reader, converts and comes back.
  Gen g;
  EXPECT_TRUE(RoundTrips(ReadThrift<hive::Table>(ThriftBytes(FullTable(g)))));
  EXPECT_TRUE(RoundTrips(ReadThrift<hive::Partition>(ThriftBytes(FullPartition(g)))));
}

TEST(HmsConvert, MinimalStructsStayMinimal) {
  auto db = Blank<hive::Database>();
  db.__set_name("sales");
  ASSERT_TRUE(RoundTrips(db));
  EXPECT_EQ(SetFieldIds(FromProto(*ToProto(db))), (std::set<int>{1}));

  auto table = Blank<hive::Table>();
  table.__set_tableName("orders");
  table.__set_dbName("sales");
  ASSERT_TRUE(RoundTrips(table));
  const hive::Table t = FromProto(*ToProto(table));
  EXPECT_EQ(SetFieldIds(t), (std::set<int>{1, 2}));
  EXPECT_FALSE(t.__isset.sd);
  EXPECT_FALSE(t.__isset.parameters);
  EXPECT_FALSE(t.__isset.partitionKeys);
  EXPECT_FALSE(t.__isset.tableType);
  EXPECT_FALSE(t.__isset.temporary);
  EXPECT_FALSE(t.__isset.ownerType);
  EXPECT_FALSE(t.__isset.writeId);
  const catalog::Table proto = *ToProto(table);
  EXPECT_FALSE(proto.has_sd());
  EXPECT_FALSE(proto.has_parameters());
  EXPECT_FALSE(proto.has_write_id());
  EXPECT_FALSE(proto.has_owner_type());

  auto partition = Blank<hive::Partition>();
  partition.__set_values({"2024"});
  ASSERT_TRUE(RoundTrips(partition));
  const hive::Partition p = FromProto(*ToProto(partition));
  EXPECT_EQ(SetFieldIds(p), (std::set<int>{1}));
  EXPECT_FALSE(p.__isset.writeId);

  auto function = Blank<hive::Function>();
  function.__set_functionName("f");
  ASSERT_TRUE(RoundTrips(function));
  EXPECT_EQ(SetFieldIds(FromProto(*ToProto(function))), (std::set<int>{1}));

  auto stats = Blank<hive::ColumnStatistics>();
  stats.__set_statsObj({});
  ASSERT_TRUE(RoundTrips(stats));
  const hive::ColumnStatistics s = FromProto(*ToProto(stats));
  EXPECT_EQ(SetFieldIds(s), (std::set<int>{2}));
  EXPECT_FALSE(s.__isset.engine);
  EXPECT_FALSE(s.__isset.statsDesc);

  auto obj = Blank<hive::ColumnStatisticsObj>();
  obj.__set_statsData(hive::ColumnStatisticsData());  // a union with no member
  ASSERT_TRUE(RoundTrips(obj));
  EXPECT_EQ(SetFieldIds(FromProto(*ToProto(obj)).statsData), (std::set<int>{}));
}

TEST(HmsConvert, NestedStructsWithNothingSetStaySet) {
  auto table = Blank<hive::Table>();
  table.__set_sd(Blank<hive::StorageDescriptor>());
  table.__set_fileMetadata(Blank<hive::FileMetadata>());
  ASSERT_TRUE(RoundTrips(table));
  const hive::Table t = FromProto(*ToProto(table));
  EXPECT_TRUE(t.__isset.sd);
  EXPECT_EQ(SetFieldIds(t.sd), (std::set<int>{}));
  EXPECT_TRUE(t.__isset.fileMetadata);
  EXPECT_FALSE(t.fileMetadata.__isset.type);
  EXPECT_FALSE(t.fileMetadata.__isset.version);
}

TEST(HmsConvert, FromProtoClearsThriftPresetDefaults) {
  const hive::Table t = FromProto(catalog::Table());
  EXPECT_FALSE(t.__isset.temporary);
  EXPECT_FALSE(t.__isset.ownerType);
  EXPECT_FALSE(t.__isset.writeId);
  EXPECT_EQ(ThriftBytes(t).size(), 1u);  // T_STOP only: nothing is written
  EXPECT_FALSE(FromProto(catalog::Partition()).__isset.writeId);
  EXPECT_FALSE(FromProto(catalog::ColumnStatistics()).__isset.engine);
  catalog::Table with_file;
  with_file.mutable_file_metadata();
  const hive::Table f = FromProto(with_file);
  EXPECT_FALSE(f.fileMetadata.__isset.type);
  EXPECT_FALSE(f.fileMetadata.__isset.version);
}

TEST(HmsConvert, OmittedFieldsWithHiveDefaultsStayUnset) {
  // Our IDL drops Hive's defaults on stored entities (thrift/README.md), because C++
  // Thrift would otherwise preset them as sent: a client that omits writeId,
  // temporary or ownerType must not find -1/false/USER stored and returned.
  const catalog::Table table = *ToProto(hive::Table());
  EXPECT_FALSE(table.has_write_id());
  EXPECT_FALSE(table.has_temporary());
  EXPECT_FALSE(table.has_owner_type());
  EXPECT_FALSE(table.has_table_name());
  EXPECT_FALSE(ToProto(hive::Partition())->has_write_id());
  hive::ColumnStatistics stats;
  stats.__set_statsObj({});
  EXPECT_FALSE(ToProto(stats)->has_engine());
  // And a value the client did send is kept.
  hive::Table sent;
  sent.__set_writeId(-1);
  EXPECT_TRUE(ToProto(sent)->has_write_id());
}

TEST(HmsConvert, EmptyContainersStayEmptyButSet) {
  auto table = Blank<hive::Table>();
  table.__set_parameters({});
  table.__set_partitionKeys({});
  table.__set_requiredReadCapabilities({});
  auto sd = Blank<hive::StorageDescriptor>();
  sd.__set_cols({});
  sd.__set_bucketCols({});
  sd.__set_sortCols({});
  auto skewed = Blank<hive::SkewedInfo>();
  skewed.__set_skewedColNames({});
  skewed.__set_skewedColValues({{}});
  skewed.__set_skewedColValueLocationMaps({});
  sd.__set_skewedInfo(skewed);
  table.__set_sd(sd);
  auto privileges = Blank<hive::PrincipalPrivilegeSet>();
  privileges.__set_userPrivileges({});
  privileges.__set_rolePrivileges({{"r", {}}});
  table.__set_privileges(privileges);
  ASSERT_TRUE(RoundTrips(table));

  const catalog::Table proto = *ToProto(table);
  EXPECT_TRUE(proto.has_parameters());
  EXPECT_EQ(proto.parameters().entries_size(), 0);
  EXPECT_TRUE(proto.has_partition_keys());
  EXPECT_TRUE(proto.sd().has_cols());
  EXPECT_TRUE(proto.sd().skewed_info().has_skewed_col_value_location_maps());
  EXPECT_FALSE(proto.privileges().has_group_privileges());
  EXPECT_TRUE(proto.privileges().has_user_privileges());

  const hive::Table back = FromProto(proto);
  EXPECT_TRUE(back.__isset.parameters);
  EXPECT_TRUE(back.parameters.empty());
  EXPECT_TRUE(back.sd.skewedInfo.__isset.skewedColValueLocationMaps);
  EXPECT_EQ(back.sd.skewedInfo.skewedColValues, (std::vector<std::vector<std::string>>{{}}));
  EXPECT_FALSE(back.privileges.__isset.groupPrivileges);

  // Empty and unset are different entities.
  auto unset = table;
  unset.__isset.parameters = false;
  EXPECT_NE(SerializeDeterministic(*ToProto(unset)), SerializeDeterministic(proto));
}

TEST(HmsConvert, ListsKeepTheirOrder) {
  auto sd = Blank<hive::StorageDescriptor>();
  std::vector<hive::FieldSchema> cols(3);
  cols[0].__set_name("z");
  cols[1].__set_name("a");
  cols[2].__set_name("m");
  sd.__set_cols(cols);
  sd.__set_bucketCols({"b", "a", "b"});
  const catalog::StorageDescriptor proto = *ToProto(sd);
  ASSERT_EQ(proto.cols().items_size(), 3);
  EXPECT_EQ(proto.cols().items(0).name(), "z");
  EXPECT_EQ(proto.cols().items(1).name(), "a");
  EXPECT_EQ(proto.bucket_cols().items(2), "b");
  EXPECT_TRUE(RoundTrips(sd));
}

TEST(HmsConvert, UnorderedCollectionsAreStoredSorted) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> entries = {
      {{"b", "1"}, "loc-b1"}, {{"a"}, "loc-a"},       {{"\xC3\xA9"}, "loc-e"},
      {{"B", "2"}, "loc-B2"}, {{"a", "x"}, "loc-ax"}, {{}, "loc-empty"}};
  std::map<std::vector<std::string>, std::string> forward, backward;
  for (const auto& e : entries)
    forward.insert(e);
  for (auto it = entries.rbegin(); it != entries.rend(); ++it)
    backward.insert(*it);
  auto a = Blank<hive::SkewedInfo>(), b = Blank<hive::SkewedInfo>();
  a.__set_skewedColValueLocationMaps(forward);
  b.__set_skewedColValueLocationMaps(backward);
  auto ta = Blank<hive::Table>(), tb = Blank<hive::Table>();
  auto sda = Blank<hive::StorageDescriptor>(), sdb = Blank<hive::StorageDescriptor>();
  sda.__set_skewedInfo(a);
  sdb.__set_skewedInfo(b);
  ta.__set_sd(sda);
  tb.__set_sd(sdb);

  auto cm = Blank<hive::CreationMetadata>();
  cm.__set_tablesUsed({"sales.z", "Sales.a", "sales.a", "\xC3\xA9.t"});
  ta.__set_creationMetadata(cm);
  auto cm_other_order = Blank<hive::CreationMetadata>();
  std::set<std::string> used;
  for (const char* s : {"\xC3\xA9.t", "sales.a", "Sales.a", "sales.z"})
    used.insert(s);
  cm_other_order.__set_tablesUsed(used);
  tb.__set_creationMetadata(cm_other_order);

  const catalog::Table pa = *ToProto(ta), pb_ = *ToProto(tb);
  EXPECT_EQ(SerializeDeterministic(pa), SerializeDeterministic(pb_));

  // Bytewise order: "B" < "a" < "b" < "\xC3\xA9"; a shorter key list first.
  std::vector<std::vector<std::string>> keys;
  for (const auto& item : pa.sd().skewed_info().skewed_col_value_location_maps().items()) {
    keys.emplace_back(item.values().begin(), item.values().end());
  }
  const std::vector<std::vector<std::string>> want = {{},         {"B", "2"}, {"a"},
                                                      {"a", "x"}, {"b", "1"}, {"\xC3\xA9"}};
  EXPECT_EQ(keys, want);
  EXPECT_EQ(std::vector<std::string>(pa.creation_metadata().tables_used().begin(),
                                     pa.creation_metadata().tables_used().end()),
            (std::vector<std::string>{"Sales.a", "sales.a", "sales.z", "\xC3\xA9.t"}));

  // A stored value in another order reads back as the same map and is
  // written sorted again.
  catalog::Table shuffled = pa;
  auto* items = shuffled.mutable_sd()
                    ->mutable_skewed_info()
                    ->mutable_skewed_col_value_location_maps()
                    ->mutable_items();
  std::reverse(items->begin(), items->end());
  auto* tables_used = shuffled.mutable_creation_metadata()->mutable_tables_used();
  std::reverse(tables_used->begin(), tables_used->end());
  const hive::Table back = FromProto(shuffled);
  EXPECT_TRUE(back == ta);
  EXPECT_EQ(SerializeDeterministic(*ToProto(back)), SerializeDeterministic(pa));
  EXPECT_TRUE(RoundTrips(ta));
}

// An enum value from a newer Hive, as Thrift's reader stores it. Such values
// are outside the C++ enum's range, so this test only looks at them through
// bytes (Thrift's generated operator== would load them as the enum type).
template <class E>
E UnknownEnum(int32_t value) {
  E e;
  static_assert(sizeof e == sizeof value);
  std::memcpy(static_cast<void*>(&e), &value, sizeof value);
  return e;
}

TEST(HmsConvert, UnknownEnumValuesSurvive) {
  auto db = Blank<hive::Database>();
  db.__set_ownerType(UnknownEnum<hive::PrincipalType::type>(-3));
  db.__set_type(UnknownEnum<hive::DatabaseType::type>(99));
  auto privileges = Blank<hive::PrincipalPrivilegeSet>();
  auto grant = Blank<hive::PrivilegeGrantInfo>();
  grant.__set_grantorType(UnknownEnum<hive::PrincipalType::type>(1 << 20));
  privileges.__set_rolePrivileges({{"r", {grant}}});
  db.__set_privileges(privileges);
  const catalog::Database proto = *ToProto(db);
  EXPECT_EQ(proto.owner_type(), -3);
  EXPECT_EQ(proto.type(), 99);
  EXPECT_EQ(proto.privileges().role_privileges().entries().at("r").items(0).grantor_type(),
            1 << 20);
  EXPECT_EQ(ThriftBytes(FromProto(proto)), ThriftBytes(db));

  auto function = Blank<hive::Function>();
  function.__set_functionType(UnknownEnum<hive::FunctionType::type>(2));
  auto uri = Blank<hive::ResourceUri>();
  uri.__set_resourceType(UnknownEnum<hive::ResourceType::type>(0));
  function.__set_resourceUris({uri});
  EXPECT_EQ(ThriftBytes(FromProto(*ToProto(function))), ThriftBytes(function));

  auto serde = Blank<hive::SerDeInfo>();
  serde.__set_serdeType(UnknownEnum<hive::SerdeType::type>(7));
  auto sd = Blank<hive::StorageDescriptor>();
  sd.__set_serdeInfo(serde);
  EXPECT_EQ(ToProto(sd)->serde_info().serde_type(), 7);
  EXPECT_EQ(ThriftBytes(FromProto(*ToProto(sd))), ThriftBytes(sd));
}

TEST(HmsConvert, NarrowIntegersSurvive) {
  auto table = Blank<hive::Table>();
  table.__set_accessType(-128);
  auto fm = Blank<hive::FileMetadata>();
  fm.__set_type(127);
  fm.__set_version(-1);
  table.__set_fileMetadata(fm);
  ASSERT_TRUE(RoundTrips(table));

  auto decimal = Blank<hive::Decimal>();
  decimal.__set_scale(-32768);
  decimal.__set_unscaled(std::string("\x80\x00\xff", 3));
  auto dstats = Blank<hive::DecimalColumnStatsData>();
  dstats.__set_highValue(decimal);
  auto data = Blank<hive::ColumnStatisticsData>();
  data.__set_decimalStats(dstats);
  auto obj = Blank<hive::ColumnStatisticsObj>();
  obj.__set_statsData(data);
  EXPECT_TRUE(RoundTrips(obj));
}

// ---------------------------------------------------------------------------
// Validation.

void ExpectInvalid(const Status& s, const std::string& message) {
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  EXPECT_EQ(s.message(), message);
}

TEST(HmsConvertValidation, InvalidUtf8NamesTheField) {
  const std::string bad = "ok\xC0\xAF";  // overlong '/'

  auto table = Blank<hive::Table>();
  auto sd = Blank<hive::StorageDescriptor>();
  std::vector<hive::FieldSchema> cols(2);
  cols[1].__set_name(bad);
  sd.__set_cols(cols);
  table.__set_sd(sd);
  ExpectInvalid(ToProto(table).status(), "Table.sd.cols[1].name is not valid UTF-8");

  table = Blank<hive::Table>();
  table.__set_parameters({{"k", "v"}, {"it's\\", bad}});
  ExpectInvalid(ToProto(table).status(), "Table.parameters['it\\'s\\\\'] is not valid UTF-8");

  table.__set_parameters({{bad, "v"}});
  ExpectInvalid(ToProto(table).status(), "Table.parameters has a key that is not valid UTF-8");

  auto skewed = Blank<hive::SkewedInfo>();
  skewed.__set_skewedColValueLocationMaps({{{"a"}, "x"}, {{"b", bad}, "y"}});
  sd = Blank<hive::StorageDescriptor>();
  sd.__set_skewedInfo(skewed);
  ExpectInvalid(ToProto(sd).status(),
                "StorageDescriptor.skewedInfo.skewedColValueLocationMaps[1].key[1] is not valid "
                "UTF-8");
  skewed.__set_skewedColValueLocationMaps({{{"a"}, bad}});
  sd.__set_skewedInfo(skewed);
  ExpectInvalid(ToProto(sd).status(),
                "StorageDescriptor.skewedInfo.skewedColValueLocationMaps[0].value is not valid "
                "UTF-8");

  auto db = Blank<hive::Database>();
  auto grant = Blank<hive::PrivilegeGrantInfo>();
  grant.__set_grantor(bad);
  auto privileges = Blank<hive::PrincipalPrivilegeSet>();
  privileges.__set_userPrivileges({{"alice", {hive::PrivilegeGrantInfo(), grant}}});
  db.__set_privileges(privileges);
  ExpectInvalid(ToProto(db).status(),
                "Database.privileges.userPrivileges['alice'][1].grantor is not valid UTF-8");

  auto partition = Blank<hive::Partition>();
  partition.__set_values({"a", "b", bad});
  ExpectInvalid(ToProto(partition).status(), "Partition.values[2] is not valid UTF-8");

  auto function = Blank<hive::Function>();
  auto uri = Blank<hive::ResourceUri>();
  uri.__set_uri(bad);
  function.__set_resourceUris({uri});
  ExpectInvalid(ToProto(function).status(), "Function.resourceUris[0].uri is not valid UTF-8");

  auto stats = Blank<hive::ColumnStatistics>();
  auto obj = Blank<hive::ColumnStatisticsObj>();
  obj.__set_colName(bad);
  stats.__set_statsObj({obj});
  ExpectInvalid(ToProto(stats).status(), "ColumnStatistics.statsObj[0].colName is not valid UTF-8");
}

// Corrupts each text value of each full fixture in turn, on the wire, and
// checks that exactly that field is rejected; corrupting a binary value is
// accepted and round-trips.
template <class T>
void CheckEveryStringIsValidated(const T& full, const Gen& g) {
  const std::string bytes = ThriftBytes(full);
  for (size_t i = 0; i < g.fields().size(); ++i) {
    const std::string marker = Gen::Marker('s', i);
    const size_t pos = bytes.find(marker);
    ASSERT_NE(pos, std::string::npos) << marker << " (" << g.fields()[i] << ") not on the wire";
    ASSERT_EQ(bytes.find(marker, pos + 1), std::string::npos);
    std::string corrupt = bytes;
    corrupt[pos] = '\xFF';
    const Status s = ToProto(ReadThrift<T>(corrupt)).status();
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << g.fields()[i] << ": " << s.ToString();
    // The path ends in the field: ".name is ...", ".parameters['k'] is ...",
    // ".parameters has a key ...", ".values[2] is ...".
    const std::string& field = g.fields()[i];
    EXPECT_TRUE(s.message().find("." + field + " ") != std::string::npos ||
                s.message().find("." + field + "[") != std::string::npos)
        << field << ": " << s.message();
    EXPECT_NE(s.message().find("not valid UTF-8"), std::string::npos) << s.message();
  }
  for (size_t i = 0; i < g.binaries(); ++i) {
    const size_t pos = bytes.find(Gen::Marker('b', i));
    ASSERT_NE(pos, std::string::npos);
    std::string corrupt = bytes;
    corrupt[pos] = '\xFF';
    EXPECT_TRUE(RoundTrips(ReadThrift<T>(corrupt))) << "binary #" << i;
  }
}

TEST(HmsConvertValidation, EveryStringFieldIsValidatedAndNoBinaryFieldIs) {
  {
    Gen g;
    const hive::Table t = FullTable(g, 2);
    CheckEveryStringIsValidated(t, g);
  }
  {
    Gen g;
    const hive::Partition p = FullPartition(g);
    CheckEveryStringIsValidated(p, g);
  }
  {
    Gen g;
    const hive::Database d = FullDatabase(g);
    CheckEveryStringIsValidated(d, g);
  }
  {
    Gen g;
    const hive::Function f = FullFunction(g);
    CheckEveryStringIsValidated(f, g);
  }
  {
    Gen g;
    const hive::ColumnStatistics s = FullColumnStatistics(g);
    CheckEveryStringIsValidated(s, g);
  }
}

TEST(HmsConvertValidation, RequiredContainersWithoutPresenceMustBeSet) {
  ExpectInvalid(ToProto(Blank<hive::ColumnStatistics>()).status(),
                "ColumnStatistics.statsObj is required");

  auto table = Blank<hive::Table>();
  table.__set_creationMetadata(Blank<hive::CreationMetadata>());
  ExpectInvalid(ToProto(table).status(), "Table.creationMetadata.tablesUsed is required");

  table = Blank<hive::Table>();
  table.__set_dictionary(Blank<hive::ObjectDictionary>());
  ExpectInvalid(ToProto(table).status(), "Table.dictionary.values is required");

  auto partition = Blank<hive::Partition>();
  partition.__set_colStats(Blank<hive::ColumnStatistics>());
  ExpectInvalid(ToProto(partition).status(), "Partition.colStats.statsObj is required");
}

TEST(HmsConvertValidation, AUnionHoldsOneMember) {
  Gen g;
  hive::ColumnStatisticsObj obj = FullStatsObj(g, 1);
  obj.statsData.__set_dateStats(FullDateStats(g));
  auto stats = Blank<hive::ColumnStatistics>();
  stats.__set_statsObj({FullStatsObj(g, 2), obj});
  ExpectInvalid(ToProto(stats).status(),
                "ColumnStatistics.statsObj[1].statsData sets 2 members of a union that holds one");
}

// IsValidUtf8 must agree exactly with protobuf's own check, which decides
// whether a stored value parses again.
bool ProtobufAcceptsUtf8(const std::string& s) {
  // FieldSchema.name (field 1, length-delimited) holding `s`.
  std::string wire(1, '\x0A');
  for (size_t n = s.size();; n >>= 7) {
    if (n < 0x80) {
      wire += static_cast<char>(n);
      break;
    }
    wire += static_cast<char>((n & 0x7F) | 0x80);
  }
  wire += s;
  catalog::FieldSchema f;
  return f.ParseFromString(wire);
}

TEST(HmsConvertValidation, Utf8CheckMatchesProtobuf) {
  const std::vector<std::pair<std::string, bool>> cases = {
      {"", true},
      {"plain ascii, longer than eight bytes", true},
      {"\xC3\xA9", true},
      {"\xE2\x82\xAC", true},
      {"\xF0\x9F\x98\x80", true},
      {"\xEF\xBF\xBF", true},       // U+FFFF
      {"\xF4\x8F\xBF\xBF", true},   // U+10FFFF
      {"\xC0\xAF", false},          // overlong
      {"\xE0\x80\xAF", false},      // overlong
      {"\xF0\x80\x80\xAF", false},  // overlong
      {"\xED\xA0\x80", false},      // surrogate
      {"\xF4\x90\x80\x80", false},  // above U+10FFFF
      {"\xF5\x80\x80\x80", false},
      {"\x80", false},
      {"abcdefgh\xC3", false},  // truncated after the fast path
      {"\xE2\x82", false},
      {"\xFF", false},
  };
  google::protobuf::LogSilencer quiet;
  for (const auto& [s, valid] : cases) {
    EXPECT_EQ(IsValidUtf8(s), valid) << ::testing::PrintToString(s);
    EXPECT_EQ(ProtobufAcceptsUtf8(s), valid) << ::testing::PrintToString(s);
  }

  const uint64_t seed = ::arbor::testing::TestSeed();
  std::mt19937_64 rng(seed);
  const unsigned char alphabet[] = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF,
                                    0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE,
                                    0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF};
  for (int iter = 0; iter < 50000; ++iter) {
    std::string s(rng() % 14, '\0');
    for (char& c : s)
      c = static_cast<char>(alphabet[rng() % sizeof alphabet]);
    ASSERT_EQ(IsValidUtf8(s), ProtobufAcceptsUtf8(s))
        << ::testing::PrintToString(s) << ", " << ::arbor::testing::SeedNote(seed);
  }
}

// Table -> creationMetadata -> sourceTables -> table nests without bound in
// the IDL. Protobuf's parser stops at 100 nested messages; every Table that
// Thrift's default depth limit (64) lets through must still parse back.
TEST(HmsConvert, DeepestTableThriftAcceptsRoundTrips) {
  int deepest = 0;
  for (int depth = 1; depth < 64; ++depth) {
    Gen g;
    const hive::Table t = FullTable(g, depth);
    std::string bytes;
    try {
      bytes = ThriftBytes(t);
      ReadThrift<hive::Table>(bytes);
    } catch (const ::apache::thrift::protocol::TProtocolException&) {
      break;  // beyond Thrift's depth limit: no client can send it
    }
    ASSERT_TRUE(RoundTrips(t)) << "depth " << depth;
    deepest = depth;
  }
  EXPECT_GT(deepest, 10);
  EXPECT_LT(deepest, 63) << "Thrift's depth limit no longer applies";
}

// ---------------------------------------------------------------------------
// Property test: random subsets of the full fixtures round-trip.

// Copies one Thrift value from `in` to `out`, dropping each struct field and
// each container element with probability `drop`. Works on any struct: the
// binary protocol describes itself.
void CopyDropping(TProtocol& in, TProtocol& out, TType type, std::mt19937_64& rng, double drop) {
  using namespace ::apache::thrift::protocol;
  std::uniform_real_distribution<double> coin(0, 1);
  auto keep_all = [&](uint32_t n, uint32_t* kept) {
    std::vector<bool> keep(n);
    *kept = 0;
    for (uint32_t i = 0; i < n; ++i) {
      keep[i] = coin(rng) >= drop;
      if (keep[i]) ++*kept;
    }
    return keep;
  };
  std::string name;
  switch (type) {
    case T_STRUCT: {
      in.readStructBegin(name);
      out.writeStructBegin("");
      while (true) {
        TType ft;
        int16_t id;
        in.readFieldBegin(name, ft, id);
        if (ft == T_STOP) break;
        if (coin(rng) < drop) {
          in.skip(ft);
        } else {
          out.writeFieldBegin("", ft, id);
          CopyDropping(in, out, ft, rng, drop);
          out.writeFieldEnd();
        }
        in.readFieldEnd();
      }
      in.readStructEnd();
      out.writeFieldStop();
      out.writeStructEnd();
      break;
    }
    case T_LIST:
    case T_SET: {
      TType et;
      uint32_t n, kept;
      type == T_LIST ? in.readListBegin(et, n) : in.readSetBegin(et, n);
      const std::vector<bool> keep = keep_all(n, &kept);
      type == T_LIST ? out.writeListBegin(et, kept) : out.writeSetBegin(et, kept);
      for (uint32_t i = 0; i < n; ++i) {
        if (keep[i]) {
          CopyDropping(in, out, et, rng, drop);
        } else {
          in.skip(et);
        }
      }
      type == T_LIST ? in.readListEnd() : in.readSetEnd();
      type == T_LIST ? out.writeListEnd() : out.writeSetEnd();
      break;
    }
    case T_MAP: {
      TType kt, vt;
      uint32_t n, kept;
      in.readMapBegin(kt, vt, n);
      const std::vector<bool> keep = keep_all(n, &kept);
      out.writeMapBegin(kt, vt, kept);
      for (uint32_t i = 0; i < n; ++i) {
        if (keep[i]) {
          CopyDropping(in, out, kt, rng, 0);  // keys whole: a partial key could collide
          CopyDropping(in, out, vt, rng, drop);
        } else {
          in.skip(kt);
          in.skip(vt);
        }
      }
      in.readMapEnd();
      out.writeMapEnd();
      break;
    }
    case T_BOOL: {
      bool v;
      in.readBool(v);
      out.writeBool(v);
      break;
    }
    case T_BYTE: {
      int8_t v;
      in.readByte(v);
      out.writeByte(v);
      break;
    }
    case T_I16: {
      int16_t v;
      in.readI16(v);
      out.writeI16(v);
      break;
    }
    case T_I32: {
      int32_t v;
      in.readI32(v);
      out.writeI32(v);
      break;
    }
    case T_I64: {
      int64_t v;
      in.readI64(v);
      out.writeI64(v);
      break;
    }
    case T_DOUBLE: {
      double v;
      in.readDouble(v);
      out.writeDouble(v);
      break;
    }
    case T_STRING: {
      std::string v;
      in.readBinary(v);
      out.writeBinary(v);
      break;
    }
    default:
      FAIL() << "unexpected Thrift type " << type;
  }
}

template <class T>
T RandomSubset(const T& full, std::mt19937_64& rng, double drop) {
  const std::string bytes = ThriftBytes(full);
  auto in_buffer =
      std::make_shared<TMemoryBuffer>(reinterpret_cast<uint8_t*>(const_cast<char*>(bytes.data())),
                                      static_cast<uint32_t>(bytes.size()), TMemoryBuffer::COPY);
  auto out_buffer = std::make_shared<TMemoryBuffer>();
  TBinaryProtocol in(in_buffer), out(out_buffer);
  CopyDropping(in, out, ::apache::thrift::protocol::T_STRUCT, rng, drop);
  // Read into a struct with no preset flags, so dropped defaulted fields are
  // unset too (nested structs still get Thrift's presets; both are valid).
  T value = Blank<T>();
  value.read(&out);
  return value;
}

// Sets the Hive-required containers that ToProto insists on (see
// RequiredContainersWithoutPresenceMustBeSet), wherever a subset dropped them.
void Repair(hive::ColumnStatistics& s) {
  if (!s.__isset.statsObj) s.__set_statsObj({});
}
void Repair(hive::Table& t);
void Repair(hive::CreationMetadata& c) {
  if (!c.__isset.tablesUsed) c.__set_tablesUsed({});
  for (hive::SourceTable& s : c.sourceTables)
    Repair(s.table);
}
void Repair(hive::Table& t) {
  Repair(t.creationMetadata);
  Repair(t.colStats);
  if (!t.dictionary.__isset.values) t.dictionary.__set_values({});
}
void Repair(hive::Partition& p) {
  Repair(p.colStats);
}
void Repair(hive::Database&) {}
void Repair(hive::Function&) {}

template <class T>
void CheckRandomSubsets(const T& full, uint64_t seed, int iterations) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> drop(0, 0.7);
  for (int i = 0; i < iterations; ++i) {
    T subset = RandomSubset(full, rng, drop(rng));
    Repair(subset);
    ASSERT_TRUE(RoundTrips(subset))
        << "iteration " << i << ", " << ::arbor::testing::SeedNote(seed);
  }
}

// FromProtoInto reuses one object for a whole listing: after converting any
// sequence of partitions into it, it must equal (flags included) and
// serialize exactly like a fresh FromProto of the last one. Random subsets
// make neighbours differ in which fields, list lengths and map keys they have.
TEST(HmsConvertProperty, FromProtoIntoAReusedObjectEqualsAFreshOne) {
  const uint64_t seed = ::arbor::testing::TestSeed();
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> drop(0, 0.9);
  Gen g;
  const hive::Partition full = FullPartition(g);
  hive::Partition reused;
  for (int i = 0; i < 400; ++i) {
    hive::Partition subset = i % 7 == 0 ? full : RandomSubset(full, rng, drop(rng));
    Repair(subset);
    auto proto = ToProto(subset);
    ASSERT_TRUE(proto.ok()) << proto.status().ToString();
    FromProtoInto(*proto, &reused);
    const hive::Partition fresh = FromProto(*proto);
    ASSERT_TRUE(reused == fresh) << "iteration " << i << ", " << ::arbor::testing::SeedNote(seed);
    ASSERT_EQ(ThriftBytes(reused), ThriftBytes(fresh))
        << "iteration " << i << ", " << ::arbor::testing::SeedNote(seed);
  }
}

TEST(HmsConvertProperty, RandomSubsetsRoundTrip) {
  const uint64_t seed = ::arbor::testing::TestSeed();
  Gen g;
  CheckRandomSubsets(FullTable(g, 2), seed, 300);
  CheckRandomSubsets(FullPartition(g), seed + 1, 300);
  CheckRandomSubsets(FullDatabase(g), seed + 2, 200);
  CheckRandomSubsets(FullFunction(g), seed + 3, 200);
  CheckRandomSubsets(FullColumnStatistics(g), seed + 4, 300);
}

}  // namespace
}  // namespace arbor::hms

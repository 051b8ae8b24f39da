// Lossless two-way mapping between Hive's Thrift entity structs
// (thrift/hive_metastore.thrift) and Arbor's catalog protos
// (proto/arbor/catalog.proto): Database, Table, Partition, Function and
// ColumnStatistics, with every struct nested in them
// (docs/hms-compatibility.md#lossless-round-trip).
//
// Contract:
//   * Every field of every struct is mapped, Thrift field id N to proto field
//     number N. FromProto(ToProto(x)) == x, where == is Thrift's generated
//     operator==, which compares __isset flags and only the values of set
//     fields.
//   * Unset stays unset, both ways: a Thrift field whose __isset flag is false
//     becomes an absent proto field (HasField false; for a nullable container,
//     an absent wrapper), and an absent proto field becomes a Thrift field with
//     __isset false. FromProto clears the flags that Thrift's constructors
//     preset for fields with an IDL default (Table.temporary/ownerType/writeId,
//     Partition.writeId, ColumnStatistics.engine, FileMetadata.type/version).
//     An empty container stays set and empty.
//   * Nothing is invented: no Hive default, table type, DDL time or location.
//     Applying Hive semantics is the HMS handler's job.
//   * Values are copied bit for bit. Enums and Thrift byte/i16 fields travel as
//     int32, so unknown enum values from newer clients survive.
//   * Sets (CreationMetadata.tablesUsed) and SkewedInfo.skewedColValueLocationMaps
//     are stored sorted (bytewise), so equal entities serialize to equal bytes
//     whatever order a client sent. Lists keep their order.
//
// ToProto validates, and fails with InvalidArgument naming the field by its
// Thrift path (e.g. "Table.sd.cols[2].name", "Table.parameters['k']"):
//   * every Thrift `string` (not `binary`) must be valid UTF-8, because proto
//     `string` fields must be;
//   * the containers Hive marks required and the proto stores without a
//     presence wrapper (ColumnStatistics.statsObj, CreationMetadata.tablesUsed,
//     ObjectDictionary.values) must be set: Java clients always send them, and
//     the proto cannot tell them null from empty;
//   * a ColumnStatisticsData union has at most one member set.
// FromProto cannot fail. It expects what ToProto produced; an out-of-range
// number for an int8/int16 field is truncated.
#pragma once

#include <string_view>

#include "arbor/catalog.pb.h"
#include "base/status.h"
#include "hive_metastore_types.h"

namespace arbor::hms {

namespace hive = ::Apache::Hadoop::Hive;

Result<catalog::Database> ToProto(const hive::Database& in);
hive::Database FromProto(const catalog::Database& in);

Result<catalog::Table> ToProto(const hive::Table& in);
hive::Table FromProto(const catalog::Table& in);

Result<catalog::Partition> ToProto(const hive::Partition& in);
hive::Partition FromProto(const catalog::Partition& in);
// FromProto into an existing object, reusing its storage (strings, vectors,
// nested structs): `*out` ends up equal, field for field and flag for flag, to
// FromProto(in), whatever it held before. For listings that convert one
// partition at a time.
void FromProtoInto(const catalog::Partition& in, hive::Partition* out);

Result<catalog::Function> ToProto(const hive::Function& in);
hive::Function FromProto(const catalog::Function& in);

Result<catalog::ColumnStatistics> ToProto(const hive::ColumnStatistics& in);
hive::ColumnStatistics FromProto(const catalog::ColumnStatistics& in);

Result<catalog::ColumnStatisticsObj> ToProto(const hive::ColumnStatisticsObj& in);
hive::ColumnStatisticsObj FromProto(const catalog::ColumnStatisticsObj& in);

Result<catalog::ColumnStatisticsDesc> ToProto(const hive::ColumnStatisticsDesc& in);
hive::ColumnStatisticsDesc FromProto(const catalog::ColumnStatisticsDesc& in);

Result<catalog::StorageDescriptor> ToProto(const hive::StorageDescriptor& in);
hive::StorageDescriptor FromProto(const catalog::StorageDescriptor& in);

Result<catalog::FieldSchema> ToProto(const hive::FieldSchema& in);
hive::FieldSchema FromProto(const catalog::FieldSchema& in);

// True when `s` is well-formed UTF-8 (Unicode 15, table 3-7: no overlong
// forms, no surrogates, nothing above U+10FFFF), the rule proto3 enforces.
bool IsValidUtf8(std::string_view s);

}  // namespace arbor::hms

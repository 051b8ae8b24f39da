// What HMS refuses in a new or altered table or partition before it is stored,
// for the cases where Hive's clients rely on the refusal (Hive's client API
// tests check each). Pure functions of the request and the table; the codes
// follow Status's HMS mapping: InvalidArgument is the method's declared
// "invalid object/operation" exception, InvalidRequest a MetaException.
#pragma once

#include <string>
#include <string_view>

#include "arbor/catalog.pb.h"
#include "base/status.h"

namespace arbor::hms {

// Whether `type` starts with one of Hive's type names (the rest, e.g. the
// parameters of decimal(10,2) or struct<...>, is not parsed, as in HMS).
// Compared case-insensitively: engines other than Hive send upper-case names.
bool IsHiveColumnType(const std::string& type);

// The columns and partition keys of a table to create or alter: InvalidArgument
// naming the first column whose type Hive does not know.
Status CheckColumnTypes(const catalog::Table& table);

// A table to create: its columns, and a location that is not a file system's
// root (InvalidArgument "<table> location must not be root path", as in HMS).
Status CheckNewTable(const catalog::Table& table);

// A location a client sends for a new partition, as sent (before Arbor maps
// it): InvalidRequest unless its path is absolute, with or without a scheme
// and authority ("file:/x", "s3a://b/x", "/x"). HMS fails on the others
// (Hadoop's "Relative path in absolute URI"), e.g. "host:80/dir" or "dir/x".
// Empty means unset: the default location is taken.
Status CheckPartitionLocation(const std::string& location);

// A partition to add to `table`: InvalidRequest when it names a location for a
// view's partition (a table without a location), or when it sends a storage
// descriptor without serde info ("Invalid SerDeInfo object") or a column
// without a name: HMS's store cannot keep either, so no client relies on them.
// A partition without a storage descriptor takes the table's
// (ApplyPartitionDefaults).
Status CheckNewPartition(const catalog::Partition& partition, const catalog::Table& table);

// The path part of a location URI: what follows "scheme:" and "//authority"
// ("/x" for "hdfs://nn:8020/x"; "" for "hdfs://nn:8020").
std::string_view LocationPath(std::string_view location);

}  // namespace arbor::hms

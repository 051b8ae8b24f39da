// The provider-agnostic model of a metastore catalog: namespaces (Hive
// databases, Glue databases), tables with their storage descriptor, partition
// columns and values, properties and statistics.
//
// Invariants every provider keeps when it fills these structs:
//  * Names are as the metastore reports them (Hive lower-cases them); a
//    namespace name may carry an Arbor ref ("sales@dev"), which only the
//    provider interprets.
//  * Types are Hive type strings ("bigint", "decimal(10,2)",
//    "array<struct<a:int>>"); the DuckDB layer maps them (type_mapping.h).
//  * Partition values are the metastore's strings, one per partition column,
//    in partition-column order; the Hive default partition name stands for NULL.
//  * Nothing here knows DuckDB: a DuckDB version bump never touches this file.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace arbor::metastore {

struct Column {
  std::string name;
  std::string type;  // Hive type string
  std::string comment;

  bool operator==(const Column&) const = default;
};

// What statistics the metastore holds for a table or a partition; absent
// fields are unknown (never guessed as zero).
struct Statistics {
  std::optional<int64_t> row_count;
  std::optional<int64_t> total_size_bytes;
  std::optional<int64_t> file_count;

  bool operator==(const Statistics&) const = default;
};

// Hive's basic statistics as Hive, Spark and Athena keep them in table and
// partition parameters (numRows, totalSize, numFiles). A missing, negative
// (Hive's -1 is "unknown") or malformed value is left unknown.
Statistics StatisticsFromParameters(const std::map<std::string, std::string>& parameters);

// Where and how the data is stored. The format classes are kept verbatim
// (Hive class names, Glue's equivalents); format.h classifies them.
struct StorageDescriptor {
  std::string location;  // URI of the table's or partition's directory
  std::string input_format;
  std::string output_format;
  std::string serde;  // serialization library
  std::map<std::string, std::string> serde_parameters;
  std::vector<Column> columns;  // data columns (partition columns excluded)

  bool operator==(const StorageDescriptor&) const = default;
};

struct Namespace {
  std::string name;
  std::string location;
  std::string description;
  std::map<std::string, std::string> properties;
};

struct Table {
  std::string namespace_name;
  std::string name;
  std::string table_type;  // "MANAGED_TABLE", "EXTERNAL_TABLE", "VIRTUAL_VIEW", ...
  std::string owner;
  StorageDescriptor storage;
  std::vector<Column> partition_columns;
  std::map<std::string, std::string> properties;
  Statistics statistics;
  std::string view_text;  // for views: the expanded text, else empty

  bool partitioned() const { return !partition_columns.empty(); }
  // Field by field: a definition validated against a fresh copy is unchanged
  // only if every field is.
  bool operator==(const Table&) const = default;
};

struct Partition {
  std::vector<std::string> values;  // one per Table::partition_columns, in order
  StorageDescriptor storage;        // location (and format, which may differ from the table's)
  std::map<std::string, std::string> properties;
  Statistics statistics;
};

// Hive's name for the partition whose value is NULL.
inline constexpr const char* kHiveDefaultPartition = "__HIVE_DEFAULT_PARTITION__";

}  // namespace arbor::metastore

// Classifies a table's (or partition's) storage into the file formats the
// DuckDB layer knows how to read, and extracts the text-format options Hive
// keeps in serde parameters.
//
// Contract: Classify looks at table properties first (table_type=ICEBERG,
// spark.sql.sources.provider=delta), then the serde and input format class
// names (Hive's, Glue's and Spark's spellings); anything else is kUnknown and
// the caller's error names the classes it saw.
#pragma once

#include <map>
#include <string>

#include "clients/duckdb/metastore/model.h"

namespace arbor::metastore {

enum class FileFormat { kParquet, kText, kJson, kOrc, kAvro, kIceberg, kDelta, kUnknown };

const char* FileFormatName(FileFormat format);  // "parquet", "text", ...

// LazySimpleSerDe / OpenCSVSerde settings, with Hive's defaults.
struct TextOptions {
  std::string field_delimiter = "\x01";
  std::string null_format = "\\N";
  std::string quote;  // OpenCSVSerde's quoteChar, else none
  std::string escape;
  int64_t header_lines = 0;  // skip.header.line.count
};

FileFormat Classify(const StorageDescriptor& storage,
                    const std::map<std::string, std::string>& table_properties);

TextOptions TextOptionsOf(const StorageDescriptor& storage,
                          const std::map<std::string, std::string>& table_properties);

// Storage descriptor fields Hive writes for a format (used by CREATE TABLE).
StorageDescriptor StorageFor(FileFormat format);

}  // namespace arbor::metastore

#include "clients/duckdb/metastore/format.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace arbor::metastore {
namespace {

std::string Lower(const std::string& s) {
  std::string out = s;
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool Contains(const std::string& haystack, const char* needle) {
  return haystack.find(needle) != std::string::npos;
}

std::string Param(const std::map<std::string, std::string>& params, const char* key) {
  auto it = params.find(key);
  return it == params.end() ? "" : it->second;
}

}  // namespace

const char* FileFormatName(FileFormat format) {
  switch (format) {
    case FileFormat::kParquet:
      return "parquet";
    case FileFormat::kText:
      return "text";
    case FileFormat::kJson:
      return "json";
    case FileFormat::kOrc:
      return "orc";
    case FileFormat::kAvro:
      return "avro";
    case FileFormat::kIceberg:
      return "iceberg";
    case FileFormat::kDelta:
      return "delta";
    case FileFormat::kUnknown:
      return "unknown";
  }
  return "unknown";
}

FileFormat Classify(const StorageDescriptor& storage,
                    const std::map<std::string, std::string>& table_properties) {
  for (const auto& [key, value] : table_properties) {
    std::string k = Lower(key), v = Lower(value);
    if (k == "table_type" && v == "iceberg") return FileFormat::kIceberg;
    if ((k == "spark.sql.sources.provider" && v == "delta") ||
        (k == "table_type" && v == "delta")) {
      return FileFormat::kDelta;
    }
  }
  std::string serde = Lower(storage.serde);
  std::string input = Lower(storage.input_format);
  if (Contains(serde, "parquet") || Contains(input, "parquet")) return FileFormat::kParquet;
  if (Contains(serde, "orc") || Contains(input, "orc")) return FileFormat::kOrc;
  if (Contains(serde, "avro") || Contains(input, "avro")) return FileFormat::kAvro;
  if (Contains(serde, "json")) return FileFormat::kJson;
  if (Contains(serde, "lazysimpleserde") || Contains(serde, "opencsvserde") ||
      (serde.empty() && Contains(input, "textinputformat"))) {
    return FileFormat::kText;
  }
  return FileFormat::kUnknown;
}

TextOptions TextOptionsOf(const StorageDescriptor& storage,
                          const std::map<std::string, std::string>& table_properties) {
  TextOptions options;
  const auto& p = storage.serde_parameters;
  bool open_csv = Contains(Lower(storage.serde), "opencsvserde");
  if (open_csv) {
    options.field_delimiter = ",";
    options.quote = "\"";
    options.escape = "\\";
    options.null_format = "";
    if (auto v = Param(p, "separatorChar"); !v.empty()) options.field_delimiter = v;
    if (auto v = Param(p, "quoteChar"); !v.empty()) options.quote = v;
    if (auto v = Param(p, "escapeChar"); !v.empty()) options.escape = v;
  } else {
    // field.delim wins over the older serialization.format (which holds a
    // delimiter only when it is not the digit '1', Hive's default marker).
    if (auto v = Param(p, "field.delim"); !v.empty()) {
      options.field_delimiter = v;
    } else if (auto f = Param(p, "serialization.format"); !f.empty() && f != "1") {
      options.field_delimiter = f;
    }
    if (p.count("serialization.null.format"))
      options.null_format = Param(p, "serialization.null.format");
    if (auto v = Param(p, "escape.delim"); !v.empty()) options.escape = v;
  }
  std::string header = Param(table_properties, "skip.header.line.count");
  if (header.empty()) header = Param(p, "skip.header.line.count");
  if (!header.empty()) {
    int64_t n = 0;
    auto [end, ec] = std::from_chars(header.data(), header.data() + header.size(), n);
    if (ec == std::errc() && end == header.data() + header.size() && n >= 0)
      options.header_lines = n;
  }
  return options;
}

StorageDescriptor StorageFor(FileFormat format) {
  StorageDescriptor sd;
  switch (format) {
    case FileFormat::kParquet:
      sd.input_format = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat";
      sd.output_format = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat";
      sd.serde = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe";
      break;
    case FileFormat::kText:
      sd.input_format = "org.apache.hadoop.mapred.TextInputFormat";
      sd.output_format = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat";
      sd.serde = "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe";
      break;
    case FileFormat::kJson:
      sd.input_format = "org.apache.hadoop.mapred.TextInputFormat";
      sd.output_format = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat";
      sd.serde = "org.apache.hadoop.hive.serde2.JsonSerDe";
      break;
    default:
      break;
  }
  return sd;
}

}  // namespace arbor::metastore

#include "server/hms/hms_validation.h"

#include <array>
#include <cctype>
#include <string_view>

namespace arbor::hms {
namespace {

bool IsTypeNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

Status CheckFields(const catalog::FieldSchemaList& fields, const catalog::Table& table) {
  for (const auto& f : fields.items()) {
    if (!IsHiveColumnType(f.type())) {
      return Status::InvalidArgument("Invalid column type '" + f.type() + "' of column " +
                                     f.name() + " in " + table.table_name());
    }
  }
  return Status::OK();
}

}  // namespace

bool IsHiveColumnType(const std::string& type) {
  // Hive's serde type names (serdeConstants), and the deserializer placeholder.
  static constexpr std::array<std::string_view, 24> kNames = {"void",
                                                              "boolean",
                                                              "tinyint",
                                                              "smallint",
                                                              "int",
                                                              "integer",
                                                              "bigint",
                                                              "float",
                                                              "double",
                                                              "string",
                                                              "varchar",
                                                              "char",
                                                              "date",
                                                              "datetime",
                                                              "timestamp",
                                                              "decimal",
                                                              "binary",
                                                              "interval_year_month",
                                                              "interval_day_time",
                                                              "array",
                                                              "map",
                                                              "struct",
                                                              "uniontype",
                                                              "timestamplocaltz"};
  if (type == "<derived from deserializer>") return true;
  size_t end = 0;
  while (end < type.size() && IsTypeNameChar(type[end]))
    ++end;
  if (end == 0) return false;
  std::string first = type.substr(0, end);
  for (char& c : first)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (std::string_view name : kNames) {
    if (first == name) return true;
  }
  return false;
}

Status CheckColumnTypes(const catalog::Table& table) {
  ARBOR_RETURN_IF_ERROR(CheckFields(table.sd().cols(), table));
  return CheckFields(table.partition_keys(), table);
}

Status CheckNewTable(const catalog::Table& table) {
  ARBOR_RETURN_IF_ERROR(CheckColumnTypes(table));
  if (table.sd().has_location() && !table.sd().location().empty()) {
    const std::string_view path = LocationPath(table.sd().location());
    if (path.empty() || path == "/") {
      return Status::InvalidArgument(table.table_name() + " location must not be root path");
    }
  }
  return Status::OK();
}

Status CheckPartitionLocation(const std::string& location) {
  if (location.empty()) return Status::OK();
  std::string_view rest = location;
  const size_t colon = rest.find(':');
  const size_t slash = rest.find('/');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon < slash)) {
    rest.remove_prefix(colon + 1);
  }
  if (rest.empty() || rest.front() != '/') {
    return Status::InvalidRequest("Invalid partition location (a relative path): " + location);
  }
  return Status::OK();
}

Status CheckNewPartition(const catalog::Partition& partition, const catalog::Table& table) {
  const bool view = !table.has_sd() || !table.sd().has_location();
  if (view && !partition.sd().location().empty()) {
    return Status::InvalidRequest("Cannot specify location for a view partition: " +
                                  table.db_name() + "." + table.table_name());
  }
  if (partition.has_sd() && !partition.sd().has_serde_info()) {
    return Status::InvalidRequest("Invalid SerDeInfo object: a partition of " + table.db_name() +
                                  "." + table.table_name() +
                                  " has a storage descriptor without serde info");
  }
  for (const auto& col : partition.sd().cols().items()) {
    if (!col.has_name()) {
      return Status::InvalidRequest("A column of a partition of " + table.db_name() + "." +
                                    table.table_name() + " has no name");
    }
  }
  return Status::OK();
}

std::string_view LocationPath(std::string_view location) {
  const size_t colon = location.find(':');
  const size_t slash = location.find('/');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon < slash)) {
    location.remove_prefix(colon + 1);
  }
  if (location.substr(0, 2) == "//") {
    location.remove_prefix(2);
    const size_t end = location.find('/');
    location = end == std::string_view::npos ? std::string_view() : location.substr(end);
  }
  return location;
}

}  // namespace arbor::hms

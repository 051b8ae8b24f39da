// Hive type strings <-> DuckDB LogicalTypes.
//
// HiveToDuckDB parses the whole Hive grammar (primitive names, decimal(p,s),
// varchar(n)/char(n), array<T>, map<K,V>, struct<a:T,...>, uniontype is
// refused) and throws a BinderException naming the column for anything
// else. DuckDBToHive is its inverse for the types CREATE TABLE accepts.
#pragma once

#include <string>

#include "duckdb.hpp"

namespace duckdb {

LogicalType HiveToDuckDB(const std::string& hive_type, const std::string& column);
std::string DuckDBToHive(const LogicalType& type, const std::string& column);

}  // namespace duckdb

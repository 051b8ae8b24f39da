// Hive metastore semantics that the catalog itself does not know: default
// locations, table types, creation and DDL times.
//
// HMS fills these in on the server side; clients (Hive's CLI in particular)
// rely on it, e.g. by leaving a managed table's location unset.
#pragma once

#include <cstdint>
#include <string>

#include "arbor/catalog.pb.h"

namespace arbor::hms {

inline constexpr const char* kDdlTime = "transient_lastDdlTime";
// Hive 3+ names catalogs; Arbor serves exactly one, Hive's default.
inline constexpr const char* kHiveCatalog = "hive";

int32_t NowSeconds();

// Java's "true".equalsIgnoreCase(v), as HMS reads boolean table parameters.
bool IsTrue(const std::string& v);

// <warehouse>/<db>.db, and the warehouse root itself for `default`.
std::string DefaultDatabaseLocation(const std::string& warehouse, const std::string& db);

// Creation time and location for a new database.
void ApplyDatabaseDefaults(catalog::Database* db, const std::string& warehouse, int32_t now);

// tableType from EXTERNAL=TRUE (MANAGED_TABLE <-> EXTERNAL_TABLE), as HMS does.
void NormalizeTableType(catalog::Table* table);

// For a new table: table type, creation time, DDL time, and the default location
// <database location>/<table> for tables that have none (views get none).
void ApplyTableDefaults(catalog::Table* table, const catalog::Database& db, int32_t now);

// For an altered table: table type, and the DDL time when the client sent none.
void ApplyTableAlterDefaults(catalog::Table* table, int32_t now);

// For a rename that keeps the table's location: Hive's metastore would move a
// managed table's directory to <database location>/<new name>, and Spark, expecting
// that, rewrites the serde parameter `path` (where its data source tables read
// their data) to the new directory. Arbor never moves data (other refs may still
// read it), so a `path` that mirrored the stored location keeps pointing at it;
// otherwise a renamed `USING parquet` table would read an empty directory.
void KeepDataPathOnRename(catalog::Table* renamed, const catalog::Table& current);

// For a new partition: the table's storage descriptor when it has none, location
// <table location>/<partition name> when unset (a given one loses a trailing
// '/', as in HMS), creation and DDL times.
void ApplyPartitionDefaults(catalog::Partition* partition, const catalog::Table& table,
                            const std::string& part_name, int32_t now);

// Sets parameters[transient_lastDdlTime] = now if absent.
void SetDdlTimeIfAbsent(catalog::StringMap* parameters, int32_t now);

}  // namespace arbor::hms

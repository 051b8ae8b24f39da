// Scanning a metastore table through DuckDB's own readers.
//
// BindMetastoreScan picks the reader from the table's storage (read_parquet,
// read_csv with the LazySimpleSerDe/OpenCSVSerde settings, read_json,
// read_avro once DuckDB's avro extension is loaded; the
// iceberg/delta extensions' scans when they are loaded, with the table's
// metadata_location or location; otherwise an error names the extension
// needed) and binds the file readers with a
// MetastoreMultiFileReader, which
//  * binds the schema from the metastore (a column a file lacks reads as
//    NULL, as in Hive; no file is opened at bind time, so
//    an empty table or a 100k-partition table binds at the same cost),
//  * appends the partition columns with their declared types and fills them
//    per file from the partition values (not from the path), and
//  * lists files lazily: DuckDB's filters on partition columns are pushed
//    into the provider's ListPartitions before any partition is listed, so a
//    query touching 24 of 100k partitions lists 24.
// Formats DuckDB cannot read raise a BinderException naming the table and
// its format.
#pragma once

#include <memory>

#include "duckdb.hpp"

#include "clients/duckdb/metastore/client.h"
#include "clients/duckdb/metastore/model.h"

namespace duckdb {

class ColumnList;

// For an Iceberg or Delta table whose extension is loaded: the columns its
// reader (iceberg_scan / delta_scan, looked up in the system catalog as
// DuckDB resolves any table function) returns. False for other tables, when
// the extension is not loaded, or when the reader fails to bind.
bool LakehouseSchema(ClientContext& context, const arbor::metastore::Table& table,
                     vector<Identifier>& names, vector<LogicalType>& types);

TableFunction BindMetastoreScan(ClientContext& context,
                                const std::shared_ptr<arbor::metastore::MetastoreClient>& client,
                                const std::shared_ptr<const arbor::metastore::Table>& table,
                                const ColumnList& columns, unique_ptr<FunctionData>& bind_data);

}  // namespace duckdb

// Hive 4 request forms: the methods HiveMetaStoreClient 4.x calls where older
// clients called a positional method (DESCRIBE, SHOW TABLES EXTENDED, partition
// listings by spec). Each one states its answer in terms of the older method it
// maps to, so both forms answer alike; what differs is how a request's catalog is
// spelled and which exception slots the Hive 4 method declares.
#include <string>
#include <vector>

#include "server/hms/hms_handler.h"
#include "server/hms/partition_specs.h"

namespace arbor::hms {

using hive::EnvironmentContext;
using hive::ExtendedTableInfo;
using hive::GetFieldsRequest;
using hive::GetFieldsResponse;
using hive::GetPartitionsFilterSpec;
using hive::GetPartitionsRequest;
using hive::GetPartitionsResponse;
using hive::GetSchemaRequest;
using hive::GetSchemaResponse;
using hive::GetTablesExtRequest;
using hive::InvalidObjectException;
using hive::MetaException;
using hive::NoSuchObjectException;
using hive::Partition;
using hive::PartitionFilterMode;
using hive::PartitionListComposingSpec;
using hive::PartitionsByExprRequest;
using hive::PartitionSpec;
using hive::PartitionsRequest;
using hive::PartitionWithoutSD;
using hive::SQLCheckConstraint;
using hive::SQLDefaultConstraint;
using hive::SQLForeignKey;
using hive::SQLNotNullConstraint;
using hive::SQLPrimaryKey;
using hive::SQLUniqueConstraint;
using hive::StorageDescriptor;
using hive::Table;

namespace {

// The database argument of a request that names its catalog in a field: the
// `@cat#db` form every older method parses. A name that already carries a
// prefix keeps it.
std::string WithCatalog(bool has_catalog, const std::string& catalog, const std::string& db) {
  if (!has_catalog || catalog.empty() || (!db.empty() && db[0] == '@')) return db;
  return "@" + catalog + "#" + db;
}

[[noreturn]] void FailWithMetaException(const std::string& message) {
  MetaException e;
  e.__set_message(message);
  throw e;
}

// get_partitions_with_specs declares MetaException only: anything else the
// underlying listing raises reaches the client as a MetaException with the same
// message, rather than as "Internal error processing ...".
template <typename Fn>
void AsMetaException(Fn&& fn) {
  try {
    fn();
  } catch (const NoSuchObjectException& e) {
    FailWithMetaException(e.message);
  } catch (const InvalidObjectException& e) {
    FailWithMetaException(e.message);
  }
}

std::string JoinFilters(const std::vector<std::string>& filters) {
  std::string out;
  for (const std::string& f : filters) {
    if (!out.empty()) out += " and ";
    out += "(" + f + ")";
  }
  return out;
}

}  // namespace

void HmsHandler::get_fields_req(GetFieldsResponse& _return, const GetFieldsRequest& req) {
  ARBOR_HMS_DELEGATES_TO(get_fields_req, get_fields);
  get_fields(_return.fields, WithCatalog(req.__isset.catName, req.catName, req.dbName),
             req.tblName);
}

void HmsHandler::get_schema_req(GetSchemaResponse& _return, const GetSchemaRequest& req) {
  ARBOR_HMS_DELEGATES_TO(get_schema_req, get_schema);
  get_schema(_return.fields, WithCatalog(req.__isset.catName, req.catName, req.dbName),
             req.tblName);
}

// Table names only: Arbor restricts no engine's access, so there are no access
// types or required capabilities to report.
void HmsHandler::get_tables_ext(std::vector<ExtendedTableInfo>& _return,
                                const GetTablesExtRequest& req) {
  ARBOR_HMS_DELEGATES_TO(get_tables_ext, get_tables);
  std::vector<std::string> names;
  get_tables(names, WithCatalog(req.__isset.catalog, req.catalog, req.database),
             req.__isset.tableNamePattern ? req.tableNamePattern : "*");
  _return.clear();
  for (std::string& name : names) {
    if (req.__isset.limit && req.limit >= 0 && _return.size() >= static_cast<size_t>(req.limit)) {
      break;
    }
    ExtendedTableInfo info;
    info.tblName = std::move(name);
    _return.push_back(std::move(info));
  }
}

void HmsHandler::create_table_with_constraints(const Table& tbl, const std::vector<SQLPrimaryKey>&,
                                               const std::vector<SQLForeignKey>&,
                                               const std::vector<SQLUniqueConstraint>&,
                                               const std::vector<SQLNotNullConstraint>&,
                                               const std::vector<SQLDefaultConstraint>&,
                                               const std::vector<SQLCheckConstraint>&) {
  ARBOR_HMS_DELEGATES_TO(create_table_with_constraints, create_table_with_environment_context);
  // Constraints are not kept (the constraint getters answer empty), as for
  // create_table_req.
  create_table_with_environment_context(tbl, EnvironmentContext());
}

// The expression is Hive's Kryo serialization of an operator tree, which Arbor
// cannot evaluate. Without an expression the answer is every partition name;
// with one, a clear MetaException (answering every name would be a wrong result:
// unlike get_partitions_by_expr, this reply has no "filter again" flag).
void HmsHandler::get_partition_names_req(std::vector<std::string>& _return,
                                         const PartitionsByExprRequest& req) {
  if (req.__isset.expr && !req.expr.empty()) {
    FailWithMetaException(
        "Arbor cannot evaluate serialized partition expressions "
        "(get_partition_names_req with expr); list names with get_partition_names_ps "
        "or filter with get_partitions_by_filter");
  }
  PartitionsRequest names;
  names.__set_dbName(req.dbName);
  names.__set_tblName(req.tblName);
  if (req.__isset.catName) names.__set_catName(req.catName);
  names.__set_maxParts(req.__isset.maxParts ? req.maxParts : -1);
  fetch_partition_names_req(_return, names);
}

// The filter spec picks the older listing: by names (get_partitions_by_names),
// by values (get_partitions_ps), by filter expressions, all of which must hold
// (get_partitions_by_filter), or everything. The projection spec is not applied:
// partitions come back whole.
//
// The reply is grouped as Hive groups it (GroupPartitionSpecs).
void HmsHandler::get_partitions_with_specs(GetPartitionsResponse& _return,
                                           const GetPartitionsRequest& req) {
  std::string db = WithCatalog(req.__isset.catName, req.catName, req.dbName);
  std::vector<Partition> parts;
  Table table;
  const GetPartitionsFilterSpec& spec = req.filterSpec;
  const bool filtered = req.__isset.filterSpec && spec.__isset.filterMode;
  const std::vector<std::string> no_filters;
  const std::vector<std::string>& filters = spec.__isset.filters ? spec.filters : no_filters;
  AsMetaException([&] {
    get_table(table, db, req.tblName);
    if (filtered && spec.filterMode == PartitionFilterMode::BY_NAMES) {
      get_partitions_by_names(parts, db, req.tblName, filters);
    } else if (filtered && spec.filterMode == PartitionFilterMode::BY_VALUES) {
      get_partitions_ps(parts, db, req.tblName, filters, -1);
    } else if (filtered && spec.filterMode == PartitionFilterMode::BY_EXPR && !filters.empty()) {
      get_partitions_by_filter(parts, db, req.tblName, JoinFilters(filters), -1);
    } else {
      get_partitions(parts, db, req.tblName, -1);
    }
  });
  const std::string root = table.__isset.sd && table.sd.__isset.location ? table.sd.location : "";
  _return.__set_partitionSpec(GroupPartitionSpecs(root, std::move(parts)));
}

}  // namespace arbor::hms

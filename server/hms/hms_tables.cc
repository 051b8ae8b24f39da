// Tables: reads, listings, create, alter (with rename and Iceberg's
// compare-and-set), drop.
#include <optional>
#include <regex>
#include <set>

#include "server/hms/hms_convert.h"
#include "server/hms/hms_handler.h"
#include "server/hms/hms_semantics.h"
#include "server/hms/hms_validation.h"
#include "server/hms/local_dirs.h"
#include "server/hms/name_pattern.h"
#include "server/hms/partition_filter.h"
#include "server/hms/table_projection.h"
#include "versioning/names.h"

namespace arbor::hms {

using hive::AlterTableRequest;
using hive::AlterTableResponse;
using hive::AsyncOperationResp;
using hive::CreateTableRequest;
using hive::DropTableRequest;
using hive::EnvironmentContext;
using hive::FieldSchema;
using hive::GetTableRequest;
using hive::GetTableResult;
using hive::GetTablesRequest;
using hive::GetTablesResult;
using hive::PrincipalType;
using hive::Table;
using hive::TableMeta;

namespace {

constexpr const char* kExpectedKey = "expected_parameter_key";
constexpr const char* kExpectedValue = "expected_parameter_value";
constexpr const char* kFilterParams = "hive_filter_field_params__";
constexpr const char* kFilterOwner = "hive_filter_field_owner__";
constexpr const char* kFilterTableName = "hive_filter_field_tablename__";
constexpr const char* kFilterLastAccess = "hive_filter_field_last_access__";

// The table as the client sees it: its database named as the client addressed it.
Table ToClient(const catalog::Table& t, const DbName& name, const LocationRenderer& render) {
  Table out = FromProto(t);
  RenderLocations(render, &out);
  out.__set_dbName(name.echo);
  // A stored catalog name wins; otherwise the catalog the client addressed.
  if (!t.has_cat_name() && name.catalog) out.__set_catName(*name.catalog);
  return out;
}

std::string Param(const catalog::Table& t, const std::string& key) {
  if (!t.has_parameters()) return "";
  auto it = t.parameters().entries().find(key);
  return it == t.parameters().entries().end() ? "" : it->second;
}

// Iceberg's lock-free commit: the stored value of `key` must still be `expected`.
// The message text is what Iceberg matches to retry the commit.
Status CheckExpectedParameter(const catalog::Table& current, const std::string& key,
                              const std::string& expected) {
  std::string actual = Param(current, key);
  if (actual == expected) return Status::OK();
  return Status::PreconditionFailed("The table has been modified. The parameter value for key '" +
                                    key + "' is '" + actual + "'. The expected was value was '" +
                                    expected + "'");
}

// get_table_names_by_filter: the filter grammar of partitions, over pseudo-keys that
// name table fields and parameters.
struct TableFilter {
  PartitionFilter filter;
  std::vector<std::string> params;  // parameter names, in key order after the fixed keys
};

Result<TableFilter> ParseTableFilter(const std::string& text) {
  std::vector<PartitionKeyInfo> keys = {
      {kFilterOwner, "string"}, {kFilterTableName, "string"}, {kFilterLastAccess, "int"}};
  std::vector<std::string> params;
  std::string lower = NormalizeIdentifier(text);
  static const std::regex kParamRef(std::string(kFilterParams) + "([A-Za-z0-9_]+)");
  std::set<std::string> seen;
  for (std::sregex_iterator it(lower.begin(), lower.end(), kParamRef), end; it != end; ++it) {
    std::string param = (*it)[1];
    if (!seen.insert(param).second) continue;
    params.push_back(param);
    keys.push_back({kFilterParams + param, "string"});
  }
  ARBOR_ASSIGN_OR_RETURN(PartitionFilter filter, PartitionFilter::Parse(text, keys));
  return TableFilter{std::move(filter), std::move(params)};
}

bool TableMatches(const TableFilter& f, const catalog::Table& t) {
  std::vector<std::string> values = {t.owner(), t.table_name(),
                                     std::to_string(t.last_access_time())};
  for (const auto& p : f.params) {
    // Hive stores parameter keys as given; the filter's identifiers are case-folded.
    // A table without the parameter satisfies no comparison on it, not even <>
    // (SQL NULL, as in Hive): it gets the value the filter treats as NULL.
    std::optional<std::string> v;
    if (t.has_parameters()) {
      for (const auto& [k, val] : t.parameters().entries()) {
        if (k == p || (!v && NormalizeIdentifier(k) == p)) v = val;
      }
    }
    values.push_back(v ? *v : std::string(kHiveDefaultPartitionValue));
  }
  return f.filter.Matches(values);
}

// get_table_objects_by_name: the named tables that exist, each once, in the
// order named. A missing table is left out; any other failure is returned.
Status TablesByName(const CatalogTxn& txn, const DbName& n, const LocationRenderer& render,
                    const std::vector<std::string>& names, std::vector<Table>* out) {
  std::set<std::string> seen;
  for (const auto& name : names) {
    if (!seen.insert(NormalizeIdentifier(name)).second) continue;
    auto t = txn.GetTable(n.db, name);
    if (t.ok()) {
      out->push_back(ToClient(*t, n, render));
    } else if (!t.status().IsNotFound()) {
      return t.status();
    }
  }
  return Status::OK();
}

}  // namespace

// --- reads

void HmsHandler::get_table(Table& _return, const std::string& dbname, const std::string& tbl_name) {
  using E = ARBOR_HMS_THROWS(get_table);
  DbName n = Parse<E>(dbname);
  ReadView view = View<E>(n);
  CatalogTxn txn(view);
  // The stored table is only converted, so it is parsed into a stack-backed arena:
  // its parse was most of this call's own work, in small allocations.
  alignas(16) char block[8192];
  google::protobuf::ArenaOptions options;
  options.initial_block = block;
  options.initial_block_size = sizeof block;
  google::protobuf::Arena arena(options);
  const catalog::Table* t = Check<E>(txn.GetTableIn(n.db, tbl_name, &arena));
  _return = ToClient(*t, n, Render<E>(view));
}

void HmsHandler::get_table_req(GetTableResult& _return, const GetTableRequest& req) {
  ARBOR_HMS_DELEGATES_TO(get_table_req, get_table);
  std::string db = req.__isset.dbName ? req.dbName : "";
  if (req.__isset.catName && (db.empty() || db[0] != '@')) db = "@" + req.catName + "#" + db;
  get_table(_return.table, db, req.__isset.tblName ? req.tblName : "");
}

void HmsHandler::get_table_objects_by_name(std::vector<Table>& _return, const std::string& dbname,
                                           const std::vector<std::string>& tbl_names) {
  // This legacy method declares no exceptions (E is empty, so failures raise
  // MetaException): a bad argument can only surface as an application error,
  // which is what Hive's own server produces too.
  using E = ARBOR_HMS_THROWS(get_table_objects_by_name);
  DbName n = Parse<E>(dbname);
  ReadView view = View<E>(n);
  CatalogTxn txn(view);
  LocationRenderer render = Render<E>(view);
  _return.clear();
  Check<E>(TablesByName(txn, n, render, tbl_names, &_return));
}

void HmsHandler::get_table_objects_by_name_req(GetTablesResult& _return,
                                               const GetTablesRequest& req) {
  using E = ARBOR_HMS_THROWS(get_table_objects_by_name_req);
  std::string db = req.__isset.dbName ? req.dbName : "";
  if (req.__isset.catName && (db.empty() || db[0] != '@')) db = "@" + req.catName + "#" + db;
  DbName n = Parse<E>(db);
  ReadView view = View<E>(n);
  CatalogTxn txn(view);
  Check<E>(txn.GetDatabase(n.db).status());
  // The rest fails as MetaException, as the legacy get_table_objects_by_name does.
  LocationRenderer render = Render<MetaOnly>(view);
  TableProjection projection;
  if (req.__isset.projectionSpec) {
    projection = Check<MetaOnly>(TableProjection::Parse(req.projectionSpec));
  }
  _return.tables.clear();
  if (req.__isset.tblNames) {
    Check<MetaOnly>(TablesByName(txn, n, render, req.tblNames, &_return.tables));
  } else {
    NamePattern pattern = NamePattern::MatchAll();
    if (req.__isset.tablesPattern) {
      pattern = Check<MetaOnly>(NamePattern::Parse(req.tablesPattern));
    }
    Check<MetaOnly>(txn.ScanTables(n.db, [&](const catalog::Table& t) {
      if (pattern.Matches(t.table_name())) _return.tables.push_back(ToClient(t, n, render));
      return true;
    }));
  }
  if (!projection.whole()) {
    for (auto& t : _return.tables)
      t = projection.Apply(t);
  }
}

void HmsHandler::get_tables(std::vector<std::string>& _return, const std::string& db_name,
                            const std::string& pattern) {
  ARBOR_HMS_DELEGATES_TO(get_tables, get_tables_by_type);
  get_tables_by_type(_return, db_name, pattern, "");
}

void HmsHandler::get_tables_by_type(std::vector<std::string>& _return, const std::string& db_name,
                                    const std::string& pattern, const std::string& tableType) {
  using E = ARBOR_HMS_THROWS(get_tables_by_type);
  DbName n = Parse<E>(db_name);
  NamePattern matcher = Check<E>(NamePattern::Parse(pattern));
  ReadView view = View<E>(n);
  CatalogTxn txn(view);
  _return.clear();
  Check<E>(txn.ScanTables(n.db, [&](const catalog::Table& t) {
    if (matcher.Matches(t.table_name()) && (tableType.empty() || t.table_type() == tableType)) {
      _return.push_back(t.table_name());
    }
    return true;
  }));
}

void HmsHandler::get_all_tables(std::vector<std::string>& _return, const std::string& db_name) {
  ARBOR_HMS_DELEGATES_TO(get_all_tables, get_tables_by_type);
  get_tables_by_type(_return, db_name, "*", "");
}

void HmsHandler::get_table_meta(std::vector<TableMeta>& _return, const std::string& db_patterns,
                                const std::string& tbl_patterns,
                                const std::vector<std::string>& tbl_types) {
  using E = ARBOR_HMS_THROWS(get_table_meta);
  DbName p = ParseDbPattern(db_patterns, context_->options.ref_separator);
  NamePattern db_matcher = Check<E>(NamePattern::Parse(p.db));
  NamePattern tbl_matcher = Check<E>(NamePattern::Parse(tbl_patterns));
  std::set<std::string> types(tbl_types.begin(), tbl_types.end());
  ReadView view = View<E>(p);
  CatalogTxn txn(view);
  _return.clear();
  for (const auto& db : Check<E>(txn.ListDatabaseNames())) {
    if (!db_matcher.Matches(db)) continue;
    std::string echo = EchoName(db, p.ref);
    Check<E>(txn.ScanTables(db, [&](const catalog::Table& t) {
      if (!tbl_matcher.Matches(t.table_name())) return true;
      if (!types.empty() && !types.count(t.table_type())) return true;
      TableMeta meta;
      meta.__set_dbName(echo);
      meta.__set_tableName(t.table_name());
      meta.__set_tableType(t.table_type());
      std::string comment = Param(t, "comment");
      if (!comment.empty()) meta.__set_comments(comment);
      meta.__set_catName(p.catalog.value_or("hive"));
      if (t.has_owner()) meta.__set_ownerName(t.owner());
      if (t.has_owner_type())
        meta.__set_ownerType(static_cast<PrincipalType::type>(t.owner_type()));
      _return.push_back(std::move(meta));
      return true;
    }));
  }
}

void HmsHandler::get_table_names_by_filter(std::vector<std::string>& _return,
                                           const std::string& dbname, const std::string& filter,
                                           const int16_t max_tables) {
  using E = ARBOR_HMS_THROWS(get_table_names_by_filter);
  DbName n = Parse<E>(dbname);
  TableFilter f = Check<E>(ParseTableFilter(filter));
  ReadView view = View<E>(n);
  CatalogTxn txn(view);
  Check<E>(txn.GetDatabase(n.db).status());
  _return.clear();
  // The database exists (checked above): a failing scan is the store's, which
  // Hive reports as MetaException.
  Check<MetaOnly>(txn.ScanTables(n.db, [&](const catalog::Table& t) {
    if (TableMatches(f, t)) _return.push_back(t.table_name());
    return max_tables < 0 || _return.size() < static_cast<size_t>(max_tables);
  }));
}

void HmsHandler::get_fields(std::vector<FieldSchema>& _return, const std::string& db_name,
                            const std::string& table_name) {
  using E = ARBOR_HMS_THROWS(get_fields);
  DbName n = Parse<E>(db_name);
  ReadView view = View<E>(n);
  CatalogTxn txn(view);
  // Hive answers UnknownTableException whether the table or its database is missing.
  catalog::Table t = Check<Without<E, hive::UnknownDBException>>(txn.GetTable(n.db, table_name));
  _return = FromProto(t).sd.cols;
}

void HmsHandler::get_fields_with_environment_context(std::vector<FieldSchema>& _return,
                                                     const std::string& db_name,
                                                     const std::string& table_name,
                                                     const EnvironmentContext&) {
  ARBOR_HMS_DELEGATES_TO(get_fields_with_environment_context, get_fields);
  get_fields(_return, db_name, table_name);
}

void HmsHandler::get_schema(std::vector<FieldSchema>& _return, const std::string& db_name,
                            const std::string& table_name) {
  using E = ARBOR_HMS_THROWS(get_schema);
  DbName n = Parse<E>(db_name);
  ReadView view = View<E>(n);
  CatalogTxn txn(view);
  Table t = FromProto(Check<Without<E, hive::UnknownDBException>>(txn.GetTable(n.db, table_name)));
  _return = t.sd.cols;
  _return.insert(_return.end(), t.partitionKeys.begin(), t.partitionKeys.end());
}

void HmsHandler::get_schema_with_environment_context(std::vector<FieldSchema>& _return,
                                                     const std::string& db_name,
                                                     const std::string& table_name,
                                                     const EnvironmentContext&) {
  ARBOR_HMS_DELEGATES_TO(get_schema_with_environment_context, get_schema);
  get_schema(_return, db_name, table_name);
}

// --- create

void HmsHandler::create_table(const Table& tbl) {
  ARBOR_HMS_DELEGATES_TO(create_table, create_table_with_environment_context);
  create_table_with_environment_context(tbl, EnvironmentContext());
}

void HmsHandler::create_table_with_environment_context(const Table& tbl,
                                                       const EnvironmentContext&) {
  using E = ARBOR_HMS_THROWS(create_table_with_environment_context);
  DbName n = Parse<E>(tbl.__isset.dbName ? tbl.dbName : "");
  catalog::Table t = Check<E>(ToProto(tbl));
  Check<E>(CheckNewTable(t));
  t.set_db_name(n.db);
  t.set_table_name(NormalizeIdentifier(t.table_name()));
  if (n.catalog) t.set_cat_name(*n.catalog);
  Write<E>(n, "create table " + n.db + "." + t.table_name(), [&](CatalogTxn& txn) -> Status {
    ARBOR_ASSIGN_OR_RETURN(catalog::Database db, txn.GetDatabase(n.db));
    ApplyTableDefaults(&t, db, NowSeconds());
    StoreLocations(locations(), &t);
    return txn.CreateTable(db, t);  // the database just read: not looked up again
  });
  if (t.has_sd()) MakeLocalDirectory(t.sd().location());
}

void HmsHandler::create_table_req(const CreateTableRequest& request) {
  ARBOR_HMS_DELEGATES_TO(create_table_req, create_table_with_environment_context);
  // Constraints are not stored (Arbor keeps none; the getters answer empty).
  create_table_with_environment_context(request.table, request.envContext);
}

// --- drop

void HmsHandler::drop_table(const std::string& dbname, const std::string& name,
                            const bool deleteData) {
  ARBOR_HMS_DELEGATES_TO(drop_table, drop_table_with_environment_context);
  drop_table_with_environment_context(dbname, name, deleteData, EnvironmentContext());
}

void HmsHandler::drop_table_with_environment_context(const std::string& dbname,
                                                     const std::string& name, const bool,
                                                     const EnvironmentContext&) {
  using E = ARBOR_HMS_THROWS(drop_table_with_environment_context);
  // deleteData is accepted and ignored: Arbor never deletes data files.
  DbName n = Parse<E>(dbname);
  Write<E>(n, "drop table " + n.db + "." + NormalizeIdentifier(name),
           [&](CatalogTxn& txn) { return txn.DropTable(n.db, name); });
}

void HmsHandler::drop_table_req(AsyncOperationResp& _return, const DropTableRequest& req) {
  ARBOR_HMS_DELEGATES_TO(drop_table_req, drop_table_with_environment_context);
  std::string db = req.__isset.dbName ? req.dbName : "";
  if (req.__isset.catalogName && (db.empty() || db[0] != '@')) {
    db = "@" + req.catalogName + "#" + db;
  }
  drop_table_with_environment_context(db, req.__isset.tableName ? req.tableName : "",
                                      req.__isset.deleteData && req.deleteData, req.envContext);
  _return.__set_id(req.__isset.id ? req.id : "arbor-sync");
  _return.__set_finished(true);
}

// --- alter

namespace {

struct AlterSpec {
  std::string expected_key;
  std::optional<std::string> expected_value;
  bool cascade = false;
};

AlterSpec SpecFromContext(const EnvironmentContext& ctx) {
  AlterSpec spec;
  if (!ctx.__isset.properties) return spec;
  auto key = ctx.properties.find(kExpectedKey);
  auto value = ctx.properties.find(kExpectedValue);
  if (key != ctx.properties.end()) {
    spec.expected_key = key->second;
    spec.expected_value = value == ctx.properties.end() ? "" : value->second;
  }
  auto cascade = ctx.properties.find("CASCADE");
  spec.cascade = cascade != ctx.properties.end() && NormalizeIdentifier(cascade->second) == "true";
  return spec;
}

// Hive 4 refuses an alter that changes the number or the names of the partition
// keys, except on views; their types and comments may change (Hive's client API
// test TestTablesCreateDropAlterTruncate.testAlterTableChangeCols). Arbor reads
// keys a client left out as none, so such a client can alter an unpartitioned table.
Status CheckPartitionKeysKept(const catalog::Table& current, const catalog::Table& altered) {
  if (current.table_type() == "VIRTUAL_VIEW") return Status::OK();
  const auto& before = current.partition_keys().items();
  const auto& after = altered.partition_keys().items();
  bool same = before.size() == after.size();
  for (int i = 0; same && i < before.size(); ++i) {
    same = NormalizeIdentifier(before[i].name()) == NormalizeIdentifier(after[i].name());
  }
  if (same) return Status::OK();
  return Status::InvalidArgument("partition keys can not be changed.");
}

// Alter reports a missing table, and a rename onto a taken name, as an invalid
// operation, as Hive does.
Status AsInvalidOperation(Status s) {
  if (s.IsNotFound()) return Status::InvalidArgument("Unable to alter table: " + s.message());
  if (s.IsAlreadyExists()) return Status::InvalidArgument("Unable to alter table: " + s.message());
  return s;
}

}  // namespace

void HmsHandler::alter_table(const std::string& dbname, const std::string& tbl_name,
                             const Table& new_tbl) {
  ARBOR_HMS_DELEGATES_TO(alter_table, alter_table_with_environment_context);
  alter_table_with_environment_context(dbname, tbl_name, new_tbl, EnvironmentContext());
}

void HmsHandler::alter_table_with_cascade(const std::string& dbname, const std::string& tbl_name,
                                          const Table& new_tbl, const bool cascade) {
  ARBOR_HMS_DELEGATES_TO(alter_table_with_cascade, alter_table_with_environment_context);
  EnvironmentContext ctx;
  if (cascade) ctx.__set_properties({{"CASCADE", "true"}});
  alter_table_with_environment_context(dbname, tbl_name, new_tbl, ctx);
}

void HmsHandler::alter_table_with_environment_context(
    const std::string& dbname, const std::string& tbl_name, const Table& new_tbl,
    const EnvironmentContext& environment_context) {
  using E = ARBOR_HMS_THROWS(alter_table_with_environment_context);
  DbName n = Parse<E>(dbname);
  AlterSpec spec = SpecFromContext(environment_context);
  catalog::Table altered = Check<E>(ToProto(new_tbl));
  Check<E>(CheckColumnTypes(altered));
  StoreLocations(locations(), &altered);
  // The new name's database may carry the same ref; it must not name another one.
  if (new_tbl.__isset.dbName) {
    DbName target = Parse<E>(new_tbl.dbName);
    if (!target.ref.empty() && target.ref != n.ref && RefOf(target) != RefOf(n)) {
      Raise<E>(Status::InvalidArgument("cannot move table " + n.db + "." + tbl_name +
                                       " to another ref (" + target.ref + ")"));
    }
    altered.set_db_name(target.db);
  }
  std::string table = NormalizeIdentifier(tbl_name);
  Write<E>(n, "alter table " + n.db + "." + table, [&](CatalogTxn& txn) -> Status {
    auto current = txn.GetTable(n.db, table);
    if (!current.ok()) return AsInvalidOperation(current.status());
    if (spec.expected_value) {
      ARBOR_RETURN_IF_ERROR(
          CheckExpectedParameter(*current, spec.expected_key, *spec.expected_value));
    }
    ARBOR_RETURN_IF_ERROR(CheckPartitionKeysKept(*current, altered));
    // Hive fails on an altered table without a location (a NullPointerException
    // sent as MetaException); Arbor keeps the stored one rather than lose it.
    if (!altered.has_sd() && current->has_sd()) {
      *altered.mutable_sd() = current->sd();
    } else if (altered.sd().location().empty() && current->sd().has_location()) {
      altered.mutable_sd()->set_location(current->sd().location());
    }
    ApplyTableAlterDefaults(&altered, NowSeconds());
    if (NormalizeIdentifier(altered.table_name()) != table ||
        (!altered.db_name().empty() && altered.db_name() != n.db)) {
      KeepDataPathOnRename(&altered, *current);
    }
    ARBOR_RETURN_IF_ERROR(AsInvalidOperation(txn.AlterTable(n.db, table, altered)));
    if (!spec.cascade) return Status::OK();
    // CASCADE pushes the new columns into every partition's schema.
    std::vector<catalog::Partition> parts;
    ARBOR_RETURN_IF_ERROR(txn.ScanPartitions(altered.db_name(), altered.table_name(), 0,
                                             [&](const std::string&, const catalog::Partition& p) {
                                               parts.push_back(p);
                                               return true;
                                             }));
    for (auto& p : parts) {
      *p.mutable_sd()->mutable_cols() = altered.sd().cols();
      ARBOR_RETURN_IF_ERROR(txn.AlterPartition(altered.db_name(), altered.table_name(), p));
    }
    return Status::OK();
  });
}

void HmsHandler::alter_table_req(AlterTableResponse& _return, const AlterTableRequest& req) {
  ARBOR_HMS_DELEGATES_TO(alter_table_req, alter_table_with_environment_context);
  std::string db = req.__isset.dbName ? req.dbName : "";
  if (req.__isset.catName && (db.empty() || db[0] != '@')) db = "@" + req.catName + "#" + db;
  EnvironmentContext ctx = req.environmentContext;
  if (req.__isset.expectedParameterKey) {
    ctx.properties[kExpectedKey] = req.expectedParameterKey;
    ctx.properties[kExpectedValue] =
        req.__isset.expectedParameterValue ? req.expectedParameterValue : "";
    ctx.__isset.properties = true;
  }
  alter_table_with_environment_context(db, req.__isset.tableName ? req.tableName : "", req.table,
                                       ctx);
  (void)_return;
}

}  // namespace arbor::hms

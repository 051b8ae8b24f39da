// Databases: get, list, create, alter, drop.
#include <optional>
#include <string>

#include "server/hms/hms_convert.h"
#include "server/hms/hms_handler.h"
#include "server/hms/hms_semantics.h"
#include "server/hms/local_dirs.h"
#include "server/hms/name_pattern.h"

namespace arbor::hms {

using hive::AlterDatabaseRequest;
using hive::AsyncOperationResp;
using hive::CreateDatabaseRequest;
using hive::Database;
using hive::DropDatabaseRequest;
using hive::GetDatabaseObjectsRequest;
using hive::GetDatabaseObjectsResponse;
using hive::GetDatabaseRequest;
using hive::NoSuchObjectException;

namespace {

// What a database looks like to the client: stored fields, with the name as the
// client addressed it (including its ref).
Database ToClient(const catalog::Database& db, const DbName& name, const LocationRenderer& render) {
  Database out = FromProto(db);
  RenderLocations(render, &out);
  out.__set_name(name.echo.empty() ? db.name() : name.echo);
  // A stored catalog name wins; otherwise the catalog the client addressed.
  if (!db.has_catalog_name() && name.catalog) out.__set_catalogName(*name.catalog);
  return out;
}

}  // namespace

void HmsHandler::get_database(Database& _return, const std::string& name) {
  using E = ARBOR_HMS_THROWS(get_database);
  DbName n = Parse<E>(name);
  ReadView view = View<E>(n);
  CatalogTxn txn(view);
  catalog::Database db = Check<E>(txn.GetDatabase(n.db));
  _return = ToClient(db, n, Render<E>(view));
}

void HmsHandler::get_database_req(Database& _return, const GetDatabaseRequest& request) {
  ARBOR_HMS_DELEGATES_TO(get_database_req, get_database);
  std::string name = request.__isset.name ? request.name : "";
  if (request.__isset.catalogName && (name.empty() || name[0] != '@')) {
    name = "@" + request.catalogName + "#" + name;
  }
  get_database(_return, name);
}

void HmsHandler::get_databases(std::vector<std::string>& _return, const std::string& pattern) {
  using E = ARBOR_HMS_THROWS(get_databases);
  DbName p = ParseDbPattern(pattern, context_->options.ref_separator);
  NamePattern matcher = Check<E>(NamePattern::Parse(p.db));
  ReadView view = View<E>(p);
  CatalogTxn txn(view);
  _return.clear();
  for (auto& db : Check<E>(txn.ListDatabaseNames())) {
    if (matcher.Matches(db)) _return.push_back(EchoName(db, p.ref));
  }
}

void HmsHandler::get_databases_req(GetDatabaseObjectsResponse& _return,
                                   const GetDatabaseObjectsRequest& request) {
  // get_databases, then get_database for each name, but through one view: the
  // ref is resolved once, and the objects are those the listing saw.
  using E = ARBOR_HMS_THROWS(get_databases_req);
  DbName p = ParseDbPattern(request.__isset.pattern ? request.pattern : "*",
                            context_->options.ref_separator);
  NamePattern matcher = Check<E>(NamePattern::Parse(p.db));
  ReadView view = View<E>(p);
  CatalogTxn txn(view);
  std::optional<LocationRenderer> render;  // only needed once a database matches
  _return.databases.clear();
  for (const auto& db : Check<E>(txn.ListDatabaseNames())) {
    if (!matcher.Matches(db)) continue;
    DbName n = Parse<E>(EchoName(db, p.ref));
    if (!render) render = Render<E>(view);
    _return.databases.push_back(ToClient(Check<E>(txn.GetDatabase(n.db)), n, *render));
  }
}

std::string HmsHandler::EchoName(const std::string& db, const std::string& ref) const {
  return ref.empty() ? db : db + context_->options.ref_separator + ref;
}

void HmsHandler::get_all_databases(std::vector<std::string>& _return) {
  ARBOR_HMS_DELEGATES_TO(get_all_databases, get_databases);
  get_databases(_return, "*");
}

void HmsHandler::create_database(const Database& database) {
  using E = ARBOR_HMS_THROWS(create_database);
  DbName n = Parse<E>(database.__isset.name ? database.name : "");
  catalog::Database db = Check<E>(ToProto(database));
  db.set_name(n.db);
  if (n.catalog || db.has_catalog_name())
    db.set_catalog_name(n.catalog.value_or(db.catalog_name()));
  ApplyDatabaseDefaults(&db, context_->options.warehouse, NowSeconds());
  StoreLocations(locations(), &db);
  Write<E>(n, "create database " + n.db, [&](CatalogTxn& txn) { return txn.CreateDatabase(db); });
  MakeLocalDirectory(db.location_uri());
}

void HmsHandler::create_database_req(const CreateDatabaseRequest& r) {
  ARBOR_HMS_DELEGATES_TO(create_database_req, create_database);
  Database db;
  if (r.__isset.databaseName) db.__set_name(r.databaseName);
  if (r.__isset.description) db.__set_description(r.description);
  if (r.__isset.locationUri) db.__set_locationUri(r.locationUri);
  if (r.__isset.parameters) db.__set_parameters(r.parameters);
  if (r.__isset.privileges) db.__set_privileges(r.privileges);
  if (r.__isset.ownerName) db.__set_ownerName(r.ownerName);
  if (r.__isset.ownerType) db.__set_ownerType(r.ownerType);
  if (r.__isset.catalogName) db.__set_catalogName(r.catalogName);
  if (r.__isset.createTime) db.__set_createTime(r.createTime);
  if (r.__isset.managedLocationUri) db.__set_managedLocationUri(r.managedLocationUri);
  if (r.__isset.type) db.__set_type(r.type);
  if (r.__isset.dataConnectorName) db.__set_connector_name(r.dataConnectorName);
  if (r.__isset.remote_dbname) db.__set_remote_dbname(r.remote_dbname);
  create_database(db);
}

void HmsHandler::drop_database(const std::string& name, const bool deleteData, const bool cascade) {
  using E = ARBOR_HMS_THROWS(drop_database);
  // deleteData is accepted and ignored: Arbor never deletes data files, and other
  // branches may still point at them.
  (void)deleteData;
  DbName n = Parse<E>(name);
  if (n.db == "default") {
    Raise<E>(Status::NotEmpty("Can not drop default database"));
  }
  Write<E>(n, "drop database " + n.db,
           [&](CatalogTxn& txn) { return txn.DropDatabase(n.db, cascade); });
}

void HmsHandler::drop_database_req(AsyncOperationResp& _return, const DropDatabaseRequest& req) {
  ARBOR_HMS_DELEGATES_TO(drop_database_req, drop_database);
  std::string name = req.__isset.name ? req.name : "";
  if (req.__isset.catalogName && (name.empty() || name[0] != '@')) {
    name = "@" + req.catalogName + "#" + name;
  }
  try {
    drop_database(name, req.__isset.deleteData && req.deleteData,
                  req.__isset.cascade && req.cascade);
  } catch (const NoSuchObjectException&) {
    if (!(req.__isset.ignoreUnknownDb && req.ignoreUnknownDb)) throw;
  }
  // Drops complete synchronously; the id only satisfies the required field.
  _return.__set_id(req.__isset.id ? req.id : "arbor-sync");
  _return.__set_finished(true);
}

void HmsHandler::alter_database(const std::string& dbname, const Database& db) {
  using E = ARBOR_HMS_THROWS(alter_database);
  DbName n = Parse<E>(dbname);
  catalog::Database altered = Check<E>(ToProto(db));
  altered.set_name(n.db);
  StoreLocations(locations(), &altered);
  Write<E>(n, "alter database " + n.db, [&](CatalogTxn& txn) -> Status {
    // As Hive: a new database object without a location keeps the stored ones.
    if (altered.location_uri().empty() || altered.managed_location_uri().empty()) {
      ARBOR_ASSIGN_OR_RETURN(catalog::Database current, txn.GetDatabase(n.db));
      if (altered.location_uri().empty() && current.has_location_uri()) {
        altered.set_location_uri(current.location_uri());
      }
      if (altered.managed_location_uri().empty() && current.has_managed_location_uri()) {
        altered.set_managed_location_uri(current.managed_location_uri());
      }
    }
    return txn.AlterDatabase(n.db, altered);
  });
}

void HmsHandler::alter_database_req(const AlterDatabaseRequest& req) {
  ARBOR_HMS_DELEGATES_TO(alter_database_req, alter_database);
  alter_database(req.__isset.oldDbName ? req.oldDbName : "", req.newDb);
}

}  // namespace arbor::hms

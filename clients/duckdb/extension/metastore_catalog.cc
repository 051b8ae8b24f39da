#include "clients/duckdb/extension/metastore_catalog.h"

#include "duckdb/catalog/catalog_entry/table_catalog_entry.hpp"
#include "duckdb/main/attached_database.hpp"
#include "duckdb/parser/expression/columnref_expression.hpp"
#include "duckdb/parser/parsed_data/create_schema_info.hpp"
#include "duckdb/parser/parsed_data/create_table_info.hpp"
#include "duckdb/parser/parsed_data/drop_info.hpp"
#include "duckdb/planner/parsed_data/bound_create_table_info.hpp"
#include "duckdb/storage/database_size.hpp"
#include "duckdb/storage/table_storage_info.hpp"

#include "clients/duckdb/extension/metastore_scan.h"
#include "clients/duckdb/extension/metastore_write.h"
#include "clients/duckdb/extension/table_validation.h"
#include "clients/duckdb/extension/type_mapping.h"
#include "clients/duckdb/metastore/format.h"

namespace duckdb {

namespace ms = arbor::metastore;

void ThrowStatus(const arbor::Status& status, const std::string& what) {
  std::string message = what.empty() ? status.message() : what + ": " + status.message();
  switch (status.code()) {
    case arbor::StatusCode::kNotFound:
    case arbor::StatusCode::kAlreadyExists:
      throw CatalogException(message);
    case arbor::StatusCode::kInvalidArgument:
    case arbor::StatusCode::kInvalidRequest:
      throw InvalidInputException(message);
    case arbor::StatusCode::kReadOnly:
      throw PermissionException(message);
    default:
      throw IOException(message);
  }
}

namespace {

std::string Key(const std::string& schema, const std::string& table) {
  return StringUtil::Lower(schema) + "\x1f" + StringUtil::Lower(table);
}

unique_ptr<MetastoreTableEntry> MakeTableEntry(Catalog& catalog, SchemaCatalogEntry& schema,
                                               ms::Table table,
                                               const std::shared_ptr<MetastoreClient>& client,
                                               optional_ptr<ClientContext> context) {
  CreateTableInfo info(schema, Identifier(table.name));
  info.columns = MetastoreColumns(context, table);
  // A table's oid is a function of its name, not of the lookup that made
  // the entry: system functions that join on oids (SHOW ALL TABLES joins
  // duckdb_tables() with duckdb_columns()) then agree however often the
  // table was looked up. The top bits keep it clear of DuckDB's counter.
  const idx_t oid =
      (idx_t(1) << 62) | (std::hash<std::string>()(Key(
                              client->NamespaceFor(schema.name.GetIdentifierName()), table.name)) &
                          ((idx_t(1) << 62) - 1));
  auto shared = std::make_shared<const ms::Table>(std::move(table));
  auto entry = make_uniq<MetastoreTableEntry>(catalog, schema, info, shared, client);
  entry->oid = oid;
  return entry;
}

}  // namespace

ColumnList MetastoreColumns(optional_ptr<ClientContext> context, const ms::Table& table) {
  ColumnList columns;
  vector<Identifier> names;
  vector<LogicalType> types;
  // Iceberg and Delta tables carry their schema in their own metadata; the
  // metastore's columns may be a placeholder (Spark's `col array<string>`).
  if (context && LakehouseSchema(*context, table, names, types)) {
    for (idx_t i = 0; i < names.size(); i++)
      columns.AddColumn(ColumnDefinition(names[i], types[i]));
    return columns;
  }
  auto add = [&](const ms::Column& c) {
    ColumnDefinition def(Identifier(c.name), HiveToDuckDB(c.type, table.name + "." + c.name));
    if (!c.comment.empty()) def.SetComment(Value(c.comment));
    columns.AddColumn(std::move(def));
  };
  for (const auto& c : table.storage.columns)
    add(c);
  for (const auto& c : table.partition_columns)
    add(c);
  return columns;
}

// ---------------------------------------------------------------- table ----

MetastoreTableEntry::MetastoreTableEntry(Catalog& catalog, SchemaCatalogEntry& schema,
                                         CreateTableInfo& info,
                                         std::shared_ptr<const ms::Table> table,
                                         std::shared_ptr<MetastoreClient> client)
    : TableCatalogEntry(catalog, schema, info),
      columns_(info.columns.Copy()),
      table_(std::move(table)),
      client_(std::move(client)) {}

unique_ptr<BaseStatistics> MetastoreTableEntry::GetStatistics(ClientContext&, column_t) {
  return nullptr;
}

TableFunction MetastoreTableEntry::GetScanFunction(ClientContext& context,
                                                   unique_ptr<FunctionData>& bind_data) {
  return BindMetastoreScan(context, client_, table_, columns_, bind_data);
}

TableStorageInfo MetastoreTableEntry::GetStorageInfo(ClientContext&) {
  TableStorageInfo info;
  if (table_->statistics.row_count)
    info.cardinality = NumericCast<idx_t>(*table_->statistics.row_count);
  return info;
}

// --------------------------------------------------------------- schema ----

MetastoreSchemaEntry::MetastoreSchemaEntry(Catalog& catalog, CreateSchemaInfo& info, std::string ns)
    : SchemaCatalogEntry(catalog, info), ns_(std::move(ns)) {}

void MetastoreSchemaEntry::Scan(ClientContext& context, CatalogType type,
                                const std::function<void(CatalogEntry&)>& callback) {
  if (type != CatalogType::TABLE_ENTRY) return;
  auto& mcatalog = catalog.Cast<MetastoreCatalog>();
  auto names = mcatalog.client()->With([&](ms::MetastoreProvider& p) { return p.ListTables(ns_); });
  if (!names.ok()) ThrowStatus(names.status(), "listing tables of " + ns_);
  auto transaction = catalog.GetCatalogTransaction(context);
  for (const auto& table : *names) {
    EntryLookupInfo lookup(CatalogType::TABLE_ENTRY, QualifiedName(Identifier(table)));
    auto entry = LookupEntry(transaction, lookup);
    if (entry) callback(*entry);
  }
}

void MetastoreSchemaEntry::Scan(CatalogType, const std::function<void(CatalogEntry&)>&) {
  throw NotImplementedException("metastore schemas are scanned with a client context");
}

namespace {
[[noreturn]] void Unsupported(const std::string& what) {
  throw NotImplementedException("%s is not supported in a metastore catalog", what);
}
}  // namespace

optional_ptr<CatalogEntry> MetastoreSchemaEntry::CreateIndex(CatalogTransaction, CreateIndexInfo&,
                                                             TableCatalogEntry&) {
  Unsupported("CREATE INDEX");
}
optional_ptr<CatalogEntry> MetastoreSchemaEntry::CreateFunction(CatalogTransaction,
                                                                CreateFunctionInfo&) {
  Unsupported("CREATE FUNCTION");
}
optional_ptr<CatalogEntry> MetastoreSchemaEntry::CreateView(CatalogTransaction, CreateViewInfo&) {
  Unsupported("CREATE VIEW");
}
optional_ptr<CatalogEntry> MetastoreSchemaEntry::CreateSequence(CatalogTransaction,
                                                                CreateSequenceInfo&) {
  Unsupported("CREATE SEQUENCE");
}
optional_ptr<CatalogEntry> MetastoreSchemaEntry::CreateTableFunction(CatalogTransaction,
                                                                     CreateTableFunctionInfo&) {
  Unsupported("CREATE FUNCTION");
}
optional_ptr<CatalogEntry> MetastoreSchemaEntry::CreateCopyFunction(CatalogTransaction,
                                                                    CreateCopyFunctionInfo&) {
  Unsupported("copy functions");
}
optional_ptr<CatalogEntry> MetastoreSchemaEntry::CreatePragmaFunction(CatalogTransaction,
                                                                      CreatePragmaFunctionInfo&) {
  Unsupported("pragma functions");
}
optional_ptr<CatalogEntry> MetastoreSchemaEntry::CreateType(CatalogTransaction, CreateTypeInfo&) {
  Unsupported("CREATE TYPE");
}
void MetastoreSchemaEntry::Alter(CatalogTransaction, AlterInfo&) {
  Unsupported("ALTER");
}

ms::Table MetastoreSchemaEntry::TableDefinition(BoundCreateTableInfo& bound) const {
  auto& info = bound.Base();
  ms::Table table;
  table.namespace_name = ns_;
  table.name = info.GetTableName().GetIdentifierName();
  table.table_type = "EXTERNAL_TABLE";
  table.storage = ms::StorageFor(ms::FileFormat::kParquet);
  table.properties["created_by"] = "arbor duckdb extension";
  std::vector<std::string> partition_names;
  for (auto& key : info.partition_keys) {
    if (key->GetExpressionClass() != ExpressionClass::COLUMN_REF) {
      throw BinderException("PARTITIONED BY takes column names (Hive identity partitions), not %s",
                            key->ToString());
    }
    partition_names.push_back(
        StringUtil::Lower(key->Cast<ColumnRefExpression>().GetColumnName().GetIdentifierName()));
  }
  std::vector<ms::Column> partition_columns(partition_names.size());
  std::vector<bool> found(partition_names.size(), false);
  for (auto& col : info.columns.Logical()) {
    std::string name = col.Name().GetIdentifierName();
    ms::Column c{name, DuckDBToHive(col.Type(), name), ""};
    auto it = std::find(partition_names.begin(), partition_names.end(), StringUtil::Lower(name));
    if (it != partition_names.end()) {
      partition_columns[it - partition_names.begin()] = c;
      found[it - partition_names.begin()] = true;
    } else {
      table.storage.columns.push_back(c);
    }
  }
  for (size_t i = 0; i < found.size(); i++) {
    if (!found[i])
      throw BinderException("PARTITIONED BY names unknown column \"%s\"", partition_names[i]);
  }
  table.partition_columns = partition_columns;
  if (table.storage.columns.empty()) {
    throw BinderException("table %s needs at least one column besides its partition columns",
                          table.name);
  }
  return table;
}

optional_ptr<CatalogEntry> MetastoreSchemaEntry::CreateTable(CatalogTransaction transaction,
                                                             BoundCreateTableInfo& bound) {
  auto& info = bound.Base();
  auto& mcatalog = catalog.Cast<MetastoreCatalog>();
  ms::Table table = TableDefinition(bound);
  arbor::Status st =
      mcatalog.client()->Write([&](ms::MetastoreProvider& p) { return p.CreateTable(table); });
  if (st.code() == arbor::StatusCode::kAlreadyExists &&
      info.on_conflict == OnCreateConflict::IGNORE_ON_CONFLICT) {
    st = arbor::Status::OK();
  }
  if (!st.ok()) ThrowStatus(st, "creating table " + ns_ + "." + table.name);
  auto& tx = MetastoreTransaction::Get(transaction, catalog);
  tx.Forget(Key(ns_, table.name));
  EntryLookupInfo lookup(CatalogType::TABLE_ENTRY, QualifiedName(Identifier(table.name)));
  return LookupEntry(transaction, lookup);
}

optional_ptr<CatalogEntry> MetastoreSchemaEntry::LookupEntry(CatalogTransaction transaction,
                                                             const EntryLookupInfo& lookup_info) {
  if (lookup_info.GetCatalogType() != CatalogType::TABLE_ENTRY) return nullptr;
  const std::string name = lookup_info.GetEntryName();
  auto& tx = MetastoreTransaction::Get(transaction, catalog);
  const std::string key = Key(ns_, name);
  if (auto cached = tx.Find(key)) return cached.get();
  auto& mcatalog = catalog.Cast<MetastoreCatalog>();
  const auto& client = mcatalog.client();
  if (auto cached = client->CachedTable(ns_, name)) {
    return tx.Store(key, MakeTableEntry(catalog, *this, *cached, client, transaction.context));
  }
  if (transaction.context && client->ValidatesAhead()) {
    auto& validation = TableValidation::Get(*transaction.context);
    auto last = validation.Deferrable() ? client->LastTable(ns_, name) : nullptr;
    auto ahead = last ? client->SendGetTable(ns_, name) : nullptr;
    if (ahead) {
      validation.Expect({&catalog, key, client, ns_, name, last, ahead});
      return tx.Store(key, MakeTableEntry(catalog, *this, *last, client, transaction.context));
    }
  }
  const uint64_t generation = client->TableGeneration();
  auto table = client->With([&](ms::MetastoreProvider& p) { return p.GetTable(ns_, name); });
  if (!table.ok()) {
    if (table.status().code() == arbor::StatusCode::kNotFound) return nullptr;
    ThrowStatus(table.status(), "looking up table " + ns_ + "." + name);
  }
  if (table->table_type == "VIRTUAL_VIEW") {
    throw NotImplementedException(
        "%s.%s is a Hive view; views are not read through the metastore catalog", ns_, name);
  }
  client->RememberTable(ns_, name, std::make_shared<const ms::Table>(*table), generation);
  return tx.Store(
      key, MakeTableEntry(catalog, *this, std::move(table).value(), client, transaction.context));
}

void MetastoreSchemaEntry::DropEntry(ClientContext& context, DropInfo& info) {
  if (info.type != CatalogType::TABLE_ENTRY) Unsupported("DROP of this entry type");
  const std::string name = info.GetQualifiedName().Name().GetIdentifierName();
  auto& mcatalog = catalog.Cast<MetastoreCatalog>();
  arbor::Status st =
      mcatalog.client()->Write([&](ms::MetastoreProvider& p) { return p.DropTable(ns_, name); });
  if (st.code() == arbor::StatusCode::kNotFound &&
      info.if_not_found != OnEntryNotFound::THROW_EXCEPTION) {
    return;
  }
  if (!st.ok()) ThrowStatus(st, "dropping table " + ns_ + "." + name);
  MetastoreTransaction::Get(catalog.GetCatalogTransaction(context), catalog).Forget(Key(ns_, name));
}

// -------------------------------------------------------------- catalog ----

MetastoreCatalog::MetastoreCatalog(AttachedDatabase& db, std::shared_ptr<MetastoreClient> client)
    : Catalog(db), client_(std::move(client)) {}

MetastoreCatalog::~MetastoreCatalog() = default;

MetastoreSchemaEntry& MetastoreCatalog::SchemaEntry(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  auto key = StringUtil::Lower(name);
  auto it = schemas_.find(key);
  if (it != schemas_.end()) return *it->second;
  CreateSchemaInfo info;
  info.SetQualifiedName(QualifiedName({Identifier(name)}, Identifier()));
  auto entry = make_uniq<MetastoreSchemaEntry>(*this, info, client_->NamespaceFor(name));
  auto& ref = *entry;
  schemas_.emplace(key, std::move(entry));
  return ref;
}

optional_ptr<CatalogEntry> MetastoreCatalog::CreateSchema(CatalogTransaction,
                                                          CreateSchemaInfo& info) {
  std::string name = info.SchemaName().GetIdentifierName();
  ms::Namespace ns;
  ns.name = client_->NamespaceFor(name);
  arbor::Status st =
      client_->Write([&](ms::MetastoreProvider& p) { return p.CreateNamespace(ns); });
  if (st.code() == arbor::StatusCode::kAlreadyExists &&
      info.on_conflict == OnCreateConflict::IGNORE_ON_CONFLICT) {
    st = arbor::Status::OK();
  }
  if (!st.ok()) ThrowStatus(st, "creating schema " + name);
  return &SchemaEntry(name);
}

optional_ptr<SchemaCatalogEntry> MetastoreCatalog::LookupSchema(
    CatalogTransaction, const EntryLookupInfo& schema_lookup, OnEntryNotFound if_not_found) {
  std::string name = schema_lookup.GetEntryName();
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = schemas_.find(StringUtil::Lower(name));
    if (it != schemas_.end()) return it->second.get();
  }
  std::string ns = client_->NamespaceFor(name);
  auto got = client_->With([&](ms::MetastoreProvider& p) { return p.GetNamespace(ns); });
  if (!got.ok()) {
    if (got.status().code() == arbor::StatusCode::kNotFound) {
      if (if_not_found == OnEntryNotFound::RETURN_NULL) return nullptr;
      throw CatalogException("schema \"%s\" does not exist in metastore catalog \"%s\" (%s)", name,
                             GetName().GetIdentifierName(), got.status().message());
    }
    ThrowStatus(got.status(), "looking up schema " + name);
  }
  return &SchemaEntry(name);
}

void MetastoreCatalog::ScanSchemas(ClientContext&,
                                   std::function<void(SchemaCatalogEntry&)> callback) {
  auto names = client_->With([&](ms::MetastoreProvider& p) { return p.ListNamespaces(); });
  if (!names.ok()) ThrowStatus(names.status(), "listing namespaces");
  for (const auto& name : *names)
    callback(SchemaEntry(name));
}

void MetastoreCatalog::DropSchema(ClientContext&, DropInfo& info) {
  std::string name = info.GetQualifiedName().Name().GetIdentifierName();
  arbor::Status st = client_->Write([&](ms::MetastoreProvider& p) {
    return p.DropNamespace(client_->NamespaceFor(name), info.cascade);
  });
  if (st.code() == arbor::StatusCode::kNotFound &&
      info.if_not_found != OnEntryNotFound::THROW_EXCEPTION) {
    return;
  }
  if (!st.ok()) ThrowStatus(st, "dropping schema " + name);
  // The entry object stays (a running query may hold it); it is no longer listed.
}

PhysicalOperator& MetastoreCatalog::PlanCreateTableAs(ClientContext& context,
                                                      PhysicalPlanGenerator& planner,
                                                      LogicalCreateTable& op,
                                                      PhysicalOperator& plan) {
  return PlanMetastoreCreateTableAs(context, planner, op, plan);
}

PhysicalOperator& MetastoreCatalog::PlanInsert(ClientContext& context,
                                               PhysicalPlanGenerator& planner, LogicalInsert& op,
                                               optional_ptr<PhysicalOperator> plan) {
  return PlanMetastoreInsert(context, planner, op, plan);
}

PhysicalOperator& MetastoreCatalog::PlanDelete(ClientContext&, PhysicalPlanGenerator&,
                                               LogicalDelete&, PhysicalOperator&) {
  throw NotImplementedException(
      "DELETE is not supported on metastore tables (Hive tables are append-only here)");
}

PhysicalOperator& MetastoreCatalog::PlanUpdate(ClientContext&, PhysicalPlanGenerator&,
                                               LogicalUpdate&, PhysicalOperator&) {
  throw NotImplementedException(
      "UPDATE is not supported on metastore tables (Hive tables are append-only here)");
}

DatabaseSize MetastoreCatalog::GetDatabaseSize(ClientContext&) {
  return DatabaseSize();
}

// ---------------------------------------------------------- transactions ----

MetastoreTransaction& MetastoreTransaction::Get(CatalogTransaction transaction, Catalog& catalog) {
  if (transaction.transaction) return transaction.transaction->Cast<MetastoreTransaction>();
  if (!transaction.context)
    throw InternalException("metastore catalog used without a client context");
  return Transaction::Get(*transaction.context, catalog.GetAttached()).Cast<MetastoreTransaction>();
}

optional_ptr<MetastoreTableEntry> MetastoreTransaction::Find(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = tables_.find(key);
  return it == tables_.end() ? nullptr : it->second.get();
}

MetastoreTableEntry& MetastoreTransaction::Store(const std::string& key,
                                                 unique_ptr<MetastoreTableEntry> entry) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& slot = tables_[key];
  if (slot) dropped_.push_back(std::move(slot));
  slot = std::move(entry);
  return *slot;
}

void MetastoreTransaction::Forget(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = tables_.find(key);
  if (it == tables_.end()) return;
  dropped_.push_back(std::move(it->second));
  tables_.erase(it);
}

Transaction& MetastoreTransactionManager::StartTransaction(ClientContext& context) {
  auto transaction = make_uniq<MetastoreTransaction>(*this, context);
  auto& ref = *transaction;
  std::lock_guard<std::mutex> lock(mu_);
  transactions_.emplace(&ref, std::move(transaction));
  return ref;
}

ErrorData MetastoreTransactionManager::CommitTransaction(ClientContext&, Transaction& transaction) {
  std::lock_guard<std::mutex> lock(mu_);
  transactions_.erase(&transaction);
  return ErrorData();
}

void MetastoreTransactionManager::RollbackTransaction(Transaction& transaction) {
  std::lock_guard<std::mutex> lock(mu_);
  transactions_.erase(&transaction);
}

}  // namespace duckdb

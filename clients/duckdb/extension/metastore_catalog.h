// The DuckDB side of an attached metastore: ATTACH '<endpoint>' AS lake
// (TYPE metastore, PROVIDER hive, ...) makes a MetastoreCatalog whose schemas
// are the provider's namespaces and whose tables scan through DuckDB's own
// readers (metastore_scan.h).
//
// Invariants:
//  * Every provider call goes through the shared MetastoreClient (serialized).
//  * Schema entries live as long as the catalog (names are cheap; a schema
//    entry holds no metadata that can go stale). Table entries live in the
//    DuckDB transaction that looked them up, so each transaction sees the
//    metastore as of its first lookup and no entry outlives a query using it.
//    With TABLE_CACHE_MS (opt-in) the table metadata behind an entry may come
//    from an earlier transaction of this catalog, at most that old, and never
//    from before this catalog's last write (MetastoreClient::CachedTable).
//    Otherwise a statement may bind the definition last fetched while the
//    current one is fetched ahead; it runs only if the two are equal, else it
//    is bound again (TableValidation).
//  * A schema name may carry an Arbor ref ("sales@dev"); without one, the
//    attach-time REF applies (MetastoreClient::NamespaceFor).
//  * Provider errors become DuckDB exceptions of the matching kind
//    (ThrowStatus): a missing object is a CatalogException, an unreachable
//    server an IOException naming the endpoint, a write to a tag a
//    PermissionException.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "duckdb.hpp"
#include "duckdb/catalog/catalog.hpp"
#include "duckdb/catalog/catalog_entry/schema_catalog_entry.hpp"
#include "duckdb/catalog/catalog_entry/table_catalog_entry.hpp"
#include "duckdb/storage/storage_extension.hpp"
#include "duckdb/transaction/transaction.hpp"
#include "duckdb/transaction/transaction_manager.hpp"

#include "base/status.h"
#include "clients/duckdb/metastore/client.h"
#include "clients/duckdb/metastore/provider_config.h"

namespace duckdb {

using arbor::metastore::MetastoreClient;

// Throws the DuckDB exception matching a non-OK Status; `what` prefixes it.
[[noreturn]] void ThrowStatus(const arbor::Status& status, const std::string& what = "");

// The DuckDB columns of a metastore table: its data columns, then its
// partition columns (Hive's order), typed from the Hive type strings; for an
// Iceberg or Delta table whose reader extension is loaded, the reader's own
// schema (see LakehouseSchema in metastore_scan.h).
ColumnList MetastoreColumns(optional_ptr<ClientContext> context,
                            const arbor::metastore::Table& table);

// Holds the provider registry for the storage extension and the functions.
struct MetastoreStorageInfo : public StorageExtensionInfo {
  arbor::metastore::ProviderRegistry registry;
};

// Builds the storage extension that ATTACH (TYPE metastore) uses.
shared_ptr<StorageExtension> CreateMetastoreStorageExtension(shared_ptr<MetastoreStorageInfo> info);

class MetastoreTableEntry : public TableCatalogEntry {
 public:
  MetastoreTableEntry(Catalog& catalog, SchemaCatalogEntry& schema, CreateTableInfo& info,
                      std::shared_ptr<const arbor::metastore::Table> table,
                      std::shared_ptr<MetastoreClient> client);

  const ColumnList& GetColumns() const override { return columns_; }
  unique_ptr<BaseStatistics> GetStatistics(ClientContext& context, column_t column_id) override;
  TableFunction GetScanFunction(ClientContext& context,
                                unique_ptr<FunctionData>& bind_data) override;
  TableStorageInfo GetStorageInfo(ClientContext& context) override;

  const arbor::metastore::Table& table() const { return *table_; }
  const std::shared_ptr<const arbor::metastore::Table>& table_ptr() const { return table_; }
  const std::shared_ptr<MetastoreClient>& client() const { return client_; }

 private:
  ColumnList columns_;
  std::shared_ptr<const arbor::metastore::Table> table_;
  std::shared_ptr<MetastoreClient> client_;
};

class MetastoreSchemaEntry : public SchemaCatalogEntry {
 public:
  // `ns`: the provider's namespace name (ref applied).
  MetastoreSchemaEntry(Catalog& catalog, CreateSchemaInfo& info, std::string ns);

  const std::string& ns() const { return ns_; }

  // The metastore table a CREATE TABLE [AS] describes (Parquet, external,
  // PARTITIONED BY columns last); no location yet. Throws BinderException.
  arbor::metastore::Table TableDefinition(BoundCreateTableInfo& info) const;

  void Scan(ClientContext& context, CatalogType type,
            const std::function<void(CatalogEntry&)>& callback) override;
  void Scan(CatalogType type, const std::function<void(CatalogEntry&)>& callback) override;
  optional_ptr<CatalogEntry> CreateIndex(CatalogTransaction transaction, CreateIndexInfo& info,
                                         TableCatalogEntry& table) override;
  optional_ptr<CatalogEntry> CreateFunction(CatalogTransaction transaction,
                                            CreateFunctionInfo& info) override;
  optional_ptr<CatalogEntry> CreateTable(CatalogTransaction transaction,
                                         BoundCreateTableInfo& info) override;
  optional_ptr<CatalogEntry> CreateView(CatalogTransaction transaction,
                                        CreateViewInfo& info) override;
  optional_ptr<CatalogEntry> CreateSequence(CatalogTransaction transaction,
                                            CreateSequenceInfo& info) override;
  optional_ptr<CatalogEntry> CreateTableFunction(CatalogTransaction transaction,
                                                 CreateTableFunctionInfo& info) override;
  optional_ptr<CatalogEntry> CreateCopyFunction(CatalogTransaction transaction,
                                                CreateCopyFunctionInfo& info) override;
  optional_ptr<CatalogEntry> CreatePragmaFunction(CatalogTransaction transaction,
                                                  CreatePragmaFunctionInfo& info) override;
  optional_ptr<CatalogEntry> CreateType(CatalogTransaction transaction,
                                        CreateTypeInfo& info) override;
  optional_ptr<CatalogEntry> LookupEntry(CatalogTransaction transaction,
                                         const EntryLookupInfo& lookup_info) override;
  void DropEntry(ClientContext& context, DropInfo& info) override;
  void Alter(CatalogTransaction transaction, AlterInfo& info) override;

 private:
  std::string ns_;
};

class MetastoreCatalog : public Catalog {
 public:
  MetastoreCatalog(AttachedDatabase& db, std::shared_ptr<MetastoreClient> client);
  ~MetastoreCatalog() override;

  const std::shared_ptr<MetastoreClient>& client() const { return client_; }

  void Initialize(bool load_builtin) override {}
  string GetCatalogType() override { return "metastore"; }
  optional_ptr<CatalogEntry> CreateSchema(CatalogTransaction transaction,
                                          CreateSchemaInfo& info) override;
  optional_ptr<SchemaCatalogEntry> LookupSchema(CatalogTransaction transaction,
                                                const EntryLookupInfo& schema_lookup,
                                                OnEntryNotFound if_not_found) override;
  void ScanSchemas(ClientContext& context,
                   std::function<void(SchemaCatalogEntry&)> callback) override;

  using Catalog::PlanDelete;
  using Catalog::PlanUpdate;
  PhysicalOperator& PlanCreateTableAs(ClientContext& context, PhysicalPlanGenerator& planner,
                                      LogicalCreateTable& op, PhysicalOperator& plan) override;
  PhysicalOperator& PlanInsert(ClientContext& context, PhysicalPlanGenerator& planner,
                               LogicalInsert& op, optional_ptr<PhysicalOperator> plan) override;
  PhysicalOperator& PlanDelete(ClientContext& context, PhysicalPlanGenerator& planner,
                               LogicalDelete& op, PhysicalOperator& plan) override;
  PhysicalOperator& PlanUpdate(ClientContext& context, PhysicalPlanGenerator& planner,
                               LogicalUpdate& op, PhysicalOperator& plan) override;

  // PARTITIONED BY (columns) becomes the Hive partition spec.
  ErrorData SupportsCreateTable(BoundCreateTableInfo& info) override { return ErrorData(); }
  DatabaseSize GetDatabaseSize(ClientContext& context) override;
  bool InMemory() override { return false; }
  string GetDBPath() override { return client_->config().endpoint; }

 private:
  void DropSchema(ClientContext& context, DropInfo& info) override;
  MetastoreSchemaEntry& SchemaEntry(const std::string& name);

  std::shared_ptr<MetastoreClient> client_;
  std::mutex mu_;
  std::map<std::string, unique_ptr<MetastoreSchemaEntry>> schemas_;  // by lower-case name
};

// One DuckDB transaction on the catalog: caches the table entries it looked
// up (see the invariants above).
class MetastoreTransaction : public Transaction {
 public:
  MetastoreTransaction(TransactionManager& manager, ClientContext& context)
      : Transaction(manager, context) {}

  static MetastoreTransaction& Get(CatalogTransaction transaction, Catalog& catalog);

  // The cached entry for (schema, table), or nullptr.
  optional_ptr<MetastoreTableEntry> Find(const std::string& key);
  MetastoreTableEntry& Store(const std::string& key, unique_ptr<MetastoreTableEntry> entry);
  void Forget(const std::string& key);

 private:
  std::mutex mu_;
  std::map<std::string, unique_ptr<MetastoreTableEntry>> tables_;
  std::vector<unique_ptr<MetastoreTableEntry>> dropped_;  // kept until the transaction ends
};

class MetastoreTransactionManager : public TransactionManager {
 public:
  explicit MetastoreTransactionManager(AttachedDatabase& db) : TransactionManager(db) {}
  Transaction& StartTransaction(ClientContext& context) override;
  ErrorData CommitTransaction(ClientContext& context, Transaction& transaction) override;
  void RollbackTransaction(Transaction& transaction) override;
  void Checkpoint(ClientContext& context, bool force) override {}

 private:
  std::mutex mu_;
  std::map<Transaction*, unique_ptr<MetastoreTransaction>> transactions_;
};

}  // namespace duckdb

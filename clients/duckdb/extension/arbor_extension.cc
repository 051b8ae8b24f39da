// Entry point of the `arbor` DuckDB extension: registers the `metastore`
// storage extension (ATTACH ... (TYPE metastore)), the `metastore` secret type
// and the table functions. Everything DuckDB-specific lives under extension/;
// the provider core (metastore/, providers/) never includes a DuckDB header.
#include "duckdb.hpp"
#include "duckdb/main/attached_database.hpp"
#include "duckdb/main/database_manager.hpp"
#include "duckdb/main/extension/extension_loader.hpp"
#include "duckdb/parser/tableref/basetableref.hpp"

#include "clients/duckdb/extension/metastore_attach.h"
#include "clients/duckdb/extension/metastore_catalog.h"
#include "clients/duckdb/extension/versioning_functions.h"

namespace duckdb {
namespace {

namespace ms = arbor::metastore;

// ---- metastore_providers(): the registered providers and their options ----

struct RowsState : public GlobalTableFunctionState {
  std::vector<std::vector<std::string>> rows;
  idx_t next = 0;
};

struct RowsBindData : public TableFunctionData {
  std::vector<std::vector<std::string>> rows;
};

unique_ptr<GlobalTableFunctionState> RowsInit(ClientContext&, TableFunctionInitInput& input) {
  auto state = make_uniq<RowsState>();
  state->rows = input.bind_data->Cast<RowsBindData>().rows;
  return std::move(state);
}

void RowsScan(ClientContext&, TableFunctionInput& input, DataChunk& output) {
  auto& state = input.global_state->Cast<RowsState>();
  idx_t row = 0;
  for (; state.next < state.rows.size() && row < STANDARD_VECTOR_SIZE; state.next++, row++) {
    const auto& values = state.rows[state.next];
    for (idx_t c = 0; c < values.size(); c++)
      output.SetValue(c, row, Value(values[c]));
  }
  output.SetCardinality(row);
}

unique_ptr<FunctionData> ProvidersBind(ClientContext&, TableFunctionBindInput&,
                                       vector<LogicalType>& types, vector<Identifier>& names) {
  names = {Identifier("name"), Identifier("description"), Identifier("options")};
  types = {LogicalType::VARCHAR, LogicalType::VARCHAR, LogicalType::VARCHAR};
  auto data = make_uniq<RowsBindData>();
  ms::ProviderRegistry registry;
  ms::RegisterBuiltinProviders(registry);
  for (const auto* f : registry.List()) {
    std::string options;
    for (const auto& o : f->options)
      options += (options.empty() ? "" : ", ") + o.name;
    data->rows.push_back({f->name, f->description, options});
  }
  return std::move(data);
}

MetastoreCatalog& AttachedMetastore(ClientContext& context, const std::string& name) {
  auto db = DatabaseManager::Get(context).GetDatabase(context, Identifier(name));
  if (!db) throw BinderException("no attached database named \"%s\"", name);
  auto& catalog = db->GetCatalog();
  if (catalog.GetCatalogType() != "metastore") {
    throw BinderException("\"%s\" is a %s catalog, not a metastore catalog", name,
                          catalog.GetCatalogType());
  }
  return catalog.Cast<MetastoreCatalog>();
}

// ---- metastore_describe('lake'): resolved configuration and counters ----

unique_ptr<FunctionData> DescribeBind(ClientContext& context, TableFunctionBindInput& input,
                                      vector<LogicalType>& types, vector<Identifier>& names) {
  names = {Identifier("key"), Identifier("value")};
  types = {LogicalType::VARCHAR, LogicalType::VARCHAR};
  auto& catalog = AttachedMetastore(context, input.inputs[0].ToString());
  auto data = make_uniq<RowsBindData>();
  for (const auto& line : StringUtil::Split(catalog.client()->description(), "\n")) {
    auto colon = line.find(": ");
    if (colon == std::string::npos) continue;
    data->rows.push_back({line.substr(0, colon), line.substr(colon + 2)});
  }
  auto& counters = catalog.client()->counters();
  data->rows.push_back({"partition_listings", std::to_string(counters.listings.load())});
  data->rows.push_back({"partitions_listed", std::to_string(counters.partitions.load())});
  data->rows.push_back({"listings_pushed_down", std::to_string(counters.pushed_down.load())});
  data->rows.push_back({"metastore_calls", std::to_string(counters.calls.load())});
  data->rows.push_back({"metastore_call_us", std::to_string(counters.call_us.load())});
  data->rows.push_back({"directories_listed", std::to_string(counters.directories.load())});
  data->rows.push_back({"files_listed", std::to_string(counters.files.load())});
  data->rows.push_back({"directory_listing_us", std::to_string(counters.directory_us.load())});
  data->rows.push_back({"table_cache_hits", std::to_string(counters.table_cache_hits.load())});
  data->rows.push_back({"tables_validated_ahead", std::to_string(counters.validated_ahead.load())});
  data->rows.push_back({"statements_bound_again", std::to_string(counters.rebinds.load())});
  return std::move(data);
}

// ---- metastore_scan('lake', 'sales', 'orders'): the table, by name ----

unique_ptr<TableRef> ScanBindReplace(ClientContext& context, TableFunctionBindInput& input) {
  for (auto& v : input.inputs) {
    if (v.IsNull()) throw BinderException("metastore_scan: arguments must not be NULL");
  }
  AttachedMetastore(context, input.inputs[0].ToString());
  auto ref = make_uniq<BaseTableRef>();
  ref->SetQualifiedName(Identifier(input.inputs[0].ToString()),
                        Identifier(input.inputs[1].ToString()),
                        Identifier(input.inputs[2].ToString()));
  return std::move(ref);
}

}  // namespace
}  // namespace duckdb

extern "C" {
DUCKDB_CPP_EXTENSION_ENTRY(arbor, loader) {
  using namespace duckdb;
  auto info = make_shared_ptr<MetastoreStorageInfo>();
  arbor::metastore::RegisterBuiltinProviders(info->registry);
  RegisterMetastoreStorage(loader, info);

  TableFunction providers("metastore_providers", {}, RowsScan, ProvidersBind, RowsInit);
  loader.RegisterFunction(providers);

  TableFunction describe("metastore_describe", {LogicalType::VARCHAR}, RowsScan, DescribeBind,
                         RowsInit);
  loader.RegisterFunction(describe);

  TableFunction scan("metastore_scan",
                     {LogicalType::VARCHAR, LogicalType::VARCHAR, LogicalType::VARCHAR}, nullptr);
  scan.bind_replace = ScanBindReplace;
  loader.RegisterFunction(scan);

  RegisterVersioningFunctions(loader);

  loader.SetDescription("Arbor: attach Arbor or any Hive Metastore as a DuckDB catalog");
}
}  // extern "C"

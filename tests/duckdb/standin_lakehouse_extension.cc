// A test stand-in for DuckDB's `iceberg` and `delta` extensions. The real ones
// cannot be obtained on the test machines (extensions.duckdb.org is not
// reachable, and PyPI carries no build for the pinned DuckDB), so the tests
// load this library, built twice as iceberg.duckdb_extension and
// delta.duckdb_extension (STANDIN_NAME). It provides exactly what the
// metastore scan relies on from the real extensions, the way they provide it:
//  * LOAD marks the extension `iceberg` (`delta`) as loaded, and
//  * a table function iceberg_scan(VARCHAR) (delta_scan(VARCHAR)) is
//    registered in the system catalog through the ExtensionLoader.
// Instead of reading Iceberg metadata or a Delta log, it returns two rows
// (id BIGINT, scanned VARCHAR) naming the path it was called with, so a test
// sees which function the metastore scan dispatched to and with what
// argument, and that the table's columns are the function's.
#include "duckdb.hpp"
#include "duckdb/main/extension/extension_loader.hpp"

#define STANDIN_STR2(x) #x
#define STANDIN_STR(x) STANDIN_STR2(x)
#define STANDIN_ENTRY(name) DUCKDB_CPP_EXTENSION_ENTRY(name, loader)

namespace duckdb {
namespace {

struct StandInBind : public TableFunctionData {
  std::string path;
};

struct StandInState : public GlobalTableFunctionState {
  vector<column_t> columns;
  bool done = false;
};

unique_ptr<FunctionData> Bind(ClientContext&, TableFunctionBindInput& input,
                              vector<LogicalType>& types, vector<Identifier>& names) {
  auto data = make_uniq<StandInBind>();
  data->path = input.inputs[0].ToString();
  names = {Identifier("id"), Identifier("scanned")};
  types = {LogicalType::BIGINT, LogicalType::VARCHAR};
  return std::move(data);
}

unique_ptr<GlobalTableFunctionState> Init(ClientContext&, TableFunctionInitInput& input) {
  auto state = make_uniq<StandInState>();
  state->columns = input.column_ids;
  return std::move(state);
}

void Scan(ClientContext&, TableFunctionInput& input, DataChunk& output) {
  auto& state = input.global_state->Cast<StandInState>();
  if (state.done) return;
  const auto& path = input.bind_data->Cast<StandInBind>().path;
  const std::string function = STANDIN_STR(STANDIN_NAME) "_scan";
  for (idx_t row = 0; row < 2; row++) {
    for (idx_t c = 0; c < state.columns.size(); c++) {
      if (state.columns[c] == 1) {
        output.SetValue(c, row, Value(function + "(" + path + ")"));
      } else {
        output.SetValue(c, row, Value::BIGINT(int64_t(row + 1)));
      }
    }
  }
  output.SetCardinality(2);
  state.done = true;
}

}  // namespace
}  // namespace duckdb

extern "C" {
STANDIN_ENTRY(STANDIN_NAME) {
  using namespace duckdb;
  TableFunction scan(STANDIN_STR(STANDIN_NAME) "_scan", {LogicalType::VARCHAR}, Scan, Bind, Init);
  scan.projection_pushdown = true;
  loader.RegisterFunction(scan);
  loader.SetDescription("test stand-in for DuckDB's " STANDIN_STR(STANDIN_NAME) " extension");
}
}  // extern "C"

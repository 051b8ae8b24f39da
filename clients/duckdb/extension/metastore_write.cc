#include "clients/duckdb/extension/metastore_write.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <set>

#include "duckdb/catalog/catalog_entry/copy_function_catalog_entry.hpp"
#include "duckdb/common/types/uuid.hpp"
#include "duckdb/execution/operator/persistent/physical_copy_to_file.hpp"
#include "duckdb/execution/operator/projection/physical_projection.hpp"
#include "duckdb/function/copy_function.hpp"
#include "duckdb/parser/parsed_data/copy_info.hpp"
#include "duckdb/planner/expression/bound_cast_expression.hpp"
#include "duckdb/planner/expression/bound_constant_expression.hpp"
#include "duckdb/planner/expression/bound_reference_expression.hpp"
#include "duckdb/planner/operator/logical_create_table.hpp"
#include "duckdb/planner/operator/logical_insert.hpp"
#include "duckdb/planner/parsed_data/bound_create_table_info.hpp"

#include "clients/duckdb/extension/metastore_catalog.h"
#include "clients/duckdb/metastore/format.h"

namespace duckdb {

namespace ms = arbor::metastore;

namespace {

// Column indexes of PhysicalCopyToFile's WRITTEN_FILE_STATISTICS rows.
constexpr idx_t kFilename = 0, kCount = 1, kFileSize = 2, kPartitionKeys = 5;

struct WrittenFile {
  std::string path;
  int64_t rows = 0;
  int64_t bytes = 0;
  std::map<std::string, std::string> partition;  // column -> value
};

// Whether `dir` (recursively) holds any file.
bool HoldsFiles(FileSystem& fs, const std::string& dir) {
  if (!fs.DirectoryExists(dir)) return false;
  std::vector<std::string> pending{dir};
  bool found = false;
  while (!pending.empty() && !found) {
    std::string current = std::move(pending.back());
    pending.pop_back();
    fs.ListFiles(current, [&](const string& name, bool is_directory) {
      if (is_directory) {
        pending.push_back(fs.JoinPath(current, name));
      } else {
        found = true;
      }
    });
  }
  return found;
}

class InsertState : public GlobalSinkState {
 public:
  std::mutex mu;
  std::vector<WrittenFile> files;
  int64_t rows = 0;
};

class SourceDone : public GlobalSourceState {
 public:
  bool done = false;
};

// How a write ends up in the metastore.
enum class WriteMode {
  kInsert,  // the table exists: register new partitions, or update its statistics
  kCreate,  // CREATE TABLE ... AS: register the table itself, then its partitions
};

// Sits on top of DuckDB's COPY writer: collects the files it wrote, then
// registers them with the metastore. Nothing is registered before every file
// is written, so a statement that fails earlier (a query error, a write
// error) leaves no table and no partition behind; DuckDB's COPY removes the
// local files it created when it fails. If the metastore refuses (a tag, a
// read-only ref, a dropped table, a table of the same name created
// meanwhile), a table this statement created is dropped again, the files
// are deleted, and the error is the statement's.
class MetastoreInsert : public PhysicalOperator {
 public:
  MetastoreInsert(PhysicalPlan& plan, std::shared_ptr<MetastoreClient> client,
                  std::shared_ptr<const ms::Table> table, WriteMode mode,
                  idx_t estimated_cardinality)
      : PhysicalOperator(plan, PhysicalOperatorType::EXTENSION, {LogicalType::BIGINT},
                         estimated_cardinality),
        client_(std::move(client)),
        table_(std::move(table)),
        mode_(mode) {}

  string GetName() const override { return "METASTORE_INSERT"; }

  bool IsSink() const override { return true; }
  bool ParallelSink() const override { return false; }
  unique_ptr<GlobalSinkState> GetGlobalSinkState(ClientContext&) const override {
    return make_uniq<InsertState>();
  }

  SinkResultType Sink(ExecutionContext&, DataChunk& chunk,
                      OperatorSinkInput& input) const override {
    auto& state = input.global_state.Cast<InsertState>();
    std::lock_guard<std::mutex> lock(state.mu);
    for (idx_t row = 0; row < chunk.size(); row++) {
      WrittenFile file;
      file.path = chunk.GetValue(kFilename, row).ToString();
      file.rows = chunk.GetValue(kCount, row).GetValue<int64_t>();
      file.bytes = chunk.GetValue(kFileSize, row).GetValue<int64_t>();
      Value keys = chunk.GetValue(kPartitionKeys, row);
      if (!keys.IsNull()) {
        for (auto& entry : ListValue::GetChildren(keys)) {
          auto& kv = StructValue::GetChildren(entry);
          file.partition[StringUtil::Lower(kv[0].ToString())] =
              kv[1].IsNull() ? ms::kHiveDefaultPartition : kv[1].ToString();
        }
      }
      state.rows += file.rows;
      state.files.push_back(std::move(file));
    }
    return SinkResultType::NEED_MORE_INPUT;
  }

  SinkFinalizeType Finalize(Pipeline&, Event&, ClientContext& context,
                            OperatorSinkFinalizeInput& input) const override {
    auto& state = input.global_state.Cast<InsertState>();
    arbor::Status st =
        mode_ == WriteMode::kCreate ? RegisterTable(context, state) : Register(state);
    if (!st.ok()) {
      RemoveWritten(context, state);
      const std::string display = table_->namespace_name + "." + table_->name;
      ThrowStatus(st, (mode_ == WriteMode::kCreate ? "CREATE TABLE " : "INSERT INTO ") + display +
                          " (the files written were removed)");
    }
    return SinkFinalizeType::READY;
  }

  bool IsSource() const override { return true; }
  unique_ptr<GlobalSourceState> GetGlobalSourceState(ClientContext&) const override {
    return make_uniq<SourceDone>();
  }
  SourceResultType GetDataInternal(ExecutionContext&, DataChunk& chunk,
                                   OperatorSourceInput& input) const override {
    auto& done = input.global_state.Cast<SourceDone>();
    if (done.done) return SourceResultType::FINISHED;
    auto& state = sink_state->Cast<InsertState>();
    chunk.SetCardinality(1);
    chunk.SetValue(0, 0, Value::BIGINT(state.rows));
    done.done = true;
    return SourceResultType::FINISHED;
  }

 private:
  // The metastore location of a directory DuckDB wrote to: the table's
  // location with the part below it (DuckDB spells the table location as a
  // local path, the metastore as file:/...).
  static std::string LocationOf(const ms::Table& table, const std::string& dir) {
    std::string base = ms::DuckDbPath(table.storage.location);
    if (StringUtil::StartsWith(dir, base)) return table.storage.location + dir.substr(base.size());
    return dir;
  }

  // Deletes the files this statement wrote, then the directories that held
  // only them (partition directories, and a new table's directory).
  void RemoveWritten(ClientContext& context, const InsertState& state) const {
    auto& fs = FileSystem::GetFileSystem(context);
    std::set<std::string> dirs;
    for (const auto& f : state.files) {
      fs.TryRemoveFile(f.path);
      dirs.insert(f.path.substr(0, f.path.find_last_of('/')));
    }
    if (mode_ == WriteMode::kCreate) dirs.insert(ms::DuckDbPath(table_->storage.location));
    RemoveEmptyDirectories(fs, dirs);
  }

  // Removes those of `dirs` that are empty, deepest first (so a partition
  // directory goes before its table's); a directory holding anything stays.
  static void RemoveEmptyDirectories(FileSystem& fs, const std::set<std::string>& dirs) {
    std::vector<std::string> ordered(dirs.begin(), dirs.end());
    std::sort(ordered.begin(), ordered.end(),
              [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
    for (const auto& dir : ordered) {
      try {
        fs.RemoveDirectoryExtended(dir, {RemoveDirectoryMode::SINGLE});
      } catch (std::exception&) {
        // Best effort: the statement's own outcome is what counts.
      }
    }
  }

  // The table with its basic statistics grown by what this statement wrote.
  ms::Table WithStatistics(const InsertState& state) const {
    ms::Table updated = *table_;
    auto add = [&](const char* key, int64_t delta) {
      auto it = updated.properties.find(key);
      int64_t base = 0;
      if (it != updated.properties.end()) base = std::atoll(it->second.c_str());
      updated.properties[key] = std::to_string(std::max<int64_t>(base, 0) + delta);
    };
    int64_t bytes = 0;
    for (const auto& f : state.files)
      bytes += f.bytes;
    add("numRows", state.rows);
    add("numFiles", static_cast<int64_t>(state.files.size()));
    add("totalSize", bytes);
    return updated;
  }

  // CREATE TABLE ... AS: the table appears with its data. The metastore
  // decides a race with another creator: CreateTable fails AlreadyExists and
  // the other table is left as it is.
  arbor::Status RegisterTable(ClientContext& context, InsertState& state) const {
    ms::Table created = table_->partitioned() ? *table_ : WithStatistics(state);
    arbor::Status st =
        client_->Write([&](ms::MetastoreProvider& p) { return p.CreateTable(created); });
    if (st.code() == arbor::StatusCode::kInvalidArgument) {
      // Some metastores refuse the location a client chose where they would
      // choose another (Hive 4: no external table inside its managed
      // warehouse, which is where many databases live): let it choose.
      st = CreateWhereTheMetastoreSays(context, state, created);
    } else if (st.ok() && table_->partitioned()) {
      st = AddPartitions(created, state);
      if (!st.ok()) st = DropCreated(st);
    }
    return st;
  }

  // Creates the table without a location, then moves the files written to
  // the location the metastore gave it (a rename on local paths).
  arbor::Status CreateWhereTheMetastoreSays(ClientContext& context, InsertState& state,
                                            ms::Table created) const {
    created.storage.location.clear();
    ARBOR_RETURN_IF_ERROR(
        client_->Write([&](ms::MetastoreProvider& p) { return p.CreateTable(created); }));
    auto got = client_->With(
        [&](ms::MetastoreProvider& p) { return p.GetTable(created.namespace_name, created.name); });
    if (!got.ok()) return DropCreated(got.status());
    ms::Table& table = got.value();
    const std::string from = ms::DuckDbPath(table_->storage.location);
    const std::string to = ms::DuckDbPath(table.storage.location);
    auto& fs = FileSystem::GetFileSystem(context);
    if (to.empty()) {
      return DropCreated(arbor::Status::InvalidArgument("the metastore gave table " +
                                                        created.namespace_name + "." +
                                                        created.name + " no location"));
    }
    // The same directory (the metastore refused it only when the client chose
    // it) holds the files already, and was checked to hold no others.
    if (to != from) {
      if (HoldsFiles(fs, to)) {
        return DropCreated(arbor::Status::AlreadyExists("the location the metastore chose, " +
                                                        table.storage.location +
                                                        ", already holds files"));
      }
      try {
        for (auto& f : state.files) {
          if (!StringUtil::StartsWith(f.path, from)) continue;
          std::string target = to + f.path.substr(from.size());
          std::string dir = target.substr(0, target.find_last_of('/'));
          if (!FileSystem::IsRemoteFile(dir) && !fs.DirectoryExists(dir))
            fs.CreateDirectoriesRecursive(dir);
          fs.MoveFile(f.path, target);
          RemoveEmptyDirectories(fs, {f.path.substr(0, f.path.find_last_of('/')), from});
          f.path = target;
        }
      } catch (std::exception& e) {
        return DropCreated(arbor::Status::Unavailable(
            std::string("moving the files to the table's location failed: ") + e.what()));
      }
    }
    if (!table.partitioned()) return arbor::Status::OK();
    arbor::Status st = AddPartitions(table, state);
    return st.ok() ? st : DropCreated(st);
  }

  // Drops the table this statement created after `cause`, which is returned
  // (a table without its partitions would look empty).
  arbor::Status DropCreated(arbor::Status cause) const {
    arbor::Status dropped = client_->Write([&](ms::MetastoreProvider& p) {
      return p.DropTable(table_->namespace_name, table_->name);
    });
    if (dropped.ok()) return cause;
    return arbor::Status(cause.code(), cause.message() +
                                           "; dropping the table created meanwhile failed too: " +
                                           dropped.message());
  }

  arbor::Status Register(InsertState& state) const {
    if (!table_->partitioned()) {
      // The files are in place; keep the table's basic statistics current.
      ms::Table updated = WithStatistics(state);
      return client_->Write([&](ms::MetastoreProvider& p) { return p.AlterTable(updated); });
    }
    return AddPartitions(*table_, state);
  }

  arbor::Status AddPartitions(const ms::Table& table, InsertState& state) const {
    std::map<std::vector<std::string>, ms::Partition> partitions;
    for (const auto& f : state.files) {
      std::vector<std::string> values;
      for (const auto& k : table.partition_columns) {
        auto it = f.partition.find(StringUtil::Lower(k.name));
        if (it == f.partition.end())
          return arbor::Status::Internal("written file lacks partition " + k.name);
        values.push_back(it->second);
      }
      auto& p = partitions[values];
      p.values = values;
      p.storage = table.storage;
      p.storage.location = LocationOf(table, f.path.substr(0, f.path.find_last_of('/')));
      p.storage.columns = table.storage.columns;
    }
    std::vector<ms::Partition> list;
    for (auto& [values, p] : partitions)
      list.push_back(std::move(p));
    return client_->Write([&](ms::MetastoreProvider& p) { return p.AddPartitions(table, list); });
  }

  std::shared_ptr<MetastoreClient> client_;
  std::shared_ptr<const ms::Table> table_;
  WriteMode mode_;
};

// CREATE TABLE IF NOT EXISTS ... AS on an existing table: writes nothing,
// returns a count of 0.
class NothingWritten : public PhysicalOperator {
 public:
  NothingWritten(PhysicalPlan& plan, idx_t estimated_cardinality)
      : PhysicalOperator(plan, PhysicalOperatorType::EXTENSION, {LogicalType::BIGINT},
                         estimated_cardinality) {}
  string GetName() const override { return "METASTORE_NOTHING_WRITTEN"; }
  bool IsSource() const override { return true; }
  unique_ptr<GlobalSourceState> GetGlobalSourceState(ClientContext&) const override {
    return make_uniq<SourceDone>();
  }
  SourceResultType GetDataInternal(ExecutionContext&, DataChunk& chunk,
                                   OperatorSourceInput& input) const override {
    auto& done = input.global_state.Cast<SourceDone>();
    if (done.done) return SourceResultType::FINISHED;
    chunk.SetCardinality(1);
    chunk.SetValue(0, 0, Value::BIGINT(0));
    done.done = true;
    return SourceResultType::FINISHED;
  }
};

PhysicalOperator& PlanWrite(ClientContext& context, PhysicalPlanGenerator& planner,
                            const std::shared_ptr<MetastoreClient>& client,
                            std::shared_ptr<const ms::Table> table, const ColumnList& columns,
                            PhysicalOperator& input, WriteMode mode, idx_t estimated_cardinality) {
  const std::string display = table->namespace_name + "." + table->name;
  ms::FileFormat format = ms::Classify(table->storage, table->properties);
  if (format != ms::FileFormat::kParquet) {
    throw NotImplementedException("writing to %s: only Parquet tables are written, this one is %s",
                                  display, ms::FileFormatName(format));
  }
  if (table->storage.location.empty())
    throw InvalidInputException("table %s has no location", display);

  vector<Identifier> names;
  vector<LogicalType> types;
  vector<Identifier> data_names;
  vector<LogicalType> data_types;
  for (auto& col : columns.Logical()) {
    names.push_back(col.Name());
    types.push_back(col.Type());
  }
  idx_t data_count = table->storage.columns.size();
  for (idx_t i = 0; i < data_count; i++) {
    data_names.push_back(names[i]);
    data_types.push_back(types[i]);
  }
  vector<idx_t> partition_columns;
  for (idx_t i = data_count; i < names.size(); i++)
    partition_columns.push_back(i);

  EntryLookupInfo lookup(
      CatalogType::COPY_FUNCTION_ENTRY,
      QualifiedName(Identifier(SYSTEM_CATALOG), Identifier(DEFAULT_SCHEMA), Identifier("parquet")));
  auto copy_entry = Catalog::GetEntry(context, lookup, OnEntryNotFound::RETURN_NULL);
  if (!copy_entry)
    throw MissingExtensionException("writing Parquet needs DuckDB's parquet extension");
  auto& function = copy_entry->Cast<CopyFunctionCatalogEntry>().function;

  const std::string path = ms::DuckDbPath(table->storage.location);
  CopyInfo info;
  info.format = "parquet";
  info.file_path = path;
  CopyFunctionBindInput bind_input(info);
  auto bind_data = function.copy_to_bind(context, bind_input, data_names, data_types);

  // DuckDB's COPY makes the table's (or a partition's) directory, but only
  // below an existing parent.
  auto& fs = FileSystem::GetFileSystem(context);
  if (!FileSystem::IsRemoteFile(path)) {
    auto slash = path.find_last_of('/');
    if (slash != std::string::npos && slash > 0 && !fs.DirectoryExists(path.substr(0, slash)))
      fs.CreateDirectoriesRecursive(path.substr(0, slash));
  }

  auto& copy_op = planner.Make<PhysicalCopyToFile>(
      GetCopyFunctionReturnLogicalTypes(CopyFunctionReturnType::WRITTEN_FILE_STATISTICS), function,
      std::move(bind_data), estimated_cardinality);
  auto& copy = copy_op.Cast<PhysicalCopyToFile>();
  copy.partition_output = !partition_columns.empty();
  // The writer makes <path>/<k>=<v>/arbor_<uuid>.parquet when partitioned;
  // unpartitioned, a size limit no file reaches puts it in "directory" mode:
  // <path>/arbor_<uuid>.parquet. Either way the names are drawn when the
  // statement runs, so a prepared statement executed twice never reuses one.
  copy.file_path = path;
  if (!copy.partition_output) copy.file_size_bytes = idx_t(1) << 62;
  copy.use_tmp_file = false;
  copy.overwrite_mode = CopyOverwriteMode::COPY_APPEND;
  copy.filename_pattern.SetFilenamePattern("arbor_{uuid}");
  copy.file_extension = "parquet";
  copy.per_thread_output = false;
  copy.return_type = CopyFunctionReturnType::WRITTEN_FILE_STATISTICS;
  copy.partition_columns = partition_columns;
  copy.write_partition_columns = false;
  copy.hive_file_pattern = true;
  copy.names = names;
  copy.expected_types = types;
  copy.parallel = false;
  // Partitioned writes open files per partition as rows arrive (the writer's
  // "no empty file" mode would open one at the table's path up front); in
  // directory mode, no rows means no file.
  copy.write_empty_file = copy.partition_output;
  copy.children.push_back(input);

  auto& insert =
      planner.Make<MetastoreInsert>(client, std::move(table), mode, estimated_cardinality);
  insert.children.push_back(copy_op);
  return insert;
}

}  // namespace

PhysicalOperator& PlanMetastoreInsert(ClientContext& context, PhysicalPlanGenerator& planner,
                                      LogicalInsert& op, optional_ptr<PhysicalOperator> plan) {
  if (op.return_chunk)
    throw NotImplementedException("INSERT ... RETURNING is not supported on metastore tables");
  if (op.on_conflict_info.action_type != OnConflictAction::THROW) {
    throw NotImplementedException("INSERT ... ON CONFLICT is not supported on metastore tables");
  }
  if (!plan) throw NotImplementedException("INSERT without a query into a metastore table");
  auto& entry = op.table.Cast<MetastoreTableEntry>();
  PhysicalOperator* input = plan.get();
  if (!op.column_index_map.empty()) {
    // INSERT with a column list: put the columns in table order, NULL for the missing.
    vector<unique_ptr<Expression>> select;
    vector<LogicalType> types;
    for (auto& col : entry.GetColumns().Physical()) {
      auto mapped = op.column_index_map[col.Physical()];
      if (mapped == DConstants::INVALID_INDEX) {
        select.push_back(make_uniq<BoundConstantExpression>(Value(col.Type())));
      } else {
        select.push_back(make_uniq<BoundReferenceExpression>(col.Type(), mapped));
      }
      types.push_back(col.Type());
    }
    auto& proj = planner.Make<PhysicalProjection>(std::move(types), std::move(select),
                                                  op.estimated_cardinality);
    proj.children.push_back(*plan);
    input = &proj;
  }
  return PlanWrite(context, planner, entry.client(), entry.table_ptr(), entry.GetColumns(), *input,
                   WriteMode::kInsert, op.estimated_cardinality);
}

PhysicalOperator& PlanMetastoreCreateTableAs(ClientContext& context, PhysicalPlanGenerator& planner,
                                             LogicalCreateTable& op, PhysicalOperator& plan) {
  // Nothing is registered here: the files are written first and the table
  // registered with them when the statement finishes (MetastoreInsert), so a
  // failing query leaves no table behind, and planning alone (EXPLAIN,
  // PREPARE) changes nothing.
  auto& schema = op.schema.Cast<MetastoreSchemaEntry>();
  auto& client = schema.catalog.Cast<MetastoreCatalog>().client();
  auto& create = op.info->Base();
  ms::Table table = schema.TableDefinition(*op.info);
  const std::string display = schema.ns() + "." + table.name;

  auto existing =
      client->With([&](ms::MetastoreProvider& p) { return p.GetTable(schema.ns(), table.name); });
  if (existing.ok()) {
    if (create.on_conflict == OnCreateConflict::IGNORE_ON_CONFLICT)
      return planner.Make<NothingWritten>(op.estimated_cardinality);
    if (create.on_conflict == OnCreateConflict::REPLACE_ON_CONFLICT) {
      throw NotImplementedException(
          "CREATE OR REPLACE TABLE %s AS: replacing a metastore table is not supported; DROP TABLE "
          "it first",
          display);
    }
    throw CatalogException("table %s already exists", display);
  }
  if (existing.status().code() != arbor::StatusCode::kNotFound)
    ThrowStatus(existing.status(), "creating table " + display);

  // The Hive convention, which metastores apply to a table created without
  // a location: <database location>/<table>.
  auto ns = client->With([&](ms::MetastoreProvider& p) { return p.GetNamespace(schema.ns()); });
  if (!ns.ok()) ThrowStatus(ns.status(), "creating table " + display);
  std::string base = ns->location;
  while (!base.empty() && base.back() == '/')
    base.pop_back();
  if (base.empty()) {
    throw InvalidInputException(
        "creating table %s: schema %s has no location to put the table's files under", display,
        schema.ns());
  }
  table.storage.location = base + "/" + StringUtil::Lower(table.name);
  // Files already there would become part of the new table: those of a
  // dropped table (DROP TABLE keeps files), or of a table of the same name
  // on another ref, which shares the directory.
  auto& fs = FileSystem::GetFileSystem(context);
  const std::string path = ms::DuckDbPath(table.storage.location);
  if (HoldsFiles(fs, path)) {
    throw CatalogException(
        "creating table %s: its location %s already holds files (of a dropped table, or of the "
        "same table on another ref); remove them or choose another table name",
        display, table.storage.location);
  }

  ColumnList columns = MetastoreColumns(nullptr, table);
  // The query produces the columns in declaration order; the table keeps the
  // partition columns last, as Hive does.
  auto& declared = create.columns;
  vector<unique_ptr<Expression>> select;
  vector<LogicalType> types;
  for (auto& col : columns.Logical()) {
    idx_t source = DConstants::INVALID_INDEX;
    LogicalType source_type;
    idx_t k = 0;
    for (auto& d : declared.Logical()) {
      if (StringUtil::CIEquals(d.Name().GetIdentifierName(), col.Name().GetIdentifierName())) {
        source = k;
        source_type = d.Type();
      }
      k++;
    }
    if (source == DConstants::INVALID_INDEX)
      throw InternalException("CTAS column %s lost", col.Name());
    // The metastore's type may be wider than the query's (Hive has fewer types).
    select.push_back(BoundCastExpression::AddCastToType(
        context, make_uniq<BoundReferenceExpression>(source_type, source), col.Type()));
    types.push_back(col.Type());
  }
  auto& proj = planner.Make<PhysicalProjection>(std::move(types), std::move(select),
                                                op.estimated_cardinality);
  proj.children.push_back(plan);
  return PlanWrite(context, planner, client, std::make_shared<const ms::Table>(std::move(table)),
                   columns, proj, WriteMode::kCreate, op.estimated_cardinality);
}

}  // namespace duckdb

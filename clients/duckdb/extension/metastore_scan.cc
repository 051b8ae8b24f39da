#include "clients/duckdb/extension/metastore_scan.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <mutex>
#include <optional>

#include "duckdb/catalog/catalog_entry/table_function_catalog_entry.hpp"
#include "duckdb/common/multi_file/multi_file_function.hpp"
#include "duckdb/common/multi_file/multi_file_list.hpp"
#include "duckdb/common/multi_file/multi_file_reader.hpp"
#include "duckdb/common/multi_file/table_function_multi_file.hpp"
#include "duckdb/main/config.hpp"
#include "duckdb/main/database.hpp"
#include "duckdb/parser/expression/cast_expression.hpp"
#include "duckdb/parser/expression/constant_expression.hpp"
#include "duckdb/parser/tableref/table_function_ref.hpp"
#include "duckdb/planner/expression/bound_columnref_expression.hpp"
#include "duckdb/planner/expression/bound_comparison_expression.hpp"
#include "duckdb/planner/expression/bound_conjunction_expression.hpp"
#include "duckdb/planner/expression/bound_constant_expression.hpp"
#include "duckdb/planner/expression/bound_operator_expression.hpp"
#include "duckdb/storage/statistics/node_statistics.hpp"

#include "clients/duckdb/extension/metastore_catalog.h"
#include "clients/duckdb/metastore/format.h"
#include "clients/duckdb/metastore/partition_predicate.h"

namespace duckdb {

namespace ms = arbor::metastore;

namespace {

constexpr const char* kPartitionOption = "arbor_partition_";

// What a scan of one table needs, shared by the reader, its file lists and
// their copies.
struct ScanState {
  std::shared_ptr<ms::MetastoreClient> client;
  std::shared_ptr<const ms::Table> table;
  std::vector<LogicalType> data_types;       // one per table->storage.columns
  std::vector<LogicalType> partition_types;  // one per table->partition_columns
};

// The function info is the only slot that reaches get_multi_file_reader, and
// the wrapped readers (read_csv, read_json) keep their own info there, which
// they read back with a static cast. So the scan state rides in a mixin next
// to whichever info the reader had: a plain one, or the wrapped reader's.
struct ScanStateHolder {
  virtual ~ScanStateHolder() = default;
  std::shared_ptr<const ScanState> scan;
};
struct MetastoreScanInfo : public TableFunctionInfo, public ScanStateHolder {};
struct MetastoreWrappedScanInfo : public TableFunctionMultiFileInfo, public ScanStateHolder {
  explicit MetastoreWrappedScanInfo(const TableFunctionMultiFileInfo& original)
      : TableFunctionMultiFileInfo(original.function, original.settings) {}
};

// Whether a file name is data, as for Hive: names starting with '_' or '.'
// (Hadoop's _SUCCESS markers, hidden and temporary files) are not.
bool IsDataName(std::string_view name) {
  return !name.empty() && name[0] != '_' && name[0] != '.';
}

#ifdef __linux__
// The data files of a local directory by one open and getdents64 calls: the
// entry types come with the names, so only a link, or an entry whose type the
// file system does not report, is stat'ed (to follow it, as a read would).
// DuckDB's ListFiles also stats every file and fstats the directory, which
// made a partition's listing half again as expensive. nullopt: cannot open
// it as a directory, for the caller's error or absence handling.
std::optional<std::vector<OpenFileInfo>> ListLocalDataFiles(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::vector<OpenFileInfo> out;
  alignas(struct dirent64) char buf[8192];
  bool ok = true;
  while (true) {
    const ssize_t n = ::getdents64(fd, buf, sizeof(buf));
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      ok = false;
      break;
    }
    for (ssize_t at = 0; at < n;) {
      const auto* e = reinterpret_cast<const struct dirent64*>(buf + at);
      at += e->d_reclen;
      if (!IsDataName(e->d_name)) continue;
      bool file = e->d_type == DT_REG;
      if (e->d_type == DT_LNK || e->d_type == DT_UNKNOWN) {
        struct stat st;
        file = ::fstatat(fd, e->d_name, &st, 0) == 0 && S_ISREG(st.st_mode);
      }
      if (file) out.emplace_back(dir + (dir.back() == '/' ? "" : "/") + e->d_name);
    }
  }
  ::close(fd);
  if (!ok) return std::nullopt;
  return out;
}
#endif

// The data files directly in `dir`, sorted by path; subdirectories are not
// data either. A missing directory has none. A local directory is read
// directly where DuckDB's settings allow access to it (else ListFiles, which
// reports why not); a glob would split and re-resolve the path per
// directory. Other file systems are globbed, as their listings differ (an
// object store's may recurse) and their glob is one LIST request anyway.
std::vector<OpenFileInfo> ListDataFiles(ClientContext& context, FileSystem& fs,
                                        const std::string& dir) {
  std::vector<OpenFileInfo> out;
  if (dir.empty()) return out;
  if (dir.find("://") == std::string::npos) {
#ifdef __linux__
    if (dir[0] == '/' && DBConfig::GetConfig(context).CanAccessFile(dir, FileType::FILE_TYPE_DIR)) {
      if (auto local = ListLocalDataFiles(dir)) out = std::move(*local);
      std::sort(out.begin(), out.end());
      return out;
    }
#endif
    fs.ListFiles(dir, [&](OpenFileInfo& f) {
      if (FileSystem::IsDirectory(f) || !IsDataName(f.path)) return;
      f.path = fs.JoinPath(dir, f.path);
      out.push_back(std::move(f));
    });
  } else if (fs.DirectoryExists(dir)) {
    for (auto& f : fs.Glob(fs.JoinPath(dir, "*"))) {
      if (IsDataName(StringUtil::GetFileName(f.path))) out.push_back(std::move(f));
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The files of the partitions that match `predicate`, listed on first use.
class MetastoreFileList : public MultiFileList {
 public:
  MetastoreFileList(ClientContext& context, std::shared_ptr<const ScanState> info,
                    ms::PartitionPredicate predicate)
      : context_(context), info_(std::move(info)), predicate_(std::move(predicate)) {}

  unique_ptr<MultiFileList> ComplexFilterPushdown(
      ClientContext& context, const MultiFileOptions& options, MultiFilePushdownInfo& pushdown,
      vector<unique_ptr<Expression>>& filters) const override {
    ms::PartitionPredicate extra = ExtractPredicate(pushdown, filters);
    if (extra.empty()) return nullptr;
    ms::PartitionPredicate combined = predicate_;
    for (auto& term : extra.terms)
      combined.terms.push_back(std::move(term));
    // The filters stay: DuckDB still evaluates them on the constant columns.
    return make_uniq<MetastoreFileList>(context, info_, std::move(combined));
  }

  vector<OpenFileInfo> GetAllFiles() const override {
    Expand();
    vector<OpenFileInfo> out;
    for (const auto& f : files_)
      out.push_back(f);
    return out;
  }
  FileExpandResult GetExpandResult() const override {
    Expand();
    if (files_.empty()) return FileExpandResult::NO_FILES;
    return files_.size() == 1 ? FileExpandResult::SINGLE_FILE : FileExpandResult::MULTIPLE_FILES;
  }
  idx_t GetTotalFileCount() const override {
    Expand();
    return files_.size();
  }
  unique_ptr<NodeStatistics> GetCardinality(ClientContext&) const override {
    std::lock_guard<std::mutex> lock(mu_);
    if (expanded_ && info_->table->partitioned()) {
      idx_t rows = 0;
      for (const auto& p : partitions_) {
        if (!p.statistics.row_count) return TableEstimate();
        rows += NumericCast<idx_t>(*p.statistics.row_count);
      }
      return make_uniq<NodeStatistics>(rows, rows);
    }
    return TableEstimate();
  }
  unique_ptr<MultiFileList> Copy() const override {
    return make_uniq<MetastoreFileList>(context_, info_, predicate_);
  }

 protected:
  OpenFileInfo GetFile(idx_t i) const override {
    Expand();
    if (i >= files_.size()) return OpenFileInfo("");
    return files_[i];
  }

 private:
  unique_ptr<NodeStatistics> TableEstimate() const {
    const auto& stats = info_->table->statistics;
    if (!stats.row_count || !predicate_.empty()) return nullptr;
    auto rows = NumericCast<idx_t>(*stats.row_count);
    return make_uniq<NodeStatistics>(rows, rows);
  }

  // Partition-column terms of the filters DuckDB offers; filters on other
  // columns, or of shapes we do not translate, are left to DuckDB.
  ms::PartitionPredicate ExtractPredicate(MultiFilePushdownInfo& pushdown,
                                          vector<unique_ptr<Expression>>& filters) const {
    ms::PartitionPredicate out;
    const auto& keys = info_->table->partition_columns;
    auto partition_column = [&](const Expression& e) -> const ms::Column* {
      if (e.GetExpressionClass() != ExpressionClass::BOUND_COLUMN_REF) return nullptr;
      auto& ref = e.Cast<BoundColumnRefExpression>();
      idx_t projection = ref.Binding().column_index.GetIndex();
      if (projection >= pushdown.column_ids.size()) return nullptr;
      column_t column = pushdown.column_ids[projection];
      if (column >= pushdown.column_names.size()) return nullptr;
      const std::string name = StringUtil::Lower(pushdown.column_names[column].GetIdentifierName());
      for (const auto& k : keys) {
        if (StringUtil::Lower(k.name) == name) return &k;
      }
      return nullptr;
    };
    auto literal = [](const Expression& e, std::string& out_text) {
      if (e.GetExpressionClass() != ExpressionClass::BOUND_CONSTANT) return false;
      const Value& v = e.Cast<BoundConstantExpression>().GetValue();
      if (v.IsNull()) return false;
      out_text = v.ToString();
      return true;
    };
    std::function<void(const Expression&)> visit = [&](const Expression& e) {
      auto type = e.GetExpressionType();
      if (type == ExpressionType::CONJUNCTION_AND) {
        for (auto& child : e.Cast<BoundConjunctionExpression>().GetChildren())
          visit(*child);
        return;
      }
      if (BoundComparisonExpression::IsComparison(e)) {
        auto& fn = e.Cast<BoundFunctionExpression>();
        const Expression& left = BoundComparisonExpression::Left(fn);
        const Expression& right = BoundComparisonExpression::Right(fn);
        const ms::Column* col = partition_column(left);
        std::string lit;
        bool flipped = false;
        if (!col || !literal(right, lit)) {
          col = partition_column(right);
          if (!col || !literal(left, lit)) return;
          flipped = true;
        }
        ms::PartitionTerm term;
        term.column = col->name;
        term.numeric = ms::IsIntegralHiveType(col->type);
        term.literals = {lit};
        using Op = ms::PartitionTerm::Op;
        switch (type) {
          case ExpressionType::COMPARE_EQUAL:
            term.op = Op::kEq;
            break;
          case ExpressionType::COMPARE_NOTEQUAL:
            term.op = Op::kNe;
            break;
          case ExpressionType::COMPARE_LESSTHAN:
            term.op = flipped ? Op::kGt : Op::kLt;
            break;
          case ExpressionType::COMPARE_LESSTHANOREQUALTO:
            term.op = flipped ? Op::kGe : Op::kLe;
            break;
          case ExpressionType::COMPARE_GREATERTHAN:
            term.op = flipped ? Op::kLt : Op::kGt;
            break;
          case ExpressionType::COMPARE_GREATERTHANOREQUALTO:
            term.op = flipped ? Op::kLe : Op::kGe;
            break;
          default:
            return;
        }
        // String order is the metastore's order only for strings and for
        // ISO dates; other types are pruned with equality alone.
        bool ordered = term.numeric || col->type == "string" || col->type == "date" ||
                       StringUtil::StartsWith(col->type, "varchar") ||
                       StringUtil::StartsWith(col->type, "char");
        if (!ordered && term.op != Op::kEq && term.op != Op::kNe) return;
        out.terms.push_back(std::move(term));
        return;
      }
      if (type == ExpressionType::COMPARE_IN) {
        auto& children = e.Cast<BoundOperatorExpression>().GetChildren();
        if (children.size() < 2) return;
        const ms::Column* col = partition_column(*children[0]);
        if (!col) return;
        ms::PartitionTerm term;
        term.column = col->name;
        term.numeric = ms::IsIntegralHiveType(col->type);
        term.op = ms::PartitionTerm::Op::kIn;
        for (idx_t i = 1; i < children.size(); i++) {
          std::string lit;
          if (!literal(*children[i], lit)) return;
          term.literals.push_back(lit);
        }
        out.terms.push_back(std::move(term));
        return;
      }
      if (type == ExpressionType::OPERATOR_IS_NULL ||
          type == ExpressionType::OPERATOR_IS_NOT_NULL) {
        auto& children = e.Cast<BoundOperatorExpression>().GetChildren();
        const ms::Column* col = children.empty() ? nullptr : partition_column(*children[0]);
        if (!col) return;
        ms::PartitionTerm term;
        term.column = col->name;
        term.op = type == ExpressionType::OPERATOR_IS_NULL ? ms::PartitionTerm::Op::kIsNull
                                                           : ms::PartitionTerm::Op::kIsNotNull;
        out.terms.push_back(std::move(term));
      }
    };
    for (auto& f : filters)
      visit(*f);
    return out;
  }

  void Expand() const {
    std::lock_guard<std::mutex> lock(mu_);
    if (expanded_) return;
    const ms::Table& table = *info_->table;
    auto& client = *info_->client;
    std::vector<std::pair<std::string, const ms::Partition*>> dirs;
    if (table.partitioned()) {
      auto start = std::chrono::steady_clock::now();
      auto listing = client.With([&](ms::MetastoreProvider& p) {
        return p.ListPartitions(table, predicate_.empty() ? nullptr : &predicate_);
      });
      if (!listing.ok())
        ThrowStatus(listing.status(),
                    "listing partitions of " + table.namespace_name + "." + table.name);
      partitions_ = std::move(listing->partitions);
      client.counters().listings++;
      client.counters().partitions += static_cast<int64_t>(partitions_.size());
      if (listing->pushed_down) client.counters().pushed_down++;
      if (client.config().debug) {
        Printer::Print(StringUtil::Format(
            "[arbor] %s.%s: %d partitions for [%s]%s in %.3f ms", table.namespace_name, table.name,
            partitions_.size(), predicate_.ToString(),
            listing->pushed_down ? " (pushed down)" : " (pruned locally: " + listing->note + ")",
            ms::MetastoreClient::MicrosSince(start) / 1e3));
      }
      for (const auto& p : partitions_)
        dirs.emplace_back(ms::DuckDbPath(p.storage.location), &p);
    } else {
      dirs.emplace_back(ms::DuckDbPath(table.storage.location), nullptr);
    }
    auto start = std::chrono::steady_clock::now();
    auto& fs = FileSystem::GetFileSystem(context_);
    for (const auto& [dir, partition] : dirs) {
      for (auto& f : ListDataFiles(context_, fs, dir)) {
        if (partition) {
          if (!f.extended_info) f.extended_info = make_shared_ptr<ExtendedOpenFileInfo>();
          for (idx_t k = 0; k < partition->values.size(); k++) {
            f.extended_info->options[kPartitionOption + std::to_string(k)] =
                Value(partition->values[k]);
          }
        }
        files_.push_back(std::move(f));
      }
    }
    const int64_t us = ms::MetastoreClient::MicrosSince(start);
    client.counters().directories += static_cast<int64_t>(dirs.size());
    client.counters().files += static_cast<int64_t>(files_.size());
    client.counters().directory_us += us;
    if (client.config().debug) {
      Printer::Print(StringUtil::Format(
          "[arbor] %s.%s: %d files in %d directories, listed in %.3f ms", table.namespace_name,
          table.name, files_.size(), dirs.size(), us / 1e3));
    }
    expanded_ = true;
  }

  ClientContext& context_;
  std::shared_ptr<const ScanState> info_;
  ms::PartitionPredicate predicate_;
  mutable std::mutex mu_;
  mutable bool expanded_ = false;
  mutable std::vector<ms::Partition> partitions_;
  mutable std::vector<OpenFileInfo> files_;
};

class MetastoreMultiFileReader : public MultiFileReader {
 public:
  explicit MetastoreMultiFileReader(std::shared_ptr<const ScanState> info)
      : info_(std::move(info)) {}

  static unique_ptr<MultiFileReader> Create(const BoundTableFunction& function) {
    auto* holder = dynamic_cast<ScanStateHolder*>(function.function_info.get());
    if (!holder) throw InternalException("metastore scan bound without its scan state");
    return make_uniq<MetastoreMultiFileReader>(holder->scan);
  }

  shared_ptr<MultiFileList> CreateFileList(ClientContext& context, const vector<string>&,
                                           const FileGlobInput&) override {
    return make_shared_ptr<MetastoreFileList>(context, info_, ms::PartitionPredicate());
  }
  shared_ptr<MultiFileList> CreateFileList(ClientContext& context, vector<OpenFileInfo>,
                                           const FileGlobInput&) override {
    return make_shared_ptr<MetastoreFileList>(context, info_, ms::PartitionPredicate());
  }

  // The schema comes from the metastore; no file is opened to bind.
  bool Bind(MultiFileOptions&, MultiFileList&, vector<LogicalType>& types,
            vector<Identifier>& names, MultiFileReaderBindData& bind_data) override {
    const auto& columns = info_->table->storage.columns;
    for (idx_t i = 0; i < columns.size(); i++) {
      names.emplace_back(columns[i].name);
      types.push_back(info_->data_types[i]);
      bind_data.schema.emplace_back(Identifier(columns[i].name), types.back());
      // As Hive does, a column a file lacks (added after it was written) reads as NULL.
      bind_data.schema.back().default_expression =
          make_uniq<CastExpression>(types.back(), make_uniq<ConstantExpression>(Literal::Null()));
    }
    bind_data.mapping = MultiFileColumnMappingMode::BY_NAME;
    return true;
  }

  void BindOptions(MultiFileOptions& options, MultiFileList& files, vector<LogicalType>& types,
                   vector<Identifier>& names, MultiFileReaderBindData& bind_data) override {
    MultiFileReader::BindOptions(options, files, types, names, bind_data);
    partition_indexes_.clear();
    const auto& keys = info_->table->partition_columns;
    for (idx_t k = 0; k < keys.size(); k++) {
      partition_indexes_.push_back(names.size());
      names.emplace_back(keys[k].name);
      types.push_back(info_->partition_types[k]);
    }
  }

  void FinalizeBind(MultiFileReaderData& reader_data, const MultiFileOptions& file_options,
                    const MultiFileReaderBindData& options,
                    const vector<MultiFileColumnDefinition>& global_columns,
                    const vector<ColumnIndex>& global_column_ids, ClientContext& context,
                    optional_ptr<MultiFileReaderGlobalState> global_state) override {
    MultiFileReader::FinalizeBind(reader_data, file_options, options, global_columns,
                                  global_column_ids, context, global_state);
    if (partition_indexes_.empty()) return;
    const auto& file = reader_data.reader->file;
    for (idx_t i = 0; i < global_column_ids.size(); i++) {
      idx_t column = global_column_ids[i].GetPrimaryIndex();
      for (idx_t k = 0; k < partition_indexes_.size(); k++) {
        if (partition_indexes_[k] != column) continue;
        const LogicalType& type = info_->partition_types[k];
        Value raw;
        if (!file.extended_info ||
            !file.extended_info->options.count(kPartitionOption + std::to_string(k))) {
          throw InternalException("file %s carries no partition value", file.path);
        }
        raw = file.extended_info->options.at(kPartitionOption + std::to_string(k));
        std::string text = raw.ToString();
        Value value =
            text == ms::kHiveDefaultPartition ? Value(type) : Value(text).DefaultCastAs(type);
        reader_data.constant_map.Add(MultiFileGlobalIndex(i), value);
      }
    }
  }

  unique_ptr<MultiFileReader> Copy() const override {
    auto copy = make_uniq<MetastoreMultiFileReader>(info_);
    copy->partition_indexes_ = partition_indexes_;
    return copy;  // converts with an implicit move (CWG 1579)
  }

 private:
  std::shared_ptr<const ScanState> info_;
  vector<idx_t> partition_indexes_;
};

[[noreturn]] void ThrowExtensionNeeded(const std::string& table, const char* format,
                                       const char* extension) {
  throw BinderException(
      "table %s is stored as %s; reading it needs DuckDB's %s extension (INSTALL %s; LOAD %s)",
      table, format, extension, extension, extension);
}

// A table function of the system catalog, where DuckDB's own readers and
// every loaded extension's functions live, by name; `extension` names what
// provides it in the error.
TableFunction LookupTableFunction(ClientContext& context, const std::string& name,
                                  const std::string& table, const char* format,
                                  const char* extension) {
  EntryLookupInfo lookup(
      CatalogType::TABLE_FUNCTION_ENTRY,
      QualifiedName(Identifier(SYSTEM_CATALOG), Identifier(DEFAULT_SCHEMA), Identifier(name)));
  auto entry = Catalog::GetEntry(context, lookup, OnEntryNotFound::RETURN_NULL);
  if (!entry) ThrowExtensionNeeded(table, format, extension);
  auto& functions = entry->Cast<TableFunctionCatalogEntry>().functions;
  return *functions.GetFunctionByArguments(context, {LogicalType::VARCHAR});
}

struct ScanBind {
  unique_ptr<FunctionData> data;
  vector<LogicalType> types;
  vector<Identifier> names;
};

ScanBind CallBind(ClientContext& context, TableFunction& function, vector<Value> inputs,
                  const std::vector<std::pair<std::string, Value>>& options) {
  named_argument_map_t named;
  for (const auto& [key, value] : options)
    named[Identifier(key)] = value;
  vector<LogicalType> input_types;
  vector<Identifier> input_names;
  ScanBind result;
  BoundTableFunction bound(function);
  TableFunctionRef ref;
  TableFunctionBindInput input(inputs, named, input_types, input_names,
                               function.function_info.get(), nullptr, bound, ref);
  if (!function.bind) {
    throw NotImplementedException("%s cannot be called by the metastore scan (it has no bind)",
                                  function.name);
  }
  result.data = function.bind(context, input, result.types, result.names);
  return result;
}

// Iceberg and Delta tables are read by the scan functions of DuckDB's
// iceberg and delta extensions: iceberg_scan(<metadata_location>) and
// delta_scan(<table location>).
struct LakehouseReader {
  const char* function = nullptr;
  const char* format = nullptr;
  const char* extension = nullptr;
  std::string argument;
};

// False for tables of other formats. Throws BinderException when an Iceberg
// or Delta table lacks what its reader needs.
bool LakehouseReaderOf(const ms::Table& table, LakehouseReader& out) {
  const std::string display = table.namespace_name + "." + table.name;
  switch (ms::Classify(table.storage, table.properties)) {
    case ms::FileFormat::kIceberg: {
      // Iceberg's HiveCatalog (Spark, Trino, Flink) keeps the current
      // metadata file in this table parameter.
      auto it = table.properties.find("metadata_location");
      if (it == table.properties.end() || it->second.empty())
        throw BinderException("Iceberg table %s has no metadata_location property", display);
      out = {"iceberg_scan", "iceberg", "iceberg", ms::DuckDbPath(it->second)};
      return true;
    }
    case ms::FileFormat::kDelta: {
      // Spark's Delta tables keep their directory as the location and, for
      // its data source API, in the serde parameter `path`.
      std::string location = table.storage.location;
      auto path = table.storage.serde_parameters.find("path");
      if (location.empty() && path != table.storage.serde_parameters.end()) location = path->second;
      if (location.empty()) throw BinderException("Delta table %s has no location", display);
      out = {"delta_scan", "delta", "delta", ms::DuckDbPath(location)};
      return true;
    }
    default:
      return false;
  }
}

// Lakehouse formats need their extension loaded already: an autoload attempt
// would turn into a download, or into an error that does not name the table.
bool ExtensionLoaded(ClientContext& context, const char* extension) {
  return DatabaseInstance::GetDatabase(context).ExtensionIsLoaded(extension);
}

TableFunction BindLakehouse(ClientContext& context, const ms::Table& table,
                            const LakehouseReader& reader, ScanBind& bound) {
  const std::string display = table.namespace_name + "." + table.name;
  if (!ExtensionLoaded(context, reader.extension))
    ThrowExtensionNeeded(display, reader.format, reader.extension);
  TableFunction fn =
      LookupTableFunction(context, reader.function, display, reader.format, reader.extension);
  bound = CallBind(context, fn, {Value(reader.argument)}, {});
  return fn;
}

Value StructOfColumns(const ms::Table& table, const ColumnList& columns) {
  child_list_t<Value> fields;
  for (const auto& c : table.storage.columns) {
    for (auto& col : columns.Logical()) {
      if (StringUtil::CIEquals(col.Name().GetIdentifierName(), c.name)) {
        fields.emplace_back(Identifier(c.name), Value(col.Type().ToString()));
      }
    }
  }
  return Value::STRUCT(std::move(fields));
}

}  // namespace

bool LakehouseSchema(ClientContext& context, const ms::Table& table, vector<Identifier>& names,
                     vector<LogicalType>& types) {
  LakehouseReader reader;
  try {
    if (!LakehouseReaderOf(table, reader) || !ExtensionLoaded(context, reader.extension))
      return false;
    ScanBind bound;
    BindLakehouse(context, table, reader, bound);
    names = std::move(bound.names);
    types = std::move(bound.types);
    return true;
  } catch (std::exception&) {
    // Listing a schema must not fail on one broken table: its entry keeps
    // the metastore's columns and a scan of it reports the reader's error.
    return false;
  }
}

TableFunction BindMetastoreScan(ClientContext& context,
                                const std::shared_ptr<ms::MetastoreClient>& client,
                                const std::shared_ptr<const ms::Table>& table,
                                const ColumnList& columns, unique_ptr<FunctionData>& bind_data) {
  const std::string display = table->namespace_name + "." + table->name;
  LakehouseReader lakehouse;
  if (LakehouseReaderOf(*table, lakehouse)) {
    ScanBind bound;
    TableFunction fn = BindLakehouse(context, *table, lakehouse, bound);
    // DuckDB maps the entry's columns onto the function's by position.
    bool same = bound.types.size() == columns.LogicalColumnCount();
    for (idx_t i = 0; same && i < bound.types.size(); i++) {
      auto& col = columns.GetColumn(LogicalIndex(i));
      same =
          col.Type() == bound.types[i] &&
          StringUtil::CIEquals(col.Name().GetIdentifierName(), bound.names[i].GetIdentifierName());
    }
    if (!same) {
      throw BinderException(
          "table %s: %s returns other columns than the catalog entry has (it was looked up before "
          "the %s extension was loaded, or the table changed); run the query again",
          display, lakehouse.function, lakehouse.extension);
    }
    bind_data = std::move(bound.data);
    return fn;
  }
  ms::FileFormat format = ms::Classify(table->storage, table->properties);
  std::string reader;
  std::vector<std::pair<std::string, Value>> named;
  switch (format) {
    case ms::FileFormat::kParquet:
      reader = "read_parquet";
      break;
    case ms::FileFormat::kJson:
      reader = "read_json";
      named.emplace_back("format", Value("newline_delimited"));
      named.emplace_back("columns", StructOfColumns(*table, columns));
      break;
    case ms::FileFormat::kText: {
      reader = "read_csv";
      ms::TextOptions text = ms::TextOptionsOf(table->storage, table->properties);
      named.emplace_back("auto_detect", Value::BOOLEAN(false));
      named.emplace_back("delim", Value(text.field_delimiter));
      named.emplace_back("header", Value::BOOLEAN(false));
      named.emplace_back("skip", Value::BIGINT(text.header_lines));
      named.emplace_back("nullstr", Value(text.null_format));
      named.emplace_back("quote", Value(text.quote));
      named.emplace_back("escape", Value(text.escape));
      named.emplace_back("columns", StructOfColumns(*table, columns));
      break;
    }
    case ms::FileFormat::kAvro:
      // read_avro is a multi-file reader like read_parquet; it lives in
      // DuckDB's avro extension, which must be loaded already (see
      // ExtensionLoaded).
      if (!ExtensionLoaded(context, "avro")) ThrowExtensionNeeded(display, "avro", "avro");
      reader = "read_avro";
      break;
    default:
      throw BinderException(
          "table %s is stored as %s (serde %s, input format %s), which DuckDB cannot read", display,
          ms::FileFormatName(format), table->storage.serde, table->storage.input_format);
  }
  const char* extension = format == ms::FileFormat::kText ? "csv" : ms::FileFormatName(format);
  TableFunction fn =
      LookupTableFunction(context, reader, display, ms::FileFormatName(format), extension);
  auto info = std::make_shared<ScanState>();
  info->client = client;
  info->table = table;
  auto type_of = [&](const std::string& name) {
    for (auto& col : columns.Logical()) {
      if (StringUtil::CIEquals(col.Name().GetIdentifierName(), name)) return col.Type();
    }
    throw InternalException("column %s missing from the entry of %s", name, display);
  };
  for (const auto& c : table->storage.columns)
    info->data_types.push_back(type_of(c.name));
  for (const auto& k : table->partition_columns)
    info->partition_types.push_back(type_of(k.name));
  auto* wrapped = dynamic_cast<TableFunctionMultiFileInfo*>(fn.function_info.get());
  if (wrapped) {
    auto holder = make_shared_ptr<MetastoreWrappedScanInfo>(*wrapped);
    holder->scan = info;
    fn.function_info = holder;
  } else if (!fn.function_info) {
    auto holder = make_shared_ptr<MetastoreScanInfo>();
    holder->scan = info;
    fn.function_info = holder;
  } else {
    throw NotImplementedException("reader %s keeps function info the metastore scan cannot wrap",
                                  reader);
  }
  fn.get_multi_file_reader = MetastoreMultiFileReader::Create;
  bind_data = CallBind(context, fn, {Value("metastore://" + display)}, named).data;
  return fn;
}

}  // namespace duckdb

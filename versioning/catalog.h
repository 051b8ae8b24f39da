// CatalogTxn: typed catalog operations — databases, tables, partitions,
// functions and column statistics — against one ReadView.
//
// Reads see the view plus the transaction's own pending edits, so one request
// that creates a table and adds its partitions sees its own writes. Writes only
// accumulate edits: Repository::Mutate runs the transaction under the branch's
// lock and stages (or commits) TakeEdits(), which makes every existence check
// atomic with the write that depends on it.
//
// Errors carry HMS's meaning in their code: NotFound (NoSuchObject),
// AlreadyExists, NotEmpty ("Database x is not empty"), InvalidArgument (bad
// names, values or requests). Messages follow Hive's wording where clients read
// them. Names are normalized (trimmed, lower-cased) here, once.
//
// Encoded keys and stored bytes never leave versioning/: the raw layer is
// private, and listings that page, select or skip parsing are CatalogQuery's
// (catalog_query.h).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "arbor/catalog.pb.h"
#include "versioning/catalog_key.h"
#include "versioning/read_view.h"

namespace arbor {

class CatalogTxn {
 public:
  explicit CatalogTxn(const ReadView& view) : view_(view) {}

  const ReadView& view() const { return view_; }

  bool has_edits() const { return !pending_.empty(); }
  std::vector<Edit> TakeEdits();

  // --- databases
  Result<catalog::Database> GetDatabase(std::string_view db) const;
  Result<bool> DatabaseExists(std::string_view db) const;
  Result<std::vector<std::string>> ListDatabaseNames() const;
  Status CreateDatabase(const catalog::Database& db);
  Status AlterDatabase(std::string_view name, const catalog::Database& db);
  // Without cascade, a database that holds tables or functions is NotEmpty.
  Status DropDatabase(std::string_view name, bool cascade);

  // --- tables
  Result<catalog::Table> GetTable(std::string_view db, std::string_view table) const;
  // The same table parsed into `arena`, which owns it: for a reader that only
  // converts it (get_table), so the parse makes no heap allocation per field.
  Result<const catalog::Table*> GetTableIn(std::string_view db, std::string_view table,
                                           google::protobuf::Arena* arena) const;
  Result<bool> TableExists(std::string_view db, std::string_view table) const;
  Result<std::vector<std::string>> ListTableNames(std::string_view db) const;
  // Tables in name order, until fn returns false.
  Status ScanTables(std::string_view db,
                    const std::function<bool(const catalog::Table&)>& fn) const;
  Status CreateTable(const catalog::Table& table);
  // The same, for a caller that has just read the table's database `db` through
  // this transaction (for its defaults): the database is not looked up again.
  Status CreateTable(const catalog::Database& db, const catalog::Table& table);
  // Replaces the table. A new db_name/table_name renames it, moving its
  // partitions and statistics along.
  Status AlterTable(std::string_view db, std::string_view table, const catalog::Table& altered);
  Status DropTable(std::string_view db, std::string_view table);

  // --- partitions
  // The partition's canonical name from the table's keys and the given values;
  // InvalidRequest when the values do not fit the keys (or there are none).
  Result<std::string> PartitionName(const catalog::Table& table,
                                    const std::vector<std::string>& values) const;
  Result<catalog::Partition> GetPartition(std::string_view db, std::string_view table,
                                          std::string_view part_name) const;
  Result<bool> PartitionExists(std::string_view db, std::string_view table,
                               std::string_view part_name) const;
  // Partitions in name order from `offset`, until fn returns false. (Listings
  // that select, page or skip parsing: CatalogQuery, catalog_query.h.)
  Status ScanPartitions(
      std::string_view db, std::string_view table, uint64_t offset,
      const std::function<bool(const std::string& name, const catalog::Partition&)>& fn) const;
  Result<std::vector<std::string>> ListPartitionNames(std::string_view db, std::string_view table,
                                                      size_t limit = SIZE_MAX) const;
  // Adds partitions (values must match the table's keys). With if_not_exists,
  // existing ones are skipped; otherwise they are AlreadyExists. A partition
  // listed twice is InvalidRequest. Returns the added.
  Result<std::vector<catalog::Partition>> AddPartitions(std::string_view db, std::string_view table,
                                                        std::vector<catalog::Partition> parts,
                                                        bool if_not_exists);
  // Replaces the partition named by altered.values.
  Status AlterPartition(std::string_view db, std::string_view table,
                        const catalog::Partition& altered);
  // Moves the partition with `old_values` (and its statistics) to renamed.values.
  Status RenamePartition(std::string_view db, std::string_view table,
                         const std::vector<std::string>& old_values,
                         const catalog::Partition& renamed);
  // Drops a partition and its statistics.
  Status DropPartition(std::string_view db, std::string_view table, std::string_view part_name);

  // --- functions
  Result<catalog::Function> GetFunction(std::string_view db, std::string_view name) const;
  Result<std::vector<std::string>> ListFunctionNames(std::string_view db) const;
  Status ScanFunctions(std::string_view db,
                       const std::function<bool(const catalog::Function&)>& fn) const;
  Status CreateFunction(const catalog::Function& fn);
  Status AlterFunction(std::string_view db, std::string_view name, const catalog::Function& fn);
  Status DropFunction(std::string_view db, std::string_view name);

  // --- column statistics (one stored entry per column)
  // Stores each column of `stats` (table-level if stats_desc.is_tbl_level, else
  // for stats_desc.part_name), replacing older values of those columns.
  Status PutColumnStatistics(const catalog::ColumnStatistics& stats);
  // Table-level statistics of the named columns (all columns if `columns` is empty).
  Result<std::vector<catalog::ColumnStatistics>> GetTableColumnStatistics(
      std::string_view db, std::string_view table, const std::vector<std::string>& columns) const;
  Result<std::vector<catalog::ColumnStatistics>> GetPartitionColumnStatistics(
      std::string_view db, std::string_view table, std::string_view part_name,
      const std::vector<std::string>& columns) const;
  // Deletes statistics of one column, or of all columns when `column` is empty.
  // NotFound if a named column has none. part_name empty: table-level.
  Status DeleteColumnStatistics(std::string_view db, std::string_view table,
                                std::string_view part_name, std::string_view column);

 private:
  // CatalogQuery maps listings onto key ranges and reads them through the raw layer.
  friend class CatalogQuery;

  static Result<std::string> PartitionNameWithKeys(const catalog::Table& table,
                                                   const std::vector<std::string>& keys,
                                                   const std::vector<std::string>& values);

  // --- raw access by encoded key, overlaying pending edits on the view
  Result<std::optional<std::string>> Get(std::string_view key) const;
  // fn(key, value) for each live key in range, in order, until it returns false
  // (value "" with ScanValues::kSkip).
  Status Scan(const KeyRange& range,
              const std::function<bool(const std::string&, const std::string&)>& fn,
              ScanValues values = ScanValues::kRead) const;
  // Like Scan, after skipping the range's first `offset` live keys: O(log n)
  // through the view when no pending edit falls in the range.
  Status ScanFrom(const KeyRange& range, uint64_t offset,
                  const std::function<bool(const std::string&, const std::string&)>& fn,
                  ScanValues values = ScanValues::kRead) const;
  // ScanFrom for keys alone, each valid during the call: without a copy when
  // no edit, pending or staged, falls in the range.
  Status ScanKeysFrom(const KeyRange& range, uint64_t offset,
                      const std::function<bool(std::string_view)>& fn) const;
  // The number of live keys in range; O(log n) when no edit, pending or
  // staged, falls in it.
  Result<uint64_t> Count(const KeyRange& range) const;
  // An upper bound on it without a scan of the tree: ReadView::CountBound, with
  // this transaction's pending edits among the edits counted.
  Result<std::optional<uint64_t>> CountBound(const KeyRange& range, size_t max_edits) const;
  // Whether a pending edit falls in `range`.
  bool PendingIn(const KeyRange& range) const;
  void PutRaw(std::string key, std::string value);
  void DeleteRaw(std::string key);

  template <typename M>
  Result<std::optional<M>> Find(const CatalogKey& key) const;
  Status Put(const CatalogKey& key, const google::protobuf::MessageLite& value);
  Status DeleteRange(const KeyRange& range);
  // CreateTable once the database d is known to exist: the table t must not.
  Status PutNewTable(const std::string& d, const std::string& t, const catalog::Table& table);
  // Moves every key in `range` to `rewrite(key)`, letting `fix` adjust each value.
  Status MoveRange(const KeyRange& range,
                   const std::function<Result<std::string>(const CatalogKey&)>& new_key,
                   const std::function<Status(const CatalogKey&, std::string*)>& fix);

  // Statistics entries in `range`, of the named columns (all when empty).
  Result<std::vector<catalog::ColumnStatistics>> CollectStats(
      const KeyRange& range, const std::vector<std::string>& columns) const;

  const ReadView& view_;
  std::map<std::string, std::optional<std::string>, std::less<>> pending_;
};

// The entries of a new repository's first commit (RepositoryOptions::
// initial_entries): `databases`, stored under their normalized names, with
// nothing in them. InvalidArgument for a name a database cannot have.
Result<std::vector<Edit>> InitialCatalogEdits(const std::vector<catalog::Database>& databases);

}  // namespace arbor

#include "versioning/catalog.h"

#include <algorithm>
#include <set>

#include "versioning/catalog_query.h"
#include "versioning/deterministic_proto.h"
#include "versioning/names.h"
#include "versioning/partition_name.h"

namespace arbor {

namespace {

std::string Dotted(std::string_view db, std::string_view table) {
  return std::string(db) + "." + std::string(table);
}

Status NoDatabase(std::string_view db) {
  return Status::NotFound("There is no database named " + std::string(db));
}

Status NoTable(std::string_view db, std::string_view table) {
  return Status::NotFound(Dotted(db, table) + " table not found");
}

std::vector<std::string> Values(const catalog::Partition& p) {
  return std::vector<std::string>(p.values().items().begin(), p.values().items().end());
}

}  // namespace

// ---------------------------------------------------------------------------
// Raw access.

Result<std::optional<std::string>> CatalogTxn::Get(std::string_view key) const {
  auto it = pending_.find(key);
  if (it != pending_.end()) return it->second;
  return view_.Get(key);
}

Status CatalogTxn::Scan(const KeyRange& range,
                        const std::function<bool(const std::string&, const std::string&)>& fn,
                        ScanValues values) const {
  static const std::string kNoValue;
  // Merge the view's entries with pending edits in the range, pending first on ties.
  auto p = pending_.lower_bound(range.begin);
  auto pending_in_range = [&] { return p != pending_.end() && range.Contains(p->first); };
  bool stop = false;
  // Emits pending entries with keys < bound (all of them when bound is null).
  auto drain = [&](const std::string* bound) {
    while (!stop && pending_in_range() && (!bound || p->first < *bound)) {
      if (p->second && !fn(p->first, values == ScanValues::kRead ? *p->second : kNoValue)) {
        stop = true;
      }
      ++p;
    }
  };
  ARBOR_RETURN_IF_ERROR(view_.Scan(
      range,
      [&](const std::string& k, const std::string& v) {
        drain(&k);
        if (stop) return false;
        if (pending_in_range() && p->first == k) {
          if (p->second && !fn(k, values == ScanValues::kRead ? *p->second : kNoValue)) stop = true;
          ++p;
          return !stop;
        }
        if (!fn(k, v)) stop = true;
        return !stop;
      },
      values));
  drain(nullptr);
  return Status::OK();
}

bool CatalogTxn::PendingIn(const KeyRange& range) const {
  auto first = pending_.lower_bound(range.begin);
  return first != pending_.end() && range.Contains(first->first);
}

Status CatalogTxn::ScanFrom(const KeyRange& range, uint64_t offset,
                            const std::function<bool(const std::string&, const std::string&)>& fn,
                            ScanValues values) const {
  if (!PendingIn(range)) {
    // Nothing pending here: the view can jump to the offset through subtree counts.
    return view_.ScanFrom(range, offset, fn, values);
  }
  uint64_t skip = offset;
  return Scan(
      range,
      [&](const std::string& k, const std::string& v) {
        if (skip > 0) {
          --skip;
          return true;
        }
        return fn(k, v);
      },
      values);
}

Status CatalogTxn::ScanKeysFrom(const KeyRange& range, uint64_t offset,
                                const std::function<bool(std::string_view)>& fn) const {
  if (!PendingIn(range)) {
    return view_.ScanKeysFrom(range, offset, fn);
  }
  return ScanFrom(
      range, offset, [&](const std::string& k, const std::string&) { return fn(k); },
      ScanValues::kSkip);
}

Result<std::optional<uint64_t>> CatalogTxn::CountBound(const KeyRange& range,
                                                       size_t max_edits) const {
  size_t pending = 0;
  for (auto it = pending_.lower_bound(range.begin);
       it != pending_.end() && range.Contains(it->first) && pending <= max_edits; ++it) {
    ++pending;
  }
  if (pending > max_edits) return std::optional<uint64_t>();
  ARBOR_ASSIGN_OR_RETURN(std::optional<uint64_t> n, view_.CountBound(range, max_edits - pending));
  if (!n) return n;
  return std::optional<uint64_t>(*n + pending);
}

Result<uint64_t> CatalogTxn::Count(const KeyRange& range) const {
  if (!PendingIn(range)) {
    return view_.Count(range);
  }
  uint64_t n = 0;
  ARBOR_RETURN_IF_ERROR(Scan(
      range,
      [&](const std::string&, const std::string&) {
        ++n;
        return true;
      },
      ScanValues::kSkip));
  return n;
}

void CatalogTxn::PutRaw(std::string key, std::string value) {
  pending_[std::move(key)] = std::move(value);
}

void CatalogTxn::DeleteRaw(std::string key) {
  pending_[std::move(key)] = std::nullopt;
}

std::vector<Edit> CatalogTxn::TakeEdits() {
  std::vector<Edit> edits;
  edits.reserve(pending_.size());
  while (!pending_.empty()) {
    auto node = pending_.extract(pending_.begin());  // moves the key out, no copy
    edits.push_back({std::move(node.key()), std::move(node.mapped())});
  }
  return edits;
}

template <typename M>
Result<std::optional<M>> CatalogTxn::Find(const CatalogKey& key) const {
  auto encoded_key = EncodeKey(key);
  // A name that cannot be encoded cannot have been stored: it is simply absent.
  if (!encoded_key.ok()) return std::optional<M>();
  const std::string& encoded = *encoded_key;
  ARBOR_ASSIGN_OR_RETURN(auto raw, Get(encoded));
  if (!raw) return std::optional<M>();
  M m;
  ARBOR_RETURN_IF_ERROR(ParseProto(*raw, &m).WithContext(ToString(key)));
  return std::optional<M>(std::move(m));
}

Status CatalogTxn::Put(const CatalogKey& key, const google::protobuf::MessageLite& value) {
  ARBOR_ASSIGN_OR_RETURN(std::string encoded, EncodeKey(key));
  PutRaw(std::move(encoded), SerializeDeterministic(value));
  return Status::OK();
}

Status CatalogTxn::DeleteRange(const KeyRange& range) {
  std::vector<std::string> keys;
  ARBOR_RETURN_IF_ERROR(Scan(
      range,
      [&](const std::string& k, const std::string&) {
        keys.push_back(k);
        return true;
      },
      ScanValues::kSkip));
  for (auto& k : keys)
    DeleteRaw(std::move(k));
  return Status::OK();
}

Status CatalogTxn::MoveRange(const KeyRange& range,
                             const std::function<Result<std::string>(const CatalogKey&)>& new_key,
                             const std::function<Status(const CatalogKey&, std::string*)>& fix) {
  std::vector<std::pair<std::string, std::string>> entries;
  ARBOR_RETURN_IF_ERROR(Scan(range, [&](const std::string& k, const std::string& v) {
    entries.emplace_back(k, v);
    return true;
  }));
  for (auto& [key, value] : entries) {
    ARBOR_ASSIGN_OR_RETURN(CatalogKey name, DecodeKey(key));
    ARBOR_ASSIGN_OR_RETURN(std::string moved, new_key(name));
    ARBOR_RETURN_IF_ERROR(fix(name, &value));
    DeleteRaw(key);
    PutRaw(std::move(moved), std::move(value));
  }
  return Status::OK();
}

// ---------------------------------------------------------------------------
// Databases.

Result<catalog::Database> CatalogTxn::GetDatabase(std::string_view db) const {
  std::string name = NormalizeIdentifier(db);
  ARBOR_ASSIGN_OR_RETURN(auto found, Find<catalog::Database>(CatalogKey::ForDatabase(name)));
  if (!found) return NoDatabase(name);
  return std::move(*found);
}

Result<bool> CatalogTxn::DatabaseExists(std::string_view db) const {
  ARBOR_ASSIGN_OR_RETURN(std::string key,
                         EncodeKey(CatalogKey::ForDatabase(NormalizeIdentifier(db))));
  ARBOR_ASSIGN_OR_RETURN(auto raw, Get(key));
  return raw.has_value();
}

Result<std::vector<std::string>> CatalogTxn::ListDatabaseNames() const {
  // Every top-level key is a database; skip each one's subtree with a seek.
  std::vector<std::string> names;
  KeyRange range = AllKeys();
  while (true) {
    std::optional<std::string> next;
    ARBOR_RETURN_IF_ERROR(Scan(
        range,
        [&](const std::string& k, const std::string&) {
          next = k;
          return false;
        },
        ScanValues::kSkip));
    if (!next) break;
    ARBOR_ASSIGN_OR_RETURN(CatalogKey key, DecodeKey(*next));
    names.push_back(key.db);
    range.begin = SubtreeEnd(*next);
  }
  return names;
}

Status CatalogTxn::CreateDatabase(const catalog::Database& db) {
  std::string name = NormalizeIdentifier(db.name());
  ARBOR_RETURN_IF_ERROR(ValidateObjectName(name, "database"));
  ARBOR_ASSIGN_OR_RETURN(bool exists, DatabaseExists(name));
  if (exists) return Status::AlreadyExists("Database " + name + " already exists");
  catalog::Database stored = db;
  stored.set_name(name);
  return Put(CatalogKey::ForDatabase(name), stored);
}

Status CatalogTxn::AlterDatabase(std::string_view db, const catalog::Database& altered) {
  std::string name = NormalizeIdentifier(db);
  ARBOR_ASSIGN_OR_RETURN(bool exists, DatabaseExists(name));
  if (!exists) return NoDatabase(name);
  catalog::Database stored = altered;
  stored.set_name(name);  // databases cannot be renamed
  return Put(CatalogKey::ForDatabase(name), stored);
}

Status CatalogTxn::DropDatabase(std::string_view db, bool cascade) {
  std::string name = NormalizeIdentifier(db);
  ARBOR_ASSIGN_OR_RETURN(bool exists, DatabaseExists(name));
  if (!exists) return NoDatabase(name);
  if (!cascade) {
    ARBOR_ASSIGN_OR_RETURN(auto tables, ListTableNames(name));
    if (!tables.empty()) {
      return Status::NotEmpty("Database " + name + " is not empty. One or more tables exist.");
    }
    ARBOR_ASSIGN_OR_RETURN(auto functions, ListFunctionNames(name));
    if (!functions.empty()) {
      return Status::NotEmpty("Database " + name + " is not empty. One or more functions exist.");
    }
  }
  ARBOR_ASSIGN_OR_RETURN(KeyRange range, DatabaseRange(name));
  return DeleteRange(range);
}

// ---------------------------------------------------------------------------
// Tables.

Result<catalog::Table> CatalogTxn::GetTable(std::string_view db, std::string_view table) const {
  std::string d = NormalizeIdentifier(db), t = NormalizeIdentifier(table);
  ARBOR_ASSIGN_OR_RETURN(auto found, Find<catalog::Table>(CatalogKey::ForTable(d, t)));
  if (!found) return NoTable(d, t);
  return std::move(*found);
}

Result<const catalog::Table*> CatalogTxn::GetTableIn(std::string_view db, std::string_view table,
                                                     google::protobuf::Arena* arena) const {
  std::string d = NormalizeIdentifier(db), t = NormalizeIdentifier(table);
  auto key = EncodeKey(CatalogKey::ForTable(d, t));
  if (!key.ok()) return NoTable(d, t);  // a name that cannot exist, as GetTable
  ARBOR_ASSIGN_OR_RETURN(auto raw, Get(*key));
  if (!raw) return NoTable(d, t);
  auto* parsed = google::protobuf::Arena::CreateMessage<catalog::Table>(arena);
  ARBOR_RETURN_IF_ERROR(ParseProto(*raw, parsed).WithContext(ToString(CatalogKey::ForTable(d, t))));
  return static_cast<const catalog::Table*>(parsed);
}

Result<bool> CatalogTxn::TableExists(std::string_view db, std::string_view table) const {
  auto key = EncodeKey(CatalogKey::ForTable(NormalizeIdentifier(db), NormalizeIdentifier(table)));
  if (!key.ok()) return false;  // a name that cannot exist
  ARBOR_ASSIGN_OR_RETURN(auto raw, Get(*key));
  return raw.has_value();
}

Result<std::vector<std::string>> CatalogTxn::ListTableNames(std::string_view db) const {
  std::vector<std::string> names;
  ARBOR_RETURN_IF_ERROR(ScanTables(db, [&](const catalog::Table& t) {
    names.push_back(t.table_name());
    return true;
  }));
  return names;
}

Status CatalogTxn::ScanTables(std::string_view db,
                              const std::function<bool(const catalog::Table&)>& fn) const {
  ARBOR_ASSIGN_OR_RETURN(KeyRange range, TablesOfDatabase(NormalizeIdentifier(db)));
  // Each table key is followed by its subtree: take the table, then seek past it.
  while (true) {
    std::optional<std::pair<std::string, std::string>> next;
    ARBOR_RETURN_IF_ERROR(Scan(range, [&](const std::string& k, const std::string& v) {
      next.emplace(k, v);
      return false;
    }));
    if (!next) return Status::OK();
    catalog::Table t;
    ARBOR_RETURN_IF_ERROR(ParseProto(next->second, &t));
    if (!fn(t)) return Status::OK();
    range.begin = SubtreeEnd(next->first);
  }
}

Status CatalogTxn::CreateTable(const catalog::Table& table) {
  std::string d = NormalizeIdentifier(table.db_name()), t = NormalizeIdentifier(table.table_name());
  ARBOR_RETURN_IF_ERROR(ValidateObjectName(t, "table"));
  ARBOR_ASSIGN_OR_RETURN(bool db_exists, DatabaseExists(d));
  if (!db_exists) return NoDatabase(d);
  return PutNewTable(d, t, table);
}

Status CatalogTxn::CreateTable(const catalog::Database& db, const catalog::Table& table) {
  std::string d = NormalizeIdentifier(table.db_name()), t = NormalizeIdentifier(table.table_name());
  if (db.name() != d) {
    return Status::InvalidArgument("table " + Dotted(d, t) + " is not in database " + db.name());
  }
  ARBOR_RETURN_IF_ERROR(ValidateObjectName(t, "table"));
  return PutNewTable(d, t, table);
}

Status CatalogTxn::PutNewTable(const std::string& d, const std::string& t,
                               const catalog::Table& table) {
  ARBOR_ASSIGN_OR_RETURN(bool exists, TableExists(d, t));
  if (exists) return Status::AlreadyExists("Table " + Dotted(d, t) + " already exists");
  catalog::Table stored = table;
  stored.set_db_name(d);
  stored.set_table_name(t);
  return Put(CatalogKey::ForTable(d, t), stored);
}

Status CatalogTxn::AlterTable(std::string_view db, std::string_view table,
                              const catalog::Table& altered) {
  std::string d = NormalizeIdentifier(db), t = NormalizeIdentifier(table);
  ARBOR_ASSIGN_OR_RETURN(bool exists, TableExists(d, t));
  if (!exists) return NoTable(d, t);
  std::string nd = altered.has_db_name() ? NormalizeIdentifier(altered.db_name()) : d;
  std::string nt = altered.has_table_name() ? NormalizeIdentifier(altered.table_name()) : t;
  catalog::Table stored = altered;
  stored.set_db_name(nd);
  stored.set_table_name(nt);
  if (nd != d || nt != t) {
    ARBOR_RETURN_IF_ERROR(ValidateObjectName(nt, "table"));
    ARBOR_ASSIGN_OR_RETURN(bool db_exists, DatabaseExists(nd));
    if (!db_exists) return NoDatabase(nd);
    ARBOR_ASSIGN_OR_RETURN(bool taken, TableExists(nd, nt));
    if (taken) return Status::AlreadyExists("Table " + Dotted(nd, nt) + " already exists");
    ARBOR_ASSIGN_OR_RETURN(KeyRange range, TableRange(d, t));
    ARBOR_RETURN_IF_ERROR(MoveRange(
        range,
        [&](const CatalogKey& k) {
          CatalogKey moved = k;
          moved.db = nd;
          moved.table = nt;
          return EncodeKey(moved);
        },
        [&](const CatalogKey& k, std::string* value) -> Status {
          // Partitions and statistics name their table: keep them truthful.
          if (k.kind == CatalogKey::Kind::kPartition) {
            catalog::Partition p;
            ARBOR_RETURN_IF_ERROR(ParseProto(*value, &p));
            p.set_db_name(nd);
            p.set_table_name(nt);
            *value = SerializeDeterministic(p);
          } else if (k.kind == CatalogKey::Kind::kTableColumnStats ||
                     k.kind == CatalogKey::Kind::kPartitionColumnStats) {
            catalog::ColumnStatistics s;
            ARBOR_RETURN_IF_ERROR(ParseProto(*value, &s));
            s.mutable_stats_desc()->set_db_name(nd);
            s.mutable_stats_desc()->set_table_name(nt);
            *value = SerializeDeterministic(s);
          }
          return Status::OK();
        }));
  }
  return Put(CatalogKey::ForTable(nd, nt), stored);
}

Status CatalogTxn::DropTable(std::string_view db, std::string_view table) {
  std::string d = NormalizeIdentifier(db), t = NormalizeIdentifier(table);
  ARBOR_ASSIGN_OR_RETURN(bool exists, TableExists(d, t));
  if (!exists) return NoTable(d, t);
  ARBOR_ASSIGN_OR_RETURN(KeyRange range, TableRange(d, t));
  return DeleteRange(range);
}

// ---------------------------------------------------------------------------
// Partitions.

Result<std::string> CatalogTxn::PartitionName(const catalog::Table& table,
                                              const std::vector<std::string>& values) const {
  return PartitionNameWithKeys(table, PartitionKeyNames(table), values);
}

// PartitionName with the table's normalized key names computed once by the caller,
// for batches.
Result<std::string> CatalogTxn::PartitionNameWithKeys(const catalog::Table& table,
                                                      const std::vector<std::string>& keys,
                                                      const std::vector<std::string>& values) {
  if (keys.empty() || values.size() != keys.size()) {
    // Hive's Warehouse.makePartName wording; the request, not the table, is at fault.
    auto list = [](const std::vector<std::string>& items) {
      std::string out = "[";
      for (const auto& i : items)
        out += i + ", ";
      return out + "]";
    };
    return Status::InvalidRequest("Invalid partition key & values; keys " + list(keys) +
                                  ", values " + list(values) + " (table " +
                                  Dotted(table.db_name(), table.table_name()) + ")");
  }
  return MakePartName(keys, values);
}

Result<catalog::Partition> CatalogTxn::GetPartition(std::string_view db, std::string_view table,
                                                    std::string_view part_name) const {
  std::string d = NormalizeIdentifier(db), t = NormalizeIdentifier(table);
  ARBOR_ASSIGN_OR_RETURN(
      auto found, Find<catalog::Partition>(CatalogKey::ForPartition(d, t, std::string(part_name))));
  if (!found) {
    return Status::NotFound("partition " + std::string(part_name) + " of " + Dotted(d, t) +
                            " does not exist");
  }
  return std::move(*found);
}

Result<bool> CatalogTxn::PartitionExists(std::string_view db, std::string_view table,
                                         std::string_view part_name) const {
  auto key = EncodeKey(CatalogKey::ForPartition(NormalizeIdentifier(db), NormalizeIdentifier(table),
                                                std::string(part_name)));
  if (!key.ok()) return false;
  ARBOR_ASSIGN_OR_RETURN(auto raw, Get(*key));
  return raw.has_value();
}

Status CatalogTxn::ScanPartitions(
    std::string_view db, std::string_view table, uint64_t offset,
    const std::function<bool(const std::string&, const catalog::Partition&)>& fn) const {
  // The query reads only the table's names (and its keys, for partial specs).
  catalog::Table t;
  t.set_db_name(NormalizeIdentifier(db));
  t.set_table_name(NormalizeIdentifier(table));
  PartitionQuery q;
  q.offset = offset;
  q.parse = true;
  return CatalogQuery(*this).Partitions(
      t, q, [&](const std::string& name, const catalog::Partition* p) { return fn(name, *p); });
}

Result<std::vector<std::string>> CatalogTxn::ListPartitionNames(std::string_view db,
                                                                std::string_view table,
                                                                size_t limit) const {
  catalog::Table t;
  t.set_db_name(NormalizeIdentifier(db));
  t.set_table_name(NormalizeIdentifier(table));
  PartitionQuery q;
  q.limit = limit;
  std::vector<std::string> names;
  ARBOR_RETURN_IF_ERROR(
      CatalogQuery(*this).Partitions(t, q, [&](const std::string& name, const catalog::Partition*) {
        names.push_back(name);
        return true;
      }));
  return names;
}

Result<std::vector<catalog::Partition>> CatalogTxn::AddPartitions(
    std::string_view db, std::string_view table, std::vector<catalog::Partition> parts,
    bool if_not_exists) {
  ARBOR_ASSIGN_OR_RETURN(catalog::Table t, GetTable(db, table));
  const std::vector<std::string> keys = PartitionKeyNames(t);
  std::set<std::string> seen;
  std::vector<catalog::Partition> added;
  added.reserve(parts.size());
  for (auto& p : parts) {
    ARBOR_ASSIGN_OR_RETURN(std::string name, PartitionNameWithKeys(t, keys, Values(p)));
    if (!seen.insert(name).second) {
      return Status::InvalidRequest(
          "Duplicate partitions in the list: " + Dotted(t.db_name(), t.table_name()) + " " + name);
    }
    ARBOR_ASSIGN_OR_RETURN(bool exists, PartitionExists(t.db_name(), t.table_name(), name));
    if (exists) {
      if (if_not_exists) continue;
      return Status::AlreadyExists(
          "Partition already exists: " + Dotted(t.db_name(), t.table_name()) + " " + name);
    }
    p.set_db_name(t.db_name());
    p.set_table_name(t.table_name());
    ARBOR_RETURN_IF_ERROR(Put(CatalogKey::ForPartition(t.db_name(), t.table_name(), name), p));
    added.push_back(std::move(p));
  }
  return added;
}

Status CatalogTxn::AlterPartition(std::string_view db, std::string_view table,
                                  const catalog::Partition& altered) {
  ARBOR_ASSIGN_OR_RETURN(catalog::Table t, GetTable(db, table));
  ARBOR_ASSIGN_OR_RETURN(std::string name, PartitionName(t, Values(altered)));
  ARBOR_ASSIGN_OR_RETURN(bool exists, PartitionExists(t.db_name(), t.table_name(), name));
  if (!exists) {
    return Status::NotFound("partition " + name + " of " + Dotted(t.db_name(), t.table_name()) +
                            " does not exist");
  }
  catalog::Partition stored = altered;
  stored.set_db_name(t.db_name());
  stored.set_table_name(t.table_name());
  return Put(CatalogKey::ForPartition(t.db_name(), t.table_name(), name), stored);
}

Status CatalogTxn::RenamePartition(std::string_view db, std::string_view table,
                                   const std::vector<std::string>& old_values,
                                   const catalog::Partition& renamed) {
  ARBOR_ASSIGN_OR_RETURN(catalog::Table t, GetTable(db, table));
  ARBOR_ASSIGN_OR_RETURN(std::string old_name, PartitionName(t, old_values));
  ARBOR_ASSIGN_OR_RETURN(std::string new_name, PartitionName(t, Values(renamed)));
  ARBOR_ASSIGN_OR_RETURN(bool exists, PartitionExists(t.db_name(), t.table_name(), old_name));
  if (!exists) {
    return Status::NotFound("partition " + old_name + " of " + Dotted(t.db_name(), t.table_name()) +
                            " does not exist");
  }
  if (new_name != old_name) {
    ARBOR_ASSIGN_OR_RETURN(bool taken, PartitionExists(t.db_name(), t.table_name(), new_name));
    if (taken) return Status::AlreadyExists("Partition already exists: " + new_name);
    ARBOR_ASSIGN_OR_RETURN(KeyRange stats,
                           PartitionColumnStatsOfPartition(t.db_name(), t.table_name(), old_name));
    ARBOR_RETURN_IF_ERROR(MoveRange(
        stats,
        [&](const CatalogKey& k) {
          CatalogKey moved = k;
          moved.partition = new_name;
          return EncodeKey(moved);
        },
        [&](const CatalogKey&, std::string* value) -> Status {
          catalog::ColumnStatistics s;
          ARBOR_RETURN_IF_ERROR(ParseProto(*value, &s));
          s.mutable_stats_desc()->set_part_name(new_name);
          *value = SerializeDeterministic(s);
          return Status::OK();
        }));
    ARBOR_ASSIGN_OR_RETURN(std::string old_key, EncodeKey(CatalogKey::ForPartition(
                                                    t.db_name(), t.table_name(), old_name)));
    DeleteRaw(std::move(old_key));
  }
  catalog::Partition stored = renamed;
  stored.set_db_name(t.db_name());
  stored.set_table_name(t.table_name());
  return Put(CatalogKey::ForPartition(t.db_name(), t.table_name(), new_name), stored);
}

Status CatalogTxn::DropPartition(std::string_view db, std::string_view table,
                                 std::string_view part_name) {
  std::string d = NormalizeIdentifier(db), t = NormalizeIdentifier(table);
  ARBOR_ASSIGN_OR_RETURN(bool exists, PartitionExists(d, t, part_name));
  if (!exists) {
    return Status::NotFound("partition " + std::string(part_name) + " of " + Dotted(d, t) +
                            " does not exist");
  }
  ARBOR_ASSIGN_OR_RETURN(KeyRange stats, PartitionColumnStatsOfPartition(d, t, part_name));
  ARBOR_RETURN_IF_ERROR(DeleteRange(stats));
  ARBOR_ASSIGN_OR_RETURN(std::string key,
                         EncodeKey(CatalogKey::ForPartition(d, t, std::string(part_name))));
  DeleteRaw(std::move(key));
  return Status::OK();
}

// ---------------------------------------------------------------------------
// Functions.

Result<catalog::Function> CatalogTxn::GetFunction(std::string_view db,
                                                  std::string_view name) const {
  std::string d = NormalizeIdentifier(db), f = NormalizeIdentifier(name);
  ARBOR_ASSIGN_OR_RETURN(auto found, Find<catalog::Function>(CatalogKey::ForFunction(d, f)));
  if (!found) return Status::NotFound("Function " + Dotted(d, f) + " does not exist");
  return std::move(*found);
}

Status CatalogTxn::ScanFunctions(std::string_view db,
                                 const std::function<bool(const catalog::Function&)>& fn) const {
  ARBOR_ASSIGN_OR_RETURN(KeyRange range, FunctionsOfDatabase(NormalizeIdentifier(db)));
  Status error;
  ARBOR_RETURN_IF_ERROR(Scan(range, [&](const std::string&, const std::string& v) {
    catalog::Function f;
    error = ParseProto(v, &f);
    return error.ok() && fn(f);
  }));
  return error;
}

Result<std::vector<std::string>> CatalogTxn::ListFunctionNames(std::string_view db) const {
  std::vector<std::string> names;
  ARBOR_RETURN_IF_ERROR(ScanFunctions(db, [&](const catalog::Function& f) {
    names.push_back(f.function_name());
    return true;
  }));
  return names;
}

Status CatalogTxn::CreateFunction(const catalog::Function& fn) {
  std::string d = NormalizeIdentifier(fn.db_name()), f = NormalizeIdentifier(fn.function_name());
  ARBOR_RETURN_IF_ERROR(ValidateFunctionName(f));
  ARBOR_ASSIGN_OR_RETURN(bool db_exists, DatabaseExists(d));
  if (!db_exists) return NoDatabase(d);
  ARBOR_ASSIGN_OR_RETURN(auto existing, Find<catalog::Function>(CatalogKey::ForFunction(d, f)));
  if (existing) return Status::AlreadyExists("Function " + Dotted(d, f) + " already exists");
  catalog::Function stored = fn;
  stored.set_db_name(d);
  stored.set_function_name(f);
  return Put(CatalogKey::ForFunction(d, f), stored);
}

Status CatalogTxn::AlterFunction(std::string_view db, std::string_view name,
                                 const catalog::Function& fn) {
  std::string d = NormalizeIdentifier(db), f = NormalizeIdentifier(name);
  ARBOR_RETURN_IF_ERROR(GetFunction(d, f).status());
  std::string nd = fn.has_db_name() ? NormalizeIdentifier(fn.db_name()) : d;
  std::string nf = fn.has_function_name() ? NormalizeIdentifier(fn.function_name()) : f;
  catalog::Function stored = fn;
  stored.set_db_name(nd);
  stored.set_function_name(nf);
  if (nd != d || nf != f) {
    ARBOR_RETURN_IF_ERROR(ValidateFunctionName(nf));
    ARBOR_ASSIGN_OR_RETURN(bool db_exists, DatabaseExists(nd));
    if (!db_exists) return NoDatabase(nd);
    ARBOR_ASSIGN_OR_RETURN(auto taken, Find<catalog::Function>(CatalogKey::ForFunction(nd, nf)));
    if (taken) return Status::AlreadyExists("Function " + Dotted(nd, nf) + " already exists");
    ARBOR_ASSIGN_OR_RETURN(std::string old_key, EncodeKey(CatalogKey::ForFunction(d, f)));
    DeleteRaw(std::move(old_key));
  }
  return Put(CatalogKey::ForFunction(nd, nf), stored);
}

Status CatalogTxn::DropFunction(std::string_view db, std::string_view name) {
  std::string d = NormalizeIdentifier(db), f = NormalizeIdentifier(name);
  ARBOR_RETURN_IF_ERROR(GetFunction(d, f).status());
  ARBOR_ASSIGN_OR_RETURN(std::string key, EncodeKey(CatalogKey::ForFunction(d, f)));
  DeleteRaw(std::move(key));
  return Status::OK();
}

// ---------------------------------------------------------------------------
// Column statistics.

Status CatalogTxn::PutColumnStatistics(const catalog::ColumnStatistics& stats) {
  const auto& desc = stats.stats_desc();
  std::string d = NormalizeIdentifier(desc.db_name()), t = NormalizeIdentifier(desc.table_name());
  ARBOR_ASSIGN_OR_RETURN(catalog::Table table, GetTable(d, t));
  const bool table_level = !desc.has_is_tbl_level() || desc.is_tbl_level();
  std::string part;
  if (!table_level) {
    if (!desc.has_part_name()) {
      return Status::InvalidArgument("partition statistics need a partition name");
    }
    part = desc.part_name();
    ARBOR_ASSIGN_OR_RETURN(bool exists, PartitionExists(d, t, part));
    if (!exists) {
      return Status::NotFound("partition " + part + " of " + Dotted(d, t) + " does not exist");
    }
  }
  for (const auto& obj : stats.stats_obj()) {
    std::string col = NormalizeIdentifier(obj.col_name());
    catalog::ColumnStatistics one;
    *one.mutable_stats_desc() = desc;
    one.mutable_stats_desc()->set_db_name(d);
    one.mutable_stats_desc()->set_table_name(t);
    if (stats.has_is_stats_compliant()) one.set_is_stats_compliant(stats.is_stats_compliant());
    if (stats.has_engine()) one.set_engine(stats.engine());
    auto* stored = one.add_stats_obj();
    *stored = obj;
    stored->set_col_name(col);
    CatalogKey key = table_level ? CatalogKey::ForTableColumnStats(d, t, col)
                                 : CatalogKey::ForPartitionColumnStats(d, t, part, col);
    ARBOR_RETURN_IF_ERROR(Put(key, one));
  }
  return Status::OK();
}

Result<std::vector<catalog::ColumnStatistics>> CatalogTxn::CollectStats(
    const KeyRange& range, const std::vector<std::string>& columns) const {
  std::set<std::string> wanted;
  for (const auto& c : columns)
    wanted.insert(NormalizeIdentifier(c));
  std::vector<catalog::ColumnStatistics> out;
  Status error;
  ARBOR_RETURN_IF_ERROR(Scan(range, [&](const std::string& k, const std::string& v) {
    auto key = DecodeKey(k);
    if (!key.ok()) {
      error = key.status();
      return false;
    }
    if (!wanted.empty() && !wanted.count(key->column)) return true;
    catalog::ColumnStatistics s;
    error = ParseProto(v, &s);
    if (!error.ok()) return false;
    out.push_back(std::move(s));
    return true;
  }));
  ARBOR_RETURN_IF_ERROR(error);
  return out;
}

Result<std::vector<catalog::ColumnStatistics>> CatalogTxn::GetTableColumnStatistics(
    std::string_view db, std::string_view table, const std::vector<std::string>& columns) const {
  std::string d = NormalizeIdentifier(db), t = NormalizeIdentifier(table);
  ARBOR_RETURN_IF_ERROR(GetTable(d, t).status());
  ARBOR_ASSIGN_OR_RETURN(KeyRange range, TableColumnStatsOfTable(d, t));
  return CollectStats(range, columns);
}

Result<std::vector<catalog::ColumnStatistics>> CatalogTxn::GetPartitionColumnStatistics(
    std::string_view db, std::string_view table, std::string_view part_name,
    const std::vector<std::string>& columns) const {
  std::string d = NormalizeIdentifier(db), t = NormalizeIdentifier(table);
  ARBOR_ASSIGN_OR_RETURN(KeyRange range, PartitionColumnStatsOfPartition(d, t, part_name));
  return CollectStats(range, columns);
}

Status CatalogTxn::DeleteColumnStatistics(std::string_view db, std::string_view table,
                                          std::string_view part_name, std::string_view column) {
  std::string d = NormalizeIdentifier(db), t = NormalizeIdentifier(table);
  ARBOR_RETURN_IF_ERROR(GetTable(d, t).status());
  if (!part_name.empty()) {
    ARBOR_ASSIGN_OR_RETURN(bool exists, PartitionExists(d, t, part_name));
    if (!exists) {
      return Status::NotFound("partition " + std::string(part_name) + " of " + Dotted(d, t) +
                              " does not exist");
    }
  }
  if (column.empty()) {
    ARBOR_ASSIGN_OR_RETURN(KeyRange range, part_name.empty()
                                               ? TableColumnStatsOfTable(d, t)
                                               : PartitionColumnStatsOfPartition(d, t, part_name));
    return DeleteRange(range);
  }
  std::string col = NormalizeIdentifier(column);
  CatalogKey key = part_name.empty()
                       ? CatalogKey::ForTableColumnStats(d, t, col)
                       : CatalogKey::ForPartitionColumnStats(d, t, std::string(part_name), col);
  ARBOR_ASSIGN_OR_RETURN(std::string encoded, EncodeKey(key));
  ARBOR_ASSIGN_OR_RETURN(auto existing, Get(encoded));
  if (!existing) {
    return Status::NotFound("no column statistics for column " + col + " of " + Dotted(d, t) +
                            (part_name.empty() ? "" : " partition " + std::string(part_name)));
  }
  DeleteRaw(std::move(encoded));
  return Status::OK();
}

// ---------------------------------------------------------------------------
// A new catalog.

Result<std::vector<Edit>> InitialCatalogEdits(const std::vector<catalog::Database>& databases) {
  std::vector<Edit> edits;
  for (const auto& db : databases) {
    std::string name = NormalizeIdentifier(db.name());
    ARBOR_RETURN_IF_ERROR(ValidateObjectName(name, "database"));
    catalog::Database stored = db;
    stored.set_name(name);
    ARBOR_ASSIGN_OR_RETURN(std::string key, EncodeKey(CatalogKey::ForDatabase(name)));
    edits.push_back({std::move(key), SerializeDeterministic(stored)});
  }
  return edits;
}

}  // namespace arbor

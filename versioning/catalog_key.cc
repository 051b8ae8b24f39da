#include "versioning/catalog_key.h"

#include <utility>

#include "versioning/names.h"

namespace arbor {
namespace {

constexpr char kSeparator = '\0';
// Kind markers. Under a database: functions. Under a table: partitions, table
// column statistics, partition column statistics, in that order.
constexpr char kFunctionMarker = '\x01';
constexpr char kPartitionMarker = '\x01';
constexpr char kTableStatsMarker = '\x02';
constexpr char kPartitionStatsMarker = '\x03';
// SubtreeEnd appends this: the smallest byte above the separator.
constexpr char kPastSeparator = '\x01';

using Kind = CatalogKey::Kind;

// How one name field takes part in a kind's key.
enum class Use { kUnused, kAsGiven, kLowerCase };

struct FieldUse {
  Use db, table, partition, column, function;
};

FieldUse UsesOf(Kind kind) {
  constexpr Use N = Use::kUnused, G = Use::kAsGiven, L = Use::kLowerCase;
  switch (kind) {
    case Kind::kDatabase:
      return {L, N, N, N, N};
    case Kind::kTable:
      return {L, L, N, N, N};
    case Kind::kPartition:
      return {L, L, G, N, N};
    case Kind::kTableColumnStats:
      return {L, L, N, L, N};
    case Kind::kPartitionColumnStats:
      return {L, L, G, L, N};
    case Kind::kFunction:
      return {L, N, N, N, L};
  }
  return {N, N, N, N, N};
}

bool IsReservedLeadingByte(char c) {
  return c >= '\x01' && c <= '\x03';
}

bool HasUpperCase(std::string_view s) {
  for (char c : s) {
    if (c >= 'A' && c <= 'Z') return true;
  }
  return false;
}

// Checks one name against the invariants in the header. With
// `require_lower_case`, upper-case ASCII letters are an error too (decoding);
// otherwise the encoder lower-cases them.
Status CheckName(std::string_view what, std::string_view name, Use use, bool require_lower_case) {
  if (use == Use::kUnused) {
    if (name.empty()) return Status::OK();
    return Status::InvalidArgument("this kind of key has no " + std::string(what) + " name, got " +
                                   QuoteName(name));
  }
  if (name.empty()) return Status::InvalidArgument(std::string(what) + " name is empty");
  if (name.find(kSeparator) != std::string_view::npos) {
    return Status::InvalidArgument(std::string(what) + " name " + QuoteName(name) +
                                   " contains byte 0x00");
  }
  if (IsReservedLeadingByte(name.front())) {
    return Status::InvalidArgument(std::string(what) + " name " + QuoteName(name) +
                                   " starts with reserved byte 0x0" +
                                   std::to_string(static_cast<int>(name.front())));
  }
  if (require_lower_case && use == Use::kLowerCase && HasUpperCase(name)) {
    return Status::InvalidArgument(std::string(what) + " name " + QuoteName(name) +
                                   " is not lower case");
  }
  return Status::OK();
}

Status CheckKey(const CatalogKey& key, bool require_lower_case) {
  const FieldUse use = UsesOf(key.kind);
  ARBOR_RETURN_IF_ERROR(CheckName("database", key.db, use.db, require_lower_case));
  ARBOR_RETURN_IF_ERROR(CheckName("table", key.table, use.table, require_lower_case));
  ARBOR_RETURN_IF_ERROR(CheckName("partition", key.partition, use.partition, require_lower_case));
  ARBOR_RETURN_IF_ERROR(CheckName("column", key.column, use.column, require_lower_case));
  ARBOR_RETURN_IF_ERROR(CheckName("function", key.function, use.function, require_lower_case));
  return Status::OK();
}

void AppendLowerCase(std::string* out, std::string_view name) {
  for (char c : name) {
    *out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
}

// The encoded key of database `db`, or of table `table` in it.
Result<std::string> DatabasePrefix(std::string_view db) {
  return EncodeKey(CatalogKey::ForDatabase(std::string(db)));
}

Result<std::string> TablePrefix(std::string_view db, std::string_view table) {
  return EncodeKey(CatalogKey::ForTable(std::string(db), std::string(table)));
}

// [prefix \0 marker, prefix \0 marker+1): the keys of one marker group.
KeyRange MarkerRange(const std::string& prefix, char marker) {
  KeyRange range;
  range.begin = prefix;
  range.begin += kSeparator;
  range.begin += marker;
  range.end = prefix;
  range.end += kSeparator;
  range.end += static_cast<char>(marker + 1);
  return range;
}

}  // namespace

CatalogKey CatalogKey::ForDatabase(std::string db) {
  CatalogKey key;
  key.kind = Kind::kDatabase;
  key.db = std::move(db);
  return key;
}

CatalogKey CatalogKey::ForTable(std::string db, std::string table) {
  CatalogKey key = ForDatabase(std::move(db));
  key.kind = Kind::kTable;
  key.table = std::move(table);
  return key;
}

CatalogKey CatalogKey::ForPartition(std::string db, std::string table, std::string partition) {
  CatalogKey key = ForTable(std::move(db), std::move(table));
  key.kind = Kind::kPartition;
  key.partition = std::move(partition);
  return key;
}

CatalogKey CatalogKey::ForTableColumnStats(std::string db, std::string table, std::string column) {
  CatalogKey key = ForTable(std::move(db), std::move(table));
  key.kind = Kind::kTableColumnStats;
  key.column = std::move(column);
  return key;
}

CatalogKey CatalogKey::ForPartitionColumnStats(std::string db, std::string table,
                                               std::string partition, std::string column) {
  CatalogKey key = ForPartition(std::move(db), std::move(table), std::move(partition));
  key.kind = Kind::kPartitionColumnStats;
  key.column = std::move(column);
  return key;
}

CatalogKey CatalogKey::ForFunction(std::string db, std::string function) {
  CatalogKey key = ForDatabase(std::move(db));
  key.kind = Kind::kFunction;
  key.function = std::move(function);
  return key;
}

std::string_view KindName(CatalogKey::Kind kind) {
  switch (kind) {
    case Kind::kDatabase:
      return "database";
    case Kind::kTable:
      return "table";
    case Kind::kPartition:
      return "partition";
    case Kind::kTableColumnStats:
      return "table column statistics";
    case Kind::kPartitionColumnStats:
      return "partition column statistics";
    case Kind::kFunction:
      return "function";
  }
  return "unknown";
}

std::string ToString(const CatalogKey& key) {
  std::string out(KindName(key.kind));
  out += ' ';
  out += QuoteName(key.db);
  switch (key.kind) {
    case Kind::kDatabase:
      break;
    case Kind::kFunction:
      out += "." + QuoteName(key.function);
      break;
    case Kind::kTable:
      out += "." + QuoteName(key.table);
      break;
    case Kind::kPartition:
      out += "." + QuoteName(key.table) + " " + QuoteName(key.partition);
      break;
    case Kind::kTableColumnStats:
      out += "." + QuoteName(key.table) + " column " + QuoteName(key.column);
      break;
    case Kind::kPartitionColumnStats:
      out += "." + QuoteName(key.table) + " " + QuoteName(key.partition) + " column " +
             QuoteName(key.column);
      break;
  }
  return out;
}

Result<std::string> EncodeKey(const CatalogKey& key) {
  ARBOR_RETURN_IF_ERROR(CheckKey(key, /*require_lower_case=*/false));
  std::string out;
  out.reserve(key.db.size() + key.table.size() + key.partition.size() + key.column.size() +
              key.function.size() + 4);
  AppendLowerCase(&out, key.db);
  if (key.kind == Kind::kDatabase) return out;
  out += kSeparator;
  if (key.kind == Kind::kFunction) {
    out += kFunctionMarker;
    AppendLowerCase(&out, key.function);
    return out;
  }
  AppendLowerCase(&out, key.table);
  switch (key.kind) {
    case Kind::kTable:
      break;
    case Kind::kPartition:
      out += kSeparator;
      out += kPartitionMarker;
      out += key.partition;
      break;
    case Kind::kTableColumnStats:
      out += kSeparator;
      out += kTableStatsMarker;
      AppendLowerCase(&out, key.column);
      break;
    case Kind::kPartitionColumnStats:
      out += kSeparator;
      out += kPartitionStatsMarker;
      out += key.partition;
      out += kSeparator;
      AppendLowerCase(&out, key.column);
      break;
    case Kind::kDatabase:
    case Kind::kFunction:
      break;  // handled above
  }
  return out;
}

Result<CatalogKey> DecodeKey(std::string_view encoded) {
  const auto corrupt = [&](const std::string& why) {
    return Status::Corruption("invalid catalog key " + QuoteName(encoded) + ": " + why);
  };
  if (encoded.empty()) return corrupt("the key is empty");

  CatalogKey key;
  const size_t db_end = encoded.find(kSeparator);
  key.db = std::string(encoded.substr(0, db_end));
  if (db_end == std::string_view::npos) {
    key.kind = Kind::kDatabase;
  } else {
    const std::string_view rest = encoded.substr(db_end + 1);
    if (!rest.empty() && rest.front() == kFunctionMarker) {
      // A function name runs to the end; a 0x00 inside it fails CheckKey.
      key.kind = Kind::kFunction;
      key.function = std::string(rest.substr(1));
    } else {
      const size_t table_end = rest.find(kSeparator);
      key.table = std::string(rest.substr(0, table_end));
      if (table_end == std::string_view::npos) {
        key.kind = Kind::kTable;
      } else {
        const std::string_view sub = rest.substr(table_end + 1);
        if (sub.empty()) return corrupt("no kind marker after the table name");
        const std::string_view body = sub.substr(1);
        switch (sub.front()) {
          case kPartitionMarker:
            key.kind = Kind::kPartition;
            key.partition = std::string(body);
            break;
          case kTableStatsMarker:
            key.kind = Kind::kTableColumnStats;
            key.column = std::string(body);
            break;
          case kPartitionStatsMarker: {
            const size_t part_end = body.find(kSeparator);
            if (part_end == std::string_view::npos) {
              return corrupt("partition column statistics key has no column name");
            }
            key.kind = Kind::kPartitionColumnStats;
            key.partition = std::string(body.substr(0, part_end));
            key.column = std::string(body.substr(part_end + 1));
            break;
          }
          default:
            return corrupt("unknown kind marker " + QuoteName(std::string_view(sub.data(), 1)) +
                           " after the table name");
        }
      }
    }
  }
  const Status valid = CheckKey(key, /*require_lower_case=*/true);
  if (!valid.ok()) return corrupt(valid.message());
  return key;
}

std::string SubtreeEnd(std::string_view encoded_key) {
  // Every key below `encoded_key` continues it with a separator, and 0x00 is
  // the only byte below kPastSeparator.
  std::string end(encoded_key);
  end += kPastSeparator;
  return end;
}

KeyRange AllKeys() {
  return KeyRange{};
}

Result<KeyRange> DatabaseRange(std::string_view db) {
  ARBOR_ASSIGN_OR_RETURN(std::string prefix, DatabasePrefix(db));
  std::string end = SubtreeEnd(prefix);
  return KeyRange{std::move(prefix), std::move(end)};
}

Result<KeyRange> FunctionsOfDatabase(std::string_view db) {
  ARBOR_ASSIGN_OR_RETURN(std::string prefix, DatabasePrefix(db));
  return MarkerRange(prefix, kFunctionMarker);
}

Result<KeyRange> TablesOfDatabase(std::string_view db) {
  ARBOR_ASSIGN_OR_RETURN(std::string prefix, DatabasePrefix(db));
  // Table names never start with a marker byte, so everything in the
  // database past the function group belongs to tables.
  KeyRange range;
  range.begin = prefix;
  range.begin += kSeparator;
  range.begin += static_cast<char>(kFunctionMarker + 1);
  range.end = SubtreeEnd(prefix);
  return range;
}

Result<KeyRange> TableRange(std::string_view db, std::string_view table) {
  ARBOR_ASSIGN_OR_RETURN(std::string prefix, TablePrefix(db, table));
  std::string end = SubtreeEnd(prefix);
  return KeyRange{std::move(prefix), std::move(end)};
}

Result<KeyRange> PartitionsOfTable(std::string_view db, std::string_view table) {
  ARBOR_ASSIGN_OR_RETURN(std::string prefix, TablePrefix(db, table));
  return MarkerRange(prefix, kPartitionMarker);
}

Result<KeyRange> TableColumnStatsOfTable(std::string_view db, std::string_view table) {
  ARBOR_ASSIGN_OR_RETURN(std::string prefix, TablePrefix(db, table));
  return MarkerRange(prefix, kTableStatsMarker);
}

Result<KeyRange> PartitionColumnStatsOfTable(std::string_view db, std::string_view table) {
  ARBOR_ASSIGN_OR_RETURN(std::string prefix, TablePrefix(db, table));
  return MarkerRange(prefix, kPartitionStatsMarker);
}

Result<KeyRange> PartitionColumnStatsOfPartition(std::string_view db, std::string_view table,
                                                 std::string_view partition) {
  // Encoding the partition's own key validates all three names.
  ARBOR_ASSIGN_OR_RETURN(std::string partition_key,
                         EncodeKey(CatalogKey::ForPartition(std::string(db), std::string(table),
                                                            std::string(partition))));
  // Swap the partition marker for the statistics marker: same prefix, same name.
  const size_t marker_at = partition_key.size() - partition.size() - 1;
  partition_key[marker_at] = kPartitionStatsMarker;
  KeyRange range;
  range.begin = partition_key;
  range.begin += kSeparator;
  range.end = std::move(partition_key);
  range.end += kPastSeparator;
  return range;
}

}  // namespace arbor

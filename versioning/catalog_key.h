// Catalog keys: the sorted-map keys under which catalog entities are stored.
//
// Layout (docs/storage-format.md#catalog-keys). Components are separated by one 0x00 byte ("\0");
// \x01..\x03 are kind markers:
//
//   kind                    encoded key                           value message
//   database                db                                    Database
//   function                db \0 \x01 fn                         Function
//   table                   db \0 tbl                             Table
//   partition               db \0 tbl \0 \x01 partname            Partition
//   table column stats      db \0 tbl \0 \x02 col                 ColumnStatistics
//   partition column stats  db \0 tbl \0 \x03 partname \0 col     ColumnStatistics
//
// (value messages are in proto/arbor/catalog.proto; a ColumnStatistics under a
// stats key holds exactly the one ColumnStatisticsObj that the key names.)
//
// Invariants, enforced by EncodeKey (InvalidArgument) and DecodeKey (Corruption):
//   * Every component is non-empty and contains no 0x00 byte. So 0x00 always
//     ends a component and sorts below every byte a name can hold: comparing
//     encodings bytewise is comparing the name tuples component by component,
//     and a key is a prefix of every key in its subtree.
//   * No component starts with 0x01..0x03, so a name never looks like a kind
//     marker (a table "\x01x" would otherwise be the function "x").
//   * Database, table, function and column names are ASCII lower case: HMS
//     compares them case-insensitively. EncodeKey lower-cases them; DecodeKey
//     rejects upper case, so decoding and re-encoding is the identity.
//     Partition names are stored as given, since values are case-sensitive;
//     callers store the canonical name that MakePartName produces.
//
// Resulting order: a database's key, then its functions, then its tables;
// each table's key is followed by its partitions, then its column statistics,
// then its partitions' column statistics. Each subtree is one contiguous
// range [key, SubtreeEnd(key)). Examples:
//   * list tables of db: seek to TablesOfDatabase(db).begin; each key found
//     before .end is a table key; continue from SubtreeEnd(that key);
//   * list all databases: the same from AllKeys().begin, since every
//     top-level key is a database key;
//   * drop a table with everything it holds: delete TableRange(db, tbl).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace arbor {

// The names that identify one catalog entity. Fields that `kind` does not
// use stay empty (EncodeKey rejects them otherwise).
struct CatalogKey {
  enum class Kind : uint8_t {
    kDatabase,              // db
    kTable,                 // db, table
    kPartition,             // db, table, partition
    kTableColumnStats,      // db, table, column
    kPartitionColumnStats,  // db, table, partition, column
    kFunction,              // db, function
  };

  Kind kind = Kind::kDatabase;
  std::string db;
  std::string table;
  std::string partition;
  std::string column;
  std::string function;

  static CatalogKey ForDatabase(std::string db);
  static CatalogKey ForTable(std::string db, std::string table);
  static CatalogKey ForPartition(std::string db, std::string table, std::string partition);
  static CatalogKey ForTableColumnStats(std::string db, std::string table, std::string column);
  static CatalogKey ForPartitionColumnStats(std::string db, std::string table,
                                            std::string partition, std::string column);
  static CatalogKey ForFunction(std::string db, std::string function);

  bool operator==(const CatalogKey&) const = default;
};

// "database", "table", "partition", "table column statistics", ...
std::string_view KindName(CatalogKey::Kind kind);

// A readable rendering for messages and logs, e.g.
// partition "sales"."orders" "ds=2024-01-01".
std::string ToString(const CatalogKey& key);

// The encoded key; InvalidArgument if a name breaks an invariant above or a
// field that the kind does not use is set.
Result<std::string> EncodeKey(const CatalogKey& key);

// The inverse of EncodeKey; Corruption if `encoded` is not a valid key.
Result<CatalogKey> DecodeKey(std::string_view encoded);

// A half-open key range [begin, end). An empty `end` means unbounded.
struct KeyRange {
  std::string begin;
  std::string end;

  bool Contains(std::string_view key) const { return key >= begin && (end.empty() || key < end); }
  bool operator==(const KeyRange&) const = default;
};

// The first key past every key in the subtree of `encoded_key` (a database or
// a table). For keys without a subtree it is simply a key just past this one.
std::string SubtreeEnd(std::string_view encoded_key);

// Every catalog key.
KeyRange AllKeys();

// The database key and everything in the database.
Result<KeyRange> DatabaseRange(std::string_view db);
// The function keys of a database, nothing else.
Result<KeyRange> FunctionsOfDatabase(std::string_view db);
// The table keys of a database, each followed by its table's subtree.
Result<KeyRange> TablesOfDatabase(std::string_view db);
// The table key and everything in the table: partitions and all statistics.
Result<KeyRange> TableRange(std::string_view db, std::string_view table);
// The partition keys of a table, nothing else.
Result<KeyRange> PartitionsOfTable(std::string_view db, std::string_view table);
// The table-level column statistics keys of a table.
Result<KeyRange> TableColumnStatsOfTable(std::string_view db, std::string_view table);
// The column statistics keys of all partitions of a table.
Result<KeyRange> PartitionColumnStatsOfTable(std::string_view db, std::string_view table);
// The column statistics keys of one partition.
Result<KeyRange> PartitionColumnStatsOfPartition(std::string_view db, std::string_view table,
                                                 std::string_view partition);

}  // namespace arbor

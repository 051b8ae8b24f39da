// Column statistics: read, aggregate, write (with optional merge) and delete, at
// table and partition level.
//
// Semantics, following HMS (HMSHandler, ObjectStore, the ColumnStatsMerger and
// ColumnStatsAggregator classes):
//   * Names are normalized: database, table and column names lower-cased,
//     partition names rewritten to their canonical form (lower-case keys, Hive
//     escaping), as Hive's lowerCaseConvertPartName does.
//   * Writes need the table (NoSuchObjectException) and, for partition statistics,
//     the partition (NoSuchObjectException). Table-level statistics for a column the
//     table does not have fail with MetaException "Column <c> doesn't exist in table
//     <t> in database <d>" (ObjectStore.validateTableCols). Partition-level
//     statistics for such a column are stored, as HMS stores them (it only logs a
//     warning there), because a partition may keep columns its table dropped.
//   * Every statistics object must carry the fields Hive's IDL marks required
//     (numNulls, numDVs, ...): a Java server rejects the message otherwise.
//     Responses always carry them, as Java clients validate them.
//   * Engine: requests default to "hive". Arbor keeps one entry per column, not
//     one per engine as Hive 4 does: reads and deletes only see entries written by
//     the requested engine, and a write replaces the column's entry whatever engine
//     wrote it before.
//   * Reads leave out entries stored with isStatsCompliant=false, as Hive does, and
//     return nothing for columns or partitions without statistics.
//   * get_aggr_stats_for aggregates per column across the requested partitions as
//     Hive's aggregators do without bit vectors: numNulls (and boolean counts)
//     summed, numDVs the maximum, low the minimum and high the maximum (decimals
//     compared as doubles, as Hive does), maxColLen and avgColLen the maximum.
//     partsFound is Hive's: the number of requested partitions that have
//     statistics for every requested column. Bit vectors and histograms are dropped,
//     and, unlike Hive, missing partitions are not extrapolated: the result
//     describes exactly the statistics stored, and partsFound says how complete
//     they are.
//   * needMerge (set_aggr_stats_for) merges each column with its stored statistics
//     the same way (an INSERT adds its rows' statistics to the old ones). A column
//     without stored statistics, or stored with another type, is replaced. Hive
//     also skips columns whose COLUMN_STATS_ACCURATE flag is not set; Arbor does not
//     maintain that table parameter, so it merges every column. Statistics for one
//     partition repeated within a request are merged, as in Hive.
//   * Arbor does not maintain the COLUMN_STATS_ACCURATE table/partition parameter
//     that HMS updates on statistics writes. Hive then does not answer queries from
//     column statistics alone (it computes them), which is slower but never wrong.
//   * Deleting statistics of one named column that has none is
//     NoSuchObjectException (legacy delete calls); an empty column name means all
//     columns. delete_column_statistics_req deletes whatever exists.
//   * writeId / validWriteIdList are ignored: Arbor has no ACID transactions.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "server/hms/hms_convert.h"
#include "server/hms/hms_handler.h"
#include "server/hms/hms_semantics.h"
#include "versioning/catalog_query.h"
#include "versioning/names.h"
#include "versioning/partition_name.h"

namespace arbor::hms {

using hive::AggrStats;
using hive::ColumnStatistics;
using hive::ColumnStatisticsData;
using hive::ColumnStatisticsDesc;
using hive::ColumnStatisticsObj;
using hive::Date;
using hive::Decimal;
using hive::DeleteColumnStatisticsRequest;
using hive::InvalidInputException;
using hive::MetaException;
using hive::PartitionsStatsRequest;
using hive::PartitionsStatsResult;
using hive::SetPartitionsStatsRequest;
using hive::SetPartitionsStatsResponse;
using hive::TableStatsRequest;
using hive::TableStatsResult;
using hive::Timestamp;

namespace {

constexpr const char* kDefaultEngine = "hive";

std::string EngineOr(bool isset, const std::string& engine) {
  return isset && !engine.empty() ? engine : kDefaultEngine;
}

std::string StoredEngine(const catalog::ColumnStatistics& s) {
  return s.has_engine() && !s.engine().empty() ? s.engine() : kDefaultEngine;
}

std::string Dotted(const std::string& db, const std::string& table) {
  return db + "." + table;
}

// Requested column names: normalized, duplicates dropped, order kept.
std::vector<std::string> NormalizeColumns(const std::vector<std::string>& names) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& name : names) {
    std::string c = NormalizeIdentifier(name);
    if (!c.empty() && seen.insert(c).second) out.push_back(std::move(c));
  }
  return out;
}

// The canonical name of a partition of `table` (Hive's lowerCaseConvertPartName,
// plus a check that the keys are the table's).
Result<std::string> CanonicalPartName(const catalog::Table& table, std::string_view name) {
  std::vector<std::string> keys = PartitionKeyNames(table);
  if (keys.empty()) {
    return Status::InvalidArgument("table " + Dotted(table.db_name(), table.table_name()) +
                                   " is not partitioned; it has no partition " + std::string(name));
  }
  ARBOR_ASSIGN_OR_RETURN(std::string lowered, LowerCasePartNameKeys(name));
  ARBOR_ASSIGN_OR_RETURN(std::vector<std::string> values, PartNameToValues(lowered, keys));
  return MakePartName(keys, values);
}

// Canonical, distinct partition names; names that name no partition of the table
// are left out (reads find no statistics for them, as in HMS).
std::vector<std::string> CanonicalPartNames(const catalog::Table& table,
                                            const std::vector<std::string>& names) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& name : names) {
    auto canonical = CanonicalPartName(table, name);
    if (canonical.ok() && seen.insert(*canonical).second) out.push_back(std::move(*canonical));
  }
  return out;
}

// --- the statistics union

enum class Kind { kNone, kBoolean, kLong, kDouble, kString, kBinary, kDecimal, kDate, kTimestamp };

Kind KindOf(const ColumnStatisticsData& d) {
  int n = d.__isset.booleanStats + d.__isset.longStats + d.__isset.doubleStats +
          d.__isset.stringStats + d.__isset.binaryStats + d.__isset.decimalStats +
          d.__isset.dateStats + d.__isset.timestampStats;
  if (n != 1) return Kind::kNone;
  if (d.__isset.booleanStats) return Kind::kBoolean;
  if (d.__isset.longStats) return Kind::kLong;
  if (d.__isset.doubleStats) return Kind::kDouble;
  if (d.__isset.stringStats) return Kind::kString;
  if (d.__isset.binaryStats) return Kind::kBinary;
  if (d.__isset.decimalStats) return Kind::kDecimal;
  if (d.__isset.dateStats) return Kind::kDate;
  return Kind::kTimestamp;
}

const char* KindName(Kind k) {
  switch (k) {
    case Kind::kBoolean:
      return "boolean";
    case Kind::kLong:
      return "long";
    case Kind::kDouble:
      return "double";
    case Kind::kString:
      return "string";
    case Kind::kBinary:
      return "binary";
    case Kind::kDecimal:
      return "decimal";
    case Kind::kDate:
      return "date";
    case Kind::kTimestamp:
      return "timestamp";
    case Kind::kNone:
      break;
  }
  return "no";
}

// The fields Hive's IDL marks required, which Java peers insist on.
Status ValidateObj(const ColumnStatisticsObj& o, size_t index) {
  const std::string where = "ColumnStatistics.statsObj[" + std::to_string(index) + "]";
  if (!o.__isset.colName || NormalizeIdentifier(o.colName).empty()) {
    return Status::InvalidArgument(where + ".colName is required");
  }
  const std::string col = "statistics of column " + NormalizeIdentifier(o.colName);
  if (!o.__isset.colType) return Status::InvalidArgument(where + ".colType is required");
  if (!o.__isset.statsData) return Status::InvalidArgument(where + ".statsData is required");
  const ColumnStatisticsData& d = o.statsData;
  std::vector<std::pair<bool, const char*>> required;
  switch (KindOf(d)) {
    case Kind::kNone:
      return Status::InvalidArgument(col + ": statsData must have exactly one member set");
    case Kind::kBoolean:
      required = {{d.booleanStats.__isset.numTrues, "numTrues"},
                  {d.booleanStats.__isset.numFalses, "numFalses"},
                  {d.booleanStats.__isset.numNulls, "numNulls"}};
      break;
    case Kind::kLong:
      required = {{d.longStats.__isset.numNulls, "numNulls"},
                  {d.longStats.__isset.numDVs, "numDVs"}};
      break;
    case Kind::kDouble:
      required = {{d.doubleStats.__isset.numNulls, "numNulls"},
                  {d.doubleStats.__isset.numDVs, "numDVs"}};
      break;
    case Kind::kString:
      required = {{d.stringStats.__isset.maxColLen, "maxColLen"},
                  {d.stringStats.__isset.avgColLen, "avgColLen"},
                  {d.stringStats.__isset.numNulls, "numNulls"},
                  {d.stringStats.__isset.numDVs, "numDVs"}};
      break;
    case Kind::kBinary:
      required = {{d.binaryStats.__isset.maxColLen, "maxColLen"},
                  {d.binaryStats.__isset.avgColLen, "avgColLen"},
                  {d.binaryStats.__isset.numNulls, "numNulls"}};
      break;
    case Kind::kDecimal:
      required = {{d.decimalStats.__isset.numNulls, "numNulls"},
                  {d.decimalStats.__isset.numDVs, "numDVs"}};
      if (d.decimalStats.__isset.lowValue) {
        required.push_back({d.decimalStats.lowValue.__isset.scale, "scale"});
        required.push_back({d.decimalStats.lowValue.__isset.unscaled, "unscaled"});
      }
      if (d.decimalStats.__isset.highValue) {
        required.push_back({d.decimalStats.highValue.__isset.scale, "scale"});
        required.push_back({d.decimalStats.highValue.__isset.unscaled, "unscaled"});
      }
      break;
    case Kind::kDate:
      required = {{d.dateStats.__isset.numNulls, "numNulls"},
                  {d.dateStats.__isset.numDVs, "numDVs"}};
      if (d.dateStats.__isset.lowValue) {
        required.push_back({d.dateStats.lowValue.__isset.daysSinceEpoch, "daysSinceEpoch"});
      }
      if (d.dateStats.__isset.highValue) {
        required.push_back({d.dateStats.highValue.__isset.daysSinceEpoch, "daysSinceEpoch"});
      }
      break;
    case Kind::kTimestamp:
      required = {{d.timestampStats.__isset.numNulls, "numNulls"},
                  {d.timestampStats.__isset.numDVs, "numDVs"}};
      if (d.timestampStats.__isset.lowValue) {
        required.push_back(
            {d.timestampStats.lowValue.__isset.secondsSinceEpoch, "secondsSinceEpoch"});
      }
      if (d.timestampStats.__isset.highValue) {
        required.push_back(
            {d.timestampStats.highValue.__isset.secondsSinceEpoch, "secondsSinceEpoch"});
      }
      break;
  }
  for (const auto& [set, field] : required) {
    if (!set) {
      return Status::InvalidArgument(col + " (" + KindName(KindOf(d)) +
                                     ") lack the required field " + field);
    }
  }
  return Status::OK();
}

Status ValidateStats(const hive::ColumnStatistics& cs) {
  if (!cs.__isset.statsDesc)
    return Status::InvalidArgument("ColumnStatistics.statsDesc is required");
  if (!cs.statsDesc.__isset.tableName || NormalizeIdentifier(cs.statsDesc.tableName).empty()) {
    return Status::InvalidArgument("ColumnStatistics.statsDesc.tableName is required");
  }
  if (!cs.__isset.statsObj) return Status::InvalidArgument("ColumnStatistics.statsObj is required");
  for (size_t i = 0; i < cs.statsObj.size(); ++i)
    ARBOR_RETURN_IF_ERROR(ValidateObj(cs.statsObj[i], i));
  return Status::OK();
}

// Marks the required fields set, so they are written even where a stored object
// lacks them (their value is then 0).
template <typename S>
void FillCounts(S& s) {
  s.__set_numNulls(s.numNulls);
  s.__set_numDVs(s.numDVs);
}

void FillRequired(ColumnStatisticsObj& o) {
  o.__set_colName(o.colName);
  o.__set_colType(o.colType);
  o.__isset.statsData = true;
  ColumnStatisticsData& d = o.statsData;
  if (d.__isset.booleanStats) {
    auto& s = d.booleanStats;
    s.__set_numTrues(s.numTrues);
    s.__set_numFalses(s.numFalses);
    s.__set_numNulls(s.numNulls);
  }
  if (d.__isset.longStats) FillCounts(d.longStats);
  if (d.__isset.doubleStats) FillCounts(d.doubleStats);
  if (d.__isset.stringStats) {
    auto& s = d.stringStats;
    s.__set_maxColLen(s.maxColLen);
    s.__set_avgColLen(s.avgColLen);
    FillCounts(s);
  }
  if (d.__isset.binaryStats) {
    auto& s = d.binaryStats;
    s.__set_maxColLen(s.maxColLen);
    s.__set_avgColLen(s.avgColLen);
    s.__set_numNulls(s.numNulls);
  }
  if (d.__isset.decimalStats) {
    auto& s = d.decimalStats;
    FillCounts(s);
    for (Decimal* v : {&s.lowValue, &s.highValue}) {
      v->__set_scale(v->scale);
      v->__set_unscaled(v->unscaled);
    }
  }
  if (d.__isset.dateStats) {
    auto& s = d.dateStats;
    FillCounts(s);
    s.lowValue.__set_daysSinceEpoch(s.lowValue.daysSinceEpoch);
    s.highValue.__set_daysSinceEpoch(s.highValue.daysSinceEpoch);
  }
  if (d.__isset.timestampStats) {
    auto& s = d.timestampStats;
    FillCounts(s);
    s.lowValue.__set_secondsSinceEpoch(s.lowValue.secondsSinceEpoch);
    s.highValue.__set_secondsSinceEpoch(s.highValue.secondsSinceEpoch);
  }
}

// Bit vectors and histograms describe exactly the rows they were built from; a
// merged or aggregated object no longer has such rows.
template <typename S>
void DropBitVectors(S& s) {
  s.bitVectors.clear();
  s.__isset.bitVectors = false;
}

template <typename S>
void DropSketches(S& s) {
  DropBitVectors(s);
  s.histogram.clear();
  s.__isset.histogram = false;
}

void DropSketches(ColumnStatisticsObj& o) {
  ColumnStatisticsData& d = o.statsData;
  DropBitVectors(d.booleanStats);
  DropSketches(d.longStats);
  DropSketches(d.doubleStats);
  DropBitVectors(d.stringStats);
  DropBitVectors(d.binaryStats);
  DropSketches(d.decimalStats);
  DropSketches(d.dateStats);
  DropSketches(d.timestampStats);
}

// Hive's MetaStoreServerUtils.decimalToDouble: BigDecimal(BigInteger(unscaled),
// scale).doubleValue(), the unscaled value being big-endian two's complement.
double DecimalToDouble(const Decimal& d) {
  if (d.unscaled.empty()) return 0;
  long double v = 0;
  for (char c : d.unscaled)
    v = v * 256 + static_cast<unsigned char>(c);
  if (static_cast<unsigned char>(d.unscaled[0]) & 0x80) {
    v -= std::ldexp(1.0L, static_cast<int>(8 * d.unscaled.size()));
  }
  return static_cast<double>(v / std::pow(10.0L, static_cast<long double>(d.scale)));
}

// low = min, high = max, numNulls summed, numDVs the maximum (Hive's estimate
// without bit vectors, ndvTuner 0).
template <typename S, typename Less>
void MergeRange(S& into, const S& other, Less less) {
  if (other.__isset.lowValue && (!into.__isset.lowValue || less(other.lowValue, into.lowValue))) {
    into.__set_lowValue(other.lowValue);
  }
  if (other.__isset.highValue &&
      (!into.__isset.highValue || less(into.highValue, other.highValue))) {
    into.__set_highValue(other.highValue);
  }
  into.__set_numNulls(into.numNulls + other.numNulls);
  into.__set_numDVs(std::max(into.numDVs, other.numDVs));
}

// Merges `other` into `into` (same column). InvalidArgument when their types differ.
Status MergeInto(ColumnStatisticsObj& into, const ColumnStatisticsObj& other) {
  Kind k = KindOf(into.statsData);
  if (k != KindOf(other.statsData)) {
    return Status::InvalidArgument("statistics of column " + into.colName +
                                   " have different types (" + KindName(k) + ", " +
                                   KindName(KindOf(other.statsData)) + ") and cannot be combined");
  }
  ColumnStatisticsData& a = into.statsData;
  const ColumnStatisticsData& b = other.statsData;
  switch (k) {
    case Kind::kBoolean:
      a.booleanStats.__set_numTrues(a.booleanStats.numTrues + b.booleanStats.numTrues);
      a.booleanStats.__set_numFalses(a.booleanStats.numFalses + b.booleanStats.numFalses);
      a.booleanStats.__set_numNulls(a.booleanStats.numNulls + b.booleanStats.numNulls);
      break;
    case Kind::kLong:
      MergeRange(a.longStats, b.longStats, std::less<int64_t>());
      break;
    case Kind::kDouble:
      MergeRange(a.doubleStats, b.doubleStats, std::less<double>());
      break;
    case Kind::kDecimal:
      MergeRange(a.decimalStats, b.decimalStats, [](const Decimal& x, const Decimal& y) {
        return DecimalToDouble(x) < DecimalToDouble(y);
      });
      break;
    case Kind::kDate:
      MergeRange(a.dateStats, b.dateStats,
                 [](const Date& x, const Date& y) { return x.daysSinceEpoch < y.daysSinceEpoch; });
      break;
    case Kind::kTimestamp:
      MergeRange(a.timestampStats, b.timestampStats, [](const Timestamp& x, const Timestamp& y) {
        return x.secondsSinceEpoch < y.secondsSinceEpoch;
      });
      break;
    case Kind::kString:
      a.stringStats.__set_maxColLen(std::max(a.stringStats.maxColLen, b.stringStats.maxColLen));
      a.stringStats.__set_avgColLen(std::max(a.stringStats.avgColLen, b.stringStats.avgColLen));
      a.stringStats.__set_numNulls(a.stringStats.numNulls + b.stringStats.numNulls);
      a.stringStats.__set_numDVs(std::max(a.stringStats.numDVs, b.stringStats.numDVs));
      break;
    case Kind::kBinary:
      a.binaryStats.__set_maxColLen(std::max(a.binaryStats.maxColLen, b.binaryStats.maxColLen));
      a.binaryStats.__set_avgColLen(std::max(a.binaryStats.avgColLen, b.binaryStats.avgColLen));
      a.binaryStats.__set_numNulls(a.binaryStats.numNulls + b.binaryStats.numNulls);
      break;
    case Kind::kNone:
      return Status::InvalidArgument("statistics of column " + into.colName + " hold no data");
  }
  DropSketches(into);
  return Status::OK();
}

// --- reading

// The stored entries of `columns`, in that order, for the table (part empty) or
// one of its partitions (canonical name), written by `engine`. Entries flagged not
// stats-compliant are left out, as Hive leaves them out.
Result<std::vector<catalog::ColumnStatistics>> ReadEntries(
    const CatalogTxn& txn, const std::string& db, const std::string& table, const std::string& part,
    const std::vector<std::string>& columns, const std::string& engine) {
  std::vector<catalog::ColumnStatistics> out;
  if (columns.empty()) return out;  // the catalog would read every column
  ARBOR_ASSIGN_OR_RETURN(auto entries,
                         part.empty() ? txn.GetTableColumnStatistics(db, table, columns)
                                      : txn.GetPartitionColumnStatistics(db, table, part, columns));
  std::map<std::string, catalog::ColumnStatistics*> by_column;
  for (auto& e : entries) {
    if (e.stats_obj_size() != 1 || StoredEngine(e) != engine) continue;
    if (e.has_is_stats_compliant() && !e.is_stats_compliant()) continue;
    by_column[e.stats_obj(0).col_name()] = &e;
  }
  for (const auto& c : columns) {
    auto it = by_column.find(c);
    if (it != by_column.end()) out.push_back(std::move(*it->second));
  }
  return out;
}

ColumnStatisticsObj ObjOf(const catalog::ColumnStatistics& entry) {
  ColumnStatisticsObj o = FromProto(entry.stats_obj(0));
  FillRequired(o);
  return o;
}

std::vector<ColumnStatisticsObj> ObjsOf(const std::vector<catalog::ColumnStatistics>& entries) {
  std::vector<ColumnStatisticsObj> out;
  out.reserve(entries.size());
  for (const auto& e : entries)
    out.push_back(ObjOf(e));
  return out;
}

// The legacy getters' answer: one column's entry with its descriptor, named as the
// client named the database.
ColumnStatistics LegacyAnswer(const catalog::ColumnStatistics& entry, const DbName& n) {
  ColumnStatistics out;
  ColumnStatisticsDesc desc = FromProto(entry.stats_desc());
  desc.__set_isTblLevel(desc.isTblLevel);
  desc.__set_dbName(n.echo);
  desc.__set_tableName(desc.tableName);
  desc.__set_catName(kHiveCatalog);
  out.__set_statsDesc(std::move(desc));
  out.__set_statsObj({ObjOf(entry)});
  out.__set_engine(StoredEngine(entry));
  return out;
}

// --- writing

bool IsTableLevel(const ColumnStatisticsDesc& desc) {
  if (desc.__isset.isTblLevel) return desc.isTblLevel;
  return !(desc.__isset.partName && !desc.partName.empty());
}

ColumnStatistics WithLevel(ColumnStatistics cs, bool table_level) {
  cs.statsDesc.__set_isTblLevel(table_level);
  cs.__isset.statsDesc = true;
  return cs;
}

// Stores `in` (validated by ValidateStats) in database `db` (normalized): table
// statistics, or those of the partition in statsDesc.partName. Merges each column
// with its stored statistics when `merge` is set, or when this request already
// wrote statistics for the same table or partition (`written`).
Status StoreStats(CatalogTxn& txn, const std::string& db, const hive::ColumnStatistics& in,
                  bool table_level, const std::string& engine, bool merge,
                  std::set<std::string>* written) {
  const std::string t = NormalizeIdentifier(in.statsDesc.tableName);
  ARBOR_ASSIGN_OR_RETURN(catalog::Table table, txn.GetTable(db, t));
  hive::ColumnStatistics cs = in;
  cs.statsDesc.__set_isTblLevel(table_level);
  cs.statsDesc.__set_dbName(db);
  cs.statsDesc.__set_tableName(t);
  std::string part;
  if (table_level) {
    cs.statsDesc.partName.clear();
    cs.statsDesc.__isset.partName = false;
  } else {
    if (!in.statsDesc.__isset.partName || in.statsDesc.partName.empty()) {
      return Status::InvalidArgument("partition statistics of " + Dotted(db, t) +
                                     " need statsDesc.partName");
    }
    ARBOR_ASSIGN_OR_RETURN(part, CanonicalPartName(table, in.statsDesc.partName));
    cs.statsDesc.__set_partName(part);
  }
  cs.__set_engine(engine);
  std::vector<std::string> columns;
  for (auto& o : cs.statsObj) {
    o.__set_colName(NormalizeIdentifier(o.colName));
    columns.push_back(o.colName);
  }
  if (table_level) {
    std::set<std::string> table_columns;
    if (table.has_sd() && table.sd().has_cols()) {
      for (const auto& c : table.sd().cols().items())
        table_columns.insert(NormalizeIdentifier(c.name()));
    }
    for (const auto& c : columns) {
      if (!table_columns.count(c)) {
        // Hive's MetaException; PreconditionFailed is what Raise turns into one.
        return Status::PreconditionFailed("Column " + c + " doesn't exist in table " + t +
                                          " in database " + db);
      }
    }
  }
  std::string key = db + '\0' + t + '\0' + part;
  if (merge || written->count(key)) {
    ARBOR_ASSIGN_OR_RETURN(auto stored,
                           ReadEntries(txn, db, t, part, NormalizeColumns(columns), engine));
    std::map<std::string, ColumnStatisticsObj> old;
    for (const auto& e : stored)
      old.emplace(e.stats_obj(0).col_name(), ObjOf(e));
    for (auto& o : cs.statsObj) {
      auto it = old.find(o.colName);
      if (it != old.end() && KindOf(it->second.statsData) == KindOf(o.statsData)) {
        ARBOR_RETURN_IF_ERROR(MergeInto(o, it->second));
      }
    }
  }
  written->insert(std::move(key));
  ARBOR_ASSIGN_OR_RETURN(catalog::ColumnStatistics proto, ToProto(cs));
  return txn.PutColumnStatistics(proto);
}

// --- deleting

// Deletes the statistics of `columns` (every column when empty) written by `engine`
// from the table (part_name empty) or one of its partitions. With `strict`, a named
// column without statistics is NotFound, as in HMS's legacy delete calls.
Status DeleteStats(CatalogTxn& txn, const catalog::Table& table, const std::string& part_name,
                   const std::vector<std::string>& columns, const std::string& engine,
                   bool strict) {
  const std::string& db = table.db_name();
  const std::string& t = table.table_name();
  std::string part;
  if (!part_name.empty()) {
    ARBOR_ASSIGN_OR_RETURN(part, CanonicalPartName(table, part_name));
    ARBOR_ASSIGN_OR_RETURN(bool exists, txn.PartitionExists(db, t, part));
    if (!exists) {
      return Status::NotFound("Partition " + part +
                              " for which stats deletion is requested doesn't exist");
    }
  }
  ARBOR_ASSIGN_OR_RETURN(auto entries,
                         part.empty() ? txn.GetTableColumnStatistics(db, t, columns)
                                      : txn.GetPartitionColumnStatistics(db, t, part, columns));
  std::set<std::string> deleted;
  for (const auto& e : entries) {
    if (e.stats_obj_size() != 1 || StoredEngine(e) != engine) continue;
    const std::string& col = e.stats_obj(0).col_name();
    ARBOR_RETURN_IF_ERROR(txn.DeleteColumnStatistics(db, t, part, col));
    deleted.insert(col);
  }
  if (strict) {
    for (const auto& c : columns) {
      if (!deleted.count(c)) {
        return Status::NotFound("Column stats doesn't exist for db=" + db + " table=" + t +
                                (part.empty() ? "" : " partition=" + part) + " col=" + c);
      }
    }
  }
  return Status::OK();
}

std::vector<std::string> OneColumn(const std::string& col_name) {
  return col_name.empty() ? std::vector<std::string>{} : NormalizeColumns({col_name});
}

}  // namespace

// --- reads

// The legacy single-column getters (table level when part_name is null).
ColumnStatistics HmsHandler::LegacyColumnStatistics(const std::string& db_name,
                                                    const std::string& tbl_name,
                                                    const std::string* part_name,
                                                    const std::string& col_name) {
  // Both callers declare the same exceptions.
  using E = ARBOR_HMS_THROWS(get_table_column_statistics);
  static_assert(std::is_same_v<E, ARBOR_HMS_THROWS(get_partition_column_statistics)>);
  DbName n = Parse<E>(db_name);
  ReadView view = View<E>(n);
  CatalogTxn txn(view);
  catalog::Table table = Check<E>(txn.GetTable(n.db, tbl_name));
  std::string part;
  if (part_name) part = Check<E>(CanonicalPartName(table, *part_name));
  auto entries = Check<E>(ReadEntries(txn, table.db_name(), table.table_name(), part,
                                      OneColumn(col_name), kDefaultEngine));
  // HMS answers null here, which Java clients see as "unknown result"; the
  // declared not-found exception says the same thing more usefully.
  if (entries.empty()) {
    Raise<E>(Status::NotFound("No column statistics for column " + NormalizeIdentifier(col_name) +
                              (part_name ? " of partition " + part : std::string()) + " of table " +
                              Dotted(table.db_name(), table.table_name())));
  }
  return LegacyAnswer(entries.front(), n);
}

void HmsHandler::get_table_column_statistics(ColumnStatistics& _return, const std::string& db_name,
                                             const std::string& tbl_name,
                                             const std::string& col_name) {
  _return = LegacyColumnStatistics(db_name, tbl_name, nullptr, col_name);
}

void HmsHandler::get_partition_column_statistics(ColumnStatistics& _return,
                                                 const std::string& db_name,
                                                 const std::string& tbl_name,
                                                 const std::string& part_name,
                                                 const std::string& col_name) {
  _return = LegacyColumnStatistics(db_name, tbl_name, &part_name, col_name);
}

void HmsHandler::get_table_statistics_req(TableStatsResult& _return,
                                          const TableStatsRequest& request) {
  using E = ARBOR_HMS_THROWS(get_table_statistics_req);
  DbName n = Parse<E>(request.__isset.dbName ? request.dbName : "");
  ReadView view = View<E>(n);
  CatalogTxn txn(view);
  catalog::Table table =
      Check<E>(txn.GetTable(n.db, request.__isset.tblName ? request.tblName : ""));
  auto entries = Check<E>(ReadEntries(
      txn, table.db_name(), table.table_name(), "",
      NormalizeColumns(request.__isset.colNames ? request.colNames : std::vector<std::string>{}),
      EngineOr(request.__isset.engine, request.engine)));
  _return.__set_tableStats(ObjsOf(entries));
}

void HmsHandler::get_partitions_statistics_req(PartitionsStatsResult& _return,
                                               const PartitionsStatsRequest& request) {
  using E = ARBOR_HMS_THROWS(get_partitions_statistics_req);
  DbName n = Parse<E>(request.__isset.dbName ? request.dbName : "");
  ReadView view = View<E>(n);
  CatalogTxn txn(view);
  catalog::Table table =
      Check<E>(txn.GetTable(n.db, request.__isset.tblName ? request.tblName : ""));
  std::vector<std::string> columns =
      NormalizeColumns(request.__isset.colNames ? request.colNames : std::vector<std::string>{});
  const std::string engine = EngineOr(request.__isset.engine, request.engine);
  std::map<std::string, std::vector<ColumnStatisticsObj>> result;
  for (const auto& part : CanonicalPartNames(
           table, request.__isset.partNames ? request.partNames : std::vector<std::string>{})) {
    auto entries =
        Check<E>(ReadEntries(txn, table.db_name(), table.table_name(), part, columns, engine));
    if (!entries.empty()) result.emplace(part, ObjsOf(entries));
  }
  _return.__set_partStats(std::move(result));
}

void HmsHandler::get_aggr_stats_for(AggrStats& _return, const PartitionsStatsRequest& request) {
  using E = ARBOR_HMS_THROWS(get_aggr_stats_for);
  DbName n = Parse<E>(request.__isset.dbName ? request.dbName : "");
  ReadView view = View<E>(n);
  CatalogTxn txn(view);
  catalog::Table table =
      Check<E>(txn.GetTable(n.db, request.__isset.tblName ? request.tblName : ""));
  std::vector<std::string> columns =
      NormalizeColumns(request.__isset.colNames ? request.colNames : std::vector<std::string>{});
  const std::string engine = EngineOr(request.__isset.engine, request.engine);
  std::map<std::string, ColumnStatisticsObj> aggregate;
  int64_t parts_found = 0;
  for (const auto& part : CanonicalPartNames(
           table, request.__isset.partNames ? request.partNames : std::vector<std::string>{})) {
    auto entries =
        Check<E>(ReadEntries(txn, table.db_name(), table.table_name(), part, columns, engine));
    if (!entries.empty() && entries.size() == columns.size()) ++parts_found;
    for (const auto& e : entries) {
      ColumnStatisticsObj obj = ObjOf(e);
      auto [it, fresh] = aggregate.try_emplace(obj.colName, obj);
      if (!fresh) Check<E>(MergeInto(it->second, obj));
    }
  }
  std::vector<ColumnStatisticsObj> out;
  for (const auto& c : columns) {
    auto it = aggregate.find(c);
    if (it == aggregate.end()) continue;
    DropSketches(it->second);
    FillRequired(it->second);
    out.push_back(std::move(it->second));
  }
  _return.__set_colStats(std::move(out));
  _return.__set_partsFound(parts_found);
}

// --- writes: every form funnels into set_aggr_stats_for

bool HmsHandler::update_table_column_statistics(const ColumnStatistics& stats_obj) {
  ARBOR_HMS_DELEGATES_TO(update_table_column_statistics, set_aggr_stats_for);
  SetPartitionsStatsRequest req;
  req.__set_colStats({WithLevel(stats_obj, true)});
  req.__set_engine(EngineOr(stats_obj.__isset.engine, stats_obj.engine));
  return set_aggr_stats_for(req);
}

bool HmsHandler::update_partition_column_statistics(const ColumnStatistics& stats_obj) {
  ARBOR_HMS_DELEGATES_TO(update_partition_column_statistics, set_aggr_stats_for);
  SetPartitionsStatsRequest req;
  req.__set_colStats({WithLevel(stats_obj, false)});
  req.__set_engine(EngineOr(stats_obj.__isset.engine, stats_obj.engine));
  return set_aggr_stats_for(req);
}

namespace {

// HMSHandler's checks on the non-aggregate _req forms.
SetPartitionsStatsRequest SingleUnmerged(const SetPartitionsStatsRequest& req, bool table_level) {
  if (!req.__isset.colStats || req.colStats.size() != 1) {
    ThrowWithMessage<InvalidInputException>("Only one stats object expected");
  }
  if (req.__isset.needMerge && req.needMerge) {
    ThrowWithMessage<InvalidInputException>("Merge is not supported for non-aggregate stats");
  }
  SetPartitionsStatsRequest out = req;
  out.colStats[0] = WithLevel(req.colStats[0], table_level);
  return out;
}

}  // namespace

void HmsHandler::update_table_column_statistics_req(SetPartitionsStatsResponse& _return,
                                                    const SetPartitionsStatsRequest& req) {
  ARBOR_HMS_DELEGATES_TO(update_table_column_statistics_req, set_aggr_stats_for);
  _return.__set_result(set_aggr_stats_for(SingleUnmerged(req, true)));
}

void HmsHandler::update_partition_column_statistics_req(SetPartitionsStatsResponse& _return,
                                                        const SetPartitionsStatsRequest& req) {
  ARBOR_HMS_DELEGATES_TO(update_partition_column_statistics_req, set_aggr_stats_for);
  _return.__set_result(set_aggr_stats_for(SingleUnmerged(req, false)));
}

// The one statistics write: every ColumnStatistics of the request in one mutation.
// The level comes from the first one's descriptor (as in HMS): table level takes
// exactly one ColumnStatistics, partition level any number, for any partitions.
bool HmsHandler::set_aggr_stats_for(const SetPartitionsStatsRequest& request) {
  using E = ARBOR_HMS_THROWS(set_aggr_stats_for);
  if (!request.__isset.colStats || request.colStats.empty()) return true;
  const auto& all = request.colStats;
  for (const auto& cs : all)
    Check<E>(ValidateStats(cs));
  const bool table_level = IsTableLevel(all.front().statsDesc);
  if (table_level && all.size() != 1) {
    ThrowWithMessage<MetaException>(
        "Expecting only 1 ColumnStatistics for table's column stats, but find " +
        std::to_string(all.size()));
  }
  std::vector<DbName> names;
  for (const auto& cs : all) {
    names.push_back(Parse<E>(cs.statsDesc.__isset.dbName ? cs.statsDesc.dbName : ""));
    if (RefOf(names.back()) != RefOf(names.front())) {
      ThrowWithMessage<InvalidInputException>(
          "All statistics of one request must address the same ref; got '" + RefOf(names.front()) +
          "' and '" + RefOf(names.back()) + "'");
    }
  }
  // The request's engine (Thrift presets it to "hive") applies to every object.
  const std::string engine = request.__isset.engine
                                 ? EngineOr(true, request.engine)
                                 : EngineOr(all.front().__isset.engine, all.front().engine);
  const bool merge = request.__isset.needMerge && request.needMerge;
  const auto& first = all.front().statsDesc;
  std::string what = std::string(merge ? "merge" : "update") + " column statistics of " +
                     Dotted(names.front().db, NormalizeIdentifier(first.tableName));
  Write<E>(names.front(), what, [&](CatalogTxn& txn) -> Status {
    std::set<std::string> written;
    for (size_t i = 0; i < all.size(); ++i) {
      ARBOR_RETURN_IF_ERROR(
          StoreStats(txn, names[i].db, all[i], table_level, engine, merge, &written));
    }
    return Status::OK();
  });
  return true;
}

// --- deletes

bool HmsHandler::delete_table_column_statistics(const std::string& db_name,
                                                const std::string& tbl_name,
                                                const std::string& col_name,
                                                const std::string& engine) {
  using E = ARBOR_HMS_THROWS(delete_table_column_statistics);
  DbName n = Parse<E>(db_name);
  Write<E>(n, "delete column statistics of " + Dotted(n.db, tbl_name),
           [&](CatalogTxn& txn) -> Status {
             ARBOR_ASSIGN_OR_RETURN(catalog::Table table, txn.GetTable(n.db, tbl_name));
             return DeleteStats(txn, table, "", OneColumn(col_name), EngineOr(true, engine),
                                /*strict=*/true);
           });
  return true;
}

bool HmsHandler::delete_partition_column_statistics(const std::string& db_name,
                                                    const std::string& tbl_name,
                                                    const std::string& part_name,
                                                    const std::string& col_name,
                                                    const std::string& engine) {
  using E = ARBOR_HMS_THROWS(delete_partition_column_statistics);
  DbName n = Parse<E>(db_name);
  if (part_name.empty()) ThrowWithMessage<InvalidInputException>("Partition name is required");
  Write<E>(n, "delete column statistics of " + Dotted(n.db, tbl_name) + " " + part_name,
           [&](CatalogTxn& txn) -> Status {
             ARBOR_ASSIGN_OR_RETURN(catalog::Table table, txn.GetTable(n.db, tbl_name));
             return DeleteStats(txn, table, part_name, OneColumn(col_name), EngineOr(true, engine),
                                /*strict=*/true);
           });
  return true;
}

// Hive 4's bulk delete: table level when asked (tableLevel) or when the table is
// not partitioned; otherwise the named partitions, or all of them. No column names
// means every column. Missing statistics are not an error.
bool HmsHandler::delete_column_statistics_req(const DeleteColumnStatisticsRequest& req) {
  using E = ARBOR_HMS_THROWS(delete_column_statistics_req);
  DbName n = Parse<E>(req.__isset.db_name ? req.db_name : "");
  const std::string tbl = req.__isset.tbl_name ? req.tbl_name : "";
  const std::vector<std::string> columns =
      NormalizeColumns(req.__isset.col_names ? req.col_names : std::vector<std::string>{});
  const std::string engine = EngineOr(req.__isset.engine, req.engine);
  Write<E>(n, "delete column statistics of " + Dotted(n.db, tbl), [&](CatalogTxn& txn) -> Status {
    ARBOR_ASSIGN_OR_RETURN(catalog::Table table, txn.GetTable(n.db, tbl));
    const bool table_level =
        (req.__isset.tableLevel && req.tableLevel) || PartitionKeyNames(table).empty();
    if (table_level) return DeleteStats(txn, table, "", columns, engine, /*strict=*/false);
    std::vector<std::string> parts;
    if (req.__isset.part_names && !req.part_names.empty()) {
      parts = req.part_names;
    } else {
      ARBOR_ASSIGN_OR_RETURN(parts, txn.ListPartitionNames(table.db_name(), table.table_name()));
    }
    for (const auto& p : parts) {
      ARBOR_RETURN_IF_ERROR(DeleteStats(txn, table, p, columns, engine, /*strict=*/false));
    }
    return Status::OK();
  });
  return true;
}

}  // namespace arbor::hms

// CatalogQuery: the catalog's listings — a table's partitions, a database's
// tables, the databases — read through one CatalogTxn.
//
// Callers ask in catalog terms (partition values, names, counts) and never
// see keys: how a listing maps onto the key layout (catalog_key.h) is known
// here and in catalog.cc alone. Stored values reach a caller only as the
// entity's serialized proto (PartitionsStored), whose format is public.
//
// Contract, for every listing:
//   * Entities come in name order: partitions by their stored (canonical)
//     name, bytewise; tables and databases by their normalized name.
//   * Reads see the transaction's pending edits over its view, like every
//     CatalogTxn read.
//   * A resume token is the last name a previous page returned, and it is
//     exclusive. Pages taken one after another, each resuming after the
//     previous one's last name, concatenate to the whole listing without
//     duplicates, as long as the catalog does not change in between (any
//     name can resume: the next page starts at the first name after it).
//   * Stored values are parsed only when the caller needs them: a names-only
//     partition listing without a predicate reads keys alone.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "arbor/catalog.pb.h"
#include "base/status.h"
#include "versioning/catalog.h"

namespace arbor {

// Which partitions of a table to list. Every condition narrows the selection;
// `after`, `offset` and `limit` then page through what is selected.
// The table's partition-key names, normalized, in key order.
std::vector<std::string> PartitionKeyNames(const catalog::Table& table);

// Inclusive bounds on one partition key's value, compared bytewise as stored
// values ("" included); nullopt leaves that side open.
struct ValueInterval {
  std::optional<std::string> lower;
  std::optional<std::string> upper;
};

// A box of partitions: those whose first box.size() values lie in the
// respective intervals; later keys take any value.
using ValueBox = std::vector<ValueInterval>;

struct PartitionQuery {
  // Hive's partial specification (get_partitions_ps, get_partition_names_ps):
  // values of the first partition keys, in key order; "" matches any value and
  // the list may be shorter than the keys (InvalidArgument if it is longer).
  // The fixed values before the first "" narrow the scan to one key range; a
  // fixed value after a "" is checked against the name's key=value component,
  // which needs no parsing.
  std::vector<std::string> values;
  // Resume after this partition name (exclusive); "" starts at the first.
  std::string after;
  // Skip this many selected partitions. O(log n) when nothing but `values`'
  // leading run selects and no edit (pending or staged) falls in the range;
  // otherwise the skipped partitions are read.
  uint64_t offset = 0;
  // At most this many partitions; 0 lists none.
  size_t limit = SIZE_MAX;
  // When set, only partitions whose values lie in at least one of these boxes
  // are selected (an empty list selects none), and only the key ranges that
  // can hold them are read. Bounds on the leading keys narrow the scan: a
  // point (lower == upper) on key 1 narrows it to that value's names, and
  // then key 2's interval narrows further, and so on; a wider interval gives
  // a few ranges over the escaped names (partition_name.h), cut off after
  // kMaxIntervalRefinement bytes of its bounds. Whatever the ranges hold
  // beyond the boxes is read and dropped by a check on the values.
  std::optional<std::vector<ValueBox>> within;
  // When set, only partitions whose values it accepts are selected. Values
  // are decoded from the partition name (unescaped), which equals the stored
  // values but where a component is the default partition name: an empty
  // value and that literal value share it, so such a candidate is parsed.
  std::function<bool(const std::vector<std::string>& values)> predicate;
  // Hand the visitor each partition parsed; only selected ones are parsed.
  bool parse = false;
};

// How many leading bytes of an interval's bounds turn into key ranges; past
// them the ranges cover every name with the prefix reached (the boxes'
// check on values still applies).
inline constexpr size_t kMaxIntervalRefinement = 16;

// A range of partition names, [begin, end); no end: past every name.
struct PartitionNameRange {
  std::string begin;
  std::optional<std::string> end;

  bool Contains(std::string_view name) const { return name >= begin && (!end || name < *end); }
  bool operator==(const PartitionNameRange&) const = default;
};

// The ranges of names a listing within `boxes` reads, for a table whose
// partition keys are `keys` (normalized, in key order): sorted, disjoint, and
// holding the name of every partition whose values lie in one of the boxes.
std::vector<PartitionNameRange> PartitionNameRanges(const std::vector<std::string>& keys,
                                                    const std::vector<ValueBox>& boxes);

// Called for each selected partition, in order, until it returns false.
// `partition` is null unless the query asked to `parse`; it is only valid
// during the call.
using PartitionVisitor =
    std::function<bool(const std::string& name, const catalog::Partition* partition)>;

// Called for each selected partition with its stored form: the serialized
// catalog::Partition (proto/arbor/catalog.proto, written deterministically),
// for front ends that transcode it without parsing. Valid during the call.
using StoredPartitionVisitor =
    std::function<bool(const std::string& name, std::string_view stored)>;

// Called for each selected partition's name, in order, until it returns false;
// the name is valid during the call only.
using PartitionNameVisitor = std::function<bool(std::string_view name)>;

// One page of tables or databases.
template <typename Entity>
struct CatalogPage {
  std::vector<Entity> entities;  // in name order
  // Whether more follow the last entity.
  bool has_more = false;
  // The name of the last entity ("" if none): the `after` of the next page.
  std::string next_after;
};

class CatalogQuery {
 public:
  explicit CatalogQuery(const CatalogTxn& txn) : txn_(txn) {}

  // The partitions of `table` (as read from this catalog: only its names and
  // partition keys are used) that `query` selects.
  Status Partitions(const catalog::Table& table, const PartitionQuery& query,
                    const PartitionVisitor& fn) const;
  // The same selection, each partition handed over as stored (`query.parse`
  // is ignored; a predicate still parses the candidates it evaluates).
  Status PartitionsStored(const catalog::Table& table, const PartitionQuery& query,
                          const StoredPartitionVisitor& fn) const;

  // The same selection's names alone (`query.parse` is ignored): read from
  // keys and handed over without a copy unless a predicate needs values.
  Status PartitionNames(const catalog::Table& table, const PartitionQuery& query,
                        const PartitionNameVisitor& fn) const;

  // How many partitions Partitions(table, query, ...) would visit. Without a
  // predicate it reads keys alone.
  Result<uint64_t> CountPartitions(const catalog::Table& table, const PartitionQuery& query) const;

  // How many keys a listing of `query` would read at most (its candidates,
  // before any check on names or values), without reading them: subtree
  // counts in O(log n) per key range, plus the edits not yet committed in
  // the ranges, of which up to `max_edits` are read; nullopt when there are
  // more. A caller that must bound its work before starting asks this.
  Result<std::optional<uint64_t>> CandidateBound(const catalog::Table& table,
                                                 const PartitionQuery& query,
                                                 size_t max_edits) const;

  // Up to `limit` tables of `db` whose names follow `after` ("" = from the
  // first). A database that does not exist has none.
  Result<CatalogPage<catalog::Table>> Tables(std::string_view db, std::string_view after,
                                             size_t limit) const;

  // Up to `limit` databases whose names follow `after` ("" = from the first).
  Result<CatalogPage<catalog::Database>> Databases(std::string_view after, size_t limit) const;

 private:
  // Exactly one is set.
  struct Visitor {
    const PartitionVisitor* parsed;
    const StoredPartitionVisitor* stored;
    const PartitionNameVisitor* names;
  };
  Status Visit(const catalog::Table& table, const PartitionQuery& query, const Visitor& to) const;

  const CatalogTxn& txn_;
};

}  // namespace arbor

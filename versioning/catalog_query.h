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
  // When set, only partitions whose values it accepts are selected. It needs
  // every candidate parsed.
  std::function<bool(const std::vector<std::string>& values)> predicate;
  // Hand the visitor each partition parsed.
  bool parse = false;
};

// Called for each selected partition, in order, until it returns false.
// `partition` is null when the query parsed nothing (neither `parse` nor a
// predicate); otherwise it is only valid during the call.
using PartitionVisitor =
    std::function<bool(const std::string& name, const catalog::Partition* partition)>;

// Called for each selected partition with its stored form: the serialized
// catalog::Partition (proto/arbor/catalog.proto, written deterministically),
// for front ends that transcode it without parsing. Valid during the call.
using StoredPartitionVisitor =
    std::function<bool(const std::string& name, std::string_view stored)>;

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

  // How many partitions Partitions(table, query, ...) would visit. Without a
  // predicate it reads keys alone.
  Result<uint64_t> CountPartitions(const catalog::Table& table, const PartitionQuery& query) const;

  // Up to `limit` tables of `db` whose names follow `after` ("" = from the
  // first). A database that does not exist has none.
  Result<CatalogPage<catalog::Table>> Tables(std::string_view db, std::string_view after,
                                             size_t limit) const;

  // Up to `limit` databases whose names follow `after` ("" = from the first).
  Result<CatalogPage<catalog::Database>> Databases(std::string_view after, size_t limit) const;

 private:
  Status Visit(const catalog::Table& table, const PartitionQuery& query, const PartitionVisitor* fn,
               const StoredPartitionVisitor* stored) const;

  const CatalogTxn& txn_;
};

}  // namespace arbor

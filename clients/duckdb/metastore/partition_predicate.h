// PartitionPredicate: a filter on partition columns, in a form every provider
// can render into its own filter language (HMS get_partitions_by_filter,
// Glue's GetPartitions expression) and that the core can evaluate locally.
//
// Contract:
//  * A predicate is a conjunction of terms; each term compares one partition
//    column with literals (IN is a disjunction on one column). An empty
//    predicate matches every partition.
//  * Literals are strings as they appear in partition values; `numeric` says
//    the column's declared type is an integer, so comparisons are numeric (and
//    a provider renders the literal unquoted).
//  * Matches() is exact for the values it is given: a provider that cannot push
//    a term down lists more and the core prunes with Matches(); a term never
//    makes Matches() drop a partition that could hold matching rows (a value
//    that does not parse as a number matches, and NULL partitions match only
//    IS NULL).
#pragma once

#include <string>
#include <vector>

#include "clients/duckdb/metastore/model.h"

namespace arbor::metastore {

struct PartitionTerm {
  enum class Op { kEq, kNe, kLt, kLe, kGt, kGe, kIn, kIsNull, kIsNotNull };
  std::string column;
  Op op = Op::kEq;
  std::vector<std::string> literals;  // one, except kIn (one or more) and the null tests (none)
  bool numeric = false;
};

struct PartitionPredicate {
  std::vector<PartitionTerm> terms;  // all must hold

  bool empty() const { return terms.empty(); }

  // Whether a partition with these values (one per `columns`) may match.
  bool Matches(const std::vector<Column>& columns, const std::vector<std::string>& values) const;

  // A readable form for debugging and EXPLAIN ("ds >= '2024-01-01' AND h IN (1, 2)").
  std::string ToString() const;
};

// Whether a Hive column type compares numerically (the integer types).
bool IsIntegralHiveType(const std::string& hive_type);

}  // namespace arbor::metastore

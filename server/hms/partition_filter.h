// Partition filters for get_partitions_by_filter (and the *_by_filter
// variants): Hive's Filter.g grammar, parsed by hand, type-checked against the
// table's partition keys, and evaluated against partition values.
//
// Contract (docs/hms-compatibility.md#partition-filters):
//   filter   := orExpr                      -- empty or all-whitespace: matches every partition
//   orExpr   := andExpr (OR andExpr)*       -- AND binds tighter than OR
//   andExpr  := expr (AND expr)*
//   expr     := '(' orExpr ')'
//             | key op lit | lit op key     -- op: = <> != < <= > >= LIKE (LIKE: key on the left)
//             | key [NOT] BETWEEN lit AND lit
//             | '(' key ')' [NOT] IN '(' lit (',' lit)* ')'   -- also a bare key
//             | '(' STRUCT '(' key (',' key)* ')' ')' [NOT] IN
//                   '(' CONST STRUCT '(' lit, ... ')' (',' CONST STRUCT '(' lit, ... ')')* ')'
//   lit      := 'str' | "str" | -?[0-9]+ | yyyy-mm-dd | DATE 'yyyy-mm-dd'
//             | TIMESTAMP 'yyyy-mm-dd hh:mm:ss[.fffffffff]'
//   key      := [A-Za-z0-9_][A-Za-z0-9_]*, matched case-insensitively to a key name
// Keywords (AND OR NOT LIKE BETWEEN IN) are case-insensitive and reserved;
// STRUCT, CONST, DATE and TIMESTAMP are keywords only where the grammar needs
// them, so keys named "date" or "struct" stay usable. BETWEEN, IN and
// multi-column IN are rewritten at parse time exactly as Filter.g does:
// BETWEEN -> >= AND <=, NOT BETWEEN -> < OR >, IN -> OR of =, NOT IN -> AND of
// <>, and a struct row -> AND of = (NOT IN: OR of <>).
//
// String literals keep their bytes verbatim, as Hive's TrimQuotes does: a
// backslash only stops the next character (e.g. the quote) from ending the
// literal; it is not removed. So 'it\'s' is the five bytes it\'s, "C:\dir" is
// C:\dir (what Spark sends for that value), and a LIKE pattern ".*\d" reaches
// the regex engine as .*\d.
//
// Type checking (Parse): each literal must fit its key's type:
//   string/varchar/char: any literal; integers, dates and timestamps compare
//                        as their canonical text (Hive's JDO path does toString)
//   tinyint..bigint:     an integer, or a string holding one
//   date:                a date, or a string holding yyyy-mm-dd
//   timestamp:           a timestamp, a date (midnight), or a string holding either
//   anything else (double, decimal, boolean, ...): only LIKE; comparisons are
//                        InvalidArgument, as in Hive ("Filtering is supported
//                        only on partition keys of type string, or integrals")
// LIKE takes a quoted Java regex (JavaRegex, name_pattern.h) matched against
// the whole stored value of a key of any type; a reversed LIKE ('x' LIKE key)
// is rejected, as Hive's JDO path does.
//
// Evaluation (Matches): string keys compare bytewise; integral keys
// numerically; date and timestamp keys chronologically (stored values may use
// 1- or 2-digit month and day; timestamps may use 'T' and a fraction). A stored
// value that does not parse as its key's type, the default partition value
// __HIVE_DEFAULT_PARTITION__, and a missing value (values shorter than the key
// list) satisfy no comparison at all -- not even <>, NOT IN or LIKE ".*" --
// because clients treat them as SQL NULL. So "NOT IN" is not the negation of
// "IN" on such partitions.
//
// Errors: every problem is InvalidArgument("Error parsing partition filter at
// position <byte offset>: <what>"), e.g. "... at position 0: unknown partition
// key 'x'". Filters longer than kMaxPartitionFilterLength or with parentheses
// nested deeper than kMaxPartitionFilterDepth are rejected before any deep
// recursion can happen.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "server/hms/name_pattern.h"

namespace arbor::hms {

inline constexpr size_t kMaxPartitionFilterLength = 64 * 1024;
inline constexpr int kMaxPartitionFilterDepth = 100;
inline constexpr std::string_view kHiveDefaultPartitionValue = "__HIVE_DEFAULT_PARTITION__";

struct PartitionKeyInfo {
  std::string name;  // lower case, as HMS stores it
  std::string type;  // Hive type string: string, varchar(10), int, date, ...
};

// How values of a partition key compare, derived from its Hive type.
enum class PartitionKeyKind : uint8_t {
  kString,     // string, varchar(n), char(n); also an empty type
  kIntegral,   // tinyint, smallint, int, integer, bigint
  kDate,       // date
  kTimestamp,  // timestamp
  kOther,      // anything else: LIKE only
};
PartitionKeyKind ClassifyPartitionKeyType(std::string_view hive_type);

enum class FilterOp : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe, kLike };

// One node of a parsed filter. After desugaring there are only AND, OR and
// `key op value` comparisons (a reversed `lit op key` has its op mirrored).
// Nodes live in a flat vector and refer to children by index, so neither
// copying nor destroying a filter recurses.
struct FilterNode {
  enum class Kind : uint8_t { kAnd, kOr, kCompare };
  Kind kind = Kind::kCompare;
  std::vector<uint32_t> children;  // kAnd, kOr
  // kCompare:
  uint32_t key = 0;  // index into the key list
  FilterOp op = FilterOp::kEq;
  std::string text;    // string keys: the value; kLike: the pattern
  int64_t number = 0;  // integral keys: the value; date and timestamp keys: yyyymmdd
  int64_t nanos = 0;   // timestamp keys: nanoseconds since midnight
  int32_t regex = -1;  // kLike: index of the compiled pattern
};

// Inclusive bytewise bounds on one key's stored value; nullopt leaves that
// side open. A box bounds the first box.size() keys; later keys are free.
struct KeyInterval {
  std::optional<std::string> lower;
  std::optional<std::string> upper;
};
using KeyBox = std::vector<KeyInterval>;

// Bounds() gives at most this many boxes; more are merged into their hull.
inline constexpr size_t kMaxFilterBoxes = 64;

class PartitionFilter {
 public:
  // Parses `filter` and type-checks it against `keys` (the table's partition
  // keys, in order). See the header comment for the language and the errors.
  static Result<PartitionFilter> Parse(std::string_view filter,
                                       const std::vector<PartitionKeyInfo>& keys);

  // True for the empty filter.
  bool matches_all() const { return root_ < 0; }

  // `values`: one partition's values in key order, unescaped (the strings
  // Partition.values holds, not the %XX-escaped partition name).
  bool Matches(const std::vector<std::string>& values) const;

  // For narrowing a scan: boxes such that the values of every partition the
  // filter matches lie in at least one of them (an empty list: no partition
  // can match); nullopt when the filter bounds no key. Derived bottom-up: a
  // comparison = < <= > >= on a string key bounds that key (exclusive ones
  // inclusively), AND intersects, OR unites (IN, BETWEEN and their NOTs
  // arrive desugared). Only string keys are bounded: for integral, date and
  // timestamp keys equal values need not be equal bytes ("05" = 5), and <>
  // and LIKE bound nothing. The boxes are a superset: the caller must still
  // call Matches on every partition in them.
  std::optional<std::vector<KeyBox>> Bounds() const;

  // The desugared tree as an s-expression, e.g.
  // (or (= a "x") (and (>= n 1) (<= n 5))), for tests and logs.
  std::string DebugString() const;

  const std::vector<FilterNode>& nodes() const { return nodes_; }
  int32_t root() const { return root_; }  // -1 for the empty filter

 private:
  friend class PartitionFilterParser;
  PartitionFilter() = default;

  bool Eval(uint32_t node, const std::vector<std::string>& values) const;
  std::optional<std::vector<KeyBox>> BoundsOf(uint32_t node) const;
  bool EvalCompare(const FilterNode& node, const std::vector<std::string>& values) const;
  void Render(uint32_t node, std::string* out) const;

  std::vector<std::string> key_names_;
  std::vector<PartitionKeyKind> key_kinds_;
  std::vector<FilterNode> nodes_;
  std::vector<JavaRegex> regexes_;
  int32_t root_ = -1;
};

}  // namespace arbor::hms

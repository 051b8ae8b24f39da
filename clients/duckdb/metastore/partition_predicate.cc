#include "clients/duckdb/metastore/partition_predicate.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <optional>

namespace arbor::metastore {
namespace {

std::optional<int64_t> ParseInt(const std::string& text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// -1, 0, 1; nullopt when a numeric comparison cannot be made.
std::optional<int> Compare(const std::string& value, const std::string& literal, bool numeric) {
  if (numeric) {
    auto a = ParseInt(value);
    auto b = ParseInt(literal);
    if (!a || !b) return std::nullopt;
    return *a < *b ? -1 : (*a > *b ? 1 : 0);
  }
  int c = value.compare(literal);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

bool TermMatches(const PartitionTerm& term, const std::string& value) {
  using Op = PartitionTerm::Op;
  bool is_null = value == kHiveDefaultPartition;
  if (term.op == Op::kIsNull) return is_null;
  if (term.op == Op::kIsNotNull) return !is_null;
  if (is_null) return false;  // NULL compares to nothing
  if (term.op == Op::kIn) {
    for (const std::string& literal : term.literals) {
      auto c = Compare(value, literal, term.numeric);
      if (!c || *c == 0) return true;
    }
    return false;
  }
  if (term.literals.empty()) return true;
  auto c = Compare(value, term.literals[0], term.numeric);
  if (!c) return true;  // cannot decide: keep the partition
  switch (term.op) {
    case Op::kEq:
      return *c == 0;
    case Op::kNe:
      return *c != 0;
    case Op::kLt:
      return *c < 0;
    case Op::kLe:
      return *c <= 0;
    case Op::kGt:
      return *c > 0;
    case Op::kGe:
      return *c >= 0;
    default:
      return true;
  }
}

const char* OpText(PartitionTerm::Op op) {
  using Op = PartitionTerm::Op;
  switch (op) {
    case Op::kEq:
      return "=";
    case Op::kNe:
      return "<>";
    case Op::kLt:
      return "<";
    case Op::kLe:
      return "<=";
    case Op::kGt:
      return ">";
    case Op::kGe:
      return ">=";
    case Op::kIn:
      return "IN";
    case Op::kIsNull:
      return "IS NULL";
    case Op::kIsNotNull:
      return "IS NOT NULL";
  }
  return "?";
}

}  // namespace

bool PartitionPredicate::Matches(const std::vector<Column>& columns,
                                 const std::vector<std::string>& values) const {
  for (const PartitionTerm& term : terms) {
    for (size_t i = 0; i < columns.size() && i < values.size(); i++) {
      if (columns[i].name == term.column && !TermMatches(term, values[i])) return false;
    }
  }
  return true;
}

std::string PartitionPredicate::ToString() const {
  std::string out;
  for (const PartitionTerm& term : terms) {
    if (!out.empty()) out += " AND ";
    out += term.column + " " + OpText(term.op);
    auto lit = [&](const std::string& l) { return term.numeric ? l : "'" + l + "'"; };
    if (term.op == PartitionTerm::Op::kIn) {
      out += " (";
      for (size_t i = 0; i < term.literals.size(); i++) {
        out += (i ? ", " : "") + lit(term.literals[i]);
      }
      out += ")";
    } else if (!term.literals.empty()) {
      out += " " + lit(term.literals[0]);
    }
  }
  return out;
}

bool IsIntegralHiveType(const std::string& hive_type) {
  static const char* kIntegral[] = {"tinyint", "smallint", "int", "integer", "bigint"};
  return std::any_of(std::begin(kIntegral), std::end(kIntegral),
                     [&](const char* t) { return hive_type == t; });
}

}  // namespace arbor::metastore

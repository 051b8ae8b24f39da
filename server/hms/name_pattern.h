// Hive's name patterns (get_databases, get_tables, get_functions, ...) and the
// Java-regex matcher they and partition-filter LIKE share.
//
// Contract (docs/hms-compatibility.md#name-patterns, ObjectStore.appendPatternCondition): a pattern
// is trimmed and lower-cased (Hive's normalizeIdentifier), split on '|', and each part becomes the
// Java regex "(?i)" + part with every '*' replaced by ".*"; a name matches when one part matches
// the whole name. Everything else in a part is regex syntax, as in Hive, so ".*" (which becomes
// "..*") still matches every name and "a.c" matches "abc". An empty pattern matches everything: the
// C++ Thrift server cannot tell an omitted (null) pattern from "" and Hive treats null as "all".
// "*" and "" skip regex matching entirely.
//
// Thread safety: both classes are immutable after construction; concurrent
// Matches/FullMatch calls are safe.
#pragma once

#include <cstddef>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace arbor::hms {

// Limits on a pattern that needs the real regex engine (a pattern of literal
// text and ".*" never does). libstdc++'s regex compiler recurses once per
// pattern element and once per nesting level, and its matcher recurses along
// chains of optional states, so unchecked network input could overflow the
// stack; these bounds keep the worst case to a few hundred KiB of stack.
inline constexpr size_t kMaxRegexLength = 1024;
inline constexpr int kMaxRegexNesting = 32;
inline constexpr size_t kMaxRegexExpandedSize = 2000;  // after expanding {n,m}
inline constexpr size_t kMaxRegexDigits = 9;           // in a back reference or a {n,m} count

// A java.util.regex pattern as HMS applies it (String.matches / JDOQL
// matches()): it must match the whole subject. Evaluated with std::regex
// (ECMAScript grammar), which agrees with Java on what clients send: literals,
// '.', '*', '+', '?', {n,m}, [...] classes and ranges, '|', groups, \d \w \s,
// ^ $. Translated from Java: a leading "(?i)" (sets case-insensitivity) and
// \Q...\E quoting. Known differences, all rejected or rare:
//   - no possessive (a*+) or atomic groups, lookbehind, \p{..}, class
//     intersection ([a-z&&[^e]]), inline flags other than a leading (?i),
//     and no back-references (the linear-time engine cannot run them);
//     these fail to compile -> InvalidArgument.
//   - matching is bytewise: '.' consumes one UTF-8 byte where Java consumes
//     one UTF-16 unit, so "a.b" does not match "a\u00e9b"; ".*" is unaffected.
//   - case-insensitivity folds ASCII only, as Java does without UNICODE_CASE.
// Patterns made of literal characters and ".*" (everything Spark sends for
// LIKE, and name patterns such as "sales_*") are matched without std::regex,
// in linear time and with no length limit.
class JavaRegex {
 public:
  // InvalidArgument("invalid regular expression \"...\": ...") when the pattern
  // does not compile or exceeds the limits above.
  static Result<JavaRegex> Compile(std::string_view pattern, bool case_insensitive = false);

  // True when the whole of `subject` matches.
  bool FullMatch(std::string_view subject) const;

 private:
  JavaRegex() = default;

  bool case_insensitive_ = false;
  // Fast path: the pattern is segments_[0] ".*" segments_[1] ".*" ... with no
  // other regex syntax. Used when use_regex_ is false.
  std::vector<std::string> segments_;
  bool use_regex_ = false;
  std::regex regex_;
};

class NamePattern {
 public:
  // Parses a Hive name pattern; InvalidArgument when a part is not a valid
  // regular expression (Hive: PatternSyntaxException -> MetaException).
  static Result<NamePattern> Parse(std::string_view pattern);

  // The pattern that matches every name (what a null pattern means).
  static NamePattern MatchAll() { return NamePattern(); }

  bool matches_all() const { return matches_all_; }

  // Case-insensitive whole-name match against any '|'-separated part.
  bool Matches(std::string_view name) const;

 private:
  NamePattern() = default;

  bool matches_all_ = true;
  std::vector<JavaRegex> parts_;
};

}  // namespace arbor::hms

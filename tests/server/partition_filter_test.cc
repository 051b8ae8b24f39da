// Tests of server/partition_filter.h: Hive's partition-filter grammar, type
// checking against partition keys, and evaluation.
#include "server/hms/partition_filter.h"

#include <cctype>
#include <cstdio>
#include <iterator>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/seed.h"

namespace arbor::hms {
namespace {

using Values = std::vector<std::string>;

// The table used by most tests, and a partition builder in key order.
const std::vector<PartitionKeyInfo>& Keys() {
  static const std::vector<PartitionKeyInfo> keys = {
      {"s", "string"},    {"n", "int"},    {"d", "date"},   {"v", "varchar(10)"},
      {"t", "timestamp"}, {"b", "bigint"}, {"x", "double"}, {"date", "string"},
  };
  return keys;
}

Values Part(std::string s, std::string n = "0", std::string d = "2024-01-01", std::string v = "v",
            std::string t = "2024-01-01 00:00:00", std::string b = "0", std::string x = "1.5",
            std::string date = "dd") {
  return {s, n, d, v, t, b, x, date};
}

PartitionFilter MustParse(std::string_view filter,
                          const std::vector<PartitionKeyInfo>& keys = Keys()) {
  Result<PartitionFilter> f = PartitionFilter::Parse(filter, keys);
  EXPECT_TRUE(f.ok()) << filter << ": " << f.status().ToString();
  return f.ok() ? std::move(f).value() : PartitionFilter::Parse("", keys).value();
}

bool Match(std::string_view filter, const Values& values) {
  return MustParse(filter).Matches(values);
}

// The message of the error `filter` must produce.
std::string ErrorOf(std::string_view filter, const std::vector<PartitionKeyInfo>& keys = Keys()) {
  Result<PartitionFilter> f = PartitionFilter::Parse(filter, keys);
  if (f.ok()) {
    ADD_FAILURE() << "expected an error for: " << filter;
    return "";
  }
  EXPECT_EQ(f.status().code(), StatusCode::kInvalidArgument) << filter;
  EXPECT_EQ(f.status().message().rfind("Error parsing partition filter", 0), 0u)
      << f.status().message();
  return f.status().message();
}

using ::testing::HasSubstr;

TEST(PartitionFilterTest, EmptyFilterMatchesEverything) {
  for (const char* f : {"", "   ", "\n\t"}) {
    PartitionFilter filter = MustParse(f);
    EXPECT_TRUE(filter.matches_all());
    EXPECT_TRUE(filter.Matches(Part("a")));
    EXPECT_TRUE(filter.Matches(Part("__HIVE_DEFAULT_PARTITION__")));
    EXPECT_TRUE(filter.Matches({}));
  }
}

TEST(PartitionFilterTest, StringOperators) {
  EXPECT_TRUE(Match("s = 'b'", Part("b")));
  EXPECT_FALSE(Match("s = 'b'", Part("a")));
  EXPECT_TRUE(Match("s <> 'b'", Part("a")));
  EXPECT_FALSE(Match("s <> 'b'", Part("b")));
  EXPECT_TRUE(Match("s != 'b'", Part("c")));
  EXPECT_TRUE(Match("s < 'b'", Part("a")));
  EXPECT_FALSE(Match("s < 'b'", Part("b")));
  EXPECT_TRUE(Match("s <= 'b'", Part("b")));
  EXPECT_FALSE(Match("s <= 'b'", Part("c")));
  EXPECT_TRUE(Match("s > 'b'", Part("c")));
  EXPECT_FALSE(Match("s > 'b'", Part("b")));
  EXPECT_TRUE(Match("s >= 'b'", Part("b")));
  EXPECT_FALSE(Match("s >= 'b'", Part("a")));
  // Bytewise: upper case sorts before lower case, and bytes >= 0x80 last.
  EXPECT_TRUE(Match("s < 'a'", Part("Z")));
  EXPECT_TRUE(Match("s > 'z'", Part("\xc3\xa9")));
  // Values are case-sensitive.
  EXPECT_FALSE(Match("s = 'b'", Part("B")));
  // No spaces needed.
  EXPECT_TRUE(Match("s='b'and n=0", Part("b")));
}

TEST(PartitionFilterTest, IntegerOperatorsCompareNumerically) {
  EXPECT_TRUE(Match("n = 5", Part("x", "5")));
  EXPECT_TRUE(Match("n = 5", Part("x", "05")));
  EXPECT_TRUE(Match("n = 5", Part("x", "+5")));
  EXPECT_FALSE(Match("n = 5", Part("x", "6")));
  EXPECT_TRUE(Match("n <> 5", Part("x", "6")));
  EXPECT_TRUE(Match("n != 5", Part("x", "6")));
  EXPECT_TRUE(Match("n < 10", Part("x", "9")));
  EXPECT_TRUE(Match("n <= 10", Part("x", "10")));
  EXPECT_TRUE(Match("n > 9", Part("x", "10")));
  EXPECT_TRUE(Match("n >= 10", Part("x", "10")));
  EXPECT_FALSE(Match("n >= 10", Part("x", "9")));
  EXPECT_TRUE(Match("n < -3", Part("x", "-4")));
  EXPECT_TRUE(Match("n > -3", Part("x", "0")));
  EXPECT_TRUE(Match("b = 9223372036854775807", Part("x", "0", "2024-01-01", "v",
                                                    "2024-01-01 00:00:00", "9223372036854775807")));
  // The same digits on a string key compare lexicographically: '9' > '10'.
  EXPECT_TRUE(Match("s > '10'", Part("9")));
  EXPECT_FALSE(Match("n > 10", Part("x", "9")));
  // A string literal holding an integer is accepted for an integral key.
  EXPECT_TRUE(Match("n = '7'", Part("x", "7")));
  // An integer literal on a string key compares as its decimal text.
  EXPECT_TRUE(Match("s = 7", Part("7")));
  EXPECT_TRUE(Match("s = 007", Part("7")));
}

TEST(PartitionFilterTest, StoredIntegerThatDoesNotParseMatchesNothing) {
  for (const char* f : {"n = 5", "n <> 5", "n < 5", "n > 5", "n in (5, 6)", "(n) not in (5)",
                        "n between 1 and 9", "n not between 1 and 9"}) {
    EXPECT_FALSE(Match(f, Part("x", "abc"))) << f;
    EXPECT_FALSE(Match(f, Part("x", "5.0"))) << f;
    EXPECT_FALSE(Match(f, Part("x", ""))) << f;
    EXPECT_FALSE(Match(f, Part("x", "99999999999999999999"))) << f;
  }
}

TEST(PartitionFilterTest, DateLiteralsInEveryForm) {
  for (const char* lit : {"2024-01-05", "'2024-01-05'", "\"2024-01-05\"", "DATE '2024-01-05'",
                          "date'2024-01-05'", "DaTe \"2024-01-05\""}) {
    const std::string f = std::string("d = ") + lit;
    EXPECT_TRUE(Match(f, Part("x", "0", "2024-01-05"))) << f;
    EXPECT_TRUE(Match(f, Part("x", "0", "2024-1-5"))) << f;  // normalized
    EXPECT_FALSE(Match(f, Part("x", "0", "2024-01-06"))) << f;
  }
}

TEST(PartitionFilterTest, DateOperatorsCompareChronologically) {
  const Values jan9 = Part("x", "0", "2024-1-9");
  EXPECT_TRUE(Match("d < 2024-01-10", jan9));  // as strings "2024-1-9" > "2024-01-10"
  EXPECT_TRUE(Match("d <= 2024-01-09", jan9));
  EXPECT_FALSE(Match("d > 2024-01-09", jan9));
  EXPECT_TRUE(Match("d >= '2024-01-09'", jan9));
  EXPECT_TRUE(Match("d <> DATE '2024-01-10'", jan9));
  EXPECT_TRUE(Match("d > 2023-12-31", jan9));
  EXPECT_FALSE(Match("d = 2024-01-09", Part("x", "0", "not a date")));
  EXPECT_FALSE(Match("d <> 2024-01-09", Part("x", "0", "2024-02-30")));
  EXPECT_TRUE(Match("d = 2024-02-29", Part("x", "0", "2024-02-29")));  // leap year
}

TEST(PartitionFilterTest, TimestampKeys) {
  const Values ten = Part("x", "0", "2024-01-01", "v", "2024-01-01 10:00:00");
  EXPECT_TRUE(Match("t = TIMESTAMP '2024-01-01 10:00:00'", ten));
  EXPECT_TRUE(Match("t = '2024-01-01 10:00:00.000'", ten));
  EXPECT_TRUE(Match("t > DATE '2024-01-01'", ten));
  EXPECT_TRUE(Match("t >= 2024-01-01", ten));
  EXPECT_TRUE(Match("t < timestamp '2024-01-01 10:00:00.5'", ten));
  EXPECT_TRUE(Match("t = TIMESTAMP '2024-01-01 10:00:00'",
                    Part("x", "0", "2024-01-01", "v", "2024-01-01T10:00:00.0")));
  EXPECT_FALSE(Match("t = TIMESTAMP '2024-01-01 10:00:00'",
                     Part("x", "0", "2024-01-01", "v", "10 o'clock")));
}

TEST(PartitionFilterTest, ReversedOperandsMirrorTheOperator) {
  const Values p = Part("m", "5", "2024-01-05");
  EXPECT_TRUE(Match("5 = n", p));
  EXPECT_TRUE(Match("4 < n", p));
  EXPECT_FALSE(Match("5 < n", p));
  EXPECT_TRUE(Match("5 <= n", p));
  EXPECT_TRUE(Match("6 > n", p));
  EXPECT_TRUE(Match("5 >= n", p));
  EXPECT_TRUE(Match("6 <> n", p));
  EXPECT_TRUE(Match("'a' < s", p));
  EXPECT_FALSE(Match("'z' < s", p));
  EXPECT_TRUE(Match("2024-01-01 <= d", p));
  EXPECT_TRUE(Match("DATE'2024-02-01' > d", p));
  EXPECT_EQ(MustParse("4 < n").DebugString(), "(> n 4)");
}

TEST(PartitionFilterTest, LikeIsAWholeValueJavaRegex) {
  const Values p = Part("abxcd");
  // The three shapes Spark sends for contains / startsWith / endsWith.
  EXPECT_TRUE(Match("s like \".*x.*\"", p));
  EXPECT_FALSE(Match("s like \".*z.*\"", p));
  EXPECT_TRUE(Match("s like \"ab.*\"", p));
  EXPECT_FALSE(Match("s like \"bx.*\"", p));
  EXPECT_TRUE(Match("s like \".*cd\"", p));
  EXPECT_FALSE(Match("s like \".*xc\"", p));
  // Whole-value, case-sensitive, real regex syntax.
  EXPECT_FALSE(Match("s like 'x'", p));
  EXPECT_FALSE(Match("s like 'AB.*'", p));
  EXPECT_TRUE(Match("s LIKE '(?i)AB.*'", p));
  EXPECT_TRUE(Match("s like 'a[b-c]x.d'", p));
  EXPECT_TRUE(Match("s like '.*\\d+'", Part("run42")));  // the backslash reaches the regex
  EXPECT_TRUE(Match("s like 'a%'", Part("a%")));         // no SQL wildcards
  EXPECT_FALSE(Match("s like 'a%'", Part("abc")));
  // LIKE applies to the stored text of any key type.
  EXPECT_TRUE(Match("n like '1.*'", Part("x", "123")));
  EXPECT_TRUE(Match("d like '2024-01-.*'", Part("x", "0", "2024-01-30")));
  EXPECT_TRUE(Match("x like '1\\..*'", Part("x")));
}

TEST(PartitionFilterTest, LikeErrors) {
  EXPECT_THAT(ErrorOf("'a.*' like s"), HasSubstr("LIKE needs the partition key on its left"));
  EXPECT_THAT(ErrorOf("s like 5"), HasSubstr("LIKE needs a quoted pattern"));
  EXPECT_THAT(ErrorOf("s like 'a('"), HasSubstr("bad LIKE pattern"));
  EXPECT_THAT(ErrorOf("s like '(a)\\1'"), HasSubstr("position 7"));
}

TEST(PartitionFilterTest, InAndNotIn) {
  for (const char* f : {"(s) in ('a', 'b')", "s IN ('a','b')", "(S) In (\"a\", 'b')"}) {
    EXPECT_TRUE(Match(f, Part("a"))) << f;
    EXPECT_TRUE(Match(f, Part("b"))) << f;
    EXPECT_FALSE(Match(f, Part("c"))) << f;
  }
  for (const char* f : {"(s) not in ('a', 'b')", "s NOT IN ('a','b')"}) {
    EXPECT_FALSE(Match(f, Part("a"))) << f;
    EXPECT_TRUE(Match(f, Part("c"))) << f;
  }
  EXPECT_TRUE(Match("(n) in (1, 5, 9)", Part("x", "05")));
  EXPECT_TRUE(Match("(n) not in (1, 9)", Part("x", "5")));
  EXPECT_TRUE(Match("(d) in (2024-01-01, DATE '2024-02-01')", Part("x", "0", "2024-02-01")));
  EXPECT_TRUE(Match("(s) in ('only')", Part("only")));
  EXPECT_EQ(MustParse("(s) in ('a', 'b')").DebugString(), "(or (= s \"a\") (= s \"b\"))");
  EXPECT_EQ(MustParse("(s) not in ('a', 'b')").DebugString(), "(and (<> s \"a\") (<> s \"b\"))");
}

TEST(PartitionFilterTest, BetweenAndNotBetweenAreInclusive) {
  for (const char* v : {"3", "4", "7"}) {
    EXPECT_TRUE(Match("n between 3 and 7", Part("x", v))) << v;
    EXPECT_FALSE(Match("n not between 3 and 7", Part("x", v))) << v;
  }
  for (const char* v : {"2", "8", "-1"}) {
    EXPECT_FALSE(Match("n between 3 and 7", Part("x", v))) << v;
    EXPECT_TRUE(Match("n NOT BETWEEN 3 AND 7", Part("x", v))) << v;
  }
  EXPECT_TRUE(Match("d between 2024-01-01 and '2024-01-31'", Part("x", "0", "2024-01-31")));
  EXPECT_TRUE(Match("s between 'a' and 'c'", Part("b")));
  EXPECT_EQ(MustParse("n not between 3 and 7").DebugString(), "(or (< n 3) (> n 7))");
  // The AND inside BETWEEN does not end the expression.
  EXPECT_EQ(MustParse("n between 3 and 7 and s = 'a'").DebugString(),
            "(and (>= n 3) (<= n 7) (= s \"a\"))");
}

TEST(PartitionFilterTest, MultiColumnIn) {
  const std::string f = "(struct(s, n)) in (const struct('a', 1), const struct('b', 2))";
  EXPECT_TRUE(Match(f, Part("a", "1")));
  EXPECT_TRUE(Match(f, Part("b", "2")));
  EXPECT_FALSE(Match(f, Part("a", "2")));
  const std::string g = "(STRUCT(s,n)) NOT IN (CONST STRUCT('a',1), CONST STRUCT('b',2))";
  EXPECT_FALSE(Match(g, Part("a", "1")));
  EXPECT_TRUE(Match(g, Part("a", "2")));
  EXPECT_TRUE(Match(g, Part("c", "3")));
  EXPECT_EQ(MustParse(f).DebugString(), "(or (and (= s \"a\") (= n 1)) (and (= s \"b\") (= n 2)))");
  EXPECT_EQ(MustParse(g).DebugString(),
            "(and (or (<> s \"a\") (<> n 1)) (or (<> s \"b\") (<> n 2)))");
  EXPECT_THAT(ErrorOf("(struct(s, n)) in (const struct('a'))"),
              HasSubstr("a struct has 1 values for 2 partition keys"));
  EXPECT_THAT(ErrorOf("(struct(s, n)) in (const struct('a', 1, 2))"),
              HasSubstr("more values than the 2 partition keys"));
  EXPECT_THAT(ErrorOf("(struct(s, n)) in (const struct('a', 'x'))"),
              HasSubstr("cannot compare partition key 'n' of type int"));
}

TEST(PartitionFilterTest, QuotingKeepsBytesVerbatim) {
  EXPECT_TRUE(Match("s = \"it's\"", Part("it's")));
  EXPECT_TRUE(Match("s = 'say \"hi\"'", Part("say \"hi\"")));
  // Like Hive's TrimQuotes, a backslash escapes the quote for the lexer but
  // stays in the value.
  EXPECT_TRUE(Match("s = 'it\\'s'", Part("it\\'s")));
  EXPECT_FALSE(Match("s = 'it\\'s'", Part("it's")));
  EXPECT_TRUE(Match("s = \"C:\\dir\"", Part("C:\\dir")));
  EXPECT_TRUE(Match("s = 'a\\\\'", Part("a\\\\")));
  EXPECT_TRUE(Match("s = ''", Part("")));
  EXPECT_TRUE(Match("s = 'a b, (c) and d'", Part("a b, (c) and d")));
  EXPECT_TRUE(Match("s = '\xc3\xa9t\xc3\xa9'", Part("\xc3\xa9t\xc3\xa9")));
}

TEST(PartitionFilterTest, KeywordsAndKeysAreCaseInsensitive) {
  const Values p = Part("a", "5");
  EXPECT_TRUE(Match("S = 'a' AnD N = 5", p));
  EXPECT_TRUE(Match("s = 'z' oR n = 5", p));
  EXPECT_TRUE(Match("n BeTwEeN 1 aNd 9", p));
  EXPECT_TRUE(Match("(N) nOt In (1)", p));
  EXPECT_TRUE(Match("s LiKe 'a'", p));
  EXPECT_TRUE(Match("(StRuCt(S, n)) In (CoNsT sTrUcT('a', 5))", p));
}

TEST(PartitionFilterTest, ContextualKeywordsStayUsableAsKeys) {
  // A key named "date": DATE is a literal prefix only when a quote follows.
  EXPECT_TRUE(Match("date = 'dd'", Part("a")));
  EXPECT_TRUE(Match("'dd' = date", Part("a")));
  EXPECT_TRUE(Match("date = 'dd' and d = date '2024-01-01'", Part("a")));
}

TEST(PartitionFilterTest, DefaultPartitionMatchesNoComparison) {
  const std::string def(kHiveDefaultPartitionValue);
  const Values p = Part(def, def, def, def, def, def, def, def);
  for (const char* f :
       {"s = 'a'", "s <> 'a'", "s != 'a'", "s < 'a'", "s > 'a'", "s like '.*'", "(s) in ('a')",
        "(s) not in ('a')", "s between 'a' and 'z'", "s not between 'a' and 'b'", "n <> 1",
        "d <> 2024-01-01", "t > DATE '2000-01-01'", "s = '__HIVE_DEFAULT_PARTITION__'"}) {
    EXPECT_FALSE(Match(f, p)) << f;
  }
  // Other keys of the same partition still count.
  EXPECT_TRUE(Match("s = 'a' or n <> 1", Part("a", def)));
  EXPECT_FALSE(Match("s = 'a' and n <> 1", Part("a", def)));
}

TEST(PartitionFilterTest, MissingValuesMatchNothing) {
  EXPECT_FALSE(MustParse("n = 1").Matches({"a"}));
  EXPECT_FALSE(MustParse("n <> 1").Matches({"a"}));
  EXPECT_TRUE(MustParse("s = 'a'").Matches({"a"}));
}

TEST(PartitionFilterTest, AndBindsTighterThanOr) {
  EXPECT_EQ(MustParse("s = 'a' or s = 'b' and n = 1").DebugString(),
            "(or (= s \"a\") (and (= s \"b\") (= n 1)))");
  EXPECT_EQ(MustParse("s = 'a' and n = 1 or s = 'b'").DebugString(),
            "(or (and (= s \"a\") (= n 1)) (= s \"b\"))");
  EXPECT_EQ(MustParse("(s = 'a' or s = 'b') and n = 1").DebugString(),
            "(and (or (= s \"a\") (= s \"b\")) (= n 1))");
  EXPECT_TRUE(Match("s = 'a' or s = 'b' and n = 1", Part("a", "2")));
  EXPECT_FALSE(Match("(s = 'a' or s = 'b') and n = 1", Part("a", "2")));
}

TEST(PartitionFilterTest, NestedParenthesesFlatten) {
  EXPECT_EQ(MustParse("((((s = 'a'))))").DebugString(), "(= s \"a\")");
  EXPECT_EQ(MustParse("(s = 'a' and (n = 1 and (d = 2024-01-01)))").DebugString(),
            "(and (= s \"a\") (= n 1) (= d DATE'2024-01-01'))");
  EXPECT_TRUE(Match("((s = 'x' or (n = 0 and (s = 'a'))) and (d = 2024-01-01))", Part("a")));
  // Spark's shapes.
  EXPECT_TRUE(Match("((s = \"a\" or s = \"b\") and (n != 3 and n != 4))", Part("b", "5")));
  EXPECT_TRUE(Match("(n >= 1 and n <= 1000)", Part("b", "500")));
}

TEST(PartitionFilterTest, SyntaxErrors) {
  EXPECT_THAT(ErrorOf("zz = 'a'"), HasSubstr("at position 0: unknown partition key 'zz'"));
  EXPECT_THAT(ErrorOf("s = 'a' and ZZ = 1"), HasSubstr("position 12: unknown partition key 'ZZ'"));
  EXPECT_THAT(ErrorOf("s = 'abc"), HasSubstr("position 4: unterminated string literal"));
  EXPECT_THAT(ErrorOf("s = \"abc\\\""), HasSubstr("unterminated string literal"));
  EXPECT_THAT(ErrorOf("s = 'a' garbage"),
              HasSubstr("expected AND, OR or the end, found 'garbage'"));
  EXPECT_THAT(ErrorOf("s = 'a')"), HasSubstr("unbalanced ')'"));
  EXPECT_THAT(ErrorOf("(s = 'a'"), HasSubstr("expected ')', found the end of the filter"));
  EXPECT_THAT(ErrorOf("s ="), HasSubstr("expected a literal, found the end of the filter"));
  EXPECT_THAT(ErrorOf("s"), HasSubstr("expected an operator after partition key 's'"));
  EXPECT_THAT(ErrorOf("= 'a'"), HasSubstr("expected a partition key, a literal or '('"));
  EXPECT_THAT(ErrorOf("s = 'a' and"), HasSubstr("found the end of the filter"));
  EXPECT_THAT(ErrorOf("s = 'a' or or s = 'b'"), HasSubstr("position 11"));
  EXPECT_THAT(ErrorOf("s == 'a'"), HasSubstr("expected a literal, found '='"));
  EXPECT_THAT(ErrorOf("s = n"), HasSubstr("expected a literal"));
  EXPECT_THAT(ErrorOf("'a' = 'b'"), HasSubstr("expected a partition key"));
  EXPECT_THAT(ErrorOf("not s = 'a'"), HasSubstr("position 0"));
  EXPECT_THAT(ErrorOf("s not = 'a'"), HasSubstr("expected BETWEEN or IN after NOT"));
  EXPECT_THAT(ErrorOf("s is null"), HasSubstr("expected an operator"));
  EXPECT_THAT(ErrorOf("s = 'a' # comment"), HasSubstr("position 8: unexpected character '#'"));
  EXPECT_THAT(ErrorOf("s = 'a' && n = 1"), HasSubstr("unexpected character '&'"));
  EXPECT_THAT(ErrorOf("s = 'a\x01' or \x01"), HasSubstr("unexpected character '\\x01'"));
  EXPECT_THAT(ErrorOf("(s) in ()"), HasSubstr("expected a literal, found ')'"));
  EXPECT_THAT(ErrorOf("(s) in ('a',)"), HasSubstr("expected a literal"));
  EXPECT_THAT(ErrorOf("(s) in 'a'"), HasSubstr("expected '(' after IN"));
  EXPECT_THAT(ErrorOf("n between 1 or 2"), HasSubstr("expected AND"));
  EXPECT_THAT(ErrorOf("(s) = 'a'"), HasSubstr("expected an operator after partition key 's'"));
  EXPECT_THAT(ErrorOf("and = 'a'"), HasSubstr("expected a partition key, a literal or '('"));
  EXPECT_THAT(ErrorOf("()"), HasSubstr("position 1"));
}

TEST(PartitionFilterTest, LiteralErrors) {
  EXPECT_THAT(ErrorOf("d = 2024-02-30"), HasSubstr("position 4: invalid date '2024-02-30'"));
  EXPECT_THAT(ErrorOf("d = DATE '2024-1-5'"), HasSubstr("invalid date"));
  EXPECT_THAT(ErrorOf("t = TIMESTAMP '2024-01-01 25:00:00'"), HasSubstr("invalid timestamp"));
  EXPECT_THAT(ErrorOf("n = 99999999999999999999"), HasSubstr("out of range"));
  EXPECT_THAT(ErrorOf("n = -"), HasSubstr("unexpected character '-'"));
}

TEST(PartitionFilterTest, TypeErrors) {
  EXPECT_THAT(ErrorOf("n = 'abc'"),
              HasSubstr("position 4: cannot compare partition key 'n' of type int with 'abc'"));
  EXPECT_THAT(ErrorOf("n = 2024-01-01"), HasSubstr("cannot compare"));
  EXPECT_THAT(ErrorOf("d = 5"), HasSubstr("cannot compare partition key 'd' of type date"));
  EXPECT_THAT(ErrorOf("d = 'yesterday'"), HasSubstr("cannot compare"));
  EXPECT_THAT(ErrorOf("d = TIMESTAMP '2024-01-01 00:00:00'"), HasSubstr("cannot compare"));
  EXPECT_THAT(ErrorOf("t = 5"), HasSubstr("cannot compare"));
  EXPECT_THAT(ErrorOf("(n) in (1, 'x')"), HasSubstr("position 11: cannot compare"));
  EXPECT_THAT(ErrorOf("x = 1"), HasSubstr("filtering on partition key 'x' of type double is not"));
  EXPECT_THAT(ErrorOf("x > '1.5'"), HasSubstr("not supported"));
}

TEST(PartitionFilterTest, LimitsNeverOverflowTheStack) {
  const std::string leaf = "s = 'a'";
  auto nested = [&](int depth) { return std::string(depth, '(') + leaf + std::string(depth, ')'); };
  EXPECT_TRUE(Match(nested(kMaxPartitionFilterDepth), Part("a")));
  EXPECT_THAT(ErrorOf(nested(kMaxPartitionFilterDepth + 1)),
              HasSubstr("position 100: parentheses nested deeper than 100 levels"));
  EXPECT_THAT(ErrorOf(std::string(30000, '(')), HasSubstr("nested deeper"));
  // Long flat filters are fine up to the length limit.
  std::string wide = leaf;
  while (wide.size() + 12 < kMaxPartitionFilterLength)
    wide += " or " + leaf;
  EXPECT_TRUE(Match(wide, Part("a")));
  std::string in_list = "(n) in (0";
  while (in_list.size() + 8 < kMaxPartitionFilterLength)
    in_list += ", 1";
  EXPECT_TRUE(Match(in_list + ")", Part("a", "0")));
  const std::string too_long = leaf + std::string(kMaxPartitionFilterLength, ' ');
  EXPECT_THAT(ErrorOf(too_long), HasSubstr("longer than the limit of 65536"));
}

// Renders Bounds() as text: boxes joined by " | ", each "[lo,hi]" per key with
// "*" for an open side; "all" for nullopt.
std::string BoundsText(std::string_view filter, const std::vector<PartitionKeyInfo>& keys) {
  auto boxes = MustParse(filter, keys).Bounds();
  if (!boxes) return "all";
  std::string out;
  for (const KeyBox& box : *boxes) {
    if (!out.empty()) out += " | ";
    for (size_t i = 0; i < box.size(); ++i) {
      out += (i ? " " : "") + std::string("[") + box[i].lower.value_or("*") + "," +
             box[i].upper.value_or("*") + "]";
    }
  }
  return out;
}

TEST(PartitionFilterTest, BoundsOfStringKeys) {
  const std::vector<PartitionKeyInfo> keys = {
      {"region", "string"}, {"ds", "string"}, {"hr", "int"}, {"kind", "varchar(4)"}};
  auto bounds = [&](std::string_view f) { return BoundsText(f, keys); };
  EXPECT_EQ(bounds(""), "all");
  EXPECT_EQ(bounds("region = 'eu' and ds = '2024-01-01' and hr > 3"),
            "[eu,eu] [2024-01-01,2024-01-01]");
  EXPECT_EQ(bounds("'eu' = region"), "[eu,eu]");
  EXPECT_EQ(bounds("(region) in ('eu') and kind = 'x'"), "[eu,eu] [*,*] [*,*] [x,x]");
  EXPECT_EQ(bounds("(struct(region, ds)) in (const struct('eu', 'd1'))"), "[eu,eu] [d1,d1]");
  // Ranges: exclusive comparisons bound inclusively; BETWEEN is >= AND <=.
  EXPECT_EQ(bounds("region > 'a' and region <= 'm'"), "[a,m]");
  EXPECT_EQ(bounds("'a' < region"), "[a,*]");
  EXPECT_EQ(bounds("ds between '2024-01-05' and '2024-02-10'"), "[*,*] [2024-01-05,2024-02-10]");
  // NOT BETWEEN is < OR >: two boxes.
  EXPECT_EQ(bounds("region not between 'b' and 'c'"), "[*,b] | [c,*]");
  // IN and OR unite; AND distributes over them.
  EXPECT_EQ(bounds("(region) in ('eu', 'us')"), "[eu,eu] | [us,us]");
  EXPECT_EQ(bounds("region in ('eu', 'us') and ds = 'd'"), "[eu,eu] [d,d] | [us,us] [d,d]");
  EXPECT_EQ(bounds("region = 'eu' or ds = 'x'"), "[eu,eu] | [*,*] [x,x]");
  // Contradictions leave no box at all.
  EXPECT_EQ(bounds("region = 'eu' and region = 'us'"), "");
  EXPECT_EQ(bounds("region > 'x' and region < 'b'"), "");
  // The empty string and the default partition name are ordinary bounds here
  // (the catalog knows how they are named).
  EXPECT_EQ(bounds("region = ''"), "[,]");
  // Integral keys are never bounded: "05" equals 5. Neither are <>, NOT IN and LIKE.
  EXPECT_EQ(bounds("hr = 5"), "all");
  EXPECT_EQ(bounds("region = 'eu' or hr = 5"), "all");
  EXPECT_EQ(bounds("region <> 'eu' and region like 'e.*'"), "all");
  EXPECT_EQ(bounds("region not in ('eu', 'us')"), "all");
  EXPECT_EQ(bounds("hr = 5 and region = 'eu'"), "[eu,eu]");
  // Past kMaxFilterBoxes boxes, their hull.
  std::string many = "region in (";
  for (int i = 10; i < 10 + static_cast<int>(kMaxFilterBoxes) + 1; ++i)
    many += (i > 10 ? ", 'r" : "'r") + std::to_string(i) + "'";
  many += ")";
  EXPECT_EQ(bounds(many), "[r10,r74]");
  // An AND of two wide unions: hulled before the product grows too large.
  std::string wide = many + " and ds in (";
  for (int i = 10; i < 30; ++i)
    wide += (i > 10 ? ", 'd" : "'d") + std::to_string(i) + "'";
  wide += ")";
  auto boxes = MustParse(wide, keys).Bounds();
  ASSERT_TRUE(boxes.has_value());
  EXPECT_LE(boxes->size(), kMaxFilterBoxes);
}

TEST(PartitionFilterTest, ClassifiesHiveTypes) {
  EXPECT_EQ(ClassifyPartitionKeyType("string"), PartitionKeyKind::kString);
  EXPECT_EQ(ClassifyPartitionKeyType("VARCHAR(10)"), PartitionKeyKind::kString);
  EXPECT_EQ(ClassifyPartitionKeyType("char(5)"), PartitionKeyKind::kString);
  EXPECT_EQ(ClassifyPartitionKeyType(""), PartitionKeyKind::kString);
  for (const char* t : {"tinyint", "smallint", "int", "INT", "integer", "bigint"}) {
    EXPECT_EQ(ClassifyPartitionKeyType(t), PartitionKeyKind::kIntegral) << t;
  }
  EXPECT_EQ(ClassifyPartitionKeyType(" date "), PartitionKeyKind::kDate);
  EXPECT_EQ(ClassifyPartitionKeyType("timestamp"), PartitionKeyKind::kTimestamp);
  for (const char* t : {"double", "float", "decimal(10,2)", "boolean", "binary"}) {
    EXPECT_EQ(ClassifyPartitionKeyType(t), PartitionKeyKind::kOther) << t;
  }
}

// ---------------------------------------------------------------------------
// Property test: random filters over random partitions, checked against a
// small reference evaluator that works on the generator's own tree.

class RandomFilterTest : public ::testing::Test {
 protected:
  // Keys: s (string), n (int), d (date).
  const std::vector<PartitionKeyInfo> keys_ = {{"s", "string"}, {"n", "int"}, {"d", "date"}};

  struct Lit {
    std::string s;    // string key
    long long n = 0;  // int key
    int date = 0;     // date key: yyyymmdd
  };
  struct Node {
    enum Kind { kAnd, kOr, kCmp, kBetween, kIn, kLike, kMultiIn } kind = kCmp;
    std::vector<Node> kids;
    int key = 0;
    std::string op;  // kCmp: = <> < <= > >=
    bool negated = false;
    std::vector<Lit> lits;  // kCmp: 1; kBetween: 2; kIn: n; kMultiIn: (s, n) pairs
    std::string like;       // kLike: the literal part; like_shape 0 contains, 1 starts, 2 ends
    int like_shape = 0;
  };

  explicit RandomFilterTest() : seed_(arbor::testing::TestSeed()), rng_(seed_) {}

  size_t Pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }
  bool Coin() { return Pick(2) == 0; }

  std::string RandomString() {
    static const char* kPool[] = {"", "a", "b", "ab", "ba", "9", "10", "a'b", "x\"y", "A"};
    return kPool[Pick(std::size(kPool))];
  }
  int RandomDate() {
    static const int kDays[] = {31, 29, 31};
    const int m = 1 + static_cast<int>(Pick(3));
    return 20240000 + m * 100 + 1 + static_cast<int>(Pick(kDays[m - 1]));
  }
  Lit RandomLit() {
    return Lit{RandomString(), static_cast<long long>(Pick(21)) - 10, RandomDate()};
  }

  Node RandomNode(int depth) {
    Node node;
    if (depth < 4 && Pick(3) == 0) {
      node.kind = Coin() ? Node::kAnd : Node::kOr;
      for (size_t n = 2 + Pick(3); n > 0; --n)
        node.kids.push_back(RandomNode(depth + 1));
      return node;
    }
    node.kind = static_cast<Node::Kind>(Node::kCmp + Pick(5));
    node.key = static_cast<int>(Pick(3));
    node.negated = Coin();
    static const char* kOps[] = {"=", "<>", "<", "<=", ">", ">="};
    node.op = kOps[Pick(6)];
    switch (node.kind) {
      case Node::kCmp:
        node.lits = {RandomLit()};
        break;
      case Node::kBetween:
        node.lits = {RandomLit(), RandomLit()};
        break;
      case Node::kIn:
        for (size_t n = 1 + Pick(3); n > 0; --n)
          node.lits.push_back(RandomLit());
        break;
      case Node::kLike:
        node.key = 0;
        node.like = std::string(1, "ab9"[Pick(3)]);
        node.like_shape = static_cast<int>(Pick(3));
        break;
      default:  // kMultiIn over (s, n)
        for (size_t n = 1 + Pick(3); n > 0; --n)
          node.lits.push_back(RandomLit());
        break;
    }
    return node;
  }

  // --- Rendering, with random surface syntax. ---

  std::string Kw(std::string_view word) {
    std::string out(word);
    for (char& c : out) {
      if (Coin()) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return out;
  }
  std::string Ws() { return Pick(4) == 0 ? "  " : " "; }
  std::string KeyName(int key) {
    std::string name = keys_[key].name;
    return Coin() ? name : std::string(1, static_cast<char>(std::toupper(name[0])));
  }
  std::string Quote(const std::string& s) {
    // Like Spark: double quotes unless the value holds one.
    if (s.find('"') != std::string::npos) return "'" + s + "'";
    if (s.find('\'') != std::string::npos) return "\"" + s + "\"";
    return Coin() ? "'" + s + "'" : "\"" + s + "\"";
  }
  static std::string DateText(int date) {
    char buf[16];
    std::snprintf(buf, sizeof(buf), "%04d-%02d-%02d", date / 10000, date / 100 % 100, date % 100);
    return buf;
  }
  std::string RenderLit(int key, const Lit& lit) {
    switch (key) {
      case 0:
        return Quote(lit.s);
      case 1:
        return Pick(5) == 0 ? Quote(std::to_string(lit.n)) : std::to_string(lit.n);
      default:
        switch (Pick(4)) {
          case 0:
            return DateText(lit.date);
          case 1:
            return Quote(DateText(lit.date));
          case 2:
            return Kw("date") + Ws() + "'" + DateText(lit.date) + "'";
          default:
            return Kw("date") + "'" + DateText(lit.date) + "'";
        }
    }
  }
  static std::string MirrorOp(const std::string& op) {
    if (op == "<") return ">";
    if (op == "<=") return ">=";
    if (op == ">") return "<";
    if (op == ">=") return "<=";
    return op;
  }

  std::string Render(const Node& node, bool parent_is_or) {
    std::string out;
    switch (node.kind) {
      case Node::kAnd:
      case Node::kOr: {
        const bool is_or = node.kind == Node::kOr;
        for (size_t i = 0; i < node.kids.size(); ++i) {
          if (i > 0) out += Ws() + Kw(is_or ? "or" : "and") + Ws();
          const Node& kid = node.kids[i];
          // An AND under an OR needs no parentheses (AND binds tighter);
          // sometimes leave them out to exercise precedence.
          const bool needs_parens = kid.kind == Node::kOr || (kid.kind == Node::kAnd && !is_or);
          const bool parens = needs_parens || (kid.kind == Node::kAnd && Coin()) || Pick(5) == 0;
          std::string inner = Render(kid, is_or);
          out += parens ? "(" + inner + ")" : inner;
        }
        return out;
      }
      case Node::kCmp: {
        std::string op = node.op == "<>" && Coin() ? "!=" : node.op;
        if (Coin())
          return RenderLit(node.key, node.lits[0]) + Ws() + MirrorOp(op) + Ws() + KeyName(node.key);
        return KeyName(node.key) + Ws() + op + Ws() + RenderLit(node.key, node.lits[0]);
      }
      case Node::kBetween:
        return KeyName(node.key) + " " + (node.negated ? Kw("not") + " " : "") + Kw("between") +
               " " + RenderLit(node.key, node.lits[0]) + " " + Kw("and") + " " +
               RenderLit(node.key, node.lits[1]);
      case Node::kIn: {
        out = Coin() ? "(" + KeyName(node.key) + ")" : KeyName(node.key);
        out += " " + (node.negated ? Kw("not") + " " : "") + Kw("in") + Ws() + "(";
        for (size_t i = 0; i < node.lits.size(); ++i) {
          out += (i > 0 ? "," + Ws() : "") + RenderLit(node.key, node.lits[i]);
        }
        return out + ")";
      }
      case Node::kLike: {
        std::string pattern = node.like_shape == 0   ? ".*" + node.like + ".*"
                              : node.like_shape == 1 ? node.like + ".*"
                                                     : ".*" + node.like;
        return KeyName(0) + " " + Kw("like") + " " + Quote(pattern);
      }
      case Node::kMultiIn: {
        out = "(" + Kw("struct") + "(" + KeyName(0) + "," + Ws() + KeyName(1) + "))" + " " +
              (node.negated ? Kw("not") + " " : "") + Kw("in") + " (";
        for (size_t i = 0; i < node.lits.size(); ++i) {
          out += (i > 0 ? ", " : "") + Kw("const") + " " + Kw("struct") + "(" +
                 RenderLit(0, node.lits[i]) + ", " + RenderLit(1, node.lits[i]) + ")";
        }
        return out + ")";
      }
    }
    return out;
  }

  // --- Reference evaluation: stored values parsed independently. ---

  struct Parsed {
    std::optional<std::string> s;
    std::optional<long long> n;
    std::optional<int> date;
  };
  static Parsed ParseValues(const Values& v) {
    Parsed p;
    const std::string def = "__HIVE_DEFAULT_PARTITION__";
    if (v[0] != def) p.s = v[0];
    if (v[1] != def && !v[1].empty() &&
        v[1].find_first_not_of("-0123456789") == std::string::npos &&
        v[1].find('-', 1) == std::string::npos && v[1] != "-") {
      p.n = std::stoll(v[1]);
    }
    int y, m, d;
    char tail;
    if (v[2] != def && std::sscanf(v[2].c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3) {
      p.date = y * 10000 + m * 100 + d;
    }
    return p;
  }
  // -2: the value is NULL-like; otherwise -1/0/1.
  static int Cmp(const Parsed& p, int key, const Lit& lit) {
    auto three = [](auto a, auto b) { return a < b ? -1 : (b < a ? 1 : 0); };
    if (key == 0) return p.s ? three(*p.s, lit.s) : -2;
    if (key == 1) return p.n ? three(*p.n, lit.n) : -2;
    return p.date ? three(*p.date, lit.date) : -2;
  }
  static bool Holds(const std::string& op, int c) {
    if (c == -2) return false;
    if (op == "=") return c == 0;
    if (op == "<>") return c != 0;
    if (op == "<") return c < 0;
    if (op == "<=") return c <= 0;
    if (op == ">") return c > 0;
    return c >= 0;
  }
  static bool RefEval(const Node& node, const Parsed& p) {
    switch (node.kind) {
      case Node::kAnd:
        for (const Node& kid : node.kids) {
          if (!RefEval(kid, p)) return false;
        }
        return true;
      case Node::kOr:
        for (const Node& kid : node.kids) {
          if (RefEval(kid, p)) return true;
        }
        return false;
      case Node::kCmp:
        return Holds(node.op, Cmp(p, node.key, node.lits[0]));
      case Node::kBetween: {
        const int lo = Cmp(p, node.key, node.lits[0]), hi = Cmp(p, node.key, node.lits[1]);
        if (lo == -2) return false;
        return node.negated ? (lo < 0 || hi > 0) : (lo >= 0 && hi <= 0);
      }
      case Node::kIn: {
        bool any_eq = false, any_ne = false;
        for (const Lit& lit : node.lits) {
          const int c = Cmp(p, node.key, lit);
          if (c == -2) return false;
          (c == 0 ? any_eq : any_ne) = true;
        }
        return node.negated ? !any_eq : any_eq;
      }
      case Node::kLike: {
        if (!p.s) return false;
        const std::string& v = *p.s;
        const std::string& x = node.like;
        if (node.like_shape == 0) return v.find(x) != std::string::npos;
        if (node.like_shape == 1) return v.rfind(x, 0) == 0;
        return v.size() >= x.size() && v.compare(v.size() - x.size(), x.size(), x) == 0;
      }
      case Node::kMultiIn: {
        // Per row: all equal (IN) / any different (NOT IN); NULL-likes make a
        // comparison false either way.
        bool result = node.negated;
        for (const Lit& lit : node.lits) {
          const int cs = Cmp(p, 0, lit), cn = Cmp(p, 1, lit);
          if (node.negated) {
            result = result && (Holds("<>", cs) || Holds("<>", cn));
          } else {
            result = result || (Holds("=", cs) && Holds("=", cn));
          }
        }
        return result;
      }
    }
    return false;
  }

  Values RandomPartition() {
    const std::string def = "__HIVE_DEFAULT_PARTITION__";
    Values v(3);
    v[0] = Pick(10) == 0 ? def : RandomString();
    switch (Pick(10)) {
      case 0:
        v[1] = def;
        break;
      case 1:
        v[1] = "abc";
        break;
      case 2:
        v[1] = "0" + std::to_string(Pick(10));
        break;
      default:
        v[1] = std::to_string(static_cast<long long>(Pick(21)) - 10);
        break;
    }
    const int date = RandomDate();
    switch (Pick(10)) {
      case 0:
        v[2] = def;
        break;
      case 1:
        v[2] = "someday";
        break;
      case 2:
        v[2] = std::to_string(date / 10000) + "-" + std::to_string(date / 100 % 100) + "-" +
               std::to_string(date % 100);
        break;
      default:
        v[2] = DateText(date);
        break;
    }
    return v;
  }

  uint64_t seed_;
  std::mt19937_64 rng_;
};

TEST_F(RandomFilterTest, MatchesAgreesWithReferenceEvaluator) {
  std::vector<Values> partitions;
  for (int i = 0; i < 60; ++i)
    partitions.push_back(RandomPartition());
  for (int iter = 0; iter < 400 && !HasFailure(); ++iter) {
    const Node tree = RandomNode(0);
    const std::string text = Render(tree, false);
    Result<PartitionFilter> filter = PartitionFilter::Parse(text, keys_);
    ASSERT_TRUE(filter.ok()) << text << ": " << filter.status().ToString() << ", "
                             << arbor::testing::SeedNote(seed_);
    const auto bounds = filter->Bounds();
    for (const Values& part : partitions) {
      const bool expected = RefEval(tree, ParseValues(part));
      ASSERT_EQ(filter->Matches(part), expected)
          << "filter: " << text << "\ntree: " << filter->DebugString() << "\npartition: " << part[0]
          << " / " << part[1] << " / " << part[2] << "\n"
          << arbor::testing::SeedNote(seed_);
      if (expected && bounds) {
        // Every match lies in a box.
        bool in_some = false;
        for (const KeyBox& box : *bounds) {
          bool in = true;
          for (size_t k = 0; in && k < box.size(); ++k) {
            if (box[k].lower) in = part[k] >= *box[k].lower;
            if (in && box[k].upper) in = part[k] <= *box[k].upper;
          }
          in_some = in_some || in;
        }
        ASSERT_TRUE(in_some) << "Bounds exclude a match of " << text << ": " << part[0] << " / "
                             << part[1] << " / " << part[2] << ", "
                             << arbor::testing::SeedNote(seed_);
      }
    }
  }
}

}  // namespace
}  // namespace arbor::hms

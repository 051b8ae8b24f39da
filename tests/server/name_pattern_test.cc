// Tests of server/name_pattern.h: Hive name patterns and the Java-regex matcher.
#include "server/hms/name_pattern.h"

#include <random>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/seed.h"

namespace arbor::hms {
namespace {

using namespace std::string_literals;

NamePattern MustParse(std::string_view pattern) {
  Result<NamePattern> p = NamePattern::Parse(pattern);
  EXPECT_TRUE(p.ok()) << pattern << ": " << p.status().ToString();
  return p.ok() ? std::move(p).value() : NamePattern::MatchAll();
}

bool Match(std::string_view pattern, std::string_view name) {
  return MustParse(pattern).Matches(name);
}

JavaRegex MustCompile(std::string_view pattern, bool icase = false) {
  Result<JavaRegex> r = JavaRegex::Compile(pattern, icase);
  EXPECT_TRUE(r.ok()) << pattern << ": " << r.status().ToString();
  return r.ok() ? std::move(r).value() : JavaRegex::Compile("").value();
}

TEST(NamePatternTest, EmptyAndStarMatchEverything) {
  for (const char* p : {"", "*", "  *\t", "   ", "a|*"}) {
    NamePattern pattern = MustParse(p);
    EXPECT_TRUE(pattern.matches_all()) << '"' << p << '"';
    EXPECT_TRUE(pattern.Matches("anything")) << p;
    EXPECT_TRUE(pattern.Matches("")) << p;
  }
  EXPECT_TRUE(NamePattern::MatchAll().matches_all());
  EXPECT_TRUE(NamePattern::MatchAll().Matches("x"));
}

TEST(NamePatternTest, StarIsAWildcardOverTheWholeName) {
  EXPECT_TRUE(Match("sales_*", "sales_2024"));
  EXPECT_TRUE(Match("sales_*", "sales_"));
  EXPECT_FALSE(Match("sales_*", "xsales_2024"));
  EXPECT_FALSE(Match("sales_*", "sales"));
  EXPECT_TRUE(Match("*_tmp", "orders_tmp"));
  EXPECT_FALSE(Match("*_tmp", "orders_tmp2"));
  EXPECT_TRUE(Match("a*b*c", "aXXbYYc"));
  EXPECT_TRUE(Match("a*b*c", "abc"));
  EXPECT_FALSE(Match("a*b*c", "acb"));
  EXPECT_TRUE(Match("**", "x"));
  // No wildcard: the whole name must match.
  EXPECT_TRUE(Match("sales", "sales"));
  EXPECT_FALSE(Match("sales", "sales2"));
  EXPECT_FALSE(Match("sales", "presales"));
}

TEST(NamePatternTest, AlternativesSplitOnBar) {
  NamePattern p = MustParse("a*|b*");
  EXPECT_TRUE(p.Matches("apple"));
  EXPECT_TRUE(p.Matches("Banana"));
  EXPECT_FALSE(p.Matches("cherry"));
  NamePattern exact = MustParse("orders|customers");
  EXPECT_TRUE(exact.Matches("orders"));
  EXPECT_TRUE(exact.Matches("customers"));
  EXPECT_FALSE(exact.Matches("orders|customers"));
}

TEST(NamePatternTest, EmptyPartsFollowJavaSplit) {
  // Trailing empty parts are dropped ("a|" is "a"); "|" has no part at all.
  EXPECT_TRUE(Match("a|", "a"));
  EXPECT_FALSE(Match("a|", "b"));
  EXPECT_FALSE(Match("|", "a"));
  EXPECT_FALSE(MustParse("|").matches_all());
  // An inner empty part matches only the empty name.
  EXPECT_TRUE(Match("a||b", "b"));
  EXPECT_FALSE(Match("a||b", "c"));
}

TEST(NamePatternTest, CaseInsensitive) {
  EXPECT_TRUE(Match("Sales", "sales"));
  EXPECT_TRUE(Match("sales", "SALES"));
  EXPECT_TRUE(Match("SAL*", "salaries"));
  EXPECT_TRUE(Match("s[A-C]les", "sbles"));  // classes fold too
  EXPECT_FALSE(Match("sales", "s\xc3\xa1les"));
}

TEST(NamePatternTest, DotStarStillMatchesEverything) {
  // Hive turns ".*" into "..*" (every '*' becomes ".*"), which still matches
  // any non-empty name.
  EXPECT_TRUE(Match(".*", "orders"));
  EXPECT_TRUE(Match(".*", "x"));
  EXPECT_TRUE(Match("sales.*", "sales_x"));
}

TEST(NamePatternTest, OtherCharactersAreJavaRegex) {
  EXPECT_TRUE(Match("a.c", "abc"));  // '.' is any character
  EXPECT_TRUE(Match("a.c", "a.c"));
  EXPECT_TRUE(Match("x+", "xxx"));
  EXPECT_TRUE(Match("[ab]c", "ac"));
  EXPECT_FALSE(Match("[ab]c", "cc"));
  EXPECT_TRUE(Match("db(1)", "db1"));  // a group, not literal parentheses
  EXPECT_FALSE(Match("db(1)", "db(1)"));
  EXPECT_TRUE(Match("db\\(1\\)", "db(1)"));
  EXPECT_TRUE(Match("t\\d+", "t42"));
  EXPECT_TRUE(Match("\\Qa.b\\E", "a.b"));  // Java quoting
  EXPECT_FALSE(Match("\\Qa.b\\E", "axb"));
  // Characters Hive allows in names that are not regex syntax.
  EXPECT_TRUE(Match("my table", "my table"));
  EXPECT_TRUE(Match("a-b@c", "A-B@C"));
  EXPECT_TRUE(Match("a-*", "a-b"));
}

TEST(NamePatternTest, InvalidRegexIsInvalidArgument) {
  for (const char* p : {"a(b", "a[", "a)b(", "x{2,1}", "*+", "\\"}) {
    Result<NamePattern> r = NamePattern::Parse(p);
    ASSERT_FALSE(r.ok()) << p;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << p;
    EXPECT_NE(r.status().message().find("invalid name pattern"), std::string::npos)
        << r.status().message();
  }
}

TEST(JavaRegexTest, WholeMatchSemantics) {
  EXPECT_TRUE(MustCompile(".*x.*").FullMatch("abxcd"));
  EXPECT_TRUE(MustCompile(".*x.*").FullMatch("x"));
  EXPECT_FALSE(MustCompile(".*x.*").FullMatch("abc"));
  EXPECT_TRUE(MustCompile("x.*").FullMatch("xyz"));
  EXPECT_FALSE(MustCompile("x.*").FullMatch("axyz"));
  EXPECT_TRUE(MustCompile(".*x").FullMatch("abx"));
  EXPECT_FALSE(MustCompile(".*x").FullMatch("abxa"));
  EXPECT_TRUE(MustCompile(".*").FullMatch(""));
  EXPECT_TRUE(MustCompile("").FullMatch(""));
  EXPECT_FALSE(MustCompile("").FullMatch("a"));
  EXPECT_FALSE(MustCompile("ab").FullMatch("AB"));
  EXPECT_TRUE(MustCompile("(?i)ab").FullMatch("AB"));
  EXPECT_TRUE(MustCompile("(?i)a[b-c]d|zz").FullMatch("ACD"));
  EXPECT_TRUE(MustCompile("a.*b.*a").FullMatch("aba"));
  EXPECT_FALSE(MustCompile("a.*b.*a").FullMatch("ab"));
  EXPECT_TRUE(MustCompile("2024-0[1-3]-\\d\\d").FullMatch("2024-02-15"));
}

TEST(JavaRegexTest, DotDoesNotMatchLineTerminators) {
  // As in Java without DOTALL; both the fast path and std::regex.
  EXPECT_FALSE(MustCompile(".*").FullMatch("a\nb"));
  EXPECT_FALSE(MustCompile("a.*b").FullMatch("a\rb"));
  EXPECT_FALSE(MustCompile("a.b").FullMatch("a\nb"));
  EXPECT_FALSE(
      MustCompile(".*").FullMatch("a\xe2\x80\xa8"
                                  "b"));  // U+2028
  EXPECT_TRUE(MustCompile("a\nb").FullMatch("a\nb"));
}

TEST(JavaRegexTest, RejectsWhatTheLinearEngineCannotRun) {
  for (const std::string& p :
       {"(a)\\1"s, "a*+"s, "(?<=a)b"s, "\\p{Alpha}"s, std::string(2000, 'a') + "+",
        std::string(40, '(') + "a" + std::string(40, ')'), "(a{100}){100}"s, "a{5000}"s,
        // Numbers libstdc++ would overflow while parsing (found by fuzz_partition_filter).
        "\\7777777777777777777777"s, "a{77777777777777777777}"s, "a{1,77777777777777777777}"s,
        "[\\7777777777777777777777]"s}) {
    Result<JavaRegex> r = JavaRegex::Compile(p);
    ASSERT_FALSE(r.ok()) << p;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find("invalid regular expression"), std::string::npos);
  }
  // Within the limits.
  EXPECT_TRUE(MustCompile("(a{10}){10}").FullMatch(std::string(100, 'a')));
  EXPECT_TRUE(MustCompile(std::string(20, '(') + "a" + std::string(20, ')')).FullMatch("a"));
  EXPECT_TRUE(MustCompile("\\\\7777777777[0-9]{1,12}").FullMatch("\\7777777777123"));
}

TEST(JavaRegexTest, NoBlowUpOnHostileInputs) {
  // Exponential for a backtracking engine, and deep recursion on long subjects.
  const std::string many_a(100000, 'a');
  EXPECT_FALSE(MustCompile("(a*)*b").FullMatch(many_a));
  EXPECT_TRUE(MustCompile("(a|aa)*").FullMatch(many_a));
  EXPECT_TRUE(MustCompile(".*a.*").FullMatch(many_a));
  EXPECT_TRUE(MustCompile("[a]*").FullMatch(many_a));
  // The fast path has no pattern length limit.
  const std::string long_literal(100000, 'x');
  EXPECT_TRUE(MustCompile(".*" + long_literal + ".*").FullMatch("a" + long_literal + "b"));
}

// Patterns of literals and ".*" take the fast path; std::regex is the oracle.
TEST(JavaRegexTest, FastPathAgreesWithStdRegex) {
  const uint64_t seed = arbor::testing::TestSeed();
  std::mt19937_64 rng(seed);
  const std::string alphabet = "abAB";
  auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
  for (int iter = 0; iter < 3000; ++iter) {
    std::string pattern;
    for (size_t n = pick(6); n > 0; --n) {
      pattern += pick(3) == 0 ? std::string(".*") : std::string(1, alphabet[pick(4)]);
    }
    std::string subject;
    for (size_t n = pick(8); n > 0; --n)
      subject.push_back(alphabet[pick(4)]);
    const bool icase = pick(2) == 0;
    auto flags = std::regex::ECMAScript | (icase ? std::regex::icase : std::regex::ECMAScript);
    const bool expected = std::regex_match(subject, std::regex(pattern, flags));
    EXPECT_EQ(MustCompile(pattern, icase).FullMatch(subject), expected)
        << "pattern \"" << pattern << "\" subject \"" << subject << "\" icase " << icase << ", "
        << arbor::testing::SeedNote(seed);
    if (HasFailure()) break;
  }
}

}  // namespace
}  // namespace arbor::hms

// Tests of versioning/partition_name.h against Hive's escaping rules
// (docs/hms-compatibility.md#partition-names-and-escaping; Hive's FileUtils and Warehouse).
#include "versioning/partition_name.h"

#include <cstdlib>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace arbor {
namespace {

using namespace std::string_literals;
using Pairs = std::vector<std::pair<std::string, std::string>>;

TEST(EscapePathNameTest, EscapesHivesCharacterSetWithUpperCaseHex) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"\""s, "%22"},  {"#", "%23"},    {"%", "%25"},    {"'", "%27"},  {"*", "%2A"},
      {"/", "%2F"},    {":", "%3A"},    {"=", "%3D"},    {"?", "%3F"},  {"\\", "%5C"},
      {"\x7f", "%7F"}, {"{", "%7B"},    {"[", "%5B"},    {"]", "%5D"},  {"^", "%5E"},
      {"\x01", "%01"}, {"\x1b", "%1B"}, {"\x1f", "%1F"}, {"\n", "%0A"}, {"\t", "%09"},
      {"\0"s, "%00"},  // Hive's table covers all of 0x00-0x1F
  };
  for (const auto& [raw, escaped] : cases) {
    EXPECT_EQ(EscapePathName(raw), escaped) << static_cast<int>(raw[0]);
  }
}

TEST(EscapePathNameTest, LeavesEverythingElseAlone) {
  // Hive escapes space, '<', '>' and '|' only on Windows, and never '}'.
  const std::string kept = " !$&()+,-.;<>@_`|}~azAZ09";
  EXPECT_EQ(EscapePathName(kept), kept);
  // Non-ASCII text passes through as UTF-8.
  EXPECT_EQ(EscapePathName("caf\xc3\xa9 \xe6\x97\xa5"), "caf\xc3\xa9 \xe6\x97\xa5");
  EXPECT_EQ(EscapePathName("2024-01-01 10:00:00"), "2024-01-01 10%3A00%3A00");
  EXPECT_EQ(EscapePathName("a/b=c"), "a%2Fb%3Dc");
  EXPECT_EQ(EscapePathName(""), "");
}

TEST(UnescapePathNameTest, DecodesHexInEitherCase) {
  EXPECT_EQ(UnescapePathName("a%2Fb%3dc"), "a/b=c");
  EXPECT_EQ(UnescapePathName("%41%42"), "AB");
  EXPECT_EQ(UnescapePathName("10%3A00"), "10:00");
  EXPECT_EQ(UnescapePathName("%00"), "\0"s);
  EXPECT_EQ(UnescapePathName("caf\xc3\xa9"), "caf\xc3\xa9");
}

TEST(UnescapePathNameTest, KeepsABadPercentSequenceLiterally) {
  EXPECT_EQ(UnescapePathName("%"), "%");
  EXPECT_EQ(UnescapePathName("100%"), "100%");
  EXPECT_EQ(UnescapePathName("%4"), "%4");
  EXPECT_EQ(UnescapePathName("a%2"), "a%2");
  EXPECT_EQ(UnescapePathName("%zz"), "%zz");
  EXPECT_EQ(UnescapePathName("%G1%41"), "%G1A");
  EXPECT_EQ(UnescapePathName("%%41"), "%A");
  // Java's parseInt would take the sign; we do not (see the header).
  EXPECT_EQ(UnescapePathName("%+1"), "%+1");
  EXPECT_EQ(UnescapePathName("%-1"), "%-1");
}

TEST(UnescapePathNameTest, HighCodesBecomeLatin1CharactersAsInJava) {
  // Java appends (char) 0xC3 and (char) 0xA9: "Ã©", which is C3 83 C2 A9 in UTF-8.
  EXPECT_EQ(UnescapePathName("%C3%A9"), "\xc3\x83\xc2\xa9");
  EXPECT_EQ(UnescapePathName("%ff"), "\xc3\xbf");
  EXPECT_EQ(UnescapePathName("%80"), "\xc2\x80");
}

uint64_t TestSeed() {
  if (const char* env = std::getenv("ARBOR_TEST_SEED")) return std::strtoull(env, nullptr, 10);
  return std::random_device{}();
}

TEST(UnescapePathNameTest, InvertsEscapeOnRandomBytes) {
  const uint64_t seed = TestSeed();
  SCOPED_TRACE("seed " + std::to_string(seed) + " (rerun with ARBOR_TEST_SEED)");
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<int> length(0, 12);
  for (int i = 0; i < 20000; ++i) {
    std::string s;
    const int n = length(rng);
    for (int j = 0; j < n; ++j)
      s += static_cast<char>(byte(rng));
    const std::string escaped = EscapePathName(s);
    ASSERT_EQ(UnescapePathName(escaped), s);
    for (char c : escaped) {
      const auto u = static_cast<unsigned char>(c);
      ASSERT_TRUE(u >= 0x20 && c != '/' && c != '=' && u != 0x7f) << static_cast<int>(u);
    }
  }
}

TEST(MakePartNameTest, LowerCasesKeysEscapesAndJoins) {
  Result<std::string> name = MakePartName({"DS", "Hr"}, {"2024-01-01", "a/b"});
  ASSERT_TRUE(name.ok()) << name.status().ToString();
  EXPECT_EQ(name.value(), "ds=2024-01-01/hr=a%2Fb");

  name = MakePartName({"k"}, {"Mixed Case:1"});
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(name.value(), "k=Mixed Case%3A1");  // values keep their case
}

TEST(MakePartNameTest, EmptyValueBecomesTheDefaultPartitionName) {
  Result<std::string> name = MakePartName({"a", "b"}, {"", "x"});
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(name.value(), "a=__HIVE_DEFAULT_PARTITION__/b=x");
  name = MakePartName({"a"}, {""}, "__NULL__");
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(name.value(), "a=__NULL__");
}

TEST(MakePartNameTest, RejectsBadArguments) {
  EXPECT_EQ(MakePartName({}, {}).status().code(), StatusCode::kInvalidArgument);
  Result<std::string> name = MakePartName({"a", "b"}, {"1"});
  ASSERT_FALSE(name.ok());
  EXPECT_NE(name.status().message().find("2 keys (\"a\", \"b\") and 1 values"), std::string::npos)
      << name.status().message();
  EXPECT_EQ(MakePartName({"a", ""}, {"1", "2"}).status().message(), "partition key 2 is empty");
  EXPECT_EQ(MakePartName({"a"}, {""}, "").status().code(), StatusCode::kInvalidArgument);
}

TEST(ParsePartNameTest, SplitsAndUnescapes) {
  Result<Pairs> pairs = ParsePartName("ds=2024-01-01/hr=a%2Fb");
  ASSERT_TRUE(pairs.ok()) << pairs.status().ToString();
  EXPECT_EQ(pairs.value(), (Pairs{{"ds", "2024-01-01"}, {"hr", "a/b"}}));

  pairs = ParsePartName("k%3Dx=v");  // an escaped '=' in the key
  ASSERT_TRUE(pairs.ok());
  EXPECT_EQ(pairs.value(), (Pairs{{"k=x", "v"}}));

  pairs = ParsePartName("k=a=b");  // the first '=' splits, as in Hive's makeValsFromName
  ASSERT_TRUE(pairs.ok());
  EXPECT_EQ(pairs.value(), (Pairs{{"k", "a=b"}}));

  pairs = ParsePartName("DS=__HIVE_DEFAULT_PARTITION__");  // keys as written
  ASSERT_TRUE(pairs.ok());
  EXPECT_EQ(pairs.value(), (Pairs{{"DS", "__HIVE_DEFAULT_PARTITION__"}}));
}

TEST(ParsePartNameTest, RejectsMalformedNamesWithAReason) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "the name is empty"},
      {"/a=1", "component 1 is empty"},
      {"a=1/", "component 2 is empty"},
      {"a=1//b=2", "component 2 is empty"},
      {"a=1/b", "component \"b\" has no '='"},
      {"=1", "component \"=1\" has an empty key"},
      {"a=", "component \"a=\" has an empty value"},
      {"a=1/A=2", "key \"A\" appears more than once"},
  };
  for (const auto& [name, reason] : cases) {
    Result<Pairs> pairs = ParsePartName(name);
    ASSERT_FALSE(pairs.ok()) << "\"" << name << "\" parsed";
    EXPECT_EQ(pairs.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(pairs.status().message().find("invalid partition name"), std::string::npos);
    EXPECT_NE(pairs.status().message().find(reason), std::string::npos)
        << pairs.status().message() << " lacks " << reason;
  }
}

TEST(PartNameToValuesTest, ReturnsValuesWhenKeysMatchInOrder) {
  Result<std::vector<std::string>> values =
      PartNameToValues("ds=2024-01-01/hr=a%2Fb", {"ds", "hr"});
  ASSERT_TRUE(values.ok()) << values.status().ToString();
  EXPECT_EQ(values.value(), (std::vector<std::string>{"2024-01-01", "a/b"}));
}

// HMS looks the table's keys up in the name as spelled: another case names no
// partition. The statistics methods lower-case the keys first.
TEST(PartNameToValuesTest, KeysCompareByteForByte) {
  Result<std::vector<std::string>> values = PartNameToValues("DS=x", {"ds"});
  ASSERT_FALSE(values.ok());
  EXPECT_EQ(values.status().code(), StatusCode::kInvalidArgument);
  Result<std::string> lowered = LowerCasePartNameKeys("DS=X/Hr=a%2Fb");
  ASSERT_TRUE(lowered.ok()) << lowered.status().ToString();
  EXPECT_EQ(*lowered, "ds=X/hr=a%2Fb");
  values = PartNameToValues(*lowered, {"ds", "hr"});
  ASSERT_TRUE(values.ok());
  EXPECT_EQ(values.value(), (std::vector<std::string>{"X", "a/b"}));
  EXPECT_EQ(LowerCasePartNameKeys("ds").status().code(), StatusCode::kInvalidArgument);
}

TEST(PartNameToValuesTest, RejectsKeyMismatches) {
  Result<std::vector<std::string>> values = PartNameToValues("hr=1/ds=2", {"ds", "hr"});
  ASSERT_FALSE(values.ok());
  EXPECT_EQ(values.status().message(),
            "partition name \"hr=1/ds=2\" has key \"hr\" in position 1, where the table's key "
            "is \"ds\"");
  values = PartNameToValues("ds=1", {"ds", "hr"});
  ASSERT_FALSE(values.ok());
  EXPECT_EQ(values.status().message(),
            "partition name \"ds=1\" has 1 components, but the table's partition keys are "
            "\"ds\", \"hr\"");
  EXPECT_EQ(PartNameToValues("ds=1/x", {"ds", "x"}).status().code(), StatusCode::kInvalidArgument);
}

TEST(PartitionNameRoundTripTest, MakeThenParseGivesBackKeysAndValues) {
  const uint64_t seed = TestSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  const std::string alphabet = "aZ09 /=%:#\x01\x7f\xc3\xa9-_"s;
  std::uniform_int_distribution<size_t> pick(0, alphabet.size() - 1);
  std::uniform_int_distribution<int> length(1, 8);
  for (int i = 0; i < 2000; ++i) {
    std::vector<std::string> keys = {"k1", "k2", "k3"};
    std::vector<std::string> values;
    for (size_t k = 0; k < keys.size(); ++k) {
      std::string v;
      const int n = length(rng);
      for (int j = 0; j < n; ++j)
        v += alphabet[pick(rng)];
      values.push_back(v);
    }
    Result<std::string> name = MakePartName(keys, values);
    ASSERT_TRUE(name.ok());
    Result<std::vector<std::string>> parsed = PartNameToValues(name.value(), keys);
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    ASSERT_EQ(parsed.value(), values) << name.value();
  }
}

}  // namespace
}  // namespace arbor

// Tests of versioning/names.h: HMS identifier rules and ref-name rules.
#include "versioning/names.h"

#include "base/abbreviate.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace arbor {
namespace {

using namespace std::string_literals;

TEST(NormalizeIdentifierTest, TrimsAndLowerCasesAscii) {
  EXPECT_EQ(NormalizeIdentifier("  Sales\t"), "sales");
  EXPECT_EQ(NormalizeIdentifier("\x01\n Ab C \r\0"s), "ab c");  // Java's trim(): bytes <= 0x20
  EXPECT_EQ(NormalizeIdentifier("My Table"), "my table");
  EXPECT_EQ(NormalizeIdentifier("CAF\xc3\x89"), "caf\xc3\x89");  // only ASCII changes
  EXPECT_EQ(NormalizeIdentifier("   "), "");
  EXPECT_EQ(NormalizeIdentifier(""), "");
}

TEST(ValidateObjectNameTest, AcceptsWordCharactersAndHive4Specials) {
  for (const char* name : {"sales", "A_1", "_", "0", "my table", "a-b.c", "a@b", "x/y",
                           "\"quoted\"", " %&'()*+,-./:;<=>?[]_|{}$^!~#@`"}) {
    EXPECT_TRUE(ValidateObjectName(name).ok())
        << name << ": " << ValidateObjectName(name).ToString();
  }
}

TEST(ValidateObjectNameTest, RejectsEverythingElse) {
  for (const std::string& name :
       {""s, "a\\b"s, "a\0b"s, "a\nb"s, "tab\t"s, "caf\xc3\xa9"s, "a\x7f"s, "\x01"s}) {
    const Status status = ValidateObjectName(name);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << QuoteName(name);
  }
}

TEST(ValidateObjectNameTest, MessageNamesTheKindAndTheCharacter) {
  EXPECT_EQ(ValidateObjectName("a\\b", "database").message(),
            "\"a\\\\b\" is not a valid database name: '\\' (0x5C) is not allowed; use letters, "
            "digits, '_', space or one of \"%&'()*+,-./:;<=>?[]_|{}$^!~#@`");
  EXPECT_EQ(ValidateObjectName("", "table").message(),
            "\"\" is not a valid table name: the name is empty");
  EXPECT_NE(ValidateObjectName("a\nb").message().find("byte 0x0A is not allowed"),
            std::string::npos);
}

TEST(ValidateFunctionNameTest, AcceptsWordCharactersOnly) {
  for (const char* name : {"f", "My_Fn_2", "_", "0"}) {
    EXPECT_TRUE(ValidateFunctionName(name).ok()) << name;
  }
  for (const std::string& name :
       {""s, "bad;name"s, "bad name"s, "a.b"s, "a-b"s, "a@b"s, "caf\xc3\xa9"s, "a\0b"s}) {
    EXPECT_EQ(ValidateFunctionName(name).code(), StatusCode::kInvalidArgument) << QuoteName(name);
  }
  EXPECT_EQ(ValidateFunctionName("bad;name").message(),
            "\"bad;name\" is not a valid function name: ';' (0x3B) is not allowed; use letters, "
            "digits or '_'");
}

TEST(ValidateRefNameTest, AcceptsLowerCaseNames) {
  for (const char* name : {"main", "dev", "feature-1", "a_b", "0abc", "v2024", "x"}) {
    EXPECT_TRUE(ValidateRefName(name).ok()) << name;
  }
  EXPECT_TRUE(ValidateRefName(std::string(kMaxRefNameLength, 'a')).ok());
}

TEST(ValidateRefNameTest, RejectsEverythingElseWithAReason) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "the name is empty"},
      {"Main", "'M' (0x4D) is not allowed"},
      {"-x", "must start with a lower-case letter or digit"},
      {"_x", "must start with a lower-case letter or digit"},
      {"a.b", "'.' (0x2E) is not allowed"},
      {"a@b", "'@' (0x40) is not allowed"},
      {"a b", "' ' (0x20) is not allowed"},
      {"a\0"s, "byte 0x00 is not allowed"},
      {std::string(kMaxRefNameLength + 1, 'a'), "256 bytes long, the limit is 255"},
  };
  for (const auto& [name, reason] : cases) {
    const Status status = ValidateRefName(name);
    ASSERT_EQ(status.code(), StatusCode::kInvalidArgument) << QuoteName(name);
    EXPECT_NE(status.message().find("is not a valid branch or tag name"), std::string::npos);
    EXPECT_NE(status.message().find(reason), std::string::npos)
        << status.message() << " lacks " << reason;
  }
}

TEST(QuoteNameTest, EscapesQuotesBackslashesAndNonPrintableBytes) {
  EXPECT_EQ(QuoteName("plain name"), "\"plain name\"");
  EXPECT_EQ(QuoteName("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(QuoteName("\0\x1f\x7f\xff"s), "\"\\x00\\x1f\\x7f\\xff\"");
}

// A name's echo is bounded: a 1 MiB name gives a message of a few hundred bytes
// that says it was cut and how long the name was.
TEST(QuoteNameTest, TruncatesLongNames) {
  const std::string at_limit(kMaxEchoBytes, 'a');
  EXPECT_EQ(QuoteName(at_limit), "\"" + at_limit + "\"");
  const std::string huge(1 << 20, 'x');
  EXPECT_EQ(QuoteName(huge),
            "\"" + std::string(kMaxEchoBytes, 'x') + "\"...[1048576 bytes, truncated]");
  const std::string message = ValidateObjectName(huge + "\\", "database").message();
  EXPECT_LT(message.size(), 600u) << message;
  EXPECT_NE(message.find("[1048577 bytes, truncated]"), std::string::npos) << message;
  // The cut never splits a UTF-8 character: "é" is 2 bytes, so the 256-byte cut
  // of 'a' + "é"... backs up to the character's start.
  std::string accents = "a";
  while (accents.size() < 300)
    accents += "\xc3\xa9";
  EXPECT_EQ(AbbreviatedLength(accents), kMaxEchoBytes - 1);
  EXPECT_EQ(Abbreviate("short"), "short");
  EXPECT_EQ(Abbreviate(accents),
            accents.substr(0, kMaxEchoBytes - 1) + TruncationMarker(accents.size()));
}

}  // namespace
}  // namespace arbor

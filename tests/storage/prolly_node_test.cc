#include <gtest/gtest.h>

#include <random>

#include "storage/coding.h"
#include "storage/prolly_node.h"
#include "tests/support/seed.h"

namespace arbor {
namespace {

Node SampleLeaf() {
  Node n;
  n.level = 0;
  using namespace std::string_literals;
  n.entries.push_back({"db\0a"s, "v1", false, {}, 1});
  n.entries.push_back({"db\0ab"s, std::string(ObjectId::kSize, '\x07'), true, {}, 1});
  n.entries.push_back({"db\0b"s, "", false, {}, 1});
  return n;
}

Node SampleInternal() {
  Node n;
  n.level = 2;
  n.entries.push_back({"k1", "", false, ObjectId::Hash(1, "a"), 10});
  n.entries.push_back({"k2", "", false, ObjectId::Hash(1, "b"), 300});
  return n;
}

TEST(VarintTest, RoundTripsAndRejectsTruncation) {
  for (uint64_t v : {0ULL, 1ULL, 127ULL, 128ULL, 300ULL, (1ULL << 35) + 7, ~0ULL}) {
    std::string s;
    PutVarint64(&s, v);
    std::string_view in = s;
    uint64_t out = 0;
    ASSERT_TRUE(GetVarint64(&in, &out));
    EXPECT_EQ(out, v);
    EXPECT_TRUE(in.empty());
    std::string_view cut(s.data(), s.size() - 1);
    EXPECT_FALSE(GetVarint64(&cut, &out));
  }
  std::string overlong(11, '\xff');
  std::string_view in = overlong;
  uint64_t out;
  EXPECT_FALSE(GetVarint64(&in, &out));
}

TEST(ProllyNodeTest, RoundTrip) {
  for (const Node& n : {SampleLeaf(), SampleInternal(), Node{}}) {
    auto decoded = DecodeNode(EncodeNode(n));
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(decoded->level, n.level);
    EXPECT_EQ(decoded->entries, n.entries);
  }
}

TEST(ProllyNodeTest, EncodingIsDeterministicAndPrefixCompressed) {
  std::string a = EncodeNode(SampleLeaf());
  EXPECT_EQ(a, EncodeNode(SampleLeaf()));
  // The shared "db\0a" prefix is not repeated in the second key.
  EXPECT_EQ(a.find("db\0ab", 0, 5), std::string::npos);
}

TEST(ProllyNodeTest, EveryTruncationIsCorruption) {
  for (const Node& n : {SampleLeaf(), SampleInternal()}) {
    std::string bytes = EncodeNode(n);
    for (size_t len = 0; len < bytes.size(); ++len) {
      auto r = DecodeNode(std::string_view(bytes.data(), len));
      EXPECT_TRUE(r.status().IsCorruption()) << "prefix of length " << len;
    }
    EXPECT_TRUE(DecodeNode(bytes + "x").status().IsCorruption());
  }
}

TEST(ProllyNodeTest, StructuralDamageIsCorruption) {
  Node unordered = SampleLeaf();
  std::swap(unordered.entries[0], unordered.entries[2]);
  EXPECT_TRUE(DecodeNode(EncodeNode(unordered)).status().IsCorruption());

  Node zero_count = SampleInternal();
  zero_count.entries[0].count = 0;
  EXPECT_TRUE(DecodeNode(EncodeNode(zero_count)).status().IsCorruption());

  Node empty_internal;
  empty_internal.level = 1;
  EXPECT_TRUE(DecodeNode(EncodeNode(empty_internal)).status().IsCorruption());

  std::string bad_version = EncodeNode(SampleLeaf());
  bad_version[0] = 9;
  EXPECT_TRUE(DecodeNode(bad_version).status().IsCorruption());
}

TEST(ProllyNodeTest, RandomBytesNeverCrash) {
  uint64_t seed = testing::TestSeed();
  std::mt19937_64 rng(seed);
  std::string valid = EncodeNode(SampleLeaf());
  for (int i = 0; i < 20000; ++i) {
    std::string bytes = valid;
    int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f)
      bytes[rng() % bytes.size()] = static_cast<char>(rng());
    auto r = DecodeNode(bytes);
    if (r.ok()) {
      // Anything accepted must re-encode to exactly the bytes read.
      EXPECT_EQ(EncodeNode(*r), bytes) << testing::SeedNote(seed);
    }
  }
}

}  // namespace
}  // namespace arbor

// Tests of versioning/catalog_key.h: the exact layout, validation, round
// trips, and that encoded-key order and key ranges match the tuple model.
#include "versioning/catalog_key.h"

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <map>
#include <ostream>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "versioning/names.h"

namespace arbor {

// Lets gtest print keys in failure messages.
void PrintTo(const CatalogKey& key, std::ostream* os) {
  *os << ToString(key);
}

namespace {

using Kind = CatalogKey::Kind;
using namespace std::string_literals;

std::string Encode(const CatalogKey& key) {
  Result<std::string> encoded = EncodeKey(key);
  EXPECT_TRUE(encoded.ok()) << encoded.status().ToString();
  return encoded.ok() ? encoded.value() : std::string();
}

KeyRange Range(Result<KeyRange> range) {
  EXPECT_TRUE(range.ok()) << range.status().ToString();
  return range.ok() ? range.value() : KeyRange{};
}

// ----------------------------------------------------------------------------
// Layout and round trips.

TEST(CatalogKeyTest, EncodesTheDocumentedLayout) {
  EXPECT_EQ(Encode(CatalogKey::ForDatabase("sales")), "sales");
  EXPECT_EQ(Encode(CatalogKey::ForTable("sales", "orders")), "sales\0orders"s);
  EXPECT_EQ(Encode(CatalogKey::ForPartition("sales", "orders", "ds=2024-01-01")),
            "sales\0orders\0\x01"
            "ds=2024-01-01"s);
  EXPECT_EQ(Encode(CatalogKey::ForTableColumnStats("sales", "orders", "amount")),
            "sales\0orders\0\x02"s + "amount");
  EXPECT_EQ(Encode(CatalogKey::ForPartitionColumnStats("sales", "orders", "ds=1", "amount")),
            "sales\0orders\0\x03"
            "ds=1\0amount"s);
  EXPECT_EQ(Encode(CatalogKey::ForFunction("sales", "myudf")), "sales\0\x01myudf"s);
}

TEST(CatalogKeyTest, LowerCasesNamesButNotPartitionNames) {
  EXPECT_EQ(Encode(CatalogKey::ForTable("Sales", "ORDERS")), "sales\0orders"s);
  EXPECT_EQ(Encode(CatalogKey::ForFunction("Sales", "MyUdf")), "sales\0\x01myudf"s);
  EXPECT_EQ(Encode(CatalogKey::ForTableColumnStats("S", "T", "Amount")), "s\0t\0\x02"s + "amount");
  // Partition values are case-sensitive, so the name is kept as given.
  EXPECT_EQ(Encode(CatalogKey::ForPartition("S", "T", "region=EU")), "s\0t\0\x01region=EU"s);
  EXPECT_NE(Encode(CatalogKey::ForPartition("s", "t", "region=EU")),
            Encode(CatalogKey::ForPartition("s", "t", "region=eu")));
}

TEST(CatalogKeyTest, DecodeInvertsEncodeForEveryKind) {
  const std::vector<CatalogKey> keys = {
      CatalogKey::ForDatabase("default"),
      CatalogKey::ForTable("default", "t"),
      CatalogKey::ForPartition("default", "t", "ds=2024-01-01/hr=Mixed%2FCase"),
      CatalogKey::ForTableColumnStats("default", "t", "c"),
      CatalogKey::ForPartitionColumnStats("default", "t", "ds=1", "c"),
      CatalogKey::ForFunction("default", "f"),
      // Marker bytes and high bytes inside (not at the start of) names are fine.
      CatalogKey::ForPartitionColumnStats("d\x01", "t\x03\xff", "p\x02", "c\x01"),
  };
  for (const CatalogKey& key : keys) {
    const std::string encoded = Encode(key);
    Result<CatalogKey> decoded = DecodeKey(encoded);
    ASSERT_TRUE(decoded.ok()) << ToString(key) << ": " << decoded.status().ToString();
    EXPECT_EQ(decoded.value(), key);
    EXPECT_EQ(Encode(decoded.value()), encoded);
  }
}

TEST(CatalogKeyTest, ToStringNamesKindAndNames) {
  EXPECT_EQ(ToString(CatalogKey::ForPartition("sales", "orders", "ds=1")),
            "partition \"sales\".\"orders\" \"ds=1\"");
  EXPECT_EQ(ToString(CatalogKey::ForFunction("db", "f\x01")), "function \"db\".\"f\\x01\"");
}

// ----------------------------------------------------------------------------
// Validation.

void ExpectInvalid(const CatalogKey& key, const std::string& fragment) {
  Result<std::string> encoded = EncodeKey(key);
  ASSERT_FALSE(encoded.ok()) << ToString(key) << " encoded";
  EXPECT_EQ(encoded.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(encoded.status().message().find(fragment), std::string::npos)
      << encoded.status().message() << " lacks " << fragment;
}

TEST(CatalogKeyTest, RejectsEmptyNames) {
  ExpectInvalid(CatalogKey::ForDatabase(""), "database name is empty");
  ExpectInvalid(CatalogKey::ForTable("db", ""), "table name is empty");
  ExpectInvalid(CatalogKey::ForPartition("db", "t", ""), "partition name is empty");
  ExpectInvalid(CatalogKey::ForTableColumnStats("db", "t", ""), "column name is empty");
  ExpectInvalid(CatalogKey::ForPartitionColumnStats("db", "t", "p", ""), "column name is empty");
  ExpectInvalid(CatalogKey::ForFunction("db", ""), "function name is empty");
}

TEST(CatalogKeyTest, RejectsZeroBytes) {
  ExpectInvalid(CatalogKey::ForDatabase("a\0b"s), "contains byte 0x00");
  ExpectInvalid(CatalogKey::ForTable("db", "t\0"s), "contains byte 0x00");
  ExpectInvalid(CatalogKey::ForPartition("db", "t", "p=1\0x"s), "contains byte 0x00");
  ExpectInvalid(CatalogKey::ForPartitionColumnStats("db", "t", "p", "c\0d"s), "contains byte 0x00");
  ExpectInvalid(CatalogKey::ForFunction("db", "\0f"s), "contains byte 0x00");
}

TEST(CatalogKeyTest, RejectsNamesStartingWithAKindMarker) {
  for (char marker : {'\x01', '\x02', '\x03'}) {
    const std::string name = std::string(1, marker) + "x";
    ExpectInvalid(CatalogKey::ForDatabase(name), "starts with reserved byte");
    // Without this rule, table "\x01x" would be the key of function "x".
    ExpectInvalid(CatalogKey::ForTable("db", name), "starts with reserved byte");
    ExpectInvalid(CatalogKey::ForPartition("db", "t", name), "starts with reserved byte");
    ExpectInvalid(CatalogKey::ForTableColumnStats("db", "t", name), "starts with reserved byte");
    ExpectInvalid(CatalogKey::ForFunction("db", name), "starts with reserved byte");
  }
  ExpectInvalid(CatalogKey::ForTable("db", "\x01x"), "0x01");
}

TEST(CatalogKeyTest, RejectsFieldsTheKindDoesNotUse) {
  CatalogKey key = CatalogKey::ForDatabase("db");
  key.table = "t";
  ExpectInvalid(key, "no table name");
  key = CatalogKey::ForPartition("db", "t", "p");
  key.column = "c";
  ExpectInvalid(key, "no column name");
  key = CatalogKey::ForFunction("db", "f");
  key.partition = "p";
  ExpectInvalid(key, "no partition name");
}

TEST(CatalogKeyTest, DecodeRejectsMalformedKeys) {
  const std::vector<std::string> bad = {
      ""s,
      "\0"s,        // empty database name
      "db\0"s,      // empty table name
      "db\0\x01"s,  // empty function name
      "db\0\x01"
      "f\0x"s,                // 0x00 inside a function name
      "db\0\x02t"s,           // table name starting with a marker byte
      "db\0t\0"s,             // no kind marker
      "db\0t\0\x04p"s,        // unknown kind marker
      "db\0t\0\x01"s,         // empty partition name
      "db\0t\0\x01p\0x"s,     // 0x00 inside a partition name
      "db\0t\0\x02"s,         // empty column name
      "db\0t\0\x03p"s,        // partition statistics without a column
      "db\0t\0\x03p\0"s,      // ... with an empty column
      "db\0t\0\x03p\0c\0d"s,  // 0x00 inside a column name
      "Sales"s,               // not lower case: EncodeKey never writes this
      "db\0T"s,
      "db\0t\0\x02"s + "C",
      "\x01"s + "db",
  };
  for (const std::string& key : bad) {
    Result<CatalogKey> decoded = DecodeKey(key);
    ASSERT_FALSE(decoded.ok()) << QuoteName(key) << " decoded as " << ToString(decoded.value());
    EXPECT_EQ(decoded.status().code(), StatusCode::kCorruption) << QuoteName(key);
    EXPECT_NE(decoded.status().message().find("invalid catalog key"), std::string::npos);
  }
}

// ----------------------------------------------------------------------------
// Ranges on hand-picked neighbours.

TEST(CatalogKeyTest, TableRangeHoldsExactlyTheTablesSubtree) {
  const KeyRange t = Range(TableRange("db", "t"));
  EXPECT_TRUE(t.Contains(Encode(CatalogKey::ForTable("db", "t"))));
  EXPECT_TRUE(t.Contains(Encode(CatalogKey::ForPartition("db", "t", "p=1"))));
  EXPECT_TRUE(t.Contains(Encode(CatalogKey::ForTableColumnStats("db", "t", "c"))));
  EXPECT_TRUE(t.Contains(Encode(CatalogKey::ForPartitionColumnStats("db", "t", "p=1", "c"))));
  EXPECT_FALSE(t.Contains(Encode(CatalogKey::ForTable("db", "t2"))));
  EXPECT_FALSE(t.Contains(Encode(CatalogKey::ForPartition("db", "t2", "p=1"))));
  EXPECT_FALSE(t.Contains(Encode(CatalogKey::ForTable("db", "t\x01"))));
  EXPECT_FALSE(t.Contains(Encode(CatalogKey::ForTable("db", "s"))));
  EXPECT_FALSE(t.Contains(Encode(CatalogKey::ForFunction("db", "t"))));
  EXPECT_FALSE(t.Contains(Encode(CatalogKey::ForDatabase("db"))));
  EXPECT_FALSE(t.Contains(Encode(CatalogKey::ForTable("db2", "t"))));
  EXPECT_EQ(Range(TableRange("DB", "T")), t);
}

TEST(CatalogKeyTest, DatabaseRangeHoldsTheDatabaseAndItsSubtree) {
  const KeyRange a = Range(DatabaseRange("a"));
  EXPECT_TRUE(a.Contains(Encode(CatalogKey::ForDatabase("a"))));
  EXPECT_TRUE(a.Contains(Encode(CatalogKey::ForFunction("a", "f"))));
  EXPECT_TRUE(a.Contains(Encode(CatalogKey::ForPartitionColumnStats("a", "t", "p", "c"))));
  EXPECT_FALSE(a.Contains(Encode(CatalogKey::ForDatabase("ab"))));
  EXPECT_FALSE(a.Contains(Encode(CatalogKey::ForTable("ab", "t"))));
  EXPECT_FALSE(a.Contains(Encode(CatalogKey::ForDatabase("a\x01"))));
  EXPECT_FALSE(a.Contains(Encode(CatalogKey::ForDatabase("\x7f"))));
}

TEST(CatalogKeyTest, FunctionAndTableGroupsDoNotOverlap) {
  const KeyRange functions = Range(FunctionsOfDatabase("db"));
  const KeyRange tables = Range(TablesOfDatabase("db"));
  EXPECT_TRUE(functions.Contains(Encode(CatalogKey::ForFunction("db", "f"))));
  EXPECT_FALSE(functions.Contains(Encode(CatalogKey::ForTable("db", "f"))));
  EXPECT_FALSE(functions.Contains(Encode(CatalogKey::ForDatabase("db"))));
  EXPECT_TRUE(tables.Contains(Encode(CatalogKey::ForTable("db", "f"))));
  EXPECT_TRUE(tables.Contains(Encode(CatalogKey::ForTable("db", "\x04"))));
  EXPECT_TRUE(tables.Contains(Encode(CatalogKey::ForPartition("db", "\xff", "p"))));
  EXPECT_FALSE(tables.Contains(Encode(CatalogKey::ForFunction("db", "\xff"))));
  EXPECT_LE(functions.end, tables.begin);
}

TEST(CatalogKeyTest, PartitionStatsRangeOfOnePartitionExcludesLongerNames) {
  const KeyRange p = Range(PartitionColumnStatsOfPartition("db", "t", "ds=1"));
  EXPECT_TRUE(p.Contains(Encode(CatalogKey::ForPartitionColumnStats("db", "t", "ds=1", "a"))));
  EXPECT_TRUE(p.Contains(Encode(CatalogKey::ForPartitionColumnStats("db", "t", "ds=1", "\xff"))));
  EXPECT_FALSE(p.Contains(Encode(CatalogKey::ForPartitionColumnStats("db", "t", "ds=10", "a"))));
  EXPECT_FALSE(p.Contains(Encode(CatalogKey::ForPartitionColumnStats("db", "t", "ds=1\x01", "a"))));
  EXPECT_FALSE(p.Contains(Encode(CatalogKey::ForPartition("db", "t", "ds=1"))));
  EXPECT_FALSE(p.Contains(Encode(CatalogKey::ForTableColumnStats("db", "t", "a"))));
}

TEST(CatalogKeyTest, RangeHelpersValidateTheirNames) {
  EXPECT_EQ(DatabaseRange("").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(TableRange("db", "a\0b"s).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(PartitionsOfTable("db", "\x01t").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(PartitionColumnStatsOfPartition("db", "t", "").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(AllKeys().Contains(""));
  EXPECT_TRUE(AllKeys().Contains("\xff\xff\xff"));
}

// ----------------------------------------------------------------------------
// Properties over random keys.

// The seed: ARBOR_TEST_SEED if set, else fresh. Every property test prints it
// (SCOPED_TRACE) so a failure can be replayed.
uint64_t TestSeed() {
  if (const char* env = std::getenv("ARBOR_TEST_SEED")) return std::strtoull(env, nullptr, 10);
  return std::random_device{}();
}

class RandomKeys {
 public:
  explicit RandomKeys(uint64_t seed) : rng_(seed) {
    // A small pool of names, some extending others ("a", "a\x04", "a\x04b"),
    // so that random keys often share databases, tables and partitions and
    // often differ only past the end of a shorter name.
    while (pool_.size() < 3)
      pool_.push_back(FreshName());
    std::uniform_int_distribution<size_t> pick(0, kAlphabet.size() - 1);
    while (pool_.size() < 6) {
      std::uniform_int_distribution<size_t> base(0, pool_.size() - 1);
      pool_.push_back(pool_[base(rng_)] + kAlphabet[pick(rng_)]);
    }
  }

  // A pooled name four times in five, else a fresh one.
  std::string Name() {
    std::uniform_int_distribution<int> coin(0, 4);
    if (coin(rng_) == 0) return FreshName();
    std::uniform_int_distribution<size_t> pick(0, pool_.size() - 1);
    return pool_[pick(rng_)];
  }

  CatalogKey Key() {
    std::uniform_int_distribution<int> kind(0, 5);
    switch (kind(rng_)) {
      case 0:
        return CatalogKey::ForDatabase(Name());
      case 1:
        return CatalogKey::ForTable(Name(), Name());
      case 2:
        return CatalogKey::ForPartition(Name(), Name(), Name());
      case 3:
        return CatalogKey::ForTableColumnStats(Name(), Name(), Name());
      case 4:
        return CatalogKey::ForPartitionColumnStats(Name(), Name(), Name(), Name());
      default:
        return CatalogKey::ForFunction(Name(), Name());
    }
  }

 private:
  // Marker bytes (allowed inside names), upper case, bytes around 0x80 and
  // 0xFF: everything that could upset a byte-ordered encoding.
  static inline const std::string kAlphabet =
      "ab\x01\x02\x03\x04"
      "A~\x7f\x80\xff"s;

  std::string FreshName() {
    std::uniform_int_distribution<size_t> length(1, 3);
    std::uniform_int_distribution<size_t> pick(0, kAlphabet.size() - 1);
    std::string name;
    const size_t n = length(rng_);
    for (size_t i = 0; i < n; ++i)
      name += kAlphabet[pick(rng_)];
    if (name[0] >= '\x01' && name[0] <= '\x03') name[0] = 'b';
    return name;
  }

  std::mt19937_64 rng_;
  std::vector<std::string> pool_;
};

std::string Lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

// The key as EncodeKey stores it: every name but the partition lower-cased.
CatalogKey Normalized(CatalogKey key) {
  key.db = Lower(key.db);
  key.table = Lower(key.table);
  key.column = Lower(key.column);
  key.function = Lower(key.function);
  return key;
}

// The tuple model of the key order, written independently of the encoding:
// in a database, the database itself, then functions by name, then tables by
// name; in a table, the table itself, then partitions, table statistics and
// partition statistics, each group by its names. std::string compares bytes
// as unsigned, like the encoded keys.
using Tuple = std::tuple<std::string, int, std::string, int, std::string, std::string>;

Tuple ModelTuple(const CatalogKey& raw) {
  const CatalogKey k = Normalized(raw);
  switch (k.kind) {
    case Kind::kDatabase:
      return {k.db, 0, "", 0, "", ""};
    case Kind::kFunction:
      return {k.db, 1, k.function, 0, "", ""};
    case Kind::kTable:
      return {k.db, 2, k.table, 0, "", ""};
    case Kind::kPartition:
      return {k.db, 2, k.table, 1, k.partition, ""};
    case Kind::kTableColumnStats:
      return {k.db, 2, k.table, 2, k.column, ""};
    case Kind::kPartitionColumnStats:
      return {k.db, 2, k.table, 3, k.partition, k.column};
  }
  return {};
}

int Sign(int v) {
  return (v > 0) - (v < 0);
}

TEST(CatalogKeyPropertyTest, EncodedOrderEqualsTupleOrder) {
  const uint64_t seed = TestSeed();
  SCOPED_TRACE("seed " + std::to_string(seed) +
               " (rerun with ARBOR_TEST_SEED=" + std::to_string(seed) + ")");
  RandomKeys random(seed);
  std::vector<CatalogKey> keys;
  for (int i = 0; i < 600; ++i)
    keys.push_back(random.Key());
  std::vector<std::string> encoded;
  for (const CatalogKey& key : keys)
    encoded.push_back(Encode(key));
  for (size_t i = 0; i < keys.size(); ++i) {
    for (size_t j = 0; j < keys.size(); ++j) {
      const Tuple a = ModelTuple(keys[i]);
      const Tuple b = ModelTuple(keys[j]);
      const int model = a < b ? -1 : (b < a ? 1 : 0);
      ASSERT_EQ(Sign(encoded[i].compare(encoded[j])), model)
          << ToString(keys[i]) << " vs " << ToString(keys[j]) << ": " << QuoteName(encoded[i])
          << " vs " << QuoteName(encoded[j]);
    }
  }
}

TEST(CatalogKeyPropertyTest, DecodeInvertsEncode) {
  const uint64_t seed = TestSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  RandomKeys random(seed);
  for (int i = 0; i < 5000; ++i) {
    const CatalogKey key = random.Key();
    const std::string encoded = Encode(key);
    Result<CatalogKey> decoded = DecodeKey(encoded);
    ASSERT_TRUE(decoded.ok()) << ToString(key) << ": " << decoded.status().ToString();
    ASSERT_EQ(decoded.value(), Normalized(key));
  }
}

TEST(CatalogKeyPropertyTest, RangesHoldExactlyTheirKeys) {
  const uint64_t seed = TestSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  RandomKeys random(seed);
  std::vector<CatalogKey> keys;
  for (int i = 0; i < 2000; ++i)
    keys.push_back(Normalized(random.Key()));

  for (int probe = 0; probe < 200; ++probe) {
    // Probe names drawn from the same tiny alphabet, so they often hit.
    const std::string db = Lower(random.Name());
    const std::string table = Lower(random.Name());
    const std::string partition = random.Name();
    const auto in_table = [&](const CatalogKey& k) {
      return k.db == db && k.kind != Kind::kDatabase && k.kind != Kind::kFunction &&
             k.table == table;
    };
    const std::vector<std::pair<KeyRange, std::function<bool(const CatalogKey&)>>> cases = {
        {Range(DatabaseRange(db)), [&](const CatalogKey& k) { return k.db == db; }},
        {Range(FunctionsOfDatabase(db)),
         [&](const CatalogKey& k) { return k.db == db && k.kind == Kind::kFunction; }},
        {Range(TablesOfDatabase(db)),
         [&](const CatalogKey& k) {
           return k.db == db && k.kind != Kind::kDatabase && k.kind != Kind::kFunction;
         }},
        {Range(TableRange(db, table)), in_table},
        {Range(PartitionsOfTable(db, table)),
         [&](const CatalogKey& k) { return in_table(k) && k.kind == Kind::kPartition; }},
        {Range(TableColumnStatsOfTable(db, table)),
         [&](const CatalogKey& k) { return in_table(k) && k.kind == Kind::kTableColumnStats; }},
        {Range(PartitionColumnStatsOfTable(db, table)),
         [&](const CatalogKey& k) { return in_table(k) && k.kind == Kind::kPartitionColumnStats; }},
        {Range(PartitionColumnStatsOfPartition(db, table, partition)),
         [&](const CatalogKey& k) {
           return in_table(k) && k.kind == Kind::kPartitionColumnStats && k.partition == partition;
         }},
    };
    for (size_t c = 0; c < cases.size(); ++c) {
      for (const CatalogKey& key : keys) {
        ASSERT_EQ(cases[c].first.Contains(Encode(key)), cases[c].second(key))
            << "range #" << c << " for " << QuoteName(db) << "." << QuoteName(table) << " "
            << QuoteName(partition) << ", key " << ToString(key);
      }
    }
  }
}

// Lists by seeking, as the store will: each found key is followed by a jump
// to SubtreeEnd, so a table's partitions are never read.
std::vector<std::string> ListBySeeking(const std::map<std::string, CatalogKey>& store,
                                       const KeyRange& range, int* visited) {
  std::vector<std::string> found;
  auto it = store.lower_bound(range.begin);
  while (it != store.end() && range.Contains(it->first)) {
    ++*visited;
    found.push_back(it->first);
    it = store.lower_bound(SubtreeEnd(it->first));
  }
  return found;
}

TEST(CatalogKeyPropertyTest, SeekingPastSubtreesListsDatabasesAndTables) {
  const uint64_t seed = TestSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  RandomKeys random(seed);
  std::map<std::string, CatalogKey> store;
  for (int i = 0; i < 3000; ++i) {
    const CatalogKey key = Normalized(random.Key());
    store.emplace(Encode(key), key);
    // Each key implies its parents, as in a real catalog.
    store.emplace(Encode(CatalogKey::ForDatabase(key.db)), CatalogKey::ForDatabase(key.db));
    if (!key.table.empty()) {
      const CatalogKey table = CatalogKey::ForTable(key.db, key.table);
      store.emplace(Encode(table), table);
    }
  }

  std::set<std::string> databases;
  std::map<std::string, std::set<std::string>> tables;
  for (const auto& [encoded, key] : store) {
    if (key.kind == Kind::kDatabase) databases.insert(encoded);
    if (key.kind == Kind::kTable) tables[key.db].insert(encoded);
  }

  int visited = 0;
  const std::vector<std::string> listed = ListBySeeking(store, AllKeys(), &visited);
  EXPECT_EQ(std::set<std::string>(listed.begin(), listed.end()), databases);
  EXPECT_EQ(listed.size(), databases.size());
  EXPECT_EQ(visited, static_cast<int>(databases.size()));

  for (const auto& [db, expected] : tables) {
    visited = 0;
    const std::vector<std::string> found =
        ListBySeeking(store, Range(TablesOfDatabase(db)), &visited);
    EXPECT_EQ(std::set<std::string>(found.begin(), found.end()), expected) << QuoteName(db);
    EXPECT_EQ(visited, static_cast<int>(expected.size()));
    for (const std::string& key : found) {
      Result<CatalogKey> decoded = DecodeKey(key);
      ASSERT_TRUE(decoded.ok());
      EXPECT_EQ(decoded->kind, Kind::kTable);
    }
  }
}

}  // namespace
}  // namespace arbor

// Tests of server/hms/filter_query.h: a partition filter as a catalog query.
// The narrowed listing (key ranges from the filter's bounds, the filter
// evaluated on values decoded from names) must equal a full scan of the table
// with the filter evaluated on the stored values. A seeded random test draws
// tables (string and int keys in several orders; values with escaped bytes,
// empty values and the default partition name) and filters (comparisons,
// BETWEEN, IN, their NOTs, LIKE, AND/OR) and compares both, committed and
// with staged and pending edits.
#include "server/hms/filter_query.h"

#include <gtest/gtest.h>

#include <iostream>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "storage/mem_kv_store.h"
#include "tests/support/seed.h"
#include "tests/versioning/repository_test_util.h"
#include "versioning/catalog.h"
#include "versioning/partition_name.h"

namespace arbor::hms {
namespace {

using Values = std::vector<std::string>;

struct Key {
  std::string name;
  bool integral;
};

class FilterQueryTest : public arbor::testing::MainBranchTest {};

// The names of the partitions `q` selects, and (with parse) their stored values.
Values Names(const CatalogTxn& txn, const catalog::Table& t, const PartitionQuery& q,
             std::vector<Values>* values = nullptr) {
  Values names;
  Status st =
      CatalogQuery(txn).Partitions(t, q, [&](const std::string& name, const catalog::Partition* p) {
        names.push_back(name);
        if (values && p)
          values->emplace_back(p->values().items().begin(), p->values().items().end());
        return true;
      });
  EXPECT_TRUE(st.ok()) << st.ToString();
  return names;
}

class RandomFilterQuery {
 public:
  explicit RandomFilterQuery(uint64_t seed) : rng_(seed) {}

  size_t Pick(size_t n) { return rng_() % n; }
  bool Coin() { return rng_() % 2 == 0; }

  std::vector<Key> RandomKeys() {
    static const std::vector<std::vector<Key>> kShapes = {
        {{"s", false}, {"t", false}, {"n", true}},
        {{"s", false}, {"n", true}, {"t", false}},
        {{"n", true}, {"s", false}},
        {{"s", false}},
        {{"s", false}, {"t", false}},
    };
    return kShapes[Pick(kShapes.size())];
  }

  // Stored string values: escaped bytes, prefixes of each other, bytes around
  // '%' and '/' in order, the empty value and the default partition name.
  std::string StoredString() {
    static const Values kValues = {"",
                                   "a",
                                   "ab",
                                   "a/b",
                                   "a/",
                                   "a%",
                                   "%",
                                   "b",
                                   "a=b",
                                   "A",
                                   ".",
                                   "0",
                                   "a b",
                                   "a\\b",
                                   "a:b",
                                   "\xc3\xa9",
                                   "\x7f",
                                   "a\x01",
                                   "__HIVE_DEFAULT_PARTITION__",
                                   "2024-01-05",
                                   "2024-1-5",
                                   "2024-02-10",
                                   "2024-01-31",
                                   "a.",
                                   "a-",
                                   "a0",
                                   "z",
                                   "~"};
    return kValues[Pick(kValues.size())];
  }
  std::string StoredInt() {
    static const Values kValues = {
        "0", "5", "05", "-3", "+5", "12", "x", "", "__HIVE_DEFAULT_PARTITION__"};
    return kValues[Pick(kValues.size())];
  }

  // A string literal the grammar can hold in double quotes.
  std::string Literal() {
    static const Values kLits = {
        "",           "a",          "ab",      "a/",       "a/b",      "a%",
        "%",          "b",          "a=b",     "A",        ".",        "0",
        "a b",        "z",          "~",       "a.",       "a0",       "a-",
        "2024-01-05", "2024-01-31", "2024-02", "2024-1-5", "\xc3\xa9", "__HIVE_DEFAULT_PARTITION__",
        "a:b"};
    return "\"" + kLits[Pick(kLits.size())] + "\"";
  }
  std::string IntLiteral() { return std::to_string(static_cast<int>(Pick(16)) - 4); }

  std::string Filter(const std::vector<Key>& keys, int depth) {
    if (depth < 2 && Pick(3) == 0) {
      const int n = 2 + static_cast<int>(Pick(2));
      const char* op = Coin() ? " and " : " or ";
      std::string out = "(";
      for (int i = 0; i < n; ++i)
        out += (i ? op : "") + Filter(keys, depth + 1);
      return out + ")";
    }
    const Key& k = keys[Pick(keys.size())];
    auto lit = [&] { return k.integral ? IntLiteral() : Literal(); };
    switch (Pick(6)) {
      case 0:
      case 1: {
        static const char* kOps[] = {"=", "=", "<>", "<", "<=", ">", ">="};
        return k.name + " " + kOps[Pick(7)] + " " + lit();
      }
      case 2:
        return k.name + (Coin() ? " not" : "") + " between " + lit() + " and " + lit();
      case 3: {
        std::string out = k.name + (Pick(3) == 0 ? " not" : "") + " in (";
        const size_t n = 1 + Pick(3);
        for (size_t i = 0; i < n; ++i)
          out += (i ? ", " : "") + lit();
        return out + ")";
      }
      case 4:
        return k.name + " like \"" + (Coin() ? "a.*" : ".*b") + "\"";
      default:
        return lit() + " " + (Coin() ? "<=" : ">") + " " + k.name;
    }
  }

 private:
  std::mt19937_64 rng_;
};

TEST_F(FilterQueryTest, NarrowedListingEqualsFullScanThenFilter) {
  const uint64_t seed = arbor::testing::TestSeed();
  SCOPED_TRACE(arbor::testing::SeedNote(seed));
  std::cout << "FilterQueryTest " << arbor::testing::SeedNote(seed) << "\n";
  RandomFilterQuery gen(seed);

  for (int table_no = 0; table_no < 6 && !HasFailure(); ++table_no) {
    const std::vector<Key> keys = gen.RandomKeys();
    catalog::Table t;
    t.set_db_name("d");
    t.set_table_name("t" + std::to_string(table_no));
    std::vector<PartitionKeyInfo> key_info;
    std::vector<std::string> key_names;
    for (const Key& k : keys) {
      auto* f = t.mutable_partition_keys()->add_items();
      f->set_name(k.name);
      f->set_type(k.integral ? "int" : "string");
      key_info.push_back({k.name, f->type()});
      key_names.push_back(k.name);
    }
    std::set<std::string> names;
    auto add = [&](CatalogTxn& txn, int n) -> Status {
      std::vector<catalog::Partition> parts;
      for (int i = 0; i < n; ++i) {
        catalog::Partition p;
        Values v;
        for (const Key& k : keys)
          v.push_back(k.integral ? gen.StoredInt() : gen.StoredString());
        // "" and the default partition name share a name: keep the first.
        if (!names.insert(MakePartName(key_names, v).value()).second) continue;
        for (const auto& x : v)
          p.mutable_values()->add_items(x);
        parts.push_back(std::move(p));
      }
      return txn.AddPartitions("d", t.table_name(), std::move(parts), false).status();
    };
    Stage([&](CatalogTxn& txn) {
      if (table_no == 0) {
        catalog::Database d;
        d.set_name("d");
        ARBOR_RETURN_IF_ERROR(txn.CreateDatabase(d));
      }
      ARBOR_RETURN_IF_ERROR(txn.CreateTable(t));
      return add(txn, 150);
    });
    Commit();
    Stage([&](CatalogTxn& txn) { return add(txn, 20); });
    auto view = repo_->OpenView("main");
    ASSERT_TRUE(view.ok());
    CatalogTxn txn(*view);
    ARBOR_ASSERT_OK(add(txn, 20));  // pending over staged over committed

    // Every partition with its stored values, once.
    PartitionQuery all;
    all.parse = true;
    std::vector<Values> stored;
    const Values all_names = Names(txn, t, all, &stored);
    ASSERT_EQ(all_names.size(), names.size());

    for (int round = 0; round < 150 && !HasFailure(); ++round) {
      const std::string text = gen.Filter(keys, 0);
      auto parsed = PartitionFilter::Parse(text, key_info);
      ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.status().ToString();
      auto filter = std::make_shared<const PartitionFilter>(std::move(parsed).value());
      Values want;
      for (size_t i = 0; i < all_names.size(); ++i) {
        if (filter->Matches(stored[i])) want.push_back(all_names[i]);
      }
      const std::string trace = "table " + std::to_string(table_no) + " filter [" + text +
                                "] tree " + filter->DebugString();
      PartitionQuery q;
      AddFilter(filter, &q);
      ASSERT_EQ(Names(txn, t, q), want) << trace;
      auto count = CatalogQuery(txn).CountPartitions(t, q);
      ASSERT_TRUE(count.ok());
      ASSERT_EQ(*count, want.size()) << trace;
      // Parsed: the stored values of exactly those partitions.
      q.parse = true;
      std::vector<Values> got_values;
      ASSERT_EQ(Names(txn, t, q, &got_values), want) << trace;
      for (const Values& v : got_values)
        ASSERT_TRUE(filter->Matches(v)) << trace;
      // A page after a random name with an offset and a limit.
      PartitionQuery page;
      AddFilter(filter, &page);
      page.after = all_names[gen.Pick(all_names.size())];
      page.offset = gen.Pick(3);
      page.limit = 1 + gen.Pick(5);
      Values want_page;
      uint64_t skip = page.offset;
      for (const auto& n : want) {
        if (n <= page.after) continue;
        if (skip > 0) {
          --skip;
          continue;
        }
        if (want_page.size() < page.limit) want_page.push_back(n);
      }
      ASSERT_EQ(Names(txn, t, page), want_page) << trace << " after " << page.after;
    }
  }
}

}  // namespace
}  // namespace arbor::hms

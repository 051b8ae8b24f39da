// Unit tests of CatalogQuery (versioning/catalog_query.h): partition queries
// (partial specs, resume tokens, offsets, limits, predicates, parsing on
// demand, counts) and the table and database cursors, over catalogs whose entries
// live in a commit, in the branch's staging and in the transaction's pending
// edits at once. A seeded random test checks every query against a model.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <random>
#include <set>

#include "storage/mem_kv_store.h"
#include "tests/support/seed.h"
#include "tests/versioning/repository_test_util.h"
#include "versioning/catalog.h"
#include "versioning/catalog_query.h"
#include "versioning/deterministic_proto.h"
#include "versioning/partition_name.h"

namespace arbor {

// gtest finds it by argument-dependent lookup, so outside the anonymous namespace.
void PrintTo(const PartitionNameRange& r, std::ostream* os) {
  *os << "[" << ::testing::PrintToString(r.begin) << ", "
      << (r.end ? ::testing::PrintToString(*r.end) : std::string("end")) << ")";
}

namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Values = std::vector<std::string>;

catalog::Database Db(const std::string& name) {
  catalog::Database d;
  d.set_name(name);
  return d;
}

catalog::Table Table(const std::string& db, const std::string& name, const Values& keys) {
  catalog::Table t;
  t.set_db_name(db);
  t.set_table_name(name);
  for (const auto& k : keys) {
    auto* f = t.mutable_partition_keys()->add_items();
    f->set_name(k);
    f->set_type("string");
  }
  return t;
}

catalog::Partition Part(const Values& values) {
  catalog::Partition p;
  for (const auto& v : values)
    p.mutable_values()->add_items(v);
  return p;
}

Values ValuesOf(const catalog::Partition& p) {
  return Values(p.values().items().begin(), p.values().items().end());
}

// The names a query lists.
Result<Values> Names(const CatalogTxn& txn, const catalog::Table& table, const PartitionQuery& q) {
  Values names;
  ARBOR_RETURN_IF_ERROR(CatalogQuery(txn).Partitions(
      table, q, [&](const std::string& name, const catalog::Partition*) {
        names.push_back(name);
        return true;
      }));
  return names;
}

Values MustNames(const CatalogTxn& txn, const catalog::Table& table, const PartitionQuery& q) {
  auto names = Names(txn, table, q);
  EXPECT_TRUE(names.ok()) << names.status().ToString();
  return names.ok() ? *names : Values{};
}

class CatalogQueryTest : public testing::MainBranchTest {
 protected:
  ReadView View() {
    auto v = repo_->OpenView("main");
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return std::move(v).value();
  }

  // Database "d" with table "t" partitioned by `keys`; returns the table.
  catalog::Table CreateTable(const Values& keys) {
    catalog::Table t = Table("d", "t", keys);
    Stage([&](CatalogTxn& txn) {
      ARBOR_RETURN_IF_ERROR(txn.CreateDatabase(Db("d")));
      return txn.CreateTable(t);
    });
    return t;
  }

  void Add(const catalog::Table& t, const std::vector<Values>& parts) {
    Stage([&](CatalogTxn& txn) {
      std::vector<catalog::Partition> ps;
      for (const auto& v : parts)
        ps.push_back(Part(v));
      return txn.AddPartitions(t.db_name(), t.table_name(), std::move(ps), false).status();
    });
  }
};

TEST_F(CatalogQueryTest, LeadingValuesSelectOneKeyRange) {
  catalog::Table t = CreateTable({"a", "b"});
  // "1" is a prefix of "10" as a string but not as a key=value component;
  // "1/x" escapes its '/', so it is not under "a=1/" either.
  Add(t, {{"1", "x"}, {"1", "y"}, {"10", "x"}, {"2", "x"}, {"1/x", "x"}});
  Commit();
  ReadView view = View();
  CatalogTxn txn(view);
  PartitionQuery q;
  // Bytewise name order: '%' sorts before '/'.
  EXPECT_THAT(MustNames(txn, t, q),
              ElementsAre("a=1%2Fx/b=x", "a=1/b=x", "a=1/b=y", "a=10/b=x", "a=2/b=x"));
  q.values = {"1"};
  EXPECT_THAT(MustNames(txn, t, q), ElementsAre("a=1/b=x", "a=1/b=y"));
  q.values = {"1", "y"};
  EXPECT_THAT(MustNames(txn, t, q), ElementsAre("a=1/b=y"));
  q.values = {"1", "z"};
  EXPECT_THAT(MustNames(txn, t, q), ElementsAre());
  q.values = {"1/x"};
  EXPECT_THAT(MustNames(txn, t, q), ElementsAre("a=1%2Fx/b=x"));
  // "" matches any value: a fixed value after it is checked on the names.
  q.values = {"", "x"};
  EXPECT_THAT(MustNames(txn, t, q), ElementsAre("a=1%2Fx/b=x", "a=1/b=x", "a=10/b=x", "a=2/b=x"));
  q.values = {"", ""};
  EXPECT_EQ(MustNames(txn, t, q).size(), 5u);
  q.values = {""};
  EXPECT_EQ(MustNames(txn, t, q).size(), 5u);
  // Key names in the spec are the table's: case does not matter.
  catalog::Table upper = Table("d", "t", {"A", "B"});
  q.values = {"2"};
  EXPECT_THAT(MustNames(txn, upper, q), ElementsAre("a=2/b=x"));
}

TEST_F(CatalogQueryTest, TooManyValuesIsInvalidArgumentInHivesWords) {
  catalog::Table t = CreateTable({"a"});
  Add(t, {{"1"}});
  ReadView view = View();
  CatalogTxn txn(view);
  PartitionQuery q;
  q.values = {"1", "2"};
  auto names = Names(txn, t, q);
  ASSERT_EQ(names.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(names.status().message(),
              HasSubstr("Incorrect number of partition values. numPartKeys=1, part_vals=[1, 2]"));
  // Also with limit 0, which lists nothing: the spec is checked first.
  q.limit = 0;
  EXPECT_EQ(Names(txn, t, q).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(CatalogQueryTest, FixedValuesAfterWildcards) {
  catalog::Table t = CreateTable({"a", "b", "c"});
  Add(t, {{"1", "x", "p"}, {"2", "x", "q"}, {"2", "y", "q"}});
  ReadView view = View();
  CatalogTxn txn(view);
  PartitionQuery q;
  q.values = {"", "x", "q"};
  EXPECT_THAT(MustNames(txn, t, q), ElementsAre("a=2/b=x/c=q"));
  q.values = {"", "", "q"};
  EXPECT_THAT(MustNames(txn, t, q), ElementsAre("a=2/b=x/c=q", "a=2/b=y/c=q"));
}

TEST_F(CatalogQueryTest, LimitOffsetAndAfter) {
  catalog::Table t = CreateTable({"a"});
  Add(t, {{"1"}, {"2"}, {"3"}, {"4"}, {"5"}});
  Commit();
  ReadView view = View();
  CatalogTxn txn(view);
  PartitionQuery q;
  q.limit = 0;
  EXPECT_THAT(MustNames(txn, t, q), ElementsAre());
  q.limit = 2;
  EXPECT_THAT(MustNames(txn, t, q), ElementsAre("a=1", "a=2"));
  q.offset = 3;
  EXPECT_THAT(MustNames(txn, t, q), ElementsAre("a=4", "a=5"));
  q.offset = 5;
  EXPECT_THAT(MustNames(txn, t, q), ElementsAre());
  q.offset = 1000;
  EXPECT_THAT(MustNames(txn, t, q), ElementsAre());
  q.offset = 0;
  q.after = "a=2";
  EXPECT_THAT(MustNames(txn, t, q), ElementsAre("a=3", "a=4"));
  // A name that does not exist resumes at the next one.
  q.after = "a=25";
  EXPECT_THAT(MustNames(txn, t, q), ElementsAre("a=3", "a=4"));
  q.after = "a=5";
  EXPECT_THAT(MustNames(txn, t, q), ElementsAre());
  // after and offset together: skip after resuming.
  q.after = "a=1";
  q.offset = 2;
  EXPECT_THAT(MustNames(txn, t, q), ElementsAre("a=4", "a=5"));
  // A resume token past the spec's range lists nothing; one before it, all of it.
  q = PartitionQuery();
  q.values = {"2"};
  q.after = "a=3";
  EXPECT_THAT(MustNames(txn, t, q), ElementsAre());
  q.after = "a=1";
  EXPECT_THAT(MustNames(txn, t, q), ElementsAre("a=2"));
}

TEST_F(CatalogQueryTest, AfterThatCannotBeANameIsInvalidArgument) {
  catalog::Table t = CreateTable({"a"});
  ReadView view = View();
  CatalogTxn txn(view);
  PartitionQuery q;
  q.after = std::string("a=\0x", 4);
  EXPECT_EQ(Names(txn, t, q).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(CatalogQueryTest, OffsetCountsSelectedPartitions) {
  catalog::Table t = CreateTable({"a", "b"});
  Add(t, {{"1", "x"}, {"1", "y"}, {"2", "x"}, {"2", "y"}, {"3", "x"}});
  Commit();
  ReadView view = View();
  CatalogTxn txn(view);
  PartitionQuery q;
  q.values = {"", "x"};
  q.offset = 1;
  EXPECT_THAT(MustNames(txn, t, q), ElementsAre("a=2/b=x", "a=3/b=x"));
  q.values = {};
  q.predicate = [](const Values& v) { return v[1] == "y"; };
  EXPECT_THAT(MustNames(txn, t, q), ElementsAre("a=2/b=y"));
  // A leading run only narrows the range: the offset is counted inside it.
  q.predicate = nullptr;
  q.values = {"2"};
  EXPECT_THAT(MustNames(txn, t, q), ElementsAre("a=2/b=y"));
}

TEST_F(CatalogQueryTest, PredicateSeesValuesAndParsingIsOnDemand) {
  catalog::Table t = CreateTable({"a", "b"});
  Add(t, {{"1", "x"}, {"2", "y"}, {"3", "x"}});
  ReadView view = View();
  CatalogTxn txn(view);
  PartitionQuery q;
  std::vector<Values> seen;
  q.predicate = [&](const Values& v) {
    seen.push_back(v);
    return v[1] == "x";
  };
  Values names;
  ARBOR_ASSERT_OK(
      CatalogQuery(txn).Partitions(t, q, [&](const std::string& name, const catalog::Partition* p) {
        // The predicate reads values from the names: nothing is parsed.
        EXPECT_EQ(p, nullptr);
        names.push_back(name);
        return true;
      }));
  EXPECT_THAT(names, ElementsAre("a=1/b=x", "a=3/b=x"));
  EXPECT_THAT(seen, ElementsAre(Values{"1", "x"}, Values{"2", "y"}, Values{"3", "x"}));
  // With parse, the selected ones are parsed and handed over.
  q.parse = true;
  names.clear();
  ARBOR_ASSERT_OK(
      CatalogQuery(txn).Partitions(t, q, [&](const std::string& name, const catalog::Partition* p) {
        EXPECT_NE(p, nullptr);
        if (p) EXPECT_EQ(p->table_name(), "t");
        names.push_back(name);
        return true;
      }));
  EXPECT_THAT(names, ElementsAre("a=1/b=x", "a=3/b=x"));

  // Names only: no partition.
  q = PartitionQuery();
  ARBOR_ASSERT_OK(
      CatalogQuery(txn).Partitions(t, q, [&](const std::string&, const catalog::Partition* p) {
        EXPECT_EQ(p, nullptr);
        return true;
      }));
  // parse: every partition, with its values.
  q.parse = true;
  std::vector<Values> parsed;
  ARBOR_ASSERT_OK(
      CatalogQuery(txn).Partitions(t, q, [&](const std::string&, const catalog::Partition* p) {
        if (p) parsed.push_back(ValuesOf(*p));
        return true;
      }));
  EXPECT_THAT(parsed, ElementsAre(Values{"1", "x"}, Values{"2", "y"}, Values{"3", "x"}));
}

TEST_F(CatalogQueryTest, VisitorStopsTheScan) {
  catalog::Table t = CreateTable({"a"});
  Add(t, {{"1"}, {"2"}, {"3"}});
  ReadView view = View();
  CatalogTxn txn(view);
  Values names;
  ARBOR_ASSERT_OK(CatalogQuery(txn).Partitions(
      t, PartitionQuery(), [&](const std::string& name, const catalog::Partition*) {
        names.push_back(name);
        return names.size() < 2;
      }));
  EXPECT_THAT(names, ElementsAre("a=1", "a=2"));
  names.clear();
  ARBOR_ASSERT_OK(CatalogQuery(txn).PartitionNames(t, PartitionQuery(), [&](std::string_view name) {
    names.emplace_back(name);
    return names.size() < 2;
  }));
  EXPECT_THAT(names, ElementsAre("a=1", "a=2"));
}

TEST_F(CatalogQueryTest, EmptyAndUnpartitionedTables) {
  catalog::Table t = CreateTable({"a"});
  catalog::Table plain = Table("d", "plain", {});
  Stage([&](CatalogTxn& txn) { return txn.CreateTable(plain); });
  ReadView view = View();
  CatalogTxn txn(view);
  PartitionQuery q;
  EXPECT_THAT(MustNames(txn, t, q), ElementsAre());
  q.offset = 3;
  EXPECT_THAT(MustNames(txn, t, q), ElementsAre());
  EXPECT_THAT(MustNames(txn, plain, PartitionQuery()), ElementsAre());
  q = PartitionQuery();
  q.values = {"1"};
  EXPECT_EQ(Names(txn, plain, q).status().code(), StatusCode::kInvalidArgument);
  // A table that does not exist has no partitions either.
  EXPECT_THAT(MustNames(txn, Table("d", "missing", {"a"}), PartitionQuery()), ElementsAre());
}

TEST_F(CatalogQueryTest, PendingAndStagedEditsOverlayTheCommit) {
  catalog::Table t = CreateTable({"a"});
  Add(t, {{"1"}, {"3"}, {"5"}, {"7"}});
  Commit();
  Add(t, {{"4"}});  // staged on the branch
  Stage([&](CatalogTxn& txn) { return txn.DropPartition("d", "t", "a=5"); });
  ReadView view = View();
  CatalogTxn txn(view);
  ARBOR_ASSERT_OK(txn.AddPartitions("d", "t", {Part({"2"})}, false).status());
  ARBOR_ASSERT_OK(txn.DropPartition("d", "t", "a=7"));
  PartitionQuery q;
  EXPECT_THAT(MustNames(txn, t, q), ElementsAre("a=1", "a=2", "a=3", "a=4"));
  for (uint64_t offset = 0; offset <= 5; ++offset) {
    q.offset = offset;
    Values all = {"a=1", "a=2", "a=3", "a=4"};
    Values want(all.begin() + std::min<size_t>(offset, all.size()), all.end());
    EXPECT_EQ(MustNames(txn, t, q), want) << "offset " << offset;
  }
  q.offset = 0;
  q.after = "a=1";
  q.limit = 2;
  EXPECT_THAT(MustNames(txn, t, q), ElementsAre("a=2", "a=3"));
}

// The table and database cursors.

TEST_F(CatalogQueryTest, TablePagesConcatenateToEveryTable) {
  catalog::Table t = CreateTable({"a"});
  Add(t, {{"1"}, {"2"}});  // a subtree the cursor must skip
  Stage([&](CatalogTxn& txn) -> Status {
    for (const char* name : {"b", "c", "e", "f"})
      ARBOR_RETURN_IF_ERROR(txn.CreateTable(Table("d", name, {"k"})));
    catalog::Function fn;
    fn.set_db_name("d");
    fn.set_function_name("fn");
    fn.set_class_name("x.Y");
    return txn.CreateFunction(fn);
  });
  Commit();
  Stage([&](CatalogTxn& txn) { return txn.DropTable("d", "c"); });
  ReadView view = View();
  CatalogTxn txn(view);
  ARBOR_ASSERT_OK(txn.CreateTable(Table("d", "D_pending", {})));  // stored lower-cased
  const Values all = {"b", "d_pending", "e", "f", "t"};
  CatalogQuery query(txn);
  for (size_t limit = 1; limit <= 6; ++limit) {
    Values got;
    std::string after;
    for (int pages = 0;; ++pages) {
      ASSERT_LT(pages, 10);
      auto page = query.Tables("D", after, limit);
      ASSERT_TRUE(page.ok()) << page.status().ToString();
      ASSERT_LE(page->entities.size(), limit);
      for (const auto& e : page->entities) {
        EXPECT_EQ(e.db_name(), "d");
        got.push_back(e.table_name());
      }
      if (!page->entities.empty()) EXPECT_EQ(page->next_after, got.back());
      if (!page->has_more) break;
      EXPECT_EQ(page->entities.size(), limit);
      after = page->next_after;
    }
    EXPECT_EQ(got, all) << "limit " << limit;
  }
  // Resuming after a name that is not there, or given in upper case.
  auto page = query.Tables("d", "CZ", 2);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->entities.size(), 2u);
  EXPECT_EQ(page->entities[0].table_name(), "d_pending");
  EXPECT_TRUE(page->has_more);
  // Exactly the limit left: no more.
  page = query.Tables("d", "e", 2);
  ASSERT_TRUE(page.ok());
  EXPECT_FALSE(page->has_more);
  // No tables: an empty page.
  page = query.Tables("nodb", "", 2);
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->entities.empty());
  EXPECT_FALSE(page->has_more);
  EXPECT_EQ(page->next_after, "");
  EXPECT_EQ(query.Tables("d", std::string("a\0b", 3), 2).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(CatalogQueryTest, DatabasePagesConcatenateToEveryDatabase) {
  Stage([&](CatalogTxn& txn) -> Status {
    for (const char* name : {"a", "b", "c"})
      ARBOR_RETURN_IF_ERROR(txn.CreateDatabase(Db(name)));
    return txn.CreateTable(Table("a", "t", {}));
  });
  Commit();
  Stage([&](CatalogTxn& txn) { return txn.DropDatabase("b", false); });
  ReadView view = View();
  CatalogTxn txn(view);
  ARBOR_ASSERT_OK(txn.CreateDatabase(Db("z")));
  const Values all = {"a", "c", "default", "z"};
  CatalogQuery query(txn);
  for (size_t limit = 1; limit <= 5; ++limit) {
    Values got;
    std::string after;
    for (int pages = 0;; ++pages) {
      ASSERT_LT(pages, 10);
      auto page = query.Databases(after, limit);
      ASSERT_TRUE(page.ok()) << page.status().ToString();
      for (const auto& e : page->entities)
        got.push_back(e.name());
      if (!page->has_more) break;
      after = page->next_after;
    }
    EXPECT_EQ(got, all) << "limit " << limit;
  }
}

// InitialCatalogEdits: the databases a new catalog starts with.
TEST_F(CatalogQueryTest, InitialCatalogHoldsTheDatabasesGiven) {
  ReadView view = View();
  CatalogTxn txn(view);
  auto page = CatalogQuery(txn).Databases("", 10);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->entities.size(), 1u);
  EXPECT_EQ(page->entities[0].name(), "default");

  catalog::Database d = Db(" Sales ");
  d.set_description("x");
  auto edits = InitialCatalogEdits({d});
  ASSERT_TRUE(edits.ok()) << edits.status().ToString();
  MemKvStore kv;
  RepositoryOptions o = testing::TestRepositoryOptions();
  o.initial_entries = std::move(edits).value();
  auto repo = Repository::Open(&kv, std::move(o));
  ASSERT_TRUE(repo.ok()) << repo.status().ToString();
  auto fresh = (*repo)->OpenView("main");
  ASSERT_TRUE(fresh.ok());
  CatalogTxn fresh_txn(*fresh);
  auto db = fresh_txn.GetDatabase("sales");
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_EQ(db->name(), "sales");
  EXPECT_EQ(db->description(), "x");

  EXPECT_EQ(InitialCatalogEdits({Db(" ")}).status().code(), StatusCode::kInvalidArgument);
}

// ---------------------------------------------------------------------------
// Boxes: key ranges over escaped names, and the check on values.

ValueInterval Point(const std::string& v) {
  return ValueInterval{v, v};
}
ValueInterval Between(std::optional<std::string> lo, std::optional<std::string> hi) {
  return ValueInterval{std::move(lo), std::move(hi)};
}

// Whether one of `ranges` holds `name`.
bool Covered(const std::vector<PartitionNameRange>& ranges, const std::string& name) {
  for (const auto& r : ranges) {
    if (r.Contains(name)) return true;
  }
  return false;
}

TEST(PartitionNameRangesTest, PointsNarrowToOneValue) {
  using R = PartitionNameRange;
  // A leading point: the names under "ds=v/hr=", nothing else.
  EXPECT_THAT(PartitionNameRanges({"ds", "hr"}, {{Point("2024-01-01")}}),
              ElementsAre(R{"ds=2024-01-01/hr=", "ds=2024-01-01/hr>"}));
  // Points on every key: one name.
  EXPECT_THAT(PartitionNameRanges({"ds", "hr"}, {{Point("d"), Point("1")}}),
              ElementsAre(R{"ds=d/hr=1", std::string("ds=d/hr=1\0", 10)}));
  // Values are escaped as in names; "" is the default partition name.
  EXPECT_THAT(PartitionNameRanges({"k"}, {{Point("a/b")}}),
              ElementsAre(R{"k=a%2Fb", std::string("k=a%2Fb\0", 8)}));
  EXPECT_THAT(PartitionNameRanges({"k", "j"}, {{Point("")}}),
              ElementsAre(R{"k=__HIVE_DEFAULT_PARTITION__/j=", "k=__HIVE_DEFAULT_PARTITION__/j>"}));
  // A free key stops the narrowing; boxes unite, in order, merged.
  EXPECT_THAT(PartitionNameRanges({"a", "b"}, {{Between(std::nullopt, std::nullopt), Point("x")}}),
              ElementsAre(R{"a=", "a>"}));
  EXPECT_THAT(PartitionNameRanges({"a", "b"}, {{Point("y")}, {Point("x")}, {Point("x")}}),
              ElementsAre(R{"a=x/b=", "a=x/b>"}, R{"a=y/b=", "a=y/b>"}));
  // No box: nothing to read.
  EXPECT_THAT(PartitionNameRanges({"a"}, {}), ElementsAre());
}

TEST(PartitionNameRangesTest, IntervalsStayWithinTheirCommonPrefix) {
  // Every range lies within January and February (escaped spellings such as
  // "2024-01%2F" included), and the days outside are left out.
  auto ranges = PartitionNameRanges({"ds", "hr"}, {{Between("2024-01-05", "2024-02-10")}});
  ASSERT_FALSE(ranges.empty());
  for (const auto& r : ranges) {
    EXPECT_GE(r.begin, "ds=2024-01") << r.begin;
    ASSERT_TRUE(r.end.has_value());
    EXPECT_LE(*r.end, "ds=2024-03") << *r.end;
  }
  EXPECT_TRUE(Covered(ranges, "ds=2024-01-05/hr=0"));
  EXPECT_TRUE(Covered(ranges, "ds=2024-01-31/hr=23"));
  EXPECT_TRUE(Covered(ranges, "ds=2024-02-10/hr=1"));
  EXPECT_TRUE(Covered(ranges, "ds=2024-01-05%3A00/hr=1"));  // "2024-01-05:00"
  EXPECT_FALSE(Covered(ranges, "ds=2024-01-04/hr=0"));
  EXPECT_FALSE(Covered(ranges, "ds=2024-02-11/hr=0"));
  EXPECT_FALSE(Covered(ranges, "ds=2024-03-01/hr=0"));
  // Escaped bytes inside the interval: "a/" < "a/b" < "a0", but their names
  // "k=a%2F" and "k=a%2Fb" sort before "k=a0", away from plain bytes.
  ranges = PartitionNameRanges({"k"}, {{Between("a/", "a0")}});
  EXPECT_TRUE(Covered(ranges, "k=a%2F"));
  EXPECT_TRUE(Covered(ranges, "k=a%2Fb"));
  EXPECT_TRUE(Covered(ranges, "k=a0"));
  EXPECT_FALSE(Covered(ranges, "k=a"));
  EXPECT_FALSE(Covered(ranges, "k=a.z"));
  EXPECT_FALSE(Covered(ranges, "k=a1"));
  // An open lower bound takes in "", named by the default partition name.
  ranges = PartitionNameRanges({"k", "j"}, {{Between(std::nullopt, "b")}});
  EXPECT_TRUE(Covered(ranges, "k=__HIVE_DEFAULT_PARTITION__/j=1"));
  EXPECT_TRUE(Covered(ranges, "k=a%25/j=1"));  // "a%"
  EXPECT_TRUE(Covered(ranges, "k=b/j=1"));
  EXPECT_FALSE(Covered(ranges, "k=c/j=1"));
  // A lower bound alone: everything from it on, with escaped spellings.
  ranges = PartitionNameRanges({"k"}, {{Between("b", std::nullopt)}});
  EXPECT_TRUE(Covered(ranges, "k=b"));
  EXPECT_TRUE(Covered(ranges, "k=%7B"));  // "{"
  EXPECT_TRUE(Covered(ranges, "k=\xc3\xa9"));
  EXPECT_FALSE(Covered(ranges, "k=a"));
  EXPECT_FALSE(Covered(ranges, "k=__HIVE_DEFAULT_PARTITION__"));  // "" < "b"
  // An empty interval reads nothing.
  EXPECT_THAT(PartitionNameRanges({"k"}, {{Between("b", "a")}}), ElementsAre());
}

// Seeded: for random keys, values and boxes, every partition whose values lie
// in a box has its name in a range.
TEST(PartitionNameRangesTest, RandomBoxesCoverTheirPartitions) {
  const uint64_t seed = testing::TestSeed();
  SCOPED_TRACE(testing::SeedNote(seed));
  std::cout << "PartitionNameRangesTest " << testing::SeedNote(seed) << "\n";
  std::mt19937_64 rng(seed);
  // Bytes that escape, that sort around '%' and '/', and high bytes.
  std::string bytes = "ab/%.0=_~ \x7f\xc3\xff:{";
  bytes += '\0';
  auto random_string = [&] {
    std::string s;
    for (size_t n = rng() % 4; n > 0; --n)
      s += bytes[rng() % bytes.size()];
    return s;
  };
  auto bound = [&]() -> std::optional<std::string> {
    if (rng() % 3 == 0) return std::nullopt;
    return random_string();
  };
  for (int round = 0; round < 3000; ++round) {
    const Values keys = Values{"k1", "k2", "k3"};
    const size_t nkeys = 1 + rng() % 3;
    const Values ks(keys.begin(), keys.begin() + nkeys);
    std::vector<ValueBox> boxes(rng() % 3);
    for (ValueBox& box : boxes) {
      box.resize(rng() % (nkeys + 1));
      for (auto& iv : box) {
        if (rng() % 3 == 0) {
          iv = Point(random_string());
        } else {
          iv = Between(bound(), bound());
        }
      }
    }
    const auto ranges = PartitionNameRanges(ks, boxes);
    for (size_t i = 1; i < ranges.size(); ++i) {
      ASSERT_TRUE(ranges[i - 1].end && *ranges[i - 1].end < ranges[i].begin) << "round " << round;
    }
    for (int v = 0; v < 40; ++v) {
      Values values;
      for (size_t k = 0; k < nkeys; ++k) {
        values.push_back(random_string());
      }
      bool in = false;
      for (const ValueBox& box : boxes) {
        bool in_box = true;
        for (size_t k = 0; k < box.size(); ++k) {
          if (box[k].lower) in_box = in_box && values[k] >= *box[k].lower;
          if (box[k].upper) in_box = in_box && values[k] <= *box[k].upper;
        }
        in = in || in_box;
      }
      if (!in) continue;
      const std::string name = MakePartName(ks, values).value();
      ASSERT_TRUE(Covered(ranges, name)) << "round " << round << ": " << name;
    }
  }
}

TEST_F(CatalogQueryTest, CandidateBoundCountsRangesAndUpToSomeEdits) {
  catalog::Table t = CreateTable({"a", "b"});
  Add(t, {{"1", "x"}, {"1", "y"}, {"2", "x"}, {"3", "x"}, {"3", "y"}});
  Commit();
  auto bound = [&](const CatalogTxn& txn, const PartitionQuery& q, size_t max_edits) {
    auto b = CatalogQuery(txn).CandidateBound(t, q, max_edits);
    EXPECT_TRUE(b.ok()) << b.status().ToString();
    return b.ok() ? *b : std::nullopt;
  };
  {
    ReadView view = View();
    CatalogTxn txn(view);
    PartitionQuery q;
    EXPECT_EQ(bound(txn, q, 0), 5u);
    q.values = {"3"};  // one key range
    EXPECT_EQ(bound(txn, q, 0), 2u);
    q.values = {"", "x"};  // a check on names within the whole range: all are candidates
    EXPECT_EQ(bound(txn, q, 0), 5u);
    q = PartitionQuery();
    q.within = std::vector<ValueBox>{{Point("1")}, {Point("3")}};  // two ranges
    EXPECT_EQ(bound(txn, q, 0), 4u);
    q.limit = 0;
    EXPECT_EQ(bound(txn, q, 0), 0u);
    // A page stops after its limit when the ranges alone select; not when a
    // check on values may skip candidates.
    q = PartitionQuery();
    q.limit = 2;
    EXPECT_EQ(bound(txn, q, 0), 2u);
    q.offset = 1;
    EXPECT_EQ(bound(txn, q, 0), 3u);
    q.offset = 4;
    EXPECT_EQ(bound(txn, q, 0), 5u);
    q = PartitionQuery();
    q.within = std::vector<ValueBox>{{Point("1")}, {Point("3")}};
    q.limit = 1;
    EXPECT_EQ(bound(txn, q, 0), 4u);
    // A pending edit in the range counts as one more candidate, when edits are read.
    ARBOR_ASSERT_OK(txn.AddPartitions("d", "t", {Part({"3", "z"})}, false).status());
    q = PartitionQuery();
    q.values = {"3"};
    EXPECT_EQ(bound(txn, q, 0), std::nullopt);
    EXPECT_EQ(bound(txn, q, 1), 3u);
    q.values = {"1"};  // elsewhere: none to read
    EXPECT_EQ(bound(txn, q, 0), 2u);
  }
  // Staged on the branch: a drop still counts its key (a bound, not a count).
  Add(t, {{"2", "y"}, {"4", "x"}});
  Stage([&](CatalogTxn& txn) { return txn.DropPartition("d", "t", "a=1/b=x"); });
  ReadView view = View();
  CatalogTxn txn(view);
  PartitionQuery q;
  EXPECT_EQ(bound(txn, q, 2), std::nullopt);
  EXPECT_EQ(bound(txn, q, 3), 8u);
  q.values = {"3"};
  EXPECT_EQ(bound(txn, q, 0), 2u);
  q.values = {"1"};
  EXPECT_EQ(bound(txn, q, 0), std::nullopt);
  EXPECT_EQ(bound(txn, q, 1), 3u);
}

TEST_F(CatalogQueryTest, WithinSelectsByStoredValues) {
  catalog::Table t = CreateTable({"a", "b"});
  // "" and "__HIVE_DEFAULT_PARTITION__" share a name; the stored value decides.
  Add(t, {{"", "x"}, {"__HIVE_DEFAULT_PARTITION__", "y"}, {"a/b", "x"}, {"a", "x"}, {"b", "z"}});
  Commit();
  ReadView view = View();
  CatalogTxn txn(view);
  PartitionQuery q;
  q.within = std::vector<ValueBox>{{Point("")}};
  EXPECT_THAT(MustNames(txn, t, q), ElementsAre("a=__HIVE_DEFAULT_PARTITION__/b=x"));
  q.within = std::vector<ValueBox>{{Point("__HIVE_DEFAULT_PARTITION__")}};
  EXPECT_THAT(MustNames(txn, t, q), ElementsAre("a=__HIVE_DEFAULT_PARTITION__/b=y"));
  // Up to "A": the stored "" but not the literal (0x5F sorts above 'A').
  q.within = std::vector<ValueBox>{{Between(std::nullopt, "A")}};
  EXPECT_THAT(MustNames(txn, t, q), ElementsAre("a=__HIVE_DEFAULT_PARTITION__/b=x"));
  // Up to "a0": both, then "a/b" (escaped, so before "a") and "a".
  q.within = std::vector<ValueBox>{{Between(std::nullopt, "a0")}};
  EXPECT_THAT(MustNames(txn, t, q),
              ElementsAre("a=__HIVE_DEFAULT_PARTITION__/b=x", "a=__HIVE_DEFAULT_PARTITION__/b=y",
                          "a=a%2Fb/b=x", "a=a/b=x"));
  // The predicate sees the stored values too, and offsets count what is selected.
  std::vector<Values> seen;
  q.predicate = [&](const Values& v) {
    seen.push_back(v);
    return v[1] == "x";
  };
  q.offset = 1;
  EXPECT_THAT(MustNames(txn, t, q), ElementsAre("a=a%2Fb/b=x", "a=a/b=x"));
  EXPECT_THAT(seen, ElementsAre(Values{"", "x"}, Values{"__HIVE_DEFAULT_PARTITION__", "y"},
                                Values{"a/b", "x"}, Values{"a", "x"}));
  auto n = CatalogQuery(txn).CountPartitions(t, q);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 2u);
  // No box: none.
  q = PartitionQuery();
  q.within = std::vector<ValueBox>{};
  EXPECT_THAT(MustNames(txn, t, q), ElementsAre());
  // Boxes and a partial specification together.
  q = PartitionQuery();
  q.values = {"a"};
  q.within = std::vector<ValueBox>{{Between("a", "b")}};
  EXPECT_THAT(MustNames(txn, t, q), ElementsAre("a=a/b=x"));
}

// ---------------------------------------------------------------------------
// Seeded random queries against a model, over three layers of edits.

class CatalogQueryModelTest : public CatalogQueryTest {
 protected:
  // Values with characters that escape ('/', '='), prefixes of each other,
  // and bytes around '/' in order ('.', '0').
  const Values kAlphabet = {"a", "ab", "b", "a/b", "x=y", ".", "0", "a.", "A"};
  // Stored values beyond those: the empty value and the default partition
  // name (one name), escaped bytes between plain ones.
  const Values kMoreValues = {"", "__HIVE_DEFAULT_PARTITION__", "a%", "a0", "\x7f", "\xc3\xa9"};
};

TEST_F(CatalogQueryModelTest, RandomQueriesMatchTheModel) {
  const uint64_t seed = testing::TestSeed();
  SCOPED_TRACE(testing::SeedNote(seed));
  std::cout << "CatalogQueryModelTest " << testing::SeedNote(seed) << "\n";
  std::mt19937_64 rng(seed);
  auto pick = [&](const auto& from) { return from[rng() % from.size()]; };

  catalog::Table t = CreateTable({"k1", "k2"});
  std::map<std::string, Values> model;  // name -> values
  std::vector<Values> all_values;
  Values stored_values = kAlphabet;
  stored_values.insert(stored_values.end(), kMoreValues.begin(), kMoreValues.end());
  for (const auto& a : stored_values) {
    for (const auto& b : stored_values)
      all_values.push_back({a, b});
  }
  auto name_of = [&](const Values& v) { return MakePartName({"k1", "k2"}, v).value(); };
  // One layer of random adds and drops, through `txn`.
  auto mutate = [&](CatalogTxn& txn, int n) -> Status {
    for (int i = 0; i < n; ++i) {
      Values v = all_values[rng() % all_values.size()];
      std::string name = name_of(v);
      if (model.count(name)) {
        ARBOR_RETURN_IF_ERROR(txn.DropPartition("d", "t", name));
        model.erase(name);
      } else {
        ARBOR_RETURN_IF_ERROR(txn.AddPartitions("d", "t", {Part(v)}, false).status());
        model[name] = v;
      }
    }
    return Status::OK();
  };
  // Checks `rounds` random queries on `txn` against `model`.
  auto check = [&](const CatalogTxn& txn, const std::string& layers, int rounds) {
    for (int round = 0; round < rounds; ++round) {
      PartitionQuery q;
      size_t n_values = rng() % 3;
      for (size_t i = 0; i < n_values; ++i)
        q.values.push_back(rng() % 3 == 0 ? "" : pick(kAlphabet));
      const bool with_predicate = rng() % 3 == 0;
      const std::string excluded = pick(kAlphabet);
      if (with_predicate) q.predicate = [&](const Values& v) { return v[1] != excluded; };
      q.parse = rng() % 2 == 0;
      if (rng() % 3 == 0) {
        auto bound = [&]() -> std::optional<std::string> {
          if (rng() % 3 == 0) return std::nullopt;
          return pick(stored_values);
        };
        q.within.emplace(rng() % 3);
        for (ValueBox& box : *q.within) {
          box.resize(rng() % 3);
          for (auto& iv : box)
            iv = rng() % 3 == 0 ? Point(pick(stored_values)) : Between(bound(), bound());
        }
      }
      auto in_within = [&](const Values& v) {
        if (!q.within) return true;
        for (const ValueBox& box : *q.within) {
          bool in = true;
          for (size_t i = 0; i < box.size(); ++i) {
            if (box[i].lower) in = in && v[i] >= *box[i].lower;
            if (box[i].upper) in = in && v[i] <= *box[i].upper;
          }
          if (in) return true;
        }
        return false;
      };
      // The model's answer to everything but paging.
      Values selected;
      for (const auto& [name, v] : model) {
        bool ok = true;
        for (size_t i = 0; i < q.values.size(); ++i)
          ok = ok && (q.values[i].empty() || q.values[i] == v[i]);
        if (with_predicate) ok = ok && v[1] != excluded;
        if (ok && in_within(v)) selected.push_back(name);
      }
      std::string trace = layers + ", round " + std::to_string(round);

      // One page with random after/offset/limit.
      PartitionQuery one = q;
      switch (rng() % 3) {
        case 0:
          break;
        case 1:
          one.after = name_of(pick(all_values));  // present or not
          break;
        case 2:
          one.offset = rng() % (selected.size() + 3);
          break;
      }
      one.limit = rng() % 4 == 0 ? SIZE_MAX : rng() % 6;
      Values want;
      uint64_t skip = one.offset;
      for (const auto& name : selected) {
        if (!one.after.empty() && name <= one.after) continue;
        if (skip > 0) {
          --skip;
          continue;
        }
        if (want.size() == one.limit) break;
        want.push_back(name);
      }
      Values got;
      ARBOR_ASSERT_OK(CatalogQuery(txn).Partitions(
          t, one, [&](const std::string& name, const catalog::Partition* p) {
            EXPECT_EQ(p != nullptr, one.parse) << trace;
            if (p) EXPECT_EQ(name_of(ValuesOf(*p)), name) << trace;
            got.push_back(name);
            return true;
          }));
      ASSERT_EQ(got, want) << trace;
      // The same page as stored bytes: the same names, each value the partition named.
      Values stored_names;
      ARBOR_ASSERT_OK(CatalogQuery(txn).PartitionsStored(
          t, one, [&](const std::string& name, std::string_view stored) {
            catalog::Partition p;
            EXPECT_TRUE(ParseProto(stored, &p).ok()) << trace;
            EXPECT_EQ(name_of(ValuesOf(p)), name) << trace;
            stored_names.push_back(name);
            return true;
          }));
      ASSERT_EQ(stored_names, want) << trace;
      // The same page as names alone, read from keys without a copy where nothing
      // is pending or staged in the range.
      Values bare_names;
      ARBOR_ASSERT_OK(CatalogQuery(txn).PartitionNames(t, one, [&](std::string_view name) {
        bare_names.emplace_back(name);
        return true;
      }));
      ASSERT_EQ(bare_names, want) << trace;
      // The count of the same page, by subtree counts where nothing is staged.
      auto counted = CatalogQuery(txn).CountPartitions(t, one);
      ARBOR_ASSERT_OK(counted.status());
      EXPECT_EQ(*counted, want.size()) << trace;

      // Pages resumed with the last name concatenate to the whole selection.
      PartitionQuery paged = q;
      paged.limit = 1 + rng() % 5;
      Values concatenated;
      for (int pages = 0;; ++pages) {
        ASSERT_LE(pages, static_cast<int>(selected.size()) + 1) << trace;
        auto page = Names(txn, t, paged);
        ASSERT_TRUE(page.ok()) << trace << ": " << page.status().ToString();
        concatenated.insert(concatenated.end(), page->begin(), page->end());
        if (page->size() < paged.limit) break;
        paged.after = page->back();
      }
      ASSERT_EQ(concatenated, selected) << trace;
      // Offsets page the same way.
      PartitionQuery by_offset = q;
      by_offset.limit = paged.limit;
      Values offset_pages;
      for (int pages = 0;; ++pages) {
        ASSERT_LE(pages, static_cast<int>(selected.size()) + 1) << trace;
        auto page = Names(txn, t, by_offset);
        ASSERT_TRUE(page.ok()) << trace << ": " << page.status().ToString();
        offset_pages.insert(offset_pages.end(), page->begin(), page->end());
        if (page->size() < by_offset.limit) break;
        by_offset.offset += page->size();
      }
      ASSERT_EQ(offset_pages, selected) << trace;
    }
  };

  Stage([&](CatalogTxn& txn) { return mutate(txn, 60); });
  Commit();
  {
    ReadView view = View();  // nothing staged: offsets go by rank in the tree
    CatalogTxn txn(view);
    check(txn, "committed", 150);
  }
  Stage([&](CatalogTxn& txn) { return mutate(txn, 15); });
  ReadView view = View();
  {
    CatalogTxn txn(view);
    check(txn, "committed+staged", 150);
  }
  CatalogTxn txn(view);
  ARBOR_ASSERT_OK(mutate(txn, 15));
  ASSERT_FALSE(model.empty());
  check(txn, "committed+staged+pending", 150);
}

}  // namespace
}  // namespace arbor

// Commit-graph walks on hand-built histories: the first-parent skip index that
// MakeCommit records, and MergeBase against a brute-force best common ancestor on
// seeded random DAGs with merges, octopus merges, clock skew, disjoint roots and
// commits without the index (as written before it existed).
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <vector>

#include "storage/mem_kv_store.h"
#include "storage/object_store.h"
#include "versioning/commit_graph.h"
#include "versioning/commit_store.h"

namespace arbor {
namespace {

// Counts object reads, so a test can tell how many commits a walk loaded.
class CountingKv final : public KvStore {
 public:
  Result<std::string> Get(Column c, std::string_view key,
                          const ReadOptions& options = {}) override {
    ++gets;
    return inner.Get(c, key, options);
  }
  std::unique_ptr<KvIterator> NewIterator(Column c, const ReadOptions& options) override {
    return inner.NewIterator(c, options);
  }
  std::unique_ptr<Snapshot> GetSnapshot() override { return inner.GetSnapshot(); }
  Status Write(const WriteBatch& batch, const WriteOptions& options = {}) override {
    return inner.Write(batch, options);
  }
  Status SyncWal() override { return Status::OK(); }

  MemKvStore inner;
  size_t gets = 0;
};

class CommitGraphTest : public ::testing::Test {
 protected:
  // Adds a commit on `parents` at `time`; `legacy` strips the skip index, as in a
  // commit written before the index existed (its id then matches such a commit's).
  ObjectId Add(std::vector<ObjectId> parents, int64_t time, bool legacy = false) {
    auto data = MakeCommit(&commits_, tree_, std::move(parents), "test", "m", time, {});
    EXPECT_TRUE(data.ok()) << data.status().ToString();
    if (legacy) {
      data->skip.reset();
      data->skip_steps = 0;
      data->skip_low = 0;
    }
    WriteBatch batch;
    ObjectId id = commits_.Put(std::move(*data), &batch)->id;
    EXPECT_TRUE(kv_.Write(batch).ok());
    order_.push_back(id);
    return id;
  }

  CommitPtr Get(CommitStore* store, const ObjectId& id) {
    auto c = store->Get(id);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return *c;
  }

  // Ancestors (inclusive) of every commit added so far, by brute force.
  std::map<ObjectId, std::set<ObjectId>> AllAncestors() {
    std::map<ObjectId, std::set<ObjectId>> anc;
    for (const auto& id : order_) {  // parents come first
      std::set<ObjectId> s{id};
      for (const auto& p : Get(&commits_, id)->parents)
        s.insert(anc[p].begin(), anc[p].end());
      anc[id] = std::move(s);
    }
    return anc;
  }

  CountingKv kv_;
  ObjectStore objects_{&kv_};
  CommitStore commits_{&objects_};
  ObjectId tree_ = ObjectId::Hash(0, "tree");
  std::vector<ObjectId> order_;
};

TEST_F(CommitGraphTest, SkipPointersFormASkewBinaryList) {
  std::vector<ObjectId> chain{Add({}, 1)};
  for (int i = 1; i < 64; ++i)
    chain.push_back(Add({chain.back()}, 1 + i));
  EXPECT_FALSE(Get(&commits_, chain[0])->skip.has_value());
  const std::vector<uint64_t> expect{1, 1, 3, 1, 1, 3, 7, 1, 1, 3, 1, 1, 3, 7, 15};
  for (size_t i = 1; i <= expect.size(); ++i) {
    CommitPtr c = Get(&commits_, chain[i]);
    ASSERT_TRUE(c->skip.has_value()) << i;
    EXPECT_EQ(c->skip_steps, expect[i - 1]) << i;
    EXPECT_EQ(*c->skip, chain[i - c->skip_steps]) << i;
    // On a plain chain, ancestors(c) \ ancestors(skip) starts right above the target.
    EXPECT_EQ(c->skip_low, Get(&commits_, chain[i - c->skip_steps + 1])->corrected_micros);
  }
  // The index is stored: a store without a cache decodes the same fields.
  CommitStore cold(&objects_, 0);
  CommitPtr c = Get(&cold, chain[63]);
  CommitPtr warm = Get(&commits_, chain[63]);
  ASSERT_TRUE(c->skip.has_value());
  EXPECT_EQ(*c->skip, *warm->skip);
  EXPECT_EQ(c->skip_steps, warm->skip_steps);
  EXPECT_EQ(c->skip_low, warm->skip_low);
}

TEST_F(CommitGraphTest, CommitWithoutIndexKeepsItsOldId) {
  ObjectId root = Add({}, 1);
  ObjectId legacy = Add({root}, 2, /*legacy=*/true);
  ObjectId indexed = Add({root}, 2);
  EXPECT_NE(legacy, indexed);  // the index is part of a new commit's content
  CommitStore cold(&objects_, 0);
  EXPECT_FALSE(Get(&cold, legacy)->skip.has_value());
  // A root commit has nothing to skip to, so its encoding (and id) is unchanged.
  EXPECT_FALSE(Get(&cold, root)->skip.has_value());
}

TEST_F(CommitGraphTest, OldForkLoadsLogarithmicallyManyCommits) {
  // main: 5 000 commits, merging a side branch every 50; old: forked at commit 10,
  // with 3 commits made after all of main's.
  int64_t clock = 1000;
  ObjectId main = Add({}, clock), side = main, fork;
  for (int i = 1; i <= 5000; ++i) {
    clock += 10;
    if (i % 50 == 0) {
      side = Add({side}, clock);
      clock += 10;
      main = Add({main, side}, clock);
    } else {
      main = Add({main}, clock);
    }
    if (i == 10) fork = main;
  }
  ObjectId old = fork;
  for (int i = 0; i < 3; ++i) {
    clock += 10;
    old = Add({old}, clock);
  }
  CommitStore cold(&objects_, 0);  // every Get reads the store
  kv_.gets = 0;
  auto base = MergeBase(&cold, main, old);
  ASSERT_TRUE(base.ok());
  ASSERT_TRUE(base->has_value());
  EXPECT_EQ(**base, fork);
  // A walk down main would load about 5 100 commits; skips need O(log) per side.
  EXPECT_LT(kv_.gets, 200u);
  kv_.gets = 0;
  auto rev = MergeBase(&cold, old, main);
  ASSERT_TRUE(rev.ok() && rev->has_value());
  EXPECT_EQ(**rev, fork);
  EXPECT_LT(kv_.gets, 200u);
  // Merging the old fork back brings in its 3 commits and nothing else, cheaply.
  kv_.gets = 0;
  auto low = MinCorrectedMergedIn(&cold, main, {old});
  ASSERT_TRUE(low.ok());
  EXPECT_EQ(*low, Get(&commits_, NthFirstParent(&commits_, old, 2).value())->corrected_micros);
  EXPECT_LT(kv_.gets, 200u);
}

// Seeded random histories: every skip pointer is sound, and MergeBase returns one of
// the best common ancestors (or none when the histories are disjoint).
TEST_F(CommitGraphTest, RandomHistoriesMatchBruteForce) {
  for (uint32_t seed = 1; seed <= 6; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    order_.clear();
    std::mt19937 rng(seed);
    auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
    int64_t clock = 1'000'000;
    // Clock skew: a commit's own time may lag its parents' by up to 5 ms.
    auto tick = [&] {
      clock += 1000;
      return clock - static_cast<int64_t>(pick(5000));
    };
    const bool legacy_prefix = seed % 2 == 0;  // seeds with an indexless start
    std::vector<ObjectId> heads{Add({}, tick(), legacy_prefix)};
    for (int i = 0; i < 500; ++i) {
      const bool legacy = legacy_prefix && i < 100;
      const size_t r = pick(100);
      const size_t h = pick(heads.size());
      if (r < 8 && heads.size() < 6) {
        heads.push_back(heads[h]);  // a new branch
      } else if (r < 10) {
        heads.push_back(Add({}, tick(), legacy));  // a disjoint history
      } else if (r < 30 && heads.size() > 1) {
        size_t o = pick(heads.size());
        if (o == h) continue;
        std::vector<ObjectId> parents{heads[h], heads[o]};
        if (r < 13 && heads.size() > 2) {  // octopus
          size_t o2 = pick(heads.size());
          if (o2 != h && o2 != o) parents.push_back(heads[o2]);
        }
        heads[h] = Add(parents, tick(), legacy);
        if (r < 20) heads[o] = heads[h];  // fast-forward the other (criss-cross later)
      } else {
        heads[h] = Add({heads[h]}, tick(), legacy);
      }
    }
    auto anc = AllAncestors();
    for (const auto& id : order_) {
      CommitPtr c = Get(&commits_, id);
      if (!c->skip) continue;
      // skip is skip_steps first parents down ...
      auto target = NthFirstParent(&commits_, id, c->skip_steps);
      ASSERT_TRUE(target.ok());
      EXPECT_EQ(*target, *c->skip);
      // ... and skip_low bounds every commit in ancestors(c) \ ancestors(skip).
      const auto& below = anc[*c->skip];
      for (const auto& a : anc[id]) {
        if (below.count(a)) continue;
        EXPECT_LE(c->skip_low, Get(&commits_, a)->corrected_micros);
      }
    }
    for (int q = 0; q < 400; ++q) {
      const ObjectId a = order_[pick(order_.size())];
      const ObjectId b = q % 4 == 0 ? heads[pick(heads.size())] : order_[pick(order_.size())];
      std::set<ObjectId> common;
      for (const auto& x : anc[a])
        if (anc[b].count(x)) common.insert(x);
      std::set<ObjectId> best = common;
      for (const auto& x : common)
        for (const auto& y : anc[x])
          if (y != x) best.erase(y);
      auto base = MergeBase(&commits_, a, b);
      ASSERT_TRUE(base.ok());
      if (best.empty()) {
        EXPECT_FALSE(base->has_value());
      } else {
        ASSERT_TRUE(base->has_value());
        EXPECT_TRUE(best.count(**base)) << a.ShortHex() << " " << b.ShortHex();
      }
      auto is = IsAncestor(&commits_, a, b);
      ASSERT_TRUE(is.ok());
      EXPECT_EQ(*is, anc[b].count(a) == 1);
    }
  }
}

}  // namespace
}  // namespace arbor

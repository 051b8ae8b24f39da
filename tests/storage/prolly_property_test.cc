// Property tests of the prolly tree over seeded random data. Every failure message
// carries the seed; ARBOR_TEST_SEED=<seed> replays it.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "tests/storage/tree_env.h"
#include "tests/support/seed.h"

namespace arbor {
namespace {

using testing::ModelDiff;
using testing::SeedNote;
using testing::TreeEnv;

using Model = std::map<std::string, std::string>;

std::string RandomKey(std::mt19937_64& rng, int universe) {
  // Shared prefixes, like catalog keys, exercise prefix compression and deep ties.
  int n = static_cast<int>(rng() % universe);
  return "db" + std::to_string(n % 7) + std::string(1, '\0') + "t" + std::to_string(n);
}

std::string RandomValue(std::mt19937_64& rng) {
  size_t len = rng() % 40;
  if (rng() % 50 == 0) len = 100 + rng() % 200;  // now and then, an out-of-line value
  std::string v(len, 'a');
  for (char& c : v)
    c = static_cast<char>('a' + rng() % 26);
  return v;
}

TreeOptions TinyNodes() {
  TreeOptions o;
  o.target_leaf_bytes = 128;  // deep trees from a few hundred entries
  o.target_internal_bytes = 128;
  o.max_inline_value = 96;
  return o;
}

// The same entry set, reached through different random edit histories, has one root.
TEST(ProllyPropertyTest, RootIsCanonicalAcrossEditOrders) {
  const uint64_t seed = testing::TestSeed();
  std::mt19937_64 rng(seed);
  TreeEnv env(TinyNodes());
  constexpr int kCases = 2000;
  for (int c = 0; c < kCases; ++c) {
    Model target;
    int n = static_cast<int>(rng() % 120);
    for (int i = 0; i < n; ++i)
      target[RandomKey(rng, 400)] = RandomValue(rng);
    ObjectId expected = env.Build(target);

    // History: insert in random order and random batch sizes, with detours: keys that
    // are added and deleted again, values that are set wrong and then fixed.
    std::vector<Edit> history;
    for (const auto& [k, v] : target) {
      if (rng() % 4 == 0) history.push_back({k, RandomValue(rng)});
      history.push_back({k, v});
    }
    for (int extra = static_cast<int>(rng() % 20); extra > 0; --extra) {
      std::string k = RandomKey(rng, 400);
      if (target.count(k)) continue;
      history.push_back({k, RandomValue(rng)});
      history.push_back({k, std::nullopt});
    }
    // Shuffle, keeping each key's own edits in order.
    std::vector<size_t> order(history.size());
    for (size_t i = 0; i < order.size(); ++i)
      order[i] = rng();
    std::vector<size_t> idx(history.size());
    for (size_t i = 0; i < idx.size(); ++i)
      idx[i] = i;
    std::stable_sort(idx.begin(), idx.end(),
                     [&](size_t a, size_t b) { return order[a] < order[b]; });
    std::map<std::string, std::vector<Edit>> per_key;
    for (auto& e : history)
      per_key[e.key].push_back(e);
    std::map<std::string, size_t> next;
    std::vector<Edit> shuffled;
    for (size_t i : idx) {
      const std::string& k = history[i].key;
      shuffled.push_back(per_key[k][next[k]++]);
    }

    ObjectId root = env.tree.EmptyRoot();
    size_t pos = 0;
    while (pos < shuffled.size()) {
      size_t batch = 1 + rng() % 16;
      std::vector<Edit> edits(shuffled.begin() + pos,
                              shuffled.begin() + std::min(shuffled.size(), pos + batch));
      root = env.Apply(root, edits);
      pos += batch;
    }
    ASSERT_EQ(root, expected) << "case " << c << ", " << target.size() << " entries, "
                              << SeedNote(seed);
  }
}

// After every random batch, the tree equals a std::map model: contents, count, gets,
// ranks and offsets.
TEST(ProllyPropertyTest, TreeMatchesMapModel) {
  const uint64_t seed = testing::TestSeed();
  std::mt19937_64 rng(seed);
  for (TreeOptions options : {TinyNodes(), TreeOptions{}}) {
    TreeEnv env(options);
    Model model;
    ObjectId root = env.tree.EmptyRoot();
    for (int step = 0; step < 300; ++step) {
      std::vector<Edit> edits;
      int k = 1 + static_cast<int>(rng() % (step % 10 == 0 ? 300 : 20));
      for (int i = 0; i < k; ++i) {
        std::string key = RandomKey(rng, 2000);
        if (rng() % 3 == 0) {
          edits.push_back({key, std::nullopt});
          model.erase(key);
        } else {
          std::string v = RandomValue(rng);
          edits.push_back({key, v});
          model[key] = v;
        }
      }
      root = env.Apply(root, edits);
      ASSERT_EQ(env.tree.Count(root).value(), model.size())
          << "step " << step << ", " << SeedNote(seed);
      if (step % 25 == 0 || step == 299) {
        ASSERT_EQ(env.Contents(root), model) << "step " << step << ", " << SeedNote(seed);
      }
      for (int probe = 0; probe < 5; ++probe) {
        std::string key = RandomKey(rng, 2000);
        auto it = model.find(key);
        auto got = env.tree.Get(root, key).value();
        ASSERT_EQ(got.has_value(), it != model.end()) << key << " " << SeedNote(seed);
        if (got) {
          ASSERT_EQ(*got, it->second) << SeedNote(seed);
        }
        uint64_t rank = std::distance(model.begin(), model.lower_bound(key));
        ASSERT_EQ(env.tree.Rank(root, key).value(), rank) << SeedNote(seed);
        if (!model.empty()) {
          uint64_t off = rng() % model.size();
          auto c = env.tree.SeekToOffset(root, off).value();
          ASSERT_TRUE(c.Valid());
          ASSERT_EQ(c.key(), std::next(model.begin(), off)->first) << SeedNote(seed);
        }
      }
    }
  }
}

// A diff of two trees equals the diff of their models, in both directions and with
// random ranges.
TEST(ProllyPropertyTest, DiffMatchesModelDiff) {
  const uint64_t seed = testing::TestSeed();
  std::mt19937_64 rng(seed);
  TreeEnv env(TinyNodes());
  for (int c = 0; c < 300; ++c) {
    Model base;
    int n = static_cast<int>(rng() % 600);
    for (int i = 0; i < n; ++i)
      base[RandomKey(rng, 1500)] = RandomValue(rng);
    Model left = base, right = base;
    for (Model* m : {&left, &right}) {
      int changes = static_cast<int>(rng() % 60);
      for (int i = 0; i < changes; ++i) {
        std::string key = RandomKey(rng, 1500);
        if (rng() % 2) {
          m->erase(key);
        } else {
          (*m)[key] = RandomValue(rng);
        }
      }
    }
    ObjectId rl = env.Build(left), rr = env.Build(right);
    ASSERT_EQ(env.Diff(rl, rr), ModelDiff(left, right)) << "case " << c << ", " << SeedNote(seed);
    ASSERT_EQ(env.Diff(rr, rl), ModelDiff(right, left)) << "case " << c << ", " << SeedNote(seed);

    std::string lo = RandomKey(rng, 1500), hi = RandomKey(rng, 1500);
    if (hi < lo) std::swap(lo, hi);
    Model lsub(left.lower_bound(lo), left.lower_bound(hi));
    Model rsub(right.lower_bound(lo), right.lower_bound(hi));
    ASSERT_EQ(env.Diff(rl, rr, DiffRange{lo, hi}), ModelDiff(lsub, rsub))
        << "case " << c << ", " << SeedNote(seed);
  }
}

// A diff with d differences reads O(d · log n) nodes: the count of node loads stays
// within a small constant of d · height, however large the tree.
TEST(ProllyPropertyTest, DiffReadsAreProportionalToDifferences) {
  const uint64_t seed = testing::TestSeed();
  std::mt19937_64 rng(seed);
  TreeOptions options;
  options.target_leaf_bytes = 1024;
  options.target_internal_bytes = 512;
  TreeEnv env(options);
  Model model;
  for (int i = 0; i < 50000; ++i) {
    char key[32];
    snprintf(key, sizeof(key), "db%d/table%07d", i % 3, i);
    model[key] = "value-" + std::to_string(i);
  }
  ObjectId base = env.Build(model);
  uint32_t height = env.Height(base);
  ASSERT_GE(height, 3u);
  for (int d : {1, 10, 100}) {
    std::vector<Edit> edits;
    for (int i = 0; i < d; ++i) {
      auto it = std::next(model.begin(), rng() % model.size());
      edits.push_back({it->first, "changed-" + std::to_string(rng())});
    }
    ObjectId changed = env.Apply(base, edits);
    env.nodes.ResetCounters();
    size_t diffs = env.Diff(base, changed).size();
    uint64_t loads = env.nodes.loads();
    EXPECT_LE(diffs, static_cast<size_t>(d));
    // Both sides' path per difference, plus a neighbour where a boundary shifted.
    EXPECT_LE(loads, 4u * d * height + 4)
        << "d=" << d << " height=" << height << " loads=" << loads << ", " << SeedNote(seed);
    EXPECT_LT(loads, model.size() / 20) << "a diff must not read the whole tree";
  }
}

}  // namespace
}  // namespace arbor

// ProllyTree::ScanKeys, served from NodeStore's key blocks, against a plain map:
// every range, every tree height, early stops, edits (new nodes, new blocks), and
// damaged trees. Seeded; ARBOR_TEST_SEED=<seed> replays a failure.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "tests/storage/tree_env.h"
#include "tests/support/seed.h"

namespace arbor {
namespace key_scan_test {

using testing::SeedNote;
using testing::TreeEnv;

using Model = std::map<std::string, std::string>;

TreeOptions SmallNodes() {
  TreeOptions o;
  o.target_leaf_bytes = 256;  // heights 1 to 5 from a few thousand entries
  o.target_internal_bytes = 128;
  o.max_inline_value = 96;
  return o;
}

std::string Key(int n) {
  // A shared prefix and a separator byte, like catalog keys.
  return "db" + std::to_string(n % 5) + std::string(1, '\0') + "p=" + std::to_string(n);
}

std::vector<std::string> ScanKeys(TreeEnv& env, const ObjectId& root, std::string_view begin,
                                  std::string_view end, size_t stop_after = SIZE_MAX) {
  std::vector<std::string> out;
  Status s = env.tree.ScanKeys(root, begin, end, [&](std::string_view k) {
    out.emplace_back(k);
    return out.size() < stop_after;
  });
  if (!s.ok()) throw std::runtime_error(s.ToString());
  return out;
}

std::vector<std::string> ModelKeys(const Model& m, const std::string& begin, const std::string& end,
                                   size_t stop_after = SIZE_MAX) {
  std::vector<std::string> out;
  for (auto it = m.lower_bound(begin); it != m.end() && out.size() < stop_after; ++it) {
    if (!end.empty() && it->first >= end) break;
    out.push_back(it->first);
  }
  return out;
}

// A bound for a range: a present key, an absent one between keys, or the ends.
std::string RandomBound(std::mt19937_64& rng, int universe) {
  switch (rng() % 4) {
    case 0:
      return "";
    case 1:
      return Key(static_cast<int>(rng() % universe)) + "~";  // just past a key
    default:
      return Key(static_cast<int>(rng() % universe));
  }
}

TEST(ProllyKeyScanTest, MatchesTheModelForEveryHeightRangeAndStop) {
  const uint64_t seed = testing::TestSeed();
  std::mt19937_64 rng(seed);
  TreeEnv env(SmallNodes());
  std::set<uint32_t> heights;
  for (int size : {0, 1, 5, 40, 300, 2000, 6000}) {
    const int universe = size * 2 + 1;
    Model model;
    while (static_cast<int>(model.size()) < size)
      model[Key(static_cast<int>(rng() % universe))] = std::string(rng() % 60, 'v');
    ObjectId root = env.Build(model);
    heights.insert(env.Height(root));
    for (int q = 0; q < 200; ++q) {
      std::string begin = RandomBound(rng, universe);
      std::string end = RandomBound(rng, universe);
      const size_t stop = rng() % 3 == 0 ? 1 + rng() % 50 : SIZE_MAX;
      ASSERT_EQ(ScanKeys(env, root, begin, end, stop), ModelKeys(model, begin, end, stop))
          << "size " << size << ", range [" << begin << ", " << end << "), stop " << stop << ", "
          << SeedNote(seed);
    }
  }
  EXPECT_GE(heights.size(), 4u) << "the sizes must give trees of several heights";
  EXPECT_GE(*heights.rbegin(), NodeStore::kKeyBlockLevel + 2)
      << "some tree must be tall enough to reach key blocks below its root";
}

// Blocks are cached by node id: after edits the scan sees the new keys (new nodes,
// new blocks) and the old root still scans as it was.
TEST(ProllyKeyScanTest, EditsAreSeenAndOldVersionsKeepTheirKeys) {
  const uint64_t seed = testing::TestSeed();
  std::mt19937_64 rng(seed);
  TreeEnv env(SmallNodes());
  Model model;
  for (int i = 0; i < 4000; ++i)
    model[Key(i * 2)] = "v";
  ObjectId root = env.Build(model);
  ASSERT_EQ(ScanKeys(env, root, "", ""), ModelKeys(model, "", ""));  // warms every block
  for (int round = 0; round < 20; ++round) {
    const Model before = model;
    const ObjectId old_root = root;
    std::vector<Edit> edits;
    for (int e = 0; e < 1 + static_cast<int>(rng() % 30); ++e) {
      std::string k = Key(static_cast<int>(rng() % 8000));
      if (rng() % 2 == 0) {
        edits.push_back({k, std::nullopt});
        model.erase(k);
      } else {
        edits.push_back({k, "w"});
        model[k] = "w";
      }
    }
    root = env.Apply(root, edits);
    ASSERT_EQ(ScanKeys(env, root, "", ""), ModelKeys(model, "", ""))
        << "round " << round << ", " << SeedNote(seed);
    ASSERT_EQ(ScanKeys(env, old_root, "", ""), ModelKeys(before, "", ""))
        << "round " << round << ", " << SeedNote(seed);
  }
}

// A scan of a few keys touches a few blocks, not the tree: one key block serves
// hundreds of keys, so a full scan reads far fewer nodes than it has leaves.
TEST(ProllyKeyScanTest, BlocksAreReusedAcrossScans) {
  TreeEnv env;  // the default node sizes
  Model model;
  for (int i = 0; i < 20000; ++i)
    model[Key(i)] = std::string(300, 'x');  // a few entries per leaf, like partitions
  ObjectId root = env.Build(model);
  ASSERT_GE(env.Height(root), NodeStore::kKeyBlockLevel + 2);
  ASSERT_EQ(ScanKeys(env, root, "", "").size(), model.size());
  env.nodes.ResetCounters();
  ASSERT_EQ(ScanKeys(env, root, "", "").size(), model.size());
  // Only the nodes above the key-block level are loaded once the blocks exist.
  EXPECT_LT(env.nodes.loads(), model.size() / 100) << "loads " << env.nodes.loads();
  EXPECT_EQ(env.nodes.misses(), 0u);
}

TEST(ProllyKeyScanTest, KeyBlocksOnlyForLowInternalNodes) {
  TreeEnv env(SmallNodes());
  Model model;
  for (int i = 0; i < 3000; ++i)
    model[Key(i)] = "v";
  ObjectId root = env.Build(model);
  ASSERT_GT(env.Height(root), NodeStore::kKeyBlockLevel + 1);
  auto leaf = env.nodes.LoadKeyBlock(env.tree.EmptyRoot());
  EXPECT_TRUE(leaf.status().code() == StatusCode::kInvalidArgument) << leaf.status().ToString();
  auto top = env.nodes.LoadKeyBlock(root);
  EXPECT_TRUE(top.status().code() == StatusCode::kInvalidArgument) << top.status().ToString();
}

// A node whose child sits at the wrong level is Corruption, never a wrong answer.
TEST(ProllyKeyScanTest, AChildAtTheWrongLevelIsCorruption) {
  TreeEnv env(SmallNodes());
  Model model;
  for (int i = 0; i < 400; ++i)
    model[Key(i)] = "v";
  ObjectId root = env.Build(model);
  ASSERT_GE(env.Height(root), 3u);
  // A level-2 node whose entry points at a leaf instead of a level-1 node.
  NodePtr top = env.nodes.Load(root).value();
  while (top->level > 2)
    top = env.nodes.Load(top->entries[0].child).value();
  ASSERT_EQ(top->level, 2u);
  Node bad = *top;
  NodePtr level1 = env.nodes.Load(bad.entries[0].child).value();
  bad.entries[0].child = level1->entries[0].child;  // a leaf
  WriteBatch batch;
  ObjectId bad_id = env.nodes.Store(bad, &batch);
  auto block = env.nodes.LoadKeyBlock(bad_id);
  EXPECT_TRUE(block.status().IsCorruption()) << block.status().ToString();
}

}  // namespace key_scan_test
}  // namespace arbor

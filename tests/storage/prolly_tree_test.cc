// Unit tests of the prolly tree's operations and error paths.
#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "tests/storage/tree_env.h"

namespace arbor {
namespace {

using testing::TreeEnv;

std::string Key(int i) {
  char buf[32];
  snprintf(buf, sizeof(buf), "key%08d", i);
  return buf;
}

TreeOptions SmallNodes() {
  TreeOptions o;
  o.target_leaf_bytes = 256;
  o.target_internal_bytes = 256;
  o.max_inline_value = 64;
  return o;
}

TEST(ProllyTreeTest, EmptyTree) {
  TreeEnv env;
  ObjectId root = env.tree.EmptyRoot();
  EXPECT_EQ(env.tree.Count(root).value(), 0u);
  EXPECT_FALSE(env.tree.Get(root, "x").value().has_value());
  EXPECT_FALSE(env.tree.Seek(root, "").value().Valid());
  EXPECT_TRUE(env.Diff(root, root).empty());
  EXPECT_EQ(env.Apply(root, {}), root);
  EXPECT_EQ(env.Apply(root, {{"missing", std::nullopt}}), root);
}

TEST(ProllyTreeTest, PutGetOverwriteDelete) {
  TreeEnv env(SmallNodes());
  std::vector<Edit> edits;
  for (int i = 0; i < 2000; ++i)
    edits.push_back({Key(i), "v" + std::to_string(i)});
  ObjectId root = env.Apply(env.tree.EmptyRoot(), edits);
  EXPECT_GT(env.Height(root), 2u);  // small nodes make a real multi-level tree
  EXPECT_EQ(env.tree.Count(root).value(), 2000u);
  for (int i = 0; i < 2000; i += 37)
    EXPECT_EQ(*env.tree.Get(root, Key(i)).value(), "v" + std::to_string(i));
  EXPECT_FALSE(env.tree.Get(root, "key").value().has_value());
  EXPECT_FALSE(env.tree.Get(root, "zzz").value().has_value());

  ObjectId r2 = env.Apply(root, {{Key(5), "changed"}, {Key(6), std::nullopt}});
  EXPECT_EQ(*env.tree.Get(r2, Key(5)).value(), "changed");
  EXPECT_FALSE(env.tree.Get(r2, Key(6)).value().has_value());
  EXPECT_EQ(env.tree.Count(r2).value(), 1999u);
  // The old version is untouched.
  EXPECT_EQ(*env.tree.Get(root, Key(5)).value(), "v5");
  EXPECT_EQ(*env.tree.Get(root, Key(6)).value(), "v6");
}

TEST(ProllyTreeTest, LastEditOfAKeyWins) {
  TreeEnv env;
  ObjectId root =
      env.Apply(env.tree.EmptyRoot(), {{"a", "1"}, {"a", "2"}, {"b", "x"}, {"b", std::nullopt}});
  EXPECT_EQ(*env.tree.Get(root, "a").value(), "2");
  EXPECT_FALSE(env.tree.Get(root, "b").value().has_value());
}

TEST(ProllyTreeTest, DeletingEverythingGivesTheEmptyRoot) {
  TreeEnv env(SmallNodes());
  std::vector<Edit> puts, dels;
  for (int i = 0; i < 500; ++i) {
    puts.push_back({Key(i), "v"});
    dels.push_back({Key(i), std::nullopt});
  }
  ObjectId root = env.Apply(env.tree.EmptyRoot(), puts);
  EXPECT_EQ(env.Apply(root, dels), env.tree.EmptyRoot());
}

TEST(ProllyTreeTest, LargeValuesLiveOutOfLine) {
  TreeEnv env(SmallNodes());
  std::string big(1000, 'x');
  big[500] = 'y';
  ObjectId root = env.Apply(env.tree.EmptyRoot(), {{"big", big}, {"small", "s"}});
  EXPECT_EQ(*env.tree.Get(root, "big").value(), big);
  auto c = env.tree.Seek(root, "big").value();
  ASSERT_TRUE(c.Valid());
  EXPECT_TRUE(c.entry().blob);
  EXPECT_EQ(c.value().value(), big);
  EXPECT_FALSE(env.tree.Seek(root, "small").value().entry().blob);
  auto diff = env.Diff(env.tree.EmptyRoot(), root);
  ASSERT_EQ(diff.size(), 2u);
  EXPECT_EQ(*diff[0].right, big);
}

TEST(ProllyTreeTest, CountRankAndOffsets) {
  TreeEnv env(SmallNodes());
  std::vector<Edit> edits;
  for (int i = 0; i < 3000; i += 2)
    edits.push_back({Key(i), "v"});  // even keys only
  ObjectId root = env.Apply(env.tree.EmptyRoot(), edits);
  EXPECT_EQ(env.tree.Count(root).value(), 1500u);
  for (int i : {0, 1, 2, 3, 999, 1000, 2998, 2999, 5000}) {
    EXPECT_EQ(env.tree.Rank(root, Key(i)).value(),
              static_cast<uint64_t>(std::min(1500, (i + 1) / 2)))
        << i;
  }
  for (uint64_t off : {0u, 1u, 700u, 1499u}) {
    auto c = env.tree.SeekToOffset(root, off).value();
    ASSERT_TRUE(c.Valid());
    EXPECT_EQ(c.key(), Key(static_cast<int>(off * 2)));
  }
  EXPECT_FALSE(env.tree.SeekToOffset(root, 1500).value().Valid());
}

TEST(ProllyTreeTest, SeekAndScanRanges) {
  TreeEnv env(SmallNodes());
  std::vector<Edit> edits;
  for (int i = 0; i < 1000; ++i)
    edits.push_back({Key(i), std::to_string(i)});
  ObjectId root = env.Apply(env.tree.EmptyRoot(), edits);
  std::vector<std::string> got;
  ASSERT_TRUE(env.tree
                  .Scan(root, Key(100), Key(110),
                        [&](std::string_view k, std::string_view) {
                          got.emplace_back(k);
                          return true;
                        })
                  .ok());
  ASSERT_EQ(got.size(), 10u);
  EXPECT_EQ(got.front(), Key(100));
  EXPECT_EQ(got.back(), Key(109));

  auto c = env.tree.Seek(root, "key00000500x").value();  // between keys
  ASSERT_TRUE(c.Valid());
  EXPECT_EQ(c.key(), Key(501));
  int n = 0;
  while (c.Valid()) {
    ++n;
    ASSERT_TRUE(c.Next().ok());
  }
  EXPECT_EQ(n, 499);
}

TEST(ProllyTreeTest, DiffWithRangeAndEarlyStop) {
  TreeEnv env(SmallNodes());
  std::map<std::string, std::string> a, b;
  for (int i = 0; i < 1000; ++i)
    a[Key(i)] = "v";
  b = a;
  for (int i = 0; i < 1000; i += 10)
    b[Key(i)] = "w";
  ObjectId ra = env.Build(a), rb = env.Build(b);
  auto all = env.Diff(ra, rb);
  EXPECT_EQ(all.size(), 100u);
  auto ranged = env.Diff(ra, rb, DiffRange{Key(200), Key(300)});
  ASSERT_EQ(ranged.size(), 10u);
  EXPECT_EQ(ranged.front().key, Key(200));
  EXPECT_EQ(ranged.back().key, Key(290));
  int seen = 0;
  ASSERT_TRUE(DiffTrees(&env.nodes, ra, rb, {}, [&](DiffEntry&&) { return ++seen < 3; }).ok());
  EXPECT_EQ(seen, 3);
}

TEST(ProllyTreeTest, MissingNodeIsNotFound) {
  TreeEnv env;
  ObjectId bogus = ObjectId::Hash(1, "no such node");
  EXPECT_TRUE(env.tree.Get(bogus, "k").status().IsNotFound());
  EXPECT_TRUE(env.tree.Count(bogus).status().IsNotFound());
  WriteBatch b;
  EXPECT_TRUE(env.tree.Apply(bogus, {{"k", "v"}}, &b).status().IsNotFound());
}

TEST(ProllyTreeTest, CorruptNodeIsCorruptionNotACrash) {
  TreeEnv env(SmallNodes());
  std::vector<Edit> edits;
  for (int i = 0; i < 500; ++i)
    edits.push_back({Key(i), "v"});
  ObjectId root = env.Apply(env.tree.EmptyRoot(), edits);
  // Overwrite every stored node with garbage and drop the cache.
  std::vector<std::string> keys;
  auto it = env.kv.NewIterator(Column::kObjects, {});
  for (it->SeekToFirst(); it->Valid(); it->Next())
    keys.emplace_back(it->key());
  WriteBatch damage;
  for (const auto& k : keys)
    damage.Put(Column::kObjects, k, "\x01garbage");
  ASSERT_TRUE(env.kv.Write(damage).ok());
  env.nodes.ClearCache();
  EXPECT_TRUE(env.tree.Get(root, Key(3)).status().IsCorruption());
  EXPECT_TRUE(env.tree.Scan(root, "", "", [](auto, auto) { return true; }).IsCorruption());
  EXPECT_TRUE(DiffTrees(&env.nodes, root, env.tree.EmptyRoot(), {}, [](DiffEntry&&) {
                return true;
              }).IsCorruption());
}

// The ids of every node reachable from `root`.
std::set<ObjectId> ReachableNodes(TreeEnv& env, const ObjectId& root) {
  std::set<ObjectId> out;
  std::vector<ObjectId> todo{root};
  while (!todo.empty()) {
    ObjectId id = todo.back();
    todo.pop_back();
    NodePtr node = env.nodes.Load(id).value();
    out.insert(id);
    if (node->is_leaf()) continue;
    for (const NodeEntry& e : node->entries)
      todo.push_back(e.child);
  }
  return out;
}

TEST(ProllyTreeTest, OneEditRewritesOnlyOnePath) {
  TreeEnv env(SmallNodes());
  std::vector<Edit> edits;
  for (int i = 0; i < 20000; ++i)
    edits.push_back({Key(i), "value"});
  ObjectId root = env.Apply(env.tree.EmptyRoot(), edits);
  uint32_t height = env.Height(root);
  ASSERT_GT(height, 2u);
  std::set<ObjectId> old_nodes = ReachableNodes(env, root);
  for (int i : {0, 7777, 19999}) {
    SCOPED_TRACE("edited " + Key(i));
    // Same size as "value": the boundary rule looks at the key and the entry's size
    // only, so no boundary moves and exactly the nodes on the key's path change.
    ObjectId edited = env.Apply(root, {{Key(i), "VALUE"}});
    ASSERT_NE(edited, root);
    EXPECT_EQ(*env.tree.Get(edited, Key(i)).value(), "VALUE");
    EXPECT_EQ(*env.tree.Get(root, Key(i)).value(), "value");
    EXPECT_EQ(*env.tree.Get(edited, Key(i == 0 ? 1 : i - 1)).value(), "value");
    EXPECT_EQ(env.tree.Count(edited).value(), 20000u);
    EXPECT_EQ(env.Height(edited), height);

    // The new nodes are one per level, linked root to leaf, and the leaf holds the key.
    std::set<ObjectId> fresh;
    for (const ObjectId& id : ReachableNodes(env, edited))
      if (!old_nodes.count(id)) fresh.insert(id);
    ASSERT_EQ(fresh.size(), height);
    ObjectId at = edited;
    for (uint32_t level = height; level-- > 0;) {
      ASSERT_TRUE(fresh.count(at)) << "level " << level << " reuses an old node on the path";
      NodePtr node = env.nodes.Load(at).value();
      ASSERT_EQ(node->level, level);
      size_t idx = node->LowerBound(Key(i));
      ASSERT_LT(idx, node->entries.size());
      if (node->is_leaf()) {
        EXPECT_EQ(node->entries[idx].key, Key(i));
        break;
      }
      at = node->entries[idx].child;
    }
    // Everything the batch wrote is one of those nodes.
    EXPECT_EQ(env.last_batch_ops, height);
  }
}

}  // namespace
}  // namespace arbor

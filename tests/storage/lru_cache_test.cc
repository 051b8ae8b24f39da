#include <gtest/gtest.h>

#include "storage/lru_cache.h"

namespace arbor {
namespace {

TEST(LruCacheTest, EvictsLeastRecentlyUsedWithinBudget) {
  LruCache<int, std::string> cache(100, /*shards=*/1);
  cache.Insert(1, std::make_shared<const std::string>("a"), 40);
  cache.Insert(2, std::make_shared<const std::string>("b"), 40);
  ASSERT_NE(cache.Lookup(1), nullptr);  // 1 is now most recent
  cache.Insert(3, std::make_shared<const std::string>("c"), 40);
  EXPECT_EQ(cache.Lookup(2), nullptr);  // 2 was least recent
  EXPECT_EQ(*cache.Lookup(1), "a");
  EXPECT_EQ(*cache.Lookup(3), "c");
  EXPECT_LE(cache.UsedBytes(), 100u);
}

TEST(LruCacheTest, OversizedEntryIsNotCachedAndEvictsNothing) {
  LruCache<int, std::string> cache(100, 1);
  cache.Insert(1, std::make_shared<const std::string>("a"), 10);
  cache.Insert(2, std::make_shared<const std::string>("huge"), 1000);
  EXPECT_EQ(cache.Lookup(2), nullptr);
  EXPECT_NE(cache.Lookup(1), nullptr);
}

TEST(LruCacheTest, ReinsertReplacesAndRecharges) {
  LruCache<int, std::string> cache(100, 1);
  cache.Insert(1, std::make_shared<const std::string>("a"), 60);
  cache.Insert(1, std::make_shared<const std::string>("b"), 30);
  EXPECT_EQ(*cache.Lookup(1), "b");
  EXPECT_EQ(cache.UsedBytes(), 30u);
  EXPECT_EQ(cache.Entries(), 1u);
}

TEST(LruCacheTest, EvictedValueStaysAliveForHolders) {
  LruCache<int, std::string> cache(10, 1);
  cache.Insert(1, std::make_shared<const std::string>("held"), 10);
  auto held = cache.Lookup(1);
  cache.Insert(2, std::make_shared<const std::string>("new"), 10);
  EXPECT_EQ(cache.Lookup(1), nullptr);
  EXPECT_EQ(*held, "held");
}

}  // namespace
}  // namespace arbor

// LruCache: a thread-safe, byte-budgeted LRU map from key to shared immutable value.
//
// Each entry carries a caller-given charge (its approximate size in bytes); inserting
// evicts least-recently-used entries until the total charge fits the budget. Values are
// shared_ptr<const V>, so an evicted value stays alive for readers still holding it.
// The cache is split into shards, each with its own lock, so readers rarely contend.
#pragma once

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace arbor {

template <typename K, typename V, typename Hash = std::hash<K>>
class LruCache {
 public:
  explicit LruCache(size_t budget_bytes, size_t shards = 16) : shards_(shards == 0 ? 1 : shards) {
    for (auto& s : shards_)
      s.budget = budget_bytes / shards_.size();
  }

  std::shared_ptr<const V> Lookup(const K& key) {
    Shard& s = ShardFor(key);
    std::lock_guard<std::mutex> lock(s.mu);
    auto it = s.index.find(key);
    if (it == s.index.end()) {
      ++s.misses;
      return nullptr;
    }
    ++s.hits;
    s.lru.splice(s.lru.begin(), s.lru, it->second);  // move to front
    return it->second->value;
  }

  void Insert(const K& key, std::shared_ptr<const V> value, size_t charge) {
    Shard& s = ShardFor(key);
    std::lock_guard<std::mutex> lock(s.mu);
    if (charge > s.budget) return;  // would evict everything and still not fit
    auto it = s.index.find(key);
    if (it != s.index.end()) {
      s.used -= it->second->charge;
      s.lru.erase(it->second);
      s.index.erase(it);
    }
    s.lru.push_front(Entry{key, std::move(value), charge});
    s.index.emplace(key, s.lru.begin());
    s.used += charge;
    while (s.used > s.budget && !s.lru.empty()) {
      Entry& victim = s.lru.back();
      s.used -= victim.charge;
      s.index.erase(victim.key);
      s.lru.pop_back();
    }
  }

  void Clear() {
    for (auto& s : shards_) {
      std::lock_guard<std::mutex> lock(s.mu);
      s.lru.clear();
      s.index.clear();
      s.used = 0;
    }
  }

  size_t UsedBytes() {
    size_t total = 0;
    for (auto& s : shards_) {
      std::lock_guard<std::mutex> lock(s.mu);
      total += s.used;
    }
    return total;
  }

  size_t Entries() {
    size_t total = 0;
    for (auto& s : shards_) {
      std::lock_guard<std::mutex> lock(s.mu);
      total += s.index.size();
    }
    return total;
  }

 private:
  struct Entry {
    K key;
    std::shared_ptr<const V> value;
    size_t charge;
  };
  struct Shard {
    std::mutex mu;
    std::list<Entry> lru;  // front = most recently used
    std::unordered_map<K, typename std::list<Entry>::iterator, Hash> index;
    size_t used = 0;
    size_t budget = 0;
    size_t hits = 0;
    size_t misses = 0;
  };

  Shard& ShardFor(const K& key) { return shards_[Hash{}(key) % shards_.size()]; }

  std::vector<Shard> shards_;
};

}  // namespace arbor

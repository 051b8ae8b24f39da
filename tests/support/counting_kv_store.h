// CountingKvStore: a KvStore decorator that counts point reads of one chosen key.
//
// It forwards every call to an inner KvStore unchanged. Get() calls for the
// watched (column, key) are counted, so a test can assert how often an
// operation reads, say, a branch record (RefStore::BranchKey). Iterators opened
// on the watched column are counted too: a scan could read the key without a
// Get, and a test that expects "exactly one read" must see that as well.
// Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "storage/kv_store.h"

namespace arbor::testing {

class CountingKvStore final : public KvStore {
 public:
  explicit CountingKvStore(KvStore* inner) : inner_(inner) {}

  // Starts counting reads of `key` in `column` from zero.
  void Watch(Column column, std::string key) {
    std::lock_guard<std::mutex> lock(mu_);
    column_ = column;
    key_ = std::move(key);
    gets_ = 0;
    iterators_ = 0;
  }
  void Reset() {
    std::lock_guard<std::mutex> lock(mu_);
    gets_ = 0;
    iterators_ = 0;
  }
  // Get() calls for the watched key since Watch()/Reset().
  uint64_t gets() const {
    std::lock_guard<std::mutex> lock(mu_);
    return gets_;
  }
  // Iterators opened on the watched column since Watch()/Reset().
  uint64_t iterators() const {
    std::lock_guard<std::mutex> lock(mu_);
    return iterators_;
  }

  Result<std::string> Get(Column c, std::string_view key,
                          const ReadOptions& options = {}) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (c == column_ && key == key_) ++gets_;
    }
    return inner_->Get(c, key, options);
  }
  std::unique_ptr<KvIterator> NewIterator(Column c, const ReadOptions& options = {}) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (c == column_) ++iterators_;
    }
    return inner_->NewIterator(c, options);
  }
  std::unique_ptr<Snapshot> GetSnapshot() override { return inner_->GetSnapshot(); }
  Status SyncWal() override { return inner_->SyncWal(); }
  Status Write(const WriteBatch& batch, const WriteOptions& options = {}) override {
    return inner_->Write(batch, options);
  }

 private:
  KvStore* inner_;
  mutable std::mutex mu_;
  Column column_ = Column::kRefs;
  std::string key_;
  uint64_t gets_ = 0;
  uint64_t iterators_ = 0;
};

}  // namespace arbor::testing

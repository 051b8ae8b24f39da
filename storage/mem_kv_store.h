// MemKvStore: an in-memory KvStore with the same contract as RocksKvStore, for fast
// tests and for code that needs a throwaway store.
//
// Every key keeps its history as (sequence, value-or-tombstone) versions, so a snapshot
// is just a sequence number and reads never block writers for long. Nothing is ever
// reclaimed: it is meant for tests, not for long-running servers.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <vector>

#include "storage/kv_store.h"

namespace arbor {

class MemKvStore final : public KvStore {
 public:
  MemKvStore() = default;

  Result<std::string> Get(Column c, std::string_view key, const ReadOptions& options = {}) override;
  std::unique_ptr<KvIterator> NewIterator(Column c, const ReadOptions& options = {}) override;
  std::unique_ptr<Snapshot> GetSnapshot() override;
  Status Write(const WriteBatch& batch, const WriteOptions& options = {}) override;
  Status SyncWal() override { return Status::OK(); }

  // Reads up to `limit` visible entries with key >= start as of `seq`; for iterators.
  std::vector<std::pair<std::string, std::string>> ReadRange(Column c, std::string_view start,
                                                             bool inclusive, uint64_t seq,
                                                             size_t limit);

 private:
  struct Version {
    uint64_t seq;
    std::optional<std::string> value;
  };
  using Table = std::map<std::string, std::vector<Version>, std::less<>>;

  uint64_t SeqOf(const ReadOptions& options) const;
  static const std::optional<std::string>* Visible(const std::vector<Version>& versions,
                                                   uint64_t seq);

  mutable std::mutex mu_;
  Table tables_[kNumColumns];
  uint64_t seq_ = 0;
};

}  // namespace arbor

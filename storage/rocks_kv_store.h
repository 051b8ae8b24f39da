// RocksKvStore: the embedded KvStore, one RocksDB with one column family per Column.
//
// Precondition atomicity comes from a striped lock table: Write() locks the stripes of
// every key it checks or point-writes in kRefs and kStaging (in stripe order, so
// writers never deadlock), checks, then writes. Writers of unrelated keys proceed in
// parallel, so RocksDB can group their WAL syncs. kObjects writes skip the locks:
// content addressing makes them idempotent.
//
// Recovery cost is bounded: a clean close flushes every column's memtable, so the next
// open replays (almost) no WAL; and the WAL may not grow past `max_wal_bytes` before
// RocksDB flushes the columns that pin its oldest file, which bounds what a crash
// leaves to replay. Without that bound, a column with few small writes (kRefs) keeps
// every WAL file alive until its memtable fills, however much the others write.
//
// Full disks: with `disk_reserve_bytes`, a DiskSpaceGuard refuses every Write with
// NoSpace while the filesystem has less free space than the reserve, so RocksDB
// itself never runs out (see disk_space_guard.h); reads keep working. An ENOSPC
// that still reaches RocksDB (the disk filled faster than the guard looked)
// becomes NoSpace too, and the database is resumed by the first write that finds
// the reserve free again. Opening below the reserve skips the flush of the
// recovered WAL (it needs space; the data stays in the WAL and the memtables); with
// less free space than the recovered WAL plus a few MiB, where an ENOSPC inside
// the open could abort RocksDB, the store opens read-only instead: every Write
// fails with NoSpace until a restart with space.
#pragma once

#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "storage/disk_space_guard.h"
#include "storage/kv_store.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
}  // namespace rocksdb

namespace arbor {

struct RocksOptions {
  std::string path;
  bool create_if_missing = true;
  size_t block_cache_bytes = 256 << 20;
  size_t write_buffer_bytes = 64 << 20;
  // Total WAL size that triggers a flush of the columns holding the oldest WAL file.
  uint64_t max_wal_bytes = 256ull << 20;
  // false turns every write unsynced: for benchmarks only, never for real data.
  bool sync_writes = true;
  // Free space to keep on the filesystem holding `path`; 0 turns the guard off.
  uint64_t disk_reserve_bytes = 0;
};

class RocksKvStore final : public KvStore {
 public:
  static Result<std::unique_ptr<RocksKvStore>> Open(const RocksOptions& options);
  ~RocksKvStore() override;

  RocksKvStore(const RocksKvStore&) = delete;
  RocksKvStore& operator=(const RocksKvStore&) = delete;

  Result<std::string> Get(Column c, std::string_view key, const ReadOptions& options = {}) override;
  std::unique_ptr<KvIterator> NewIterator(Column c, const ReadOptions& options = {}) override;
  std::unique_ptr<Snapshot> GetSnapshot() override;
  Status Write(const WriteBatch& batch, const WriteOptions& options = {}) override;
  Status SyncWal() override;
  Status Compact(Column c) override;
  // A RocksDB checkpoint: hard links to the immutable table files plus copies of the
  // rest, after a flush, so it costs little space on the same file system.
  Status Checkpoint(const std::string& dir) override;

  // Whether the store opened read-only because the disk was full (see above).
  bool read_only() const { return !read_only_reason_.empty(); }

 private:
  static constexpr size_t kStripes = 256;
  RocksKvStore() = default;
  rocksdb::ColumnFamilyHandle* Handle(Column c) const { return handles_[static_cast<int>(c)]; }
  // OK if a write may go to RocksDB now; resumes RocksDB after an earlier ENOSPC.
  Status CheckSpace();

  std::unique_ptr<rocksdb::DB> db_;
  std::array<rocksdb::ColumnFamilyHandle*, kNumColumns> handles_{};
  rocksdb::ColumnFamilyHandle* default_handle_ = nullptr;
  std::array<std::mutex, kStripes> stripes_;
  bool sync_writes_ = true;
  std::unique_ptr<DiskSpaceGuard> guard_;  // null: no reserve
  std::string read_only_reason_;           // set: opened read-only, writes refused
  std::atomic<bool> resume_needed_{false};
  std::mutex resume_mu_;
};

}  // namespace arbor

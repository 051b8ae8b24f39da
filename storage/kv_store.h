// KvStore: the narrow key-value interface every Arbor module stores through.
//
// Contract:
//  * Three columns: kObjects (immutable, content-addressed), kRefs (branches, tags,
//    intents) and kStaging (uncommitted changes). Keys are ordered bytewise per column.
//  * Write() applies a batch atomically: all of it or none of it. A batch may carry
//    preconditions ("key K holds exactly V" / "key K is absent"); if any fails, nothing
//    is written and the result is PreconditionFailed. Preconditions are checked against
//    the latest state, atomically with the write, against every other Write().
//  * By default a successful Write() is durable (WAL synced) before it returns.
//    WriteOptions::sync = false is for bulk object writes that a later synced write
//    orders after (the WAL is sequential, so syncing the later write syncs them too),
//    and for benchmarks.
//  * Reads without a snapshot see the latest committed state. A Snapshot pins one
//    consistent point in time across all columns until it is destroyed.
//  * No engine type appears here, so a networked backend can implement it later.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace arbor {

enum class Column : int { kObjects = 0, kRefs = 1, kStaging = 2 };
constexpr int kNumColumns = 3;
std::string_view ColumnName(Column c);

// An opaque, consistent view of the whole store.
class Snapshot {
 public:
  virtual ~Snapshot() = default;
};

struct ReadOptions {
  const Snapshot* snapshot = nullptr;  // nullptr: latest state
  // Iterators only: keys at or past this bound are never returned (empty = unbounded).
  std::string upper_bound;
  // Bulk scans that would evict hot data from the block cache set this to false.
  bool fill_cache = true;
};

struct WriteOptions {
  bool sync = true;
};

// Ordered iteration over one column. Valid() is false at the end or on error;
// status() tells them apart.
class KvIterator {
 public:
  virtual ~KvIterator() = default;
  virtual void SeekToFirst() = 0;
  // Positions at the first key >= target.
  virtual void Seek(std::string_view target) = 0;
  virtual bool Valid() const = 0;
  virtual void Next() = 0;
  virtual std::string_view key() const = 0;
  virtual std::string_view value() const = 0;
  virtual Status status() const = 0;
};

class WriteBatch {
 public:
  enum class OpType { kPut, kDelete, kDeleteRange };
  struct Op {
    OpType type;
    Column column;
    std::string key;    // kDeleteRange: begin (inclusive)
    std::string value;  // kDeleteRange: end (exclusive)
  };
  struct Precondition {
    Column column;
    std::string key;
    std::optional<std::string> expected;  // nullopt: the key must be absent
  };

  void Put(Column c, std::string_view key, std::string_view value);
  // Like Put, taking ownership of the value instead of copying it.
  void PutOwned(Column c, std::string_view key, std::string value);
  void Delete(Column c, std::string_view key);
  // Deletes [begin, end). Range deletes take no part in precondition locking: use them
  // for ranges nothing else writes (garbage). Prefer point deletes where the keys are
  // at hand: RocksDB consults every memtable range tombstone on each read.
  void DeleteRange(Column c, std::string_view begin, std::string_view end);
  void ExpectValue(Column c, std::string_view key, std::string_view value);
  void ExpectAbsent(Column c, std::string_view key);

  const std::vector<Op>& ops() const { return ops_; }
  const std::vector<Precondition>& preconditions() const { return preconditions_; }
  bool empty() const { return ops_.empty() && preconditions_.empty(); }
  size_t ApproximateBytes() const { return bytes_; }
  void Clear();
  // Appends another batch's ops and preconditions.
  void Append(const WriteBatch& other);

 private:
  std::vector<Op> ops_;
  std::vector<Precondition> preconditions_;
  size_t bytes_ = 0;
};

// Held while it lives; see KvStore::LockAcrossProcesses.
class ProcessLock {
 public:
  virtual ~ProcessLock() = default;
};

class KvStore {
 public:
  virtual ~KvStore() = default;

  // NotFound if the key is absent.
  virtual Result<std::string> Get(Column c, std::string_view key,
                                  const ReadOptions& options = {}) = 0;
  virtual std::unique_ptr<KvIterator> NewIterator(Column c, const ReadOptions& options = {}) = 0;
  virtual std::unique_ptr<Snapshot> GetSnapshot() = 0;
  virtual Status Write(const WriteBatch& batch, const WriteOptions& options = {}) = 0;
  // Makes every prior unsynced write durable.
  virtual Status SyncWal() = 0;

  // True where several processes may write this store at once (PostgreSQL): what a
  // process excludes with its own locks (garbage collection's gate) is then not excluded.
  virtual bool SharedAcrossProcesses() const { return false; }
  // Serializes a section across every process sharing this store: waits until no
  // other process holds `name` and holds it until the result is destroyed or the
  // holding process dies. It does not exclude threads of the calling process (hold
  // an in-process mutex first). Busy if the wait is too long. An embedded store has
  // one process, so by default this returns at once.
  virtual Result<std::unique_ptr<ProcessLock>> LockAcrossProcesses(std::string_view name) {
    return std::unique_ptr<ProcessLock>();
  }
  // Rewrites the column's files so that deleted keys stop taking space, and lets go of
  // log files that only held them (garbage collection calls it after a sweep). A
  // no-op where deletes free space at once.
  virtual Status Compact(Column c) {
    (void)c;
    return Status::OK();
  }
  // Writes a consistent copy of the whole store, as of one point in time, into `dir`
  // (which must not exist yet), while reads and writes go on. The copy opens as a
  // store of the same kind. InvalidArgument where the store has no files to copy.
  virtual Status Checkpoint(const std::string& dir) {
    (void)dir;
    return Status::InvalidArgument("this store cannot make a checkpoint");
  }
};

}  // namespace arbor

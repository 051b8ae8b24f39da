#include "storage/rocks_kv_store.h"

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/slice.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/utilities/options_util.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <vector>

namespace arbor {

namespace {

Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return Status::OK();
  std::string m = std::string(what) + ": " + s.ToString();
  if (s.IsNotFound()) return Status::NotFound(std::move(m));
  if (s.IsCorruption()) return Status::Corruption(std::move(m));
  if (s.IsNoSpace()) return Status::NoSpace(std::move(m));
  if (s.IsBusy() || s.IsTryAgain() || s.IsTimedOut()) return Status::Busy(std::move(m));
  if (s.IsInvalidArgument()) return Status::InvalidArgument(std::move(m));
  return Status::IOError(std::move(m));
}

// Room an open needs besides the recovered WAL: OPTIONS, MANIFEST, CURRENT, a WAL.
constexpr uint64_t kOpenBytes = 8 << 20;

uint64_t WalBytes(const std::string& dir) {
  uint64_t total = 0;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    std::error_code size_ec;
    if (e.path().extension() != ".log") continue;
    const uint64_t size = e.file_size(size_ec);
    if (!size_ec) total += size;
  }
  return total;
}

rocksdb::Slice ToSlice(std::string_view s) {
  return {s.data(), s.size()};
}

class RocksSnapshot final : public Snapshot {
 public:
  RocksSnapshot(rocksdb::DB* db, const rocksdb::Snapshot* snap) : db_(db), snap_(snap) {}
  ~RocksSnapshot() override { db_->ReleaseSnapshot(snap_); }
  const rocksdb::Snapshot* get() const { return snap_; }

 private:
  rocksdb::DB* db_;
  const rocksdb::Snapshot* snap_;
};

class RocksIterator final : public KvIterator {
 public:
  RocksIterator(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, const ReadOptions& options)
      : upper_(options.upper_bound) {
    rocksdb::ReadOptions ro;
    if (options.snapshot) ro.snapshot = static_cast<const RocksSnapshot*>(options.snapshot)->get();
    ro.fill_cache = options.fill_cache;
    if (!upper_.empty()) {
      upper_slice_ = rocksdb::Slice(upper_);
      ro.iterate_upper_bound = &upper_slice_;
    }
    it_.reset(db->NewIterator(ro, cf));
  }
  void SeekToFirst() override { it_->SeekToFirst(); }
  void Seek(std::string_view target) override { it_->Seek(ToSlice(target)); }
  bool Valid() const override { return it_->Valid(); }
  void Next() override { it_->Next(); }
  std::string_view key() const override {
    rocksdb::Slice k = it_->key();
    return {k.data(), k.size()};
  }
  std::string_view value() const override {
    rocksdb::Slice v = it_->value();
    return {v.data(), v.size()};
  }
  Status status() const override { return FromRocks(it_->status(), "iterator"); }

 private:
  std::string upper_;  // owns the bytes iterate_upper_bound points at
  rocksdb::Slice upper_slice_;
  std::unique_ptr<rocksdb::Iterator> it_;
};

}  // namespace

Result<std::unique_ptr<RocksKvStore>> RocksKvStore::Open(const RocksOptions& options) {
  rocksdb::Options db_options;
  db_options.create_if_missing = options.create_if_missing;
  db_options.create_missing_column_families = true;
  db_options.IncreaseParallelism(2);
  // Large batches (a commit writes many nodes) should not stall small synced writes.
  db_options.enable_pipelined_write = true;
  db_options.max_total_wal_size = options.max_wal_bytes;

  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.cache_index_and_filter_blocks = true;

  rocksdb::ColumnFamilyOptions cf_options;
  cf_options.write_buffer_size = options.write_buffer_bytes;
  cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  cf_options.compression = rocksdb::kNoCompression;  // tree nodes hash-dedupe; keep CPU low

  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  cfs.emplace_back(rocksdb::kDefaultColumnFamilyName, cf_options);
  for (int c = 0; c < kNumColumns; ++c) {
    cfs.emplace_back(std::string(ColumnName(static_cast<Column>(c))), cf_options);
  }

  std::unique_ptr<DiskSpaceGuard> guard;
  bool read_write = true;
  if (options.disk_reserve_bytes > 0) {
    std::error_code ec;
    std::filesystem::create_directories(options.path, ec);  // else RocksDB reports it
    guard = std::make_unique<DiskSpaceGuard>(options.path, options.disk_reserve_bytes);
    if (!guard->Check().ok()) {
      // Flushing the recovered WAL writes tables as big as what it replays: keep
      // it in the memtables instead. An open still writes a few small files, and
      // may flush if the WAL outgrows a memtable; with less room than that, an
      // ENOSPC inside the open would abort (see disk_space_guard.h), so the store
      // opens read-only.
      db_options.avoid_flush_during_recovery = true;
      read_write = guard->FreeBytes() >= WalBytes(options.path) + kOpenBytes;
    }
  }

  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  std::string read_only_reason;
  rocksdb::Status s;
  if (read_write) s = rocksdb::DB::Open(db_options, options.path, cfs, &handles, &raw);
  if (!read_write || (s.IsNoSpace() && guard)) {
    handles.clear();
    s = rocksdb::DB::OpenForReadOnly(db_options, options.path, cfs, &handles, &raw);
    read_only_reason = "the data directory " + options.path + " had no free space (" +
                       FormatBytes(guard->FreeBytes()) +
                       ") when the server started, so it serves reads only; free some space "
                       "(the reserve is " +
                       FormatBytes(options.disk_reserve_bytes) + ") and restart it";
  }
  if (!s.ok()) return FromRocks(s, "opening RocksDB at '" + options.path + "'");

  std::unique_ptr<RocksKvStore> store(new RocksKvStore());
  store->db_.reset(raw);
  store->guard_ = std::move(guard);
  // Opening allocated files (a new WAL is preallocated): measure again.
  if (store->guard_) store->guard_->Invalidate();
  store->read_only_reason_ = std::move(read_only_reason);
  store->default_handle_ = handles[0];
  store->sync_writes_ = options.sync_writes;
  for (int c = 0; c < kNumColumns; ++c)
    store->handles_[c] = handles[c + 1];
  return store;
}

RocksKvStore::~RocksKvStore() {
  if (!db_) return;
  // RocksDB does not flush on close while the WAL is on: everything in the memtables
  // would be replayed from the WAL at the next open. Flushing here makes a restart
  // after a clean shutdown fast. A failure only costs that replay, so it is ignored.
  std::vector<rocksdb::ColumnFamilyHandle*> all;
  if (default_handle_) all.push_back(default_handle_);
  for (auto* h : handles_) {
    if (h) all.push_back(h);
  }
  // Below the reserve a flush could meet ENOSPC; skipping it costs only the replay.
  if (!read_only() && (!guard_ || guard_->Check().ok())) {
    rocksdb::FlushOptions flush;
    flush.wait = true;
    (void)db_->Flush(flush, all);
  }
  for (auto* h : handles_) {
    if (h) db_->DestroyColumnFamilyHandle(h);
  }
  if (default_handle_) db_->DestroyColumnFamilyHandle(default_handle_);
  db_->Close();
}

Result<std::string> RocksKvStore::Get(Column c, std::string_view key, const ReadOptions& options) {
  rocksdb::ReadOptions ro;
  if (options.snapshot) ro.snapshot = static_cast<const RocksSnapshot*>(options.snapshot)->get();
  ro.fill_cache = options.fill_cache;
  std::string value;
  rocksdb::Status s = db_->Get(ro, Handle(c), ToSlice(key), &value);
  if (s.IsNotFound()) return Status::NotFound("key not found");
  if (!s.ok()) return FromRocks(s, "get");
  return value;
}

std::unique_ptr<KvIterator> RocksKvStore::NewIterator(Column c, const ReadOptions& options) {
  return std::make_unique<RocksIterator>(db_.get(), Handle(c), options);
}

std::unique_ptr<Snapshot> RocksKvStore::GetSnapshot() {
  return std::make_unique<RocksSnapshot>(db_.get(), db_->GetSnapshot());
}

Status RocksKvStore::CheckSpace() {
  if (!read_only_reason_.empty()) return Status::NoSpace(read_only_reason_);
  if (!guard_) return Status::OK();
  ARBOR_RETURN_IF_ERROR(guard_->Check());
  if (resume_needed_.load(std::memory_order_acquire)) {
    std::lock_guard<std::mutex> lock(resume_mu_);
    if (resume_needed_.load(std::memory_order_relaxed)) {
      ARBOR_RETURN_IF_ERROR(FromRocks(db_->Resume(), "resuming RocksDB after the disk filled up"));
      resume_needed_.store(false, std::memory_order_release);
    }
  }
  return Status::OK();
}

Status RocksKvStore::Write(const WriteBatch& batch, const WriteOptions& options) {
  ARBOR_RETURN_IF_ERROR(CheckSpace());
  // Collect the stripes of every key whose state this batch depends on or changes.
  std::vector<size_t> stripes;
  auto add_stripe = [&](Column c, const std::string& key) {
    if (c == Column::kObjects) return;
    size_t h =
        std::hash<std::string_view>{}(key) ^ (static_cast<size_t>(c) * 0x9e3779b97f4a7c15ULL);
    stripes.push_back(h % kStripes);
  };
  for (const auto& p : batch.preconditions())
    add_stripe(p.column, p.key);
  // Unconditional writes lock too, so that no value changes between a concurrent
  // conditional batch's check and its write.
  for (const auto& op : batch.ops()) {
    if (op.type != WriteBatch::OpType::kDeleteRange) add_stripe(op.column, op.key);
  }
  std::sort(stripes.begin(), stripes.end());
  stripes.erase(std::unique(stripes.begin(), stripes.end()), stripes.end());
  std::vector<std::unique_lock<std::mutex>> locks;
  locks.reserve(stripes.size());
  for (size_t s : stripes)
    locks.emplace_back(stripes_[s]);

  for (const auto& p : batch.preconditions()) {
    std::string current;
    rocksdb::Status s =
        db_->Get(rocksdb::ReadOptions(), Handle(p.column), ToSlice(p.key), &current);
    if (!s.ok() && !s.IsNotFound()) return FromRocks(s, "checking precondition");
    bool present = s.ok();
    if (!p.expected.has_value()) {
      if (present) {
        return Status::PreconditionFailed("key in " + std::string(ColumnName(p.column)) +
                                          " exists but was expected absent");
      }
    } else if (!present || current != *p.expected) {
      return Status::PreconditionFailed("key in " + std::string(ColumnName(p.column)) +
                                        (present ? " changed" : " is gone") + " since it was read");
    }
  }

  rocksdb::WriteBatch wb;
  for (const auto& op : batch.ops()) {
    rocksdb::Status s;
    switch (op.type) {
      case WriteBatch::OpType::kPut:
        s = wb.Put(Handle(op.column), ToSlice(op.key), ToSlice(op.value));
        break;
      case WriteBatch::OpType::kDelete:
        s = wb.Delete(Handle(op.column), ToSlice(op.key));
        break;
      case WriteBatch::OpType::kDeleteRange:
        s = wb.DeleteRange(Handle(op.column), ToSlice(op.key), ToSlice(op.value));
        break;
    }
    if (!s.ok()) return FromRocks(s, "building write batch");
  }
  if (wb.Count() == 0) return Status::OK();
  rocksdb::WriteOptions wo;
  wo.sync = options.sync && sync_writes_;
  rocksdb::Status s = db_->Write(wo, &wb);
  if (s.IsNoSpace() && guard_) {
    // RocksDB now refuses writes until Resume(); CheckSpace() calls it once the
    // reserve is free again.
    guard_->Invalidate();
    resume_needed_.store(true, std::memory_order_release);
  }
  return FromRocks(s, "write");
}

Status RocksKvStore::SyncWal() {
  return FromRocks(db_->SyncWAL(), "syncing WAL");
}

Status RocksKvStore::Compact(Column c) {
  rocksdb::CompactRangeOptions options;
  // Tombstones must reach the last level to drop what they delete.
  options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  ARBOR_RETURN_IF_ERROR(
      FromRocks(db_->CompactRange(options, Handle(c), nullptr, nullptr), "compacting"));
  // The WAL files that carried the deleted keys stay until every column has flushed
  // past them; the small columns (refs) may not fill a memtable for a long time.
  std::vector<rocksdb::ColumnFamilyHandle*> all(handles_.begin(), handles_.end());
  all.push_back(default_handle_);
  rocksdb::FlushOptions flush;
  flush.wait = true;
  return FromRocks(db_->Flush(flush, all), "flushing");
}

Status RocksKvStore::Checkpoint(const std::string& dir) {
  rocksdb::Checkpoint* raw = nullptr;
  rocksdb::Status s = rocksdb::Checkpoint::Create(db_.get(), &raw);
  if (!s.ok()) return FromRocks(s, "preparing a checkpoint");
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  // log_size_for_flush = 0: flush first, so the copy needs no WAL replay to be whole.
  return FromRocks(checkpoint->CreateCheckpoint(dir, /*log_size_for_flush=*/0),
                   "making a checkpoint in '" + dir + "'");
}

}  // namespace arbor

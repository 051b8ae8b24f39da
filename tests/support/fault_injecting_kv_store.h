// FaultInjectingKvStore: a KvStore decorator for crash and failure tests.
//
// It forwards every call to an inner KvStore, counts Write() calls (and the ops
// they carry, per column), and can be armed to fail a chosen Write(): the failing
// call returns IOError and writes nothing to the inner store, which is what a
// crash just before that write leaves behind. Two modes:
//   * FailNthWrite(n): the n-th Write() from now fails, later ones pass;
//   * FailWritesFrom(n): the n-th Write() from now and every later one fails,
//     which models a process that died at that write.
// Reads, iterators and snapshots always pass through. Thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>

#include "storage/kv_store.h"

namespace arbor::testing {

class FaultInjectingKvStore final : public KvStore {
 public:
  explicit FaultInjectingKvStore(KvStore* inner) : inner_(inner) {}

  // The n-th Write() from now (1-based) fails; the others succeed.
  void FailNthWrite(uint64_t n) {
    std::lock_guard<std::mutex> lock(mu_);
    fail_at_ = calls_ + n;
    fail_after_ = false;
  }
  // The n-th Write() from now (1-based) and every later one fail.
  void FailWritesFrom(uint64_t n) {
    std::lock_guard<std::mutex> lock(mu_);
    fail_at_ = calls_ + n;
    fail_after_ = true;
  }
  // Every Write() succeeds again.
  void Disarm() {
    std::lock_guard<std::mutex> lock(mu_);
    fail_at_ = 0;
    fail_after_ = false;
  }

  // Write() calls so far, failed ones included.
  uint64_t write_calls() const {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }
  uint64_t failed_writes() const {
    std::lock_guard<std::mutex> lock(mu_);
    return failures_;
  }
  // Ops (puts, deletes, range deletes) that reached the inner store, per column.
  uint64_t ops_written(Column c) const {
    std::lock_guard<std::mutex> lock(mu_);
    return ops_[static_cast<int>(c)];
  }

  KvStore* inner() const { return inner_; }

  Result<std::string> Get(Column c, std::string_view key,
                          const ReadOptions& options = {}) override {
    return inner_->Get(c, key, options);
  }
  std::unique_ptr<KvIterator> NewIterator(Column c, const ReadOptions& options = {}) override {
    return inner_->NewIterator(c, options);
  }
  std::unique_ptr<Snapshot> GetSnapshot() override { return inner_->GetSnapshot(); }
  Status SyncWal() override { return inner_->SyncWal(); }

  Status Write(const WriteBatch& batch, const WriteOptions& options = {}) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      const uint64_t call = ++calls_;
      if (fail_at_ != 0 && (call == fail_at_ || (fail_after_ && call > fail_at_))) {
        ++failures_;
        return Status::IOError("injected failure of write #" + std::to_string(call));
      }
    }
    Status s = inner_->Write(batch, options);
    if (s.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      for (const auto& op : batch.ops())
        ++ops_[static_cast<int>(op.column)];
    }
    return s;
  }

 private:
  KvStore* inner_;
  mutable std::mutex mu_;
  uint64_t calls_ = 0;
  uint64_t failures_ = 0;
  uint64_t fail_at_ = 0;  // 0: disarmed
  bool fail_after_ = false;
  std::array<uint64_t, kNumColumns> ops_{};
};

}  // namespace arbor::testing

// DiskSpaceGuard: refuses writes while the filesystem holding a directory has less
// free space than a reserve.
//
// Why: RocksDB must never meet ENOSPC. A WAL append that fails leaves its file
// writer in an error state that Debian's RocksDB (assertions on) aborts on at the
// next touch, and a flush that fails puts the database in a background-error mode
// that only Resume() leaves. Keeping a reserve free means RocksDB's own work
// (WAL, flushes, compactions, the next open) always has room, and the caller gets
// a clear NoSpace status instead.
//
// Contract:
//  * Check() is OK while free bytes (statvfs f_bavail, as an unprivileged process
//    sees them) are at least `reserve_bytes`, else NoSpace naming the directory,
//    the free bytes and the reserve. reserve_bytes = 0 turns the guard off.
//  * The measurement is cached for `interval`, so Check() is a clock read on the
//    hot path; space freed by an operator is seen within one interval, without a
//    restart. Invalidate() forces a fresh measurement (after an ENOSPC).
//  * Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

#include "base/status.h"

namespace arbor {

class DiskSpaceGuard {
 public:
  DiskSpaceGuard(std::string dir, uint64_t reserve_bytes,
                 std::chrono::milliseconds interval = std::chrono::seconds(1));

  Status Check();
  void Invalidate() { next_check_ns_.store(0, std::memory_order_relaxed); }
  // The free bytes of the last measurement (measuring now if none is cached).
  uint64_t FreeBytes();
  uint64_t reserve_bytes() const { return reserve_; }
  const std::string& dir() const { return dir_; }

 private:
  void Refresh();

  const std::string dir_;
  const uint64_t reserve_;
  const std::chrono::milliseconds interval_;
  std::mutex refresh_mu_;
  std::atomic<int64_t> next_check_ns_{0};
  std::atomic<uint64_t> free_{0};
  std::atomic<int> measure_errno_{0};
};

// "1.0 GiB", "512.0 MiB", "12345 bytes": for messages.
std::string FormatBytes(uint64_t bytes);

}  // namespace arbor

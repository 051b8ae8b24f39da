#include "storage/disk_space_guard.h"

#include <sys/statvfs.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace arbor {

namespace {

int64_t NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::string FormatBytes(uint64_t bytes) {
  static constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB"};
  if (bytes < 1024) return std::to_string(bytes) + " bytes";
  double v = static_cast<double>(bytes);
  int unit = -1;
  while (v >= 1024 && unit < 3) {
    v /= 1024;
    ++unit;
  }
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.1f %s", v, kUnits[unit]);
  return buf;
}

DiskSpaceGuard::DiskSpaceGuard(std::string dir, uint64_t reserve_bytes,
                               std::chrono::milliseconds interval)
    : dir_(std::move(dir)), reserve_(reserve_bytes), interval_(interval) {}

void DiskSpaceGuard::Refresh() {
  std::lock_guard<std::mutex> lock(refresh_mu_);
  const int64_t now = NowNanos();
  if (now < next_check_ns_.load(std::memory_order_relaxed)) return;  // another thread did it
  struct statvfs st {};
  if (::statvfs(dir_.c_str(), &st) == 0) {
    free_.store(static_cast<uint64_t>(st.f_bavail) * st.f_frsize, std::memory_order_relaxed);
    measure_errno_.store(0, std::memory_order_relaxed);
  } else {
    // Cannot measure (the directory vanished?): do not block writes on that;
    // RocksDB reports its own errors.
    measure_errno_.store(errno, std::memory_order_relaxed);
  }
  next_check_ns_.store(now + std::chrono::nanoseconds(interval_).count(),
                       std::memory_order_relaxed);
}

uint64_t DiskSpaceGuard::FreeBytes() {
  if (NowNanos() >= next_check_ns_.load(std::memory_order_relaxed)) Refresh();
  return free_.load(std::memory_order_relaxed);
}

Status DiskSpaceGuard::Check() {
  if (reserve_ == 0) return Status::OK();
  const uint64_t free = FreeBytes();
  if (measure_errno_.load(std::memory_order_relaxed) != 0 || free >= reserve_) return Status::OK();
  return Status::NoSpace("not enough free disk space for the data directory " + dir_ + ": " +
                         FormatBytes(free) + " (" + std::to_string(free) +
                         " bytes) free, the reserve is " + FormatBytes(reserve_) + " (" +
                         std::to_string(reserve_) +
                         " bytes); writes are refused until space is freed, reads still work");
}

}  // namespace arbor

#include "server/hms/lock_manager.h"

#include <algorithm>

namespace arbor::hms {

namespace {

using Level = LockComponentSpec::Level;
using Type = LockComponentSpec::Type;

int64_t SystemNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Hive's lock compatibility matrix (TxnHandler, Hive 4), which is symmetric:
//
//                  SHARED_READ  SHARED_WRITE  EXCL_WRITE  EXCLUSIVE
//   SHARED_READ        ok           ok            ok         wait
//   SHARED_WRITE       ok           ok            wait       wait
//   EXCL_WRITE         ok           wait          wait       wait
//   EXCLUSIVE          wait         wait          wait       wait
//
// Iceberg only ever asks for EXCLUSIVE, so for it every overlap conflicts.
bool Compatible(Type a, Type b) {
  auto rank = [](Type t) {
    switch (t) {
      case Type::kSharedRead:
        return 0;
      case Type::kSharedWrite:
        return 1;
      case Type::kExclusiveWrite:
        return 2;
      case Type::kExclusive:
        return 3;
    }
    return 3;
  };
  const int x = std::min(rank(a), rank(b)), y = std::max(rank(a), rank(b));
  if (y == 3) return false;  // EXCLUSIVE against anything
  if (x == 0) return true;   // SHARED_READ against SR, SW, EW
  return x == 1 && y == 1;   // SW/SW only; SW/EW and EW/EW wait
}

// Whether two components cover a common object: a database covers its tables and
// partitions, a table its partitions. `db` already carries the ref, so the same
// table on two branches never overlaps.
bool Overlap(const LockComponentSpec& a, const LockComponentSpec& b) {
  if (a.db != b.db) return false;
  if (a.level == Level::kDatabase || b.level == Level::kDatabase) return true;
  if (a.table != b.table) return false;
  if (a.level == Level::kTable || b.level == Level::kTable) return true;
  return a.partition == b.partition;
}

bool Live(const LockInfo& l) {
  return l.state == LockState::kAcquired || l.state == LockState::kWaiting;
}

}  // namespace

// Lock ids start at the construction time in microseconds rather than at 1, so a
// restarted server never hands out an id that the previous process issued (unless
// that process issued over 1000 locks per millisecond of its life). Without this, a
// client whose lock died with the old process could heartbeat or unlock an
// unrelated new lock that happened to get the same id.
LockManager::LockManager(std::chrono::milliseconds timeout, Clock clock)
    : timeout_(timeout), clock_(clock ? std::move(clock) : Clock(SystemNowMs)) {
  next_id_ = std::max<int64_t>(1, clock_() * 1000);
}

void LockManager::ExpireLocked(int64_t now) {
  for (auto it = locks_.begin(); it != locks_.end();) {
    if (now - it->second.last_heartbeat_ms > timeout_.count()) {
      it = locks_.erase(it);
    } else {
      ++it;
    }
  }
}

// A candidate must wait for every overlapping, incompatible lock that is held, and
// for every such lock that asked before it (a smaller id) and is still waiting:
// requests are served in order, as in Hive, so a stream of shared readers cannot
// starve a writer. Waiting locks that asked later never hold it back.
bool LockManager::ConflictsLocked(const LockInfo& candidate) const {
  for (const auto& [id, other] : locks_) {
    if (id == candidate.id || !Live(other)) continue;
    if (other.state == LockState::kWaiting && id > candidate.id) continue;
    for (const auto& mine : candidate.components) {
      for (const auto& theirs : other.components) {
        if (Overlap(mine, theirs) && !Compatible(mine.type, theirs.type)) return true;
      }
    }
  }
  return false;
}

LockInfo LockManager::Lock(std::vector<LockComponentSpec> components, std::string user,
                           std::string host, std::string agent_info, int64_t txn_id) {
  std::lock_guard<std::mutex> guard(mu_);
  const int64_t now = clock_();
  ExpireLocked(now);
  LockInfo info;
  info.id = next_id_++;
  info.components = std::move(components);
  info.user = std::move(user);
  info.host = std::move(host);
  info.agent_info = std::move(agent_info);
  info.txn_id = txn_id;
  info.last_heartbeat_ms = now;
  if (ConflictsLocked(info)) {
    info.state = LockState::kWaiting;
  } else {
    info.state = LockState::kAcquired;
    info.acquired_at_ms = now;
  }
  locks_.emplace(info.id, info);
  return info;
}

Result<LockInfo> LockManager::Check(int64_t lock_id) {
  std::lock_guard<std::mutex> guard(mu_);
  const int64_t now = clock_();
  ExpireLocked(now);
  auto it = locks_.find(lock_id);
  if (it == locks_.end()) {
    return Status::NotFound("No such lock lockid:" + std::to_string(lock_id));
  }
  LockInfo& info = it->second;
  info.last_heartbeat_ms = now;
  ++info.heartbeat_count;
  if (info.state == LockState::kWaiting && !ConflictsLocked(info)) {
    info.state = LockState::kAcquired;
    info.acquired_at_ms = now;
  }
  return info;
}

Status LockManager::Heartbeat(int64_t lock_id) {
  std::lock_guard<std::mutex> guard(mu_);
  const int64_t now = clock_();
  ExpireLocked(now);
  auto it = locks_.find(lock_id);
  if (it == locks_.end()) {
    return Status::NotFound("No such lock: lockid:" + std::to_string(lock_id));
  }
  it->second.last_heartbeat_ms = now;
  ++it->second.heartbeat_count;
  return Status::OK();
}

Status LockManager::Unlock(int64_t lock_id) {
  std::lock_guard<std::mutex> guard(mu_);
  ExpireLocked(clock_());
  if (locks_.erase(lock_id) == 0) {
    return Status::NotFound("No such lock: lockid:" + std::to_string(lock_id));
  }
  return Status::OK();
}

std::vector<LockInfo> LockManager::Show(std::string_view db, std::string_view table) {
  std::lock_guard<std::mutex> guard(mu_);
  ExpireLocked(clock_());
  std::vector<LockInfo> out;
  for (const auto& [id, info] : locks_) {
    bool touches = std::any_of(
        info.components.begin(), info.components.end(), [&](const LockComponentSpec& c) {
          return (db.empty() || c.db == db) && (table.empty() || c.table == table);
        });
    if (touches) out.push_back(info);
  }
  return out;
}

}  // namespace arbor::hms

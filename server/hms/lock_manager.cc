#include "server/hms/lock_manager.h"

#include <algorithm>

#include "storage/coding.h"

namespace arbor::hms {

namespace {

Status CheckOwner(const LockInfo& info, std::string_view owner) {
  if (owner.empty() || info.user == owner) return Status::OK();
  return Status::PermissionDenied("lock " + std::to_string(info.id) + " belongs to '" + info.user +
                                  "', not to '" + std::string(owner) + "'");
}

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
LockManager::LockManager(std::chrono::milliseconds timeout, Clock clock, SharedTable shared)
    : timeout_(timeout),
      clock_(clock ? std::move(clock) : Clock(SystemNowMs)),
      shared_(std::move(shared)) {
  next_id_ = std::max<int64_t>(1, clock_() * 1000);
}

Status LockManager::WithTable(const std::function<Status()>& op) {
  if (!shared_) return op();
  const int64_t fresh_id = next_id_;
  return shared_([&](std::string* bytes) -> Status {
    locks_.clear();
    next_id_ = fresh_id;
    if (!bytes->empty()) ARBOR_RETURN_IF_ERROR(DecodeLocked(*bytes));
    ARBOR_RETURN_IF_ERROR(op());
    *bytes = EncodeLocked();
    return Status::OK();
  });
}

// The shared table: next id, then each lock with its components. Varints, with
// signed values stored as their two's-complement bits.
std::string LockManager::EncodeLocked() const {
  std::string out;
  PutVarint64(&out, 1);  // format version
  PutVarint64(&out, static_cast<uint64_t>(next_id_));
  PutVarint64(&out, locks_.size());
  for (const auto& [id, l] : locks_) {
    for (int64_t v : {l.id, static_cast<int64_t>(l.state), l.txn_id, l.last_heartbeat_ms,
                      l.acquired_at_ms, l.heartbeat_count})
      PutVarint64(&out, static_cast<uint64_t>(v));
    PutLengthPrefixed(&out, l.user);
    PutLengthPrefixed(&out, l.host);
    PutLengthPrefixed(&out, l.agent_info);
    PutVarint64(&out, l.components.size());
    for (const auto& c : l.components) {
      PutVarint64(&out, static_cast<uint64_t>(c.level));
      PutVarint64(&out, static_cast<uint64_t>(c.type));
      PutLengthPrefixed(&out, c.db);
      PutLengthPrefixed(&out, c.db_shown);
      PutLengthPrefixed(&out, c.table);
      PutLengthPrefixed(&out, c.partition);
    }
  }
  return out;
}

Status LockManager::DecodeLocked(std::string_view in) {
  auto bad = [] { return Status::Corruption("the shared HMS lock table is malformed"); };
  uint64_t version = 0, next = 0, n = 0;
  if (!GetVarint64(&in, &version) || version != 1 || !GetVarint64(&in, &next) ||
      !GetVarint64(&in, &n))
    return bad();
  next_id_ = std::max(next_id_, static_cast<int64_t>(next));
  for (uint64_t i = 0; i < n; ++i) {
    LockInfo l;
    uint64_t v[6];
    for (auto& x : v)
      if (!GetVarint64(&in, &x)) return bad();
    l.id = static_cast<int64_t>(v[0]);
    l.state = static_cast<LockState>(v[1]);
    l.txn_id = static_cast<int64_t>(v[2]);
    l.last_heartbeat_ms = static_cast<int64_t>(v[3]);
    l.acquired_at_ms = static_cast<int64_t>(v[4]);
    l.heartbeat_count = static_cast<int64_t>(v[5]);
    std::string_view user, host, agent;
    uint64_t nc = 0;
    if (!GetLengthPrefixed(&in, &user) || !GetLengthPrefixed(&in, &host) ||
        !GetLengthPrefixed(&in, &agent) || !GetVarint64(&in, &nc))
      return bad();
    l.user = user;
    l.host = host;
    l.agent_info = agent;
    for (uint64_t j = 0; j < nc; ++j) {
      LockComponentSpec c;
      uint64_t level = 0, type = 0;
      std::string_view db, shown, table, part;
      if (!GetVarint64(&in, &level) || !GetVarint64(&in, &type) || !GetLengthPrefixed(&in, &db) ||
          !GetLengthPrefixed(&in, &shown) || !GetLengthPrefixed(&in, &table) ||
          !GetLengthPrefixed(&in, &part))
        return bad();
      c.level = static_cast<Level>(level);
      c.type = static_cast<Type>(type);
      c.db = db;
      c.db_shown = shown;
      c.table = table;
      c.partition = part;
      l.components.push_back(std::move(c));
    }
    locks_.emplace(l.id, std::move(l));
  }
  return Status::OK();
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

Result<LockInfo> LockManager::Lock(std::vector<LockComponentSpec> components, std::string user,
                                   std::string host, std::string agent_info, int64_t txn_id) {
  std::lock_guard<std::mutex> guard(mu_);
  LockInfo info;
  ARBOR_RETURN_IF_ERROR(WithTable([&] {
    const int64_t now = clock_();
    ExpireLocked(now);
    info = LockInfo();
    info.id = next_id_++;
    info.components = components;
    info.user = user;
    info.host = host;
    info.agent_info = agent_info;
    info.txn_id = txn_id;
    info.last_heartbeat_ms = now;
    if (ConflictsLocked(info)) {
      info.state = LockState::kWaiting;
    } else {
      info.state = LockState::kAcquired;
      info.acquired_at_ms = now;
    }
    locks_.emplace(info.id, info);
    return Status::OK();
  }));
  return info;
}

Result<LockInfo> LockManager::Check(int64_t lock_id, std::string_view owner) {
  std::lock_guard<std::mutex> guard(mu_);
  LockInfo out;
  ARBOR_RETURN_IF_ERROR(WithTable([&]() -> Status {
    const int64_t now = clock_();
    ExpireLocked(now);
    auto it = locks_.find(lock_id);
    if (it == locks_.end()) {
      return Status::NotFound("No such lock lockid:" + std::to_string(lock_id));
    }
    ARBOR_RETURN_IF_ERROR(CheckOwner(it->second, owner));
    LockInfo& info = it->second;
    info.last_heartbeat_ms = now;
    ++info.heartbeat_count;
    if (info.state == LockState::kWaiting && !ConflictsLocked(info)) {
      info.state = LockState::kAcquired;
      info.acquired_at_ms = now;
    }
    out = info;
    return Status::OK();
  }));
  return out;
}

Status LockManager::Heartbeat(int64_t lock_id, std::string_view owner) {
  std::lock_guard<std::mutex> guard(mu_);
  return WithTable([&]() -> Status {
    const int64_t now = clock_();
    ExpireLocked(now);
    auto it = locks_.find(lock_id);
    if (it == locks_.end()) {
      return Status::NotFound("No such lock: lockid:" + std::to_string(lock_id));
    }
    ARBOR_RETURN_IF_ERROR(CheckOwner(it->second, owner));
    it->second.last_heartbeat_ms = now;
    ++it->second.heartbeat_count;
    return Status::OK();
  });
}

Status LockManager::Unlock(int64_t lock_id, std::string_view owner) {
  std::lock_guard<std::mutex> guard(mu_);
  return WithTable([&]() -> Status {
    ExpireLocked(clock_());
    auto it = locks_.find(lock_id);
    if (it == locks_.end()) {
      return Status::NotFound("No such lock: lockid:" + std::to_string(lock_id));
    }
    ARBOR_RETURN_IF_ERROR(CheckOwner(it->second, owner));
    locks_.erase(it);
    return Status::OK();
  });
}

Result<std::vector<LockInfo>> LockManager::Show(std::string_view db, std::string_view table) {
  std::lock_guard<std::mutex> guard(mu_);
  std::vector<LockInfo> out;
  ARBOR_RETURN_IF_ERROR(WithTable([&] {
    ExpireLocked(clock_());
    out.clear();
    for (const auto& [id, info] : locks_) {
      bool touches = std::any_of(
          info.components.begin(), info.components.end(), [&](const LockComponentSpec& c) {
            return (db.empty() || c.db == db) && (table.empty() || c.table == table);
          });
      if (touches) out.push_back(info);
    }
    return Status::OK();
  }));
  return out;
}

}  // namespace arbor::hms

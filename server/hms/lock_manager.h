// LockManager: HMS locks (Iceberg's `lock` / `check_lock` / `heartbeat` /
// `unlock` protocol), held in memory.
//
// A lock request names components (database, table or partition). It is granted
// when, for every component, each older live lock on an overlapping object (the
// same table, its partitions, its database) is compatible with it by type (Hive's
// matrix: shared reads coexist, exclusive conflicts with everything), and no older
// overlapping request is still waiting: waiters are served in order, so readers
// cannot starve a writer. Locks that miss
// heartbeats for `timeout` expire and release what they held, so a crashed
// client cannot wedge a table forever. Lock ids increase and are never reused,
// even across restarts (they start from the clock).
// Standalone, locks live in memory: after a restart there are none, which is what
// a client whose lock expired would see anyway. With a shared table (several arbord
// instances on one PostgreSQL store), every operation reads the whole table from the
// store, applies itself and writes it back by compare-and-set, so a lock taken
// through one instance blocks a writer on any other, ids are unique across them, and
// the locks of a dead instance's clients expire by missed heartbeats like any other
// (instances compare heartbeat times on their own clocks: keep them in sync).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"

namespace arbor::hms {

struct LockComponentSpec {
  enum class Level { kDatabase, kTable, kPartition };
  enum class Type { kSharedRead, kSharedWrite, kExclusive, kExclusiveWrite };
  Level level = Level::kTable;
  Type type = Type::kExclusive;
  std::string db;         // normalized, and including the ref: locks are per branch
  std::string db_shown;   // the database as the request named it (lower case), for show_locks
  std::string table;      // for kTable and kPartition
  std::string partition;  // for kPartition
};

enum class LockState { kAcquired, kWaiting, kAbort, kNotAcquired };

struct LockInfo {
  int64_t id = 0;
  LockState state = LockState::kWaiting;
  std::vector<LockComponentSpec> components;
  std::string user;
  std::string host;
  std::string agent_info;
  int64_t txn_id = 0;
  int64_t last_heartbeat_ms = 0;
  int64_t acquired_at_ms = 0;
  int64_t heartbeat_count = 0;
};

class LockManager {
 public:
  using Clock = std::function<int64_t()>;  // milliseconds
  // Reads the stored table bytes (empty: none), lets the function change them and
  // stores them, atomically against other processes (SharedRecord::Update).
  using SharedTable =
      std::function<Status(const std::function<Status(std::string* bytes)>& update)>;
  explicit LockManager(std::chrono::milliseconds timeout, Clock clock = nullptr,
                       SharedTable shared = nullptr);

  // Grants the lock if nothing conflicts, else leaves it waiting. Fails only when a
  // shared table cannot be reached.
  Result<LockInfo> Lock(std::vector<LockComponentSpec> components, std::string user,
                        std::string host, std::string agent_info, int64_t txn_id);
  // Re-checks a waiting lock (granting it if it can be), and counts as a heartbeat.
  // NotFound if the lock is unknown or expired.
  // With a non-empty `owner`, these three act only on a lock whose user is
  // `owner` (PermissionDenied otherwise): with authentication on, a lock belongs
  // to the authenticated user that took it, and only that user (or an admin,
  // who passes no owner) may keep it alive or release it.
  Result<LockInfo> Check(int64_t lock_id, std::string_view owner = {});
  Status Heartbeat(int64_t lock_id, std::string_view owner = {});
  Status Unlock(int64_t lock_id, std::string_view owner = {});
  // Live locks, optionally only those touching db (and table).
  Result<std::vector<LockInfo>> Show(std::string_view db = {}, std::string_view table = {});

 private:
  // Runs `op` on the current table under mu_: the in-memory one, or the shared one
  // loaded into locks_/next_id_ and stored back when `op` succeeds.
  Status WithTable(const std::function<Status()>& op);
  std::string EncodeLocked() const;
  Status DecodeLocked(std::string_view bytes);
  void ExpireLocked(int64_t now);
  bool ConflictsLocked(const LockInfo& candidate) const;

  std::chrono::milliseconds timeout_;
  Clock clock_;
  std::mutex mu_;
  int64_t next_id_ = 1;
  std::map<int64_t, LockInfo> locks_;
  SharedTable shared_;
};

}  // namespace arbor::hms

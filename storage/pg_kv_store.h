// PgKvStore: the shared KvStore, one PostgreSQL database that several arbord
// instances use at once.
//
// Layout: one table per Column (arbor_objects, arbor_refs, arbor_staging), each
// (k bytea PRIMARY KEY, v bytea); bytea compares bytewise, so key order is the
// contract's. arbor_schema holds the schema version; Open() creates the tables when
// they are missing and refuses a database whose version is newer than this binary's.
//
// Invariants that make it correct across processes:
//  * Write() is one READ COMMITTED transaction. It first takes a transaction-scoped
//    advisory lock for every kRefs/kStaging key it checks or point-writes (sorted, so
//    two writers never deadlock) — the striped lock table of RocksKvStore, moved into
//    the database so that it spans instances — then checks the preconditions with a
//    fresh statement (which sees every commit of a previous holder: PostgreSQL makes a
//    commit visible before it releases the locks), then writes, then commits. A branch
//    move is therefore a compare-and-set on its row that exactly one instance wins.
//    kObjects writes take no lock: content addressing makes them idempotent (INSERT
//    ... ON CONFLICT DO NOTHING, many rows per statement).
//  * A Snapshot is a REPEATABLE READ READ ONLY transaction pinned to one connection
//    for the Snapshot's lifetime; every read through it (all columns) uses that
//    connection. Only kRefs and kStaging need it: kObjects rows never change once
//    written, so reading them through the snapshot merely saves a connection.
//    An iterator without a snapshot opens its own, so it still presents one moment.
//  * A write is acknowledged after COMMIT returned with synchronous_commit on (the WAL
//    is flushed on the primary, or on the standbys PostgreSQL is configured to wait
//    for). WriteOptions::sync = false commits with synchronous_commit off; a later
//    synced commit flushes the WAL past it, as the contract requires.
//
// Connections come from a bounded pool. Snapshots may hold at most `max_connections`
// minus a reserve, so a thread that holds a snapshot and then writes always finds a
// connection once short operations finish. Waiting longer than `acquire_timeout_ms`
// fails with Busy. A lost connection fails the calls using it with Unavailable (both
// retryable) and is replaced on the next acquisition. Serialization failures and
// deadlocks reported by PostgreSQL are retried inside Write().
//
// LockAcrossProcesses() takes a session advisory lock (two-int4 keys, apart from the
// bigint keys of Write()) on a connection held for the lock's lifetime; it waits at
// most `process_lock_timeout_ms`. If that connection is lost the lock is gone too, so
// the compare-and-set of each batch stays the last line of defence.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "storage/kv_store.h"

typedef struct pg_conn PGconn;

namespace arbor {

struct PgOptions {
  // A libpq connection URI or key=value string (postgresql://user@host:5432/db).
  std::string conninfo;
  // Overrides any password in conninfo; never logged or put in error messages.
  std::string password;
  int max_connections = 16;
  int acquire_timeout_ms = 10'000;
  int connect_timeout_seconds = 10;
  int process_lock_timeout_ms = 60'000;
  // false turns every write unsynced: for benchmarks only, never for real data.
  bool sync_writes = true;
};

class PgKvStore final : public KvStore {
 public:
  // The schema version this binary writes and understands.
  static constexpr int kSchemaVersion = 1;

  static Result<std::unique_ptr<PgKvStore>> Open(const PgOptions& options);
  ~PgKvStore() override;

  PgKvStore(const PgKvStore&) = delete;
  PgKvStore& operator=(const PgKvStore&) = delete;

  Result<std::string> Get(Column c, std::string_view key, const ReadOptions& options = {}) override;
  std::unique_ptr<KvIterator> NewIterator(Column c, const ReadOptions& options = {}) override;
  std::unique_ptr<Snapshot> GetSnapshot() override;
  Status Write(const WriteBatch& batch, const WriteOptions& options = {}) override;
  Status SyncWal() override;
  // A session advisory lock on a connection of its own: PostgreSQL releases it when
  // the holder's connection ends, so a killed instance never leaves it held.
  bool SharedAcrossProcesses() const override { return true; }
  Result<std::unique_ptr<ProcessLock>> LockAcrossProcesses(std::string_view name) override;

  // A connection from the pool, handed back (or dropped, if it broke) on destruction.
  // For the coordination that other modules build on the same database (advisory
  // locks, lock tables); `for_snapshot` counts it against the snapshot share.
  class Lease {
   public:
    Lease() = default;
    Lease(PgKvStore* store, PGconn* conn, bool for_snapshot)
        : store_(store), conn_(conn), for_snapshot_(for_snapshot) {}
    Lease(Lease&& o) noexcept { *this = std::move(o); }
    Lease& operator=(Lease&& o) noexcept;
    ~Lease() { Reset(); }
    PGconn* get() const { return conn_; }
    void Reset();

   private:
    PgKvStore* store_ = nullptr;
    PGconn* conn_ = nullptr;
    bool for_snapshot_ = false;
  };
  Result<Lease> Acquire(bool for_snapshot = false);

 private:
  explicit PgKvStore(const PgOptions& options) : options_(options) {}
  Result<PGconn*> Connect();
  void Release(PGconn* conn, bool for_snapshot);
  Status EnsureSchema();
  // The body of Write(), inside the transaction it began.
  Status WriteOnce(PGconn* conn, const WriteBatch& batch);

  PgOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<PGconn*> idle_;
  int open_ = 0;    // connections in use or idle
  int in_use_ = 0;  // handed out
  int snapshots_in_use_ = 0;
};

// The connection string with any password removed, for logs and messages.
std::string RedactConninfo(std::string_view conninfo);

}  // namespace arbor

#include "storage/pg_kv_store.h"

#include <libpq-fe.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <map>
#include <optional>
#include <thread>

#include "storage/hash64.h"

namespace arbor {

namespace {

// PostgreSQL type oids (pg_type.dat); stable across releases.
constexpr Oid kInt8Oid = 20;
constexpr Oid kByteaOid = 17;
constexpr Oid kByteaArrayOid = 1001;
constexpr Oid kInt8ArrayOid = 1016;

// Held by Open() while it creates or checks the schema, so that instances starting
// together do not race on CREATE TABLE. Single-bigint advisory keys are apart from the
// two-int4 keys other modules use.
constexpr int64_t kSchemaLockKey = 0x4172626f72536368;  // "ArborSch"
constexpr int kMaxWriteAttempts = 8;
// Rows and bytes per multi-row statement, bounding one statement's memory.
constexpr size_t kRowsPerStatement = 2000;
constexpr size_t kBytesPerStatement = 16 << 20;

using ResultPtr = std::unique_ptr<PGresult, decltype(&PQclear)>;

struct Param {
  Oid type;
  std::string bytes;  // binary format
};

void PutBE32(std::string* out, uint32_t v) {
  char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
               static_cast<char>(v)};
  out->append(b, 4);
}

void PutBE64(std::string* out, uint64_t v) {
  PutBE32(out, static_cast<uint32_t>(v >> 32));
  PutBE32(out, static_cast<uint32_t>(v));
}

// PostgreSQL's binary array format: ndim, has-null flag, element oid, then per
// dimension its length and lower bound, then each element as length + bytes.
std::string ArrayHeader(Oid element, size_t n) {
  std::string out;
  PutBE32(&out, 1);
  PutBE32(&out, 0);
  PutBE32(&out, element);
  PutBE32(&out, static_cast<uint32_t>(n));
  PutBE32(&out, 1);
  return out;
}

Param ByteaArray(const std::vector<std::string_view>& items) {
  size_t total = 0;
  for (auto s : items)
    total += s.size() + 4;
  Param p{kByteaArrayOid, ArrayHeader(kByteaOid, items.size())};
  p.bytes.reserve(p.bytes.size() + total);
  for (auto s : items) {
    PutBE32(&p.bytes, static_cast<uint32_t>(s.size()));
    p.bytes.append(s);
  }
  return p;
}

Param Int8Array(const std::vector<int64_t>& items) {
  Param p{kInt8ArrayOid, ArrayHeader(kInt8Oid, items.size())};
  for (int64_t v : items) {
    PutBE32(&p.bytes, 8);
    PutBE64(&p.bytes, static_cast<uint64_t>(v));
  }
  return p;
}

Param Bytea(std::string_view s) {
  return {kByteaOid, std::string(s)};
}

std::string Table(Column c) {
  return "arbor_" + std::string(ColumnName(c));
}

bool Broken(PGconn* conn) {
  return PQstatus(conn) == CONNECTION_BAD;
}

std::string Trimmed(const char* message) {
  std::string m = message ? message : "";
  while (!m.empty() && (m.back() == '\n' || m.back() == ' '))
    m.pop_back();
  return m;
}

// Maps a failed statement to a Status. Serialization failures and deadlocks are Busy
// (Write retries them); a lost connection or a server going away is Unavailable.
Status StatementError(PGconn* conn, const PGresult* res, std::string_view what) {
  std::string message = Trimmed(res ? PQresultErrorMessage(res) : PQerrorMessage(conn));
  if (message.empty()) message = Trimmed(PQerrorMessage(conn));
  const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  std::string sqlstate = state ? state : "";
  std::string m = "PostgreSQL " + std::string(what) + ": " + message;
  if (Broken(conn) || sqlstate.rfind("08", 0) == 0 || sqlstate.rfind("57P0", 0) == 0) {
    return Status::Unavailable("lost the connection to PostgreSQL during " + std::string(what) +
                               " (" + message + "); the call may be retried");
  }
  if (sqlstate == "40001" || sqlstate == "40P01" || sqlstate.rfind("53", 0) == 0 ||
      sqlstate == "55P03") {
    return Status::Busy(std::move(m));
  }
  return Status::IOError(std::move(m));
}

Result<ResultPtr> Exec(PGconn* conn, const char* sql, const std::vector<Param>& params,
                       std::string_view what) {
  std::vector<Oid> types;
  std::vector<const char*> values;
  std::vector<int> lengths, formats;
  for (const auto& p : params) {
    types.push_back(p.type);
    values.push_back(p.bytes.data());
    lengths.push_back(static_cast<int>(p.bytes.size()));
    formats.push_back(1);
  }
  ResultPtr res(PQexecParams(conn, sql, static_cast<int>(params.size()), types.data(),
                             values.data(), lengths.data(), formats.data(), /*resultFormat=*/1),
                &PQclear);
  ExecStatusType st = res ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    return StatementError(conn, res.get(), what);
  }
  return res;
}

// A parameterless command (or several, separated by ';') in one round trip.
Status ExecSimple(PGconn* conn, const char* sql, std::string_view what) {
  ResultPtr res(PQexec(conn, sql), &PQclear);
  ExecStatusType st = res ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return StatementError(conn, res.get(), what);
  return Status::OK();
}

std::string_view Value(const PGresult* res, int row, int col) {
  return {PQgetvalue(res, row, col), static_cast<size_t>(PQgetlength(res, row, col))};
}

class PgSnapshot final : public Snapshot {
 public:
  explicit PgSnapshot(Result<PgKvStore::Lease> lease) {
    if (!lease.ok()) {
      status_ = lease.status();
      return;
    }
    lease_ = std::move(lease).value();
    // The first statement fixes the snapshot, so take it now: reads later through this
    // Snapshot must not see writes that happen after GetSnapshot() returned.
    // One round trip: the simple query protocol runs both statements.
    status_ = ExecSimple(lease_.get(), "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SELECT 1",
                         "taking a snapshot");
  }
  ~PgSnapshot() override {
    if (lease_.get() && !Broken(lease_.get())) (void)ExecSimple(lease_.get(), "ROLLBACK", "end");
  }

  // Runs `fn(conn)` on the snapshot's connection, one caller at a time.
  template <typename Fn>
  auto With(Fn&& fn) const -> decltype(fn(static_cast<PGconn*>(nullptr))) {
    std::lock_guard<std::mutex> l(mu_);
    if (!status_.ok()) return status_;
    return fn(lease_.get());
  }

 private:
  mutable std::mutex mu_;
  PgKvStore::Lease lease_;
  Status status_;
};

Result<std::string> GetOn(PGconn* conn, Column c, std::string_view key) {
  std::string sql = "SELECT v FROM " + Table(c) + " WHERE k = $1";
  ARBOR_ASSIGN_OR_RETURN(ResultPtr res, Exec(conn, sql.c_str(), {Bytea(key)}, "get"));
  if (PQntuples(res.get()) == 0) return Status::NotFound("key not found");
  return std::string(Value(res.get(), 0, 0));
}

// Pages through one column inside a snapshot, fetching a growing number of rows per
// round trip: point-ish scans stay cheap, long scans amortise the latency.
class PgIterator final : public KvIterator {
 public:
  PgIterator(Column c, const PgSnapshot* snap, std::unique_ptr<Snapshot> owned, std::string upper)
      : column_(c), snap_(snap), owned_(std::move(owned)), upper_(std::move(upper)) {}

  void SeekToFirst() override { Fetch("", true, /*fresh=*/true); }
  void Seek(std::string_view target) override { Fetch(target, true, true); }
  bool Valid() const override { return status_.ok() && pos_ < rows_.size(); }
  void Next() override {
    if (!Valid()) return;
    if (++pos_ < rows_.size() || !more_) return;
    std::string last = rows_.back().first;
    Fetch(last, false, false);
  }
  std::string_view key() const override { return rows_[pos_].first; }
  std::string_view value() const override { return rows_[pos_].second; }
  Status status() const override { return status_; }

 private:
  static constexpr size_t kFirstPage = 32, kMaxPage = 1024;

  void Fetch(std::string_view from, bool inclusive, bool fresh) {
    if (fresh) page_ = kFirstPage;
    rows_.clear();
    pos_ = 0;
    more_ = false;
    std::string sql =
        "SELECT k, v FROM " + Table(column_) + " WHERE k " + (inclusive ? ">=" : ">") + " $1";
    std::vector<Param> params{Bytea(from)};
    if (!upper_.empty()) {
      sql += " AND k < $2";
      params.push_back(Bytea(upper_));
    }
    sql += " ORDER BY k LIMIT " + std::to_string(page_);
    status_ = snap_->With([&](PGconn* conn) -> Status {
      ARBOR_ASSIGN_OR_RETURN(ResultPtr res, Exec(conn, sql.c_str(), params, "scan"));
      int n = PQntuples(res.get());
      rows_.reserve(n);
      for (int i = 0; i < n; ++i)
        rows_.emplace_back(Value(res.get(), i, 0), Value(res.get(), i, 1));
      more_ = static_cast<size_t>(n) == page_;
      return Status::OK();
    });
    page_ = std::min(page_ * 4, kMaxPage);
  }

  Column column_;
  const PgSnapshot* snap_;
  std::unique_ptr<Snapshot> owned_;
  std::string upper_;
  std::vector<std::pair<std::string, std::string>> rows_;
  size_t pos_ = 0;
  size_t page_ = kFirstPage;
  bool more_ = false;
  Status status_;
};

}  // namespace

std::string RedactConninfo(std::string_view conninfo) {
  std::string s(conninfo);
  // URI form: scheme://user:password@host...
  size_t scheme = s.find("://");
  if (scheme != std::string::npos) {
    size_t start = scheme + 3;
    size_t at = s.find('@', start);
    size_t slash = s.find('/', start);
    if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
      size_t colon = s.find(':', start);
      if (colon != std::string::npos && colon < at) s.replace(colon + 1, at - colon - 1, "***");
    }
  }
  // Key-value form and URI query parameters: password=...
  for (size_t pos = 0; (pos = s.find("password=", pos)) != std::string::npos;) {
    size_t begin = pos + 9;
    size_t end = s.find_first_of(" &", begin);
    if (end == std::string::npos) end = s.size();
    s.replace(begin, end - begin, "***");
    pos = begin + 3;
  }
  return s;
}

PgKvStore::Lease& PgKvStore::Lease::operator=(Lease&& o) noexcept {
  if (this != &o) {
    Reset();
    store_ = o.store_;
    conn_ = o.conn_;
    for_snapshot_ = o.for_snapshot_;
    o.store_ = nullptr;
    o.conn_ = nullptr;
  }
  return *this;
}

void PgKvStore::Lease::Reset() {
  if (store_ && conn_) store_->Release(conn_, for_snapshot_);
  store_ = nullptr;
  conn_ = nullptr;
}

Result<std::unique_ptr<PgKvStore>> PgKvStore::Open(const PgOptions& options) {
  if (options.max_connections < 2) {
    return Status::InvalidArgument("the PostgreSQL store needs at least 2 connections");
  }
  std::unique_ptr<PgKvStore> store(new PgKvStore(options));
  ARBOR_RETURN_IF_ERROR(store->EnsureSchema());
  return store;
}

PgKvStore::~PgKvStore() {
  for (PGconn* c : idle_)
    PQfinish(c);
}

Result<PGconn*> PgKvStore::Connect() {
  std::string timeout = std::to_string(options_.connect_timeout_seconds);
  std::vector<const char*> keys{"dbname", "connect_timeout", "fallback_application_name"};
  std::vector<const char*> values{options_.conninfo.c_str(), timeout.c_str(), "arbord"};
  if (!options_.password.empty()) {
    keys.push_back("password");
    values.push_back(options_.password.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  PGconn* conn = PQconnectdbParams(keys.data(), values.data(), /*expand_dbname=*/1);
  if (!conn) return Status::Unavailable("cannot connect to PostgreSQL: out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string m = Trimmed(PQerrorMessage(conn));
    PQfinish(conn);
    return Status::Unavailable("cannot connect to PostgreSQL at " +
                               RedactConninfo(options_.conninfo) + ": " + m);
  }
  // The server's default may be off; acknowledged writes must be durable.
  Status s = ExecSimple(
      conn, options_.sync_writes ? "SET synchronous_commit TO on" : "SET synchronous_commit TO off",
      "setting up a connection");
  if (!s.ok()) {
    PQfinish(conn);
    return s;
  }
  return conn;
}

Result<PgKvStore::Lease> PgKvStore::Acquire(bool for_snapshot) {
  const int max = options_.max_connections;
  const int snapshot_cap = max - std::max(1, max / 4);
  std::unique_lock<std::mutex> l(mu_);
  auto can = [&] { return in_use_ < max && (!for_snapshot || snapshots_in_use_ < snapshot_cap); };
  if (!cv_.wait_for(l, std::chrono::milliseconds(options_.acquire_timeout_ms), can)) {
    return Status::Busy("all " + std::to_string(max) +
                        " connections to PostgreSQL stayed busy for " +
                        std::to_string(options_.acquire_timeout_ms) + " ms; retry");
  }
  ++in_use_;
  if (for_snapshot) ++snapshots_in_use_;
  PGconn* conn = nullptr;
  while (!idle_.empty() && !conn) {
    conn = idle_.back();
    idle_.pop_back();
    if (Broken(conn)) {
      PQfinish(conn);
      conn = nullptr;
    }
  }
  if (conn) return Lease(this, conn, for_snapshot);
  l.unlock();
  auto connected = Connect();
  if (!connected.ok()) {
    l.lock();
    --in_use_;
    if (for_snapshot) --snapshots_in_use_;
    cv_.notify_all();
    return connected.status();
  }
  return Lease(this, *connected, for_snapshot);
}

void PgKvStore::Release(PGconn* conn, bool for_snapshot) {
  // A connection left inside a transaction (an error path that could not roll back)
  // is not reusable as is; closing it makes the server roll back.
  bool reusable = !Broken(conn) && PQtransactionStatus(conn) == PQTRANS_IDLE;
  if (!reusable) PQfinish(conn);
  std::lock_guard<std::mutex> l(mu_);
  --in_use_;
  if (for_snapshot) --snapshots_in_use_;
  if (reusable) idle_.push_back(conn);
  cv_.notify_all();
}

Status PgKvStore::EnsureSchema() {
  ARBOR_ASSIGN_OR_RETURN(Lease lease, Acquire());
  PGconn* conn = lease.get();
  ARBOR_RETURN_IF_ERROR(ExecSimple(conn, "BEGIN", "creating the schema"));
  auto run = [&]() -> Status {
    std::vector<Param> key;
    key.push_back({kInt8Oid, ""});
    PutBE64(&key[0].bytes, static_cast<uint64_t>(kSchemaLockKey));
    ARBOR_RETURN_IF_ERROR(
        Exec(conn, "SELECT pg_advisory_xact_lock($1)", key, "locking the schema").status());
    ARBOR_RETURN_IF_ERROR(
        ExecSimple(conn, "CREATE TABLE IF NOT EXISTS arbor_schema (version integer NOT NULL)",
                   "creating the schema"));
    ARBOR_ASSIGN_OR_RETURN(ResultPtr res, Exec(conn, "SELECT max(version)::int8 FROM arbor_schema",
                                               {}, "reading the schema version"));
    if (!PQgetisnull(res.get(), 0, 0)) {
      std::string_view v = Value(res.get(), 0, 0);
      int64_t version = 0;
      for (char ch : v)
        version = (version << 8) | static_cast<unsigned char>(ch);
      if (version > kSchemaVersion) {
        return Status::PreconditionFailed(
            "the PostgreSQL database holds Arbor schema version " + std::to_string(version) +
            ", newer than version " + std::to_string(kSchemaVersion) +
            " that this arbord understands: upgrade arbord, or point --store at another "
            "database");
      }
      return Status::OK();
    }
    for (int c = 0; c < kNumColumns; ++c) {
      std::string sql = "CREATE TABLE IF NOT EXISTS " + Table(static_cast<Column>(c)) +
                        " (k bytea PRIMARY KEY, v bytea NOT NULL)";
      ARBOR_RETURN_IF_ERROR(ExecSimple(conn, sql.c_str(), "creating the schema"));
    }
    std::string insert =
        "INSERT INTO arbor_schema (version) VALUES (" + std::to_string(kSchemaVersion) + ")";
    return ExecSimple(conn, insert.c_str(), "creating the schema");
  };
  Status s = run();
  if (!s.ok()) {
    if (!Broken(conn)) (void)ExecSimple(conn, "ROLLBACK", "rollback");
    return s;
  }
  return ExecSimple(conn, "COMMIT", "creating the schema");
}

Result<std::string> PgKvStore::Get(Column c, std::string_view key, const ReadOptions& options) {
  if (options.snapshot) {
    return static_cast<const PgSnapshot*>(options.snapshot)->With([&](PGconn* conn) {
      return GetOn(conn, c, key);
    });
  }
  // A read is idempotent: one retry on a fresh connection hides a connection that
  // died while it sat idle in the pool (a database restart).
  for (int attempt = 0;; ++attempt) {
    ARBOR_ASSIGN_OR_RETURN(Lease lease, Acquire());
    auto r = GetOn(lease.get(), c, key);
    if (r.ok() || r.status().code() != StatusCode::kUnavailable || attempt > 0) return r;
  }
}

std::unique_ptr<KvIterator> PgKvStore::NewIterator(Column c, const ReadOptions& options) {
  std::unique_ptr<Snapshot> owned;
  const Snapshot* snap = options.snapshot;
  if (!snap) {
    owned = GetSnapshot();
    snap = owned.get();
  }
  return std::make_unique<PgIterator>(c, static_cast<const PgSnapshot*>(snap), std::move(owned),
                                      options.upper_bound);
}

std::unique_ptr<Snapshot> PgKvStore::GetSnapshot() {
  return std::make_unique<PgSnapshot>(Acquire(/*for_snapshot=*/true));
}

Status PgKvStore::Write(const WriteBatch& batch, const WriteOptions& options) {
  if (batch.empty()) return Status::OK();
  bool sync = options.sync && options_.sync_writes;
  Status s;
  for (int attempt = 0; attempt < kMaxWriteAttempts; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(1 << attempt));
    ARBOR_ASSIGN_OR_RETURN(Lease lease, Acquire());
    PGconn* conn = lease.get();
    // BEGIN failing on a dead pooled connection sent nothing that could commit: retry
    // it on a fresh connection. Any later failure of a lost connection may or may not
    // have committed, so it is the caller's to retry.
    s = ExecSimple(
        conn,
        sync ? "BEGIN ISOLATION LEVEL READ COMMITTED"
             : "BEGIN ISOLATION LEVEL READ COMMITTED; SET LOCAL synchronous_commit TO off",
        "begin");
    if (!s.ok()) {
      if (s.code() == StatusCode::kUnavailable && attempt == 0) continue;
      return s;
    }
    s = WriteOnce(conn, batch);
    if (s.ok()) return s;
    if (!Broken(conn) && PQtransactionStatus(conn) != PQTRANS_IDLE)
      (void)ExecSimple(conn, "ROLLBACK", "rollback");
    if (s.code() != StatusCode::kBusy) return s;
  }
  return s.WithContext("after " + std::to_string(kMaxWriteAttempts) + " attempts");
}

Status PgKvStore::WriteOnce(PGconn* conn, const WriteBatch& batch) {
  std::vector<int64_t> locks;
  auto lock_key = [&](Column c, std::string_view key) {
    if (c == Column::kObjects) return;
    locks.push_back(static_cast<int64_t>(Hash64(key, 0x6172626f72 + static_cast<uint64_t>(c))));
  };
  for (const auto& p : batch.preconditions())
    lock_key(p.column, p.key);
  // Unconditional writes lock too, so that no value changes between a concurrent
  // conditional batch's check and its write.
  for (const auto& op : batch.ops()) {
    if (op.type != WriteBatch::OpType::kDeleteRange) lock_key(op.column, op.key);
  }
  std::sort(locks.begin(), locks.end());
  locks.erase(std::unique(locks.begin(), locks.end()), locks.end());
  if (!locks.empty()) {
    ARBOR_RETURN_IF_ERROR(Exec(conn, "SELECT pg_advisory_xact_lock(x) FROM unnest($1) AS x",
                               {Int8Array(locks)}, "locking keys")
                              .status());
  }

  for (int c = 0; c < kNumColumns; ++c) {
    std::vector<std::string_view> keys;
    for (const auto& p : batch.preconditions()) {
      if (static_cast<int>(p.column) == c) keys.push_back(p.key);
    }
    if (keys.empty()) continue;
    std::string sql = "SELECT k, v FROM " + Table(static_cast<Column>(c)) + " WHERE k = ANY($1)";
    ARBOR_ASSIGN_OR_RETURN(ResultPtr res,
                           Exec(conn, sql.c_str(), {ByteaArray(keys)}, "checking preconditions"));
    std::map<std::string_view, std::string_view> current;
    for (int i = 0; i < PQntuples(res.get()); ++i)
      current.emplace(Value(res.get(), i, 0), Value(res.get(), i, 1));
    for (const auto& p : batch.preconditions()) {
      if (static_cast<int>(p.column) != c) continue;
      auto it = current.find(p.key);
      bool present = it != current.end();
      if (!p.expected.has_value()) {
        if (present) {
          return Status::PreconditionFailed("key in " + std::string(ColumnName(p.column)) +
                                            " exists but was expected absent");
        }
      } else if (!present || it->second != *p.expected) {
        return Status::PreconditionFailed("key in " + std::string(ColumnName(p.column)) +
                                          (present ? " changed" : " is gone") +
                                          " since it was read");
      }
    }
  }

  // Point ops are collapsed per key (the last one wins) into multi-row statements; a
  // range delete first flushes what precedes it, keeping the batch's order.
  std::map<std::string_view, const std::string*> pending[kNumColumns];  // nullptr: delete
  auto flush = [&]() -> Status {
    for (int c = 0; c < kNumColumns; ++c) {
      std::vector<std::string_view> put_keys, put_values, deletes;
      size_t bytes = 0;
      std::string table = Table(static_cast<Column>(c));
      std::string upsert =
          "INSERT INTO " + table + " (k, v) SELECT * FROM unnest($1::bytea[], " +
          "$2::bytea[]) ON CONFLICT (k) DO " +
          (c == static_cast<int>(Column::kObjects) ? "NOTHING" : "UPDATE SET v = EXCLUDED.v");
      std::string del = "DELETE FROM " + table + " WHERE k = ANY($1)";
      auto flush_puts = [&]() -> Status {
        if (put_keys.empty()) return Status::OK();
        auto r =
            Exec(conn, upsert.c_str(), {ByteaArray(put_keys), ByteaArray(put_values)}, "write");
        put_keys.clear();
        put_values.clear();
        bytes = 0;
        return r.status();
      };
      for (const auto& [key, value] : pending[c]) {
        if (!value) {
          deletes.push_back(key);
          continue;
        }
        put_keys.push_back(key);
        put_values.push_back(*value);
        bytes += key.size() + value->size();
        if (put_keys.size() >= kRowsPerStatement || bytes >= kBytesPerStatement)
          ARBOR_RETURN_IF_ERROR(flush_puts());
      }
      ARBOR_RETURN_IF_ERROR(flush_puts());
      for (size_t i = 0; i < deletes.size(); i += kRowsPerStatement) {
        std::vector<std::string_view> chunk(
            deletes.begin() + i, deletes.begin() + std::min(deletes.size(), i + kRowsPerStatement));
        ARBOR_RETURN_IF_ERROR(Exec(conn, del.c_str(), {ByteaArray(chunk)}, "delete").status());
      }
      pending[c].clear();
    }
    return Status::OK();
  };
  for (const auto& op : batch.ops()) {
    int c = static_cast<int>(op.column);
    switch (op.type) {
      case WriteBatch::OpType::kPut:
        pending[c][op.key] = &op.value;
        break;
      case WriteBatch::OpType::kDelete:
        pending[c][op.key] = nullptr;
        break;
      case WriteBatch::OpType::kDeleteRange: {
        ARBOR_RETURN_IF_ERROR(flush());
        std::string sql = "DELETE FROM " + Table(op.column) + " WHERE k >= $1 AND k < $2";
        ARBOR_RETURN_IF_ERROR(
            Exec(conn, sql.c_str(), {Bytea(op.key), Bytea(op.value)}, "range delete").status());
        break;
      }
    }
  }
  ARBOR_RETURN_IF_ERROR(flush());
  return ExecSimple(conn, "COMMIT", "commit");
}

namespace {

class PgProcessLock final : public ProcessLock {
 public:
  PgProcessLock(PgKvStore::Lease lease, std::vector<Param> key)
      : lease_(std::move(lease)), key_(std::move(key)) {}
  ~PgProcessLock() override {
    if (!Broken(lease_.get())) {
      (void)Exec(lease_.get(), "SELECT pg_advisory_unlock($1::int4, $2::int4)", key_, "unlock");
    }
  }

 private:
  PgKvStore::Lease lease_;
  std::vector<Param> key_;
};

Param Int4(int32_t v) {
  Param p{23, ""};  // int4
  PutBE32(&p.bytes, static_cast<uint32_t>(v));
  return p;
}

}  // namespace

Result<std::unique_ptr<ProcessLock>> PgKvStore::LockAcrossProcesses(std::string_view name) {
  // Held for the length of an operation, like a snapshot: it counts against the
  // snapshot share so short operations always find a connection.
  ARBOR_ASSIGN_OR_RETURN(Lease lease, Acquire(/*for_snapshot=*/true));
  std::vector<Param> key{Int4(0x41726200),
                         Int4(static_cast<int32_t>(Hash64(name, 0x6c6f636b) & 0x7fffffff))};
  std::string timeout = "SET lock_timeout = " + std::to_string(options_.process_lock_timeout_ms);
  ARBOR_RETURN_IF_ERROR(ExecSimple(lease.get(), timeout.c_str(), "lock"));
  auto r = Exec(lease.get(), "SELECT pg_advisory_lock($1::int4, $2::int4)", key, "lock");
  (void)ExecSimple(lease.get(), "SET lock_timeout = 0", "lock");
  if (!r.ok()) {
    if (r.status().code() == StatusCode::kBusy) {
      return Status::Busy("'" + std::string(name) +
                          "' stayed locked by another arbord instance for " +
                          std::to_string(options_.process_lock_timeout_ms) + " ms; retry");
    }
    return r.status();
  }
  return std::unique_ptr<ProcessLock>(new PgProcessLock(std::move(lease), std::move(key)));
}

Status PgKvStore::SyncWal() {
  // A transaction that takes an xid writes a commit record; committing it with
  // synchronous_commit on flushes the WAL up to that record, past every earlier
  // unsynced commit.
  ARBOR_ASSIGN_OR_RETURN(Lease lease, Acquire());
  return ExecSimple(lease.get(), "SELECT pg_current_xact_id()", "syncing the WAL");
}

}  // namespace arbor

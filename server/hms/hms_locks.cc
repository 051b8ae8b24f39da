// Locks: Iceberg's commit lock protocol (lock, check_lock, heartbeat, unlock,
// show_locks; docs/hms-compatibility.md#iceberg-commits-and-locks) on the in-memory LockManager.
//
// A lock component's database is keyed as "<db>@<ref>", with the ref resolved to
// its canonical name (the branch, or the commit id of a tag or commit), so that
// `sales`, `sales@main` and `@hive#sales` all lock the same table when main is the
// ref in effect, while `sales@dev` locks a different one: locks are per branch,
// like the tables they protect. show_locks reports the database as the lock
// request named it, lower-cased ("sales", "sales@dev"), as Hive does; the key
// only decides which locks a show_locks filter matches.
//
// Arbor serves no transactions (open_txns is not served): a txnid in a request is
// recorded and shown, but not validated, and never ties the lock to anything.
#include <algorithm>

#include "server/hms/hms_handler.h"
#include "server/hms/hms_semantics.h"
#include "versioning/names.h"
#include "versioning/partition_name.h"

namespace arbor::hms {

using hive::CheckLockRequest;
using hive::HeartbeatRequest;
using hive::LockRequest;
using hive::LockResponse;
using hive::MetaException;
using hive::NoSuchLockException;
using hive::ShowLocksRequest;
using hive::ShowLocksResponse;
using hive::ShowLocksResponseElement;
using hive::UnlockRequest;

namespace {

using SpecLevel = LockComponentSpec::Level;
using SpecType = LockComponentSpec::Type;

// Unknown (newer) lock types get the strictest treatment.
SpecType FromThrift(hive::LockType::type t) {
  switch (t) {
    case hive::LockType::SHARED_READ:
      return SpecType::kSharedRead;
    case hive::LockType::SHARED_WRITE:
      return SpecType::kSharedWrite;
    case hive::LockType::EXCL_WRITE:
      return SpecType::kExclusiveWrite;
    case hive::LockType::EXCLUSIVE:
      return SpecType::kExclusive;
  }
  return SpecType::kExclusive;
}

hive::LockType::type ToThrift(SpecType t) {
  switch (t) {
    case SpecType::kSharedRead:
      return hive::LockType::SHARED_READ;
    case SpecType::kSharedWrite:
      return hive::LockType::SHARED_WRITE;
    case SpecType::kExclusiveWrite:
      return hive::LockType::EXCL_WRITE;
    case SpecType::kExclusive:
      return hive::LockType::EXCLUSIVE;
  }
  return hive::LockType::EXCLUSIVE;
}

hive::LockState::type ToThrift(LockState s) {
  switch (s) {
    case LockState::kAcquired:
      return hive::LockState::ACQUIRED;
    case LockState::kWaiting:
      return hive::LockState::WAITING;
    case LockState::kAbort:
      return hive::LockState::ABORT;
    case LockState::kNotAcquired:
      return hive::LockState::NOT_ACQUIRED;
  }
  return hive::LockState::NOT_ACQUIRED;
}

// "<db>@<canonical ref>" for a parsed database name and the ref it addresses.
Result<std::string> LockDbKey(Repository* repo, const DbName& name, const std::string& ref) {
  if (name.all || name.db.empty()) {
    return Status::InvalidArgument("a lock component needs a database name");
  }
  ARBOR_ASSIGN_OR_RETURN(ResolvedRef resolved, repo->Resolve(ref));
  return name.db + "@" + (resolved.is_branch() ? resolved.branch : resolved.commit.ToHex());
}

// Partition names as HMS stores them: lower-case keys, canonical escaping. A name
// that does not parse is kept as written (it still only conflicts with itself and
// with its table).
std::string CanonicalPartName(std::string_view name) {
  auto pairs = ParsePartName(name);
  if (!pairs.ok()) return std::string(name);
  std::vector<std::string> keys, values;
  for (auto& [k, v] : *pairs) {
    keys.push_back(NormalizeIdentifier(k));
    values.push_back(std::move(v));
  }
  auto made = MakePartName(keys, values);
  return made.ok() ? *made : std::string(name);
}

[[noreturn]] void RaiseLockStatus(const Status& status) {
  if (status.code() == StatusCode::kNotFound) {
    ThrowWithMessage<NoSuchLockException>(status.message());
  }
  ThrowWithMessage<MetaException>(status.message());
}

}  // namespace

void HmsHandler::lock(LockResponse& _return, const LockRequest& rqst) {
  using E = ARBOR_HMS_THROWS(lock);
  // Errors here have no declared slot (lock declares only NoSuchTxn and
  // TxnAborted): they reach the client as TApplicationException with the message.
  auto fail = [](const Status& s) { Raise<E>(s); };
  if (!rqst.__isset.component || rqst.component.empty()) {
    fail(Status::InvalidArgument("lock request has no components"));
  }
  std::vector<LockComponentSpec> specs;
  specs.reserve(rqst.component.size());
  for (const auto& c : rqst.component) {
    DbName n = Parse<E>(c.__isset.dbname ? c.dbname : "");
    LockComponentSpec spec;
    auto key = LockDbKey(context_->repo, n, RefOf(n));
    if (!key.ok()) fail(key.status());
    spec.db = std::move(*key);
    spec.db_shown = NormalizeIdentifier(n.echo);
    if (c.__isset.tablename && !c.tablename.empty()) spec.table = NormalizeIdentifier(c.tablename);
    if (c.__isset.partitionname && !c.partitionname.empty()) {
      if (spec.table.empty()) {
        fail(Status::InvalidArgument("lock component for partition '" + c.partitionname +
                                     "' names no table"));
      }
      spec.partition = CanonicalPartName(c.partitionname);
    }
    // The level follows the names given, as in Hive's TxnHandler; `level` itself is
    // informational there too.
    spec.level = !spec.partition.empty() ? SpecLevel::kPartition
                 : !spec.table.empty()   ? SpecLevel::kTable
                                         : SpecLevel::kDatabase;
    spec.type = c.__isset.type ? FromThrift(c.type) : SpecType::kExclusive;
    specs.push_back(std::move(spec));
  }
  // Authenticated, a lock belongs to the session's user whatever the request
  // says, and only shared reads are open to readers.
  std::string user = rqst.__isset.user && !rqst.user.empty() ? rqst.user : user_;
  if (identity_.authenticated()) {
    user = user_;
    const bool writes = std::any_of(specs.begin(), specs.end(), [](const LockComponentSpec& c) {
      return c.type != SpecType::kSharedRead;
    });
    if (writes) {
      if (Status s = Authorize(auth::Role::kWriter, "take a write lock"); !s.ok()) fail(s);
    }
  }
  auto info = context_->locks->Lock(
      std::move(specs), std::move(user), rqst.__isset.hostname ? rqst.hostname : std::string(),
      rqst.__isset.agentInfo ? rqst.agentInfo : "Unknown", rqst.__isset.txnid ? rqst.txnid : 0);
  if (!info.ok()) fail(info.status());
  _return.__set_lockid(info->id);
  _return.__set_state(ToThrift(info->state));
}

void HmsHandler::check_lock(LockResponse& _return, const CheckLockRequest& rqst) {
  auto info = context_->locks->Check(rqst.__isset.lockid ? rqst.lockid : 0, LockOwner());
  if (!info.ok()) RaiseLockStatus(info.status());
  _return.__set_lockid(info->id);
  _return.__set_state(ToThrift(info->state));
}

void HmsHandler::unlock(const UnlockRequest& rqst) {
  Status s = context_->locks->Unlock(rqst.__isset.lockid ? rqst.lockid : 0, LockOwner());
  if (!s.ok()) RaiseLockStatus(s);
}

// As in Hive, a lock id of 0 (or none) heartbeats no lock. A txnid alone is
// accepted and does nothing: there are no transactions to keep alive.
void HmsHandler::heartbeat(const HeartbeatRequest& ids) {
  if (!ids.__isset.lockid || ids.lockid <= 0) return;
  Status s = context_->locks->Heartbeat(ids.lockid, LockOwner());
  if (!s.ok()) RaiseLockStatus(s);
}

// One element per lock component, as HMS lists them, with every required field
// set. dbname is the database as the lock request named it.
void HmsHandler::show_locks(ShowLocksResponse& _return, const ShowLocksRequest& rqst) {
  using E = ARBOR_HMS_THROWS(show_locks);
  std::string db_key;
  if (rqst.__isset.dbname && !rqst.dbname.empty()) {
    // show_locks declares no exceptions; a malformed name fails the call with its
    // message, and a ref that does not resolve holds no locks.
    DbName n = Parse<E>(rqst.dbname);
    auto key = LockDbKey(context_->repo, n, RefOf(n));
    if (!key.ok()) {
      if (key.status().code() != StatusCode::kNotFound) Raise<E>(key.status());
      _return.__set_locks({});
      return;
    }
    db_key = std::move(*key);
  }
  std::string table =
      rqst.__isset.tablename && !rqst.tablename.empty() ? NormalizeIdentifier(rqst.tablename) : "";
  std::string part =
      rqst.__isset.partname && !rqst.partname.empty() ? CanonicalPartName(rqst.partname) : "";

  std::vector<ShowLocksResponseElement> elements;
  auto shown = context_->locks->Show(db_key, table);
  if (!shown.ok()) RaiseLockStatus(shown.status());
  for (const LockInfo& info : *shown) {
    if (rqst.__isset.txnid && info.txn_id != rqst.txnid) continue;
    for (size_t i = 0; i < info.components.size(); ++i) {
      const LockComponentSpec& c = info.components[i];
      if (!db_key.empty() && c.db != db_key) continue;
      if (!table.empty() && c.table != table) continue;
      if (!part.empty() && c.partition != part) continue;
      ShowLocksResponseElement e;
      e.__set_lockid(info.id);
      e.__set_dbname(c.db_shown.empty() ? c.db : c.db_shown);
      if (!c.table.empty()) e.__set_tablename(c.table);
      if (!c.partition.empty()) e.__set_partname(c.partition);
      e.__set_state(ToThrift(info.state));
      e.__set_type(ToThrift(c.type));
      e.__set_txnid(info.txn_id);
      e.__set_lastheartbeat(info.last_heartbeat_ms);
      if (info.state == LockState::kAcquired) e.__set_acquiredat(info.acquired_at_ms);
      e.__set_user(info.user);
      e.__set_hostname(info.host);
      e.__set_heartbeatCount(static_cast<int32_t>(info.heartbeat_count));
      e.__set_agentInfo(info.agent_info);
      e.__set_lockIdInternal(static_cast<int64_t>(i) + 1);
      e.__set_catname(kHiveCatalog);
      elements.push_back(std::move(e));
    }
  }
  _return.__set_locks(std::move(elements));
}

}  // namespace arbor::hms

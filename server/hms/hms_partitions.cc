// HMS partition calls: add, append, alter, rename, drop and every read form
// (by values, by name, by names, partial spec, filter, expression).
//
// Shape: each family has one implementation. The legacy, _with_auth and
// _with_environment_context forms build the family's _req struct and call the
// _req method (their declared exception sets are identical, so the same
// exception types reach the client; ARBOR_HMS_DELEGATES_TO checks it at compile
// time). The _req methods parse the database argument, open a view or a write,
// and hand the work to the free functions below, which speak Status and never
// throw.
//
// Semantics worth knowing (docs/hms-compatibility.md):
//   * Responses echo the database name as the client sent it (DbName::echo);
//     catName is the stored one, else the catalog the request named (if any).
//   * max_parts < 0 means no limit; 0 means none.
//   * Partial specs (_ps): "" matches any value and the list may be shorter
//     than the keys; leading fixed values narrow the scan to one key range.
//   * Filters are parsed once against the table's keys and evaluated on the
//     stored values; their fixed leading string keys narrow the scan likewise.
//   * By-expression calls cannot evaluate Hive's Kryo blobs: they answer every
//     partition with hasUnknownPartitions=true, so the client filters again.
//   * Drops never touch data files: deleteData is accepted and ignored.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "server/hms/filter_query.h"
#include "server/hms/hms_convert.h"
#include "server/hms/hms_handler.h"
#include "server/hms/hms_semantics.h"
#include "server/hms/hms_validation.h"
#include "server/hms/local_dirs.h"
#include "server/hms/partition_filter.h"
#include "server/hms/partition_specs.h"
#include "versioning/catalog_query.h"
#include "versioning/deterministic_proto.h"
#include "versioning/names.h"
#include "versioning/partition_name.h"

namespace arbor::hms {

using hive::AddPartitionsRequest;
using hive::AddPartitionsResult;
using hive::AlterPartitionsRequest;
using hive::AlterPartitionsResponse;
using hive::AppendPartitionsRequest;
using hive::DropPartitionRequest;
using hive::DropPartitionsRequest;
using hive::DropPartitionsResult;
using hive::EnvironmentContext;
using hive::FieldSchema;
using hive::GetPartitionNamesPsRequest;
using hive::GetPartitionNamesPsResponse;
using hive::GetPartitionRequest;
using hive::GetPartitionResponse;
using hive::GetPartitionsByFilterRequest;
using hive::GetPartitionsByNamesRequest;
using hive::GetPartitionsByNamesResult;
using hive::GetPartitionsPsWithAuthRequest;
using hive::GetPartitionsPsWithAuthResponse;
using hive::Partition;
using hive::PartitionListComposingSpec;
using hive::PartitionsByExprRequest;
using hive::PartitionsByExprResult;
using hive::PartitionSpec;
using hive::PartitionSpecWithSharedSD;
using hive::PartitionsRequest;
using hive::PartitionsResponse;
using hive::PartitionsSpecByExprResult;
using hive::PartitionValuesRequest;
using hive::PartitionValuesResponse;
using hive::PartitionValuesRow;
using hive::PrincipalPrivilegeSet;
using hive::PrivilegeGrantInfo;
using hive::RenamePartitionRequest;
using hive::RenamePartitionResponse;
using hive::Table;

namespace {

// ---------------------------------------------------------------------------
// The table a request addresses, and how responses name it.

struct PartTarget {
  DbName db;
  std::string table;  // as the client wrote it; the catalog normalizes
  // The catalog the request named (an `@cat#` prefix, else a catName field);
  // empty when it named none.
  std::string catalog;
  // Renders locations: from the view a read reads, or, for a write that returns
  // partitions, from the view it wrote through (RendererOf(txn.view())).
  LocationRenderer render;
};

// `catalog_field`: the request struct's catName, when it has one and it is set.
PartTarget Aim(DbName db, std::string table, const std::string* catalog_field = nullptr) {
  PartTarget t;
  if (db.catalog) {
    t.catalog = *db.catalog;
  } else if (catalog_field) {
    t.catalog = NormalizeIdentifier(*catalog_field);
  }
  if ((db.catalog || catalog_field) && t.catalog.empty()) t.catalog = "hive";
  t.db = std::move(db);
  t.table = std::move(table);
  return t;
}

// For Aim: the request's catName field, if set.
template <typename Request>
const std::string* CatalogField(const Request& req) {
  return req.__isset.catName ? &req.catName : nullptr;
}

std::string Qualified(const PartTarget& t) {
  return t.db.db + "." + NormalizeIdentifier(t.table);
}

// How this request's client sees stored partitions (partition_wire.h).
PartitionPresentation HowOf(const PartTarget& t) {
  return PartitionPresentation{&t.render, t.db.echo, t.catalog};
}

// The thrift form of a stored partition, as this request's client names it,
// written over `*out` (whose storage is reused: listings present every
// partition into one object).
void PresentInto(const catalog::Partition& stored, const PartTarget& t, Partition* out) {
  PresentPartition(stored, HowOf(t), out);
}

Partition Present(const catalog::Partition& stored, const PartTarget& t) {
  Partition out;
  PresentInto(stored, t, &out);
  return out;
}

using Emitter = HmsHandler::PartitionEmitter;

// An emitter that collects copies: the non-streamed form of a listing.
Emitter Collect(std::vector<Partition>* out) {
  return [out](const Partition& p) { out->push_back(p); };
}

std::vector<Partition> PresentAll(const std::vector<catalog::Partition>& stored,
                                  const PartTarget& t) {
  std::vector<Partition> out;
  out.reserve(stored.size());
  for (const auto& p : stored)
    out.push_back(Present(p, t));
  return out;
}

std::vector<std::string> ValuesOf(const catalog::Partition& p) {
  return std::vector<std::string>(p.values().items().begin(), p.values().items().end());
}

size_t LimitOf(int16_t max_parts) {
  return max_parts < 0 ? SIZE_MAX : static_cast<size_t>(max_parts);
}

// Alter and rename failures about missing or clashing partitions are
// InvalidOperationException in HMS ("alter is not possible"); InvalidArgument is
// the code Raise turns into it. Other failures keep their code.
Status AsInvalid(const Status& s) {
  if (!s.IsNotFound() && !s.IsAlreadyExists()) return s;
  return Status::InvalidArgument(s.message());
}

// ---------------------------------------------------------------------------
// Table and partition lookup.

struct TableInfo {
  catalog::Table table;
  std::vector<std::string> keys;           // normalized partition-key names, in order
  std::vector<PartitionKeyInfo> key_info;  // the same, with types, for filters

  const std::string& db() const { return table.db_name(); }
  const std::string& name() const { return table.table_name(); }
};

// The table and its partition keys; NotFound when either the database or the
// table is missing (including names that cannot exist at all).
Result<TableInfo> LoadTable(const CatalogTxn& txn, const PartTarget& t) {
  auto table = txn.GetTable(t.db.db, t.table);
  if (!table.ok()) {
    if (table.status().code() == StatusCode::kInvalidArgument) {
      return Status::NotFound(Qualified(t) + " table not found");
    }
    return table.status();
  }
  TableInfo info;
  info.table = std::move(table).value();
  if (info.table.has_partition_keys()) {
    for (const auto& k : info.table.partition_keys().items()) {
      std::string name = NormalizeIdentifier(k.name());
      info.keys.push_back(name);
      info.key_info.push_back(PartitionKeyInfo{std::move(name), k.type()});
    }
  }
  return info;
}

// For add, append, alter and rename: a missing table is reported as Hive does
// ("Unable to add partition because table or database do not exist"), with
// code InvalidArgument, which those methods' declarations turn into
// InvalidObjectException (add, append) or InvalidOperationException (alter, rename).
Result<TableInfo> LoadTableForWrite(const CatalogTxn& txn, const PartTarget& t,
                                    const std::string& what) {
  auto info = LoadTable(txn, t);
  if (!info.ok() && info.status().IsNotFound()) {
    return Status::InvalidArgument("Unable to " + what +
                                   " because table or database do not exist: " + Qualified(t));
  }
  return info;
}

// A partition named by its values or by its name.
struct PartSpec {
  std::vector<std::string> values;
  std::optional<std::string> name;

  static PartSpec Values(std::vector<std::string> v) {
    return PartSpec{std::move(v), std::nullopt};
  }
  static PartSpec Name(std::string n) { return PartSpec{{}, std::move(n)}; }
};

struct ResolvedPart {
  std::string name;  // canonical: MakePartName of the table's keys and the values
  std::vector<std::string> values;
};

// Both forms of `spec`. InvalidRequest (MetaException, as Hive's makePartName
// and makeSpecFromName) when the values do not fit the table's keys (count,
// unpartitioned table) or the name is empty; InvalidArgument when the name does
// not parse or names other keys.
Result<ResolvedPart> Resolve(const CatalogTxn& txn, const TableInfo& info, const PartSpec& spec) {
  ResolvedPart r;
  if (spec.name && spec.name->empty()) {
    return Status::InvalidRequest("Partition name is invalid: it is empty");
  }
  if (spec.name) {
    ARBOR_ASSIGN_OR_RETURN(r.values, PartNameToValues(*spec.name, info.keys));
  } else {
    r.values = spec.values;
  }
  ARBOR_ASSIGN_OR_RETURN(r.name, txn.PartitionName(info.table, r.values));
  return r;
}

// Resolve for calls that look an existing partition up (get, drop): a name
// that does not parse or does not fit the keys names no partition, so it is
// NotFound, as in HMS. Values keep Resolve's codes.
Result<ResolvedPart> ResolveExisting(const CatalogTxn& txn, const TableInfo& info,
                                     const PartSpec& spec) {
  auto r = Resolve(txn, info, spec);
  if (!r.ok() && spec.name && r.status().code() == StatusCode::kInvalidArgument) {
    return Status::NotFound("partition " + QuoteName(*spec.name) + " of " + info.db() + "." +
                            info.name() + " does not exist: " + r.status().message());
  }
  return r;
}

// ---------------------------------------------------------------------------
// Listing: partial specs, filters and limits, as one catalog query each.

struct Criteria {
  std::vector<std::string> part_vals;  // _ps: "" = any value; may be shorter than the keys
  std::optional<std::string> filter;   // Filter.g text
  int16_t max_parts = -1;
  uint64_t max_candidates = 0;  // the session's listing budget; 0: none
};

// The catalog query for `c`. A filter becomes the query's predicate, and its
// bounds on leading string keys narrow the scan (filter_query.h).
Result<PartitionQuery> Select(const TableInfo& info, const Criteria& c) {
  PartitionQuery q;
  q.limit = LimitOf(c.max_parts);
  q.values = c.part_vals;
  if (c.filter) {
    ARBOR_ASSIGN_OR_RETURN(PartitionFilter f, PartitionFilter::Parse(*c.filter, info.key_info));
    AddFilter(std::make_shared<const PartitionFilter>(std::move(f)), &q);
  }
  return q;
}

// Throws ListingOverBudget unless `q` reads at most c.max_candidates keys
// (when bounded): called before a listing writes anything. Counting the edits
// not yet committed takes a scan of them, so past a few hundred the listing
// is not tried here (each costs a staging read, and the listing would be
// handed on anyway).
Status CheckBudget(const CatalogQuery& query, const TableInfo& info, const PartitionQuery& q,
                   const Criteria& c) {
  if (c.max_candidates == 0) return Status::OK();
  constexpr size_t kMaxEditsCounted = 256;
  ARBOR_ASSIGN_OR_RETURN(
      std::optional<uint64_t> n,
      query.CandidateBound(info.table, q, std::min<size_t>(c.max_candidates, kMaxEditsCounted)));
  if (!n || *n > c.max_candidates) throw ListingOverBudget{};
  return Status::OK();
}

// Hands each selected partition to `emit`, in name order, one reused object.
// Without a filter the count is known up front from the keys (the view is one
// snapshot, so the listing that follows yields exactly that many): an emitter
// that asks for it gets it before the first partition.
Status EachPartition(const ReadView& view, const PartTarget& t, const Criteria& c,
                     const Emitter& emit) {
  CatalogTxn txn(view);
  ARBOR_ASSIGN_OR_RETURN(TableInfo info, LoadTable(txn, t));
  ARBOR_ASSIGN_OR_RETURN(PartitionQuery q, Select(info, c));
  CatalogQuery query(txn);
  ARBOR_RETURN_IF_ERROR(CheckBudget(query, info, q, c));
  if (emit.wants_count() && !q.predicate) {
    ARBOR_ASSIGN_OR_RETURN(uint64_t n, query.CountPartitions(info.table, q));
    emit.Expect(n);
  }
  Partition scratch;
  if (emit.takes_stored()) {
    // Each partition goes to the emitter as stored; one it declines is parsed
    // and presented here (the same reply, at the generic cost).
    const PartitionPresentation how = HowOf(t);
    catalog::Partition declined;
    Status error;
    ARBOR_RETURN_IF_ERROR(
        query.PartitionsStored(info.table, q, [&](const std::string&, std::string_view stored) {
          if (emit.Stored(stored, how)) return true;
          error = ParseProto(stored, &declined);
          if (!error.ok()) return false;
          PresentPartition(declined, how, &scratch);
          emit(scratch);
          return true;
        }));
    return error;
  }
  q.parse = true;
  return query.Partitions(info.table, q, [&](const std::string&, const catalog::Partition* p) {
    PresentInto(*p, t, &scratch);
    emit(scratch);
    return true;
  });
}

Result<std::vector<Partition>> ListPartitions(const ReadView& view, const PartTarget& t,
                                              const Criteria& c) {
  std::vector<Partition> out;
  ARBOR_RETURN_IF_ERROR(EachPartition(view, t, c, Collect(&out)));
  return out;
}

// Hands each selected partition's name to `emit`, in order, from keys alone;
// the count first when the emitter asks and no filter is to be evaluated.
Status EachPartitionName(const ReadView& view, const PartTarget& t, const Criteria& c,
                         const HmsHandler::NameEmitter& emit) {
  CatalogTxn txn(view);
  ARBOR_ASSIGN_OR_RETURN(TableInfo info, LoadTable(txn, t));
  ARBOR_ASSIGN_OR_RETURN(PartitionQuery q, Select(info, c));
  CatalogQuery query(txn);
  ARBOR_RETURN_IF_ERROR(CheckBudget(query, info, q, c));
  if (emit.wants_count() && !q.predicate) {
    ARBOR_ASSIGN_OR_RETURN(uint64_t n, query.CountPartitions(info.table, q));
    emit.Expect(n);
  }
  return query.PartitionNames(info.table, q, [&](std::string_view name) {
    emit(name);
    return true;
  });
}

HmsHandler::NameEmitter CollectNames(std::vector<std::string>* out) {
  return HmsHandler::NameEmitter([out](std::string_view name) { out->emplace_back(name); });
}

Result<int32_t> CountPartitions(const ReadView& view, const PartTarget& t, const Criteria& c) {
  CatalogTxn txn(view);
  ARBOR_ASSIGN_OR_RETURN(TableInfo info, LoadTable(txn, t));
  ARBOR_ASSIGN_OR_RETURN(PartitionQuery q, Select(info, c));
  ARBOR_ASSIGN_OR_RETURN(uint64_t n, CatalogQuery(txn).CountPartitions(info.table, q));
  return static_cast<int32_t>(n);
}

Result<Partition> GetOne(const ReadView& view, const PartTarget& t, const PartSpec& spec) {
  CatalogTxn txn(view);
  ARBOR_ASSIGN_OR_RETURN(TableInfo info, LoadTable(txn, t));
  ARBOR_ASSIGN_OR_RETURN(ResolvedPart r, ResolveExisting(txn, info, spec));
  ARBOR_ASSIGN_OR_RETURN(catalog::Partition p, txn.GetPartition(info.db(), info.name(), r.name));
  return Present(p, t);
}

// Hive 4's get_col_stats: the partition carries its column statistics for
// `engine` (stored statistics without an engine count for every engine).
Status AttachColumnStats(const CatalogTxn& txn, const TableInfo& info, const std::string& name,
                         const std::string& engine, catalog::Partition* p) {
  ARBOR_ASSIGN_OR_RETURN(auto stats,
                         txn.GetPartitionColumnStatistics(info.db(), info.name(), name, {}));
  std::optional<catalog::ColumnStatistics> merged;
  for (auto& s : stats) {
    if (!engine.empty() && s.has_engine() && s.engine() != engine) continue;
    if (!merged) {
      merged = std::move(s);
    } else {
      for (auto& obj : *s.mutable_stats_obj())
        *merged->add_stats_obj() = std::move(obj);
    }
  }
  if (merged) *p->mutable_col_stats() = std::move(*merged);
  return Status::OK();
}

// The partitions with the given names, in name order, each once. Names that do
// not exist, do not parse or name other keys are left out, as HMS leaves out
// names it does not find. Names are canonicalized, so key case and escaping
// variants find their partition.
Status EachByName(const ReadView& view, const PartTarget& t, const std::vector<std::string>& names,
                  const std::optional<std::string>& stats_engine, const Emitter& emit) {
  CatalogTxn txn(view);
  ARBOR_ASSIGN_OR_RETURN(TableInfo info, LoadTable(txn, t));
  std::set<std::string> canonical;
  for (const auto& n : names) {
    auto r = Resolve(txn, info, PartSpec::Name(n));
    if (r.ok()) canonical.insert(std::move(r->name));
  }
  Partition scratch;
  for (const auto& name : canonical) {
    auto p = txn.GetPartition(info.db(), info.name(), name);
    if (!p.ok()) {
      if (p.status().IsNotFound()) continue;
      return p.status();
    }
    if (stats_engine) ARBOR_RETURN_IF_ERROR(AttachColumnStats(txn, info, name, *stats_engine, &*p));
    PresentInto(*p, t, &scratch);
    emit(scratch);
  }
  return Status::OK();
}

// ---------------------------------------------------------------------------
// Writes. Each runs inside one Write, so a call is atomic: a batch is all or nothing.

// Adds `parts` with Hive's defaults (table sd, <table location>/<name>, times).
// With if_not_exists, existing partitions are skipped and not returned.
// `names`: whether the partitions name the target table, reported only once the
// table is known to exist (HMS checks the table first).
Status AddCore(CatalogTxn& txn, const PartTarget& t, std::vector<catalog::Partition> parts,
               bool if_not_exists, const Status& names, std::vector<catalog::Partition>* added) {
  ARBOR_ASSIGN_OR_RETURN(TableInfo info, LoadTableForWrite(txn, t, "add partition"));
  ARBOR_RETURN_IF_ERROR(names);
  const int32_t now = NowSeconds();
  for (auto& p : parts) {
    ARBOR_RETURN_IF_ERROR(CheckNewPartition(p, info.table));
    ARBOR_ASSIGN_OR_RETURN(std::string name, txn.PartitionName(info.table, ValuesOf(p)));
    ApplyPartitionDefaults(&p, info.table, name, now);
  }
  ARBOR_ASSIGN_OR_RETURN(
      *added, txn.AddPartitions(info.db(), info.name(), std::move(parts), if_not_exists));
  return Status::OK();
}

// append_partition*: a new partition from values or a name, with the table's sd.
Status AppendCore(CatalogTxn& txn, const PartTarget& t, const PartSpec& spec,
                  catalog::Partition* appended) {
  ARBOR_ASSIGN_OR_RETURN(TableInfo info, LoadTableForWrite(txn, t, "add partition"));
  if (!info.table.has_sd() || !info.table.sd().has_location()) {
    return Status::InvalidArgument("Cannot append a partition to a view: " + Qualified(t));
  }
  ARBOR_ASSIGN_OR_RETURN(ResolvedPart r, Resolve(txn, info, spec));
  catalog::Partition p;
  for (auto& v : r.values)
    p.mutable_values()->add_items(std::move(v));
  p.set_db_name(info.db());
  p.set_table_name(info.name());
  ApplyPartitionDefaults(&p, info.table, r.name, NowSeconds());
  ARBOR_ASSIGN_OR_RETURN(auto added,
                         txn.AddPartitions(info.db(), info.name(), {std::move(p)}, false));
  *appended = std::move(added.at(0));
  return Status::OK();
}

// What alter keeps from the stored partition: HMS never changes createTime on
// alter; here a client-sent non-zero createTime still wins. The DDL time is set
// when absent.
void ApplyAlterDefaults(catalog::Partition* p, const catalog::Partition& old, int32_t now) {
  // Hive fails on an altered partition without a location (a NullPointerException
  // sent as MetaException); Arbor keeps the stored one rather than lose it.
  if (!p->has_sd() && old.has_sd()) {
    *p->mutable_sd() = old.sd();
  } else if (p->sd().location().empty() && old.sd().has_location()) {
    p->mutable_sd()->set_location(old.sd().location());
  }
  if ((!p->has_create_time() || p->create_time() == 0) && old.has_create_time()) {
    p->set_create_time(old.create_time());
  }
  SetDdlTimeIfAbsent(p->mutable_parameters(), now);
}

// `belongs` is the request's partitions checked against its table (Belongs):
// reported only once the table is known to exist, as Hive reports a missing
// table first.
Status AlterCore(CatalogTxn& txn, const PartTarget& t, std::vector<catalog::Partition> parts,
                 const Status& belongs) {
  ARBOR_ASSIGN_OR_RETURN(TableInfo info, LoadTableForWrite(txn, t, "alter partition"));
  ARBOR_RETURN_IF_ERROR(belongs);
  const int32_t now = NowSeconds();
  for (auto& p : parts) {
    ARBOR_ASSIGN_OR_RETURN(std::string name, txn.PartitionName(info.table, ValuesOf(p)));
    auto old = txn.GetPartition(info.db(), info.name(), name);
    if (!old.ok()) return AsInvalid(old.status().WithContext("alter is not possible"));
    ApplyAlterDefaults(&p, *old, now);
    ARBOR_RETURN_IF_ERROR(AsInvalid(txn.AlterPartition(info.db(), info.name(), p)));
  }
  return Status::OK();
}

// The partition with old_values takes renamed's values (and fields). Empty
// old_values make it a plain alter, as in HMS. Data files stay where they are:
// the location is the one the client sends.
Status RenameCore(CatalogTxn& txn, const PartTarget& t, const std::vector<std::string>& old_values,
                  catalog::Partition renamed, const Status& belongs) {
  if (old_values.empty()) return AlterCore(txn, t, {std::move(renamed)}, belongs);
  ARBOR_ASSIGN_OR_RETURN(TableInfo info, LoadTableForWrite(txn, t, "rename partition"));
  ARBOR_RETURN_IF_ERROR(belongs);
  ARBOR_ASSIGN_OR_RETURN(std::string old_name, txn.PartitionName(info.table, old_values));
  auto old = txn.GetPartition(info.db(), info.name(), old_name);
  if (!old.ok()) {
    return AsInvalid(old.status().WithContext(
        "Unable to rename partition because old partition does not exist"));
  }
  ApplyAlterDefaults(&renamed, *old, NowSeconds());
  return AsInvalid(txn.RenamePartition(info.db(), info.name(), old_values, renamed));
}

// Drops the named partitions (each once). Without if_exists a missing or
// malformed one fails the whole call; with it, it is skipped.
Status DropCore(CatalogTxn& txn, const PartTarget& t, const std::vector<PartSpec>& specs,
                bool if_exists, std::vector<catalog::Partition>* dropped) {
  ARBOR_ASSIGN_OR_RETURN(TableInfo info, LoadTable(txn, t));
  std::set<std::string> seen;
  for (const auto& spec : specs) {
    auto r = ResolveExisting(txn, info, spec);
    if (!r.ok()) {
      if (if_exists) continue;
      return r.status();
    }
    if (!seen.insert(r->name).second) continue;
    auto p = txn.GetPartition(info.db(), info.name(), r->name);
    if (!p.ok()) {
      if (if_exists && p.status().IsNotFound()) continue;
      return p.status();
    }
    ARBOR_RETURN_IF_ERROR(txn.DropPartition(info.db(), info.name(), r->name));
    dropped->push_back(std::move(*p));
  }
  return Status::OK();
}

// ---------------------------------------------------------------------------
// Request checks that need no catalog.

template <typename L>
std::vector<catalog::Partition> ToProtos(const std::vector<Partition>& parts,
                                         const LocationMapper& locations) {
  std::vector<catalog::Partition> out;
  out.reserve(parts.size());
  for (const auto& p : parts) {
    out.push_back(Check<L>(ToProto(p)));
    StoreLocations(locations, &out.back());
  }
  return out;
}

// HMS rejects a batch (to add or alter) holding a partition of another table,
// and a rename whose new partition names another table (InvalidRequest, sent as
// MetaException). A partition that names no database or no ref is taken to mean
// the request's.
Status Belongs(const std::vector<Partition>& parts, const PartTarget& t, char ref_separator) {
  const std::string table = NormalizeIdentifier(t.table);
  for (const auto& p : parts) {
    bool ok = !p.__isset.tableName || NormalizeIdentifier(p.tableName) == table;
    if (ok && p.__isset.dbName) {
      auto db = ParseDbName(p.dbName, ref_separator);
      ok = db.ok() && db->db == t.db.db && (db->ref.empty() || db->ref == t.db.ref);
    }
    if (!ok) {
      return Status::InvalidRequest("Partition does not belong to target table " + t.db.echo + "." +
                                    table + ": " + p.dbName + "." + p.tableName + " " +
                                    FormatValueList(p.values));
    }
  }
  return Status::OK();
}

// A database argument as the client spelled it, without an `@cat#` prefix or a ref.
std::string_view DbSpelling(std::string_view text, char ref_separator) {
  if (!text.empty() && text[0] == '@') {
    const size_t hash = text.find('#');
    if (hash != std::string_view::npos) text.remove_prefix(hash + 1);
  }
  return text.substr(0, text.find(ref_separator));
}

// HMS's add_partitions compares each partition's names with the request's as
// spelled (String.equals, before it normalizes anything): one batch may spell
// its table in upper case, but not both ways (InvalidRequest: MetaException).
Status SpelledAsRequest(const AddPartitionsRequest& req, const std::vector<Partition>& parts,
                        char ref_separator) {
  const std::string_view db = DbSpelling(req.dbName, ref_separator);
  for (const auto& p : parts) {
    if ((p.__isset.tableName && p.tableName != req.tblName) ||
        (p.__isset.dbName && DbSpelling(p.dbName, ref_separator) != db)) {
      return Status::InvalidRequest("Partition does not belong to target table " + req.dbName +
                                    "." + req.tblName + ": " + p.dbName + "." + p.tableName + " " +
                                    FormatValueList(p.values));
    }
  }
  return Status::OK();
}

// *_with_auth: on a table whose PARTITION_LEVEL_PRIVILEGE parameter is TRUE (any
// case), HMS answers on each partition the grants of the user, of each group and
// of the roles they hold (every principal holds `public`); elsewhere nothing.
// Arbor keeps no grant tables: the grants are those stored with the partition,
// and a principal it has none for gets an empty list, as Hive's does.
// Whether *_with_auth replies carry privileges for the table's partitions: Hive
// attaches them when the table's PARTITION_LEVEL_PRIVILEGE parameter is true.
Result<bool> PartitionLevelPrivileges(const ReadView& view, const PartTarget& t) {
  CatalogTxn txn(view);
  ARBOR_ASSIGN_OR_RETURN(TableInfo info, LoadTable(txn, t));
  auto flag = info.table.parameters().entries().find("PARTITION_LEVEL_PRIVILEGE");
  return flag != info.table.parameters().entries().end() &&
         NormalizeIdentifier(flag->second) == "true";
}

// Sets p's privileges to those of `user`, each of `groups` and the public role,
// taken from what is stored with the partition.
void AttachAuthInfo(const std::string& user, const std::vector<std::string>& groups, Partition* p) {
  using Grants = std::map<std::string, std::vector<PrivilegeGrantInfo>>;
  auto grants_of = [](const Grants& stored, const std::string& principal) {
    auto it = stored.find(principal);
    return it == stored.end() ? std::vector<PrivilegeGrantInfo>() : it->second;
  };
  const PrincipalPrivilegeSet stored = p->privileges;
  PrincipalPrivilegeSet set;
  set.__set_userPrivileges({{user, grants_of(stored.userPrivileges, user)}});
  if (!groups.empty()) {
    Grants by_group;
    for (const auto& g : groups)
      by_group[g] = grants_of(stored.groupPrivileges, g);
    set.__set_groupPrivileges(std::move(by_group));
  }
  set.__set_rolePrivileges({{"public", grants_of(stored.rolePrivileges, "public")}});
  p->__set_privileges(std::move(set));
}

// `emit`, attaching privileges first when the request names a user and the table
// asks for them. The table is read at the first partition: an empty listing, or
// one that fails, answers as without privileges.
HmsHandler::PartitionEmitter WithAuthInfo(const ReadView& view, const PartTarget& t,
                                          const GetPartitionsPsWithAuthRequest& req,
                                          const HmsHandler::PartitionEmitter& emit) {
  if (!req.__isset.userName) return emit;
  auto enabled = std::make_shared<std::optional<bool>>();
  return [&view, &t, &req, emit, enabled](const Partition& p) {
    using E = ARBOR_HMS_THROWS(get_partitions_ps_with_auth_req);
    if (!enabled->has_value()) *enabled = Check<E>(PartitionLevelPrivileges(view, t));
    if (!**enabled) return emit(p);
    Partition with = p;
    AttachAuthInfo(req.userName, req.groupNames, &with);
    emit(with);
  };
}

// The partitions a spec describes: its list as sent (which wins when a spec
// has both forms, as in HMS), or, for a shared storage
// descriptor, each partition with a copy of it located at <sd location> +
// <relativePath> (PartitionSpecWithSharedSDProxy's rule), naming the spec's table.
std::vector<Partition> ExpandSpec(const PartitionSpec& spec) {
  std::vector<Partition> out;
  if (spec.__isset.partitionList) {
    return spec.partitionList.partitions;
  }
  if (spec.__isset.sharedSDPartitionSpec) {
    const PartitionSpecWithSharedSD& shared = spec.sharedSDPartitionSpec;
    for (const auto& w : shared.partitions) {
      Partition p;
      if (w.__isset.values) p.__set_values(w.values);
      if (w.__isset.createTime) p.__set_createTime(w.createTime);
      if (w.__isset.lastAccessTime) p.__set_lastAccessTime(w.lastAccessTime);
      if (w.__isset.parameters) p.__set_parameters(w.parameters);
      if (w.__isset.privileges) p.__set_privileges(w.privileges);
      p.__set_sd(shared.sd);
      // Java's string concatenation, which Hive's clients expect: an unset
      // relativePath appends "null".
      p.sd.__set_location(shared.sd.location +
                          (w.__isset.relativePath ? w.relativePath : std::string("null")));
      out.push_back(std::move(p));
    }
  }
  for (auto& p : out) {
    p.__set_dbName(spec.dbName);
    p.__set_tableName(spec.tableName);
    if (spec.__isset.catName) p.__set_catName(spec.catName);
  }
  return out;
}

// Partition-spec replies: the partitions as one spec holding them as a plain
// list (PartitionListComposingSpec), a form every PartitionSpecProxy reads.
std::vector<PartitionSpec> ComposingSpecs(std::vector<Partition> parts) {
  std::vector<PartitionSpec> specs;
  if (parts.empty()) return specs;
  const Partition& first = parts.front();
  PartitionSpec spec;
  spec.__set_dbName(first.dbName);
  spec.__set_tableName(first.tableName);
  if (first.__isset.catName) spec.__set_catName(first.catName);
  PartitionListComposingSpec list;
  list.__set_partitions(std::move(parts));
  spec.__set_partitionList(std::move(list));
  specs.push_back(std::move(spec));
  return specs;
}

// The partition-spec methods take an i32 limit; the listings they share take i16.
int16_t SpecLimit(int32_t max_parts) {
  if (max_parts < 0) return -1;
  return static_cast<int16_t>(std::min<int32_t>(max_parts, INT16_MAX));
}

bool NeedResult(bool isset, bool value) {
  return !isset || value;
}

}  // namespace

// ===========================================================================
// Adds.

void HmsHandler::add_partition(Partition& _return, const Partition& new_part) {
  ARBOR_HMS_DELEGATES_TO(add_partition, add_partition_with_environment_context);
  add_partition_with_environment_context(_return, new_part, EnvironmentContext());
}

void HmsHandler::add_partition_with_environment_context(
    Partition& _return, const Partition& new_part, const EnvironmentContext& environment_context) {
  ARBOR_HMS_DELEGATES_TO(add_partition_with_environment_context, add_partitions_req);
  AddPartitionsRequest req;
  req.__set_dbName(new_part.dbName);
  req.__set_tblName(new_part.tableName);
  req.__set_parts({new_part});
  req.__set_ifNotExists(false);
  req.__set_needResult(true);
  req.__set_environmentContext(environment_context);
  AddPartitionsResult result;
  add_partitions_req(result, req);
  _return = std::move(result.partitions.at(0));
}

int32_t HmsHandler::add_partitions(const std::vector<Partition>& new_parts) {
  ARBOR_HMS_DELEGATES_TO(add_partitions, add_partitions_req);
  if (new_parts.empty()) return 0;
  AddPartitionsRequest req;
  req.__set_dbName(new_parts[0].dbName);
  req.__set_tblName(new_parts[0].tableName);
  req.__set_ifNotExists(false);
  req.__set_needResult(false);
  AddPartitionsResult result;
  AddPartitions(result, req, new_parts, /*same_spelling=*/true);  // no copy of the batch
  // Without ifNotExists a call that returns added every partition it was given.
  return static_cast<int32_t>(new_parts.size());
}

void HmsHandler::add_partitions_req(AddPartitionsResult& _return,
                                    const AddPartitionsRequest& request) {
  AddPartitions(_return, request, request.parts, /*same_spelling=*/true);
}

// `same_spelling`: the partitions must spell the table's names as the request
// does (add_partitions); partition specs only need to name the same table.
void HmsHandler::AddPartitions(AddPartitionsResult& _return, const AddPartitionsRequest& request,
                               const std::vector<Partition>& new_parts, bool same_spelling) {
  using E = ARBOR_HMS_THROWS(add_partitions_req);
  PartTarget t = Aim(Parse<E>(request.dbName), request.tblName, CatalogField(request));
  Status names = Belongs(new_parts, t, context_->options.ref_separator);
  if (names.ok() && same_spelling) {
    names = SpelledAsRequest(request, new_parts, context_->options.ref_separator);
  }
  for (const auto& p : new_parts)
    Check<E>(CheckPartitionLocation(p.sd.location));
  std::vector<catalog::Partition> parts = ToProtos<E>(new_parts, locations());
  const bool need_result = NeedResult(request.__isset.needResult, request.needResult);
  std::vector<catalog::Partition> added;
  if (!parts.empty()) {
    Write<E>(t.db, "add partitions to " + Qualified(t), [&](CatalogTxn& txn) -> Status {
      if (need_result) {
        ARBOR_ASSIGN_OR_RETURN(t.render, RendererOf(txn.view()));
      }
      return AddCore(txn, t, std::move(parts), request.ifNotExists, names, &added);
    });
  }
  for (const auto& p : added)
    MakeLocalDirectory(p.sd().location());
  if (need_result) {
    _return.__set_partitions(PresentAll(added, t));
  }
}

// Hive adds the partitions of specs that all name one table, as add_partitions
// does (all or nothing); a spec naming another table is refused (MetaException).
int32_t HmsHandler::add_partitions_pspec(const std::vector<PartitionSpec>& new_parts) {
  ARBOR_HMS_DELEGATES_TO(add_partitions_pspec, add_partitions_req);
  using E = ARBOR_HMS_THROWS(add_partitions_pspec);
  if (new_parts.empty()) return 0;
  AddPartitionsRequest req;
  req.__set_dbName(new_parts[0].dbName);
  req.__set_tblName(new_parts[0].tableName);
  if (new_parts[0].__isset.catName) req.__set_catName(new_parts[0].catName);
  std::vector<Partition> parts;
  for (const auto& spec : new_parts) {
    // HMS: a shared storage descriptor needs a location.
    if (spec.__isset.sharedSDPartitionSpec && (!spec.sharedSDPartitionSpec.__isset.sd ||
                                               spec.sharedSDPartitionSpec.sd.location.empty())) {
      Raise<E>(
          Status::InvalidRequest("A shared storage descriptor without a location in the "
                                 "partition spec of " +
                                 spec.dbName + "." + spec.tableName));
    }
    if (NormalizeIdentifier(spec.dbName) != NormalizeIdentifier(req.dbName) ||
        NormalizeIdentifier(spec.tableName) != NormalizeIdentifier(req.tblName)) {
      Raise<E>(Status::InvalidRequest("Partition spec of " + spec.dbName + "." + spec.tableName +
                                      " does not belong to target table " + req.dbName + "." +
                                      req.tblName));
    }
    // A listed partition names its table itself, in any case (HMS compares
    // ignoring case here, and fails on a partition that names none).
    for (auto& p : ExpandSpec(spec)) {
      if (!p.__isset.dbName || !p.__isset.tableName) {
        Raise<E>(Status::InvalidRequest("A partition " + FormatValueList(p.values) +
                                        " in the partition spec of " + spec.dbName + "." +
                                        spec.tableName + " names no database or table"));
      }
      parts.push_back(std::move(p));
    }
  }
  if (parts.empty()) return 0;
  req.__set_ifNotExists(false);
  req.__set_needResult(false);
  AddPartitionsResult result;
  AddPartitions(result, req, parts, /*same_spelling=*/false);
  return static_cast<int32_t>(parts.size());
}

// ===========================================================================
// Appends.

void HmsHandler::append_partition(Partition& _return, const std::string& db_name,
                                  const std::string& tbl_name,
                                  const std::vector<std::string>& part_vals) {
  ARBOR_HMS_DELEGATES_TO(append_partition, append_partition_with_environment_context);
  append_partition_with_environment_context(_return, db_name, tbl_name, part_vals,
                                            EnvironmentContext());
}

void HmsHandler::append_partition_with_environment_context(
    Partition& _return, const std::string& db_name, const std::string& tbl_name,
    const std::vector<std::string>& part_vals, const EnvironmentContext& environment_context) {
  ARBOR_HMS_DELEGATES_TO(append_partition_with_environment_context, append_partition_req);
  AppendPartitionsRequest req;
  req.__set_dbName(db_name);
  req.__set_tableName(tbl_name);
  req.__set_partVals(part_vals);
  req.__set_environmentContext(environment_context);
  append_partition_req(_return, req);
}

void HmsHandler::append_partition_by_name(Partition& _return, const std::string& db_name,
                                          const std::string& tbl_name,
                                          const std::string& part_name) {
  ARBOR_HMS_DELEGATES_TO(append_partition_by_name,
                         append_partition_by_name_with_environment_context);
  append_partition_by_name_with_environment_context(_return, db_name, tbl_name, part_name,
                                                    EnvironmentContext());
}

void HmsHandler::append_partition_by_name_with_environment_context(
    Partition& _return, const std::string& db_name, const std::string& tbl_name,
    const std::string& part_name, const EnvironmentContext& environment_context) {
  ARBOR_HMS_DELEGATES_TO(append_partition_by_name_with_environment_context, append_partition_req);
  AppendPartitionsRequest req;
  req.__set_dbName(db_name);
  req.__set_tableName(tbl_name);
  req.__set_name(part_name);
  req.__set_environmentContext(environment_context);
  append_partition_req(_return, req);
}

void HmsHandler::append_partition_req(Partition& _return, const AppendPartitionsRequest& req) {
  using E = ARBOR_HMS_THROWS(append_partition_req);
  PartTarget t = Aim(Parse<E>(req.dbName), req.tableName,
                     req.__isset.catalogName ? &req.catalogName : nullptr);
  // Hive 4 sends the name, older forms the values; the name wins if both come.
  PartSpec spec = req.__isset.name ? PartSpec::Name(req.name) : PartSpec::Values(req.partVals);
  catalog::Partition appended;
  Write<E>(t.db, "append partition to " + Qualified(t), [&](CatalogTxn& txn) -> Status {
    ARBOR_ASSIGN_OR_RETURN(t.render, RendererOf(txn.view()));
    return AppendCore(txn, t, spec, &appended);
  });
  MakeLocalDirectory(appended.sd().location());
  _return = Present(appended, t);
}

// ===========================================================================
// Alters and renames.

void HmsHandler::alter_partition(const std::string& db_name, const std::string& tbl_name,
                                 const Partition& new_part) {
  ARBOR_HMS_DELEGATES_TO(alter_partition, alter_partitions_with_environment_context);
  alter_partitions_with_environment_context(db_name, tbl_name, {new_part}, EnvironmentContext());
}

void HmsHandler::alter_partition_with_environment_context(
    const std::string& db_name, const std::string& tbl_name, const Partition& new_part,
    const EnvironmentContext& environment_context) {
  ARBOR_HMS_DELEGATES_TO(alter_partition_with_environment_context,
                         alter_partitions_with_environment_context);
  alter_partitions_with_environment_context(db_name, tbl_name, {new_part}, environment_context);
}

void HmsHandler::alter_partitions(const std::string& db_name, const std::string& tbl_name,
                                  const std::vector<Partition>& new_parts) {
  ARBOR_HMS_DELEGATES_TO(alter_partitions, alter_partitions_with_environment_context);
  alter_partitions_with_environment_context(db_name, tbl_name, new_parts, EnvironmentContext());
}

void HmsHandler::alter_partitions_with_environment_context(
    const std::string& db_name, const std::string& tbl_name,
    const std::vector<Partition>& new_parts, const EnvironmentContext& environment_context) {
  ARBOR_HMS_DELEGATES_TO(alter_partitions_with_environment_context, alter_partitions_req);
  AlterPartitionsRequest req;
  req.__set_dbName(db_name);
  req.__set_tableName(tbl_name);
  req.__set_partitions(new_parts);
  req.__set_environmentContext(environment_context);
  AlterPartitionsResponse response;
  alter_partitions_req(response, req);
}

void HmsHandler::alter_partitions_req(AlterPartitionsResponse& /*_return*/,
                                      const AlterPartitionsRequest& req) {
  using E = ARBOR_HMS_THROWS(alter_partitions_req);
  PartTarget t = Aim(Parse<E>(req.dbName), req.tableName, CatalogField(req));
  const Status belongs = Belongs(req.partitions, t, context_->options.ref_separator);
  // HMS refuses an empty batch (InvalidOperationException).
  if (req.partitions.empty()) Raise<E>(Status::InvalidArgument("No partitions to alter"));
  std::vector<catalog::Partition> parts = ToProtos<E>(req.partitions, locations());
  Write<E>(t.db, "alter partitions of " + Qualified(t),
           [&](CatalogTxn& txn) -> Status { return AlterCore(txn, t, std::move(parts), belongs); });
}

void HmsHandler::rename_partition(const std::string& db_name, const std::string& tbl_name,
                                  const std::vector<std::string>& part_vals,
                                  const Partition& new_part) {
  ARBOR_HMS_DELEGATES_TO(rename_partition, rename_partition_req);
  RenamePartitionRequest req;
  req.__set_dbName(db_name);
  req.__set_tableName(tbl_name);
  req.__set_partVals(part_vals);
  req.__set_newPart(new_part);
  RenamePartitionResponse response;
  rename_partition_req(response, req);
}

void HmsHandler::rename_partition_req(RenamePartitionResponse& /*_return*/,
                                      const RenamePartitionRequest& req) {
  using E = ARBOR_HMS_THROWS(rename_partition_req);
  PartTarget t = Aim(Parse<E>(req.dbName), req.tableName, CatalogField(req));
  const Status belongs = Belongs({req.newPart}, t, context_->options.ref_separator);
  catalog::Partition renamed = Check<E>(ToProto(req.newPart));
  StoreLocations(locations(), &renamed);
  Write<E>(t.db, "rename partition of " + Qualified(t), [&](CatalogTxn& txn) -> Status {
    return RenameCore(txn, t, req.partVals, std::move(renamed), belongs);
  });
}

// ===========================================================================
// Drops. Data files are never deleted: deleteData is accepted and ignored.

bool HmsHandler::drop_partition(const std::string& db_name, const std::string& tbl_name,
                                const std::vector<std::string>& part_vals, const bool deleteData) {
  ARBOR_HMS_DELEGATES_TO(drop_partition, drop_partition_with_environment_context);
  return drop_partition_with_environment_context(db_name, tbl_name, part_vals, deleteData,
                                                 EnvironmentContext());
}

bool HmsHandler::drop_partition_by_name(const std::string& db_name, const std::string& tbl_name,
                                        const std::string& part_name, const bool deleteData) {
  ARBOR_HMS_DELEGATES_TO(drop_partition_by_name, drop_partition_by_name_with_environment_context);
  return drop_partition_by_name_with_environment_context(db_name, tbl_name, part_name, deleteData,
                                                         EnvironmentContext());
}

bool HmsHandler::drop_partition_with_environment_context(
    const std::string& db_name, const std::string& tbl_name,
    const std::vector<std::string>& part_vals, const bool deleteData,
    const EnvironmentContext& environment_context) {
  ARBOR_HMS_DELEGATES_TO(drop_partition_with_environment_context, drop_partition_req);
  DropPartitionRequest req;
  req.__set_dbName(db_name);
  req.__set_tblName(tbl_name);
  req.__set_partVals(part_vals);
  req.__set_deleteData(deleteData);
  req.__set_environmentContext(environment_context);
  return drop_partition_req(req);
}

bool HmsHandler::drop_partition_by_name_with_environment_context(
    const std::string& db_name, const std::string& tbl_name, const std::string& part_name,
    const bool deleteData, const EnvironmentContext& environment_context) {
  ARBOR_HMS_DELEGATES_TO(drop_partition_by_name_with_environment_context, drop_partition_req);
  DropPartitionRequest req;
  req.__set_dbName(db_name);
  req.__set_tblName(tbl_name);
  req.__set_partName(part_name);
  req.__set_deleteData(deleteData);
  req.__set_environmentContext(environment_context);
  return drop_partition_req(req);
}

bool HmsHandler::drop_partition_req(const DropPartitionRequest& req) {
  using E = ARBOR_HMS_THROWS(drop_partition_req);
  PartTarget t = Aim(Parse<E>(req.dbName), req.tblName, CatalogField(req));
  if (!req.__isset.partName && !req.__isset.partVals) {
    ThrowWithMessage<hive::MetaException>("drop_partition_req needs partName or partVals");
  }
  PartSpec spec =
      req.__isset.partName ? PartSpec::Name(req.partName) : PartSpec::Values(req.partVals);
  std::vector<catalog::Partition> dropped;
  Write<E>(t.db, "drop partition of " + Qualified(t), [&](CatalogTxn& txn) -> Status {
    return DropCore(txn, t, {spec}, /*if_exists=*/false, &dropped);
  });
  return true;
}

void HmsHandler::drop_partitions_req(DropPartitionsResult& _return,
                                     const DropPartitionsRequest& req) {
  using E = ARBOR_HMS_THROWS(drop_partitions_req);
  PartTarget t = Aim(Parse<E>(req.dbName), req.tblName, CatalogField(req));
  if (req.parts.__isset.exprs) {
    ThrowWithMessage<hive::MetaException>(
        "drop_partitions_req: dropping partitions by expression is not supported by Arbor "
        "(it cannot evaluate Hive's serialized expressions); drop them by name");
  }
  if (!req.__isset.parts || !req.parts.__isset.names) {
    ThrowWithMessage<hive::MetaException>("Partition spec is not set");
  }
  std::vector<PartSpec> specs;
  specs.reserve(req.parts.names.size());
  for (const auto& name : req.parts.names)
    specs.push_back(PartSpec::Name(name));
  const bool if_exists = !req.__isset.ifExists || req.ifExists;
  const bool need_result = NeedResult(req.__isset.needResult, req.needResult);
  std::vector<catalog::Partition> dropped;
  if (!specs.empty()) {
    Write<E>(t.db, "drop partitions of " + Qualified(t), [&](CatalogTxn& txn) -> Status {
      if (need_result) {
        ARBOR_ASSIGN_OR_RETURN(t.render, RendererOf(txn.view()));
      }
      return DropCore(txn, t, specs, if_exists, &dropped);
    });
  }
  if (need_result) {
    _return.__set_partitions(PresentAll(dropped, t));
  }
}

// ===========================================================================
// Single-partition reads.

void HmsHandler::get_partition(Partition& _return, const std::string& db_name,
                               const std::string& tbl_name,
                               const std::vector<std::string>& part_vals) {
  ARBOR_HMS_DELEGATES_TO(get_partition, get_partition_req);
  GetPartitionRequest req;
  req.__set_dbName(db_name);
  req.__set_tblName(tbl_name);
  req.__set_partVals(part_vals);
  GetPartitionResponse response;
  get_partition_req(response, req);
  _return = std::move(response.partition);
}

void HmsHandler::get_partition_with_auth(Partition& _return, const std::string& db_name,
                                         const std::string& tbl_name,
                                         const std::vector<std::string>& part_vals,
                                         const std::string& user_name,
                                         const std::vector<std::string>& group_names) {
  using E = ARBOR_HMS_THROWS(get_partition_with_auth);
  PartTarget t = Aim(Parse<E>(db_name), tbl_name);
  ReadView view = View<E>(t.db);
  t.render = Render<E>(view);
  _return = Check<E>(GetOne(view, t, PartSpec::Values(part_vals)));
  if (Check<E>(PartitionLevelPrivileges(view, t))) AttachAuthInfo(user_name, group_names, &_return);
}

void HmsHandler::get_partition_by_name(Partition& _return, const std::string& db_name,
                                       const std::string& tbl_name, const std::string& part_name) {
  using E = ARBOR_HMS_THROWS(get_partition_by_name);
  PartTarget t = Aim(Parse<E>(db_name), tbl_name);
  ReadView view = View<E>(t.db);
  t.render = Render<E>(view);
  _return = Check<E>(GetOne(view, t, PartSpec::Name(part_name)));
}

void HmsHandler::get_partition_req(GetPartitionResponse& _return, const GetPartitionRequest& req) {
  using E = ARBOR_HMS_THROWS(get_partition_req);
  PartTarget t = Aim(Parse<E>(req.dbName), req.tblName, CatalogField(req));
  ReadView view = View<E>(t.db);
  t.render = Render<E>(view);
  _return.partition = Check<E>(GetOne(view, t, PartSpec::Values(req.partVals)));
}

// ===========================================================================
// Listings.

PartitionsRequest HmsHandler::PartitionsReq(const std::string& db_name, const std::string& tbl_name,
                                            int16_t max_parts) {
  PartitionsRequest req;
  req.__set_dbName(db_name);
  req.__set_tblName(tbl_name);
  req.__set_maxParts(max_parts);
  return req;
}

void HmsHandler::get_partitions(std::vector<Partition>& _return, const std::string& db_name,
                                const std::string& tbl_name, const int16_t max_parts) {
  ARBOR_HMS_DELEGATES_TO(get_partitions, get_partitions_req);
  _return.clear();
  stream_partitions_req(PartitionsReq(db_name, tbl_name, max_parts), Collect(&_return));
}

void HmsHandler::get_partitions_with_auth(std::vector<Partition>& _return,
                                          const std::string& db_name, const std::string& tbl_name,
                                          const int16_t max_parts, const std::string& user_name,
                                          const std::vector<std::string>& group_names) {
  ARBOR_HMS_DELEGATES_TO(get_partitions_with_auth, get_partitions_ps_with_auth_req);
  _return.clear();
  stream_partitions_ps_with_auth_req(
      PartitionsWithAuthReq(db_name, tbl_name, {}, max_parts, user_name, group_names),
      Collect(&_return));
}

void HmsHandler::get_partitions_req(PartitionsResponse& _return, const PartitionsRequest& req) {
  _return.partitions.clear();
  stream_partitions_req(req, Collect(&_return.partitions));
}

void HmsHandler::stream_partitions_req(const PartitionsRequest& req, const PartitionEmitter& emit) {
  using E = ARBOR_HMS_THROWS(get_partitions_req);
  PartTarget t = Aim(Parse<E>(req.dbName), req.tblName, CatalogField(req));
  ReadView view = View<E>(t.db);
  t.render = Render<E>(view);
  Criteria c{.max_candidates = listing_budget_};
  c.max_parts = req.maxParts;
  Check<E>(EachPartition(view, t, c, emit));
}

GetPartitionsPsWithAuthRequest HmsHandler::PartitionsPsReq(
    const std::string& db_name, const std::string& tbl_name,
    const std::vector<std::string>& part_vals, int16_t max_parts) {
  GetPartitionsPsWithAuthRequest req;
  req.__set_dbName(db_name);
  req.__set_tblName(tbl_name);
  req.__set_partVals(part_vals);
  req.__set_maxParts(max_parts);
  return req;
}

GetPartitionsPsWithAuthRequest HmsHandler::PartitionsWithAuthReq(
    const std::string& db_name, const std::string& tbl_name,
    const std::vector<std::string>& part_vals, int16_t max_parts, const std::string& user_name,
    const std::vector<std::string>& group_names) {
  GetPartitionsPsWithAuthRequest req = PartitionsPsReq(db_name, tbl_name, part_vals, max_parts);
  req.__set_userName(user_name);
  req.__set_groupNames(group_names);
  return req;
}

void HmsHandler::get_partitions_ps(std::vector<Partition>& _return, const std::string& db_name,
                                   const std::string& tbl_name,
                                   const std::vector<std::string>& part_vals,
                                   const int16_t max_parts) {
  ARBOR_HMS_DELEGATES_TO(get_partitions_ps, get_partitions_ps_with_auth_req);
  _return.clear();
  stream_partitions_ps_with_auth_req(PartitionsPsReq(db_name, tbl_name, part_vals, max_parts),
                                     Collect(&_return));
}

void HmsHandler::get_partitions_ps_with_auth(std::vector<Partition>& _return,
                                             const std::string& db_name,
                                             const std::string& tbl_name,
                                             const std::vector<std::string>& part_vals,
                                             const int16_t max_parts, const std::string& user_name,
                                             const std::vector<std::string>& group_names) {
  ARBOR_HMS_DELEGATES_TO(get_partitions_ps_with_auth, get_partitions_ps_with_auth_req);
  _return.clear();
  stream_partitions_ps_with_auth_req(
      PartitionsWithAuthReq(db_name, tbl_name, part_vals, max_parts, user_name, group_names),
      Collect(&_return));
}

void HmsHandler::get_partitions_ps_with_auth_req(GetPartitionsPsWithAuthResponse& _return,
                                                 const GetPartitionsPsWithAuthRequest& req) {
  _return.partitions.clear();
  stream_partitions_ps_with_auth_req(req, Collect(&_return.partitions));
}

void HmsHandler::stream_partitions_ps_with_auth_req(const GetPartitionsPsWithAuthRequest& req,
                                                    const PartitionEmitter& emit) {
  using E = ARBOR_HMS_THROWS(get_partitions_ps_with_auth_req);
  PartTarget t = Aim(Parse<E>(req.dbName), req.tblName, CatalogField(req));
  ReadView view = View<E>(t.db);
  t.render = Render<E>(view);
  if (req.__isset.partNames) {
    // Hive 4's listPartitionsWithAuthInfo by names.
    Check<E>(EachByName(view, t, req.partNames, std::nullopt, WithAuthInfo(view, t, req, emit)));
    return;
  }
  Criteria c{.max_candidates = listing_budget_};
  c.part_vals = req.partVals;
  c.max_parts = req.maxParts;
  Check<E>(EachPartition(view, t, c, WithAuthInfo(view, t, req, emit)));
}

void HmsHandler::get_partition_names(std::vector<std::string>& _return, const std::string& db_name,
                                     const std::string& tbl_name, const int16_t max_parts) {
  ARBOR_HMS_DELEGATES_TO(get_partition_names, fetch_partition_names_req);
  PartitionsRequest req;
  req.__set_dbName(db_name);
  req.__set_tblName(tbl_name);
  req.__set_maxParts(max_parts);
  fetch_partition_names_req(_return, req);
}

void HmsHandler::fetch_partition_names_req(std::vector<std::string>& _return,
                                           const PartitionsRequest& req) {
  _return.clear();
  stream_partition_names_req(req, CollectNames(&_return));
}

void HmsHandler::stream_partition_names_req(const PartitionsRequest& req, const NameEmitter& emit) {
  using E = ARBOR_HMS_THROWS(fetch_partition_names_req);
  PartTarget t = Aim(Parse<E>(req.dbName), req.tblName, CatalogField(req));
  ReadView view = View<E>(t.db);
  t.render = Render<E>(view);
  Criteria c{.max_candidates = listing_budget_};
  c.max_parts = req.maxParts;
  Check<E>(EachPartitionName(view, t, c, emit));
}

GetPartitionNamesPsRequest HmsHandler::PartitionNamesPsReq(
    const std::string& db_name, const std::string& tbl_name,
    const std::vector<std::string>& part_vals, int16_t max_parts) {
  GetPartitionNamesPsRequest req;
  req.__set_dbName(db_name);
  req.__set_tblName(tbl_name);
  req.__set_partValues(part_vals);
  req.__set_maxParts(max_parts);
  return req;
}

void HmsHandler::get_partition_names_ps(std::vector<std::string>& _return,
                                        const std::string& db_name, const std::string& tbl_name,
                                        const std::vector<std::string>& part_vals,
                                        const int16_t max_parts) {
  ARBOR_HMS_DELEGATES_TO(get_partition_names_ps, get_partition_names_ps_req);
  _return.clear();
  stream_partition_names_ps_req(PartitionNamesPsReq(db_name, tbl_name, part_vals, max_parts),
                                CollectNames(&_return));
}

void HmsHandler::get_partition_names_ps_req(GetPartitionNamesPsResponse& _return,
                                            const GetPartitionNamesPsRequest& req) {
  _return.names.clear();
  stream_partition_names_ps_req(req, CollectNames(&_return.names));
}

void HmsHandler::stream_partition_names_ps_req(const GetPartitionNamesPsRequest& req,
                                               const NameEmitter& emit) {
  using E = ARBOR_HMS_THROWS(get_partition_names_ps_req);
  PartTarget t = Aim(Parse<E>(req.dbName), req.tblName, CatalogField(req));
  ReadView view = View<E>(t.db);
  t.render = Render<E>(view);
  // HMS needs at least one value here (MetaException); get_partition_names lists all.
  if (req.partValues.empty())
    Raise<E>(Status::InvalidRequest("partition values must not be empty"));
  Criteria c{.max_candidates = listing_budget_};
  c.part_vals = req.partValues;
  c.max_parts = req.maxParts;
  Check<E>(EachPartitionName(view, t, c, emit));
}

GetPartitionsByNamesRequest HmsHandler::PartitionsByNamesReq(
    const std::string& db_name, const std::string& tbl_name,
    const std::vector<std::string>& names) {
  GetPartitionsByNamesRequest req;
  req.__set_db_name(db_name);
  req.__set_tbl_name(tbl_name);
  req.__set_names(names);
  return req;
}

// get_partitions_by_names declares InvalidObjectException in slot 3, but Hive
// 2.3/3.x clients do not know that slot: never raise it.
void HmsHandler::get_partitions_by_names(std::vector<Partition>& _return,
                                         const std::string& db_name, const std::string& tbl_name,
                                         const std::vector<std::string>& names) {
  ARBOR_HMS_DELEGATES_TO(get_partitions_by_names, get_partitions_by_names_req);
  _return.clear();
  stream_partitions_by_names_req(PartitionsByNamesReq(db_name, tbl_name, names), Collect(&_return));
}

void HmsHandler::get_partitions_by_names_req(GetPartitionsByNamesResult& _return,
                                             const GetPartitionsByNamesRequest& req) {
  _return.partitions.clear();
  stream_partitions_by_names_req(req, Collect(&_return.partitions));
}

void HmsHandler::stream_partitions_by_names_req(const GetPartitionsByNamesRequest& req,
                                                const PartitionEmitter& emit) {
  // Declared, but never raised: see get_partitions_by_names.
  using E = Without<ARBOR_HMS_THROWS(get_partitions_by_names_req), hive::InvalidObjectException>;
  PartTarget t = Aim(Parse<E>(req.db_name), req.tbl_name);
  ReadView view = View<E>(t.db);
  t.render = Render<E>(view);
  std::optional<std::string> stats_engine;
  if (req.__isset.get_col_stats && req.get_col_stats) stats_engine = req.engine;
  Check<E>(EachByName(view, t, req.names, stats_engine, emit));
}

GetPartitionsByFilterRequest HmsHandler::PartitionsByFilterReq(const std::string& db_name,
                                                               const std::string& tbl_name,
                                                               const std::string& filter,
                                                               int16_t max_parts) {
  GetPartitionsByFilterRequest req;
  req.__set_dbName(db_name);
  req.__set_tblName(tbl_name);
  req.__set_filter(filter);
  req.__set_maxParts(max_parts);
  return req;
}

void HmsHandler::get_partitions_by_filter(std::vector<Partition>& _return,
                                          const std::string& db_name, const std::string& tbl_name,
                                          const std::string& filter, const int16_t max_parts) {
  ARBOR_HMS_DELEGATES_TO(get_partitions_by_filter, get_partitions_by_filter_req);
  get_partitions_by_filter_req(_return,
                               PartitionsByFilterReq(db_name, tbl_name, filter, max_parts));
}

void HmsHandler::get_partitions_by_filter_req(std::vector<Partition>& _return,
                                              const GetPartitionsByFilterRequest& req) {
  _return.clear();
  stream_partitions_by_filter_req(req, Collect(&_return));
}

void HmsHandler::stream_partitions_by_filter_req(const GetPartitionsByFilterRequest& req,
                                                 const PartitionEmitter& emit) {
  using E = ARBOR_HMS_THROWS(get_partitions_by_filter_req);
  PartTarget t = Aim(Parse<E>(req.dbName), req.tblName, CatalogField(req));
  ReadView view = View<E>(t.db);
  t.render = Render<E>(view);
  Criteria c{.max_candidates = listing_budget_};
  c.filter = req.filter;
  c.max_parts = req.maxParts;
  Check<E>(EachPartition(view, t, c, emit));
}

int32_t HmsHandler::get_num_partitions_by_filter(const std::string& db_name,
                                                 const std::string& tbl_name,
                                                 const std::string& filter) {
  using E = ARBOR_HMS_THROWS(get_num_partitions_by_filter);
  PartTarget t = Aim(Parse<E>(db_name), tbl_name);
  ReadView view = View<E>(t.db);
  t.render = Render<E>(view);
  Criteria c{.max_candidates = listing_budget_};
  c.filter = filter;
  return Check<E>(CountPartitions(view, t, c));
}

// Hive's Kryo-serialized expressions cannot be evaluated here: answer every
// partition and let hasUnknownPartitions tell the client to filter again
// (docs/hms-compatibility.md#partition-filters). maxParts is not applied: cutting an unfiltered
// superset short could drop partitions that match.
void HmsHandler::get_partitions_by_expr(PartitionsByExprResult& _return,
                                        const PartitionsByExprRequest& req) {
  using E = ARBOR_HMS_THROWS(get_partitions_by_expr);
  PartTarget t = Aim(Parse<E>(req.dbName), req.tblName, CatalogField(req));
  ReadView view = View<E>(t.db);
  t.render = Render<E>(view);
  _return.partitions = Check<E>(ListPartitions(view, t, Criteria{}));
  _return.hasUnknownPartitions = true;
}

void HmsHandler::get_partitions_spec_by_expr(PartitionsSpecByExprResult& _return,
                                             const PartitionsByExprRequest& req) {
  ARBOR_HMS_DELEGATES_TO(get_partitions_spec_by_expr, get_partitions_by_expr);
  PartitionsByExprResult all;
  get_partitions_by_expr(all, req);
  _return.partitionsSpec = ComposingSpecs(std::move(all.partitions));
  _return.hasUnknownPartitions = true;
}

void HmsHandler::get_partitions_pspec(std::vector<PartitionSpec>& _return,
                                      const std::string& db_name, const std::string& tbl_name,
                                      const int32_t max_parts) {
  ARBOR_HMS_DELEGATES_TO(get_partitions_pspec, get_partitions);
  std::vector<Partition> parts;
  get_partitions(parts, db_name, tbl_name, SpecLimit(max_parts));
  // Read after the listing, which has reported a missing table already.
  Table table;
  get_table(table, db_name, tbl_name);
  _return = ListedPartitionSpecs(table, std::move(parts));
}

void HmsHandler::get_part_specs_by_filter(std::vector<PartitionSpec>& _return,
                                          const std::string& db_name, const std::string& tbl_name,
                                          const std::string& filter, const int32_t max_parts) {
  ARBOR_HMS_DELEGATES_TO(get_part_specs_by_filter, get_partitions_by_filter);
  std::vector<Partition> parts;
  get_partitions_by_filter(parts, db_name, tbl_name, filter, SpecLimit(max_parts));
  Table table;
  get_table(table, db_name, tbl_name);
  _return = ListedPartitionSpecs(table, std::move(parts));
}

// The values of the requested keys, one row per partition (the ones the filter
// selects), in partition-name order unless partitionOrder names keys to sort
// by; applyDistinct (the default) drops repeated rows; maxParts limits rows.
void HmsHandler::get_partition_values(PartitionValuesResponse& _return,
                                      const PartitionValuesRequest& req) {
  using E = ARBOR_HMS_THROWS(get_partition_values);
  PartTarget t = Aim(Parse<E>(req.dbName), req.tblName, CatalogField(req));
  ReadView view = View<E>(t.db);
  t.render = Render<E>(view);
  if (req.partitionKeys.empty()) {
    Raise<E>(Status::InvalidRequest("get_partition_values needs at least one partition key"));
  }
  Criteria c{.max_candidates = listing_budget_};
  if (req.__isset.filter && !req.filter.empty()) c.filter = req.filter;
  std::vector<Partition> parts = Check<E>(ListPartitions(view, t, c));
  CatalogTxn txn(view);
  TableInfo info = Check<E>(LoadTable(txn, t));
  auto positions = [&](const std::vector<FieldSchema>& keys) {
    std::vector<size_t> out;
    for (const auto& k : keys) {
      auto it = std::find(info.keys.begin(), info.keys.end(), NormalizeIdentifier(k.name));
      if (it == info.keys.end()) {
        Raise<E>(
            Status::InvalidRequest("Partition key " + k.name + " is not a key of " + Qualified(t)));
      }
      out.push_back(static_cast<size_t>(it - info.keys.begin()));
    }
    return out;
  };
  const std::vector<size_t> columns = positions(req.partitionKeys);
  const std::vector<size_t> order = positions(req.partitionOrder);
  if (!order.empty()) {
    const bool ascending = !req.__isset.ascending || req.ascending;
    std::stable_sort(parts.begin(), parts.end(), [&](const Partition& a, const Partition& b) {
      for (size_t i : order) {
        if (a.values.at(i) != b.values.at(i)) {
          return ascending ? a.values.at(i) < b.values.at(i) : b.values.at(i) < a.values.at(i);
        }
      }
      return false;
    });
  }
  const bool distinct = !req.__isset.applyDistinct || req.applyDistinct;
  std::set<std::vector<std::string>> seen;
  for (const auto& p : parts) {
    if (req.maxParts >= 0 && _return.partitionValues.size() >= static_cast<size_t>(req.maxParts)) {
      break;
    }
    PartitionValuesRow row;
    for (size_t i : columns)
      row.row.push_back(p.values.at(i));
    if (distinct && !seen.insert(row.row).second) continue;
    _return.partitionValues.push_back(std::move(row));
  }
}

// ===========================================================================
// Name utilities; no database involved.

void HmsHandler::partition_name_to_vals(std::vector<std::string>& _return,
                                        const std::string& part_name) {
  using E = ARBOR_HMS_THROWS(partition_name_to_vals);
  _return.clear();
  if (part_name.empty()) return;
  for (auto& [key, value] : Check<E>(ParsePartName(part_name))) {
    _return.push_back(std::move(value));
  }
}

void HmsHandler::partition_name_to_spec(std::map<std::string, std::string>& _return,
                                        const std::string& part_name) {
  using E = ARBOR_HMS_THROWS(partition_name_to_spec);
  _return.clear();
  if (part_name.empty()) return;
  for (auto& [key, value] : Check<E>(ParsePartName(part_name))) {
    _return[std::move(key)] = std::move(value);
  }
}

}  // namespace arbor::hms

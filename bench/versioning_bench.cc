// versioning_bench: branch, commit, diff, merge and merge base (docs/versioning.md; goals in
// docs/architecture.md#performance-goals) on a real Repository over a RocksKvStore, against floors
// measured in the same run.
//
// Every scenario compares the same operation on two catalogs held by one repository
// (branches `n10k` and `n1m`: the same database of 100 partitioned tables with 10k and
// 1M entries), so the printed ratios mean something on a noisy shared machine. The two
// sizes are sampled alternately (one sample of each in turn, in alternating order), so
// background work, e.g. a RocksDB compaction, hits both alike. Every figure is a median.
// The floors are a raw KvStore::Get and a raw one-key KvStore::Write (synced and
// unsynced) on the same RocksDB, sampled between the scenarios' own samples; each
// scenario is compared with the floor samples taken during it.
//
// Synced and unsynced: the RocksDB is opened with sync_writes = true, and a KvStore
// wrapper (SyncSwitchKv) turns writes unsynced where asked. Goals are judged on the
// unsynced runs, which measure Arbor's own work; the synced runs (the production
// setting) add one WAL fsync per operation, whose latency is the disk's, and are
// printed next to them with the synced raw put of the same loop.
//
// Scenarios:
//  1. branch:    CreateBranch from the n10k and the n1m branch.
//                Goals: t(1M)/t(10k) <= 1.1 and p50 <= 1 ms.
//  2. cdm:       commit, diff and merge with d in {1, 100, 10000} changes, on n = 10k and
//                n = 1M. "random": d changes at uniformly random places of the catalog,
//                about half alterations of existing partitions (new statistics) and half
//                new partitions backfilled between existing ones; "clustered": d new
//                consecutive partitions appended to one random table (a job adding
//                partitions). Per sample:
//                  src = new branch from the base; d changes staged (untimed);
//                  commit(src) timed, synced;
//                  diff(base, src) timed: both branch names, all d changes in one page;
//                  twice: dst = new branch from the base with 3 unrelated table alters
//                  committed (untimed), then merge(src -> dst) timed (a real merge, not a
//                  dry run), once synced and once unsynced;
//                  u = new branch from the base, d other changes staged, commit(u)
//                  timed, unsynced.
//                Afterwards the sub-steps are replayed and timed: ProllyTree::Apply of
//                the commit and writing its nodes; the merge base, the three-way merge
//                and its Apply; the structural diff between the two commit ids.
//                Goal: t(1M)/t(10k) <= 1.5 at fixed d.
//  3. mergebase: MergeBase on a history of 100k commits with a merge every 100 commits:
//                a short-lived branch forked 50 commits back and a long-lived side branch
//                merged every 100 commits (both have a recent common ancestor: the goal,
//                <= 1 ms, applies), and a branch forked at commit 100 (worst case, info).
//  4. tombstones (info): empty commits through Repository::Commit, early and late in a
//                series of 4000, showing what the staging column's range tombstones cost.
//
// Usage: versioning_bench [--quick] [--dir=PARENT] [--keep] [--seed=N]
//                         [--only=branch,cdm,mergebase,tombstones] [--d=1,100,10000]
//                         [--n_small=10000] [--n_large=1000000] [--history=100000]
//                         [--node_cache_mb=4096]
//   --quick     n_large = 100k, a 10k-commit history and fewer samples (under a minute)
//   --dir       parent directory for the database (default /tmp); a fresh
//               versioning_bench.XXXXXX directory is made in it and removed at the end
//   --keep      do not remove the database directory
//   --node_cache_mb  Repository node cache (default 4096: the whole 1M catalog stays
//               decoded in memory; misses are counted and printed)
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

#include "arbor/catalog.pb.h"
#include "bench/bench_util.h"
#include "storage/kv_store.h"
#include "storage/node_store.h"
#include "storage/object_id.h"
#include "storage/prolly_diff.h"
#include "storage/prolly_node.h"
#include "storage/prolly_tree.h"
#include "storage/rocks_kv_store.h"
#include "versioning/catalog.h"
#include "versioning/catalog_diff.h"
#include "versioning/catalog_key.h"
#include "versioning/commit_graph.h"
#include "versioning/deterministic_proto.h"
#include "versioning/repository.h"
#include "versioning/staging.h"
#include "versioning/three_way_merge.h"

namespace {

using namespace arbor::bench;  // NOLINT: timing and formatting helpers

using namespace arbor;

// ---------------------------------------------------------------------------------------
// Small helpers (as in storage_bench)

struct Verdict {
  std::string name;
  bool pass;
  std::string detail;
};
std::vector<Verdict> g_verdicts;

const char* Judge(const std::string& name, bool pass, const std::string& detail) {
  g_verdicts.push_back({name, pass, detail});
  return pass ? "PASS" : "MISS";
}

void Section(const std::string& title) {
  std::printf("\n== %s\n", title.c_str());
  std::fflush(stdout);
}

void Line(const std::string& s) {
  std::printf("%s\n", s.c_str());
  std::fflush(stdout);
}

// ---------------------------------------------------------------------------------------
// A KvStore that forwards to the RocksKvStore, and can turn every write unsynced. The
// store is opened with sync_writes = true (Repository's synced writes really sync), so
// this lets one run interleave synced and unsynced samples of the same operation, and
// load the catalogs quickly. It counts synced writes and range deletes, and lets the
// RocksDB underneath be closed and reopened while the Repository (and its caches of
// immutable nodes and commits) stays (see Bench::Reopen).

class SyncSwitchKv final : public KvStore {
 public:
  explicit SyncSwitchKv(KvStore* inner) : inner_(inner) {}
  void set_unsynced(bool v) { unsynced_ = v; }
  bool unsynced() const { return unsynced_; }
  uint64_t synced_writes() const { return synced_writes_; }
  uint64_t range_deletes() const { return range_deletes_; }
  void set_inner(KvStore* inner) { inner_ = inner; }

  Result<std::string> Get(Column c, std::string_view key,
                          const ReadOptions& options = {}) override {
    return inner_->Get(c, key, options);
  }
  std::unique_ptr<KvIterator> NewIterator(Column c, const ReadOptions& options = {}) override {
    return inner_->NewIterator(c, options);
  }
  std::unique_ptr<Snapshot> GetSnapshot() override { return inner_->GetSnapshot(); }
  Status Write(const WriteBatch& batch, const WriteOptions& options = {}) override {
    WriteOptions wo = options;
    if (unsynced_) wo.sync = false;
    if (wo.sync) ++synced_writes_;
    for (const auto& op : batch.ops()) {
      if (op.type == WriteBatch::OpType::kDeleteRange) ++range_deletes_;
    }
    return inner_->Write(batch, wo);
  }
  Status SyncWal() override { return inner_->SyncWal(); }

 private:
  KvStore* inner_;
  bool unsynced_ = false;
  uint64_t synced_writes_ = 0;
  uint64_t range_deletes_ = 0;
};

// Scoped "all writes unsynced".
class Unsynced {
 public:
  explicit Unsynced(SyncSwitchKv* kv, bool on = true) : kv_(kv), was_(kv->unsynced()) {
    kv_->set_unsynced(on);
  }
  ~Unsynced() { kv_->set_unsynced(was_); }

 private:
  SyncSwitchKv* kv_;
  bool was_;
};

// ---------------------------------------------------------------------------------------
// Catalog entities, shaped like what Hive sends (the same shapes as hms_bench): one
// database, 100 tables with 8 columns and partition keys (ds string, hr int), Parquet
// storage descriptors, and partitions that repeat the table's columns as Hive does.

constexpr const char* kDb = "sales";
constexpr int kTables = 100;
constexpr int64_t kBaseTime = 1700000000;

const std::vector<std::pair<std::string, std::string>> kColumns = {{"id", "bigint"},
                                                                   {"user_id", "bigint"},
                                                                   {"event", "string"},
                                                                   {"amount", "decimal(18,2)"},
                                                                   {"country", "string"},
                                                                   {"tags", "array<string>"},
                                                                   {"attrs", "map<string,string>"},
                                                                   {"ts", "timestamp"}};

std::string TableName(int t) {
  return Fmt("events_%03d", t);
}

void FillSd(catalog::StorageDescriptor* sd, const std::string& location) {
  for (const auto& [name, type] : kColumns) {
    auto* c = sd->mutable_cols()->add_items();
    c->set_name(name);
    c->set_type(type);
  }
  sd->set_location(location);
  sd->set_input_format("org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat");
  sd->set_output_format("org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat");
  sd->set_compressed(false);
  sd->set_num_buckets(-1);
  auto* serde = sd->mutable_serde_info();
  serde->set_serialization_lib("org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe");
  (*serde->mutable_parameters()->mutable_entries())["serialization.format"] = "1";
}

std::string TableLocation(int t) {
  return std::string("s3a://lake/main/warehouse/") + kDb + ".db/" + TableName(t);
}

catalog::Table MakeTable(int t, uint64_t version = 0) {
  catalog::Table tb;
  tb.set_db_name(kDb);
  tb.set_table_name(TableName(t));
  tb.set_owner("etl");
  tb.set_create_time(static_cast<int32_t>(kBaseTime));
  tb.set_table_type("MANAGED_TABLE");
  FillSd(tb.mutable_sd(), TableLocation(t));
  auto* ds = tb.mutable_partition_keys()->add_items();
  ds->set_name("ds");
  ds->set_type("string");
  auto* hr = tb.mutable_partition_keys()->add_items();
  hr->set_name("hr");
  hr->set_type("int");
  auto& params = *tb.mutable_parameters()->mutable_entries();
  params["comment"] = "versioning_bench table";
  params["parquet.compression"] = "SNAPPY";
  params["transient_lastDdlTime"] = std::to_string(kBaseTime + version);
  if (version) params["last_modified_by"] = Fmt("job-%" PRIu64, version);
  return tb;
}

// Partition k of table t: day k / 12 after 2000-01-01, even hour 2 * (k % 12) (jobs write
// every other hour). Later k sort later within the table (the day leads the name), so new
// partitions append to its range. `backfill` gives the odd hour right after partition k
// instead: a new partition that lands inside the table's range, next to partition k.
// `version` > 0 marks an alteration (new statistics, as an ANALYZE or a rewrite makes).
catalog::Partition MakePartition(int t, uint64_t k, uint64_t version = 0, bool backfill = false) {
  catalog::Partition p;
  std::string ds = DayString(k / 12), hr = std::to_string(2 * (k % 12) + (backfill ? 1 : 0));
  p.mutable_values()->add_items(ds);
  p.mutable_values()->add_items(hr);
  p.set_db_name(kDb);
  p.set_table_name(TableName(t));
  p.set_create_time(static_cast<int32_t>(kBaseTime + k));
  p.set_last_access_time(0);
  FillSd(p.mutable_sd(), TableLocation(t) + "/ds=" + ds + "/hr=" + hr);
  auto& params = *p.mutable_parameters()->mutable_entries();
  params["numFiles"] = std::to_string(1 + k % 7);
  params["totalSize"] = std::to_string(100000 + (k * 7919) % 99991);
  params["numRows"] = std::to_string(1000 + (k * 104729 + version * 31) % 99989);
  params["transient_lastDdlTime"] = std::to_string(kBaseTime + k + version);
  if (version) params["COLUMN_STATS_ACCURATE"] = "{\"BASIC_STATS\":\"true\"}";
  return p;
}

// ---------------------------------------------------------------------------------------
// The repository under test.

struct Catalog {
  uint64_t n = 0;                // entries in the base branch's tree
  std::string name;              // "10k", "1M"
  std::string branch;            // base branch holding this catalog
  std::vector<uint64_t> parts;   // partitions per table
  std::vector<uint64_t> prefix;  // prefix sums of parts (size kTables + 1)
  ObjectId head, root;
  // Shape.
  std::vector<size_t> per_level;  // nodes per level, leaves first
  double leaf_entries = 0, leaf_bytes = 0, value_bytes = 0, decoded_bytes = 0;
};

struct Bench {
  RocksOptions rocks_options;
  std::unique_ptr<RocksKvStore> rocks;
  std::unique_ptr<SyncSwitchKv> kv;
  std::unique_ptr<Repository> repo;
  std::mt19937_64 rng;
  uint64_t version = 0;  // bumped per change set, so every alteration changes the value
  uint64_t uniq = 0;     // for branch names

  std::string NewName(const char* prefix) { return Fmt("%s%" PRIu64, prefix, ++uniq); }
  uint64_t tombstones_at_open = 0;

  // Closes and reopens the RocksDB under the same Repository. Recovery flushes the
  // memtables to L0 files, which moves the staging column's range tombstones (one per
  // commit and branch delete) out of the memtable; see scenario 4 for why that matters.
  void Reopen() {
    kv->set_inner(nullptr);
    rocks.reset();
    rocks = Take(RocksKvStore::Open(rocks_options), "reopen RocksDB");
    kv->set_inner(rocks.get());
    tombstones_at_open = kv->range_deletes();
  }
  uint64_t MemtableTombstones() const { return kv->range_deletes() - tombstones_at_open; }

  ObjectId Head(const std::string& branch) {
    return Take(repo->GetBranch(branch), "get branch " + branch).head;
  }
  ObjectId RootOf(const ObjectId& commit) {
    return Take(repo->commits()->Get(commit), "get commit")->root;
  }

  void Stage(const std::string& branch, const std::function<Status(CatalogTxn&)>& fn) {
    MutationOptions mo;
    mo.author = "versioning_bench";
    Take(repo->Mutate(branch, mo,
                      [&](const ReadView& view) -> Result<std::vector<Edit>> {
                        CatalogTxn txn(view);
                        ARBOR_RETURN_IF_ERROR(fn(txn));
                        return txn.TakeEdits();
                      }),
         "mutate " + branch);
  }

  CommitPtr Commit(const std::string& branch, bool allow_empty = false) {
    CommitOptions co;
    co.author = "versioning_bench";
    co.message = "bench commit";
    co.allow_empty = allow_empty;
    return Take(repo->Commit(branch, co), "commit " + branch);
  }
};

// Walks every node under `id` through the node cache; fills the shape if asked.
void Walk(NodeStore* store, const ObjectId& id, Catalog* shape, std::vector<ObjectId>* leaves) {
  NodePtr node = Take(store->Load(id), "load node");
  if (shape) {
    if (shape->per_level.size() <= node->level) shape->per_level.resize(node->level + 1);
    ++shape->per_level[node->level];
    shape->decoded_bytes += node->MemoryBytes();
  }
  if (node->is_leaf()) {
    if (leaves) leaves->push_back(id);
    return;
  }
  for (const auto& e : node->entries)
    Walk(store, e.child, shape, leaves);
}

// Builds the catalog of n entries on a new branch: the `default` database (from the
// repository's first commit), database `sales`, 100 tables, and n - 102 partitions spread
// evenly over the tables. Everything goes through CatalogTxn and Repository::Mutate (with
// its existence checks), staged in chunks of up to 10k partitions, one commit per chunk,
// with writes unsynced.
Catalog Load(Bench& b, uint64_t n, const std::string& branch) {
  Catalog c;
  c.n = n;
  c.name = FmtN(n);
  c.branch = branch;
  const uint64_t parts = n - 2 - kTables;
  c.parts.resize(kTables);
  c.prefix.assign(kTables + 1, 0);
  for (int t = 0; t < kTables; ++t) {
    c.parts[t] = parts / kTables + (static_cast<uint64_t>(t) < parts % kTables ? 1 : 0);
    c.prefix[t + 1] = c.prefix[t] + c.parts[t];
  }
  Unsynced unsynced(b.kv.get());
  Take(b.repo->CreateBranch(branch, b.repo->default_branch()), "create " + branch);
  b.Stage(branch, [&](CatalogTxn& txn) -> Status {
    catalog::Database db;
    db.set_name(kDb);
    db.set_description("versioning_bench");
    db.set_location_uri(std::string("s3a://lake/main/warehouse/") + kDb + ".db");
    db.set_owner_name("etl");
    ARBOR_RETURN_IF_ERROR(txn.CreateDatabase(db));
    for (int t = 0; t < kTables; ++t)
      ARBOR_RETURN_IF_ERROR(txn.CreateTable(MakeTable(t)));
    return Status::OK();
  });
  b.Commit(branch);
  constexpr uint64_t kChunk = 10000;
  int t = 0;
  uint64_t k = 0;
  while (t < kTables) {
    b.Stage(branch, [&](CatalogTxn& txn) -> Status {
      uint64_t in_chunk = 0;
      while (t < kTables && in_chunk < kChunk) {
        uint64_t take = std::min(kChunk - in_chunk, c.parts[t] - k);
        std::vector<catalog::Partition> ps;
        ps.reserve(take);
        for (uint64_t i = k; i < k + take; ++i)
          ps.push_back(MakePartition(t, i));
        ARBOR_RETURN_IF_ERROR(
            txn.AddPartitions(kDb, TableName(t), std::move(ps), /*if_not_exists=*/false).status());
        in_chunk += take;
        k += take;
        if (k == c.parts[t]) {
          ++t;
          k = 0;
        }
      }
      return Status::OK();
    });
    b.Commit(branch);
  }
  c.head = b.Head(branch);
  c.root = b.RootOf(c.head);
  uint64_t count = Take(b.repo->tree().Count(c.root), "count");
  if (count != n) Die(Fmt("catalog %s holds %" PRIu64 " entries", c.name.c_str(), count));
  return c;
}

void Describe(Bench& b, Catalog* c) {
  std::vector<ObjectId> leaves;
  c->per_level.clear();
  c->decoded_bytes = 0;
  Walk(b.repo->nodes(), c->root, c, &leaves);
  c->leaf_entries = static_cast<double>(c->n) / leaves.size();
  double bytes = 0, values = 0, entries = 0;
  size_t sample = std::min<size_t>(leaves.size(), 500);
  for (size_t i = 0; i < sample; ++i) {
    NodePtr node = Take(b.repo->nodes()->Load(leaves[i * leaves.size() / sample]), "load");
    bytes += EncodeNode(*node).size();
    for (const auto& e : node->entries)
      values += e.value.size();
    entries += node->entries.size();
  }
  c->leaf_bytes = bytes / sample;
  c->value_bytes = values / entries;
}

// d distinct random "slots" of the catalog, sorted. Slot 2g is partition g (counted over
// all tables), to be altered; slot 2g + 1 is the backfill partition right after it, to be
// added. So about half the changes are updates and half are inserts, at random places.
struct Slot {
  int table;
  uint64_t k;
  bool insert;
};
std::vector<Slot> RandomSlots(Bench& b, const Catalog& c, size_t d) {
  const uint64_t total = 2 * c.prefix[kTables];
  if (d > total)
    Die(Fmt("d=%zu exceeds the %" PRIu64 " slots of catalog %s", d, total, c.name.c_str()));
  std::unordered_set<uint64_t> seen;
  std::vector<uint64_t> picks;
  while (picks.size() < d) {
    uint64_t s = b.rng() % total;
    if (seen.insert(s).second) picks.push_back(s);
  }
  std::sort(picks.begin(), picks.end());
  std::vector<Slot> out;
  for (uint64_t s : picks) {
    uint64_t g = s / 2;
    int t =
        static_cast<int>(std::upper_bound(c.prefix.begin(), c.prefix.end(), g) - c.prefix.begin()) -
        1;
    out.push_back({t, g - c.prefix[t], (s & 1) != 0});
  }
  return out;
}

enum class Variant { kRandom, kClustered };
const char* VariantName(Variant v) {
  return v == Variant::kRandom ? "random" : "clustered";
}

// Stages d changes of the variant on `branch` (which starts at the catalog's head).
void StageChanges(Bench& b, const Catalog& c, const std::string& branch, Variant v, size_t d) {
  uint64_t version = ++b.version;
  if (v == Variant::kRandom) {
    auto slots = RandomSlots(b, c, d);
    b.Stage(branch, [&](CatalogTxn& txn) -> Status {
      std::map<int, std::vector<catalog::Partition>> adds;
      for (const Slot& s : slots) {
        if (s.insert) {
          adds[s.table].push_back(MakePartition(s.table, s.k, version, /*backfill=*/true));
        } else {
          ARBOR_RETURN_IF_ERROR(
              txn.AlterPartition(kDb, TableName(s.table), MakePartition(s.table, s.k, version)));
        }
      }
      for (auto& [t, ps] : adds) {
        ARBOR_RETURN_IF_ERROR(txn.AddPartitions(kDb, TableName(t), std::move(ps), false).status());
      }
      return Status::OK();
    });
  } else {
    int t = static_cast<int>(b.rng() % kTables);
    std::vector<catalog::Partition> ps;
    ps.reserve(d);
    for (uint64_t k = c.parts[t]; k < c.parts[t] + d; ++k)
      ps.push_back(MakePartition(t, k, version));
    b.Stage(branch, [&](CatalogTxn& txn) -> Status {
      return txn.AddPartitions(kDb, TableName(t), std::move(ps), false).status();
    });
  }
}

// ---------------------------------------------------------------------------------------
// Floors: a raw KvStore::Get of a 600-byte value (block cache warm) and a raw one-key
// KvStore::Write, synced and unsynced, on the same RocksDB. Sampled between scenario
// samples all through the run.

struct Floors {
  std::vector<std::string> keys;
  std::string value;
  std::vector<double> get, put_sync, put_nosync;
  uint64_t puts = 0;
  size_t sink = 0;

  void Init(Bench& b) {
    value = SerializeDeterministic(MakePartition(0, 12345));
    WriteBatch batch;
    for (int i = 0; i < 100000; ++i) {
      keys.push_back(Fmt("floor-floor-flo/%08d", i));
      batch.Put(Column::kStaging, keys.back(), value);
      if (batch.ops().size() == 10000) {
        WriteOptions wo;
        wo.sync = false;
        Check(b.rocks->Write(batch, wo), "floor write");
        batch.Clear();
      }
    }
    for (const auto& k : keys)
      sink += Take(b.rocks->Get(Column::kStaging, k), "floor get").size();
  }

  // A few gets and one put of each kind.
  void Sample(Bench& b, int gets = 10) {
    for (int i = 0; i < gets; ++i) {
      const std::string& k = keys[b.rng() % keys.size()];
      double t0 = NowNs();
      sink += Take(b.rocks->Get(Column::kStaging, k), "floor get").size();
      get.push_back(NowNs() - t0);
    }
    for (bool sync : {true, false}) {
      WriteBatch batch;
      batch.Put(Column::kStaging, Fmt("floor-floor-flo/put%08" PRIu64, puts++ % 1000), value);
      WriteOptions wo;
      wo.sync = sync;
      double t0 = NowNs();
      Check(b.rocks->Write(batch, wo), "floor put");
      (sync ? put_sync : put_nosync).push_back(NowNs() - t0);
    }
  }
  double Get() const { return Median(get); }
  double PutSync() const { return Median(put_sync); }
  double PutNoSync() const { return Median(put_nosync); }

  // Local floors: the samples taken since a mark, i.e. during one scenario. The disk's
  // fsync latency on a shared VM swings by 10x within minutes, so synced operations are
  // compared with the synced puts taken between their own samples.
  struct Mark {
    size_t get, put_sync, put_nosync;
  };
  Mark Now() const { return {get.size(), put_sync.size(), put_nosync.size()}; }
  static double Since(const std::vector<double>& v, size_t from) {
    return Median(std::vector<double>(v.begin() + std::min(from, v.size()), v.end()));
  }
  double Get(const Mark& m) const { return Since(get, m.get); }
  double PutSync(const Mark& m) const { return Since(put_sync, m.put_sync); }
  double PutNoSync(const Mark& m) const { return Since(put_nosync, m.put_nosync); }
};

// ---------------------------------------------------------------------------------------
// Options

struct Options {
  bool quick = false;
  bool keep = false;
  std::string parent_dir = "/tmp";
  uint64_t seed = 42;
  std::set<std::string> only;
  std::vector<size_t> ds = {1, 100, 10000};
  uint64_t n_small = 10000;
  uint64_t n_large = 0;  // 0: 1M, or 100k with --quick
  uint64_t history = 0;  // 0: 100k, or 10k with --quick
  size_t node_cache_mb = 4096;
  bool Enabled(const std::string& s) const { return only.empty() || only.count(s) > 0; }
};

std::vector<size_t> ParseList(const std::string& v) {
  std::vector<size_t> out;
  size_t pos = 0;
  while (pos < v.size()) {
    size_t comma = v.find(',', pos);
    if (comma == std::string::npos) comma = v.size();
    if (comma > pos) out.push_back(std::stoul(v.substr(pos, comma - pos)));
    pos = comma + 1;
  }
  return out;
}

Options ParseFlags(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const std::string& name) { return FlagValue(argc, argv, &i, name); };
    if (a == "--quick") {
      o.quick = true;
    } else if (a == "--keep") {
      o.keep = true;
    } else if (auto v = value("--dir")) {
      o.parent_dir = *v;
    } else if (auto v = value("--seed")) {
      o.seed = std::stoull(*v);
    } else if (auto v = value("--n_small")) {
      o.n_small = std::stoull(*v);
    } else if (auto v = value("--n_large")) {
      o.n_large = std::stoull(*v);
    } else if (auto v = value("--history")) {
      o.history = std::stoull(*v);
    } else if (auto v = value("--node_cache_mb")) {
      o.node_cache_mb = std::stoul(*v);
    } else if (auto v = value("--d")) {
      o.ds = ParseList(*v);
    } else if (auto v = value("--only")) {
      size_t pos = 0;
      while (pos <= v->size()) {
        size_t comma = v->find(',', pos);
        if (comma == std::string::npos) comma = v->size();
        if (comma > pos) o.only.insert(v->substr(pos, comma - pos));
        pos = comma + 1;
      }
    } else {
      std::fprintf(stderr,
                   "usage: versioning_bench [--quick] [--dir=PARENT] [--keep] [--seed=N] "
                   "[--only=branch,cdm,mergebase,tombstones] [--d=1,100,10000] [--n_small=10000] "
                   "[--n_large=1000000] [--history=100000] [--node_cache_mb=4096]\n");
      std::exit(a == "--help" || a == "-h" ? 0 : 2);
    }
  }
  return o;
}

// ---------------------------------------------------------------------------------------
// Scenario 2: one sample of commit / diff / merge on one catalog.

struct Series {
  std::map<std::string, std::vector<double>> v;  // metric -> samples
  void Add(const std::string& m, double x) { v[m].push_back(x); }
  double Med(const std::string& m) const {
    auto it = v.find(m);
    return it == v.end() ? 0 : Median(it->second);
  }
  size_t Count(const std::string& m) const {
    auto it = v.find(m);
    return it == v.end() ? 0 : it->second.size();
  }
};

void CdmSample(Bench& b, const Catalog& c, Variant variant, size_t d, Series* s) {
  NodeStore* nodes = b.repo->nodes();
  const ProllyTree& tree = b.repo->tree();
  const ObjectId base_root = c.root;
  auto misses = [&] { return static_cast<double>(nodes->misses()); };

  // --- commit, synced
  std::string src = b.NewName("s");
  Take(b.repo->CreateBranch(src, c.branch), "create src");
  StageChanges(b, c, src, variant, d);
  // Sub-step: reading the staged edits, as Commit does first (timed here, before the
  // commit, because the commit retires them; they were just written either way).
  std::string token = Take(b.repo->GetBranch(src), "get src").staging_token;
  double r0 = NowNs();
  std::vector<Edit> staged = Take(ReadStagedEdits(b.kv.get(), token, {}), "read staged");
  s->Add("commit_read_staged", NowNs() - r0);
  if (staged.size() != d) Die(Fmt("staged %zu edits, expected %zu", staged.size(), d));
  uint64_t synced0 = b.kv->synced_writes();
  double m0 = misses();
  double t0 = NowNs();
  CommitPtr commit = b.Commit(src);
  double t1 = NowNs();
  s->Add("commit_sync", t1 - t0);
  s->Add("commit_synced_writes", static_cast<double>(b.kv->synced_writes() - synced0));
  s->Add("misses", misses() - m0);

  // --- diff between the two branches (as `arbor diff n1m <branch>`), one page
  DiffPageOptions dpo;
  dpo.limit = std::max<size_t>(d, 1000);
  uint64_t loads0 = nodes->loads();
  m0 = misses();
  t0 = NowNs();
  DiffPage page = Take(b.repo->Diff(c.branch, src, dpo), "diff");
  t1 = NowNs();
  s->Add("diff", t1 - t0);
  s->Add("diff_loads", static_cast<double>(nodes->loads() - loads0));
  s->Add("misses", misses() - m0);
  if (page.changes.size() != d || page.has_more) {
    Die(Fmt("diff found %zu changes, expected %zu", page.changes.size(), d));
  }

  // --- merge src -> dst, where dst has 3 unrelated committed changes (table alters);
  // once with synced writes into one such dst, once unsynced into another
  auto make_dst = [&] {
    Unsynced u(b.kv.get());
    std::string dst = b.NewName("t");
    Take(b.repo->CreateBranch(dst, c.branch), "create dst");
    uint64_t version = ++b.version;
    std::set<int> tables;
    while (tables.size() < 3)
      tables.insert(static_cast<int>(b.rng() % kTables));
    b.Stage(dst, [&](CatalogTxn& txn) -> Status {
      for (int t : tables)
        ARBOR_RETURN_IF_ERROR(txn.AlterTable(kDb, TableName(t), MakeTable(t, version)));
      return Status::OK();
    });
    b.Commit(dst);
    return dst;
  };
  MergeOutcome merged;
  ObjectId dst_head, dst_root;
  for (bool synced : {true, false}) {
    std::string dst = make_dst();
    dst_head = b.Head(dst);
    dst_root = b.RootOf(dst_head);
    MergeOptions mo;
    mo.author = "versioning_bench";
    Unsynced u(b.kv.get(), !synced);
    m0 = misses();
    t0 = NowNs();
    merged = Take(b.repo->Merge(src, dst, mo), "merge");
    t1 = NowNs();
    s->Add(synced ? "merge_sync" : "merge_nosync", t1 - t0);
    s->Add("misses", misses() - m0);
    if (!merged.merged || merged.changes != d || merged.conflict_count != 0) {
      Die(Fmt("merge: merged %d, %zu changes (expected %zu), %zu conflicts", merged.merged,
              merged.changes, d, merged.conflict_count));
    }
  }

  // --- commit with every write unsynced, of d other changes on another branch
  std::string u = b.NewName("u");
  Take(b.repo->CreateBranch(u, c.branch), "create u");
  StageChanges(b, c, u, variant, d);
  {
    Unsynced unsynced(b.kv.get());
    m0 = misses();
    t0 = NowNs();
    b.Commit(u);
    t1 = NowNs();
  }
  s->Add("commit_nosync", t1 - t0);
  s->Add("misses", misses() - m0);

  // --- sub-steps, replayed after the timed operations
  // Commit: Apply the staged edits to the head tree, write the nodes.
  {
    WriteBatch batch;
    t0 = NowNs();
    ObjectId root = Take(tree.Apply(base_root, staged, &batch), "apply");
    t1 = NowNs();
    WriteOptions wo;
    wo.sync = false;
    Check(b.rocks->Write(batch, wo), "write nodes");
    double t2 = NowNs();
    if (root != commit->root) Die("replayed Apply gave another root");
    s->Add("commit_apply", t1 - t0);
    s->Add("commit_write_nodes", t2 - t1);
    s->Add("commit_nodes", static_cast<double>(batch.ops().size()));
    s->Add("commit_bytes", static_cast<double>(batch.ApproximateBytes()));
  }
  // Diff: the structural tree diff alone, between the two commit ids.
  {
    DiffPageOptions o;
    o.limit = std::max<size_t>(d, 1000);
    t0 = NowNs();
    DiffPage p = Take(b.repo->Diff(c.head.ToHex(), commit->id.ToHex(), o), "diff commits");
    t1 = NowNs();
    if (p.changes.size() != d) Die("diff of commits: wrong count");
    s->Add("diff_commits", t1 - t0);
    size_t count = 0;
    uint64_t tree_loads0 = nodes->loads();
    t0 = NowNs();
    Check(DiffTrees(nodes, base_root, commit->root, {},
                    [&](DiffEntry&&) {
                      ++count;
                      return true;
                    }),
          "diff trees");
    t1 = NowNs();
    s->Add("diff_trees", t1 - t0);
    s->Add("diff_trees_loads", static_cast<double>(nodes->loads() - tree_loads0));
  }
  // Merge: merge base, three-way merge, Apply of its edits to the destination.
  {
    t0 = NowNs();
    auto base = Take(MergeBase(b.repo->commits(), dst_head, commit->id), "merge base");
    t1 = NowNs();
    if (!base || *base != c.head) Die("unexpected merge base");
    ThreeWayResult r =
        Take(ThreeWayMerge(nodes, base_root, dst_root, commit->root, MergeStrategy::kFail),
             "three-way merge");
    double t2 = NowNs();
    WriteBatch batch;
    ObjectId root = Take(tree.Apply(dst_root, std::move(r.edits), &batch), "merge apply");
    double t3 = NowNs();
    if (root != merged.commit.value()->root) Die("replayed merge gave another root");
    s->Add("merge_base", t1 - t0);
    s->Add("merge_3way", t2 - t1);
    s->Add("merge_apply", t3 - t2);
  }

  // The three branches stay (see scenario 1): deleting them would only add range
  // tombstones to the staging column.
}

}  // namespace

int main(int argc, char** argv) {
  Options opt = ParseFlags(argc, argv);
  const uint64_t n_small = opt.n_small;
  const uint64_t n_large = opt.n_large ? opt.n_large : opt.quick ? 100000 : 1000000;
  const uint64_t history = opt.history ? opt.history : opt.quick ? 10000 : 100000;
  if (n_small < 1000 || n_large < 1000) Die("--n_small and --n_large must be >= 1000");
  const double t_start = NowNs();

  std::error_code ec;
  std::filesystem::create_directories(opt.parent_dir, ec);
  std::string tmpl = opt.parent_dir + "/versioning_bench.XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (!mkdtemp(buf.data())) Die("mkdtemp in " + opt.parent_dir + ": " + std::strerror(errno));
  const std::string dir = buf.data();

  Bench b;
  b.rng.seed(opt.seed);
  RocksOptions& ro = b.rocks_options;
  ro.path = dir + "/db";
  ro.sync_writes = true;  // synced writes really sync; SyncSwitchKv turns them off per scope
  b.rocks = Take(RocksKvStore::Open(ro), "open RocksDB");
  b.kv = std::make_unique<SyncSwitchKv>(b.rocks.get());
  {
    RepositoryOptions options;
    options.node_cache_bytes = opt.node_cache_mb << 20;
    catalog::Database def;
    def.set_name("default");
    def.set_description("Default Hive database");
    def.set_location_uri("s3a://lake/main/warehouse");
    options.initial_entries = Take(InitialCatalogEdits({def}), "initial catalog");
    Unsynced unsynced(b.kv.get());
    b.repo = Take(Repository::Open(b.kv.get(), std::move(options)), "open repository");
  }

  Line("versioning_bench: Repository on RocksKvStore vs. its own floors; every figure is a median");
  Line(Fmt("machine: nproc %ld, cpu '%s', load average at start %.2f",
           sysconf(_SC_NPROCESSORS_ONLN), CpuModel().c_str(), LoadAverage()));
  Line(Fmt(
      "mode: %s, n = %s and %s, history %s commits, db %s, node cache %zu MiB, commit "
      "cache default (32 MiB), RocksDB block cache %zu MiB, seed %" PRIu64,
      opt.quick ? "quick" : "full", FmtN(n_small).c_str(), FmtN(n_large).c_str(),
      FmtN(history).c_str(), dir.c_str(), opt.node_cache_mb, ro.block_cache_bytes >> 20, opt.seed));

  // ------------------------------------------------------------------ setup
  Section("setup");
  Floors floors;
  floors.Init(b);
  std::vector<Catalog> cats;
  if (opt.Enabled("branch") || opt.Enabled("cdm")) {
    for (uint64_t n : {n_small, n_large}) {
      double t0 = NowNs();
      std::string branch = "n" + FmtN(n);
      for (auto& ch : branch)
        ch = static_cast<char>(std::tolower(ch));
      Catalog c = Load(b, n, branch);
      double secs = (NowNs() - t0) / 1e9;
      Describe(b, &c);
      std::string levels;
      for (size_t l = c.per_level.size(); l-- > 0;) {
        levels += Fmt("%s%zu", levels.empty() ? "" : "/", c.per_level[l]);
      }
      Line(
          Fmt("catalog n=%s on branch '%s': loaded in %.1f s (%.0f entries/s; CatalogTxn + "
              "Mutate + Commit per 10k partitions, unsynced); 1 + 1 databases, %d tables, "
              "%" PRIu64 " partitions",
              c.name.c_str(), c.branch.c_str(), secs, n / secs, kTables, c.prefix[kTables]));
      Line(
          Fmt("  tree: height %zu, nodes per level (root first) %s, mean leaf %.1f entries / %s "
              "encoded, mean value %.0f B, decoded in the node cache %s",
              c.per_level.size(), levels.c_str(), c.leaf_entries, FmtBytes(c.leaf_bytes).c_str(),
              c.value_bytes, FmtBytes(c.decoded_bytes).c_str()));
      cats.push_back(std::move(c));
    }
  }
  for (int i = 0; i < 50; ++i)
    floors.Sample(b);
  Line(Fmt("floors so far: raw get %s, raw put synced %s, unsynced %s",
           FmtTime(floors.Get()).c_str(), FmtTime(floors.PutSync()).c_str(),
           FmtTime(floors.PutNoSync()).c_str()));

  // Summary rows: scenario -> (t_small, t_large) for the results table.
  struct Row {
    std::string scenario;
    double small, large, ratio, goal;
    bool judged;
    bool pass;
    std::string extra;
  };
  std::vector<Row> rows;

  // ------------------------------------------------------------------ 1. branch create
  if (opt.Enabled("branch")) {
    // Branches are not deleted afterwards: a delete leaves a range tombstone in the
    // staging column (scenario 4), and a branch that stays is just one key in `refs`.
    b.Reopen();
    Section("1. branch create (CreateBranch from the n10k / n1M branch)");
    const int reps = opt.quick ? 60 : 300;
    std::map<std::pair<int, bool>, std::vector<double>> t;  // (catalog, synced) -> samples
    uint64_t synced0 = b.kv->synced_writes();
    int creates = 0;
    Floors::Mark mark = floors.Now();
    for (int r = 0; r < reps; ++r) {
      floors.Sample(b, 2);  // one synced and one unsynced raw put per round
      for (int j = 0; j < 2; ++j) {
        int ci = (r + j) % 2;
        for (bool synced : {true, false}) {
          std::string name = b.NewName("b");
          Unsynced u(b.kv.get(), !synced);
          double t0 = NowNs();
          Take(b.repo->CreateBranch(name, cats[ci].branch), "create branch");
          t[{ci, synced}].push_back(NowNs() - t0);
          if (synced) ++creates;
        }
      }
    }
    double synced_per = static_cast<double>(b.kv->synced_writes() - synced0) / creates;
    // Goals are judged unsynced: a synced create is one synced write, so its time is the
    // disk's fsync latency plus the unsynced time (both printed).
    for (bool synced : {false, true}) {
      double s = Median(t[{0, synced}]), l = Median(t[{1, synced}]);
      double p90 = Percentile(t[{1, synced}], 0.9);
      double floor = synced ? floors.PutSync(mark) : floors.PutNoSync(mark);
      std::string what = synced ? "synced (info)" : "unsynced";
      std::string verdicts;
      if (!synced) {
        verdicts =
            Fmt("ratio %.2f (goal <= 1.1) %s, p50 %s (goal <= 1 ms) %s", l / s,
                Judge("branch create (unsynced) t(" + cats[1].name + ")/t(" + cats[0].name + ")",
                      l / s <= 1.1, Fmt("%.2f", l / s)),
                FmtTime(l).c_str(),
                Judge("branch create (unsynced) p50 at n=" + cats[1].name, l <= 1e6, FmtTime(l)));
      } else {
        verdicts = Fmt("ratio %.2f, p50 %s (info)", l / s, FmtTime(l).c_str());
      }
      Line(
          Fmt("branch create, %s: n=%s %s, n=%s %s (p90 %s); %s; raw put %s in the same "
              "loop %s, ratio %.2f  [%zu samples each]",
              what.c_str(), cats[0].name.c_str(), FmtTime(s).c_str(), cats[1].name.c_str(),
              FmtTime(l).c_str(), FmtTime(p90).c_str(), verdicts.c_str(),
              synced ? "synced" : "unsynced", FmtTime(floor).c_str(), l / floor,
              t[{1, synced}].size()));
      rows.push_back({"branch create, " + what, s, l, l / s, 1.1, !synced, l / s <= 1.1 && l <= 1e6,
                      Fmt("/ raw put %s %.2f", synced ? "synced" : "unsynced", l / floor)});
    }
    Line(Fmt("  synced writes per synced CreateBranch: %.1f", synced_per));
  }

  // ------------------------------------------------------------------ 2. commit / diff / merge
  if (opt.Enabled("cdm")) {
    Section("2. commit / diff / merge with d changes (sub-steps replayed after each sample)");
    for (Variant variant : {Variant::kRandom, Variant::kClustered}) {
      for (size_t d : opt.ds) {
        const int iters = d <= 1     ? (opt.quick ? 7 : 31)
                          : d <= 100 ? (opt.quick ? 5 : 21)
                                     : (opt.quick ? 3 : 7);
        // A fresh memtable for each series (scenario 4), and every node of both
        // catalogs in the node cache.
        b.Reopen();
        for (auto& c : cats)
          Walk(b.repo->nodes(), c.root, nullptr, nullptr);
        Series s[2];
        Floors::Mark mark = floors.Now();
        double t0 = NowNs();
        int reopens = 0;
        for (int i = 0; i < iters; ++i) {
          // Each sample pair adds 8 range tombstones (one per commit) to the staging
          // memtable, and the first staging read after each costs ~0.4 us per tombstone
          // (scenario 4). Keep them below ~64 so that this stays a small constant.
          if (b.MemtableTombstones() >= 64) {
            b.Reopen();
            ++reopens;
          }
          for (int j = 0; j < 2; ++j) {
            int ci = (i + j) % 2;
            CdmSample(b, cats[ci], variant, d, &s[ci]);
            floors.Sample(b, 4);
          }
        }
        double secs = (NowNs() - t0) / 1e9;
        Line(
            Fmt("-- %s d=%zu: %d samples per size (%.1f s; load average %.2f; RocksDB reopened "
                "%d times to keep < 64 range tombstones in the staging memtable)",
                VariantName(variant), d, iters, secs, LoadAverage(), reopens));
        struct Op {
          const char* metric;
          const char* label;
          double floor;
          const char* floor_name;
          bool goal;
        };
        const Op ops[] = {
            {"commit_nosync", "commit (unsynced)", floors.PutNoSync(mark), "raw put unsynced",
             true},
            {"merge_nosync", "merge (unsynced)", floors.PutNoSync(mark), "raw put unsynced", true},
            {"diff", "diff (branches)", floors.Get(mark), "raw get", true},
            {"commit_sync", "commit (synced)", floors.PutSync(mark), "raw put synced", false},
            {"merge_sync", "merge (synced)", floors.PutSync(mark), "raw put synced", false},
        };
        for (const Op& op : ops) {
          double ts = s[0].Med(op.metric), tl = s[1].Med(op.metric);
          double ratio = tl / ts;
          std::string name = Fmt("%s %s d=%zu t(%s)/t(%s)", op.label, VariantName(variant), d,
                                 cats[1].name.c_str(), cats[0].name.c_str());
          std::string verdict =
              op.goal ? Fmt("(goal <= 1.5) %s", Judge(name, ratio <= 1.5, Fmt("%.2f", ratio)))
                      : std::string("(info)");
          Line(Fmt("%-18s n=%s %s, n=%s %s, ratio %.2f %s; / %s %s: %.1f and %.1f", op.label,
                   cats[0].name.c_str(), FmtTime(ts).c_str(), cats[1].name.c_str(),
                   FmtTime(tl).c_str(), ratio, verdict.c_str(), op.floor_name,
                   FmtTime(op.floor).c_str(), ts / op.floor, tl / op.floor));
          rows.push_back({Fmt("%s, %s, d=%zu", op.label, VariantName(variant), d), ts, tl, ratio,
                          1.5, op.goal, ratio <= 1.5, ""});
        }
        for (int ci = 0; ci < 2; ++ci) {
          const Series& x = s[ci];
          Line(Fmt(
              "  n=%s synced commit = read staged %s + Apply %s (%.0f nodes, %s) + write nodes %s "
              "+ rest %s (difference of medians: commit object, branch move with %.0f "
              "synced write, staging drop)",
              cats[ci].name.c_str(), FmtTime(x.Med("commit_read_staged")).c_str(),
              FmtTime(x.Med("commit_apply")).c_str(), x.Med("commit_nodes"),
              FmtBytes(x.Med("commit_bytes")).c_str(), FmtTime(x.Med("commit_write_nodes")).c_str(),
              FmtTime(x.Med("commit_sync") - x.Med("commit_read_staged") - x.Med("commit_apply") -
                      x.Med("commit_write_nodes"))
                  .c_str(),
              x.Med("commit_synced_writes")));
          Line(Fmt("  n=%s Apply per node written %s, per KiB %s; write nodes per KiB %s",
                   cats[ci].name.c_str(),
                   FmtTime(x.Med("commit_apply") / x.Med("commit_nodes")).c_str(),
                   FmtTime(x.Med("commit_apply") / (x.Med("commit_bytes") / 1024)).c_str(),
                   FmtTime(x.Med("commit_write_nodes") / (x.Med("commit_bytes") / 1024)).c_str()));
          Line(
              Fmt("  n=%s diff: branches %s (%.0f node loads), commit ids %s, DiffTrees alone "
                  "%s (%.0f node loads); unsynced merge = base %s + three-way %s + Apply %s "
                  "+ rest %s; node cache misses in timed operations %.0f",
                  cats[ci].name.c_str(), FmtTime(x.Med("diff")).c_str(), x.Med("diff_loads"),
                  FmtTime(x.Med("diff_commits")).c_str(), FmtTime(x.Med("diff_trees")).c_str(),
                  x.Med("diff_trees_loads"), FmtTime(x.Med("merge_base")).c_str(),
                  FmtTime(x.Med("merge_3way")).c_str(), FmtTime(x.Med("merge_apply")).c_str(),
                  FmtTime(x.Med("merge_nosync") - x.Med("merge_base") - x.Med("merge_3way") -
                          x.Med("merge_apply"))
                      .c_str(),
                  [&] {
                    double m = 0;
                    auto it = x.v.find("misses");
                    if (it != x.v.end())
                      for (double v : it->second)
                        m += v;
                    return m;
                  }()));
        }
        std::string sub = "  ratios t(" + cats[1].name + ")/t(" + cats[0].name + ") of sub-steps:";
        for (const char* m :
             {"commit_apply", "commit_nodes", "commit_bytes", "commit_write_nodes", "diff_trees",
              "diff_trees_loads", "diff_commits", "merge_3way", "merge_apply"}) {
          sub += Fmt(" %s %.2f", m, s[1].Med(m) / s[0].Med(m));
        }
        Line(sub);
        rows.push_back({Fmt("diff (commit ids; info), %s, d=%zu", VariantName(variant), d),
                        s[0].Med("diff_commits"), s[1].Med("diff_commits"),
                        s[1].Med("diff_commits") / s[0].Med("diff_commits"), 0, false, true, ""});
      }
    }
    Line(Fmt("floors now: raw get %s, raw put synced %s, unsynced %s",
             FmtTime(floors.Get()).c_str(), FmtTime(floors.PutSync()).c_str(),
             FmtTime(floors.PutNoSync()).c_str()));
  }

  // ------------------------------------------------------------------ 3. merge base
  if (opt.Enabled("mergebase")) {
    Section(Fmt("3. merge base on a %s-commit history with a merge every 100 commits",
                FmtN(history).c_str()));
    // The history is written as commit objects directly (MakeCommit + CommitStore::Put,
    // batches of 1000, unsynced), all with main's tree, and branches are then created on
    // its heads. Repository::Commit(allow_empty) would make the same objects, but each
    // commit leaves a range tombstone in the staging memtable that every later commit
    // pays for (scenario 4): 100k commits through it would take about half an hour.
    //   hist: 100k commits; every 100th is a merge of `side` (which gets one new commit
    //         per merge, and never merges hist back);
    //   old:  forks from hist at commit 100, then 3 commits of its own;
    //   feat: forks from hist 50 commits before its end, then 50 commits of its own;
    //   side: one more commit after its last merge.
    CommitStore* cs = b.repo->commits();
    const ObjectId main_head = b.Head(b.repo->default_branch());
    const ObjectId root = b.RootOf(main_head);
    int64_t clock = b.repo->Now();
    WriteBatch batch;
    uint64_t written = 0;
    auto put = [&](std::vector<ObjectId> parents, const char* message) {
      clock += 1000;  // a commit per millisecond
      CommitData data =
          Take(MakeCommit(cs, root, std::move(parents), "versioning_bench", message, clock, {}),
               "make commit");
      ObjectId id = cs->Put(std::move(data), &batch)->id;
      if (++written % 1000 == 0) {
        WriteOptions wo;
        wo.sync = false;
        Check(b.kv->Write(batch, wo), "write commits");
        batch.Clear();
      }
      return id;
    };
    double t0 = NowNs();
    ObjectId hist = main_head, side = main_head, old, feat;
    for (uint64_t i = 1; i <= history; ++i) {
      if (i % 100 == 0) {
        side = put({side}, "side work");
        hist = put({hist, side}, "Merge 'side' into 'hist'");
      } else {
        hist = put({hist}, "work");
      }
      if (i == 100) old = hist;
      if (i + 50 == history) feat = hist;
    }
    for (int i = 0; i < 3; ++i)
      old = put({old}, "old work");
    for (int i = 0; i < 50; ++i)
      feat = put({feat}, "feature work");
    side = put({side}, "side work");
    Check(b.kv->Write(batch), "write commits");
    for (auto [name, head] : {std::pair{"hist", hist}, std::pair{"old", old},
                              std::pair{"feat", feat}, std::pair{"side", side}}) {
      Take(b.repo->CreateBranch(name, head.ToHex()), "create branch");
    }
    double secs = (NowNs() - t0) / 1e9;
    CommitPtr hc = Take(b.repo->commits()->Get(hist), "get");
    Line(Fmt("history written in %.1f s (%" PRIu64 " commits, %.0f commits/s): hist head "
             "generation %" PRIu64 ", side head generation %" PRIu64,
             secs, written, written / secs, hc->generation,
             Take(b.repo->commits()->Get(side), "get")->generation));
    struct Case {
      const char* label;
      const char* what;
      ObjectId other;
      int reps;
      bool goal;
    };
    const Case cases[] = {
        {"recent fork", "hist vs feat: forked 50 commits back on each side (a short-lived branch)",
         feat, opt.quick ? 100 : 300, true},
        {"side branch", "hist vs side: side merged into hist every 100 commits, 1 commit since",
         side, opt.quick ? 30 : 60, true},
        {"old fork", "hist vs old: forked at commit 100 (worst case, no goal)", old,
         opt.quick ? 3 : 7, false},
    };
    Floors::Mark mark = floors.Now();
    for (const Case& cs : cases) {
      CommitPtr oc = Take(b.repo->commits()->Get(cs.other), "get");
      ObjectId expect;
      double first = 0;
      std::vector<double> t;
      for (int r = 0; r <= cs.reps; ++r) {
        double a = NowNs();
        auto base = Take(MergeBase(b.repo->commits(), hist, cs.other), "merge base");
        double e = NowNs() - a;
        if (!base) Die("no merge base");
        if (r == 0) {
          first = e;
          expect = *base;
        } else {
          t.push_back(e);
          if (*base != expect) Die("merge base changed");
        }
        if (r % 10 == 0) floors.Sample(b, 4);
      }
      CommitPtr bc = Take(b.repo->commits()->Get(expect), "get base");
      double med = Median(t);
      std::string verdict =
          cs.goal ? Fmt("(goal <= 1 ms) %s",
                        Judge(Fmt("merge base p50, %s", cs.label), med <= 1e6, FmtTime(med)))
                  : std::string("(info)");
      Line(Fmt("%s (%s): p50 %s, p90 %s %s; first call %s; generations: heads %" PRIu64
               " and %" PRIu64 ", base %" PRIu64 "; / raw get %.0f  [%zu samples]",
               cs.label, cs.what, FmtTime(med).c_str(), FmtTime(Percentile(t, 0.9)).c_str(),
               verdict.c_str(), FmtTime(first).c_str(), hc->generation, oc->generation,
               bc->generation, med / floors.Get(mark), t.size()));
      rows.push_back({std::string("merge base, ") + cs.label, 0, med, 0, cs.goal ? 1.0 : 0, cs.goal,
                      med <= 1e6, ""});
    }
  }

  // ------------------------------------------------------------------ 4. tombstones
  if (opt.Enabled("tombstones")) {
    Section("4. cost of staging range tombstones (info): empty commits through Repository::Commit");
    // Every commit (and branch delete, and reset) retires a staging token with one
    // DeleteRange in the staging column. Until a flush, RocksDB keeps these in the
    // memtable, and the first read of the column after each new one re-fragments all of
    // them, so the next commit's read of its staged edits costs O(tombstones).
    b.Reopen();
    const int k = opt.quick ? 1000 : 4000;
    const int window = 200;
    Take(b.repo->CreateBranch("tomb", b.repo->default_branch()), "create tomb");
    std::vector<double> t;
    {
      Unsynced unsynced(b.kv.get());
      for (int i = 0; i < k; ++i) {
        double a = NowNs();
        b.Commit("tomb", true);
        t.push_back(NowNs() - a);
      }
    }
    std::vector<double> first(t.begin(), t.begin() + window), last(t.end() - window, t.end());
    double f = Median(first), l = Median(last);
    Line(
        Fmt("empty unsynced commit: %s with 0-%d tombstones in the staging memtable, %s with "
            "%d-%d: +%.2f us per tombstone; at 100k tombstones that would be about %s per "
            "commit",
            FmtTime(f).c_str(), window, FmtTime(l).c_str(), k - window, k,
            (l - f) / (k - window) / 1e3, FmtTime(f + (l - f) / (k - window) * 100000).c_str()));
  }

  // ------------------------------------------------------------------ summary
  Section("summary");
  Line(
      Fmt("floors (whole run): raw RocksDB get %s (%zu samples), raw one-key put synced %s, "
          "unsynced %s (%zu samples each)",
          FmtTime(floors.Get()).c_str(), floors.get.size(), FmtTime(floors.PutSync()).c_str(),
          FmtTime(floors.PutNoSync()).c_str(), floors.put_sync.size()));
  for (const auto& r : rows) {
    if (r.small > 0) {
      Line(Fmt("| %s | %s | %s | %.2f | %s |", r.scenario.c_str(), FmtTime(r.small).c_str(),
               FmtTime(r.large).c_str(), r.ratio, r.judged ? (r.pass ? "PASS" : "MISS") : "info"));
    } else {
      Line(Fmt("| %s | — | %s | — | %s |", r.scenario.c_str(), FmtTime(r.large).c_str(),
               r.judged ? (r.pass ? "PASS" : "MISS") : "info"));
    }
  }
  int misses = 0;
  for (const auto& v : g_verdicts) {
    Line(Fmt("%s %s = %s", v.pass ? "PASS" : "MISS", v.name.c_str(), v.detail.c_str()));
    misses += v.pass ? 0 : 1;
  }
  Line(Fmt("%zu goals, %d missed; total run time %.0f s", g_verdicts.size(), misses,
           (NowNs() - t_start) / 1e9));

  b.repo.reset();
  b.kv.reset();
  b.rocks.reset();
  if (!opt.keep) {
    std::filesystem::remove_all(dir, ec);
  } else {
    Line("kept " + dir);
  }
  return 0;
}

// storage_bench: the storage layer (RocksKvStore + prolly tree) against its own floors.
//
// Every scenario runs against a real RocksKvStore in a fresh temporary directory and is
// compared, in the same process, with a floor or with itself at another tree size, so
// the printed ratios mean something on a noisy shared machine
// (docs/architecture.md#performance-goals). Measured pairs are interleaved (one sample of each in
// turn) so that background work, e.g. a RocksDB compaction, hits both sides alike. Every figure is
// a median.
//
// Scenarios:
//  1. get:   point get through the tree (hot node cache) vs. KvStore::Get of the same
//            entries written directly into a column.
//  2. apply: Apply() of k random edits (about half updates, half inserts) plus the
//            unsynced write of its batch, on trees of n_small and n_large entries.
//  3. bytes: bytes of new nodes written by a single-edit Apply at n_large.
//  4. diff:  DiffTrees() with d differences, on trees of n_small and n_large entries.
//  5. scan:  full scan of the n_large tree (Scan and TreeCursor) vs. a raw RocksDB
//            iterator over the same entries.
// plus an "analysis" section with per-node costs of the steps Apply and Load consist of,
// and a "cold" section (node cache cleared) for information.
//
// Usage: storage_bench [--quick] [--dir=PATH] [--cache_mb=N] [--seed=N] [--keep]
//                      [--only=get,apply,bytes,diff,scan,analysis,cold]
//                      [--apply_k=1,100,10000] [--rewarm=auto|always]
//                      [--n_small=10000] [--n_large=1000000]
//   --quick     n in {10k, 100k} and fewer repetitions (well under a minute)
//   --dir       parent directory for the database (default /tmp); a fresh
//               storage_bench.XXXXXX directory is made in it and removed at the end
//   --keep      do not remove the database directory
//   --apply_k   which k to run in scenario 2 (e.g. for profiling one case)
//   --n_small, --n_large  override the two tree sizes (for experiments and profiling)
//   --rewarm    when to walk the whole tree(s) to make sure the node cache holds every
//               node: "auto" (default) before the first sample of a series and after any
//               sample that missed; "always" before every sample of scenarios 2 and 4,
//               which also evicts the CPU caches each time (a harsher, less steady-state
//               measure for the large tree)
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
#include <tuple>
#include <unordered_set>
#include <vector>

#include "bench/bench_util.h"
#include "storage/kv_store.h"
#include "storage/node_store.h"
#include "storage/object_id.h"
#include "storage/object_store.h"
#include "storage/prolly_cursor.h"
#include "storage/prolly_diff.h"
#include "storage/prolly_node.h"
#include "storage/prolly_tree.h"
#include "storage/rocks_kv_store.h"

namespace {

using namespace arbor::bench;  // NOLINT: timing and formatting helpers

using namespace arbor;

// ---------------------------------------------------------------------------------------
// Small helpers

struct Verdict {
  std::string name;
  bool pass;
  std::string detail;
};
std::vector<Verdict> g_verdicts;

// Records a goal; returns "PASS" or "MISS".
const char* Judge(const std::string& name, bool pass, const std::string& detail) {
  g_verdicts.push_back({name, pass, detail});
  return pass ? "PASS" : "MISS";
}

void Section(const char* title) {
  std::printf("\n== %s\n", title);
  std::fflush(stdout);
}

void Line(const std::string& s) {
  std::printf("%s\n", s.c_str());
  std::fflush(stdout);
}

// ---------------------------------------------------------------------------------------
// Data: catalog-like keys over "slots". A tree of n entries holds the even slots
// 0, 2, ..., 2(n-1); odd slots are free, so an edit on an odd slot is an insert and one
// on an even slot an update. Slot order is key order.

constexpr uint64_t kSlotsPerTable = 2000;  // 1000 partitions per table
constexpr uint64_t kTablesPerDb = 100;

std::string KeyFor(uint64_t slot) {
  char buf[96];
  // db<d> \0 table<t> \0 \x01 part=ds=<p>
  int len =
      std::snprintf(buf, sizeof(buf), "db%" PRIu64 "%ctable%07" PRIu64 "%c%cpart=ds=%08" PRIu64,
                    slot / (kSlotsPerTable * kTablesPerDb), 0,
                    (slot / kSlotsPerTable) % kTablesPerDb, 0, 1, slot % kSlotsPerTable);
  return std::string(buf, static_cast<size_t>(len));
}

uint64_t SplitMix(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// About 100 printable bytes that depend on (slot, version).
constexpr size_t kValueBytes = 100;
std::string ValueFor(uint64_t slot, uint64_t version) {
  std::string v(kValueBytes, ' ');
  uint64_t x = slot * 0x2545f4914f6cdd1dULL ^ (version + 1) * 0x9e3779b97f4a7c15ULL;
  for (size_t i = 0; i < kValueBytes; i += 8) {
    uint64_t r = SplitMix(x);
    for (size_t b = 0; b < 8 && i + b < kValueBytes; ++b) {
      v[i + b] = static_cast<char>('!' + (r >> (8 * b) & 0xff) % 94);
    }
  }
  return v;
}

// ---------------------------------------------------------------------------------------
// The store under test.

struct Bench {
  std::unique_ptr<RocksKvStore> kv;
  std::unique_ptr<ObjectStore> objects;
  std::unique_ptr<NodeStore> nodes;
  std::unique_ptr<ProllyTree> tree;
  std::mt19937_64 rng;
  uint64_t version = 0;  // bumped per edit set so updates always change the value
  WriteOptions unsynced;

  Bench() { unsynced.sync = false; }

  void Write(const WriteBatch& batch) { Check(kv->Write(batch, unsynced), "write"); }
};

// Loads every node of the tree once (hits move them to the front of the LRU).
// Returns the number of nodes; fills per-level node counts if asked.
size_t Warm(NodeStore* store, const ObjectId& id, std::vector<size_t>* per_level = nullptr,
            std::vector<ObjectId>* leaves = nullptr) {
  NodePtr node = Take(store->Load(id), "load");
  if (per_level) {
    if (per_level->size() <= node->level) per_level->resize(node->level + 1);
    ++(*per_level)[node->level];
  }
  if (node->is_leaf()) {
    if (leaves) leaves->push_back(id);
    return 1;
  }
  size_t count = 1;
  for (const auto& e : node->entries)
    count += Warm(store, e.child, per_level, leaves);
  return count;
}

// Builds a tree of the even slots [0, 2n) by applying sorted edits in chunks.
ObjectId Build(Bench& b, uint64_t n, double* seconds) {
  constexpr uint64_t kChunk = 100000;
  double t0 = NowNs();
  ObjectId root = b.tree->EmptyRoot();
  for (uint64_t start = 0; start < n; start += kChunk) {
    std::vector<Edit> edits;
    uint64_t end = std::min(n, start + kChunk);
    edits.reserve(end - start);
    for (uint64_t i = start; i < end; ++i)
      edits.push_back({KeyFor(2 * i), ValueFor(2 * i, 0)});
    WriteBatch batch;
    root = Take(b.tree->Apply(root, std::move(edits), &batch), "build apply");
    b.Write(batch);
  }
  *seconds = (NowNs() - t0) / 1e9;
  return root;
}

// k distinct random slots in [0, 2n): about half updates (even), half inserts (odd).
std::vector<Edit> RandomEdits(Bench& b, uint64_t n, size_t k) {
  uint64_t version = ++b.version;
  std::unordered_set<uint64_t> seen;
  std::vector<Edit> edits;
  edits.reserve(k);
  while (edits.size() < k) {
    uint64_t slot = b.rng() % (2 * n);
    if (!seen.insert(slot).second) continue;
    edits.push_back({KeyFor(slot), ValueFor(slot, version)});
  }
  return edits;
}

// k consecutive slots from a random start: one key range, as when a table gains or
// rewrites many partitions at once.
std::vector<Edit> ClusteredEdits(Bench& b, uint64_t n, size_t k) {
  uint64_t version = ++b.version;
  uint64_t start = b.rng() % (2 * n - k + 1);
  std::vector<Edit> edits;
  edits.reserve(k);
  for (uint64_t s = start; s < start + k; ++s)
    edits.push_back({KeyFor(s), ValueFor(s, version)});
  return edits;
}

struct ApplySample {
  double total_ns, tree_ns, write_ns;
  double cpu_ns;  // thread CPU time of Apply + Write
  double nodes, bytes;
  uint64_t misses;
};

ApplySample TimedApply(Bench& b, const ObjectId& root, std::vector<Edit> edits) {
  WriteBatch batch;
  uint64_t misses0 = b.nodes->misses();
  double c0 = ThreadCpuNs();
  double t0 = NowNs();
  ObjectId out = Take(b.tree->Apply(root, std::move(edits), &batch), "apply");
  double t1 = NowNs();
  b.Write(batch);
  double t2 = NowNs();
  double c1 = ThreadCpuNs();
  (void)out;
  return {t2 - t0,
          t1 - t0,
          t2 - t1,
          c1 - c0,
          static_cast<double>(batch.ops().size()),
          static_cast<double>(batch.ApproximateBytes()),
          b.nodes->misses() - misses0};
}

struct ApplyStats {
  double total, tree, write, cpu, nodes, bytes;
  uint64_t misses;
  std::vector<double> bytes_samples, nodes_samples;
};

ApplyStats Summarize(const std::vector<ApplySample>& s) {
  std::vector<double> total, tree, write, cpu, nodes, bytes;
  uint64_t misses = 0;
  for (const auto& x : s) {
    cpu.push_back(x.cpu_ns);
    total.push_back(x.total_ns);
    tree.push_back(x.tree_ns);
    write.push_back(x.write_ns);
    nodes.push_back(x.nodes);
    bytes.push_back(x.bytes);
    misses += x.misses;
  }
  return {Median(total), Median(tree), Median(write), Median(cpu), Median(nodes),
          Median(bytes), misses,       bytes,         nodes};
}

struct Options {
  bool quick = false;
  bool keep = false;
  std::string parent_dir = "/tmp";
  size_t cache_mb = 1024;
  uint64_t seed = 42;
  std::set<std::string> only;
  std::vector<size_t> apply_ks = {1, 100, 10000};
  bool rewarm_always = false;  // see --rewarm
  uint64_t n_small = 10000;
  uint64_t n_large = 0;  // 0: 1M, or 100k with --quick
  bool Enabled(const std::string& s) const { return only.empty() || only.count(s) > 0; }
};

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
    } else if (auto v = value("--cache_mb")) {
      o.cache_mb = std::stoul(*v);
    } else if (auto v = value("--seed")) {
      o.seed = std::stoull(*v);
    } else if (auto v = value("--n_small")) {
      o.n_small = std::stoull(*v);
    } else if (auto v = value("--n_large")) {
      o.n_large = std::stoull(*v);
    } else if (auto v = value("--rewarm")) {
      if (*v != "auto" && *v != "always") Die("--rewarm takes auto or always");
      o.rewarm_always = *v == "always";
    } else if (auto v = value("--apply_k")) {
      o.apply_ks.clear();
      size_t pos = 0;
      while (pos < v->size()) {
        size_t comma = v->find(',', pos);
        if (comma == std::string::npos) comma = v->size();
        o.apply_ks.push_back(std::stoul(v->substr(pos, comma - pos)));
        pos = comma + 1;
      }
    } else if (auto v = value("--only")) {
      size_t pos = 0;
      while (pos <= v->size()) {
        size_t comma = v->find(',', pos);
        if (comma == std::string::npos) comma = v->size();
        if (comma > pos) o.only.insert(v->substr(pos, comma - pos));
        pos = comma + 1;
      }
    } else {
      std::fprintf(
          stderr,
          "usage: storage_bench [--quick] [--dir=PARENT] [--cache_mb=N] [--seed=N] "
          "[--keep] [--only=get,apply,bytes,diff,scan,analysis,cold] [--apply_k=1,100,10000] "
          "[--rewarm=auto|always] [--n_small=10000] [--n_large=1000000]\n");
      std::exit(a == "--help" || a == "-h" ? 0 : 2);
    }
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt = ParseFlags(argc, argv);
  const uint64_t n_small = opt.n_small;
  const uint64_t n_large = opt.n_large ? opt.n_large : opt.quick ? 100000 : 1000000;
  if (n_small < 10000 || n_large < 10000) Die("--n_small and --n_large must be >= 10000");
  const std::string ns = FmtN(n_small), nl = FmtN(n_large);
  const double kGoalRatio = 1.5;
  const double kGoalBytes = 64 * 1024;

  // Repetition counts (samples per median).
  const int apply_reps_k1 = opt.quick ? 60 : 300;
  const int apply_reps_k100 = opt.quick ? 20 : 60;
  const int apply_reps_k10k = opt.quick ? 3 : 7;

  std::error_code ec;
  std::filesystem::create_directories(opt.parent_dir, ec);
  std::string tmpl = opt.parent_dir + "/storage_bench.XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (!mkdtemp(buf.data())) Die("mkdtemp in " + opt.parent_dir + ": " + std::strerror(errno));
  const std::string dir = buf.data();

  Bench b;
  b.rng.seed(opt.seed);
  RocksOptions ro;
  ro.path = dir + "/db";
  b.kv = Take(RocksKvStore::Open(ro), "open RocksDB");
  b.objects = std::make_unique<ObjectStore>(b.kv.get());
  b.nodes = std::make_unique<NodeStore>(b.objects.get(), opt.cache_mb << 20);
  b.tree = std::make_unique<ProllyTree>(b.nodes.get());

  Line("storage_bench: prolly tree on RocksKvStore vs. its own floors; every figure is a median");
  Line(Fmt("machine: nproc %ld, cpu '%s'", sysconf(_SC_NPROCESSORS_ONLN), CpuModel().c_str()));
  Line(
      Fmt("mode: %s, n_small=%s, n_large=%s, db %s, node cache %zu MiB, RocksDB block cache "
          "%zu MiB, writes unsynced, seed %" PRIu64,
          opt.quick ? "quick" : "full", ns.c_str(), nl.c_str(), dir.c_str(), opt.cache_mb,
          ro.block_cache_bytes >> 20, opt.seed));
  Line(
      "keys like 'db3\\0table0000012\\0\\x01part=ds=00001234' (34 B), values 100 B; "
      "random edits are ~half updates, ~half inserts");
  Line(
      Fmt("'hot' = every node of the tree(s) involved was loaded into the node cache before the "
          "samples (%s; misses are counted and printed); 'cold' = node cache cleared",
          opt.rewarm_always ? "walked again before every sample"
                            : "walked before a series and again after any sample that missed"));

  // ------------------------------------------------------------------ setup
  Section("setup");
  double secs = 0;
  ObjectId root_small = Build(b, n_small, &secs);
  Line(Fmt("build n=%s: %.2f s (sorted edits, one Apply per 100k, unsynced)", ns.c_str(), secs));
  ObjectId root_large = Build(b, n_large, &secs);
  Line(Fmt("build n=%s: %.2f s (%.0f entries/s)", nl.c_str(), secs, n_large / secs));
  for (auto [n, root] : {std::pair{n_small, root_small}, std::pair{n_large, root_large}}) {
    std::vector<size_t> per_level;
    std::vector<ObjectId> leaves;
    Warm(b.nodes.get(), root, &per_level, &leaves);
    std::string levels;
    for (size_t l = per_level.size(); l-- > 0;) {
      levels += Fmt("%s%zu", levels.empty() ? "" : "/", per_level[l]);
    }
    // Mean encoded leaf size over a sample.
    double leaf_bytes = 0;
    size_t sample = std::min<size_t>(leaves.size(), 500);
    for (size_t i = 0; i < sample; ++i) {
      leaf_bytes +=
          EncodeNode(*Take(b.nodes->Load(leaves[i * leaves.size() / sample]), "load")).size();
    }
    Line(
        Fmt("tree n=%s: height %zu, nodes per level (root first) %s, mean leaf %.0f entries, "
            "%s encoded",
            FmtN(n).c_str(), per_level.size(), levels.c_str(),
            static_cast<double>(n) / leaves.size(), FmtBytes(leaf_bytes / sample).c_str()));
  }

  // The floor's data: the n_large entries written straight into a column.
  if (opt.Enabled("get") || opt.Enabled("scan") || opt.Enabled("cold")) {
    double t0 = NowNs();
    WriteBatch batch;
    for (uint64_t i = 0; i < n_large; ++i) {
      batch.Put(Column::kStaging, KeyFor(2 * i), ValueFor(2 * i, 0));
      if (batch.ops().size() == 10000) {
        b.Write(batch);
        batch.Clear();
      }
    }
    if (!batch.empty()) b.Write(batch);
    Line(Fmt("raw column (staging): %s entries written directly in %.2f s", nl.c_str(),
             (NowNs() - t0) / 1e9));
  }

  // ------------------------------------------------------------------ 1. point get
  if (opt.Enabled("get")) {
    Section("1. point get (tree: hot node cache; raw: KvStore::Get, RocksDB block cache warm)");
    std::vector<std::string> keys;
    const size_t kKeys = opt.quick ? 20000 : 100000;
    for (size_t i = 0; i < kKeys; ++i)
      keys.push_back(KeyFor(2 * (b.rng() % n_large)));
    Warm(b.nodes.get(), root_large);
    size_t sink = 0;
    auto raw_block = [&](size_t from, size_t count) {
      double t0 = NowNs();
      for (size_t i = from; i < from + count; ++i) {
        sink += Take(b.kv->Get(Column::kStaging, keys[i % kKeys]), "raw get").size();
      }
      return (NowNs() - t0) / count;
    };
    auto tree_block = [&](size_t from, size_t count) {
      double t0 = NowNs();
      for (size_t i = from; i < from + count; ++i) {
        auto v = Take(b.tree->Get(root_large, keys[i % kKeys]), "tree get");
        if (!v) Die("tree get: key missing");
        sink += v->size();
      }
      return (NowNs() - t0) / count;
    };
    // One warm-up pass over all lookup keys for both, then interleaved timed blocks.
    raw_block(0, kKeys);
    tree_block(0, kKeys);
    std::vector<double> raw, tree;
    const int blocks = opt.quick ? 10 : 20;
    const size_t per_block = 10000;
    uint64_t misses0 = b.nodes->misses();
    for (int i = 0; i < blocks; ++i) {
      raw.push_back(raw_block(i * per_block, per_block));
      tree.push_back(tree_block(i * per_block, per_block));
    }
    uint64_t misses = b.nodes->misses() - misses0;
    double ratio = Median(tree) / Median(raw);
    Line(Fmt("get n=%s: tree %s/op (node cache misses %" PRIu64 "), raw RocksDB %s/op, "
             "ratio tree/raw %.2f  [info: %d blocks of %zu gets, sink %zu]",
             nl.c_str(), FmtTime(Median(tree)).c_str(), misses, FmtTime(Median(raw)).c_str(), ratio,
             blocks, per_block, sink % 10));
  }

  // ------------------------------------------------------------------ 2./3. apply
  std::map<std::pair<uint64_t, size_t>, ApplyStats> apply_stats;
  if (opt.Enabled("apply") || opt.Enabled("bytes")) {
    Section("2. apply k random edits (Apply + unsynced Write of its batch; hot node cache)");
    std::vector<size_t> ks = opt.apply_ks;
    if (!opt.Enabled("apply")) ks = {1};
    for (size_t k : ks) {
      int reps = k == 1 ? apply_reps_k1 : k == 100 ? apply_reps_k100 : apply_reps_k10k;
      std::vector<ApplySample> small, large;
      for (int r = 0; r < reps; ++r) {
        // Interleaved: one sample on each tree per round.
        for (auto [n, root, out] :
             {std::tuple{n_small, root_small, &small}, std::tuple{n_large, root_large, &large}}) {
          std::vector<Edit> edits = RandomEdits(b, n, k);
          if (opt.rewarm_always || r == 0 || out->back().misses > 0) Warm(b.nodes.get(), root);
          out->push_back(TimedApply(b, root, std::move(edits)));
        }
      }
      ApplyStats s = Summarize(small), l = Summarize(large);
      apply_stats[{n_small, k}] = s;
      apply_stats[{n_large, k}] = l;
      double ratio = l.total / s.total;
      std::string name = Fmt("apply k=%zu t(%s)/t(%s)", k, nl.c_str(), ns.c_str());
      Line(
          Fmt("apply k=%zu: n=%s %s, n=%s %s, ratio %.2f (goal <= %.1f) %s  [nodes written "
              "ratio %.2f, bytes written ratio %.2f, thread-CPU-time ratio %.2f]",
              k, ns.c_str(), FmtTime(s.total).c_str(), nl.c_str(), FmtTime(l.total).c_str(), ratio,
              kGoalRatio, Judge(name, ratio <= kGoalRatio, Fmt("%.2f", ratio)), l.nodes / s.nodes,
              l.bytes / s.bytes, l.cpu / s.cpu));
      for (auto [n, st] : {std::pair{n_small, s}, std::pair{n_large, l}}) {
        Line(
            Fmt("  n=%s: Apply %s + Write %s (thread CPU %s); %.0f nodes written (%s); per KiB "
                "written: Apply %s + Write %s; %d samples, node cache misses %" PRIu64,
                FmtN(n).c_str(), FmtTime(st.tree).c_str(), FmtTime(st.write).c_str(),
                FmtTime(st.cpu).c_str(), st.nodes, FmtBytes(st.bytes).c_str(),
                FmtTime(st.tree / (st.bytes / 1024)).c_str(),
                FmtTime(st.write / (st.bytes / 1024)).c_str(), reps, st.misses));
      }
    }
    if (opt.Enabled("apply")) {
      // For information: edits on one key range instead of spread over the whole tree.
      for (size_t k : {size_t{100}, size_t{10000}}) {
        int reps = k == 100 ? apply_reps_k100 : apply_reps_k10k;
        std::vector<ApplySample> small, large;
        for (int r = 0; r < reps; ++r) {
          for (auto [n, root, out] :
               {std::tuple{n_small, root_small, &small}, std::tuple{n_large, root_large, &large}}) {
            std::vector<Edit> edits = ClusteredEdits(b, n, k);
            if (opt.rewarm_always || r == 0 || out->back().misses > 0) Warm(b.nodes.get(), root);
            out->push_back(TimedApply(b, root, std::move(edits)));
          }
        }
        ApplyStats s = Summarize(small), l = Summarize(large);
        Line(
            Fmt("apply k=%zu clustered (k consecutive slots; info, no goal): n=%s %s, n=%s %s, "
                "ratio %.2f  [nodes written ratio %.2f, bytes written ratio %.2f]",
                k, ns.c_str(), FmtTime(s.total).c_str(), nl.c_str(), FmtTime(l.total).c_str(),
                l.total / s.total, l.nodes / s.nodes, l.bytes / s.bytes));
        for (auto [n, st] : {std::pair{n_small, s}, std::pair{n_large, l}}) {
          Line(
              Fmt("  n=%s: Apply %s + Write %s; %.0f nodes written (%s); %d samples, node "
                  "cache misses %" PRIu64,
                  FmtN(n).c_str(), FmtTime(st.tree).c_str(), FmtTime(st.write).c_str(), st.nodes,
                  FmtBytes(st.bytes).c_str(), reps, st.misses));
        }
      }
    }

    Section("3. bytes of new nodes per one-entry change (WriteBatch::ApproximateBytes)");
    for (uint64_t n : {n_small, n_large}) {
      const ApplyStats& st = apply_stats[{n, 1}];
      double med = Median(st.bytes_samples);
      std::string line =
          Fmt("bytes per 1-edit apply n=%s: median %s, p90 %s, max %s, median %.0f "
              "nodes (%zu samples)",
              FmtN(n).c_str(), FmtBytes(med).c_str(),
              FmtBytes(Percentile(st.bytes_samples, 0.9)).c_str(),
              FmtBytes(Percentile(st.bytes_samples, 1.0)).c_str(), Median(st.nodes_samples),
              st.bytes_samples.size());
      if (n == n_large) {
        line += Fmt(" (goal <= 64 KiB) %s", Judge(Fmt("bytes per 1-edit apply at n=%s", nl.c_str()),
                                                  med <= kGoalBytes, FmtBytes(med)));
      }
      Line(line);
    }
  }

  // ------------------------------------------------------------------ 4. diff
  if (opt.Enabled("diff")) {
    Section("4. diff base vs. base + d random edits (DiffTrees; hot node cache)");
    for (size_t d : {size_t{1}, size_t{100}, size_t{10000}}) {
      const int variants = d == 1 ? (opt.quick ? 10 : 40) : d == 100 ? (opt.quick ? 5 : 15) : 3;
      const int repeats = d == 10000 ? (opt.quick ? 1 : 3) : 5;
      std::map<uint64_t, std::vector<double>> times, cpu, loads;
      std::map<uint64_t, bool> last_missed;
      uint64_t total_misses = 0;
      for (int v = 0; v < variants; ++v) {
        std::map<uint64_t, ObjectId> other;
        for (auto [n, root] : {std::pair{n_small, root_small}, std::pair{n_large, root_large}}) {
          WriteBatch batch;
          other[n] = Take(b.tree->Apply(root, RandomEdits(b, n, d), &batch), "apply");
          b.Write(batch);
        }
        for (int r = 0; r < repeats; ++r) {
          for (auto [n, root] : {std::pair{n_small, root_small}, std::pair{n_large, root_large}}) {
            if (opt.rewarm_always || r == 0 || last_missed[n]) {
              Warm(b.nodes.get(), root);
              Warm(b.nodes.get(), other[n]);
            }
            size_t count = 0;
            uint64_t loads0 = b.nodes->loads(), misses0 = b.nodes->misses();
            double c0 = ThreadCpuNs();
            double t0 = NowNs();
            Check(DiffTrees(b.nodes.get(), root, other[n], {},
                            [&](DiffEntry&& e) {
                              ++count;
                              return true;
                            }),
                  "diff");
            double t1 = NowNs();
            cpu[n].push_back(ThreadCpuNs() - c0);
            if (count != d) Die(Fmt("diff found %zu differences, expected %zu", count, d));
            times[n].push_back(t1 - t0);
            loads[n].push_back(static_cast<double>(b.nodes->loads() - loads0));
            last_missed[n] = b.nodes->misses() != misses0;
            total_misses += b.nodes->misses() - misses0;
          }
        }
      }
      double ts = Median(times[n_small]), tl = Median(times[n_large]);
      double ratio = tl / ts;
      Line(
          Fmt("diff d=%zu: n=%s %s (%.0f node loads), n=%s %s (%.0f node loads), ratio %.2f "
              "(goal <= %.1f) %s  [thread-CPU-time ratio %.2f; %zu samples each, node cache "
              "misses %" PRIu64 "]",
              d, ns.c_str(), FmtTime(ts).c_str(), Median(loads[n_small]), nl.c_str(),
              FmtTime(tl).c_str(), Median(loads[n_large]), ratio, kGoalRatio,
              Judge(Fmt("diff d=%zu t(%s)/t(%s)", d, nl.c_str(), ns.c_str()), ratio <= kGoalRatio,
                    Fmt("%.2f", ratio)),
              Median(cpu[n_large]) / Median(cpu[n_small]), times[n_small].size(), total_misses));
      Line(Fmt("  per node loaded: n=%s %s, n=%s %s", ns.c_str(),
               FmtTime(ts / Median(loads[n_small])).c_str(), nl.c_str(),
               FmtTime(tl / Median(loads[n_large])).c_str()));
    }
  }

  // ------------------------------------------------------------------ 5. scan
  if (opt.Enabled("scan")) {
    Section("5. full scan (tree: hot node cache; raw: KvStore iterator, block cache warm)");
    const int reps = opt.quick ? 3 : 5;
    std::vector<double> raw, scan, cursor;
    size_t sink = 0;
    Warm(b.nodes.get(), root_large);
    auto time_raw = [&] {
      double t0 = NowNs();
      auto it = b.kv->NewIterator(Column::kStaging);
      size_t count = 0;
      for (it->SeekToFirst(); it->Valid(); it->Next()) {
        sink += it->key().size() + it->value().size();
        ++count;
      }
      Check(it->status(), "raw iterator");
      if (count != n_large) Die(Fmt("raw scan saw %zu entries", count));
      return n_large / ((NowNs() - t0) / 1e9);
    };
    auto time_scan = [&] {
      double t0 = NowNs();
      size_t count = 0;
      Check(b.tree->Scan(root_large, "", "",
                         [&](std::string_view k, std::string_view v) {
                           sink += k.size() + v.size();
                           ++count;
                           return true;
                         }),
            "scan");
      if (count != n_large) Die(Fmt("tree scan saw %zu entries", count));
      return n_large / ((NowNs() - t0) / 1e9);
    };
    auto time_cursor = [&] {
      double t0 = NowNs();
      TreeCursor c = Take(b.tree->Seek(root_large, ""), "seek");
      size_t count = 0;
      while (c.Valid()) {
        sink += c.key().size() + c.entry().value.size();
        ++count;
        Check(c.Next(), "next");
      }
      if (count != n_large) Die(Fmt("cursor scan saw %zu entries", count));
      return n_large / ((NowNs() - t0) / 1e9);
    };
    time_raw();  // warm the block cache
    uint64_t misses0 = b.nodes->misses();
    for (int r = 0; r < reps; ++r) {
      raw.push_back(time_raw());
      scan.push_back(time_scan());
      cursor.push_back(time_cursor());
    }
    uint64_t misses = b.nodes->misses() - misses0;
    Line(
        Fmt("scan n=%s: tree Scan %.2f M entries/s, TreeCursor %.2f M entries/s, raw RocksDB "
            "iterator %.2f M entries/s; ratio Scan/raw %.2f, cursor/raw %.2f  "
            "[%d samples each, node cache misses %" PRIu64 ", sink %zu]",
            nl.c_str(), Median(scan) / 1e6, Median(cursor) / 1e6, Median(raw) / 1e6,
            Median(scan) / Median(raw), Median(cursor) / Median(raw), reps, misses, sink % 10));
  }

  // ------------------------------------------------------------------ analysis
  if (opt.Enabled("analysis")) {
    Section("analysis: per-leaf costs of the steps inside Apply / Load, on each tree's leaves");
    size_t sink = 0;
    // Each step on each sampled leaf, in the order Apply meets them. The first step
    // (touch: read every key and value once) pays for bringing the leaf into the CPU
    // caches; the two deep copies differ only in whether the leaf was already there.
    auto analyze = [&](const ObjectId& root, uint64_t n) {
      std::vector<ObjectId> leaves;
      Warm(b.nodes.get(), root, nullptr, &leaves);
      const size_t sample = std::min<size_t>(leaves.size(), opt.quick ? 200 : 1000);
      std::vector<double> t_touch, t_encode, t_hash, t_decode, t_copy1, t_copy2, t_alloc, t_rawget,
          t_put, t_merge, sizes;
      std::vector<void*> blocks;
      for (size_t i = 0; i < sample; ++i) {
        const ObjectId& id = leaves[(i * 7919) % leaves.size()];
        NodePtr node = Take(b.nodes->Load(id), "load");
        double t0 = NowNs();
        for (const auto& e : node->entries)
          sink += e.key[e.key.size() / 2] + e.value[e.value.size() / 2];
        double t1 = NowNs();
        auto copy1 = std::make_shared<const Node>(*node);
        double t2 = NowNs();
        auto copy2 = std::make_shared<const Node>(*node);
        double t3 = NowNs();
        std::string bytes = EncodeNode(*node);
        double t4 = NowNs();
        ObjectId h = ObjectId::Hash(static_cast<uint8_t>(ObjectType::kTreeNode), bytes);
        double t5 = NowNs();
        Node decoded = Take(DecodeNode(bytes), "decode");
        double t6 = NowNs();
        std::string raw = Take(b.kv->Get(Column::kObjects, id.bytes()), "raw object get");
        double t7 = NowNs();
        WriteBatch wb;
        b.objects->PutInBatch(ObjectType::kTreeNode, bytes, &wb);
        double t8 = NowNs();
        // What MergeInto does for every entry of a rewritten node: copy it into the
        // chunker and test the boundary rule.
        std::vector<NodeEntry> pending;
        size_t boundaries = 0;
        for (const auto& e : node->entries) {
          boundaries += b.tree->IsBoundary(0, e);
          pending.push_back(e);
        }
        double t9 = NowNs();
        // The allocator alone: malloc + free of one block per key and per value.
        blocks.clear();
        for (const auto& e : node->entries) {
          blocks.push_back(std::malloc(e.key.size() + 1));
          blocks.push_back(std::malloc(e.value.size() + 1));
        }
        for (void* p : blocks)
          std::free(p);
        double t10 = NowNs();
        if (h != id) Die("hash mismatch");
        sink += decoded.entries.size() + copy1->entries.size() + copy2->entries.size() +
                raw.size() + boundaries + pending.size() + wb.ops().size();
        t_touch.push_back(t1 - t0);
        t_copy1.push_back(t2 - t1);
        t_copy2.push_back(t3 - t2);
        t_encode.push_back(t4 - t3);
        t_hash.push_back(t5 - t4);
        t_decode.push_back(t6 - t5);
        t_rawget.push_back(t7 - t6);
        t_put.push_back(t8 - t7);
        t_merge.push_back(t9 - t8);
        t_alloc.push_back(t10 - t9);
        sizes.push_back(static_cast<double>(bytes.size()));
      }
      Line(
          Fmt("leaves of n=%s (median %s encoded, %zu samples): first touch of the entries %s, "
              "Node deep copy %s then again %s (StoreNode's extra copy), malloc+free of one "
              "block per key and value %s, EncodeNode %s, SHA-256 id %s, copy entries + "
              "boundary test (MergeInto) %s, PutInBatch (SHA-256 + 2 copies) %s; read side: "
              "DecodeNode %s, raw RocksDB get of the node %s",
              FmtN(n).c_str(), FmtBytes(Median(sizes)).c_str(), sample,
              FmtTime(Median(t_touch)).c_str(), FmtTime(Median(t_copy1)).c_str(),
              FmtTime(Median(t_copy2)).c_str(), FmtTime(Median(t_alloc)).c_str(),
              FmtTime(Median(t_encode)).c_str(), FmtTime(Median(t_hash)).c_str(),
              FmtTime(Median(t_merge)).c_str(), FmtTime(Median(t_put)).c_str(),
              FmtTime(Median(t_decode)).c_str(), FmtTime(Median(t_rawget)).c_str()));
      double tree_side = Median(t_encode) + Median(t_merge) + Median(t_copy2) + Median(t_put);
      Line(
          Fmt("  n=%s: tree-side steps per leaf written (encode + MergeInto copy + extra copy + "
              "PutInBatch) %s; a cold load (raw get + SHA-256 + decode) %s",
              FmtN(n).c_str(), FmtTime(tree_side).c_str(),
              FmtTime(Median(t_rawget) + Median(t_hash) + Median(t_decode)).c_str()));
    };
    analyze(root_small, n_small);
    analyze(root_large, n_large);
    {
      std::vector<double> t_small;
      std::string tiny(64, 'x');
      for (int i = 0; i < 1000; ++i) {
        double t0 = NowNs();
        ObjectId h = ObjectId::Hash(1, tiny);
        t_small.push_back(NowNs() - t0);
        sink += h.bytes()[0];
      }
      Line(Fmt("fixed cost of one ObjectId::Hash call (64-byte payload): %s  [sink %zu]",
               FmtTime(Median(t_small)).c_str(), sink % 10));
    }
  }

  // ------------------------------------------------------------------ cold (info)
  if (opt.Enabled("cold")) {
    Section("cold node cache (info, no goal): node cache cleared before each sample");
    std::vector<double> cold_get, raw_get;
    const int samples = opt.quick ? 100 : 300;
    size_t sink = 0;
    uint64_t loads = 0;
    for (int i = 0; i < samples; ++i) {
      std::string key = KeyFor(2 * (b.rng() % n_large));
      b.nodes->ClearCache();
      uint64_t loads0 = b.nodes->misses();
      double t0 = NowNs();
      auto v = Take(b.tree->Get(root_large, key), "tree get");
      double t1 = NowNs();
      sink += Take(b.kv->Get(Column::kStaging, key), "raw get").size();
      double t2 = NowNs();
      loads += b.nodes->misses() - loads0;
      if (!v) Die("cold get: key missing");
      cold_get.push_back(t1 - t0);
      raw_get.push_back(t2 - t1);
    }
    Line(
        Fmt("get n=%s cold: tree %s/op (%.1f node reads per get), raw RocksDB %s/op, ratio "
            "%.1f  [%d samples]",
            nl.c_str(), FmtTime(Median(cold_get)).c_str(), static_cast<double>(loads) / samples,
            FmtTime(Median(raw_get)).c_str(), Median(cold_get) / Median(raw_get), samples));
    b.nodes->ClearCache();
    double t0 = NowNs();
    size_t count = 0;
    Check(b.tree->Scan(root_large, "", "",
                       [&](std::string_view k, std::string_view v) {
                         sink += k.size() + v.size();
                         ++count;
                         return true;
                       }),
          "scan");
    double secs_scan = (NowNs() - t0) / 1e9;
    Line(Fmt("scan n=%s cold: tree Scan %.2f M entries/s (one sample)  [sink %zu]", nl.c_str(),
             count / secs_scan / 1e6, sink % 10));
  }

  // ------------------------------------------------------------------ summary
  Section("summary");
  int misses = 0;
  for (const auto& v : g_verdicts) {
    Line(Fmt("%s %s = %s", v.pass ? "PASS" : "MISS", v.name.c_str(), v.detail.c_str()));
    misses += v.pass ? 0 : 1;
  }
  Line(Fmt("%zu goals, %d missed", g_verdicts.size(), misses));

  b.tree.reset();
  b.nodes.reset();
  b.objects.reset();
  b.kv.reset();
  if (!opt.keep) {
    std::filesystem::remove_all(dir, ec);
  } else {
    Line("kept " + dir);
  }
  return 0;
}

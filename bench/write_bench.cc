// write_bench: the durable write path of a Repository on a real RocksKvStore — many
// clients writing to one branch, restart after a clean shutdown, and committing a
// large number of staged edits — against floors measured in the same run.
//
// Scenarios:
//  1. groupcommit: C client threads (C in --clients, default 1,4,16) each run
//                  Repository::Mutate on the one branch `main` in a loop for --seconds:
//                  the fn checks that the table key exists and the partition key is
//                  absent, then puts a 600 B partition. Printed: writes/s, synced
//                  KvStore batches per write (a counting wrapper; each is one WAL fsync
//                  unless RocksDB groups it with another), and writes per synced batch.
//                  Floor: C threads each doing raw synced one-key puts (distinct keys)
//                  for the same time, which is what the disk and RocksDB's own group
//                  commit allow. The two alternate, --rounds times; medians.
//                  Goal: >= 8 writes per synced batch at 16 clients. With --mode=auto
//                  `main` is in auto commit mode: every write is its own commit.
//  2. reopen:      one synced refs write, then --reopen_mb MiB of unsynced object
//                  writes (a bulk load), a clean close, and a timed reopen. Printed:
//                  WAL bytes left in the directory after the close, reopen time, and the
//                  open time of an empty store as the floor.
//  3. bigcommit:   --edits partitions staged on a branch (in Mutate calls of 10k edits),
//                  then one timed Repository::Commit. Printed: commit time, peak RSS
//                  (getrusage ru_maxrss) before and after the commit. ru_maxrss is
//                  per process, so run this scenario alone (--only=bigcommit).
//                  Floor: writing the same edits' bytes as unsynced raw puts.
//
// Usage: write_bench [--dir=PARENT] [--only=groupcommit,reopen,bigcommit]
//                    [--clients=1,4,16] [--seconds=2] [--rounds=3] [--mode=staged|auto]
//                    [--reopen_mb=512] [--edits=200000] [--keep]
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_util.h"
#include "storage/kv_store.h"
#include "storage/rocks_kv_store.h"
#include "versioning/catalog_key.h"
#include "versioning/repository.h"

namespace {

using namespace arbor::bench;  // NOLINT: timing and formatting helpers
using namespace arbor;

void Line(const std::string& s) {
  std::printf("%s\n", s.c_str());
  std::fflush(stdout);
}

// Counts synced batches (each costs a WAL sync) and can turn writes unsynced for
// loading. Thread-safe: the groupcommit clients write through it concurrently.
class CountingKv final : public KvStore {
 public:
  explicit CountingKv(KvStore* inner) : inner_(inner) {}
  uint64_t synced() const { return synced_.load(); }
  void set_unsynced(bool v) { unsynced_ = v; }

  Result<std::string> Get(Column c, std::string_view key, const ReadOptions& o = {}) override {
    return inner_->Get(c, key, o);
  }
  std::unique_ptr<KvIterator> NewIterator(Column c, const ReadOptions& o = {}) override {
    return inner_->NewIterator(c, o);
  }
  std::unique_ptr<Snapshot> GetSnapshot() override { return inner_->GetSnapshot(); }
  Status Write(const WriteBatch& batch, const WriteOptions& options = {}) override {
    WriteOptions wo = options;
    if (unsynced_) wo.sync = false;
    if (wo.sync) synced_.fetch_add(1);
    return inner_->Write(batch, wo);
  }
  Status SyncWal() override {
    synced_.fetch_add(1);
    return inner_->SyncWal();
  }

 private:
  KvStore* inner_;
  std::atomic<bool> unsynced_{false};
  std::atomic<uint64_t> synced_{0};
};

struct Options {
  std::string parent_dir = "/tmp";
  std::set<std::string> only;
  std::vector<int> clients = {1, 4, 16};
  double seconds = 2;
  int rounds = 3;
  bool auto_mode = false;  // groupcommit: main in auto commit mode
  size_t reopen_mb = 512;
  size_t edits = 200000;
  bool keep = false;
  bool Enabled(const std::string& s) const { return only.empty() || only.count(s); }
};

std::vector<std::string> Split(const std::string& v) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= v.size()) {
    size_t comma = v.find(',', start);
    if (comma == std::string::npos) comma = v.size();
    if (comma > start) out.push_back(v.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

Options ParseFlags(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    auto value = [&](const char* name) { return FlagValue(argc, argv, &i, name); };
    if (auto v = value("--dir")) {
      o.parent_dir = *v;
    } else if (auto v = value("--only")) {
      for (auto& s : Split(*v))
        o.only.insert(s);
    } else if (auto v = value("--clients")) {
      o.clients.clear();
      for (auto& s : Split(*v))
        o.clients.push_back(std::stoi(s));
    } else if (auto v = value("--seconds")) {
      o.seconds = std::stod(*v);
    } else if (auto v = value("--rounds")) {
      o.rounds = std::stoi(*v);
    } else if (auto v = value("--mode")) {
      if (*v != "staged" && *v != "auto") Die("--mode is staged or auto");
      o.auto_mode = *v == "auto";
    } else if (auto v = value("--reopen_mb")) {
      o.reopen_mb = std::stoul(*v);
    } else if (auto v = value("--edits")) {
      o.edits = std::stoul(*v);
    } else if (std::string(argv[i]) == "--keep") {
      o.keep = true;
    } else {
      Die(std::string("unknown flag ") + argv[i] +
          "\nusage: write_bench [--dir=PARENT] [--only=groupcommit,reopen,bigcommit] "
          "[--clients=1,4,16] [--seconds=2] [--rounds=3] [--mode=staged|auto] [--reopen_mb=512] "
          "[--edits=200000] "
          "[--keep]");
    }
  }
  return o;
}

std::string MakeDir(const std::string& parent, const std::string& name) {
  std::string tmpl = parent + "/" + name + ".XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (!mkdtemp(buf.data())) Die("mkdtemp in " + parent + ": " + std::strerror(errno));
  return buf.data();
}

std::string PartKey(int table, uint64_t part) {
  return Take(EncodeKey(CatalogKey::ForPartition("sales", Fmt("t%04d", table),
                                                 Fmt("ds=%012" PRIu64, part))),
              "key");
}

std::string Value(uint64_t seed, size_t bytes) {
  std::string v(bytes, 'v');
  std::snprintf(v.data(), bytes, "%016" PRIx64,
                static_cast<uint64_t>(seed * 0x9e3779b97f4a7c15ULL));
  return v;
}

double MaxRssMiB() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024.0;  // KiB on Linux
}

uint64_t WalBytes(const std::string& dir) {
  uint64_t total = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".log" && e.is_regular_file()) total += e.file_size();
  }
  return total;
}

// ------------------------------------------------------------------ groupcommit

struct Run {
  double writes_per_s = 0;
  double synced_per_write = 0;
  uint64_t errors = 0;
};

Run RunMutators(Repository* repo, CountingKv* kv, int clients, double seconds,
                std::atomic<uint64_t>* next_part) {
  const std::string table_key = Take(EncodeKey(CatalogKey::ForTable("sales", "t0000")), "key");
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> writes{0}, errors{0};
  const uint64_t synced0 = kv->synced();
  std::vector<std::thread> threads;
  const double t0 = NowNs();
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&] {
      while (!stop.load(std::memory_order_relaxed)) {
        const uint64_t part = next_part->fetch_add(1);
        const std::string key = PartKey(0, part);
        auto r = repo->Mutate("main", MutationOptions{"bench", ""},
                              [&](const ReadView& view) -> Result<std::vector<Edit>> {
                                ARBOR_ASSIGN_OR_RETURN(bool table, view.Exists(table_key));
                                if (!table) return Status::NotFound("no table");
                                ARBOR_ASSIGN_OR_RETURN(bool exists, view.Exists(key));
                                if (exists) return Status::AlreadyExists("partition");
                                return std::vector<Edit>{{key, Value(part, 600)}};
                              });
        (r.ok() ? writes : errors).fetch_add(1);
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& t : threads)
    t.join();
  const double elapsed = (NowNs() - t0) / 1e9;
  Run run;
  run.writes_per_s = writes / elapsed;
  run.synced_per_write = writes ? double(kv->synced() - synced0) / writes : 0;
  run.errors = errors;
  return run;
}

double RunRawPuts(KvStore* kv, int clients, double seconds) {
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> writes{0};
  std::vector<std::thread> threads;
  const double t0 = NowNs();
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      uint64_t i = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        WriteBatch b;
        b.Put(Column::kStaging, Fmt("raw%03d/%012" PRIu64, c, i), Value(i, 600));
        ++i;
        Check(kv->Write(b), "raw put");
        writes.fetch_add(1);
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& t : threads)
    t.join();
  return writes / ((NowNs() - t0) / 1e9);
}

void GroupCommit(const Options& opt) {
  Line("== groupcommit: Mutate on one branch by C clients, durable (synced) writes");
  const std::string dir = MakeDir(opt.parent_dir, "write_bench");
  RocksOptions ro;
  ro.path = dir + "/db";
  auto rocks = Take(RocksKvStore::Open(ro), "open RocksDB");
  CountingKv kv(rocks.get());
  RepositoryOptions options;
  options.initial_entries.push_back(
      {Take(EncodeKey(CatalogKey::ForTable("sales", "t0000")), "key"), Value(0, 700)});
  auto repo = Take(Repository::Open(&kv, std::move(options)), "open repository");
  if (opt.auto_mode) {
    Check(repo->SetCommitMode("main", versioning::COMMIT_MODE_AUTO).status(), "auto mode");
    Line("main in auto commit mode: every write is its own commit");
  }
  std::atomic<uint64_t> next_part{0};

  Line(Fmt("%-8s %12s %14s %16s %12s %14s %8s", "clients", "writes/s", "synced/write",
           "writes/synced", "raw puts/s", "writes/raw", "errors"));
  for (int clients : opt.clients) {
    std::vector<double> rate, per_write, raw;
    uint64_t errors = 0;
    for (int r = 0; r < opt.rounds; ++r) {
      // Alternate the order so background work hits both sides alike.
      if (r % 2) raw.push_back(RunRawPuts(&kv, clients, opt.seconds));
      Run run = RunMutators(repo.get(), &kv, clients, opt.seconds, &next_part);
      if (r % 2 == 0) raw.push_back(RunRawPuts(&kv, clients, opt.seconds));
      rate.push_back(run.writes_per_s);
      per_write.push_back(run.synced_per_write);
      errors += run.errors;
    }
    const double spw = Median(per_write);
    Line(Fmt("%-8d %12.0f %14.3f %16.2f %12.0f %14.2f %8" PRIu64, clients, Median(rate), spw,
             spw > 0 ? 1 / spw : 0, Median(raw), Median(rate) / Median(raw), errors));
  }
  repo.reset();
  rocks.reset();
  if (!opt.keep) std::filesystem::remove_all(dir);
}

// ------------------------------------------------------------------ reopen

void Reopen(const Options& opt) {
  Line("== reopen: clean close after a bulk load, then open");
  const std::string dir = MakeDir(opt.parent_dir, "write_bench");
  RocksOptions ro;
  ro.path = dir + "/db";
  {
    auto rocks = Take(RocksKvStore::Open(ro), "open RocksDB");
    WriteBatch ref;
    ref.Put(Column::kRefs, "branch/main", "head");
    Check(rocks->Write(ref), "refs put");
    WriteOptions unsynced;
    unsynced.sync = false;
    const size_t value_bytes = 4096;
    const uint64_t n = (opt.reopen_mb << 20) / value_bytes;
    WriteBatch b;
    for (uint64_t i = 0; i < n; ++i) {
      b.Put(Column::kObjects, Fmt("obj%012" PRIu64, i), Value(i, value_bytes));
      if (b.ops().size() == 256) {
        Check(rocks->Write(b, unsynced), "object put");
        b.Clear();
      }
    }
    if (!b.empty()) Check(rocks->Write(b, unsynced), "object put");
    Check(rocks->SyncWal(), "sync");
  }
  const uint64_t wal = WalBytes(ro.path);
  std::vector<double> reopen;
  for (int r = 0; r < std::max(opt.rounds, 2); ++r) {
    double t0 = NowNs();
    auto rocks = Take(RocksKvStore::Open(ro), "reopen RocksDB");
    reopen.push_back(NowNs() - t0);
    Check(rocks->Get(Column::kRefs, "branch/main").status(), "refs intact");
    Check(rocks->Get(Column::kObjects, Fmt("obj%012d", 7)).status(), "objects intact");
  }
  // Floor: opening an empty store.
  std::vector<double> empty;
  RocksOptions eo;
  eo.path = dir + "/empty";
  for (int r = 0; r < opt.rounds; ++r) {
    double t0 = NowNs();
    auto rocks = Take(RocksKvStore::Open(eo), "open empty RocksDB");
    empty.push_back(NowNs() - t0);
  }
  // The first reopen is the one that replays what the close left; later ones are
  // printed for comparison.
  std::vector<double> later(reopen.begin() + 1, reopen.end());
  Line(
      Fmt("bulk load %zu MiB: WAL left after clean close %s; first reopen %s (later reopens "
          "%s, WAL then %s); empty-store open %s; first reopen / empty %.1f",
          opt.reopen_mb, FmtBytes(wal).c_str(), FmtTime(reopen[0]).c_str(),
          FmtTime(Median(later)).c_str(), FmtBytes(WalBytes(ro.path)).c_str(),
          FmtTime(Median(empty)).c_str(), reopen[0] / Median(empty)));
  if (!opt.keep) std::filesystem::remove_all(dir);
}

// ------------------------------------------------------------------ bigcommit

void BigCommit(const Options& opt) {
  Line(Fmt("== bigcommit: Commit of %zu staged edits", opt.edits));
  const std::string dir = MakeDir(opt.parent_dir, "write_bench");
  RocksOptions ro;
  ro.path = dir + "/db";
  auto rocks = Take(RocksKvStore::Open(ro), "open RocksDB");
  CountingKv kv(rocks.get());
  auto repo = Take(Repository::Open(&kv, RepositoryOptions{}), "open repository");
  const double rss_start = MaxRssMiB();

  // Floor: the same bytes as raw unsynced puts.
  WriteOptions unsynced;
  unsynced.sync = false;
  double t0 = NowNs();
  {
    WriteBatch b;
    for (uint64_t i = 0; i < opt.edits; ++i) {
      b.Put(Column::kObjects, "raw" + PartKey(i % 100, i), Value(i, 600));
      if (b.ops().size() == 1000) {
        Check(rocks->Write(b, unsynced), "raw put");
        b.Clear();
      }
    }
    if (!b.empty()) Check(rocks->Write(b, unsynced), "raw put");
  }
  const double raw = NowNs() - t0;

  kv.set_unsynced(true);
  const size_t chunk = 10000;
  for (uint64_t start = 0; start < opt.edits; start += chunk) {
    auto r = repo->Mutate(
        "main", MutationOptions{"bench", ""}, [&](const ReadView&) -> Result<std::vector<Edit>> {
          std::vector<Edit> edits;
          for (uint64_t i = start; i < std::min<uint64_t>(start + chunk, opt.edits); ++i)
            edits.push_back({PartKey(i % 100, i), Value(i, 600)});
          return edits;
        });
    Check(r.status(), "stage");
  }
  kv.set_unsynced(false);
  const double rss_staged = MaxRssMiB();
  CommitOptions co;
  co.author = "bench";
  co.message = "big";
  t0 = NowNs();
  auto c = repo->Commit("main", co);
  const double commit = NowNs() - t0;
  Check(c.status(), "commit");
  const double rss_after = MaxRssMiB();
  Line(Fmt("commit %s (%.2f us/edit); raw unsynced puts of the same bytes %s (ratio %.1f)",
           FmtTime(commit).c_str(), commit / 1e3 / opt.edits, FmtTime(raw).c_str(), commit / raw));
  Line(
      Fmt("peak RSS: at start %.0f MiB, after staging %.0f MiB, after commit %.0f MiB "
          "(commit added %.0f MiB)",
          rss_start, rss_staged, rss_after, rss_after - rss_staged));
  repo.reset();
  rocks.reset();
  if (!opt.keep) std::filesystem::remove_all(dir);
}

}  // namespace

int main(int argc, char** argv) {
  Options opt = ParseFlags(argc, argv);
  Line(Fmt("write_bench: nproc %ld", sysconf(_SC_NPROCESSORS_ONLN)));
  if (opt.Enabled("groupcommit")) GroupCommit(opt);
  if (opt.Enabled("reopen")) Reopen(opt);
  if (opt.Enabled("bigcommit")) BigCommit(opt);
  return 0;
}

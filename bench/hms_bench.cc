// hms_bench: a running arbord, driven over Thrift, against floors measured in the same run.
//
// The client is the generated Thrift C++ client with Hive's wire defaults (TSocket,
// TBufferedTransport, TBinaryProtocol). Absolute times mean little on a noisy shared
// machine, so every figure is set against a floor from the same run
// (docs/architecture.md#performance-goals), and the two sides of each ratio are sampled
// alternately, so background noise hits both:
//
//   F_rpc  getVersion on the same arbord: an empty call through the whole stack.
//   F_obj  get_partitions answered by a stub server inside this process that returns k
//          prebuilt Partition objects: the same generated processor, TThreadedServer,
//          64 KiB TBufferedTransport and TBinaryProtocol as arbord, on loopback, and the
//          very objects arbord returned (so the same bytes). Arbor's own work to produce
//          the objects (catalog reads, decoding, conversion) is the only difference.
//
// Scenarios (goals from docs/architecture.md#performance-goals in brackets):
//   load        create --tables tables with create_table calls (timed, information only)
//   get_table   p50/p99 on random tables, interleaved with getVersion   [p50 <= 2 x F_rpc]
//   throughput  get_table and getVersion calls/s at 1, 2 and 8 connections (threads)
//   add         add_partitions of 1000 per call into one table growing to --parts
//               partitions; partitions/s per slice                       [>= 20k/s]
//   list        at checkpoints of the growing table (1k, 10k, 100k, 1M): get_partitions of
//               the whole table vs F_obj of the same objects   [>= 0.5 x F_obj at 100k;
//               per-partition cost flat from 1k to 1M]
//   filter      at the same checkpoints: get_partitions_by_filter 'ds = "<day>"' selecting
//               24 partitions, vs F_obj of 24 objects
//
// Usage: hms_bench [--host H] [--port P] [--also-ports P2,P3] [--quick] [--tables N] [--parts N]
//                  [--list-max N] [--samples N] [--duration S] [--load-connections N]
//                  [--db NAME] [--server-pid PID] [--locations URI]
//                  [--only load,get_table,throughput,add,list,filter]
//   --quick         10k tables, table grows to 100k partitions, fewer samples
//   --tables        tables for get_table (default 100k, quick 10k)
//   --parts         size the add_partitions table grows to (default 1M, quick 100k)
//   --list-max      largest checkpoint at which the whole table is listed (default
//                   = --parts); listing 1M partitions holds ~4 GB in this process
//   --db            database to create (default hms_bench_<pid>); it is left behind, so
//                   run against a throw-away --data-dir
//   --server-pid    arbord's process id (same machine): get_table and add_partitions also
//                   report arbord's CPU time per call, read from /proc/<pid>/stat
//   --locations     root of the partitions' locations (default file:/tmp/hms_bench/warehouse);
//                   arbord creates their directories
//
// Start a server first, e.g.
//   build/bin/arbord --data-dir /tmp/hms_bench_data --sync-writes false
// (or with the default --sync-writes true, to include the WAL sync in every write).
#include <dirent.h>
#include <thrift/TConfiguration.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/server/TThreadedServer.h>
#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/TServerSocket.h>
#include <thrift/transport/TSocket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "ThriftHiveMetastore.h"
#include "bench/bench_util.h"

namespace {

using namespace arbor::bench;  // NOLINT: timing and formatting helpers

using namespace Apache::Hadoop::Hive;
using apache::thrift::TConfiguration;
using apache::thrift::TException;
using apache::thrift::protocol::TBinaryProtocol;
using apache::thrift::protocol::TProtocol;
using apache::thrift::transport::TBufferedTransport;
using apache::thrift::transport::TMemoryBuffer;
using apache::thrift::transport::TSocket;
using apache::thrift::transport::TTransport;

// ---------------------------------------------------------------------------------------
// Small helpers (as in storage_bench)

double Mean(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v)
    sum += x;
  return v.empty() ? 0 : sum / v.size();
}

void Line(const std::string& s) {
  std::printf("%s\n", s.c_str());
  std::fflush(stdout);
}
void Section(const char* title) {
  Line(std::string("\n== ") + title);
}

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

// ---------------------------------------------------------------------------------------
// Options

struct Options {
  std::string host = "127.0.0.1";
  int port = 9083;
  // More arbord instances on the same store: throughput connections go round-robin
  // over port and these (scale-out read throughput).
  std::vector<int> also_ports;
  bool quick = false;
  uint64_t tables = 0;    // 0: 100k, or 10k with --quick
  uint64_t parts = 0;     // 0: 1M, or 100k with --quick
  uint64_t list_max = 0;  // 0: = parts
  int samples = 0;        // get_table latency samples; 0: 5000, or 2000 with --quick
  double duration = 0;    // seconds per throughput point; 0: 4, or 2 with --quick
  int load_connections = 2;
  std::string db;
  // arbord's pid, when on this machine: add, get_table and list then also report
  // arbord's own CPU per call, per listed partition and per name. 0: not reported.
  int server_pid = 0;
  // Root of the partitions' locations; arbord makes their directories (file:).
  std::string locations = "file:/tmp/hms_bench/warehouse";
  std::set<std::string> only;
  bool Enabled(const std::string& s) const { return only.empty() || only.count(s) > 0; }
};

Options ParseFlags(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const std::string& name) { return FlagValue(argc, argv, &i, name); };
    if (a == "--quick") {
      o.quick = true;
    } else if (a == "--help" || a == "-h") {
      Line(
          "usage: hms_bench [--host H] [--port P] [--also-ports P2,P3] [--quick] [--tables N] "
          "[--parts N] "
          "[--list-max N] [--samples N] [--duration S] [--load-connections N] [--db NAME] "
          "[--server-pid PID] [--locations URI] "
          "[--only load,get_table,throughput,add,list,filter]\n"
          "See the header of bench/hms_bench.cc and bench/README.md.");
      std::exit(0);
    } else if (auto v = value("--host")) {
      o.host = *v;
    } else if (auto v = value("--port")) {
      o.port = std::stoi(*v);
    } else if (auto v = value("--also-ports")) {
      for (size_t at = 0; at < v->size();) {
        size_t comma = v->find(',', at);
        if (comma == std::string::npos) comma = v->size();
        o.also_ports.push_back(std::stoi(v->substr(at, comma - at)));
        at = comma + 1;
      }
    } else if (auto v = value("--tables")) {
      o.tables = std::stoull(*v);
    } else if (auto v = value("--parts")) {
      o.parts = std::stoull(*v);
    } else if (auto v = value("--list-max")) {
      o.list_max = std::stoull(*v);
    } else if (auto v = value("--samples")) {
      o.samples = std::stoi(*v);
    } else if (auto v = value("--duration")) {
      o.duration = std::stod(*v);
    } else if (auto v = value("--load-connections")) {
      o.load_connections = std::max(1, std::stoi(*v));
    } else if (auto v = value("--db")) {
      o.db = *v;
    } else if (auto v = value("--locations")) {
      o.locations = *v;
    } else if (auto v = value("--server-pid")) {
      o.server_pid = std::stoi(*v);
      if (ProcessCpuNs(o.server_pid) < 0) Die("cannot read /proc/" + *v + "/task");
    } else if (auto v = value("--only")) {
      size_t start = 0;
      while (start <= v->size()) {
        size_t comma = v->find(',', start);
        if (comma == std::string::npos) comma = v->size();
        if (comma > start) o.only.insert(v->substr(start, comma - start));
        start = comma + 1;
      }
    } else {
      Die("unknown flag " + a + " (try --help)");
    }
  }
  if (!o.tables) o.tables = o.quick ? 10000 : 100000;
  if (!o.parts) o.parts = o.quick ? 100000 : 1000000;
  if (!o.list_max) o.list_max = o.parts;
  if (!o.samples) o.samples = o.quick ? 2000 : 5000;
  if (o.duration <= 0) o.duration = o.quick ? 2 : 4;
  if (o.db.empty()) o.db = Fmt("hms_bench_%d", static_cast<int>(getpid()));
  return o;
}


// ---------------------------------------------------------------------------------------
// Connections: Hive's defaults. Replies can be large (1M partitions is ~0.5 GB), so the
// client's message-size limit is raised from Thrift's 100 MB default.

std::shared_ptr<TConfiguration> ClientConfig() {
  return std::make_shared<TConfiguration>(INT32_MAX, INT32_MAX);
}

struct Conn {
  std::shared_ptr<TTransport> transport;
  std::unique_ptr<ThriftHiveMetastoreClient> hms;

  Conn(const std::string& host, int port) {
    auto config = ClientConfig();
    auto socket = std::make_shared<TSocket>(host, port, config);
    transport = std::make_shared<TBufferedTransport>(socket, 64 * 1024, 64 * 1024, config);
    hms = std::make_unique<ThriftHiveMetastoreClient>(std::make_shared<TBinaryProtocol>(transport));
    transport->open();
  }
  ~Conn() {
    try {
      transport->close();
    } catch (...) {
    }
  }
  ThriftHiveMetastoreClient* operator->() { return hms.get(); }
};

// ---------------------------------------------------------------------------------------
// F_obj: a stub metastore in this process whose get_partitions returns prebuilt objects.
//
// The reply is written exactly as the generated ThriftHiveMetastoreProcessor writes a
// get_partitions result (same struct and field names, ids and types), but straight from
// the prebuilt vector, so nothing is copied or constructed per call.

class PrebuiltPartitions {
 public:
  void Set(std::shared_ptr<const std::vector<Partition>> parts) {
    std::lock_guard<std::mutex> lock(mu_);
    parts_ = std::move(parts);
  }
  std::shared_ptr<const std::vector<Partition>> Get() {
    std::lock_guard<std::mutex> lock(mu_);
    return parts_;
  }

 private:
  std::mutex mu_;
  std::shared_ptr<const std::vector<Partition>> parts_ =
      std::make_shared<const std::vector<Partition>>();
};

class StubProcessor : public ThriftHiveMetastoreProcessor {
 public:
  StubProcessor(std::shared_ptr<ThriftHiveMetastoreIf> iface, PrebuiltPartitions* prebuilt)
      : ThriftHiveMetastoreProcessor(std::move(iface)), prebuilt_(prebuilt) {}

 protected:
  bool dispatchCall(TProtocol* iprot, TProtocol* oprot, const std::string& fname, int32_t seqid,
                    void* ctx) override {
    if (fname != "get_partitions") {
      return ThriftHiveMetastoreProcessor::dispatchCall(iprot, oprot, fname, seqid, ctx);
    }
    using apache::thrift::protocol::T_LIST;
    using apache::thrift::protocol::T_REPLY;
    using apache::thrift::protocol::T_STRUCT;
    ThriftHiveMetastore_get_partitions_args args;
    args.read(iprot);
    iprot->readMessageEnd();
    iprot->getTransport()->readEnd();
    auto parts = prebuilt_->Get();
    oprot->writeMessageBegin("get_partitions", T_REPLY, seqid);
    oprot->writeStructBegin("ThriftHiveMetastore_get_partitions_result");
    oprot->writeFieldBegin("success", T_LIST, 0);
    oprot->writeListBegin(T_STRUCT, static_cast<uint32_t>(parts->size()));
    for (const Partition& p : *parts)
      p.write(oprot);
    oprot->writeListEnd();
    oprot->writeFieldEnd();
    oprot->writeFieldStop();
    oprot->writeStructEnd();
    oprot->writeMessageEnd();
    oprot->getTransport()->writeEnd();
    oprot->getTransport()->flush();
    return true;
  }

 private:
  PrebuiltPartitions* prebuilt_;
};

class StubProcessorFactory : public apache::thrift::TProcessorFactory {
 public:
  explicit StubProcessorFactory(PrebuiltPartitions* prebuilt) : prebuilt_(prebuilt) {}
  std::shared_ptr<apache::thrift::TProcessor> getProcessor(
      const apache::thrift::TConnectionInfo&) override {
    return std::make_shared<StubProcessor>(std::make_shared<ThriftHiveMetastoreNull>(), prebuilt_);
  }

 private:
  PrebuiltPartitions* prebuilt_;
};

// The transport arbord uses (server/thrift_server.cc): 64 KiB buffered, 256 MiB limit.
class ArbordLikeTransportFactory : public apache::thrift::transport::TTransportFactory {
 public:
  std::shared_ptr<TTransport> getTransport(std::shared_ptr<TTransport> trans) override {
    auto config = std::make_shared<TConfiguration>(256 << 20, 256 << 20);
    return std::make_shared<TBufferedTransport>(trans, 64 * 1024, 64 * 1024, config);
  }
};

class StubServer {
 public:
  StubServer() {
    auto socket = std::make_shared<apache::thrift::transport::TServerSocket>("127.0.0.1", 0);
    socket->setListenCallback([this](THRIFT_SOCKET fd) {
      sockaddr_in addr{};
      socklen_t len = sizeof(addr);
      if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
        port_ = ntohs(addr.sin_port);
      }
    });
    server_ = std::make_shared<apache::thrift::server::TThreadedServer>(
        std::make_shared<StubProcessorFactory>(&prebuilt_), socket,
        std::make_shared<ArbordLikeTransportFactory>(),
        std::make_shared<apache::thrift::protocol::TBinaryProtocolFactory>(256 << 20, 10'000'000,
                                                                           false, true));
    thread_ = std::thread([this] { server_->serve(); });
    // The listen callback runs before listen(); wait until a connection succeeds.
    for (int i = 0; i < 500; ++i) {
      if (port_ != 0) {
        try {
          Conn probe("127.0.0.1", port_);
          return;
        } catch (const TException&) {
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    Die("the F_obj stub server did not start");
  }
  ~StubServer() {
    server_->stop();
    thread_.join();
  }
  int port() const { return port_; }
  PrebuiltPartitions* prebuilt() { return &prebuilt_; }

 private:
  PrebuiltPartitions prebuilt_;
  std::atomic<int> port_{0};
  std::shared_ptr<apache::thrift::server::TThreadedServer> server_;
  std::thread thread_;
};

// ---------------------------------------------------------------------------------------
// Catalog objects, shaped like what Hive sends.

const std::vector<std::pair<std::string, std::string>> kColumns = {{"id", "bigint"},
                                                                   {"user_id", "bigint"},
                                                                   {"event", "string"},
                                                                   {"amount", "decimal(18,2)"},
                                                                   {"country", "string"},
                                                                   {"tags", "array<string>"},
                                                                   {"attrs", "map<string,string>"},
                                                                   {"ts", "timestamp"}};

StorageDescriptor MakeSd(const std::string& location) {
  StorageDescriptor sd;
  std::vector<FieldSchema> cols;
  for (const auto& [name, type] : kColumns) {
    FieldSchema f;
    f.__set_name(name);
    f.__set_type(type);
    cols.push_back(f);
  }
  sd.__set_cols(cols);
  if (!location.empty()) sd.__set_location(location);
  sd.__set_inputFormat("org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat");
  sd.__set_outputFormat("org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat");
  sd.__set_compressed(false);
  sd.__set_numBuckets(-1);
  SerDeInfo serde;
  serde.__set_serializationLib("org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe");
  serde.__set_parameters({{"serialization.format", "1"}});
  sd.__set_serdeInfo(serde);
  sd.__set_bucketCols({});
  sd.__set_sortCols({});
  sd.__set_parameters({});
  return sd;
}

Table MakeTable(const std::string& db, const std::string& name) {
  Table t;
  t.__set_dbName(db);
  t.__set_tableName(name);
  t.__set_owner("hms_bench");
  t.__set_sd(MakeSd(""));
  FieldSchema ds, hr;
  ds.__set_name("ds");
  ds.__set_type("string");
  hr.__set_name("hr");
  hr.__set_type("int");
  t.__set_partitionKeys({ds, hr});
  t.__set_parameters({{"comment", "hms_bench table"}, {"parquet.compression", "SNAPPY"}});
  t.__set_tableType("MANAGED_TABLE");
  return t;
}

// Partition k of the growing table: day k / 24 from 2000-01-01, hour k % 24.
Partition MakePartition(const std::string& root, const std::string& db, const std::string& table,
                        uint64_t k) {
  Partition p;
  std::string ds = DayString(k / 24), hr = std::to_string(k % 24);
  p.__set_values({ds, hr});
  p.__set_dbName(db);
  p.__set_tableName(table);
  p.__set_sd(MakeSd(root + "/" + db + ".db/" + table + "/ds=" + ds + "/hr=" + hr));
  p.__set_parameters({{"numFiles", "1"}, {"totalSize", std::to_string(1000 + k % 997)}});
  return p;
}

template <typename T>
size_t SerializedBytes(const T& obj) {
  auto buf = std::make_shared<TMemoryBuffer>();
  TBinaryProtocol proto(buf);
  obj.write(&proto);
  return buf->available_read();
}

// ---------------------------------------------------------------------------------------
// Scenarios

struct Bench {
  Options opt;
  std::mt19937_64 rng{42};
  double f_rpc_p50 = 0;
  std::unique_ptr<StubServer> stub;

  std::unique_ptr<Conn> Connect() { return std::make_unique<Conn>(opt.host, opt.port); }
  std::string TableName(uint64_t i) const { return Fmt("t%06" PRIu64, i); }

  void Rpc() {
    Section("F_rpc: getVersion");
    auto c = Connect();
    std::string v;
    for (int i = 0; i < 200; ++i)
      (*c)->getVersion(v);
    std::vector<double> t;
    for (int i = 0; i < opt.samples; ++i) {
      double t0 = NowNs();
      (*c)->getVersion(v);
      t.push_back(NowNs() - t0);
    }
    f_rpc_p50 = Median(t);
    Line(Fmt("getVersion = '%s': p50 %s, p99 %s, p99.9 %s, max %s, mean %s (%d samples)", v.c_str(),
             FmtTime(f_rpc_p50).c_str(), FmtTime(Percentile(t, 0.99)).c_str(),
             FmtTime(Percentile(t, 0.999)).c_str(), FmtTime(Percentile(t, 1)).c_str(),
             FmtTime(Mean(t)).c_str(), opt.samples));
  }

  void Load() {
    Section("load: create_table");
    uint64_t existing = 0;
    {
      auto c = Connect();
      std::vector<std::string> names;
      (*c)->get_all_tables(names, opt.db);
      for (const auto& n : names)
        existing += n.size() == 7 && n[0] == 't';
    }
    if (existing >= opt.tables) {
      Line(Fmt("%s already holds %" PRIu64 " tables", opt.db.c_str(), existing));
      return;
    }
    Table proto = MakeTable(opt.db, "t");
    Line(Fmt("%s tables of %zu B each (serialized Table), %d connections", FmtN(opt.tables).c_str(),
             SerializedBytes(proto), opt.load_connections));
    std::atomic<uint64_t> next{existing};
    std::atomic<bool> failed{false};
    double t0 = NowNs();
    std::vector<std::thread> threads;
    for (int w = 0; w < opt.load_connections; ++w) {
      threads.emplace_back([&] {
        try {
          auto c = Connect();
          Table t = proto;
          for (uint64_t i; (i = next.fetch_add(1)) < opt.tables;) {
            t.__set_tableName(TableName(i));
            (*c)->create_table(t);
            if (i % 20000 == 19999) {
              Line(Fmt("  %s tables after %.1f s", FmtN(i + 1).c_str(), (NowNs() - t0) / 1e9));
            }
          }
        } catch (const TException& e) {
          std::fprintf(stderr, "create_table: %s\n", e.what());
          failed = true;
        }
      });
    }
    for (auto& th : threads)
      th.join();
    if (failed) Die("loading tables failed");
    double secs = (NowNs() - t0) / 1e9;
    uint64_t made = opt.tables - existing;
    Line(Fmt("created %s tables in %.1f s: %s (%s per create_table call)", FmtN(made).c_str(), secs,
             FmtRate(made / secs).c_str(),
             FmtTime(secs * 1e9 / made * opt.load_connections).c_str()));
  }

  void GetTable() {
    Section(Fmt("get_table on a catalog of %s tables, interleaved with getVersion",
                FmtN(opt.tables).c_str())
                .c_str());
    auto c = Connect();
    std::uniform_int_distribution<uint64_t> pick(0, opt.tables - 1);
    Table t;
    std::string v;
    for (int i = 0; i < 200; ++i)
      (*c)->get_table(t, opt.db, TableName(pick(rng)));
    std::vector<double> tt, tv;
    for (int i = 0; i < opt.samples; ++i) {
      std::string name = TableName(pick(rng));
      for (int side = 0; side < 2; ++side) {
        bool table_first = (i % 2 == 0);
        double t0 = NowNs();
        if ((side == 0) == table_first) {
          (*c)->get_table(t, opt.db, name);
          tt.push_back(NowNs() - t0);
        } else {
          (*c)->getVersion(v);
          tv.push_back(NowNs() - t0);
        }
      }
    }
    if (t.tableName.empty()) Die("get_table returned no table");
    double p50 = Median(tt), f = Median(tv);
    f_rpc_p50 = f;
    Line(Fmt("reply: a Table of %zu B serialized", SerializedBytes(t)));
    Line(Fmt("get_table  p50 %s  p99 %s  p99.9 %s  mean %s", FmtTime(p50).c_str(),
             FmtTime(Percentile(tt, 0.99)).c_str(), FmtTime(Percentile(tt, 0.999)).c_str(),
             FmtTime(Mean(tt)).c_str()));
    Line(Fmt("getVersion p50 %s  p99 %s  p99.9 %s  mean %s  (F_rpc)", FmtTime(f).c_str(),
             FmtTime(Percentile(tv, 0.99)).c_str(), FmtTime(Percentile(tv, 0.999)).c_str(),
             FmtTime(Mean(tv)).c_str()));
    // Client-side decoding of the same Table, for the breakdown.
    auto buf = std::make_shared<TMemoryBuffer>();
    TBinaryProtocol proto(buf);
    t.write(&proto);
    std::string bytes = buf->getBufferAsString();
    std::vector<double> td;
    for (int i = 0; i < 2000; ++i) {
      auto in = std::make_shared<TMemoryBuffer>(reinterpret_cast<uint8_t*>(bytes.data()),
                                                static_cast<uint32_t>(bytes.size()));
      TBinaryProtocol pin(in);
      Table out;
      double t0 = NowNs();
      out.read(&pin);
      td.push_back(NowNs() - t0);
    }
    Line(Fmt("(client-side decode of that Table alone: %s)", FmtTime(Median(td)).c_str()));
    if (opt.server_pid) {
      // arbord's CPU per call, each kind in its own run of calls (the clock ticks are
      // 10 ms): what the server spends whatever the scheduler does to the latency.
      const int n = std::max(opt.samples, 2000);
      auto cpu_per_call = [&](const std::function<void()>& call) {
        const double c0 = ProcessCpuNs(opt.server_pid);
        for (int i = 0; i < n; ++i)
          call();
        return (ProcessCpuNs(opt.server_pid) - c0) / n;
      };
      double table_cpu = 0, version_cpu = 0;
      for (int round = 0; round < 2; ++round) {
        table_cpu += cpu_per_call([&] { (*c)->get_table(t, opt.db, TableName(pick(rng))); });
        version_cpu += cpu_per_call([&] { (*c)->getVersion(v); });
      }
      Line(
          Fmt("arbord CPU per call (%d calls each, two rounds): get_table %s, getVersion %s, "
              "difference %s",
              n, FmtTime(table_cpu / 2).c_str(), FmtTime(version_cpu / 2).c_str(),
              FmtTime((table_cpu - version_cpu) / 2).c_str()));
    }
    double ratio = p50 / f;
    Line(Fmt("get_table p50 / F_rpc p50 = %.2f  (goal <= 2.0)  %s", ratio,
             Judge("get_table p50 <= 2 x F_rpc", ratio <= 2.0,
                   Fmt("%.2f (%s vs %s)", ratio, FmtTime(p50).c_str(), FmtTime(f).c_str()))));
  }

  // Calls/s of `call` with n connections, each in its own thread, for opt.duration s.
  double Throughput(int n, const std::function<void(Conn&, std::mt19937_64&)>& call) {
    std::atomic<uint64_t> total{0};
    std::atomic<bool> failed{false};
    std::vector<std::unique_ptr<Conn>> conns;
    for (int i = 0; i < n; ++i) {
      size_t k = i % (1 + opt.also_ports.size());
      conns.push_back(std::make_unique<Conn>(opt.host, k == 0 ? opt.port : opt.also_ports[k - 1]));
    }
    double start = NowNs(), deadline = start + opt.duration * 1e9;
    std::vector<std::thread> threads;
    for (int i = 0; i < n; ++i) {
      threads.emplace_back([&, i] {
        std::mt19937_64 r(1000 + i);
        uint64_t count = 0;
        try {
          while (NowNs() < deadline) {
            call(*conns[i], r);
            ++count;
          }
        } catch (const TException& e) {
          std::fprintf(stderr, "throughput: %s\n", e.what());
          failed = true;
        }
        total += count;
      });
    }
    for (auto& t : threads)
      t.join();
    if (failed) Die("throughput run failed");
    return total / ((NowNs() - start) / 1e9);
  }

  void ThroughputScenario() {
    Section(Fmt("throughput: calls/s with n connections (one thread each), %.0f s per point",
                opt.duration)
                .c_str());
    std::uniform_int_distribution<uint64_t> pick(0, opt.tables - 1);
    auto get_table = [&](Conn& c, std::mt19937_64& r) {
      Table t;
      c->get_table(t, opt.db, TableName(pick(r)));
    };
    auto get_version = [](Conn& c, std::mt19937_64&) {
      std::string v;
      c->getVersion(v);
    };
    Line("  n   get_table      getVersion (F_rpc)   ratio   get_table scaling vs n=1");
    double base = 0;
    for (int n : {1, 2, 8, 16}) {
      double gt = Throughput(n, get_table);
      double gv = Throughput(n, get_version);
      if (n == 1) base = gt;
      Line(Fmt("  %d   %-12s   %-18s   %.2f    %.2f", n, FmtRate(gt).c_str(), FmtRate(gv).c_str(),
               gt / gv, gt / base));
    }
  }

  // Times get_partitions of the whole table on arbord against F_obj of the same objects,
  // alternately; then get_partitions_by_filter selecting one day (24 partitions).
  struct Checkpoint {
    uint64_t n;
    double list_ns = 0, fobj_ns = 0, decode_ns = 0;
    double filter_ns = 0, fobj24_ns = 0;
    size_t bytes = 0;
    double list_cpu_ns = -1;                 // arbord's CPU per get_partitions call (--arbord-pid)
    double names_ns = 0, names_cpu_ns = -1;  // get_partition_names: wall, arbord CPU
  };
  std::vector<Checkpoint> checkpoints;

  void ListAndFilter(const std::string& table, uint64_t n) {
    Checkpoint cp{n};
    if (!stub) stub = std::make_unique<StubServer>();
    auto c = Connect();
    auto fc = std::make_unique<Conn>("127.0.0.1", stub->port());
    if (opt.Enabled("list") && n <= opt.list_max) {
      int reps = n <= 10000 ? 11 : n <= 100000 ? 5 : 3;
      auto fetched = std::make_shared<std::vector<Partition>>();
      (*c)->get_partitions(*fetched, opt.db, table, -1);
      if (fetched->size() != n) {
        Die(Fmt("get_partitions returned %zu partitions, expected %" PRIu64, fetched->size(), n));
      }
      if (n <= 100000) {
        // Client-side decoding alone of the same bytes (information; skipped above 100k
        // to spare memory).
        auto buf = std::make_shared<TMemoryBuffer>();
        TBinaryProtocol proto(buf);
        proto.writeListBegin(apache::thrift::protocol::T_STRUCT, static_cast<uint32_t>(n));
        for (const auto& p : *fetched)
          p.write(&proto);
        proto.writeListEnd();
        cp.bytes = buf->available_read();
        std::vector<double> td;
        uint8_t* data = nullptr;
        uint32_t size_bytes = 0;
        buf->getBuffer(&data, &size_bytes);
        for (int i = 0; i < std::min(reps, 3); ++i) {
          auto in = std::make_shared<TMemoryBuffer>(data, size_bytes, TMemoryBuffer::OBSERVE,
                                                    ClientConfig());
          TBinaryProtocol pin(in);
          std::vector<Partition> out;
          double t0 = NowNs();
          apache::thrift::protocol::TType et;
          uint32_t size;
          pin.readListBegin(et, size);
          out.resize(size);
          for (auto& p : out)
            p.read(&pin);
          pin.readListEnd();
          td.push_back(NowNs() - t0);
        }
        cp.decode_ns = Median(td);
      }
      stub->prebuilt()->Set(fetched);
      std::vector<double> ta, tf, tcpu;
      for (int i = 0; i < reps; ++i) {
        for (int side = 0; side < 2; ++side) {
          std::vector<Partition> got;
          bool arbord_side = (side == 0) == (i % 2 == 0);
          double cpu0 = arbord_side ? ProcessCpuNs(opt.server_pid) : -1;
          double t0 = NowNs();
          if (arbord_side) {
            (*c)->get_partitions(got, opt.db, table, -1);
          } else {
            (*fc)->get_partitions(got, opt.db, table, -1);
          }
          double dt = NowNs() - t0;
          if (cpu0 >= 0) tcpu.push_back(ProcessCpuNs(opt.server_pid) - cpu0);
          if (got.size() != n) Die("get_partitions returned a different count");
          (arbord_side ? ta : tf).push_back(dt);
        }
      }
      if (!tcpu.empty()) cp.list_cpu_ns = Median(tcpu);
      // get_partition_names of the whole table: wall time and arbord's CPU.
      std::vector<double> tn, tncpu;
      for (int i = 0; i < reps * 2; ++i) {
        std::vector<std::string> names;
        double cpu0 = ProcessCpuNs(opt.server_pid);
        double t0 = NowNs();
        (*c)->get_partition_names(names, opt.db, table, -1);
        tn.push_back(NowNs() - t0);
        if (cpu0 >= 0) tncpu.push_back(ProcessCpuNs(opt.server_pid) - cpu0);
        if (names.size() != n) Die("get_partition_names returned a different count");
      }
      cp.names_ns = Median(tn);
      if (!tncpu.empty()) cp.names_cpu_ns = Median(tncpu);
      stub->prebuilt()->Set(std::make_shared<const std::vector<Partition>>());
      fetched.reset();
      cp.list_ns = Median(ta);
      cp.fobj_ns = Median(tf);
    }
    if (opt.Enabled("filter")) {
      uint64_t days = n / 24;
      std::uniform_int_distribution<uint64_t> pick(0, days - 1);
      int reps = opt.quick ? 21 : 51;
      std::vector<double> tq, tf;
      std::string filter0 = "ds = \"" + DayString(pick(rng)) + "\"";
      auto day24 = std::make_shared<std::vector<Partition>>();
      (*c)->get_partitions_by_filter(*day24, opt.db, table, filter0, -1);
      if (day24->size() != 24)
        Die(Fmt("filter %s returned %zu partitions", filter0.c_str(), day24->size()));
      stub->prebuilt()->Set(day24);
      for (int i = 0; i < reps; ++i) {
        std::string filter = "ds = \"" + DayString(pick(rng)) + "\"";
        for (int side = 0; side < 2; ++side) {
          std::vector<Partition> got;
          bool arbord_side = (side == 0) == (i % 2 == 0);
          double t0 = NowNs();
          if (arbord_side) {
            (*c)->get_partitions_by_filter(got, opt.db, table, filter, -1);
          } else {
            (*fc)->get_partitions(got, opt.db, table, -1);
          }
          double dt = NowNs() - t0;
          if (got.size() != 24) Die("filter returned " + std::to_string(got.size()));
          (arbord_side ? tq : tf).push_back(dt);
        }
      }
      stub->prebuilt()->Set(std::make_shared<const std::vector<Partition>>());
      cp.filter_ns = Median(tq);
      cp.fobj24_ns = Median(tf);
    }
    if (cp.list_ns > 0) {
      double rate = n / (cp.list_ns / 1e9), frate = n / (cp.fobj_ns / 1e9);
      std::string decode = cp.bytes ? Fmt("; %.0f MB reply; client decode alone %s", cp.bytes / 1e6,
                                          FmtTime(cp.decode_ns).c_str())
                                    : std::string();
      Line(Fmt(
          "  [n=%s] get_partitions(all): %s = %s objects (%.2f us each); F_obj %s = %s; "
          "ratio %.2f%s",
          FmtN(n).c_str(), FmtTime(cp.list_ns).c_str(), FmtRate(rate).c_str(), cp.list_ns / n / 1e3,
          FmtTime(cp.fobj_ns).c_str(), FmtRate(frate).c_str(), rate / frate, decode.c_str()));
      Line(Fmt("  [n=%s] get_partition_names(all): %s (%.3f us per name)", FmtN(n).c_str(),
               FmtTime(cp.names_ns).c_str(), cp.names_ns / n / 1e3));
      if (cp.list_cpu_ns >= 0) {
        Line(Fmt("  [n=%s] arbord CPU: %.3f us per listed partition, %.3f us per name",
                 FmtN(n).c_str(), cp.list_cpu_ns / n / 1e3, cp.names_cpu_ns / n / 1e3));
      }
    }
    if (cp.filter_ns > 0) {
      Line(Fmt("  [n=%s] get_partitions_by_filter(24 of %s): p50 %s; F_obj(24) %s; ratio %.2f",
               FmtN(n).c_str(), FmtN(n).c_str(), FmtTime(cp.filter_ns).c_str(),
               FmtTime(cp.fobj24_ns).c_str(), cp.filter_ns / cp.fobj24_ns));
    }
    checkpoints.push_back(cp);
  }

  void AddPartitions() {
    const std::string table = "grow";
    const uint64_t kPerCall = 1000;
    const uint64_t slice =
        opt.parts >= 1000000 ? 100000 : std::max<uint64_t>(10000, opt.parts / 10);
    Section(Fmt("add_partitions: %s per call into one table growing to %s; rates per %s slice",
                FmtN(kPerCall).c_str(), FmtN(opt.parts).c_str(), FmtN(slice).c_str())
                .c_str());
    {
      auto c = Connect();
      (*c)->create_table(MakeTable(opt.db, table));
    }
    Partition sample = MakePartition(opt.locations, opt.db, table, 0);
    Line(
        Fmt("partitions of %zu B serialized (values, sd with %zu columns and a location, 2 "
            "parameters); a call is ~%.0f KB",
            SerializedBytes(sample), kColumns.size(), SerializedBytes(sample) * kPerCall / 1e3));
    std::set<uint64_t> stops;
    for (uint64_t s : {1000ull, 10000ull, 100000ull, 1000000ull}) {
      if (s <= opt.parts) stops.insert(s);
    }
    if (!opt.Enabled("list") && !opt.Enabled("filter")) stops.clear();
    std::vector<double> slice_rates;
    uint64_t k = 0;
    double slice_rpc_ns = 0;
    double slice_server_cpu_ns = 0;
    double slice_wall0 = NowNs();
    std::unique_ptr<Conn> c;
    while (k < opt.parts) {
      // A fresh connection per slice: arbord's message-size limit currently counts every
      // byte a connection has ever received (see bench/README.md), and 1M partitions are
      // more than its 256 MiB.
      if (k % slice == 0) c = Connect();
      std::vector<Partition> batch;
      batch.reserve(kPerCall);
      for (uint64_t i = 0; i < kPerCall; ++i)
        batch.push_back(MakePartition(opt.locations, opt.db, table, k + i));
      const double cpu0 = opt.server_pid ? ProcessCpuNs(opt.server_pid) : 0;
      double t0 = NowNs();
      int32_t added = (*c)->add_partitions(batch);
      slice_rpc_ns += NowNs() - t0;
      if (opt.server_pid) slice_server_cpu_ns += ProcessCpuNs(opt.server_pid) - cpu0;
      if (added != static_cast<int32_t>(kPerCall))
        Die("add_partitions returned " + std::to_string(added));
      k += kPerCall;
      if (k % slice == 0) {
        double rate = slice / (slice_rpc_ns / 1e9);
        slice_rates.push_back(rate);
        Line(Fmt(
            "  %7s .. %7s: %s in add_partitions calls (%.2f ms per call; "
            "%.1f s wall incl. building requests), load %.1f",
            FmtN(k - slice).c_str(), FmtN(k).c_str(), FmtRate(rate).c_str(),
            slice_rpc_ns / 1e6 / (slice / kPerCall), (NowNs() - slice_wall0) / 1e9, LoadAverage()));
        if (opt.server_pid) {
          Line(Fmt("                     arbord CPU %.2f ms per call (%.1f us per partition)",
                   slice_server_cpu_ns / 1e6 / (slice / kPerCall),
                   slice_server_cpu_ns / 1e3 / slice));
        }
        slice_rpc_ns = 0;
        slice_server_cpu_ns = 0;
        slice_wall0 = NowNs();
      }
      if (stops.count(k)) {
        c.reset();
        ListAndFilter(table, k);
        slice_wall0 = NowNs();
        if (k % slice != 0) c = Connect();
      }
    }
    if (slice_rates.empty()) return;
    double lo = *std::min_element(slice_rates.begin(), slice_rates.end());
    double first = slice_rates.front(), last = slice_rates.back();
    Line(Fmt("slowest slice %s, first %s, last %s (last/first %.2f)", FmtRate(lo).c_str(),
             FmtRate(first).c_str(), FmtRate(last).c_str(), last / first));
    Line(Fmt("add_partitions >= 20k partitions/s in every slice: %s",
             Judge("add_partitions >= 20k/s (slowest slice)", lo >= 20000,
                   Fmt("slowest slice %s", FmtRate(lo).c_str()))));
  }

  void Summarize() {
    Section("summary of list / filter checkpoints");
    const Checkpoint* base = nullptr;
    Line(
        "  n        list us/partition  (vs first)  list/F_obj objects/s   filter(24) p50  "
        "(vs first)  filter/F_obj(24)");
    for (const auto& cp : checkpoints) {
      if (!base) base = &cp;
      std::string list =
          cp.list_ns > 0
              ? Fmt("%8.2f          %6.2f       %6.2f", cp.list_ns / cp.n / 1e3,
                    base->list_ns > 0 ? (cp.list_ns / cp.n) / (base->list_ns / base->n) : 0,
                    (cp.fobj_ns / cp.list_ns))
              : std::string("       -              -            -  ");
      std::string filt = cp.filter_ns > 0
                             ? Fmt("%12s   %6.2f       %6.2f", FmtTime(cp.filter_ns).c_str(),
                                   cp.filter_ns / base->filter_ns, cp.filter_ns / cp.fobj24_ns)
                             : std::string("");
      Line(Fmt("  %-7s %s          %s", FmtN(cp.n).c_str(), list.c_str(), filt.c_str()));
    }
    for (const auto& cp : checkpoints) {
      if (cp.n == 100000 && cp.list_ns > 0) {
        double ratio = cp.fobj_ns / cp.list_ns;
        Line(Fmt("listing 100k partitions at >= 0.5 x F_obj objects/s: %.2f  %s", ratio,
                 Judge("get_partitions(100k) >= 0.5 x F_obj", ratio >= 0.5, Fmt("%.2f", ratio))));
      }
    }
    const Checkpoint* lo = nullptr;
    const Checkpoint* hi = nullptr;
    for (const auto& cp : checkpoints) {
      if (cp.list_ns <= 0) continue;
      if (!lo) lo = &cp;
      hi = &cp;
    }
    if (lo && hi && hi != lo) {
      double r = (hi->list_ns / hi->n) / (lo->list_ns / lo->n);
      // "Flat" means a ratio of at most 1.5 (docs/architecture.md#performance-goals).
      Line(Fmt("per-partition listing cost %s vs %s: %.2f  %s", FmtN(hi->n).c_str(),
               FmtN(lo->n).c_str(), r,
               Judge(Fmt("listing cost per partition flat %s..%s (<= 1.5)", FmtN(lo->n).c_str(),
                         FmtN(hi->n).c_str()),
                     r <= 1.5, Fmt("%.2f", r))));
    }
  }
};

}  // namespace

int main(int argc, char** argv) {
  Bench b;
  b.opt = ParseFlags(argc, argv);
  const Options& o = b.opt;
  Line(
      "hms_bench: arbord over Thrift (TSocket + TBufferedTransport + TBinaryProtocol) vs. "
      "same-run floors; every figure is a median unless marked p99");
  Line(Fmt("machine: nproc %ld, cpu '%s', load average %.2f", sysconf(_SC_NPROCESSORS_ONLN),
           CpuModel().c_str(), LoadAverage()));
  Line(
      Fmt("mode: %s, arbord at %s:%d, db %s, %s tables, table grows to %s partitions, "
          "listing up to %s, %d latency samples",
          o.quick ? "quick" : "full", o.host.c_str(), o.port, o.db.c_str(), FmtN(o.tables).c_str(),
          FmtN(o.parts).c_str(), FmtN(o.list_max).c_str(), o.samples));
  double t0 = NowNs();
  try {
    {
      auto c = b.Connect();
      Database db;
      db.__set_name(o.db);
      db.__set_description("hms_bench");
      try {
        (*c)->create_database(db);
      } catch (const AlreadyExistsException&) {
        Line("(database exists; reusing it)");
      }
    }
    b.Rpc();
    if (o.Enabled("load") || o.Enabled("get_table") || o.Enabled("throughput")) b.Load();
    if (o.Enabled("get_table")) b.GetTable();
    if (o.Enabled("throughput")) b.ThroughputScenario();
    if (o.Enabled("add") || o.Enabled("list") || o.Enabled("filter")) {
      b.AddPartitions();
      b.Summarize();
    }
  } catch (const TException& e) {
    Die(std::string("Thrift call failed: ") + e.what());
  }
  Section("verdicts");
  for (const auto& v : g_verdicts) {
    Line(Fmt("  %-4s %-45s %s", v.pass ? "PASS" : "MISS", v.name.c_str(), v.detail.c_str()));
  }
  Line(Fmt("total %.1f s", (NowNs() - t0) / 1e9));
  return 0;
}

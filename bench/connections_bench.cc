// connections_bench: what idle and slow Thrift connections cost arbord.
//
// Starts its own arbord (next to this binary) on a fresh data directory and measures,
// against floors taken in the same run on the same server:
//
//   idle      10 000 connections that each made one call and stay open (an engine's
//             connection pool): arbord's RSS growth, its thread count, and the time a
//             new client takes to connect and get an answer (goal: RSS < 200 MB, new
//             client p50 <= 10 ms).
//   slowloris 1 000 clients that each send one byte of a request per second: the
//             latency of a well-behaved client (connect + get_database, and
//             get_database on an open connection), with and without them, in
//             alternating phases (goal: ratio <= 2).
//
//   build/bin/connections_bench [--idle=10000] [--slow=1000] [--phase_seconds=4]
//
// The benchmark process holds the client ends, so it raises its own RLIMIT_NOFILE;
// the hard limit must exceed --idle plus a few hundred.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/TSocket.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "ThriftHiveMetastore.h"
#include "bench/bench_util.h"

namespace {

using namespace arbor::bench;
using Apache::Hadoop::Hive::ThriftHiveMetastore_get_database_args;
using Apache::Hadoop::Hive::ThriftHiveMetastoreClient;
using apache::thrift::protocol::TBinaryProtocol;
using apache::thrift::transport::TBufferedTransport;
using apache::thrift::transport::TMemoryBuffer;
using apache::thrift::transport::TSocket;

struct Options {
  int idle = 10000;
  int slow = 1000;
  int phase_seconds = 4;
};

Options ParseOptions(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const char* name) -> const char* {
      std::string prefix = std::string("--") + name + "=";
      return a.rfind(prefix, 0) == 0 ? argv[i] + prefix.size() : nullptr;
    };
    if (const char* v = value("idle")) {
      o.idle = std::atoi(v);
    } else if (const char* v = value("slow")) {
      o.slow = std::atoi(v);
    } else if (const char* v = value("phase_seconds")) {
      o.phase_seconds = std::atoi(v);
    } else {
      Die("unknown argument " + a);
    }
  }
  return o;
}

// arbord as a child process; its ports come from the ready line.
struct Server {
  pid_t pid = -1;
  int port = 0;
  std::string dir;

  void Start(const std::string& arbord, int max_connections) {
    char tmpl[] = "/tmp/connections_bench_XXXXXX";
    if (!mkdtemp(tmpl)) Die("mkdtemp");
    dir = tmpl;
    int out[2];
    if (pipe(out) != 0) Die("pipe");
    pid = fork();
    if (pid == 0) {
      dup2(out[1], 1);
      close(out[0]);
      std::string log = dir + "/arbord.log";
      FILE* err = std::fopen(log.c_str(), "w");
      if (err) dup2(fileno(err), 2);
      std::string data = "--data-dir=" + dir + "/data";
      std::string max = "--max-connections=" + std::to_string(max_connections);
      execl(arbord.c_str(), "arbord", data.c_str(), "--listen=127.0.0.1:0",
            "--http-listen=127.0.0.1:0", "--sync-writes=false", max.c_str(), "--disk-reserve=0",
            static_cast<char*>(nullptr));
      _exit(127);
    }
    close(out[1]);
    std::string line;
    char c;
    while (read(out[0], &c, 1) == 1 && c != '\n')
      line.push_back(c);
    if (line.rfind("arbord ready thrift=", 0) != 0) Die("arbord did not start: " + line);
    port = std::atoi(line.c_str() + std::strlen("arbord ready thrift="));
  }
  ~Server() {
    if (pid > 0) {
      kill(pid, SIGTERM);
      waitpid(pid, nullptr, 0);
    }
    if (!dir.empty()) std::filesystem::remove_all(dir);
  }
  long Status(const char* field) const {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind(field, 0) == 0) return std::atol(line.c_str() + std::strlen(field) + 1);
    }
    return -1;
  }
};

struct Client {
  std::shared_ptr<TBufferedTransport> transport;
  std::unique_ptr<ThriftHiveMetastoreClient> hms;
  explicit Client(int port) {
    auto socket = std::make_shared<TSocket>("127.0.0.1", port);
    socket->setRecvTimeout(30000);
    transport = std::make_shared<TBufferedTransport>(socket);
    hms = std::make_unique<ThriftHiveMetastoreClient>(std::make_shared<TBinaryProtocol>(transport));
    transport->open();
  }
  ~Client() { transport->close(); }
};

// Connect, one get_database, close: what a new pooled client pays.
double FreshClientNs(int port) {
  const double start = NowNs();
  Client c(port);
  Apache::Hadoop::Hive::Database db;
  c.hms->get_database(db, "default");
  return NowNs() - start;
}

double CallNs(Client& c) {
  const double start = NowNs();
  Apache::Hadoop::Hive::Database db;
  c.hms->get_database(db, "default");
  return NowNs() - start;
}

std::string GetDatabaseCall() {
  auto buffer = std::make_shared<TMemoryBuffer>();
  TBinaryProtocol proto(buffer);
  proto.writeMessageBegin("get_database", apache::thrift::protocol::T_CALL, 1);
  ThriftHiveMetastore_get_database_args args;
  args.name = "default";
  args.write(&proto);
  proto.writeMessageEnd();
  return buffer->getBufferAsString();
}

int Connect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    Die(std::string("connect: ") + std::strerror(errno));
  }
  return fd;
}

void RaiseFileLimit(int needed) {
  rlimit lim{};
  getrlimit(RLIMIT_NOFILE, &lim);
  lim.rlim_cur = lim.rlim_max;
  setrlimit(RLIMIT_NOFILE, &lim);
  if (lim.rlim_cur < static_cast<rlim_t>(needed)) {
    Die(Fmt("RLIMIT_NOFILE hard limit %lu is below the %d descriptors needed",
            static_cast<unsigned long>(lim.rlim_cur), needed));
  }
}

const char* Verdict(bool pass) {
  return pass ? "PASS" : "MISS";
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = ParseOptions(argc, argv);
  RaiseFileLimit(std::max(o.idle, o.slow) + 256);
  const std::string arbord =
      std::filesystem::read_symlink("/proc/self/exe").parent_path().string() + "/arbord";
  Server server;
  server.Start(arbord, o.idle + o.slow + 100);
  const std::string call = GetDatabaseCall();
  std::printf("connections_bench: arbord pid %d on 127.0.0.1:%d, %d idle, %d slowloris\n",
              server.pid, server.port, o.idle, o.slow);

  // --- idle connections
  for (int i = 0; i < 50; ++i)
    FreshClientNs(server.port);  // warm up
  std::vector<double> fresh_before;
  for (int i = 0; i < 200; ++i)
    fresh_before.push_back(FreshClientNs(server.port));
  const long rss_before = server.Status("VmRSS:");
  const long threads_before = server.Status("Threads:");
  std::vector<int> idle;
  std::string reply(4096, '\0');
  for (int i = 0; i < o.idle; ++i) {
    int fd = Connect(server.port);
    if (send(fd, call.data(), call.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(call.size()) ||
        recv(fd, reply.data(), reply.size(), 0) <= 0) {
      Die("idle connection " + std::to_string(i) + " got no answer");
    }
    idle.push_back(fd);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const long rss_idle = server.Status("VmRSS:");
  const long threads_idle = server.Status("Threads:");
  std::vector<double> fresh_idle;
  for (int i = 0; i < 200; ++i)
    fresh_idle.push_back(FreshClientNs(server.port));
  for (int fd : idle)
    close(fd);
  idle.clear();

  const double rss_mb = (rss_idle - rss_before) / 1024.0;
  const double fresh_idle_p50 = Median(fresh_idle) / 1e6;
  std::printf("\nidle: %d connections, each after one call\n", o.idle);
  std::printf(
      "  arbord RSS %.1f MB -> %.1f MB (+%.1f MB, %.1f KB per connection)   goal < 200 MB: %s\n",
      rss_before / 1024.0, rss_idle / 1024.0, rss_mb, (rss_idle - rss_before) * 1.0 / o.idle,
      Verdict(rss_mb < 200));
  std::printf("  arbord threads %ld -> %ld\n", threads_before, threads_idle);
  std::printf(
      "  new client (connect + get_database + close) p50 %.2f ms, p99 %.2f ms; "
      "without the idle ones p50 %.2f ms (ratio %.2f)   goal p50 <= 10 ms: %s\n",
      fresh_idle_p50, Percentile(fresh_idle, 0.99) / 1e6, Median(fresh_before) / 1e6,
      Median(fresh_idle) / Median(fresh_before), Verdict(fresh_idle_p50 <= 10));

  // --- slowloris: alternate quiet and loaded phases; the loaded ones run o.slow
  // clients that each send one byte of a get_database call per second (a new
  // connection replaces one whose request completed or was closed).
  std::this_thread::sleep_for(std::chrono::seconds(1));
  Client steady(server.port);
  std::vector<double> quiet_fresh, quiet_call, loaded_fresh, loaded_call;
  for (int phase = 0; phase < 4; ++phase) {
    const bool loaded = phase % 2 == 1;
    std::atomic<bool> stop{false};
    std::thread trickler;
    if (loaded) {
      trickler = std::thread([&] {
        std::vector<int> fds;
        std::vector<size_t> sent(o.slow, 0);
        for (int i = 0; i < o.slow; ++i)
          fds.push_back(Connect(server.port));
        while (!stop.load()) {
          const double round_start = NowNs();
          for (int i = 0; i < o.slow && !stop.load(); ++i) {
            if (sent[i] + 1 >= call.size()) continue;  // never completes the request
            send(fds[i], call.data() + sent[i], 1, MSG_NOSIGNAL | MSG_DONTWAIT);
            ++sent[i];
          }
          while (!stop.load() && NowNs() - round_start < 1e9)
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        for (int fd : fds)
          close(fd);
      });
      std::this_thread::sleep_for(std::chrono::seconds(1));  // all connected, trickling
    }
    const double end = NowNs() + o.phase_seconds * 1e9;
    while (NowNs() < end) {
      (loaded ? loaded_fresh : quiet_fresh).push_back(FreshClientNs(server.port));
      (loaded ? loaded_call : quiet_call).push_back(CallNs(steady));
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    stop = true;
    if (trickler.joinable()) trickler.join();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  const double fresh_ratio = Median(loaded_fresh) / Median(quiet_fresh);
  const double call_ratio = Median(loaded_call) / Median(quiet_call);
  std::printf("\nslowloris: %d clients sending one byte per second, %d s phases x 2 each way\n",
              o.slow, o.phase_seconds);
  std::printf("  new client p50: %.3f ms quiet, %.3f ms loaded, ratio %.2f   goal <= 2: %s\n",
              Median(quiet_fresh) / 1e6, Median(loaded_fresh) / 1e6, fresh_ratio,
              Verdict(fresh_ratio <= 2));
  std::printf("  get_database p50: %.3f ms quiet, %.3f ms loaded, ratio %.2f   goal <= 2: %s\n",
              Median(quiet_call) / 1e6, Median(loaded_call) / 1e6, call_ratio,
              Verdict(call_ratio <= 2));
  std::printf("  p99 loaded: new client %.3f ms, get_database %.3f ms\n",
              Percentile(loaded_fresh, 0.99) / 1e6, Percentile(loaded_call, 0.99) / 1e6);
  return 0;
}

// arbord: the Arbor server. Opens the repository, serves the Hive Metastore
// Thrift API, and shuts down gracefully on SIGTERM or SIGINT.
#include <signal.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <thread>

#include "server/admin/admin_api.h"
#include "server/admin_metrics.h"
#include "server/config.h"
#include "server/hms/hms_context.h"
#include "server/hms/hms_semantics.h"
#include "server/http_server.h"
#include "server/lakefs/lakefs_client.h"
#include "server/metrics.h"
#include "server/thrift_server.h"
#include "storage/rocks_kv_store.h"
#include "versioning/catalog.h"
#include "versioning/repository.h"

namespace {

using namespace arbor;

// Hive's `default` database: all a new repository's first commit holds.
catalog::Database DefaultDatabase(const ServerConfig& config) {
  catalog::Database db;
  db.set_name("default");
  db.set_description("Default Hive database");
  db.set_location_uri(config.warehouse);
  db.set_owner_name("public");
  db.set_owner_type(catalog::PRINCIPAL_TYPE_ROLE);
  db.mutable_parameters();
  return db;
}

// Copies a backup (a RocksDB checkpoint made by `arbor backup`) to `store_dir`, which
// must not hold a store yet: a restore never overwrites a repository.
Status RestoreBackup(const std::string& backup, const std::string& store_dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(fs::path(backup) / "CURRENT", ec)) {
    return Status::InvalidArgument("--restore-from " + backup +
                                   " is not a backup (no RocksDB CURRENT file in it)");
  }
  if (fs::exists(store_dir, ec) && !fs::is_empty(store_dir, ec)) {
    return Status::AlreadyExists("--restore-from needs an empty data directory, but " + store_dir +
                                 " already holds a store");
  }
  // Copy into a temporary name and rename, so a crash mid-copy leaves no half store.
  std::string partial = store_dir + ".restoring";
  fs::remove_all(partial, ec);
  fs::copy(backup, partial, fs::copy_options::recursive, ec);
  if (ec) return Status::IOError("copying " + backup + " to " + partial + ": " + ec.message());
  fs::remove(store_dir, ec);  // an empty directory, if any
  fs::rename(partial, store_dir, ec);
  if (ec) return Status::IOError("renaming " + partial + " to " + store_dir + ": " + ec.message());
  return Status::OK();
}

int Run(const ServerConfig& config) {
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) {
    spdlog::critical("cannot create data directory {}: {}", config.data_dir, ec.message());
    return 1;
  }
  RocksOptions rocks;
  rocks.path = config.data_dir + "/rocksdb";
  if (!config.restore_from.empty()) {
    if (Status s = RestoreBackup(config.restore_from, rocks.path); !s.ok()) {
      spdlog::critical("restore: {}", s.message());
      return 1;
    }
    spdlog::info("restored the backup in {} into {}", config.restore_from, rocks.path);
  }
  rocks.sync_writes = config.sync_writes;
  auto kv = RocksKvStore::Open(rocks);
  if (!kv.ok()) {
    spdlog::critical("{}", kv.status().ToString());
    return 1;
  }
  // lakeFS: a configured but unusable lakeFS stops start-up; Arbor never falls back
  // to standalone silently.
  std::unique_ptr<LakeFsClient> lakefs;
  if (config.lakefs_enabled()) {
    LakeFsClientOptions lo;
    lo.endpoint = config.lakefs_endpoint;
    lo.access_key_id = config.lakefs_access_key_id;
    lo.secret_access_key = config.lakefs_secret_access_key;
    lo.repository = config.lakefs_repository;
    lo.request_timeout = std::chrono::seconds(config.lakefs_timeout_seconds);
    auto client = LakeFsClient::Create(std::move(lo));
    if (!client.ok()) {
      spdlog::critical("lakeFS configuration: {}", client.status().message());
      return 1;
    }
    if (Status s = (*client)->CheckRepository(); !s.ok()) {
      spdlog::critical("lakeFS at {}: {}", config.lakefs_endpoint, s.message());
      return 1;
    }
    lakefs = std::move(client).value();
    spdlog::info("lakeFS coupling on: repository '{}' at {}", config.lakefs_repository,
                 config.lakefs_endpoint);
  }

  RepositoryOptions repo_options;
  repo_options.default_branch = config.default_branch;
  auto initial = InitialCatalogEdits({DefaultDatabase(config)});
  if (!initial.ok()) {
    spdlog::critical("initial catalog: {}", initial.status().ToString());
    return 1;
  }
  repo_options.initial_entries = std::move(initial).value();
  repo_options.lakefs = lakefs.get();
  repo_options.lakefs_repository = config.lakefs_repository;
  repo_options.intent_grace_micros =
      int64_t{1'000'000} * (config.intent_grace_seconds > 0
                                ? config.intent_grace_seconds
                                : 2 * config.lakefs_timeout_seconds + 10);
  auto repo = Repository::Open(kv->get(), std::move(repo_options));
  if (!repo.ok()) {
    spdlog::critical("opening the repository in {}: {}", config.data_dir, repo.status().ToString());
    return 1;
  }
  if (Status s = (*repo)->CollectStagingGarbage(); !s.ok()) {
    spdlog::warn("staging clean-up: {}", s.ToString());
  }
  if (lakefs) {
    auto pending = (*repo)->ResolveIntents();
    if (!pending.ok()) {
      spdlog::warn("resolving lakeFS intents: {}", pending.status().ToString());
    } else if (*pending > 0) {
      spdlog::warn("{} lakeFS intent(s) still pending; their branches refuse writes until resolved",
                   *pending);
    }
  }

  hms::LockManager locks(std::chrono::seconds(config.lock_timeout_seconds));
  hms::HmsContext context;
  context.repo = repo->get();
  context.options.default_branch = config.default_branch;
  context.options.ref_separator = config.ref_separator;
  context.options.warehouse = config.warehouse;
  context.locks = &locks;
  context.started_at_seconds = hms::NowSeconds();
  context.locations = LocationMapper(config.lakefs_storage_prefixes);
  Metrics metrics;
  metrics.SetThriftConnectionsSource([&context] { return context.open_connections.load(); });
  AdminApiOptions admin_options;
  admin_options.admin_token = config.admin_token;
  AdminMetrics admin_metrics(&metrics);
  admin_options.observer = &admin_metrics;
  admin_options.locations = &context.locations;
  admin_options.gc_grace_seconds = config.gc_grace_seconds;
  AdminApi admin(context.repo, admin_options);

  // Signals are taken synchronously by sigwait below; block them before any
  // thread starts so no server thread receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  hms::HmsServer thrift(&context, &config, &metrics);
  if (Status s = thrift.Start(); !s.ok()) {
    spdlog::critical("{}", s.ToString());
    return 1;
  }
  HttpServerOptions http_options;
  http_options.host = config.http_listen.host;
  http_options.port = config.http_listen.port;
  http_options.metrics = &metrics;
  // Handlers block on the repository (and on lakeFS calls, which may take up to
  // --lakefs-timeout): enough threads that one slow call does not stall the API.
  http_options.threads = 8;
  HttpServer http(&admin, http_options);
  if (Status s = http.Start(); !s.ok()) {
    spdlog::critical("{}", s.ToString());
    thrift.Stop();
    return 1;
  }
  spdlog::info(
      "arbord serving Hive Metastore on {}:{} and the admin API on http://{}:{} "
      "(data in {}, default branch '{}')",
      config.listen.host, thrift.port(), config.http_listen.host, http.port(), config.data_dir,
      config.default_branch);
  // A line tests and scripts can wait for.
  std::printf("arbord ready thrift=%u http=%u\n", thrift.port(), http.port());
  std::fflush(stdout);

  // Intents left pending (lakeFS unreachable) are retried in the background.
  std::mutex stop_mu;
  std::condition_variable stop_cv;
  bool stopping = false;
  std::thread resolver;
  if (lakefs) {
    resolver = std::thread([&] {
      std::unique_lock<std::mutex> lock(stop_mu);
      while (!stop_cv.wait_for(lock, std::chrono::seconds(config.intent_resolve_interval_seconds),
                               [&] { return stopping; })) {
        lock.unlock();
        auto pending = context.repo->ResolveIntents();
        if (!pending.ok())
          spdlog::warn("resolving lakeFS intents: {}", pending.status().ToString());
        lock.lock();
      }
    });
  }

  // Garbage collection in the background, off with --gc-interval 0.
  std::thread collector;
  if (config.gc_interval_seconds > 0) {
    collector = std::thread([&] {
      std::unique_lock<std::mutex> lock(stop_mu);
      while (!stop_cv.wait_for(lock, std::chrono::seconds(config.gc_interval_seconds),
                               [&] { return stopping; })) {
        lock.unlock();
        GcOptions gc;
        gc.grace_micros = config.gc_grace_seconds * 1'000'000;
        auto report = context.repo->CollectGarbage(gc);
        if (!report.ok()) {
          spdlog::warn("garbage collection: {}", report.status().ToString());
        } else {
          spdlog::info(
              "garbage collection: freed {} of {} objects ({} bytes) in {} ms, writers "
              "paused {} ms",
              report->objects_freed, report->objects_scanned, report->bytes_freed,
              report->total_micros / 1000, report->pause_micros / 1000);
        }
        lock.lock();
      }
    });
  }

  int sig = 0;
  sigwait(&signals, &sig);
  spdlog::info("signal {} received: shutting down", sig);
  {
    std::lock_guard<std::mutex> lock(stop_mu);
    stopping = true;
  }
  stop_cv.notify_all();
  if (resolver.joinable()) resolver.join();
  if (collector.joinable()) collector.join();
  http.Stop();
  thrift.Stop();
  spdlog::info("arbord stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  auto config = arbor::ParseServerConfig(argc, argv, arbor::ProcessEnvironment());
  if (!config.ok()) {
    std::cerr << "arbord: " << config.status().message() << "\n";
    return 2;
  }
  if (config->show_help) {
    std::cout << arbor::ServerHelp();
    return 0;
  }
  if (config->show_version) {
    std::cout << "arbord 0.1.0\n";
    return 0;
  }
  // Logs go to stderr: stdout carries only the ready line that scripts wait for.
  spdlog::set_default_logger(spdlog::stderr_color_mt("arbord"));
  spdlog::set_level(spdlog::level::from_str(config->log_level));
  return Run(*config);
}

// arbord: the Arbor server. Opens the repository, serves the Hive Metastore
// Thrift API, and shuts down gracefully on SIGTERM or SIGINT.
#include <signal.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "server/config.h"
#include "server/hms_context.h"
#include "server/hms_semantics.h"
#include "server/thrift_server.h"
#include "storage/rocks_kv_store.h"
#include "versioning/deterministic_proto.h"
#include "versioning/repository.h"

namespace {

using namespace arbor;

// The first commit of a new repository: Hive's `default` database.
std::vector<Edit> InitialCatalog(const ServerConfig& config) {
  catalog::Database db;
  db.set_name("default");
  db.set_description("Default Hive database");
  db.set_location_uri(config.warehouse);
  db.set_owner_name("public");
  db.set_owner_type(catalog::PRINCIPAL_TYPE_ROLE);
  db.mutable_parameters();
  return {{EncodeKey(CatalogKey::ForDatabase("default")).value(), SerializeDeterministic(db)}};
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
  rocks.sync_writes = config.sync_writes;
  auto kv = RocksKvStore::Open(rocks);
  if (!kv.ok()) {
    spdlog::critical("{}", kv.status().ToString());
    return 1;
  }
  RepositoryOptions repo_options;
  repo_options.default_branch = config.default_branch;
  repo_options.initial_entries = InitialCatalog(config);
  auto repo = Repository::Open(kv->get(), std::move(repo_options));
  if (!repo.ok()) {
    spdlog::critical("opening the repository in {}: {}", config.data_dir, repo.status().ToString());
    return 1;
  }
  if (Status s = (*repo)->CollectStagingGarbage(); !s.ok()) {
    spdlog::warn("staging clean-up: {}", s.ToString());
  }

  hms::LockManager locks(std::chrono::seconds(config.lock_timeout_seconds));
  hms::HmsContext context;
  context.repo = repo->get();
  context.config = &config;
  context.locks = &locks;
  context.started_at_seconds = hms::NowSeconds();

  // Signals are taken synchronously by sigwait below; block them before any
  // thread starts so no server thread receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  hms::HmsServer thrift(&context);
  if (Status s = thrift.Start(); !s.ok()) {
    spdlog::critical("{}", s.ToString());
    return 1;
  }
  spdlog::info("arbord serving Hive Metastore on {}:{} (data in {}, default branch '{}')",
               config.listen.host, thrift.port(), config.data_dir, config.default_branch);
  // A line tests and scripts can wait for.
  std::printf("arbord ready thrift=%u\n", thrift.port());
  std::fflush(stdout);

  int sig = 0;
  sigwait(&signals, &sig);
  spdlog::info("signal {} received: shutting down", sig);
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
  spdlog::set_level(spdlog::level::from_str(config->log_level));
  return Run(*config);
}

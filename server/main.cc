// arbord: the Arbor server. Opens the repository, serves the Hive Metastore
// Thrift API, and shuts down gracefully on SIGTERM or SIGINT; SIGHUP reloads the
// TLS certificates.
#include <signal.h>
#include <spdlog/fmt/ranges.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <thread>

#include "server/admin/admin_api.h"
#include "server/admin_metrics.h"
#include "server/auth/sasl_layer.h"
#include "server/auth/secrets.h"
#include "server/auth/users.h"
#include "server/config.h"
#include "server/hms/hms_context.h"
#include "server/hms/hms_semantics.h"
#include "server/http_server.h"
#include "server/lakefs/lakefs_client.h"
#include "server/metrics.h"
#include "server/store.h"
#include "server/thrift_server.h"
#include "server/tls/tls_certificates.h"
#include "versioning/catalog.h"
#include "versioning/repository.h"
#include "versioning/shared_record.h"

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

// Idle Thrift connections are cheap, so the descriptor limit is what bounds them:
// raise the soft limit to the hard one, and say so if --max-connections cannot fit.
void RaiseFileLimit(const ServerConfig& config) {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return;
  if (lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &lim) != 0) getrlimit(RLIMIT_NOFILE, &lim);
  }
  // RocksDB, the admin API and refused connections need descriptors too.
  constexpr rlim_t kReserved = 1024;
  if (lim.rlim_cur != RLIM_INFINITY &&
      static_cast<rlim_t>(config.max_connections) + kReserved > lim.rlim_cur) {
    spdlog::warn(
        "--max-connections {} does not fit the open-file limit {} (RLIMIT_NOFILE); "
        "connections beyond about {} will fail to be accepted",
        config.max_connections, lim.rlim_cur,
        lim.rlim_cur > kReserved ? lim.rlim_cur - kReserved : 0);
  }
}

// Safe defaults: a port reachable from other machines needs authentication, or
// an explicit --insecure. Says which port and what to configure.
bool CheckExposure(const ServerConfig& config, const auth::UserDirectory* users) {
  // A required client certificate authenticates on both ports.
  const bool mtls = config.tls_enabled() && config.tls_client_auth == "required";
  const bool thrift_open =
      !IsLoopbackHost(config.listen.host) && !config.thrift_auth_enabled() && !mtls;
  const bool admin_auth =
      mtls || !config.admin_token.empty() || (users != nullptr && users->has_tokens());
  const bool admin_open = !IsLoopbackHost(config.http_listen.host) && !admin_auth;
  if (!thrift_open && !admin_open) return true;
  std::string what;
  if (thrift_open)
    what = "the Thrift port on " + config.listen.ToString() + " (--thrift-auth is none)";
  if (admin_open) {
    what += std::string(what.empty() ? "" : " and ") + "the admin API on " +
            config.http_listen.ToString() + " (no --admin-token and no user tokens)";
  }
  if (config.insecure) {
    spdlog::warn("--insecure: {} accept(s) anyone who can reach it", what);
    return true;
  }
  spdlog::critical(
      "refusing to start: {} would accept anyone on the network. Configure authentication "
      "(docs/security.md), listen on 127.0.0.1, or pass --insecure true",
      what);
  return false;
}

int Run(const ServerConfig& config) {
  RaiseFileLimit(config);
  // Who may do what: the users file, shared by the Thrift port and the admin API.
  std::unique_ptr<auth::UserDirectory> users;
  if (!config.users_file.empty()) {
    auto loaded = auth::UserDirectory::Load(config.users_file);
    if (!loaded.ok()) {
      spdlog::critical("{}", loaded.status().message());
      return 1;
    }
    users = std::make_unique<auth::UserDirectory>(std::move(loaded).value());
  } else {
    // No file: everyone authenticated (Kerberos, certificates) has the default role.
    users = std::make_unique<auth::UserDirectory>();
  }
  users->set_default_role(auth::ParseRole(config.default_role).value());
  if (config.thrift_auth_enabled() || !config.users_file.empty()) {
    spdlog::info("users: {} listed{}, others authenticated get role {}", users->size(),
                 config.users_file.empty() ? "" : " in " + config.users_file, config.default_role);
  }
  if (!CheckExposure(config, users.get())) return 1;
  std::unique_ptr<auth::SaslServer> sasl;
  if (config.thrift_auth_enabled()) {
    auth::SaslOptions so;
    so.mechanisms = config.sasl_mechanisms;
    so.users = users.get();
    so.max_frame_bytes = static_cast<size_t>(config.max_message_bytes);
    if (!config.kerberos_principal.empty()) {
      if (Status s = auth::ParseServicePrincipal(config.kerberos_principal, &so); !s.ok()) {
        spdlog::critical("{}", s.message());
        return 1;
      }
    }
    if (!config.kerberos_keytab.empty()) {
      // MIT Kerberos reads the acceptor's keytab from the environment.
      if (access(config.kerberos_keytab.c_str(), R_OK) != 0) {
        spdlog::critical("cannot read --kerberos-keytab '{}'", config.kerberos_keytab);
        return 1;
      }
      setenv("KRB5_KTNAME", ("FILE:" + config.kerberos_keytab).c_str(), 1);
    }
    auto created = auth::SaslServer::Create(std::move(so));
    if (!created.ok()) {
      spdlog::critical("Thrift authentication: {}", created.status().message());
      return 1;
    }
    sasl = std::move(created).value();
    spdlog::info("Thrift port requires SASL authentication ({}{})",
                 fmt::join(config.sasl_mechanisms, ", "),
                 config.kerberos_principal.empty() ? "" : " as " + config.kerberos_principal);
  }
  auto kv = OpenStore(config);
  if (!kv.ok()) {
    spdlog::critical("opening the store {}: {}", DescribeStore(config), kv.status().ToString());
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
    spdlog::critical("opening the repository in {}: {}", DescribeStore(config),
                     repo.status().ToString());
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

  // On a shared store, the HMS lock table is shared too: a lock taken through one
  // instance must block writers on every other.
  SharedRecord shared_locks(kv->get(), "hms-locks");
  hms::LockManager::SharedTable lock_table;
  if (config.postgres_store()) {
    lock_table = [&shared_locks](const std::function<Status(std::string*)>& update) {
      return shared_locks.Update(update);
    };
  }
  hms::LockManager locks(std::chrono::seconds(config.lock_timeout_seconds), nullptr,
                         std::move(lock_table));
  hms::HmsContext context;
  context.repo = repo->get();
  context.options.default_branch = config.default_branch;
  context.options.ref_separator = config.ref_separator;
  context.options.warehouse = config.warehouse;
  context.locks = &locks;
  context.users = users.get();
  context.started_at_seconds = hms::NowSeconds();
  context.locations = LocationMapper(config.lakefs_storage_prefixes);
  Metrics metrics;
  metrics.SetThriftConnectionsSource([&context] { return context.open_connections.load(); });
  AdminApiOptions admin_options;
  admin_options.admin_token = config.admin_token;
  admin_options.users = users.get();
  // Every https caller presents a verified certificate: roles apply to them.
  admin_options.require_authentication =
      config.tls_enabled() && config.tls_client_auth == "required";
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
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  std::unique_ptr<tls::TlsCertificates> tls;
  if (config.tls_enabled()) {
    tls::TlsSettings settings;
    settings.cert_file = config.tls_cert;
    settings.key_file = config.tls_key;
    settings.key_password_file = config.tls_key_password_file;
    settings.ca_file = config.tls_ca;
    settings.client_auth = config.tls_client_auth == "required"   ? tls::ClientAuth::kRequired
                           : config.tls_client_auth == "optional" ? tls::ClientAuth::kOptional
                                                                  : tls::ClientAuth::kNone;
    auto loaded = tls::TlsCertificates::Load(settings);
    if (!loaded.ok()) {
      spdlog::critical("{}", loaded.status().ToString());
      return 1;
    }
    tls = std::move(*loaded);
    if (config.tls_reload_interval_seconds > 0)
      tls->Watch(std::chrono::seconds(config.tls_reload_interval_seconds));
  }

  hms::HmsServer thrift(&context, &config, &metrics, tls.get(), sasl.get());
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
  http_options.tls = tls.get();

  HttpServer http(&admin, http_options);
  if (Status s = http.Start(); !s.ok()) {
    spdlog::critical("{}", s.ToString());
    thrift.Stop();
    return 1;
  }
  spdlog::info(
      "arbord serving Hive Metastore on {}:{}{} and the admin API on {}://{}:{} "
      "(data in {}, default branch '{}')",
      config.listen.host, thrift.port(),
      tls ? " (TLS, client certificates " + config.tls_client_auth + ")" : std::string(),
      tls ? "https" : "http", config.http_listen.host, http.port(), DescribeStore(config),
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
  if (config.gc_interval_seconds > 0 && config.postgres_store()) {
    spdlog::info("background garbage collection is off: the store is shared by instances");
  }
  if (config.gc_interval_seconds > 0 && !config.postgres_store()) {
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
  while (sigwait(&signals, &sig) == 0 && sig == SIGHUP) {
    if (tls) {
      (void)tls->Reload("SIGHUP");
    } else {
      spdlog::info("SIGHUP received: nothing to reload (TLS is off)");
    }
  }
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

// `arbord --hash-password` / `--hash-token`: a hash for the users file, from a
// secret read on stdin (so it is in no shell history and no ps listing);
// `arbord --new-token`: a fresh token and its hash.
int HashTool(std::string_view mode) {
  if (mode == "--new-token") {
    auto token = auth::NewToken();
    if (!token.ok()) return 1;
    std::cout << *token << "\n" << auth::HashToken(*token) << "\n";
    return 0;
  }
  std::string secret;
  if (!std::getline(std::cin, secret) || secret.empty()) {
    std::cerr << "arbord " << mode << ": reads the secret from the first line of stdin\n";
    return 2;
  }
  if (!secret.empty() && secret.back() == '\r') secret.pop_back();
  if (mode == "--hash-token") {
    std::cout << auth::HashToken(secret) << "\n";
    return 0;
  }
  auto hash = auth::HashPassword(secret);
  if (!hash.ok()) {
    std::cerr << "arbord: " << hash.status().message() << "\n";
    return 1;
  }
  std::cout << *hash << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2) {
    std::string_view mode = argv[1];
    if (mode == "--hash-password" || mode == "--hash-token" || mode == "--new-token") {
      return HashTool(mode);
    }
  }
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

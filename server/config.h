// ServerConfig: every arbord option, from a config file, flags and environment.
//
// Precedence (docs/architecture.md#configuration): the file named by --config, overridden by
// command-line flags, overridden by ARBOR_* environment variables (--data-dir <-> ARBOR_DATA_DIR).
// The file holds `name = value` lines with the flag names, `#` comments allowed.
// Every option is listed once, in kOptions (config.cc), which drives parsing,
// validation and --help alike.
//
// Not CLI11: its precedence is flags over environment over file, the reverse
// of ours for the environment; its file format and messages carry no
// file:line; and a value spelled like a known option (`--admin-token --help`)
// becomes that option. It would replace only the 35-line flag loop in
// config.cc, at the cost of translating its exceptions into these messages.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/status.h"

namespace arbor {

struct HostPort {
  std::string host;
  uint16_t port = 0;
  std::string ToString() const { return host + ":" + std::to_string(port); }
};

struct ServerConfig {
  std::string data_dir = "./var/arbor";
  // "rocksdb" (embedded, in data_dir) or a postgresql:// URI (shared by instances).
  std::string store = "rocksdb";
  std::string store_password;  // never logged
  int store_pool_size = 32;
  bool postgres_store() const { return store != "rocksdb"; }
  HostPort listen{"127.0.0.1", 9083};
  HostPort http_listen{"127.0.0.1", 9084};
  std::string default_branch = "main";
  char ref_separator = '@';
  std::string warehouse = "file:/tmp/arbor/warehouse";
  // Idle connections cost no thread (server/thrift_server.h), so the limit is
  // about file descriptors; arbord raises its soft RLIMIT_NOFILE to the hard one.
  int max_connections = 10'000;
  // Workers that parse requests and run the handler.
  int worker_threads = 64;
  // A request must arrive whole within this many seconds of its first byte, and a
  // reply must make progress within it; else the connection is closed.
  int request_timeout_seconds = 60;
  // Bytes of Thrift requests being received, summed over every connection.
  uint64_t max_pending_bytes = uint64_t{1} << 30;
  std::string log_level = "info";
  std::string transport = "buffered";  // buffered | framed
  std::string protocol = "binary";     // binary | compact
  int lock_timeout_seconds = 300;
  int64_t max_message_bytes = 256 << 20;
  // Thrift's generated readers size a container before reading its elements, so a
  // few hostile bytes claiming a huge list cost elements × struct size of memory.
  int64_t max_container_elements = 32'768;
  // TLS on both ports (Thrift and admin HTTP) when tls_cert is set; the files
  // are reloaded on SIGHUP and when they change (server/tls/tls_certificates.h).
  std::string tls_cert;
  std::string tls_key;
  std::string tls_key_password_file;    // the key's password is never held here
  std::string tls_ca;                   // CAs that sign client certificates
  std::string tls_client_auth;          // none | optional | required; "" = by tls_ca
  int tls_reload_interval_seconds = 5;  // 0: only on SIGHUP
  bool tls_enabled() const { return !tls_cert.empty(); }
  std::string admin_token;  // never logged
  // Authentication on the Thrift port (docs/security.md): SASL mechanisms
  // offered, "GSSAPI" (--thrift-auth kerberos) and/or "PLAIN" (password); none
  // when empty.
  std::vector<std::string> sasl_mechanisms;
  std::string kerberos_principal;  // service/host@REALM
  std::string kerberos_keytab;
  std::string users_file;               // roles, password and token hashes
  std::string default_role = "reader";  // of authenticated users the file does not list
  // Listen on a non-loopback address without authentication.
  bool insecure = false;
  bool thrift_auth_enabled() const { return !sasl_mechanisms.empty(); }
  bool sync_writes = true;
  // Free space kept on the data directory's filesystem; below it writes fail with
  // NoSpace (storage/disk_space_guard.h). 1 GiB leaves RocksDB room for a full
  // memtable flush per column, a compaction and a few maximum-size requests.
  uint64_t disk_reserve_bytes = uint64_t{1} << 30;
  // lakeFS coupling; all empty = standalone.
  std::string lakefs_endpoint;
  std::string lakefs_access_key_id;
  std::string lakefs_secret_access_key;  // never logged
  std::string lakefs_repository;
  // URI prefixes that address the repository's data, e.g. s3a://repo/ and lakefs://repo/.
  std::vector<std::string> lakefs_storage_prefixes;
  int lakefs_timeout_seconds = 30;
  int intent_resolve_interval_seconds = 30;
  int intent_grace_seconds = 0;  // 0: twice --lakefs-timeout plus 10 s
  // Garbage collection of unreachable objects: every gc_interval_seconds (0: only on
  // demand); an object goes only after every ref reaching it has been gone gc_grace.
  int64_t gc_interval_seconds = 3600;
  int64_t gc_grace_seconds = 3600;
  // A backup (an `arbor backup` directory) to copy into an empty --data-dir at start-up.
  std::string restore_from;

  bool lakefs_enabled() const { return !lakefs_endpoint.empty(); }
  bool show_help = false;
  bool show_version = false;
};

// Parses argv and the environment (and the --config file they name).
// InvalidArgument with a message naming the option for anything malformed.
Result<ServerConfig> ParseServerConfig(int argc, const char* const* argv,
                                       const std::map<std::string, std::string>& env);

// The process environment as a map, for ParseServerConfig.
std::map<std::string, std::string> ProcessEnvironment();

std::string ServerHelp();

Result<HostPort> ParseHostPort(std::string_view text);

// True for a host that only this machine can reach (127.0.0.0/8, ::1,
// localhost); false for a wildcard ("", 0.0.0.0, ::) or any other address.
bool IsLoopbackHost(std::string_view host);

}  // namespace arbor

#include "server/config.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>

extern char** environ;

namespace arbor {

namespace {

std::string Trim(std::string_view s);

struct Option {
  const char* name;  // flag name without "--"
  const char* value_hint;
  const char* help;
  std::function<Status(ServerConfig*, std::string_view)> set;
};

Result<int64_t> ParseInt(std::string_view name, std::string_view v, int64_t min, int64_t max) {
  int64_t out = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || p != v.data() + v.size() || out < min || out > max) {
    return Status::InvalidArgument("--" + std::string(name) + " expects a whole number from " +
                                   std::to_string(min) + " to " + std::to_string(max) + ", got '" +
                                   std::string(v) + "'");
  }
  return out;
}

// A byte count: a whole number with an optional binary unit (K, M, G, T; KiB, MB,
// ... read as powers of 1024).
Result<uint64_t> ParseBytes(std::string_view name, std::string_view v) {
  std::string_view digits = v;
  size_t end = digits.find_first_not_of("0123456789");
  std::string_view unit = end == std::string_view::npos ? "" : digits.substr(end);
  digits = digits.substr(0, end);
  auto bad = [&] {
    return Status::InvalidArgument("--" + std::string(name) +
                                   " expects a size such as 1073741824, 512M or 1G, got '" +
                                   std::string(v) + "'");
  };
  if (digits.empty() || digits.size() > 15) return bad();
  uint64_t n = std::stoull(std::string(digits));
  int shift = 0;
  if (!unit.empty()) {
    switch (std::toupper(static_cast<unsigned char>(unit[0]))) {
      case 'K':
        shift = 10;
        break;
      case 'M':
        shift = 20;
        break;
      case 'G':
        shift = 30;
        break;
      case 'T':
        shift = 40;
        break;
      default:
        return bad();
    }
    unit.remove_prefix(1);
    if (unit == "iB" || unit == "B" || unit == "ib" || unit == "b") unit = "";
    if (!unit.empty()) return bad();
  }
  if (n > (uint64_t{1} << (62 - shift))) return bad();
  return n << shift;
}

Status OneOf(std::string_view name, std::string_view v, std::initializer_list<const char*> allowed,
             std::string* out) {
  for (const char* a : allowed) {
    if (v == a) {
      *out = std::string(v);
      return Status::OK();
    }
  }
  std::string list;
  for (const char* a : allowed)
    list += (list.empty() ? "" : ", ") + std::string(a);
  return Status::InvalidArgument("--" + std::string(name) + " must be one of " + list + ", got '" +
                                 std::string(v) + "'");
}

Status ParseBool(std::string_view name, std::string_view v, bool* out) {
  if (v == "true" || v == "1" || v == "yes" || v == "on") {
    *out = true;
  } else if (v == "false" || v == "0" || v == "no" || v == "off") {
    *out = false;
  } else {
    return Status::InvalidArgument("--" + std::string(name) + " expects true or false, got '" +
                                   std::string(v) + "'");
  }
  return Status::OK();
}

const std::vector<Option>& Options() {
  static const std::vector<Option> kOptions = {
      {"data-dir", "DIR", "RocksDB data directory (created if missing). Default ./var/arbor",
       [](ServerConfig* c, std::string_view v) {
         if (v.empty()) return Status::InvalidArgument("--data-dir must not be empty");
         c->data_dir = std::string(v);
         return Status::OK();
       }},
      {"store", "rocksdb|URI",
       "Catalog store: rocksdb (embedded, in --data-dir; the default) or a PostgreSQL URI "
       "(postgresql://user@host:5432/db) shared by several arbord instances",
       [](ServerConfig* c, std::string_view v) -> Status {
         if (v != "rocksdb" && v.rfind("postgresql://", 0) != 0 && v.rfind("postgres://", 0) != 0)
           return Status::InvalidArgument(
               "--store must be rocksdb or a postgresql:// URI, got '" +
               (v.find('@') == std::string_view::npos ? std::string(v) : "<a URI>") + "'");
         c->store = std::string(v);
         return Status::OK();
       }},
      {"store-password", "SECRET",
       "PostgreSQL password (prefer the _FILE form, ARBOR_STORE_PASSWORD or ~/.pgpass)",
       [](ServerConfig* c, std::string_view v) {
         c->store_password = std::string(v);
         return Status::OK();
       }},
      {"store-password-file", "FILE", "Read the PostgreSQL password from FILE",
       [](ServerConfig* c, std::string_view v) -> Status {
         std::ifstream in{std::string(v)};
         if (!in)
           return Status::InvalidArgument("cannot read --store-password-file '" + std::string(v) +
                                          "'");
         std::string secret;
         std::getline(in, secret);
         c->store_password = Trim(secret);
         return Status::OK();
       }},
      {"store-pool-size", "N",
       "PostgreSQL connections per arbord (snapshots of running requests hold one each). "
       "Default 32",
       [](ServerConfig* c, std::string_view v) -> Status {
         ARBOR_ASSIGN_OR_RETURN(int64_t n, ParseInt("store-pool-size", v, 2, 1000));
         c->store_pool_size = static_cast<int>(n);
         return Status::OK();
       }},
      {"listen", "HOST:PORT", "Thrift (HMS) address. Default 127.0.0.1:9083",
       [](ServerConfig* c, std::string_view v) -> Status {
         ARBOR_ASSIGN_OR_RETURN(c->listen, ParseHostPort(v));
         return Status::OK();
       }},
      {"http-listen", "HOST:PORT", "Admin HTTP API address. Default 127.0.0.1:9084",
       [](ServerConfig* c, std::string_view v) -> Status {
         ARBOR_ASSIGN_OR_RETURN(c->http_listen, ParseHostPort(v));
         return Status::OK();
       }},
      {"default-branch", "NAME",
       "Branch used when neither the name nor the session names a ref. Default main",
       [](ServerConfig* c, std::string_view v) {
         c->default_branch = std::string(v);
         return Status::OK();
       }},
      {"ref-separator", "CHAR",
       "Separator between database and ref in names (sales@dev). Default @",
       [](ServerConfig* c, std::string_view v) {
         if (v.size() != 1 || std::isalnum(static_cast<unsigned char>(v[0])) || v[0] == '_' ||
             v[0] == '#') {
           return Status::InvalidArgument(
               "--ref-separator must be one punctuation character other than _ and #");
         }
         c->ref_separator = v[0];
         return Status::OK();
       }},
      {"warehouse", "URI",
       "Root of default database and table locations. Default file:/tmp/arbor/warehouse",
       [](ServerConfig* c, std::string_view v) {
         if (v.empty()) return Status::InvalidArgument("--warehouse must not be empty");
         c->warehouse = std::string(v);
         while (c->warehouse.size() > 1 && c->warehouse.back() == '/')
           c->warehouse.pop_back();
         return Status::OK();
       }},
      {"disk-reserve", "SIZE",
       "Free space to keep on the data directory's filesystem: below it every write fails "
       "(HMS MetaException, HTTP 507) while reads keep working, and writes resume once space "
       "is freed. 0 turns the check off. Default 1G",
       [](ServerConfig* c, std::string_view v) -> Status {
         ARBOR_ASSIGN_OR_RETURN(c->disk_reserve_bytes, ParseBytes("disk-reserve", v));
         return Status::OK();
       }},
      {"max-connections", "N",
       "Maximum concurrent Thrift connections; beyond, a client is refused with an error. "
       "Idle connections hold no thread. Default 10000",
       [](ServerConfig* c, std::string_view v) -> Status {
         ARBOR_ASSIGN_OR_RETURN(int64_t n, ParseInt("max-connections", v, 1, 1'000'000));
         c->max_connections = static_cast<int>(n);
         return Status::OK();
       }},
      {"worker-threads", "N",
       "Threads that parse Thrift requests and run them (requests in flight at once). "
       "Default 64",
       [](ServerConfig* c, std::string_view v) -> Status {
         ARBOR_ASSIGN_OR_RETURN(int64_t n, ParseInt("worker-threads", v, 1, 4096));
         c->worker_threads = static_cast<int>(n);
         return Status::OK();
       }},
      {"request-timeout", "SECONDS",
       "A Thrift request must arrive whole within this many seconds of its first byte (and "
       "a reply must make progress within it), else the connection is closed. Default 60",
       [](ServerConfig* c, std::string_view v) -> Status {
         ARBOR_ASSIGN_OR_RETURN(int64_t n, ParseInt("request-timeout", v, 1, 86400));
         c->request_timeout_seconds = static_cast<int>(n);
         return Status::OK();
       }},
      {"log-level", "LEVEL", "trace, debug, info, warn, error or off. Default info",
       [](ServerConfig* c, std::string_view v) {
         return OneOf("log-level", v, {"trace", "debug", "info", "warn", "error", "off"},
                      &c->log_level);
       }},
      {"transport", "KIND", "Thrift transport: buffered (Hive's default) or framed",
       [](ServerConfig* c, std::string_view v) {
         return OneOf("transport", v, {"buffered", "framed"}, &c->transport);
       }},
      {"protocol", "KIND", "Thrift protocol: binary (Hive's default) or compact",
       [](ServerConfig* c, std::string_view v) {
         return OneOf("protocol", v, {"binary", "compact"}, &c->protocol);
       }},
      {"tls-cert", "FILE",
       "PEM certificate (then intermediates) for TLS on both the Thrift and the admin port; "
       "with --tls-key turns TLS on. Default: off",
       [](ServerConfig* c, std::string_view v) {
         c->tls_cert = std::string(v);
         return Status::OK();
       }},
      {"tls-key", "FILE", "PEM private key of --tls-cert",
       [](ServerConfig* c, std::string_view v) {
         c->tls_key = std::string(v);
         return Status::OK();
       }},
      {"tls-key-password-file", "FILE", "Read the password of an encrypted --tls-key from FILE",
       [](ServerConfig* c, std::string_view v) {
         c->tls_key_password_file = std::string(v);
         return Status::OK();
       }},
      {"tls-ca", "FILE",
       "PEM CA certificates that sign client certificates (mutual TLS on both ports)",
       [](ServerConfig* c, std::string_view v) {
         c->tls_ca = std::string(v);
         return Status::OK();
       }},
      {"tls-client-auth", "MODE",
       "Client certificates: none, optional (verified if presented) or required. Default "
       "required with --tls-ca, else none",
       [](ServerConfig* c, std::string_view v) {
         return OneOf("tls-client-auth", v, {"none", "optional", "required"}, &c->tls_client_auth);
       }},
      {"tls-reload-interval", "SECONDS",
       "How often the TLS files are checked for changes (reloaded also on SIGHUP); 0: only "
       "on SIGHUP. Default 5",
       [](ServerConfig* c, std::string_view v) -> Status {
         ARBOR_ASSIGN_OR_RETURN(int64_t n, ParseInt("tls-reload-interval", v, 0, 86400));
         c->tls_reload_interval_seconds = static_cast<int>(n);
         return Status::OK();
       }},
      {"lock-timeout", "SECONDS",
       "HMS locks expire after this long without a heartbeat. Default 300",
       [](ServerConfig* c, std::string_view v) -> Status {
         ARBOR_ASSIGN_OR_RETURN(int64_t n, ParseInt("lock-timeout", v, 1, 86400 * 7));
         c->lock_timeout_seconds = static_cast<int>(n);
         return Status::OK();
       }},
      {"max-pending-bytes", "SIZE",
       "Bytes of Thrift requests being received, summed over all connections; the "
       "connection that goes over it is closed. Default 1G",
       [](ServerConfig* c, std::string_view v) -> Status {
         ARBOR_ASSIGN_OR_RETURN(c->max_pending_bytes, ParseBytes("max-pending-bytes", v));
         if (c->max_pending_bytes < 4096) {
           return Status::InvalidArgument("--max-pending-bytes must be at least 4096");
         }
         return Status::OK();
       }},
      {"max-message-bytes", "N", "Largest Thrift string or binary accepted. Default 268435456",
       [](ServerConfig* c, std::string_view v) -> Status {
         ARBOR_ASSIGN_OR_RETURN(c->max_message_bytes,
                                ParseInt("max-message-bytes", v, 1024, int64_t{1} << 31));
         return Status::OK();
       }},
      {"max-container-elements", "N",
       "Largest Thrift list, set or map accepted (bounds memory per connection). Default 32768",
       [](ServerConfig* c, std::string_view v) -> Status {
         ARBOR_ASSIGN_OR_RETURN(c->max_container_elements,
                                ParseInt("max-container-elements", v, 16, int64_t{1} << 31));
         return Status::OK();
       }},
      {"admin-token", "TOKEN",
       "Bearer token of an admin on the admin HTTP API (empty: none; prefer the _FILE form or "
       "ARBOR_ADMIN_TOKEN, which ps does not show)",
       [](ServerConfig* c, std::string_view v) {
         c->admin_token = std::string(v);
         return Status::OK();
       }},
      {"admin-token-file", "FILE", "Read --admin-token from FILE",
       [](ServerConfig* c, std::string_view v) -> Status {
         std::ifstream in{std::string(v)};
         if (!in)
           return Status::InvalidArgument("cannot read --admin-token-file '" + std::string(v) +
                                          "'");
         std::string secret;
         std::getline(in, secret);
         c->admin_token = Trim(secret);
         return Status::OK();
       }},
      {"thrift-auth", "none|kerberos|password|kerberos,password",
       "Authentication on the Thrift port through SASL, as Hive's metastore: kerberos (GSSAPI, "
       "needs --kerberos-principal and --kerberos-keytab), password (PLAIN, users from "
       "--users-file). Default none",
       [](ServerConfig* c, std::string_view v) -> Status {
         c->sasl_mechanisms.clear();
         if (v == "none") return Status::OK();
         std::stringstream items{std::string(v)};
         for (std::string item; std::getline(items, item, ',');) {
           item = Trim(item);
           std::string mech = item == "kerberos" ? "GSSAPI" : item == "password" ? "PLAIN" : "";
           if (mech.empty()) {
             return Status::InvalidArgument(
                 "--thrift-auth is none, kerberos, password or kerberos,password, got '" +
                 std::string(v) + "'");
           }
           if (std::find(c->sasl_mechanisms.begin(), c->sasl_mechanisms.end(), mech) ==
               c->sasl_mechanisms.end())
             c->sasl_mechanisms.push_back(mech);
         }
         return Status::OK();
       }},
      {"kerberos-principal", "SERVICE/HOST@REALM",
       "Kerberos service principal of the Thrift port (Hive's "
       "hive.metastore.kerberos.principal), e.g. hive/metastore.example.com@EXAMPLE.COM",
       [](ServerConfig* c, std::string_view v) {
         c->kerberos_principal = std::string(v);
         return Status::OK();
       }},
      {"kerberos-keytab", "FILE",
       "Keytab holding the service principal's keys (Hive's hive.metastore.kerberos.keytab.file)",
       [](ServerConfig* c, std::string_view v) {
         c->kerberos_keytab = std::string(v);
         return Status::OK();
       }},
      {"users-file", "FILE",
       "Users, roles (reader, writer, admin), password hashes, admin API token hashes and "
       "proxy rights (docs/security.md#the-users-file)",
       [](ServerConfig* c, std::string_view v) {
         c->users_file = std::string(v);
         return Status::OK();
       }},
      {"default-role", "ROLE",
       "Role of an authenticated user the users file does not list (a Kerberos principal, a "
       "client certificate): none, reader, writer or admin. Default reader",
       [](ServerConfig* c, std::string_view v) {
         return OneOf("default-role", v, {"none", "reader", "writer", "admin"}, &c->default_role);
       }},
      {"insecure", "BOOL",
       "Allow listening on a non-loopback address without authentication. Default false",
       [](ServerConfig* c, std::string_view v) { return ParseBool("insecure", v, &c->insecure); }},
      {"sync-writes", "BOOL",
       "Sync the WAL before acknowledging a write. Default true; false only for benchmarks",
       [](ServerConfig* c, std::string_view v) {
         return ParseBool("sync-writes", v, &c->sync_writes);
       }},
      {"lakefs-endpoint", "URL",
       "lakeFS server (http[s]://host:port); enables coupled data+catalog versions",
       [](ServerConfig* c, std::string_view v) {
         c->lakefs_endpoint = std::string(v);
         return Status::OK();
       }},
      {"lakefs-access-key-id", "ID", "lakeFS access key id",
       [](ServerConfig* c, std::string_view v) {
         c->lakefs_access_key_id = std::string(v);
         return Status::OK();
       }},
      {"lakefs-secret-access-key", "SECRET",
       "lakeFS secret access key (prefer the _FILE form or the environment)",
       [](ServerConfig* c, std::string_view v) {
         c->lakefs_secret_access_key = std::string(v);
         return Status::OK();
       }},
      {"lakefs-secret-access-key-file", "FILE", "Read the lakeFS secret access key from FILE",
       [](ServerConfig* c, std::string_view v) -> Status {
         std::ifstream in{std::string(v)};
         if (!in)
           return Status::InvalidArgument("cannot read --lakefs-secret-access-key-file '" +
                                          std::string(v) + "'");
         std::string secret;
         std::getline(in, secret);
         c->lakefs_secret_access_key = Trim(secret);
         return Status::OK();
       }},
      {"lakefs-repository", "NAME", "lakeFS repository that holds the data",
       [](ServerConfig* c, std::string_view v) {
         c->lakefs_repository = std::string(v);
         return Status::OK();
       }},
      {"lakefs-storage-prefixes", "URI[,URI...]",
       "Location prefixes that address the repository, e.g. s3a://repo/,lakefs://repo/",
       [](ServerConfig* c, std::string_view v) {
         c->lakefs_storage_prefixes.clear();
         size_t start = 0;
         while (start <= v.size()) {
           size_t comma = v.find(',', start);
           std::string item =
               Trim(v.substr(start, comma == std::string_view::npos ? v.npos : comma - start));
           if (!item.empty()) {
             if (item.back() != '/') item.push_back('/');
             c->lakefs_storage_prefixes.push_back(item);
           }
           if (comma == std::string_view::npos) break;
           start = comma + 1;
         }
         return Status::OK();
       }},
      {"lakefs-timeout", "SECONDS", "Timeout of one lakeFS request. Default 30",
       [](ServerConfig* c, std::string_view v) -> Status {
         ARBOR_ASSIGN_OR_RETURN(int64_t n, ParseInt("lakefs-timeout", v, 1, 3600));
         c->lakefs_timeout_seconds = static_cast<int>(n);
         return Status::OK();
       }},
      {"intent-grace", "SECONDS",
       "How long an unanswered lakeFS call keeps its branch locked before it counts as not "
       "applied. Default: 2 x --lakefs-timeout + 10",
       [](ServerConfig* c, std::string_view v) -> Status {
         ARBOR_ASSIGN_OR_RETURN(int64_t n, ParseInt("intent-grace", v, 0, 86400));
         c->intent_grace_seconds = static_cast<int>(n);
         return Status::OK();
       }},
      {"intent-resolve-interval", "SECONDS",
       "How often pending lakeFS intents are re-checked. Default 30",
       [](ServerConfig* c, std::string_view v) -> Status {
         ARBOR_ASSIGN_OR_RETURN(int64_t n, ParseInt("intent-resolve-interval", v, 1, 86400));
         c->intent_resolve_interval_seconds = static_cast<int>(n);
         return Status::OK();
       }},
      {"gc-interval", "SECONDS",
       "How often garbage collection deletes objects no ref reaches. 0 turns the background "
       "collection off (`arbor gc` still runs it). Default 3600",
       [](ServerConfig* c, std::string_view v) -> Status {
         ARBOR_ASSIGN_OR_RETURN(c->gc_interval_seconds, ParseInt("gc-interval", v, 0, 31536000));
         return Status::OK();
       }},
      {"gc-grace", "SECONDS",
       "Garbage collection keeps what a deleted branch or tag reached for this long. "
       "Default 3600",
       [](ServerConfig* c, std::string_view v) -> Status {
         ARBOR_ASSIGN_OR_RETURN(c->gc_grace_seconds, ParseInt("gc-grace", v, 0, 31536000));
         return Status::OK();
       }},
      {"restore-from", "DIR",
       "Start from a backup made by `arbor backup`: copies it into --data-dir, which must "
       "hold no repository yet",
       [](ServerConfig* c, std::string_view v) {
         if (v.empty()) return Status::InvalidArgument("--restore-from must not be empty");
         c->restore_from = std::string(v);
         return Status::OK();
       }},
  };
  return kOptions;
}

const Option* FindOption(std::string_view name) {
  for (const auto& o : Options()) {
    if (name == o.name) return &o;
  }
  return nullptr;
}

std::string EnvName(std::string_view flag) {
  std::string out = "ARBOR_";
  for (char c : flag)
    out.push_back(c == '-' ? '_' : static_cast<char>(std::toupper(c)));
  return out;
}

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return std::string(s.substr(b, e - b + 1));
}

Status ApplyFile(const std::string& path, ServerConfig* config) {
  std::ifstream in(path);
  if (!in) return Status::InvalidArgument("cannot read config file '" + path + "'");
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    std::string t = Trim(line);
    if (t.empty() || t[0] == '#') continue;
    size_t eq = t.find('=');
    std::string where = path + ":" + std::to_string(lineno);
    if (eq == std::string::npos) {
      return Status::InvalidArgument(where + ": expected 'name = value'");
    }
    std::string name = Trim(t.substr(0, eq));
    std::string value = Trim(t.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    const Option* o = FindOption(name);
    if (!o) return Status::InvalidArgument(where + ": unknown option '" + name + "'");
    ARBOR_RETURN_IF_ERROR(o->set(config, value).WithContext(where));
  }
  return Status::OK();
}

}  // namespace

Result<HostPort> ParseHostPort(std::string_view text) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return Status::InvalidArgument("expected HOST:PORT, got '" + std::string(text) + "'");
  }
  HostPort hp;
  hp.host = std::string(text.substr(0, colon));
  if (hp.host.size() > 2 && hp.host.front() == '[' && hp.host.back() == ']') {
    hp.host = hp.host.substr(1, hp.host.size() - 2);
  }
  ARBOR_ASSIGN_OR_RETURN(int64_t port, ParseInt("port", text.substr(colon + 1), 0, 65535));
  hp.port = static_cast<uint16_t>(port);
  return hp;
}

bool IsLoopbackHost(std::string_view host) {
  if (host == "localhost" || host == "::1" || host == "[::1]") return true;
  in_addr v4{};
  return inet_pton(AF_INET, std::string(host).c_str(), &v4) == 1 && (ntohl(v4.s_addr) >> 24) == 127;
}

std::map<std::string, std::string> ProcessEnvironment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    size_t eq = kv.find('=');
    if (eq != std::string_view::npos) env.emplace(kv.substr(0, eq), kv.substr(eq + 1));
  }
  return env;
}

Result<ServerConfig> ParseServerConfig(int argc, const char* const* argv,
                                       const std::map<std::string, std::string>& env) {
  ServerConfig config;
  // First pass: flags into (name, value) pairs, finding --config.
  std::vector<std::pair<std::string, std::string>> flags;
  std::string config_file;
  if (auto it = env.find("ARBOR_CONFIG"); it != env.end()) config_file = it->second;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      config.show_help = true;
      continue;
    }
    if (arg == "--version") {
      config.show_version = true;
      continue;
    }
    if (arg.substr(0, 2) != "--") {
      return Status::InvalidArgument("unexpected argument '" + std::string(arg) + "' (see --help)");
    }
    std::string name, value;
    size_t eq = arg.find('=');
    if (eq != std::string_view::npos) {
      name = std::string(arg.substr(2, eq - 2));
      value = std::string(arg.substr(eq + 1));
    } else {
      name = std::string(arg.substr(2));
      if (i + 1 >= argc) return Status::InvalidArgument("--" + name + " needs a value");
      value = argv[++i];
    }
    if (name == "config") {
      config_file = value;
      continue;
    }
    if (!FindOption(name)) {
      return Status::InvalidArgument("unknown option --" + name + " (see --help)");
    }
    flags.emplace_back(std::move(name), std::move(value));
  }
  if (config.show_help || config.show_version) return config;
  if (!config_file.empty()) ARBOR_RETURN_IF_ERROR(ApplyFile(config_file, &config));
  for (const auto& [name, value] : flags) {
    ARBOR_RETURN_IF_ERROR(FindOption(name)->set(&config, value));
  }
  for (const auto& o : Options()) {
    auto it = env.find(EnvName(o.name));
    if (it != env.end()) ARBOR_RETURN_IF_ERROR(o.set(&config, it->second).WithContext(it->first));
  }
  if (config.thrift_auth_enabled()) {
    const auto& m = config.sasl_mechanisms;
    if (std::find(m.begin(), m.end(), "GSSAPI") != m.end() &&
        (config.kerberos_principal.empty() || config.kerberos_keytab.empty())) {
      return Status::InvalidArgument(
          "--thrift-auth kerberos needs --kerberos-principal and --kerberos-keytab");
    }
    if (std::find(m.begin(), m.end(), "PLAIN") != m.end() && config.users_file.empty()) {
      return Status::InvalidArgument("--thrift-auth password needs --users-file");
    }
  }
  if (config.lakefs_enabled()) {
    // A half-configured lakeFS must fail loudly, never fall back to standalone.
    if (config.lakefs_repository.empty() || config.lakefs_access_key_id.empty() ||
        config.lakefs_secret_access_key.empty()) {
      return Status::InvalidArgument(
          "--lakefs-endpoint needs --lakefs-repository, --lakefs-access-key-id and a secret "
          "(--lakefs-secret-access-key, its _FILE form, or ARBOR_LAKEFS_SECRET_ACCESS_KEY)");
    }
  } else if (!config.lakefs_repository.empty() || !config.lakefs_storage_prefixes.empty()) {
    return Status::InvalidArgument("lakeFS options are set but --lakefs-endpoint is not");
  }
  if (config.tls_cert.empty() != config.tls_key.empty()) {
    return Status::InvalidArgument("--tls-cert and --tls-key go together");
  }
  if (!config.tls_enabled() && (!config.tls_ca.empty() || !config.tls_client_auth.empty() ||
                                !config.tls_key_password_file.empty())) {
    return Status::InvalidArgument("TLS options are set but --tls-cert and --tls-key are not");
  }
  if (config.tls_client_auth.empty())
    config.tls_client_auth = config.tls_ca.empty() ? "none" : "required";
  if (config.tls_client_auth != "none" && config.tls_ca.empty()) {
    return Status::InvalidArgument("--tls-client-auth " + config.tls_client_auth +
                                   " needs --tls-ca, the CAs client certificates must chain to");
  }
  return config;
}

std::string ServerHelp() {
  std::ostringstream out;
  out << "arbord: a versioned, Hive-compatible metastore server\n\n"
         "Usage: arbord [--config FILE] [--OPTION VALUE | --OPTION=VALUE]...\n\n"
         "Options (each also settable as `name = value` in the config file, and as\n"
         "ARBOR_<NAME> in the environment, e.g. ARBOR_DATA_DIR; the environment\n"
         "overrides flags, which override the file):\n";
  out << "  --config FILE\n      Read options from FILE (also ARBOR_CONFIG)\n";
  for (const auto& o : Options()) {
    out << "  --" << o.name << " " << o.value_hint << "\n      " << o.help << " ("
        << EnvName(o.name) << ")\n";
  }
  out << "  --help, --version\n";
  out << "\nUsers file hashes (docs/security.md), the secret read from stdin:\n"
         "  arbord --hash-password    a password hash (password=)\n"
         "  arbord --hash-token       a bearer token's hash (token=)\n"
         "  arbord --new-token        a new random token, then its hash\n";
  return out.str();
}

}  // namespace arbor

// ServerConfig: precedence (file < flags < environment), validation, the example file.
#include <gtest/gtest.h>

#include <fstream>

#include "server/config.h"
#include "tests/support/temp_dir.h"

namespace arbor {
namespace {

Result<ServerConfig> Parse(std::vector<std::string> args,
                           std::map<std::string, std::string> env = {}) {
  std::vector<const char*> argv = {"arbord"};
  for (const auto& a : args)
    argv.push_back(a.c_str());
  return ParseServerConfig(static_cast<int>(argv.size()), argv.data(), env);
}

TEST(ServerConfigTest, DefaultsMatchTheDocumentation) {
  auto c = Parse({}).value();
  EXPECT_EQ(c.data_dir, "./var/arbor");
  EXPECT_EQ(c.listen.ToString(), "127.0.0.1:9083");
  EXPECT_EQ(c.http_listen.ToString(), "127.0.0.1:9084");
  EXPECT_EQ(c.default_branch, "main");
  EXPECT_EQ(c.ref_separator, '@');
  EXPECT_TRUE(c.sync_writes);
  EXPECT_EQ(c.disk_reserve_bytes, uint64_t{1} << 30);
  EXPECT_EQ(c.max_connections, 10000);
  EXPECT_EQ(c.worker_threads, 64);
  EXPECT_EQ(c.request_timeout_seconds, 60);
  EXPECT_EQ(c.max_pending_bytes, uint64_t{1} << 30);
  EXPECT_FALSE(c.lakefs_enabled());
}

TEST(ServerConfigTest, TlsIsOffByDefaultAndClientAuthFollowsTheCa) {
  auto plain = Parse({}).value();
  EXPECT_FALSE(plain.tls_enabled());
  EXPECT_EQ(plain.tls_client_auth, "none");
  EXPECT_EQ(plain.tls_reload_interval_seconds, 5);
  auto server_only = Parse({"--tls-cert", "c.pem", "--tls-key", "k.pem"}).value();
  EXPECT_TRUE(server_only.tls_enabled());
  EXPECT_EQ(server_only.tls_client_auth, "none");
  // A CA given means client certificates are wanted: required unless told otherwise.
  auto mutual = Parse({"--tls-cert", "c.pem", "--tls-key", "k.pem", "--tls-ca", "ca.pem"});
  EXPECT_EQ(mutual.value().tls_client_auth, "required");
  auto optional = Parse({"--tls-cert", "c.pem", "--tls-key", "k.pem", "--tls-ca", "ca.pem"},
                        {{"ARBOR_TLS_CLIENT_AUTH", "optional"}});
  EXPECT_EQ(optional.value().tls_client_auth, "optional");
}

TEST(ServerConfigTest, IncompleteTlsOptionsAreRefused) {
  EXPECT_FALSE(Parse({"--tls-cert", "c.pem"}).ok());
  EXPECT_FALSE(Parse({"--tls-key", "k.pem"}).ok());
  EXPECT_FALSE(Parse({"--tls-ca", "ca.pem"}).ok());
  EXPECT_FALSE(
      Parse({"--tls-cert", "c.pem", "--tls-key", "k.pem", "--tls-client-auth", "optional"}).ok());
  auto bad = Parse({"--tls-cert", "c.pem", "--tls-key", "k.pem", "--tls-client-auth", "maybe"});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("--tls-client-auth must be one of none, optional, "
                                        "required"),
            std::string::npos);
}

TEST(ServerConfigTest, DiskReserveTakesBinaryUnits) {
  auto reserve = [](const std::string& v) {
    return Parse({"--disk-reserve", v}).value().disk_reserve_bytes;
  };
  EXPECT_EQ(reserve("0"), 0u);
  EXPECT_EQ(reserve("4096"), 4096u);
  EXPECT_EQ(reserve("64K"), 64u << 10);
  EXPECT_EQ(reserve("512M"), 512u << 20);
  EXPECT_EQ(reserve("512MiB"), 512u << 20);
  EXPECT_EQ(reserve("2g"), uint64_t{2} << 30);
  EXPECT_EQ(reserve("1TB"), uint64_t{1} << 40);
  for (const char* v : {"", "M", "-1", "1.5G", "1X", "1GiBs", "99999999999999999999"}) {
    auto c = Parse({"--disk-reserve", v});
    ASSERT_FALSE(c.ok()) << v;
    EXPECT_NE(c.status().message().find("--disk-reserve"), std::string::npos);
  }
}

TEST(ServerConfigTest, FileThenFlagsThenEnvironment) {
  testing::TempDir dir;
  std::string file = dir.Sub("a.conf");
  std::ofstream(file) << "# comment\nlisten = 0.0.0.0:1\nwarehouse = \"s3a://w/\"\n"
                         "default-branch = dev\nlog-level = debug\n";
  auto c = Parse({"--config", file, "--listen=127.0.0.1:2", "--log-level", "warn"},
                 {{"ARBOR_LOG_LEVEL", "error"}})
               .value();
  EXPECT_EQ(c.listen.ToString(), "127.0.0.1:2");  // flag beats file
  EXPECT_EQ(c.log_level, "error");                // environment beats flag
  EXPECT_EQ(c.default_branch, "dev");             // file alone
  EXPECT_EQ(c.warehouse, "s3a://w");              // quotes and trailing slash dropped
}

TEST(ServerConfigTest, ErrorsNameTheOption) {
  auto bad = [](std::vector<std::string> args, const std::string& needle) {
    auto c = Parse(args);
    ASSERT_FALSE(c.ok()) << needle;
    EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(c.status().message().find(needle), std::string::npos) << c.status().message();
  };
  bad({"--no-such-option", "1"}, "--no-such-option");
  bad({"--listen", "nowhere"}, "HOST:PORT");
  bad({"--listen", "h:99999"}, "port");
  bad({"--max-connections", "0"}, "--max-connections");
  bad({"--worker-threads", "0"}, "--worker-threads");
  bad({"--request-timeout", "0"}, "--request-timeout");
  bad({"--max-pending-bytes", "100"}, "--max-pending-bytes");
  bad({"--max-pending-bytes", "1Q"}, "--max-pending-bytes");
  bad({"--transport", "http"}, "--transport");
  bad({"--ref-separator", "ab"}, "--ref-separator");
  bad({"--sync-writes", "maybe"}, "--sync-writes");
  bad({"--data-dir"}, "needs a value");
  bad({"--config", "/nonexistent/arbor.conf"}, "/nonexistent/arbor.conf");
  bad({"stray"}, "stray");
}

TEST(ServerConfigTest, HalfConfiguredLakeFsIsAnError) {
  auto c = Parse({"--lakefs-endpoint", "http://127.0.0.1:1", "--lakefs-repository", "r"});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("--lakefs-access-key-id"), std::string::npos);
  EXPECT_FALSE(Parse({"--lakefs-storage-prefixes", "s3a://r/"}).ok());
  auto full =
      Parse({"--lakefs-endpoint", "http://127.0.0.1:1", "--lakefs-repository", "r",
             "--lakefs-access-key-id", "AK", "--lakefs-storage-prefixes", "s3a://r,lakefs://r/"},
            {{"ARBOR_LAKEFS_SECRET_ACCESS_KEY", "SK"}})
          .value();
  EXPECT_EQ(full.lakefs_secret_access_key, "SK");
  EXPECT_EQ(full.lakefs_storage_prefixes, (std::vector<std::string>{"s3a://r/", "lakefs://r/"}));
}

TEST(ServerConfigTest, StoreIsRocksDbOrAPostgresUriWithAPasswordFromAFileOrTheEnvironment) {
  EXPECT_FALSE(Parse({}).value().postgres_store());
  testing::TempDir dir;
  std::string pw = dir.Sub("pw");
  std::ofstream(pw) << "s3cret\n";
  auto c = Parse({"--store", "postgresql://arbor@db:5432/cat", "--store-password-file", pw,
                  "--store-pool-size", "8"})
               .value();
  EXPECT_TRUE(c.postgres_store());
  EXPECT_EQ(c.store, "postgresql://arbor@db:5432/cat");
  EXPECT_EQ(c.store_password, "s3cret");
  EXPECT_EQ(c.store_pool_size, 8);
  c = Parse({"--store", "postgresql://db/cat"}, {{"ARBOR_STORE_PASSWORD", "fromenv"}}).value();
  EXPECT_EQ(c.store_password, "fromenv");
  // A mistyped store never echoes a URI that may carry a password.
  auto bad = Parse({"--store", "mysql://u:topsecret@h/db"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().find("topsecret"), std::string::npos) << bad.status().message();
  EXPECT_FALSE(Parse({"--store-pool-size", "1"}).ok());
}

TEST(ServerConfigTest, ThriftAuthenticationOptions) {
  auto both = Parse({"--thrift-auth", "kerberos,password", "--kerberos-principal",
                     "hive/h@R", "--kerberos-keytab", "/k", "--users-file", "/u"});
  ASSERT_TRUE(both.ok()) << both.status().ToString();
  EXPECT_EQ(both->sasl_mechanisms, (std::vector<std::string>{"GSSAPI", "PLAIN"}));
  EXPECT_FALSE(Parse({}).value().thrift_auth_enabled());
  EXPECT_FALSE(Parse({"--thrift-auth", "kerberos"}).ok());  // no principal, keytab
  EXPECT_FALSE(Parse({"--thrift-auth", "password"}).ok());  // no users file
  EXPECT_FALSE(Parse({"--thrift-auth", "ldap"}).ok());
  EXPECT_FALSE(Parse({"--default-role", "root"}).ok());
  EXPECT_TRUE(Parse({"--insecure", "true"}).value().insecure);
}

TEST(ServerConfigTest, LoopbackHosts) {
  for (const char* h : {"127.0.0.1", "127.1.2.3", "::1", "localhost"})
    EXPECT_TRUE(IsLoopbackHost(h)) << h;
  for (const char* h : {"", "0.0.0.0", "::", "10.0.0.1", "example.com", "128.0.0.1"})
    EXPECT_FALSE(IsLoopbackHost(h)) << h;
}

TEST(ServerConfigTest, ExampleConfigFileParses) {
  auto c = Parse({"--config", std::string(ARBOR_SOURCE_DIR) + "/deploy/arbor.conf.example"});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->data_dir, "/var/lib/arbor");
  EXPECT_EQ(c->max_container_elements, 32768);
}

TEST(ServerConfigTest, HelpListsEveryOptionWithItsEnvironmentName) {
  std::string help = ServerHelp();
  for (const char* name : {"--data-dir", "--listen", "--http-listen", "--lakefs-endpoint",
                           "--intent-grace", "ARBOR_DATA_DIR", "ARBOR_LAKEFS_SECRET_ACCESS_KEY"}) {
    EXPECT_NE(help.find(name), std::string::npos) << name;
  }
}

}  // namespace
}  // namespace arbor

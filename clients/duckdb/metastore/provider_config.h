// ProviderConfig and ProviderRegistry: the one place where ATTACH options and
// DuckDB secrets become a validated provider configuration, and where
// providers are found by name.
//
// Contract:
//  * Inputs are plain strings (the DuckDB layer converts its Values and
//    secrets to OptionMaps; keys are matched case-insensitively and stored
//    lower-case). ATTACH options win over the secret's.
//  * Resolve() accepts the common options (kCommonOptions) and the options
//    the provider declares; anything else is InvalidArgument naming the
//    option, the provider and the accepted names. A missing required option
//    is InvalidArgument saying where to set it (ATTACH option or secret).
//  * Secret options (declared `secret`) never appear in Describe(); they are
//    shown as "<redacted>".
//  * The registry holds no global state: the extension owns one and registers
//    the built-in providers into it (RegisterBuiltinProviders).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "clients/duckdb/metastore/provider.h"

namespace arbor::metastore {

using OptionMap = std::map<std::string, std::string>;

struct OptionSpec {
  std::string name;  // lower-case
  std::string description;
  bool required = false;
  bool secret = false;  // redacted in Describe()
};

// Options every provider accepts, handled by the core:
//   ref             Arbor ref for namespaces without one ("dev", "v1")
//   timeout_ms      per-call timeout of the provider's connection (default 30000)
//   connect_timeout_ms  (default 5000)
//   debug           "true": the catalog logs each provider call to stderr
//   table_cache_ms  how long table metadata is kept across DuckDB transactions
//                   unchecked (default 0: not; see MetastoreClient::CachedTable)
//   pipeline        "false": a query waits for each table's definition at bind
//                   instead of binding the last one fetched and checking it
//                   ahead (default true where the provider pipelines)
//   admin_endpoint  Arbor's admin HTTP API ("http://host:9084"), for the versioning functions
//   admin_token     bearer token for the admin API (secret)
const std::vector<OptionSpec>& CommonOptions();

struct ProviderConfig {
  std::string provider;     // registry name
  std::string endpoint;     // the ATTACH path ("thrift://host:9083"), may be empty for e.g. glue
  OptionMap options;        // validated, lower-case keys; common and provider options
  std::string secret_name;  // the secret that contributed options, or ""
  std::chrono::milliseconds timeout{30000};
  std::chrono::milliseconds connect_timeout{5000};
  bool debug = false;
  std::chrono::milliseconds table_cache{0};
  bool pipeline = true;
  std::string ref;  // options["ref"], or ""

  // options[key], or `fallback`.
  std::string Get(std::string_view key, std::string_view fallback = "") const;
  bool Has(std::string_view key) const;
};

struct ProviderFactory {
  std::string name;                      // "hive"
  std::string description;               // one line, for metastore_providers()
  std::vector<std::string> uri_schemes;  // endpoint schemes it accepts ("thrift"); empty: any
  std::vector<OptionSpec> options;       // beyond CommonOptions()
  bool endpoint_required = true;
  // Extra validation after the generic checks (may be empty).
  std::function<Status(const ProviderConfig&)> validate;
  // How the provider will authenticate, for the debug description
  // ("none", "SASL PLAIN as alice", "AWS access key AKIA…(redacted)").
  std::function<std::string(const ProviderConfig&)> auth_method;
  std::function<Result<std::unique_ptr<MetastoreProvider>>(const ProviderConfig&)> create;
};

class ProviderRegistry {
 public:
  // AlreadyExists when a provider of that name is registered.
  Status Register(ProviderFactory factory);
  const ProviderFactory* Find(std::string_view name) const;  // case-insensitive
  std::vector<const ProviderFactory*> List() const;          // by name

  // Validates and merges options into a configuration. `provider` empty:
  // InvalidArgument listing the registered providers.
  Result<ProviderConfig> Resolve(std::string_view provider, std::string_view endpoint,
                                 const OptionMap& attach_options, const OptionMap& secret_options,
                                 std::string_view secret_name) const;

  Result<std::unique_ptr<MetastoreProvider>> Create(const ProviderConfig& config) const;

  // Multi-line "key: value" description of a resolved configuration: provider,
  // endpoint, auth method, secret used, timeouts, options (secrets redacted).
  std::string Describe(const ProviderConfig& config) const;

 private:
  std::map<std::string, ProviderFactory> factories_;
};

// Registers every provider compiled into the extension (providers.cc).
void RegisterBuiltinProviders(ProviderRegistry& registry);

}  // namespace arbor::metastore

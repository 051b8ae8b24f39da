// The options every `arbor` command takes (--server, --token, -o, TLS and
// timeout settings, --help), and how they combine with the environment.
//
// Contract:
//  * GlobalOptionSpecs() lists them; they are accepted before or after the
//    subcommand (main.cc parses them with each command's own options).
//  * ResolveGlobalOptions: a flag wins over its environment variable, which
//    wins over the default: --server / ARBOR_SERVER / http://127.0.0.1:9084,
//    --token / ARBOR_TOKEN, --cacert / ARBOR_CACERT, --cert / ARBOR_CERT,
//    --key / ARBOR_KEY, --timeout / ARBOR_TIMEOUT
//    / 120 s. Bad values throw UsageError. The environment comes in as a
//    lookup function, so this file reads no process state.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/args.h"
#include "cli/command.h"

namespace arbor::cli {

inline constexpr std::string_view kDefaultServer = "http://127.0.0.1:9084";

struct GlobalOptions {
  std::string server;
  std::string token;
  OutputFormat format = OutputFormat::kTable;
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  bool insecure = false;
  std::chrono::milliseconds timeout{std::chrono::seconds(120)};
};

using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

std::vector<OptionSpec> GlobalOptionSpecs();

GlobalOptions ResolveGlobalOptions(const ParsedArgs& args, const EnvLookup& env);

}  // namespace arbor::cli

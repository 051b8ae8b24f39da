// Global options and their environment variables; the contract is in
// cli/global_options.h.
#include "cli/global_options.h"

#include "cli/cli_error.h"

namespace arbor::cli {

std::vector<OptionSpec> GlobalOptionSpecs() {
  return {
      {"server", 0, "URL", false,
       "admin API: http(s)://HOST:PORT (env ARBOR_SERVER; default " + std::string(kDefaultServer) +
           ")"},
      {"token", 0, "TOKEN", false, "admin bearer token (env ARBOR_TOKEN keeps it out of ps)"},
      {"output", 'o', "FORMAT", false, "output format: table (default) or json"},
      {"cacert", 0, "FILE", false, "https: trust the CAs in this PEM file (env ARBOR_CACERT)"},
      {"insecure", 0, "", false, "https: do not verify the server's certificate"},
      {"cert", 0, "FILE", false,
       "https: present this PEM client certificate (env ARBOR_CERT; mutual TLS)"},
      {"key", 0, "FILE", false, "https: the --cert's PEM key, if not in it (env ARBOR_KEY)"},
      {"timeout", 0, "SECONDS", false, "per-request time limit (env ARBOR_TIMEOUT; default 120)"},
      {"help", 'h', "", false, "show help for the command"},
      {"version", 0, "", false, "print the version of arbor"},
  };
}

GlobalOptions ResolveGlobalOptions(const ParsedArgs& args, const EnvLookup& env) {
  auto pick = [&](std::string_view option, std::string_view var) -> std::optional<std::string> {
    if (auto v = args.Get(option)) return v;
    auto v = env(var);
    if (v && !v->empty()) return v;
    return std::nullopt;
  };
  GlobalOptions g;
  g.server = pick("server", "ARBOR_SERVER").value_or(std::string(kDefaultServer));
  g.token = pick("token", "ARBOR_TOKEN").value_or("");
  g.ca_file = pick("cacert", "ARBOR_CACERT").value_or("");
  g.insecure = args.Has("insecure");
  g.cert_file = pick("cert", "ARBOR_CERT").value_or("");
  g.key_file = pick("key", "ARBOR_KEY").value_or("");
  if (auto t = pick("timeout", "ARBOR_TIMEOUT")) {
    g.timeout = std::chrono::seconds(ParsePositiveInt("--timeout", *t));
  }
  if (auto o = args.Get("output")) {
    g.format = ParseChoice("-o/--output", *o, {"table", "json"}) == "json" ? OutputFormat::kJson
                                                                           : OutputFormat::kTable;
  }
  return g;
}

}  // namespace arbor::cli

#include "clients/duckdb/metastore/provider_config.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <sstream>

namespace arbor::metastore {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

const OptionSpec* FindSpec(const std::vector<OptionSpec>& specs, const std::string& key) {
  for (const OptionSpec& spec : specs) {
    if (spec.name == key) return &spec;
  }
  return nullptr;
}

Result<std::chrono::milliseconds> ParseMillis(const std::string& key, const std::string& text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value <= 0) {
    return Status::InvalidArgument(
        "option " + key + " must be a positive number of milliseconds, not '" + text + "'");
  }
  return std::chrono::milliseconds(value);
}

Result<bool> ParseBool(const std::string& key, const std::string& text) {
  std::string v = Lower(text);
  if (v == "true" || v == "1" || v == "on" || v == "yes") return true;
  if (v == "false" || v == "0" || v == "off" || v == "no" || v.empty()) return false;
  return Status::InvalidArgument("option " + key + " must be true or false, not '" + text + "'");
}

std::string Joined(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names)
    out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

const std::vector<OptionSpec>& CommonOptions() {
  static const std::vector<OptionSpec> kCommon = {
      {"ref", "Arbor ref (branch, tag, commit) for schemas that name none", false, false},
      {"timeout_ms", "per-call timeout in milliseconds (default 30000)", false, false},
      {"connect_timeout_ms", "connect timeout in milliseconds (default 5000)", false, false},
      {"debug", "log each metastore call to stderr", false, false},
      {"table_cache_ms",
       "keep table metadata across transactions this long (default 0: ask the metastore in every "
       "transaction)",
       false, false},
      {"pipeline",
       "bind a table's last fetched definition and check it against the metastore's, fetched "
       "ahead with the query's next call (default true; false: wait for it at bind)",
       false, false},
      {"admin_endpoint", "Arbor admin HTTP API, e.g. http://host:9084", false, false},
      {"admin_token", "bearer token for the Arbor admin API", false, true},
  };
  return kCommon;
}

std::string ProviderConfig::Get(std::string_view key, std::string_view fallback) const {
  auto it = options.find(std::string(key));
  return it == options.end() ? std::string(fallback) : it->second;
}

bool ProviderConfig::Has(std::string_view key) const {
  return options.count(std::string(key)) > 0;
}

Status ProviderRegistry::Register(ProviderFactory factory) {
  std::string key = Lower(factory.name);
  if (factories_.count(key)) {
    return Status::AlreadyExists("metastore provider '" + key + "' is already registered");
  }
  factory.name = key;
  factories_.emplace(key, std::move(factory));
  return Status::OK();
}

const ProviderFactory* ProviderRegistry::Find(std::string_view name) const {
  auto it = factories_.find(Lower(name));
  return it == factories_.end() ? nullptr : &it->second;
}

std::vector<const ProviderFactory*> ProviderRegistry::List() const {
  std::vector<const ProviderFactory*> out;
  for (const auto& [name, factory] : factories_)
    out.push_back(&factory);
  return out;
}

Result<ProviderConfig> ProviderRegistry::Resolve(std::string_view provider,
                                                 std::string_view endpoint,
                                                 const OptionMap& attach_options,
                                                 const OptionMap& secret_options,
                                                 std::string_view secret_name) const {
  std::vector<std::string> names;
  for (const auto& [name, factory] : factories_)
    names.push_back(name);
  if (provider.empty()) {
    return Status::InvalidArgument(
        "no metastore provider given: add PROVIDER to ATTACH or to a metastore secret (one of: " +
        Joined(names) + ")");
  }
  const ProviderFactory* factory = Find(provider);
  if (factory == nullptr) {
    return Status::InvalidArgument("unknown metastore provider '" + std::string(provider) +
                                   "' (registered: " + Joined(names) + ")");
  }
  ProviderConfig config;
  config.provider = factory->name;
  config.endpoint = std::string(endpoint);
  config.secret_name = std::string(secret_name);

  auto accept = [&](const OptionMap& source, const char* origin) -> Status {
    for (const auto& [raw_key, value] : source) {
      std::string key = Lower(raw_key);
      if (!FindSpec(CommonOptions(), key) && !FindSpec(factory->options, key)) {
        std::vector<std::string> accepted;
        for (const OptionSpec& s : CommonOptions())
          accepted.push_back(s.name);
        for (const OptionSpec& s : factory->options)
          accepted.push_back(s.name);
        return Status::InvalidArgument("unknown option '" + key + "' in " + origin +
                                       " for metastore provider '" + factory->name +
                                       "' (accepted: " + Joined(accepted) + ")");
      }
      config.options[key] = value;
    }
    return Status::OK();
  };
  // The secret first, so ATTACH options override it.
  ARBOR_RETURN_IF_ERROR(accept(secret_options, "the secret"));
  ARBOR_RETURN_IF_ERROR(accept(attach_options, "ATTACH"));

  if (factory->endpoint_required && config.endpoint.empty()) {
    return Status::InvalidArgument("metastore provider '" + factory->name +
                                   "' needs an endpoint: ATTACH '<uri>' AS name (TYPE metastore, "
                                   "PROVIDER " +
                                   factory->name + ")");
  }
  if (!config.endpoint.empty() && !factory->uri_schemes.empty()) {
    auto colon = config.endpoint.find("://");
    std::string scheme = colon == std::string::npos ? "" : Lower(config.endpoint.substr(0, colon));
    if (std::find(factory->uri_schemes.begin(), factory->uri_schemes.end(), scheme) ==
        factory->uri_schemes.end()) {
      return Status::InvalidArgument("metastore provider '" + factory->name +
                                     "' expects an endpoint like " + factory->uri_schemes[0] +
                                     "://host:port, not '" + config.endpoint + "'");
    }
  }
  for (const OptionSpec& spec : factory->options) {
    if (spec.required && !config.Has(spec.name)) {
      return Status::InvalidArgument("metastore provider '" + factory->name + "' needs option " +
                                     spec.name + " (" + spec.description +
                                     "): set it in ATTACH or in a metastore secret");
    }
  }
  if (config.Has("timeout_ms")) {
    ARBOR_ASSIGN_OR_RETURN(config.timeout, ParseMillis("timeout_ms", config.Get("timeout_ms")));
  }
  if (config.Has("connect_timeout_ms")) {
    ARBOR_ASSIGN_OR_RETURN(config.connect_timeout,
                           ParseMillis("connect_timeout_ms", config.Get("connect_timeout_ms")));
  }
  ARBOR_ASSIGN_OR_RETURN(config.debug, ParseBool("debug", config.Get("debug")));
  if (config.Has("pipeline")) {
    ARBOR_ASSIGN_OR_RETURN(config.pipeline, ParseBool("pipeline", config.Get("pipeline")));
  }
  if (config.Has("table_cache_ms") && config.Get("table_cache_ms") != "0") {
    ARBOR_ASSIGN_OR_RETURN(config.table_cache,
                           ParseMillis("table_cache_ms", config.Get("table_cache_ms")));
  }
  config.ref = config.Get("ref");
  if (factory->validate) ARBOR_RETURN_IF_ERROR(factory->validate(config));
  return config;
}

Result<std::unique_ptr<MetastoreProvider>> ProviderRegistry::Create(
    const ProviderConfig& config) const {
  const ProviderFactory* factory = Find(config.provider);
  if (factory == nullptr || !factory->create) {
    return Status::InvalidArgument("unknown metastore provider '" + config.provider + "'");
  }
  return factory->create(config);
}

std::string ProviderRegistry::Describe(const ProviderConfig& config) const {
  const ProviderFactory* factory = Find(config.provider);
  std::ostringstream out;
  out << "provider: " << config.provider << "\n";
  out << "endpoint: " << (config.endpoint.empty() ? "(none)" : config.endpoint) << "\n";
  out << "auth: "
      << (factory && factory->auth_method ? factory->auth_method(config) : std::string("none"))
      << "\n";
  out << "secret: " << (config.secret_name.empty() ? "(none)" : config.secret_name) << "\n";
  out << "ref: " << (config.ref.empty() ? "(server default)" : config.ref) << "\n";
  out << "timeout_ms: " << config.timeout.count() << "\n";
  out << "connect_timeout_ms: " << config.connect_timeout.count() << "\n";
  for (const auto& [key, value] : config.options) {
    const OptionSpec* spec = FindSpec(CommonOptions(), key);
    if (!spec && factory) spec = FindSpec(factory->options, key);
    out << "option " << key << ": " << (spec && spec->secret ? "<redacted>" : value) << "\n";
  }
  return out.str();
}

}  // namespace arbor::metastore

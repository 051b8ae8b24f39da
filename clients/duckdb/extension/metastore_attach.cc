// ATTACH '<endpoint>' AS name (TYPE metastore, PROVIDER p, [SECRET s,] options...)
// and CREATE SECRET (TYPE metastore, PROVIDER p, SCOPE '<endpoint>', options...).
//
// Options come from three places, in increasing precedence: the secret
// (named with SECRET, else the metastore secret whose SCOPE is the longest
// prefix of the endpoint), then the ATTACH options. ProviderRegistry::Resolve
// validates the merged set; its errors are the user's errors.
#include "duckdb/main/attached_database.hpp"
#include "duckdb/main/config.hpp"
#include "duckdb/main/secret/secret_manager.hpp"
#include "duckdb/parser/parsed_data/attach_info.hpp"

#include "clients/duckdb/extension/metastore_attach.h"
#include "clients/duckdb/extension/metastore_catalog.h"

namespace duckdb {

namespace ms = arbor::metastore;

namespace {

constexpr const char* kSecretType = "metastore";

unique_ptr<Catalog> MetastoreAttach(optional_ptr<StorageExtensionInfo> storage_info,
                                    ClientContext& context, AttachedDatabase& db,
                                    const string& name, AttachInfo& info, AttachOptions& options) {
  auto& registry = dynamic_cast<MetastoreStorageInfo&>(*storage_info).registry;
  ms::OptionMap attach;
  std::string provider, secret_name;
  for (auto& [raw_key, value] : options.options) {
    std::string key = StringUtil::Lower(raw_key);
    if (key == "provider") {
      provider = value.ToString();
    } else if (key == "secret") {
      secret_name = value.ToString();
    } else {
      attach[key] = value.ToString();
    }
  }
  options.options.clear();  // all consumed here; DuckDB must not reject them as unknown

  ms::OptionMap from_secret;
  auto& secrets = SecretManager::Get(context);
  auto transaction = CatalogTransaction::GetSystemCatalogTransaction(context);
  unique_ptr<SecretEntry> entry;
  if (!secret_name.empty()) {
    entry = secrets.GetSecretByName(transaction, secret_name);
    if (!entry)
      throw InvalidInputException("ATTACH names secret \"%s\", which does not exist", secret_name);
  } else {
    auto match = secrets.LookupSecret(transaction, info.path, kSecretType);
    if (match.HasMatch()) entry = std::move(match.secret_entry);
  }
  if (entry) {
    auto& secret = dynamic_cast<const KeyValueSecret&>(*entry->secret);
    if (secret.GetType() != kSecretType) {
      throw InvalidInputException("secret \"%s\" is of type %s, not metastore",
                                  secret.GetName().GetIdentifierName(),
                                  secret.GetType().GetIdentifierName());
    }
    secret_name = secret.GetName().GetIdentifierName();
    for (auto& [key, value] : secret.secret_map) {
      if (!value.IsNull())
        from_secret[StringUtil::Lower(key.GetIdentifierName())] = value.ToString();
    }
    if (provider.empty()) provider = secret.GetProvider().GetIdentifierName();
  }

  auto config = registry.Resolve(provider, info.path, attach, from_secret, secret_name);
  if (!config.ok()) throw InvalidInputException("ATTACH %s: %s", name, config.status().message());
  auto created = registry.Create(*config);
  if (!created.ok()) ThrowStatus(created.status(), "ATTACH " + name);
  auto description = registry.Describe(*config);
  if (config->debug) Printer::Print("[arbor] ATTACH " + name + "\n" + description);
  auto client = std::make_shared<MetastoreClient>(*config, std::move(created).value(), description);
  // Reach the server now, so a wrong endpoint fails the ATTACH, not a later query.
  auto probe = client->With([](ms::MetastoreProvider& p) { return p.ListNamespaces(); });
  if (!probe.ok()) ThrowStatus(probe.status(), "ATTACH " + name);
  return make_uniq<MetastoreCatalog>(db, std::move(client));
}

unique_ptr<TransactionManager> MetastoreTransactionManagerFactory(
    optional_ptr<StorageExtensionInfo>, AttachedDatabase& db, Catalog&) {
  return make_uniq<MetastoreTransactionManager>(db);
}

unique_ptr<BaseSecret> CreateMetastoreSecret(ClientContext&, CreateSecretInput& input) {
  auto secret = make_uniq<KeyValueSecret>(input.scope, input.type, input.provider, input.name);
  std::set<std::string> redacted;
  for (const auto& spec : ms::CommonOptions()) {
    if (spec.secret) redacted.insert(spec.name);
  }
  for (auto& [key, value] : input.options) {
    std::string k = StringUtil::Lower(key);
    secret->secret_map[Identifier(k)] = Value(value.ToString());
  }
  // A provider's own secret options are redacted too (looked up by the
  // function's registered parameter list, which marks them).
  for (const auto& k : redacted)
    secret->redact_keys.insert(Identifier(k));
  for (auto& [key, _] : input.options) {
    std::string k = StringUtil::Lower(key);
    if (k.find("secret") != std::string::npos || k.find("token") != std::string::npos ||
        k.find("password") != std::string::npos) {
      secret->redact_keys.insert(Identifier(k));
    }
  }
  return std::move(secret);
}

}  // namespace

void RegisterMetastoreStorage(ExtensionLoader& loader, shared_ptr<MetastoreStorageInfo> info) {
  auto extension = make_shared_ptr<StorageExtension>();
  extension->attach = MetastoreAttach;
  extension->create_transaction_manager = MetastoreTransactionManagerFactory;
  extension->storage_info = info;
  StorageExtension::Register(DBConfig::GetConfig(loader.GetDatabaseInstance()), "metastore",
                             extension);

  SecretType type;
  type.name = Identifier(kSecretType);
  type.deserializer = KeyValueSecret::Deserialize<KeyValueSecret>;
  type.default_provider = "hive";
  loader.RegisterSecretType(type);
  // One secret provider per metastore provider: CREATE SECRET (TYPE metastore, PROVIDER hive, ...).
  for (const auto* factory : info->registry.List()) {
    CreateSecretFunction function;
    function.secret_type = kSecretType;
    function.provider = Identifier(factory->name);
    function.function = CreateMetastoreSecret;
    for (const auto& spec : ms::CommonOptions())
      function.named_parameters[Identifier(spec.name)] = LogicalType::VARCHAR;
    for (const auto& spec : factory->options)
      function.named_parameters[Identifier(spec.name)] = LogicalType::VARCHAR;
    loader.RegisterFunction(function);
  }
}

}  // namespace duckdb

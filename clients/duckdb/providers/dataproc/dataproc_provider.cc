#include "clients/duckdb/providers/dataproc/dataproc_provider.h"

#include <cstdio>
#include <memory>

#include "clients/duckdb/providers/cloud_status.h"
#include "clients/duckdb/providers/hive/hive_provider.h"

namespace arbor::metastore {
namespace {

struct ServiceName {
  std::string project, location, service;
};

// From 'dataproc://projects/P/locations/L/services/S' or the options (options win).
Result<ServiceName> NameOf(const ProviderConfig& c) {
  ServiceName n;
  std::string path = c.endpoint;
  auto sep = path.find("://");
  std::string rest = sep == std::string::npos ? "" : path.substr(sep + 3);
  while (!rest.empty() && rest.back() == '/')
    rest.pop_back();
  if (!rest.empty()) {
    std::vector<std::string> parts;
    size_t start = 0;
    while (start <= rest.size()) {
      size_t slash = rest.find('/', start);
      if (slash == std::string::npos) slash = rest.size();
      parts.push_back(rest.substr(start, slash - start));
      start = slash + 1;
    }
    if (parts.size() != 6 || parts[0] != "projects" || parts[2] != "locations" ||
        parts[4] != "services" || parts[1].empty() || parts[3].empty() || parts[5].empty()) {
      return Status::InvalidArgument(
          "dataproc: expected ATTACH 'dataproc://projects/<project>/locations/<location>/"
          "services/<service>', not '" +
          c.endpoint + "'");
    }
    n = {parts[1], parts[3], parts[5]};
  }
  if (c.Has("project")) n.project = c.Get("project");
  if (c.Has("location")) n.location = c.Get("location");
  if (c.Has("service")) n.service = c.Get("service");
  for (auto [value, option] : {std::pair{&n.project, "PROJECT"}, std::pair{&n.location, "LOCATION"},
                               std::pair{&n.service, "SERVICE"}}) {
    if (value->empty()) {
      return Status::InvalidArgument(
          std::string("dataproc: no ") + option +
          ": ATTACH 'dataproc://projects/P/locations/L/services/S' or set the " + option +
          " option");
    }
  }
  return n;
}

// The hive provider, renamed: errors and debug output say which service they came from.
class DataprocProvider final : public MetastoreProvider {
 public:
  DataprocProvider(std::unique_ptr<MetastoreProvider> hive, std::string service)
      : hive_(std::move(hive)), service_(std::move(service)) {}

  std::string_view name() const override { return "dataproc"; }
  ProviderCapabilities capabilities() const override { return hive_->capabilities(); }

  Result<std::vector<std::string>> ListNamespaces() override {
    return Ctx(hive_->ListNamespaces());
  }
  Result<Namespace> GetNamespace(const std::string& name) override {
    return Ctx(hive_->GetNamespace(name));
  }
  Result<std::vector<std::string>> ListTables(const std::string& ns) override {
    return Ctx(hive_->ListTables(ns));
  }
  Result<Table> GetTable(const std::string& ns, const std::string& table) override {
    return Ctx(hive_->GetTable(ns, table));
  }
  Result<PartitionListing> ListPartitions(const Table& table,
                                          const PartitionPredicate* predicate) override {
    return Ctx(hive_->ListPartitions(table, predicate));
  }
  Result<Statistics> GetStatistics(const std::string& ns, const std::string& table) override {
    return Ctx(hive_->GetStatistics(ns, table));
  }
  Status CreateNamespace(const Namespace& ns) override { return Ctx(hive_->CreateNamespace(ns)); }
  Status DropNamespace(const std::string& name, bool cascade) override {
    return Ctx(hive_->DropNamespace(name, cascade));
  }
  Status CreateTable(const Table& table) override { return Ctx(hive_->CreateTable(table)); }
  Status DropTable(const std::string& ns, const std::string& table) override {
    return Ctx(hive_->DropTable(ns, table));
  }
  Status AlterTable(const Table& table) override { return Ctx(hive_->AlterTable(table)); }
  Status AddPartitions(const Table& table, const std::vector<Partition>& partitions) override {
    return Ctx(hive_->AddPartitions(table, partitions));
  }

 private:
  // Only transport failures get the service's name: the other messages name objects.
  Status Ctx(Status s) const {
    if (s.code() != StatusCode::kUnavailable) return s;
    return s.WithContext("dataproc service " + service_);
  }
  template <typename T>
  Result<T> Ctx(Result<T> r) const {
    if (r.ok()) return r;
    return Ctx(r.status());
  }

  std::unique_ptr<MetastoreProvider> hive_;
  std::string service_;
};

}  // namespace

ProviderFactory DataprocProviderFactory() {
  ProviderFactory f;
  f.name = "dataproc";
  f.description = "Google Dataproc Metastore (REST discovery with ADC, then Thrift)";
  f.uri_schemes = {"dataproc"};
  f.endpoint_required = false;
  f.options = {
      {"project", "Google Cloud project id", false, false},
      {"location", "the service's region, e.g. europe-west1", false, false},
      {"service", "the Dataproc Metastore service id", false, false},
      {"api_endpoint", "REST API root (default https://metastore.googleapis.com)", false, false},
      {"credentials_file", "service-account key JSON; else Application Default Credentials", false,
       false},
      {"access_token", "an OAuth 2.0 access token to use as is", false, true},
      {"user", "owner recorded on tables the extension creates", false, false},
  };
  f.validate = [](const ProviderConfig& c) -> Status { return NameOf(c).status(); };
  f.auth_method = [](const ProviderConfig& c) -> std::string {
    std::string rest = "; then unauthenticated Thrift to the service";
    if (c.Has("access_token")) return "Google OAuth access token (redacted)" + rest;
    if (c.Has("credentials_file"))
      return "Google service-account key " + c.Get("credentials_file") + rest;
    return "Google Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS, gcloud, "
           "metadata server)" +
           rest;
  };
  f.create = [](const ProviderConfig& c) -> Result<std::unique_ptr<MetastoreProvider>> {
    ARBOR_ASSIGN_OR_RETURN(ServiceName n, NameOf(c));
    const std::string api = c.Get("api_endpoint"), key = c.Get("credentials_file"),
                      token = c.Get("access_token");
    arbor_dataproc_config d{};
    d.project = n.project.c_str();
    d.location = n.location.c_str();
    d.service = n.service.c_str();
    d.api_endpoint = CloudOpt(api);
    d.credentials_file = CloudOpt(key);
    d.access_token = CloudOpt(token);
    d.timeout_ms = static_cast<uint32_t>(c.timeout.count());
    const arbor_dataproc_service* service = nullptr;
    ARBOR_RETURN_IF_ERROR(CloudStatus(arbor_dataproc_resolve(&d, &service)));
    std::string name = service->name, endpoint = service->endpoint_uri;
    if (c.debug) {
      std::fprintf(stderr, "[arbor dataproc] %s -> %s (%s, Hive %s; auth: %s)\n", name.c_str(),
                   endpoint.c_str(), service->state, service->hive_version, service->auth_method);
    }
    arbor_dataproc_service_free(service);

    ProviderConfig hive = c;
    hive.provider = "hive";
    hive.endpoint = endpoint;
    for (const char* k :
         {"project", "location", "service", "api_endpoint", "credentials_file", "access_token"})
      hive.options.erase(k);
    ARBOR_ASSIGN_OR_RETURN(std::unique_ptr<MetastoreProvider> provider,
                           HiveProviderFactory().create(hive));
    return std::unique_ptr<MetastoreProvider>(new DataprocProvider(std::move(provider), name));
  };
  return f;
}

}  // namespace arbor::metastore

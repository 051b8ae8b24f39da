#include "clients/duckdb/providers/glue/glue_provider.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <list>
#include <memory>
#include <thread>

#include "clients/duckdb/providers/cloud_status.h"

namespace arbor::metastore {
namespace {

// Glue's limit on GetPartitions segments.
constexpr int kMaxSegments = 10;

std::map<std::string, std::string> ToMap(const arbor_cloud_kv* kvs, size_t n) {
  std::map<std::string, std::string> out;
  for (size_t i = 0; i < n; ++i)
    out[CloudStr(kvs[i].key)] = CloudStr(kvs[i].value);
  return out;
}

std::vector<Column> ToColumns(const arbor_cloud_column* cols, size_t n) {
  std::vector<Column> out;
  for (size_t i = 0; i < n; ++i)
    out.push_back({CloudStr(cols[i].name), CloudStr(cols[i].type), CloudStr(cols[i].comment)});
  return out;
}

StorageDescriptor ToStorage(const arbor_cloud_storage& s) {
  StorageDescriptor out;
  out.location = CloudStr(s.location);
  out.input_format = CloudStr(s.input_format);
  out.output_format = CloudStr(s.output_format);
  out.serde = CloudStr(s.serde_library);
  out.serde_parameters = ToMap(s.serde_parameters, s.serde_parameter_count);
  out.columns = ToColumns(s.columns, s.column_count);
  return out;
}


Table ToTable(const arbor_cloud_table& t) {
  Table out;
  out.namespace_name = CloudStr(t.database);
  out.name = CloudStr(t.name);
  out.table_type = CloudStr(t.table_type);
  out.owner = CloudStr(t.owner);
  out.storage = ToStorage(t.storage);
  out.partition_columns = ToColumns(t.partition_keys, t.partition_key_count);
  out.properties = ToMap(t.parameters, t.parameter_count);
  out.statistics = StatisticsFromParameters(out.properties);
  return out;
}

Partition ToPartition(const arbor_cloud_partition& p) {
  Partition out;
  for (size_t i = 0; i < p.value_count; ++i)
    out.values.push_back(CloudStr(p.values[i]));
  out.storage = ToStorage(p.storage);
  out.properties = ToMap(p.parameters, p.parameter_count);
  out.statistics = StatisticsFromParameters(out.properties);
  return out;
}

// The C views of model structs for the writes: every pointer points into the model
// objects or into this struct's own vectors, so it must outlive the call only.
class CloudInput {
 public:
  const arbor_cloud_kv* Kvs(const std::map<std::string, std::string>& m, size_t* n) {
    auto& list = kvs_.emplace_back();
    for (const auto& [k, v] : m)
      list.push_back({k.c_str(), v.c_str()});
    *n = list.size();
    return list.data();
  }
  const arbor_cloud_column* Columns(const std::vector<Column>& cols, size_t* n) {
    auto& list = columns_.emplace_back();
    for (const Column& c : cols)
      list.push_back({c.name.c_str(), c.type.c_str(), CloudOpt(c.comment)});
    *n = list.size();
    return list.data();
  }
  arbor_cloud_storage Storage(const StorageDescriptor& sd, const std::string& location) {
    arbor_cloud_storage s{};
    s.location = CloudOpt(location);
    s.input_format = CloudOpt(sd.input_format);
    s.output_format = CloudOpt(sd.output_format);
    s.serde_library = CloudOpt(sd.serde);
    s.serde_parameters = Kvs(sd.serde_parameters, &s.serde_parameter_count);
    s.columns = Columns(sd.columns, &s.column_count);
    return s;
  }
  const char* const* Values(const std::vector<std::string>& values) {
    auto& list = values_.emplace_back();
    for (const std::string& v : values)
      list.push_back(v.c_str());
    return list.data();
  }

 private:
  // deques would do as well; lists of vectors keep each vector's buffer in place.
  std::list<std::vector<arbor_cloud_kv>> kvs_;
  std::list<std::vector<arbor_cloud_column>> columns_;
  std::list<std::vector<const char*>> values_;
};

bool PlainIdentifier(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// A literal in Glue's syntax: integers bare for integral columns, strings quoted with
// '' for a quote. Numeric literals that do not parse stay unrendered (checked locally).
bool Literal(const std::string& value, bool numeric, std::string* out) {
  if (numeric) {
    int64_t v = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (ec != std::errc() || end != value.data() + value.size()) return false;
    *out += value;
    return true;
  }
  *out += '\'';
  for (char c : value) {
    if (c == '\'') *out += '\'';
    *out += c;
  }
  *out += '\'';
  return true;
}

bool RenderTerm(const PartitionTerm& t, std::string* out) {
  if (!PlainIdentifier(t.column)) return false;
  std::string s = t.column;
  using Op = PartitionTerm::Op;
  const char* op = nullptr;
  switch (t.op) {
    case Op::kEq:
      op = " = ";
      break;
    case Op::kNe:
      op = " <> ";
      break;
    case Op::kLt:
      op = " < ";
      break;
    case Op::kLe:
      op = " <= ";
      break;
    case Op::kGt:
      op = " > ";
      break;
    case Op::kGe:
      op = " >= ";
      break;
    case Op::kIn: {
      if (t.literals.empty()) return false;
      s += " IN (";
      for (size_t i = 0; i < t.literals.size(); ++i) {
        if (i) s += ", ";
        if (!Literal(t.literals[i], t.numeric, &s)) return false;
      }
      *out = s + ")";
      return true;
    }
    // Glue stores NULL partition values as Hive's default partition name, which its
    // filter does not equate with NULL: these stay local.
    case Op::kIsNull:
    case Op::kIsNotNull:
      return false;
  }
  if (t.literals.size() != 1) return false;
  s += op;
  if (!Literal(t.literals[0], t.numeric, &s)) return false;
  *out = s;
  return true;
}

uint32_t UintOption(const ProviderConfig& c, const char* key, uint32_t fallback) {
  std::string v = c.Get(key);
  if (v.empty()) return fallback;
  uint32_t out = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  return ec == std::errc() && end == v.data() + v.size() ? out : fallback;
}

class GlueProvider final : public MetastoreProvider {
 public:
  GlueProvider(ProviderConfig config, arbor_glue_client* client)
      : config_(std::move(config)),
        client_(client),
        page_size_(static_cast<int32_t>(UintOption(config_, "page_size", 0))),
        segments_(static_cast<int>(UintOption(config_, "partition_segments", 1))) {}
  ~GlueProvider() override { arbor_glue_client_free(client_); }

  std::string_view name() const override { return "glue"; }
  ProviderCapabilities capabilities() const override {
    return {.writes = true, .partition_filter_pushdown = true, .refs = false};
  }

  Result<std::vector<std::string>> ListNamespaces() override {
    std::vector<std::string> names;
    ARBOR_RETURN_IF_ERROR(Paginate(
        "GetDatabases",
        [&](const char* token, const arbor_cloud_page** p) {
          return arbor_glue_get_databases(client_, token, page_size_, p);
        },
        [&](const arbor_cloud_page& p) {
          for (size_t i = 0; i < p.database_count; ++i)
            names.push_back(CloudStr(p.databases[i].name));
        }));
    return names;
  }

  Result<Namespace> GetNamespace(const std::string& name) override {
    Trace("GetDatabase", name);
    const arbor_cloud_page* raw = nullptr;
    ARBOR_RETURN_IF_ERROR(CloudStatus(arbor_glue_get_database(client_, name.c_str(), &raw)));
    CloudPage page(raw);
    const arbor_cloud_database& d = page->databases[0];
    return Namespace{CloudStr(d.name), CloudStr(d.location), CloudStr(d.description),
                     ToMap(d.parameters, d.parameter_count)};
  }

  Result<std::vector<std::string>> ListTables(const std::string& ns) override {
    std::vector<std::string> names;
    ARBOR_RETURN_IF_ERROR(Paginate(
        "GetTables",
        [&](const char* token, const arbor_cloud_page** p) {
          return arbor_glue_get_tables(client_, ns.c_str(), token, page_size_, p);
        },
        [&](const arbor_cloud_page& p) {
          for (size_t i = 0; i < p.table_count; ++i)
            names.push_back(CloudStr(p.tables[i].name));
        }));
    return names;
  }

  Result<Table> GetTable(const std::string& ns, const std::string& table) override {
    Trace("GetTable", ns + "." + table);
    const arbor_cloud_page* raw = nullptr;
    ARBOR_RETURN_IF_ERROR(
        CloudStatus(arbor_glue_get_table(client_, ns.c_str(), table.c_str(), &raw)));
    CloudPage page(raw);
    return ToTable(page->tables[0]);
  }

  Result<PartitionListing> ListPartitions(const Table& table,
                                          const PartitionPredicate* predicate) override {
    PartitionListing listing;
    bool complete = true;
    std::string expression;
    if (predicate != nullptr && !predicate->empty())
      expression = GlueExpression(*predicate, table.partition_columns, &complete);
    listing.pushed_down = !expression.empty() && complete;
    if (!expression.empty() && !complete)
      listing.note = "part of the predicate is checked locally: " + predicate->ToString();
    if (predicate != nullptr && !predicate->empty() && expression.empty())
      listing.note = "Glue cannot express " + predicate->ToString() + "; pruned locally";
    Trace("GetPartitions", table.namespace_name + "." + table.name + " expression=[" + expression +
                               "] segments=" + std::to_string(segments_));

    // One thread per segment (the client is thread-safe); each pages on its own.
    const int segments = std::clamp(segments_, 1, kMaxSegments);
    std::vector<std::vector<Partition>> found(segments);
    std::vector<Status> statuses(segments);
    auto list_segment = [&](int s) {
      statuses[s] = Paginate(
          "GetPartitions",
          [&](const char* token, const arbor_cloud_page** p) {
            return arbor_glue_get_partitions(client_, table.namespace_name.c_str(),
                                             table.name.c_str(), CloudOpt(expression), s,
                                             segments > 1 ? segments : 0, token, page_size_, p);
          },
          [&](const arbor_cloud_page& p) {
            for (size_t i = 0; i < p.partition_count; ++i)
              found[s].push_back(ToPartition(p.partitions[i]));
          });
    };
    if (segments == 1) {
      list_segment(0);
    } else {
      std::vector<std::thread> threads;
      for (int s = 0; s < segments; ++s)
        threads.emplace_back(list_segment, s);
      for (auto& t : threads)
        t.join();
    }
    for (int s = 0; s < segments; ++s) {
      ARBOR_RETURN_IF_ERROR(statuses[s]);
      for (auto& p : found[s]) {
        if (predicate && !predicate->Matches(table.partition_columns, p.values)) continue;
        listing.partitions.push_back(std::move(p));
      }
    }
    // Segments interleave; callers and tests see one stable order.
    std::sort(listing.partitions.begin(), listing.partitions.end(),
              [](const Partition& a, const Partition& b) { return a.values < b.values; });
    return listing;
  }

  Result<Statistics> GetStatistics(const std::string& ns, const std::string& table) override {
    ARBOR_ASSIGN_OR_RETURN(Table t, GetTable(ns, table));
    return t.statistics;
  }

  Status CreateNamespace(const Namespace& ns) override {
    Trace("CreateDatabase", ns.name);
    CloudInput in;
    arbor_cloud_database d{};
    d.name = ns.name.c_str();
    d.description = CloudOpt(ns.description);
    d.location = CloudOpt(ns.location);
    d.parameters = in.Kvs(ns.properties, &d.parameter_count);
    return CloudStatus(arbor_glue_create_database(client_, &d));
  }

  Status DropNamespace(const std::string& name, bool cascade) override {
    // Glue's DeleteDatabase drops the tables with it; without CASCADE refuse a
    // database that still has tables, as a Hive metastore does.
    if (!cascade) {
      ARBOR_ASSIGN_OR_RETURN(std::vector<std::string> tables, ListTables(name));
      if (!tables.empty()) {
        return Status::NotEmpty("glue DeleteDatabase(" + name + "): the database still has " +
                                std::to_string(tables.size()) + " table(s); use CASCADE");
      }
    }
    Trace("DeleteDatabase", name);
    return CloudStatus(arbor_glue_delete_database(client_, name.c_str()));
  }

  Status CreateTable(const Table& table) override {
    std::string location = table.storage.location;
    if (location.empty()) {
      // Glue does not choose locations; the Hive convention is <database location>/<table>.
      ARBOR_ASSIGN_OR_RETURN(Namespace ns, GetNamespace(table.namespace_name));
      if (ns.location.empty()) {
        return Status::InvalidArgument("glue CreateTable(" + table.namespace_name + "." +
                                       table.name +
                                       "): the database has no LocationUri, so the table needs "
                                       "an explicit location");
      }
      std::string base = ns.location;
      while (!base.empty() && base.back() == '/')
        base.pop_back();
      location = base + "/" + table.name;
    }
    Trace("CreateTable", table.namespace_name + "." + table.name);
    CloudInput in;
    arbor_cloud_table t = CTable(table, location, in);
    return CloudStatus(arbor_glue_create_table(client_, &t));
  }

  Status DropTable(const std::string& ns, const std::string& table) override {
    Trace("DeleteTable", ns + "." + table);
    return CloudStatus(arbor_glue_delete_table(client_, ns.c_str(), table.c_str()));
  }

  Status AlterTable(const Table& table) override {
    Trace("UpdateTable", table.namespace_name + "." + table.name);
    CloudInput in;
    arbor_cloud_table t = CTable(table, table.storage.location, in);
    return CloudStatus(arbor_glue_update_table(client_, &t));
  }

  Status AddPartitions(const Table& table, const std::vector<Partition>& partitions) override {
    if (partitions.empty()) return Status::OK();
    Trace("BatchCreatePartition",
          table.namespace_name + "." + table.name + " (" + std::to_string(partitions.size()) + ")");
    CloudInput in;
    std::vector<arbor_cloud_partition> parts;
    parts.reserve(partitions.size());
    for (const Partition& p : partitions) {
      arbor_cloud_partition c{};
      c.values = in.Values(p.values);
      c.value_count = p.values.size();
      c.storage = in.Storage(p.storage, p.storage.location);
      c.parameters = in.Kvs(p.properties, &c.parameter_count);
      parts.push_back(c);
    }
    return CloudStatus(arbor_glue_batch_create_partition(client_, table.namespace_name.c_str(),
                                                         table.name.c_str(), parts.data(),
                                                         parts.size(), /*if_not_exists=*/1));
  }

 private:
  static arbor_cloud_table CTable(const Table& table, const std::string& location, CloudInput& in) {
    arbor_cloud_table t{};
    t.database = table.namespace_name.c_str();
    t.name = table.name.c_str();
    t.table_type = CloudOpt(table.table_type);
    t.owner = CloudOpt(table.owner);
    t.storage = in.Storage(table.storage, location);
    t.partition_keys = in.Columns(table.partition_columns, &t.partition_key_count);
    t.parameters = in.Kvs(table.properties, &t.parameter_count);
    return t;
  }

  void Trace(const char* op, const std::string& what) const {
    if (config_.debug) std::fprintf(stderr, "[arbor glue] %s %s\n", op, what.c_str());
  }

  // Calls `fetch` with each NextToken until the last page, handing pages to `each`.
  template <typename Fetch, typename Each>
  Status Paginate(const char* op, Fetch fetch, Each each) {
    std::string token;
    int pages = 0;
    for (;;) {
      const arbor_cloud_page* raw = nullptr;
      ARBOR_RETURN_IF_ERROR(CloudStatus(fetch(token.empty() ? nullptr : token.c_str(), &raw)));
      CloudPage page(raw);
      ++pages;
      each(*page);
      if (page->next_token == nullptr) break;
      token = page->next_token;
    }
    if (config_.debug) std::fprintf(stderr, "[arbor glue] %s: %d page(s)\n", op, pages);
    return Status::OK();
  }

  ProviderConfig config_;
  arbor_glue_client* client_;
  int32_t page_size_;
  int segments_;
};

std::string AuthMethod(const ProviderConfig& c) {
  std::string auth;
  if (c.Has("access_key_id")) {
    std::string key = c.Get("access_key_id");
    auth = "AWS access key " + key.substr(0, std::min<size_t>(4, key.size())) + "…(redacted)";
    if (c.Has("session_token")) auth += " + session token";
  } else if (c.Has("profile")) {
    auth = "AWS credential chain, profile " + c.Get("profile");
  } else {
    auth = "AWS credential chain (env, shared files, web identity, instance metadata)";
  }
  if (c.Has("role_arn")) auth += ", assuming " + c.Get("role_arn");
  return auth;
}

// The catalog id from ATTACH 'glue://<catalog_id>' (or the catalog_id option).
std::string CatalogId(const ProviderConfig& c) {
  if (c.Has("catalog_id")) return c.Get("catalog_id");
  std::string path = c.endpoint;
  auto sep = path.find("://");
  std::string rest = sep == std::string::npos ? "" : path.substr(sep + 3);
  while (!rest.empty() && rest.back() == '/')
    rest.pop_back();
  return rest;
}

}  // namespace

std::string GlueExpression(const PartitionPredicate& predicate, const std::vector<Column>& columns,
                           bool* complete) {
  *complete = true;
  std::string out;
  for (const PartitionTerm& t : predicate.terms) {
    std::string term;
    if (!RenderTerm(t, &term)) {
      *complete = false;
      continue;
    }
    if (!out.empty()) out += " AND ";
    out += "(" + term + ")";
  }
  (void)columns;
  return out;
}

ProviderFactory GlueProviderFactory() {
  ProviderFactory f;
  f.name = "glue";
  f.description = "AWS Glue Data Catalog (AWS SDK: SigV4, credential chain, retries)";
  f.uri_schemes = {"glue"};
  f.endpoint_required = false;
  f.options = {
      {"region", "AWS region (else AWS_REGION or the profile's region)", false, false},
      {"endpoint", "Glue endpoint override, e.g. http://127.0.0.1:5000", false, false},
      {"catalog_id", "Glue catalog id (account id); also ATTACH 'glue://<id>'", false, false},
      {"access_key_id", "AWS access key id (with secret_access_key); else the credential chain",
       false, false},
      {"secret_access_key", "AWS secret access key", false, true},
      {"session_token", "AWS session token for temporary keys", false, true},
      {"profile", "profile of the shared config/credentials files", false, false},
      {"role_arn", "IAM role to assume with the base credentials", false, false},
      {"role_session_name", "session name for role_arn (default arbor-duckdb)", false, false},
      {"external_id", "external id for role_arn", false, false},
      {"max_attempts", "attempts per call, retries of throttling included (default 3)", false,
       false},
      {"initial_backoff_ms", "first retry back-off (default 1000), jittered, growing", false,
       false},
      {"max_backoff_ms", "largest retry back-off (default 20000)", false, false},
      {"page_size", "MaxResults per listing call (default: Glue's)", false, false},
      {"partition_segments", "parallel GetPartitions segments, 1-10 (default 1)", false, false},
  };
  f.validate = [](const ProviderConfig& c) -> Status {
    if (c.Has("access_key_id") != c.Has("secret_access_key"))
      return Status::InvalidArgument(
          "glue: ACCESS_KEY_ID and SECRET_ACCESS_KEY must be given together");
    if (c.Has("session_token") && !c.Has("access_key_id"))
      return Status::InvalidArgument(
          "glue: SESSION_TOKEN needs ACCESS_KEY_ID and SECRET_ACCESS_KEY");
    std::string seg = c.Get("partition_segments", "1");
    int n = 0;
    auto [end, ec] = std::from_chars(seg.data(), seg.data() + seg.size(), n);
    if (ec != std::errc() || end != seg.data() + seg.size() || n < 1 || n > kMaxSegments)
      return Status::InvalidArgument("glue: PARTITION_SEGMENTS must be 1-10, not '" + seg + "'");
    return Status::OK();
  };
  f.auth_method = AuthMethod;
  f.create = [](const ProviderConfig& c) -> Result<std::unique_ptr<MetastoreProvider>> {
    const std::string region = c.Get("region"), endpoint = c.Get("endpoint"),
                      catalog = CatalogId(c), key = c.Get("access_key_id"),
                      secret = c.Get("secret_access_key"), token = c.Get("session_token"),
                      profile = c.Get("profile"), role = c.Get("role_arn"),
                      session = c.Get("role_session_name"), external = c.Get("external_id");
    arbor_glue_config g{};
    g.region = CloudOpt(region);
    g.endpoint = CloudOpt(endpoint);
    g.catalog_id = CloudOpt(catalog);
    g.access_key_id = CloudOpt(key);
    g.secret_access_key = CloudOpt(secret);
    g.session_token = CloudOpt(token);
    g.profile = CloudOpt(profile);
    g.role_arn = CloudOpt(role);
    g.role_session_name = CloudOpt(session);
    g.external_id = CloudOpt(external);
    g.max_attempts = UintOption(c, "max_attempts", 0);
    g.initial_backoff_ms = UintOption(c, "initial_backoff_ms", 0);
    g.max_backoff_ms = UintOption(c, "max_backoff_ms", 0);
    g.timeout_ms = static_cast<uint32_t>(c.timeout.count());
    arbor_glue_client* client = nullptr;
    ARBOR_RETURN_IF_ERROR(CloudStatus(arbor_glue_client_new(&g, &client)));
    return std::unique_ptr<MetastoreProvider>(new GlueProvider(c, client));
  };
  return f;
}

}  // namespace arbor::metastore

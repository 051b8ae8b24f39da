// cloud_probe: a command-line driver of the arbor_cloud C ABI (clients/duckdb/cloud), for
// the Python tests in this directory: one operation per run, its result on stdout as
// one line per item, its error as `error <code> <message>` with exit status 3.
//
//   cloud_probe OP [key=value ...]
//   glue options: endpoint region key secret token profile catalog role attempts
//                 backoff_ms max_backoff_ms timeout_ms
//   databases [page]            names, then `pages <n>`
//   tables db [page]            names, then `pages <n>`
//   table db name               `table`, `column`, `partkey`, `param`, `serde` lines
//   partitions db table [expr] [segments] [page]   values joined by '/', then `pages <n>`
//   batch-get db table keys=a/b,c/d                 values found
//   create-table db name location cols=a:int,b:string [parts=p:string]
//   create-partitions db table location values=x/y,z/w
//   drop-table db name
//   describe                    the client's description
//   dataproc project location service [api] [credentials] [token] [timeout_ms]
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "arbor_cloud.h"

namespace {

using Args = std::map<std::string, std::string>;

const char* Opt(const Args& args, const std::string& key) {
  auto it = args.find(key);
  return it == args.end() ? nullptr : it->second.c_str();
}

uint32_t Num(const Args& args, const std::string& key) {
  const char* v = Opt(args, key);
  return v == nullptr ? 0 : static_cast<uint32_t>(std::stoul(v));
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, sep))
    out.push_back(item);
  return out;
}

const char* S(const char* s) {
  return s == nullptr ? "(null)" : s;
}

int Fail(arbor_cloud_error* error) {
  std::printf("error %d %s\n", static_cast<int>(arbor_cloud_error_code(error)),
              arbor_cloud_error_message(error));
  arbor_cloud_error_free(error);
  return 3;
}

struct PageDeleter {
  void operator()(const arbor_cloud_page* p) const { arbor_cloud_page_free(p); }
};
using PagePtr = std::unique_ptr<const arbor_cloud_page, PageDeleter>;

// Calls `fetch(token, &page)` until the last page, handing each page to `each`.
template <typename Fetch, typename Each>
int Paginate(Fetch fetch, Each each) {
  std::string token;
  int pages = 0;
  for (;;) {
    const arbor_cloud_page* raw = nullptr;
    if (arbor_cloud_error* e = fetch(token.empty() ? nullptr : token.c_str(), &raw)) return Fail(e);
    PagePtr page(raw);
    ++pages;
    each(*page);
    if (page->next_token == nullptr) break;
    token = page->next_token;
  }
  std::printf("pages %d\n", pages);
  return 0;
}

void PrintPartitions(const arbor_cloud_page& page) {
  for (size_t i = 0; i < page.partition_count; ++i) {
    const arbor_cloud_partition& p = page.partitions[i];
    std::string values;
    for (size_t v = 0; v < p.value_count; ++v)
      values += (v ? "/" : "") + std::string(p.values[v]);
    std::printf("%s\t%s\n", values.c_str(), S(p.storage.location));
  }
}

std::vector<arbor_cloud_column> Columns(const std::vector<std::string>& specs,
                                        std::vector<std::string>* storage) {
  storage->reserve(specs.size() * 2);
  std::vector<arbor_cloud_column> out;
  for (const std::string& spec : specs) {
    auto colon = spec.find(':');
    storage->push_back(spec.substr(0, colon));
    const char* name = storage->back().c_str();
    storage->push_back(spec.substr(colon + 1));
    out.push_back({name, storage->back().c_str(), nullptr});
  }
  return out;
}

int Dataproc(const Args& a) {
  arbor_dataproc_config c{};
  c.project = Opt(a, "project");
  c.location = Opt(a, "location");
  c.service = Opt(a, "service");
  c.api_endpoint = Opt(a, "api");
  c.credentials_file = Opt(a, "credentials");
  c.access_token = Opt(a, "token");
  c.timeout_ms = Num(a, "timeout_ms");
  const arbor_dataproc_service* s = nullptr;
  if (arbor_cloud_error* e = arbor_dataproc_resolve(&c, &s)) return Fail(e);
  std::printf("name %s\nendpoint %s\nprotocol %s\nstate %s\nversion %s\nauth %s\n", s->name,
              s->endpoint_uri, s->endpoint_protocol, s->state, s->hive_version, s->auth_method);
  arbor_dataproc_service_free(s);
  return 0;
}

int Glue(const std::string& op, const Args& a) {
  arbor_glue_config c{};
  c.endpoint = Opt(a, "endpoint");
  c.region = Opt(a, "region");
  c.access_key_id = Opt(a, "key");
  c.secret_access_key = Opt(a, "secret");
  c.session_token = Opt(a, "token");
  c.profile = Opt(a, "profile");
  c.catalog_id = Opt(a, "catalog");
  c.role_arn = Opt(a, "role");
  c.max_attempts = Num(a, "attempts");
  c.initial_backoff_ms = Num(a, "backoff_ms");
  c.max_backoff_ms = Num(a, "max_backoff_ms");
  c.timeout_ms = Num(a, "timeout_ms");
  arbor_glue_client* raw = nullptr;
  if (arbor_cloud_error* e = arbor_glue_client_new(&c, &raw)) return Fail(e);
  std::unique_ptr<arbor_glue_client, void (*)(arbor_glue_client*)> client(raw,
                                                                          arbor_glue_client_free);
  const int page_size = static_cast<int>(Num(a, "page"));
  const char* db = Opt(a, "db");

  if (op == "describe") {
    char* d = arbor_glue_client_describe(client.get());
    std::printf("%s\n", d);
    arbor_cloud_string_free(d);
    return 0;
  }
  if (op == "databases") {
    return Paginate(
        [&](const char* t, const arbor_cloud_page** p) {
          return arbor_glue_get_databases(client.get(), t, page_size, p);
        },
        [](const arbor_cloud_page& p) {
          for (size_t i = 0; i < p.database_count; ++i)
            std::printf("%s\t%s\n", p.databases[i].name, S(p.databases[i].location));
        });
  }
  if (op == "tables") {
    return Paginate(
        [&](const char* t, const arbor_cloud_page** p) {
          return arbor_glue_get_tables(client.get(), db, t, page_size, p);
        },
        [](const arbor_cloud_page& p) {
          for (size_t i = 0; i < p.table_count; ++i)
            std::printf("%s\n", p.tables[i].name);
        });
  }
  if (op == "table") {
    const arbor_cloud_page* raw_page = nullptr;
    if (arbor_cloud_error* e = arbor_glue_get_table(client.get(), db, Opt(a, "name"), &raw_page))
      return Fail(e);
    PagePtr page(raw_page);
    const arbor_cloud_table& t = page->tables[0];
    std::printf("table %s.%s type=%s location=%s input=%s serde=%s\n", t.database, t.name,
                S(t.table_type), S(t.storage.location), S(t.storage.input_format),
                S(t.storage.serde_library));
    for (size_t i = 0; i < t.storage.column_count; ++i)
      std::printf("column %s %s\n", t.storage.columns[i].name, S(t.storage.columns[i].type));
    for (size_t i = 0; i < t.partition_key_count; ++i)
      std::printf("partkey %s %s\n", t.partition_keys[i].name, S(t.partition_keys[i].type));
    for (size_t i = 0; i < t.parameter_count; ++i)
      std::printf("param %s=%s\n", t.parameters[i].key, t.parameters[i].value);
    for (size_t i = 0; i < t.storage.serde_parameter_count; ++i)
      std::printf("serde %s=%s\n", t.storage.serde_parameters[i].key,
                  t.storage.serde_parameters[i].value);
    return 0;
  }
  if (op == "partitions") {
    const int segments = static_cast<int>(Num(a, "segments"));
    const char* table = Opt(a, "table");
    const char* expr = Opt(a, "expr");
    for (int s = 0; s < (segments > 0 ? segments : 1); ++s) {
      int rc = Paginate(
          [&](const char* t, const arbor_cloud_page** p) {
            return arbor_glue_get_partitions(client.get(), db, table, expr, s, segments, t,
                                             page_size, p);
          },
          PrintPartitions);
      if (rc != 0) return rc;
    }
    return 0;
  }
  if (op == "batch-get") {
    std::vector<std::vector<std::string>> keys;
    for (const std::string& k : Split(S(Opt(a, "keys")), ','))
      keys.push_back(Split(k, '/'));
    std::vector<std::vector<const char*>> ptrs(keys.size());
    std::vector<arbor_cloud_partition_values> lists;
    for (size_t i = 0; i < keys.size(); ++i) {
      for (const std::string& v : keys[i])
        ptrs[i].push_back(v.c_str());
      lists.push_back({ptrs[i].data(), ptrs[i].size()});
    }
    const arbor_cloud_page* raw_page = nullptr;
    if (arbor_cloud_error* e = arbor_glue_batch_get_partition(
            client.get(), db, Opt(a, "table"), lists.data(), lists.size(), &raw_page))
      return Fail(e);
    PagePtr page(raw_page);
    PrintPartitions(*page);
    return 0;
  }
  if (op == "create-table") {
    std::vector<std::string> strings;
    std::vector<std::string> part_strings;
    std::vector<arbor_cloud_column> cols = Columns(Split(S(Opt(a, "cols")), ','), &strings);
    std::vector<arbor_cloud_column> parts = Columns(
        Opt(a, "parts") ? Split(Opt(a, "parts"), ',') : std::vector<std::string>{}, &part_strings);
    arbor_cloud_kv param{"EXTERNAL", "TRUE"};
    arbor_cloud_table t{};
    t.database = db;
    t.name = Opt(a, "name");
    t.table_type = "EXTERNAL_TABLE";
    t.storage.location = Opt(a, "location");
    t.storage.input_format = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat";
    t.storage.output_format = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat";
    t.storage.serde_library = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe";
    t.storage.columns = cols.data();
    t.storage.column_count = cols.size();
    t.partition_keys = parts.data();
    t.partition_key_count = parts.size();
    t.parameters = &param;
    t.parameter_count = 1;
    if (arbor_cloud_error* e = arbor_glue_create_table(client.get(), &t)) return Fail(e);
    std::printf("created\n");
    return 0;
  }
  if (op == "create-partitions") {
    std::vector<std::vector<std::string>> values;
    for (const std::string& k : Split(S(Opt(a, "values")), ','))
      values.push_back(Split(k, '/'));
    std::vector<std::vector<const char*>> ptrs(values.size());
    std::vector<std::string> locations;
    locations.reserve(values.size());
    std::vector<arbor_cloud_partition> parts;
    for (size_t i = 0; i < values.size(); ++i) {
      for (const std::string& v : values[i])
        ptrs[i].push_back(v.c_str());
      locations.push_back(std::string(S(Opt(a, "location"))) + "/" + std::to_string(i));
      arbor_cloud_partition p{};
      p.values = ptrs[i].data();
      p.value_count = ptrs[i].size();
      p.storage.location = locations.back().c_str();
      parts.push_back(p);
    }
    if (arbor_cloud_error* e = arbor_glue_batch_create_partition(client.get(), db, Opt(a, "table"),
                                                                 parts.data(), parts.size(), 0))
      return Fail(e);
    std::printf("created %zu\n", parts.size());
    return 0;
  }
  if (op == "drop-table") {
    if (arbor_cloud_error* e = arbor_glue_delete_table(client.get(), db, Opt(a, "name")))
      return Fail(e);
    std::printf("dropped\n");
    return 0;
  }
  std::fprintf(stderr, "cloud_probe: unknown operation %s\n", op.c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: cloud_probe OP [key=value ...]\n");
    return 2;
  }
  Args args;
  for (int i = 2; i < argc; ++i) {
    const char* eq = std::strchr(argv[i], '=');
    if (eq == nullptr) {
      std::fprintf(stderr, "cloud_probe: expected key=value, got %s\n", argv[i]);
      return 2;
    }
    args[std::string(argv[i], static_cast<size_t>(eq - argv[i]))] = eq + 1;
  }
  const std::string op = argv[1];
  return op == "dataproc" ? Dataproc(args) : Glue(op, args);
}

#include "clients/duckdb/extension/versioning_functions.h"

#include "duckdb/main/attached_database.hpp"
#include "duckdb/main/database_manager.hpp"
#include "duckdb/parser/parser.hpp"
#include "duckdb/parser/statement/select_statement.hpp"
#include "duckdb/parser/tableref/subqueryref.hpp"

#include "clients/duckdb/extension/metastore_catalog.h"
#include "clients/duckdb/metastore/arbor_admin.h"

namespace duckdb {

namespace ms = arbor::metastore;

namespace {

std::string Literal(const std::string& text) {
  return "'" + StringUtil::Replace(text, "'", "''") + "'";
}

// A JSON string for a request body.
std::string Json(const std::string& text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      snprintf(buf, sizeof(buf), "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string Arg(TableFunctionBindInput& input, idx_t i, const char* what) {
  if (i >= input.inputs.size() || input.inputs[i].IsNull()) {
    throw BinderException("%s must not be NULL", what);
  }
  return input.inputs[i].ToString();
}

ms::ArborAdmin& Admin(ClientContext& context, const std::string& catalog_name,
                      std::unique_ptr<ms::ArborAdmin>& holder) {
  auto db = DatabaseManager::Get(context).GetDatabase(context, Identifier(catalog_name));
  if (!db || db->GetCatalog().GetCatalogType() != "metastore") {
    throw BinderException("\"%s\" is not an attached metastore catalog", catalog_name);
  }
  auto& catalog = db->GetCatalog().Cast<MetastoreCatalog>();
  // A ref may move (commit, merge, a branch made anew): cached tables go.
  catalog.client()->ForgetTables();
  auto admin = ms::ArborAdmin::Create(catalog.client()->config());
  if (!admin.ok()) ThrowStatus(admin.status(), catalog_name);
  holder = std::move(admin).value();
  return *holder;
}

// Calls the API; any status outside `ok_statuses` is an error with the body.
ms::AdminResponse Call(ms::ArborAdmin& admin, const std::string& method, const std::string& path,
                       const std::string& body, std::initializer_list<int> ok_statuses) {
  auto response = admin.Call(method, path, body);
  if (!response.ok()) ThrowStatus(response.status());
  for (int ok : ok_statuses) {
    if (response->status == ok) return std::move(response).value();
  }
  std::string message = "Arbor admin API " + method + " " + path + " answered " +
                        std::to_string(response->status) + ": " + response->body;
  if (response->status == 404) throw CatalogException(message);
  if (response->status == 403 || response->status == 423) throw PermissionException(message);
  throw InvalidInputException(message);
}

// `SELECT <columns> FROM (SELECT unnest(from_json(<json>, <schema>).<list>) AS r)`.
unique_ptr<TableRef> Parse(ClientContext& context, const std::string& sql) {
  Parser parser(context);
  parser.ParseQuery(sql);
  auto select = unique_ptr_cast<SQLStatement, SelectStatement>(std::move(parser.statements[0]));
  return make_uniq<SubqueryRef>(std::move(select));
}

unique_ptr<TableRef> Rows(ClientContext& context, const std::string& json,
                          const std::string& json_path, const std::string& schema,
                          const std::string& list, const std::string& columns) {
  std::string doc =
      json_path == "$" ? Literal(json) : "json_extract(" + Literal(json) + ", '" + json_path + "')";
  std::string sql = "SELECT " + columns + " FROM (SELECT unnest(from_json(" + doc + ", " +
                    Literal(schema) + ")." + list + ") AS r)";
  return Parse(context, sql);
}

const char* kBranchSchema =
    R"({"name":"VARCHAR","head":"VARCHAR","protected":"BOOLEAN","commit_mode":"VARCHAR","is_default":"BOOLEAN"})";
const char* kBranchColumns =
    "r.name AS name, r.head AS head, r.protected AS protected, r.commit_mode AS commit_mode, "
    "r.is_default AS is_default";
const char* kCommitSchema =
    R"({"id":"VARCHAR","parents":["VARCHAR"],"author":"VARCHAR","message":"VARCHAR","time":"VARCHAR"})";
const char* kCommitColumns =
    "r.id AS id, r.parents AS parents, r.author AS author, r.message AS message, r.time AS time";

unique_ptr<TableRef> Branches(ClientContext& context, TableFunctionBindInput& input) {
  std::unique_ptr<ms::ArborAdmin> holder;
  auto& admin = Admin(context, Arg(input, 0, "catalog"), holder);
  auto r = Call(admin, "GET", "/api/v1/branches", "", {200});
  return Rows(context, r.body, "$", std::string(R"({"branches":[)") + kBranchSchema + "]}",
              "branches", kBranchColumns);
}

unique_ptr<TableRef> Tags(ClientContext& context, TableFunctionBindInput& input) {
  std::unique_ptr<ms::ArborAdmin> holder;
  auto& admin = Admin(context, Arg(input, 0, "catalog"), holder);
  auto r = Call(admin, "GET", "/api/v1/tags", "", {200});
  return Rows(context, r.body, "$", R"({"tags":[{"name":"VARCHAR","commit":"VARCHAR"}]})", "tags",
              "r.name AS name, r.commit AS commit");
}

unique_ptr<TableRef> Log(ClientContext& context, TableFunctionBindInput& input) {
  std::unique_ptr<ms::ArborAdmin> holder;
  auto& admin = Admin(context, Arg(input, 0, "catalog"), holder);
  auto ref = Arg(input, 1, "ref");
  auto r = Call(admin, "GET", "/api/v1/refs/" + ms::EncodePathSegment(ref) + "/commits?limit=1000",
                "", {200});
  return Rows(context, r.body, "$", std::string(R"({"commits":[)") + kCommitSchema + "]}",
              "commits", kCommitColumns);
}

unique_ptr<TableRef> Diff(ClientContext& context, TableFunctionBindInput& input) {
  std::unique_ptr<ms::ArborAdmin> holder;
  auto& admin = Admin(context, Arg(input, 0, "catalog"), holder);
  auto left = Arg(input, 1, "left ref");
  auto right = Arg(input, 2, "right ref");
  auto r = Call(admin, "GET",
                "/api/v1/refs/" + ms::EncodePathSegment(left) + "/diff/" +
                    ms::EncodePathSegment(right) + "?limit=10000",
                "", {200});
  return Rows(
      context, r.body, "$",
      R"({"changes":[{"key":{"kind":"VARCHAR","db":"VARCHAR","table":"VARCHAR","partition":"VARCHAR"},)"
      R"("type":"VARCHAR","changed_fields":["VARCHAR"]}]})",
      "changes",
      "r.type AS change, r.key.kind AS kind, r.key.db AS db, nullif(r.key.table, '') AS \"table\", "
      "nullif(r.key.partition, '') AS \"partition\", r.changed_fields AS changed_fields");
}

unique_ptr<TableRef> CreateBranch(ClientContext& context, TableFunctionBindInput& input) {
  std::unique_ptr<ms::ArborAdmin> holder;
  auto& admin = Admin(context, Arg(input, 0, "catalog"), holder);
  std::string body = "{\"name\":" + Json(Arg(input, 1, "branch name"));
  if (input.inputs.size() > 2) body += ",\"source\":" + Json(Arg(input, 2, "source ref"));
  body += "}";
  auto r = Call(admin, "POST", "/api/v1/branches", body, {200, 201});
  return Rows(context, "{\"b\":[" + r.body + "]}", "$",
              std::string(R"({"b":[)") + kBranchSchema + "]}", "b", kBranchColumns);
}

unique_ptr<TableRef> Commit(ClientContext& context, TableFunctionBindInput& input) {
  std::unique_ptr<ms::ArborAdmin> holder;
  auto& admin = Admin(context, Arg(input, 0, "catalog"), holder);
  auto branch = Arg(input, 1, "branch");
  std::string body = "{\"message\":" + Json(Arg(input, 2, "message")) + "}";
  auto r = Call(admin, "POST", "/api/v1/branches/" + ms::EncodePathSegment(branch) + "/commits",
                body, {200, 201});
  return Rows(context, "{\"c\":[" + r.body + "]}", "$",
              std::string(R"({"c":[{"commit":)") + kCommitSchema + "}]}", "c",
              "r.commit.id AS id, r.commit.message AS message, r.commit.author AS author");
}

unique_ptr<TableRef> Merge(ClientContext& context, TableFunctionBindInput& input) {
  std::unique_ptr<ms::ArborAdmin> holder;
  auto& admin = Admin(context, Arg(input, 0, "catalog"), holder);
  auto source = Arg(input, 1, "source ref");
  auto into = Arg(input, 2, "destination branch");
  std::string body = "{\"source\":" + Json(source);
  if (input.inputs.size() > 3) body += ",\"strategy\":" + Json(Arg(input, 3, "strategy"));
  if (input.inputs.size() > 4)
    body += std::string(",\"dry_run\":") + (input.inputs[4].GetValue<bool>() ? "true" : "false");
  body += "}";
  auto r = Call(admin, "POST", "/api/v1/branches/" + ms::EncodePathSegment(into) + "/merge", body,
                {200, 201, 409});
  // 409: the merge result rides in the error's details.
  std::string schema =
      R"({"m":[{"status":"VARCHAR","commit":{"id":"VARCHAR"},"changes":"UBIGINT","conflict_count":"UBIGINT",)"
      R"("conflicts":[{"key":{"kind":"VARCHAR","db":"VARCHAR","table":"VARCHAR","partition":"VARCHAR"},"fields":["VARCHAR"]}]}]})";
  std::string doc = "{\"m\":[" + r.body + "]}";
  std::string sql_path = r.status == 409 ? "$.m[0].details" : "$.m[0]";
  // One row per conflict; a merge without conflicts is one row with NULL conflict columns.
  std::string json_doc = "json_extract(" + Literal(doc) + ", '" + sql_path + "')";
  std::string row_schema = schema.substr(std::string(R"({"m":[)").size());
  row_schema = row_schema.substr(0, row_schema.size() - 2);
  std::string sql =
      "SELECT m.status AS status, m.commit.id AS commit, m.changes AS changes, m.conflict_count AS "
      "conflict_count, "
      "c.key.kind AS kind, c.key.db AS db, nullif(c.key.table, '') AS \"table\", "
      "nullif(c.key.partition, '') AS \"partition\", c.fields AS fields "
      "FROM (SELECT from_json(" +
      json_doc + ", " + Literal(row_schema) +
      ") AS m) "
      "LEFT JOIN LATERAL (SELECT unnest(CASE WHEN len(m.conflicts) = 0 THEN [NULL] ELSE "
      "m.conflicts END) AS c) ON true";
  return Parse(context, sql);
}

void Register(ExtensionLoader& loader, const char* name,
              std::vector<std::vector<LogicalType>> signatures,
              table_function_bind_replace_t bind) {
  TableFunctionSet set{Identifier(name)};
  for (auto& args : signatures) {
    TableFunction fn(Identifier(name), vector<LogicalType>(args.begin(), args.end()), nullptr);
    fn.bind_replace = bind;
    set.AddFunction(fn);
  }
  loader.RegisterFunction(set);
}

}  // namespace

void RegisterVersioningFunctions(ExtensionLoader& loader) {
  const auto V = LogicalType::VARCHAR;
  Register(loader, "arbor_branches", {{V}}, Branches);
  Register(loader, "arbor_tags", {{V}}, Tags);
  Register(loader, "arbor_log", {{V, V}}, Log);
  Register(loader, "arbor_diff", {{V, V, V}}, Diff);
  Register(loader, "arbor_create_branch", {{V, V}, {V, V, V}}, CreateBranch);
  Register(loader, "arbor_commit", {{V, V, V}}, Commit);
  Register(loader, "arbor_merge", {{V, V, V}, {V, V, V, V}, {V, V, V, V, LogicalType::BOOLEAN}},
           Merge);
}

}  // namespace duckdb

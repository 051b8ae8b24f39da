// `arbor ls REF [DB [TABLE]]`: read-only catalog browsing at a ref through
// GET /api/v1/refs/{ref}/databases[/{db}/tables[/{table}/partitions]].
#include "arbor/admin.pb.h"
#include "cli/command.h"
#include "cli/paging.h"
#include "cli/render.h"
#include "cli/table_printer.h"

namespace arbor::cli {

namespace {

namespace pb = google::protobuf;

std::string Text(const pb::Struct& s, std::initializer_list<std::string_view> path) {
  const pb::Value* v = Lookup(s, path);
  return v == nullptr ? "" : ScalarText(*v);
}

size_t Count(const pb::Struct& s, std::initializer_list<std::string_view> path) {
  const pb::Value* v = Lookup(s, path);
  return v != nullptr && v->has_list_value() ? static_cast<size_t>(v->list_value().values_size())
                                             : 0;
}

std::string PartitionKeys(const pb::Struct& table) {
  const pb::Value* v = Lookup(table, {"partition_keys", "items"});
  std::string out;
  if (v == nullptr || !v->has_list_value()) return out;
  for (const auto& k : v->list_value().values()) {
    if (!k.has_struct_value()) continue;
    out += (out.empty() ? "" : ", ") + Text(k.struct_value(), {"name"});
  }
  return out;
}

void MoreNote(Context& ctx, bool has_more, size_t shown, const char* what) {
  if (has_more) {
    ctx.err << "(showing the first " << shown << " " << what << "; raise --limit for more)\n";
  }
}

int Ls(const ParsedArgs& args, Context& ctx) {
  size_t limit = args.Has("limit") ? ParsePositiveInt("--limit", *args.Get("limit")) : 0;
  std::string ref = args.Positional(0);
  std::string db = args.Positional(1);
  std::string table = args.Positional(2);
  if (db.empty()) {
    admin::ListDatabasesResponse response;
    ctx.api.Get("/refs" + Seg(ref) + "/databases", &response);
    if (ctx.json()) {
      PrintJson(ctx, response);
      return kExitOk;
    }
    TablePrinter out({"DATABASE", "OWNER", "LOCATION", "DESCRIPTION"});
    for (const auto& d : response.databases()) {
      out.AddRow({Text(d, {"name"}), Text(d, {"owner_name"}), Text(d, {"location_uri"}),
                  Text(d, {"description"})});
    }
    out.Print(ctx.out);
    return kExitOk;
  }
  if (table.empty()) {
    admin::ListTablesResponse response = FetchTables(ctx.api, ref, db, limit);
    if (ctx.json()) {
      PrintJson(ctx, response);
      return kExitOk;
    }
    TablePrinter out({"TABLE", "TYPE", "COLUMNS", "PARTITIONED BY", "LOCATION"});
    for (const auto& t : response.tables()) {
      out.AddRow({Text(t, {"table_name"}), Text(t, {"table_type"}),
                  std::to_string(Count(t, {"sd", "cols", "items"})), PartitionKeys(t),
                  Text(t, {"sd", "location"})});
    }
    out.Print(ctx.out);
    MoreNote(ctx, response.has_more(), response.tables_size(), "tables");
    return kExitOk;
  }
  admin::ListPartitionsResponse response = FetchPartitions(ctx.api, ref, db, table, limit);
  if (ctx.json()) {
    PrintJson(ctx, response);
    return kExitOk;
  }
  TablePrinter out({"PARTITION", "LOCATION"});
  for (const auto& p : response.partitions()) {
    out.AddRow({p.name(), Text(p.partition(), {"sd", "location"})});
  }
  out.Print(ctx.out);
  MoreNote(ctx, response.has_more(), response.partitions_size(), "partitions");
  return kExitOk;
}

}  // namespace

std::vector<CommandSpec> LsCommands() {
  return {
      {{"ls"},
       "REF [DB [TABLE]] [--limit N]",
       "browse the catalog at a ref",
       "Lists the databases at REF; with DB, the tables of that database; with DB and TABLE,\n"
       "the partitions of that table. REF may be a branch (its uncommitted changes\n"
       "included), a tag or a commit. Read-only. With -o json, prints the entities as the\n"
       "API returns them (catalog.proto field names).",
       {{"REF", true, "branch, tag or commit"},
        {"DB", false, "a database: list its tables"},
        {"TABLE", false, "a table of DB: list its partitions"}},
       {{"limit", 0, "N", false, "list at most N tables or partitions (default: all)"}},
       {"arbor ls main", "arbor ls dev sales", "arbor ls v2024 sales orders -o json"},
       Ls},
  };
}

}  // namespace arbor::cli

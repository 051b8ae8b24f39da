// `arbor log REF` and `arbor show COMMIT`: history through
// /api/v1/refs/{ref}/commits and /api/v1/commits/{commit}.
#include <map>

#include "arbor/admin.pb.h"
#include "cli/command.h"
#include "cli/paging.h"
#include "cli/render.h"
#include "cli/table_printer.h"

namespace arbor::cli {

namespace {

int Log(const ParsedArgs& args, Context& ctx) {
  size_t limit = args.Has("limit") ? ParsePositiveInt("--limit", *args.Get("limit")) : 100;
  std::string ref = args.Positional(0);
  admin::LogResponse log = FetchLog(ctx.api, ref, args.Has("first-parent"), limit);
  if (ctx.json()) {
    PrintJson(ctx, log);
    return kExitOk;
  }
  bool lakefs = false;
  for (const auto& c : log.commits())
    lakefs = lakefs || !c.lakefs_commit().empty();
  std::vector<std::string> headers = {"COMMIT", "DATE", "AUTHOR", "MESSAGE"};
  if (lakefs) headers.insert(headers.begin() + 1, "LAKEFS");
  TablePrinter table(headers);
  for (const auto& c : log.commits()) {
    std::string message = FirstLine(c.message());
    if (c.parents_size() > 1) message = "(merge) " + message;
    std::vector<std::string> row = {ShortId(c.id()), FormatTime(c.time()), c.author(), message};
    if (lakefs) row.insert(row.begin() + 1, ShortId(c.lakefs_commit()));
    table.AddRow(std::move(row));
  }
  table.Print(ctx.out);
  if (log.has_more()) {
    ctx.err << "(showing the newest " << log.commits_size()
            << " commits; pass --limit N for more)\n";
  }
  return kExitOk;
}

int Show(const ParsedArgs& args, Context& ctx) {
  size_t limit = args.Has("limit") ? ParsePositiveInt("--limit", *args.Get("limit")) : 1000;
  admin::Commit c;
  ctx.api.Get("/commits" + Seg(args.Positional(0)), &c);
  if (ctx.json()) {
    PrintJson(ctx, c);
    return kExitOk;
  }
  std::string parents;
  for (const auto& p : c.parents())
    parents += (parents.empty() ? "" : " ") + p;
  std::vector<std::pair<std::string, std::string>> fields = {
      {"commit", c.id()},
      {"parents", parents.empty() ? "(none: the first commit)" : parents},
      {"author", c.author()},
      {"date", FormatTime(c.time())},
  };
  if (!c.lakefs_commit().empty()) fields.emplace_back("lakefs commit", c.lakefs_commit());
  fields.emplace_back("generation", std::to_string(c.generation()));
  fields.emplace_back("tree", c.root());
  std::map<std::string, std::string> metadata(c.metadata().begin(), c.metadata().end());
  for (const auto& [k, v] : metadata)
    fields.emplace_back("meta " + k, v);
  PrintFields(ctx.out, fields);
  ctx.out << "\n";
  std::string_view message = c.message();
  while (true) {
    size_t nl = message.find('\n');
    ctx.out << "    " << message.substr(0, nl) << "\n";
    if (nl == std::string_view::npos) break;
    message.remove_prefix(nl + 1);
  }
  if (c.parents_size() == 0) return kExitOk;
  ctx.out << "\nchanges against " << (c.parents_size() > 1 ? "the first parent " : "the parent ")
          << ShortId(c.parents(0)) << ":\n";
  admin::DiffResponse diff =
      FetchDiff(ctx.api, "/refs" + Seg(c.parents(0)) + "/diff" + Seg(c.id()), limit);
  PrintDiff(diff, ctx.out);
  if (diff.has_more()) {
    ctx.out << "(showing the first " << diff.changes_size()
            << " changes; pass --limit N for more)\n";
  }
  return kExitOk;
}

}  // namespace

std::vector<CommandSpec> HistoryCommands() {
  return {
      {{"log"},
       "REF [--limit N] [--first-parent]",
       "list the commits reachable from a ref, newest first",
       "Shows id, date, author and first message line of each commit; merge commits are\n"
       "marked. When any commit is linked to lakeFS, a LAKEFS column shows its data commit.",
       {{"REF", true, "branch, tag or commit to start from"}},
       {{"limit", 0, "N", false, "show at most N commits (default 100)"},
        {"first-parent", 0, "", false,
         "follow only first parents: a branch's own history, one entry per merge"}},
       {"arbor log main", "arbor log main --first-parent --limit 20", "arbor log v2024 -o json"},
       Log},
      {{"show"},
       "COMMIT [--limit N]",
       "show a commit and its changes",
       "Shows the commit's id, parents, author, date, linked lakeFS commit (when present),\n"
       "metadata and message, then what it changed against its (first) parent, as\n"
       "'arbor diff' prints it. With -o json, prints the commit as the API returns it.",
       {{"COMMIT", true, "commit id or unique prefix (8+ hex digits), or any ref (main~1)"}},
       {{"limit", 0, "N", false, "list at most N changes (default 1000)"}},
       {"arbor show 3f9c2a71", "arbor show main", "arbor show main~1 -o json"},
       Show},
  };
}

}  // namespace arbor::cli

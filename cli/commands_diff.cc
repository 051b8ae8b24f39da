// `arbor diff LEFT [RIGHT]`: GET /api/v1/refs/{left}/diff/{right}, or a
// branch's uncommitted changes through GET /api/v1/branches/{branch}/diff.
#include "arbor/admin.pb.h"
#include "cli/command.h"
#include "cli/paging.h"
#include "cli/render.h"

namespace arbor::cli {

namespace {

int Diff(const ParsedArgs& args, Context& ctx) {
  size_t limit = args.Has("limit") ? ParsePositiveInt("--limit", *args.Get("limit")) : 0;
  std::string left = args.Positional(0);
  std::string right = args.Positional(1);
  std::string path = right.empty() ? "/branches" + Seg(left) + "/diff"
                                   : "/refs" + Seg(left) + "/diff" + Seg(right);
  admin::DiffResponse diff = FetchDiff(ctx.api, path, limit);
  if (ctx.json()) {
    PrintJson(ctx, diff);
    return kExitOk;
  }
  PrintDiff(diff, ctx.out);
  if (diff.has_more()) {
    ctx.err << "(showing the first " << diff.changes_size()
            << " changes; raise --limit for more)\n";
  }
  return kExitOk;
}

}  // namespace

std::vector<CommandSpec> DiffCommands() {
  return {
      {{"diff"},
       "LEFT [RIGHT] [--limit N]",
       "show changes between two refs, or a branch's uncommitted ones",
       "Lists every catalog object that differs, one line per object, in key order:\n"
       "  + added   - removed   ~ changed\n"
       "A changed table gets a field-level summary: columns added (+col name(type)), removed\n"
       "(-col) or retyped (~col name(old -> new)), location, formats, serde, table type and\n"
       "parameters (params: +added -removed ~changed). Other objects list the fields that\n"
       "changed. A last line counts the changes.\n"
       "With RIGHT omitted, LEFT must be a branch, and the diff is its uncommitted changes\n"
       "(what 'arbor commit' would commit).",
       {{"LEFT", true, "the old side: a branch, tag or commit"},
        {"RIGHT", false, "the new side; omitted: LEFT's uncommitted changes"}},
       {{"limit", 0, "N", false, "list at most N changes (default: all)"}},
       {"arbor diff main dev", "arbor diff dev", "arbor diff v2024 main -o json",
        "arbor diff main~1 main"},
       Diff},
  };
}

}  // namespace arbor::cli

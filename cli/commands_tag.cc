// `arbor tag list | create NAME REF | delete NAME`: tags through /api/v1/tags.
#include "arbor/admin.pb.h"
#include "cli/command.h"
#include "cli/render.h"
#include "cli/table_printer.h"

namespace arbor::cli {

namespace {

int List(const ParsedArgs& args, Context& ctx) {
  admin::ListTagsResponse response;
  ctx.api.Get("/tags", &response);
  if (ctx.json()) {
    PrintJson(ctx, response);
    return kExitOk;
  }
  TablePrinter table({"NAME", "COMMIT", "CREATED"});
  for (const auto& t : response.tags()) {
    table.AddRow({t.name(), ShortId(t.commit()), FormatTime(t.created())});
  }
  table.Print(ctx.out);
  return kExitOk;
}

int Create(const ParsedArgs& args, Context& ctx) {
  admin::CreateTagRequest request;
  request.set_name(args.Positional(0));
  request.set_ref(args.Positional(1));
  admin::Tag tag;
  ctx.api.Call("POST", "/tags", &request, &tag);
  if (ctx.json()) {
    PrintJson(ctx, tag);
    return kExitOk;
  }
  ctx.out << "created tag '" << tag.name() << "' at " << ShortId(tag.commit()) << " ("
          << request.ref() << ")\n";
  return kExitOk;
}

int Delete(const ParsedArgs& args, Context& ctx) {
  std::string name = args.Positional(0);
  ctx.api.Call("DELETE", "/tags" + Seg(name), nullptr, nullptr);
  if (ctx.json()) {
    PrintStatusJson(ctx, {{"status", "deleted"}, {"tag", name}});
  } else {
    ctx.out << "deleted tag '" << name << "'\n";
  }
  return kExitOk;
}

}  // namespace

std::vector<CommandSpec> TagCommands() {
  return {
      {{"tag", "list"}, "", "list tags", "", {}, {}, {"arbor tag list"}, List},
      {{"tag", "create"},
       "NAME REF",
       "tag a commit",
       "Creates tag NAME at REF's commit. A tag is read-only: Hive clients read it as\n"
       "`db@NAME`, and writes there fail with an error naming the tag.",
       {{"NAME", true, "the new tag's name ([a-z0-9][a-z0-9_-]*)"},
        {"REF", true, "branch, tag or commit to tag"}},
       {},
       {"arbor tag create v2024 main", "arbor tag create before-fix main~1"},
       Create},
      {{"tag", "delete"},
       "NAME",
       "delete a tag",
       "",
       {{"NAME", true, "the tag"}},
       {},
       {"arbor tag delete v2024"},
       Delete},
  };
}

}  // namespace arbor::cli

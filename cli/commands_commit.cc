// `arbor commit`, `arbor reset`, `arbor revert`: commands that move a branch
// (POST /branches/{branch}/commits, /reset, /revert).
#include "arbor/admin.pb.h"
#include "cli/command.h"
#include "cli/merge_report.h"
#include "cli/render.h"

namespace arbor::cli {

namespace {

std::string BranchPath(const std::string& name) {
  return "/branches" + Seg(name);
}

int Commit(const ParsedArgs& args, Context& ctx) {
  auto message = args.Get("message");
  if (!message) throw UsageError("missing -m MESSAGE");
  admin::CommitRequest request;
  request.set_message(*message);
  for (const auto& kv : args.All("meta")) {
    auto [k, v] = ParseKeyValue("--meta", kv);
    (*request.mutable_metadata())[k] = v;
  }
  request.set_allow_empty(args.Has("allow-empty"));
  request.set_author(args.GetOr("author", ""));
  request.set_expected_head(args.GetOr("expected-head", ""));
  std::string branch = args.Positional(0);
  admin::CommitResponse response;
  try {
    ctx.api.Call("POST", BranchPath(branch) + "/commits", &request, &response);
  } catch (const ApiError& e) {
    if (e.hint().empty() && !request.allow_empty() &&
        std::string_view(e.what()).find("nothing to commit") != std::string_view::npos) {
      throw ApiError(e.http_status(), e.code(), e.what(), e.details_json(),
                     "'arbor diff " + branch +
                         "' shows what is uncommitted; --allow-empty "
                         "commits anyway");
    }
    throw;
  }
  if (ctx.json()) {
    PrintJson(ctx, response);
    return kExitOk;
  }
  const auto& c = response.commit();
  ctx.out << "[" << branch << " " << ShortId(c.id()) << "] " << FirstLine(c.message()) << "\n";
  if (!c.lakefs_commit().empty()) ctx.out << "lakeFS commit: " << c.lakefs_commit() << "\n";
  return kExitOk;
}

int Reset(const ParsedArgs& args, Context& ctx) {
  admin::ResetRequest request;
  request.set_expected_head(args.GetOr("expected-head", ""));
  std::string branch = args.Positional(0);
  admin::Branch response;
  ctx.api.Call("POST", BranchPath(branch) + "/reset", &request, &response);
  if (ctx.json()) {
    PrintJson(ctx, response);
    return kExitOk;
  }
  ctx.out << "reset branch '" << response.name() << "': uncommitted changes dropped (head "
          << ShortId(response.head()) << ")\n";
  return kExitOk;
}

int Revert(const ParsedArgs& args, Context& ctx) {
  admin::RevertRequest request;
  std::string branch = args.Positional(0);
  request.set_commit(args.Positional(1));
  if (auto p = args.Get("parent")) {
    request.set_parent(static_cast<int32_t>(std::stoi(ParseChoice("--parent", *p, {"1", "2"}))));
  }
  request.set_message(args.GetOr("message", ""));
  request.set_author(args.GetOr("author", ""));
  request.set_expected_head(args.GetOr("expected-head", ""));
  admin::MergeResponse result;
  try {
    ctx.api.Call("POST", BranchPath(branch) + "/revert", &request, &result);
  } catch (const ApiError& e) {
    if (e.http_status() == 400 && request.parent() == 0 &&
        std::string_view(e.what()).find("merge") != std::string_view::npos) {
      throw ApiError(e.http_status(), e.code(), e.what(), e.details_json(),
                     "pass --parent 1 to undo what the merge brought in from its source");
    }
    ThrowIfConflicts(e, ctx, nullptr,
                     "later commits on '" + branch +
                         "' changed the same fields; revert them first or edit by hand");
  }
  if (ctx.json()) {
    PrintJson(ctx, result);
    return kExitOk;
  }
  if (result.has_commit()) {
    ctx.out << "[" << branch << " " << ShortId(result.commit().id()) << "] "
            << FirstLine(result.commit().message()) << "\n";
    ctx.out << "reverted " << ShortId(result.source()) << " on '" << branch << "' ("
            << result.changes() << (result.changes() == 1 ? " change" : " changes") << ")\n";
    if (!result.commit().lakefs_commit().empty()) {
      ctx.out << "lakeFS commit: " << result.commit().lakefs_commit() << "\n";
    }
  } else {
    ctx.out << "nothing to revert: " << ShortId(result.source()) << " changes nothing on '"
            << branch << "' (" << result.status() << ")\n";
  }
  return kExitOk;
}

}  // namespace

std::vector<CommandSpec> CommitCommands() {
  return {
      {{"commit"},
       "BRANCH -m MESSAGE [--meta k=v]... [--allow-empty]",
       "commit a branch's uncommitted changes",
       "Commits every uncommitted change of BRANCH (see 'arbor diff BRANCH') as one commit.\n"
       "With lakeFS configured, the branch's data is committed with it and the commit records\n"
       "the lakeFS commit id. Committing nothing fails unless --allow-empty is given. A\n"
       "protected branch refuses direct commits: merge into it instead.",
       {{"BRANCH", true, "the branch to commit"}},
       {{"message", 'm', "MESSAGE", false, "the commit message (required)"},
        {"meta", 0, "KEY=VALUE", true, "metadata recorded in the commit"},
        {"allow-empty", 0, "", false, "commit even when nothing changed"},
        AuthorOption(),
        ExpectedHeadOption()},
       {"arbor commit dev -m \"load May orders\"",
        "arbor commit dev -m \"nightly\" --meta job=etl-42 --meta source=s3"},
       Commit},
      {{"reset"},
       "BRANCH",
       "drop a branch's uncommitted changes",
       "Drops every uncommitted change of BRANCH, so it reads as its head commit again. This\n"
       "cannot be undone. Data files are never deleted.",
       {{"BRANCH", true, "the branch to reset"}},
       {ExpectedHeadOption()},
       {"arbor reset dev"},
       Reset},
      {{"revert"},
       "BRANCH COMMIT [-m MESSAGE] [--parent 1|2]",
       "undo a commit with a new commit",
       "Writes a new commit on BRANCH that undoes the changes COMMIT made, merging the undo\n"
       "field by field with what happened since. If later commits changed the same fields,\n"
       "nothing is written, the conflicts are listed and the exit code is 3. BRANCH must have\n"
       "no uncommitted changes.",
       {{"BRANCH", true, "the branch to write the revert commit on"},
        {"COMMIT", true, "the commit to undo (id, unique prefix, or ref like main~2)"}},
       {{"message", 'm', "MESSAGE", false, "message (default \"Revert <id>: <message>\")"},
        {"parent", 0, "N", false, "for a merge commit: undo relative to parent 1 or 2"},
        AuthorOption(),
        ExpectedHeadOption()},
       {"arbor revert main 3f9c2a71", "arbor revert main main~1 -m \"undo the bad load\""},
       Revert},
  };
}

}  // namespace arbor::cli

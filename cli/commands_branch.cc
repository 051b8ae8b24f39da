// `arbor branch list | create | delete | show | protect | unprotect | mode`:
// branches through /api/v1/branches.
#include "arbor/admin.pb.h"
#include "cli/command.h"
#include "cli/render.h"
#include "cli/table_printer.h"

namespace arbor::cli {

namespace {

std::string YesNo(bool b) {
  return b ? "yes" : "no";
}

std::string BranchPath(const std::string& name) {
  return "/branches" + Seg(name);
}

int List(const ParsedArgs& args, Context& ctx) {
  admin::ListBranchesResponse response;
  ctx.api.Get("/branches", &response);
  if (ctx.json()) {
    PrintJson(ctx, response);
    return kExitOk;
  }
  TablePrinter table({"NAME", "HEAD", "DEFAULT", "PROTECTED", "MODE", "CREATED"});
  for (const auto& b : response.branches()) {
    table.AddRow({b.name(), ShortId(b.head()), b.is_default() ? "yes" : "", YesNo(b.protected_()),
                  b.commit_mode(), FormatTime(b.created())});
  }
  table.Print(ctx.out);
  return kExitOk;
}

int Create(const ParsedArgs& args, Context& ctx) {
  admin::CreateBranchRequest request;
  request.set_name(args.Positional(0));
  request.set_source(args.GetOr("from", ""));
  admin::Branch branch;
  ctx.api.Call("POST", "/branches", &request, &branch);
  if (ctx.json()) {
    PrintJson(ctx, branch);
    return kExitOk;
  }
  ctx.out << "created branch '" << branch.name() << "' at " << ShortId(branch.head()) << " (from "
          << (request.source().empty() ? "the default branch" : request.source()) << ")\n";
  return kExitOk;
}

int Delete(const ParsedArgs& args, Context& ctx) {
  std::string name = args.Positional(0);
  ctx.api.Call("DELETE", BranchPath(name), nullptr, nullptr);
  if (ctx.json()) {
    PrintStatusJson(ctx, {{"status", "deleted"}, {"branch", name}});
  } else {
    ctx.out << "deleted branch '" << name << "'\n";
  }
  return kExitOk;
}

int Show(const ParsedArgs& args, Context& ctx) {
  admin::Branch branch;
  ctx.api.Get(BranchPath(args.Positional(0)), &branch);
  if (ctx.json()) {
    PrintJson(ctx, branch);
    return kExitOk;
  }
  admin::Commit head;
  ctx.api.Get("/commits" + Seg(branch.head()), &head);
  admin::DiffResponse staged;
  ctx.api.Get(BranchPath(branch.name()) + "/diff" + Query({{"limit", "1000"}}), &staged);
  std::string uncommitted = staged.changes_size() == 0
                                ? "none"
                                : std::to_string(staged.changes_size()) +
                                      (staged.has_more() ? "+" : "") +
                                      (staged.changes_size() == 1 ? " change" : " changes") +
                                      " (arbor diff " + branch.name() + ")";
  std::vector<std::pair<std::string, std::string>> fields = {
      {"branch", branch.name()},
      {"head", branch.head()},
      {"head commit",
       FirstLine(head.message()) + " (" + head.author() + ", " + FormatTime(head.time()) + ")"},
      {"default", YesNo(branch.is_default())},
      {"protected", YesNo(branch.protected_())},
      {"commit mode", branch.commit_mode()},
      {"created", FormatTime(branch.created())},
      {"uncommitted", uncommitted},
  };
  if (!head.lakefs_commit().empty()) {
    fields.insert(fields.begin() + 3, {"lakefs commit", head.lakefs_commit()});
  }
  if (!branch.pending_lakefs_operation().empty()) {
    // The branch takes no writes until arbord settles this with lakeFS.
    fields.push_back({"pending lakeFS " + branch.pending_lakefs_operation(),
                      "since " + FormatTime(branch.pending_since()) + " (writes wait for it)"});
  }
  PrintFields(ctx.out, fields);
  return kExitOk;
}

int SetProtection(const ParsedArgs& args, Context& ctx, bool protect) {
  admin::SetProtectionRequest request;
  request.set_protected_(protect);
  admin::Branch branch;
  ctx.api.Call("PUT", BranchPath(args.Positional(0)) + "/protection", &request, &branch);
  if (ctx.json()) {
    PrintJson(ctx, branch);
  } else if (protect) {
    ctx.out << "branch '" << branch.name()
            << "' is protected: Hive writes and direct commits are refused; merges are allowed\n";
  } else {
    ctx.out << "branch '" << branch.name() << "' is no longer protected\n";
  }
  return kExitOk;
}

int Mode(const ParsedArgs& args, Context& ctx) {
  admin::SetCommitModeRequest request;
  request.set_mode(ParseChoice("MODE", args.Positional(1), {"staged", "auto"}));
  admin::Branch branch;
  ctx.api.Call("PUT", BranchPath(args.Positional(0)) + "/commit-mode", &request, &branch);
  if (ctx.json()) {
    PrintJson(ctx, branch);
    return kExitOk;
  }
  ctx.out << "branch '" << branch.name() << "' commit mode: " << branch.commit_mode()
          << (branch.commit_mode() == "auto" ? " (every Hive change is committed at once)"
                                             : " (changes wait for 'arbor commit')")
          << "\n";
  return kExitOk;
}

}  // namespace

std::vector<CommandSpec> BranchCommands() {
  PositionalSpec branch{"NAME", true, "the branch"};
  return {
      {{"branch", "list"},
       "",
       "list branches",
       "Lists every branch with its head commit, protection and commit mode.",
       {},
       {},
       {"arbor branch list", "arbor branch list -o json"},
       List},
      {{"branch", "create"},
       "NAME [--from REF]",
       "create a branch",
       "Creates branch NAME at REF's commit. Creating a branch copies nothing, whatever the\n"
       "catalog's size. Names match [a-z0-9][a-z0-9_-]* (Hive lower-cases database names, and\n"
       "the branch rides in them: sales@NAME).",
       {{"NAME", true, "the new branch's name"}},
       {{"from", 0, "REF", false,
         "branch, tag or commit to start from (default: the server's default branch)"}},
       {"arbor branch create dev", "arbor branch create fix-2024 --from v2024"},
       Create},
      {{"branch", "delete"},
       "NAME",
       "delete a branch",
       "Deletes the branch and its uncommitted changes. Its commits stay reachable from tags\n"
       "and other branches. The default branch cannot be deleted.",
       {branch},
       {},
       {"arbor branch delete dev"},
       Delete},
      {{"branch", "show"},
       "NAME",
       "show a branch",
       "Shows the branch's head commit, protection, commit mode and how many uncommitted\n"
       "changes it has. With -o json, prints the branch as the API returns it.",
       {branch},
       {},
       {"arbor branch show dev"},
       Show},
      {{"branch", "protect"},
       "NAME",
       "protect a branch",
       "A protected branch refuses Hive writes and direct commits, resets and reverts; only\n"
       "merges move it.",
       {branch},
       {},
       {"arbor branch protect main"},
       [](const ParsedArgs& a, Context& c) { return SetProtection(a, c, true); }},
      {{"branch", "unprotect"},
       "NAME",
       "lift a branch's protection",
       "",
       {branch},
       {},
       {"arbor branch unprotect main"},
       [](const ParsedArgs& a, Context& c) { return SetProtection(a, c, false); }},
      {{"branch", "mode"},
       "NAME staged|auto",
       "set a branch's commit mode",
       "staged (the default): Hive changes collect as uncommitted changes until 'arbor commit'.\n"
       "auto: every Hive change is committed at once, so each DDL is versioned.",
       {branch, {"MODE", true, "staged or auto"}},
       {},
       {"arbor branch mode dev auto"},
       Mode},
  };
}

}  // namespace arbor::cli

// `arbor merge SOURCE --into BRANCH`: POST /api/v1/branches/{branch}/merge,
// with dry runs, strategies and the conflict list (exit code 3).
#include "arbor/admin.pb.h"
#include "cli/command.h"
#include "cli/merge_report.h"
#include "cli/render.h"

namespace arbor::cli {

namespace {

constexpr int kConflictPage = 1000;

// Fetches the conflicts after `result`'s page with dry runs of the same merge,
// which write nothing whatever the state of the branches by then.
ConflictPager DryRunPager(const Context& ctx, const std::string& path,
                          const admin::MergeRequest& request) {
  return [&ctx, path, request](admin::MergeResponse* result) {
    admin::MergeRequest next = request;
    next.set_dry_run(true);
    while (result->conflicts_has_more() && !result->conflicts_next_after().empty()) {
      next.set_conflicts_after(result->conflicts_next_after());
      admin::MergeResponse page;
      ctx.api.Call("POST", path, &next, &page);
      for (auto& c : *page.mutable_conflicts())
        *result->add_conflicts() = std::move(c);
      result->set_conflicts_has_more(page.conflicts_has_more());
      result->set_conflicts_next_after(page.conflicts_next_after());
    }
  };
}

std::string Plural(size_t n, const std::string& one, const std::string& many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

int Merge(const ParsedArgs& args, Context& ctx) {
  auto into = args.Get("into");
  if (!into) throw UsageError("missing --into BRANCH");
  std::string source = args.Positional(0);
  admin::MergeRequest request;
  request.set_source(source);
  request.set_strategy(ParseChoice("--strategy", args.GetOr("strategy", "fail"),
                                   {"fail", "source-wins", "dest-wins"}));
  request.set_message(args.GetOr("message", ""));
  request.set_dry_run(args.Has("dry-run"));
  request.set_author(args.GetOr("author", ""));
  request.set_expected_head(args.GetOr("expected-head", ""));
  for (const auto& kv : args.All("meta")) {
    auto [k, v] = ParseKeyValue("--meta", kv);
    (*request.mutable_metadata())[k] = v;
  }
  request.set_conflicts_limit(kConflictPage);
  std::string path = "/branches" + Seg(*into) + "/merge";
  std::string what = "'" + source + "' into '" + *into + "'";

  admin::MergeResponse result;
  try {
    ctx.api.Call("POST", path, &request, &result);
  } catch (const ApiError& e) {
    ThrowIfConflicts(e, ctx, DryRunPager(ctx, path, request),
                     "resolve them on a branch and merge again, or pass --strategy source-wins "
                     "or dest-wins; --dry-run previews a merge");
  }
  bool fail_strategy = request.strategy() == "fail";
  bool dry_conflicts = result.status() == "dry_run" && fail_strategy && result.conflict_count() > 0;
  if (dry_conflicts) DryRunPager(ctx, path, request)(&result);
  if (ctx.json()) {
    PrintJson(ctx, result);
    if (dry_conflicts) {
      throw CliError("merging " + what + " would have " +
                         Plural(result.conflict_count(), "conflict", "conflicts"),
                     "", kExitConflicts);
    }
    return kExitOk;
  }
  if (result.status() == "nothing_to_merge") {
    ctx.out << "nothing to merge: '" << *into << "' already contains every change of '" << source
            << "'\n";
    return kExitOk;
  }
  if (result.status() == "dry_run") {
    ctx.out << "dry run: merging " << what << " would change "
            << Plural(result.changes(), "entry", "entries") << " (base "
            << (result.base().empty() ? "none" : ShortId(result.base())) << "); nothing written\n";
    if (result.conflict_count() > 0) PrintConflicts(ctx, result, !fail_strategy);
    if (dry_conflicts) {
      throw CliError("merging " + what + " would have " +
                         Plural(result.conflict_count(), "conflict", "conflicts"),
                     "pass --strategy source-wins or dest-wins to resolve them", kExitConflicts);
    }
    return kExitOk;
  }
  const auto& c = result.commit();
  ctx.out << "[" << *into << " " << ShortId(c.id()) << "] " << FirstLine(c.message()) << "\n";
  ctx.out << "merged " << what << ": " << Plural(result.changes(), "change", "changes");
  if (result.conflict_count() > 0) {
    ctx.out << ", " << Plural(result.conflict_count(), "conflict", "conflicts") << " resolved by "
            << result.strategy();
  }
  ctx.out << "\n";
  if (!c.lakefs_commit().empty()) ctx.out << "lakeFS commit: " << c.lakefs_commit() << "\n";
  if (result.conflict_count() > 0) PrintConflicts(ctx, result, true);
  return kExitOk;
}

}  // namespace

std::vector<CommandSpec> MergeCommands() {
  return {
      {{"merge"},
       "SOURCE --into BRANCH [--strategy S] [--dry-run] [-m MESSAGE]",
       "merge a ref into a branch",
       "Three-way merges SOURCE's committed state into BRANCH and writes a merge commit.\n"
       "Objects changed on one side are taken; an object changed on both sides is merged\n"
       "field by field (parameters key by key). A field changed differently on both sides,\n"
       "or a change against a drop, is a conflict:\n"
       "  fail         (default) write nothing, list every conflict, exit with code 3\n"
       "  source-wins  take SOURCE's side of each conflict\n"
       "  dest-wins    keep BRANCH's side of each conflict\n"
       "BRANCH must have no uncommitted changes. Merging into a protected branch is allowed.\n"
       "--dry-run computes the merge and writes nothing; with the fail strategy it exits\n"
       "with code 3 when the merge would conflict.",
       {{"SOURCE", true, "branch, tag or commit to merge"}},
       {{"into", 0, "BRANCH", false, "the destination branch (required)"},
        {"strategy", 0, "S", false, "fail (default), source-wins or dest-wins"},
        {"dry-run", 0, "", false, "report what the merge would do; write nothing"},
        {"message", 'm', "MESSAGE", false, "the merge commit's message"},
        {"meta", 0, "KEY=VALUE", true, "metadata recorded in the merge commit"},
        AuthorOption(),
        ExpectedHeadOption()},
       {"arbor merge dev --into main", "arbor merge dev --into main --dry-run",
        "arbor merge dev --into main --strategy source-wins -m \"publish May\""},
       Merge},
  };
}

}  // namespace arbor::cli

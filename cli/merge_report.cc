// Merge and revert result reporting; the contract is in cli/merge_report.h.
#include "cli/merge_report.h"

#include "cli/render.h"

namespace arbor::cli {

void PrintConflicts(Context& ctx, const admin::MergeResponse& result, bool resolved) {
  std::string prefix = resolved ? "resolved (" + result.strategy() + "): " : "conflict: ";
  for (const auto& c : result.conflicts())
    ctx.out << prefix << ConflictLine(c) << '\n';
  size_t shown = static_cast<size_t>(result.conflicts_size());
  if (result.conflict_count() > shown) {
    ctx.out << "... and " << (result.conflict_count() - shown) << " more ("
            << result.conflict_count() << " in all)\n";
  }
}

void ThrowIfConflicts(const ApiError& error, Context& ctx, const ConflictPager& more_conflicts,
                      const std::string& hint) {
  if (error.http_status() != 409 || error.code() != "CONFLICT") throw error;
  admin::MergeResponse result;
  try {
    ParseJson(error.details_json(), &result, "the conflict report");
  } catch (const CliError&) {
    throw error;
  }
  if (result.status() != "conflicts") throw error;
  if (more_conflicts && result.conflicts_has_more()) more_conflicts(&result);
  if (ctx.json()) {
    PrintJson(ctx, result);
  } else {
    PrintConflicts(ctx, result, false);
  }
  throw CliError(error.what(), hint, kExitConflicts);
}

}  // namespace arbor::cli

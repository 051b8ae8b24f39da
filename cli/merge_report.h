// Reporting merge and revert results (admin.MergeResponse), shared by
// `arbor merge` and `arbor revert`.
//
// Contract:
//  * PrintConflicts prints one line per conflict (render.h's ConflictLine),
//    prefixed "conflict: " or, for a strategy that resolved them,
//    "resolved (<strategy>): ".
//  * ThrowIfConflicts: when `error` is the API's 409 CONFLICT whose details are
//    a MergeResponse, prints that result (JSON with -o json, else the conflict
//    list) to ctx.out and throws CliError with exit code 3 and the server's
//    message; `more_conflicts` may fetch further conflict pages first. Any
//    other error is rethrown as is.
#pragma once

#include <functional>
#include <string>

#include "arbor/admin.pb.h"
#include "cli/api_client.h"
#include "cli/command.h"

namespace arbor::cli {

void PrintConflicts(Context& ctx, const admin::MergeResponse& result, bool resolved);

// Appends the conflicts after `result`'s page to it; may be empty.
using ConflictPager = std::function<void(admin::MergeResponse* result)>;

[[noreturn]] void ThrowIfConflicts(const ApiError& error, Context& ctx,
                                   const ConflictPager& more_conflicts, const std::string& hint);

}  // namespace arbor::cli

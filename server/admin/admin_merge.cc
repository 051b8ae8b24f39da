// Admin API: merge and revert (admin_handlers.h). Both answer 200 with the
// outcome, or 409 CONFLICT with the outcome as the error's details when
// conflicts blocked them and nothing was written.
#include "server/admin/admin_handlers.h"

#include <google/protobuf/struct.pb.h>
#include <spdlog/spdlog.h>

#include <string>

#include "arbor/admin.pb.h"
#include "server/admin/admin_json.h"
#include "server/admin/admin_messages.h"

namespace arbor::admin_api {

namespace pb = google::protobuf;

namespace {

// A merge or revert result: 200, or 409 with the result as the error's details
// when conflicts blocked it.
HttpResponse MergeResult(Call& call, const MergeOutcome& m, std::string_view strategy, bool blocked,
                         std::string_view status, std::string_view what) {
  admin::MergeResponse out;
  API_RETURN_IF_ERROR(FillMerge(m, strategy, &out));
  if (blocked) {
    out.set_status("conflicts");
    pb::Struct details;
    API_RETURN_IF_ERROR(MessageToStruct(out, &details));
    return Error(409, "CONFLICT",
                 std::string(what) + " has " + std::to_string(m.conflict_count) +
                     (m.conflict_count == 1 ? " conflict" : " conflicts") + "; nothing was written",
                 &details);
  }
  out.set_status(std::string(status));
  return JsonResponse(200, out);
}

}  // namespace

HttpResponse Revert(Call& call) {
  if (auto e = CheckQuery(call, {})) return *e;
  admin::RevertRequest req;
  if (auto e = ParseBody(call, &req)) return *e;
  if (req.commit().empty()) return Error(400, "INVALID_ARGUMENT", "commit is required");
  RevertOptions opts;
  opts.parent = req.parent();
  opts.author = AuthorOf(call, req.author());
  opts.message = req.message();
  API_ASSIGN_OR_RETURN(opts.expected_head, ExpectedHead(call.repo, req.expected_head()));
  API_BRANCH_ASSIGN_OR_RETURN(MergeOutcome m,
                              call.repo->Revert(call.params[0], req.commit(), opts));
  if (m.merged) {
    if (call.options.observer != nullptr) call.options.observer->OnCommit();
    spdlog::info("admin: reverted {} on '{}' as {}", m.source.ShortHex(), call.params[0],
                 (*m.commit)->id.ShortHex());
  }
  return MergeResult(call, m, "fail", !m.merged, "reverted",
                     "reverting " + m.source.ShortHex() + " on " + Quote(call.params[0]));
}

HttpResponse Merge(Call& call) {
  if (auto e = CheckQuery(call, {})) return *e;
  admin::MergeRequest req;
  if (auto e = ParseBody(call, &req)) return *e;
  if (req.source().empty()) return Error(400, "INVALID_ARGUMENT", "source is required");
  MergeOptions opts;
  API_ASSIGN_OR_RETURN(opts.strategy, ParseMergeStrategy(req.strategy()));
  opts.author = AuthorOf(call, req.author());
  opts.message = req.message();
  opts.metadata.insert(req.metadata().begin(), req.metadata().end());
  opts.dry_run = req.dry_run();
  API_ASSIGN_OR_RETURN(opts.expected_head, ExpectedHead(call.repo, req.expected_head()));
  if (!req.conflicts_after().empty()) {
    API_ASSIGN_OR_RETURN(opts.conflicts_after,
                         DecodeCursor(req.conflicts_after(), "conflicts_after"));
  }
  if (req.conflicts_limit() != 0) {
    if (req.conflicts_limit() < 1 || static_cast<size_t>(req.conflicts_limit()) > kMaxLimit) {
      return Error(400, "INVALID_ARGUMENT",
                   "conflicts_limit must be from 1 to " + std::to_string(kMaxLimit));
    }
    opts.conflicts_limit = static_cast<size_t>(req.conflicts_limit());
  }
  const std::string& dest = call.params[0];
  API_BRANCH_ASSIGN_OR_RETURN(MergeOutcome m, call.repo->Merge(req.source(), dest, opts));
  std::string_view strategy = MergeStrategyName(opts.strategy);
  std::string what = "merging " + Quote(req.source()) + " into " + Quote(dest);
  if (m.nothing_to_merge) return MergeResult(call, m, strategy, false, "nothing_to_merge", what);
  if (m.merged) {
    if (call.options.observer != nullptr) call.options.observer->OnMerge();
    spdlog::info("admin: merged '{}' into '{}' as {}", req.source(), dest,
                 (*m.commit)->id.ShortHex());
    return MergeResult(call, m, strategy, false, "merged", what);
  }
  if (opts.dry_run) return MergeResult(call, m, strategy, false, "dry_run", what);
  return MergeResult(call, m, strategy, true, "", what);
}

}  // namespace arbor::admin_api

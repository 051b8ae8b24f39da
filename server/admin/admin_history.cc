// Admin API: commits, logs and diffs (admin_handlers.h). Pages are bounded by
// limit (1 to kMaxLimit); log pages resume after a commit id, diff pages after
// an opaque cursor.
#include "server/admin/admin_handlers.h"

#include <google/protobuf/struct.pb.h>

#include <string>

#include "arbor/admin.pb.h"
#include "server/admin/admin_json.h"
#include "server/admin/admin_messages.h"
#include "versioning/names.h"

namespace arbor::admin_api {

namespace pb = google::protobuf;

namespace {

Result<DiffPageOptions> DiffOptions(const Call& call) {
  DiffPageOptions opts;
  ARBOR_ASSIGN_OR_RETURN(opts.limit, LimitParam(call, "limit", 100));
  if (const std::string* after = QueryValue(call, "after"); after && !after->empty()) {
    ARBOR_ASSIGN_OR_RETURN(opts.after, DecodeCursor(*after, "after"));
  }
  return opts;
}

HttpResponse DiffResult(const DiffPage& page, admin::DiffResponse* out) {
  for (const auto& c : page.changes)
    API_RETURN_IF_ERROR(FillChange(c, out->add_changes()));
  out->set_has_more(page.has_more);
  if (page.has_more) out->set_next_after(EncodeCursor(page.next_after));
  return JsonResponse(200, *out);
}

}  // namespace

HttpResponse LogOf(Call& call) {
  if (auto e = CheckQuery(call, {"after", "limit", "first_parent"})) return *e;
  LogOptions opts;
  API_ASSIGN_OR_RETURN(opts.limit, LimitParam(call, "limit", 100));
  API_ASSIGN_OR_RETURN(opts.first_parent, BoolParam(call, "first_parent"));
  if (const std::string* after = QueryValue(call, "after"); after && !after->empty()) {
    auto id = ObjectId::FromHex(*after);
    if (!id.ok()) {
      return Error(400, "INVALID_ARGUMENT",
                   "after must be a full commit id (a previous next_after), not " +
                       QuoteName(after->substr(0, 100)));
    }
    opts.after = *id;
  }
  API_ASSIGN_OR_RETURN(LogPage page, call.repo->Log(call.params[0], opts));
  admin::LogResponse out;
  for (const auto& c : page.commits)
    FillCommit(*c, out.add_commits());
  out.set_has_more(page.has_more);
  if (page.has_more && !page.commits.empty()) out.set_next_after(page.commits.back()->id.ToHex());
  return JsonResponse(200, out);
}

HttpResponse GetCommit(Call& call) {
  if (auto e = CheckQuery(call, {})) return *e;
  API_ASSIGN_OR_RETURN(CommitPtr c, call.repo->GetCommit(call.params[0]));
  admin::Commit out;
  FillCommit(*c, &out);
  return JsonResponse(200, out);
}

HttpResponse DiffRefs(Call& call) {
  if (auto e = CheckQuery(call, {"after", "limit"})) return *e;
  API_ASSIGN_OR_RETURN(DiffPageOptions opts, DiffOptions(call));
  admin::DiffResponse out;
  API_ASSIGN_OR_RETURN(ResolvedRef left, call.repo->Resolve(call.params[0]));
  API_ASSIGN_OR_RETURN(ResolvedRef right, call.repo->Resolve(call.params[1]));
  FillRef(left, out.mutable_left());
  FillRef(right, out.mutable_right());
  API_ASSIGN_OR_RETURN(DiffPage page, call.repo->Diff(call.params[0], call.params[1], opts));
  return DiffResult(page, &out);
}

HttpResponse DiffUncommitted(Call& call) {
  if (auto e = CheckQuery(call, {"after", "limit"})) return *e;
  API_ASSIGN_OR_RETURN(DiffPageOptions opts, DiffOptions(call));
  admin::DiffResponse out;
  API_ASSIGN_OR_RETURN(ResolvedRef right, call.repo->Resolve(call.params[0]));
  if (!right.is_branch()) {
    pb::Struct d = StringDetail("ref", call.params[0]);
    return Error(400, "READ_ONLY_REF",
                 Quote(call.params[0]) + " is not a branch: only branches have uncommitted changes",
                 &d);
  }
  ResolvedRef left = right;
  left.kind = ResolvedRef::Kind::kCommit;
  left.expression = right.commit.ToHex();
  left.branch.clear();
  FillRef(left, out.mutable_left());
  FillRef(right, out.mutable_right());
  API_BRANCH_ASSIGN_OR_RETURN(DiffPage page, call.repo->DiffUncommitted(call.params[0], opts));
  return DiffResult(page, &out);
}

}  // namespace arbor::admin_api

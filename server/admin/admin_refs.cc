// Admin API: branches, tags and ref resolution (admin_handlers.h). A branch
// write addressed to a tag or a commit is 400 READ_ONLY_REF (BranchError).
#include "server/admin/admin_handlers.h"

#include <spdlog/spdlog.h>

#include <optional>
#include <vector>

#include "arbor/admin.pb.h"
#include "server/admin/admin_json.h"
#include "server/admin/admin_messages.h"
#include "versioning/names.h"

namespace arbor::admin_api {

namespace {

Result<versioning::CommitMode> ParseCommitMode(std::string_view mode) {
  if (mode == "staged") return versioning::COMMIT_MODE_STAGED;
  if (mode == "auto") return versioning::COMMIT_MODE_AUTO;
  return Status::InvalidArgument("commit mode must be \"staged\" or \"auto\", not " +
                                 QuoteName(mode.substr(0, 100)));
}

}  // namespace

HttpResponse ListBranches(Call& call) {
  if (auto e = CheckQuery(call, {})) return *e;
  API_ASSIGN_OR_RETURN(std::vector<Branch> branches, call.repo->ListBranches());
  admin::ListBranchesResponse out;
  for (const auto& b : branches)
    FillBranch(*call.repo, b, out.add_branches());
  return JsonResponse(200, out);
}

HttpResponse CreateBranch(Call& call) {
  if (auto e = CheckQuery(call, {})) return *e;
  admin::CreateBranchRequest req;
  if (auto e = ParseBody(call, &req)) return *e;
  if (req.name().empty()) return Error(400, "INVALID_ARGUMENT", "name is required");
  std::string source = req.source().empty() ? call.repo->default_branch() : req.source();
  API_ASSIGN_OR_RETURN(Branch b, call.repo->CreateBranch(req.name(), source));
  spdlog::info("admin: created branch '{}' from '{}' at {}", b.name, source, b.head.ShortHex());
  admin::Branch out;
  FillBranch(*call.repo, b, &out);
  HttpResponse r = JsonResponse(201, out);
  r.headers.emplace_back("Location", "/api/v1/branches/" + b.name);
  return r;
}

HttpResponse GetBranch(Call& call) {
  if (auto e = CheckQuery(call, {})) return *e;
  API_ASSIGN_OR_RETURN(Branch b, call.repo->GetBranch(call.params[0]));
  admin::Branch out;
  FillBranch(*call.repo, b, &out);
  return JsonResponse(200, out);
}

HttpResponse DeleteBranch(Call& call) {
  if (auto e = CheckQuery(call, {})) return *e;
  Status s = call.repo->DeleteBranch(call.params[0]);
  if (!s.ok()) return BranchError(call, s);
  spdlog::info("admin: deleted branch '{}'", call.params[0]);
  return NoContent();
}

HttpResponse SetProtection(Call& call) {
  if (auto e = CheckQuery(call, {})) return *e;
  admin::SetProtectionRequest req;
  if (auto e = ParseBody(call, &req)) return *e;
  API_BRANCH_ASSIGN_OR_RETURN(Branch b, call.repo->SetProtected(call.params[0], req.protected_()));
  spdlog::info("admin: branch '{}' protected={}", b.name, b.is_protected);
  admin::Branch out;
  FillBranch(*call.repo, b, &out);
  return JsonResponse(200, out);
}

HttpResponse SetCommitMode(Call& call) {
  if (auto e = CheckQuery(call, {})) return *e;
  admin::SetCommitModeRequest req;
  if (auto e = ParseBody(call, &req)) return *e;
  API_ASSIGN_OR_RETURN(versioning::CommitMode mode, ParseCommitMode(req.mode()));
  API_BRANCH_ASSIGN_OR_RETURN(Branch b, call.repo->SetCommitMode(call.params[0], mode));
  spdlog::info("admin: branch '{}' commit mode {}", b.name, CommitModeName(b.commit_mode));
  admin::Branch out;
  FillBranch(*call.repo, b, &out);
  return JsonResponse(200, out);
}

HttpResponse CommitBranch(Call& call) {
  if (auto e = CheckQuery(call, {})) return *e;
  admin::CommitRequest req;
  if (auto e = ParseBody(call, &req)) return *e;
  CommitOptions opts;
  opts.author = AuthorOf(call, req.author());
  opts.message = req.message();
  opts.metadata.insert(req.metadata().begin(), req.metadata().end());
  opts.allow_empty = req.allow_empty();
  API_ASSIGN_OR_RETURN(opts.expected_head, ExpectedHead(call.repo, req.expected_head()));
  API_BRANCH_ASSIGN_OR_RETURN(CommitPtr c, call.repo->Commit(call.params[0], opts));
  if (call.options.observer != nullptr) call.options.observer->OnCommit();
  spdlog::info("admin: commit {} on '{}'", c->id.ShortHex(), call.params[0]);
  admin::CommitResponse out;
  FillCommit(*c, out.mutable_commit());
  return JsonResponse(201, out);
}

HttpResponse Reset(Call& call) {
  if (auto e = CheckQuery(call, {})) return *e;
  admin::ResetRequest req;
  if (auto e = ParseBody(call, &req)) return *e;
  API_ASSIGN_OR_RETURN(std::optional<ObjectId> expected,
                       ExpectedHead(call.repo, req.expected_head()));
  Status s = call.repo->Reset(call.params[0], expected);
  if (!s.ok()) return BranchError(call, s);
  spdlog::info("admin: reset branch '{}'", call.params[0]);
  API_ASSIGN_OR_RETURN(Branch b, call.repo->GetBranch(call.params[0]));
  admin::Branch out;
  FillBranch(*call.repo, b, &out);
  return JsonResponse(200, out);
}

HttpResponse ListTags(Call& call) {
  if (auto e = CheckQuery(call, {})) return *e;
  API_ASSIGN_OR_RETURN(std::vector<Tag> tags, call.repo->ListTags());
  admin::ListTagsResponse out;
  for (const auto& t : tags)
    FillTag(t, out.add_tags());
  return JsonResponse(200, out);
}

HttpResponse CreateTag(Call& call) {
  if (auto e = CheckQuery(call, {})) return *e;
  admin::CreateTagRequest req;
  if (auto e = ParseBody(call, &req)) return *e;
  if (req.name().empty()) return Error(400, "INVALID_ARGUMENT", "name is required");
  if (req.ref().empty()) return Error(400, "INVALID_ARGUMENT", "ref is required");
  API_ASSIGN_OR_RETURN(Tag t, call.repo->CreateTag(req.name(), req.ref()));
  spdlog::info("admin: created tag '{}' at {}", t.name, t.commit.ShortHex());
  admin::Tag out;
  FillTag(t, &out);
  HttpResponse r = JsonResponse(201, out);
  r.headers.emplace_back("Location", "/api/v1/tags/" + t.name);
  return r;
}

HttpResponse GetTag(Call& call) {
  if (auto e = CheckQuery(call, {})) return *e;
  API_ASSIGN_OR_RETURN(Tag t, call.repo->GetTag(call.params[0]));
  admin::Tag out;
  FillTag(t, &out);
  return JsonResponse(200, out);
}

HttpResponse DeleteTag(Call& call) {
  if (auto e = CheckQuery(call, {})) return *e;
  API_RETURN_IF_ERROR(call.repo->DeleteTag(call.params[0]));
  spdlog::info("admin: deleted tag '{}'", call.params[0]);
  return NoContent();
}

// ---------------------------------------------------------------------------
// Handlers: history and diff.

HttpResponse ResolveRef(Call& call) {
  if (auto e = CheckQuery(call, {})) return *e;
  API_ASSIGN_OR_RETURN(ResolvedRef r, call.repo->Resolve(call.params[0]));
  admin::ResolvedRef out;
  FillRef(r, &out);
  return JsonResponse(200, out);
}

}  // namespace arbor::admin_api

// admin.proto messages built from the Repository's types: commits, branches,
// tags, resolved refs, diff entries, merge results.
//
// Contract: the builders only copy and render (ids in full hex, times as
// Timestamps, entity values through admin_json.h); they read nothing but what
// they are given, except FillBranch, which asks the repository for the branch's
// pending lakeFS intent. Those returning Status fail only on a stored value
// that does not parse.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "arbor/admin.pb.h"
#include "base/status.h"
#include "versioning/repository.h"

namespace arbor::admin_api {

std::string CommitModeName(versioning::CommitMode mode);

void FillCommit(const CommitData& c, admin::Commit* out);
void FillBranch(const Repository& repo, const Branch& b, admin::Branch* out);
void FillTag(const Tag& t, admin::Tag* out);
void FillRef(const ResolvedRef& r, admin::ResolvedRef* out);
// One change of a diff, with its changed fields and, for a table, its summary.
Status FillChange(const CatalogChange& c, admin::DiffEntry* out);
// A merge (or revert) outcome; `conflicts_next_after` is a cursor (admin_call.h).
Status FillMerge(const MergeOutcome& m, std::string_view strategy, admin::MergeResponse* out);

}  // namespace arbor::admin_api

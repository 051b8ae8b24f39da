// The admin API's route handlers, one family per file. AdminApi's route table
// (admin_api.cc) binds them to methods, paths and the role each needs.
//
// Contract of every handler: it runs after routing, authentication and role
// checks, with the path parameters decoded in call.params (in the order of the
// route's pattern) and the query in call.query; it rejects query parameters
// and bodies it does not take (400), returns a complete response, and throws
// nothing on purpose (AdminApi::Handle turns a stray exception into a 500).
#pragma once

#include "server/admin/admin_call.h"

namespace arbor::admin_api {

// admin_refs.cc: branches (create, delete, protection, commit mode, commit,
// reset), tags, and resolving a ref expression.
HttpResponse ListBranches(Call& call);
HttpResponse CreateBranch(Call& call);
HttpResponse GetBranch(Call& call);
HttpResponse DeleteBranch(Call& call);
HttpResponse SetProtection(Call& call);
HttpResponse SetCommitMode(Call& call);
HttpResponse CommitBranch(Call& call);
HttpResponse Reset(Call& call);
HttpResponse ListTags(Call& call);
HttpResponse CreateTag(Call& call);
HttpResponse GetTag(Call& call);
HttpResponse DeleteTag(Call& call);
HttpResponse ResolveRef(Call& call);

// admin_merge.cc: merging into a branch and reverting a commit on it.
HttpResponse Merge(Call& call);
HttpResponse Revert(Call& call);

// admin_history.cc: commits, a ref's log, and diffs (between refs, uncommitted).
HttpResponse GetCommit(Call& call);
HttpResponse LogOf(Call& call);
HttpResponse DiffRefs(Call& call);
HttpResponse DiffUncommitted(Call& call);

// admin_catalog.cc: browsing the catalog at a ref.
HttpResponse ListDatabases(Call& call);
HttpResponse GetDatabase(Call& call);
HttpResponse ListTables(Call& call);
HttpResponse GetTable(Call& call);
HttpResponse ListPartitions(Call& call);

// admin_operations.cc: garbage collection and backups.
HttpResponse CollectGarbage(Call& call);
HttpResponse Backup(Call& call);

// admin_service.cc: liveness and metrics.
HttpResponse Healthz(Call& call);
HttpResponse MetricsText(Call& call);

}  // namespace arbor::admin_api

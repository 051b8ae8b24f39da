// Table functions over Arbor's admin API (metastore/arbor_admin.h), for a
// catalog attached with ADMIN_ENDPOINT:
//   arbor_branches('lake'), arbor_tags('lake'), arbor_log('lake', ref),
//   arbor_diff('lake', left, right)                          reads
//   arbor_create_branch('lake', name[, source]),
//   arbor_commit('lake', branch, message),
//   arbor_merge('lake', source, into[, strategy[, dry_run]])  writes
// Each fetches the JSON answer at bind time and replaces itself with a query
// that unpacks it with DuckDB's JSON functions, so the rows are typed by the
// admin API's schema (proto/arbor/admin.proto) and nothing here parses JSON.
// A merge with conflicts returns one row per conflict (the merge did not
// happen unless the strategy resolved them); an HTTP error is an exception
// carrying the API's code and message.
#pragma once

#include "duckdb.hpp"
#include "duckdb/main/extension/extension_loader.hpp"

namespace duckdb {

void RegisterVersioningFunctions(ExtensionLoader& loader);

}  // namespace duckdb

// Collecting paginated admin API listings into one response message.
//
// Contract: each function follows the API's cursors (next_after) until the
// listing ends or `max` entries are collected (0: no cap), and returns one
// message holding every entry fetched, with has_more telling whether entries
// were left (then next_after is the cursor to continue from). Errors are
// thrown by the ApiClient.
#pragma once

#include <cstddef>
#include <string>

#include "arbor/admin.pb.h"
#include "cli/api_client.h"

namespace arbor::cli {

// `path` is a diff route without query, e.g. "/refs/main/diff/dev".
admin::DiffResponse FetchDiff(const ApiClient& api, const std::string& path, size_t max = 0);

admin::LogResponse FetchLog(const ApiClient& api, const std::string& ref, bool first_parent,
                            size_t max);

admin::ListTablesResponse FetchTables(const ApiClient& api, const std::string& ref,
                                      const std::string& db, size_t max = 0);

admin::ListPartitionsResponse FetchPartitions(const ApiClient& api, const std::string& ref,
                                              const std::string& db, const std::string& table,
                                              size_t max = 0);

}  // namespace arbor::cli

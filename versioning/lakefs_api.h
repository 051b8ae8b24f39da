// LakeFsApi: the lakeFS operations Arbor couples catalog versions with.
//
// An interface, so versioning/ stays free of HTTP: the REST implementation lives
// in server/lakefs/lakefs_client.h, and tests may substitute their own. Every call
// addresses the one configured lakeFS repository.
//
// Error contract (implementations must follow it, the coordinator relies on it):
//  * NotFound: the branch, ref or commit does not exist (HTTP 404).
//  * AlreadyExists: the branch exists (409 on create).
//  * Conflict: a merge found conflicts (409 on merge).
//  * InvalidArgument / PermissionDenied-like failures (400, 401, 403, 412): the
//    call was refused and changed nothing — reported as InvalidArgument or
//    ReadOnly (403/423), with the lakeFS call and status in the message.
//  * Unavailable: the outcome is unknown — the connection failed, timed out or
//    was dropped, or lakeFS kept answering 5xx/429 after retries. The operation
//    may or may not have been applied; callers must find out (intents).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"

namespace arbor {

struct LakeFsCommit {
  std::string id;
  std::vector<std::string> parents;
  std::string message;
  std::map<std::string, std::string> metadata;
  int64_t creation_date = 0;  // seconds since the epoch
};

struct LakeFsLogPage {
  std::vector<LakeFsCommit> commits;
  bool has_more = false;
  std::string next_offset;
};

class LakeFsApi {
 public:
  virtual ~LakeFsApi() = default;

  // Creates `branch` at `source` (a branch name or commit id); returns its head.
  virtual Result<std::string> CreateBranch(const std::string& branch,
                                           const std::string& source) = 0;
  virtual Status DeleteBranch(const std::string& branch) = 0;
  // The branch's head commit id.
  virtual Result<std::string> GetBranchHead(const std::string& branch) = 0;
  virtual Result<LakeFsCommit> Commit(const std::string& branch, const std::string& message,
                                      const std::map<std::string, std::string>& metadata,
                                      bool allow_empty) = 0;
  // Merges `source_ref` into `destination_branch`; strategy is "" (fail on
  // conflict), "source-wins" or "dest-wins". Returns the resulting head commit id.
  virtual Result<std::string> Merge(const std::string& source_ref,
                                    const std::string& destination_branch,
                                    const std::string& message,
                                    const std::map<std::string, std::string>& metadata,
                                    const std::string& strategy, bool allow_empty) = 0;
  virtual Result<LakeFsCommit> GetCommit(const std::string& commit_id) = 0;
  // Newest first from `ref`; `after` is the previous page's next_offset.
  virtual Result<LakeFsLogPage> Log(const std::string& ref, int amount,
                                    const std::string& after) = 0;
};

}  // namespace arbor

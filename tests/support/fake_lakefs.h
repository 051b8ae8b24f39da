// FakeLakeFs: an in-process LakeFsApi for tests that need a Repository coupled
// with lakeFS but not lakeFS's behaviour in detail.
//
// Branches are names with a head commit id; Commit adds a commit "c<N>" on top
// of the branch's head (it never refuses an empty commit); Merge makes a commit
// on the destination. Unknown branches and commits are NotFound, an existing
// branch is AlreadyExists, as versioning/lakefs_api.h requires. Log walks first
// parents. Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "versioning/lakefs_api.h"

namespace arbor::testing {

class FakeLakeFs final : public LakeFsApi {
 public:
  // A repository whose `main` branch holds one initial commit.
  FakeLakeFs() {
    LakeFsCommit root;
    root.id = "c0";
    root.message = "Repository created";
    commits_[root.id] = root;
    branches_["main"] = root.id;
  }

  Result<std::string> CreateBranch(const std::string& branch, const std::string& source) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (branches_.count(branch)) return Status::AlreadyExists("lakeFS branch " + branch);
    ARBOR_ASSIGN_OR_RETURN(std::string head, HeadOf(source));
    branches_[branch] = head;
    return head;
  }
  Status DeleteBranch(const std::string& branch) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (branches_.erase(branch) == 0) return Status::NotFound("lakeFS branch " + branch);
    return Status::OK();
  }
  Result<std::string> GetBranchHead(const std::string& branch) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = branches_.find(branch);
    if (it == branches_.end()) return Status::NotFound("lakeFS branch " + branch);
    return it->second;
  }
  Result<LakeFsCommit> Commit(const std::string& branch, const std::string& message,
                              const std::map<std::string, std::string>& metadata,
                              bool /*allow_empty*/) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = branches_.find(branch);
    if (it == branches_.end()) return Status::NotFound("lakeFS branch " + branch);
    LakeFsCommit c = NewCommit({it->second}, message, metadata);
    it->second = c.id;
    return c;
  }
  Result<std::string> Merge(const std::string& source_ref, const std::string& destination_branch,
                            const std::string& message,
                            const std::map<std::string, std::string>& metadata,
                            const std::string& /*strategy*/, bool /*allow_empty*/) override {
    std::lock_guard<std::mutex> lock(mu_);
    ARBOR_ASSIGN_OR_RETURN(std::string source, HeadOf(source_ref));
    auto it = branches_.find(destination_branch);
    if (it == branches_.end()) return Status::NotFound("lakeFS branch " + destination_branch);
    LakeFsCommit c = NewCommit({it->second, source}, message, metadata);
    it->second = c.id;
    return c.id;
  }
  Result<LakeFsCommit> GetCommit(const std::string& commit_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = commits_.find(commit_id);
    if (it == commits_.end()) return Status::NotFound("lakeFS commit " + commit_id);
    return it->second;
  }
  Result<LakeFsLogPage> Log(const std::string& ref, int amount, const std::string& after) override {
    std::lock_guard<std::mutex> lock(mu_);
    ARBOR_ASSIGN_OR_RETURN(std::string id, HeadOf(after.empty() ? ref : after));
    LakeFsLogPage page;
    if (!after.empty()) id = commits_[id].parents.empty() ? "" : commits_[id].parents[0];
    while (!id.empty() && static_cast<int>(page.commits.size()) < amount) {
      page.commits.push_back(commits_[id]);
      id = commits_[id].parents.empty() ? "" : commits_[id].parents[0];
    }
    page.has_more = !id.empty();
    if (page.has_more) page.next_offset = page.commits.back().id;
    return page;
  }

 private:
  // A branch's head, or the commit itself.
  Result<std::string> HeadOf(const std::string& ref) const {
    if (auto b = branches_.find(ref); b != branches_.end()) return b->second;
    if (commits_.count(ref)) return ref;
    return Status::NotFound("lakeFS ref " + ref);
  }
  LakeFsCommit NewCommit(std::vector<std::string> parents, const std::string& message,
                         const std::map<std::string, std::string>& metadata) {
    LakeFsCommit c;
    c.id = "c" + std::to_string(commits_.size());
    c.parents = std::move(parents);
    c.message = message;
    c.metadata = metadata;
    commits_[c.id] = c;
    return c;
  }

  std::mutex mu_;
  std::map<std::string, std::string> branches_;  // name -> head commit id
  std::map<std::string, LakeFsCommit> commits_;
};

}  // namespace arbor::testing

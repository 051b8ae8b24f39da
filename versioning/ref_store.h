// RefStore: branch, tag and repository records in the `refs` column.
//
// Keys: "branch/<name>", "tag/<name>", "repository", "link/<commit hex>" (the
// lakeFS commit paired with a catalog commit), "intent/<branch>" (a coupled
// lakeFS operation in progress) and "deleted/<16 hex digits: micros>/<kind>/<name>"
// (a deleted branch or tag, which keeps its commit from garbage collection for the
// grace period). Each branch record keeps the exact
// bytes it was read as (`raw`), so a writer can make its batch conditional on
// the record being unchanged: that compare-and-set is what keeps branch moves
// correct even with several arbord processes on one store.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "arbor/versioning.pb.h"
#include "storage/kv_store.h"
#include "storage/object_id.h"

namespace arbor {

struct Branch {
  std::string name;
  ObjectId head;
  std::string staging_token;
  bool is_protected = false;
  versioning::CommitMode commit_mode = versioning::COMMIT_MODE_STAGED;
  int64_t created_micros = 0;
  uint64_t staged_writes = 0;  // batches staged so far (BranchRecord.staged_writes)
  std::string raw;             // the record's bytes as read; empty for a branch not yet stored
};

struct Tag {
  std::string name;
  ObjectId commit;
  int64_t created_micros = 0;
};

// A branch or tag as it was when deleted.
struct DeletedRef {
  std::string key;   // its record's key, to delete it by
  std::string kind;  // "branch" or "tag"
  std::string name;
  ObjectId commit;
  int64_t deleted_micros = 0;
};

class RefStore {
 public:
  explicit RefStore(KvStore* kv) : kv_(kv) {}

  // NotFound: "branch 'x' not found".
  Result<Branch> GetBranch(std::string_view name, const ReadOptions& options = {}) const;
  Result<std::vector<Branch>> ListBranches(const ReadOptions& options = {}) const;
  Result<Tag> GetTag(std::string_view name, const ReadOptions& options = {}) const;
  Result<std::vector<Tag>> ListTags(const ReadOptions& options = {}) const;
  Result<std::optional<versioning::RepositoryRecord>> GetRepository() const;

  // Batch helpers. Expect* make the batch conditional on the stored state.
  static void PutBranch(const Branch& branch, WriteBatch* batch);
  static void ExpectBranch(const Branch& branch, WriteBatch* batch);  // unchanged since read
  static void ExpectNoBranch(std::string_view name, WriteBatch* batch);
  static void DeleteBranch(std::string_view name, WriteBatch* batch);
  static void PutTag(const Tag& tag, WriteBatch* batch);
  static void ExpectNoTag(std::string_view name, WriteBatch* batch);
  static void DeleteTag(std::string_view name, WriteBatch* batch);
  static void PutRepository(const versioning::RepositoryRecord& record, WriteBatch* batch);

  // lakeFS links: nullopt when the commit has none.
  Result<std::optional<std::string>> GetLink(const ObjectId& commit,
                                             const ReadOptions& options = {}) const;
  static void PutLink(const ObjectId& commit, const std::string& lakefs_commit, WriteBatch* batch);
  static void DeleteLink(const ObjectId& commit, WriteBatch* batch);

  // Deleted refs, oldest first.
  Result<std::vector<DeletedRef>> ListDeletedRefs(const ReadOptions& options = {}) const;
  static void PutDeletedRef(std::string_view kind, std::string_view name, const ObjectId& commit,
                            int64_t deleted_micros, WriteBatch* batch);

  // Intents of coupled operations.
  Result<std::optional<versioning::Intent>> GetIntent(std::string_view branch,
                                                      const ReadOptions& options = {}) const;
  Result<std::vector<versioning::Intent>> ListIntents(const ReadOptions& options = {}) const;
  static void PutIntent(const versioning::Intent& intent, WriteBatch* batch);
  static void DeleteIntent(std::string_view branch, WriteBatch* batch);
  static void ExpectNoIntent(std::string_view branch, WriteBatch* batch);
  static std::string IntentKey(std::string_view branch);

  static std::string BranchKey(std::string_view name);
  static std::string TagKey(std::string_view name);

 private:
  KvStore* kv_;
};

}  // namespace arbor

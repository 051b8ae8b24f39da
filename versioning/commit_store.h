// CommitStore: commits as immutable objects, with a cache of decoded commits.
//
// A commit's id is SHA-256 over its deterministic protobuf serialization, so it
// names the tree, the parents and every piece of metadata at once. Commits are
// read far more often than written (merge bases, logs), and never change, so the
// cache needs no invalidation.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "storage/lru_cache.h"
#include "storage/object_store.h"

namespace arbor {

struct CommitData {
  ObjectId id;  // derived from the other fields; ignored by Put
  ObjectId root;
  std::vector<ObjectId> parents;
  std::string author;
  std::string message;
  int64_t time_micros = 0;
  std::map<std::string, std::string> metadata;
  uint64_t generation = 1;
  int64_t corrected_micros = 0;  // max(time, 1 + parents' corrected): grows along every edge
  // First-parent skip index (see proto/arbor/versioning.proto): a first-parent ancestor
  // `skip_steps` steps down, and a lower bound on the corrected time of every commit in
  // ancestors(this) \ ancestors(skip). Absent in commits written before the index.
  std::optional<ObjectId> skip;
  uint64_t skip_steps = 0;
  int64_t skip_low = 0;
  // The paired lakeFS commit. Not part of the commit or its id: Repository fills it
  // from its link table when it hands commits out.
  std::string lakefs_commit;
};

using CommitPtr = std::shared_ptr<const CommitData>;

class CommitStore {
 public:
  explicit CommitStore(ObjectStore* objects, size_t cache_bytes = 32 << 20);

  // Computes the id, adds the commit to `batch`, caches it, and returns it.
  CommitPtr Put(CommitData commit, WriteBatch* batch);
  // NotFound names the id; Corruption if the object is not a valid commit.
  Result<CommitPtr> Get(const ObjectId& id);
  // A commit id from 8 to 64 hex digits.
  Result<ObjectId> ResolvePrefix(std::string_view hex);

 private:
  ObjectStore* objects_;
  LruCache<ObjectId, CommitData, ObjectIdHash> cache_;
};

// Parses a stored commit's payload; Corruption if it is not a valid commit.
Result<CommitData> DecodeCommit(const ObjectId& id, std::string_view bytes);

// Builds a commit on top of `parents` (generation, corrected time and skip index from
// them) at time `time_micros`. A merge walks the commits it brings in (those reachable
// from the other parents but not the first) to bound their corrected times.
Result<CommitData> MakeCommit(CommitStore* store, const ObjectId& root,
                              std::vector<ObjectId> parents, std::string author,
                              std::string message, int64_t time_micros,
                              std::map<std::string, std::string> metadata);

}  // namespace arbor

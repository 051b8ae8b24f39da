// ObjectStore: immutable, content-addressed objects in the kObjects column.
//
// Put(type, payload) stores the object under id = SHA-256(type || payload) and returns
// the id; putting the same object twice is a no-op in effect. Get() re-hashes what it
// reads, so a flipped bit surfaces as Corruption, never as wrong data. Object writes
// are not synced on their own: they become durable with the next synced write (the
// ref update that makes them reachable), since the WAL is sequential.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "storage/kv_store.h"
#include "storage/object_id.h"

namespace arbor {

// Every object type of every module, in one registry so values never collide.
enum class ObjectType : uint8_t {
  kTreeNode = 1,  // storage/prolly: a node of a prolly tree
  kBlob = 2,      // storage/prolly: a value too large to inline in a leaf
  kCommit = 3,    // versioning: a commit
};

struct StoredObject {
  ObjectType type;
  std::string payload;
};

class ObjectStore {
 public:
  explicit ObjectStore(KvStore* kv) : kv_(kv) {}

  // Writes the object now (unsynced).
  Result<ObjectId> Put(ObjectType type, std::string_view payload);
  // Adds the object to `batch` instead, so a caller can write many objects at once.
  ObjectId PutInBatch(ObjectType type, std::string_view payload, WriteBatch* batch);

  // NotFound if absent; Corruption if the stored bytes do not hash to `id`.
  Result<StoredObject> Get(const ObjectId& id, const ReadOptions& options = {}) const;
  // Like Get, but also Corruption if the type is not `expected`.
  Result<std::string> GetTyped(const ObjectId& id, ObjectType expected,
                               const ReadOptions& options = {}) const;
  Result<bool> Has(const ObjectId& id) const;

  // Resolves an abbreviated hex id (at least ObjectId::kMinPrefixHex digits).
  // NotFound when nothing matches; InvalidArgument when the prefix is ambiguous, too
  // short or not hex. A full 64-digit id resolves only if the object exists. With
  // `type`, objects of other types are ignored, so a commit prefix cannot collide with
  // one of the far more numerous tree nodes.
  Result<ObjectId> ResolvePrefix(std::string_view hex_prefix,
                                 std::optional<ObjectType> type = std::nullopt) const;

  KvStore* kv() const { return kv_; }

 private:
  KvStore* kv_;
};

std::string_view ObjectTypeName(ObjectType type);

}  // namespace arbor

#include "storage/object_store.h"

#include <cctype>

namespace arbor {

std::string_view ObjectTypeName(ObjectType type) {
  switch (type) {
    case ObjectType::kTreeNode:
      return "tree node";
    case ObjectType::kBlob:
      return "blob";
    case ObjectType::kCommit:
      return "commit";
  }
  return "unknown";
}

namespace {

std::string Encode(ObjectType type, std::string_view payload) {
  std::string value;
  value.reserve(payload.size() + 1);
  value.push_back(static_cast<char>(type));
  value.append(payload);
  return value;
}

}  // namespace

Result<ObjectId> ObjectStore::Put(ObjectType type, std::string_view payload) {
  WriteBatch batch;
  ObjectId id = PutInBatch(type, payload, &batch);
  WriteOptions wo;
  wo.sync = false;
  ARBOR_RETURN_IF_ERROR(kv_->Write(batch, wo));
  return id;
}

ObjectId ObjectStore::PutInBatch(ObjectType type, std::string_view payload, WriteBatch* batch) {
  ObjectId id = ObjectId::Hash(static_cast<uint8_t>(type), payload);
  batch->PutOwned(Column::kObjects, id.bytes(), Encode(type, payload));
  return id;
}

Result<StoredObject> ObjectStore::Get(const ObjectId& id, const ReadOptions& options) const {
  auto value = kv_->Get(Column::kObjects, id.bytes(), options);
  if (!value.ok()) {
    if (value.status().IsNotFound()) {
      return Status::NotFound("object " + id.ToHex() + " not found");
    }
    return value.status();
  }
  std::string& bytes = value.value();
  if (bytes.empty()) return Status::Corruption("object " + id.ToHex() + " is empty");
  uint8_t type = static_cast<uint8_t>(bytes[0]);
  std::string_view payload(bytes.data() + 1, bytes.size() - 1);
  if (ObjectId::Hash(type, payload) != id) {
    return Status::Corruption("object " + id.ToHex() + " does not match its hash");
  }
  return StoredObject{static_cast<ObjectType>(type), bytes.substr(1)};
}

Result<std::string> ObjectStore::GetTyped(const ObjectId& id, ObjectType expected,
                                          const ReadOptions& options) const {
  ARBOR_ASSIGN_OR_RETURN(StoredObject obj, Get(id, options));
  if (obj.type != expected) {
    return Status::Corruption("object " + id.ToHex() + " is a " +
                              std::string(ObjectTypeName(obj.type)) + ", expected a " +
                              std::string(ObjectTypeName(expected)));
  }
  return std::move(obj.payload);
}

Result<bool> ObjectStore::Has(const ObjectId& id) const {
  auto value = kv_->Get(Column::kObjects, id.bytes());
  if (value.ok()) return true;
  if (value.status().IsNotFound()) return false;
  return value.status();
}

Result<ObjectId> ObjectStore::ResolvePrefix(std::string_view hex_prefix,
                                            std::optional<ObjectType> type) const {
  if (!IsHex(hex_prefix) || hex_prefix.size() < ObjectId::kMinPrefixHex ||
      hex_prefix.size() > ObjectId::kHexSize) {
    return Status::InvalidArgument("'" + std::string(hex_prefix.substr(0, 80)) +
                                   "' is not an object id prefix (8 to 64 hex digits)");
  }
  // Pad to a full id: the lowest id with this prefix is where the scan starts.
  std::string lower(hex_prefix);
  for (char& c : lower)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string padded = lower + std::string(ObjectId::kHexSize - lower.size(), '0');
  ARBOR_ASSIGN_OR_RETURN(ObjectId start, ObjectId::FromHex(padded));

  auto it = kv_->NewIterator(Column::kObjects);
  it->Seek(start.bytes());
  std::optional<ObjectId> found;
  for (; it->Valid(); it->Next()) {
    ARBOR_ASSIGN_OR_RETURN(ObjectId candidate, ObjectId::FromBytes(it->key()));
    if (candidate.ToHex().compare(0, lower.size(), lower) != 0) break;
    if (type && (it->value().empty() ||
                 static_cast<uint8_t>(it->value()[0]) != static_cast<uint8_t>(*type))) {
      continue;
    }
    if (found) {
      return Status::InvalidArgument("object id prefix '" + lower + "' is ambiguous");
    }
    found = candidate;
  }
  ARBOR_RETURN_IF_ERROR(it->status());
  if (!found) return Status::NotFound("no object matches id prefix '" + lower + "'");
  return *found;
}

}  // namespace arbor

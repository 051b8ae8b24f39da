#include "versioning/garbage_collector.h"

#include <algorithm>

#include "storage/prolly_node.h"
#include "versioning/commit_store.h"

namespace arbor {

namespace {

constexpr size_t kSweepBatchOps = 4096;

WriteOptions Unsynced() {
  WriteOptions wo;
  wo.sync = false;
  return wo;
}

}  // namespace

Result<std::vector<ObjectId>> GarbageCollector::Roots(const ReadOptions& ro, int64_t now_micros,
                                                      int64_t grace_micros,
                                                      std::vector<std::string>* expired) {
  std::vector<ObjectId> roots;
  ARBOR_ASSIGN_OR_RETURN(auto branches, refs_.ListBranches(ro));
  for (const Branch& b : branches)
    roots.push_back(b.head);
  ARBOR_ASSIGN_OR_RETURN(auto tags, refs_.ListTags(ro));
  for (const Tag& t : tags)
    roots.push_back(t.commit);
  ARBOR_ASSIGN_OR_RETURN(auto intents, refs_.ListIntents(ro));
  for (const auto& intent : intents) {
    // The prepared commit is stored before the intent; it becomes a branch head if
    // the lakeFS side happened. The expected head is an ancestor or a live ref.
    for (const std::string* raw : {&intent.commit(), &intent.expected_head()}) {
      if (auto id = ObjectId::FromBytes(*raw); id.ok()) roots.push_back(*id);
    }
  }
  ARBOR_ASSIGN_OR_RETURN(auto deleted, refs_.ListDeletedRefs(ro));
  for (const DeletedRef& d : deleted) {
    if (now_micros - d.deleted_micros < grace_micros) {
      roots.push_back(d.commit);
    } else {
      expired->push_back(d.key);
    }
  }
  return roots;
}

Status GarbageCollector::Mark(const std::vector<ObjectId>& roots, const ReadOptions& ro) {
  std::vector<ObjectId> stack;
  for (const ObjectId& r : roots) {
    if (marked_.insert(r).second) stack.push_back(r);
  }
  auto visit = [&](const ObjectId& id) {
    if (marked_.insert(id).second) stack.push_back(id);
  };
  while (!stack.empty()) {
    ObjectId id = stack.back();
    stack.pop_back();
    auto obj = objects_->Get(id, ro);
    if (!obj.ok()) {
      return Status::Corruption(
          "garbage collection stopped, nothing deleted: a reachable object "
          "is unreadable: " +
          obj.status().message());
    }
    switch (obj->type) {
      case ObjectType::kCommit: {
        ARBOR_ASSIGN_OR_RETURN(CommitData c, DecodeCommit(id, obj->payload));
        visit(c.root);
        for (const ObjectId& p : c.parents)
          visit(p);
        break;
      }
      case ObjectType::kTreeNode: {
        auto node = DecodeNode(obj->payload);
        if (!node.ok()) return node.status().WithContext("tree node " + id.ToHex());
        for (const NodeEntry& e : node->entries) {
          if (!node->is_leaf()) {
            visit(e.child);
          } else if (e.blob) {
            ARBOR_ASSIGN_OR_RETURN(ObjectId blob, ObjectId::FromBytes(e.value));
            visit(blob);
          }
        }
        break;
      }
      case ObjectType::kBlob:
        break;
      default:
        return Status::Corruption("object " + id.ToHex() + " has an unknown type");
    }
  }
  return Status::OK();
}

Result<std::vector<GarbageCollector::Candidate>> GarbageCollector::Unmarked(const ReadOptions& ro,
                                                                            uint64_t* scanned) {
  std::vector<Candidate> out;
  auto it = kv_->NewIterator(Column::kObjects, ro);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    ++*scanned;
    auto id = ObjectId::FromBytes(it->key());
    if (!id.ok()) return Status::Corruption("an object key is not an object id");
    if (marked_.count(*id)) continue;
    Candidate c;
    c.id = *id;
    c.bytes = static_cast<uint32_t>(it->key().size() + it->value().size());
    c.type = it->value().empty() ? ObjectType::kBlob : static_cast<ObjectType>(it->value()[0]);
    out.push_back(c);
  }
  ARBOR_RETURN_IF_ERROR(it->status());
  return out;
}

void GarbageCollector::DropMarked(std::vector<Candidate>* candidates) const {
  std::erase_if(*candidates, [&](const Candidate& c) { return marked_.count(c.id) > 0; });
}

Status GarbageCollector::Sweep(const std::vector<Candidate>& candidates,
                               const std::vector<std::string>& expired) {
  WriteBatch batch;
  auto flush = [&]() -> Status {
    if (batch.empty()) return Status::OK();
    // Unsynced: a delete lost in a crash leaves garbage for the next run, nothing worse.
    Status s = kv_->Write(batch, Unsynced());
    batch.Clear();
    return s;
  };
  for (const Candidate& c : candidates) {
    batch.Delete(Column::kObjects, c.id.bytes());
    if (c.type == ObjectType::kCommit) RefStore::DeleteLink(c.id, &batch);
    if (batch.ops().size() >= kSweepBatchOps) ARBOR_RETURN_IF_ERROR(flush());
  }
  for (const std::string& key : expired)
    batch.Delete(Column::kRefs, key);
  ARBOR_RETURN_IF_ERROR(flush());
  return kv_->SyncWal();
}

}  // namespace arbor

#include "versioning/commit_store.h"

#include <algorithm>

#include "arbor/versioning.pb.h"
#include "versioning/commit_graph.h"
#include "versioning/deterministic_proto.h"

namespace arbor {

namespace {

std::string Encode(const CommitData& c) {
  versioning::Commit p;
  p.set_root(std::string(c.root.bytes()));
  for (const auto& parent : c.parents)
    p.add_parents(std::string(parent.bytes()));
  p.set_author(c.author);
  p.set_message(c.message);
  p.set_time_micros(c.time_micros);
  for (const auto& [k, v] : c.metadata)
    (*p.mutable_metadata())[k] = v;
  p.set_generation(c.generation);
  p.set_corrected_micros(c.corrected_micros);
  if (c.skip) {
    p.set_skip(std::string(c.skip->bytes()));
    p.set_skip_steps(c.skip_steps);
    p.set_skip_low(c.skip_low);
  }
  return SerializeDeterministic(p);
}

}  // namespace

Result<CommitData> DecodeCommit(const ObjectId& id, std::string_view bytes) {
  versioning::Commit p;
  Status s = ParseProto(bytes, &p);
  if (!s.ok()) return s.WithContext("commit " + id.ToHex());
  CommitData c;
  c.id = id;
  auto root = ObjectId::FromBytes(p.root());
  if (!root.ok()) return Status::Corruption("commit " + id.ToHex() + " has a malformed root id");
  c.root = *root;
  for (const auto& parent : p.parents()) {
    auto pid = ObjectId::FromBytes(parent);
    if (!pid.ok()) return Status::Corruption("commit " + id.ToHex() + " has a malformed parent");
    c.parents.push_back(*pid);
  }
  c.author = p.author();
  c.message = p.message();
  c.time_micros = p.time_micros();
  c.metadata.insert(p.metadata().begin(), p.metadata().end());
  c.generation = p.generation();
  c.corrected_micros = p.corrected_micros();
  if (!p.skip().empty()) {
    auto skip = ObjectId::FromBytes(p.skip());
    if (!skip.ok() || p.skip_steps() == 0) {
      return Status::Corruption("commit " + id.ToHex() + " has a malformed skip pointer");
    }
    c.skip = *skip;
    c.skip_steps = p.skip_steps();
    c.skip_low = p.skip_low();
  }
  if (c.generation == 0) return Status::Corruption("commit " + id.ToHex() + " has generation 0");
  return c;
}

namespace {

size_t Charge(const CommitData& c) {
  size_t n = sizeof(CommitData) + c.author.size() + c.message.size() + c.lakefs_commit.size() +
             c.parents.size() * sizeof(ObjectId);
  for (const auto& [k, v] : c.metadata)
    n += k.size() + v.size() + 64;
  return n;
}

}  // namespace

CommitStore::CommitStore(ObjectStore* objects, size_t cache_bytes)
    : objects_(objects), cache_(cache_bytes) {}

CommitPtr CommitStore::Put(CommitData commit, WriteBatch* batch) {
  commit.id = objects_->PutInBatch(ObjectType::kCommit, Encode(commit), batch);
  auto ptr = std::make_shared<const CommitData>(std::move(commit));
  cache_.Insert(ptr->id, ptr, Charge(*ptr));
  return ptr;
}

Result<CommitPtr> CommitStore::Get(const ObjectId& id) {
  if (auto cached = cache_.Lookup(id)) return cached;
  auto bytes = objects_->GetTyped(id, ObjectType::kCommit);
  if (!bytes.ok()) {
    if (bytes.status().IsNotFound()) return Status::NotFound("commit " + id.ToHex() + " not found");
    return bytes.status();
  }
  ARBOR_ASSIGN_OR_RETURN(CommitData c, DecodeCommit(id, *bytes));
  auto ptr = std::make_shared<const CommitData>(std::move(c));
  cache_.Insert(id, ptr, Charge(*ptr));
  return ptr;
}

Result<ObjectId> CommitStore::ResolvePrefix(std::string_view hex) {
  auto id = objects_->ResolvePrefix(hex, ObjectType::kCommit);
  if (!id.ok() && id.status().IsNotFound()) {
    return Status::NotFound("no commit matches '" + std::string(hex) + "'");
  }
  return id;
}

Result<CommitData> MakeCommit(CommitStore* store, const ObjectId& root,
                              std::vector<ObjectId> parents, std::string author,
                              std::string message, int64_t time_micros,
                              std::map<std::string, std::string> metadata) {
  CommitData c;
  c.root = root;
  uint64_t generation = 0;
  int64_t corrected = time_micros;
  CommitPtr first;
  for (const auto& p : parents) {
    ARBOR_ASSIGN_OR_RETURN(CommitPtr parent, store->Get(p));
    generation = std::max(generation, parent->generation);
    corrected = std::max(corrected, parent->corrected_micros + 1);
    if (!first) first = parent;
  }
  c.generation = generation + 1;
  c.corrected_micros = corrected;
  if (first) {
    // ancestors(c) \ ancestors(first parent): c itself and what a merge brings in.
    int64_t low = corrected;
    if (parents.size() > 1) {
      std::vector<ObjectId> others(parents.begin() + 1, parents.end());
      ARBOR_ASSIGN_OR_RETURN(int64_t merged, MinCorrectedMergedIn(store, first->id, others));
      low = std::min(low, merged);
    }
    c.skip = first->id;
    c.skip_steps = 1;
    c.skip_low = low;
    // Skew-binary jump list (Myers): when the parent's skip and that commit's skip span
    // equal distances, jump over both; otherwise step to the parent. Spans then follow
    // 1, 1, 3, 1, 1, 3, 7, ... so any depth is reached in O(log depth) hops.
    if (first->skip) {
      ARBOR_ASSIGN_OR_RETURN(CommitPtr mid, store->Get(*first->skip));
      if (mid->skip && mid->skip_steps == first->skip_steps) {
        c.skip = *mid->skip;
        c.skip_steps = 1 + first->skip_steps + mid->skip_steps;
        c.skip_low = std::min({low, first->skip_low, mid->skip_low});
      }
    }
  }
  c.parents = std::move(parents);
  c.author = std::move(author);
  c.message = std::move(message);
  c.time_micros = time_micros;
  c.metadata = std::move(metadata);
  return c;
}

}  // namespace arbor

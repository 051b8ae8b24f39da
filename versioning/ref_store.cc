#include "versioning/ref_store.h"

#include <algorithm>
#include <cstdio>

#include "versioning/deterministic_proto.h"

namespace arbor {

namespace {

constexpr std::string_view kBranchPrefix = "branch/";
constexpr std::string_view kTagPrefix = "tag/";
constexpr std::string_view kRepositoryKey = "repository";

Result<Branch> DecodeBranch(std::string_view name, std::string raw) {
  versioning::BranchRecord r;
  Status s = ParseProto(raw, &r);
  if (!s.ok()) return s.WithContext("branch '" + std::string(name) + "'");
  auto head = ObjectId::FromBytes(r.head());
  if (!head.ok()) return Status::Corruption("branch '" + std::string(name) + "' has no valid head");
  Branch b;
  b.name = std::string(name);
  b.head = *head;
  b.staging_token = r.staging_token();
  b.is_protected = r.is_protected();
  b.commit_mode = r.commit_mode();
  b.created_micros = r.created_micros();
  b.staged_writes = r.staged_writes();
  b.raw = std::move(raw);
  return b;
}

Result<Tag> DecodeTag(std::string_view name, std::string_view raw) {
  versioning::TagRecord r;
  Status s = ParseProto(raw, &r);
  if (!s.ok()) return s.WithContext("tag '" + std::string(name) + "'");
  auto commit = ObjectId::FromBytes(r.commit());
  if (!commit.ok())
    return Status::Corruption("tag '" + std::string(name) + "' has no valid commit");
  return Tag{std::string(name), *commit, r.created_micros()};
}

std::string PrefixEnd(std::string_view prefix) {
  std::string end(prefix);
  end.back() = static_cast<char>(end.back() + 1);
  return end;
}

}  // namespace

std::string RefStore::BranchKey(std::string_view name) {
  return std::string(kBranchPrefix) + std::string(name);
}

std::string RefStore::TagKey(std::string_view name) {
  return std::string(kTagPrefix) + std::string(name);
}

Result<Branch> RefStore::GetBranch(std::string_view name, const ReadOptions& options) const {
  auto raw = kv_->Get(Column::kRefs, BranchKey(name), options);
  if (!raw.ok()) {
    if (raw.status().IsNotFound()) {
      return Status::NotFound("branch '" + std::string(name) + "' not found");
    }
    return raw.status();
  }
  return DecodeBranch(name, std::move(raw).value());
}

Result<std::vector<Branch>> RefStore::ListBranches(const ReadOptions& options) const {
  ReadOptions ro = options;
  ro.upper_bound = PrefixEnd(kBranchPrefix);
  auto it = kv_->NewIterator(Column::kRefs, ro);
  std::vector<Branch> out;
  for (it->Seek(kBranchPrefix); it->Valid(); it->Next()) {
    ARBOR_ASSIGN_OR_RETURN(
        Branch b, DecodeBranch(it->key().substr(kBranchPrefix.size()), std::string(it->value())));
    out.push_back(std::move(b));
  }
  ARBOR_RETURN_IF_ERROR(it->status());
  return out;
}

Result<Tag> RefStore::GetTag(std::string_view name, const ReadOptions& options) const {
  auto raw = kv_->Get(Column::kRefs, TagKey(name), options);
  if (!raw.ok()) {
    if (raw.status().IsNotFound())
      return Status::NotFound("tag '" + std::string(name) + "' not found");
    return raw.status();
  }
  return DecodeTag(name, *raw);
}

Result<std::vector<Tag>> RefStore::ListTags(const ReadOptions& options) const {
  ReadOptions ro = options;
  ro.upper_bound = PrefixEnd(kTagPrefix);
  auto it = kv_->NewIterator(Column::kRefs, ro);
  std::vector<Tag> out;
  for (it->Seek(kTagPrefix); it->Valid(); it->Next()) {
    ARBOR_ASSIGN_OR_RETURN(Tag t, DecodeTag(it->key().substr(kTagPrefix.size()), it->value()));
    out.push_back(std::move(t));
  }
  ARBOR_RETURN_IF_ERROR(it->status());
  return out;
}

Result<std::optional<versioning::RepositoryRecord>> RefStore::GetRepository() const {
  auto raw = kv_->Get(Column::kRefs, kRepositoryKey);
  if (!raw.ok()) {
    if (raw.status().IsNotFound()) return std::optional<versioning::RepositoryRecord>();
    return raw.status();
  }
  versioning::RepositoryRecord r;
  ARBOR_RETURN_IF_ERROR(ParseProto(*raw, &r));
  return std::optional<versioning::RepositoryRecord>(std::move(r));
}

void RefStore::PutBranch(const Branch& branch, WriteBatch* batch) {
  versioning::BranchRecord r;
  r.set_head(std::string(branch.head.bytes()));
  r.set_staging_token(branch.staging_token);
  r.set_is_protected(branch.is_protected);
  r.set_commit_mode(branch.commit_mode);
  r.set_created_micros(branch.created_micros);
  r.set_staged_writes(branch.staged_writes);
  batch->Put(Column::kRefs, BranchKey(branch.name), SerializeDeterministic(r));
}

void RefStore::ExpectBranch(const Branch& branch, WriteBatch* batch) {
  batch->ExpectValue(Column::kRefs, BranchKey(branch.name), branch.raw);
}

void RefStore::ExpectNoBranch(std::string_view name, WriteBatch* batch) {
  batch->ExpectAbsent(Column::kRefs, BranchKey(name));
}

void RefStore::DeleteBranch(std::string_view name, WriteBatch* batch) {
  batch->Delete(Column::kRefs, BranchKey(name));
}

void RefStore::PutTag(const Tag& tag, WriteBatch* batch) {
  versioning::TagRecord r;
  r.set_commit(std::string(tag.commit.bytes()));
  r.set_created_micros(tag.created_micros);
  batch->Put(Column::kRefs, TagKey(tag.name), SerializeDeterministic(r));
}

void RefStore::ExpectNoTag(std::string_view name, WriteBatch* batch) {
  batch->ExpectAbsent(Column::kRefs, TagKey(name));
}

void RefStore::DeleteTag(std::string_view name, WriteBatch* batch) {
  batch->Delete(Column::kRefs, TagKey(name));
}

void RefStore::PutRepository(const versioning::RepositoryRecord& record, WriteBatch* batch) {
  batch->Put(Column::kRefs, kRepositoryKey, SerializeDeterministic(record));
}

namespace {
constexpr std::string_view kLinkPrefix = "link/";
constexpr std::string_view kIntentPrefix = "intent/";
std::string LinkKey(const ObjectId& commit) {
  return std::string(kLinkPrefix) + commit.ToHex();
}
}  // namespace

Result<std::optional<std::string>> RefStore::GetLink(const ObjectId& commit,
                                                     const ReadOptions& options) const {
  auto raw = kv_->Get(Column::kRefs, LinkKey(commit), options);
  if (!raw.ok()) {
    if (raw.status().IsNotFound()) return std::optional<std::string>();
    return raw.status();
  }
  versioning::LakeFsLink link;
  ARBOR_RETURN_IF_ERROR(ParseProto(*raw, &link));
  return std::optional<std::string>(link.lakefs_commit());
}

void RefStore::PutLink(const ObjectId& commit, const std::string& lakefs_commit,
                       WriteBatch* batch) {
  versioning::LakeFsLink link;
  link.set_lakefs_commit(lakefs_commit);
  batch->Put(Column::kRefs, LinkKey(commit), SerializeDeterministic(link));
}

void RefStore::DeleteLink(const ObjectId& commit, WriteBatch* batch) {
  batch->Delete(Column::kRefs, LinkKey(commit));
}

namespace {
constexpr std::string_view kDeletedPrefix = "deleted/";
}  // namespace

void RefStore::PutDeletedRef(std::string_view kind, std::string_view name, const ObjectId& commit,
                             int64_t deleted_micros, WriteBatch* batch) {
  char micros[17];
  snprintf(micros, sizeof(micros), "%016llx",
           static_cast<unsigned long long>(std::max<int64_t>(0, deleted_micros)));
  versioning::TagRecord r;
  r.set_commit(std::string(commit.bytes()));
  r.set_created_micros(deleted_micros);
  batch->Put(
      Column::kRefs,
      std::string(kDeletedPrefix) + micros + "/" + std::string(kind) + "/" + std::string(name),
      SerializeDeterministic(r));
}

Result<std::vector<DeletedRef>> RefStore::ListDeletedRefs(const ReadOptions& options) const {
  ReadOptions ro = options;
  ro.upper_bound = PrefixEnd(kDeletedPrefix);
  auto it = kv_->NewIterator(Column::kRefs, ro);
  std::vector<DeletedRef> out;
  for (it->Seek(kDeletedPrefix); it->Valid(); it->Next()) {
    DeletedRef d;
    d.key = std::string(it->key());
    // <16 hex>/<kind>/<name>
    std::string_view rest = std::string_view(d.key).substr(kDeletedPrefix.size());
    size_t slash = rest.size() > 17 ? rest.find('/', 17) : std::string_view::npos;
    if (rest.size() < 17 || rest[16] != '/' || slash == std::string_view::npos) {
      return Status::Corruption("malformed deleted-ref key");
    }
    d.kind = std::string(rest.substr(17, slash - 17));
    d.name = std::string(rest.substr(slash + 1));
    versioning::TagRecord r;
    ARBOR_RETURN_IF_ERROR(ParseProto(it->value(), &r));
    auto commit = ObjectId::FromBytes(r.commit());
    if (!commit.ok()) return Status::Corruption("deleted ref '" + d.name + "' has no valid commit");
    d.commit = *commit;
    d.deleted_micros = r.created_micros();
    out.push_back(std::move(d));
  }
  ARBOR_RETURN_IF_ERROR(it->status());
  return out;
}

std::string RefStore::IntentKey(std::string_view branch) {
  return std::string(kIntentPrefix) + std::string(branch);
}

Result<std::optional<versioning::Intent>> RefStore::GetIntent(std::string_view branch,
                                                              const ReadOptions& options) const {
  auto raw = kv_->Get(Column::kRefs, IntentKey(branch), options);
  if (!raw.ok()) {
    if (raw.status().IsNotFound()) return std::optional<versioning::Intent>();
    return raw.status();
  }
  versioning::Intent intent;
  ARBOR_RETURN_IF_ERROR(ParseProto(*raw, &intent));
  return std::optional<versioning::Intent>(std::move(intent));
}

Result<std::vector<versioning::Intent>> RefStore::ListIntents(const ReadOptions& options) const {
  ReadOptions ro = options;
  ro.upper_bound = PrefixEnd(kIntentPrefix);
  auto it = kv_->NewIterator(Column::kRefs, ro);
  std::vector<versioning::Intent> out;
  for (it->Seek(kIntentPrefix); it->Valid(); it->Next()) {
    versioning::Intent intent;
    ARBOR_RETURN_IF_ERROR(ParseProto(it->value(), &intent));
    out.push_back(std::move(intent));
  }
  ARBOR_RETURN_IF_ERROR(it->status());
  return out;
}

void RefStore::PutIntent(const versioning::Intent& intent, WriteBatch* batch) {
  batch->Put(Column::kRefs, IntentKey(intent.branch()), SerializeDeterministic(intent));
}

void RefStore::DeleteIntent(std::string_view branch, WriteBatch* batch) {
  batch->Delete(Column::kRefs, IntentKey(branch));
}

void RefStore::ExpectNoIntent(std::string_view branch, WriteBatch* batch) {
  batch->ExpectAbsent(Column::kRefs, IntentKey(branch));
}

}  // namespace arbor

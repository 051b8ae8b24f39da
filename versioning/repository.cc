#include "versioning/repository.h"

#include <chrono>
#include <set>

#include "versioning/names.h"
#include "versioning/ref_expression.h"
#include "versioning/staging.h"

namespace arbor {

namespace {

constexpr uint32_t kFormatVersion = 1;

int64_t SystemMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

WriteOptions Unsynced() {
  WriteOptions wo;
  wo.sync = false;
  return wo;
}

// Picks the tree shape: the stored one for an existing repository, else the requested.
Result<TreeOptions> TreeOptionsFor(KvStore* kv, const TreeOptions& requested) {
  RefStore refs(kv);
  ARBOR_ASSIGN_OR_RETURN(auto record, refs.GetRepository());
  if (!record) return requested;
  if (record->format_version() != kFormatVersion) {
    return Status::InvalidArgument("repository format version " +
                                   std::to_string(record->format_version()) +
                                   " is not supported (this build reads version " +
                                   std::to_string(kFormatVersion) + ")");
  }
  TreeOptions t;
  t.target_leaf_bytes = record->target_leaf_bytes();
  t.target_internal_bytes = record->target_internal_bytes();
  t.max_inline_value = record->max_inline_value();
  return t;
}

// The branch a write (commit, merge, reset, revert) goes to. A tag or commit
// expression is ReadOnly, naming the ref, as for Mutate; an unknown name stays NotFound.
Result<Branch> WritableBranch(Repository* repo, std::string_view name) {
  auto b = repo->refs().GetBranch(name);
  if (b.ok() || !b.status().IsNotFound()) return b;
  auto ref = repo->Resolve(name);
  if (!ref.ok() || ref->is_branch()) return b.status();
  return Status::ReadOnly("ref " + Quote(name) + " is a " +
                          (ref->kind == ResolvedRef::Kind::kTag ? "tag" : "commit") +
                          " and read-only; write to a branch");
}

}  // namespace

Repository::Repository(KvStore* kv, RepositoryOptions options, TreeOptions tree_options)
    : kv_(kv),
      default_branch_(std::move(options.default_branch)),
      initial_entries_(std::move(options.initial_entries)),
      clock_(options.clock ? std::move(options.clock) : SystemMicros),
      objects_(kv),
      nodes_(&objects_, options.node_cache_bytes),
      tree_(&nodes_, tree_options),
      commits_(&objects_, options.commit_cache_bytes),
      refs_(kv) {}

Result<std::unique_ptr<Repository>> Repository::Open(KvStore* kv, RepositoryOptions options) {
  ARBOR_RETURN_IF_ERROR(ValidateRefName(options.default_branch).WithContext("default branch"));
  ARBOR_ASSIGN_OR_RETURN(TreeOptions tree_options, TreeOptionsFor(kv, options.tree));
  std::unique_ptr<Repository> repo(new Repository(kv, std::move(options), tree_options));
  ARBOR_RETURN_IF_ERROR(repo->Initialize());
  return repo;
}

Status Repository::Initialize() {
  ARBOR_ASSIGN_OR_RETURN(auto record, refs_.GetRepository());
  if (record) {
    // An existing repository keeps its own default branch; a different flag value
    // must name an existing branch.
    return GetBranch(default_branch_).status().WithContext("default branch");
  }
  WriteBatch batch;
  ARBOR_ASSIGN_OR_RETURN(ObjectId root, tree_.Apply(tree_.EmptyRoot(), initial_entries_, &batch));
  int64_t now = clock_();
  ARBOR_ASSIGN_OR_RETURN(CommitData data, MakeCommit(&commits_, root, {}, "arbor",
                                                     "Repository created", now, {}));
  CommitPtr commit = commits_.Put(std::move(data), &batch);
  versioning::RepositoryRecord r;
  r.set_format_version(kFormatVersion);
  r.set_default_branch(default_branch_);
  r.set_target_leaf_bytes(tree_.options().target_leaf_bytes);
  r.set_target_internal_bytes(tree_.options().target_internal_bytes);
  r.set_max_inline_value(tree_.options().max_inline_value);
  r.set_created_micros(now);
  Branch main;
  main.name = default_branch_;
  main.head = commit->id;
  main.staging_token = NewStagingToken();
  main.created_micros = now;
  batch.ExpectAbsent(Column::kRefs, "repository");
  RefStore::PutRepository(r, &batch);
  RefStore::PutBranch(main, &batch);
  return kv_->Write(batch);
}

std::shared_ptr<std::mutex> Repository::BranchLock(std::string_view branch) {
  std::lock_guard<std::mutex> lock(locks_mu_);
  auto& slot = branch_locks_[std::string(branch)];
  if (!slot) slot = std::make_shared<std::mutex>();
  return slot;
}

Result<ObjectId> Repository::RootOf(const ObjectId& commit) {
  ARBOR_ASSIGN_OR_RETURN(CommitPtr c, commits_.Get(commit));
  return c->root;
}

Result<ResolvedRef> Repository::ResolveAt(std::string_view expression, const ReadOptions& ro) {
  ARBOR_ASSIGN_OR_RETURN(RefExpression expr, ParseRefExpression(expression));
  ResolvedRef ref;
  ref.expression = std::string(expression);
  auto branch = refs_.GetBranch(expr.base, ro);
  if (branch.ok()) {
    ref.kind = ResolvedRef::Kind::kBranch;
    ref.branch = branch->name;
    ref.commit = branch->head;
    ref.staging_token = branch->staging_token;
    ref.is_protected = branch->is_protected;
  } else if (!branch.status().IsNotFound()) {
    return branch.status();
  } else if (auto tag = refs_.GetTag(expr.base, ro); tag.ok()) {
    ref.kind = ResolvedRef::Kind::kTag;
    ref.commit = tag->commit;
  } else if (!tag.status().IsNotFound()) {
    return tag.status();
  } else if (IsHex(expr.base) && expr.base.size() >= ObjectId::kMinPrefixHex &&
             expr.base.size() <= ObjectId::kHexSize) {
    ref.kind = ResolvedRef::Kind::kCommit;
    auto id = commits_.ResolvePrefix(expr.base);
    if (!id.ok()) {
      if (id.status().IsNotFound()) {
        return Status::NotFound("ref " + Quote(expression) + " not found");
      }
      return id.status();
    }
    ref.commit = *id;
  } else {
    return Status::NotFound("ref " + Quote(expression) + " not found");
  }
  if (!expr.steps.empty()) {
    // An ancestor is history, not a branch: read-only, and without staging.
    ref.kind = ResolvedRef::Kind::kCommit;
    ref.branch.clear();
    ref.staging_token.clear();
    for (const auto& step : expr.steps) {
      auto next = step.op == '~' ? NthFirstParent(&commits_, ref.commit, step.n)
                                 : NthParent(&commits_, ref.commit, step.n);
      if (!next.ok()) return next.status().WithContext("resolving " + Quote(expression));
      ref.commit = *next;
    }
  }
  return ref;
}

Result<ResolvedRef> Repository::Resolve(std::string_view expression) {
  return ResolveAt(expression, {});
}

Result<ReadView> Repository::OpenView(std::string_view expression) {
  std::shared_ptr<Snapshot> snapshot = kv_->GetSnapshot();
  ReadOptions ro;
  ro.snapshot = snapshot.get();
  ARBOR_ASSIGN_OR_RETURN(ResolvedRef ref, ResolveAt(expression, ro));
  ARBOR_ASSIGN_OR_RETURN(ObjectId root, RootOf(ref.commit));
  return ReadView(kv_, &tree_, std::move(snapshot), std::move(ref), root);
}

Status Repository::CheckRefNameFree(std::string_view name) {
  ARBOR_RETURN_IF_ERROR(ValidateRefName(name));
  if (refs_.GetBranch(name).ok()) return Status::AlreadyExists("branch " + Quote(name) + " already exists");
  if (refs_.GetTag(name).ok()) return Status::AlreadyExists("tag " + Quote(name) + " already exists");
  if (IsHex(name) && name.size() >= ObjectId::kMinPrefixHex && name.size() <= ObjectId::kHexSize) {
    auto id = commits_.ResolvePrefix(name);
    if (id.ok() || id.status().code() == StatusCode::kInvalidArgument) {
      return Status::AlreadyExists("ref name " + Quote(name) +
                                   " would be ambiguous: it is a prefix of a commit id");
    }
  }
  return Status::OK();
}

Result<Branch> Repository::CreateBranch(std::string_view name, std::string_view source) {
  std::lock_guard<std::mutex> lock(refs_mu_);
  ARBOR_RETURN_IF_ERROR(CheckRefNameFree(name));
  ARBOR_ASSIGN_OR_RETURN(ResolvedRef from, Resolve(source));
  Branch b;
  b.name = std::string(name);
  b.head = from.commit;  // the source's committed state; its staging stays behind
  b.staging_token = NewStagingToken();
  b.created_micros = clock_();
  WriteBatch batch;
  RefStore::ExpectNoBranch(name, &batch);
  RefStore::PutBranch(b, &batch);
  ARBOR_RETURN_IF_ERROR(kv_->Write(batch));
  return GetBranch(name);
}

Status Repository::DeleteBranch(std::string_view name) {
  if (name == default_branch_) {
    return Status::InvalidArgument("the default branch " + Quote(name) + " cannot be deleted");
  }
  std::lock_guard<std::mutex> refs_lock(refs_mu_);
  auto lock = BranchLock(name);
  std::lock_guard<std::mutex> branch_lock(*lock);
  ARBOR_ASSIGN_OR_RETURN(Branch b, refs_.GetBranch(name));
  if (b.is_protected) {
    return Status::ReadOnly("branch " + Quote(name) + " is protected; unprotect it to delete it");
  }
  WriteBatch batch;
  RefStore::ExpectBranch(b, &batch);
  RefStore::DeleteBranch(name, &batch);
  ARBOR_RETURN_IF_ERROR(kv_->Write(batch));
  DropStaging(b.staging_token);
  return Status::OK();
}

Result<Branch> Repository::GetBranch(std::string_view name) { return refs_.GetBranch(name); }

Result<std::vector<Branch>> Repository::ListBranches() { return refs_.ListBranches(); }

Result<Branch> Repository::UpdateBranchFlags(std::string_view name,
                                             const std::function<void(Branch*)>& update) {
  auto lock = BranchLock(name);
  std::lock_guard<std::mutex> guard(*lock);
  ARBOR_ASSIGN_OR_RETURN(Branch b, refs_.GetBranch(name));
  Branch changed = b;
  update(&changed);
  WriteBatch batch;
  RefStore::ExpectBranch(b, &batch);
  RefStore::PutBranch(changed, &batch);
  ARBOR_RETURN_IF_ERROR(kv_->Write(batch));
  return refs_.GetBranch(name);
}

Result<Branch> Repository::SetProtected(std::string_view name, bool is_protected) {
  return UpdateBranchFlags(name, [&](Branch* b) { b->is_protected = is_protected; });
}

Result<Branch> Repository::SetCommitMode(std::string_view name, versioning::CommitMode mode) {
  return UpdateBranchFlags(name, [&](Branch* b) { b->commit_mode = mode; });
}

Result<Tag> Repository::CreateTag(std::string_view name, std::string_view target) {
  std::lock_guard<std::mutex> lock(refs_mu_);
  ARBOR_RETURN_IF_ERROR(CheckRefNameFree(name));
  ARBOR_ASSIGN_OR_RETURN(ResolvedRef ref, Resolve(target));
  Tag tag{std::string(name), ref.commit, clock_()};
  WriteBatch batch;
  RefStore::ExpectNoTag(name, &batch);
  RefStore::PutTag(tag, &batch);
  ARBOR_RETURN_IF_ERROR(kv_->Write(batch));
  return tag;
}

Status Repository::DeleteTag(std::string_view name) {
  std::lock_guard<std::mutex> lock(refs_mu_);
  ARBOR_RETURN_IF_ERROR(refs_.GetTag(name).status());
  WriteBatch batch;
  RefStore::DeleteTag(name, &batch);
  return kv_->Write(batch);
}

Result<Tag> Repository::GetTag(std::string_view name) { return refs_.GetTag(name); }

Result<std::vector<Tag>> Repository::ListTags() { return refs_.ListTags(); }

Status Repository::CheckExpectedHead(const Branch& b,
                                     const std::optional<ObjectId>& expected) const {
  if (expected && *expected != b.head) {
    return Status::PreconditionFailed("branch " + Quote(b.name) + " is at " + b.head.ToHex() +
                                      ", not at the expected head " + expected->ToHex());
  }
  return Status::OK();
}

void Repository::DropStaging(const std::string& token) {
  // The token is already unreachable; deleting its keys only reclaims space, so a
  // failure here is left to CollectStagingGarbage.
  auto [begin, end] = StagingTokenRange(token);
  WriteBatch batch;
  batch.DeleteRange(Column::kStaging, begin, end);
  (void)kv_->Write(batch, Unsynced());
}

Result<CommitPtr> Repository::MoveBranch(const Branch& b, const ObjectId& root,
                                         std::vector<ObjectId> parents, const std::string& author,
                                         const std::string& message,
                                         const std::map<std::string, std::string>& metadata,
                                         const std::string& lakefs_commit, bool new_token) {
  WriteBatch batch;
  ARBOR_ASSIGN_OR_RETURN(CommitData data, MakeCommit(&commits_, root, std::move(parents), author,
                                                     message, clock_(), metadata));
  data.lakefs_commit = lakefs_commit;
  CommitPtr commit = commits_.Put(std::move(data), &batch);
  Branch moved = b;
  moved.head = commit->id;
  if (new_token) moved.staging_token = NewStagingToken();
  RefStore::ExpectBranch(b, &batch);
  RefStore::PutBranch(moved, &batch);
  Status s = kv_->Write(batch);
  if (s.IsPreconditionFailed()) {
    return Status::PreconditionFailed("branch " + Quote(b.name) +
                                      " was moved by another writer; retry");
  }
  ARBOR_RETURN_IF_ERROR(s);
  if (new_token) DropStaging(b.staging_token);
  return commit;
}

Result<CommitPtr> Repository::CommitEdits(const Branch& b, std::vector<Edit> staged,
                                          std::vector<Edit> extra, const CommitOptions& options,
                                          bool unchanged_is_noop) {
  staged.insert(staged.end(), std::make_move_iterator(extra.begin()),
                std::make_move_iterator(extra.end()));
  ARBOR_ASSIGN_OR_RETURN(ObjectId head_root, RootOf(b.head));
  WriteBatch nodes;
  ARBOR_ASSIGN_OR_RETURN(ObjectId root, tree_.Apply(head_root, std::move(staged), &nodes));
  if (root == head_root && !options.allow_empty) {
    if (unchanged_is_noop) return CommitPtr();
    return Status::InvalidArgument("nothing to commit on branch " + Quote(b.name) +
                                   " (its changes leave the catalog as it was)");
  }
  ARBOR_RETURN_IF_ERROR(kv_->Write(nodes, Unsynced()));
  return MoveBranch(b, root, {b.head}, options.author, options.message, options.metadata,
                    options.lakefs_commit, /*new_token=*/true);
}

Result<CommitPtr> Repository::Commit(std::string_view branch, const CommitOptions& options) {
  auto lock = BranchLock(branch);
  std::lock_guard<std::mutex> guard(*lock);
  ARBOR_ASSIGN_OR_RETURN(Branch b, WritableBranch(this, branch));
  if (b.is_protected) {
    return Status::ReadOnly("branch " + Quote(branch) + " is protected: only merges can change it");
  }
  ARBOR_RETURN_IF_ERROR(CheckExpectedHead(b, options.expected_head));
  ARBOR_ASSIGN_OR_RETURN(std::vector<Edit> staged, ReadStagedEdits(kv_, b.staging_token, {}));
  if (staged.empty() && !options.allow_empty) {
    return Status::InvalidArgument("nothing to commit on branch " + Quote(branch));
  }
  return CommitEdits(b, std::move(staged), {}, options);
}

Result<CommitPtr> Repository::GetCommit(std::string_view expression) {
  ARBOR_ASSIGN_OR_RETURN(ResolvedRef ref, Resolve(expression));
  return commits_.Get(ref.commit);
}

Result<LogPage> Repository::Log(std::string_view expression, const LogOptions& options) {
  ARBOR_ASSIGN_OR_RETURN(ResolvedRef ref, Resolve(expression));
  return arbor::Log(&commits_, ref.commit, options);
}

Status Repository::Reset(std::string_view branch, std::optional<ObjectId> expected_head) {
  auto lock = BranchLock(branch);
  std::lock_guard<std::mutex> guard(*lock);
  ARBOR_ASSIGN_OR_RETURN(Branch b, WritableBranch(this, branch));
  ARBOR_RETURN_IF_ERROR(CheckExpectedHead(b, expected_head));
  Branch reset = b;
  reset.staging_token = NewStagingToken();
  WriteBatch batch;
  RefStore::ExpectBranch(b, &batch);
  RefStore::PutBranch(reset, &batch);
  ARBOR_RETURN_IF_ERROR(kv_->Write(batch));
  DropStaging(b.staging_token);
  return Status::OK();
}

Result<MutationOutcome> Repository::Mutate(
    std::string_view target, const MutationOptions& options,
    const std::function<Result<std::vector<Edit>>(const ReadView&)>& fn) {
  ARBOR_ASSIGN_OR_RETURN(ResolvedRef ref, Resolve(target));
  if (!ref.is_branch()) {
    return Status::ReadOnly("ref " + Quote(target) + " is a " +
                            (ref.kind == ResolvedRef::Kind::kTag ? "tag" : "commit") +
                            " and read-only; write to a branch");
  }
  auto lock = BranchLock(ref.branch);
  std::lock_guard<std::mutex> guard(*lock);
  // Re-read under the lock: the view must show every earlier write to the branch.
  ARBOR_ASSIGN_OR_RETURN(ReadView view, OpenView(ref.branch));
  ARBOR_ASSIGN_OR_RETURN(Branch b, refs_.GetBranch(ref.branch));
  if (b.staging_token != view.ref().staging_token || b.head != view.ref().commit) {
    return Status::Busy("branch " + Quote(ref.branch) + " moved while being read; retry");
  }
  if (b.is_protected) {
    return Status::ReadOnly("branch " + Quote(ref.branch) +
                            " is protected: only merges can change it");
  }
  ARBOR_ASSIGN_OR_RETURN(std::vector<Edit> edits, fn(view));
  MutationOutcome outcome;
  outcome.edits = edits.size();
  if (edits.empty()) return outcome;

  if (b.commit_mode == versioning::COMMIT_MODE_AUTO) {
    ARBOR_ASSIGN_OR_RETURN(std::vector<Edit> staged, ReadStagedEdits(kv_, b.staging_token, {}));
    CommitOptions co;
    co.author = options.author;
    co.message = options.message.empty() ? "auto-commit" : options.message;
    // A DDL that changes nothing (an alter to the same values) makes no commit.
    ARBOR_ASSIGN_OR_RETURN(CommitPtr c, CommitEdits(b, std::move(staged), std::move(edits), co,
                                                    /*unchanged_is_noop=*/true));
    if (c) outcome.commit = c->id;
    return outcome;
  }
  WriteBatch batch;
  RefStore::ExpectBranch(b, &batch);
  for (const auto& e : edits) StageEdit(b.staging_token, e, &batch);
  Status s = kv_->Write(batch);
  if (s.IsPreconditionFailed()) {
    return Status::Busy("branch " + Quote(ref.branch) + " was moved by another writer; retry");
  }
  ARBOR_RETURN_IF_ERROR(s);
  return outcome;
}

Result<DiffPage> Repository::Diff(std::string_view left, std::string_view right,
                                  const DiffPageOptions& options) {
  ARBOR_ASSIGN_OR_RETURN(ReadView l, OpenView(left));
  ARBOR_ASSIGN_OR_RETURN(ReadView r, OpenView(right));
  return DiffViews(l, r, &nodes_, kv_, options);
}

Result<DiffPage> Repository::DiffUncommitted(std::string_view branch,
                                             const DiffPageOptions& options) {
  ARBOR_ASSIGN_OR_RETURN(ReadView current, OpenView(branch));
  if (!current.ref().is_branch()) {
    return Status::InvalidArgument(Quote(branch) + " is not a branch: only branches have uncommitted changes");
  }
  ResolvedRef head_ref = current.ref();
  head_ref.kind = ResolvedRef::Kind::kCommit;
  head_ref.staging_token.clear();
  ReadView head(kv_, &tree_, kv_->GetSnapshot(), head_ref, current.root());
  return DiffViews(head, current, &nodes_, kv_, options);
}

namespace {

// Cuts the conflict list to the requested page.
void PageConflicts(std::vector<MergeConflict> all, const std::string& after, size_t limit,
                   MergeOutcome* out) {
  out->conflict_count = all.size();
  for (auto& c : all) {
    if (!after.empty() && c.key <= after) continue;
    if (out->conflicts.size() == limit) {
      out->conflicts_has_more = true;
      break;
    }
    out->conflicts.push_back(std::move(c));
  }
}

}  // namespace

Result<MergeOutcome> Repository::Merge(std::string_view source, std::string_view destination,
                                       const MergeOptions& options) {
  auto lock = BranchLock(destination);
  std::lock_guard<std::mutex> guard(*lock);
  ARBOR_ASSIGN_OR_RETURN(Branch dest, WritableBranch(this, destination));
  ARBOR_RETURN_IF_ERROR(CheckExpectedHead(dest, options.expected_head));
  ARBOR_ASSIGN_OR_RETURN(bool dirty, HasStagedEdits(kv_, dest.staging_token, {}));
  if (dirty) {
    return Status::PreconditionFailed("branch " + Quote(destination) +
                                      " has uncommitted changes; commit or reset them before merging into it");
  }
  ARBOR_ASSIGN_OR_RETURN(ResolvedRef src, Resolve(source));

  MergeOutcome out;
  out.source = src.commit;
  out.destination_head = dest.head;
  ARBOR_ASSIGN_OR_RETURN(out.base, MergeBase(&commits_, dest.head, src.commit));
  if (out.base && *out.base == src.commit) {
    out.nothing_to_merge = true;
    return out;
  }
  ObjectId base_root = tree_.EmptyRoot();
  if (out.base) {
    ARBOR_ASSIGN_OR_RETURN(base_root, RootOf(*out.base));
  }
  ARBOR_ASSIGN_OR_RETURN(ObjectId ours, RootOf(dest.head));
  ARBOR_ASSIGN_OR_RETURN(ObjectId theirs, RootOf(src.commit));
  ARBOR_ASSIGN_OR_RETURN(ThreeWayResult merged,
                         ThreeWayMerge(&nodes_, base_root, ours, theirs, options.strategy));
  out.changes = merged.changes_from_theirs;
  bool blocked = options.strategy == MergeStrategy::kFail && !merged.conflicts.empty();
  PageConflicts(std::move(merged.conflicts), options.conflicts_after, options.conflicts_limit, &out);
  if (blocked || options.dry_run) return out;

  WriteBatch nodes;
  ARBOR_ASSIGN_OR_RETURN(ObjectId root, tree_.Apply(ours, std::move(merged.edits), &nodes));
  ARBOR_RETURN_IF_ERROR(kv_->Write(nodes, Unsynced()));
  std::string message = options.message;
  if (message.empty()) message = "Merge " + Quote(source) + " into " + Quote(destination);
  std::map<std::string, std::string> metadata = options.metadata;
  metadata["arbor.merge.strategy"] = std::string(MergeStrategyName(options.strategy));
  ARBOR_ASSIGN_OR_RETURN(CommitPtr c, MoveBranch(dest, root, {dest.head, src.commit},
                                                 options.author, message, metadata,
                                                 options.lakefs_commit, /*new_token=*/false));
  out.merged = true;
  out.commit = c;
  return out;
}

Result<MergeOutcome> Repository::Revert(std::string_view branch, std::string_view commit,
                                        const RevertOptions& options) {
  auto lock = BranchLock(branch);
  std::lock_guard<std::mutex> guard(*lock);
  ARBOR_ASSIGN_OR_RETURN(Branch b, WritableBranch(this, branch));
  if (b.is_protected) {
    return Status::ReadOnly("branch " + Quote(branch) + " is protected: only merges can change it");
  }
  ARBOR_RETURN_IF_ERROR(CheckExpectedHead(b, options.expected_head));
  ARBOR_ASSIGN_OR_RETURN(bool dirty, HasStagedEdits(kv_, b.staging_token, {}));
  if (dirty) {
    return Status::PreconditionFailed("branch " + Quote(branch) +
                                      " has uncommitted changes; commit or reset them before reverting");
  }
  ARBOR_ASSIGN_OR_RETURN(ResolvedRef target, Resolve(commit));
  ARBOR_ASSIGN_OR_RETURN(CommitPtr c, commits_.Get(target.commit));
  if (c->parents.empty()) {
    return Status::InvalidArgument("commit " + c->id.ShortHex() + " has no parent to revert to");
  }
  int parent = options.parent;
  if (c->parents.size() > 1 && parent == 0) {
    return Status::InvalidArgument("commit " + c->id.ShortHex() +
                                   " is a merge; choose the parent to revert against (1 or 2)");
  }
  if (parent == 0) parent = 1;
  if (parent < 1 || static_cast<size_t>(parent) > c->parents.size()) {
    return Status::InvalidArgument("commit " + c->id.ShortHex() + " has no parent " +
                                   std::to_string(parent));
  }
  ARBOR_ASSIGN_OR_RETURN(bool reachable, IsAncestor(&commits_, c->id, b.head));
  if (!reachable) {
    return Status::InvalidArgument("commit " + c->id.ShortHex() + " is not in the history of " +
                                   Quote(branch));
  }
  ARBOR_ASSIGN_OR_RETURN(ObjectId parent_root, RootOf(c->parents[parent - 1]));
  ARBOR_ASSIGN_OR_RETURN(ObjectId ours, RootOf(b.head));
  // Undoing C is merging C's parent into the branch with C as the base.
  ARBOR_ASSIGN_OR_RETURN(ThreeWayResult merged,
                         ThreeWayMerge(&nodes_, c->root, ours, parent_root, MergeStrategy::kFail));
  MergeOutcome out;
  out.source = c->id;
  out.destination_head = b.head;
  out.changes = merged.changes_from_theirs;
  bool blocked = !merged.conflicts.empty();
  PageConflicts(std::move(merged.conflicts), "", SIZE_MAX, &out);
  if (blocked) return out;
  WriteBatch nodes;
  ARBOR_ASSIGN_OR_RETURN(ObjectId root, tree_.Apply(ours, std::move(merged.edits), &nodes));
  ARBOR_RETURN_IF_ERROR(kv_->Write(nodes, Unsynced()));
  std::string message = options.message;
  if (message.empty()) message = "Revert " + c->id.ShortHex() + ": " + c->message;
  ARBOR_ASSIGN_OR_RETURN(CommitPtr rc, MoveBranch(b, root, {b.head}, options.author, message,
                                                  {{"arbor.revert", c->id.ToHex()}}, "",
                                                  /*new_token=*/false));
  out.merged = true;
  out.commit = rc;
  return out;
}

Status Repository::CollectStagingGarbage() {
  ARBOR_ASSIGN_OR_RETURN(std::vector<Branch> branches, refs_.ListBranches());
  std::set<std::string> live;
  for (const auto& b : branches) live.insert(b.staging_token);
  auto it = kv_->NewIterator(Column::kStaging);
  it->SeekToFirst();
  while (it->Valid()) {
    std::string token(it->key().substr(0, kStagingTokenSize));
    auto [begin, end] = StagingTokenRange(token);
    if (!live.count(token)) DropStaging(token);
    if (end.empty()) break;
    it->Seek(end);
  }
  return it->status();
}

}  // namespace arbor

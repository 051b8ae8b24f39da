#include "versioning/repository.h"

#include <algorithm>
#include <chrono>
#include <exception>
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

std::string Quote(std::string_view s) {
  return "'" + std::string(s) + "'";
}

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
    return Status::InvalidArgument(
        "repository format version " + std::to_string(record->format_version()) +
        " is not supported (this build reads version " + std::to_string(kFormatVersion) + ")");
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
      refs_(kv),
      lakefs_(options.lakefs),
      lakefs_repository_(std::move(options.lakefs_repository)),
      intent_grace_micros_(options.intent_grace_micros),
      commit_chunk_edits_(std::max<size_t>(1, options.commit_chunk_edits)) {}

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
    ARBOR_RETURN_IF_ERROR(GetBranch(default_branch_).status().WithContext("default branch"));
    // Once coupled, always coupled with the same lakeFS repository: opening it
    // standalone would create catalog commits with no data version.
    const std::string& coupled = record->lakefs_repository();
    if (!coupled.empty() && !lakefs_) {
      return Status::InvalidArgument("this catalog is coupled with lakeFS repository '" + coupled +
                                     "'; start arbord with its --lakefs-* options");
    }
    if (!coupled.empty() && coupled != lakefs_repository_) {
      return Status::InvalidArgument("this catalog is coupled with lakeFS repository '" + coupled +
                                     "', not '" + lakefs_repository_ + "'");
    }
    if (coupled.empty() && lakefs_) {
      versioning::RepositoryRecord updated = *record;
      updated.set_lakefs_repository(lakefs_repository_);
      WriteBatch batch;
      RefStore::PutRepository(updated, &batch);
      ARBOR_RETURN_IF_ERROR(kv_->Write(batch));
    }
    return Status::OK();
  }
  WriteBatch batch;
  ARBOR_ASSIGN_OR_RETURN(ObjectId root, tree_.Apply(tree_.EmptyRoot(), initial_entries_, &batch));
  int64_t now = clock_();
  ARBOR_ASSIGN_OR_RETURN(CommitData data,
                         MakeCommit(&commits_, root, {}, "arbor", "Repository created", now, {}));
  CommitPtr commit = commits_.Put(std::move(data), &batch);
  versioning::RepositoryRecord r;
  r.set_format_version(kFormatVersion);
  r.set_default_branch(default_branch_);
  r.set_target_leaf_bytes(tree_.options().target_leaf_bytes);
  r.set_target_internal_bytes(tree_.options().target_internal_bytes);
  r.set_max_inline_value(tree_.options().max_inline_value);
  r.set_created_micros(now);
  if (lakefs_) r.set_lakefs_repository(lakefs_repository_);
  Branch main;
  main.name = default_branch_;
  main.head = commit->id;
  main.staging_token = NewStagingToken();
  main.created_micros = now;
  batch.ExpectAbsent(Column::kRefs, "repository");
  RefStore::PutRepository(r, &batch);
  RefStore::PutBranch(main, &batch);
  Status s = kv_->Write(batch);
  // Another instance sharing the store created it first: open theirs.
  if (s.IsPreconditionFailed()) return Initialize();
  return s;
}

std::shared_ptr<Repository::BranchState> Repository::StateOf(std::string_view branch) {
  std::lock_guard<std::mutex> lock(locks_mu_);
  std::string name(branch);
  std::weak_ptr<BranchState>& slot = branch_states_[name];
  if (std::shared_ptr<BranchState> live = slot.lock()) return live;
  // The last holder to let go erases the entry, so the map holds only the branches
  // an operation is using: names of branches that do not exist, which any client
  // can send, leave nothing behind. A holder that finds its entry already replaced
  // by a newer state (created after its own expired) leaves that one alone.
  std::shared_ptr<BranchState> state(new BranchState, [this, name](BranchState* dead) {
    {
      std::lock_guard<std::mutex> lock(locks_mu_);
      auto it = branch_states_.find(name);
      if (it != branch_states_.end() && it->second.expired()) branch_states_.erase(it);
    }
    delete dead;
  });
  slot = state;
  return state;
}

Result<std::unique_ptr<ProcessLock>> Repository::LockBranchAcrossProcesses(
    std::string_view branch) {
  return kv_->LockAcrossProcesses("branch/" + std::string(branch));
}

std::shared_ptr<std::mutex> Repository::BranchLock(std::string_view branch) {
  std::shared_ptr<BranchState> state = StateOf(branch);
  return std::shared_ptr<std::mutex>(state, &state->mu);
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
  if (refs_.GetBranch(name).ok())
    return Status::AlreadyExists("branch " + Quote(name) + " already exists");
  if (refs_.GetTag(name).ok())
    return Status::AlreadyExists("tag " + Quote(name) + " already exists");
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
  GcGate::Shared gc_gate(&gate_);  // before any branch or ref lock
  std::lock_guard<std::mutex> lock(refs_mu_);
  ARBOR_RETURN_IF_ERROR(CheckRefNameFree(name));
  ARBOR_ASSIGN_OR_RETURN(ResolvedRef from, Resolve(source));
  Branch b;
  b.name = std::string(name);
  b.head = from.commit;  // the source's committed state; its staging stays behind
  b.staging_token = NewStagingToken();
  b.created_micros = clock_();
  if (lakefs_) {
    // Data first: the lakeFS branch starts at the data version paired with the
    // source, so both sides of the new branch begin at the same version.
    std::string lakefs_source;
    ARBOR_ASSIGN_OR_RETURN(auto link, refs_.GetLink(from.commit));
    if (link) {
      lakefs_source = *link;
    } else {
      ARBOR_ASSIGN_OR_RETURN(lakefs_source, LakeFsRefFor(from));
      if (from.is_branch()) {
        // Pin the data version now, so a retry can tell its own branch apart.
        ARBOR_ASSIGN_OR_RETURN(lakefs_source, lakefs_->GetBranchHead(lakefs_source));
      }
    }
    auto created = lakefs_->CreateBranch(b.name, lakefs_source);
    if (!created.ok()) {
      // An earlier attempt whose answer was lost (or that crashed before the catalog
      // side) may have created the lakeFS branch: adopt it if it is exactly at the
      // source's data version, so the create can be retried.
      StatusCode code = created.status().code();
      if (code != StatusCode::kAlreadyExists && code != StatusCode::kUnavailable) {
        return created.status();
      }
      auto head = lakefs_->GetBranchHead(b.name);
      if (!head.ok() || *head != lakefs_source) return created.status();
    }
  }
  WriteBatch batch;
  RefStore::ExpectNoBranch(name, &batch);
  RefStore::PutBranch(b, &batch);
  Status written = kv_->Write(batch);
  if (!written.ok()) {
    if (lakefs_) (void)lakefs_->DeleteBranch(b.name);  // undo the data side
    return written;
  }
  return GetBranch(name);
}

Status Repository::DeleteBranch(std::string_view name) {
  if (name == default_branch_) {
    return Status::InvalidArgument("the default branch " + Quote(name) + " cannot be deleted");
  }
  std::lock_guard<std::mutex> refs_lock(refs_mu_);
  auto lock = BranchLock(name);
  std::lock_guard<std::mutex> branch_lock(*lock);
  ARBOR_ASSIGN_OR_RETURN(auto across, LockBranchAcrossProcesses(name));
  ARBOR_ASSIGN_OR_RETURN(Branch b, refs_.GetBranch(name));
  if (b.is_protected) {
    return Status::ReadOnly("branch " + Quote(name) + " is protected; unprotect it to delete it");
  }
  ARBOR_RETURN_IF_ERROR(CheckNoIntent(b.name));
  WriteBatch batch;
  RefStore::ExpectBranch(b, &batch);
  RefStore::DeleteBranch(name, &batch);
  RefStore::PutDeletedRef("branch", b.name, b.head, clock_(), &batch);
  ARBOR_RETURN_IF_ERROR(kv_->Write(batch));
  DropStaging(b.staging_token);
  if (lakefs_) {
    Status s = lakefs_->DeleteBranch(b.name);
    if (!s.ok() && !s.IsNotFound()) {
      return Status::Unavailable("catalog branch " + Quote(name) +
                                 " deleted, but deleting the lakeFS branch failed: " + s.message());
    }
  }
  return Status::OK();
}

Result<Branch> Repository::GetBranch(std::string_view name) {
  return refs_.GetBranch(name);
}

Result<std::vector<Branch>> Repository::ListBranches() {
  return refs_.ListBranches();
}

Result<Branch> Repository::UpdateBranchFlags(std::string_view name,
                                             const std::function<void(Branch*)>& update) {
  auto lock = BranchLock(name);
  std::lock_guard<std::mutex> guard(*lock);
  ARBOR_ASSIGN_OR_RETURN(auto across, LockBranchAcrossProcesses(name));
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
  GcGate::Shared gc_gate(&gate_);  // before any branch or ref lock
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
  ARBOR_ASSIGN_OR_RETURN(Tag tag, refs_.GetTag(name));
  WriteBatch batch;
  RefStore::DeleteTag(name, &batch);
  RefStore::PutDeletedRef("tag", tag.name, tag.commit, clock_(), &batch);
  return kv_->Write(batch);
}

Result<Tag> Repository::GetTag(std::string_view name) {
  return refs_.GetTag(name);
}

Result<std::vector<Tag>> Repository::ListTags() {
  return refs_.ListTags();
}

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
  // failure here is left to CollectStagingGarbage. Point deletes, not a range
  // delete: RocksDB consults every range tombstone in the memtable on each read, so
  // one per commit would make every later staging read slower until a flush.
  auto [begin, end] = StagingTokenRange(token);
  ReadOptions ro;
  ro.upper_bound = end;
  ro.fill_cache = false;
  auto it = kv_->NewIterator(Column::kStaging, ro);
  WriteBatch batch;
  for (it->Seek(begin); it->Valid(); it->Next()) {
    batch.Delete(Column::kStaging, it->key());
    if (batch.ops().size() >= 10000) {
      if (!kv_->Write(batch, Unsynced()).ok()) return;
      batch.Clear();
    }
  }
  if (!batch.empty()) (void)kv_->Write(batch, Unsynced());
}

Result<Branch> Repository::BranchToMove(std::string_view name,
                                        const std::optional<ObjectId>& expected_head,
                                        MoveKind kind) {
  ARBOR_ASSIGN_OR_RETURN(Branch b, WritableBranch(this, name));
  if (b.is_protected && (kind == MoveKind::kCommit || kind == MoveKind::kRevert)) {
    return Status::ReadOnly("branch " + Quote(name) + " is protected: only merges can change it");
  }
  ARBOR_RETURN_IF_ERROR(CheckExpectedHead(b, expected_head));
  ARBOR_RETURN_IF_ERROR(CheckNoIntent(b.name));
  if (kind == MoveKind::kMerge || kind == MoveKind::kRevert) {
    // The result must be exactly the merged (or reverted) tree: staged changes
    // would be silently folded in or lost.
    ARBOR_ASSIGN_OR_RETURN(bool dirty, HasStagedEdits(kv_, b.staging_token, {}));
    if (dirty) {
      return Status::PreconditionFailed(
          "branch " + Quote(name) + " has uncommitted changes; commit or reset them before " +
          (kind == MoveKind::kMerge ? "merging into it" : "reverting"));
    }
  }
  return b;
}

Status Repository::CheckNoIntent(const std::string& branch) {
  ARBOR_ASSIGN_OR_RETURN(auto intent, refs_.GetIntent(branch));
  if (intent) {
    return Status::Busy(
        "branch " + Quote(branch) +
        " has a lakeFS operation awaiting resolution; retry once lakeFS is reachable");
  }
  return Status::OK();
}

Result<CommitPtr> Repository::MoveBranch(const Branch& b, const ObjectId& root, Move move) {
  WriteBatch batch;
  ARBOR_ASSIGN_OR_RETURN(CommitData data,
                         MakeCommit(&commits_, root, std::move(move.parents), move.author,
                                    move.message, clock_(), move.metadata));
  CommitPtr commit = commits_.Put(std::move(data), &batch);
  auto moved_by_other = [&](Status s) {
    if (!s.IsPreconditionFailed()) return s;
    return Status::PreconditionFailed("branch " + Quote(b.name) +
                                      " was moved by another writer; retry");
  };
  if (!lakefs_ || !move.lakefs) {
    Branch moved = b;
    moved.head = commit->id;
    if (move.new_token) moved.staging_token = NewStagingToken();
    RefStore::ExpectBranch(b, &batch);
    RefStore::PutBranch(moved, &batch);
    ARBOR_RETURN_IF_ERROR(moved_by_other(kv_->Write(batch)));
    if (move.new_token) DropStaging(b.staging_token);
    return commit;
  }

  // Coupled: make the prepared commit and an intent durable, call lakeFS, then
  // complete. A crash anywhere leaves the intent for ResolveIntents().
  versioning::Intent intent;
  intent.set_op(move.op);
  intent.set_branch(b.name);
  intent.set_expected_head(std::string(b.head.bytes()));
  intent.set_commit(std::string(commit->id.bytes()));
  intent.set_new_staging_token(move.new_token);
  intent.set_created_micros(clock_());
  RefStore::ExpectBranch(b, &batch);
  RefStore::ExpectNoIntent(b.name, &batch);
  RefStore::PutIntent(intent, &batch);
  ARBOR_RETURN_IF_ERROR(moved_by_other(kv_->Write(batch)));
  {
    std::lock_guard<std::mutex> lock(in_flight_mu_);
    in_flight_.insert(b.name);
  }
  auto linked = move.lakefs(*commit);
  {
    std::lock_guard<std::mutex> lock(in_flight_mu_);
    in_flight_.erase(b.name);
  }
  if (linked.ok()) return CompleteIntent(b, intent, *linked);
  if (linked.status().code() == StatusCode::kUnavailable) {
    // The lakeFS side may or may not have happened, and lakeFS may still be working
    // on a request it never answered: ask now, and otherwise leave the intent for
    // ResolveIntents to settle once the grace period is over.
    bool completed = false;
    (void)ResolveIntentLocked(b.name, /*may_drop=*/false, &completed);
    if (completed) return Decorate(commit);
    return Status::Unavailable(
        linked.status().message() + "; the outcome is unknown, so branch " + Quote(b.name) +
        " takes no writes until lakeFS shows whether it happened (at most " +
        std::to_string(intent_grace_micros_ / 1'000'000) + " s, or once lakeFS is reachable)");
  }
  WriteBatch undo;
  RefStore::DeleteIntent(b.name, &undo);
  ARBOR_RETURN_IF_ERROR(kv_->Write(undo));
  return linked.status();
}

Result<CommitPtr> Repository::CompleteIntent(const Branch& b, const versioning::Intent& intent,
                                             const std::string& lakefs_commit) {
  ARBOR_ASSIGN_OR_RETURN(ObjectId id, ObjectId::FromBytes(intent.commit()));
  ARBOR_ASSIGN_OR_RETURN(CommitPtr commit, commits_.Get(id));
  Branch moved = b;
  moved.head = id;
  if (intent.new_staging_token()) moved.staging_token = NewStagingToken();
  WriteBatch batch;
  RefStore::ExpectBranch(b, &batch);
  RefStore::PutBranch(moved, &batch);
  RefStore::PutLink(id, lakefs_commit, &batch);
  RefStore::DeleteIntent(b.name, &batch);
  ARBOR_RETURN_IF_ERROR(kv_->Write(batch));
  if (intent.new_staging_token()) DropStaging(b.staging_token);
  return Decorate(commit);
}

Status Repository::ResolveIntentLocked(const std::string& branch, bool may_drop, bool* completed) {
  *completed = false;
  ARBOR_ASSIGN_OR_RETURN(auto intent, refs_.GetIntent(branch));
  if (!intent) return Status::OK();
  ARBOR_ASSIGN_OR_RETURN(Branch b, refs_.GetBranch(branch));
  ARBOR_ASSIGN_OR_RETURN(ObjectId expected, ObjectId::FromBytes(intent->expected_head()));
  ARBOR_ASSIGN_OR_RETURN(ObjectId commit, ObjectId::FromBytes(intent->commit()));
  if (b.head == expected && lakefs_) {
    // Look for the lakeFS commit that names this catalog commit, newest first, back
    // to a little before the intent was made (allowing for clock skew).
    const int64_t oldest_seconds = intent->created_micros() / 1'000'000 - 300;
    const std::string wanted = commit.ToHex();
    std::string after;
    for (int page = 0; page < 20; ++page) {
      ARBOR_ASSIGN_OR_RETURN(LakeFsLogPage log, lakefs_->Log(branch, 100, after));
      bool older = false;
      for (const auto& c : log.commits) {
        auto it = c.metadata.find(kArborCommitKey);
        if (it != c.metadata.end() && it->second == wanted) {
          ARBOR_RETURN_IF_ERROR(CompleteIntent(b, *intent, c.id).status());
          *completed = true;
          return Status::OK();
        }
        if (c.creation_date > 0 && c.creation_date < oldest_seconds) older = true;
      }
      if (older || !log.has_more) break;
      after = log.next_offset;
    }
  }
  // lakeFS has not made the commit (or the branch moved on, which an intent
  // forbids). Once nothing can still be in flight, the catalog side is dropped,
  // leaving both systems as they were.
  const bool expired = clock_() - intent->created_micros() >= intent_grace_micros_;
  if (b.head == expected && (!may_drop || !expired)) return Status::OK();
  WriteBatch drop;
  RefStore::DeleteIntent(branch, &drop);
  return kv_->Write(drop);
}

Result<size_t> Repository::ResolveIntents() {
  ARBOR_ASSIGN_OR_RETURN(std::vector<versioning::Intent> intents, refs_.ListIntents());
  size_t pending = 0;
  for (const auto& intent : intents) {
    {
      std::lock_guard<std::mutex> lock(in_flight_mu_);
      if (in_flight_.count(intent.branch())) {
        ++pending;
        continue;
      }
    }
    GcGate::Shared gc_gate(&gate_);
    auto lock = BranchLock(intent.branch());
    std::lock_guard<std::mutex> guard(*lock);
    // Another instance may be running this very operation (its lakeFS call holds
    // the branch), or resolving it: one at a time, and whoever comes second finds
    // the intent settled, or settles an intent its dead owner left.
    auto across = LockBranchAcrossProcesses(intent.branch());
    if (!across.ok()) {
      ++pending;
      continue;
    }
    bool completed = false;
    Status s = ResolveIntentLocked(intent.branch(), /*may_drop=*/true, &completed);
    ARBOR_ASSIGN_OR_RETURN(auto left, refs_.GetIntent(intent.branch()));
    if (!s.ok() || left) ++pending;
  }
  return pending;
}

Result<std::optional<std::string>> Repository::LakeFsCommitOf(const ObjectId& commit) {
  return refs_.GetLink(commit);
}

Result<CommitPtr> Repository::Decorate(CommitPtr commit) {
  ARBOR_ASSIGN_OR_RETURN(auto link, refs_.GetLink(commit->id));
  if (!link) return commit;
  auto copy = std::make_shared<CommitData>(*commit);
  copy->lakefs_commit = *link;
  return CommitPtr(std::move(copy));
}

Result<std::string> Repository::LakeFsRefFor(const ResolvedRef& ref) {
  if (ref.is_branch()) return ref.branch;
  // A commit's data version is its own pairing, or that of its nearest paired
  // first-parent ancestor (commits from before lakeFS was configured have none).
  ObjectId id = ref.commit;
  for (int steps = 0; steps < 10000; ++steps) {
    ARBOR_ASSIGN_OR_RETURN(auto link, refs_.GetLink(id));
    if (link) return *link;
    ARBOR_ASSIGN_OR_RETURN(CommitPtr c, commits_.Get(id));
    if (c->parents.empty()) break;
    id = c->parents[0];
  }
  return Status::NotFound("commit " + ref.commit.ShortHex() + " has no paired lakeFS commit");
}

Repository::LakeFsStep Repository::LakeFsCommitStep(const std::string& branch, std::string message,
                                                    std::map<std::string, std::string> metadata,
                                                    bool allow_empty) {
  if (!lakefs_) return nullptr;
  return [this, branch, message = std::move(message), metadata = std::move(metadata),
          allow_empty](const CommitData& prepared) -> Result<std::string> {
    auto meta = metadata;
    meta[kArborCommitKey] = prepared.id.ToHex();
    ARBOR_ASSIGN_OR_RETURN(LakeFsCommit c, lakefs_->Commit(branch, message, meta, allow_empty));
    return c.id;
  };
}

Result<ObjectId> Repository::ApplyStaged(const ObjectId& root, const std::string& token,
                                         std::vector<Edit> extra) {
  // Staged edits come in key order, so each chunk touches its own part of the tree
  // and the chunks together rewrite about what one Apply of all of them would.
  std::shared_ptr<Snapshot> snapshot = kv_->GetSnapshot();
  ReadOptions ro;
  ro.snapshot = snapshot.get();
  ro.fill_cache = false;
  ObjectId current = root;
  auto apply = [&](std::vector<Edit> edits) -> Status {
    WriteBatch nodes;
    ARBOR_ASSIGN_OR_RETURN(current, tree_.Apply(current, std::move(edits), &nodes));
    if (nodes.empty()) return Status::OK();
    return kv_->Write(nodes, Unsynced());
  };
  std::string begin;
  while (true) {
    ARBOR_ASSIGN_OR_RETURN(std::vector<Edit> chunk,
                           ReadStagedEdits(kv_, token, ro, begin, {}, commit_chunk_edits_));
    if (chunk.empty()) break;
    const bool last = chunk.size() < commit_chunk_edits_;
    begin = chunk.back().key;
    begin.push_back('\0');  // the next key after it
    ARBOR_RETURN_IF_ERROR(apply(std::move(chunk)));
    if (last) break;
  }
  if (!extra.empty()) ARBOR_RETURN_IF_ERROR(apply(std::move(extra)));
  return current;
}

Result<CommitPtr> Repository::CommitEdits(const Branch& b, std::vector<Edit> extra,
                                          const CommitOptions& options, bool unchanged_is_noop) {
  ARBOR_ASSIGN_OR_RETURN(ObjectId head_root, RootOf(b.head));
  ARBOR_ASSIGN_OR_RETURN(ObjectId root, ApplyStaged(head_root, b.staging_token, std::move(extra)));
  const bool catalog_changed = root != head_root;
  // With lakeFS, a commit without catalog changes may still carry data changes:
  // lakeFS decides, and refuses it when it has none either.
  if (!catalog_changed && !options.allow_empty && !lakefs_) {
    if (unchanged_is_noop) return CommitPtr();
    return Status::InvalidArgument("nothing to commit on branch " + Quote(b.name) +
                                   " (its changes leave the catalog as it was)");
  }
  Move move;
  move.parents = {b.head};
  move.author = options.author;
  move.message = options.message;
  move.metadata = options.metadata;
  move.new_token = true;
  move.op = versioning::Intent::OP_COMMIT;
  move.lakefs = LakeFsCommitStep(b.name, options.message, options.metadata,
                                 options.allow_empty || catalog_changed);
  auto commit = MoveBranch(b, root, std::move(move));
  if (!commit.ok() && !catalog_changed && lakefs_ &&
      commit.status().code() == StatusCode::kInvalidArgument) {
    if (unchanged_is_noop) return CommitPtr();
    return Status::InvalidArgument("nothing to commit on branch " + Quote(b.name) +
                                   ": neither the catalog nor the data changed (" +
                                   commit.status().message() + ")");
  }
  return commit;
}

Result<CommitPtr> Repository::Commit(std::string_view branch, const CommitOptions& options) {
  GcGate::Shared gc_gate(&gate_);  // before any branch or ref lock
  auto lock = BranchLock(branch);
  std::lock_guard<std::mutex> guard(*lock);
  ARBOR_ASSIGN_OR_RETURN(auto across, LockBranchAcrossProcesses(branch));
  ARBOR_ASSIGN_OR_RETURN(Branch b, BranchToMove(branch, options.expected_head, MoveKind::kCommit));
  ARBOR_ASSIGN_OR_RETURN(bool staged, HasStagedEdits(kv_, b.staging_token, {}));
  if (!staged && !options.allow_empty && !lakefs_) {
    return Status::InvalidArgument("nothing to commit on branch " + Quote(branch));
  }
  return CommitEdits(b, {}, options);
}

Result<CommitPtr> Repository::GetCommit(std::string_view expression) {
  ARBOR_ASSIGN_OR_RETURN(ResolvedRef ref, Resolve(expression));
  ARBOR_ASSIGN_OR_RETURN(CommitPtr c, commits_.Get(ref.commit));
  return Decorate(std::move(c));
}

Result<LogPage> Repository::Log(std::string_view expression, const LogOptions& options) {
  ARBOR_ASSIGN_OR_RETURN(ResolvedRef ref, Resolve(expression));
  ARBOR_ASSIGN_OR_RETURN(LogPage page, arbor::Log(&commits_, ref.commit, options));
  for (auto& c : page.commits) {
    ARBOR_ASSIGN_OR_RETURN(c, Decorate(std::move(c)));
  }
  return page;
}

Status Repository::Reset(std::string_view branch, std::optional<ObjectId> expected_head) {
  auto lock = BranchLock(branch);
  std::lock_guard<std::mutex> guard(*lock);
  ARBOR_ASSIGN_OR_RETURN(auto across, LockBranchAcrossProcesses(branch));
  ARBOR_ASSIGN_OR_RETURN(Branch b, BranchToMove(branch, expected_head, MoveKind::kReset));
  Branch reset = b;
  reset.staging_token = NewStagingToken();
  WriteBatch batch;
  RefStore::ExpectBranch(b, &batch);
  RefStore::PutBranch(reset, &batch);
  ARBOR_RETURN_IF_ERROR(kv_->Write(batch));
  DropStaging(b.staging_token);
  return Status::OK();
}

namespace {

Status NotWritable(const ResolvedRef& ref, std::string_view target) {
  return Status::ReadOnly("ref " + Quote(target) + " is a " +
                          (ref.kind == ResolvedRef::Kind::kTag ? "tag" : "commit") +
                          " and read-only; write to a branch");
}

Status ProtectedBranch(std::string_view branch) {
  return Status::ReadOnly("branch " + Quote(branch) + " is protected: only merges can change it");
}

// Runs a Mutate function, catching what it throws for the caller that owns it.
Result<std::vector<Edit>> RunFn(const std::function<Result<std::vector<Edit>>(const ReadView&)>& fn,
                                const ReadView& view, std::exception_ptr* exception) {
  try {
    return fn(view);
  } catch (...) {
    *exception = std::current_exception();
    return Status::Internal("the write function threw");
  }
}

}  // namespace

Result<MutationOutcome> Repository::Mutate(std::string_view target, const MutationOptions& options,
                                           const MutateFn& fn) {
  // Leader/follower group commit: whoever finds no leader running takes the queue
  // (itself included) and runs it; the others sleep until their outcome is set.
  GcGate::Shared gc_gate(&gate_);  // before any branch or ref lock
  std::shared_ptr<BranchState> state = StateOf(target);
  QueuedWrite write;
  write.options = &options;
  write.fn = &fn;
  bool lead = false;
  {
    std::unique_lock<std::mutex> queue_lock(state->queue_mu);
    state->queue.push_back(&write);
    state->queue_cv.wait(queue_lock, [&] { return write.done || !state->leading; });
    if (!write.done) lead = state->leading = true;
  }
  if (lead) {
    std::vector<QueuedWrite*> batch;
    {
      // Writers that arrive while the branch lock is awaited join this batch.
      std::lock_guard<std::mutex> branch_lock(state->mu);
      {
        std::lock_guard<std::mutex> queue_lock(state->queue_mu);
        batch.assign(state->queue.begin(), state->queue.end());
        state->queue.clear();
      }
      try {
        RunWriteBatch(std::string(target), batch);
      } catch (...) {
        // Followers must not wait forever on a leader that failed.
        for (QueuedWrite* w : batch)
          if (!w->exception) w->exception = std::current_exception();
      }
    }
    {
      std::lock_guard<std::mutex> queue_lock(state->queue_mu);
      for (QueuedWrite* w : batch)
        w->done = true;
      state->leading = false;
    }
    state->queue_cv.notify_all();
  }
  if (write.exception) std::rethrow_exception(write.exception);
  return std::move(write.outcome);
}

size_t Repository::BranchStateCount() {
  std::lock_guard<std::mutex> lock(locks_mu_);
  return branch_states_.size();
}

size_t Repository::QueuedWrites(std::string_view branch) {
  std::shared_ptr<BranchState> state;
  {
    std::lock_guard<std::mutex> lock(locks_mu_);
    auto it = branch_states_.find(std::string(branch));
    if (it != branch_states_.end()) state = it->second.lock();
  }
  if (!state) return 0;
  std::lock_guard<std::mutex> queue_lock(state->queue_mu);
  return state->queue.size();
}

namespace {

// The head of every staged-write batch: conditional on the branch record as read and
// on no intent, and bumping the record's counter, so that a commit that read the
// staged edits before this batch cannot retire them unseen.
void StageOnBranch(const Branch& b, WriteBatch* wb) {
  RefStore::ExpectBranch(b, wb);
  RefStore::ExpectNoIntent(b.name, wb);
  Branch next = b;
  ++next.staged_writes;
  RefStore::PutBranch(next, wb);
}

}  // namespace

void Repository::RunWriteBatch(const std::string& target, const std::vector<QueuedWrite*>& batch) {
  auto fail_all = [&](const Status& s) {
    for (QueuedWrite* w : batch)
      w->outcome = s;
  };
  // Other processes sharing the store (arbord instances) are held off for the
  // whole batch, so its functions' checks hold until its write.
  auto across = LockBranchAcrossProcesses(target);
  if (!across.ok()) return fail_all(across.status());
  // The branch record is read once for the whole batch, in the snapshot the
  // functions read: the branch lock keeps this process from moving it meanwhile, and
  // the batch's compare-and-set catches other processes.
  std::shared_ptr<Snapshot> snapshot = kv_->GetSnapshot();
  ReadOptions ro;
  ro.snapshot = snapshot.get();
  auto branch = refs_.GetBranch(target, ro);
  if (!branch.ok()) {
    if (!branch.status().IsNotFound()) return fail_all(branch.status());
    // Not a branch name: a tag, a commit, an expression, or nothing at all.
    auto ref = Resolve(target);
    if (!ref.ok()) return fail_all(ref.status());
    if (!ref->is_branch()) return fail_all(NotWritable(*ref, target));
    return fail_all(
        Status::Busy("branch " + Quote(target) + " appeared while being written; retry"));
  }
  const Branch& b = *branch;
  if (b.is_protected) return fail_all(ProtectedBranch(b.name));
  // Staged writes made while an intent waits would be dropped when it completes.
  if (Status s = CheckNoIntent(b.name); !s.ok()) return fail_all(s);
  // Auto mode with nothing staged: each write that changes the catalog is its own
  // commit on top of the previous one, in queue order, and one synced write moves
  // the branch past them all (the commits and their nodes go out unsynced first,
  // unreachable until that move).
  auto run_auto_batch = [&] {
    auto root = RootOf(b.head);
    if (!root.ok()) return fail_all(root.status());
    ResolvedRef ref;
    ref.kind = ResolvedRef::Kind::kBranch;
    ref.expression = target;
    ref.branch = b.name;
    ref.staging_token = b.staging_token;  // nothing is staged under it
    ref.is_protected = b.is_protected;
    ObjectId head = b.head;
    ObjectId tree = *root;
    // Writes whose outcome depends on the branch move: those that made a commit,
    // and those whose function saw an earlier write's commit.
    std::vector<QueuedWrite*> depends;
    for (QueuedWrite* w : batch) {
      const bool saw_commit = head != b.head;
      if (saw_commit) depends.push_back(w);
      ref.commit = head;
      const ReadView view(kv_, &tree_, snapshot, ref, tree);
      auto edits = RunFn(*w->fn, view, &w->exception);
      if (w->exception) continue;
      if (!edits.ok()) {
        w->outcome = edits.status();
        continue;
      }
      MutationOutcome outcome;
      outcome.edits = edits->size();
      // The commit's nodes and the commit object go out unsynced: they are
      // unreachable until the branch move below, whose synced write covers them.
      auto commit = [&]() -> Result<ObjectId> {
        WriteBatch nodes;
        ARBOR_ASSIGN_OR_RETURN(ObjectId next, tree_.Apply(tree, std::move(*edits), &nodes));
        // A DDL that changes nothing (an alter to the same values) makes no commit.
        if (next == tree) return next;
        const MutationOptions& o = *w->options;
        ARBOR_ASSIGN_OR_RETURN(
            CommitData data,
            MakeCommit(&commits_, next, {head}, o.author,
                       o.message.empty() ? "auto-commit" : o.message, clock_(), {}));
        CommitPtr c = commits_.Put(std::move(data), &nodes);
        ARBOR_RETURN_IF_ERROR(kv_->Write(nodes, Unsynced()));
        head = c->id;
        outcome.commit = c->id;
        return next;
      };
      if (outcome.edits == 0) {
        w->outcome = outcome;
        continue;
      }
      auto next = commit();
      if (!next.ok()) {
        w->outcome = next.status();
        continue;
      }
      tree = *next;
      w->outcome = outcome;
      if (!saw_commit && outcome.commit) depends.push_back(w);
    }
    if (head == b.head) return;
    WriteBatch move;
    Branch moved = b;
    moved.head = head;
    moved.staging_token = NewStagingToken();
    RefStore::ExpectBranch(b, &move);
    RefStore::PutBranch(moved, &move);
    Status s = kv_->Write(move);
    if (s.IsPreconditionFailed()) {
      s = Status::Busy("branch " + Quote(target) + " was moved by another writer; retry");
    }
    if (!s.ok()) {
      for (QueuedWrite* w : depends)
        w->outcome = s;
      return;
    }
    DropStaging(b.staging_token);
  };
  if (b.commit_mode == versioning::COMMIT_MODE_AUTO) {
    if (batch.size() > 1 && !lakefs_) {
      auto staged = HasStagedEdits(kv_, b.staging_token, ro);
      if (!staged.ok()) return fail_all(staged.status());
      if (!*staged) return run_auto_batch();
    }
    // Every write is its own commit, so each needs the head the previous one made.
    for (QueuedWrite* w : batch) {
      try {
        w->outcome = MutateLocked(target, *w->options, *w->fn);
      } catch (...) {
        w->exception = std::current_exception();
      }
    }
    return;
  }

  ResolvedRef ref;
  ref.kind = ResolvedRef::Kind::kBranch;
  ref.expression = target;
  ref.branch = b.name;
  ref.commit = b.head;
  ref.staging_token = b.staging_token;
  ref.is_protected = b.is_protected;
  auto root = RootOf(b.head);
  if (!root.ok()) return fail_all(root.status());
  const ReadView base(kv_, &tree_, std::move(snapshot), std::move(ref), *root);

  auto pending = std::make_shared<PendingEdits>();
  // Writes whose outcome depends on the batch being stored: those with edits, and
  // those whose function saw an earlier write's edits.
  std::vector<QueuedWrite*> depends;
  for (QueuedWrite* w : batch) {
    const bool saw_pending = !pending->empty();
    auto edits = RunFn(*w->fn, base.WithPending(pending), &w->exception);
    if (w->exception) continue;
    if (!edits.ok()) {
      w->outcome = edits.status();
      if (saw_pending) depends.push_back(w);
      continue;
    }
    MutationOutcome outcome;
    outcome.edits = edits->size();
    w->outcome = outcome;
    if (saw_pending || !edits->empty()) depends.push_back(w);
    for (auto& e : *edits)
      (*pending)[std::move(e.key)] = std::move(e.value);
  }
  if (pending->empty()) return;

  WriteBatch wb;
  StageOnBranch(b, &wb);
  for (auto& [key, value] : *pending)
    StageEdit(b.staging_token, Edit{key, std::move(value)}, &wb);
  Status s = kv_->Write(wb);
  if (s.IsPreconditionFailed()) {
    s = Status::Busy("branch " + Quote(target) + " was moved by another writer; retry");
  }
  if (!s.ok()) {
    for (QueuedWrite* w : depends)
      w->outcome = s;
  }
}

Result<MutationOutcome> Repository::MutateLocked(const std::string& target,
                                                 const MutationOptions& options,
                                                 const MutateFn& fn) {
  ARBOR_ASSIGN_OR_RETURN(ReadView view, OpenView(target));
  if (!view.ref().is_branch()) return NotWritable(view.ref(), target);
  ARBOR_ASSIGN_OR_RETURN(Branch b, refs_.GetBranch(view.ref().branch));
  if (b.staging_token != view.ref().staging_token || b.head != view.ref().commit) {
    return Status::Busy("branch " + Quote(target) + " moved while being read; retry");
  }
  if (b.is_protected) return ProtectedBranch(b.name);
  ARBOR_RETURN_IF_ERROR(CheckNoIntent(b.name));
  std::exception_ptr exception;
  auto fn_edits = RunFn(fn, view, &exception);
  if (exception) std::rethrow_exception(exception);
  ARBOR_ASSIGN_OR_RETURN(std::vector<Edit> edits, std::move(fn_edits));
  MutationOutcome outcome;
  outcome.edits = edits.size();
  if (edits.empty()) return outcome;

  if (b.commit_mode == versioning::COMMIT_MODE_AUTO) {
    CommitOptions co;
    co.author = options.author;
    co.message = options.message.empty() ? "auto-commit" : options.message;
    // A DDL that changes nothing (an alter to the same values) makes no commit.
    ARBOR_ASSIGN_OR_RETURN(CommitPtr c, CommitEdits(b, std::move(edits), co,
                                                    /*unchanged_is_noop=*/true));
    if (c) outcome.commit = c->id;
    return outcome;
  }
  WriteBatch batch;
  StageOnBranch(b, &batch);
  for (const auto& e : edits)
    StageEdit(b.staging_token, e, &batch);
  Status s = kv_->Write(batch);
  if (s.IsPreconditionFailed()) {
    return Status::Busy("branch " + Quote(target) + " was moved by another writer; retry");
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
    return Status::InvalidArgument(Quote(branch) +
                                   " is not a branch: only branches have uncommitted changes");
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
  GcGate::Shared gc_gate(&gate_);  // before any branch or ref lock
  auto lock = BranchLock(destination);
  std::lock_guard<std::mutex> guard(*lock);
  ARBOR_ASSIGN_OR_RETURN(auto across, LockBranchAcrossProcesses(destination));
  ARBOR_ASSIGN_OR_RETURN(Branch dest,
                         BranchToMove(destination, options.expected_head, MoveKind::kMerge));
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
  PageConflicts(std::move(merged.conflicts), options.conflicts_after, options.conflicts_limit,
                &out);
  if (blocked || options.dry_run) return out;

  WriteBatch nodes;
  ARBOR_ASSIGN_OR_RETURN(ObjectId root, tree_.Apply(ours, std::move(merged.edits), &nodes));
  ARBOR_RETURN_IF_ERROR(kv_->Write(nodes, Unsynced()));
  std::string message = options.message;
  if (message.empty()) message = "Merge " + Quote(source) + " into " + Quote(destination);
  std::map<std::string, std::string> metadata = options.metadata;
  metadata["arbor.merge.strategy"] = std::string(MergeStrategyName(options.strategy));
  Move move;
  move.parents = {dest.head, src.commit};
  move.author = options.author;
  move.message = message;
  move.metadata = metadata;
  move.op = versioning::Intent::OP_MERGE;
  if (lakefs_) {
    // The data side merges the source's paired data version with the same strategy.
    ARBOR_ASSIGN_OR_RETURN(std::string lakefs_source, LakeFsRefFor(src));
    if (src.is_branch()) {
      ARBOR_ASSIGN_OR_RETURN(auto link, refs_.GetLink(src.commit));
      if (link) lakefs_source = *link;
    }
    std::string strategy = options.strategy == MergeStrategy::kFail
                               ? ""
                               : std::string(MergeStrategyName(options.strategy));
    move.lakefs = [this, lakefs_source, destination = dest.name, message, metadata,
                   strategy](const CommitData& prepared) -> Result<std::string> {
      auto meta = metadata;
      meta[kArborCommitKey] = prepared.id.ToHex();
      return lakefs_->Merge(lakefs_source, destination, message, meta, strategy,
                            /*allow_empty=*/true);
    };
  }
  auto c = MoveBranch(dest, root, std::move(move));
  if (!c.ok() && c.status().code() == StatusCode::kConflict) {
    out.lakefs_conflict = c.status().message();  // data conflicts: nothing was written
    return out;
  }
  ARBOR_RETURN_IF_ERROR(c.status());
  out.merged = true;
  out.commit = *c;
  return out;
}

Result<MergeOutcome> Repository::Revert(std::string_view branch, std::string_view commit,
                                        const RevertOptions& options) {
  GcGate::Shared gc_gate(&gate_);  // before any branch or ref lock
  auto lock = BranchLock(branch);
  std::lock_guard<std::mutex> guard(*lock);
  ARBOR_ASSIGN_OR_RETURN(auto across, LockBranchAcrossProcesses(branch));
  ARBOR_ASSIGN_OR_RETURN(Branch b, BranchToMove(branch, options.expected_head, MoveKind::kRevert));
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
  Move move;
  move.parents = {b.head};
  move.author = options.author;
  move.message = message;
  move.metadata = {{"arbor.revert", c->id.ToHex()}};
  move.op = versioning::Intent::OP_REVERT;
  // lakeFS pairs the revert with a (possibly empty) data commit: Arbor reverts the
  // catalog; reverting data is lakeFS's own operation.
  move.lakefs = LakeFsCommitStep(b.name, message, move.metadata, /*allow_empty=*/true);
  ARBOR_ASSIGN_OR_RETURN(CommitPtr rc, MoveBranch(b, root, std::move(move)));
  out.merged = true;
  out.commit = rc;
  return out;
}

Status Repository::CollectStagingGarbage() {
  // Branches and staging are read in one snapshot: a staged write commits together
  // with a check of its branch record, so every token the snapshot's staging holds
  // was live when written, and is garbage only if no branch of the same snapshot
  // holds it. Other processes sharing the store may create branches meanwhile;
  // their tokens are simply not in this snapshot.
  std::shared_ptr<Snapshot> snapshot = kv_->GetSnapshot();
  ReadOptions ro;
  ro.snapshot = snapshot.get();
  ARBOR_ASSIGN_OR_RETURN(std::vector<Branch> branches, refs_.ListBranches(ro));
  std::set<std::string> live;
  for (const auto& b : branches)
    live.insert(b.staging_token);
  auto it = kv_->NewIterator(Column::kStaging, ro);
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

Result<GcReport> Repository::CollectGarbage(const GcOptions& options) {
  std::unique_lock<std::mutex> one_at_a_time(gc_run_mu_, std::try_to_lock);
  if (!one_at_a_time.owns_lock()) return Status::Busy("garbage collection is already running");
  // The gate that keeps a sweep from deleting what a writer is linking holds only
  // this process's writers; other instances on the same store would race it.
  if (kv_->SharedAcrossProcesses()) {
    return Status::InvalidRequest(
        "garbage collection runs only on the embedded RocksDB store: on a store shared by "
        "several instances, writers in other instances are not held off a sweep");
  }
  int64_t start = SystemMicros();
  GcReport report;
  report.dry_run = options.dry_run;
  GarbageCollector gc(kv_, &objects_);

  // Phase 1, concurrent with every writer: mark in snapshot S1, list what is unmarked.
  std::vector<GarbageCollector::Candidate> candidates;
  std::vector<std::string> expired;
  {
    std::unique_ptr<Snapshot> s1 = kv_->GetSnapshot();
    ReadOptions ro;
    ro.snapshot = s1.get();
    ro.fill_cache = false;
    ARBOR_ASSIGN_OR_RETURN(auto roots, gc.Roots(ro, clock_(), options.grace_micros, &expired));
    ARBOR_RETURN_IF_ERROR(gc.Mark(roots, ro));
    ARBOR_ASSIGN_OR_RETURN(candidates, gc.Unmarked(ro, &report.objects_scanned));
  }
  report.mark_micros = SystemMicros() - start;

  if (!options.dry_run) {
    // Phase 2, with no reference-creating operation in flight: mark what changed
    // since S1, then delete what is still unreachable.
    int64_t paused = SystemMicros();
    GcGate::Exclusive exclusive(&gate_);
    std::unique_ptr<Snapshot> s2 = kv_->GetSnapshot();
    ReadOptions ro;
    ro.snapshot = s2.get();
    ro.fill_cache = false;
    expired.clear();
    ARBOR_ASSIGN_OR_RETURN(auto roots, gc.Roots(ro, clock_(), options.grace_micros, &expired));
    ARBOR_RETURN_IF_ERROR(gc.Mark(roots, ro));
    gc.DropMarked(&candidates);
    ARBOR_RETURN_IF_ERROR(gc.Sweep(candidates, expired));
    report.pause_micros = SystemMicros() - paused;
  }
  report.objects_live = gc.marked_count();
  report.objects_freed = candidates.size();
  for (const auto& c : candidates)
    report.bytes_freed += c.bytes;
  report.deleted_refs_expired = expired.size();
  if (!options.dry_run && options.compact && !candidates.empty()) {
    ARBOR_RETURN_IF_ERROR(kv_->Compact(Column::kObjects));
  }
  report.total_micros = SystemMicros() - start;
  return report;
}

}  // namespace arbor

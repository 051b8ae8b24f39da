// Repository: the versioned catalog — refs, commits, staging, diff and merge — over
// one KvStore. This is the API the Thrift front end and the admin API call.
//
// Contract:
//  * Reads resolve a ref and pin one storage snapshot (ReadView); they take no lock.
//  * Every mutation of a branch (staged writes with their existence checks, commit,
//    merge into it, reset, revert) runs under that branch's lock, and moves the
//    branch record only by compare-and-set on the record it read, so even several
//    processes sharing one store cannot lose an update.
//  * Staged writes to one branch are group-committed: concurrent Mutate calls queue,
//    and one of them (the leader) runs the queued functions in arrival order, each
//    against a view that includes the edits of those before it, and stores all their
//    edits in one synced batch. No call returns before the batch holding its edits
//    is durable; a failing function drops only its own edits.
//  * A mutation that moves a branch accepts `expected_head`; a mismatch is
//    PreconditionFailed and writes nothing.
//  * Tags, commits and `~N`/`^N` expressions are read-only: writes to them are
//    ReadOnly errors naming the ref. A protected branch refuses staged writes,
//    commits and reverts; only merges move it.
//  * New tree nodes are written unsynced before the synced batch that links them,
//    so a crash leaves either the old state or the new, never a mix.
//  * Garbage collection deletes only objects unreachable from every ref (deleted refs
//    count for a grace period); operations that create references hold the GC gate
//    shared, and the sweep runs with it held exclusively (garbage_collector.h).
//  * With lakeFS (RepositoryOptions::lakefs), branch create, commit, merge and
//    revert act on both systems. Each catalog commit is paired with a lakeFS commit
//    (link table), and the lakeFS commit's metadata names the catalog commit
//    (`arbor.commit`). Between the lakeFS call and the batch that completes it, a
//    durable intent blocks the branch; ResolveIntents() finishes or drops intents
//    left by a crash by looking for `arbor.commit` in the branch's lakeFS log.
#pragma once

#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "storage/kv_store.h"
#include "storage/node_store.h"
#include "storage/object_store.h"
#include "storage/prolly_tree.h"
#include "versioning/catalog_diff.h"
#include "versioning/commit_graph.h"
#include "versioning/commit_store.h"
#include "versioning/garbage_collector.h"
#include "versioning/gc_gate.h"
#include "versioning/lakefs_api.h"
#include "versioning/read_view.h"
#include "versioning/ref_store.h"
#include "versioning/three_way_merge.h"

namespace arbor {

struct RepositoryOptions {
  std::string default_branch = "main";
  // Entries of the first commit of a new repository (the `default` database).
  std::vector<Edit> initial_entries;
  // Shapes root ids: used when the repository is created, then read back from it.
  TreeOptions tree;
  size_t node_cache_bytes = 256 << 20;
  size_t commit_cache_bytes = 32 << 20;
  // A commit applies its staged edits this many at a time, so its memory stays
  // bounded however much is staged.
  size_t commit_chunk_edits = 50000;
  // Microseconds since the epoch; replaceable for tests.
  std::function<int64_t()> clock;
  // When set, catalog versions are coupled with this lakeFS repository's.
  LakeFsApi* lakefs = nullptr;
  // The lakeFS repository's name. A repository that was ever coupled records it,
  // and refuses to open without lakeFS or with another lakeFS repository.
  std::string lakefs_repository;
  // How long an intent whose lakeFS call got no answer stays pending before it may
  // be dropped: lakeFS may still be applying the request it never answered.
  int64_t intent_grace_micros = 120'000'000;
};

// Metadata key, on lakeFS commits, that names the paired catalog commit.
inline constexpr const char* kArborCommitKey = "arbor.commit";

struct CommitOptions {
  std::string author;
  std::string message;
  std::map<std::string, std::string> metadata;
  bool allow_empty = false;
  std::optional<ObjectId> expected_head;
};

struct MutationOptions {
  std::string author;
  std::string message;  // the commit message when the branch is in auto mode
};

struct MutationOutcome {
  size_t edits = 0;
  std::optional<ObjectId> commit;  // set when the branch is in auto mode
};

struct MergeOptions {
  MergeStrategy strategy = MergeStrategy::kFail;
  std::string author;
  std::string message;  // empty: "Merge '<source>' into '<destination>'"
  std::map<std::string, std::string> metadata;
  bool dry_run = false;
  std::optional<ObjectId> expected_head;
  // Pagination of the conflict list.
  std::string conflicts_after;
  size_t conflicts_limit = 1000;
};

struct MergeOutcome {
  bool nothing_to_merge = false;
  bool merged = false;  // a merge commit was written
  std::optional<CommitPtr> commit;
  std::optional<ObjectId> base;          // the merge base, if the histories meet
  ObjectId source;                       // the source commit
  ObjectId destination_head;             // the destination head the merge started from
  size_t changes = 0;                    // entries that differ from the destination's tree
  size_t conflict_count = 0;             // all conflicts, across pages
  std::vector<MergeConflict> conflicts;  // this page
  bool conflicts_has_more = false;
  // Set when the catalog merged cleanly but lakeFS reported conflicting data:
  // nothing was written in either system.
  std::string lakefs_conflict;
};

struct RevertOptions {
  int parent = 0;  // for a merge commit, the 1-based parent to revert against
  std::string author;
  std::string message;
  std::optional<ObjectId> expected_head;
};

class Repository {
 public:
  // Opens the repository in `kv`, creating it (branch `default_branch`, one commit
  // holding `initial_entries`) if the store is empty.
  static Result<std::unique_ptr<Repository>> Open(KvStore* kv, RepositoryOptions options);

  const std::string& default_branch() const { return default_branch_; }
  KvStore* kv() const { return kv_; }
  NodeStore* nodes() { return &nodes_; }
  const ProllyTree& tree() const { return tree_; }
  CommitStore* commits() { return &commits_; }
  const RefStore& refs() const { return refs_; }
  int64_t Now() const { return clock_(); }

  // Ref expressions: a branch, a tag, or a commit id / unique prefix (>= 8 hex
  // digits), each optionally followed by `~N` and `^N` steps.
  Result<ResolvedRef> Resolve(std::string_view expression);
  // A consistent read of the catalog at `expression`.
  Result<ReadView> OpenView(std::string_view expression);

  // Branches.
  Result<Branch> CreateBranch(std::string_view name, std::string_view source);
  Status DeleteBranch(std::string_view name);
  Result<Branch> GetBranch(std::string_view name);
  Result<std::vector<Branch>> ListBranches();
  Result<Branch> SetProtected(std::string_view name, bool is_protected);
  Result<Branch> SetCommitMode(std::string_view name, versioning::CommitMode mode);

  // Tags.
  Result<Tag> CreateTag(std::string_view name, std::string_view target);
  Status DeleteTag(std::string_view name);
  Result<Tag> GetTag(std::string_view name);
  Result<std::vector<Tag>> ListTags();

  // Commits and history.
  Result<CommitPtr> Commit(std::string_view branch, const CommitOptions& options);
  Result<CommitPtr> GetCommit(std::string_view expression);
  Result<LogPage> Log(std::string_view expression, const LogOptions& options);
  // Drops the branch's uncommitted changes.
  Status Reset(std::string_view branch, std::optional<ObjectId> expected_head = std::nullopt);
  // A new commit on `branch` that undoes `commit`. Conflicts come back in the outcome.
  Result<MergeOutcome> Revert(std::string_view branch, std::string_view commit,
                              const RevertOptions& options);

  // Runs `fn` against a view of `target` under the branch's lock and stages the
  // edits it returns (or commits them, in auto mode). `fn` does the existence
  // checks, so check and write are atomic. ReadOnly if `target` is not a writable
  // branch. `fn` may run on another caller's thread (the group commit's leader);
  // an exception it throws reaches this caller.
  Result<MutationOutcome> Mutate(
      std::string_view target, const MutationOptions& options,
      const std::function<Result<std::vector<Edit>>(const ReadView&)>& fn);

  // How many Mutate calls to `branch` are queued behind the running batch (for
  // metrics and tests).
  size_t QueuedWrites(std::string_view branch);
  // How many branch names have lock/queue state in memory (for tests): only those
  // an operation is using right now.
  size_t BranchStateCount();

  // Diff and merge.
  Result<DiffPage> Diff(std::string_view left, std::string_view right,
                        const DiffPageOptions& options);
  Result<DiffPage> DiffUncommitted(std::string_view branch, const DiffPageOptions& options);
  Result<MergeOutcome> Merge(std::string_view source, std::string_view destination,
                             const MergeOptions& options);

  // Deletes the objects no ref reaches, online (see versioning/garbage_collector.h for
  // the roots and the invariant that makes it safe with concurrent writers). Busy if a
  // collection is already running.
  Result<GcReport> CollectGarbage(const GcOptions& options);

  // Deletes staging ranges no branch points at (left behind by a crash between a
  // commit and its clean-up). Run at start-up.
  Status CollectStagingGarbage();

  // lakeFS coupling. The lakeFS commit paired with a catalog commit, if any.
  Result<std::optional<std::string>> LakeFsCommitOf(const ObjectId& commit);
  // The lakeFS ref whose data a read of `ref` sees: the branch name for a branch,
  // else the lakeFS commit paired with the commit or its nearest paired ancestor.
  Result<std::string> LakeFsRefFor(const ResolvedRef& ref);
  // Completes or drops every pending intent whose operation is not running in this
  // process. Run at start-up and periodically. Returns how many remain pending.
  Result<size_t> ResolveIntents();
  bool lakefs_enabled() const { return lakefs_ != nullptr; }

 private:
  Repository(KvStore* kv, RepositoryOptions options, TreeOptions tree_options);

  Status Initialize();
  using MutateFn = std::function<Result<std::vector<Edit>>(const ReadView&)>;
  // One Mutate call waiting in its branch's write queue.
  struct QueuedWrite {
    const MutationOptions* options = nullptr;
    const MutateFn* fn = nullptr;
    Result<MutationOutcome> outcome = Status::Internal("write was not run");
    std::exception_ptr exception;
    bool done = false;  // guarded by BranchState::queue_mu
  };
  // Per branch: the lock every mutation holds, and the group-commit queue. Exists
  // while an operation holds it (StateOf), so two operations on one branch at the
  // same time share it.
  struct BranchState {
    std::mutex mu;
    std::mutex queue_mu;
    std::condition_variable queue_cv;
    std::deque<QueuedWrite*> queue;
    bool leading = false;  // a leader is running a batch
  };
  std::shared_ptr<BranchState> StateOf(std::string_view branch);
  std::shared_ptr<std::mutex> BranchLock(std::string_view branch);
  // The branch's lock among processes sharing the store, taken after BranchLock's
  // mutex (so always in the same order); a no-op on an embedded store.
  Result<std::unique_ptr<ProcessLock>> LockBranchAcrossProcesses(std::string_view branch);
  // Runs a batch of queued writes to `target` (the caller holds the branch lock):
  // sets every write's outcome or exception.
  void RunWriteBatch(const std::string& target, const std::vector<QueuedWrite*>& batch);
  // One write, on its own (auto mode: each write is its own commit).
  Result<MutationOutcome> MutateLocked(const std::string& target, const MutationOptions& options,
                                       const MutateFn& fn);
  Result<ResolvedRef> ResolveAt(std::string_view expression, const ReadOptions& ro);
  Result<ObjectId> RootOf(const ObjectId& commit);
  // Applies the edits staged under `token` and then `extra` to `root`, in bounded
  // chunks; writes the new nodes unsynced and returns the new root.
  Result<ObjectId> ApplyStaged(const ObjectId& root, const std::string& token,
                               std::vector<Edit> extra);
  // Applies the branch's staged edits then `extra` to its head, writes a commit and
  // moves the branch, all conditional on the branch record `b`. When the tree comes
  // out unchanged and empty commits are not allowed, it fails, or with
  // `unchanged_is_noop` returns a null commit and moves nothing.
  Result<CommitPtr> CommitEdits(const Branch& b, std::vector<Edit> extra,
                                const CommitOptions& options, bool unchanged_is_noop = false);
  // The lakeFS call of a coupled operation: given the prepared catalog commit, runs
  // the lakeFS side and returns the lakeFS commit id to pair it with.
  using LakeFsStep = std::function<Result<std::string>(const CommitData& prepared)>;
  struct Move {
    std::vector<ObjectId> parents;
    std::string author;
    std::string message;
    std::map<std::string, std::string> metadata;
    bool new_token = false;  // a commit retires the staging token; a merge keeps it
    versioning::Intent::Op op = versioning::Intent::OP_COMMIT;
    LakeFsStep lakefs;  // null without lakeFS
  };
  // Writes a commit of `root` and moves branch `b` to it, all conditional on the
  // branch record `b`. With lakeFS, runs move.lakefs between a durable intent and
  // the batch that completes it.
  Result<CommitPtr> MoveBranch(const Branch& b, const ObjectId& root, Move move);
  // Finishes an intent: moves the branch to its commit and records the pairing.
  Result<CommitPtr> CompleteIntent(const Branch& b, const versioning::Intent& intent,
                                   const std::string& lakefs_commit);
  // Resolves the branch's intent against lakeFS (caller holds the branch lock).
  // Sets *completed when the commit was found and the branch moved. When lakeFS has
  // no such commit, the intent is dropped only if `may_drop` and it is older than
  // the grace period; otherwise it stays pending.
  Status ResolveIntentLocked(const std::string& branch, bool may_drop, bool* completed);
  Status CheckNoIntent(const std::string& branch);
  // The branch an operation of `kind` may move (the caller holds its lock): a
  // branch, not a tag or commit; unprotected unless merging; at expected_head; with
  // no pending intent; and clean for merges and reverts.
  enum class MoveKind { kCommit, kMerge, kRevert, kReset };
  Result<Branch> BranchToMove(std::string_view name, const std::optional<ObjectId>& expected_head,
                              MoveKind kind);
  // A copy of the commit carrying its lakeFS pairing.
  Result<CommitPtr> Decorate(CommitPtr commit);
  // The lakeFS side of a Commit/auto-commit of branch `b`.
  LakeFsStep LakeFsCommitStep(const std::string& branch, std::string message,
                              std::map<std::string, std::string> metadata, bool allow_empty);
  void DropStaging(const std::string& token);
  Status CheckExpectedHead(const Branch& b, const std::optional<ObjectId>& expected) const;
  Result<Branch> UpdateBranchFlags(std::string_view name,
                                   const std::function<void(Branch*)>& update);
  Status CheckRefNameFree(std::string_view name);

  KvStore* kv_;
  std::string default_branch_;
  std::vector<Edit> initial_entries_;
  std::function<int64_t()> clock_;
  ObjectStore objects_;
  NodeStore nodes_;
  ProllyTree tree_;
  CommitStore commits_;
  RefStore refs_;

  // Live only while some operation holds the state: StateOf's deleter erases the
  // entry when the last holder releases it.
  std::mutex locks_mu_;
  std::unordered_map<std::string, std::weak_ptr<BranchState>> branch_states_;
  std::mutex refs_mu_;  // serializes ref creation and deletion
  LakeFsApi* lakefs_;
  std::mutex in_flight_mu_;
  std::set<std::string> in_flight_;  // branches whose lakeFS call is running now
  std::string lakefs_repository_;
  int64_t intent_grace_micros_;
  size_t commit_chunk_edits_;
  // Operations that create references hold it shared; the sweep holds it exclusively.
  GcGate gate_;
  std::mutex gc_run_mu_;  // one collection at a time
};

}  // namespace arbor

// GarbageCollector: finds the objects no ref reaches and deletes them, online.
//
// Live objects are those reachable from the roots: every branch head, every tag,
// the prepared commit of every pending lakeFS intent, and the commit of every branch
// or tag deleted less than `grace` ago (RefStore's deleted-ref records). From a
// commit, its parents (the full history) and its tree are live; from a tree node, its
// children and blobs. Staging areas hold catalog values inline, never object ids, so
// they need no marking.
//
// Invariant that makes collection safe while commits, merges, staged writes and
// lakeFS operations run (Repository::CollectGarbage drives the phases):
//  1. Mark from the roots in a snapshot S1, without blocking anyone; the candidates
//     are the objects stored in S1 and not marked.
//  2. Take the GcGate exclusively: no operation that creates references (it holds
//     the gate shared from reading its base to writing its batch) is in flight, so
//     every object any operation may still point at is reachable from a root in a
//     new snapshot S2. Mark again from S2's roots (only what changed since S1 is
//     new), drop every candidate now marked, and delete the rest.
//  3. Release the gate. An operation that now re-creates a swept object (ids are
//     content hashes) writes it again, since it starts after the delete.
// Objects written after S1 are never candidates, so a sweep deletes only objects that
// existed at the first mark and were unreachable at both. A deleted ref's history
// stays for the grace period, so it can be restored from its commit id and readers
// still on it are not cut off. A reachable object that is missing aborts the run
// before anything is deleted.
//
// Memory: the marked set holds every live object's id (~100 bytes each), and the
// candidates one entry per unreachable object.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

#include "storage/kv_store.h"
#include "storage/object_store.h"
#include "versioning/ref_store.h"

namespace arbor {

struct GcOptions {
  // An object becomes a candidate only after every ref that reached it has been gone
  // this long (deleted refs stay roots for this long).
  int64_t grace_micros = 3600LL * 1000 * 1000;
  // Report what would be freed; delete nothing.
  bool dry_run = false;
  // After a sweep that freed something, compact the objects column so the space
  // returns to the file system now rather than at RocksDB's next compaction.
  bool compact = true;
};

struct GcReport {
  bool dry_run = false;
  uint64_t objects_scanned = 0;       // objects stored at the first mark
  uint64_t objects_live = 0;          // reachable from a root
  uint64_t objects_freed = 0;         // deleted (dry run: would be)
  uint64_t bytes_freed = 0;           // their stored bytes (keys and values)
  uint64_t deleted_refs_expired = 0;  // deleted-ref records past the grace period
  int64_t mark_micros = 0;            // first mark, concurrent with writers
  int64_t pause_micros = 0;           // gate held: second mark and sweep
  int64_t total_micros = 0;
};

class GarbageCollector {
 public:
  GarbageCollector(KvStore* kv, ObjectStore* objects) : kv_(kv), objects_(objects), refs_(kv) {}

  // Root commits as of `ro`'s snapshot at time `now_micros`; the keys of deleted-ref
  // records past the grace period go to `expired`.
  Result<std::vector<ObjectId>> Roots(const ReadOptions& ro, int64_t now_micros,
                                      int64_t grace_micros, std::vector<std::string>* expired);
  // Adds to `marked` everything reachable from `roots` in `ro`'s snapshot, not
  // descending below objects already marked. Corruption if a reachable object is
  // missing or unreadable.
  Status Mark(const std::vector<ObjectId>& roots, const ReadOptions& ro);

  struct Candidate {
    ObjectId id;
    uint32_t bytes = 0;
    ObjectType type = ObjectType::kTreeNode;
  };
  // Every stored object in `ro`'s snapshot that is not marked.
  Result<std::vector<Candidate>> Unmarked(const ReadOptions& ro, uint64_t* scanned);
  // Drops candidates marked since they were listed.
  void DropMarked(std::vector<Candidate>* candidates) const;
  // Deletes the candidates (and the lakeFS links of swept commits) and the expired
  // deleted-ref records, in bounded batches.
  Status Sweep(const std::vector<Candidate>& candidates, const std::vector<std::string>& expired);

  size_t marked_count() const { return marked_.size(); }

 private:
  KvStore* kv_;
  ObjectStore* objects_;
  RefStore refs_;
  std::unordered_set<ObjectId, ObjectIdHash> marked_;
};

}  // namespace arbor

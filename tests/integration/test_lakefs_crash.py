"""lakeFS coupling under crashes: kill -9 arbord at each step of commit and merge.

docs/lakefs.md#durable-intents: before the lakeFS call arbord records an intent; it then calls
lakeFS and finally commits and removes the intent in one batch; at start-up a
pending intent is completed if lakeFS shows the commit, else dropped. After any
crash and restart:
  * every catalog commit after the root references an existing lakeFS commit
    whose metadata `arbor.commit` names it back;
  * no acknowledged change is lost: every commit/merge that returned success is
    in the history, and every Thrift write acknowledged before a successful
    commit is visible in it (and a write acknowledged before an unfinished
    commit is still on the branch, committed or staged);
  * the branch accepts writes again.

Deterministic crash points first, then a seeded random loop (ARBOR_CRASH_SEED,
ARBOR_CRASH_ITERATIONS; the seed is printed, and named in any failure).
Helpers come from test_lakefs.py.
"""

import os
import random
import sys
import threading
import time

import test_lakefs as lk
from harness import hms, main, make_table

REPO = lk.REPO


class Request:
    """An admin API request run in a background thread (the server may die under it)."""

    def __init__(self, port, method, path, body):
        self.status = self.body = self.error = None
        self.thread = threading.Thread(target=self._run, args=(port, method, path, body), daemon=True)
        self.thread.start()

    def _run(self, port, method, path, body):
        try:
            self.status, self.body = lk.http_call(port, method, path, body, timeout=60)
        except Exception as e:  # killed server: connection reset / refused
            self.error = e

    def join(self, timeout=30):
        self.thread.join(timeout)
        return self

    def succeeded(self):
        return self.status in (200, 201) and isinstance(self.body, dict)


class CrashTestCase(lk.LakeFsTestCase):
    # A long lakeFS timeout: crashes, not time-outs, are under test here. An intent
    # whose lakeFS call may still be running stays pending for --intent-grace
    # seconds (longer than any hang below) before the resolver may drop it.
    GRACE = 3
    arbord_extra = ["--lakefs-timeout", "20", "--intent-resolve-interval", "1",
                    "--intent-grace", str(GRACE)]

    def restart(self):
        self.arbord.start()
        for c in self._clients:
            try:
                c.close()
            except Exception:
                pass
        self._clients = []
        self.wait_settled()

    def wait_settled(self):
        """Waits until no branch has a lakeFS operation awaiting resolution."""
        deadline = time.time() + self.GRACE + 10
        while True:
            status, body = self.api("GET", "/api/v1/branches")
            pending = [b["name"] for b in body.get("branches", [])
                       if b.get("pending_lakefs_operation")]
            if status == 200 and not pending:
                return
            if time.time() > deadline:
                self.fail("intents still pending after %d s: %s" % (self.GRACE + 10, pending))
            time.sleep(0.2)

    def wait_fired(self, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if any(f["fired"] for f in self.emu.faults()):
                return True
            time.sleep(0.01)
        return False

    def wait_call(self, op, since, timeout=15):
        """Waits until the emulator has finished handling one `op` call after `since`."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            calls = self.emu.calls(op=op, since=since)
            if calls:
                return calls[0]
            time.sleep(0.02)
        self.fail("lakeFS never finished the %s call" % op)

    def prepare(self, op, table):
        """Stages a Thrift write (and a data change) on dev; for a merge, commits it first.

        Returns (client, the branch the operation moves, the request path and body)."""
        c = self.client()
        try:
            c.create_database(lk.database("sales@dev"))
        except hms.AlreadyExistsException:
            pass
        c.create_table(make_table("sales@dev", table))
        self.emu.write_object(REPO, "dev", "warehouse/%s/0.parquet" % table, table.encode())
        if op == "commit":
            return c, "dev", "/api/v1/branches/dev/commits", {"message": "commit " + table}
        self.assertLinked(self.commit("dev", "dev " + table))
        return c, "main", "/api/v1/branches/main/merge", {"source": "dev"}

    def check_invariants(self, *branches):
        self.assertAllLinked(*branches)


# --------------------------------------------------------------------------- deterministic


class CrashAtEachStepTest(CrashTestCase):
    """kill -9 at each step of a commit and of a merge, then restart and check."""

    def crash(self, op, step):
        self.start_arbord()
        self.create_branch("dev")
        c, branch, path, body = self.prepare(op, "t1")
        old_head, old_lakefs = self.head(branch), self.lakefs_head(branch)
        seq = self.last_seq()
        if step == "lakefs_never_applies":
            self.emu.inject_fault(op, "hang", seconds=0.5, then="drop_before_apply")
        elif step in ("during_lakefs_call", "after_lakefs_apply"):
            self.emu.inject_fault(op, "hang", seconds=0.5, then="respond")
        req = Request(self.arbord.http_port, "POST", path, body)
        if step == "after_catalog_commit":
            req.join()
            self.assertTrue(req.succeeded(), (req.status, req.body))
        else:
            self.assertTrue(self.wait_fired(), "lakeFS never saw the %s" % op)
            if step == "after_lakefs_apply":
                # Freeze arbord while lakeFS applies and answers, then kill it: the
                # crash falls between the lakeFS apply and the catalog batch.
                self.arbord.sigstop()
                self.wait_call(op, seq)
        self.arbord.kill9()
        req.join()
        applied = None
        if step != "after_catalog_commit":
            call = self.wait_call(op, seq)  # lakeFS finishes what it was asked
            applied = (call.get("applied_status") or call.get("status")) in (200, 201)
        self.restart()

        log = self.log(branch)
        if step == "after_catalog_commit" or applied:
            self.assertNotEqual(log[0]["id"], old_head, "%s at %s: the catalog side was lost" % (op, step))
            lc = self.assertLinked(log[0])
            self.assertEqual(self.lakefs_head(branch), lc["id"])
            if req.succeeded():
                self.assertEqual(req.body["commit"]["id"], log[0]["id"])
            self.assertIn("t1", c_tables(self, "sales@" + log[0]["id"]))
        else:
            self.assertEqual(log[0]["id"], old_head, "%s at %s: catalog moved without lakeFS" % (op, step))
            self.assertEqual(self.lakefs_head(branch), old_lakefs)
        self.assertIn("t1", c_tables(self, "sales@dev"))
        self.check_invariants("main", "dev")
        self.assertNoOrphanLakeFsCommits("main", "dev")
        # The branch accepts writes and coupled operations again.
        c = self.client()
        c.create_table(make_table("sales@dev", "t2"))
        self.assertLinked(self.commit("dev", "after restart"))
        self.assertLinked(self.merge("dev", "main"))
        self.assertEqual(sorted(c_tables(self, "sales@main")), ["t1", "t2"])
        self.check_invariants("main", "dev")

    def test_commit_crash_while_lakefs_never_applies(self):
        self.crash("commit", "lakefs_never_applies")

    def test_commit_crash_during_lakefs_call(self):
        self.crash("commit", "during_lakefs_call")

    def test_commit_crash_after_lakefs_apply_before_catalog(self):
        self.crash("commit", "after_lakefs_apply")

    def test_commit_crash_after_catalog_commit(self):
        self.crash("commit", "after_catalog_commit")

    def test_merge_crash_while_lakefs_never_applies(self):
        self.crash("merge", "lakefs_never_applies")

    def test_merge_crash_during_lakefs_call(self):
        self.crash("merge", "during_lakefs_call")

    def test_merge_crash_after_lakefs_apply_before_catalog(self):
        self.crash("merge", "after_lakefs_apply")

    def test_merge_crash_after_catalog_commit(self):
        self.crash("merge", "after_catalog_commit")

    def test_restart_while_lakefs_still_applies_leaves_no_orphan(self):
        """The dead server's lakeFS request is applied only after the restarted server
        resolved the intent: the commit must not be dropped on one side only."""
        for op in ("commit", "merge"):
            with self.subTest(op=op):
                self.emu.reset()
                if self.arbord is not None:
                    self.arbord.cleanup()
                self.start_arbord()
                self.create_branch("dev")
                _, branch, path, body = self.prepare(op, "t1")
                seq = self.last_seq()
                self.emu.inject_fault(op, "hang", seconds=1.5, then="respond")
                req = Request(self.arbord.http_port, "POST", path, body)
                self.assertTrue(self.wait_fired())
                self.arbord.kill9()
                req.join()
                self.restart()  # start-up resolution runs while lakeFS is still working
                self.wait_call(op, seq)
                time.sleep(2.5)  # periodic resolver (every 1 s)
                self.check_invariants("main", "dev")
                self.assertNoOrphanLakeFsCommits("main", "dev")

    def test_crash_during_branch_creation(self):
        """lakeFS creates the branch, arbord dies before its catalog write: creating the
        branch again must work."""
        self.start_arbord()
        seq = self.last_seq()
        self.emu.inject_fault("create_branch", "hang", seconds=0.5, then="respond")
        req = Request(self.arbord.http_port, "POST", "/api/v1/branches", {"name": "dev", "source": "main"})
        self.assertTrue(self.wait_fired())
        self.arbord.kill9()
        req.join()
        self.wait_call("create_branch", seq)
        self.restart()
        self.assertEqual(self.api("GET", "/api/v1/branches/dev")[0], 404)
        status, body = self.api("POST", "/api/v1/branches", {"name": "dev", "source": "main"})
        self.assertEqual(status, 201, "creating the branch after the crash fails: %s" % body)
        self.assertEqual(self.lakefs_head("dev"), self.lakefs_head("main"))


def c_tables(case, db):
    c = case.client()
    return c.get_all_tables(db)


# --------------------------------------------------------------------------- random


class RandomCrashPointsTest(CrashTestCase):
    """Seeded random crash points across commits and merges, one data directory throughout."""

    def test_random_crash_points(self):
        seed = int(os.environ.get("ARBOR_CRASH_SEED") or random.SystemRandom().randrange(1 << 31))
        iterations = int(os.environ.get("ARBOR_CRASH_ITERATIONS") or 60)
        sys.stderr.write("\nrandom crash points: ARBOR_CRASH_SEED=%d ARBOR_CRASH_ITERATIONS=%d\n"
                         % (seed, iterations))
        rng = random.Random(seed)
        self.start_arbord()
        self.create_branch("dev")
        acked_tables = []        # Thrift writes acknowledged on dev
        acked = {"dev": [], "main": []}  # commit ids whose request returned success
        committed_tables = {}    # acknowledged commit id -> tables acknowledged before it
        known_orphans = set()    # lakeFS commits orphaned by restarts racing lakeFS
        stats = {}
        t0 = time.time()
        for i in range(iterations):
            plan = {"op": "commit" if rng.random() < 0.55 else "merge",
                    "hang": round(rng.uniform(0, 1.2), 2),
                    "then": rng.choices(["respond", "fail500", "drop_before_apply", "drop_after_apply"],
                                        [6, 1.5, 1, 1.5])[0],
                    "kill": rng.choices(["delay", "after_apply"], [5, 1])[0],
                    "delay": round(rng.uniform(0, 1.5), 2),
                    "settle": rng.random() < 0.75,
                    "data": rng.random() < 0.7}
            if plan["kill"] == "after_apply":
                plan["then"] = "respond"
                plan["settle"] = True
            where = "seed=%d iteration=%d plan=%s" % (seed, i, plan)
            try:
                outcome = self.one_crash(i, plan, acked_tables, acked, committed_tables, known_orphans)
            except Exception as e:
                raise AssertionError("%s: %s\n(reproduce: ARBOR_CRASH_SEED=%d)" % (where, e, seed)) from e
            stats[outcome] = stats.get(outcome, 0) + 1
        sys.stderr.write("random crash points: %d iterations in %.1f s, outcomes %s, racing orphans %d\n"
                         % (iterations, time.time() - t0, stats, len(known_orphans)))

    def one_crash(self, i, plan, acked_tables, acked, committed_tables, known_orphans):
        op = plan["op"]
        table = "t%d" % i
        c = self.client()
        try:
            c.create_database(lk.database("sales@dev"))
        except hms.AlreadyExistsException:
            pass
        c.create_table(make_table("sales@dev", table))
        acked_tables.append(table)
        if plan["data"]:
            self.emu.write_object(REPO, "dev", "warehouse/%s/0.parquet" % table, table.encode())
        if op == "commit":
            branch, path, body = "dev", "/api/v1/branches/dev/commits", {"message": "commit " + table}
        else:
            d = self.commit("dev", "dev " + table)
            acked["dev"].append(d["id"])
            committed_tables[d["id"]] = list(acked_tables)
            branch, path, body = "main", "/api/v1/branches/main/merge", {"source": "dev"}
        dev_head_before = self.head("dev")
        seq = self.last_seq()
        self.emu.inject_fault(op, "hang", seconds=plan["hang"], then=plan["then"])
        req = Request(self.arbord.http_port, "POST", path, body)
        if plan["kill"] == "after_apply":
            self.assertTrue(self.wait_fired())
            self.arbord.sigstop()
            self.wait_call(op, seq)
        else:
            time.sleep(plan["delay"])
        self.arbord.kill9()
        req.join()
        fired = any(f["fired"] for f in self.emu.faults())
        if plan["settle"]:
            if not fired:
                time.sleep(0.2)  # a request already sent may still be read by lakeFS
                fired = any(f["fired"] for f in self.emu.faults())
            if fired:
                self.wait_call(op, seq)
        self.emu.clear_faults()
        self.restart()
        # Let anything still in flight on lakeFS finish before checking.
        if fired:
            self.wait_call(op, seq)

        if req.succeeded():
            cid = req.body["commit"]["id"]
            acked[branch].append(cid)
            committed_tables[cid] = list(acked_tables) if op == "commit" else \
                committed_tables.get(dev_head_before, [])
        # Every catalog commit is a linked pair.
        self.check_invariants("main", "dev")
        # Every acknowledged commit is in its branch's history.
        for b in ("main", "dev"):
            history = {x["id"] for x in self.log(b)}
            for cid in acked[b]:
                self.assertIn(cid, history, "acknowledged commit %s lost from %s" % (cid[:12], b))
        # Every acknowledged Thrift write is on dev (committed or still staged), and in
        # the latest acknowledged commits.
        c = self.client()
        self.assertEqual(sorted(set(acked_tables) - set(c.get_all_tables("sales@dev"))), [])
        for b in ("main", "dev"):
            if acked[b]:
                cid = acked[b][-1]
                missing = set(committed_tables.get(cid, [])) - set(c.get_all_tables("sales@" + cid))
                self.assertEqual(sorted(missing), [], "tables missing from acknowledged commit %s" % cid[:12])
        # A merge that reached the catalog carries dev's tables to main.
        main_head = self.log("main")[0]
        if len(main_head["parents"]) == 2:
            missing = set(c.get_all_tables("sales@" + main_head["parents"][1])) - \
                set(c.get_all_tables("sales@main"))
            self.assertEqual(sorted(missing), [], "merge %s lost tables" % main_head["id"][:12])
        # lakeFS commits with arbor.commit not in the catalog: only from restarts that
        # raced a lakeFS request still in flight (see test_restart_while_lakefs_...).
        orphans = self.orphans("main", "dev")
        new = orphans - known_orphans
        if new and plan["settle"]:
            self.fail("lakeFS commits %s name catalog commits in no history, although lakeFS had "
                      "finished before the restart" % sorted(x[:12] for x in new))
        known_orphans.update(new)
        # The branch takes writes again (the next iteration writes to dev; check main too).
        self.assertEqual(self.api("POST", "/api/v1/branches/main/commits",
                                  {"message": "probe"})[0], 400)  # nothing to commit, not BUSY
        head = self.log(branch)[0]
        return "%s:%s" % (op, "applied" if self.completed(op, head, seq) else "dropped")

    def completed(self, op, head, seq):
        calls = self.emu.calls(op=op, since=seq)
        named = {x.get("request", {}).get("metadata", {}).get("arbor.commit") for x in calls}
        return head["id"] in named

    def orphans(self, *branches):
        catalog = set()
        for b in branches:
            catalog.update(x["id"] for x in self.log(b))
        out = set()
        for b in branches:
            for lc in self.emu.log(REPO, b, amount=1000)["results"]:
                named = lc["metadata"].get("arbor.commit")
                if named and named not in catalog:
                    out.add(lc["id"])
        return out


if __name__ == "__main__":
    main()

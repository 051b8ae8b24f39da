"""Garbage collection and backup/restore against a real arbord (README.md#operations).

GC reproduces issue 15's finding: rounds of "branch, many partitions, commit, delete
branch" grew the data directory without bound while main was unchanged. After `arbor gc`
the directory shrinks back, and main, a tag and another branch read exactly as before.
Collections racing concurrent commits lose nothing. Backup runs under write load; a new
arbord restored from it holds refs and entities identical to the source's at the same
commits.
"""

import os
import random
import shutil
import subprocess
import tempfile
import threading
import time
import unittest

from harness import ARBORD, Arbord, admin_call, hms, main, make_partition, make_table

ARBOR_CLI = os.environ.get("ARBOR_CLI") or os.path.join(os.path.dirname(ARBORD), "arbor")


def dir_bytes(path):
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            try:
                total += os.path.getsize(os.path.join(root, f))
            except OSError:
                pass
    return total


def ok(status_body, *want):
    status, body = status_body
    if status not in (want or (200, 201, 204)):
        raise AssertionError("HTTP %s: %s" % (status, body))
    return body


def add_parts(c, db, table, names, batch=1000):
    for i in range(0, len(names), batch):
        c.add_partitions([make_partition(db, table, [n]) for n in names[i:i + batch]])


def snapshot_refs(http):
    """{ref name: commit id} for every branch and tag."""
    refs = {}
    for b in ok(admin_call(http, "GET", "/api/v1/branches"))["branches"]:
        refs["branch:" + b["name"]] = b["head"]
    for t in ok(admin_call(http, "GET", "/api/v1/tags"))["tags"]:
        refs["tag:" + t["name"]] = t["commit"]
    return refs


def entities(c, ref):
    """Every database, table and partition (name and parameters) at `ref`."""
    out = {}
    for db in sorted(c.get_all_databases()):
        name = "%s@%s" % (db, ref)
        d = c.get_database(name)
        out[db] = dict(d.parameters or {})
        for t in sorted(c.get_all_tables(name)):
            tbl = c.get_table(name, t)
            out[db + "." + t] = dict(tbl.parameters or {})
            if tbl.partitionKeys:
                for p in c.get_partitions(name, t, -1):
                    out[db + "." + t + "/" + "/".join(p.values)] = (p.sd.location if p.sd else None)
    return out


class GcTest(unittest.TestCase):
    def setUp(self):
        if not ARBORD:
            raise unittest.SkipTest("ARBORD is not set")
        self.server = Arbord(["--gc-interval", "0"]).start()
        self.c = self.server.client()
        self.http = self.server.http_port
        self.c.create_database(hms.Database(name="sales", parameters={}))
        self.c.create_table(make_table("sales", "orders", part_keys=(("ds", "string"),)))
        ok(admin_call(self.http, "POST", "/api/v1/branches/main/commits", {"message": "orders"}))

    def tearDown(self):
        self.c.close()
        self.server.cleanup()

    def cli(self, *args):
        r = subprocess.run([ARBOR_CLI, "--server", "http://127.0.0.1:%d" % self.http] + list(args),
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout

    def test_deleted_branches_are_collected_and_every_other_ref_reads_the_same(self):
        data = os.path.join(self.server.data_dir, "data")
        add_parts(self.c, "sales", "orders", ["main-%d" % i for i in range(500)])
        ok(admin_call(self.http, "POST", "/api/v1/branches/main/commits", {"message": "main"}))
        ok(admin_call(self.http, "POST", "/api/v1/tags", {"name": "v1", "ref": "main"}))
        ok(admin_call(self.http, "POST", "/api/v1/branches", {"name": "keep", "source": "main"}))
        add_parts(self.c, "sales@keep", "orders", ["keep-%d" % i for i in range(300)])
        ok(admin_call(self.http, "POST", "/api/v1/branches/keep/commits", {"message": "keep"}))
        before = {ref: entities(self.c, ref) for ref in ("main", "v1", "keep")}
        refs_before = snapshot_refs(self.http)
        baseline = dir_bytes(data)

        for rnd in range(3):
            b = "tmp%d" % rnd
            ok(admin_call(self.http, "POST", "/api/v1/branches", {"name": b, "source": "main"}))
            add_parts(self.c, "sales@" + b, "orders", ["r%d-%05d" % (rnd, i) for i in range(10000)])
            ok(admin_call(self.http, "POST", "/api/v1/branches/%s/commits" % b, {"message": b}))
            ok(admin_call(self.http, "DELETE", "/api/v1/branches/" + b))
        grown = dir_bytes(data)
        self.assertGreater(grown, baseline + 4 * 1024 * 1024)

        # Within the grace period (default one hour) nothing of the deleted branches goes.
        dry = ok(admin_call(self.http, "POST", "/api/v1/gc", {"dry_run": True}))
        self.assertEqual(int(dry["objects_freed"]), 0)
        out = self.cli("gc", "--dry-run", "--grace", "0")
        self.assertIn("would free", out)
        dry0 = ok(admin_call(self.http, "POST", "/api/v1/gc", {"dry_run": True, "grace_seconds": 0}))
        self.assertGreater(int(dry0["objects_freed"]), 100)
        self.assertGreater(int(dry0["bytes_freed"]), 4 * 1024 * 1024)
        self.assertGreater(dir_bytes(data), baseline + 4 * 1024 * 1024)  # a dry run frees nothing

        out = self.cli("-o", "json", "gc", "--grace", "0")
        self.assertIn('"objects_freed"', out)
        shrunk = dir_bytes(data)
        print("data dir: baseline %d, after 3 rounds %d, after gc %d bytes" % (baseline, grown, shrunk))
        self.assertLess(shrunk - baseline, (grown - baseline) / 4,
                        "gc left %d of %d grown bytes" % (shrunk - baseline, grown - baseline))
        self.assertEqual(snapshot_refs(self.http), refs_before)
        for ref, want in before.items():
            self.assertEqual(entities(self.c, ref), want, ref)
        # Full history stays readable.
        log = ok(admin_call(self.http, "GET", "/api/v1/refs/keep/commits?limit=1000"))["commits"]
        for commit in log:
            self.c.get_all_tables("default@" + commit["id"])  # raises if unreadable
        second = ok(admin_call(self.http, "POST", "/api/v1/gc", {"grace_seconds": 0}))
        self.assertEqual(int(second["objects_freed"]), 0)

    def test_concurrent_commits_during_gc_lose_nothing(self):
        stop = threading.Event()
        errors = []
        acked = {}  # branch -> partitions acknowledged by a commit

        def writer(w):
            c = self.server.client()
            branch = "w%d" % w
            ok(admin_call(self.http, "POST", "/api/v1/branches", {"name": branch, "source": "main"}))
            acked[branch] = []
            n = 0
            try:
                while not stop.is_set():
                    # Same-content churn: a scratch branch gets the same partitions each
                    # round, so its commit re-creates objects a collection may be sweeping.
                    scratch = "s%d" % w
                    ok(admin_call(self.http, "POST", "/api/v1/branches",
                                  {"name": scratch, "source": "main"}))
                    add_parts(c, "sales@" + scratch, "orders", ["same-%d" % i for i in range(200)])
                    ok(admin_call(self.http, "POST", "/api/v1/branches/%s/commits" % scratch,
                                  {"message": "scratch"}))
                    got = [p for p in c.get_partition_names("sales@" + scratch, "orders", -1)
                           if p.startswith("ds=same-")]
                    if len(got) != 200:
                        errors.append("%s has %d partitions" % (scratch, len(got)))
                    ok(admin_call(self.http, "DELETE", "/api/v1/branches/" + scratch))
                    names = ["%s-%d-%d" % (branch, n, i) for i in range(50)]
                    add_parts(c, "sales@" + branch, "orders", names)
                    ok(admin_call(self.http, "POST", "/api/v1/branches/%s/commits" % branch,
                                  {"message": "round %d" % n}))
                    acked[branch].extend(names)
                    if n % 3 == 2:
                        ok(admin_call(self.http, "POST", "/api/v1/branches/main/merge",
                                      {"source": branch}))
                    n += 1
            except Exception as e:  # noqa: BLE001 - reported by the main thread
                errors.append("%s: %r" % (branch, e))
            finally:
                c.close()

        threads = [threading.Thread(target=writer, args=(w,)) for w in range(3)]
        for t in threads:
            t.start()
        runs = 0
        freed = 0
        started = time.time()
        deadline = started + 10
        while time.time() < deadline and not errors:
            r = ok(admin_call(self.http, "POST", "/api/v1/gc", {"grace_seconds": 0}), 200, 503)
            if "objects_freed" in r:
                runs += 1
                freed += int(r["objects_freed"])
            time.sleep(0.2)
        stop.set()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        self.assertGreater(runs, 0)
        self.assertGreater(freed, 0)
        print("%d collections in %.1f s freed %d objects during %d acknowledged partition writes"
              % (runs, time.time() - started, freed, sum(len(v) for v in acked.values())))
        ok(admin_call(self.http, "POST", "/api/v1/gc", {"grace_seconds": 0}))
        for branch, names in acked.items():
            have = set(self.c.get_partition_names("sales@" + branch, "orders", -1))
            self.assertEqual(set("ds=" + n for n in names) - have, set(), branch)
            log = ok(admin_call(self.http, "GET", "/api/v1/refs/%s/commits?limit=1000" % branch))
            for commit in log["commits"]:
                self.c.get_all_tables("default@" + commit["id"])  # raises if unreadable


class BackupTest(unittest.TestCase):
    def setUp(self):
        if not ARBORD:
            raise unittest.SkipTest("ARBORD is not set")
        self.tmp = tempfile.mkdtemp(prefix="arbor-backup-")
        self.server = Arbord().start()
        self.restored = None
        self.c = self.server.client()
        self.http = self.server.http_port

    def tearDown(self):
        self.c.close()
        self.server.cleanup()
        if self.restored:
            self.restored.cleanup()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_backup_under_write_load_restores_every_ref_and_entity(self):
        c = self.c
        c.create_database(hms.Database(name="sales", parameters={}))
        c.create_table(make_table("sales", "orders", part_keys=(("ds", "string"),)))
        ok(admin_call(self.http, "POST", "/api/v1/branches/main/commits", {"message": "orders"}))
        for b in ("dev", "etl"):
            ok(admin_call(self.http, "POST", "/api/v1/branches", {"name": b, "source": "main"}))
        acked_before_backup = []
        stop = threading.Event()
        errors = []
        acked = []
        lock = threading.Lock()

        def writer(branch):
            wc = self.server.client()
            n = 0
            try:
                while not stop.is_set():
                    names = ["%s-%d-%d" % (branch, n, i) for i in range(20)]
                    add_parts(wc, "sales@" + branch, "orders", names)
                    ok(admin_call(self.http, "POST", "/api/v1/branches/%s/commits" % branch,
                                  {"message": "n%d" % n}))
                    with lock:
                        acked.extend((branch, x) for x in names)
                    if n % 4 == 3:
                        ok(admin_call(self.http, "POST", "/api/v1/tags",
                                      {"name": "%s-t%d" % (branch, n), "ref": branch}))
                    n += 1
            except Exception as e:  # noqa: BLE001
                errors.append(repr(e))
            finally:
                wc.close()

        threads = [threading.Thread(target=writer, args=(b,)) for b in ("dev", "etl")]
        for t in threads:
            t.start()
        time.sleep(1.5)
        with lock:
            acked_before_backup = list(acked)
        backup = os.path.join(self.tmp, "backup")
        r = subprocess.run([ARBOR_CLI, "--server", "http://127.0.0.1:%d" % self.http,
                            "backup", backup], capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        time.sleep(1.0)
        stop.set()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        self.assertGreater(len(acked_before_backup), 0)
        # A second backup into the same directory is refused.
        status, body = admin_call(self.http, "POST", "/api/v1/backups", {"dir": backup})
        self.assertEqual(status, 409, body)
        status, body = admin_call(self.http, "POST", "/api/v1/backups", {"dir": "relative/dir"})
        self.assertEqual(status, 400, body)

        self.restored = Arbord(["--restore-from", backup]).start()
        rc = self.restored.client()
        try:
            refs = snapshot_refs(self.restored.http_port)
            source_refs = snapshot_refs(self.http)
            self.assertIn("branch:main", refs)
            for ref, commit in refs.items():
                # Every restored ref exists in the source at that commit or moved on from it.
                self.assertIn(ref, source_refs)
                log = ok(admin_call(self.http, "GET", "/api/v1/refs/%s/commits?limit=10000"
                                    % source_refs[ref]))
                self.assertIn(commit, [x["id"] for x in log["commits"]], ref)
                # Entities at that commit are identical in both servers.
                self.assertEqual(entities(rc, commit), entities(c, commit), ref)
            # Everything acknowledged before the backup started is in the backup.
            for branch, name in acked_before_backup:
                rc.get_partition("sales@" + branch, "orders", [name])
            print("backup under load: %d refs restored, %d acknowledged partitions checked"
                  % (len(refs), len(acked_before_backup)))
        finally:
            rc.close()

        # A data directory that already holds a store is never overwritten.
        again = Arbord(["--restore-from", backup], data_dir=self.restored.data_dir)
        self.restored.stop()
        with self.assertRaises(RuntimeError):
            again.start()
        again.stop()


if __name__ == "__main__":
    main()

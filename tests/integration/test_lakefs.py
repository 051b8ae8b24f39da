"""lakeFS coupling end to end: a real arbord, the lakeFS EMULATOR, Thrift and the admin API.

docs/lakefs.md#what-is-coupled: branch create, commit and merge act on both systems; each catalog
commit records its lakeFS commit (`lakefs_commit`) and the lakeFS commit names the
catalog commit in its metadata (`arbor.commit`); locations inside the repository
are rendered for the ref being read; a configured-but-unusable lakeFS stops
start-up.

One emulator per test class (reset before each test), a fresh arbord data
directory per test. Fault-injection and crash tests of the intent protocol are
in test_lakefs_crash.py, which reuses the helpers here.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lakefs_emulator"))

from emulator_client import LakeFSEmulator  # noqa: E402
from harness import ARBORD, ON_POSTGRES, Arbord, hms, main, make_partition, make_table, \
    postgres_store  # noqa: E402

REPO = "repo1"
PREFIX = "s3a://%s/" % REPO


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DrainingArbord(Arbord):
    """An Arbord whose stdout (where spdlog writes) is drained into its log file.

    The harness reads stdout only up to the ready line; a long-running server that
    logs a lot would otherwise fill the pipe and block.
    """

    def start(self, timeout=30):
        # As Arbord.start, but the lines before the ready line (start-up messages such
        # as lakeFS coupling and intent resolution) go to the log too.
        args = self.command()
        env = dict(os.environ)
        env.update(self.env or {})
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.log, env=env)
        proc, log = self.proc, self.log
        deadline = time.time() + timeout
        while True:
            raw = proc.stdout.readline()
            line = raw.decode(errors="replace")
            if not raw:
                raise RuntimeError("arbord exited early (code %s); log:\n%s"
                                   % (proc.wait(), self.read_log()))
            if line.startswith("arbord ready"):
                fields = dict(f.split("=") for f in line.split()[2:])
                self.port = int(fields["thrift"])
                self.http_port = int(fields["http"])
                break
            log.write(raw)
            log.flush()
            if time.time() > deadline:
                raise RuntimeError("arbord did not become ready; log:\n" + self.read_log())

        def drain():
            try:
                for line in iter(proc.stdout.readline, b""):
                    log.write(line)
                    log.flush()
            except (ValueError, OSError):
                pass

        threading.Thread(target=drain, daemon=True).start()
        return self

    def sigstop(self):
        self.proc.send_signal(signal.SIGSTOP)

    def sigcont(self):
        self.proc.send_signal(signal.SIGCONT)


def lakefs_args(emu, repository=REPO, prefixes=PREFIX, extra=()):
    args = ["--lakefs-endpoint", emu.endpoint, "--lakefs-repository", repository,
            "--lakefs-access-key-id", emu.access_key_id,
            "--lakefs-secret-access-key", emu.secret_access_key]
    if prefixes:
        args += ["--lakefs-storage-prefixes", prefixes]
    return args + list(extra)


class ApiError(Exception):
    pass


def http_call(port, method, path, body=None, timeout=60):
    """Admin API call: (status, decoded JSON). Connection errors propagate."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), method=method, data=data,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            raw = r.read()
            return r.status, (json.loads(raw) if raw else None)
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            return e.code, (json.loads(raw) if raw else None)
        except ValueError:
            return e.code, raw.decode(errors="replace")


def database(name, location=None):
    return hms.Database(name=name, description="", locationUri=location, parameters={})


class LakeFsTestCase(unittest.TestCase):
    """One emulator per class, reset before each test; `start_arbord` for a fresh arbord."""

    arbord_extra = []  # extra arbord flags for the class

    @classmethod
    def setUpClass(cls):
        if not ARBORD:
            raise unittest.SkipTest("ARBORD is not set")
        cls.emu = LakeFSEmulator(repositories=[REPO]).start()

    @classmethod
    def tearDownClass(cls):
        cls.emu.cleanup()

    def setUp(self):
        self.emu.reset()
        self.arbord = None
        self._clients = []

    def tearDown(self):
        for c in self._clients:
            try:
                c.close()
            except Exception:
                pass
        if self.arbord is not None:
            if self._failed():
                sys.stderr.write("\n--- arbord log (tail) ---\n%s\n" % self.arbord.read_log()[-4000:])
            self.arbord.cleanup()

    def _failed(self):
        outcome = getattr(self, "_outcome", None)
        if outcome is None:
            return False
        errors = getattr(outcome, "errors", None)
        if errors is not None:  # Python <= 3.10
            return any(exc for _, exc in errors)
        result = getattr(outcome, "result", None)
        return result is not None and any(t is self for t, _ in result.failures + result.errors)

    # -- arbord -------------------------------------------------------------
    def start_arbord(self, extra=()):
        self.arbord = DrainingArbord(lakefs_args(self.emu, extra=list(self.arbord_extra) + list(extra)))
        self.arbord.start()
        return self.arbord

    def client(self):
        c = self.arbord.client()
        self._clients.append(c)
        return c

    def api(self, method, path, body=None, timeout=60):
        return http_call(self.arbord.http_port, method, path, body, timeout)

    def ok(self, method, path, body=None, expect=(200, 201, 204)):
        status, data = self.api(method, path, body)
        if status not in expect:
            raise ApiError("%s %s -> %s %s" % (method, path, status, data))
        return data

    def create_branch(self, name, source="main"):
        return self.ok("POST", "/api/v1/branches", {"name": name, "source": source})

    def commit(self, branch, message="commit", **kw):
        body = dict(message=message, **kw)
        return self.ok("POST", "/api/v1/branches/%s/commits" % branch, body)["commit"]

    def merge(self, source, into, strategy=None):
        body = {"source": source}
        if strategy:
            body["strategy"] = strategy
        out = self.ok("POST", "/api/v1/branches/%s/merge" % into, body)
        self.assertEqual(out["status"], "merged", out)
        return out["commit"]

    def head(self, branch):
        return self.ok("GET", "/api/v1/branches/%s" % branch)["head"]

    def get_commit(self, ref):
        return self.ok("GET", "/api/v1/commits/%s" % ref)

    def log(self, ref):
        out, after = [], ""
        while True:
            path = "/api/v1/refs/%s/commits?limit=1000" % ref
            if after:
                path += "&after=" + after
            page = self.ok("GET", path)
            out += page["commits"]
            if not page.get("has_more"):
                return out
            after = page["next_after"]

    def lakefs_head(self, branch):
        return self.emu.head(REPO, branch)

    # -- invariants ---------------------------------------------------------
    def assertLinked(self, commit):
        """The catalog commit names a lakeFS commit that names it back."""
        lc = commit.get("lakefs_commit")
        self.assertTrue(lc, "catalog commit %s has no lakefs_commit: %s" % (commit["id"][:12], commit))
        lk = self.emu.get_commit(REPO, lc)
        self.assertEqual(lk["metadata"].get("arbor.commit"), commit["id"],
                         "lakeFS commit %s does not name catalog commit %s: %s"
                         % (lc[:12], commit["id"][:12], lk["metadata"]))
        return lk

    def assertAllLinked(self, *branches):
        """Every catalog commit after the root, on every given branch, is a linked pair."""
        state = self.emu.state()["repositories"][REPO]["commits"]
        seen = set()
        for b in branches:
            for c in self.log(b):
                if c["id"] in seen:
                    continue
                seen.add(c["id"])
                if not c["parents"]:
                    continue  # the root ("Repository created") predates any lakeFS call
                lc = c.get("lakefs_commit")
                self.assertTrue(lc, "catalog commit %s on %s has no lakefs_commit" % (c["id"][:12], b))
                self.assertIn(lc, state, "catalog commit %s names lakeFS commit %s, which does not exist"
                              % (c["id"][:12], lc[:12]))
                self.assertEqual(state[lc]["metadata"].get("arbor.commit"), c["id"],
                                 "lakeFS commit %s names %s, not %s"
                                 % (lc[:12], state[lc]["metadata"].get("arbor.commit"), c["id"][:12]))
        return seen

    def assertNoOrphanLakeFsCommits(self, *branches):
        """Every lakeFS commit reachable from the given lakeFS branches that carries
        `arbor.commit` names a catalog commit in the catalog history of one of them."""
        catalog = set()
        for b in branches:
            catalog.update(c["id"] for c in self.log(b))
        for b in branches:
            for lc in self.emu.log(REPO, b, amount=1000)["results"]:
                named = lc["metadata"].get("arbor.commit")
                if named:
                    self.assertIn(named, catalog,
                                  "lakeFS commit %s on %s (%r) names catalog commit %s, which is in no "
                                  "catalog branch's history" % (lc["id"][:12], b, lc["message"], named[:12]))

    def lakefs_calls(self, op, since=0):
        return self.emu.calls(op=op, since=since)

    def last_seq(self):
        calls = self.emu.calls()
        return calls[-1]["seq"] if calls else 0


# --------------------------------------------------------------------------- end to end


class LakeFsEndToEndTest(LakeFsTestCase):

    def test_branch_create_pairs_the_data_version(self):
        self.start_arbord()
        main_root = self.lakefs_head("main")
        dev = self.create_branch("dev")
        # The catalog's main head is the unpaired root: lakeFS dev starts at lakeFS main.
        self.assertEqual(self.lakefs_head("dev"), main_root)
        self.assertEqual(dev["head"], self.head("main"))
        c = self.client()
        c.create_database(database("sales@dev"))
        self.emu.write_object(REPO, "dev", "warehouse/a.parquet", b"a")
        c1 = self.commit("dev", "c1")
        l1 = self.assertLinked(c1)
        # Branches from a branch, a commit id and a tag start at the paired lakeFS commit.
        self.create_branch("from-branch", "dev")
        self.assertEqual(self.lakefs_head("from-branch"), l1["id"])
        self.emu.write_object(REPO, "dev", "warehouse/b.parquet", b"b")
        c2 = self.commit("dev", "c2")
        self.assertLinked(c2)
        self.create_branch("from-commit", c1["id"])
        self.assertEqual(self.lakefs_head("from-commit"), l1["id"])
        self.assertEqual(self.head("from-commit"), c1["id"])
        self.ok("POST", "/api/v1/tags", {"name": "v1", "ref": c1["id"]})
        self.create_branch("from-tag", "v1")
        self.assertEqual(self.lakefs_head("from-tag"), l1["id"])
        self.create_branch("from-expr", "dev~1")
        self.assertEqual(self.lakefs_head("from-expr"), l1["id"])
        # Staged catalog writes on the source stay behind, as uncommitted data does in lakeFS.
        c.create_table(make_table("sales@dev", "staged_only"))
        self.create_branch("no-staging", "dev")
        self.assertEqual(self.lakefs_head("no-staging"), c2["lakefs_commit"])
        self.assertNotIn("staged_only", c.get_all_tables("sales@no-staging"))
        # Deleting a branch deletes both.
        self.assertEqual(self.api("DELETE", "/api/v1/branches/from-tag")[0], 204)
        names = [b["id"] for b in self.emu.list_branches(REPO)["results"]]
        self.assertNotIn("from-tag", names)
        self.assertIn("from-commit", names)

    def test_commit_and_merge_advance_both_systems_and_link_both_ways(self):
        self.start_arbord()
        self.create_branch("dev")
        main_catalog, main_lakefs = self.head("main"), self.lakefs_head("main")
        c = self.client()
        c.create_database(database("sales@dev", PREFIX + "dev/warehouse/sales.db"))
        c.create_table(make_table("sales@dev", "orders", location=PREFIX + "dev/warehouse/orders"))
        self.emu.write_object(REPO, "dev", "warehouse/orders/part-0.parquet", b"rows-0")

        c1 = self.commit("dev", "add orders")
        l1 = self.assertLinked(c1)
        self.assertEqual(self.head("dev"), c1["id"])
        self.assertEqual(self.lakefs_head("dev"), l1["id"])
        self.assertEqual(l1["message"], "add orders")
        self.assertEqual(self.emu.get_object(REPO, l1["id"], "warehouse/orders/part-0.parquet"), b"rows-0")
        # main untouched on both sides.
        self.assertEqual(self.head("main"), main_catalog)
        self.assertEqual(self.lakefs_head("main"), main_lakefs)

        m = self.merge("dev", "main")
        lm = self.assertLinked(m)
        self.assertEqual(self.head("main"), m["id"])
        self.assertEqual(self.lakefs_head("main"), lm["id"])
        self.assertEqual(m["parents"], [main_catalog, c1["id"]])
        self.assertEqual(lm["parents"], [main_lakefs, l1["id"]])
        self.assertEqual(self.emu.get_object(REPO, "main", "warehouse/orders/part-0.parquet"), b"rows-0")
        self.assertEqual(c.get_table("sales@main", "orders").tableName, "orders")
        # The merge request named the source's paired data version, not the live branch.
        merges = self.lakefs_calls("merge")
        self.assertEqual(len(merges), 1)
        self.assertIn("/refs/%s/merge/main" % l1["id"], merges[0]["path"])
        # The log and the get-commit route agree on the pairing.
        self.assertEqual(self.get_commit("main")["lakefs_commit"], lm["id"])
        self.assertEqual(self.get_commit(c1["id"])["lakefs_commit"], l1["id"])
        self.assertAllLinked("main", "dev")

        # A second round, with an update of existing data.
        self.emu.write_object(REPO, "dev", "warehouse/orders/part-0.parquet", b"rows-0-v2")
        tbl = c.get_table("sales@dev", "orders")
        tbl.parameters["rows"] = "2"
        c.alter_table("sales@dev", "orders", tbl)
        c2 = self.commit("dev", "update orders")
        self.assertLinked(c2)
        m2 = self.merge("dev", "main")
        self.assertLinked(m2)
        self.assertEqual(c.get_table("sales@main", "orders").parameters.get("rows"), "2")
        self.assertEqual(self.emu.get_object(REPO, "main", "warehouse/orders/part-0.parquet"), b"rows-0-v2")
        self.assertAllLinked("main", "dev")
        self.assertNoOrphanLakeFsCommits("main", "dev")

    def test_catalog_only_and_data_only_commits_are_linked_pairs(self):
        self.start_arbord()
        self.create_branch("dev")
        c = self.client()
        # Catalog changes, no data changes: an empty lakeFS commit pairs it.
        c.create_database(database("sales@dev"))
        before = self.lakefs_head("dev")
        c1 = self.commit("dev", "catalog only")
        l1 = self.assertLinked(c1)
        self.assertEqual(l1["parents"], [before])
        self.assertEqual(self.emu.diff_refs(REPO, before, l1["id"], type="two_dot")["results"], [])
        # Data changes, no catalog changes: the catalog commit keeps its tree.
        self.emu.write_object(REPO, "dev", "raw/x.csv", b"1,2")
        c2 = self.commit("dev", "data only")
        l2 = self.assertLinked(c2)
        self.assertEqual(c2["root"], c1["root"])
        self.assertEqual(l2["parents"], [l1["id"]])
        self.assertEqual(self.emu.get_object(REPO, l2["id"], "raw/x.csv"), b"1,2")
        # Neither: refused, nothing written anywhere, the branch still usable.
        status, body = self.api("POST", "/api/v1/branches/dev/commits", {"message": "nothing"})
        self.assertEqual(status, 400, body)
        self.assertIn("nothing to commit", body["message"])
        self.assertEqual(self.head("dev"), c2["id"])
        self.assertEqual(self.lakefs_head("dev"), l2["id"])
        c.create_table(make_table("sales@dev", "t"))
        self.assertLinked(self.commit("dev", "after"))
        # allow_empty makes an empty pair.
        c4 = self.commit("dev", "empty", allow_empty=True)
        self.assertLinked(c4)
        self.assertAllLinked("dev")

    def test_auto_commit_mode_and_revert_are_linked_pairs(self):
        self.start_arbord()
        self.create_branch("dev")
        self.ok("PUT", "/api/v1/branches/dev/commit-mode", {"mode": "auto"})
        c = self.client()
        self.emu.write_object(REPO, "dev", "warehouse/t/0.parquet", b"0")
        c.create_database(database("sales@dev"))
        c.create_table(make_table("sales@dev", "t"))
        log = self.log("dev")
        self.assertEqual(len(log), 3, [x["message"] for x in log])
        self.assertAllLinked("dev")
        # The first auto-commit carried the staged data along.
        self.assertEqual(self.emu.get_object(REPO, "dev", "warehouse/t/0.parquet"), b"0")
        self.assertEqual(self.emu.diff_branch(REPO, "dev")["results"], [])
        out = self.ok("POST", "/api/v1/branches/dev/revert", {"commit": log[0]["id"]})
        self.assertEqual(out["status"], "reverted")
        self.assertLinked(out["commit"])
        self.assertNotIn("t", c.get_all_tables("sales@dev"))
        self.assertAllLinked("dev")

    def test_locations_are_rendered_per_ref(self):
        self.start_arbord()
        c = self.client()
        # Created on main before branching: stored once, rendered per branch.
        c.create_database(database("sales", PREFIX + "main/warehouse/sales.db"))
        c.create_table(make_table("sales", "base", location=PREFIX + "main/warehouse/base"))
        self.commit("main", "base")
        self.create_branch("dev")
        self.assertEqual(c.get_table("sales@dev", "base").sd.location, PREFIX + "dev/warehouse/base")
        self.assertEqual(c.get_database("sales@dev").locationUri, PREFIX + "dev/warehouse/sales.db")
        self.assertEqual(c.get_table("sales@main", "base").sd.location, PREFIX + "main/warehouse/base")

        outside = {
            "hdfs_t": "hdfs://nn:8020/warehouse/hdfs_t",
            "other_repo": "s3a://other-repo/dev/warehouse/other",
            "prefix_lookalike": "s3a://%s-archive/dev/x" % REPO,
            "file_t": "file:/tmp/warehouse/file_t",
        }
        c.create_table(make_table("sales@dev", "t", part_keys=[("ds", "string")],
                                  location=PREFIX + "dev/warehouse/t"))
        c.add_partition(make_partition("sales@dev", "t", ["2024-01-01"],
                                       location=PREFIX + "dev/warehouse/t/ds=2024-01-01"))
        c.add_partition(make_partition("sales@dev", "t", ["2024-01-02"],
                                       location="hdfs://nn:8020/external/ds=2024-01-02"))
        for name, loc in outside.items():
            c.create_table(make_table("sales@dev", name, location=loc))

        def check(ref, rendered_ref):
            where = "reading at %s" % ref
            self.assertEqual(c.get_table("sales@" + ref, "t").sd.location,
                             PREFIX + rendered_ref + "/warehouse/t", where)
            parts = {tuple(p.values): p.sd.location for p in c.get_partitions("sales@" + ref, "t", -1)}
            self.assertEqual(parts[("2024-01-01",)], PREFIX + rendered_ref + "/warehouse/t/ds=2024-01-01", where)
            self.assertEqual(parts[("2024-01-02",)], "hdfs://nn:8020/external/ds=2024-01-02", where)
            p = c.get_partition("sales@" + ref, "t", ["2024-01-01"])
            self.assertEqual(p.sd.location, PREFIX + rendered_ref + "/warehouse/t/ds=2024-01-01", where)
            self.assertEqual(c.get_database("sales@" + ref).locationUri,
                             PREFIX + rendered_ref + "/warehouse/sales.db", where)
            tables = {t.tableName: t for t in c.get_table_objects_by_name("sales@" + ref, ["t"] + list(outside))}
            self.assertEqual(tables["t"].sd.location, PREFIX + rendered_ref + "/warehouse/t", where)
            for name, loc in outside.items():
                self.assertEqual(c.get_table("sales@" + ref, name).sd.location, loc, where + ": " + name)
                self.assertEqual(tables[name].sd.location, loc, where + ": " + name)

        check("dev", "dev")  # staged
        c1 = self.commit("dev", "t and partitions")
        l1 = self.assertLinked(c1)
        check("dev", "dev")
        check(c1["id"], l1["id"])         # a commit id reads the paired lakeFS commit
        check(c1["id"][:16], l1["id"])    # and so does a unique prefix
        self.ok("POST", "/api/v1/tags", {"name": "dev-v1", "ref": "dev"})
        check("dev-v1", l1["id"])

        # After the merge main renders main; a tag on main renders the merge's lakeFS commit.
        m = self.merge("dev", "main")
        lm = self.assertLinked(m)
        check("main", "main")
        self.ok("POST", "/api/v1/tags", {"name": "v1", "ref": "main"})
        check("v1", lm["id"])
        check(m["id"], lm["id"])
        check("dev", "dev")
        # Ancestors render their own pairing: main~1 is the commit "base".
        base = self.get_commit("main~1")
        self.assertEqual(base["message"], "base")
        self.assertEqual(c.get_table("sales@main~1", "base").sd.location,
                         PREFIX + base["lakefs_commit"] + "/warehouse/base")
        # A later commit on dev moves dev's history, not the tag's.
        tbl = c.get_table("sales@dev", "t")
        tbl.parameters["v"] = "2"
        c.alter_table("sales@dev", "t", tbl)
        c2 = self.commit("dev", "v2")
        l2 = self.assertLinked(c2)
        check(c2["id"], l2["id"])
        check("dev~1", l1["id"])
        check("dev-v1", l1["id"])
        # A client sending an already-rendered commit location on a branch gets the branch's.
        tbl = c.get_table("sales@" + c1["id"], "t")
        tbl.tableName = "copy"
        tbl.dbName = "sales@dev"
        c.create_table(tbl)
        self.assertEqual(c.get_table("sales@dev", "copy").sd.location, PREFIX + "dev/warehouse/t")

    def test_catalog_conflict_makes_no_lakefs_call(self):
        self.start_arbord()
        c = self.client()
        c.create_database(database("sales"))
        c.create_table(make_table("sales", "t", location=PREFIX + "main/warehouse/t"))
        self.commit("main", "t")
        self.create_branch("dev")
        for branch, value in (("main", "a"), ("dev", "b")):
            tbl = c.get_table("sales@" + branch, "t")
            tbl.parameters["owner.team"] = value
            c.alter_table("sales@" + branch, "t", tbl)
        self.emu.write_object(REPO, "dev", "warehouse/t/dev.parquet", b"dev")
        self.commit("main", "main side")
        self.commit("dev", "dev side")
        heads = {b: (self.head(b), self.lakefs_head(b)) for b in ("main", "dev")}
        seq = self.last_seq()
        status, body = self.api("POST", "/api/v1/branches/main/merge", {"source": "dev"})
        self.assertEqual(status, 409, body)
        self.assertGreaterEqual(body["details"]["conflict_count"], 1, body)
        self.assertEqual(self.lakefs_calls("merge", since=seq), [], "a catalog conflict must not reach lakeFS")
        for b in ("main", "dev"):
            self.assertEqual((self.head(b), self.lakefs_head(b)), heads[b], b)
        self.assertEqual(c.get_table("sales@main", "t").parameters["owner.team"], "a")
        # dest-wins resolves it on both sides.
        m = self.merge("dev", "main", strategy="dest-wins")
        self.assertLinked(m)
        self.assertEqual(c.get_table("sales@main", "t").parameters["owner.team"], "a")
        self.assertEqual(self.emu.get_object(REPO, "main", "warehouse/t/dev.parquet"), b"dev")
        merge_call = self.lakefs_calls("merge", since=seq)[-1]
        self.assertEqual(merge_call["request"].get("strategy"), "dest-wins")
        self.assertAllLinked("main", "dev")

    def test_lakefs_conflict_leaves_both_systems_untouched(self):
        self.start_arbord()
        self.create_branch("dev")
        c = self.client()
        # The same object changed on both branches in lakeFS; catalog changes only on dev.
        self.emu.write_object(REPO, "main", "data/x.parquet", b"main-version")
        self.commit("main", "main data")
        self.emu.write_object(REPO, "dev", "data/x.parquet", b"dev-version")
        c.create_database(database("sales@dev"))
        c.create_table(make_table("sales@dev", "t"))
        self.commit("dev", "dev data and catalog")
        heads = {b: (self.head(b), self.lakefs_head(b)) for b in ("main", "dev")}
        seq = self.last_seq()
        status, body = self.api("POST", "/api/v1/branches/main/merge", {"source": "dev"})
        self.assertEqual(status, 409, body)
        self.assertEqual(body["code"], "CONFLICT", body)
        calls = self.lakefs_calls("merge", since=seq)
        self.assertEqual([x["status"] for x in calls], [409])
        for b in ("main", "dev"):
            self.assertEqual((self.head(b), self.lakefs_head(b)), heads[b], b)
        self.assertNotIn("sales", c.get_all_databases())
        self.assertEqual(self.emu.get_object(REPO, "main", "data/x.parquet"), b"main-version")
        # No intent is left behind: both branches take writes and commits.
        c.create_database(database("other"))
        self.assertLinked(self.commit("main", "after conflict"))
        c.create_table(make_table("sales@dev", "t2"))
        self.assertLinked(self.commit("dev", "after conflict"))
        # source-wins is passed to lakeFS too, and the merge goes through on both sides.
        m = self.merge("dev", "main", strategy="source-wins")
        self.assertLinked(m)
        self.assertEqual(self.emu.get_object(REPO, "main", "data/x.parquet"), b"dev-version")
        self.assertEqual(sorted(c.get_all_tables("sales@main")), ["t", "t2"])
        self.assertAllLinked("main", "dev")
        self.assertNoOrphanLakeFsCommits("main", "dev")


# --------------------------------------------------------------------------- lakeFS faults


class LakeFsFaultTest(LakeFsTestCase):
    """lakeFS failing or hanging at each call arbord makes."""

    # An unanswered lakeFS call keeps its branch locked for --intent-grace seconds
    # (lakeFS may still be applying it); the resolver then settles it.
    GRACE = 5  # longer than the 3.5 s hangs of the late-apply tests
    arbord_extra = ["--lakefs-timeout", "2", "--intent-resolve-interval", "1",
                    "--intent-grace", str(GRACE)]

    def await_intent_settled(self):
        time.sleep(self.GRACE + 1 + 1.5)

    def stage(self, branch, table):
        c = self.client()
        try:
            c.create_database(database("sales@" + branch))
        except hms.AlreadyExistsException:
            pass
        c.create_table(make_table("sales@" + branch, table))
        return c

    def test_commit_fail500_commits_nothing_and_a_retry_succeeds(self):
        self.start_arbord()
        self.create_branch("dev")
        c = self.stage("dev", "t1")
        self.emu.write_object(REPO, "dev", "d/1", b"1")
        heads = (self.head("dev"), self.lakefs_head("dev"))
        self.emu.inject_fault("commit", "fail500")
        status, body = self.api("POST", "/api/v1/branches/dev/commits", {"message": "c"})
        self.assertEqual(status, 503, body)
        self.assertEqual((self.head("dev"), self.lakefs_head("dev")), heads)
        self.assertIn("t1", c.get_all_tables("sales@dev"))  # still staged
        self.assertEqual(len(self.emu.diff_branch(REPO, "dev")["results"]), 1)
        # The outcome was unknown: the branch takes no writes until the intent settles,
        # and the admin API says why.
        self.assertRaises(hms.MetaException, c.create_table, make_table("sales@dev", "t2"))
        _, branch = self.api("GET", "/api/v1/branches/dev")
        self.assertEqual(branch.get("pending_lakefs_operation"), "commit", branch)
        self.await_intent_settled()
        _, branch = self.api("GET", "/api/v1/branches/dev")
        self.assertFalse(branch.get("pending_lakefs_operation"), branch)
        c.create_table(make_table("sales@dev", "t2"))  # the intent is gone: writes go through
        c1 = self.commit("dev", "retry")
        self.assertLinked(c1)
        self.assertEqual(sorted(c.get_all_tables("sales@" + c1["id"])), ["t1", "t2"])
        self.assertAllLinked("dev")
        self.assertNoOrphanLakeFsCommits("dev", "main")

    def test_commit_fail429_is_retried(self):
        self.start_arbord()
        self.create_branch("dev")
        self.stage("dev", "t1")
        self.emu.inject_fault("commit", "fail429", times=2)
        c1 = self.commit("dev", "c")
        self.assertLinked(c1)
        self.assertEqual([x["status"] for x in self.lakefs_calls("commit")], [429, 429, 201])
        self.assertAllLinked("dev")

    def test_commit_reply_lost_after_apply_completes_the_pair(self):
        self.start_arbord()
        self.create_branch("dev")
        c = self.stage("dev", "t1")
        self.emu.write_object(REPO, "dev", "d/1", b"1")
        old = self.head("dev")
        self.emu.inject_fault("commit", "drop_after_apply")
        status, body = self.api("POST", "/api/v1/branches/dev/commits", {"message": "c"})
        # The reply was lost but lakeFS has the commit: arbord finds it and completes the
        # catalog side, whatever it answered.
        self.assertIn(status, (201, 503), body)
        log = self.log("dev")
        self.assertEqual(len(log), 2, "the catalog side was not completed: %s" % body)
        self.assertEqual(log[1]["id"], old)
        lk = self.assertLinked(log[0])
        self.assertEqual(self.lakefs_head("dev"), lk["id"])
        if status == 201:
            self.assertEqual(body["commit"]["id"], log[0]["id"])
        self.assertIn("t1", c.get_all_tables("sales@" + log[0]["id"]))
        c.create_table(make_table("sales@dev", "t2"))
        self.assertLinked(self.commit("dev", "next"))
        self.assertAllLinked("dev")
        self.assertNoOrphanLakeFsCommits("dev", "main")

    def test_commit_dropped_before_apply_commits_nothing(self):
        self.start_arbord()
        self.create_branch("dev")
        c = self.stage("dev", "t1")
        heads = (self.head("dev"), self.lakefs_head("dev"))
        self.emu.inject_fault("commit", "drop_before_apply")
        status, body = self.api("POST", "/api/v1/branches/dev/commits", {"message": "c"})
        self.assertEqual(status, 503, body)
        self.assertEqual((self.head("dev"), self.lakefs_head("dev")), heads)
        self.assertIn("t1", c.get_all_tables("sales@dev"))
        self.await_intent_settled()
        self.assertLinked(self.commit("dev", "retry"))
        self.assertAllLinked("dev")

    def test_commit_hang_beyond_timeout_then_failure_commits_nothing(self):
        self.start_arbord()
        self.create_branch("dev")
        c = self.stage("dev", "t1")
        heads = (self.head("dev"), self.lakefs_head("dev"))
        self.emu.inject_fault("commit", "hang", seconds=4, then="fail500")
        t0 = time.time()
        status, body = self.api("POST", "/api/v1/branches/dev/commits", {"message": "c"})
        self.assertLess(time.time() - t0, 3.6, "the request should time out after --lakefs-timeout 2")
        self.assertEqual(status, 503, body)
        while not self.lakefs_calls("commit"):  # let the hung request finish (it fails)
            time.sleep(0.1)
        self.assertEqual((self.head("dev"), self.lakefs_head("dev")), heads)
        self.assertIn("t1", c.get_all_tables("sales@dev"))
        self.await_intent_settled()
        self.assertLinked(self.commit("dev", "retry"))
        self.assertAllLinked("dev")
        self.assertNoOrphanLakeFsCommits("dev", "main")

    def _late_apply(self, op):
        """lakeFS answers after --lakefs-timeout but still applies the request."""
        self.start_arbord()
        self.create_branch("dev")
        c = self.stage("dev", "t1")
        self.emu.write_object(REPO, "dev", "d/1", b"1")
        if op == "merge":
            self.commit("dev", "dev work")
        self.emu.inject_fault(op, "hang", seconds=3.5, then="respond")
        if op == "commit":
            status, body = self.api("POST", "/api/v1/branches/dev/commits", {"message": "c"})
        else:
            status, body = self.api("POST", "/api/v1/branches/main/merge", {"source": "dev"})
        self.assertIn(status, (200, 201, 503), body)
        # lakeFS applies the request ~1.5 s after arbord gave up; give the periodic
        # resolver (every 1 s) time to see it.
        deadline = time.time() + 8
        branch = "dev" if op == "commit" else "main"
        while time.time() < deadline:
            done = [x for x in self.lakefs_calls(op) if x.get("fault")]
            if done:
                break
            time.sleep(0.2)
        # Then the resolver finishes the intent: wait for the admin API to stop
        # reporting it (a fixed 2.5 s was too short on a loaded CI machine).
        deadline = time.time() + 20
        while time.time() < deadline:
            _, info = self.api("GET", "/api/v1/branches/" + branch)
            if not info.get("pending_lakefs_operation"):
                break
            time.sleep(0.2)
        self.assertFalse(info.get("pending_lakefs_operation"), info)
        self.assertAllLinked("dev", "main")
        # The client was told what happened: if lakeFS applied it, the catalog has it.
        applied = [x for x in self.lakefs_calls(op) if x.get("fault")][0]["status"] in (200, 201)
        self.assertTrue(applied)
        self.assertNoOrphanLakeFsCommits("dev", "main")
        if status == 503:
            self.assertNotIn("nothing was committed", body["message"],
                             "arbord reported that nothing was committed, but lakeFS applied the %s" % op)
        c.create_table(make_table("sales@dev", "t2"))
        self.assertLinked(self.commit("dev", "next"))
        return branch

    def test_commit_answered_after_timeout_is_not_lost_or_orphaned(self):
        self._late_apply("commit")

    def test_merge_answered_after_timeout_is_not_lost_or_orphaned(self):
        self._late_apply("merge")

    def test_merge_faults(self):
        """fail500, drop_before_apply, hang-then-fail: nothing merged; drop_after_apply: merged."""
        self.start_arbord()
        self.create_branch("dev")
        c = self.stage("dev", "t0")
        self.commit("dev", "dev base")
        n = 0
        for action, kw, applied in (("fail500", {}, False),
                                    ("drop_before_apply", {}, False),
                                    ("hang", {"seconds": 2.5, "then": "fail500"}, False),
                                    ("drop_after_apply", {}, True)):
            with self.subTest(action=action):
                n += 1
                c.create_table(make_table("sales@dev", "t%d" % n))
                self.emu.write_object(REPO, "dev", "d/%d" % n, b"x")
                dev_commit = self.commit("dev", "dev %d" % n)
                heads = (self.head("main"), self.lakefs_head("main"))
                self.emu.inject_fault("merge", action, **kw)
                status, body = self.api("POST", "/api/v1/branches/main/merge", {"source": "dev"})
                if action == "hang":
                    time.sleep(1)  # the hung request finishes (failing) on the emulator
                if not applied:
                    self.assertEqual(status, 503, body)
                    self.assertEqual((self.head("main"), self.lakefs_head("main")), heads)
                    self.assertNotIn("t%d" % n, c.get_all_tables("sales@main"))
                    self.await_intent_settled()
                    m = self.merge("dev", "main")  # a retry works: no intent left behind
                else:
                    self.assertIn(status, (200, 503), body)
                    m = self.get_commit("main")
                    self.assertNotEqual(m["id"], heads[0], "the merge applied in lakeFS was not completed")
                self.assertEqual(m["parents"], [heads[0], dev_commit["id"]])
                lk = self.assertLinked(m)
                self.assertEqual(self.lakefs_head("main"), lk["id"])
                self.assertIn("t%d" % n, c.get_all_tables("sales@main"))
                self.assertEqual(self.emu.get_object(REPO, "main", "d/%d" % n), b"x")
        self.assertAllLinked("dev", "main")
        self.assertNoOrphanLakeFsCommits("dev", "main")

    def test_create_branch_refused_by_lakefs_creates_no_catalog_branch(self):
        self.start_arbord()
        for name, (action, kw, status) in {
                "b409": ("fail", {"status": 409}, 409),
                "b423": ("fail", {"status": 423}, 423),
                "b500": ("fail500", {}, 503),
                "bdrop": ("drop_before_apply", {}, 503),
                "bhang": ("hang", {"seconds": 2.5, "then": "fail500"}, 503)}.items():
            with self.subTest(action=name):
                self.emu.inject_fault("create_branch", action, **kw)
                got, body = self.api("POST", "/api/v1/branches", {"name": name, "source": "main"})
                self.assertEqual(got, status, body)
                self.assertEqual(self.api("GET", "/api/v1/branches/" + name)[0], 404)
                if action == "hang":
                    time.sleep(1)
                self.assertNotIn(name, [b["id"] for b in self.emu.list_branches(REPO)["results"]])
                # Once lakeFS behaves, the same name can be created.
                self.create_branch(name)
                self.assertEqual(self.lakefs_head(name), self.lakefs_head("main"))

    def test_create_branch_reply_lost_after_apply_then_retry_succeeds(self):
        self.start_arbord()
        self.emu.inject_fault("create_branch", "drop_after_apply")
        status, body = self.api("POST", "/api/v1/branches", {"name": "dev", "source": "main"})
        self.assertIn(status, (201, 503), body)
        self.assertIn("dev", [b["id"] for b in self.emu.list_branches(REPO)["results"]])
        if status == 503:
            # lakeFS made the branch, the catalog did not: a retry must not be stuck on
            # lakeFS's "already exists" for a branch at exactly the requested version.
            status, body = self.api("POST", "/api/v1/branches", {"name": "dev", "source": "main"})
            self.assertEqual(status, 201, "retrying the branch creation fails: %s" % body)
        self.assertEqual(self.lakefs_head("dev"), self.lakefs_head("main"))
        c = self.stage("dev", "t")
        self.assertLinked(self.commit("dev", "works"))

    def test_pending_intent_is_resolved_once_lakefs_answers_again(self):
        """A crash leaves an intent; lakeFS's log fails at start-up; the periodic resolver finishes it."""
        arbord = self.start_arbord()
        self.create_branch("dev")
        c = self.stage("dev", "t1")
        c.close()
        self._clients.remove(c)
        self.emu.inject_fault("commit", "hang", seconds=1.0, then="respond")
        result = {}

        def run():
            try:
                result["r"] = self.api("POST", "/api/v1/branches/dev/commits", {"message": "c"})
            except Exception as e:  # the server is killed
                result["e"] = e

        t = threading.Thread(target=run)
        t.start()
        while not any(f["fired"] for f in self.emu.faults()):
            time.sleep(0.02)
        arbord.kill9()
        t.join()
        # Wait for lakeFS to apply the commit the dead server asked for.
        while not self.lakefs_calls("commit"):
            time.sleep(0.05)
        applied = self.lakefs_calls("commit")[0]
        wanted = applied["request"]["metadata"]["arbor.commit"]
        self.emu.inject_fault("log", "fail500", times=-1)
        arbord.start()
        self.assertIn("intent", arbord.read_log())
        status, body = self.api("POST", "/api/v1/branches/dev/commits", {"message": "blocked"})
        self.assertEqual(status, 503, body)
        self.assertEqual(body["code"], "BUSY", body)
        self.emu.clear_faults()
        deadline = time.time() + 10
        while time.time() < deadline and self.head("dev") != wanted:
            time.sleep(0.2)
        self.assertEqual(self.head("dev"), wanted, "the periodic resolver did not complete the intent")
        self.assertLinked(self.get_commit("dev"))
        c = self.client()
        self.assertIn("t1", c.get_all_tables("sales@" + wanted))
        c.create_table(make_table("sales@dev", "t2"))
        self.assertLinked(self.commit("dev", "next"))
        self.assertAllLinked("dev")
        self.assertNoOrphanLakeFsCommits("dev", "main")


# --------------------------------------------------------------------------- configuration


class LakeFsConfigurationTest(unittest.TestCase):
    """A configured-but-unusable lakeFS stops start-up with a clear message; never standalone."""

    @classmethod
    def setUpClass(cls):
        if not ARBORD:
            raise unittest.SkipTest("ARBORD is not set")
        cls.emu = LakeFSEmulator(repositories=[REPO], secret_access_key="s3cr3t-KEY-do-not-log").start()

    @classmethod
    def tearDownClass(cls):
        cls.emu.cleanup()

    def setUp(self):
        self.emu.reset()
        self.dir = tempfile.mkdtemp(prefix="arbor-lakefs-cfg-")

    def tearDown(self):
        import shutil
        shutil.rmtree(self.dir, ignore_errors=True)

    def run_arbord(self, args, env=None, timeout=60):
        """Runs arbord; returns (exit code, output), or (None, output) if it became ready
        (it is stopped at once)."""
        full = [ARBORD, "--data-dir", os.path.join(self.dir, "data"), "--listen", "127.0.0.1:0",
                "--http-listen", "127.0.0.1:0"] + list(args)
        if ON_POSTGRES:  # the store the harness gives an Arbord on this directory
            full += ["--store", postgres_store(self.dir)]
        e = {k: v for k, v in os.environ.items() if not k.startswith("ARBOR_")}
        e.update(env or {})
        p = subprocess.Popen(full, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=e)
        lines = []

        def read():
            for raw in iter(p.stdout.readline, b""):
                lines.append(raw.decode(errors="replace"))

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        deadline = time.time() + timeout
        code = None
        while time.time() < deadline:
            if p.poll() is not None:
                code = p.returncode
                break
            if any(line.startswith("arbord ready") for line in lines):
                p.terminate()
                break
            time.sleep(0.05)
        else:
            p.kill()
        p.wait()
        reader.join(5)
        p.stdout.close()
        return code, "".join(lines)

    def assertRefused(self, args, *messages, env=None):
        code, out = self.run_arbord(args, env=env)
        self.assertFalse(code is None, "arbord started; it must refuse this configuration:\n" + out)
        self.assertNotEqual(code, 0, out)
        self.assertNotIn("arbord ready", out)
        for m in messages:
            self.assertIn(m, out)
        self.assertNotIn(self.emu.secret_access_key, out)
        return out

    def good(self, **override):
        v = {"endpoint": self.emu.endpoint, "repository": REPO, "access-key-id": self.emu.access_key_id,
             "secret-access-key": self.emu.secret_access_key}
        v.update(override)
        args = []
        for k, val in v.items():
            if val is not None:
                args += ["--lakefs-" + k, val]
        return args

    def test_good_configuration_starts(self):
        a = DrainingArbord(self.good() + ["--lakefs-storage-prefixes", PREFIX], data_dir=self.dir)
        try:
            a.start()
            self.assertIn("lakeFS coupling on", a.read_log())
        finally:
            a.stop()

    def test_unreachable_endpoint(self):
        port = free_port()
        self.assertRefused(self.good(endpoint="http://127.0.0.1:%d/api/v1" % port),
                           "cannot reach lakeFS", "127.0.0.1:%d" % port)

    def test_wrong_credentials(self):
        out = self.assertRefused(self.good(**{"secret-access-key": "wrong-secret-value"}),
                                 "rejected the credentials")
        self.assertNotIn("wrong-secret-value", out)
        self.assertRefused(self.good(**{"access-key-id": "AKIAWRONG"}), "rejected the credentials")

    def test_unknown_repository(self):
        self.assertRefused(self.good(repository="no-such-repo"), "no-such-repo", "not found")

    def test_missing_settings(self):
        for missing in ("secret-access-key", "access-key-id", "repository"):
            with self.subTest(missing=missing):
                self.assertRefused(self.good(**{missing: None}), "--lakefs-endpoint needs")

    def test_secret_from_file_and_environment(self):
        path = os.path.join(self.dir, "secret")
        with open(path, "w") as f:
            f.write("wrong-secret-in-file\n")
        args = self.good(**{"secret-access-key": None}) + ["--lakefs-secret-access-key-file", path]
        self.assertRefused(args, "rejected the credentials")
        self.assertRefused(self.good(**{"secret-access-key": None}), "rejected the credentials",
                           env={"ARBOR_LAKEFS_SECRET_ACCESS_KEY": "wrong-secret-in-env"})
        self.assertRefused(["--lakefs-secret-access-key-file", os.path.join(self.dir, "absent")] +
                           self.good(**{"secret-access-key": None}), "cannot read")

    def test_lakefs_options_without_endpoint(self):
        self.assertRefused(["--lakefs-storage-prefixes", PREFIX], "--lakefs-endpoint is not")
        self.assertRefused(["--lakefs-repository", REPO], "--lakefs-endpoint is not")

    def test_invalid_endpoint(self):
        self.assertRefused(self.good(endpoint="ftp://127.0.0.1:1/api/v1"), "invalid lakeFS endpoint")
        self.assertRefused(self.good(endpoint="127.0.0.1:1"), "invalid lakeFS endpoint")

    def test_coupled_repository_started_without_lakefs_is_refused(self):
        """A repository whose history is paired with lakeFS must not silently run
        standalone when the lakeFS settings are missing (its new commits would be
        unpaired and its rendered locations unresolvable)."""
        a = DrainingArbord(self.good() + ["--lakefs-storage-prefixes", PREFIX], data_dir=self.dir)
        a.start()
        self.assertEqual(http_call(a.http_port, "POST", "/api/v1/branches",
                                   {"name": "dev", "source": "main"})[0], 201)
        c = a.client()
        c.create_database(database("sales@dev"))
        c.close()
        self.assertEqual(http_call(a.http_port, "POST", "/api/v1/branches/dev/commits",
                                   {"message": "paired"})[0], 201)
        a.stop()
        self.assertRefused([], "lakeFS")

    def test_lakefs_failing_at_start_up(self):
        self.emu.inject_fault("get_repository", "fail500", times=-1)
        self.assertRefused(self.good(), "500")
        # A repository that was coupled before still refuses to start without lakeFS.
        self.emu.clear_faults()
        a = DrainingArbord(self.good(), data_dir=self.dir)
        a.start()
        a.stop()
        self.emu.inject_fault("get_repository", "fail500", times=-1)
        self.assertRefused(self.good(), "500")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Unit tests of the lakeFS EMULATOR (lakefs_emulator.py) itself, through emulator_client.py.

Run: /usr/bin/python3 tests/lakefs_emulator/test_emulator.py  (prints "N passed, N failed, N skipped").
"""

import base64
import http.client
import os
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from emulator_client import EMULATOR, PYTHON, LakeFSEmulator, LakeFSError  # noqa: E402

REPO = "repo1"


class EmulatorTestCase(unittest.TestCase):
    """One emulator per class; reset before each test."""

    @classmethod
    def setUpClass(cls):
        cls.emu = LakeFSEmulator(repositories=[REPO, "repo2"]).start()

    @classmethod
    def tearDownClass(cls):
        cls.emu.cleanup()

    def setUp(self):
        self.emu.reset()

    def assertStatus(self, status, fn, *args, **kw):
        with self.assertRaises(LakeFSError) as ctx:
            fn(*args, **kw)
        self.assertEqual(ctx.exception.status, status, ctx.exception)
        return ctx.exception

    def paths(self, diff):
        return [(d["type"], d["path"]) for d in diff["results"]]


class AuthAndRoutingTest(EmulatorTestCase):
    def test_missing_credentials_401(self):
        status, body = self.emu.request("GET", "/api/v1/repositories/repo1/branches/main", auth=False)
        self.assertEqual(status, 401)
        self.assertEqual(body, {"message": "error authenticating request"})

    def test_wrong_secret_401(self):
        other = LakeFSEmulator(secret_access_key="wrong")
        other.port = self.emu.port
        self.assertStatus(401, other.get_branch, REPO, "main")

    def test_healthcheck_needs_no_auth(self):
        status, _ = self.emu.request("GET", "/api/v1/healthcheck", auth=False)
        self.assertEqual(status, 204)

    def test_unknown_repository_404(self):
        e = self.assertStatus(404, self.emu.get_branch, "nosuchrepo", "main")
        self.assertEqual(e.message, "repository not found")
        self.assertStatus(404, self.emu.commit, "nosuchrepo", "main")

    def test_unknown_endpoint_404(self):
        status, body = self.emu.request("GET", "/api/v1/nothing/here")
        self.assertEqual(status, 404)
        self.assertIn("message", body)

    def test_get_repository(self):
        r = self.emu.api("GET", "/repositories/repo1")
        self.assertEqual(r["id"], REPO)
        self.assertEqual(r["default_branch"], "main")

    def test_help_says_emulator(self):
        out = subprocess.run([PYTHON, EMULATOR, "--help"], capture_output=True, text=True).stdout
        self.assertIn("EMULATOR", out)
        self.assertIn("NOT lakeFS", out)


class BranchTest(EmulatorTestCase):
    def test_initial_commit(self):
        head = self.emu.head(REPO, "main")
        c = self.emu.get_commit(REPO, head)
        self.assertEqual(c["parents"], [])
        self.assertEqual(c["message"], "Repository created")
        self.assertEqual(c["generation"], 1)
        self.assertEqual(len(c["id"]), 64)

    def test_create_branch_201_text_commit_id(self):
        status, body = self.emu.request("POST", "/api/v1/repositories/repo1/branches",
                                        body={"name": "dev", "source": "main"})
        self.assertEqual(status, 201)
        self.assertEqual(body, self.emu.head(REPO, "main"))
        self.assertEqual(self.emu.get_branch(REPO, "dev"), {"id": "dev", "commit_id": body})

    def test_create_existing_branch_409(self):
        self.emu.create_branch(REPO, "dev")
        self.assertStatus(409, self.emu.create_branch, REPO, "dev")
        self.assertStatus(409, self.emu.create_branch, REPO, "main")

    def test_create_branch_missing_source_404(self):
        self.assertStatus(404, self.emu.create_branch, REPO, "dev", "nosuch")

    def test_create_branch_invalid_name_400(self):
        self.assertStatus(400, self.emu.create_branch, REPO, "-bad", "main")
        self.assertStatus(400, self.emu.create_branch, REPO, "a/b", "main")

    def test_create_branch_from_commit_and_prefix(self):
        self.emu.write_object(REPO, "main", "a", b"1")
        c = self.emu.commit(REPO, "main", "c1")
        self.assertEqual(self.emu.create_branch(REPO, "b1", c["id"]), c["id"])
        self.assertEqual(self.emu.create_branch(REPO, "b2", c["id"][:10]), c["id"])
        self.assertEqual(self.emu.create_branch(REPO, "b3", "main~1"), c["parents"][0])

    def test_get_and_delete_branch(self):
        self.emu.create_branch(REPO, "dev")
        status, body = self.emu.request("DELETE", "/api/v1/repositories/repo1/branches/dev")
        self.assertEqual(status, 204)
        self.assertIsNone(body)
        self.assertStatus(404, self.emu.get_branch, REPO, "dev")
        self.assertStatus(404, self.emu.delete_branch, REPO, "dev")
        self.assertStatus(403, self.emu.delete_branch, REPO, "main")

    def test_list_branches_paginated(self):
        for n in ("b1", "b2", "b3"):
            self.emu.create_branch(REPO, n)
        page = self.emu.list_branches(REPO, amount=2)
        self.assertEqual([b["id"] for b in page["results"]], ["b1", "b2"])
        self.assertTrue(page["pagination"]["has_more"])
        self.assertEqual(page["pagination"]["next_offset"], "b2")
        page = self.emu.list_branches(REPO, amount=2, after="b2")
        self.assertEqual([b["id"] for b in page["results"]], ["b3", "main"])
        self.assertFalse(page["pagination"]["has_more"])

    def test_repositories_are_separate(self):
        self.emu.create_branch("repo2", "only2")
        self.assertStatus(404, self.emu.get_branch, REPO, "only2")


class CommitTest(EmulatorTestCase):
    def test_commit_fields(self):
        before = self.emu.head(REPO, "main")
        self.emu.write_object(REPO, "main", "t/a.parquet", b"aaa")
        c = self.emu.commit(REPO, "main", "add a", metadata={"arbor.commit": "xyz"}, date=1700000000)
        self.assertEqual(c["parents"], [before])
        self.assertEqual(c["message"], "add a")
        self.assertEqual(c["metadata"], {"arbor.commit": "xyz"})
        self.assertEqual(c["creation_date"], 1700000000)
        self.assertEqual(c["committer"], "admin")
        self.assertEqual(c["generation"], 2)
        self.assertEqual(c["version"], 1)
        self.assertEqual(len(c["id"]), 64)
        self.assertTrue(c["meta_range_id"])
        self.assertEqual(self.emu.head(REPO, "main"), c["id"])
        self.assertEqual(self.emu.get_commit(REPO, c["id"]), c)
        self.assertEqual(self.emu.get_commit(REPO, c["id"][:12])["id"], c["id"])
        self.assertEqual(self.emu.get_commit(REPO, "main")["id"], c["id"])

    def test_commit_201(self):
        self.emu.write_object(REPO, "main", "a", b"1")
        status, _ = self.emu.request("POST", "/api/v1/repositories/repo1/branches/main/commits",
                                     body={"message": "m"})
        self.assertEqual(status, 201)

    def test_empty_commit_400_unless_allowed(self):
        e = self.assertStatus(400, self.emu.commit, REPO, "main", "nothing")
        self.assertEqual(e.message, "commit: no changes")
        c = self.emu.commit(REPO, "main", "empty", allow_empty=True)
        self.assertEqual(self.emu.head(REPO, "main"), c["id"])

    def test_rewriting_same_content_is_no_change(self):
        self.emu.write_object(REPO, "main", "a", b"1")
        self.emu.commit(REPO, "main", "c1")
        self.emu.write_object(REPO, "main", "a", b"1")
        self.assertStatus(400, self.emu.commit, REPO, "main", "again")

    def test_commit_missing_branch_404_and_message_required_400(self):
        self.assertStatus(404, self.emu.commit, REPO, "nosuch", "m")
        self.assertStatus(400, self.emu.api, "POST", "/repositories/repo1/branches/main/commits", {})

    def test_get_commit_404(self):
        self.assertStatus(404, self.emu.get_commit, REPO, "0" * 64)

    def test_delete_object_and_uncommitted_diff(self):
        self.emu.write_object(REPO, "main", "a", b"1")
        self.emu.write_object(REPO, "main", "b", b"2")
        self.emu.commit(REPO, "main", "c1")
        self.emu.delete_object(REPO, "main", "a")
        self.emu.write_object(REPO, "main", "b", b"22")
        self.emu.write_object(REPO, "main", "c", b"3")
        self.emu.delete_object(REPO, "main", "never-existed")
        d = self.emu.diff_branch(REPO, "main")
        self.assertEqual(self.paths(d), [("removed", "a"), ("changed", "b"), ("added", "c")])
        self.assertEqual(d["results"][1]["path_type"], "object")
        self.assertEqual(d["results"][1]["size_bytes"], 2)
        self.assertEqual(self.emu.get_object(REPO, "main", "b"), b"22")
        self.assertEqual(self.emu.get_object(REPO, "main@", "b"), b"2")
        self.emu.commit(REPO, "main", "c2")
        self.assertEqual(self.emu.diff_branch(REPO, "main")["results"], [])

    def test_upload_object_stats(self):
        st = self.emu.write_object(REPO, "main", "x/y", b"hello")
        self.assertEqual(st["path"], "x/y")
        self.assertEqual(st["size_bytes"], 5)
        self.assertEqual(st["checksum"], "5d41402abc4b2a76b9719d911017c592")
        self.assertIn("mtime", st)
        self.assertStatus(404, self.emu.write_object, REPO, "nosuch", "p", b"1")

    def test_upload_multipart(self):
        boundary = "XyZ"
        body = ("--XyZ\r\nContent-Disposition: form-data; name=\"content\"; filename=\"f\"\r\n"
                "Content-Type: application/octet-stream\r\n\r\nmultipart-data\r\n--XyZ--\r\n").encode()
        st = self.emu.api("POST", "/repositories/repo1/branches/main/objects", query={"path": "m"},
                          raw_body=body, content_type="multipart/form-data; boundary=" + boundary)
        self.assertEqual(st["size_bytes"], len(b"multipart-data"))
        self.assertEqual(self.emu.get_object(REPO, "main", "m"), b"multipart-data")


class LogTest(EmulatorTestCase):
    def make_commits(self, n, branch="main"):
        ids = []
        for i in range(n):
            self.emu.write_object(REPO, branch, "%s/f%d" % (branch, i), b"%d-%f" % (i, time.time()))
            ids.append(self.emu.commit(REPO, branch, "c%d" % i)["id"])
        return ids

    def test_log_order_and_pagination(self):
        ids = self.make_commits(5)
        first = self.emu.get_commit(REPO, "main~5")["id"]
        expect = list(reversed(ids)) + [first]
        page = self.emu.log(REPO, "main", amount=2)
        self.assertEqual([c["id"] for c in page["results"]], expect[:2])
        p = page["pagination"]
        self.assertEqual((p["has_more"], p["next_offset"], p["results"], p["max_per_page"]),
                         (True, expect[1], 2, 1000))
        page = self.emu.log(REPO, "main", amount=2, after=p["next_offset"])
        self.assertEqual([c["id"] for c in page["results"]], expect[2:4])
        page = self.emu.log(REPO, "main", amount=2, after=page["pagination"]["next_offset"])
        self.assertEqual([c["id"] for c in page["results"]], expect[4:])
        self.assertFalse(page["pagination"]["has_more"])
        self.assertEqual(page["pagination"]["next_offset"], "")
        all_ = self.emu.log(REPO, "main")
        self.assertEqual([c["id"] for c in all_["results"]], expect)

    def test_log_first_parent_and_modifiers(self):
        self.make_commits(1)
        self.emu.create_branch(REPO, "dev")
        dev_ids = self.make_commits(2, "dev")
        self.make_commits(1)
        m = self.emu.merge(REPO, "dev", "main")
        full = [c["id"] for c in self.emu.log(REPO, "main")["results"]]
        fp = [c["id"] for c in self.emu.log(REPO, "main", first_parent=True)["results"]]
        self.assertEqual(full[0], m)
        for d in dev_ids:
            self.assertIn(d, full)
            self.assertNotIn(d, fp)
        self.assertEqual(len(fp), 4)  # merge, main c0', main c0, initial
        self.assertEqual(self.emu.get_commit(REPO, "main^2")["id"], dev_ids[-1])
        self.assertEqual(self.emu.get_commit(REPO, "main^2~1")["id"], dev_ids[0])
        self.assertEqual(self.emu.get_commit(REPO, "main~1")["id"], fp[1])

    def test_log_objects_filter(self):
        self.make_commits(3)
        res = self.emu.log(REPO, "main", objects="main/f1")["results"]
        self.assertEqual([c["message"] for c in res], ["c1"])

    def test_log_unknown_ref_404(self):
        self.assertStatus(404, self.emu.log, REPO, "nosuch")


class MergeTest(EmulatorTestCase):
    def setup_branches(self):
        self.emu.write_object(REPO, "main", "shared", b"base")
        self.emu.write_object(REPO, "main", "keep", b"k")
        self.emu.commit(REPO, "main", "base")
        self.emu.create_branch(REPO, "dev")

    def test_merge_clean_three_way(self):
        self.setup_branches()
        self.emu.write_object(REPO, "dev", "dev-only", b"d")
        dev = self.emu.commit(REPO, "dev", "dev change")["id"]
        self.emu.write_object(REPO, "main", "main-only", b"m")
        self.emu.delete_object(REPO, "main", "keep")
        main = self.emu.commit(REPO, "main", "main change")["id"]
        base = self.emu.merge_base(REPO, "dev", "main")
        self.assertEqual(base["source_commit_id"], dev)
        self.assertEqual(base["destination_commit_id"], main)
        self.assertEqual(base["base_commit_id"], self.emu.get_commit(REPO, "main~1")["id"])
        status, body = self.emu.request("POST", "/api/v1/repositories/repo1/refs/dev/merge/main",
                                        body={"metadata": {"arbor.commit": "m1"}})
        self.assertEqual(status, 200)
        mc = self.emu.get_commit(REPO, body["reference"])
        self.assertEqual(mc["parents"], [main, dev])
        self.assertEqual(mc["metadata"], {"arbor.commit": "m1", ".lakefs.merge.strategy": "default"})
        self.assertEqual(mc["message"], "Merge 'dev' into 'main'")
        self.assertEqual(mc["generation"], 4)
        self.assertEqual(self.emu.head(REPO, "main"), body["reference"])
        objs = self.emu.state()["repositories"][REPO]["commits"][body["reference"]]["objects"]
        self.assertEqual(sorted(objs), ["dev-only", "main-only", "shared"])

    def test_merge_conflict_409_without_list(self):
        self.setup_branches()
        self.emu.write_object(REPO, "dev", "shared", b"dev")
        self.emu.commit(REPO, "dev", "d")
        self.emu.write_object(REPO, "main", "shared", b"main")
        head = self.emu.commit(REPO, "main", "m")["id"]
        status, body = self.emu.request("POST", "/api/v1/repositories/repo1/refs/dev/merge/main", body={})
        self.assertEqual(status, 409)
        self.assertEqual(body, {"reference": ""})
        self.assertEqual(self.emu.head(REPO, "main"), head)
        d = self.emu.diff_refs(REPO, "main", "dev")
        self.assertEqual(self.paths(d), [("conflict", "shared")])

    def test_change_vs_delete_conflicts(self):
        self.setup_branches()
        self.emu.delete_object(REPO, "dev", "shared")
        self.emu.commit(REPO, "dev", "d")
        self.emu.write_object(REPO, "main", "shared", b"main")
        self.emu.commit(REPO, "main", "m")
        self.assertStatus(409, self.emu.merge, REPO, "dev", "main")

    def test_same_change_both_sides_is_no_conflict(self):
        self.setup_branches()
        self.emu.write_object(REPO, "dev", "shared", b"same")
        dev = self.emu.commit(REPO, "dev", "d")["id"]
        self.emu.write_object(REPO, "main", "shared", b"same")
        self.emu.write_object(REPO, "main", "other", b"o")
        main = self.emu.commit(REPO, "main", "m")["id"]
        ref = self.emu.merge(REPO, "dev", "main")
        # A real merge commit on main, not a conflict and not a no-op.
        self.assertEqual(self.emu.head(REPO, "main"), ref)
        self.assertEqual(self.emu.get_commit(REPO, ref)["parents"], [main, dev])
        # The merged tree holds the shared change once, and main's other edits.
        self.assertEqual(self.emu.get_object(REPO, "main", "shared"), b"same")
        self.assertEqual(self.emu.get_object(REPO, "main", "other"), b"o")
        self.assertEqual(self.emu.get_object(REPO, "main", "keep"), b"k")
        objs = self.emu.state()["repositories"][REPO]["commits"][ref]["objects"]
        self.assertEqual(sorted(objs), ["keep", "other", "shared"])
        # The source branch is untouched.
        self.assertEqual(self.emu.head(REPO, "dev"), dev)
        self.assertEqual(self.emu.get_object(REPO, "dev", "shared"), b"same")

    def test_strategies(self):
        for strategy, expect in (("source-wins", b"dev"), ("dest-wins", b"main")):
            self.emu.reset()
            self.setup_branches()
            self.emu.write_object(REPO, "dev", "shared", b"dev")
            self.emu.write_object(REPO, "dev", "new", b"n")
            self.emu.commit(REPO, "dev", "d")
            self.emu.write_object(REPO, "main", "shared", b"main")
            self.emu.commit(REPO, "main", "m")
            ref = self.emu.merge(REPO, "dev", "main", strategy=strategy)
            self.assertEqual(self.emu.get_commit(REPO, ref)["metadata"][".lakefs.merge.strategy"], strategy)
            self.assertEqual(self.emu.get_object(REPO, "main", "shared"), expect)
            self.assertEqual(self.emu.get_object(REPO, "main", "new"), b"n")

    def test_invalid_strategy_400(self):
        self.setup_branches()
        self.assertStatus(400, self.emu.merge, REPO, "dev", "main", strategy="ours")

    def test_nothing_to_merge_400(self):
        self.setup_branches()
        e = self.assertStatus(400, self.emu.merge, REPO, "dev", "main")
        self.assertEqual(e.message, "no changes")
        # the source is an ancestor of the destination: also nothing to merge
        self.emu.write_object(REPO, "main", "x", b"x")
        self.emu.commit(REPO, "main", "m")
        self.assertStatus(400, self.emu.merge, REPO, "dev", "main")
        ref = self.emu.merge(REPO, "dev", "main", allow_empty=True)
        self.assertEqual(len(self.emu.get_commit(REPO, ref)["parents"]), 2)

    def test_fast_forward_content_still_makes_merge_commit(self):
        self.setup_branches()
        self.emu.write_object(REPO, "dev", "n", b"n")
        dev = self.emu.commit(REPO, "dev", "d")["id"]
        main = self.emu.head(REPO, "main")
        ref = self.emu.merge(REPO, "dev", "main")
        self.assertEqual(self.emu.get_commit(REPO, ref)["parents"], [main, dev])

    def test_squash_merge_single_parent(self):
        self.setup_branches()
        self.emu.write_object(REPO, "dev", "n", b"n")
        self.emu.commit(REPO, "dev", "d")
        main = self.emu.head(REPO, "main")
        ref = self.emu.merge(REPO, "dev", "main", squash_merge=True, message="squash")
        c = self.emu.get_commit(REPO, ref)
        self.assertEqual((c["parents"], c["message"]), ([main], "squash"))

    def test_dirty_destination_400_and_source_staging_ignored(self):
        self.setup_branches()
        self.emu.write_object(REPO, "dev", "n", b"n")
        self.emu.commit(REPO, "dev", "d")
        self.emu.write_object(REPO, "dev", "uncommitted", b"u")
        self.emu.write_object(REPO, "main", "dirty", b"x")
        e = self.assertStatus(400, self.emu.merge, REPO, "dev", "main")
        self.assertEqual(e.message, "main: uncommitted changes (dirty branch)")
        self.emu.delete_object(REPO, "main", "dirty")
        self.emu.merge(REPO, "dev", "main")
        self.assertStatus(404, self.emu.get_object, REPO, "main", "uncommitted")

    def test_merge_missing_refs_404(self):
        self.assertStatus(404, self.emu.merge, REPO, "nosuch", "main")
        self.assertStatus(404, self.emu.merge, REPO, "main", "nosuch")

    def test_criss_cross_merge_base_is_a_common_ancestor(self):
        self.setup_branches()
        self.emu.write_object(REPO, "dev", "d1", b"1")
        self.emu.commit(REPO, "dev", "d1")
        self.emu.write_object(REPO, "main", "m1", b"1")
        self.emu.commit(REPO, "main", "m1")
        self.emu.merge(REPO, "dev", "main")
        self.emu.write_object(REPO, "dev", "d2", b"2")
        dev = self.emu.commit(REPO, "dev", "d2")["id"]
        base = self.emu.merge_base(REPO, "dev", "main")["base_commit_id"]
        self.assertEqual(base, self.emu.get_commit(REPO, "dev~1")["id"])
        self.emu.merge(REPO, dev, "main")


class DiffTest(EmulatorTestCase):
    def test_two_and_three_dot(self):
        self.emu.write_object(REPO, "main", "a", b"1")
        self.emu.write_object(REPO, "main", "b", b"2")
        self.emu.commit(REPO, "main", "base")
        self.emu.create_branch(REPO, "dev")
        self.emu.write_object(REPO, "dev", "a", b"11")
        self.emu.write_object(REPO, "dev", "c", b"3")
        self.emu.commit(REPO, "dev", "d")
        self.emu.delete_object(REPO, "main", "b")
        self.emu.commit(REPO, "main", "m")
        two = self.emu.diff_refs(REPO, "main", "dev", type="two_dot")
        self.assertEqual(self.paths(two), [("changed", "a"), ("added", "b"), ("added", "c")])
        three = self.emu.diff_refs(REPO, "main", "dev")
        self.assertEqual(self.paths(three), [("changed", "a"), ("added", "c")])
        page = self.emu.diff_refs(REPO, "main", "dev", type="two_dot", amount=1)
        self.assertEqual(page["pagination"]["next_offset"], "a")
        page = self.emu.diff_refs(REPO, "main", "dev", type="two_dot", amount=1, after="a")
        self.assertEqual(self.paths(page), [("added", "b")])
        self.assertEqual(self.paths(self.emu.diff_refs(REPO, "main", "dev", type="two_dot", prefix="c")),
                         [("added", "c")])

    def test_two_dot_branch_dollar_includes_staging(self):
        self.emu.create_branch(REPO, "dev")
        self.emu.write_object(REPO, "dev", "s", b"staged")
        self.assertEqual(self.emu.diff_refs(REPO, "main", "dev", type="two_dot")["results"], [])
        self.assertEqual(self.paths(self.emu.diff_refs(REPO, "main", "dev$", type="two_dot")),
                         [("added", "s")])


class FaultTest(EmulatorTestCase):
    def test_fail500_and_fail429_nth(self):
        self.emu.inject_fault("create_branch", "fail500", nth=2)
        self.emu.create_branch(REPO, "b1")
        e = self.assertStatus(500, self.emu.create_branch, REPO, "b2")
        self.assertIn("injected", e.message)
        self.assertStatus(404, self.emu.get_branch, REPO, "b2")  # not applied
        self.emu.create_branch(REPO, "b2")  # fired once only
        self.emu.inject_fault("get_branch", "fail429", times=2)
        self.assertStatus(429, self.emu.get_branch, REPO, "b1")
        self.assertStatus(429, self.emu.get_branch, REPO, "b1")
        self.emu.get_branch(REPO, "b1")

    def test_generic_fail_status(self):
        self.emu.inject_fault("commit", "fail", status=423, message="branch is locked")
        e = self.assertStatus(423, self.emu.commit, REPO, "main", "m", allow_empty=True)
        self.assertEqual(e.message, "branch is locked")

    def test_drop_after_apply(self):
        self.emu.write_object(REPO, "main", "a", b"1")
        self.emu.inject_fault("commit", "drop_after_apply")
        before = self.emu.head(REPO, "main")
        with self.assertRaises((http.client.HTTPException, OSError)):
            self.emu.commit(REPO, "main", "lost reply", metadata={"arbor.commit": "c1"})
        c = self.emu.get_commit(REPO, "main")
        self.assertNotEqual(c["id"], before)
        self.assertEqual(c["metadata"], {"arbor.commit": "c1"})
        calls = self.emu.calls(op="commit")
        self.assertEqual(calls[-1]["dropped"], True)
        self.assertEqual(calls[-1]["applied_status"], 201)
        self.assertEqual(calls[-1]["request"]["metadata"], {"arbor.commit": "c1"})

    def test_drop_before_apply(self):
        self.emu.inject_fault("create_branch", "drop_before_apply")
        with self.assertRaises((http.client.HTTPException, OSError)):
            self.emu.create_branch(REPO, "dev")
        self.assertStatus(404, self.emu.get_branch, REPO, "dev")

    def test_hang_then_respond_and_timeout(self):
        self.emu.inject_fault("get_branch", "hang", seconds=0.5)
        t = time.time()
        self.emu.get_branch(REPO, "main")
        self.assertGreaterEqual(time.time() - t, 0.45)
        self.emu.write_object(REPO, "main", "a", b"1")
        self.emu.inject_fault("commit", "hang", seconds=1.0, then="respond")
        with self.assertRaises(OSError):  # socket.timeout is an OSError
            self.emu.request("POST", "/api/v1/repositories/repo1/branches/main/commits",
                             body={"message": "slow"}, timeout=0.2)
        time.sleep(1.2)
        self.assertEqual(self.emu.get_commit(REPO, "main")["message"], "slow")  # applied after the hang

    def test_hang_then_fail(self):
        self.emu.inject_fault("merge", "hang", seconds=0.1, then="fail500")
        self.emu.create_branch(REPO, "dev")
        self.assertStatus(500, self.emu.merge, REPO, "dev", "main")

    def test_any_and_clear(self):
        self.emu.inject_fault("any", "fail500", nth=2)
        self.emu.get_branch(REPO, "main")
        self.assertStatus(500, self.emu.log, REPO, "main")
        self.emu.inject_fault("log", "fail500")
        self.emu.clear_faults()
        self.emu.log(REPO, "main")

    def test_bad_fault_spec_400(self):
        self.assertStatus(400, self.emu.inject_fault, "nosuchop", "fail500")
        self.assertStatus(400, self.emu.inject_fault, "commit", "explode")

    def test_call_log_and_state(self):
        self.emu.create_branch(REPO, "dev")
        self.assertStatus(409, self.emu.create_branch, REPO, "dev")
        calls = self.emu.calls()
        self.assertEqual([(c["op"], c["status"]) for c in calls], [("create_branch", 201), ("create_branch", 409)])
        self.assertEqual(calls[1]["response"]["message"], "branch already exists: not unique")
        st = self.emu.state()["repositories"][REPO]
        self.assertEqual(sorted(st["branches"]), ["dev", "main"])
        self.assertEqual(st["branches"]["dev"]["commit_id"], st["branches"]["main"]["commit_id"])
        self.emu.reset()
        self.assertEqual(self.emu.calls(), [])


class ConcurrencyTest(EmulatorTestCase):
    def test_parallel_branches_commits_merges(self):
        errors = []

        def worker(i):
            try:
                b = "w%d" % i
                self.emu.create_branch(REPO, b)
                for j in range(3):
                    self.emu.write_object(REPO, b, "%s/%d" % (b, j), b"x")
                    self.emu.commit(REPO, b, "%s-%d" % (b, j))
                self.emu.merge(REPO, b, "main")
            except Exception as e:  # noqa: BLE001
                errors.append(e)

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        objs = self.emu.state()["repositories"][REPO]["commits"][self.emu.head(REPO, "main")]["objects"]
        self.assertEqual(len(objs), 24)
        fp = self.emu.log(REPO, "main", first_parent=True)["results"]
        self.assertEqual(len(fp), 9)

    def test_keep_alive_connection(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.emu.port, timeout=10)
        auth = {"Authorization": "Basic " + base64.b64encode(b"AKIAEMULATOR:emulator-secret").decode()}
        try:
            for path, method, want in (("/api/v1/repositories/repo1/branches/main", "GET", 200),
                                       ("/api/v1/repositories/repo1/branches/nosuch", "GET", 404),
                                       ("/api/v1/repositories/repo1/branches/main", "DELETE", 403),
                                       ("/api/v1/healthcheck", "GET", 204),
                                       ("/api/v1/repositories/repo1", "GET", 200)):
                conn.request(method, path, headers=auth)
                r = conn.getresponse()
                r.read()
                self.assertEqual(r.status, want, path)
        finally:
            conn.close()


class PersistenceTest(unittest.TestCase):
    def test_state_file_survives_kill9(self):
        emu = LakeFSEmulator(repositories=[REPO], persist=True).start()
        try:
            emu.create_branch(REPO, "dev")
            emu.write_object(REPO, "dev", "a", b"1")
            c = emu.commit(REPO, "dev", "c", metadata={"arbor.commit": "x"})
            emu.write_object(REPO, "dev", "staged", b"s")
            emu.kill9()
            emu.start()
            self.assertEqual(emu.head(REPO, "dev"), c["id"])
            self.assertEqual(emu.get_commit(REPO, c["id"])["metadata"], {"arbor.commit": "x"})
            self.assertEqual(emu.get_object(REPO, "dev", "staged"), b"s")
            self.assertEqual([d["path"] for d in emu.diff_branch(REPO, "dev")["results"]], ["staged"])
        finally:
            emu.cleanup()

    def test_bad_repository_name_rejected(self):
        r = subprocess.run([PYTHON, EMULATOR, "--repository", "x", "--access-key-id", "a",
                            "--secret-access-key", "b"], capture_output=True, text=True, timeout=30)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("invalid repository name", r.stderr)


def main():
    # Prints "N passed, N failed" so CI can read the count without a test runner.
    result = unittest.main(exit=False, verbosity=2).result
    failed = len(result.failures) + len(result.errors)
    passed = result.testsRun - failed - len(result.skipped)
    print("%d passed, %d failed, %d skipped" % (passed, failed, len(result.skipped)))
    sys.exit(1 if failed or result.testsRun == 0 else 0)


if __name__ == "__main__":
    main()

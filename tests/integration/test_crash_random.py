"""Randomized crash test, in the spirit of RocksDB's db_crashtest: random mixes of
staged writes, commits, merges, reverts, tags, branch creation and deletion and garbage
collection run against a real arbord that is killed with SIGKILL at random moments.
Background GC also runs every second with no grace period, so kills land inside
collections too. After every restart:

* every acknowledged operation is present: the set of branches and tags, each branch's
  visible partitions (committed and staged) and its head commit's partitions, and each
  tag's partitions equal the model's. The one operation in flight at the kill may have
  happened or not (either state is accepted, and the model adopts it);
* every ref points at a readable commit: its log walks (each commit is read) and its
  head and a sample of its history read back whole.

The run prints its seed; ARBOR_TEST_SEED=<seed> replays the same operations and kill
delays (the exact kill point still depends on timing). ARBOR_CRASH_SECONDS sets the
length (default 45 s; bench/README.md records a long run).
"""

import copy
import os
import random
import signal
import threading
import time
import urllib.error

from harness import OwnServerTestCase, admin_call, hms, main, make_partition, make_table


class ServerGone(Exception):
    """The server died under the current operation (the kill), so its outcome is unknown."""


class Model:
    def __init__(self):
        # branch -> {"committed": set, "staged": set}; tag -> set
        self.branches = {"main": {"committed": set(), "staged": set()}}
        self.tags = {}

    def visible(self, b):
        return self.branches[b]["committed"] | self.branches[b]["staged"]


class RandomCrashTest(OwnServerTestCase):
    server_args = ["--gc-interval", "1", "--gc-grace", "0"]

    def setUp(self):
        super().setUp()
        self.states = {}  # commit id -> committed partitions at that commit
        self.counter = 0
        self.killed = threading.Event()
        self.stats = {"kills": 0, "acked": 0, "in_flight_applied": 0, "in_flight_dropped": 0}

    # --- talking to a server that may be killed at any moment -----------------------

    def alive(self):
        # The killer's flag, not the process table: a reset connection can be seen
        # before the killed process is reaped.
        return not self.killed.is_set()

    def api(self, method, path, body=None, want=(200, 201, 204)):
        try:
            status, out = admin_call(self.server.http_port, method, path, body, timeout=60)
        except (urllib.error.URLError, ConnectionError, OSError) as e:
            if not self.alive():
                raise ServerGone() from e
            raise
        if status not in want:
            if not self.alive():
                raise ServerGone()
            raise AssertionError("%s %s -> %s %s" % (method, path, status, out))
        return out

    def thrift(self, fn, *args):
        try:
            return getattr(self.c, fn)(*args)
        except hms.MetaException:
            raise
        except Exception as e:  # noqa: BLE001 - transport errors when the server died
            if not self.alive():
                raise ServerGone() from e
            raise

    def head(self, branch):
        return self.api("GET", "/api/v1/branches/" + branch)["head"]

    # --- operations: each returns (description, predicted model, on_ack) -------------

    def op_write(self, rng, m):
        b = rng.choice(sorted(m.branches))
        names = []
        for _ in range(rng.randint(1, 40)):
            self.counter += 1
            names.append("p%07d" % self.counter)
        post = copy.deepcopy(m)
        post.branches[b]["staged"] |= {"ds=" + n for n in names}
        parts = [make_partition("sales@" + b, "orders", [n]) for n in names]
        return "write %d to %s" % (len(names), b), post, lambda: self.thrift("add_partitions", parts)

    def op_commit(self, rng, m):
        dirty = [b for b in sorted(m.branches) if m.branches[b]["staged"]]
        if not dirty:
            return None
        b = rng.choice(dirty)
        post = copy.deepcopy(m)
        br = post.branches[b]
        br["committed"] |= br["staged"]
        br["staged"] = set()

        def run():
            out = self.api("POST", "/api/v1/branches/%s/commits" % b, {"message": "c"})
            self.record(out, br["committed"])
        return "commit " + b, post, run

    def record(self, out, committed):
        """Remembers what a commit written by a merge or revert holds."""
        if out.get("commit", {}).get("id"):
            self.states[out["commit"]["id"]] = frozenset(committed)

    def op_merge(self, rng, m):
        clean = [b for b in sorted(m.branches) if not m.branches[b]["staged"]]
        if len(m.branches) < 2 or not clean:
            return None
        dst = rng.choice(clean)
        src = rng.choice([b for b in sorted(m.branches) if b != dst])
        # Three-way: the destination, minus what the source dropped since the merge base,
        # plus what it added.
        dry = self.api("POST", "/api/v1/branches/%s/merge" % dst, {"source": src, "dry_run": True},
                       want=(200, 409))
        if dry.get("status") not in ("dry_run", "nothing_to_merge") or dry.get("base") not in self.states:
            return None
        base = self.states[dry["base"]]
        theirs = m.branches[src]["committed"]
        post = copy.deepcopy(m)
        br = post.branches[dst]
        br["committed"] = (br["committed"] - (base - theirs)) | (theirs - base)

        def run():
            out = self.api("POST", "/api/v1/branches/%s/merge" % dst, {"source": src})
            self.record(out, br["committed"])
        return "merge %s into %s" % (src, dst), post, run

    def op_revert(self, rng, m):
        clean = [b for b in sorted(m.branches) if not m.branches[b]["staged"]]
        if not clean:
            return None
        b = rng.choice(clean)
        head = self.head(b)
        commit = self.api("GET", "/api/v1/commits/" + head)
        parents = commit.get("parents", [])
        if len(parents) != 1 or parents[0] not in self.states:
            return None
        post = copy.deepcopy(m)
        post.branches[b]["committed"] = set(self.states[parents[0]])

        def run():
            out = self.api("POST", "/api/v1/branches/%s/revert" % b, {"commit": head})
            self.record(out, post.branches[b]["committed"])
        return "revert %s %s" % (b, head[:8]), post, run

    def op_tag(self, rng, m):
        b = rng.choice(sorted(m.branches))
        self.counter += 1
        t = "t%d" % self.counter
        post = copy.deepcopy(m)
        post.tags[t] = set(m.branches[b]["committed"])
        return ("tag %s at %s" % (t, b), post,
                lambda: self.api("POST", "/api/v1/tags", {"name": t, "ref": b}))

    def op_delete_tag(self, rng, m):
        if not m.tags:
            return None
        t = rng.choice(sorted(m.tags))
        post = copy.deepcopy(m)
        del post.tags[t]
        return "delete tag " + t, post, lambda: self.api("DELETE", "/api/v1/tags/" + t)

    def op_branch(self, rng, m):
        if len(m.branches) >= 6:
            return None
        src = rng.choice(sorted(m.branches) + sorted(m.tags))
        self.counter += 1
        b = "b%d" % self.counter
        post = copy.deepcopy(m)
        committed = m.branches[src]["committed"] if src in m.branches else m.tags[src]
        post.branches[b] = {"committed": set(committed), "staged": set()}
        return ("branch %s from %s" % (b, src), post,
                lambda: self.api("POST", "/api/v1/branches", {"name": b, "source": src}))

    def op_delete_branch(self, rng, m):
        others = [b for b in sorted(m.branches) if b != "main"]
        if not others:
            return None
        b = rng.choice(others)
        post = copy.deepcopy(m)
        del post.branches[b]
        return "delete branch " + b, post, lambda: self.api("DELETE", "/api/v1/branches/" + b)

    def op_gc(self, rng, m):
        return ("gc", copy.deepcopy(m),
                lambda: self.api("POST", "/api/v1/gc", {"grace_seconds": 0}, want=(200, 503)))

    OPS = [(op_write, 30), (op_commit, 18), (op_merge, 10), (op_revert, 6), (op_tag, 6),
           (op_delete_tag, 3), (op_branch, 8), (op_delete_branch, 5), (op_gc, 4)]

    # --- verification ----------------------------------------------------------------

    def observe(self):
        """The server's state in the model's terms, plus a readability check of every ref."""
        seen = Model()
        seen.branches = {}
        for b in self.api("GET", "/api/v1/branches")["branches"]:
            name, head = b["name"], b["head"]
            visible = set(self.c.get_partition_names("sales@" + name, "orders", -1))
            committed = set(self.c.get_partition_names("sales@" + head, "orders", -1))
            seen.branches[name] = {"committed": committed, "staged": visible - committed,
                                   "head": head, "visible": visible}
        for t in self.api("GET", "/api/v1/tags")["tags"]:
            seen.tags[t["name"]] = set(self.c.get_partition_names("sales@" + t["name"], "orders",
                                                                  -1))
        return seen

    def check_history(self, rng, seen):
        refs = sorted(seen.branches) + sorted(seen.tags)
        for ref in refs:
            log = self.api("GET", "/api/v1/refs/%s/commits?limit=10000" % ref)["commits"]
            self.assertTrue(log, ref)
            for commit in rng.sample(log, min(3, len(log))):
                self.c.get_all_tables("default@" + commit["id"])

    @staticmethod
    def same(model, seen):
        if set(model.branches) != set(seen.branches) or set(model.tags) != set(seen.tags):
            return False
        for b, st in model.branches.items():
            if seen.branches[b]["visible"] != model.visible(b):
                return False
            if seen.branches[b]["committed"] != st["committed"]:
                return False
        return all(seen.tags[t] == model.tags[t] for t in model.tags)

    @staticmethod
    def describe(model, seen):
        lines = ["branches model=%s seen=%s" % (sorted(model.branches), sorted(seen.branches)),
                 "tags model=%s seen=%s" % (sorted(model.tags), sorted(seen.tags))]
        for b in sorted(set(model.branches) & set(seen.branches)):
            missing = model.visible(b) - seen.branches[b]["visible"]
            extra = seen.branches[b]["visible"] - model.visible(b)
            if missing or extra:
                lines.append("%s: missing %s extra %s" % (b, sorted(missing)[:5], sorted(extra)[:5]))
        return "\n".join(lines)

    # --- the run --------------------------------------------------------------------

    def test_random_operations_with_kill9(self):
        seed = int(os.environ.get("ARBOR_TEST_SEED", random.SystemRandom().randrange(1 << 31)))
        seconds = float(os.environ.get("ARBOR_CRASH_SECONDS", "45"))
        print("\nRandomCrashTest seed=%d (replay: ARBOR_TEST_SEED=%d), %.0f s"
              % (seed, seed, seconds), flush=True)
        rng = random.Random(seed)
        self.c.create_database(hms.Database(name="sales", parameters={}))
        self.c.create_table(make_table("sales", "orders", part_keys=(("ds", "string"),)))
        out = self.api("POST", "/api/v1/branches/main/commits", {"message": "orders"})
        self.states[out["commit"]["id"]] = frozenset()
        m = Model()
        history = []
        ops, weights = zip(*self.OPS)
        deadline = time.time() + seconds
        cycle = 0
        try:
            while time.time() < deadline:
                cycle += 1
                delay = rng.uniform(0.05, 2.0)
                self.killed.clear()
                pid = self.server.proc.pid

                def kill(pid=pid):
                    self.killed.set()
                    os.kill(pid, signal.SIGKILL)
                killer = threading.Timer(delay, kill)
                killer.start()
                pending = None
                try:
                    while True:
                        choice = rng.choices(ops, weights)[0]
                        planned = choice(self, rng, m)
                        if planned is None:
                            continue
                        what, post, run = planned
                        pending = (what, post)
                        history.append("cycle %d: %s" % (cycle, what))
                        run()
                        m = post
                        pending = None
                        self.stats["acked"] += 1
                except ServerGone:
                    pass
                finally:
                    killer.join()
                self.stats["kills"] += 1
                self.assertEqual(self.server.kill9(), -signal.SIGKILL)
                try:
                    self.c.close()
                except Exception:  # noqa: BLE001
                    pass
                self.server.start()
                self.c = self.server.client()
                seen = self.observe()
                if self.same(m, seen):
                    if pending is not None and not self.same(pending[1], seen):
                        self.stats["in_flight_dropped"] += 1
                elif pending is not None and self.same(pending[1], seen):
                    m = pending[1]
                    self.stats["in_flight_applied"] += 1
                else:
                    raise AssertionError("after the kill in cycle %d (in flight: %s):\n%s"
                                         % (cycle, pending[0] if pending else "nothing",
                                            self.describe(m, seen)))
                for b, st in seen.branches.items():
                    self.states[st["head"]] = frozenset(st["committed"])
                self.check_history(rng, seen)
        except AssertionError as e:
            raise AssertionError("seed=%d (ARBOR_TEST_SEED=%d to replay); last operations:\n%s\n%s"
                                 % (seed, seed, "\n".join(history[-15:]), e)) from None
        parts = sum(len(m.visible(b)) for b in m.branches)
        print("RandomCrashTest: %d kill -9 cycles, %d acknowledged operations (%d in flight "
              "at a kill applied, %d dropped), %d branches, %d tags, %d partitions visible"
              % (self.stats["kills"], self.stats["acked"], self.stats["in_flight_applied"],
                 self.stats["in_flight_dropped"], len(m.branches), len(m.tags), parts),
              flush=True)
        self.assertGreater(self.stats["kills"], 3)


if __name__ == "__main__":
    main()

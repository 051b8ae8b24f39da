"""Scale-out: three arbord instances on one PostgreSQL store, 16 clients spread over
them round-robin, all writing to the same tables at once:

  * partition adds to one table (each partition name used once);
  * Iceberg's lock-free commit: alter_table with expected_parameter_key/_value on
    `metadata_location`, each commit naming the location it replaced;
  * Iceberg's lock-based commit: lock(EXCLUSIVE, TABLE), read, alter, unlock, each
    commit appending its id to a table parameter;
  * branch create, a partition on the branch, commit, merge into a shared branch.

Afterwards every acknowledged write is present exactly once, the lock-free
commits form one unbroken chain (no two won against the same base), and the
lock-based history lost no commit. Then the same load runs again while one
instance is killed with SIGKILL; a client whose instance died moves to the next one,
and its calls that got no answer count as unknown: they may be present (once) or
absent, while every acknowledged one must be there.

Only meaningful on PostgreSQL, so ctest runs it once, with the `postgres` fixture.
The seed is printed (ARBOR_TEST_SEED replays an interleaving).
"""

import os
import random
import threading
import time
import unittest

from harness import ARBORD, Arbord, admin_call, hms, main, make_partition, make_table, \
    postgres_store

from thrift.Thrift import TException

DB = "scale"
CLIENTS = 16
EXCLUSIVE, TABLE = hms.LockType.EXCLUSIVE, hms.LockLevel.TABLE


class Outcome:
    """What the clients did: per kind, the ids acknowledged and the ids whose call
    got no answer (the instance died), and any unexpected errors."""

    def __init__(self, kills):
        self.kills = kills  # whether an instance is killed during this load
        self.mu = threading.Lock()
        self.acked = {"part": set(), "cas": set(), "lock": set(), "merge": set()}
        self.unknown = {k: set() for k in self.acked}
        self.errors = []
        # Lock-free commits: the location each one replaced (its last attempt's base).
        self.previous = {}

    def add(self, kind, ident, acked):
        with self.mu:
            (self.acked if acked else self.unknown)[kind].add(ident)


class ClientLoop:
    """One client: its own connection to instance k % 3, failing over to the next
    instance when its instance stops answering."""

    def __init__(self, test, k, rng, outcome, phase):
        self.test, self.k, self.rng, self.outcome, self.phase = test, k, rng, outcome, phase
        self.server_index = k % len(test.servers)
        self.c = None

    def server(self):
        return self.test.servers[self.server_index]

    def connect(self):
        for _ in range(len(self.test.servers)):
            s = self.server()
            if s.proc is not None and s.proc.poll() is None:
                try:
                    self.c = s.client(timeout_ms=20000)
                    return
                except Exception:
                    pass
            self.server_index = (self.server_index + 1) % len(self.test.servers)
        raise RuntimeError("no instance left")

    def failover(self):
        try:
            self.c.close()
        except Exception:
            pass
        self.server_index = (self.server_index + 1) % len(self.test.servers)
        self.connect()

    def run(self, ops):
        self.connect()
        for kind, j in ops:
            ident = "%s-c%d-%d" % (self.phase, self.k, j)
            try:
                getattr(self, "do_" + kind)(ident)
                self.outcome.add("merge" if kind == "branch" else kind, ident, True)
            except (TException, OSError) as e:
                if isinstance(e, hms.MetaException) or isinstance(e, hms.AlreadyExistsException):
                    # An answer from a live instance: a real error.
                    with self.outcome.mu:
                        self.outcome.errors.append("%s %s: %r" % (kind, ident, e))
                    continue
                # No answer: the instance is gone; the call may or may not have applied.
                if not self.outcome.kills:
                    with self.outcome.mu:
                        self.outcome.errors.append("%s %s: %r" % (kind, ident, e))
                self.outcome.add("merge" if kind == "branch" else kind, ident, False)
                self.failover()
        self.c.close()

    def do_part(self, ident):
        self.c.add_partition(make_partition(DB, "parts", [ident]))

    def do_cas(self, ident):
        while True:
            t = self.c.get_table(DB, "ice")
            old = t.parameters["metadata_location"]
            t.parameters["metadata_location"] = ident
            t.parameters["previous_metadata_location"] = old
            with self.outcome.mu:
                self.outcome.previous[ident] = old
            ctx = hms.EnvironmentContext(properties={
                "expected_parameter_key": "metadata_location",
                "expected_parameter_value": old})
            try:
                self.c.alter_table_with_environment_context(DB, "ice", t, ctx)
                return
            except hms.MetaException as e:
                if "has been modified" not in e.message:
                    raise
                time.sleep(self.rng.random() * 0.01)

    def do_lock(self, ident):
        comp = hms.LockComponent(type=EXCLUSIVE, level=TABLE, dbname=DB, tablename="locked")
        res = self.c.lock(hms.LockRequest(component=[comp], user="u", hostname="h",
                                          agentInfo="Iceberg-" + ident))
        deadline = time.time() + 60
        while res.state != hms.LockState.ACQUIRED:
            if time.time() > deadline:
                raise hms.MetaException(message="lock not granted in 60 s")
            time.sleep(0.01)
            res = self.c.check_lock(hms.CheckLockRequest(lockid=res.lockid))
        try:
            t = self.c.get_table(DB, "locked")
            history = t.parameters.get("history", "")
            t.parameters["history"] = (history + "," if history else "") + ident
            self.c.alter_table(DB, "locked", t)
        finally:
            try:
                self.c.unlock(hms.UnlockRequest(lockid=res.lockid))
            except (TException, OSError):
                pass

    def do_branch(self, ident):
        http = self.server().http_port
        branch = ident.lower().replace("-", "_")

        def ok(method, path, body):
            status, out = admin_call(http, method, path, body)
            if status >= 300:
                raise hms.MetaException(message="%s %s -> %d %s" % (method, path, status, out))
            return out

        ok("POST", "/api/v1/branches", {"name": branch, "source": "int"})
        self.c.add_partition(make_partition(DB + "@" + branch, "parts", ["br-" + ident]))
        ok("POST", "/api/v1/branches/%s/commits" % branch, {"message": ident})
        # Merges into `int` race on its record across instances: a loser is told to
        # retry, and does.
        for _ in range(100):
            status, out = admin_call(http, "POST", "/api/v1/branches/int/merge",
                                     {"source": branch})
            if status < 300:
                return
            if "retry" not in str(out):
                raise hms.MetaException(message="merge -> %d %s" % (status, out))
            time.sleep(self.rng.random() * 0.02)
        raise hms.MetaException(message="merge kept losing")


class ScaleOutTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not ARBORD:
            raise unittest.SkipTest("ARBORD is not set")
        cls.seed = int(os.environ.get("ARBOR_TEST_SEED", random.randrange(1 << 30)))
        print("seed %d (ARBOR_TEST_SEED replays it)" % cls.seed, flush=True)
        store = postgres_store("scale-out-%d-%f" % (os.getpid(), time.time()))
        cls.servers = []
        try:
            # Started together on an empty database: they race to create the schema
            # and the repository, and all must come up on the one that won. Locks of
            # clients that die with their instance expire in seconds.
            cls.servers = [Arbord(["--lock-timeout", "3"], store=store) for _ in range(3)]
            errors = []

            def start(s):
                try:
                    s.start()
                except Exception as e:  # reported below, with the others
                    errors.append(e)

            threads = [threading.Thread(target=start, args=(s,)) for s in cls.servers]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            if errors:
                raise errors[0]
            c = cls.servers[0].client()
            c.create_database(hms.Database(name=DB))
            c.create_table(make_table(DB, "parts", part_keys=(("ds", "string"),)))
            ice = make_table(DB, "ice")
            ice.parameters = {"table_type": "ICEBERG", "metadata_location": "m0"}
            c.create_table(ice)
            c.create_table(make_table(DB, "locked"))
            c.close()
            http = cls.servers[0].http_port
            for method, path, body in [
                    ("POST", "/api/v1/branches/main/commits", {"message": "tables"}),
                    ("POST", "/api/v1/branches", {"name": "int", "source": "main"})]:
                status, out = admin_call(http, method, path, body)
                assert status < 300, (path, status, out)
        except BaseException:
            for s in cls.servers:
                s.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        for s in cls.servers:
            s.cleanup()

    def run_load(self, phase, kill_after=None):
        rng = random.Random("%d-%s" % (self.seed, phase))
        outcome = Outcome(kills=kill_after is not None)
        threads = []
        for k in range(CLIENTS):
            ops = ([("part", j) for j in range(6)] + [("cas", j) for j in range(3)]
                   + [("lock", j) for j in range(2)] + [("branch", 0)])
            rng.shuffle(ops)
            loop = ClientLoop(self, k, random.Random(rng.random()), outcome, phase)
            threads.append(threading.Thread(target=loop.run, args=(ops,)))
        start = time.time()
        for t in threads:
            t.start()
        if kill_after is not None:
            # Mid-load: once a fraction of all operations is acknowledged.
            total = CLIENTS * 12
            while True:
                with outcome.mu:
                    done = sum(len(v) for v in outcome.acked.values())
                if done >= total * kill_after:
                    break
                time.sleep(0.005)
            self.servers[2].kill9()
            print("killed instance 2 after %d of %d operations" % (done, total), flush=True)
        for t in threads:
            t.join(timeout=300)
            self.assertFalse(t.is_alive(), "a client hung")
        print("%s: %.1f s, acknowledged %s, unknown %s" % (
            phase, time.time() - start, {k: len(v) for k, v in outcome.acked.items()},
            {k: len(v) for k, v in outcome.unknown.items()}), flush=True)
        self.assertEqual(outcome.errors, [])
        return outcome

    def check(self, outcome, phase):
        c = self.servers[0].client()
        try:
            def exactly_once_or_unknown(kind, present):
                mine = [p for p in present if p.startswith(phase + "-")]
                self.assertEqual(len(mine), len(set(mine)), "%s: duplicates" % kind)
                missing = outcome.acked[kind] - set(mine)
                self.assertEqual(missing, set(), "%s: acknowledged but lost" % kind)
                extra = set(mine) - outcome.acked[kind] - outcome.unknown[kind]
                self.assertEqual(extra, set(), "%s: present but never written" % kind)

            parts = [n[len("ds="):] for n in c.get_partition_names(DB, "parts", -1)]
            exactly_once_or_unknown("part", parts)

            # Lock-free commits: follow the chain of replaced locations back from the
            # current one. Two commits that both won against one base would leave one
            # of them off the chain.
            t = c.get_table(DB, "ice")
            loc = t.parameters["metadata_location"]
            self.assertEqual(t.parameters.get("previous_metadata_location"),
                             outcome.previous.get(loc, t.parameters.get(
                                 "previous_metadata_location")))
            chain, seen = [], set()
            while loc.startswith(phase + "-"):
                self.assertNotIn(loc, seen, "cycle in the metadata chain")
                seen.add(loc)
                chain.append(loc)
                loc = outcome.previous[loc]
            exactly_once_or_unknown("cas", chain)

            history = c.get_table(DB, "locked").parameters.get("history", "").split(",")
            exactly_once_or_unknown("lock", [h for h in history if h])

            merged = [n[len("ds=br-"):] for n in c.get_partition_names(DB + "@int", "parts", -1)
                      if n.startswith("ds=br-")]
            exactly_once_or_unknown("merge", merged)
        finally:
            c.close()

    def test_a_concurrent_load(self):
        outcome = self.run_load("p1")
        self.check(outcome, "p1")

    def test_b_kill9_one_instance(self):
        outcome = self.run_load("p2", kill_after=0.3)
        self.check(outcome, "p2")
        # The surviving instances and a restarted one serve the same catalog.
        self.servers[2].start()
        a = self.servers[0].client()
        b = self.servers[2].client()
        try:
            self.assertEqual(sorted(a.get_partition_names(DB, "parts", -1)),
                             sorted(b.get_partition_names(DB, "parts", -1)))
        finally:
            a.close()
            b.close()


if __name__ == "__main__":
    main()

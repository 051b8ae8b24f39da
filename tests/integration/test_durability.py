"""Durability (docs/architecture.md#durability): an acknowledged write survives `kill -9` and restart, a
crash mid-write leaves the old or the new state, and SIGTERM shuts down cleanly.

Every test runs its own arbord (default options, so --sync-writes true) on one data
directory and restarts it there. The randomized test is seeded: it prints its seed, and
ARBOR_TEST_SEED=<seed> replays a run.
"""

import os
import random
import signal
import sys
import threading
import time

from harness import OwnServerTestCase, admin_call, hms, main, make_partition, make_table

PART_KEYS = (("ds", "string"), ("hr", "int"))


def part_name(values):
    return "ds=%s/hr=%s" % tuple(values)


class Model:
    """What the catalog must hold: db -> table -> {"params": {...}, "parts": {name: params}}.
    Only parameters the test sets (prefix "k_") are compared; the server adds its own
    (transient_lastDdlTime)."""

    def __init__(self):
        self.dbs = {}

    def tables(self):
        return [(d, t) for d in sorted(self.dbs) for t in sorted(self.dbs[d])]

    def parts(self):
        return [(d, t, p) for d, t in self.tables() for p in sorted(self.dbs[d][t]["parts"])]


def own_params(params):
    return {k: v for k, v in (params or {}).items() if k.startswith("k_")}


class DurabilityBase(OwnServerTestCase):

    def crash_and_restart(self):
        """kill -9 immediately (no grace), then start on the same data directory."""
        code = self.server.kill9()
        self.assertEqual(code, -signal.SIGKILL)
        try:
            self.c.close()
        except Exception:  # noqa: BLE001
            pass
        self.server.start()
        self.c = self.server.client()

    def assertState(self, model, context=""):
        c = self.c
        self.assertEqual(sorted(c.get_all_databases()), sorted(set(model.dbs) | {"default"}),
                         context)
        for db, tables in model.dbs.items():
            self.assertEqual(sorted(c.get_all_tables(db)), sorted(tables), context + " db " + db)
            for name, table in tables.items():
                where = "%s %s.%s" % (context, db, name)
                t = c.get_table(db, name)
                self.assertEqual(own_params(t.parameters), table["params"], where)
                self.assertEqual([k.name for k in t.partitionKeys], [k for k, _ in PART_KEYS],
                                 where)
                self.assertEqual(sorted(c.get_partition_names(db, name, -1)),
                                 sorted(table["parts"]), where)
                got = {part_name(p.values): own_params(p.parameters)
                       for p in c.get_partitions(db, name, -1)}
                self.assertEqual(got, table["parts"], where)


class KillAfterAckTest(DurabilityBase):
    def test_each_kind_of_write_survives_kill9(self):
        m = Model()
        c = self.c
        c.create_database(hms.Database(name="d1", parameters={"k_owner": "a"}))
        m.dbs["d1"] = {}
        self.crash_and_restart()
        self.assertState(m, "after create_database")
        self.assertEqual(self.c.get_database("d1").parameters.get("k_owner"), "a")

        self.c.create_table(make_table("d1", "t", part_keys=PART_KEYS, params={"k_v": "1"}))
        m.dbs["d1"]["t"] = {"params": {"k_v": "1"}, "parts": {}}
        self.crash_and_restart()
        self.assertState(m, "after create_table")

        vals = [["2024-01-01", str(h)] for h in range(24)]
        self.assertEqual(self.c.add_partitions([make_partition("d1", "t", v) for v in vals]), 24)
        m.dbs["d1"]["t"]["parts"].update({part_name(v): {} for v in vals})
        self.crash_and_restart()
        self.assertState(m, "after add_partitions")

        self.c.add_partition(make_partition("d1", "t", ["2024-01-02", "0"]))
        m.dbs["d1"]["t"]["parts"]["ds=2024-01-02/hr=0"] = {}
        self.crash_and_restart()
        self.assertState(m, "after add_partition")

        t = self.c.get_table("d1", "t")
        t.parameters["k_v"] = "2"
        self.c.alter_table("d1", "t", t)
        m.dbs["d1"]["t"]["params"]["k_v"] = "2"
        self.crash_and_restart()
        self.assertState(m, "after alter_table")

        p = self.c.get_partition("d1", "t", ["2024-01-01", "5"])
        p.parameters["k_rows"] = "500"
        self.c.alter_partition("d1", "t", p)
        m.dbs["d1"]["t"]["parts"]["ds=2024-01-01/hr=5"] = {"k_rows": "500"}
        self.crash_and_restart()
        self.assertState(m, "after alter_partition")

        self.assertTrue(self.c.drop_partition("d1", "t", ["2024-01-01", "7"], False))
        del m.dbs["d1"]["t"]["parts"]["ds=2024-01-01/hr=7"]
        self.crash_and_restart()
        self.assertState(m, "after drop_partition")

        self.c.drop_table("d1", "t", False)
        del m.dbs["d1"]["t"]
        self.crash_and_restart()
        self.assertState(m, "after drop_table")

        self.c.drop_database("d1", False, False)
        del m.dbs["d1"]
        self.crash_and_restart()
        self.assertState(m, "after drop_database")


class RandomizedCrashTest(DurabilityBase):
    CYCLES = 10

    def test_random_write_kill_restart_cycles(self):
        seed = int(os.environ.get("ARBOR_TEST_SEED", random.SystemRandom().randrange(1 << 31)))
        print("\nRandomizedCrashTest seed=%d (replay: ARBOR_TEST_SEED=%d)" % (seed, seed),
              file=sys.stderr)
        rng = random.Random(seed)
        m = Model()
        counter = [0]
        ops_log = []
        try:
            for cycle in range(self.CYCLES):
                for _ in range(rng.randint(1, 6)):
                    ops_log.append("cycle %d: %s" % (cycle, self.random_write(rng, m, counter)))
                self.crash_and_restart()  # right after the last acknowledged write
                self.assertState(m, "cycle %d" % cycle)
        except AssertionError as e:
            raise AssertionError("seed=%d (ARBOR_TEST_SEED=%d to replay); writes so far:\n%s\n%s"
                                 % (seed, seed, "\n".join(ops_log[-12:]), e)) from None

    def random_write(self, rng, m, counter):
        c = self.c

        def fresh(prefix):
            counter[0] += 1
            return "%s%d" % (prefix, counter[0])

        tables = m.tables()
        parts = m.parts()
        choices = ["create_database"]
        if m.dbs:
            choices += ["create_table"] * 2 + ["drop_database"]
        if tables:
            choices += ["add_partitions"] * 3 + ["add_partition", "alter_table", "rename_table",
                                                 "drop_table"]
        if parts:
            choices += ["alter_partition", "drop_partition"]
        op = rng.choice(choices)

        if op == "create_database":
            name = fresh("db")
            c.create_database(hms.Database(name=name))
            m.dbs[name] = {}
            return op + " " + name
        if op == "drop_database":
            name = rng.choice(sorted(m.dbs))
            c.drop_database(name, False, True)  # cascade
            del m.dbs[name]
            return op + " " + name
        if op == "create_table":
            db = rng.choice(sorted(m.dbs))
            name = fresh("t")
            params = {"k_created": str(rng.randint(0, 10**6))}
            c.create_table(make_table(db, name, part_keys=PART_KEYS, params=params))
            m.dbs[db][name] = {"params": dict(params), "parts": {}}
            return "%s %s.%s" % (op, db, name)
        db, name = rng.choice(tables)
        table = m.dbs[db][name]
        if op in ("add_partitions", "add_partition"):
            n = rng.randint(1, 40) if op == "add_partitions" else 1
            new = []
            while len(new) < n:
                v = ["2024-%02d-%02d" % (rng.randint(1, 12), rng.randint(1, 28)),
                     str(rng.randint(0, 23))]
                if part_name(v) not in table["parts"] and v not in new:
                    new.append(v)
            if op == "add_partitions":
                self.assertEqual(c.add_partitions([make_partition(db, name, v) for v in new]), n)
            else:
                c.add_partition(make_partition(db, name, new[0]))
            table["parts"].update({part_name(v): {} for v in new})
            return "%s %s.%s x%d" % (op, db, name, n)
        if op == "alter_table":
            t = c.get_table(db, name)
            key = "k_%d" % rng.randint(0, 3)
            t.parameters[key] = str(rng.randint(0, 10**6))
            c.alter_table(db, name, t)
            table["params"][key] = t.parameters[key]
            return "%s %s.%s %s" % (op, db, name, key)
        if op == "rename_table":
            t = c.get_table(db, name)
            new_name = fresh("r")
            t.tableName = new_name
            c.alter_table(db, name, t)
            m.dbs[db][new_name] = m.dbs[db].pop(name)
            return "%s %s.%s -> %s" % (op, db, name, new_name)
        if op == "drop_table":
            c.drop_table(db, name, False)
            del m.dbs[db][name]
            return "%s %s.%s" % (op, db, name)
        db, name, pname = rng.choice(parts)
        table = m.dbs[db][name]
        values = [kv.split("=", 1)[1] for kv in pname.split("/")]
        if op == "alter_partition":
            p = c.get_partition(db, name, values)
            p.parameters["k_rows"] = str(rng.randint(0, 10**6))
            c.alter_partition(db, name, p)
            table["parts"][pname] = own_params(p.parameters)
        else:
            self.assertTrue(c.drop_partition(db, name, values, False))
            del table["parts"][pname]
        return "%s %s.%s %s" % (op, db, name, pname)


class ManyClientsOneBranchTest(DurabilityBase):
    """kill -9 while 16 clients add partitions to one branch at once. Their writes are
    group-committed (several share one synced batch): every acknowledged write must be
    there after the restart, and each client's writes land in the order it made them."""

    CLIENTS = 16
    MODE = "staged"

    def test_concurrent_writers_one_branch_survive_kill9(self):
        rng = random.Random(11)
        self.c.create_database(hms.Database(name="gc"))
        self.c.create_table(make_table("gc", "t", part_keys=PART_KEYS))
        status, out = admin_call(self.server.http_port, "PUT", "/api/v1/branches/main/commit-mode",
                                 {"mode": self.MODE})
        self.assertEqual((status, out.get("commit_mode")), (200, self.MODE))
        next_hr = [0] * self.CLIENTS  # per client: the next hour to add
        for cycle in range(3):
            acked = list(next_hr)
            stop = threading.Event()
            clients = [self.server.client() for _ in range(self.CLIENTS)]

            def writer(k):
                try:
                    while not stop.is_set():
                        hr = acked[k]
                        clients[k].add_partition(make_partition("gc", "t", ["c%02d" % k, str(hr)]))
                        acked[k] = hr + 1
                except Exception:  # noqa: BLE001 - the server is killed under it
                    pass

            threads = [threading.Thread(target=writer, args=(k,)) for k in range(self.CLIENTS)]
            for th in threads:
                th.start()
            time.sleep(rng.uniform(0.5, 1.0))
            self.server.kill9()
            stop.set()
            for th in threads:
                th.join(30)
            for cl in clients:
                cl.close()
            self.c.close()
            self.server.start()
            self.c = self.server.client()
            present = {}
            for n in self.c.get_partition_names("gc", "t", -1):
                ds, hr = n.split("/")
                present.setdefault(ds[len("ds="):], set()).add(int(hr[len("hr="):]))
            self.assertGreater(sum(acked) - sum(next_hr), 0, "cycle %d: no write acknowledged" % cycle)
            for k in range(self.CLIENTS):
                hours = present.get("c%02d" % k, set())
                where = "cycle %d client %d: acked %d, present %r" % (cycle, k, acked[k],
                                                                     sorted(hours))
                # A prefix of the client's writes: acknowledged ones all there, plus at
                # most the one in flight when the server died.
                self.assertEqual(hours, set(range(len(hours))), where)
                self.assertGreaterEqual(len(hours), acked[k], where)
                self.assertLessEqual(len(hours), acked[k] + 1, where)
                next_hr[k] = len(hours)


class ManyClientsOneAutoBranchTest(ManyClientsOneBranchTest):
    """The same in auto mode, where a batch chains one commit per write and moves the
    branch once: acknowledged writes survive, each client's in order."""

    MODE = "auto"

    def test_concurrent_writers_one_branch_survive_kill9(self):
        super().test_concurrent_writers_one_branch_survive_kill9()
        # Every write that survived is its own commit: one per partition, plus the
        # repository's first commit. (The database and the table were staged before
        # the switch to auto mode, so they ride in the first partition's commit.)
        status, out = admin_call(self.server.http_port, "GET", "/api/v1/refs/main/commits?limit=1000")
        self.assertEqual(status, 200, out)
        parts = len(self.c.get_partition_names("gc", "t", -1))
        self.assertGreaterEqual(len(out["commits"]), min(parts + 1, 1000))


class CrashMidWriteTest(DurabilityBase):
    """kill -9 while a client streams add_partitions batches: every batch is all or
    nothing, and every acknowledged batch is there."""

    BATCH = 50

    def test_kill_during_add_partitions(self):
        rng = random.Random(7)
        self.c.create_database(hms.Database(name="mw"))
        self.c.create_table(make_table("mw", "t", part_keys=PART_KEYS))
        acked = 0
        for cycle in range(4):
            acked_now = [acked]
            stop = threading.Event()
            client = self.server.client()

            def writer():
                try:
                    while not stop.is_set():
                        b = acked_now[0]
                        client.add_partitions([
                            make_partition("mw", "t", ["b%05d" % b, str(i)])
                            for i in range(self.BATCH)])
                        acked_now[0] = b + 1
                except Exception:  # noqa: BLE001 - the server is killed under it
                    pass

            th = threading.Thread(target=writer)
            th.start()
            # Kill at a random point while batches are being written, once this cycle
            # has had one acknowledged: on a loaded machine the first may take longer
            # than any fixed delay.
            deadline = time.monotonic() + 30
            while acked_now[0] == acked and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(rng.uniform(0.0, 0.4))
            self.server.kill9()
            stop.set()
            th.join(30)
            client.close()
            self.c.close()
            self.server.start()
            self.c = self.server.client()
            names = self.c.get_partition_names("mw", "t", -1)
            batches = {}
            for n in names:
                batch = n.split("/")[0][len("ds="):]
                batches[batch] = batches.get(batch, 0) + 1
            self.assertTrue(all(v == self.BATCH for v in batches.values()),
                            "cycle %d: a batch is partly there: %r" % (
                                cycle, {k: v for k, v in batches.items() if v != self.BATCH}))
            acked_before = acked_now[0]
            # Every acknowledged batch is there; at most one more (acked by the server but
            # not yet seen by the client when it died).
            self.assertGreaterEqual(len(batches), acked_before, "cycle %d" % cycle)
            self.assertLessEqual(len(batches), acked_before + 1, "cycle %d" % cycle)
            self.assertEqual(sorted(batches), ["b%05d" % i for i in range(len(batches))])
            self.assertGreater(acked_before, acked, "cycle %d: no write got through" % cycle)
            acked = len(batches)


class GracefulShutdownTest(DurabilityBase):
    def test_sigterm_exits_zero_and_keeps_everything(self):
        m = Model()
        self.c.create_database(hms.Database(name="g"))
        m.dbs["g"] = {}
        for i in range(3):
            self.c.create_table(make_table("g", "t%d" % i, part_keys=PART_KEYS,
                                           params={"k_i": str(i)}))
            vals = [["2024-03-01", str(h)] for h in range(24)]
            self.c.add_partitions([make_partition("g", "t%d" % i, v) for v in vals])
            m.dbs["g"]["t%d" % i] = {"params": {"k_i": str(i)},
                                     "parts": {part_name(v): {} for v in vals}}
        # An idle client stays connected through the shutdown.
        idle = self.server.client()
        idle.get_all_databases()
        started = time.time()
        self.assertEqual(self.server.stop(), 0)
        self.assertLess(time.time() - started, 10, "SIGTERM took too long")
        idle.close()
        self.c.close()
        self.server.start()
        self.c = self.server.client()
        self.assertState(m, "after SIGTERM")
        self.c.close()
        self.assertEqual(self.server.stop(signal.SIGINT), 0)
        self.server.start()
        self.c = self.server.client()
        self.assertState(m, "after SIGINT")

    def test_sigterm_while_clients_are_writing(self):
        """Calls in flight finish or fail cleanly; every acknowledged one is kept."""
        self.c.create_database(hms.Database(name="busy"))
        self.c.create_table(make_table("busy", "t", part_keys=PART_KEYS))
        acked = [[] for _ in range(3)]

        def writer(k):
            c = self.server.client()
            try:
                for i in range(100000):
                    c.add_partition(make_partition("busy", "t", ["w%d" % k, str(i)]))
                    acked[k].append(i)
            except Exception:  # noqa: BLE001 - the server goes away under it
                pass
            finally:
                c.close()

        threads = [threading.Thread(target=writer, args=(k,)) for k in range(3)]
        for t in threads:
            t.start()
        time.sleep(0.5)
        self.assertEqual(self.server.stop(), 0)
        for t in threads:
            t.join(30)
        self.c.close()
        self.server.start()
        self.c = self.server.client()
        names = set(self.c.get_partition_names("busy", "t", -1))
        for k in range(3):
            self.assertTrue(acked[k], "writer %d got nothing through" % k)
            want = {"ds=w%d/hr=%d" % (k, i) for i in acked[k]}
            self.assertEqual(want - names, set(), "acknowledged partitions lost")
            extra = {n for n in names if n.startswith("ds=w%d/" % k)} - want
            self.assertLessEqual(len(extra), 1, "writer %d" % k)


if __name__ == "__main__":
    main()

"""Concurrent HMS clients against one arbord: no lost writes, atomic batches, consistent
reads, and exactly one winner in create races.

Every thread has its own connection (as every Hive/Spark/Trino process would). Writers
start together behind a barrier. Branches are made through the admin API; the writers
on them reach their branch in every way a Hive client can (`db@branch`, the session
ref, one connection hopping between branches). Merges are in test_branches.py.
"""

import threading
import time

from harness import ArbordTestCase, admin_call, hms, main, make_partition, make_table

DB = "conc"
WRITERS = 16
PER_WRITER = 50          # 3 add_partitions of 10 + 20 add_partition
BATCH = 10
BATCHES = 3


def writer_values(w):
    """Writer w's 50 partitions: (batch id, i). Batches are "w03b1"; singles "w03s"."""
    vals = []
    for b in range(BATCHES):
        vals += [("w%02db%d" % (w, b), str(i)) for i in range(BATCH)]
    vals += [("w%02ds" % w, str(i)) for i in range(PER_WRITER - BATCH * BATCHES)]
    return vals


def name_of(values):
    return "g=%s/i=%s" % tuple(values)


class ConcurrencyTest(ArbordTestCase):
    database = DB

    def run_threads(self, targets, timeout=60):
        errors = []

        def wrap(fn):
            def run():
                try:
                    fn()
                except Exception as e:  # noqa: BLE001 - collected and reported below
                    errors.append("%s: %r" % (threading.current_thread().name, e))
            return run

        threads = [threading.Thread(target=wrap(t), name="t%d" % i)
                   for i, t in enumerate(targets)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout)
        self.assertFalse([t.name for t in threads if t.is_alive()], "threads hung")
        return errors

    def test_concurrent_add_partitions_with_readers(self):
        # Five rounds, each on a fresh table, to give races more chances.
        for round_ in range(5):
            with self.subTest(round=round_):
                self.add_partitions_round("parts%d" % round_)

    def add_partitions_round(self, table):
        self.c.create_table(make_table(DB, table, part_keys=(("g", "string"), ("i", "int"))))
        barrier = threading.Barrier(WRITERS)
        writers_done = threading.Event()
        remaining = [WRITERS]
        lock = threading.Lock()
        reads = []

        def writer(w):
            def run():
                c = self.server.client()
                try:
                    vals = writer_values(w)
                    barrier.wait(30)
                    # Interleave the batches with the single calls.
                    singles = vals[BATCH * BATCHES:]
                    for b in range(BATCHES):
                        batch = vals[b * BATCH:(b + 1) * BATCH]
                        n = c.add_partitions([make_partition(DB, table, v) for v in batch])
                        if n != BATCH:
                            raise AssertionError("add_partitions returned %d" % n)
                        for v in singles[b::BATCHES]:
                            p = c.add_partition(make_partition(DB, table, v))
                            if list(p.values) != list(v):
                                raise AssertionError("add_partition returned %r" % p.values)
                finally:
                    c.close()
                    with lock:
                        remaining[0] -= 1
                        if remaining[0] == 0:
                            writers_done.set()
            return run

        def reader(kind):
            def run():
                c = self.server.client()
                last = 0
                try:
                    while True:
                        done = writers_done.is_set()
                        if kind == "partitions":
                            parts = c.get_partitions(DB, table, -1)
                            names = [name_of(p.values) for p in parts]
                            for p in parts:
                                if (p.dbName, p.tableName) != (DB, table) or len(p.values) != 2:
                                    raise AssertionError("bad partition %r" % p)
                        else:
                            names = c.get_partition_names(DB, table, -1)
                            if c.get_table(DB, table).tableName != table:
                                raise AssertionError("get_table")
                        if len(set(names)) != len(names):
                            raise AssertionError("duplicate names in one read")
                        if len(names) < last:
                            raise AssertionError("count went back from %d to %d"
                                                 % (last, len(names)))
                        last = len(names)
                        # Each add_partitions batch is all or nothing in every read.
                        per_batch = {}
                        for n in names:
                            g = n.split("/")[0][2:]
                            if "b" in g:
                                per_batch[g] = per_batch.get(g, 0) + 1
                        partial = {g: k for g, k in per_batch.items() if k != BATCH}
                        if partial:
                            raise AssertionError("a batch is partly visible: %r" % partial)
                        reads.append(len(names))
                        if done:
                            return
                finally:
                    c.close()
            return run

        started = time.time()
        errors = self.run_threads([writer(w) for w in range(WRITERS)]
                                  + [reader("partitions"), reader("partitions"), reader("names")])
        elapsed = time.time() - started
        self.assertEqual(errors, [])
        want = sorted(name_of(v) for w in range(WRITERS) for v in writer_values(w))
        got = self.c.get_partition_names(DB, table, -1)
        self.assertEqual(len(got), WRITERS * PER_WRITER)
        self.assertEqual(sorted(got), want)
        self.assertEqual(len(self.c.get_partitions(DB, table, -1)), WRITERS * PER_WRITER)
        # The readers ran while the writers did, not only afterwards.
        self.assertGreater(len([r for r in reads if 0 < r < WRITERS * PER_WRITER]), 0,
                           "no read saw an intermediate state (%d reads in %.1f s)"
                           % (len(reads), elapsed))

    def test_concurrent_creates_of_distinct_tables(self):
        barrier = threading.Barrier(WRITERS)

        def creator(w):
            def run():
                c = self.server.client()
                try:
                    barrier.wait(30)
                    for i in range(5):
                        c.create_table(make_table(DB, "d%02d_%d" % (w, i)))
                finally:
                    c.close()
            return run

        self.assertEqual(self.run_threads([creator(w) for w in range(WRITERS)]), [])
        got = [t for t in self.c.get_all_tables(DB) if t.startswith("d")]
        self.assertEqual(sorted(got), sorted("d%02d_%d" % (w, i)
                                             for w in range(WRITERS) for i in range(5)))

    def test_create_races_have_exactly_one_winner(self):
        self.c.create_table(make_table(DB, "race_parts", part_keys=(("g", "string"),)))
        for what in ("table", "partition", "database"):
            barrier = threading.Barrier(8)
            outcomes = []

            def racer():
                c = self.server.client()
                try:
                    barrier.wait(30)
                    if what == "table":
                        c.create_table(make_table(DB, "same"))
                    elif what == "partition":
                        c.add_partition(make_partition(DB, "race_parts", ["x"]))
                    else:
                        c.create_database(hms.Database(name="samedb"))
                    outcomes.append("ok")
                except hms.AlreadyExistsException:
                    outcomes.append("exists")
                finally:
                    c.close()

            self.assertEqual(self.run_threads([racer] * 8), [], what)
            self.assertEqual(sorted(outcomes), ["exists"] * 7 + ["ok"], what)

    def test_concurrent_alters_of_one_table(self):
        """Concurrent alter_table calls on one table all succeed (HMS clients do not
        expect spurious conflicts); the result is one of them, not a mix."""
        self.c.create_table(make_table(DB, "alt"))
        barrier = threading.Barrier(8)

        def alterer(w):
            def run():
                c = self.server.client()
                try:
                    barrier.wait(30)
                    for i in range(10):
                        t = c.get_table(DB, "alt")
                        t.parameters["writer"] = str(w)
                        t.parameters["round"] = str(i)
                        t.parameters["pair"] = "%d/%d" % (w, i)
                        c.alter_table(DB, "alt", t)
                finally:
                    c.close()
            return run

        self.assertEqual(self.run_threads([alterer(w) for w in range(8)]), [])
        p = self.c.get_table(DB, "alt").parameters
        self.assertEqual(p["pair"], "%s/%s" % (p["writer"], p["round"]))
        self.assertEqual(p["round"], "9")

    def test_branches(self):
        """Writers on four branches at once, while one branch is committed repeatedly:
        every acknowledged partition is on its own branch, and on no other, nor on main."""
        table = "brt"
        branches = ["conc-br%d" % b for b in range(4)]
        self.c.create_table(make_table(DB, table, part_keys=(("v", "string"),)))
        status, out = admin_call(self.server.http_port, "POST", "/api/v1/branches/main/commits",
                                 {"message": "branch test base"})
        self.assertEqual(status, 201, out)
        for name in branches:
            status, out = admin_call(self.server.http_port, "POST", "/api/v1/branches",
                                     {"name": name, "source": "main"})
            self.assertEqual(status, 201, out)

        per_thread = 20
        acked = {name: [] for name in branches}  # list.append is atomic in CPython
        barrier = threading.Barrier(3 * len(branches))

        def add(c, db, b, value, batch):
            part = make_partition(db, table, [value])
            if batch:
                if c.add_partitions([part]) != 1:
                    raise AssertionError("add_partitions did not add %s" % value)
            else:
                got = c.add_partition(part)
                if list(got.values) != [value]:
                    raise AssertionError("add_partition returned %r" % got.values)
            acked[branches[b]].append(value)

        def explicit(b):
            """Names the branch in every call: db@branch."""
            def run():
                c = self.server.client()
                try:
                    barrier.wait(30)
                    for i in range(per_thread):
                        add(c, "%s@%s" % (DB, branches[b]), b, "e%d-%02d" % (b, i), i % 4 == 3)
                finally:
                    c.close()
            return run

        def session(b):
            """Sets the connection's session ref once, then uses plain names."""
            def run():
                c = self.server.client()
                try:
                    c.setMetaConf("arbor.ref", branches[b])
                    barrier.wait(30)
                    for i in range(per_thread):
                        add(c, DB, b, "s%d-%02d" % (b, i), i % 4 == 1)
                finally:
                    c.close()
            return run

        def hopper(k):
            """One connection writing to every branch in turn."""
            def run():
                c = self.server.client()
                try:
                    barrier.wait(30)
                    for i in range(per_thread):
                        b = (k + i) % len(branches)
                        add(c, "%s@%s" % (DB, branches[b]), b, "h%d-%02d" % (k, i), i % 3 == 0)
                finally:
                    c.close()
            return run

        # Commits of one branch race the staging writes there; each commit either takes
        # the staged partitions or finds nothing to commit.
        done = threading.Event()
        commits = []

        def committer():
            while not done.is_set():
                commits.append(admin_call(self.server.http_port, "POST",
                                          "/api/v1/branches/%s/commits" % branches[0],
                                          {"message": "racing"}))

        background = threading.Thread(target=committer)
        background.start()
        try:
            errors = self.run_threads([explicit(b) for b in range(len(branches))]
                                      + [session(b) for b in range(len(branches))]
                                      + [hopper(k) for k in range(len(branches))])
        finally:
            done.set()
            background.join(60)
        self.assertEqual(errors, [])
        self.assertFalse(background.is_alive(), "committer hung")
        for status, out in commits:
            self.assertTrue(status == 201 or (status == 400
                                              and "nothing to commit" in out.get("message", "")),
                            (status, out))
        self.assertTrue(any(status == 201 for status, _ in commits), commits)

        # Every write was acknowledged, and each branch holds exactly its own.
        self.assertEqual(sum(len(v) for v in acked.values()), 3 * len(branches) * per_thread)
        for b, name in enumerate(branches):
            want = sorted(acked[name])
            self.assertEqual(len(want), 3 * per_thread, name)
            got = sorted(p.values[0] for p in self.c.get_partitions("%s@%s" % (DB, name),
                                                                    table, -1))
            self.assertEqual(got, want, name)
            names = self.c.get_partition_names("%s@%s" % (DB, name), table, -1)
            self.assertEqual(sorted(names), ["v=" + v for v in want], name)
        # main, where the table was made, has none of them.
        self.assertEqual(self.c.get_partitions(DB, table, -1), [])
        # The racing commits lost nothing: once committed, branch 0's head holds them all.
        status, out = admin_call(self.server.http_port, "POST",
                                 "/api/v1/branches/%s/commits" % branches[0], {"message": "final"})
        self.assertIn(status, (201, 400), out)
        status, out = admin_call(self.server.http_port, "GET", "/api/v1/branches/" + branches[0])
        self.assertEqual(status, 200, out)
        got = sorted(p.values[0] for p in self.c.get_partitions("%s@%s" % (DB, out["head"]),
                                                                table, -1))
        self.assertEqual(got, sorted(acked[branches[0]]))

if __name__ == "__main__":
    main()

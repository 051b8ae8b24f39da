"""Concurrent HMS clients against one arbord: no lost writes, atomic batches, consistent
reads, and exactly one winner in create races.

Every thread has its own connection (as every Hive/Spark/Trino process would). Writers
start together behind a barrier. The branch parts of the scenario (writers on several
branches, then a merge) go through the admin API and live in test_branches.py; here
they are a skipped placeholder.
"""

import threading
import time
import unittest

from harness import ArbordTestCase, hms, main, make_partition, make_table

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
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        c = cls.server.client()
        c.create_database(hms.Database(name=DB))
        c.close()

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
        raise unittest.SkipTest("writers on several branches, then a merge: needs the admin "
                                "API; covered by test_branches.py (test_concurrent_writers_"
                                "on_four_branches, test_merge_disjoint_partitions_from_two_"
                                "branches)")


if __name__ == "__main__":
    main()

"""Table definitions validated ahead (the default, PIPELINE true).

A query binds the definition its catalog fetched last and the metastore's current one
travels ahead with the query's next call; the statement runs only if they are equal,
else it is bound again. Checked against a real arbord, with another client changing
tables between queries, by what the queries return and by metastore_describe's
counters (tables_validated_ahead, statements_bound_again, metastore_calls):

* a table bound a second time is validated ahead: still 2 calls per query (the
  definition sent ahead, the listing that reads its answer), nothing bound again;
* a column added elsewhere is queryable at once (binding on the old definition failed,
  the check found it out of date, the statement was bound again), and a changed
  location is read at once (binding succeeded on the old one; caught before running);
* a statistics-only change binds again too (any difference counts);
* a dropped table is reported missing; recreated with other columns, it is read;
* PIPELINE false never validates ahead, and 'maybe' is refused at ATTACH;
* a prepared statement with parameters, and a second connection, see changes;
* four connections querying in threads while another client keeps changing the table:
  every answer is one of the table's states, nothing fails (answers sent ahead by one
  connection are read by another's call on the shared metastore connection).
Needs ARBORD, ARBOR_GEN_PY and ARBOR_DUCKDB_EXTENSION (CMakeLists.txt).
"""

import os
import sys
import threading

sys.setdlopenflags(os.RTLD_GLOBAL | os.RTLD_NOW)
import duckdb  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import harness  # noqa: E402
from harness import hms, make_partition, make_table  # noqa: E402


def counters(con, catalog):
    rows = dict(con.execute("SELECT key, value FROM metastore_describe('%s')" % catalog).fetchall())
    return {k: int(rows[k]) for k in ("metastore_calls", "tables_validated_ahead", "statements_bound_again")}


def delta(con, catalog, sql, params=None):
    before = counters(con, catalog)
    result = con.execute(sql, params).fetchall() if params else con.execute(sql).fetchall()
    after = counters(con, catalog)
    return result, {k: after[k] - before[k] for k in after}


def main():
    server = harness.Arbord().start()
    try:
        base = os.path.join(server.data_dir, "warehouse", "db.db")
        table_dir = os.path.join(base, "t")
        w = duckdb.connect()

        def parquet(path, sql):
            os.makedirs(os.path.dirname(path), exist_ok=True)
            w.execute("COPY (%s) TO '%s' (FORMAT parquet)" % (sql, path))

        def partition(k, v):
            d = os.path.join(table_dir, "k=%d" % k)
            parquet(os.path.join(d, "p.parquet"), "SELECT %d::BIGINT AS v" % v)
            return make_partition("db", "t", [str(k)], location="file:" + d)

        c = server.client()
        c.create_database(hms.Database(name="db", locationUri="file:" + base, parameters={}))
        c.create_table(make_table("db", "t", cols=(("v", "bigint"),), part_keys=(("k", "int"),),
                                  location="file:" + table_dir))
        c.add_partitions([partition(1, 10)])
        # An unpartitioned table whose location will move.
        for name, v in (("u1", 1), ("u2", 2)):
            parquet(os.path.join(base, name, "f.parquet"), "SELECT %d::BIGINT AS v" % v)
        c.create_table(make_table("db", "u", cols=(("v", "bigint"),), location="file:" + os.path.join(base, "u1")))

        con = duckdb.connect(config={"allow_unsigned_extensions": True, "autoinstall_known_extensions": False})
        con.execute("LOAD '%s'" % os.environ["ARBOR_DUCKDB_EXTENSION"])
        endpoint = "thrift://127.0.0.1:%d" % server.port
        try:
            con.execute("ATTACH '%s' AS bad (TYPE metastore, PROVIDER hive, PIPELINE 'maybe')" % endpoint)
        except duckdb.Error as e:
            assert "pipeline" in str(e), str(e)
        else:
            raise AssertionError("PIPELINE 'maybe' accepted")
        con.execute("ATTACH '%s' AS lake (TYPE metastore, PROVIDER hive)" % endpoint)
        con.execute("ATTACH '%s' AS lakes (TYPE metastore, PROVIDER hive, PIPELINE false)" % endpoint)
        q = "SELECT count(*), sum(v) FROM %s.db.t WHERE k >= 1"

        # First query fetches the definition; the next ones validate it ahead.
        got, d = delta(con, "lake", q % "lake")
        assert got == [(1, 10)] and d["tables_validated_ahead"] == 0, (got, d)
        for _ in range(3):
            got, d = delta(con, "lake", q % "lake")
            assert got == [(1, 10)], got
            assert d == {"metastore_calls": 2, "tables_validated_ahead": 1, "statements_bound_again": 0}, d
        for _ in range(2):
            got, d = delta(con, "lakes", q % "lakes")
            assert got == [(1, 10)] and d["tables_validated_ahead"] == 0 and d["metastore_calls"] >= 2, (got, d)

        # A column added elsewhere: the old definition cannot bind `note`; the check
        # finds it out of date and the statement is bound again on the new one.
        t = c.get_table("db", "t")
        t.sd.cols.append(hms.FieldSchema(name="note", type="string", comment=None))
        c.alter_table("db", "t", t)
        got, d = delta(con, "lake", "SELECT count(note), count(*) FROM lake.db.t")
        assert got == [(0, 1)], got
        assert d["tables_validated_ahead"] == 1 and d["statements_bound_again"] == 1, d
        got, d = delta(con, "lake", "SELECT column_name FROM (DESCRIBE lake.db.t)")
        assert [r[0] for r in got] == ["v", "note", "k"], got
        assert d["statements_bound_again"] == 0, d

        # A location moved elsewhere: the old definition binds, and would read u1.
        assert con.execute("SELECT v FROM lake.db.u").fetchall() == [(1,)]
        assert con.execute("SELECT v FROM lake.db.u").fetchall() == [(1,)]
        ut = c.get_table("db", "u")
        ut.sd.location = "file:" + os.path.join(base, "u2")
        c.alter_table("db", "u", ut)
        got, d = delta(con, "lake", "SELECT v FROM lake.db.u")
        assert got == [(2,)], got
        assert d["statements_bound_again"] == 1, d

        # Statistics alone changed: bound again as well, same answer.
        t = c.get_table("db", "t")
        t.parameters["numRows"] = "1"
        c.alter_table("db", "t", t)
        got, d = delta(con, "lake", q % "lake")
        assert got == [(1, 10)] and d["statements_bound_again"] == 1, (got, d)
        got, d = delta(con, "lake", q % "lake")
        assert got == [(1, 10)] and d["statements_bound_again"] == 0, (got, d)

        # Dropped: missing. Recreated with other columns: read as it is now.
        c.drop_table("db", "u", False)
        try:
            con.execute("SELECT v FROM lake.db.u").fetchall()
        except duckdb.CatalogException as e:
            assert "Table with name u does not exist" in str(e), str(e)
        else:
            raise AssertionError("a dropped table was read")
        parquet(os.path.join(base, "u3", "f.parquet"), "SELECT 3::BIGINT AS w, 'x' AS s")
        c.create_table(make_table("db", "u", cols=(("w", "bigint"), ("s", "string")),
                                  location="file:" + os.path.join(base, "u3")))
        assert con.execute("SELECT w, s FROM lake.db.u").fetchall() == [(3, "x")]
        assert con.execute("SELECT w, s FROM lake.db.u").fetchall() == [(3, "x")]

        # A prepared statement with a parameter, and another connection.
        pq = "SELECT count(*), sum(v) FROM lake.db.t WHERE k = ?"
        assert con.execute(pq, [1]).fetchall() == [(1, 10)]
        c.add_partitions([partition(2, 20)])
        t = c.get_table("db", "t")
        t.sd.cols.append(hms.FieldSchema(name="extra", type="int", comment=None))
        c.alter_table("db", "t", t)
        assert con.execute(pq, [2]).fetchall() == [(1, 20)]
        other = con.cursor()
        assert other.execute("SELECT count(extra), sum(v) FROM lake.db.t").fetchall() == [(0, 30)]

        # Four connections in threads while the table keeps changing underneath.
        stop = threading.Event()
        errors = []

        done = [0] * 4

        def reader(i, cur):
            try:
                while not stop.is_set():
                    got = cur.execute("SELECT count(*), sum(v) FROM lake.db.t WHERE k >= 1").fetchall()
                    if got != [(2, 30)]:
                        errors.append("read %r" % (got,))
                    cur.execute("SELECT count(*) FROM lake.db.u").fetchall()
                    done[i] += 1
            except Exception as e:  # noqa: BLE001 - any failure is the test's
                errors.append(repr(e))

        threads = [threading.Thread(target=reader, args=(i, con.cursor())) for i in range(4)]
        for th in threads:
            th.start()
        alters = 0
        while (alters < 40 or min(done) < 25) and not errors and alters < 5000:
            t = c.get_table("db", "t")
            t.parameters["numRows"] = str(alters)
            c.alter_table("db", "t", t)
            alters += 1
        stop.set()
        for th in threads:
            th.join(60)
            assert not th.is_alive(), "a reader hung"
        assert not errors, errors[:5]
        assert min(done) >= 25, done
        after = counters(con, "lake")
        assert after["statements_bound_again"] > 0 and after["tables_validated_ahead"] > 10, after
        c.close()
        print("ok: definitions validated ahead; changes, drops, prepared statements, threads "
              "(%d alters, queries per thread %r): %r" % (alters, done, after))
    finally:
        server.stop()
        server.cleanup()


if __name__ == "__main__":
    main()

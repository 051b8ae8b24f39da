"""Writes whose registration the metastore refuses because another client acted while
the statement ran: nothing of the statement stays behind, and the other client's work is
left as it is.

The other client acts from inside the running statement: a Python UDF evaluated by the
statement's query creates or drops the table through its own Thrift connection, after
the statement was planned (so the planner's checks passed) and while its files are being
written. Runs against a real arbord (harness.Arbord); needs ARBORD and
ARBOR_DUCKDB_EXTENSION (see CMakeLists.txt).
"""

import glob
import os
import sys
import threading

sys.setdlopenflags(os.RTLD_GLOBAL | os.RTLD_NOW)
import duckdb  # noqa: E402
from duckdb import sqltypes  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import harness  # noqa: E402
from harness import hms, make_table  # noqa: E402


def once(action):
    """A UDF body that runs `action` the first time it is called, then passes its input."""
    lock = threading.Lock()
    done = []

    def udf(x):
        with lock:
            if not done:
                action()
                done.append(True)
        return x
    return udf


def files_under(path):
    return [p for p in glob.glob(os.path.join(path, "**"), recursive=True) if os.path.isfile(p)]


def expect_error(con, sql, *parts):
    try:
        con.execute(sql)
    except duckdb.Error as e:
        message = str(e)
        for part in parts:
            assert part in message, "error lacks %r: %s" % (part, message)
        return
    raise AssertionError("statement succeeded, expected an error: " + sql)


def main():
    server = harness.Arbord().start()
    try:
        warehouse = os.path.join(server.data_dir, "warehouse")
        base = os.path.join(warehouse, "sales.db")
        other = server.client()
        other.create_database(hms.Database(name="sales", locationUri="file:" + base, parameters={}))

        con = duckdb.connect(config={"allow_unsigned_extensions": True,
                                     "autoinstall_known_extensions": False})
        con.execute("LOAD '%s'" % os.environ["ARBOR_DUCKDB_EXTENSION"])
        con.execute("ATTACH 'thrift://127.0.0.1:%d' AS lake (TYPE metastore, PROVIDER hive)"
                    % server.port)

        # 1. CTAS, partitioned and not: another client creates the table meanwhile.
        for name, partitioned in (("raced", False), ("raced_parts", True)):
            table = make_table("sales", name, cols=(("id", "bigint"), ("note", "string")),
                               location="file:" + os.path.join(base, name))
            udf = "create_" + name
            con.create_function(udf, once(lambda t=table: other.create_table(t)),
                                [sqltypes.BIGINT], sqltypes.BIGINT)
            expect_error(con,
                         "CREATE TABLE lake.sales.%s %s AS SELECT %s(i) AS id, i %% 3 AS p "
                         "FROM range(100000) t(i)" % (name, "PARTITIONED BY (p)" if partitioned else "", udf),
                         "sales.%s" % name, "already exists", "the files written were removed")
            got = other.get_table("sales", name)
            assert [c.name for c in got.sd.cols] == ["id", "note"], got.sd.cols
            assert got.partitionKeys == [], got.partitionKeys
            assert files_under(os.path.join(base, name)) == [], files_under(os.path.join(base, name))

        # 2. INSERT: the table is dropped meanwhile; no partition of it and no file remain.
        con.execute("CREATE TABLE lake.sales.visits (id BIGINT, day VARCHAR) PARTITIONED BY (day)")
        con.execute("INSERT INTO lake.sales.visits VALUES (1, 'a')")
        visits = os.path.join(base, "visits")
        before = sorted(files_under(visits))
        assert len(before) == 1, before
        con.create_function("drop_visits", once(lambda: other.drop_table("sales", "visits", False)),
                            [sqltypes.BIGINT], sqltypes.BIGINT)
        expect_error(con,
                     "INSERT INTO lake.sales.visits SELECT drop_visits(i), chr(97 + (i % 5)::INTEGER) "
                     "FROM range(100000) t(i)",
                     "INSERT INTO sales.visits", "the files written were removed")
        assert sorted(files_under(visits)) == before, files_under(visits)

        # 3. INSERT into an unpartitioned table dropped meanwhile.
        con.execute("CREATE TABLE lake.sales.flat AS SELECT 1::BIGINT AS id")
        flat = os.path.join(base, "flat")
        before = sorted(files_under(flat))
        con.create_function("drop_flat", once(lambda: other.drop_table("sales", "flat", False)),
                            [sqltypes.BIGINT], sqltypes.BIGINT)
        expect_error(con, "INSERT INTO lake.sales.flat SELECT drop_flat(i) FROM range(100000) t(i)",
                     "INSERT INTO sales.flat", "the files written were removed")
        assert sorted(files_under(flat)) == before, files_under(flat)
        # 4. A query failing after some files were written (the UDF sees them, then fails
        #    the statement on the last row): no table, and none of the files remain.
        seen = []

        def fail_late(i):
            if i == 999999:
                seen.extend(files_under(os.path.join(base, "late")))
                raise RuntimeError("late failure")
            return i
        con.create_function("fail_late", fail_late, [sqltypes.BIGINT], sqltypes.BIGINT)
        expect_error(con, "CREATE TABLE lake.sales.late AS SELECT fail_late(i) AS id FROM range(1000000) t(i)",
                     "late failure")
        assert seen, "no file was written before the failure"
        assert files_under(os.path.join(base, "late")) == [], files_under(os.path.join(base, "late"))
        expect_error(con, "SELECT * FROM lake.sales.late", "late")
        con.close()
        other.close()
    except BaseException:
        print("arbord log tail:\n" + server.read_log()[-3000:])
        raise
    finally:
        server.cleanup()
    print("ok write races: 2 CTAS, 2 INSERT, 1 late failure")


if __name__ == "__main__":
    main()

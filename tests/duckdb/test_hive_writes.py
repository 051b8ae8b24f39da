"""CREATE TABLE ... AS and INSERT through the hive provider against Apache Hive's own
metastore 4.0.1 (tests/hive/reference_hms.py, from deploy/install-hive.sh's cache), set
up as a deployment with its own root for external tables.

Hive 4 refuses an external table whose location a client puts inside its managed
warehouse, where the `sales` database lives here (as databases made by Spark or by
older Hive do), but places such a table itself, under its external root. The CTAS,
which writes its files under <database location>/<table> first, then lets the metastore
choose and moves them there: the table is readable, its files are where Hive says, and
nothing stays behind in the managed warehouse. A failing CTAS leaves no table.
Needs ARBORD (unused), ARBOR_GEN_PY and ARBOR_DUCKDB_EXTENSION (see CMakeLists.txt).
"""

import glob
import os
import sys

sys.setdlopenflags(os.RTLD_GLOBAL | os.RTLD_NOW)
import duckdb  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, os.path.join(HERE, "..", "hive"))
import harness  # noqa: E402
import reference_hms  # noqa: E402
from harness import hms  # noqa: E402


def files_under(path):
    return sorted(p for p in glob.glob(os.path.join(path, "**"), recursive=True) if os.path.isfile(p))


def local(uri):
    return uri[len("file:"):] if uri.startswith("file:") else uri


def main():
    server = reference_hms.ReferenceHms(separate_external_warehouse=True).start()
    try:
        managed = local(server.warehouse)
        external = local(server.external_warehouse)
        c = harness.Client(server.port)
        c.create_database(hms.Database(name="sales", locationUri="file:" + os.path.join(managed, "sales.db"),
                                       parameters={}))
        con = duckdb.connect(config={"allow_unsigned_extensions": True,
                                     "autoinstall_known_extensions": False})
        con.execute("LOAD '%s'" % os.environ["ARBOR_DUCKDB_EXTENSION"])
        con.execute("ATTACH 'thrift://127.0.0.1:%d' AS lake (TYPE metastore, PROVIDER hive)" % server.port)

        con.execute("CREATE TABLE lake.sales.flat AS SELECT i AS id FROM range(5) t(i)")
        con.execute("CREATE TABLE lake.sales.parts PARTITIONED BY (k) AS "
                    "SELECT i AS id, 'k' || (i % 2) AS k FROM range(6) t(i)")
        con.execute("INSERT INTO lake.sales.parts VALUES (10, 'k2')")
        con.execute("INSERT INTO lake.sales.flat VALUES (10)")
        assert con.execute("SELECT count(*), sum(id) FROM lake.sales.flat").fetchone() == (6, 20)
        got = con.execute("SELECT k, count(*) FROM lake.sales.parts GROUP BY k ORDER BY k").fetchall()
        assert got == [("k0", 3), ("k1", 3), ("k2", 1)], got

        for name in ("flat", "parts"):
            table = c.get_table_req(hms.GetTableRequest(dbName="sales", tblName=name)).table
            location = local(table.sd.location)
            assert location.startswith(external), (name, location, external)
            assert files_under(location), (name, location)
        assert files_under(managed) == [], files_under(managed)

        try:
            con.execute("CREATE TABLE lake.sales.failed PARTITIONED BY (p) AS SELECT i AS id, i % 3 AS p, "
                        "CASE WHEN i = 99999 THEN error('boom') ELSE i END AS v FROM range(100000) t(i)")
        except duckdb.Error as e:
            assert "boom" in str(e), str(e)
        else:
            raise AssertionError("the failing CTAS succeeded")
        assert "failed" not in c.get_all_tables("sales")
        assert files_under(managed) == [], files_under(managed)
        con.close()
        c.close()
    except BaseException:
        print("reference metastore log tail:\n" + server.read_log()[-3000:])
        raise
    finally:
        server.stop()
    print("ok hive writes: CTAS placed by Hive 4 under its external root, INSERT, failing CTAS")


if __name__ == "__main__":
    main()

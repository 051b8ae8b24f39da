"""TABLE_CACHE_MS: table metadata kept across DuckDB transactions, opt-in.

Two catalogs on the same arbord: `lake` (default, no cache) and `lakec` (TABLE_CACHE_MS).
Checks, by metastore_describe's call counters and by what the queries return:

* without the option every query asks for the table (2 calls: get_table_req, listing);
* with it, later queries make only the listing call, and partitions added by another
  client are still seen (partitions are never cached);
* another client's schema change is not seen by `lakec` within the TTL (the documented
  trade) while `lake` sees it at once;
* a write through `lakec` (INSERT) and any versioning function forget the cache: the
  next query fetches the table again and sees the change;
* an entry older than the TTL is fetched again;
* bad values are refused at ATTACH.
Needs ARBORD, ARBOR_GEN_PY and ARBOR_DUCKDB_EXTENSION (CMakeLists.txt).
"""

import os
import sys
import time

sys.setdlopenflags(os.RTLD_GLOBAL | os.RTLD_NOW)
import duckdb  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import harness  # noqa: E402
from harness import hms, make_partition, make_table  # noqa: E402


def calls(con, catalog):
    rows = dict(con.execute("SELECT key, value FROM metastore_describe('%s')" % catalog).fetchall())
    return int(rows["metastore_calls"]), int(rows["table_cache_hits"])


def delta_calls(con, catalog, sql):
    before = calls(con, catalog)
    result = con.execute(sql).fetchall()
    after = calls(con, catalog)
    return result, after[0] - before[0], after[1] - before[1]


def main():
    server = harness.Arbord().start()
    try:
        base = os.path.join(server.data_dir, "warehouse", "db.db")
        table_dir = os.path.join(base, "t")
        w = duckdb.connect()

        def partition(k, v):
            d = os.path.join(table_dir, "k=%d" % k)
            os.makedirs(d, exist_ok=True)
            w.execute("COPY (SELECT %d::BIGINT AS v) TO '%s' (FORMAT parquet)" % (v, os.path.join(d, "p.parquet")))
            return make_partition("db", "t", [str(k)], location="file:" + d)

        c = server.client()
        c.create_database(hms.Database(name="db", locationUri="file:" + base, parameters={}))
        c.create_table(make_table("db", "t", cols=(("v", "bigint"),), part_keys=(("k", "int"),),
                                  location="file:" + table_dir))
        c.add_partitions([partition(1, 10)])

        con = duckdb.connect(config={"allow_unsigned_extensions": True, "autoinstall_known_extensions": False})
        con.execute("LOAD '%s'" % os.environ["ARBOR_DUCKDB_EXTENSION"])
        endpoint = "thrift://127.0.0.1:%d" % server.port
        for bad in ("-1", "abc", "1.5"):
            try:
                con.execute("ATTACH '%s' AS bad (TYPE metastore, PROVIDER hive, TABLE_CACHE_MS '%s')" % (endpoint, bad))
            except duckdb.Error as e:
                assert "table_cache_ms" in str(e), str(e)
            else:
                raise AssertionError("TABLE_CACHE_MS %s accepted" % bad)
        con.execute("ATTACH '%s' AS lake (TYPE metastore, PROVIDER hive)" % endpoint)
        con.execute("ATTACH '%s' AS lakec (TYPE metastore, PROVIDER hive, TABLE_CACHE_MS 600000, "
                    "ADMIN_ENDPOINT 'http://127.0.0.1:%d')" % (endpoint, server.http_port))
        q = "SELECT count(*), sum(v) FROM %s.db.t WHERE k >= 1"
        for catalog in ("lake", "lakec"):
            con.execute(q % catalog).fetchall()  # the schema lookup (get_database) happens once

        # Default: every query fetches the table.
        assert delta_calls(con, "lake", q % "lake") == ([(1, 10)], 2, 0)
        assert delta_calls(con, "lakec", q % "lakec") == ([(1, 10)], 1, 1)

        # Partitions added elsewhere are listed afresh either way.
        c.add_partitions([partition(2, 20)])
        assert delta_calls(con, "lake", q % "lake") == ([(2, 30)], 2, 0)
        assert delta_calls(con, "lakec", q % "lakec") == ([(2, 30)], 1, 1)

        # A column added elsewhere: lake sees it, lakec not until the cache is forgotten.
        t = c.get_table("db", "t")
        t.sd.cols.append(hms.FieldSchema(name="note", type="string", comment=None))
        c.alter_table("db", "t", t)
        cols = "SELECT column_name FROM (DESCRIBE %s.db.t)"
        assert [r[0] for r in con.execute(cols % "lake").fetchall()] == ["v", "note", "k"]
        assert [r[0] for r in con.execute(cols % "lakec").fetchall()] == ["v", "k"]

        # A versioning function forgets the cache.
        con.execute("SELECT count(*) FROM arbor_branches('lakec')").fetchall()
        assert [r[0] for r in con.execute(cols % "lakec").fetchall()] == ["v", "note", "k"]

        # So does a write through the catalog: another column, then an INSERT through lakec.
        t = c.get_table("db", "t")
        t.sd.cols.append(hms.FieldSchema(name="extra", type="int", comment=None))
        c.alter_table("db", "t", t)
        assert delta_calls(con, "lakec", q % "lakec")[1:] == (1, 1)  # still cached
        con.execute("INSERT INTO lakec.db.t (v, note, k) VALUES (5, 'x', 3)")
        got, n, hits = delta_calls(con, "lakec", "SELECT count(*), sum(v) FROM lakec.db.t")
        assert (got, n, hits) == ([(3, 35)], 2, 0), (got, n, hits)
        assert [r[0] for r in con.execute(cols % "lakec").fetchall()] == ["v", "note", "extra", "k"]
        c.close()

        # An entry older than the TTL is fetched again.
        con.execute("ATTACH '%s' AS lakes (TYPE metastore, PROVIDER hive, TABLE_CACHE_MS 200)" % endpoint)
        con.execute(q % "lakes").fetchall()
        assert delta_calls(con, "lakes", q % "lakes")[1:] == (1, 1)
        time.sleep(0.3)
        assert delta_calls(con, "lakes", q % "lakes")[1:] == (2, 0)
        print("ok: table cache off by default, hits within the TTL, forgotten on writes and refs, expires")
    finally:
        server.stop()
        server.cleanup()


if __name__ == "__main__":
    main()

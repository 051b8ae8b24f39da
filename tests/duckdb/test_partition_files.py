"""Which files a partitioned table's scan reads, and what one query costs in calls.

A Parquet table partitioned by (k int, s string), registered through the Thrift API,
whose partition directories are laid out to catch a listing that reads too much or
too little (each data file holds distinct v values, so a sum tells which were read):

  k=1   two data files, plus _SUCCESS, _tmp.parquet, .hidden.parquet (valid Parquet,
        must not be read: Hive skips '_' and '.' names) and a subdirectory holding a
        valid Parquet file (Hive does not recurse into partition directories); a
        symbolic link to a data file elsewhere (read, as the file it names), one to
        that subdirectory and a dangling one (neither read)
  k=2   an empty directory
  k=3   a registered partition whose directory does not exist
  k=4   stored outside the table directory, at a path with glob metacharacters
        (odd[1]*); the sibling odd1x holds data a glob would wrongly match
  k=5   stored under a directory named k=999/s=wrong: the values come from the
        metastore, typed as declared, not from the path

Then every query costs exactly two metastore calls (get_table_req and the listing;
no get_database, no second get_table), and metastore_describe counts the directories
and files listed. Needs ARBORD, ARBOR_GEN_PY and ARBOR_DUCKDB_EXTENSION (CMakeLists.txt).
"""

import os
import sys

sys.setdlopenflags(os.RTLD_GLOBAL | os.RTLD_NOW)
import duckdb  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import harness  # noqa: E402
from harness import hms, make_partition, make_table  # noqa: E402


def write(con, v, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    con.execute("COPY (SELECT %d::BIGINT AS v) TO '%s' (FORMAT parquet)" % (v, path))


def counters(con):
    return {k: int(v) for k, v in con.execute("SELECT key, value FROM metastore_describe('lake')").fetchall()
            if k in ("metastore_calls", "partition_listings", "partitions_listed", "directories_listed",
                     "files_listed")}


def main():
    server = harness.Arbord().start()
    try:
        base = os.path.join(server.data_dir, "warehouse", "db.db")
        table_dir = os.path.join(base, "t")
        elsewhere = os.path.join(server.data_dir, "elsewhere")
        w = duckdb.connect()
        p1 = os.path.join(table_dir, "k=1", "s=a")
        write(w, 1, os.path.join(p1, "part-0.parquet"))
        write(w, 2, os.path.join(p1, "part-1.parquet"))
        open(os.path.join(p1, "_SUCCESS"), "w").close()
        write(w, 1000, os.path.join(p1, "_tmp.parquet"))
        write(w, 2000, os.path.join(p1, ".hidden.parquet"))
        write(w, 4000, os.path.join(p1, "sub", "nested.parquet"))
        write(w, 20, os.path.join(elsewhere, "linked", "data.parquet"))
        os.symlink(os.path.join(elsewhere, "linked", "data.parquet"), os.path.join(p1, "linked.parquet"))
        os.symlink(os.path.join(p1, "sub"), os.path.join(p1, "linked_dir"))
        os.symlink(os.path.join(elsewhere, "gone.parquet"), os.path.join(p1, "dangling.parquet"))
        os.makedirs(os.path.join(table_dir, "k=2", "s=b"))
        p4 = os.path.join(elsewhere, "odd[1]*")
        write(w, 10, os.path.join(p4, "data.parquet"))
        write(w, 8000, os.path.join(elsewhere, "odd1x", "data.parquet"))
        p5 = os.path.join(table_dir, "k=999", "s=wrong")
        write(w, 100, os.path.join(p5, "data.parquet"))

        c = server.client()
        c.create_database(hms.Database(name="db", locationUri="file:" + base, parameters={}))
        c.create_table(make_table("db", "t", cols=(("v", "bigint"),),
                                  part_keys=(("k", "int"), ("s", "string")), location="file:" + table_dir))
        c.add_partitions([
            make_partition("db", "t", ["1", "a"], location="file:" + p1),
            make_partition("db", "t", ["2", "b"], location="file:" + os.path.join(table_dir, "k=2", "s=b")),
            make_partition("db", "t", ["3", "c"], location="file:" + os.path.join(table_dir, "k=3", "s=c")),
            make_partition("db", "t", ["4", "d"], location="file:" + p4),
            make_partition("db", "t", ["5", "e"], location="file:" + p5),
        ])
        c.close()

        con = duckdb.connect(config={"allow_unsigned_extensions": True, "autoinstall_known_extensions": False})
        con.execute("LOAD '%s'" % os.environ["ARBOR_DUCKDB_EXTENSION"])
        con.execute("ATTACH 'thrift://127.0.0.1:%d' AS lake (TYPE metastore, PROVIDER hive)" % server.port)
        # The first query also looks up the schema (get_database); later ones must not.
        rows = con.execute("SELECT k, s, v FROM lake.db.t ORDER BY v").fetchall()
        assert rows == [(1, "a", 1), (1, "a", 2), (4, "d", 10), (1, "a", 20), (5, "e", 100)], rows
        types = con.execute("SELECT typeof(k), typeof(s) FROM lake.db.t LIMIT 1").fetchone()
        assert types == ("INTEGER", "VARCHAR"), types

        cases = [
            ("k = 1", (3, 23), 1, 1, 3),
            ("k IN (2, 3)", (0, None), 2, 2, 0),
            ("k = 4", (1, 10), 1, 1, 1),
            ("s = 'e'", (1, 100), 1, 1, 1),
            ("k >= 1", (5, 133), 5, 5, 5),
        ]
        for where, expected, partitions, directories, files in cases:
            before = counters(con)
            got = con.execute("SELECT count(*), sum(v) FROM lake.db.t WHERE %s" % where).fetchone()
            after = counters(con)
            delta = {k: after[k] - before[k] for k in after}
            assert got == expected, (where, got, expected)
            assert delta == {"metastore_calls": 2, "partition_listings": 1, "partitions_listed": partitions,
                             "directories_listed": directories, "files_listed": files}, (where, delta)
        # DuckDB's access settings hold for the listing too: with external access off and
        # only `elsewhere` allowed, the partition there is read, and one under the table
        # directory is refused with DuckDB's own error rather than listed.
        con.execute("SET allowed_directories = ['%s']" % elsewhere)
        con.execute("SET enable_external_access = false")
        got = con.execute("SELECT count(*), sum(v) FROM lake.db.t WHERE k = 4").fetchone()
        assert got == (1, 10), got
        before = counters(con)
        try:
            con.execute("SELECT count(*) FROM lake.db.t WHERE k = 1").fetchone()
        except duckdb.PermissionException as e:
            assert p1 in str(e), e
        else:
            raise AssertionError("a partition outside allowed_directories was read")
        # Refused before its names were read, not only when its files were opened.
        assert counters(con)["files_listed"] == before["files_listed"], (before, counters(con))
        print("ok: 5 partition layouts, %d filtered queries, 2 metastore calls each; "
              "allowed_directories holds" % len(cases))
    finally:
        server.stop()
        server.cleanup()


if __name__ == "__main__":
    main()

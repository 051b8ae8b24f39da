"""Branches, tags and commits as Hive clients see them, over Thrift (docs/versioning.md, docs/refs.md).

A real arbord; refs are made through the admin HTTP API (urllib), and everything a
Hive client would do goes over Thrift:
  * refs in database names: `db@ref` and `@hive#db@ref`, echoed back in responses;
  * the session ref, setMetaConf("arbor.ref", ...), per connection;
  * read-only refs (tags, commit ids and prefixes, `branch~N`, `branch^N`) read the
    committed tree, and every write to them is a MetaException naming the ref;
    protected branches refuse writes; an unknown ref is NoSuchObjectException;
  * staging: writes to a branch are visible to all its readers at once, commit puts
    them in the log, reset drops them; commit mode `auto` makes one commit per write;
  * concurrent writers on four branches, and a merge of disjoint partitions.

Every test makes its own databases and branches, so tests do not depend on each other.
A test that writes to main commits it, so main never keeps staged changes (a merge
into main needs a clean destination).
"""

import json
import threading
import urllib.error
import urllib.parse
import urllib.request

from harness import ArbordTestCase, hms, main, make_partition, make_table

PART_KEYS = (("ds", "string"),)


class BranchesTest(ArbordTestCase):

    # --- admin HTTP API ----------------------------------------------------------

    def api(self, method, path, body=None):
        """(status, decoded JSON body) of one admin API call."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request("http://127.0.0.1:%d%s" % (self.server.http_port, path),
                                     method=method, data=data,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                raw = r.read()
                return r.status, json.loads(raw) if raw else {}
        except urllib.error.HTTPError as e:
            raw = e.read()
            return e.code, json.loads(raw) if raw else {}

    def ok(self, method, path, body=None):
        status, out = self.api(method, path, body)
        self.assertIn(status, (200, 201, 204), "%s %s -> %d %s" % (method, path, status, out))
        return out

    def create_branch(self, name, source="main"):
        return self.ok("POST", "/api/v1/branches", {"name": name, "source": source})

    def commit(self, branch, message):
        return self.ok("POST", "/api/v1/branches/%s/commits" % branch,
                       {"message": message})["commit"]["id"]

    def log(self, ref):
        path = "/api/v1/refs/%s/commits?limit=1000" % urllib.parse.quote(ref, safe="")
        return self.ok("GET", path).get("commits", [])

    def head(self, branch):
        return self.ok("GET", "/api/v1/branches/%s" % branch)["head"]

    def merge(self, source, dest, **extra):
        body = {"source": source}
        body.update(extra)
        return self.api("POST", "/api/v1/branches/%s/merge" % dest, body)

    # --- catalog helpers ---------------------------------------------------------

    def committed_db(self, db, tables=(), part_keys=PART_KEYS):
        """Creates `db` (and tables) on main and commits main."""
        self.c.create_database(hms.Database(name=db, description=db, parameters={}))
        for t in tables:
            self.c.create_table(make_table(db, t, part_keys=part_keys))
        self.commit("main", "setup " + db)

    def table_names(self, client, db):
        return sorted(client.get_all_tables(db))

    def part_values(self, client, db, table):
        return sorted(p.values[0] for p in client.get_partitions(db, table, -1))

    # --- branch addressing -------------------------------------------------------

    def test_branch_addressing_and_echoed_names(self):
        self.committed_db("sales")
        self.create_branch("dev")
        self.c.create_table(make_table("sales@dev", "orders", part_keys=PART_KEYS))
        added = self.c.add_partition(make_partition("sales@dev", "orders", ["2024-01-01"]))
        self.assertEqual((added.dbName, added.values), ("sales@dev", ["2024-01-01"]))
        self.c.add_partition(make_partition("@hive#sales@dev", "orders", ["2024-01-02"]))

        # Visible on dev, echoing the name as sent.
        t = self.c.get_table("sales@dev", "orders")
        self.assertEqual(t.dbName, "sales@dev")
        self.assertEqual(t.tableName, "orders")
        self.assertEqual([k.name for k in t.partitionKeys], ["ds"])
        t = self.c.get_table("@hive#sales@dev", "orders")
        self.assertEqual(t.dbName, "sales@dev")
        self.assertEqual(t.tableName, "orders")
        self.assertEqual(self.c.get_database("sales@dev").name, "sales@dev")

        # Invisible on main, in both name forms.
        with self.assertRaises(hms.NoSuchObjectException):
            self.c.get_table("sales", "orders")
        with self.assertRaises(hms.NoSuchObjectException):
            self.c.get_table("sales@main", "orders")
        with self.assertRaises(hms.NoSuchObjectException):
            self.c.get_table("@hive#sales", "orders")
        self.assertEqual(self.c.get_all_tables("sales"), [])
        self.assertEqual(self.c.get_all_tables("@hive#sales"), [])

        # Listing methods on dev.
        self.assertEqual(self.c.get_all_tables("sales@dev"), ["orders"])
        self.assertEqual(self.c.get_all_tables("@hive#sales@dev"), ["orders"])
        objs = self.c.get_table_objects_by_name("sales@dev", ["orders", "missing"])
        self.assertEqual([(o.dbName, o.tableName) for o in objs], [("sales@dev", "orders")])
        self.assertEqual(self.c.get_table_objects_by_name("sales", ["orders"]), [])
        parts = self.c.get_partitions("sales@dev", "orders", -1)
        self.assertEqual(sorted(p.values[0] for p in parts), ["2024-01-01", "2024-01-02"])
        for p in parts:
            self.assertEqual(p.dbName, "sales@dev")
            self.assertEqual(p.tableName, "orders")
        parts = self.c.get_partitions("@hive#sales@dev", "orders", -1)
        self.assertEqual([p.dbName for p in parts], ["sales@dev", "sales@dev"])
        got = self.c.get_partitions_by_filter("sales@dev", "orders", 'ds = "2024-01-02"', -1)
        self.assertEqual([(p.dbName, p.values) for p in got], [("sales@dev", ["2024-01-02"])])
        got = self.c.get_partitions_by_filter("sales@dev", "orders", 'ds >= "2024-01-01"', -1)
        self.assertEqual(len(got), 2)
        self.assertEqual(self.c.get_partition("sales@dev", "orders", ["2024-01-01"]).dbName,
                         "sales@dev")
        self.assertEqual(sorted(self.c.get_partition_names("sales@dev", "orders", -1)),
                         ["ds=2024-01-01", "ds=2024-01-02"])
        self.assertEqual(self.c.get_partition_by_name("sales@dev", "orders",
                                                      "ds=2024-01-02").dbName, "sales@dev")
        got = self.c.get_partitions_by_names("sales@dev", "orders", ["ds=2024-01-01"])
        self.assertEqual([(p.dbName, p.values) for p in got], [("sales@dev", ["2024-01-01"])])
        with self.assertRaises(hms.NoSuchObjectException):
            self.c.get_partition_by_name("sales", "orders", "ds=2024-01-02")
        req = hms.GetTableRequest(dbName="sales@dev", tblName="orders", catName="hive")
        self.assertEqual(self.c.get_table_req(req).table.dbName, "sales@dev")
        self.assertEqual(self.c.get_tables("sales@dev", "ord*"), ["orders"])
        self.assertEqual(self.c.get_tables("sales", "ord*"), [])
        meta = self.c.get_table_meta("sales@dev", "*", [])
        self.assertEqual([(m.dbName, m.tableName) for m in meta], [("sales@dev", "orders")])
        self.assertEqual(self.c.get_table_meta("sales", "*", []), [])

        # get_databases with a ref in the pattern names databases with that ref.
        dbs = self.c.get_databases("*@dev")
        self.assertIn("sales@dev", dbs)
        self.assertIn("default@dev", dbs)
        self.assertTrue(all(d.endswith("@dev") for d in dbs), dbs)
        self.assertEqual(self.c.get_databases("sal*@dev"), ["sales@dev"])
        self.assertEqual(self.c.get_databases("sales"), ["sales"])
        # A database created on dev only exists there.
        self.c.create_database(hms.Database(name="devonly@dev", parameters={}))
        self.assertEqual(self.c.get_databases("devonly*@dev"), ["devonly@dev"])
        self.assertEqual(self.c.get_databases("devonly*"), [])
        with self.assertRaises(hms.NoSuchObjectException):
            self.c.get_database("devonly")

        # Database and table names are case-insensitive; the ref keeps its spelling.
        t = self.c.get_table("SALES@dev", "ORDERS")
        self.assertEqual((t.dbName, t.tableName), ("sales@dev", "orders"))
        self.assertEqual(self.c.get_all_tables("Sales@dev"), ["orders"])
        self.assertEqual(len(self.c.get_partitions("SALES@dev", "Orders", -1)), 2)

        # Merged into main, the table and its partitions appear there.
        self.commit("dev", "orders")
        status, out = self.merge("dev", "main")
        self.assertEqual(status, 200, out)
        self.assertEqual(out["status"], "merged")
        t = self.c.get_table("sales", "orders")
        self.assertEqual(t.dbName, "sales")
        self.assertEqual(self.c.get_table("sales@main", "orders").dbName, "sales@main")
        self.assertEqual(self.part_values(self.c, "sales", "orders"),
                         ["2024-01-01", "2024-01-02"])
        self.assertEqual(self.c.get_database("devonly").name, "devonly")

    # --- session ref -------------------------------------------------------------

    def test_session_ref_is_per_connection(self):
        self.committed_db("sess")
        self.create_branch("sess-dev")
        self.create_branch("sess-other")
        other = self.server.client()
        try:
            self.assertEqual(self.c.getMetaConf("arbor.ref"), "main")
            self.c.setMetaConf("arbor.ref", "sess-dev")
            self.assertEqual(self.c.getMetaConf("arbor.ref"), "sess-dev")
            self.assertEqual(other.getMetaConf("arbor.ref"), "main")

            # Plain names now read and write sess-dev on this connection only.
            self.c.create_table(make_table("sess", "t", part_keys=PART_KEYS))
            self.c.add_partition(make_partition("sess", "t", ["a"]))
            t = self.c.get_table("sess", "t")
            self.assertEqual(t.dbName, "sess")
            self.assertEqual(self.c.get_all_tables("sess"), ["t"])
            self.assertEqual([p.dbName for p in self.c.get_partitions("sess", "t", -1)],
                             ["sess"])
            with self.assertRaises(hms.NoSuchObjectException):
                other.get_table("sess", "t")
            self.assertEqual(other.get_all_tables("sess"), [])
            self.assertEqual(other.get_table("sess@sess-dev", "t").dbName, "sess@sess-dev")
            self.assertEqual(self.part_values(other, "sess@sess-dev", "t"), ["a"])

            # An explicit ref wins over the session's.
            with self.assertRaises(hms.NoSuchObjectException):
                self.c.get_table("sess@main", "t")
            self.assertEqual(self.c.get_all_tables("sess@sess-other"), [])

            # A ref that does not exist is refused, and the session ref stays.
            with self.assertRaises(hms.MetaException) as ctx:
                self.c.setMetaConf("arbor.ref", "no-such-ref")
            self.assertIn("no-such-ref", ctx.exception.message)
            self.assertEqual(self.c.getMetaConf("arbor.ref"), "sess-dev")
            self.assertEqual(self.c.get_table("sess", "t").tableName, "t")

            # Switch to another branch, then reset to the default branch with "".
            self.c.setMetaConf("arbor.ref", "sess-other")
            self.assertEqual(self.c.get_all_tables("sess"), [])
            self.c.setMetaConf("arbor.ref", "")
            self.assertEqual(self.c.getMetaConf("arbor.ref"), "main")
            with self.assertRaises(hms.NoSuchObjectException):
                self.c.get_table("sess", "t")

            # A session on a tag reads it and refuses writes through plain names.
            self.ok("POST", "/api/v1/tags", {"name": "sess-tag", "ref": "main"})
            other.setMetaConf("arbor.ref", "sess-tag")
            self.assertEqual(other.getMetaConf("arbor.ref"), "sess-tag")
            self.assertEqual(other.get_all_tables("sess"), [])
            with self.assertRaises(hms.MetaException) as ctx:
                other.create_table(make_table("sess", "x"))
            self.assertIn("sess-tag", ctx.exception.message)
            # The other connection's session ref does not leak into this one.
            self.assertEqual(self.c.getMetaConf("arbor.ref"), "main")
        finally:
            other.close()
        # A new connection starts on the default branch.
        fresh = self.server.client()
        try:
            self.assertEqual(fresh.getMetaConf("arbor.ref"), "main")
        finally:
            fresh.close()

    # --- read-only refs ----------------------------------------------------------

    def test_read_only_refs_read_committed_state(self):
        self.committed_db("ro", tables=["t"])
        self.create_branch("ro-b")
        base = self.head("ro-b")
        self.c.create_table(make_table("ro@ro-b", "t2"))
        c1 = self.commit("ro-b", "t2")
        self.c.create_table(make_table("ro@ro-b", "t3"))
        c2 = self.commit("ro-b", "t3")
        self.ok("POST", "/api/v1/tags", {"name": "v1", "ref": "ro-b"})
        self.c.create_table(make_table("ro@ro-b", "t4"))  # staged, never committed
        self.assertEqual(len(c2), 64)

        self.assertEqual(self.table_names(self.c, "ro@ro-b"), ["t", "t2", "t3", "t4"])
        cases = [
            ("v1", ["t", "t2", "t3"]),
            (c2, ["t", "t2", "t3"]),
            (c2[:8], ["t", "t2", "t3"]),
            (c2[:12], ["t", "t2", "t3"]),
            (c1, ["t", "t2"]),
            ("ro-b~1", ["t", "t2"]),
            ("ro-b^1", ["t", "t2"]),
            ("ro-b~2", ["t"]),
            ("v1~1", ["t", "t2"]),
            (base, ["t"]),
        ]
        for ref, want in cases:
            with self.subTest(ref=ref):
                self.assertEqual(self.table_names(self.c, "ro@" + ref), want)
                self.assertEqual(self.c.get_table("ro@" + ref, "t").dbName, "ro@" + ref)
                self.assertEqual(self.c.get_table("@hive#ro@" + ref, "t").dbName, "ro@" + ref)
                with self.assertRaises(hms.NoSuchObjectException):
                    self.c.get_table("ro@" + ref, "t4")
        # Once t4 is committed the branch moves; the tag and the commit ids do not.
        self.commit("ro-b", "t4")
        self.assertEqual(self.table_names(self.c, "ro@ro-b"), ["t", "t2", "t3", "t4"])
        self.assertEqual(self.table_names(self.c, "ro@v1"), ["t", "t2", "t3"])
        self.assertEqual(self.table_names(self.c, "ro@" + c2[:8]), ["t", "t2", "t3"])
        self.assertEqual(self.table_names(self.c, "ro@ro-b~1"), ["t", "t2", "t3"])
        # main~1 is the commit before main's head.
        main_log = self.log("main")
        self.assertGreaterEqual(len(main_log), 2)
        self.assertEqual(self.ok("GET", "/api/v1/refs/%s" % urllib.parse.quote("main~1"))["commit"],
                         main_log[1]["id"])
        # "ro" was made by main's last commit, so main~1 and main^1 predate it.
        self.assertEqual(self.c.get_databases("ro*@main"), ["ro@main"])
        self.assertEqual(self.c.get_databases("ro*@main~1"), [])
        self.assertEqual(self.c.get_databases("ro*@main^1"), [])
        with self.assertRaises(hms.NoSuchObjectException):
            self.c.get_table("ro@main~1", "t")
        self.assertEqual(self.c.get_all_tables("ro@main"), ["t"])

    def test_writes_to_read_only_refs_fail_naming_the_ref(self):
        self.committed_db("rw", tables=["t"])
        self.c.add_partition(make_partition("rw", "t", ["p1"]))
        self.c.create_function(hms.Function(
            functionName="f0", dbName="rw", className="com.example.F", ownerName="o",
            ownerType=hms.PrincipalType.USER, createTime=0, functionType=hms.FunctionType.JAVA))
        self.commit("main", "rw partition and function")
        self.ok("POST", "/api/v1/tags", {"name": "rw-v1", "ref": "main"})
        head = self.head("main")

        def table(db, name="t", **kw):
            return make_table(db, name, part_keys=PART_KEYS, **kw)

        def writes(db):
            altered = table(db, params={"k": "v"})
            stats = hms.ColumnStatistics(
                statsDesc=hms.ColumnStatisticsDesc(isTblLevel=True, dbName=db, tableName="t",
                                                   lastAnalyzed=1700000000),
                statsObj=[hms.ColumnStatisticsObj(
                    colName="id", colType="bigint",
                    statsData=hms.ColumnStatisticsData(longStats=hms.LongColumnStatsData(
                        lowValue=1, highValue=9, numNulls=0, numDVs=9)))])
            dbname, _, ref = db.partition("@")
            return [
                ("create_table", lambda: self.c.create_table(table(db, "new_t"))),
                ("alter_table", lambda: self.c.alter_table(db, "t", altered)),
                ("drop_table", lambda: self.c.drop_table(db, "t", False)),
                ("add_partition", lambda: self.c.add_partition(make_partition(db, "t", ["p2"]))),
                ("drop_partition", lambda: self.c.drop_partition(db, "t", ["p1"], False)),
                ("create_database", lambda: self.c.create_database(
                    hms.Database(name="newdb@" + ref, parameters={}))),
                ("drop_database", lambda: self.c.drop_database(db, False, True)),
                ("create_function", lambda: self.c.create_function(hms.Function(
                    functionName="f1", dbName=db, className="com.example.F", ownerName="o",
                    ownerType=hms.PrincipalType.USER, createTime=0,
                    functionType=hms.FunctionType.JAVA))),
                ("drop_function", lambda: self.c.drop_function(db, "f0")),
                ("update_table_column_statistics",
                 lambda: self.c.update_table_column_statistics(stats)),
            ]

        for ref in ("rw-v1", head, head[:8], "main~1", "main^1", "rw-v1~1"):
            db = "rw@" + ref
            for what, fn in writes(db):
                with self.subTest(ref=ref, method=what):
                    with self.assertRaises(hms.MetaException) as ctx:
                        fn()
                    self.assertIn(ref, ctx.exception.message)
                    self.assertIn("read-only", ctx.exception.message)
        # Nothing changed anywhere.
        for db in ("rw", "rw@rw-v1", "rw@" + head):
            self.assertEqual(self.c.get_all_tables(db), ["t"])
            self.assertEqual(self.part_values(self.c, db, "t"), ["p1"])
            self.assertEqual(self.c.get_table(db, "t").parameters.get("k"), None)
            self.assertEqual(self.c.get_functions(db, "*"), ["f0"])
        self.assertEqual(self.c.get_databases("newdb*"), [])
        self.assertEqual(self.head("main"), head)
        status, diff = self.api("GET", "/api/v1/branches/main/diff")
        self.assertEqual((status, diff.get("changes", [])), (200, []))

    def test_protected_branch_refuses_writes(self):
        self.committed_db("pb", tables=["t"])
        self.create_branch("pb-prod")
        out = self.ok("PUT", "/api/v1/branches/pb-prod/protection", {"protected": True})
        self.assertTrue(out.get("protected"))
        for what, fn in [
                ("create_table", lambda: self.c.create_table(make_table("pb@pb-prod", "x"))),
                ("add_partition",
                 lambda: self.c.add_partition(make_partition("pb@pb-prod", "t", ["a"]))),
                ("drop_table", lambda: self.c.drop_table("pb@pb-prod", "t", False)),
                ("create_database",
                 lambda: self.c.create_database(hms.Database(name="pbx@pb-prod", parameters={}))),
        ]:
            with self.subTest(method=what):
                with self.assertRaises(hms.MetaException) as ctx:
                    fn()
                self.assertIn("pb-prod", ctx.exception.message)
                self.assertIn("protected", ctx.exception.message)
        # Through the session ref as well.
        self.c.setMetaConf("arbor.ref", "pb-prod")
        with self.assertRaises(hms.MetaException):
            self.c.create_table(make_table("pb", "y"))
        self.assertEqual(self.c.get_all_tables("pb"), ["t"])
        self.c.setMetaConf("arbor.ref", "")
        # Reads work; unprotected, it accepts writes again.
        self.assertEqual(self.c.get_all_tables("pb@pb-prod"), ["t"])
        self.ok("PUT", "/api/v1/branches/pb-prod/protection", {"protected": False})
        self.c.create_table(make_table("pb@pb-prod", "x"))
        self.assertEqual(self.c.get_all_tables("pb@pb-prod"), ["t", "x"])

    def test_unknown_ref_is_not_found_naming_the_ref(self):
        self.committed_db("nf", tables=["t"])
        with self.assertRaises(hms.NoSuchObjectException) as ctx:
            self.c.get_table("nf@nope", "t")
        self.assertIn("nope", ctx.exception.message)
        with self.assertRaises(hms.NoSuchObjectException) as ctx:
            self.c.get_table("@hive#nf@nope", "t")
        self.assertIn("nope", ctx.exception.message)
        with self.assertRaises(hms.NoSuchObjectException) as ctx:
            self.c.get_database("nf@nope")
        self.assertIn("nope", ctx.exception.message)
        with self.assertRaises(hms.MetaException) as ctx:
            self.c.get_all_tables("nf@nope")
        self.assertIn("nope", ctx.exception.message)
        # An 8-hex prefix that matches no commit, and a first-parent walk past the root.
        with self.assertRaises(hms.NoSuchObjectException) as ctx:
            self.c.get_table("nf@deadbeef", "t")
        self.assertIn("deadbeef", ctx.exception.message)
        with self.assertRaises(hms.NoSuchObjectException):
            self.c.get_table("nf@main~100000", "t")

    # --- cross-branch reads in one connection ------------------------------------

    def test_cross_branch_reads_on_one_connection(self):
        self.committed_db("xb")
        self.c.create_table(make_table("xb", "t", params={"v": "main"}))
        self.commit("main", "xb.t")
        self.create_branch("xb-dev")
        changed = make_table("xb@xb-dev", "t", cols=(("id", "bigint"), ("name", "string"),
                                                     ("extra", "int")), params={"v": "dev"})
        self.c.alter_table("xb@xb-dev", "t", changed)
        self.c.create_table(make_table("xb@xb-dev", "only_dev"))

        for _ in range(3):
            m = self.c.get_table("xb@main", "t")
            d = self.c.get_table("xb@xb-dev", "t")
            self.assertEqual((m.dbName, m.parameters["v"]), ("xb@main", "main"))
            self.assertEqual((d.dbName, d.parameters["v"]), ("xb@xb-dev", "dev"))
            self.assertEqual([c.name for c in m.sd.cols], ["id", "name"])
            self.assertEqual([c.name for c in d.sd.cols], ["id", "name", "extra"])
            self.assertEqual(self.c.get_all_tables("xb@main"), ["t"])
            self.assertEqual(self.c.get_all_tables("xb@xb-dev"), ["only_dev", "t"])
        # The join pattern: both sides fetched in one batch call each, and a plain name.
        left = self.c.get_table_objects_by_name("xb", ["t"])[0]
        right = self.c.get_table_objects_by_name("xb@xb-dev", ["t", "only_dev"])
        self.assertEqual(left.parameters["v"], "main")
        self.assertEqual(sorted((t.dbName, t.tableName) for t in right),
                         [("xb@xb-dev", "only_dev"), ("xb@xb-dev", "t")])
        # With the session on dev, an explicit @main still reads main.
        self.c.setMetaConf("arbor.ref", "xb-dev")
        self.assertEqual(self.c.get_table("xb", "t").parameters["v"], "dev")
        self.assertEqual(self.c.get_table("xb@main", "t").parameters["v"], "main")
        self.c.setMetaConf("arbor.ref", "")

    # --- staging, commit and reset -----------------------------------------------

    def test_staged_writes_visible_to_all_readers_then_commit_and_reset(self):
        self.committed_db("stg")
        self.create_branch("stg-dev")
        reader = self.server.client()
        try:
            log0 = self.log("stg-dev")
            self.c.create_table(make_table("stg@stg-dev", "t", part_keys=PART_KEYS))
            self.c.add_partition(make_partition("stg@stg-dev", "t", ["a"]))
            # Visible at once to another connection, before any commit.
            self.assertEqual(reader.get_table("stg@stg-dev", "t").tableName, "t")
            self.assertEqual(self.part_values(reader, "stg@stg-dev", "t"), ["a"])
            self.assertEqual(len(self.log("stg-dev")), len(log0))
            status, diff = self.api("GET", "/api/v1/branches/stg-dev/diff")
            self.assertEqual(status, 200)
            self.assertGreaterEqual(len(diff.get("changes", [])), 2)
            # The head commit does not have it.
            head = self.head("stg-dev")
            with self.assertRaises(hms.NoSuchObjectException):
                reader.get_table("stg@" + head, "t")

            cid = self.commit("stg-dev", "add stg.t")
            log1 = self.log("stg-dev")
            self.assertEqual(len(log1), len(log0) + 1)
            self.assertEqual((log1[0]["id"], log1[0]["message"]), (cid, "add stg.t"))
            self.assertEqual(log1[0]["parents"], [head])
            self.assertEqual(reader.get_table("stg@" + cid, "t").tableName, "t")
            self.assertEqual(reader.get_table("stg@stg-dev", "t").tableName, "t")
            status, diff = self.api("GET", "/api/v1/branches/stg-dev/diff")
            self.assertEqual(diff.get("changes", []), [])

            # Staged again, then reset: gone for every reader; the commit stays.
            self.c.create_table(make_table("stg@stg-dev", "t2"))
            self.c.add_partition(make_partition("stg@stg-dev", "t", ["b"]))
            self.assertEqual(self.table_names(reader, "stg@stg-dev"), ["t", "t2"])
            self.assertEqual(self.part_values(reader, "stg@stg-dev", "t"), ["a", "b"])
            self.ok("POST", "/api/v1/branches/stg-dev/reset", {})
            for cl in (self.c, reader):
                self.assertEqual(self.table_names(cl, "stg@stg-dev"), ["t"])
                self.assertEqual(self.part_values(cl, "stg@stg-dev", "t"), ["a"])
            self.assertEqual(self.head("stg-dev"), cid)
            self.assertEqual(len(self.log("stg-dev")), len(log1))
            # Main never saw any of it.
            self.assertEqual(reader.get_all_tables("stg"), [])
        finally:
            reader.close()

    # --- auto commit mode --------------------------------------------------------

    def test_auto_mode_commits_each_write(self):
        self.committed_db("am")
        self.create_branch("am-dev")
        out = self.ok("PUT", "/api/v1/branches/am-dev/commit-mode", {"mode": "auto"})
        self.assertEqual(out.get("commit_mode"), "auto")
        self.c.set_ugi("alice", ["analysts"])
        main_log = len(self.log("main"))
        n = len(self.log("am-dev"))
        db = "am@am-dev"
        writes = [
            lambda: self.c.create_table(make_table(db, "t", part_keys=PART_KEYS)),
            lambda: self.c.add_partition(make_partition(db, "t", ["a"])),
            lambda: self.c.add_partition(make_partition(db, "t", ["b"])),
            lambda: self.c.alter_table(db, "t", make_table(db, "t", part_keys=PART_KEYS,
                                                           params={"k": "v"})),
            lambda: self.c.drop_partition(db, "t", ["a"], False),
            lambda: self.c.create_database(hms.Database(name="am2@am-dev", parameters={})),
        ]
        heads = [self.head("am-dev")]
        for i, write in enumerate(writes):
            write()
            log = self.log("am-dev")
            self.assertEqual(len(log), n + i + 1, "write %d" % i)
            self.assertEqual(log[0]["parents"], [heads[-1]])
            self.assertEqual(log[0]["author"], "alice")  # the set_ugi user
            self.assertTrue(log[0].get("message"), log[0])
            heads.append(log[0]["id"])
            status, diff = self.api("GET", "/api/v1/branches/am-dev/diff")
            self.assertEqual(diff.get("changes", []), [], "write %d left staged changes" % i)
        # A write that fails makes no commit.
        with self.assertRaises(hms.AlreadyExistsException):
            self.c.create_table(make_table(db, "t"))
        self.assertEqual(len(self.log("am-dev")), n + len(writes))
        # Each commit holds its own state: one before the alter has no parameter k.
        self.assertEqual(self.c.get_table("am@" + heads[3], "t").parameters.get("k"), None)
        self.assertEqual(self.c.get_table("am@" + heads[4], "t").parameters.get("k"), "v")
        self.assertEqual(self.part_values(self.c, "am@" + heads[3], "t"), ["a", "b"])
        self.assertEqual(self.part_values(self.c, "am@am-dev", "t"), ["b"])
        # Main is untouched; back to staged, writes stage again.
        self.assertEqual(len(self.log("main")), main_log)
        self.ok("PUT", "/api/v1/branches/am-dev/commit-mode", {"mode": "staged"})
        self.c.add_partition(make_partition(db, "t", ["c"]))
        self.assertEqual(len(self.log("am-dev")), n + len(writes))

    # --- concurrency across branches ---------------------------------------------

    def test_concurrent_writers_on_four_branches(self):
        self.committed_db("cc", tables=["events"])
        branches = ["cc-%d" % b for b in range(4)]
        for b in branches:
            self.create_branch(b)
        per_thread = 25
        errors = []
        start = threading.Barrier(16)

        def worker(b, k):
            try:
                client = self.server.client()
                try:
                    start.wait(timeout=30)
                    for i in range(per_thread):
                        value = "b%d-t%d-%03d" % (b, k, i)
                        if i % 5 == 4:  # mix in add_partitions
                            client.add_partitions([make_partition(
                                "cc@" + branches[b], "events", [value])])
                        else:
                            client.add_partition(make_partition(
                                "cc@" + branches[b], "events", [value]))
                finally:
                    client.close()
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append("branch %d thread %d: %r" % (b, k, e))

        # Meanwhile, commits on branches 2 and 3 race the staging writes there.
        done = threading.Event()
        commit_results = []

        def committer():
            while not done.is_set():
                for name in branches[2:]:
                    status, out = self.api("POST", "/api/v1/branches/%s/commits" % name,
                                           {"message": "concurrent"})
                    commit_results.append((status, out.get("message", "")))

        threads = [threading.Thread(target=worker, args=(b, k))
                   for b in range(4) for k in range(4)]
        background = threading.Thread(target=committer)
        background.start()
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        done.set()
        background.join(timeout=60)
        self.assertEqual(errors, [])
        # A commit either takes the staged edits or finds nothing to commit.
        for status, message in commit_results:
            self.assertTrue(status == 201 or (status == 400 and "nothing to commit" in message),
                            (status, message))
        for b, name in enumerate(branches):
            want = sorted("b%d-t%d-%03d" % (b, k, i) for k in range(4) for i in range(per_thread))
            got = self.part_values(self.c, "cc@" + name, "events")
            self.assertEqual(len(got), 4 * per_thread, name)
            self.assertEqual(got, want, name)
            # Committed, the head holds exactly the same partitions: none lost in a commit.
            if b >= 2:
                status, out = self.api("POST", "/api/v1/branches/%s/commits" % name,
                                       {"message": "final"})
                self.assertIn(status, (201, 400), out)
                head = self.head(name)
                self.assertEqual(self.part_values(self.c, "cc@" + head, "events"), want, name)
                _, diff = self.api("GET", "/api/v1/branches/%s/diff" % name)
                self.assertEqual(diff.get("changes", []), [], name)
            else:
                self.assertEqual(len(self.log(name)), len(self.log("main")), name)
        self.assertEqual(self.c.get_partitions("cc", "events", -1), [])
        status, diff = self.api("GET", "/api/v1/branches/main/diff")
        self.assertEqual(diff.get("changes", []), [])

    # --- merge -------------------------------------------------------------------

    def test_merge_disjoint_partitions_from_two_branches(self):
        self.committed_db("mg", tables=["t"])
        self.c.add_partition(make_partition("mg", "t", ["base"]))
        self.commit("main", "mg base partition")
        self.create_branch("mg-a")
        self.create_branch("mg-b")
        for v in ("a1", "a2"):
            self.c.add_partition(make_partition("mg@mg-a", "t", [v]))
        for v in ("b1", "b2"):
            self.c.add_partition(make_partition("mg@mg-b", "t", [v]))
        self.c.drop_partition("mg@mg-b", "t", ["base"], False)
        self.c.add_partition(make_partition("mg@mg-b", "t", ["base2"]))
        self.commit("mg-a", "a partitions")
        self.commit("mg-b", "b partitions")

        # A destination with staged changes refuses the merge and stays as it was.
        self.c.add_partition(make_partition("mg", "t", ["dirty"]))
        status, out = self.merge("mg-a", "main")
        self.assertEqual(status, 409, out)
        self.assertIn("uncommitted", out.get("message", ""))
        self.ok("POST", "/api/v1/branches/main/reset", {})
        self.assertEqual(self.part_values(self.c, "mg", "t"), ["base"])
        # Only the source's committed state is merged: this staged partition is not.
        self.c.add_partition(make_partition("mg@mg-a", "t", ["a-staged"]))

        main_head = self.head("main")
        status, out = self.merge("mg-a", "main")
        self.assertEqual(status, 200, out)
        self.assertEqual(out["status"], "merged")
        self.assertEqual(out.get("conflict_count", 0), 0)
        # mg-b now diverges from main, which has mg-a's partitions: still no conflict.
        status, out = self.merge("mg-b", "main", dry_run=True)
        self.assertEqual(status, 200, out)
        self.assertEqual((out["status"], out.get("conflict_count", 0)), ("dry_run", 0))
        status, out = self.merge("mg-b", "main", message="merge mg-b")
        self.assertEqual(status, 200, out)
        self.assertEqual((out["status"], out.get("conflict_count", 0)), ("merged", 0))
        commit = out["commit"]
        self.assertEqual(len(commit["parents"]), 2)
        self.assertEqual(commit["parents"][1], self.head("mg-b"))
        self.assertNotEqual(commit["parents"][0], main_head)

        # The union is visible on main over Thrift, to a fresh connection too.
        want = ["a1", "a2", "b1", "b2", "base2"]
        fresh = self.server.client()
        try:
            for cl in (self.c, fresh):
                self.assertEqual(self.part_values(cl, "mg", "t"), want)
                self.assertEqual(sorted(cl.get_partition_names("mg", "t", -1)),
                                 ["ds=" + v for v in want])
        finally:
            fresh.close()
        # The branches themselves are unchanged.
        self.assertEqual(self.part_values(self.c, "mg@mg-a", "t"),
                         ["a-staged", "a1", "a2", "base"])
        self.assertEqual(self.part_values(self.c, "mg@mg-b", "t"), ["b1", "b2", "base2"])
        # Merging again has nothing to do.
        status, out = self.merge("mg-b", "main")
        self.assertEqual((status, out["status"]), (200, "nothing_to_merge"))


if __name__ == "__main__":
    main()

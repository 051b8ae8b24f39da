"""Differential tests: the same Thrift calls to arbord and to Apache Hive's own
metastore (Hive 4.0.1 on PostgreSQL 15, tests/hive/reference_hms.py), replies
compared.

Each call goes to both servers over the Python Thrift client generated from
Arbor's IDL (build/thrift/gen-py). A reply is either a value or an exception.
  * values are compared field by field after normalize(): fields in IGNORED
    (ids, create and access times, Hive's DDL-time parameter) are dropped, and
    each server's warehouse root is replaced by "<warehouse>";
  * exceptions are compared by type (which also fixes the slot); messages are
    compared only for the methods in MESSAGES_COMPARED, where clients parse
    them (ARBOR_COMPARE_ALL_MESSAGES=1 compares every message, to survey them).
A difference that is deliberate is listed in KNOWN_DIFFERENCES with its reason
(and in docs/hms-compatibility.md); every other difference fails the test.

Hand-written sequences cover the method families; test_random sends a seeded
random sequence (ARBOR_TEST_SEED replays one; the seed is printed).
"""

import os
import random
import shutil
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

import harness  # noqa: E402
from harness import hms  # noqa: E402
from thrift.Thrift import TApplicationException  # noqa: E402
from thrift.protocol import TBinaryProtocol  # noqa: E402
from thrift.transport import TSocket, TTransport  # noqa: E402
from hive_metastore import ThriftHiveMetastore  # noqa: E402

import reference_hms  # noqa: E402

# Fields whose values legitimately differ between two servers.
IGNORED = {
    "createTime", "lastAccessTime",  # clocks
    "id",                            # Table.id: each server's own sequence
    "ownerName",                     # the reference's process user vs arbord's set_ugi user
}
IGNORED_PARAMETERS = {
    "transient_lastDdlTime",
    # Hive computes basic statistics from the data files when a table or
    # partition is created; arbord does not list data files.
    "numFiles", "numFilesErasureCoded", "totalSize",
}

# Exception messages compared for these methods (clients match on the text):
# Iceberg retries a commit on "The table has been modified".
MESSAGES_COMPARED = {"alter_table_req", "alter_table_with_environment_context"}

# Fields the reference always fills with Hive's default value, which arbord
# leaves unset (the IDL's requiredness rules, thrift/README.md): a difference
# where arbord has nothing and the reference has exactly this value is ignored.
JAVA_DEFAULTS = {
    "retention": [0], "rewriteEnabled": [False], "storedAsSubDirectories": [False],
    "writeId": [0, -1],  # Table 0, Partition -1
    "ownerType": [1], "type": [1],
    "skewedInfo": [{"skewedColNames": [], "skewedColValueLocationMaps": {},
                    "skewedColValues": [], "__type": "SkewedInfo"}],
    # arbord echoes the catalog a client addressed ("@hive#db"); for a plain name
    # it sends none, where Hive names its only catalog.
    "catName": ["hive"], "catalogName": ["hive"],
}

# Listings whose order Hive does not define (arbord sorts them).
UNORDERED = {"get_all_databases", "get_databases", "get_all_tables", "get_tables",
             "get_tables_by_type"}

# (method, path prefix) -> why the servers differ there on purpose; "" stands for
# replies of different kinds (a value against an exception)
# (docs/hms-compatibility.md, "Differences from Hive 4's metastore").
KNOWN_DIFFERENCES = {
    ("get_table", ""): "Hive 4.x dropped get_table; arbord serves it for Hive 2/3 clients",
    ("create_table", ".type"): "a missing database: Hive 4 answers InvalidObjectException, "
                               "arbord NoSuchObjectException, as Hive 2/3 clients expect",
    ("get_partitions", ""): "a missing table: Hive 4 answers an empty list, arbord "
                            "NoSuchObjectException (declared; Hive 2/3 answered it too)",
    ("get_partition_names", ""): "as get_partitions",
    ("get_partitions_by_names", ".type"): "a missing table: Hive 4 answers "
                                          "InvalidObjectException in slot 3, which Hive 2/3 "
                                          "clients cannot read; arbord NoSuchObjectException",
    ("get_partition_names_req", ""): "the reference (standalone, without hive-exec) cannot "
                                     "evaluate expressions at all; arbord lists every name "
                                     "for an empty expression and refuses any other",
    ("get_partitions_with_specs", "[1].partitionSpec[0].sharedSDPartitionSpec.partitions"):
        "Hive 4.0.1 answered every partition to a BY_NAMES filter naming one; arbord "
        "applies the filter",
    ("get_partitions_with_specs", ""): "a missing table: Hive 4.0.1 raises an undeclared "
                                       "exception (the client sees 'Internal error "
                                       "processing'); arbord a MetaException naming the table",
    ("update_partition_column_statistics", ".type"):
        "a missing table: Hive 4 answers InvalidObjectException for partition statistics "
        "(NoSuchObjectException for table statistics); arbord NoSuchObjectException for both",
    ("get_partition", ".type"): "values that do not fit the partition keys: Hive 4 answers "
                                "NoSuchObjectException, arbord MetaException 'Invalid "
                                "partition key & values' (Hive 2/3's answer)",
    ("drop_partition", ".type"): "as get_partition",
    ("get_partitions_by_filter", ""): "a filter on a key an unpartitioned table lacks: Hive "
                                      "answers no partitions, arbord a MetaException naming "
                                      "the unknown key",
    ("alter_partition", ""): "a new partition without a location: Hive fails (MetaException "
                             "from a NullPointerException); arbord keeps the stored location",
    ("get_tables_by_type", "[1]"): "Hive 4 turns a MANAGED_TABLE created by a client without "
                                   "ACID capabilities into an EXTERNAL_TABLE; arbord keeps "
                                   "the type the client sent",
    ("get_table_meta", "[1]"): "as get_tables_by_type",
    ("get_databases_req", ""): "not in Hive 4.0.1 (later 4.x IDLs have it); arbord serves it",
    ("get_partitions_by_filter_req", ""): "without catName Hive 4.0.1 fails (MetaException "
                                          "'catName is null'); arbord reads Hive's catalog",
    ("get_tables_ext", "[1]"): "Hive's answer depends on its metadata transformer and the "
                               "client's processor capabilities (none: no tables); arbord "
                               "lists every matching name",
}


# Explicit locations both servers get verbatim (Hive creates their directories).
EXTERNAL_ROOT = tempfile.mkdtemp(prefix="arbor-differential-")


def connect(port):
    sock = TSocket.TSocket("127.0.0.1", port)
    sock.setTimeout(60000)
    transport = TTransport.TBufferedTransport(sock)
    client = ThriftHiveMetastore.Client(TBinaryProtocol.TBinaryProtocol(transport))
    transport.open()
    return client, transport


def normalize(value, warehouse):
    if isinstance(value, (list, tuple)):
        return [normalize(v, warehouse) for v in value]
    if isinstance(value, dict):
        return {normalize(k, warehouse) if not isinstance(k, tuple) else k: normalize(v, warehouse)
                for k, v in value.items() if k not in IGNORED_PARAMETERS}
    if isinstance(value, str):
        return value.replace(warehouse, "<warehouse>")
    if hasattr(value, "thrift_spec"):
        out = {}
        for name, field in sorted(vars(value).items()):
            if field is None or name in IGNORED:
                continue
            out[name] = normalize(field, warehouse)
        out["__type"] = type(value).__name__
        return out
    return value


def reply(client, method, args, warehouse):
    try:
        value = normalize(getattr(client, method)(*args), warehouse)
        if method in UNORDERED:
            value = sorted(value)
        return ("value", value)
    except TApplicationException as e:
        return ("application", e.type, e.message)
    except Exception as e:  # a declared Hive exception
        if hasattr(e, "thrift_spec"):
            return ("exception", type(e).__name__, getattr(e, "message", ""))
        raise


def differences(a, b, path=""):
    """Paths where two normalized replies differ, with both sides."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b), key=str):
            if k not in a and k in JAVA_DEFAULTS and b[k] in JAVA_DEFAULTS[k]:
                continue
            out += differences(a.get(k), b.get(k), "%s.%s" % (path, k))
        return out
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)) and len(a) == len(b):
        out = []
        for i, (x, y) in enumerate(zip(a, b)):
            out += differences(x, y, "%s[%d]" % (path, i))
        return out
    return [] if a == b else [(path, a, b)]


def compare(method, arbor, ref):
    """Differences between two replies that are neither ignored nor known."""
    if arbor[0] == "exception" and ref[0] == "exception":
        found = [(".type", arbor[1:], ref[1:])] if arbor[1] != ref[1] else []
        every = os.environ.get("ARBOR_COMPARE_ALL_MESSAGES")
        if not found and (method in MESSAGES_COMPARED or every) and arbor[2] != ref[2]:
            found = [(".message", arbor[2], ref[2])]
    elif arbor[0] != ref[0]:
        found = [("", arbor, ref)]  # a value against an exception, or the like
    else:
        found = differences(arbor, ref)
    return [d for d in found if not any(method == m and known(d[0], p)
                                        for (m, p) in KNOWN_DIFFERENCES)]


def known(path, listed):
    """A listed "" matches a whole reply of another kind; anything else is a prefix."""
    return path == "" if listed == "" else path.startswith(listed)


def table(db, name, part_keys=(), cols=(("id", "bigint"), ("name", "string")), params=None):
    t = harness.make_table(db, name, cols=cols, part_keys=part_keys)
    t.tableType = "EXTERNAL_TABLE"
    t.parameters = dict(params or {}, EXTERNAL="TRUE")
    t.owner = "arbor-test"
    t.sd.location = None
    return t


def partition(db, tbl, values):
    # Hive requires a storage descriptor on a new partition (arbord would inherit
    # the table's); this one has the table's columns and formats, no location.
    p = harness.make_partition(db, tbl, values)
    p.sd = table(db, tbl).sd
    return p


def long_stats(db, tbl, part_name, high):
    desc = hms.ColumnStatisticsDesc(isTblLevel=part_name is None, dbName=db, tableName=tbl,
                                    partName=part_name)
    data = hms.LongColumnStatsData(lowValue=1, highValue=high, numNulls=0, numDVs=3)
    obj = hms.ColumnStatisticsObj(colName="id", colType="bigint",
                                  statsData=hms.ColumnStatisticsData(longStats=data))
    return hms.ColumnStatistics(statsDesc=desc, statsObj=[obj], engine="hive")


class DifferentialTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not reference_hms.installed():
            raise RuntimeError("the reference HMS is not installed: run deploy/install-hive.sh")
        cls.ref_server = reference_hms.ReferenceHms().start()
        cls.arbord = harness.Arbord().start()
        cls.arbor_wh = "file:" + os.path.join(cls.arbord.data_dir, "warehouse")
        cls.arbor, cls.arbor_t = connect(cls.arbord.port)
        cls.ref, cls.ref_t = connect(cls.ref_server.port)
        for client in (cls.arbor, cls.ref):
            client.set_ugi("arbor-test", [])

    @classmethod
    def tearDownClass(cls):
        for t in (cls.arbor_t, cls.ref_t):
            t.close()
        cls.arbord.cleanup()
        cls.ref_server.stop()
        shutil.rmtree(EXTERNAL_ROOT, ignore_errors=True)

    def setUp(self):
        self.found = []

    def call(self, method, *args):
        """Sends one call to both servers; records differences; returns arbord's reply."""
        a = reply(self.arbor, method, args, self.arbor_wh)
        r = reply(self.ref, method, args, self.ref_server.warehouse)
        for path, x, y in compare(method, a, r):
            self.found.append("%s%s: arbord=%r reference=%r" % (method, path, x, y))
        return a

    def assertNoDifferences(self):
        if self.found:
            self.fail("%d difference(s) from Hive's metastore:\n  %s"
                      % (len(self.found), "\n  ".join(self.found)))

    def test_databases(self):
        self.call("create_database", hms.Database(name="dd1", description="one", parameters={"k": "v"}))
        self.call("create_database", hms.Database(name="dd1", parameters={}))
        self.call("get_database", "dd1")
        self.call("get_database", "dd_missing")
        self.call("get_databases", "dd*")
        self.call("alter_database", "dd1", hms.Database(name="dd1", description="two",
                                                       parameters={"k": "w"}))
        self.call("get_database", "dd1")
        self.call("drop_database", "dd_missing", True, False)
        self.call("drop_database", "dd1", True, False)
        self.call("get_databases", "dd*")
        self.assertNoDifferences()

    def test_tables(self):
        self.call("create_database", hms.Database(name="dt1", parameters={}))
        self.call("create_table", table("dt1", "t1", cols=(("a", "int"), ("b", "string"))))
        self.call("create_table", table("dt1", "t1"))
        self.call("create_table", table("dt_missing", "t1"))
        self.call("get_table", "dt1", "t1")
        self.call("get_table", "dt1", "nope")
        self.call("get_table_req", hms.GetTableRequest(dbName="dt1", tblName="t1"))
        self.call("get_tables", "dt1", "t*")
        self.call("get_all_tables", "dt1")
        self.call("get_table_objects_by_name_req",
                  hms.GetTablesRequest(dbName="dt1", tblNames=["t1", "nope"]))
        self.call("get_fields", "dt1", "t1")
        self.call("get_fields", "dt1", "nope")
        self.call("get_schema", "dt1", "t1")
        self.call("get_fields_req", hms.GetFieldsRequest(dbName="dt1", tblName="t1"))
        self.call("get_schema_req", hms.GetSchemaRequest(dbName="dt1", tblName="t1"))
        self.call("get_fields_req", hms.GetFieldsRequest(dbName="dt1", tblName="nope"))
        self.call("get_tables_ext", hms.GetTablesExtRequest(catalog="hive", database="dt1",
                                                            tableNamePattern="*", requestedFields=1))
        altered = table("dt1", "t1", cols=(("a", "int"), ("b", "string"), ("c", "double")),
                        params={"p": "1"})
        altered.sd.location = "file:" + EXTERNAL_ROOT + "/t1"
        self.call("alter_table", "dt1", "t1", altered)
        self.call("get_table_req", hms.GetTableRequest(dbName="dt1", tblName="t1"))
        renamed = table("dt1", "t2")
        renamed.sd.location = "file:" + EXTERNAL_ROOT + "/t1"
        self.call("alter_table", "dt1", "t1", renamed)
        self.call("get_all_tables", "dt1")
        self.call("drop_table", "dt1", "nope", False)
        self.call("drop_table", "dt1", "t2", False)
        self.call("drop_database", "dt1", True, True)
        self.assertNoDifferences()

    def test_partitions(self):
        self.call("create_database", hms.Database(name="dp1", parameters={}))
        self.call("create_table", table("dp1", "p", part_keys=(("ds", "string"), ("h", "int"))))
        for ds, h in (("2024-01-01", "1"), ("2024-01-01", "2"), ("2024-01-02", "1")):
            self.call("add_partition", partition("dp1", "p", [ds, h]))
        self.call("add_partition", partition("dp1", "p", ["2024-01-01", "1"]))
        self.call("add_partitions_req", hms.AddPartitionsRequest(
            dbName="dp1", tblName="p", parts=[partition("dp1", "p", ["2024-01-03", "1"])],
            ifNotExists=True, needResult=True))
        self.call("get_partition", "dp1", "p", ["2024-01-01", "2"])
        self.call("get_partition", "dp1", "p", ["2099-01-01", "2"])
        self.call("get_partition_by_name", "dp1", "p", "ds=2024-01-02/h=1")
        self.call("get_partition_names", "dp1", "p", -1)
        self.call("get_partition_names_ps", "dp1", "p", ["2024-01-01"], -1)
        self.call("get_partitions", "dp1", "p", 2)
        self.call("get_partitions_by_filter", "dp1", "p", 'ds = "2024-01-01"', -1)
        self.call("get_partitions_by_filter", "dp1", "p", "h > 1", -1)
        self.call("get_partitions_by_filter", "dp1", "p", "nope = 1", -1)
        self.call("get_num_partitions_by_filter", "dp1", "p", 'ds >= "2024-01-02"')
        self.call("get_partitions_by_names", "dp1", "p", ["ds=2024-01-01/h=1", "ds=1/h=1"])
        self.call("get_partitions_with_specs", hms.GetPartitionsRequest(
            dbName="dp1", tblName="p", projectionSpec=hms.GetProjectionsSpec(),
            filterSpec=hms.GetPartitionsFilterSpec(filterMode=hms.PartitionFilterMode.BY_NAMES,
                                                   filters=["ds=2024-01-02/h=1"])))
        elsewhere = partition("dp1", "p", ["2030-01-01", "1"])
        elsewhere.sd.location = "file:" + EXTERNAL_ROOT + "/elsewhere"
        self.call("add_partition", elsewhere)
        self.call("get_partitions_with_specs", hms.GetPartitionsRequest(
            dbName="dp1", tblName="p", projectionSpec=hms.GetProjectionsSpec(),
            filterSpec=hms.GetPartitionsFilterSpec()))
        self.call("get_partition_names_req", hms.PartitionsByExprRequest(dbName="dp1", tblName="p",
                                                                         expr=b""))
        self.call("drop_partition", "dp1", "p", ["2024-01-01", "2"], False)
        self.call("drop_partition", "dp1", "p", ["2024-01-01", "2"], False)
        self.call("drop_partitions_req", hms.DropPartitionsRequest(
            dbName="dp1", tblName="p", parts=hms.RequestPartsSpec(names=["ds=2024-01-02/h=1"]),
            needResult=True))
        self.call("get_partition_names", "dp1", "p", -1)
        self.call("drop_database", "dp1", True, True)
        self.assertNoDifferences()

    def test_partition_forms(self):
        self.call("create_database", hms.Database(name="dq1", parameters={}))
        self.call("create_table", table("dq1", "q", part_keys=(("ds", "string"), ("h", "int"))))
        for ds, h in (("a", "1"), ("a", "2"), ("b", "1")):
            self.call("add_partition", partition("dq1", "q", [ds, h]))
        self.call("append_partition", "dq1", "q", ["c", "3"])
        self.call("append_partition", "dq1", "q", ["c", "3"])
        self.call("append_partition_by_name", "dq1", "q", "ds=d/h=4")
        self.call("get_partitions_ps_with_auth_req", hms.GetPartitionsPsWithAuthRequest(
            dbName="dq1", tblName="q", partVals=["a", ""], maxParts=-1))
        self.call("get_partition_names_ps_req", hms.GetPartitionNamesPsRequest(
            dbName="dq1", tblName="q", partValues=["", "1"], maxParts=-1))
        self.call("get_partitions_by_filter_req", hms.GetPartitionsByFilterRequest(
            dbName="dq1", tblName="q", filter='ds = "a" or h = 3', maxParts=-1))
        self.call("get_partitions_req", hms.PartitionsRequest(dbName="dq1", tblName="q",
                                                              maxParts=2))
        self.call("get_partitions_by_names_req", hms.GetPartitionsByNamesRequest(
            db_name="dq1", tbl_name="q", names=["ds=a/h=2", "ds=c/h=3"]))
        moved = partition("dq1", "q", ["z", "9"])
        self.call("rename_partition", "dq1", "q", ["b", "1"], moved)
        self.call("rename_partition", "dq1", "q", ["b", "1"], moved)
        changed = partition("dq1", "q", ["a", "1"])
        changed.parameters = {"note": "x"}
        changed.sd.location = "file:" + EXTERNAL_ROOT + "/q/a1"
        self.call("alter_partition", "dq1", "q", changed)
        self.call("alter_partitions", "dq1", "q", [changed, partition("dq1", "q", ["nope", "0"])])
        self.call("get_partition", "dq1", "q", ["a", "1"])
        self.call("get_partition_names", "dq1", "q", -1)
        self.call("partition_name_to_vals", "ds=a/h=1")
        self.call("partition_name_to_spec", "ds=a/h=1")
        self.call("drop_partitions_req", hms.DropPartitionsRequest(
            dbName="dq1", tblName="q", parts=hms.RequestPartsSpec(names=["ds=a/h=2", "ds=x/h=0"]),
            ifExists=True, needResult=True))
        self.call("drop_partitions_req", hms.DropPartitionsRequest(
            dbName="dq1", tblName="q", parts=hms.RequestPartsSpec(names=["ds=x/h=0"]),
            ifExists=False, needResult=True))
        self.call("get_partition_names", "dq1", "q", -1)
        # Without a location: Hive fails, arbord keeps the stored location.
        self.call("alter_partition", "dq1", "q", partition("dq1", "q", ["c", "3"]))
        self.assertTrue(self.arbor.get_partition("dq1", "q", ["c", "3"]).sd.location
                        .endswith("/dq1.db/q/ds=c/h=3"))
        unlocated = table("dq1", "q", part_keys=(("ds", "string"), ("h", "int")))
        unlocated.parameters["touched"] = "1"
        self.arbor.alter_table("dq1", "q", unlocated)  # Hive would fail: arbord only
        kept = self.arbor.get_table("dq1", "q")
        self.assertTrue(kept.sd.location.endswith("/dq1.db/q"), kept.sd.location)
        self.assertEqual(kept.parameters.get("touched"), "1")
        self.call("drop_database", "dq1", True, True)
        self.assertNoDifferences()

    def test_listings(self):
        self.call("create_database", hms.Database(name="dl1", parameters={}))
        self.call("create_table", table("dl1", "ext_a", params={"owner_tag": "x"}))
        managed = table("dl1", "man_b")
        managed.tableType = "MANAGED_TABLE"
        managed.parameters = {}
        self.call("create_table", managed)
        self.call("get_tables_by_type", "dl1", "*", "EXTERNAL_TABLE")
        self.call("get_tables_by_type", "dl1", "*", "MANAGED_TABLE")
        self.call("get_table_meta", "dl1", "*", [])
        self.call("get_table_meta", "dl*", "ext*", ["EXTERNAL_TABLE"])
        self.call("get_table_names_by_filter", "dl1",
                  'hive_filter_field_params__owner_tag = "x"', -1)
        self.call("get_databases_req", hms.GetDatabaseObjectsRequest(pattern="dl*"))
        self.call("get_database_req", hms.GetDatabaseRequest(name="dl1", catalogName="hive"))
        self.call("get_all_tables", "dl_missing")
        self.call("get_tables", "dl_missing", "*")
        self.call("drop_database", "dl1", True, False)
        self.call("drop_table", "dl1", "man_b", False)
        self.call("drop_table", "dl1", "ext_a", False)
        self.call("drop_database", "dl1", True, False)
        self.assertNoDifferences()

    def test_statistics(self):
        self.call("create_database", hms.Database(name="ds1", parameters={}))
        self.call("create_table", table("ds1", "s", part_keys=(("ds", "string"),)))
        self.call("add_partition", partition("ds1", "s", ["a"]))
        self.call("update_table_column_statistics", long_stats("ds1", "s", None, 10))
        self.call("update_partition_column_statistics", long_stats("ds1", "s", "ds=a", 5))
        self.call("get_table_statistics_req", hms.TableStatsRequest(dbName="ds1", tblName="s",
                                                                    colNames=["id"], engine="hive"))
        self.call("get_partitions_statistics_req", hms.PartitionsStatsRequest(
            dbName="ds1", tblName="s", colNames=["id"], partNames=["ds=a", "ds=b"], engine="hive"))
        self.call("get_aggr_stats_for", hms.PartitionsStatsRequest(
            dbName="ds1", tblName="s", colNames=["id"], partNames=["ds=a"], engine="hive"))
        self.call("update_table_column_statistics", long_stats("ds1", "nope", None, 10))
        self.call("delete_table_column_statistics", "ds1", "s", "id", "hive")
        self.call("get_table_statistics_req", hms.TableStatsRequest(dbName="ds1", tblName="s",
                                                                    colNames=["id"], engine="hive"))
        self.call("drop_database", "ds1", True, True)
        self.assertNoDifferences()

    def test_functions(self):
        self.call("create_database", hms.Database(name="df1", parameters={}))

        def function(name, cls="org.example.Upper"):
            return hms.Function(functionName=name, dbName="df1", className=cls, ownerName="o",
                                ownerType=hms.PrincipalType.USER, functionType=1,
                                resourceUris=[])
        self.call("create_function", function("up"))
        self.call("create_function", function("up"))
        self.call("create_function", hms.Function(functionName="x", dbName="df_missing",
                                                  className="c", functionType=1, resourceUris=[]))
        self.call("get_function", "df1", "up")
        self.call("get_function", "df1", "nope")
        self.call("get_functions", "df1", "*")
        self.call("alter_function", "df1", "up", function("up", "org.example.Lower"))
        self.call("get_function", "df1", "up")
        self.call("drop_function", "df1", "nope")
        self.call("drop_function", "df1", "up")
        self.call("get_functions", "df1", "*")
        self.call("drop_database", "df1", True, True)
        self.assertNoDifferences()

    def test_hive4_forms(self):
        self.call("create_database", hms.Database(name="d4", parameters={}))
        self.call("create_table_with_constraints", table("d4", "k"), [], [], [], [], [], [])
        self.call("create_table_with_constraints", table("d4", "k"), [], [], [], [], [], [])
        self.call("get_fields_req", hms.GetFieldsRequest(catName="hive", dbName="d4", tblName="k"))
        self.call("get_schema_req", hms.GetSchemaRequest(catName="hive", dbName="d4", tblName="k"))
        self.call("get_schema_req", hms.GetSchemaRequest(dbName="d4_missing", tblName="k"))
        self.call("get_partitions_with_specs", hms.GetPartitionsRequest(
            dbName="d4", tblName="missing", projectionSpec=hms.GetProjectionsSpec(),
            filterSpec=hms.GetPartitionsFilterSpec()))
        self.call("drop_database", "d4", True, True)
        self.assertNoDifferences()

    def test_iceberg_commit(self):
        # Iceberg's HiveTableOperations commit: alter only if metadata_location still
        # holds the value it read; on a mismatch it matches the message and retries.
        self.call("create_database", hms.Database(name="dc1", parameters={}))
        t = table("dc1", "c", params={"metadata_location": "a"})
        t.sd.location = "file:" + EXTERNAL_ROOT + "/c"
        self.call("create_table", t)
        new = table("dc1", "c", params={"metadata_location": "b"})
        new.sd.location = t.sd.location
        for expected in ("zzz", "a"):
            self.call("alter_table_req", hms.AlterTableRequest(
                dbName="dc1", tableName="c", table=new, expectedParameterKey="metadata_location",
                expectedParameterValue=expected))
        self.call("alter_table_with_environment_context", "dc1", "c", new, hms.EnvironmentContext(
            properties={"expected_parameter_key": "metadata_location",
                        "expected_parameter_value": "a"}))
        self.call("get_table_req", hms.GetTableRequest(dbName="dc1", tblName="c"))
        self.call("drop_database", "dc1", True, True)
        self.assertNoDifferences()

    def test_random(self):
        text = os.environ.get("ARBOR_TEST_SEED", "")
        seed = int(text) if text else random.randrange(1 << 30)
        print("test_random: ARBOR_TEST_SEED=%d" % seed, flush=True)
        rng = random.Random(seed)
        dbs = ["rnd_a", "rnd_b"]
        tables = ["t0", "t1", "t2"]
        values = ["x", "y", "z", "w"]
        ops = []

        def op(fn):
            ops.append(fn)
            return fn

        @op
        def create_db():
            self.call("create_database", hms.Database(name=rng.choice(dbs), parameters={}))

        @op
        def drop_db():
            self.call("drop_database", rng.choice(dbs), True, rng.random() < 0.7)

        @op
        def create_table():
            db, t = rng.choice(dbs), rng.choice(tables)
            keys = (("k", "string"),) if rng.random() < 0.7 else ()
            self.call("create_table", table(db, t, part_keys=keys))

        @op
        def drop_table():
            self.call("drop_table", rng.choice(dbs), rng.choice(tables), False)

        @op
        def read_table():
            db, t = rng.choice(dbs), rng.choice(tables)
            rng.choice([lambda: self.call("get_table", db, t),
                        lambda: self.call("get_fields", db, t),
                        lambda: self.call("get_schema", db, t),
                        lambda: self.call("get_all_tables", db),
                        lambda: self.call("get_database", db)])()

        @op
        def add_partition():
            self.call("add_partition", partition(rng.choice(dbs), rng.choice(tables),
                                                 [rng.choice(values)]))

        @op
        def drop_partition():
            self.call("drop_partition", rng.choice(dbs), rng.choice(tables),
                      [rng.choice(values)], False)

        @op
        def list_partitions():
            db, t = rng.choice(dbs), rng.choice(tables)
            rng.choice([lambda: self.call("get_partition_names", db, t, -1),
                        lambda: self.call("get_partitions", db, t, -1),
                        lambda: self.call("get_partitions_by_filter", db, t,
                                          'k > "%s"' % rng.choice(values), -1),
                        lambda: self.call("get_partitions_by_names", db, t,
                                          ["k=" + rng.choice(values) for _ in range(2)]),
                        lambda: self.call("get_partition", db, t, [rng.choice(values)])])()

        @op
        def alter_table():
            db, t = rng.choice(dbs), rng.choice(tables)
            new = table(db, t, params={"v": str(rng.randrange(3))},
                        part_keys=(("k", "string"),) if rng.random() < 0.7 else ())
            new.sd.location = "file:%s/%s/%s" % (EXTERNAL_ROOT, db, t)
            self.call("alter_table", db, t, new)

        @op
        def statistics():
            db, t = rng.choice(dbs), rng.choice(tables)
            part = rng.choice([None, "k=" + rng.choice(values)])
            rng.choice([
                lambda: self.call("update_table_column_statistics" if part is None
                                  else "update_partition_column_statistics",
                                  long_stats(db, t, part, rng.randrange(100))),
                lambda: self.call("get_table_statistics_req", hms.TableStatsRequest(
                    dbName=db, tblName=t, colNames=["id", "name"], engine="hive")),
                lambda: self.call("get_partitions_statistics_req", hms.PartitionsStatsRequest(
                    dbName=db, tblName=t, colNames=["id"], engine="hive",
                    partNames=["k=" + v for v in values]))])()

        for _ in range(300):
            rng.choice(ops)()
        self.assertNoDifferences()


if __name__ == "__main__":
    unittest.main()

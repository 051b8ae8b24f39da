"""Lossless round trip over the wire (docs/hms-compatibility.md#lossless-round-trip).

A Database, Table, Partition, Function and ColumnStatistics with every field of the IDL set
(built from the generated thrift_spec, so a field added to the IDL is covered without editing
this file) are written and read back; every field must come back equal. The values chosen
for the fields the server documents it fills or normalises (lower-case names, tableType vs
EXTERNAL, transient_lastDdlTime, createTime, locations, dbName echo) are the ones it would
keep, so the whole struct must match. Minimal structs check the other direction: unset
fields stay unset (None), empty containers stay empty, None containers stay None, except
the documented fills.
"""

import itertools

from thrift.Thrift import TMessageType, TType

from harness import ArbordTestCase, hms, main
from hive_metastore import ThriftHiveMetastore as service

DB = "fidb"
STATS_COLS = (("c_bool", "boolean"), ("c_long", "bigint"), ("c_double", "double"),
              ("c_string", "string"), ("c_binary", "binary"), ("c_decimal", "decimal(12,3)"),
              ("c_date", "date"), ("c_ts", "timestamp"))
STATS_KINDS = ("booleanStats", "longStats", "doubleStats", "stringStats", "binaryStats",
               "decimalStats", "dateStats", "timestampStats")

# I32 fields that are enums in the IDL (the Python spec does not say): a valid, non-first value.
ENUMS = {
    ("Database", "ownerType"): hms.PrincipalType.ROLE,
    ("Database", "type"): hms.DatabaseType.NATIVE,
    ("Table", "ownerType"): hms.PrincipalType.GROUP,
    ("PrivilegeGrantInfo", "grantorType"): hms.PrincipalType.ROLE,
    ("SerDeInfo", "serdeType"): hms.SerdeType.SCHEMA_REGISTRY,
    ("Function", "ownerType"): hms.PrincipalType.ROLE,
    ("Function", "functionType"): hms.FunctionType.JAVA,
    ("ResourceUri", "resourceType"): hms.ResourceType.ARCHIVE,
    ("Order", "order"): 0,
}


class Filler:
    """Builds a struct with every field set to a distinct, non-default value."""

    def __init__(self):
        self.counter = itertools.count(1)

    def value(self, ttype, args, owner, name, depth):
        n = next(self.counter)
        if ttype == TType.BOOL:
            return True
        if ttype == TType.BYTE:
            return 8
        if ttype == TType.I16:
            return 3
        if ttype == TType.I32:
            if (owner, name) in ENUMS:
                return ENUMS[(owner, name)]
            return 1000000 + n
        if ttype == TType.I64:
            return 10 ** 10 + n
        if ttype == TType.DOUBLE:
            return n + 0.25
        if ttype == TType.STRING:
            return b"\x00\xff" + bytes([n % 256]) if args == "BINARY" else "%s-%d" % (name, n)
        if ttype == TType.STRUCT:
            return self.struct(args[0], depth + 1)
        if ttype == TType.LIST:
            return [self.value(args[0], args[1], owner, name, depth) for _ in range(2)]
        if ttype == TType.SET:
            return {self.value(args[0], args[1], owner, name, depth) for _ in range(2)}
        if ttype == TType.MAP:
            out = {}
            for _ in range(2):
                key = self.value(args[0], args[1], owner, name + "_key", depth)
                if isinstance(key, list):
                    key = tuple(key)  # map<list<string>, string>: tuple keys in Python
                out[key] = self.value(args[2], args[3], owner, name, depth)
            return out
        raise AssertionError("unhandled type %d" % ttype)

    def struct(self, cls, depth=0):
        obj = cls()
        if cls is hms.ColumnStatisticsData:  # a union: exactly one member
            obj.longStats = self.struct(hms.LongColumnStatsData, depth + 1)
            return obj
        for field in cls.thrift_spec:
            if field is None:
                continue
            _, ttype, name, args, _ = field
            if depth > 4 and ttype in (TType.STRUCT, TType.LIST, TType.SET, TType.MAP):
                continue  # the Table -> CreationMetadata -> SourceTable -> Table cycle
            setattr(obj, name, self.value(ttype, args, cls.__name__, name, depth))
        return obj


def stats_objs(filler):
    """One ColumnStatisticsObj per kind, every field of its payload set."""
    out = []
    payload = {"booleanStats": hms.BooleanColumnStatsData, "longStats": hms.LongColumnStatsData,
               "doubleStats": hms.DoubleColumnStatsData, "stringStats": hms.StringColumnStatsData,
               "binaryStats": hms.BinaryColumnStatsData,
               "decimalStats": hms.DecimalColumnStatsData, "dateStats": hms.DateColumnStatsData,
               "timestampStats": hms.TimestampColumnStatsData}
    for (col, typ), kind in zip(STATS_COLS, STATS_KINDS):
        data = hms.ColumnStatisticsData()
        setattr(data, kind, filler.struct(payload[kind]))
        out.append(hms.ColumnStatisticsObj(colName=col, colType=typ, statsData=data))
    return out


def diff(sent, got, path="", out=None):
    """Every difference between two thrift values, as 'path: sent != got'."""
    if out is None:
        out = []
    spec = getattr(type(sent), "thrift_spec", None)
    if spec is not None and sent is not None and got is not None:
        if type(sent) is not type(got):
            out.append("%s: type %s != %s" % (path, type(sent).__name__, type(got).__name__))
            return out
        for field in spec:
            if field is not None:
                name = field[2]
                diff(getattr(sent, name), getattr(got, name), path + "." + name, out)
    elif isinstance(sent, list) and isinstance(got, list) and len(sent) == len(got):
        for i, (a, b) in enumerate(zip(sent, got)):
            diff(a, b, "%s[%d]" % (path, i), out)
    elif isinstance(sent, dict) and isinstance(got, dict) and sent.keys() == got.keys():
        for k in sent:
            diff(sent[k], got[k], "%s[%r]" % (path, k), out)
    elif sent != got:
        out.append("%s: %r != %r" % (path, sent, got))
    return out


class BareTable(hms.Table):
    """A Table without the Python defaults (temporary=False, ownerType=USER, writeId=-1), so a
    field the server leaves off the wire reads as None instead of the local default."""
    def __init__(self):
        super().__init__()
        self.temporary = self.ownerType = self.writeId = None


class BarePartition(hms.Partition):
    def __init__(self):
        super().__init__()
        self.writeId = None


def call_reading_bare(client, method, args, cls):
    """Calls `method` and decodes its result (field 0) into `cls`."""
    oprot, iprot = client.hms._oprot, client.hms._iprot
    oprot.writeMessageBegin(method, TMessageType.CALL, 0)
    args.write(oprot)
    oprot.writeMessageEnd()
    oprot.trans.flush()
    _, mtype, _ = iprot.readMessageBegin()
    assert mtype == TMessageType.REPLY, mtype
    out = None
    iprot.readStructBegin()
    while True:
        _, ftype, fid = iprot.readFieldBegin()
        if ftype == TType.STOP:
            break
        if fid == 0 and ftype == TType.STRUCT:
            out = cls()
            out.read(iprot)
        else:
            iprot.skip(ftype)
        iprot.readFieldEnd()
    iprot.readStructEnd()
    iprot.readMessageEnd()
    assert out is not None, "no result"
    return out


def full_database(f):
    db = f.struct(hms.Database)
    db.name = DB
    db.catalogName = "hive"
    db.locationUri = "file:/fidelity/fidb.db"
    db.managedLocationUri = "file:/fidelity/managed/fidb.db"
    db.createTime = 1600000001
    return db


def full_table(f, name):
    t = f.struct(hms.Table)
    t.tableName = name
    t.dbName = DB
    t.catName = "hive"
    t.createTime = 1600000002
    t.tableType = "EXTERNAL_TABLE"
    t.parameters = {"EXTERNAL": "TRUE", "transient_lastDdlTime": "1600000003", "k": "v"}
    t.sd.location = "file:/fidelity/tables/" + name
    t.sd.cols = [hms.FieldSchema(name=c, type=ty, comment="comment " + c) for c, ty in STATS_COLS]
    t.sd.skewedInfo = hms.SkewedInfo(
        skewedColNames=["c_long", "c_string"],
        skewedColValues=[["1", "a"], ["2", "b"]],
        skewedColValueLocationMaps={("1", "a"): "file:/skew/1a", ("2", "b"): "file:/skew/2b"})
    t.sd.sortCols = [hms.Order(col="c_long", order=0), hms.Order(col="c_string", order=1)]
    t.sd.bucketCols = ["c_long"]
    t.partitionKeys = [hms.FieldSchema(name="p", type="string", comment="part key")]
    t.viewOriginalText = "select * from src"
    t.viewExpandedText = "select `src`.`id` from `fidb`.`src`"
    t.temporary = True
    t.rewriteEnabled = True
    t.colStats = hms.ColumnStatistics(
        statsDesc=hms.ColumnStatisticsDesc(isTblLevel=True, dbName=DB, tableName=name,
                                           lastAnalyzed=1600000004, catName="hive"),
        statsObj=stats_objs(f), isStatsCompliant=True, engine="hive")
    return t


def full_partition(f, table):
    p = f.struct(hms.Partition)
    p.values = ["v1"]
    p.dbName = DB
    p.tableName = table
    p.catName = "hive"
    p.createTime = 1600000005
    p.parameters = {"transient_lastDdlTime": "1600000006", "pk": "pv"}
    p.sd.location = "file:/fidelity/tables/%s/p=v1" % table
    p.sd.skewedInfo.skewedColValueLocationMaps = {("x", "y"): "file:/skew/xy"}
    p.colStats.statsDesc = hms.ColumnStatisticsDesc(
        isTblLevel=False, dbName=DB, tableName=table, partName="p=v1", lastAnalyzed=1600000007,
        catName="hive")
    p.colStats.statsObj = stats_objs(f)
    return p


def full_function(f):
    fn = f.struct(hms.Function)
    fn.functionName = "full_fn"
    fn.dbName = DB
    fn.catName = "hive"
    fn.createTime = 1600000008
    return fn


class FidelityTest(ArbordTestCase):
    @classmethod
    def setUpClass(cls):
        cls.filler = Filler()
        cls.database = cls.db = full_database(cls.filler)
        super().setUpClass()

    # ColumnStatistics.isStatsCompliant is computed by Hive for transactional tables from the
    # caller's validWriteIdList, not stored with the per-column statistics; a getter may
    # leave it unset.
    STATS_COMPUTED = (".isStatsCompliant",)

    def assertSame(self, sent, got, allowed=()):
        problems = [d for d in diff(sent, got) if not d.startswith(tuple(allowed))]
        self.assertEqual(problems, [], "fields that did not round-trip")

    def test_filler_sets_every_field(self):
        # Guard for the builder itself: nothing left None at the top two levels.
        for obj in (self.db, full_table(self.filler, "x"), full_partition(self.filler, "x"),
                    full_function(self.filler)):
            for field in type(obj).thrift_spec:
                if field is not None:
                    self.assertIsNotNone(getattr(obj, field[2]),
                                         "%s.%s" % (type(obj).__name__, field[2]))

    def test_database(self):
        self.assertSame(self.db, self.c.get_database(DB))
        self.assertSame(self.db, self.c.get_database_req(hms.GetDatabaseRequest(name=DB)))

    def test_table(self):
        t = full_table(self.filler, "full_t")
        self.c.create_table(t)
        self.assertSame(t, self.c.get_table(DB, "full_t"))
        self.assertSame(t, self.c.get_table_req(hms.GetTableRequest(dbName=DB,
                                                                    tblName="full_t")).table)
        got = self.c.get_table_objects_by_name(DB, ["full_t"])
        self.assertEqual(len(got), 1)
        self.assertSame(t, got[0])

    def test_table_alter(self):
        self.c.create_table(full_table(self.filler, "full_alt"))
        t = full_table(self.filler, "full_alt")  # fresh values for every field
        t.parameters["transient_lastDdlTime"] = "1600000009"
        self.c.alter_table(DB, "full_alt", t)
        self.assertSame(t, self.c.get_table(DB, "full_alt"))
        t = full_table(self.filler, "full_alt")
        self.c.alter_table_with_environment_context(DB, "full_alt", t,
                                                    hms.EnvironmentContext(properties={}))
        self.assertSame(t, self.c.get_table(DB, "full_alt"))

    def test_partition(self):
        self.c.create_table(full_table(self.filler, "full_p"))
        p = full_partition(self.filler, "full_p")
        self.assertSame(p, self.c.add_partition(p))
        self.assertSame(p, self.c.get_partition(DB, "full_p", ["v1"]))
        self.assertSame(p, self.c.get_partition_by_name(DB, "full_p", "p=v1"))
        self.assertSame(p, self.c.get_partitions(DB, "full_p", -1)[0])
        self.assertSame(p, self.c.get_partitions_by_names(DB, "full_p", ["p=v1"])[0])

        p = full_partition(self.filler, "full_p")
        self.c.alter_partition(DB, "full_p", p)
        self.assertSame(p, self.c.get_partition(DB, "full_p", ["v1"]))

    def test_function(self):
        fn = full_function(self.filler)
        self.c.create_function(fn)
        self.assertSame(fn, self.c.get_function(DB, "full_fn"))
        got = [g for g in self.c.get_all_functions().functions
               if (g.dbName, g.functionName) == (DB, "full_fn")]
        self.assertEqual(len(got), 1)
        self.assertSame(fn, got[0])

    def test_table_column_statistics(self):
        self.c.create_table(full_table(self.filler, "full_ts"))
        cs = hms.ColumnStatistics(
            statsDesc=hms.ColumnStatisticsDesc(isTblLevel=True, dbName=DB, tableName="full_ts",
                                               lastAnalyzed=1600000010, catName="hive"),
            statsObj=stats_objs(self.filler), isStatsCompliant=True, engine="hive")
        self.assertTrue(self.c.update_table_column_statistics(cs))
        for obj in cs.statsObj:
            with self.subTest(col=obj.colName):
                got = self.c.get_table_column_statistics(DB, "full_ts", obj.colName)
                self.assertSame(hms.ColumnStatistics(statsDesc=cs.statsDesc, statsObj=[obj],
                                                     isStatsCompliant=True, engine="hive"), got,
                                allowed=self.STATS_COMPUTED)
        got = self.c.get_table_statistics_req(hms.TableStatsRequest(
            dbName=DB, tblName="full_ts", colNames=[c for c, _ in STATS_COLS]))
        self.assertSame(sorted(cs.statsObj, key=lambda o: o.colName),
                        sorted(got.tableStats, key=lambda o: o.colName))

    def test_partition_column_statistics(self):
        self.c.create_table(full_table(self.filler, "full_ps"))
        self.c.add_partition(full_partition(self.filler, "full_ps"))
        cs = hms.ColumnStatistics(
            statsDesc=hms.ColumnStatisticsDesc(isTblLevel=False, dbName=DB, tableName="full_ps",
                                               partName="p=v1", lastAnalyzed=1600000011,
                                               catName="hive"),
            statsObj=stats_objs(self.filler), isStatsCompliant=True, engine="hive")
        self.assertTrue(self.c.update_partition_column_statistics(cs))
        for obj in cs.statsObj:
            with self.subTest(col=obj.colName):
                got = self.c.get_partition_column_statistics(DB, "full_ps", "p=v1", obj.colName)
                self.assertSame(hms.ColumnStatistics(statsDesc=cs.statsDesc, statsObj=[obj],
                                                     isStatsCompliant=True, engine="hive"), got,
                                allowed=self.STATS_COMPUTED)
        got = self.c.get_partitions_statistics_req(hms.PartitionsStatsRequest(
            dbName=DB, tblName="full_ps", colNames=[c for c, _ in STATS_COLS], partNames=["p=v1"]))
        self.assertSame(sorted(cs.statsObj, key=lambda o: o.colName),
                        sorted(got.partStats["p=v1"], key=lambda o: o.colName))


class MinimalTest(ArbordTestCase):
    """Unset stays unset; empty containers stay empty; null containers stay null."""

    database = DB

    def unset(self, obj, fields):
        return [f for f in fields if getattr(obj, f) is not None]

    def test_minimal_database(self):
        self.c.create_database(hms.Database(name="mindb"))
        db = self.c.get_database("mindb")
        self.assertEqual(db.name, "mindb")
        self.assertTrue(db.locationUri.endswith("/mindb.db"))  # documented default
        self.assertGreater(db.createTime, 0)  # documented fill
        self.assertEqual(self.unset(db, ["description", "privileges", "managedLocationUri",
                                         "type", "connector_name", "remote_dbname"]), [])
        self.c.create_database(hms.Database(name="mindb2", parameters={}, description=""))
        db = self.c.get_database("mindb2")
        self.assertEqual((db.parameters, db.description), ({}, ""))

    def test_minimal_table(self):
        sd = hms.StorageDescriptor(cols=[], bucketCols=[], sortCols=None, parameters=None,
                                   serdeInfo=hms.SerDeInfo(parameters={}))
        t = hms.Table(tableName="min_t", dbName=DB, sd=sd, partitionKeys=[], parameters={},
                      temporary=None, ownerType=None, writeId=None)
        self.c.create_table(t)
        got = call_reading_bare(self.c, "get_table",
                                service.get_table_args(dbname=DB, tbl_name="min_t"), BareTable)
        self.assertEqual(got.tableType, "MANAGED_TABLE")  # documented fill
        self.assertEqual(list(got.parameters), ["transient_lastDdlTime"])  # documented fill
        self.assertGreater(got.createTime, 0)  # documented fill
        self.assertTrue(got.sd.location.endswith("/fidb.db/min_t"))  # documented default
        self.assertEqual((got.sd.cols, got.sd.bucketCols, got.partitionKeys,
                          got.sd.serdeInfo.parameters), ([], [], [], {}))
        self.assertIsNone(got.sd.sortCols)
        self.assertIsNone(got.sd.parameters)
        self.assertEqual(self.unset(got, [
            "owner", "lastAccessTime", "retention", "viewOriginalText", "viewExpandedText",
            "privileges", "temporary", "rewriteEnabled", "creationMetadata", "ownerType",
            "writeId", "isStatsCompliant", "colStats", "accessType", "requiredReadCapabilities",
            "requiredWriteCapabilities", "fileMetadata", "dictionary", "txnId"]), [])
        self.assertEqual(self.unset(got.sd, ["inputFormat", "outputFormat", "compressed",
                                             "numBuckets", "skewedInfo",
                                             "storedAsSubDirectories"]), [])
        self.assertEqual(self.unset(got.sd.serdeInfo, [
            "name", "serializationLib", "description", "serializerClass", "deserializerClass",
            "serdeType"]), [])
        self.assertEqual(got.sd.cols, [])

    def test_null_containers_stay_null(self):
        sd = hms.StorageDescriptor(cols=None, bucketCols=None, sortCols=None, parameters=None,
                                   serdeInfo=hms.SerDeInfo(parameters=None),
                                   skewedInfo=hms.SkewedInfo())
        self.c.create_table(hms.Table(tableName="null_t", dbName=DB, sd=sd, partitionKeys=None,
                                      parameters=None))
        got = self.c.get_table(DB, "null_t")
        self.assertEqual(self.unset(got.sd, ["cols", "bucketCols", "sortCols", "parameters"]), [])
        self.assertIsNone(got.sd.serdeInfo.parameters)
        self.assertIsNone(got.partitionKeys)
        self.assertEqual(got.sd.skewedInfo, hms.SkewedInfo())

    def test_minimal_partition(self):
        self.c.create_table(hms.Table(
            tableName="min_p", dbName=DB, partitionKeys=[hms.FieldSchema(name="k", type="string")],
            sd=hms.StorageDescriptor(cols=[], serdeInfo=hms.SerDeInfo())))
        p = hms.Partition(values=["a"], dbName=DB, tableName="min_p",
                          sd=hms.StorageDescriptor(cols=[], bucketCols=None, parameters={}),
                          writeId=None)
        # A storage descriptor needs serde info (HMS cannot store one without);
        # an empty one is enough, and stays empty.
        self.assertRaisesHms(hms.MetaException, self.c.add_partition, p)
        p.sd.serdeInfo = hms.SerDeInfo()
        self.c.add_partition(p)
        got = call_reading_bare(self.c, "get_partition", service.get_partition_args(
            db_name=DB, tbl_name="min_p", part_vals=["a"]), BarePartition)
        self.assertEqual(got.values, ["a"])
        self.assertGreater(got.createTime, 0)  # documented fill
        self.assertEqual(list(got.parameters), ["transient_lastDdlTime"])  # documented fill
        self.assertTrue(got.sd.location.endswith("/min_p/k=a"))  # documented default
        self.assertEqual((got.sd.cols, got.sd.parameters), ([], {}))
        self.assertIsNone(got.sd.bucketCols)
        self.assertEqual(got.sd.serdeInfo, hms.SerDeInfo())
        self.assertEqual(self.unset(got, ["lastAccessTime", "privileges", "writeId",
                                          "isStatsCompliant", "colStats", "fileMetadata"]), [])

    def test_minimal_function(self):
        self.c.create_function(hms.Function(functionName="min_fn", dbName=DB, className="x.Y",
                                            ownerType=hms.PrincipalType.USER,
                                            functionType=hms.FunctionType.JAVA))
        got = self.c.get_function(DB, "min_fn")
        self.assertGreater(got.createTime, 0)  # documented fill
        self.assertEqual(got.resourceUris, [])  # Hive never returns null here
        self.assertIsNone(got.ownerName)

    def test_minimal_column_statistics(self):
        self.c.create_table(hms.Table(
            tableName="min_s", dbName=DB, sd=hms.StorageDescriptor(
                cols=[hms.FieldSchema(name="c", type="bigint")], serdeInfo=hms.SerDeInfo())))
        obj = hms.ColumnStatisticsObj(colName="c", colType="bigint",
                                      statsData=hms.ColumnStatisticsData(
                                          longStats=hms.LongColumnStatsData(numNulls=0, numDVs=0)))
        self.c.update_table_column_statistics(hms.ColumnStatistics(
            statsDesc=hms.ColumnStatisticsDesc(isTblLevel=True, dbName=DB, tableName="min_s"),
            statsObj=[obj]))
        got = self.c.get_table_column_statistics(DB, "min_s", "c")
        self.assertEqual(got.statsObj, [obj])
        self.assertIsNone(got.statsObj[0].statsData.longStats.lowValue)
        self.assertIsNone(got.statsObj[0].statsData.longStats.bitVectors)
        self.assertIsNone(got.statsDesc.partName)


if __name__ == "__main__":
    main()

"""Partitions over the Thrift API: every partition method, its error slots, and names.

Expected behaviour is Hive's (HMSHandler, HiveAlterHandler, Warehouse/FileUtils and the
metastore client tests in standalone-metastore/.../client/Test*Partitions.java):
  * add/append on a missing table: InvalidObjectException; existing: AlreadyExistsException;
    a value list that does not match the keys: MetaException; add_partitions is atomic;
  * reads and drops of a missing table or partition: NoSuchObjectException, in the slot each
    method declares (Python raises the class of the slot, so the type checks the slot);
  * alter/rename of a missing partition, or onto an existing one: InvalidOperationException;
  * names are escape(lower(key)) + "=" + escape(value) joined by "/", ordered by name;
    an empty value is __HIVE_DEFAULT_PARTITION__; default locations use the escaped name.
"""

from thrift.Thrift import TApplicationException, TMessageType, TType

from harness import ArbordTestCase, hms, main, make_table

DB = "pdb"
KEYS = (("ds", "string"), ("hr", "int"))
INPUT_FORMAT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
DDL_TIME = "transient_lastDdlTime"
DEFAULT_PART = "__HIVE_DEFAULT_PARTITION__"


def part(table, values, location=None, params=None, db=DB):
    """A partition as Hive clients send it: an sd without a location unless given."""
    sd = hms.StorageDescriptor(
        cols=[hms.FieldSchema(name="id", type="bigint", comment=None)], location=location,
        inputFormat=INPUT_FORMAT, outputFormat=INPUT_FORMAT.replace("Input", "Output"),
        compressed=False, numBuckets=-1,
        serdeInfo=hms.SerDeInfo(serializationLib=SERDE, parameters={}),
        bucketCols=[], sortCols=[], parameters={})
    return hms.Partition(values=list(values), dbName=db, tableName=table, sd=sd,
                         parameters=dict(params or {}))


def name_of(keys, values):
    """Hive's partition name for plain values (no escaping needed)."""
    return "/".join("%s=%s" % (k, v) for (k, _), v in zip(keys, values))


def call_alter_partition_with_environment_context(client, db, table, new_part, ctx):
    """alter_partition_with_environment_context, sent by hand: Arbor's IDL does not declare it,
    so the generated client lacks it. Hive 2.3+ HiveMetaStoreClient.alter_partition (Spark's
    INSERT into an existing partition) always calls this method. Slots: 1 InvalidOperation,
    2 Meta."""
    class Args:
        pass
    args = Args()
    args.db_name, args.tbl_name, args.new_part, args.environment_context = (
        db, table, new_part, ctx)
    spec = (None, (1, TType.STRING, "db_name", "UTF8", None),
            (2, TType.STRING, "tbl_name", "UTF8", None),
            (3, TType.STRUCT, "new_part", [hms.Partition, None], None),
            (4, TType.STRUCT, "environment_context", [hms.EnvironmentContext, None], None))
    oprot, iprot = client.hms._oprot, client.hms._iprot
    oprot.writeMessageBegin("alter_partition_with_environment_context", TMessageType.CALL, 0)
    oprot.writeStruct(args, spec)
    oprot.writeMessageEnd()
    oprot.trans.flush()
    _, mtype, _ = iprot.readMessageBegin()
    if mtype == TMessageType.EXCEPTION:
        x = TApplicationException()
        x.read(iprot)
        iprot.readMessageEnd()
        raise x

    class Result:
        o1 = o2 = None
    result = Result()
    iprot.readStruct(result, (None, (1, TType.STRUCT, "o1", [hms.InvalidOperationException, None],
                                     None),
                              (2, TType.STRUCT, "o2", [hms.MetaException, None], None)))
    iprot.readMessageEnd()
    if result.o1 is not None:
        raise result.o1
    if result.o2 is not None:
        raise result.o2


class PartitionTestCase(ArbordTestCase):
    database = DB

    def new_table(self, name, keys=KEYS, params=None):
        self.c.create_table(make_table(DB, name, part_keys=keys, params=params))
        return self.c.get_table(DB, name)

    def names(self, table):
        return self.c.get_partition_names(DB, table, -1)

    def values_set(self, parts):
        return sorted(tuple(p.values) for p in parts)


class AddAppendTest(PartitionTestCase):
    def test_add_partition(self):
        t = self.new_table("add1")
        r = self.c.add_partition(part("add1", ["2024-01-01", "1"], params={"k": "v"}))
        self.assertEqual(r.values, ["2024-01-01", "1"])
        self.assertEqual(r.tableName, "add1")
        self.assertEqual(r.sd.location, t.sd.location + "/ds=2024-01-01/hr=1")
        self.assertEqual(r.parameters["k"], "v")
        self.assertIn(DDL_TIME, r.parameters)
        self.assertGreater(r.createTime, 0)

        g = self.c.get_partition(DB, "add1", ["2024-01-01", "1"])
        self.assertEqual(g.values, r.values)
        self.assertEqual(g.sd.location, r.sd.location)
        self.assertEqual(g.parameters, r.parameters)
        self.assertEqual(g.createTime, r.createTime)
        self.assertEqual(g.sd.cols, [hms.FieldSchema(name="id", type="bigint")])

        # A location the client sets is kept.
        r = self.c.add_partition(part("add1", ["2024-01-01", "2"], location="file:/elsewhere/p2"))
        self.assertEqual(r.sd.location, "file:/elsewhere/p2")
        self.assertEqual(self.c.get_partition(DB, "add1", ["2024-01-01", "2"]).sd.location,
                         "file:/elsewhere/p2")

        # Values are case-sensitive: "A" and "a" are two partitions.
        self.c.add_partition(part("add1", ["A", "1"]))
        self.c.add_partition(part("add1", ["a", "1"]))
        self.assertIn("ds=A/hr=1", self.names("add1"))
        self.assertIn("ds=a/hr=1", self.names("add1"))

        # Upper-case db and table names in the struct address the same table.
        self.c.add_partition(part("ADD1", ["up", "1"], db="PDB"))
        self.assertEqual(self.c.get_partition(DB, "add1", ["up", "1"]).tableName, "add1")
        self.assertEqual(self.c.get_partition("PDB", "ADD1", ["up", "1"]).values, ["up", "1"])

    def test_add_partition_with_environment_context(self):
        t = self.new_table("addenv")
        ctx = hms.EnvironmentContext(properties={"a": "b"})
        r = self.c.add_partition_with_environment_context(part("addenv", ["x", "1"]), ctx)
        self.assertEqual(r.sd.location, t.sd.location + "/ds=x/hr=1")
        r = self.c.add_partition_with_environment_context(part("addenv", ["x", "2"]), None)
        self.assertEqual(r.values, ["x", "2"])
        self.assertRaisesHms(hms.AlreadyExistsException,
                             self.c.add_partition_with_environment_context,
                             part("addenv", ["x", "1"]), ctx)
        self.assertRaisesHms(hms.InvalidObjectException,
                             self.c.add_partition_with_environment_context,
                             part("nosuch", ["x", "1"]), ctx)

    def test_add_partition_errors(self):
        self.new_table("adderr")
        self.c.add_partition(part("adderr", ["a", "1"]))
        self.assertRaisesHms(hms.AlreadyExistsException, self.c.add_partition,
                             part("adderr", ["a", "1"]))
        self.assertRaisesHms(hms.InvalidObjectException, self.c.add_partition,
                             part("nosuch", ["a", "1"]))
        self.assertRaisesHms(hms.InvalidObjectException, self.c.add_partition,
                             part("adderr", ["a", "1"], db="nosuchdb"))
        self.assertEqual(self.names("adderr"), ["ds=a/hr=1"])

    def test_value_count_mismatch_is_meta_exception(self):
        # Warehouse.makePartName rejects a value list that does not match the keys with
        # MetaException("Invalid partition key & values ..."), whatever the method.
        self.new_table("cnt")
        self.c.add_partition(part("cnt", ["a", "1"]))
        Meta, ctx = hms.MetaException, hms.EnvironmentContext(properties={})
        for vals in (["b"], ["b", "1", "x"]):
            with self.subTest(vals=vals):
                self.assertRaisesHms(Meta, self.c.add_partition, part("cnt", vals))
                self.assertRaisesHms(Meta, self.c.add_partition_with_environment_context,
                                     part("cnt", vals), ctx)
                self.assertRaisesHms(Meta, self.c.add_partitions,
                                     [part("cnt", ["c", "1"]), part("cnt", vals)])
                self.assertRaisesHms(Meta, self.c.add_partitions_req, hms.AddPartitionsRequest(
                    dbName=DB, tblName="cnt", ifNotExists=True, parts=[part("cnt", vals)]))
                self.assertRaisesHms(Meta, self.c.append_partition, DB, "cnt", vals)
                self.assertRaisesHms(Meta, self.c.append_partition_with_environment_context,
                                     DB, "cnt", vals, ctx)
                self.assertRaisesHms(Meta, self.c.append_partition_req,
                                     hms.AppendPartitionsRequest(dbName=DB, tableName="cnt",
                                                                 partVals=vals))
                self.assertRaisesHms(Meta, self.c.get_partition, DB, "cnt", vals)
                self.assertRaisesHms(Meta, self.c.get_partition_with_auth, DB, "cnt", vals, "u", [])
                self.assertRaisesHms(Meta, self.c.get_partition_req, hms.GetPartitionRequest(
                    dbName=DB, tblName="cnt", partVals=vals))
                self.assertRaisesHms(Meta, self.c.drop_partition, DB, "cnt", vals, False)
                self.assertRaisesHms(Meta, self.c.drop_partition_req, hms.DropPartitionRequest(
                    dbName=DB, tblName="cnt", partVals=vals))
                self.assertRaisesHms(Meta, self.c.alter_partition, DB, "cnt", part("cnt", vals))
        self.assertEqual(self.names("cnt"), ["ds=a/hr=1"])

    def test_incomplete_partition_name(self):
        # A name missing a key: get/drop by name answer NoSuchObjectException (Hive converts
        # the InvalidObjectException of getPartValsFromName), append by name keeps
        # InvalidObjectException.
        self.new_table("inc")
        self.c.add_partition(part("inc", ["a", "1"]))
        NoSuch = hms.NoSuchObjectException
        self.assertRaisesHms(NoSuch, self.c.get_partition_by_name, DB, "inc", "ds=a")
        self.assertRaisesHms(NoSuch, self.c.drop_partition_by_name, DB, "inc", "ds=a", False)
        self.assertRaisesHms(NoSuch, self.c.drop_partition_by_name, DB, "inc", "garbage", False)
        self.assertRaisesHms(NoSuch, self.c.drop_partition_by_name_with_environment_context,
                             DB, "inc", "ds=a", False, None)
        self.assertRaisesHms(hms.InvalidObjectException, self.c.append_partition_by_name,
                             DB, "inc", "ds=b")
        self.assertEqual(self.names("inc"), ["ds=a/hr=1"])

    def test_add_partitions_duplicate_in_list(self):
        self.new_table("dup")
        self.assertRaisesHms(hms.MetaException, self.c.add_partitions,
                             [part("dup", ["e", "1"]), part("dup", ["e", "1"])])
        self.assertEqual(self.names("dup"), [])

    def test_add_partitions(self):
        self.new_table("many")
        self.new_table("other")
        n = self.c.add_partitions([part("many", ["a", "1"]), part("many", ["b", "1"]),
                                   part("many", ["c", "1"])])
        self.assertEqual(n, 3)
        self.assertEqual(self.c.add_partitions([]), 0)
        self.assertEqual(self.names("many"), ["ds=a/hr=1", "ds=b/hr=1", "ds=c/hr=1"])
        before = self.names("many")

        # One already exists: AlreadyExistsException and nothing is added.
        self.assertRaisesHms(hms.AlreadyExistsException, self.c.add_partitions,
                             [part("many", ["d", "1"]), part("many", ["a", "1"])])
        # Partitions of two different tables in one call: MetaException.
        self.assertRaisesHms(hms.MetaException, self.c.add_partitions,
                             [part("many", ["f", "1"]), part("other", ["f", "1"])])
        self.assertEqual(self.names("many"), before)
        self.assertEqual(self.names("other"), [])

        self.assertRaisesHms(hms.InvalidObjectException, self.c.add_partitions,
                             [part("nosuch", ["a", "1"])])

    def test_add_partitions_req(self):
        t = self.new_table("areq")
        req = hms.AddPartitionsRequest(dbName=DB, tblName="areq", ifNotExists=False,
                                       parts=[part("areq", ["a", "1"], params={"orig": "1"}),
                                              part("areq", ["b", "1"])])
        res = self.c.add_partitions_req(req)  # needResult defaults to true
        self.assertEqual(self.values_set(res.partitions), [("a", "1"), ("b", "1")])
        for p in res.partitions:
            self.assertEqual(p.sd.location, t.sd.location + "/" + name_of(KEYS, p.values))

        # ifNotExists: the existing partition is skipped (and left as it was), the new one
        # is added, and only the added one is returned.
        req = hms.AddPartitionsRequest(dbName=DB, tblName="areq", ifNotExists=True,
                                       needResult=True,
                                       parts=[part("areq", ["a", "1"], params={"orig": "2"}),
                                              part("areq", ["c", "1"])])
        res = self.c.add_partitions_req(req)
        self.assertEqual(self.values_set(res.partitions), [("c", "1")])
        self.assertEqual(self.c.get_partition(DB, "areq", ["a", "1"]).parameters["orig"], "1")

        # Without ifNotExists an existing partition fails the whole request.
        req = hms.AddPartitionsRequest(dbName=DB, tblName="areq", ifNotExists=False,
                                       parts=[part("areq", ["d", "1"]), part("areq", ["a", "1"])])
        self.assertRaisesHms(hms.AlreadyExistsException, self.c.add_partitions_req, req)
        self.assertNotIn("ds=d/hr=1", self.names("areq"))

        # needResult=false: no partition list in the result, but the partitions are added.
        req = hms.AddPartitionsRequest(dbName=DB, tblName="areq", ifNotExists=False,
                                       needResult=False, parts=[part("areq", ["e", "1"])])
        res = self.c.add_partitions_req(req)
        self.assertIsNone(res.partitions)
        self.assertIn("ds=e/hr=1", self.names("areq"))

        req = hms.AddPartitionsRequest(dbName=DB, tblName="nosuch", ifNotExists=False,
                                       parts=[part("nosuch", ["a", "1"])])
        self.assertRaisesHms(hms.InvalidObjectException, self.c.add_partitions_req, req)

    def test_append_partition(self):
        t = self.new_table("app")
        r = self.c.append_partition(DB, "app", ["2024-01-01", "1"])
        self.assertEqual(r.values, ["2024-01-01", "1"])
        self.assertEqual(r.tableName, "app")
        self.assertEqual(r.sd.location, t.sd.location + "/ds=2024-01-01/hr=1")
        # The storage descriptor comes from the table.
        self.assertEqual(r.sd.cols, t.sd.cols)
        self.assertEqual(r.sd.inputFormat, t.sd.inputFormat)
        self.assertEqual(r.sd.serdeInfo.serializationLib, t.sd.serdeInfo.serializationLib)
        self.assertIn(DDL_TIME, r.parameters)
        g = self.c.get_partition(DB, "app", ["2024-01-01", "1"])
        self.assertEqual((g.values, g.sd.location, g.parameters, g.createTime),
                         (r.values, r.sd.location, r.parameters, r.createTime))

        ctx = hms.EnvironmentContext(properties={"a": "b"})
        r = self.c.append_partition_with_environment_context(DB, "app", ["2024-01-01", "2"], ctx)
        self.assertEqual(r.sd.location, t.sd.location + "/ds=2024-01-01/hr=2")

        r = self.c.append_partition_by_name(DB, "app", "ds=2024-01-02/hr=3")
        self.assertEqual(r.values, ["2024-01-02", "3"])
        self.assertEqual(r.sd.location, t.sd.location + "/ds=2024-01-02/hr=3")
        # The name is unescaped into values; the location keeps the escaped name.
        r = self.c.append_partition_by_name(DB, "app", "ds=a%2Fb/hr=4")
        self.assertEqual(r.values, ["a/b", "4"])
        self.assertEqual(r.sd.location, t.sd.location + "/ds=a%2Fb/hr=4")
        r = self.c.append_partition_by_name_with_environment_context(
            DB, "app", "ds=2024-01-02/hr=5", ctx)
        self.assertEqual(r.values, ["2024-01-02", "5"])

        r = self.c.append_partition_req(hms.AppendPartitionsRequest(
            dbName=DB, tableName="app", partVals=["2024-01-03", "6"]))
        self.assertEqual(r.values, ["2024-01-03", "6"])
        self.assertEqual(r.sd.location, t.sd.location + "/ds=2024-01-03/hr=6")
        r = self.c.append_partition_req(hms.AppendPartitionsRequest(
            dbName=DB, tableName="app", name="ds=2024-01-03/hr=7", environmentContext=ctx))
        self.assertEqual(r.values, ["2024-01-03", "7"])

        self.assertEqual(sorted(self.names("app")), sorted([
            "ds=2024-01-01/hr=1", "ds=2024-01-01/hr=2", "ds=2024-01-02/hr=3", "ds=a%2Fb/hr=4",
            "ds=2024-01-02/hr=5", "ds=2024-01-03/hr=6", "ds=2024-01-03/hr=7"]))

    def test_append_partition_errors(self):
        self.new_table("apperr")
        self.c.append_partition(DB, "apperr", ["a", "1"])
        ctx = hms.EnvironmentContext(properties={})
        Exists, InvalidObj = hms.AlreadyExistsException, hms.InvalidObjectException
        self.assertRaisesHms(Exists, self.c.append_partition, DB, "apperr", ["a", "1"])
        self.assertRaisesHms(Exists, self.c.append_partition_with_environment_context,
                             DB, "apperr", ["a", "1"], ctx)
        self.assertRaisesHms(Exists, self.c.append_partition_by_name, DB, "apperr", "ds=a/hr=1")
        self.assertRaisesHms(Exists, self.c.append_partition_req, hms.AppendPartitionsRequest(
            dbName=DB, tableName="apperr", partVals=["a", "1"]))

        self.assertRaisesHms(InvalidObj, self.c.append_partition, DB, "nosuch", ["a", "1"])
        self.assertRaisesHms(InvalidObj, self.c.append_partition, "nosuchdb", "apperr", ["a", "1"])
        self.assertRaisesHms(InvalidObj, self.c.append_partition_with_environment_context,
                             DB, "nosuch", ["a", "1"], ctx)
        self.assertRaisesHms(InvalidObj, self.c.append_partition_by_name, DB, "nosuch", "ds=a/hr=1")
        self.assertRaisesHms(InvalidObj, self.c.append_partition_by_name_with_environment_context,
                             DB, "nosuch", "ds=a/hr=1", ctx)
        self.assertRaisesHms(InvalidObj, self.c.append_partition_req, hms.AppendPartitionsRequest(
            dbName=DB, tableName="nosuch", partVals=["a", "1"]))

        # A name that misses a key, names an unknown key, or is no name: InvalidObject.
        self.assertRaisesHms(InvalidObj, self.c.append_partition_by_name, DB, "apperr",
                             "ds=b/nokey=1")
        self.assertRaisesHms(InvalidObj, self.c.append_partition_by_name, DB, "apperr", "garbage")
        self.assertEqual(self.names("apperr"), ["ds=a/hr=1"])


class AlterRenameDropTest(PartitionTestCase):
    def test_alter_partition(self):
        self.new_table("alt")
        self.c.add_partitions([part("alt", ["a", "1"], params={"k": "v"}),
                               part("alt", ["b", "1"]), part("alt", ["c", "1"])])
        p = self.c.get_partition(DB, "alt", ["a", "1"])
        created = p.createTime
        p.parameters = {"n": "1"}  # replaces the whole map; the DDL time is added back
        p.sd.location = "file:/custom/a1"
        self.c.alter_partition(DB, "alt", p)
        g = self.c.get_partition(DB, "alt", ["a", "1"])
        self.assertEqual(g.parameters.get("n"), "1")
        self.assertNotIn("k", g.parameters)
        self.assertIn(DDL_TIME, g.parameters)
        self.assertEqual(g.sd.location, "file:/custom/a1")
        self.assertEqual(g.createTime, created)

        b = self.c.get_partition(DB, "alt", ["b", "1"])
        c = self.c.get_partition(DB, "alt", ["c", "1"])
        b.parameters["m"] = "b"
        c.parameters["m"] = "c"
        self.c.alter_partitions(DB, "alt", [b, c])
        self.assertEqual(self.c.get_partition(DB, "alt", ["b", "1"]).parameters["m"], "b")
        self.assertEqual(self.c.get_partition(DB, "alt", ["c", "1"]).parameters["m"], "c")

        b.parameters["m"] = "b2"
        self.c.alter_partitions_with_environment_context(DB, "alt", [b], None)
        self.assertEqual(self.c.get_partition(DB, "alt", ["b", "1"]).parameters["m"], "b2")

        c.parameters["m"] = "c3"
        res = self.c.alter_partitions_req(hms.AlterPartitionsRequest(
            dbName=DB, tableName="alt", partitions=[c],
            environmentContext=hms.EnvironmentContext(properties={})))
        self.assertIsInstance(res, hms.AlterPartitionsResponse)
        self.assertEqual(self.c.get_partition(DB, "alt", ["c", "1"]).parameters["m"], "c3")

    def test_alter_partition_with_environment_context(self):
        self.new_table("altenv")
        self.c.add_partition(part("altenv", ["a", "1"], params={"k": "v"}))
        p = self.c.get_partition(DB, "altenv", ["a", "1"])
        p.parameters["env"] = "yes"
        call_alter_partition_with_environment_context(
            self.c, DB, "altenv", p, hms.EnvironmentContext(properties={"a": "b"}))
        self.assertEqual(self.c.get_partition(DB, "altenv", ["a", "1"]).parameters["env"], "yes")
        p.parameters["env"] = "null-context"
        call_alter_partition_with_environment_context(self.c, DB, "altenv", p, None)
        self.assertEqual(self.c.get_partition(DB, "altenv", ["a", "1"]).parameters["env"],
                         "null-context")
        with self.assertRaises(hms.InvalidOperationException):
            call_alter_partition_with_environment_context(
                self.c, DB, "altenv", part("altenv", ["zz", "1"]), None)

    def test_alter_partition_errors(self):
        self.new_table("alterr")
        self.c.add_partitions([part("alterr", ["a", "1"], params={"k": "v"})])
        InvalidOp = hms.InvalidOperationException
        self.assertRaisesHms(InvalidOp, self.c.alter_partition, DB, "alterr",
                             part("alterr", ["zz", "1"]))
        self.assertRaisesHms(InvalidOp, self.c.alter_partition, DB, "nosuch",
                             part("nosuch", ["a", "1"]))
        # One unknown partition fails the batch, and the known one is left unchanged.
        known = self.c.get_partition(DB, "alterr", ["a", "1"])
        known.parameters["k"] = "changed"
        self.assertRaisesHms(InvalidOp, self.c.alter_partitions, DB, "alterr",
                             [known, part("alterr", ["zz", "1"])])
        self.assertRaisesHms(InvalidOp, self.c.alter_partitions_req, hms.AlterPartitionsRequest(
            dbName=DB, tableName="alterr", partitions=[known, part("alterr", ["zz", "1"])]))
        self.assertEqual(self.c.get_partition(DB, "alterr", ["a", "1"]).parameters["k"], "v")

    def test_alter_or_rename_with_a_partition_of_another_table(self):
        # Hive's client API tests (TestAlterPartitions.test*Change{Db,Table}Name):
        # a partition naming another table or database is refused, the stored
        # one is left unchanged.
        self.new_table("own")
        self.new_table("other")
        self.c.add_partitions([part("own", ["a", "1"], params={"k": "v"})])
        p = self.c.get_partition(DB, "own", ["a", "1"])
        p.parameters["k"] = "changed"
        p.tableName = "other"
        self.assertRaisesHms(hms.MetaException, self.c.alter_partition, DB, "own", p,
                             contains="does not belong")
        self.assertRaisesHms(hms.MetaException, self.c.alter_partitions, DB, "own", [p])
        self.assertRaisesHms(hms.MetaException, self.c.rename_partition, DB, "own", ["a", "1"], p)
        # A missing table is reported first, as Hive does.
        self.assertRaisesHms(hms.InvalidOperationException, self.c.alter_partition, DB, "nosuch",
                             p)
        p.tableName = "own"
        p.dbName = "default"
        self.assertRaisesHms(hms.MetaException, self.c.alter_partition, DB, "own", p)
        self.assertEqual(self.c.get_partition(DB, "own", ["a", "1"]).parameters["k"], "v")
        # The request's database, with or without the ref and in any case, is its own.
        p.dbName = DB.upper()
        self.c.alter_partition(DB, "own", p)
        self.assertEqual(self.c.get_partition(DB, "own", ["a", "1"]).parameters["k"], "changed")

    def test_rename_partition(self):
        self.new_table("ren")
        self.c.add_partitions([part("ren", ["a", "1"], params={"k": "v"}), part("ren", ["b", "1"])])
        p = self.c.get_partition(DB, "ren", ["a", "1"])
        p.values = ["c", "1"]
        self.c.rename_partition(DB, "ren", ["a", "1"], p)
        g = self.c.get_partition(DB, "ren", ["c", "1"])
        self.assertEqual(g.values, ["c", "1"])
        self.assertEqual(g.parameters["k"], "v")
        self.assertRaisesHms(hms.NoSuchObjectException, self.c.get_partition, DB, "ren",
                             ["a", "1"])
        self.assertEqual(sorted(self.names("ren")), ["ds=b/hr=1", "ds=c/hr=1"])

        g.values = ["d", "1"]
        res = self.c.rename_partition_req(hms.RenamePartitionRequest(
            dbName=DB, tableName="ren", partVals=["c", "1"], newPart=g))
        self.assertIsInstance(res, hms.RenamePartitionResponse)
        self.assertEqual(sorted(self.names("ren")), ["ds=b/hr=1", "ds=d/hr=1"])

        InvalidOp = hms.InvalidOperationException
        # Old partition missing.
        g.values = ["e", "1"]
        self.assertRaisesHms(InvalidOp, self.c.rename_partition, DB, "ren", ["zz", "1"], g)
        self.assertRaisesHms(InvalidOp, self.c.rename_partition_req, hms.RenamePartitionRequest(
            dbName=DB, tableName="ren", partVals=["zz", "1"], newPart=g))
        # Target already exists: nothing changes.
        g.values = ["b", "1"]
        self.assertRaisesHms(InvalidOp, self.c.rename_partition, DB, "ren", ["d", "1"], g)
        self.assertRaisesHms(InvalidOp, self.c.rename_partition_req, hms.RenamePartitionRequest(
            dbName=DB, tableName="ren", partVals=["d", "1"], newPart=g))
        self.assertEqual(sorted(self.names("ren")), ["ds=b/hr=1", "ds=d/hr=1"])
        # Missing table.
        self.assertRaisesHms(InvalidOp, self.c.rename_partition, DB, "nosuch", ["d", "1"],
                             part("nosuch", ["e", "1"]))

    def test_drop_partition(self):
        self.new_table("drp")
        vals = [["a", "1"], ["b", "1"], ["c", "1"], ["d", "1"], ["e", "1"], ["f", "1"]]
        self.c.add_partitions([part("drp", v) for v in vals])
        ctx = hms.EnvironmentContext(properties={"ifPurge": "TRUE"})
        self.assertTrue(self.c.drop_partition(DB, "drp", ["a", "1"], True))
        self.assertRaisesHms(hms.NoSuchObjectException, self.c.get_partition, DB, "drp",
                             ["a", "1"])
        self.assertTrue(self.c.drop_partition_by_name(DB, "drp", "ds=b/hr=1", False))
        self.assertTrue(self.c.drop_partition_with_environment_context(
            DB, "drp", ["c", "1"], False, ctx))
        self.assertTrue(self.c.drop_partition_by_name_with_environment_context(
            DB, "drp", "ds=d/hr=1", False, ctx))
        self.assertTrue(self.c.drop_partition_req(hms.DropPartitionRequest(
            dbName=DB, tblName="drp", partVals=["e", "1"], deleteData=False)))
        self.assertTrue(self.c.drop_partition_req(hms.DropPartitionRequest(
            dbName=DB, tblName="drp", partName="ds=f/hr=1", environmentContext=ctx)))
        self.assertEqual(self.names("drp"), [])

    def test_drop_partition_errors(self):
        self.new_table("drperr")
        self.c.add_partitions([part("drperr", ["a", "1"])])
        NoSuch = hms.NoSuchObjectException
        self.assertRaisesHms(NoSuch, self.c.drop_partition, DB, "drperr", ["zz", "1"], False)
        self.assertRaisesHms(NoSuch, self.c.drop_partition, DB, "nosuch", ["a", "1"], False)
        self.assertRaisesHms(NoSuch, self.c.drop_partition, "nosuchdb", "drperr", ["a", "1"], False)
        self.assertRaisesHms(NoSuch, self.c.drop_partition_with_environment_context,
                             DB, "drperr", ["zz", "1"], False, None)
        self.assertRaisesHms(NoSuch, self.c.drop_partition_by_name, DB, "drperr", "ds=zz/hr=1",
                             False)
        self.assertRaisesHms(NoSuch, self.c.drop_partition_by_name, DB, "nosuch", "ds=a/hr=1",
                             False)
        self.assertRaisesHms(NoSuch, self.c.drop_partition_by_name_with_environment_context,
                             DB, "drperr", "ds=zz/hr=1", False, None)
        self.assertRaisesHms(NoSuch, self.c.drop_partition_req, hms.DropPartitionRequest(
            dbName=DB, tblName="drperr", partVals=["zz", "1"]))
        self.assertRaisesHms(NoSuch, self.c.drop_partition_req, hms.DropPartitionRequest(
            dbName=DB, tblName="nosuch", partName="ds=a/hr=1"))
        self.assertEqual(self.names("drperr"), ["ds=a/hr=1"])

    def test_drop_partitions_req(self):
        self.new_table("drps")
        vals = [["a", "1"], ["b", "1"], ["c", "1"], ["d", "1"], ["e", "1"]]
        self.c.add_partitions([part("drps", v) for v in vals])

        def req(names, **kw):
            return hms.DropPartitionsRequest(dbName=DB, tblName="drps",
                                             parts=hms.RequestPartsSpec(names=names), **kw)

        res = self.c.drop_partitions_req(req(["ds=a/hr=1", "ds=b/hr=1"]))
        self.assertEqual(self.values_set(res.partitions), [("a", "1"), ("b", "1")])
        self.assertEqual(self.names("drps"), ["ds=c/hr=1", "ds=d/hr=1", "ds=e/hr=1"])

        res = self.c.drop_partitions_req(req(["ds=c/hr=1"], needResult=False, deleteData=True))
        self.assertIsNone(res.partitions)
        self.assertEqual(self.names("drps"), ["ds=d/hr=1", "ds=e/hr=1"])

        # ifExists=false and a name is missing: NoSuchObject, and nothing is dropped.
        self.assertRaisesHms(hms.NoSuchObjectException, self.c.drop_partitions_req,
                             req(["ds=d/hr=1", "ds=zz/hr=1"], ifExists=False))
        self.assertEqual(self.names("drps"), ["ds=d/hr=1", "ds=e/hr=1"])
        # ifExists (the default) skips the missing name and drops the rest.
        res = self.c.drop_partitions_req(req(["ds=d/hr=1", "ds=zz/hr=1"]))
        self.assertEqual(self.values_set(res.partitions), [("d", "1")])
        self.assertEqual(self.names("drps"), ["ds=e/hr=1"])

        # The expression form needs Hive's Kryo deserializer: MetaException.
        exprs = hms.RequestPartsSpec(exprs=[hms.DropPartitionsExpr(expr=b"\x01\x02kryo")])
        self.assertRaisesHms(hms.MetaException, self.c.drop_partitions_req,
                             hms.DropPartitionsRequest(dbName=DB, tblName="drps", parts=exprs))
        self.assertEqual(self.names("drps"), ["ds=e/hr=1"])

        self.assertRaisesHms(hms.NoSuchObjectException, self.c.drop_partitions_req,
                             hms.DropPartitionsRequest(dbName=DB, tblName="nosuch",
                                                       parts=hms.RequestPartsSpec(names=["x=1"])))


class ReadTest(PartitionTestCase):
    VALUES = [("2024-01-01", "1"), ("2024-01-01", "2"), ("2024-01-01", "10"),
              ("2024-01-02", "1"), ("2024-01-03", "5")]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        c = cls.server.client()
        try:
            c.create_table(make_table(DB, "r", part_keys=KEYS))
            c.add_partitions([part("r", v) for v in cls.VALUES])
        finally:
            c.close()

    def all_names(self):
        # Hive lists partitions ordered by partition name.
        return sorted(name_of(KEYS, v) for v in self.VALUES)

    def assert_values(self, parts, expected):
        self.assertEqual(self.values_set(parts), sorted(expected))

    def test_get_partition_forms(self):
        loc = self.c.get_table(DB, "r").sd.location + "/ds=2024-01-01/hr=10"
        v = ["2024-01-01", "10"]
        for p in (self.c.get_partition(DB, "r", v),
                  self.c.get_partition_with_auth(DB, "r", v, "user", ["group"]),
                  self.c.get_partition_by_name(DB, "r", "ds=2024-01-01/hr=10"),
                  self.c.get_partition_req(hms.GetPartitionRequest(
                      dbName=DB, tblName="r", partVals=v)).partition):
            self.assertEqual(p.values, v)
            self.assertEqual(p.tableName, "r")
            self.assertEqual(p.dbName, DB)
            self.assertEqual(p.sd.location, loc)
        # No privileges were granted, so none come back.
        self.assertIsNone(self.c.get_partition_with_auth(DB, "r", v, "user", ["g"]).privileges)

    def test_db_name_echo(self):
        # Responses name the database as the client did (docs/refs.md#database-names-with-refs): `pdb@main` is the
        # default branch, and the partitions come back with dbName "pdb@main".
        parts = self.c.get_partitions(DB + "@main", "r", -1)
        self.assert_values(parts, self.VALUES)
        self.assertEqual({p.dbName for p in parts}, {DB + "@main"})
        p = self.c.get_partition(DB + "@main", "r", ["2024-01-01", "1"])
        self.assertEqual((p.dbName, p.tableName), (DB + "@main", "r"))
        self.assertEqual(self.c.get_partition_names(DB + "@main", "r", -1), self.all_names())

    def test_get_partition_errors(self):
        NoSuch, Meta = hms.NoSuchObjectException, hms.MetaException
        self.assertRaisesHms(NoSuch, self.c.get_partition, DB, "r", ["2024-01-01", "99"])
        self.assertRaisesHms(NoSuch, self.c.get_partition, DB, "nosuch", ["2024-01-01", "1"])
        self.assertRaisesHms(NoSuch, self.c.get_partition, "nosuchdb", "r", ["2024-01-01", "1"])
        self.assertRaisesHms(NoSuch, self.c.get_partition_with_auth, DB, "r",
                             ["2024-01-01", "99"], "u", [])
        self.assertRaisesHms(NoSuch, self.c.get_partition_with_auth, DB, "nosuch",
                             ["2024-01-01", "1"], "u", [])
        self.assertRaisesHms(NoSuch, self.c.get_partition_by_name, DB, "r", "ds=2024-01-01/hr=99")
        self.assertRaisesHms(NoSuch, self.c.get_partition_by_name, DB, "nosuch",
                             "ds=2024-01-01/hr=1")
        self.assertRaisesHms(Meta, self.c.get_partition_by_name, DB, "r", "")
        self.assertRaisesHms(NoSuch, self.c.get_partition_req, hms.GetPartitionRequest(
            dbName=DB, tblName="r", partVals=["2024-01-01", "99"]))
        self.assertRaisesHms(NoSuch, self.c.get_partition_req, hms.GetPartitionRequest(
            dbName=DB, tblName="nosuch", partVals=["2024-01-01", "1"]))

    def test_get_partitions(self):
        names = self.all_names()
        parts = self.c.get_partitions(DB, "r", -1)
        self.assertEqual([name_of(KEYS, p.values) for p in parts], names)
        self.assertEqual(self.c.get_partitions(DB, "r", 0), [])
        two = self.c.get_partitions(DB, "r", 2)
        self.assertEqual([name_of(KEYS, p.values) for p in two], names[:2])
        self.assert_values(self.c.get_partitions_with_auth(DB, "r", -1, "u", ["g"]), self.VALUES)
        self.assertEqual(len(self.c.get_partitions_with_auth(DB, "r", 3, "u", ["g"])), 3)
        self.assertEqual(self.c.get_partitions_with_auth(DB, "r", 0, "u", ["g"]), [])

        res = self.c.get_partitions_req(hms.PartitionsRequest(dbName=DB, tblName="r"))
        self.assert_values(res.partitions, self.VALUES)
        res = self.c.get_partitions_req(hms.PartitionsRequest(dbName=DB, tblName="r", maxParts=3))
        self.assertEqual([name_of(KEYS, p.values) for p in res.partitions], names[:3])
        res = self.c.get_partitions_req(hms.PartitionsRequest(dbName=DB, tblName="r", maxParts=0))
        self.assertEqual(res.partitions, [])

        NoSuch = hms.NoSuchObjectException
        self.assertRaisesHms(NoSuch, self.c.get_partitions, DB, "nosuch", -1)
        self.assertRaisesHms(NoSuch, self.c.get_partitions, "nosuchdb", "r", -1)
        self.assertRaisesHms(NoSuch, self.c.get_partitions_with_auth, DB, "nosuch", -1, "u", [])
        self.assertRaisesHms(NoSuch, self.c.get_partitions_req,
                             hms.PartitionsRequest(dbName=DB, tblName="nosuch"))

    def test_get_partitions_ps(self):
        cases = [
            (["2024-01-01"], [v for v in self.VALUES if v[0] == "2024-01-01"]),  # shorter list
            (["2024-01-01", ""], [v for v in self.VALUES if v[0] == "2024-01-01"]),
            (["", "1"], [v for v in self.VALUES if v[1] == "1"]),  # "" is a wildcard
            (["", ""], self.VALUES),
            (["2024-01-01", "10"], [("2024-01-01", "10")]),
            (["2099-01-01"], []),
        ]
        for vals, expected in cases:
            with self.subTest(vals=vals):
                self.assert_values(self.c.get_partitions_ps(DB, "r", vals, -1), expected)
                self.assert_values(
                    self.c.get_partitions_ps_with_auth(DB, "r", vals, -1, "u", ["g"]), expected)
                res = self.c.get_partitions_ps_with_auth_req(hms.GetPartitionsPsWithAuthRequest(
                    dbName=DB, tblName="r", partVals=vals, maxParts=-1, userName="u",
                    groupNames=["g"]))
                self.assert_values(res.partitions, expected)
                self.assertEqual(sorted(self.c.get_partition_names_ps(DB, "r", vals, -1)),
                                 sorted(name_of(KEYS, v) for v in expected))

        self.assertEqual(len(self.c.get_partitions_ps(DB, "r", ["2024-01-01"], 2)), 2)
        self.assertEqual(len(self.c.get_partitions_ps_with_auth(DB, "r", ["2024-01-01"], 2, "u",
                                                                [])), 2)
        res = self.c.get_partitions_ps_with_auth_req(hms.GetPartitionsPsWithAuthRequest(
            dbName=DB, tblName="r", partVals=[""], maxParts=1))
        self.assertEqual(len(res.partitions), 1)

        NoSuch, Meta = hms.NoSuchObjectException, hms.MetaException
        too_many = ["2024-01-01", "1", "x"]
        self.assertRaisesHms(Meta, self.c.get_partitions_ps, DB, "r", too_many, -1)
        self.assertRaisesHms(Meta, self.c.get_partitions_ps_with_auth, DB, "r", too_many, -1,
                             "u", [])
        self.assertRaisesHms(Meta, self.c.get_partitions_ps_with_auth_req,
                             hms.GetPartitionsPsWithAuthRequest(dbName=DB, tblName="r",
                                                                partVals=too_many))
        self.assertRaisesHms(NoSuch, self.c.get_partitions_ps, DB, "nosuch", ["a"], -1)
        self.assertRaisesHms(NoSuch, self.c.get_partitions_ps_with_auth, DB, "nosuch", ["a"], -1,
                             "u", [])
        self.assertRaisesHms(NoSuch, self.c.get_partitions_ps_with_auth_req,
                             hms.GetPartitionsPsWithAuthRequest(dbName=DB, tblName="nosuch",
                                                                partVals=["a"]))

    def test_partition_names(self):
        names = self.all_names()
        self.assertEqual(self.c.get_partition_names(DB, "r", -1), names)
        self.assertEqual(self.c.get_partition_names(DB, "r", 2), names[:2])
        self.assertEqual(self.c.get_partition_names(DB, "r", 0), [])
        self.assertEqual(self.c.get_partition_names_ps(DB, "r", ["", "1"], -1),
                         sorted(["ds=2024-01-01/hr=1", "ds=2024-01-02/hr=1"]))
        self.assertEqual(len(self.c.get_partition_names_ps(DB, "r", ["2024-01-01"], 2)), 2)
        res = self.c.get_partition_names_ps_req(hms.GetPartitionNamesPsRequest(
            dbName=DB, tblName="r", partValues=["2024-01-01"], maxParts=-1))
        self.assertEqual(res.names, [n for n in names if n.startswith("ds=2024-01-01/")])
        res = self.c.get_partition_names_ps_req(hms.GetPartitionNamesPsRequest(
            dbName=DB, tblName="r", partValues=["2024-01-01", ""], maxParts=1))
        self.assertEqual(len(res.names), 1)
        self.assertEqual(self.c.fetch_partition_names_req(
            hms.PartitionsRequest(dbName=DB, tblName="r", maxParts=-1)), names)
        self.assertEqual(self.c.fetch_partition_names_req(
            hms.PartitionsRequest(dbName=DB, tblName="r", maxParts=4)), names[:4])

        NoSuch, Meta = hms.NoSuchObjectException, hms.MetaException
        self.assertRaisesHms(NoSuch, self.c.get_partition_names, DB, "nosuch", -1)
        self.assertRaisesHms(NoSuch, self.c.get_partition_names_ps, DB, "nosuch", ["a"], -1)
        self.assertRaisesHms(NoSuch, self.c.get_partition_names_ps_req,
                             hms.GetPartitionNamesPsRequest(dbName=DB, tblName="nosuch",
                                                            partValues=["a"]))
        self.assertRaisesHms(NoSuch, self.c.fetch_partition_names_req,
                             hms.PartitionsRequest(dbName=DB, tblName="nosuch"))
        self.assertRaisesHms(Meta, self.c.get_partition_names_ps, DB, "r", ["a", "1", "x"], -1)
        self.assertRaisesHms(Meta, self.c.get_partition_names_ps_req,
                             hms.GetPartitionNamesPsRequest(dbName=DB, tblName="r",
                                                            partValues=["a", "1", "x"]))

    def test_get_partitions_by_names(self):
        wanted = ["ds=2024-01-01/hr=10", "ds=2024-01-03/hr=5"]
        # Unknown and incomplete names are skipped.
        asked = wanted + ["ds=2099-01-01/hr=1", "ds=2024-01-01"]
        expected = [("2024-01-01", "10"), ("2024-01-03", "5")]
        self.assert_values(self.c.get_partitions_by_names(DB, "r", asked), expected)
        self.assertEqual(self.c.get_partitions_by_names(DB, "r", []), [])
        res = self.c.get_partitions_by_names_req(hms.GetPartitionsByNamesRequest(
            db_name=DB, tbl_name="r", names=asked))
        self.assert_values(res.partitions, expected)
        self.assertRaisesHms(hms.NoSuchObjectException, self.c.get_partitions_by_names,
                             DB, "nosuch", wanted)
        self.assertRaisesHms(hms.NoSuchObjectException, self.c.get_partitions_by_names_req,
                             hms.GetPartitionsByNamesRequest(db_name=DB, tbl_name="nosuch",
                                                             names=wanted))

    def test_get_partitions_by_expr(self):
        # A Kryo blob the server cannot evaluate: every partition, flagged as a superset.
        req = hms.PartitionsByExprRequest(dbName=DB, tblName="r", expr=b"\x01\x00kryo\xff",
                                          defaultPartitionName=DEFAULT_PART, maxParts=-1)
        res = self.c.get_partitions_by_expr(req)
        self.assertTrue(res.hasUnknownPartitions)
        self.assert_values(res.partitions, self.VALUES)

        res = self.c.get_partitions_spec_by_expr(req)
        self.assertTrue(res.hasUnknownPartitions)
        found = []
        for spec in res.partitionsSpec:
            self.assertEqual(spec.tableName, "r")
            if spec.partitionList is not None:
                found += [tuple(p.values) for p in spec.partitionList.partitions]
            if spec.sharedSDPartitionSpec is not None:
                found += [tuple(p.values) for p in spec.sharedSDPartitionSpec.partitions]
        self.assertEqual(sorted(found), sorted(self.VALUES))

        missing = hms.PartitionsByExprRequest(dbName=DB, tblName="nosuch", expr=b"\x01")
        self.assertRaisesHms(hms.NoSuchObjectException, self.c.get_partitions_by_expr, missing)
        self.assertRaisesHms(hms.NoSuchObjectException, self.c.get_partitions_spec_by_expr,
                             missing)

    def test_partition_name_to_vals_and_spec(self):
        self.assertEqual(self.c.partition_name_to_vals("ds=2024-01-01/hr=1"), ["2024-01-01", "1"])
        self.assertEqual(self.c.partition_name_to_spec("ds=2024-01-01/hr=1"),
                         {"ds": "2024-01-01", "hr": "1"})
        self.assertEqual(self.c.partition_name_to_vals("ds=a%2Fb%3Dc/hr=%25"), ["a/b=c", "%"])
        self.assertEqual(self.c.partition_name_to_spec("ds=a%2Fb%3Dc/hr=%25"),
                         {"ds": "a/b=c", "hr": "%"})
        self.assertEqual(self.c.partition_name_to_vals("c=3/b=2/a=1"), ["3", "2", "1"])
        self.assertEqual(self.c.partition_name_to_vals(""), [])
        self.assertEqual(self.c.partition_name_to_spec(""), {})


# (value, escaped) per FileUtils.escapePathName: %XX for 0x01-0x1F, " # % ' * / : = ? \ 0x7F
# { [ ] ^; everything else, space and non-ASCII included, is kept.
ESCAPES = [
    ("a/b", "a%2Fb"), ("x=y", "x%3Dy"), ("10:30", "10%3A30"), ("50%", "50%25"),
    ("#1", "%231"), ("it's", "it%27s"), ('say "hi"', "say %22hi%22"), ("a b", "a b"),
    ("h\u00e9llo", "h\u00e9llo"), ("\u65e5\u672c", "\u65e5\u672c"), ("tab\tnl\n", "tab%09nl%0A"),
    ("ctl\x01", "ctl%01"), ("del\x7f", "del%7F"), ("q?", "q%3F"), ("back\\slash", "back%5Cslash"),
    ("{x}", "%7Bx}"), ("[a]", "%5Ba%5D"), ("^*", "%5E%2A"), ("a+b~c(d)!,;", "a+b~c(d)!,;"),
]


class EscapingTest(PartitionTestCase):
    def test_special_characters_round_trip(self):
        t = self.new_table("esc", keys=(("Region", "string"),))
        self.c.add_partitions([part("esc", [v]) for v, _ in ESCAPES])
        names = self.names("esc")
        # Keys are stored lower-case, so names use "region=".
        self.assertEqual(sorted(names), sorted("region=" + e for _, e in ESCAPES))
        self.assertEqual(names, sorted(names))
        for value, escaped in ESCAPES:
            with self.subTest(value=value):
                name = "region=" + escaped
                p = self.c.get_partition(DB, "esc", [value])
                self.assertEqual(p.values, [value])
                self.assertEqual(p.sd.location, t.sd.location + "/" + name)
                self.assertEqual(self.c.get_partition_by_name(DB, "esc", name).values, [value])
                self.assertEqual(self.c.partition_name_to_vals(name), [value])
                self.assertEqual(self.c.partition_name_to_spec(name), {"region": value})
                self.assertEqual([p.values for p in self.c.get_partitions_by_names(
                    DB, "esc", [name])], [[value]])
                self.assertEqual(self.c.get_partition_names_ps(DB, "esc", [value], -1), [name])

        # Appending by values escapes the same way.
        r = self.c.append_partition(DB, "esc", ["new/one:%"])
        self.assertEqual(r.sd.location, t.sd.location + "/region=new%2Fone%3A%25")
        self.assertTrue(self.c.drop_partition_by_name(DB, "esc", "region=new%2Fone%3A%25", False))
        self.assertTrue(self.c.drop_partition(DB, "esc", ["a/b"], False))
        self.assertNotIn("region=a%2Fb", self.names("esc"))

    def test_default_partition_name(self):
        t = self.new_table("dflt", keys=(("k", "string"),))
        r = self.c.add_partition(part("dflt", [""]))
        name = "k=" + DEFAULT_PART
        self.assertEqual(r.sd.location, t.sd.location + "/" + name)
        self.assertEqual(self.names("dflt"), [name])
        self.assertEqual(self.c.get_partition_by_name(DB, "dflt", name).sd.location,
                         t.sd.location + "/" + name)
        self.assertEqual(self.c.partition_name_to_vals(name), [DEFAULT_PART])
        # "" and the default name are the same partition.
        self.assertRaisesHms(hms.AlreadyExistsException, self.c.add_partition,
                             part("dflt", [DEFAULT_PART]))

        t2 = self.new_table("dflt2")
        r = self.c.append_partition(DB, "dflt2", ["a", ""])
        self.assertEqual(self.names("dflt2"), ["ds=a/hr=" + DEFAULT_PART])
        self.assertEqual(r.sd.location, t2.sd.location + "/ds=a/hr=" + DEFAULT_PART)


if __name__ == "__main__":
    main()

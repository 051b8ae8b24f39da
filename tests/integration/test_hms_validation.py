"""What HMS refuses in new tables and partitions and in malformed requests, as Hive 4.0.1's
metastore does (HMSHandler; checked by Hive's client API tests, tests/hive):
  * a column or partition-key type Hive does not know: InvalidObjectException on create,
    InvalidOperationException on alter; known names are taken in any case, with parameters;
  * a table located at a file system's root: InvalidObjectException;
  * a new partition that names a location for a view's partition, or a relative location
    (Hadoop's "Relative path in absolute URI", e.g. "host:80/dir"): MetaException, and
    nothing of the batch is added;
  * alter_partitions with no partitions: InvalidOperationException;
  * get_partition_names_ps with no values: MetaException;
  * *_with_auth on a table with PARTITION_LEVEL_PRIVILEGE=TRUE: each partition carries the
    grants of the user, its groups and the public role (empty lists where none are stored);
    on other tables the partitions come back as stored.
"""

from harness import ArbordTestCase, hms, main, make_table

DB = "vdb"


def part(table, values, location=None):
    sd = hms.StorageDescriptor(
        cols=[hms.FieldSchema(name="id", type="bigint", comment=None)], location=location,
        serdeInfo=hms.SerDeInfo(serializationLib="x", parameters={}),
        bucketCols=[], sortCols=[], parameters={})
    return hms.Partition(values=list(values), dbName=DB, tableName=table, sd=sd, parameters={})


class TableValidationTest(ArbordTestCase):
    database = DB

    def test_column_types(self):
        for bad in ("xyz", "", "<int>", "integerx"):
            self.assertRaisesHms(hms.InvalidObjectException, self.c.create_table,
                                 make_table(DB, "bad", cols=(("a", bad),)))
        self.assertRaisesHms(hms.InvalidObjectException, self.c.create_table,
                             make_table(DB, "badkey", part_keys=(("k", "xyz"),)))
        self.assertEqual(self.c.get_tables(DB, "*"), [])
        good = ("int", "BIGINT", "decimal(10,2)", "varchar(5)", "array<string>",
                "map<string,int>", "struct<a:int,b:string>", "uniontype<int,string>",
                "timestamp with local time zone", "interval_day_time")
        self.c.create_table(make_table(DB, "good", cols=[("c%d" % i, t)
                                                         for i, t in enumerate(good)]))
        self.assertEqual([f.type for f in self.c.get_table(DB, "good").sd.cols], list(good))
        altered = self.c.get_table(DB, "good")
        altered.sd.cols[0].type = "xyz"
        self.assertRaisesHms(hms.InvalidOperationException, self.c.alter_table, DB, "good",
                             altered)
        self.assertEqual(self.c.get_table(DB, "good").sd.cols[0].type, "int")

    def test_root_location(self):
        for root in ("hdfs://localhost:8020", "hdfs://localhost:8020/", "file:/", "/"):
            self.assertRaisesHms(hms.InvalidObjectException, self.c.create_table,
                                 make_table(DB, "rooted", location=root),
                                 contains="location must not be root path")
        self.c.create_table(make_table(DB, "rooted", location="file:/tmp/rooted"))


class PartitionValidationTest(ArbordTestCase):
    database = DB

    def test_view_partition_location(self):
        view = make_table(DB, "v", part_keys=(("k", "string"),), table_type="VIRTUAL_VIEW")
        view.sd.location = None
        view.viewOriginalText = view.viewExpandedText = "select 1"
        self.c.create_table(view)
        self.assertRaisesHms(hms.MetaException, self.c.add_partition,
                             part("v", ["a"], location="file:/tmp/v/k=a"),
                             contains="view partition")
        self.assertRaisesHms(hms.MetaException, self.c.add_partitions,
                             [part("v", ["b"]), part("v", ["c"], location="file:/tmp/v/k=c")])
        self.assertEqual(self.c.get_partition_names(DB, "v", -1), [])
        self.c.add_partition(part("v", ["b"]))
        self.assertIsNone(self.c.get_partition(DB, "v", ["b"]).sd.location)

    def test_relative_locations(self):
        self.c.create_table(make_table(DB, "rel", part_keys=(("k", "string"),)))
        for bad in ("invalidhost:80000/wrongfolder", "%^#$$%#$testlocation/part1", "dir/x"):
            self.assertRaisesHms(hms.MetaException, self.c.add_partitions,
                                 [part("rel", ["a"]), part("rel", ["b"], location=bad)])
        self.assertEqual(self.c.get_partition_names(DB, "rel", -1), [])
        for i, good in enumerate(("file:/tmp/rel/a", "s3a://bucket/rel/b", "/tmp/rel/c")):
            self.c.add_partition(part("rel", [str(i)], location=good))
            self.assertEqual(self.c.get_partition(DB, "rel", [str(i)]).sd.location, good)

    def test_empty_requests(self):
        self.c.create_table(make_table(DB, "empty", part_keys=(("k", "string"),)))
        self.c.add_partition(part("empty", ["a"]))
        self.assertRaisesHms(hms.InvalidOperationException, self.c.alter_partitions, DB,
                             "empty", [])
        self.assertRaisesHms(hms.MetaException, self.c.get_partition_names_ps, DB, "empty",
                             [], -1)
        self.assertEqual(self.c.get_partition_names_ps(DB, "empty", ["a"], -1), ["k=a"])


class AuthInfoTest(ArbordTestCase):
    database = DB

    def check_auth(self, p, user, groups):
        self.assertEqual(p.privileges.userPrivileges, {user: []})
        self.assertEqual(p.privileges.groupPrivileges, {g: [] for g in groups} or None)
        self.assertEqual(p.privileges.rolePrivileges, {"public": []})

    def test_with_auth(self):
        self.c.create_table(make_table(DB, "authon", part_keys=(("k", "string"),),
                                       params={"PARTITION_LEVEL_PRIVILEGE": "true"}))
        self.c.create_table(make_table(DB, "authoff", part_keys=(("k", "string"),)))
        for t in ("authon", "authoff"):
            self.c.add_partitions([part(t, ["a"]), part(t, ["b"])])
        p = self.c.get_partition_with_auth(DB, "authon", ["a"], "user0", ["g0", "g1"])
        self.check_auth(p, "user0", ["g0", "g1"])
        self.check_auth(self.c.get_partition_with_auth(DB, "authon", ["a"], "", []), "", [])
        for p in self.c.get_partitions_with_auth(DB, "authon", -1, "u", ["g"]):
            self.check_auth(p, "u", ["g"])
        parts = self.c.get_partitions_ps_with_auth(DB, "authon", ["b"], -1, "u", [])
        self.assertEqual([p.values for p in parts], [["b"]])
        self.check_auth(parts[0], "u", [])
        req = hms.GetPartitionsPsWithAuthRequest(dbName=DB, tblName="authon", partVals=["a"],
                                                 userName="u", groupNames=["g"])
        self.check_auth(self.c.get_partitions_ps_with_auth_req(req).partitions[0], "u", ["g"])
        # Without the flag, or without a user in the request: as stored (none here).
        self.assertIsNone(self.c.get_partition_with_auth(DB, "authoff", ["a"], "u", ["g"])
                          .privileges)
        req = hms.GetPartitionsPsWithAuthRequest(dbName=DB, tblName="authon", partVals=["a"])
        self.assertIsNone(self.c.get_partitions_ps_with_auth_req(req).partitions[0].privileges)


if __name__ == "__main__":
    main()

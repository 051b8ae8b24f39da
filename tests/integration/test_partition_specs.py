"""Partition specs and partition values (Hive's PartitionSpec methods and
get_partition_values), served as the same catalog queries as the plain listings:
  * get_partitions_pspec and get_part_specs_by_filter answer the partitions of
    get_partitions and get_partitions_by_filter as one spec holding a plain list, rooted at
    the table's location, even when there are none; grouped as get_partitions_with_specs
    groups them (a shared-sd spec for those under the table's location, a list for the rest)
    only when the table sets hive.hcatalog.partition.spec.grouping.enabled=true, as HMS;
    their i32 limit is the listings' limit;
  * add_partitions_pspec adds the partitions of list specs and of shared-sd specs (location =
    shared location + relativePath) as add_partitions does: all or nothing, defaults applied;
    a spec naming another table, or a listed partition naming none: MetaException;
  * get_partition_values: one row per partition of the requested keys, distinct unless
    applyDistinct=false, ordered by partitionOrder when given, limited by maxParts; unknown
    keys or none: MetaException; a missing table: NoSuchObjectException.
"""

from harness import ArbordTestCase, hms, main, make_table

DB = "specdb"
KEYS = (("y", "string"), ("m", "string"))


def part(table, values, location=None):
    sd = hms.StorageDescriptor(
        cols=[hms.FieldSchema(name="id", type="bigint", comment=None)], location=location,
        serdeInfo=hms.SerDeInfo(serializationLib="x", parameters={}),
        bucketCols=[], sortCols=[], parameters={})
    return hms.Partition(values=list(values), dbName=DB, tableName=table, sd=sd, parameters={})


def list_spec(table, parts, db=DB):
    return hms.PartitionSpec(dbName=db, tableName=table,
                             partitionList=hms.PartitionListComposingSpec(partitions=parts))


def flatten(specs):
    """(values, location) of every partition in `specs`, sorted."""
    out = []
    for s in specs:
        if s.sharedSDPartitionSpec is not None:
            shared = s.sharedSDPartitionSpec
            out += [(tuple(p.values), shared.sd.location + p.relativePath)
                    for p in shared.partitions]
        if s.partitionList is not None:
            out += [(tuple(p.values), p.sd.location) for p in s.partitionList.partitions]
    return sorted(out)


class PartitionSpecTest(ArbordTestCase):
    database = DB

    def new_table(self, name):
        self.c.create_table(make_table(DB, name, part_keys=KEYS))
        return self.c.get_table(DB, name)

    def test_list_specs(self):
        table = self.new_table("ls")
        empty = self.c.get_partitions_pspec(DB, "ls", -1)
        self.assertEqual(empty, [hms.PartitionSpec(
            dbName=DB, tableName="ls", catName=table.catName, rootPath=table.sd.location,
            partitionList=hms.PartitionListComposingSpec(partitions=[]))])
        self.c.add_partitions([part("ls", v) for v in (["2017", "1"], ["2017", "2"],
                                                       ["2018", "1"])])
        self.c.add_partition(part("ls", ["2019", "1"], location="file:/elsewhere/2019"))
        listed = self.c.get_partitions_pspec(DB, "ls", -1)
        self.assertEqual(len(listed), 1)
        self.assertEqual(listed[0].partitionList.partitions, self.c.get_partitions(DB, "ls", -1))
        self.assertEqual([len(s.partitionList.partitions)
                          for s in self.c.get_partitions_pspec(DB, "ls", 2)], [2])
        # Grouped only on request, by the table parameter HMS reads (any case of "true").
        table = self.c.get_table(DB, "ls")
        table.parameters["hive.hcatalog.partition.spec.grouping.enabled"] = "True"
        self.c.alter_table(DB, "ls", table)
        table = self.c.get_table(DB, "ls")
        specs = self.c.get_partitions_pspec(DB, "ls", -1)
        self.assertEqual(len(specs), 2)
        self.assertEqual({(s.dbName, s.tableName) for s in specs}, {(DB, "ls")})
        self.assertEqual(specs[0].rootPath, table.sd.location)
        self.assertEqual(len(specs[0].sharedSDPartitionSpec.partitions), 3)
        self.assertEqual([p.values for p in specs[1].partitionList.partitions], [["2019", "1"]])
        self.assertEqual(flatten(specs), sorted((tuple(p.values), p.sd.location)
                                                for p in self.c.get_partitions(DB, "ls", -1)))
        req = hms.GetPartitionsRequest(dbName=DB, tblName="ls")
        self.assertEqual(specs, self.c.get_partitions_with_specs(req).partitionSpec)
        self.assertEqual(len(flatten(self.c.get_partitions_pspec(DB, "ls", 2))), 2)
        self.assertEqual(len(flatten(self.c.get_partitions_pspec(DB, "ls", 100000))), 4)
        specs = self.c.get_part_specs_by_filter(DB, "ls", 'y = "2017" and m = "2"', -1)
        self.assertEqual([p.values for p in specs[0].sharedSDPartitionSpec.partitions],
                         [["2017", "2"]])
        # By filter without grouping: one spec with the partitions as a plain list.
        table.parameters["hive.hcatalog.partition.spec.grouping.enabled"] = "false"
        self.c.alter_table(DB, "ls", table)
        specs = self.c.get_part_specs_by_filter(DB, "ls", 'y = "2017" and m = "2"', -1)
        self.assertEqual([p.values for p in specs[0].partitionList.partitions], [["2017", "2"]])
        self.assertEqual(len(specs), 1)
        specs = self.c.get_part_specs_by_filter(DB, "ls", 'y = "2020"', -1)
        self.assertEqual([(s.rootPath, s.partitionList.partitions) for s in specs],
                         [(table.sd.location, [])])
        self.assertRaisesHms(hms.NoSuchObjectException, self.c.get_partitions_pspec, DB, "nosuch",
                             -1)
        self.assertRaisesHms(hms.MetaException, self.c.get_part_specs_by_filter, DB, "ls",
                             "y = = 1", -1)

    def test_add_specs(self):
        table = self.new_table("adds")
        shared = hms.PartitionSpec(
            dbName=DB, tableName="adds",
            sharedSDPartitionSpec=hms.PartitionSpecWithSharedSD(
                sd=part("adds", []).sd,
                partitions=[hms.PartitionWithoutSD(values=["2019", "1"], relativePath="/a",
                                                   parameters={"p": "1"}),
                            hms.PartitionWithoutSD(values=["2019", "2"], relativePath="/b",
                                                   parameters={})]))
        shared.sharedSDPartitionSpec.sd.location = table.sd.location + "/shared"
        n = self.c.add_partitions_pspec([list_spec("adds", [part("adds", ["2017", "1"])]), shared])
        self.assertEqual(n, 3)
        got = {tuple(p.values): p for p in self.c.get_partitions(DB, "adds", -1)}
        self.assertEqual(sorted(got), [("2017", "1"), ("2019", "1"), ("2019", "2")])
        self.assertEqual(got[("2019", "1")].sd.location, table.sd.location + "/shared/a")
        self.assertEqual(got[("2019", "1")].parameters["p"], "1")
        self.assertEqual(got[("2017", "1")].sd.location, table.sd.location + "/y=2017/m=1")
        # All or nothing; another table's spec is refused.
        self.assertRaisesHms(hms.AlreadyExistsException, self.c.add_partitions_pspec,
                             [list_spec("adds", [part("adds", ["2020", "1"]),
                                                 part("adds", ["2017", "1"])])])
        self.new_table("other")
        self.assertRaisesHms(hms.MetaException, self.c.add_partitions_pspec,
                             [list_spec("adds", [part("adds", ["2021", "1"])]),
                              list_spec("other", [part("other", ["2021", "1"])])])
        self.assertEqual(len(self.c.get_partitions(DB, "adds", -1)), 3)
        self.assertEqual(self.c.add_partitions_pspec([]), 0)
        # A shared sd needs a location; an unset relativePath appends "null", as Hive's Java
        # concatenation does.
        shared.sharedSDPartitionSpec.partitions = [hms.PartitionWithoutSD(values=["2023", "1"])]
        shared.sharedSDPartitionSpec.sd.location = ""
        self.assertRaisesHms(hms.MetaException, self.c.add_partitions_pspec, [shared])
        shared.sharedSDPartitionSpec.sd.location = table.sd.location + "/n/"
        self.c.add_partitions_pspec([shared])
        self.assertEqual(self.c.get_partition(DB, "adds", ["2023", "1"]).sd.location,
                         table.sd.location + "/n/null")

    def test_partition_values(self):
        self.new_table("vals")
        self.c.add_partitions([part("vals", v) for v in (["2017", "2"], ["2017", "1"],
                                                         ["2016", "2"])])
        y = hms.FieldSchema(name="y", type="string")
        m = hms.FieldSchema(name="M", type="string")

        def rows(**kw):
            req = hms.PartitionValuesRequest(dbName=DB, tblName="vals", **kw)
            return [r.row for r in self.c.get_partition_values(req).partitionValues]
        self.assertEqual(rows(partitionKeys=[y, m]), [["2016", "2"], ["2017", "1"], ["2017", "2"]])
        self.assertEqual(rows(partitionKeys=[y]), [["2016"], ["2017"]])
        self.assertEqual(rows(partitionKeys=[y], applyDistinct=False),
                         [["2016"], ["2017"], ["2017"]])
        self.assertEqual(rows(partitionKeys=[m, y], partitionOrder=[m], ascending=False),
                         [["2", "2016"], ["2", "2017"], ["1", "2017"]])
        self.assertEqual(rows(partitionKeys=[y, m], maxParts=2), [["2016", "2"], ["2017", "1"]])
        self.assertEqual(rows(partitionKeys=[m], filter='y = "2017"'), [["1"], ["2"]])
        self.assertRaisesHms(hms.MetaException, lambda: rows(partitionKeys=[]))
        self.assertRaisesHms(hms.MetaException, lambda: rows(
            partitionKeys=[hms.FieldSchema(name="z", type="string")]))
        req = hms.PartitionValuesRequest(dbName=DB, tblName="nosuch", partitionKeys=[y])
        self.assertRaisesHms(hms.NoSuchObjectException, self.c.get_partition_values, req)


if __name__ == "__main__":
    main()

"""get_table_objects_by_name_req with a GetProjectionsSpec (Hive 4's getTables with a
projection), as Hive 4.0.1's metastore answers it (TestTablesGetExists):
  * fieldList names Table fields by Thrift path; the reply carries those, plus the numeric
    fields Hive always sends (createTime, lastAccessTime, retention; sd.compressed and
    sd.numBuckets when an sd is sent);
  * an empty list, or one naming a list- or map-valued field, answers whole tables;
  * an unknown path or an include/exclude parameter pattern: MetaException.
"""

from harness import ArbordTestCase, hms, main, make_table

DB = "projdb"


class TableProjectionTest(ArbordTestCase):
    database = DB

    def setUp(self):
        super().setUp()
        if not self.c.get_tables(DB, "*"):
            self.c.create_table(make_table(DB, "t1", params={"k": "v"}))
            self.c.create_table(make_table(DB, "t2"))

    def get(self, fields=None, **patterns):
        spec = hms.GetProjectionsSpec(fieldList=fields, **patterns)
        req = hms.GetTablesRequest(dbName=DB, tblNames=["t1", "t2"], projectionSpec=spec)
        return self.c.get_table_objects_by_name_req(req).tables

    def test_single_valued_fields(self):
        full = {t.tableName: t for t in self.c.get_table_objects_by_name(DB, ["t1", "t2"])}
        tables = self.get(["sd.location", "owner"])
        self.assertEqual(len(tables), 2)
        for t in tables:
            self.assertIsNone(t.tableName)
            self.assertIsNone(t.dbName)
            self.assertIsNone(t.catName)
            self.assertIsNone(t.parameters)
            self.assertEqual(t.owner, "tester")
            self.assertIn(t.sd.location, {f.sd.location for f in full.values()})
            self.assertIsNone(t.sd.cols)
            self.assertIsNone(t.sd.serdeInfo)
            self.assertIsNotNone(t.createTime)
            self.assertIsNotNone(t.sd.numBuckets)
        t = self.get(["tableName", "sd.serdeInfo.serializationLib"])[0]
        self.assertEqual(t.tableName, "t1")
        self.assertEqual(t.sd.serdeInfo.serializationLib, full["t1"].sd.serdeInfo.serializationLib)
        self.assertIsNone(t.sd.serdeInfo.parameters)
        self.assertIsNone(t.sd.location)
        t = self.get(["dbName", "createTime"])[0]
        self.assertEqual((t.dbName, t.createTime), (DB, full["t1"].createTime))
        self.assertIsNone(t.sd)

    def test_whole_tables(self):
        full = self.c.get_table_objects_by_name(DB, ["t1", "t2"])
        self.assertEqual(self.get([]), full)
        self.assertEqual(self.get(), full)
        self.assertEqual(self.get(["sd.location", "sd.serdeInfo.parameters"]), full)
        self.assertEqual(self.get(["parameters"]), full)

    def test_refused(self):
        for fields in (["Invalid1"], ["tableName", "sd.nosuch"], ["sd.location.x"]):
            self.assertRaisesHms(hms.MetaException, self.get, fields)
        self.assertRaisesHms(hms.MetaException,
                             lambda: self.get(None, excludeParamKeyPattern="foo"))
        self.assertRaisesHms(hms.MetaException,
                             lambda: self.get(["owner"], includeParamKeyPattern="k%"))


if __name__ == "__main__":
    main()

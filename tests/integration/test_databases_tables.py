"""Databases and tables over the Thrift API: HMS semantics, exception slots, names."""

from harness import ArbordTestCase, hms, main, make_table


class DatabaseTest(ArbordTestCase):
    def test_default_database_exists(self):
        db = self.c.get_database("default")
        self.assertEqual(db.name, "default")
        self.assertIn("default", self.c.get_all_databases())

    def test_create_get_drop(self):
        self.c.create_database(hms.Database(name="Sales", description="sales data",
                                            parameters={"team": "a"}))
        db = self.c.get_database("SALES")
        self.assertEqual(db.name, "sales")
        self.assertEqual(db.description, "sales data")
        self.assertEqual(db.parameters, {"team": "a"})
        self.assertTrue(db.locationUri.endswith("/sales.db"))
        self.assertIn("sales", self.c.get_databases("sal*"))
        self.assertNotIn("sales", self.c.get_databases("x*"))
        self.assertRaisesHms(hms.AlreadyExistsException, self.c.create_database,
                             hms.Database(name="sales"))
        self.c.drop_database("sales", True, False)
        self.assertRaisesHms(hms.NoSuchObjectException, self.c.get_database, "sales")
        self.assertRaisesHms(hms.NoSuchObjectException, self.c.drop_database, "sales", True, False)

    def test_drop_non_empty_database(self):
        self.c.create_database(hms.Database(name="full"))
        self.c.create_table(make_table("full", "t"))
        e = self.assertRaisesHms(hms.InvalidOperationException, self.c.drop_database,
                                 "full", False, False)
        self.assertIn("is not empty", e.message)
        self.c.drop_database("full", False, True)  # cascade
        self.assertRaisesHms(hms.NoSuchObjectException, self.c.get_table, "full", "t")

    def test_invalid_database_name(self):
        self.assertRaisesHms(hms.InvalidObjectException, self.c.create_database,
                             hms.Database(name="bad\tname"))


class TableTest(ArbordTestCase):
    def setUp(self):
        super().setUp()
        try:
            self.c.create_database(hms.Database(name="tdb"))
        except hms.AlreadyExistsException:
            pass

    def test_create_get_alter_rename_drop(self):
        self.c.create_table(make_table("tdb", "Orders"))
        t = self.c.get_table("tdb", "ORDERS")
        self.assertEqual(t.tableName, "orders")
        self.assertEqual(t.dbName, "tdb")
        self.assertEqual(t.tableType, "MANAGED_TABLE")
        self.assertIn("transient_lastDdlTime", t.parameters)
        self.assertTrue(t.sd.location.endswith("/tdb.db/orders"))
        self.assertIsNone(t.viewOriginalText)  # unset stays unset
        self.assertIn("orders", self.c.get_all_tables("tdb"))

        t.parameters["owner_team"] = "x"
        self.c.alter_table("tdb", "orders", t)
        self.assertEqual(self.c.get_table("tdb", "orders").parameters["owner_team"], "x")

        t.tableName = "orders2"
        self.c.alter_table("tdb", "orders", t)
        self.assertRaisesHms(hms.NoSuchObjectException, self.c.get_table, "tdb", "orders")
        self.assertEqual(self.c.get_table("tdb", "orders2").tableName, "orders2")

        self.c.drop_table("tdb", "orders2", True)
        self.assertRaisesHms(hms.NoSuchObjectException, self.c.get_table, "tdb", "orders2")
        self.assertRaisesHms(hms.NoSuchObjectException, self.c.drop_table, "tdb", "orders2", True)

    def test_exception_slots(self):
        self.assertRaisesHms(hms.NoSuchObjectException, self.c.get_table, "tdb", "missing")
        self.assertRaisesHms(hms.NoSuchObjectException, self.c.create_table,
                             make_table("nodb", "t"))
        self.c.create_table(make_table("tdb", "dup"))
        self.assertRaisesHms(hms.AlreadyExistsException, self.c.create_table,
                             make_table("tdb", "dup"))
        self.assertRaisesHms(hms.InvalidOperationException, self.c.alter_table, "tdb", "missing",
                             make_table("tdb", "missing"))

    def test_external_table_type(self):
        self.c.create_table(make_table("tdb", "ext", params={"EXTERNAL": "TRUE"}))
        self.assertEqual(self.c.get_table("tdb", "ext").tableType, "EXTERNAL_TABLE")

    def test_iceberg_compare_and_set(self):
        self.c.create_table(make_table("tdb", "ice", params={
            "table_type": "ICEBERG", "metadata_location": "s3://b/m1.json"}))
        t = self.c.get_table("tdb", "ice")
        t.parameters["metadata_location"] = "s3://b/m2.json"
        ctx = hms.EnvironmentContext(properties={
            "expected_parameter_key": "metadata_location",
            "expected_parameter_value": "s3://b/m1.json"})
        self.c.alter_table_with_environment_context("tdb", "ice", t, ctx)
        # The same base again is now stale.
        t.parameters["metadata_location"] = "s3://b/m3.json"
        e = self.assertRaisesHms(hms.MetaException, self.c.alter_table_with_environment_context,
                                 "tdb", "ice", t, ctx)
        self.assertTrue(e.message.startswith(
            "The table has been modified. The parameter value for key 'metadata_location' is"),
            e.message)
        self.assertEqual(self.c.get_table("tdb", "ice").parameters["metadata_location"],
                         "s3://b/m2.json")
        self.assertEqual(self.c.get_table_names_by_filter(
            "tdb", 'hive_filter_field_params__table_type like "ICEBERG"', -1), ["ice"])

    # The three below are differences Hive's own client API tests found
    # (tests/hive/test_hive_client_suite.py).
    def test_rename_onto_taken_name_is_invalid_operation(self):
        # TestTablesCreateDropAlterTruncate.testAlterTableAlreadyExists
        self.c.create_table(make_table("tdb", "ren_a"))
        self.c.create_table(make_table("tdb", "ren_b"))
        t = self.c.get_table("tdb", "ren_a")
        t.tableName = "ren_b"
        self.assertRaisesHms(hms.InvalidOperationException, self.c.alter_table, "tdb", "ren_a", t,
                             contains="ren_b")
        self.assertEqual(self.c.get_table("tdb", "ren_a").tableName, "ren_a")

    def test_alter_may_change_partition_key_types_not_names(self):
        # TestTablesCreateDropAlterTruncate.testAlterTableChangeCols: Hive 4 allows
        # new types (and comments) for partition keys, not new names or counts.
        self.c.create_table(make_table("tdb", "pk", part_keys=(("ds", "int"),)))
        t = self.c.get_table("tdb", "pk")
        t.partitionKeys[0].type = "string"
        self.c.alter_table("tdb", "pk", t)
        self.assertEqual(self.c.get_table("tdb", "pk").partitionKeys[0].type, "string")
        t.partitionKeys[0].name = "day"
        self.assertRaisesHms(hms.InvalidOperationException, self.c.alter_table, "tdb", "pk", t,
                             contains="partition keys can not be changed")
        t.partitionKeys = [hms.FieldSchema(name="ds", type="string"),
                           hms.FieldSchema(name="hr", type="string")]
        self.assertRaisesHms(hms.InvalidOperationException, self.c.alter_table, "tdb", "pk", t)

    def test_parameter_filter_skips_tables_without_the_parameter(self):
        # TestTablesList.testListTableNamesByFilterCheckNotEquals: a missing
        # parameter is SQL NULL, so it satisfies neither = nor <>.
        self.c.create_database(hms.Database(name="pdb"))
        self.c.create_table(make_table("pdb", "red", params={"Colour": "red"}))
        self.c.create_table(make_table("pdb", "blue", params={"colour": "blue"}))
        self.c.create_table(make_table("pdb", "none"))
        by = lambda f: sorted(self.c.get_table_names_by_filter("pdb", f, -1))  # noqa: E731
        self.assertEqual(by('hive_filter_field_params__colour <> "red"'), ["blue"])
        self.assertEqual(by('hive_filter_field_params__colour = "red"'), ["red"])
        self.assertEqual(by('hive_filter_field_params__colour like ".*"'), ["blue", "red"])
        self.assertEqual(by('hive_filter_field_tablename__ <> "red"'), ["blue", "none"])


if __name__ == "__main__":
    main()

"""Regressions for incompatibilities that real engines found (tests/engines/).

Each class reproduces, over plain Thrift, one thing Spark, Iceberg or PyIceberg
needed from arbord that it did not serve like Hive's metastore, so a developer sees
the breakage without installing an engine. The engine-level test that found it is
named in each class docstring.
"""

import os
import tempfile

from harness import ArbordTestCase, hms, main, make_partition, make_table


class CreatesLocalDirectoriesTest(ArbordTestCase):
    """Hive's metastore makes the directory of each database, table and partition it
    creates; Spark's CTAS lists the new table's directory before it writes and failed
    with PATH_NOT_FOUND (tests/engines/test_spark_hive.py::test_ctas_and_view)."""

    def test_file_locations_get_directories(self):
        root = tempfile.mkdtemp(prefix="arbor-dirs-")
        db_dir = os.path.join(root, "ctas.db")
        self.c.create_database(hms.Database(name="ctas", locationUri="file:" + db_dir))
        self.assertTrue(os.path.isdir(db_dir))
        # Default location under the database's: file:/... (Hadoop's short form).
        self.c.create_table(make_table("ctas", "t", part_keys=(("ds", "string"),)))
        self.assertTrue(os.path.isdir(os.path.join(db_dir, "t")))
        # An explicit file:/// location.
        ext = os.path.join(root, "elsewhere", "u")
        self.c.create_table(make_table("ctas", "u", location="file://" + ext))
        self.assertTrue(os.path.isdir(ext))
        self.c.add_partition(make_partition("ctas", "t", ["2024-01-01"]))
        self.assertTrue(os.path.isdir(os.path.join(db_dir, "t", "ds=2024-01-01")))
        self.c.append_partition("ctas", "t", ["2024-01-02"])
        self.assertTrue(os.path.isdir(os.path.join(db_dir, "t", "ds=2024-01-02")))

    def test_other_schemes_and_views_are_left_alone(self):
        self.c.create_database(hms.Database(name="remote", locationUri="s3a://bucket/remote.db"))
        self.c.create_table(make_table("remote", "t"))
        self.assertEqual(self.c.get_table("remote", "t").sd.location, "s3a://bucket/remote.db/t")
        view = make_table("remote", "v", table_type="VIRTUAL_VIEW")
        view.sd.location = None
        view.viewOriginalText = view.viewExpandedText = "select 1"
        self.c.create_table(view)
        self.assertEqual(self.c.get_table("remote", "v").tableType, "VIRTUAL_VIEW")

    def test_uncreatable_directory_does_not_fail_the_write(self):
        blocker = tempfile.mktemp(prefix="arbor-file-")
        with open(blocker, "w") as f:
            f.write("not a directory")
        self.c.create_database(hms.Database(name="blocked",
                                            locationUri="file:" + blocker + "/blocked.db"))
        self.assertEqual(self.c.get_database("blocked").name, "blocked")



class RenameKeepsDataPathTest(ArbordTestCase):
    """Spark renames a managed data source table (USING parquet) by sending the old
    location and a serde `path` rewritten to <db>/<new name>, expecting the metastore
    to move the directory there. Arbor moves no data, so the renamed table read an
    empty directory (tests/engines/test_spark_hive.py::test_rename_data_source_table)."""

    def spark_table(self, name, location):
        t = make_table("ren", name, location=location)
        t.sd.serdeInfo.parameters["path"] = location
        t.parameters["spark.sql.sources.provider"] = "parquet"
        return t

    def test_rename_keeps_path_on_the_unmoved_data(self):
        self.c.create_database(hms.Database(name="ren", locationUri="s3a://b/ren.db"))
        self.c.create_table(self.spark_table("flat", "s3a://b/ren.db/flat"))
        renamed = self.c.get_table("ren", "flat")
        renamed.tableName = "flat2"
        renamed.sd.serdeInfo.parameters["path"] = "s3a://b/ren.db/flat2"
        self.c.alter_table("ren", "flat", renamed)
        got = self.c.get_table("ren", "flat2")
        self.assertEqual(got.sd.location, "s3a://b/ren.db/flat")
        self.assertEqual(got.sd.serdeInfo.parameters["path"], "s3a://b/ren.db/flat")

    def test_path_follows_an_explicit_new_location(self):
        self.c.create_database(hms.Database(name="ren2", locationUri="s3a://b/ren2.db"))
        t = self.spark_table("a", "s3a://b/ren2.db/a")
        t.dbName = "ren2"
        self.c.create_table(t)
        moved = self.c.get_table("ren2", "a")
        moved.tableName = "b"
        moved.sd.location = "s3a://b/elsewhere/b"
        moved.sd.serdeInfo.parameters["path"] = "s3a://b/elsewhere/b"
        self.c.alter_table("ren2", "a", moved)
        got = self.c.get_table("ren2", "b")
        self.assertEqual(got.sd.location, "s3a://b/elsewhere/b")
        self.assertEqual(got.sd.serdeInfo.parameters["path"], "s3a://b/elsewhere/b")

    def test_alter_without_rename_may_change_path(self):
        self.c.create_database(hms.Database(name="ren3", locationUri="s3a://b/ren3.db"))
        t = self.spark_table("a", "s3a://b/ren3.db/a")
        t.dbName = "ren3"
        self.c.create_table(t)
        same = self.c.get_table("ren3", "a")
        same.sd.serdeInfo.parameters["path"] = "s3a://b/other"
        self.c.alter_table("ren3", "a", same)
        self.assertEqual(self.c.get_table("ren3", "a").sd.serdeInfo.parameters["path"],
                         "s3a://b/other")


if __name__ == "__main__":
    main()

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


if __name__ == "__main__":
    main()

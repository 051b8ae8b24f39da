"""Flow C: Iceberg tables through Spark (iceberg-spark-runtime), HiveCatalog at arbord.

Catalog `ice` is Iceberg's SparkCatalog with type=hive and uri=arbord. An Iceberg
table's state is one table parameter, `metadata_location`, swapped on every commit:
under a Hive lock (lock/check_lock/unlock, Iceberg's default) or lock-free
(table property `engine.hive.lock-enabled=false`, or the catalog's Hadoop
setting `iceberg.engine.hive.lock-enabled=false`; alter_table with
expected_parameter_key/value). Branches version that pointer: a merge moves a
table to the source's metadata file; both sides changing it is a conflict on
metadata_location. Tests run in file order.
"""

import threading

import pytest


def rows(spark, sql):
    return sorted(tuple(r) for r in spark.sql(sql).collect())


def snapshots(spark, table):
    return [r.snapshot_id for r in
            spark.sql("SELECT snapshot_id FROM %s.history ORDER BY made_current_at" % table)
            .collect()]


@pytest.fixture(scope="module", autouse=True)
def lake(spark, server):
    spark.sql("CREATE NAMESPACE ice.lake")
    server.cli("commit", "main", "-m", "namespace lake")
    server.cli("branch", "create", "dev")
    yield


T = "ice.`lake@dev`.events"


def test_create_partitioned_iceberg_table_on_branch(spark):
    spark.sql("CREATE TABLE %s (id BIGINT, kind STRING, ts TIMESTAMP) USING iceberg "
              "PARTITIONED BY (days(ts))" % T)
    spark.sql("INSERT INTO %s VALUES (1, 'a', TIMESTAMP '2024-01-01 10:00:00'), "
              "(2, 'b', TIMESTAMP '2024-01-02 10:00:00'), "
              "(3, 'c', TIMESTAMP '2024-01-02 11:00:00')" % T)
    assert rows(spark, "SELECT id, kind FROM %s" % T) == [(1, "a"), (2, "b"), (3, "c")]
    tables = [r[1] for r in spark.sql("SHOW TABLES IN ice.lake").collect()]
    assert "events" not in tables  # only on dev
    parts = spark.sql("SELECT partition FROM %s.partitions" % T).count()
    assert parts == 2


def test_update_delete_merge(spark):
    spark.sql("UPDATE %s SET kind = 'B' WHERE id = 2" % T)
    spark.sql("DELETE FROM %s WHERE id = 1" % T)
    spark.createDataFrame([(3, "C"), (4, "d")], "id BIGINT, kind STRING") \
        .createOrReplaceTempView("changes")
    spark.sql("MERGE INTO %s t USING changes s ON t.id = s.id "
              "WHEN MATCHED THEN UPDATE SET t.kind = s.kind "
              "WHEN NOT MATCHED THEN INSERT (id, kind, ts) "
              "VALUES (s.id, s.kind, TIMESTAMP '2024-01-03 00:00:00')" % T)
    assert rows(spark, "SELECT id, kind FROM %s" % T) == [(2, "B"), (3, "C"), (4, "d")]


def test_history_and_time_travel(spark):
    history = spark.sql("SELECT snapshot_id, made_current_at FROM %s.history "
                        "ORDER BY made_current_at" % T).collect()
    # insert, update, delete, merge: one snapshot each.
    assert len(history) == 4
    first = history[0]
    assert rows(spark, "SELECT id FROM %s VERSION AS OF %d" % (T, first.snapshot_id)) == \
        [(1,), (2,), (3,)]
    ts = first.made_current_at.strftime("%Y-%m-%d %H:%M:%S.%f")
    assert rows(spark, "SELECT id FROM %s TIMESTAMP AS OF '%s'" % (T, ts)) == \
        [(1,), (2,), (3,)]


def test_lock_free_commit_path_table_property(spark, server):
    spark.sql("CREATE TABLE ice.`lake@dev`.nolock (id BIGINT) USING iceberg "
              "TBLPROPERTIES ('engine.hive.lock-enabled'='false')")
    locks_before = server.thrift_calls("lock")
    for i in range(3):
        spark.sql("INSERT INTO ice.`lake@dev`.nolock VALUES (%d)" % i)
    assert rows(spark, "SELECT id FROM ice.`lake@dev`.nolock") == [(0,), (1,), (2,)]
    assert server.thrift_calls("lock") == locks_before
    # The Hive-lock path (the events table) did take locks.
    assert locks_before > 0


def test_lock_free_commit_path_catalog_property(spark, server):
    locks_before = server.thrift_calls("lock")
    spark.sql("INSERT INTO icenl.`lake@dev`.events "
              "VALUES (5, 'e', TIMESTAMP '2024-01-04 00:00:00')")
    spark.sql("DELETE FROM icenl.`lake@dev`.events WHERE id = 5")
    assert server.thrift_calls("lock") == locks_before
    assert rows(spark, "SELECT id FROM %s" % T) == [(2,), (3,), (4,)]


@pytest.mark.parametrize("table,props", [
    ("racy_locked", ""),
    ("racy_lockfree", "TBLPROPERTIES ('engine.hive.lock-enabled'='false')"),
])
def test_two_concurrent_writers(spark, table, props):
    name = "ice.`lake@dev`." + table
    spark.sql("CREATE TABLE %s (writer INT, n INT) USING iceberg %s" % (name, props))
    spark.sql("ALTER TABLE %s SET TBLPROPERTIES ('commit.retry.num-retries'='20', "
              "'commit.retry.min-wait-ms'='10')" % name)
    errors = []

    def writer(w):
        try:
            for n in range(4):
                spark.sql("INSERT INTO %s VALUES (%d, %d)" % (name, w, n))
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert rows(spark, "SELECT writer, COUNT(*) FROM %s GROUP BY writer" % name) == \
        [(0, 4), (1, 4)]
    assert len(snapshots(spark, name)) == 8


def test_merge_moves_main_to_dev_metadata(spark, server):
    server.cli("commit", "dev", "-m", "iceberg events")
    server.cli("merge", "dev", "--into", "main")
    assert rows(spark, "SELECT id, kind FROM ice.lake.events") == \
        [(2, "B"), (3, "C"), (4, "d")]
    assert snapshots(spark, "ice.lake.events") == snapshots(spark, T)


def test_conflicting_commits_then_source_wins(spark, server):
    spark.sql("INSERT INTO ice.lake.events VALUES (10, 'main', TIMESTAMP '2024-01-05 00:00:00')")
    spark.sql("INSERT INTO %s VALUES (20, 'dev', TIMESTAMP '2024-01-06 00:00:00')" % T)
    server.cli("commit", "main", "-m", "main writes events")
    server.cli("commit", "dev", "-m", "dev writes events")
    out = server.cli("merge", "dev", "--into", "main", check=False)
    assert out.returncode == 3, out.stdout + out.stderr
    assert "metadata_location" in out.stdout + out.stderr
    server.cli("merge", "dev", "--into", "main", "--strategy", "source-wins")
    assert rows(spark, "SELECT id FROM ice.lake.events") == [(2,), (3,), (4,), (20,)]
    assert snapshots(spark, "ice.lake.events") == snapshots(spark, T)

"""Flow A: Spark SQL with Hive support against arbord, as `hive.metastore.uris`.

One SparkSession (Spark's bundled Hive 2.3.9 client) and one arbord for the module.
Every statement a Spark user runs on a Hive metastore: databases, partitioned tables
in both syntaxes, CTAS, views, static/dynamic/overwrite inserts, metastore-side
partition pruning, partition DDL, MSCK, table alters, statistics, functions, drops.
Tests run in file order on database `sales`; each uses its own tables.
"""

import os

import pytest


def rows(spark, sql):
    return [tuple(r) for r in spark.sql(sql).collect()]


@pytest.fixture(scope="module", autouse=True)
def sales(spark):
    spark.sql("CREATE DATABASE sales")
    yield "sales"


def test_database_is_in_the_metastore(spark, server):
    assert ("sales",) in rows(spark, "SHOW DATABASES")
    status, body = server.api("GET", "/refs/main/databases")
    assert status == 200, body
    assert "sales" in str(body)


def test_stored_as_parquet_partitioned_static_and_dynamic_inserts(spark):
    spark.sql("CREATE TABLE sales.orders (id BIGINT, amount DOUBLE) "
              "PARTITIONED BY (ds STRING) STORED AS PARQUET")
    spark.sql("INSERT INTO sales.orders PARTITION (ds='2024-01-01') VALUES (1, 10.0), (2, 20.0)")
    spark.sql("SET hive.exec.dynamic.partition.mode=nonstrict")
    spark.sql("INSERT INTO sales.orders PARTITION (ds) "
              "VALUES (3, 30.0, '2024-01-02'), (4, 40.0, '2024-01-03')")
    assert rows(spark, "SELECT id, amount, ds FROM sales.orders ORDER BY id") == [
        (1, 10.0, "2024-01-01"), (2, 20.0, "2024-01-01"),
        (3, 30.0, "2024-01-02"), (4, 40.0, "2024-01-03")]
    assert rows(spark, "SHOW PARTITIONS sales.orders") == [
        ("ds=2024-01-01",), ("ds=2024-01-02",), ("ds=2024-01-03",)]


def test_partition_filter_is_pushed_to_the_metastore(spark, server):
    before = server.thrift_calls("get_partitions_by_filter")
    got = rows(spark, "SELECT id FROM sales.orders WHERE ds = '2024-01-02'")
    assert got == [(3,)]
    assert server.thrift_calls("get_partitions_by_filter") > before
    # Only the matching partition is scanned.
    plan = spark.sql("SELECT id FROM sales.orders WHERE ds > '2024-01-01'") \
        ._jdf.queryExecution().executedPlan().toString()
    assert "PartitionFilters" in plan or "partition" in plan.lower()
    assert sorted(rows(spark, "SELECT id FROM sales.orders WHERE ds > '2024-01-01'")) == \
        [(3,), (4,)]


def test_escaped_partition_values_and_typed_filters(spark, server):
    spark.sql("CREATE TABLE sales.odd (v STRING) PARTITIONED BY (s STRING, n INT) "
              "STORED AS PARQUET")
    for s, n, v in (("2024-01-01 10:00:00", -1, "colon"), ("it's", 2, "quote"),
                    ("a/b=c%d", 3, "slash"), ("unicodé ü", 12, "uni")):
        spark.sql("INSERT INTO sales.odd PARTITION (s=\"%s\", n=%d) VALUES ('%s')" % (s, n, v))
    assert rows(spark, "SHOW PARTITIONS sales.odd") == [
        ("s=2024-01-01 10%3A00%3A00/n=-1",), ("s=a%2Fb%3Dc%25d/n=3",), ("s=it%27s/n=2",),
        ("s=unicodé ü/n=12",)]
    # Each filter goes to get_partitions_by_filter (Spark quotes strings with ");
    # n compares as a number (12 > 3), not as a string.
    for where, want in (("s = 'a/b=c%d'", ["slash"]), ("s = \"it's\"", ["quote"]),
                        ("n > 2", ["slash", "uni"]), ("n = -1", ["colon"]),
                        ("s <> \"it's\" AND n < 10", ["colon", "slash"]),
                        ("s LIKE 'uni%'", ["uni"])):
        before = server.thrift_calls("get_partitions_by_filter")
        got = sorted(r[0] for r in spark.sql("SELECT v FROM sales.odd WHERE " + where).collect())
        assert got == want, where
        assert server.thrift_calls("get_partitions_by_filter") > before, where


def test_insert_overwrite_one_partition(spark):
    spark.sql("INSERT OVERWRITE TABLE sales.orders PARTITION (ds='2024-01-01') "
              "VALUES (10, 100.0)")
    assert rows(spark, "SELECT id, ds FROM sales.orders ORDER BY id") == [
        (3, "2024-01-02"), (4, "2024-01-03"), (10, "2024-01-01")]


def test_using_parquet_partitioned_by(spark):
    spark.sql("CREATE TABLE sales.items (sku STRING, qty INT, region STRING) "
              "USING parquet PARTITIONED BY (region)")
    spark.sql("INSERT INTO sales.items VALUES ('a', 1, 'eu'), ('b', 2, 'us'), ('c', 3, 'eu')")
    assert rows(spark, "SELECT sku FROM sales.items WHERE region = 'eu' ORDER BY sku") == \
        [("a",), ("c",)]
    assert rows(spark, "SHOW PARTITIONS sales.items") == [("region=eu",), ("region=us",)]


def test_ctas_and_view(spark):
    spark.sql("CREATE TABLE sales.big_orders STORED AS PARQUET AS "
              "SELECT id, amount FROM sales.orders WHERE amount > 35")
    assert rows(spark, "SELECT id FROM sales.big_orders ORDER BY id") == [(4,), (10,)]
    spark.sql("CREATE VIEW sales.order_totals AS "
              "SELECT ds, SUM(amount) AS total FROM sales.orders GROUP BY ds")
    assert rows(spark, "SELECT ds, total FROM sales.order_totals ORDER BY ds") == [
        ("2024-01-01", 100.0), ("2024-01-02", 30.0), ("2024-01-03", 40.0)]
    tables = {r[1] for r in rows(spark, "SHOW TABLES IN sales")}
    assert {"orders", "items", "big_orders", "order_totals"} <= tables
    desc = rows(spark, "DESCRIBE TABLE EXTENDED sales.order_totals")
    assert any(r[0] == "Type" and r[1] == "VIEW" for r in desc)


def test_add_and_drop_partition(spark):
    spark.sql("ALTER TABLE sales.orders ADD PARTITION (ds='2024-02-01') "
              "PARTITION (ds='2024-02-02')")
    parts = [r[0] for r in rows(spark, "SHOW PARTITIONS sales.orders")]
    assert "ds=2024-02-01" in parts and "ds=2024-02-02" in parts
    spark.sql("ALTER TABLE sales.orders DROP PARTITION (ds='2024-02-01')")
    parts = [r[0] for r in rows(spark, "SHOW PARTITIONS sales.orders")]
    assert "ds=2024-02-01" not in parts and "ds=2024-02-02" in parts
    spark.sql("ALTER TABLE sales.orders DROP PARTITION (ds='2024-02-02')")


def test_msck_repair_table(spark):
    spark.sql("CREATE TABLE sales.events (id BIGINT) PARTITIONED BY (day STRING) "
              "STORED AS PARQUET")
    location = [r[1] for r in rows(spark, "DESCRIBE TABLE EXTENDED sales.events")
                if r[0] == "Location"][0]
    for day, ids in (("d1", [1, 2]), ("d2", [3])):
        spark.createDataFrame([(i,) for i in ids], "id BIGINT").write.mode("overwrite") \
            .parquet(location + "/day=" + day)
    assert rows(spark, "SHOW PARTITIONS sales.events") == []
    spark.sql("MSCK REPAIR TABLE sales.events")
    assert rows(spark, "SHOW PARTITIONS sales.events") == [("day=d1",), ("day=d2",)]
    assert rows(spark, "SELECT day, COUNT(*) FROM sales.events GROUP BY day ORDER BY day") == [
        ("d1", 2), ("d2", 1)]


def test_alter_table_properties_columns_rename(spark):
    spark.sql("ALTER TABLE sales.items SET TBLPROPERTIES ('owner_team'='data-eng')")
    props = dict(rows(spark, "SHOW TBLPROPERTIES sales.items"))
    assert props.get("owner_team") == "data-eng"
    spark.sql("ALTER TABLE sales.orders ADD COLUMNS (note STRING)")
    spark.sql("INSERT INTO sales.orders PARTITION (ds='2024-01-04') VALUES (5, 50.0, 'x')")
    assert rows(spark, "SELECT id, note FROM sales.orders WHERE ds >= '2024-01-03' "
                       "ORDER BY id") == [(4, None), (5, "x")]
    spark.sql("ALTER TABLE sales.big_orders RENAME TO sales.large_orders")
    tables = {r[1] for r in rows(spark, "SHOW TABLES IN sales")}
    assert "large_orders" in tables and "big_orders" not in tables
    assert rows(spark, "SELECT id FROM sales.large_orders ORDER BY id") == [(4,), (10,)]


def test_rename_data_source_table(spark):
    # Arbor moves no data on rename; the renamed table must still read its rows.
    spark.sql("CREATE TABLE sales.flat (sku STRING) USING parquet")
    spark.sql("INSERT INTO sales.flat VALUES ('x'), ('y')")
    spark.sql("ALTER TABLE sales.flat RENAME TO sales.flat2")
    assert rows(spark, "SELECT sku FROM sales.flat2 ORDER BY sku") == [("x",), ("y",)]
    spark.sql("INSERT INTO sales.flat2 VALUES ('z')")
    assert rows(spark, "SELECT sku FROM sales.flat2 ORDER BY sku") == [("x",), ("y",), ("z",)]
    spark.sql("ALTER TABLE sales.items RENAME TO sales.items2")
    assert rows(spark, "SELECT sku FROM sales.items2 ORDER BY sku") == [("a",), ("b",), ("c",)]
    # The old directory still holds the data, so Spark refuses a new managed table
    # (or a rename) at the old name's default location: LOCATION_ALREADY_EXISTS.


def test_analyze_table_statistics(spark):
    spark.sql("ANALYZE TABLE sales.large_orders COMPUTE STATISTICS")
    spark.sql("ANALYZE TABLE sales.large_orders COMPUTE STATISTICS FOR COLUMNS id, amount")
    desc = dict((r[0], r[1]) for r in rows(spark, "DESCRIBE TABLE EXTENDED sales.large_orders"))
    assert "2 rows" in desc["Statistics"]
    col = dict((r[0], r[1]) for r in rows(spark, "DESCRIBE TABLE EXTENDED "
                                                 "sales.large_orders id"))
    assert col["min"] == "4" and col["max"] == "10" and col["num_nulls"] == "0"
    # Partition statistics (ANALYZE ... PARTITION) land on the partition.
    spark.sql("ANALYZE TABLE sales.orders PARTITION (ds='2024-01-01') COMPUTE STATISTICS")
    pdesc = dict((r[0], r[1]) for r in rows(
        spark, "DESCRIBE TABLE EXTENDED sales.orders PARTITION (ds='2024-01-01')"))
    assert "1 rows" in pdesc["Partition Statistics"]


def test_create_function_and_describe(spark):
    spark.sql("CREATE FUNCTION sales.shout AS "
              "'org.apache.hadoop.hive.ql.udf.generic.GenericUDFUpper'")
    desc = " ".join(r[0] for r in rows(spark, "DESCRIBE FUNCTION sales.shout"))
    assert "GenericUDFUpper" in desc
    assert rows(spark, "SELECT sales.shout('abc')") == [("ABC",)]
    assert ("spark_catalog.sales.shout",) in rows(spark, "SHOW USER FUNCTIONS IN sales")
    spark.sql("DROP FUNCTION sales.shout")


def test_drop_table_and_database_cascade(spark):
    spark.sql("DROP TABLE sales.large_orders")
    tables = {r[1] for r in rows(spark, "SHOW TABLES IN sales")}
    assert "large_orders" not in tables
    spark.sql("DROP DATABASE sales CASCADE")
    assert ("sales",) not in rows(spark, "SHOW DATABASES")

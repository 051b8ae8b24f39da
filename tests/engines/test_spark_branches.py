"""Flow B: Arbor branches and tags from Spark SQL (Hive tables).

Spark addresses a branch by the database name, `sales@dev`, quoted with backticks;
refs are made with the `arbor` CLI. Without lakeFS only the catalog is versioned, so
data a branch writes goes to new partitions: a partition added on `dev` exists in
the catalog of `dev` alone, and its files are invisible to `main` until the merge.
Tests run in file order and build on each other's state.
"""

import pytest
from pyspark.errors import AnalysisException


def rows(spark, sql):
    return sorted(tuple(r) for r in spark.sql(sql).collect())


@pytest.fixture(scope="module", autouse=True)
def sales(spark, server):
    spark.sql("CREATE DATABASE sales")
    spark.sql("CREATE TABLE sales.orders (id BIGINT, amount DOUBLE) "
              "PARTITIONED BY (ds STRING) STORED AS PARQUET")
    spark.sql("INSERT INTO sales.orders PARTITION (ds='2024-01-01') VALUES (1, 10.0), (2, 20.0)")
    server.cli("commit", "main", "-m", "orders with one day")
    server.cli("branch", "create", "dev")
    yield


def test_insert_on_branch_is_invisible_on_main(spark):
    spark.sql("INSERT INTO `sales@dev`.orders PARTITION (ds='2024-01-02') VALUES (3, 30.0)")
    assert rows(spark, "SELECT id, ds FROM `sales@dev`.orders") == [
        (1, "2024-01-01"), (2, "2024-01-01"), (3, "2024-01-02")]
    assert rows(spark, "SELECT id, ds FROM sales.orders") == [
        (1, "2024-01-01"), (2, "2024-01-01")]
    assert rows(spark, "SHOW PARTITIONS `sales@dev`.orders") == [
        ("ds=2024-01-01",), ("ds=2024-01-02",)]
    assert rows(spark, "SHOW PARTITIONS sales.orders") == [("ds=2024-01-01",)]


def test_one_query_joins_branch_and_main(spark):
    got = rows(spark, "SELECT d.id, m.id IS NULL FROM `sales@dev`.orders d "
                      "LEFT JOIN sales.orders m ON d.id = m.id")
    assert got == [(1, False), (2, False), (3, True)]


def test_use_branch_database_for_unqualified_ddl_and_dml(spark, server):
    spark.sql("USE `sales@dev`")
    try:
        spark.sql("CREATE TABLE customers (id BIGINT, name STRING) STORED AS PARQUET")
        spark.sql("INSERT INTO customers VALUES (1, 'ann'), (3, 'cy')")
        spark.sql("INSERT INTO orders PARTITION (ds='2024-01-03') VALUES (4, 40.0)")
        assert rows(spark, "SELECT name FROM customers") == [("ann",), ("cy",)]
    finally:
        spark.sql("USE default")
    assert "customers" in [r[1] for r in spark.sql("SHOW TABLES IN `sales@dev`").collect()]
    assert "customers" not in [r[1] for r in spark.sql("SHOW TABLES IN sales").collect()]
    assert rows(spark, "SELECT id FROM `sales@dev`.orders WHERE ds = '2024-01-03'") == [(4,)]
    assert rows(spark, "SELECT id FROM sales.orders WHERE ds = '2024-01-03'") == []
    diff = server.cli("diff", "dev").stdout
    assert "customers" in diff


def test_tag_reads_old_state_and_refuses_writes(spark, server):
    server.cli("tag", "create", "v1", "main")
    assert rows(spark, "SELECT id FROM `sales@v1`.orders") == [(1,), (2,)]
    with pytest.raises(Exception) as err:
        spark.sql("INSERT INTO `sales@v1`.orders PARTITION (ds='2024-01-09') VALUES (9, 9.0)")
    assert "v1" in str(err.value)
    assert "read-only" in str(err.value) or "read only" in str(err.value)
    with pytest.raises(Exception) as err:
        spark.sql("CREATE TABLE `sales@v1`.nope (id INT) STORED AS PARQUET")
    assert "v1" in str(err.value)
    assert rows(spark, "SELECT id FROM `sales@v1`.orders") == [(1,), (2,)]


def test_commit_and_merge_then_main_reads_merged_rows(spark, server):
    server.cli("commit", "dev", "-m", "two days of orders and customers")
    server.cli("merge", "dev", "--into", "main")
    assert rows(spark, "SELECT id, ds FROM sales.orders") == [
        (1, "2024-01-01"), (2, "2024-01-01"), (3, "2024-01-02"), (4, "2024-01-03")]
    assert rows(spark, "SHOW PARTITIONS sales.orders") == [
        ("ds=2024-01-01",), ("ds=2024-01-02",), ("ds=2024-01-03",)]
    assert rows(spark, "SELECT o.id, c.name FROM sales.orders o "
                       "JOIN sales.customers c ON o.id = c.id") == [(1, "ann"), (3, "cy")]
    # The tag still reads the state before the merge.
    assert rows(spark, "SELECT id FROM `sales@v1`.orders") == [(1,), (2,)]

"""Trino 476's Hive connector against arbord: DDL, DML, partition pruning, the
`$partitions` table, statistics, and Arbor branches (`hive."sales@dev".orders`); and
the metastore over TLS (catalog `hive_tls`: hive.metastore.thrift.client.ssl.*, at a
second arbord started with --tls-cert/--tls-key).

One Trino coordinator serves the whole module (catalogs `hive` and `hive_tls`); data lives in
arbord's file:// warehouse and Trino reads and writes it with its native local file
system. Tests run in file order and build on each other's state.
"""

import glob
import os
import sys

import pytest
from conftest import Server, harness
from trino_server import TrinoError, catalog_properties, module_trino

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
import tls_certs  # noqa: E402


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    """A second arbord, TLS only, and the CA that signed its certificate."""
    certs = tls_certs.make(str(tmp_path_factory.mktemp("certs")))
    arbord = harness.Arbord(["--tls-cert", certs["server"], "--tls-key", certs["server_key"]],
                            data_dir=str(tmp_path_factory.mktemp("arbord-tls"))).start()
    try:
        yield Server(arbord), certs
    finally:
        arbord.cleanup()


@pytest.fixture(scope="module")
def trino(request, server, tls_server, tmp_path_factory):
    tls, certs = tls_server
    yield from module_trino(request, tmp_path_factory, {
        "hive": catalog_properties(
            "hive", server,
            # Tables change behind Trino's back (arbor merge): no cached metadata.
            **{"hive.metastore-cache-ttl": "0s"}),
        "hive_tls": catalog_properties(
            "hive", tls,
            **{"hive.metastore.thrift.client.ssl.enabled": "true",
               "hive.metastore.thrift.client.ssl.trust-certificate": certs["ca"]}),
    })


def rows(trino, sql):
    return sorted(trino.query(sql))


def test_create_schema_and_partitioned_table(trino, server):
    trino.query("CREATE SCHEMA hive.sales")
    trino.query("CREATE TABLE hive.sales.orders (id BIGINT, amount DOUBLE, ds VARCHAR) "
                "WITH (partitioned_by = ARRAY['ds'], format = 'PARQUET')")
    assert ("orders",) in trino.query("SHOW TABLES FROM hive.sales")
    # Trino looks a table up with the Hive 3+ request form (and would fall back to
    # get_table on UNKNOWN_METHOD, which arbord answers for methods it lacks).
    assert server.thrift_calls("get_table_req") > 0
    assert server.thrift_calls("get_table") == 0
    cols = trino.query("DESCRIBE hive.sales.orders")
    assert [(c[0], c[1]) for c in cols] == [
        ("id", "bigint"), ("amount", "double"), ("ds", "varchar")]
    assert "partition key" in cols[2][2]


def test_insert_and_select(trino, server):
    trino.query("INSERT INTO hive.sales.orders VALUES "
                "(1, 10.0, '2024-01-01'), (2, 20.0, '2024-01-01'), (3, 30.0, '2024-01-02')")
    assert rows(trino, "SELECT id, amount, ds FROM hive.sales.orders") == [
        (1, 10.0, "2024-01-01"), (2, 20.0, "2024-01-01"), (3, 30.0, "2024-01-02")]
    # The partitions and their files are where arbord's warehouse says.
    table_dir = os.path.join(server.warehouse, "sales.db", "orders")
    assert glob.glob(os.path.join(table_dir, "ds=2024-01-01", "*"))
    assert glob.glob(os.path.join(table_dir, "ds=2024-01-02", "*"))
    # The CLI jar reads the same rows.
    assert trino.cli("SELECT count(*) FROM hive.sales.orders").strip() == '"3"'


def test_partitions_table(trino):
    assert rows(trino, 'SELECT ds FROM hive.sales."orders$partitions"') == [
        ("2024-01-01",), ("2024-01-02",)]


def test_partition_pruning_reads_only_matching_partitions(trino, server):
    # A partition whose only file is not Parquet: any query that opens it fails, so
    # a filtered query that succeeds proves the partition was pruned.
    trino.query("CREATE TABLE hive.sales.events (id BIGINT, ds VARCHAR) "
                "WITH (partitioned_by = ARRAY['ds'], format = 'PARQUET')")
    trino.query("INSERT INTO hive.sales.events VALUES (1, 'a'), (2, 'b')")
    bad_dir = os.path.join(server.warehouse, "sales.db", "events", "ds=a")
    for f in os.listdir(bad_dir):
        if not f.startswith((".", "_")):
            with open(os.path.join(bad_dir, f), "wb") as out:
                out.write(b"this is not a parquet file")
    assert trino.query("SELECT id FROM hive.sales.events WHERE ds = 'b'") == [(2,)]
    with pytest.raises(TrinoError):
        trino.query("SELECT id FROM hive.sales.events")
    trino.query("DROP TABLE hive.sales.events")


def test_analyze_and_show_stats(trino):
    trino.query("ANALYZE hive.sales.orders")

    def stats(where=""):
        # (column_name, data_size, distinct_values_count, nulls_fraction, row_count,
        #  low_value, high_value); the summary row has no column name.
        return {r[0]: r for r in trino.query(
            "SHOW STATS FOR (SELECT * FROM hive.sales.orders %s)" % where)}

    table = stats()
    assert table[None][4] == 3.0
    assert (table["id"][5], table["id"][6]) == ("1", "3")
    assert (table["amount"][5], table["amount"][6]) == ("10.0", "30.0")
    assert table["id"][3] == 0.0
    # Each partition's own statistics came back from arbord.
    day1 = stats("WHERE ds = '2024-01-01'")
    assert day1[None][4] == 2.0
    assert day1["id"][2] == 2.0 and (day1["id"][5], day1["id"][6]) == ("1", "2")
    day2 = stats("WHERE ds = '2024-01-02'")
    assert day2[None][4] == 1.0
    assert day2["id"][2] == 1.0 and (day2["id"][5], day2["id"][6]) == ("3", "3")


def test_branch_is_isolated_then_merged(trino, server):
    server.cli("commit", "main", "-m", "orders with two days")
    server.cli("branch", "create", "dev")
    trino.query("INSERT INTO hive.\"sales@dev\".orders VALUES (4, 40.0, '2024-01-03')")
    assert rows(trino, 'SELECT id FROM hive."sales@dev".orders') == [(1,), (2,), (3,), (4,)]
    assert rows(trino, "SELECT id FROM hive.sales.orders") == [(1,), (2,), (3,)]
    assert rows(trino, 'SELECT ds FROM hive."sales@dev"."orders$partitions"') == [
        ("2024-01-01",), ("2024-01-02",), ("2024-01-03",)]
    assert rows(trino, 'SELECT ds FROM hive.sales."orders$partitions"') == [
        ("2024-01-01",), ("2024-01-02",)]
    # A table made on the branch exists there alone.
    trino.query('CREATE TABLE hive."sales@dev".returns (id BIGINT) WITH (format = \'PARQUET\')')
    assert ("returns",) in trino.query('SHOW TABLES FROM hive."sales@dev"')
    assert ("returns",) not in trino.query("SHOW TABLES FROM hive.sales")

    server.cli("commit", "dev", "-m", "a third day and returns")
    server.cli("merge", "dev", "--into", "main")
    assert rows(trino, "SELECT id, ds FROM hive.sales.orders") == [
        (1, "2024-01-01"), (2, "2024-01-01"), (3, "2024-01-02"), (4, "2024-01-03")]
    assert ("returns",) in trino.query("SHOW TABLES FROM hive.sales")


def test_tag_is_read_only(trino, server):
    server.cli("tag", "create", "v1", "main")
    assert rows(trino, 'SELECT count(*) FROM hive."sales@v1".orders') == [(4,)]
    with pytest.raises(TrinoError) as err:
        trino.query("INSERT INTO hive.\"sales@v1\".orders VALUES (9, 9.0, '2024-01-09')")
    assert "v1" in err.value.message


def test_drop_table(trino):
    trino.query("DROP TABLE hive.sales.orders")
    assert ("orders",) not in trino.query("SHOW TABLES FROM hive.sales")
    with pytest.raises(TrinoError) as err:
        trino.query("SELECT * FROM hive.sales.orders")
    assert err.value.name == "TABLE_NOT_FOUND"
    # The branch still has its own copy of the table, and arbord deleted no files.
    assert ("orders",) in trino.query('SHOW TABLES FROM hive."sales@dev"')
    assert rows(trino, 'SELECT id FROM hive."sales@dev".orders') == [(1,), (2,), (3,), (4,)]


def test_metastore_over_tls(trino, tls_server):
    tls, _ = tls_server
    trino.query("CREATE SCHEMA hive_tls.secure")
    trino.query("CREATE TABLE hive_tls.secure.t (id BIGINT, ds VARCHAR) "
                "WITH (partitioned_by = ARRAY['ds'])")
    trino.query("INSERT INTO hive_tls.secure.t VALUES (1, 'a'), (2, 'b')")
    assert rows(trino, "SELECT id, ds FROM hive_tls.secure.t") == [(1, "a"), (2, "b")]
    assert glob.glob(os.path.join(tls.warehouse, "secure.db", "t", "ds=a", "*"))
    assert "TLS handshake failed" not in tls.arbord.read_log()


def test_no_server_errors(server):
    assert "internal error" not in server.log().lower()

"""Spark SQL (its bundled Hive 2.3.9 metastore client) against an arbord that speaks
TLS only, configured as for Hive's metastore with SSL: spark.hadoop.hive.metastore.use.SSL
and a truststore made with keytool from the test CA (docs/security.md)."""

import os
import subprocess
import sys

import pytest
from conftest import Server, build_spark, harness

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
import tls_certs  # noqa: E402


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    certs = tls_certs.make(str(tmp_path_factory.mktemp("certs")))
    arbord = harness.Arbord(["--tls-cert", certs["server"], "--tls-key", certs["server_key"]],
                            data_dir=str(tmp_path_factory.mktemp("arbord"))).start()
    truststore = os.path.join(os.path.dirname(certs["ca"]), "truststore.jks")
    subprocess.run(["keytool", "-importcert", "-noprompt", "-alias", "arbor-ca", "-file",
                    certs["ca"], "-keystore", truststore, "-storetype", "JKS", "-storepass",
                    "changeit"], check=True, capture_output=True)
    server = Server(arbord)
    server.truststore = truststore
    try:
        yield server
    finally:
        arbord.cleanup()


@pytest.fixture(scope="module")
def spark(server, tmp_path_factory):
    session = build_spark(server, str(tmp_path_factory.mktemp("spark")), {
        "spark.hadoop.hive.metastore.use.SSL": "true",
        "spark.hadoop.hive.metastore.truststore.path": server.truststore,
        "spark.hadoop.hive.metastore.truststore.password": "changeit",
    })
    try:
        yield session
    finally:
        session.stop()


def rows(spark, sql):
    return [tuple(r) for r in spark.sql(sql).collect()]


def test_tables_over_tls(spark, server):
    spark.sql("CREATE DATABASE secure")
    spark.sql("CREATE TABLE secure.events (id BIGINT, name STRING) PARTITIONED BY (ds STRING) "
              "STORED AS PARQUET")
    spark.sql("INSERT INTO secure.events PARTITION (ds='2024-01-01') VALUES (1, 'a'), (2, 'b')")
    assert rows(spark, "SELECT id, name, ds FROM secure.events ORDER BY id") == [
        (1, "a", "2024-01-01"), (2, "b", "2024-01-01")]
    assert rows(spark, "SHOW PARTITIONS secure.events") == [("ds=2024-01-01",)]
    log = server.log()
    assert "TLS handshake failed" not in log
    assert "(TLS, client certificates none)" in log

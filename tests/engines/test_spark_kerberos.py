"""Spark SQL with Hive support against a Kerberized arbord.

A real MIT Kerberos KDC (tests/support/kdc.py); arbord with --thrift-auth kerberos;
Spark (its bundled Hive 2.3.9 client) configured as for a Kerberized Hive
metastore: hive.metastore.sasl.enabled, hive.metastore.kerberos.principal,
hadoop.security.authentication=kerberos, and the user's ticket from kinit
(KRB5CCNAME). Its writes are authored by
the principal's short name;
"""

import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))

import kdc as kdc_support  # noqa: E402
from conftest import build_spark, kerberized_server, kerberos_keytabs  # noqa: E402


@pytest.fixture(scope="module")
def kdc():
    return kdc_support.shared_kdc()


@pytest.fixture(scope="module")
def keytabs(kdc, tmp_path_factory):
    return kerberos_keytabs(kdc, tmp_path_factory, "sparkuser")


@pytest.fixture(scope="module")
def server(kdc, keytabs, tmp_path_factory):
    yield from kerberized_server(kdc, keytabs[0], "sparkuser", tmp_path_factory)


@pytest.fixture(scope="module")
def spark(server, kdc, keytabs, tmp_path_factory):
    tmp = str(tmp_path_factory.mktemp("spark"))
    # The user's ticket, as after `kinit`: the driver's UGI login reads KRB5CCNAME.
    ccache = os.path.join(tmp, "ccache")
    kdc.kinit("sparkuser@" + kdc.realm, keytabs[1], ccache)
    os.environ["KRB5CCNAME"] = "FILE:" + ccache
    # Hadoop's security mode must be set before the driver's first UGI call, so in
    # core-site.xml on HADOOP_CONF_DIR, as on a Kerberized cluster.
    conf_dir = os.path.join(tmp, "hadoop-conf")
    os.makedirs(conf_dir)
    with open(os.path.join(conf_dir, "core-site.xml"), "w") as f:
        f.write("<configuration><property><name>hadoop.security.authentication</name>"
                "<value>kerberos</value></property></configuration>\n")
    os.environ["HADOOP_CONF_DIR"] = conf_dir
    session = build_spark(server, tmp, {
        "spark.hadoop.hive.metastore.sasl.enabled": "true",
        "spark.hadoop.hive.metastore.kerberos.principal": "hive/_HOST@" + kdc.realm,
        "spark.hadoop.hadoop.security.authentication": "kerberos",
        "spark.driver.extraJavaOptions": "-Dderby.system.home=%s -Djava.security.krb5.conf=%s"
                                         % (tmp, kdc.krb5_conf),
    })
    try:
        yield session
    finally:
        session.stop()


def test_spark_reads_and_writes_through_kerberos(spark, server, kdc):
    spark.sql("CREATE DATABASE kdb")
    spark.sql("CREATE TABLE kdb.t (id BIGINT, name STRING) PARTITIONED BY (ds STRING) "
              "STORED AS PARQUET")
    spark.sql("INSERT INTO kdb.t PARTITION (ds='2024-01-01') VALUES (1, 'a'), (2, 'b')")
    assert [tuple(r) for r in spark.sql("SELECT id, name FROM kdb.t ORDER BY id").collect()] \
        == [(1, "a"), (2, "b")]
    assert ("kdb",) in [tuple(r) for r in spark.sql("SHOW DATABASES").collect()]
    log = server.log()
    assert "authenticated as 'sparkuser@%s' (GSSAPI)" % kdc.realm in log
    status, body = server.api("GET", "/refs/main/commits?limit=1")
    assert status == 200, body
    assert body["commits"][0]["author"] == "sparkuser"

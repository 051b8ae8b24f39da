"""Trino 476's Hive connector against a Kerberized arbord.

A real MIT Kerberos KDC (tests/support/kdc.py); arbord with --thrift-auth kerberos;
Trino's catalog configured as for a Kerberized Hive metastore:
hive.metastore.authentication.type=KERBEROS, the service principal with _HOST,
and Trino's own client principal and keytab. Its writes are authored by the
principal's short name.
"""

import os
import sys

import pytest
from trino_server import catalog_properties, module_trino

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))

import kdc as kdc_support  # noqa: E402
from conftest import kerberized_server, kerberos_keytabs  # noqa: E402


@pytest.fixture(scope="module")
def kdc():
    return kdc_support.shared_kdc()


@pytest.fixture(scope="module")
def keytabs(kdc, tmp_path_factory):
    return kerberos_keytabs(kdc, tmp_path_factory, "trino")


@pytest.fixture(scope="module")
def server(kdc, keytabs, tmp_path_factory):
    yield from kerberized_server(kdc, keytabs[0], "trino", tmp_path_factory)


@pytest.fixture(scope="module")
def trino(request, server, kdc, keytabs, tmp_path_factory):
    yield from module_trino(request, tmp_path_factory, {
        "hive": catalog_properties(
            "hive", server, **{
                "hive.metastore-cache-ttl": "0s",
                "hive.metastore.authentication.type": "KERBEROS",
                "hive.metastore.service.principal": "hive/_HOST@" + kdc.realm,
                "hive.metastore.client.principal": "trino@" + kdc.realm,
                "hive.metastore.client.keytab": keytabs[1],
            }),
    }, jvm_options=["-Djava.security.krb5.conf=" + kdc.krb5_conf])


def test_trino_reads_and_writes_through_kerberos(trino, server, kdc):
    trino.query("CREATE SCHEMA hive.kerb")
    trino.query("CREATE TABLE hive.kerb.t (id BIGINT, ds VARCHAR) "
                "WITH (partitioned_by = ARRAY['ds'], format = 'PARQUET')")
    trino.query("INSERT INTO hive.kerb.t VALUES (1, '2024-01-01'), (2, '2024-01-02')")
    assert sorted(trino.query("SELECT id, ds FROM hive.kerb.t")) == [
        (1, "2024-01-01"), (2, "2024-01-02")]
    # Trino asks for QOP auth-conf: every frame goes through the security layer.
    assert ("authenticated as 'trino@%s' (GSSAPI, with a SASL security layer)" % kdc.realm
            in server.log())
    status, body = server.api("GET", "/refs/main/commits?limit=1")
    assert status == 200, body
    assert body["commits"][0]["author"] == "trino"

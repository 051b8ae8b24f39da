"""Shared fixtures for the engine suite: real engines against a real arbord.

Each test module gets a fresh arbord (tests/integration/harness.py starts it on
127.0.0.1 with a file:// warehouse under a temp dir) and, for Spark modules, one
SparkSession pointed at it with `hive.metastore.uris`. Everything is offline: jars are
local files from deploy/install-engines.sh, found through ARBOR_ENGINE_JARS.
"""

import glob
import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))

import harness  # noqa: E402


class Server:
    """A running arbord plus helpers for its admin API, CLI and metrics."""

    def __init__(self, arbord):
        self.arbord = arbord
        self.port = arbord.port
        self.http_port = arbord.http_port
        self.uri = "thrift://127.0.0.1:%d" % arbord.port
        self.warehouse = os.path.join(arbord.data_dir, "warehouse")

    def api(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request("http://127.0.0.1:%d/api/v1%s" % (self.http_port, path),
                                     method=method, data=data,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                raw = r.read()
                return r.status, json.loads(raw) if raw else {}
        except urllib.error.HTTPError as e:
            raw = e.read()
            return e.code, json.loads(raw) if raw else {}

    def cli(self, *args, check=True):
        """Runs the `arbor` CLI against this server; returns the CompletedProcess."""
        cmd = [os.environ["ARBOR_CLI"], "--server", "http://127.0.0.1:%d" % self.http_port]
        out = subprocess.run(cmd + list(args), capture_output=True, text=True, timeout=60)
        if check and out.returncode != 0:
            raise AssertionError("arbor %s -> %d\n%s%s" % (" ".join(args), out.returncode,
                                                          out.stdout, out.stderr))
        return out

    def metric(self, name, **labels):
        """Sum of every sample of `name` whose labels include `labels`."""
        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % self.http_port,
                                    timeout=30) as r:
            text = r.read().decode()
        total = 0.0
        for line in text.splitlines():
            m = re.match(r"^(\w+)(\{([^}]*)\})?\s+(\S+)$", line)
            if not m or m.group(1) != name:
                continue
            got = dict(re.findall(r'(\w+)="([^"]*)"', m.group(3) or ""))
            if all(got.get(k) == v for k, v in labels.items()):
                total += float(m.group(4))
        return total

    def thrift_calls(self, method):
        return self.metric("arbor_thrift_requests_total", method=method)

    def log(self):
        return self.arbord.read_log()



def kerberos_keytabs(kdc, tmp_path_factory, client):
    """Keytabs for arbord's service principal (hive/localhost) and for `client`."""
    d = str(tmp_path_factory.mktemp("keytabs"))
    kdc.add_principal("hive/localhost")
    kdc.add_principal(client)
    return (kdc.keytab(os.path.join(d, "hive.keytab"), "hive/localhost"),
            kdc.keytab(os.path.join(d, "%s.keytab" % client), client))


def kerberized_server(kdc, service_keytab, client, tmp_path_factory):
    """Yields a Server for an arbord with --thrift-auth kerberos, `client` a writer in its
    users file and `main` in auto commit mode, addressed as localhost (the service
    principal's host); stops it afterwards. For a module fixture to `yield from`."""
    users = str(tmp_path_factory.mktemp("users") / "users")
    with open(users, "w") as f:
        f.write("%s writer\n" % client)
    arbord = harness.Arbord(
        data_dir=str(tmp_path_factory.mktemp("arbord")),
        extra_args=["--thrift-auth", "kerberos",
                    "--kerberos-principal", "hive/localhost@" + kdc.realm,
                    "--kerberos-keytab", service_keytab, "--users-file", users],
        env=kdc.env())
    arbord.start()
    try:
        s = Server(arbord)
        s.uri = "thrift://localhost:%d" % arbord.port
        status, body = s.api("PUT", "/branches/main/commit-mode", {"mode": "auto"})
        assert status == 200, body
        yield s
    finally:
        arbord.stop()

@pytest.fixture(scope="module")
def server(request, tmp_path_factory):
    if not harness.ARBORD:
        pytest.fail("ARBORD is not set (run through ctest or make test-engines)")
    arbord = harness.Arbord(data_dir=str(tmp_path_factory.mktemp("arbord")))
    arbord.start()
    # ARBOR_ENGINE_LOGS=DIR keeps each module's arbord log and final metrics.
    keep = os.environ.get("ARBOR_ENGINE_LOGS")
    name = os.path.splitext(os.path.basename(request.module.__file__))[0]
    try:
        yield Server(arbord)
        if keep:
            os.makedirs(keep, exist_ok=True)
            with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % arbord.http_port,
                                        timeout=30) as r, \
                    open(os.path.join(keep, name + ".metrics"), "wb") as f:
                f.write(r.read())
    finally:
        arbord.stop()
        if keep:
            os.makedirs(keep, exist_ok=True)
            with open(os.path.join(keep, name + ".arbord.log"), "w") as f:
                f.write(arbord.read_log())


def iceberg_jars():
    """The Iceberg runtime jars of this engine column; [] for a column without
    Iceberg (run.sh leaves ARBOR_ENGINE_JARS unset), which then runs only the
    Hive-table modules."""
    jar_dir = os.environ.get("ARBOR_ENGINE_JARS")
    if jar_dir is None:
        return []
    jars = sorted(glob.glob(os.path.join(jar_dir, "*.jar")))
    if not jars:
        pytest.fail("no engine jars in ARBOR_ENGINE_JARS=%r (deploy/install-engines.sh)"
                    % jar_dir)
    return jars


def build_spark(server, tmp_dir, extra_conf=None):
    """One local SparkSession with Hive support and the metastore at `server`; with
    the column's Iceberg runtime, also an Iceberg catalog `ice` (type hive) at the
    same arbord, and `icenl`, the same catalog committing without Hive locks."""
    from pyspark.sql import SparkSession

    warehouse = "file://" + os.path.join(tmp_dir, "spark-warehouse")
    conf = {
        "spark.master": "local[2]",
        "spark.ui.enabled": "false",
        "spark.sql.shuffle.partitions": "2",
        "spark.driver.memory": "768m",
        "spark.sql.catalogImplementation": "hive",
        "spark.hadoop.hive.metastore.uris": server.uri,
        "spark.sql.warehouse.dir": warehouse,
        "spark.hadoop.hive.metastore.warehouse.dir": warehouse,
        "spark.driver.extraJavaOptions": "-Dderby.system.home=" + tmp_dir,
    }
    jars = iceberg_jars()
    if jars:
        conf.update({
            "spark.jars": ",".join(jars),
            "spark.sql.extensions":
                "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions",
            "spark.sql.catalog.ice": "org.apache.iceberg.spark.SparkCatalog",
            "spark.sql.catalog.ice.type": "hive",
            "spark.sql.catalog.ice.uri": server.uri,
            "spark.sql.catalog.ice.warehouse": warehouse,
            # Tables are changed behind Spark's back (arbor merge); read them fresh.
            "spark.sql.catalog.ice.cache-enabled": "false",
            # The same metastore through a catalog that commits lock-free
            # (compare-and-set on metadata_location) for every table.
            "spark.sql.catalog.icenl": "org.apache.iceberg.spark.SparkCatalog",
            "spark.sql.catalog.icenl.type": "hive",
            "spark.sql.catalog.icenl.uri": server.uri,
            "spark.sql.catalog.icenl.warehouse": warehouse,
            "spark.sql.catalog.icenl.cache-enabled": "false",
            "spark.sql.catalog.icenl.hadoop.iceberg.engine.hive.lock-enabled": "false",
        })
    conf.update(extra_conf or {})
    builder = SparkSession.builder.appName("arbor-engines")
    for k, v in conf.items():
        builder = builder.config(k, v)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


@pytest.fixture(scope="module")
def spark(server, tmp_path_factory):
    session = build_spark(server, str(tmp_path_factory.mktemp("spark")))
    try:
        yield session
    finally:
        session.stop()

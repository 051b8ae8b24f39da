"""Test harness: a real arbord on a free loopback port, and Thrift clients for it.

Every integration test starts its own arbord process with a fresh data directory,
talks to it over real sockets with the Python Thrift implementation (Debian's
python3-thrift, generated from thrift/*.thrift at build time), and stops it.
Paths come from the environment that ctest sets (see tests/integration/CMakeLists.txt):
ARBORD (the binary), ARBOR_GEN_PY (the generated Python package).

ARBOR_TEST_STORE=postgres runs every arbord on PostgreSQL instead of RocksDB: each
data directory gets its own database in the cluster of the ctest fixture `postgres`
(ARBOR_TEST_PG_STATE, tests/support/pg_cluster.py), so restarts keep their data.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request
import zlib

sys.path.insert(0, os.environ.get("ARBOR_GEN_PY", ""))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))

from thrift.protocol import TBinaryProtocol  # noqa: E402
from thrift.transport import TSocket, TTransport  # noqa: E402
from hive_metastore import ThriftHiveMetastore  # noqa: E402
from hive_metastore import ttypes as hms  # noqa: E402,F401

ARBORD = os.environ.get("ARBORD", "")
ON_POSTGRES = os.environ.get("ARBOR_TEST_STORE", "rocksdb") == "postgres"


def postgres_store(key):
    """A PostgreSQL database of the fixture's cluster for `key` (created on first use)."""
    import pg_cluster
    cluster = pg_cluster.attach()
    if cluster is None:
        raise RuntimeError("ARBOR_TEST_STORE=postgres needs ARBOR_TEST_PG_STATE (ctest fixture)")
    name = "it_%08x_%d" % (zlib.crc32(key.encode()), len(key))
    if not cluster.psql("SELECT 1 FROM pg_database WHERE datname = '%s'" % name).strip():
        cluster.create_database(name)
    return cluster.url(name)


class Arbord:
    """One arbord process. Keeps its data directory across restart()."""

    def __init__(self, extra_args=None, data_dir=None, env=None, store=None):
        self.owns_dir = data_dir is None
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="arbor-it-")
        self.extra_args = list(extra_args or [])
        self.env = env
        self.proc = None
        self.port = None
        self.http_port = None
        self.log_path = os.path.join(self.data_dir, "arbord.log")
        # --store: given, or one PostgreSQL database per data directory, or RocksDB.
        self.store = store or (postgres_store(self.data_dir) if ON_POSTGRES else None)

    def command(self):
        args = [ARBORD, "--data-dir", os.path.join(self.data_dir, "data"),
                "--listen", "127.0.0.1:0", "--http-listen", "127.0.0.1:0",
                "--warehouse", "file:" + os.path.join(self.data_dir, "warehouse")]
        if self.store:
            args += ["--store", self.store]
        return args + self.extra_args

    def start(self, timeout=30):
        args = self.command()
        env = dict(os.environ)
        env.update(self.env or {})
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.log, env=env)
        deadline = time.time() + timeout
        while time.time() < deadline:
            line = self.proc.stdout.readline().decode()
            if not line:
                raise RuntimeError("arbord exited early (code %s); log:\n%s"
                                   % (self.proc.wait(), self.read_log()))
            if line.startswith("arbord ready"):
                fields = dict(f.split("=") for f in line.split()[2:])
                self.port = int(fields["thrift"])
                if "http" in fields:
                    self.http_port = int(fields["http"])
                return self
        raise RuntimeError("arbord did not become ready; log:\n" + self.read_log())

    def read_log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode(errors="replace")[-20000:]
        except OSError:
            return ""

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        code = self.proc.wait(timeout=timeout)
        self.proc.stdout.close()
        self.log.close()
        self.proc = None
        return code

    def kill9(self):
        return self.stop(signal.SIGKILL)

    def restart(self):
        self.stop()
        return self.start()

    def client(self, timeout_ms=30000):
        return Client(self.port, timeout_ms)

    def cleanup(self):
        self.stop()
        if self.owns_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)


class Client:
    """A connected ThriftHiveMetastore client: plain socket, buffered, binary (Hive's defaults)."""

    def __init__(self, port, timeout_ms=30000):
        sock = TSocket.TSocket("127.0.0.1", port)
        sock.setTimeout(timeout_ms)
        self.transport = TTransport.TBufferedTransport(sock)
        protocol = TBinaryProtocol.TBinaryProtocol(self.transport)
        self.hms = ThriftHiveMetastore.Client(protocol)
        self.transport.open()

    def __getattr__(self, name):
        return getattr(self.hms, name)

    def close(self):
        self.transport.close()


def admin_call(http_port, method, path, body=None, timeout=30):
    """(HTTP status, decoded JSON body) of one call to arbord's admin API."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (http_port, path), method=method,
                                 data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            raw = r.read()
            return r.status, json.loads(raw) if raw else {}
    except urllib.error.HTTPError as e:
        raw = e.read()
        return e.code, json.loads(raw) if raw else {}


def metric(text, series):
    """The value of `series` (a name, with its labels as rendered) in Prometheus text; 0 if
    absent."""
    if isinstance(text, bytes):
        text = text.decode()
    for line in text.splitlines():
        name, _, value = line.rpartition(" ")
        if name == series:
            return float(value)
    return 0.0


def raw_connection(port):
    return socket.create_connection(("127.0.0.1", port), timeout=10)


# --- builders for Hive structs -------------------------------------------------

def make_table(db, name, cols=(("id", "bigint"), ("name", "string")), part_keys=(),
               location=None, params=None, table_type=None):
    sd = hms.StorageDescriptor(
        cols=[hms.FieldSchema(name=c, type=t, comment=None) for c, t in cols],
        location=location,
        inputFormat="org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
        outputFormat="org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
        compressed=False, numBuckets=-1,
        serdeInfo=hms.SerDeInfo(
            name=None,
            serializationLib="org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
            parameters={"serialization.format": "1"}),
        bucketCols=[], sortCols=[], parameters={})
    return hms.Table(
        tableName=name, dbName=db, owner="tester", sd=sd,
        partitionKeys=[hms.FieldSchema(name=k, type=t, comment=None) for k, t in part_keys],
        parameters=dict(params or {}), tableType=table_type)


def make_partition(db, table, values, location=None):
    sd = None
    if location is not None:
        sd = hms.StorageDescriptor(cols=[], location=location, serdeInfo=hms.SerDeInfo())
    return hms.Partition(values=list(values), dbName=db, tableName=table, sd=sd, parameters={})


class OwnServerTestCase(unittest.TestCase):
    """A fresh arbord (started with `server_args`) and a client `c` for every test, for
    tests that kill and restart their server: tearDown closes the client, which may
    have died with the server, and removes the server and its data."""

    server_args = []

    def setUp(self):
        if not ARBORD:
            raise unittest.SkipTest("ARBORD is not set")
        self.server = Arbord(list(self.server_args)).start()
        self.c = self.server.client()

    def tearDown(self):
        try:
            self.c.close()
        except Exception:  # noqa: BLE001 - the connection may be gone with its server
            pass
        self.server.cleanup()


class ArbordTestCase(unittest.TestCase):
    """Starts one arbord per test class; `self.c` is a fresh client per test.

    `database`, if set (a name, or a full hms.Database), is created on main once per
    class before any test runs: the shared fixture for classes whose tests all work in
    one database. Subclasses that add more class-wide data call super().setUpClass()
    first, so the database exists when they do.
    """

    extra_args = []
    database = None

    @classmethod
    def setUpClass(cls):
        if not ARBORD:
            raise unittest.SkipTest("ARBORD is not set")
        cls.server = Arbord(cls.extra_args).start()
        if cls.database is None:
            return
        db = cls.database
        if not isinstance(db, hms.Database):
            db = hms.Database(name=db)
        try:
            c = cls.server.client()
            try:
                c.create_database(db)
            finally:
                c.close()
        except BaseException:
            # tearDownClass does not run when setUpClass fails: stop the server here.
            cls.server.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def setUp(self):
        self.c = self.server.client()

    def tearDown(self):
        self.c.close()

    def assertRaisesHms(self, exc_type, fn, *args, contains=None):
        with self.assertRaises(exc_type) as ctx:
            fn(*args)
        if contains is not None:
            self.assertIn(contains, ctx.exception.message)
        return ctx.exception


def main():
    # Prints "N passed, N failed" so CI can read the count without a test runner.
    result = unittest.main(exit=False, verbosity=2).result
    failed = len(result.failures) + len(result.errors)
    passed = result.testsRun - failed - len(result.skipped)
    print("%d passed, %d failed, %d skipped" % (passed, failed, len(result.skipped)))
    sys.exit(1 if failed or result.testsRun == 0 else 0)

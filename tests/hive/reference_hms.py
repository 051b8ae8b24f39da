"""A reference Apache Hive Metastore (Hive's own server) for differential tests.

ReferenceHms().start() brings up, in a fresh temporary directory:
  * PostgreSQL 15 on a free loopback port (tests/support/pg_cluster.py: initdb as
    the `postgres` user when we are root, fsync off), synchronous_commit off;
  * Hive's schema in it, by Hive's schematool (MetastoreSchemaTool -initSchema);
  * Hive's standalone metastore server (HiveMetaStore) on another free port,
    with its warehouse under the temporary directory.
stop() ends both and removes the directory. Everything comes from the cache
deploy/install-hive.sh fills (${ARBOR_CACHE:-~/.cache/arbor}/hive): the server
tarball's lib/ and the Hadoop classpath Hive leaves to its user. One JVM for the
schema tool, one for the server; startup takes about half a minute.
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import pg_cluster  # noqa: E402
from pg_cluster import free_port  # noqa: E402
from processes import stop_process  # noqa: E402

CACHE = os.path.join(os.environ.get("ARBOR_CACHE", os.path.expanduser("~/.cache/arbor")), "hive")
HIVE_HOME = os.path.join(CACHE, "apache-hive-metastore-4.0.1-bin")
HADOOP_CLASSPATH_FILE = os.path.join(CACHE, "reference-hadoop.classpath")


def installed():
    return (os.path.isdir(os.path.join(HIVE_HOME, "lib")) and os.path.exists(HADOOP_CLASSPATH_FILE)
            and pg_cluster.installed())


SITE_XML = """<?xml version="1.0"?>
<configuration>
  <property><name>javax.jdo.option.ConnectionURL</name><value>jdbc:postgresql://127.0.0.1:{pg_port}/metastore</value></property>
  <property><name>javax.jdo.option.ConnectionDriverName</name><value>org.postgresql.Driver</value></property>
  <property><name>javax.jdo.option.ConnectionUserName</name><value>hive</value></property>
  <property><name>javax.jdo.option.ConnectionPassword</name><value>hive</value></property>
  <property><name>metastore.warehouse.dir</name><value>{warehouse}</value></property>
  <property><name>metastore.warehouse.external.dir</name><value>{external_warehouse}</value></property>
  <property><name>metastore.thrift.port</name><value>{port}</value></property>
  <property><name>metastore.event.db.notification.api.auth</name><value>false</value></property>
  <property><name>metastore.server.min.threads</name><value>4</value></property>
</configuration>
"""


class ReferenceHms:
    """separate_external_warehouse: give external tables their own root
    (warehouse_external/) instead of the managed warehouse; Hive then refuses an
    external table located inside the managed root, as Hive's own client API tests
    expect of a real deployment.
    durable: PostgreSQL with fsync, full page writes and synchronous commit on
    (its defaults), for benchmarks; the tests run with all three off.
    heap_mb: the metastore JVM's -Xmx (the schema tool keeps 384 MB)."""

    def __init__(self, separate_external_warehouse=False, durable=False, heap_mb=384):
        self.separate_external_warehouse = separate_external_warehouse
        self.external_warehouse = None
        self.durable = durable
        self.heap_mb = heap_mb
        self.dir = None
        self.port = None
        self.pg_port = None
        self.proc = None
        self.warehouse = None
        self.pg = None

    def _run(self, args, log, env=None):
        with open(os.path.join(self.dir, log), "ab") as out:
            subprocess.run(args, check=True, stdout=out, stderr=subprocess.STDOUT, env=env,
                           cwd=self.dir, timeout=300)

    def start(self, timeout=120):
        self.dir = tempfile.mkdtemp(prefix="arbor-refhms-")
        os.chmod(self.dir, 0o755)
        self.pg = pg_cluster.PgCluster(user="hive").start(
            durable=self.durable,
            extra_options="" if self.durable else "-c synchronous_commit=off")
        self.pg_port = self.pg.port
        self.pg.create_database("metastore")

        self.port = free_port()
        self.warehouse = "file:" + os.path.join(self.dir, "warehouse")
        self.external_warehouse = (self.warehouse + "_external" if self.separate_external_warehouse
                                   else self.warehouse)
        conf = os.path.join(self.dir, "conf")
        os.mkdir(conf)
        with open(os.path.join(conf, "metastore-site.xml"), "w") as f:
            f.write(SITE_XML.format(pg_port=self.pg_port, port=self.port, warehouse=self.warehouse,
                                    external_warehouse=self.external_warehouse))
        with open(HADOOP_CLASSPATH_FILE) as f:
            hadoop = f.read().strip()
        classpath = os.pathsep.join([conf, os.path.join(HIVE_HOME, "lib", "*"), hadoop])
        env = dict(os.environ, METASTORE_HOME=HIVE_HOME, METASTORE_CONF_DIR=conf)
        java = ["java", "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", classpath]
        self._run(java + ["org.apache.hadoop.hive.metastore.tools.schematool.MetastoreSchemaTool",
                          "-initSchema", "-dbType", "postgres"], "schematool.log", env=env)
        self.log = open(os.path.join(self.dir, "hms.log"), "ab")
        server_java = java
        if self.heap_mb != 384 or self.durable:
            # A benchmark runs the server as deployed: full JIT, the chosen heap.
            server_java = ["java", "-Xmx%dm" % self.heap_mb, "-cp", classpath]
        self.proc = subprocess.Popen(
            server_java + ["org.apache.hadoop.hive.metastore.HiveMetaStore", "-p", str(self.port)],
            stdout=self.log, stderr=subprocess.STDOUT, env=env, cwd=self.dir)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("reference HMS exited (%s); log:\n%s"
                                   % (self.proc.returncode, self.read_log()))
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.5)
        raise RuntimeError("reference HMS did not listen; log:\n" + self.read_log())

    def read_log(self):
        try:
            with open(os.path.join(self.dir, "hms.log"), "rb") as f:
                lines = f.read().decode(errors="replace").splitlines()
            return "\n".join(l for l in lines if " DEBUG " not in l)[-8000:]
        except OSError:
            return ""

    def stop(self):
        if self.proc is not None:
            stop_process(self.proc)
            self.log.close()
            self.proc = None
        if self.pg is not None:
            self.pg.stop()
            self.pg = None
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None


if __name__ == "__main__":
    # Manual use: python3 tests/hive/reference_hms.py -> runs until Ctrl-C.
    hms = ReferenceHms().start()
    print("reference HMS on thrift://127.0.0.1:%d (PostgreSQL on %d, dir %s)"
          % (hms.port, hms.pg_port, hms.dir), flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        hms.stop()

"""A reference Apache Hive Metastore (Hive's own server) for differential tests.

ReferenceHms().start() brings up, in a fresh temporary directory:
  * PostgreSQL 15 (Debian's /usr/lib/postgresql/15) on a free loopback port,
    initialised with initdb (run as the `postgres` user when we are root, since
    PostgreSQL refuses to run as root), fsync off;
  * Hive's schema in it, by Hive's schematool (MetastoreSchemaTool -initSchema);
  * Hive's standalone metastore server (HiveMetaStore) on another free port,
    with its warehouse under the temporary directory.
stop() ends both and removes the directory. Everything comes from the cache
deploy/install-hive.sh fills (${ARBOR_CACHE:-~/.cache/arbor}/hive): the server
tarball's lib/ and the Hadoop classpath Hive leaves to its user. One JVM for the
schema tool, one for the server; startup takes about half a minute.
"""

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time

CACHE = os.path.join(os.environ.get("ARBOR_CACHE", os.path.expanduser("~/.cache/arbor")), "hive")
HIVE_HOME = os.path.join(CACHE, "apache-hive-metastore-4.0.1-bin")
HADOOP_CLASSPATH_FILE = os.path.join(CACHE, "reference-hadoop.classpath")
PG_BIN = "/usr/lib/postgresql/15/bin"


def installed():
    return (os.path.isdir(os.path.join(HIVE_HOME, "lib")) and os.path.exists(HADOOP_CLASSPATH_FILE)
            and os.path.exists(os.path.join(PG_BIN, "initdb")))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SITE_XML = """<?xml version="1.0"?>
<configuration>
  <property><name>javax.jdo.option.ConnectionURL</name><value>jdbc:postgresql://127.0.0.1:{pg_port}/metastore</value></property>
  <property><name>javax.jdo.option.ConnectionDriverName</name><value>org.postgresql.Driver</value></property>
  <property><name>javax.jdo.option.ConnectionUserName</name><value>hive</value></property>
  <property><name>javax.jdo.option.ConnectionPassword</name><value>hive</value></property>
  <property><name>metastore.warehouse.dir</name><value>{warehouse}</value></property>
  <property><name>metastore.warehouse.external.dir</name><value>{warehouse}</value></property>
  <property><name>metastore.thrift.port</name><value>{port}</value></property>
  <property><name>metastore.event.db.notification.api.auth</name><value>false</value></property>
  <property><name>metastore.server.min.threads</name><value>4</value></property>
</configuration>
"""


class ReferenceHms:
    """durable: PostgreSQL with fsync, full page writes and synchronous commit on
    (its defaults), for benchmarks; the tests run with all three off.
    heap_mb: the metastore JVM's -Xmx (the schema tool keeps 384 MB)."""

    def __init__(self, durable=False, heap_mb=384):
        self.durable = durable
        self.heap_mb = heap_mb
        self.dir = None
        self.port = None
        self.pg_port = None
        self.proc = None
        self.warehouse = None

    def _as_postgres(self, args):
        if os.geteuid() == 0:
            return ["runuser", "-u", "postgres", "--"] + args
        return args

    def _run(self, args, log, env=None):
        with open(os.path.join(self.dir, log), "ab") as out:
            subprocess.run(args, check=True, stdout=out, stderr=subprocess.STDOUT, env=env,
                           cwd=self.dir, timeout=300)

    def start(self, timeout=120):
        self.dir = tempfile.mkdtemp(prefix="arbor-refhms-")
        os.chmod(self.dir, 0o755)
        pg_dir = os.path.join(self.dir, "pg")
        os.mkdir(pg_dir)
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            os.chown(pg_dir, pw.pw_uid, pw.pw_gid)
        self.pg_port = free_port()
        self._run(self._as_postgres([os.path.join(PG_BIN, "initdb"), "-A", "trust", "-U", "hive",
                                     "--no-sync", "-E", "UTF8", "-D",
                                     os.path.join(pg_dir, "data")]), "initdb.log")
        opts = "-p %d -k %s -c listen_addresses=127.0.0.1" % (self.pg_port, pg_dir)
        if not self.durable:
            opts += " -c fsync=off -c full_page_writes=off -c synchronous_commit=off"
        self._run(self._as_postgres([os.path.join(PG_BIN, "pg_ctl"), "-D",
                                     os.path.join(pg_dir, "data"), "-l",
                                     os.path.join(pg_dir, "log"), "-w", "-o", opts, "start"]),
                  "pg_ctl.log")
        self._run([os.path.join(PG_BIN, "createdb"), "-h", "127.0.0.1", "-p", str(self.pg_port),
                   "-U", "hive", "metastore"], "createdb.log")

        self.port = free_port()
        self.warehouse = "file:" + os.path.join(self.dir, "warehouse")
        conf = os.path.join(self.dir, "conf")
        os.mkdir(conf)
        with open(os.path.join(conf, "metastore-site.xml"), "w") as f:
            f.write(SITE_XML.format(pg_port=self.pg_port, port=self.port, warehouse=self.warehouse))
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
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.log.close()
            self.proc = None
        if self.dir:
            data = os.path.join(self.dir, "pg", "data")
            if os.path.isdir(data):
                subprocess.run(self._as_postgres([os.path.join(PG_BIN, "pg_ctl"), "-D", data,
                                                  "-m", "immediate", "-w", "stop"]),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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

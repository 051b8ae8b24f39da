"""One Trino single-node coordinator for a test module, and a small client for it.

Trino comes from deploy/install-trino.sh (ARBOR_TRINO_DIR: the unpacked server, the
CLI jar and the java-home it runs with). The server's own folders are never written:
each Trino gets a temporary etc/ and data folder, and a plugin folder holding links
to just the plugins its catalogs use, because loading all ~60 plugins is most of a
cold start. Catalogs read and write arbord's file:// locations through Hadoop's
local file system (fs.hadoop.enabled). Not Trino 476's native one
(fs.native-local.enabled + local.location): it accepts file:// locations but lists
a directory's files as local:///..., which the Hive connector does not count as
inside a file:/... table or partition, so every table would read as empty.

Queries go over Trino's HTTP client protocol (POST /v1/statement, then follow
nextUri); `cli()` runs one statement through the real trino-cli jar.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from processes import stop_process  # noqa: E402

TRINO_VERSION = "476"


class TrinoError(Exception):
    """A query failed in Trino; `name` is Trino's errorName (e.g. TABLE_NOT_FOUND)."""

    def __init__(self, name, message):
        super().__init__("%s: %s" % (name, message))
        self.name = name
        self.message = message


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _write(path, lines):
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


class Trino:
    """catalogs: {name: {property: value}}; a catalog's plugin is its connector.name."""

    def __init__(self, work_dir, catalogs, jvm_options=()):
        self.jvm_options = list(jvm_options)
        self.home = os.environ.get("ARBOR_TRINO_DIR", "")
        self.server_dir = os.path.join(self.home, "trino-server-" + TRINO_VERSION)
        if not os.path.isdir(os.path.join(self.server_dir, "lib")):
            raise RuntimeError("Trino %s is not installed in ARBOR_TRINO_DIR=%r "
                               "(run deploy/install-trino.sh)" % (TRINO_VERSION, self.home))
        with open(os.path.join(self.home, "java-home")) as f:
            self.java = os.path.join(f.read().strip(), "bin", "java")
        self.cli_jar = os.path.join(self.home, "trino-cli-%s.jar" % TRINO_VERSION)
        self.work_dir = work_dir
        self.catalogs = catalogs
        self.port = None
        self.proc = None
        self.log_path = os.path.join(work_dir, "trino.log")

    def _configure(self):
        etc = os.path.join(self.work_dir, "etc")
        plugins = os.path.join(self.work_dir, "plugin")
        os.makedirs(os.path.join(etc, "catalog"), exist_ok=True)
        os.makedirs(plugins, exist_ok=True)
        self.port = _free_port()
        _write(os.path.join(etc, "config.properties"), [
            "coordinator=true",
            "node-scheduler.include-coordinator=true",
            "http-server.http.port=%d" % self.port,
            "discovery.uri=http://127.0.0.1:%d" % self.port,
            "plugin.dir=" + plugins,
            "query.max-memory=256MB",
            "query.max-memory-per-node=256MB",
            # Small data: one writer and few drivers keep files and threads few.
            "task.concurrency=2",
            "task.max-worker-threads=4",
            # One node on a busy CI machine: a heartbeat the coordinator sends itself
            # can time out under load, and the failure detector would then drop the
            # only worker (queries fail with NO_NODES_AVAILABLE). Nothing to detect here.
            "failure-detector.enabled=false",
        ])
        _write(os.path.join(etc, "log.properties"), ["io.trino=WARN"])
        for name, props in self.catalogs.items():
            plugin = props["connector.name"]
            link = os.path.join(plugins, plugin)
            if not os.path.exists(link):
                os.symlink(os.path.join(self.server_dir, "plugin", plugin), link)
            _write(os.path.join(etc, "catalog", name + ".properties"),
                   ["%s=%s" % kv for kv in props.items()])
        return etc

    def start(self, timeout=240):
        etc = self._configure()
        args = [
            self.java,
            "-Xmx1G", "-Xss2M",
            # Start-up time over peak speed: C1 only, one compiler thread, serial GC.
            "-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1", "-XX:+UseSerialGC",
            "-XX:+ExitOnOutOfMemoryError", "-XX:+EnableDynamicAgentLoading",
            "-Djdk.attach.allowAttachSelf=true",
            # What Trino's launcher passes from node.properties.
            "-Dnode.environment=arbor_test", "-Dnode.id=arbor-test-node",
            "-Dnode.data-dir=" + os.path.join(self.work_dir, "data"),
            "-Dconfig=" + os.path.join(etc, "config.properties"),
            "-Dlog.levels-file=" + os.path.join(etc, "log.properties"),
            "-Dcatalog.config-dir=" + os.path.join(etc, "catalog"),
        ] + self.jvm_options + [
            "-cp", os.path.join(self.server_dir, "lib", "*"),
            "io.trino.server.TrinoServer",
        ]
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT,
                                     cwd=self.work_dir)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("Trino exited early (code %s); log:\n%s"
                                   % (self.proc.returncode, self.read_log()))
            if self._ready():
                return self
            time.sleep(0.25)
        self.stop()
        raise RuntimeError("Trino did not start in %ds; log:\n%s" % (timeout, self.read_log()))

    def _ready(self):
        """Serving queries: the coordinator has started and has announced itself as a
        worker for every catalog (until then a query fails with NO_NODES_AVAILABLE)."""
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/v1/info" % self.port,
                                        timeout=5) as r:
                if json.loads(r.read()).get("starting", True):
                    return False
            for name in self.catalogs:
                self.query("SELECT count(*) FROM %s.information_schema.schemata" % name)
            return True
        except (OSError, TrinoError):
            return False

    def read_log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode(errors="replace")[-20000:]
        except OSError:
            return ""

    def stop(self):
        if self.proc is None:
            return
        stop_process(self.proc)
        self.log.close()
        self.proc = None

    def _request(self, method, url, body=None):
        req = urllib.request.Request(url, method=method, data=body, headers={
            "X-Trino-User": "arbor", "Content-Type": "text/plain"})
        with urllib.request.urlopen(req, timeout=120) as r:
            return json.loads(r.read())

    def query(self, sql):
        """Runs one statement; returns its rows as a list of tuples. A failed query
        raises TrinoError. NO_NODES_AVAILABLE is retried for up to a minute: Trino
        refuses such a query before running any of it, and on a loaded machine its
        only node can briefly drop out of the node list between queries."""
        deadline = time.time() + 60
        while True:
            try:
                return self._query_once(sql)
            except TrinoError as e:
                if e.name != "NO_NODES_AVAILABLE" or time.time() > deadline:
                    raise
                time.sleep(1)

    def _query_once(self, sql):
        reply = self._request("POST", "http://127.0.0.1:%d/v1/statement" % self.port,
                              sql.encode())
        rows = []
        while True:
            rows.extend(tuple(r) for r in reply.get("data") or [])
            if "error" in reply:
                err = reply["error"]
                raise TrinoError(err.get("errorName", "?"), err.get("message", ""))
            if "nextUri" not in reply:
                return rows
            reply = self._request("GET", reply["nextUri"])

    def cli(self, sql):
        """Runs one statement through the trino-cli jar; returns its CSV output."""
        out = subprocess.run(
            [self.java, "-jar", self.cli_jar, "--server", "http://127.0.0.1:%d" % self.port,
             "--user", "arbor", "--output-format", "CSV", "--execute", sql],
            capture_output=True, text=True, timeout=120)
        if out.returncode != 0:
            raise AssertionError("trino-cli failed (%d): %s%s"
                                 % (out.returncode, out.stdout, out.stderr))
        return out.stdout


def catalog_properties(connector, server, **extra):
    """The properties of one catalog whose metastore is arbord `server`."""
    props = {
        "connector.name": connector,
        "hive.metastore.uri": server.uri,
        "fs.hadoop.enabled": "true",
    }
    props.update(extra)
    return props


def module_trino(request, tmp_path_factory, catalogs, jvm_options=()):
    """Generator for a module-scoped fixture: one Trino with `catalogs` (and extra JVM
    options), stopped at module end; its log is kept under ARBOR_ENGINE_LOGS (as
    conftest keeps arbord's)."""
    trino = Trino(str(tmp_path_factory.mktemp("trino")), catalogs, jvm_options).start()
    name = os.path.splitext(os.path.basename(request.module.__file__))[0]
    try:
        yield trino
    finally:
        trino.stop()
        keep = os.environ.get("ARBOR_ENGINE_LOGS")
        if keep:
            os.makedirs(keep, exist_ok=True)
            with open(os.path.join(keep, name + ".trino.log"), "w") as f:
                f.write(trino.read_log())

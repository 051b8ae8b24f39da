"""Runs the DuckDB extension's SQL scripts on the glue and dataproc providers.

Usage: duckdb_cloud_sqltest.py glue|dataproc SCRIPT.test...   (run by ctest)

Scripts come from two places:
  * tests/duckdb/*.test, written for the hive provider: every
    `ATTACH '${HMS}' AS <name> (TYPE metastore, PROVIDER hive` is rewritten to the
    provider under test, the rest of the script runs unchanged. For glue the data is a
    mirror of tests/duckdb/fixtures.py loaded into moto (cloud_fixture.load_mirror); for
    dataproc it is arbord itself, found through the Dataproc Metastore stand-in.
  * tests/cloud/*.test: the provider's own cases (secrets, pagination, pushdown,
    throttling, bad credentials; discovery errors).

It runs in the DuckDB venv (tests/duckdb/sqltest.py does the loading and the checks);
moto, the throttling proxy and the stand-in run in the cloud venv (ARBOR_CLOUD_PYTHON)
as one child process, cloud_fixture.py, stopped at the end.

One directive beyond sqltest.py's, between blocks, for the provider's own scripts:
    control throttle N          the proxy answers ThrottlingException "Rate exceeded" to
                                the next N Glue requests (-1: all; 0: none)
    control expect throttled=N  the proxy throttled exactly N requests since the last
                                `control throttle` (also forwarded=N)
The script's blocks between directives run on one DuckDB connection, in order.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "duckdb"))
import sqltest  # noqa: E402  (imports duckdb RTLD_GLOBAL, harness, fixtures)
import fixtures  # noqa: E402
import harness  # noqa: E402

CLOUD_PYTHON = os.environ.get("ARBOR_CLOUD_PYTHON",
                              os.path.expanduser("~/.cache/arbor/cloud/venv/bin/python"))
HIVE_ATTACH = re.compile(r"ATTACH '\$\{HMS\}' AS (\w+) \(TYPE metastore, PROVIDER hive")
SERVICE = "projects/arbor-project/locations/europe-west1/services/lake"
ATTACH = {
    "glue": "ATTACH 'glue://' AS \\1 (TYPE metastore, PROVIDER glue, ENDPOINT '${GLUE}', "
            "REGION '${REGION}', ACCESS_KEY_ID '${KEY}', SECRET_ACCESS_KEY '${SECRET}'",
    "dataproc": "ATTACH 'dataproc://" + SERVICE + "' AS \\1 (TYPE metastore, PROVIDER dataproc, "
                "API_ENDPOINT '${DATAPROC_API}', CREDENTIALS_FILE '${DATAPROC_KEY}'",
}


class CloudServices:
    """cloud_fixture.py in the cloud venv; its state file says where everything listens."""

    def __init__(self, tmp, arbord_port=None):
        state_file = os.path.join(tmp, "cloud-state.json")
        args = [CLOUD_PYTHON, os.path.join(HERE, "cloud_fixture.py"), state_file]
        if arbord_port is not None:
            args += ["--dataproc", str(arbord_port)]
        self.log = open(os.path.join(tmp, "cloud-fixture.log"), "w")
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 180
        while not os.path.exists(state_file):
            if self.proc.poll() is not None or time.time() > deadline:
                self.stop()
                with open(self.log.name) as f:
                    raise RuntimeError("cloud fixture did not start:\n" + f.read()[-3000:])
            time.sleep(0.1)
        with open(state_file) as f:
            self.state = json.load(f)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()


class SharedConnection:
    """One connection for all segments of a script: sqltest.run_script closes the
    connection it gets at the end of each segment; here only the last close counts."""

    def __init__(self):
        self.con = None

    def connect(self):
        if self.con is None:
            self.con = ORIGINAL_CONNECT()
        return self

    def execute(self, sql):
        return self.con.execute(sql)

    def close(self):
        pass

    def really_close(self):
        if self.con is not None:
            self.con.close()
            self.con = None


ORIGINAL_CONNECT = sqltest.connect


def control(line, where, proxy):
    words = line.split()
    if words[1] == "throttle" and len(words) == 3:
        req = urllib.request.Request(f"{proxy}/__proxy/throttle?next={int(words[2])}", data=b"", method="POST")
        urllib.request.urlopen(req, timeout=10).read()
        return
    if words[1] == "expect":
        stats = json.loads(urllib.request.urlopen(f"{proxy}/__proxy/stats", timeout=10).read())
        for item in words[2:]:
            key, value = item.split("=")
            if stats[key] != int(value):
                raise sqltest.Failure(f"{where}: proxy {key} is {stats[key]}, expected {value}")
        return
    raise sqltest.Failure(f"{where}: unknown control directive {line!r}")


def run(path, variables, proxy, tmp):
    """Runs a script, handling `control` lines itself and the rest through sqltest."""
    with open(path) as f:
        lines = f.read().split("\n")
    shared = SharedConnection()
    sqltest.connect = shared.connect
    try:
        segment, first = [], 0
        for i, line in enumerate(lines + ["control end"]):
            if not line.startswith("control "):
                segment.append(line)
                continue
            if any(l.strip() for l in segment):
                # Padding keeps sqltest's line numbers those of the original script.
                part = os.path.join(tmp, os.path.basename(path))
                with open(part, "w") as f:
                    f.write("\n" * first + "\n".join(segment))
                sqltest.run_script(part, variables)
            if line != "control end":
                control(line, f"{os.path.basename(path)}:{i + 1}", proxy)
            segment, first = [], i + 1
    finally:
        sqltest.connect = ORIGINAL_CONNECT
        shared.really_close()


def prepare(script, provider, tmp):
    """A hive script with its ATTACHes pointed at `provider`; the provider's own as is."""
    if os.path.dirname(os.path.abspath(script)) == HERE:
        return script
    with open(script) as f:
        text = f.read()
    rewritten, n = HIVE_ATTACH.subn(ATTACH[provider], text)
    if n == 0:
        raise sqltest.Failure(f"{script}: no hive ATTACH to rewrite")
    path = os.path.join(tmp, f"{provider}-{os.path.basename(script)}")
    with open(path, "w") as f:
        f.write(rewritten)
    return path


def main():
    provider, scripts = sys.argv[1], sys.argv[2:]
    started = time.time()
    tmp = tempfile.mkdtemp(prefix=f"arbor-duckdb-{provider}-")
    server = services = None
    try:
        variables = {}
        if provider == "dataproc":
            server = harness.Arbord()
            server.start()
            warehouse = os.path.join(server.data_dir, "warehouse")
            fixtures.build(server, warehouse)
            variables.update({"HMS": "thrift://127.0.0.1:%d" % server.port,
                              "ADMIN": "http://127.0.0.1:%d" % server.http_port,
                              "WAREHOUSE": warehouse})
        services = CloudServices(tmp, server.port if server else None)
        s = services.state
        variables.update({"GLUE": s["proxy_endpoint"], "REGION": s["region"], "KEY": s["access_key"],
                          "SECRET": s["secret_key"], "AUTH_GLUE": s["auth_endpoint"],
                          "AUTH_KEY": s["auth_key"], "AUTH_SECRET": s["auth_secret"],
                          "DATAPROC_API": s["dataproc_endpoint"], "DATAPROC_KEY": s["key_file"],
                          "DATAPROC_SERVICE": SERVICE})
        variables.setdefault("WAREHOUSE", s["warehouse"])
        for script in scripts:
            run(prepare(script, provider, tmp), variables, s["proxy_endpoint"], tmp)
            print(f"ok {provider} {os.path.basename(script)}", flush=True)
    except sqltest.Failure as e:
        print(f"FAIL {provider}: {e}")
        if server:
            print("arbord log tail:\n" + server.read_log()[-3000:])
        sys.exit(1)
    finally:
        if services:
            services.stop()
        if server:
            server.stop()
            server.cleanup()
    print(f"{len(scripts)} script(s) passed on {provider} in {time.time() - started:.1f}s")


if __name__ == "__main__":
    main()

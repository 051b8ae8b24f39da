"""A throw-away PostgreSQL 15 cluster (Debian's /usr/lib/postgresql/15) for tests.

PgCluster().start() runs initdb in a fresh temporary directory (as the `postgres`
user when we are root: PostgreSQL refuses to run as root) and starts the server on
a free loopback port, fsync off: a test's cluster is never worth a disk flush.
url(db) is a libpq URI for user `arbor` (trust authentication); create_database()
makes an empty database. stop() ends the server and removes the directory.

Also a ctest fixture: `pg_cluster.py start STATE_FILE` starts a cluster and writes
its state (JSON: dir, port) to STATE_FILE; `pg_cluster.py stop STATE_FILE` ends it.
Tests find the cluster through ARBOR_TEST_PG_STATE=STATE_FILE (see attach()).
"""

import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile

PG_BIN = "/usr/lib/postgresql/15/bin"
USER = "arbor"


def installed():
    return os.path.exists(os.path.join(PG_BIN, "initdb"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(args):
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--"] + args
    return args


class PgCluster:
    def __init__(self, dir=None, port=None, user=USER):
        self.dir = dir
        self.port = port
        self.user = user

    @property
    def data(self):
        return os.path.join(self.dir, "data")

    def _run(self, args, log):
        with open(os.path.join(self.dir, log), "ab") as out:
            subprocess.run(args, check=True, stdout=out, stderr=subprocess.STDOUT, cwd=self.dir,
                           timeout=300)

    def start(self, max_connections=300, extra_options="", durable=False):
        """durable: keep PostgreSQL's own fsync and full page writes (for benchmarks)."""
        self.dir = tempfile.mkdtemp(prefix="arbor-pg-")
        os.chmod(self.dir, 0o755)
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        self.port = free_port()
        self._run(_as_postgres([os.path.join(PG_BIN, "initdb"), "-A", "trust", "-U", self.user,
                                "--no-sync", "-E", "UTF8", "-D", self.data]), "initdb.log")
        opts = "-p %d -k %s -c listen_addresses=127.0.0.1 -c max_connections=%d %s" % (
            self.port, self.dir, max_connections, extra_options)
        if not durable:
            opts += " -c fsync=off -c full_page_writes=off"
        self._run(_as_postgres([os.path.join(PG_BIN, "pg_ctl"), "-D", self.data, "-l",
                                os.path.join(self.dir, "log"), "-w", "-o", opts, "start"]),
                  "pg_ctl.log")
        return self

    def url(self, db="postgres"):
        return "postgresql://%s@127.0.0.1:%d/%s" % (self.user, self.port, db)

    def psql(self, sql, db="postgres"):
        out = subprocess.run([os.path.join(PG_BIN, "psql"), "-X", "-q", "-At", "-v",
                              "ON_ERROR_STOP=1", "-d", self.url(db), "-c", sql],
                             check=True, capture_output=True, text=True, timeout=120)
        return out.stdout

    def create_database(self, name):
        self.psql('CREATE DATABASE "%s"' % name)
        return self.url(name)

    def stop(self):
        if self.dir:
            if os.path.isdir(self.data):
                subprocess.run(_as_postgres([os.path.join(PG_BIN, "pg_ctl"), "-D", self.data,
                                             "-m", "immediate", "-w", "stop"]),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None


def attach():
    """The cluster a ctest fixture started (ARBOR_TEST_PG_STATE), or None."""
    state = os.environ.get("ARBOR_TEST_PG_STATE")
    if not state:
        return None
    with open(state) as f:
        s = json.load(f)
    return PgCluster(dir=s["dir"], port=s["port"])


def main(argv):
    if len(argv) != 3 or argv[1] not in ("start", "stop"):
        print("usage: pg_cluster.py start|stop STATE_FILE", file=sys.stderr)
        return 2
    state = argv[2]
    if argv[1] == "start":
        if os.path.exists(state):  # a previous run that never cleaned up
            main([argv[0], "stop", state])
        cluster = PgCluster().start()
        with open(state, "w") as f:
            json.dump({"dir": cluster.dir, "port": cluster.port}, f)
        print("PostgreSQL on %s" % cluster.url(), flush=True)
        return 0
    if os.path.exists(state):
        with open(state) as f:
            s = json.load(f)
        PgCluster(dir=s["dir"], port=s["port"]).stop()
        os.remove(state)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

"""The admin CLI, `arbor`, end to end: real arbord, real arbor binary, Thrift writes.

Every test runs build/bin/arbor as a subprocess against an arbord started by the
harness, and checks what a user sees: stdout, stderr and the exit code
(0 ok, 1 error, 2 usage, 3 merge conflicts), and what Hive clients see over Thrift.
The binary comes from ARBOR_CLI, or sits next to ARBORD.

Tests that need arbord's admin HTTP API skip while arbord does not report an
http port in its ready line; the tests that need no server always run.
"""

import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import unittest
from http.server import BaseHTTPRequestHandler, HTTPServer

from harness import ARBORD, Arbord, hms, main, make_partition, make_table

ARBOR_CLI = os.environ.get("ARBOR_CLI") or os.path.join(os.path.dirname(ARBORD), "arbor")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_arbor(*args, server=None, env=None, timeout=60):
    """Runs arbor with a clean environment: only ARBOR_SERVER (if given) and `env`."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("ARBOR_")}
    if server is not None:
        full_env["ARBOR_SERVER"] = server
    full_env.update(env or {})
    return subprocess.run([ARBOR_CLI] + list(args), capture_output=True, text=True,
                          env=full_env, timeout=timeout)


class CliTestCase(unittest.TestCase):
    def setUp(self):
        if not os.access(ARBOR_CLI, os.X_OK):
            self.fail("the arbor binary is not at %s: build it (ninja arbor) or set ARBOR_CLI"
                      % ARBOR_CLI)

    def check(self, proc, code):
        self.assertEqual(proc.returncode, code,
                         "exit %d, expected %d\nstdout:\n%s\nstderr:\n%s"
                         % (proc.returncode, code, proc.stdout, proc.stderr))
        return proc


# --------------------------------------------------------------------------- no server


class CliOfflineTest(CliTestCase):
    """Help, usage errors and network errors: no arbord needed."""

    COMMANDS = ["branch list", "branch create", "branch delete", "branch show", "branch protect",
                "branch unprotect", "branch mode", "tag list", "tag create", "tag delete",
                "commit", "log", "show", "diff", "merge", "reset", "revert", "ls"]

    def test_main_help_lists_every_command(self):
        for flag in (["--help"], ["-h"], ["help"]):
            p = self.check(run_arbor(*flag), 0)
            for cmd in self.COMMANDS:
                self.assertIn("\n  " + cmd, p.stdout, cmd)
            for opt in ("--server", "--token", "-o, --output"):
                self.assertIn(opt, p.stdout)
            self.assertIn("exit codes", p.stdout)
            self.assertIn("examples:", p.stdout)

    def test_command_help_explains_options_with_examples(self):
        for cmd in self.COMMANDS:
            p = self.check(run_arbor(*(cmd.split() + ["--help"])), 0)
            self.assertIn("usage: arbor " + cmd, p.stdout)
            self.assertIn("examples:\n  arbor " + cmd.split()[0], p.stdout, cmd)
            self.assertIn("--server URL", p.stdout)
        p = self.check(run_arbor("merge", "--help"), 0)
        for opt in ("--into BRANCH", "--strategy S", "--dry-run", "-m, --message MESSAGE",
                    "source-wins", "dest-wins"):
            self.assertIn(opt, p.stdout)
        p = self.check(run_arbor("help", "commit"), 0)
        for opt in ("-m, --message MESSAGE", "--meta KEY=VALUE", "--allow-empty"):
            self.assertIn(opt, p.stdout)
        # Help before the command, and group help.
        self.assertIn("usage: arbor diff", self.check(run_arbor("-h", "diff"), 0).stdout)
        p = self.check(run_arbor("branch", "--help"), 0)
        self.assertIn("arbor branch create NAME [--from REF]", p.stdout)

    def test_usage_errors_exit_2(self):
        cases = [
            ([], "no command given"),
            (["frobnicate"], "unknown command 'frobnicate'"),
            (["branch", "rename", "a"], "unknown command 'arbor branch rename'"),
            (["branch", "create"], "missing NAME"),
            (["branch", "list", "extra"], "unexpected argument 'extra'"),
            (["commit", "dev"], "missing -m MESSAGE"),
            (["commit", "dev", "-m"], "needs a value"),
            (["commit", "dev", "-m", "x", "--meta", "novalue"], "KEY=VALUE"),
            (["merge", "dev"], "missing --into BRANCH"),
            (["merge", "dev", "--into", "main", "--strategy", "ours"], "--strategy must be one of"),
            (["log", "main", "--limit", "0"], "--limit must be a positive integer"),
            (["log", "main", "--limit", "ten"], "--limit must be a positive integer"),
            (["-o", "yaml", "branch", "list"], "must be one of table, json"),
            (["--bogus", "branch", "list"], "unknown option '--bogus'"),
            (["branch", "list", "--bogus=1"], "unknown option '--bogus'"),
            (["branch", "mode", "dev", "manual"], "MODE must be one of staged, auto"),
            (["diff", "--allow-empty", "a"], "unknown option '--allow-empty'"),
            (["--server", "ftp://host:1", "branch", "list"], "invalid server URL"),
            (["--server", "http://host:99999", "branch", "list"], "invalid server URL"),
            (["revert", "main", "abc", "--parent", "3"], "--parent must be one of 1, 2"),
        ]
        for args, message in cases:
            p = self.check(run_arbor(*args, server="http://127.0.0.1:9"), 2)
            self.assertIn(message, p.stderr, args)
            self.assertTrue(p.stderr.startswith("arbor: "), p.stderr)
            self.assertIn("usage: arbor", p.stderr, args)
            self.assertIn("hint: see 'arbor", p.stderr, args)
            self.assertEqual(p.stdout, "", args)
        p = run_arbor("commit", "dev")
        self.assertIn("usage: arbor commit BRANCH -m MESSAGE", p.stderr)
        self.assertIn("hint: see 'arbor commit --help'", p.stderr)

    def test_unreachable_server_exits_1_with_a_clear_message(self):
        port = free_port()
        url = "http://127.0.0.1:%d" % port
        for p in (run_arbor("branch", "list", server=url),
                  run_arbor("--server", url, "log", "main"),
                  run_arbor("diff", "main", "dev", "--server", url)):
            self.check(p, 1)
            self.assertIn("arbor: cannot connect to %s: " % url, p.stderr)
            self.assertIn("refused", p.stderr.lower())
            self.assertIn("ARBOR_SERVER", p.stderr)
            self.assertEqual(p.stdout, "")
        # The default server is 127.0.0.1:9084.
        p = run_arbor("branch", "list", env={"ARBOR_TIMEOUT": "5"})
        if p.returncode == 1:
            self.assertIn("127.0.0.1:9084", p.stderr)

    def test_server_that_does_not_speak_http(self):
        with socket.socket() as listener:
            listener.bind(("127.0.0.1", 0))
            listener.listen(1)
            port = listener.getsockname()[1]

            def serve():
                conn, _ = listener.accept()
                conn.recv(65536)
                conn.sendall(b"\x80\x01\x00\x03garbage, not HTTP\r\n\r\n")
                conn.close()

            t = threading.Thread(target=serve)
            t.start()
            p = self.check(run_arbor("branch", "list", server="http://127.0.0.1:%d" % port), 1)
            t.join()
        self.assertIn("did not answer HTTP", p.stderr)

    def test_version(self):
        self.assertRegex(self.check(run_arbor("--version"), 0).stdout, r"^arbor \d+\.\d+")


# --------------------------------------------------------------------------- fake API, TLS


class FakeApi(BaseHTTPRequestHandler):
    """Answers GET /api/v1/branches with one branch; records the Authorization header."""

    seen_auth = []

    def do_GET(self):
        FakeApi.seen_auth.append(self.headers.get("Authorization"))
        if self.path == "/base/api/v1/branches":
            body = json.dumps({"branches": [{"name": "main", "head": "ab" * 32,
                                             "protected": False, "commit_mode": "staged",
                                             "is_default": True, "unknown_new_field": 1}]})
            status = 200
        else:
            body = json.dumps({"code": "NOT_FOUND", "message": "no such route: " + self.path,
                               "details": {}})
            status = 404
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


class CliTlsTest(CliTestCase):
    """https with certificate verification, against a small Python HTTPS server."""

    @classmethod
    def setUpClass(cls):
        import ssl
        cls.dir = tempfile.mkdtemp(prefix="arbor-cli-tls-")
        cls.cert = os.path.join(cls.dir, "cert.pem")
        key = os.path.join(cls.dir, "key.pem")
        made = subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
             "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
             "-keyout", key, "-out", cls.cert], capture_output=True)
        if made.returncode != 0:
            raise unittest.SkipTest("openssl cannot make a test certificate")
        cls.httpd = HTTPServer(("127.0.0.1", 0), FakeApi)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cls.cert, key)
        cls.httpd.socket = ctx.wrap_socket(cls.httpd.socket, server_side=True)
        cls.thread = threading.Thread(target=cls.httpd.serve_forever, daemon=True)
        cls.thread.start()
        cls.url = "https://127.0.0.1:%d/base" % cls.httpd.server_address[1]

    @classmethod
    def tearDownClass(cls):
        cls.httpd.shutdown()
        cls.httpd.server_close()

    def test_https_verifies_the_certificate(self):
        p = self.check(run_arbor("branch", "list", server=self.url), 1)
        self.assertIn("TLS handshake with", p.stderr)
        self.assertIn("--cacert", p.stderr)

    def test_https_with_cacert_insecure_and_token(self):
        FakeApi.seen_auth.clear()
        p = self.check(run_arbor("branch", "list", "--cacert", self.cert, "--token", "t0k",
                                 server=self.url), 0)
        self.assertIn("main", p.stdout)
        self.assertIn("abababababab", p.stdout)
        self.assertEqual(FakeApi.seen_auth, ["Bearer t0k"])
        p = self.check(run_arbor("branch", "list", "-o", "json", server=self.url,
                                 env={"ARBOR_CACERT": self.cert, "ARBOR_TOKEN": "env-tok"}), 0)
        self.assertEqual(json.loads(p.stdout)["branches"][0]["name"], "main")
        self.assertEqual(FakeApi.seen_auth[-1], "Bearer env-tok")
        p = self.check(run_arbor("--insecure", "branch", "list", server=self.url), 0)
        self.assertIsNone(FakeApi.seen_auth[-1])
        # An error body in the API's shape prints its message.
        p = self.check(run_arbor("tag", "list", "--insecure", server=self.url), 1)
        self.assertIn("arbor: no such route: /base/api/v1/tags", p.stderr)


# --------------------------------------------------------------------------- real arbord


class ServerTestCase(CliTestCase):
    """One arbord with its admin HTTP API per class; `self.c` is a Thrift client."""

    extra_args = []

    @classmethod
    def setUpClass(cls):
        if not ARBORD:
            raise unittest.SkipTest("ARBORD is not set")
        cls.server = Arbord(cls.extra_args).start()
        if cls.server.http_port is None:
            cls.server.cleanup()
            raise unittest.SkipTest("arbord does not serve the admin HTTP API yet "
                                    "(no http= in its ready line)")
        cls.url = "http://127.0.0.1:%d" % cls.server.http_port

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def setUp(self):
        super().setUp()
        self.c = self.server.client()

    def tearDown(self):
        self.c.close()

    def arbor(self, *args, code=0, env=None):
        return self.check(run_arbor(*args, server=self.url, env=env), code)

    def json(self, *args, code=0):
        return json.loads(self.arbor(*(list(args) + ["-o", "json"]), code=code).stdout)

    def head(self, branch):
        return self.json("branch", "show", branch)["head"]

    def branch(self, name, source=None):
        args = ["branch", "create", name] + (["--from", source] if source else [])
        self.arbor(*args)

    def set_location(self, db, table, location):
        t = self.c.get_table(db, table)
        t.sd.location = location
        self.c.alter_table(db, table, t)


class CliWorkflowTest(ServerTestCase):

    def test_branch_write_diff_commit_merge(self):
        self.branch("dev")
        self.c.create_database(hms.Database(name="sales@dev", description="sales"))
        self.c.create_table(make_table("sales@dev", "orders", part_keys=[("ds", "string")]))
        self.c.add_partition(make_partition("sales@dev", "orders", ["2024-01-01"]))
        self.c.add_partition(make_partition("sales@dev", "orders", ["2024-01-02"]))

        expected = ["+ database sales",
                    "+ table sales.orders  (2 columns; partitioned by ds string)",
                    "+ partition sales.orders/ds=2024-01-01",
                    "+ partition sales.orders/ds=2024-01-02",
                    "4 changes: 4 added"]
        self.assertEqual(self.arbor("diff", "main", "dev").stdout.splitlines(), expected)
        # Uncommitted changes of dev: the same, until committed.
        self.assertEqual(self.arbor("diff", "dev").stdout.splitlines(), expected)
        show = self.arbor("branch", "show", "dev").stdout
        self.assertIn("uncommitted: 4 changes", show)

        p = self.arbor("commit", "dev", "-m", "load sales", "--meta", "job=etl-1",
                       "--meta", "src=s3")
        self.assertRegex(p.stdout, r"^\[dev [0-9a-f]{12}\] load sales\n")
        self.assertEqual(self.arbor("diff", "dev").stdout, "no changes\n")
        self.assertEqual(self.arbor("diff", "main", "dev").stdout.splitlines(), expected)

        commit = self.json("log", "dev", "--limit", "1")["commits"][0]
        self.assertEqual(commit["message"], "load sales")
        self.assertEqual(commit["metadata"], {"job": "etl-1", "src": "s3"})
        self.assertIn("lakefs_commit", commit)
        shown = self.arbor("show", commit["id"][:10]).stdout
        self.assertRegex(shown, r"(?m)^commit: +%s$" % commit["id"])
        self.assertRegex(shown, r"(?m)^meta job: +etl-1$")
        self.assertIn("    load sales\n", shown)
        self.assertIn("+ table sales.orders", shown)
        self.assertNotIn("lakefs", shown)  # not linked: no lakeFS line

        self.assertRaises(hms.NoSuchObjectException, self.c.get_table, "sales", "orders")
        p = self.arbor("merge", "dev", "--into", "main", "-m", "publish sales")
        self.assertRegex(p.stdout, r"^\[main [0-9a-f]{12}\] publish sales\n")
        self.assertIn("merged 'dev' into 'main': 4 changes", p.stdout)
        # The data is visible on main over Thrift.
        self.assertEqual(self.c.get_table("sales", "orders").tableName, "orders")
        self.assertEqual(self.c.get_table("sales@main", "orders").tableName, "orders")
        self.assertEqual(sorted(self.c.get_partition_names("sales", "orders", -1)),
                         ["ds=2024-01-01", "ds=2024-01-02"])
        self.assertEqual(self.arbor("diff", "main", "dev").stdout, "no changes\n")
        log = self.arbor("log", "main", "--first-parent").stdout.splitlines()
        self.assertEqual(log[0].split()[0], "COMMIT")
        self.assertIn("(merge) publish sales", log[1])
        p = self.arbor("merge", "dev", "--into", "main")
        self.assertIn("nothing to merge", p.stdout)
        # Ref expressions travel intact (^ is percent-encoded in the path).
        self.assertEqual(self.json("show", "main^2")["message"], "load sales")
        self.assertEqual(self.json("show", "main~1")["id"], self.json("show", "main^1")["id"])

        # ls at refs.
        self.assertIn("sales", self.arbor("ls", "main").stdout)
        tables = self.arbor("ls", "main", "sales").stdout.splitlines()
        self.assertEqual(tables[0].split()[:2], ["TABLE", "TYPE"])
        self.assertTrue(tables[1].startswith("orders  MANAGED_TABLE  2        ds"), tables[1])
        parts = self.arbor("ls", "main", "sales", "orders").stdout.splitlines()
        self.assertEqual([line.split()[0] for line in parts],
                         ["PARTITION", "ds=2024-01-01", "ds=2024-01-02"])
        limited = run_arbor("ls", "main", "sales", "orders", "--limit", "1", server=self.url)
        self.assertEqual(len(limited.stdout.splitlines()), 2)
        self.assertIn("raise --limit", limited.stderr)

    def test_table_field_level_summary(self):
        self.branch("alt")
        self.c.create_database(hms.Database(name="shop@alt"))
        self.c.create_table(make_table("shop@alt", "orders", location="file:/data/a",
                                       params={"keep": "1", "gone": "x"}))
        self.arbor("commit", "alt", "-m", "base")
        base = self.head("alt")
        t = self.c.get_table("shop@alt", "orders")
        t.sd.cols.append(hms.FieldSchema(name="discount", type="decimal(10,2)"))
        t.sd.location = "file:/data/b"
        t.parameters["owner"] = "ana"
        del t.parameters["gone"]
        self.c.alter_table("shop@alt", "orders", t)
        line = "~ table shop.orders  +col discount(decimal(10,2))  location: file:/data/a -> " \
               "file:/data/b  params: +owner -gone"
        self.assertEqual(self.arbor("diff", "alt").stdout.splitlines(),
                         [line, "1 change: 1 changed"])
        self.arbor("commit", "alt", "-m", "alter")
        self.assertEqual(self.arbor("diff", base, "alt").stdout.splitlines()[0], line)
        self.assertEqual(self.arbor("diff", "alt~1", "alt").stdout.splitlines()[0], line)
        d = self.json("diff", "alt~1", "alt")
        self.assertEqual(d["left"]["commit"], base)
        summary = d["changes"][0]["table_summary"]
        self.assertEqual(summary["columns_added"], ["discount"])
        self.assertEqual(summary["parameters_added"], ["owner"])

    def test_json_output_parses(self):
        self.branch("js")
        for args in (["branch", "list"], ["branch", "show", "js"], ["tag", "list"],
                     ["log", "main"], ["show", "main"], ["diff", "main", "js"], ["diff", "js"],
                     ["ls", "js"], ["ls", "js", "default"],
                     ["merge", "js", "--into", "main", "--dry-run"]):
            out = self.json(*args)
            self.assertIsInstance(out, dict, args)
        self.assertIn("js", [b["name"] for b in self.json("branch", "list")["branches"]])
        self.assertEqual(self.json("ls", "js")["databases"][0]["name"], "default")
        self.assertEqual(self.json("diff", "main", "js")["changes"], [])
        created = self.json("branch", "create", "js2", "--from", "js")
        self.assertEqual(created["name"], "js2")
        self.assertEqual(self.json("branch", "delete", "js2"),
                         {"status": "deleted", "branch": "js2"})

    def test_global_options_before_and_after_the_command(self):
        bad = {"ARBOR_SERVER": "http://127.0.0.1:%d" % free_port()}
        forms = [
            ["--server", self.url, "-o", "json", "branch", "list"],
            ["branch", "list", "--server", self.url, "-o", "json"],
            ["branch", "--server=" + self.url, "list", "-ojson"],
            ["-o", "json", "branch", "list", "--server", self.url],
            ["--output=json", "--server", self.url, "branch"],
        ]
        for args in forms:
            p = self.check(run_arbor(*args, env=bad), 0)  # the flag beats ARBOR_SERVER
            self.assertIn("main", [b["name"] for b in json.loads(p.stdout)["branches"]], args)
        # ARBOR_SERVER alone.
        self.assertIn("main", self.check(run_arbor("branch", "list", server=self.url), 0).stdout)
        # A subcommand's own option before its arguments, and `--`.
        self.branch("opts")
        self.arbor("log", "--limit", "1", "opts")
        self.arbor("commit", "-m", "-m is a message", "--allow-empty", "--", "opts")
        self.assertEqual(self.json("log", "opts", "--limit=1")["commits"][0]["message"],
                         "-m is a message")

    def test_api_errors_exit_1(self):
        p = self.arbor("branch", "show", "nope", code=1)
        self.assertTrue(p.stderr.startswith("arbor: "), p.stderr)
        self.assertIn("nope", p.stderr)
        p = self.arbor("branch", "create", "main", code=1)
        self.assertIn("main", p.stderr)
        p = self.arbor("branch", "create", "Bad Name", code=1)
        self.assertIn("Bad Name", p.stderr)
        self.arbor("log", "no-such-ref", code=1)
        self.arbor("commit", "main", "-m", "nothing staged", code=1)
        self.arbor("diff", "main", "nowhere", code=1)
        self.arbor("ls", "main", "no_such_db", code=1)

    def test_branch_lifecycle_and_mode(self):
        self.branch("life")
        self.assertIn("life", self.arbor("branch").stdout)
        p = self.arbor("branch", "mode", "life", "auto")
        self.assertIn("auto", p.stdout)
        self.assertEqual(self.json("branch", "show", "life")["commit_mode"], "auto")
        before = self.head("life")
        self.c.create_database(hms.Database(name="autodb@life"))
        self.assertNotEqual(self.head("life"), before)  # auto mode: committed at once
        self.assertEqual(self.arbor("diff", "life").stdout, "no changes\n")
        self.arbor("branch", "mode", "life", "staged")
        self.arbor("branch", "delete", "life")
        self.assertNotIn("life", self.arbor("branch", "list").stdout)
        self.assertRaises(hms.MetaException, self.c.get_all_tables, "autodb@life")


class CliMergeTest(ServerTestCase):

    def conflict(self, prefix):
        """dest and src both change conf.t's location from a common base; dest's change is in."""
        base, left, right = prefix + "-base", prefix + "-a", prefix + "-b"
        db = prefix.replace("-", "_")
        self.branch(base)
        self.c.create_database(hms.Database(name="%s@%s" % (db, base)))
        self.c.create_table(make_table("%s@%s" % (db, base), "t", location="file:/base",
                                       params={"p": "0"}))
        self.arbor("commit", base, "-m", "base")
        self.branch(left, base)
        self.branch(right, base)
        self.set_location("%s@%s" % (db, left), "t", "file:/left")
        self.set_location("%s@%s" % (db, right), "t", "file:/right")
        t = self.c.get_table("%s@%s" % (db, right), "t")
        t.parameters["q"] = "1"  # merges cleanly: a key only one side adds
        self.c.alter_table("%s@%s" % (db, right), "t", t)
        self.arbor("commit", left, "-m", "left")
        self.arbor("commit", right, "-m", "right")
        self.arbor("merge", left, "--into", base)
        return db, base, right

    def location(self, db, ref):
        return self.c.get_table("%s@%s" % (db, ref), "t").sd.location

    def test_conflict_fails_lists_and_writes_nothing(self):
        db, dest, src = self.conflict("cf")
        head = self.head(dest)
        p = self.arbor("merge", src, "--into", dest, code=3)
        self.assertEqual(p.stdout.splitlines(), [
            'conflict: table %s.t: sd.location (dest "file:/left", source "file:/right") '
            '[changed on both sides]' % db])
        self.assertIn("arbor: merging '%s' into '%s' has 1 conflict; nothing was written"
                      % (src, dest), p.stderr)
        self.assertIn("hint:", p.stderr)
        self.assertEqual(self.head(dest), head)
        self.assertTrue(self.location(db, dest).endswith("/left"))
        self.assertEqual(self.arbor("diff", dest).stdout, "no changes\n")
        # -o json: the merge result, with the conflict's sides.
        p = self.arbor("merge", src, "--into", dest, "-o", "json", code=3)
        result = json.loads(p.stdout)
        self.assertEqual(result["status"], "conflicts")
        self.assertEqual(result["conflict_count"], 1)
        conflict = result["conflicts"][0]
        self.assertEqual(conflict["key"]["table"], "t")
        self.assertEqual(conflict["fields"], ["sd.location"])
        self.assertEqual(conflict["theirs"]["sd"]["location"], "file:/right")
        self.assertEqual(self.head(dest), head)

    def test_dry_run(self):
        db, dest, src = self.conflict("dr")
        head = self.head(dest)
        p = self.arbor("merge", src, "--into", dest, "--dry-run", code=3)
        self.assertIn("dry run", p.stdout)
        self.assertIn("conflict: table %s.t: sd.location" % db, p.stdout)
        self.assertIn("would have 1 conflict", p.stderr)
        p = self.arbor("merge", src, "--into", dest, "--dry-run", "--strategy", "source-wins")
        self.assertIn("dry run: merging '%s' into '%s' would change 1 entry" % (src, dest),
                      p.stdout)
        self.assertIn("resolved (source-wins): table %s.t: sd.location" % db, p.stdout)
        result = self.json("merge", src, "--into", dest, "--dry-run", "--strategy", "dest-wins")
        self.assertEqual(result["status"], "dry_run")
        self.assertEqual(self.head(dest), head)
        self.assertTrue(self.location(db, dest).endswith("/left"))

    def test_source_wins(self):
        db, dest, src = self.conflict("sw")
        p = self.arbor("merge", src, "--into", dest, "--strategy", "source-wins")
        self.assertIn("1 conflict resolved by source-wins", p.stdout)
        self.assertIn("resolved (source-wins): table %s.t" % db, p.stdout)
        t = self.c.get_table("%s@%s" % (db, dest), "t")
        self.assertEqual(t.sd.location, "file:/right")
        self.assertEqual(t.parameters.get("q"), "1")
        self.assertEqual(len(self.json("show", dest)["parents"]), 2)

    def test_dest_wins(self):
        db, dest, src = self.conflict("dw")
        self.arbor("merge", src, "--into", dest, "--strategy", "dest-wins")
        self.assertEqual(self.location(db, dest), "file:/left")
        self.assertEqual(len(self.json("show", dest)["parents"]), 2)

    def test_merge_refuses_uncommitted_destination(self):
        self.branch("ud")
        self.branch("ud-src", "ud")
        self.c.create_database(hms.Database(name="uddb@ud-src"))
        self.arbor("commit", "ud-src", "-m", "x")
        self.c.create_database(hms.Database(name="pending@ud"))
        p = self.arbor("merge", "ud-src", "--into", "ud", code=1)
        self.assertIn("uncommitted", p.stderr)

    def test_revert(self):
        self.branch("rv")
        self.c.create_database(hms.Database(name="rvdb@rv"))
        self.c.create_table(make_table("rvdb@rv", "keep", location="file:/k1"))
        self.arbor("commit", "rv", "-m", "first")
        self.c.create_table(make_table("rvdb@rv", "extra"))
        self.arbor("commit", "rv", "-m", "second")
        second = self.head("rv")
        p = self.arbor("revert", "rv", second[:8])
        self.assertIn("reverted %s on 'rv'" % second[:12], p.stdout)
        self.assertRaises(hms.NoSuchObjectException, self.c.get_table, "rvdb@rv", "extra")
        self.assertEqual(self.c.get_table("rvdb@rv", "keep").tableName, "keep")
        self.assertTrue(self.json("log", "rv")["commits"][0]["message"].startswith("Revert"))
        # A revert that later commits contradict: exit 3, nothing written.
        self.set_location("rvdb@rv", "keep", "file:/k2")
        self.arbor("commit", "rv", "-m", "move")
        move = self.head("rv")
        self.set_location("rvdb@rv", "keep", "file:/k3")
        self.arbor("commit", "rv", "-m", "move again")
        head = self.head("rv")
        p = self.arbor("revert", "rv", move, code=3)
        self.assertIn("conflict: table rvdb.keep: sd.location", p.stdout)
        self.assertEqual(self.head("rv"), head)

    def test_reset(self):
        self.branch("rs")
        self.c.create_database(hms.Database(name="rsdb@rs"))
        self.assertIn("+ database rsdb", self.arbor("diff", "rs").stdout)
        p = self.arbor("reset", "rs")
        self.assertIn("reset branch 'rs'", p.stdout)
        self.assertEqual(self.arbor("diff", "rs").stdout, "no changes\n")
        self.assertRaises(hms.NoSuchObjectException, self.c.get_database, "rsdb@rs")

    def test_tags_are_read_only_refs(self):
        self.branch("tg")
        self.c.create_database(hms.Database(name="tagdb@tg"))
        self.c.create_table(make_table("tagdb@tg", "t1"))
        self.arbor("commit", "tg", "-m", "tables")
        p = self.arbor("tag", "create", "rel1", "tg")
        self.assertIn("created tag 'rel1'", p.stdout)
        self.assertIn("rel1", self.arbor("tag", "list").stdout)
        self.assertEqual([t["name"] for t in self.json("tag", "list")["tags"]], ["rel1"])
        self.assertEqual(self.c.get_table("tagdb@rel1", "t1").tableName, "t1")
        with self.assertRaises(hms.MetaException) as ctx:
            self.c.create_table(make_table("tagdb@rel1", "t2"))
        self.assertIn("rel1", ctx.exception.message)
        with self.assertRaises(hms.MetaException) as ctx:
            self.c.add_partition(make_partition("tagdb@rel1", "t1", ["x"]))
        self.assertIn("rel1", ctx.exception.message)
        p = self.arbor("commit", "rel1", "-m", "x", "--allow-empty", code=1)
        self.assertIn("rel1", p.stderr)
        self.assertIn("t1", self.arbor("ls", "rel1", "tagdb").stdout)
        self.assertEqual(self.arbor("diff", "rel1", "tg").stdout, "no changes\n")
        self.arbor("tag", "delete", "rel1")
        self.assertNotIn("rel1", self.arbor("tag", "list").stdout)
        self.arbor("tag", "delete", "rel1", code=1)

    def test_protected_branch(self):
        self.branch("pr")
        p = self.arbor("branch", "protect", "pr")
        self.assertIn("protected", p.stdout)
        self.assertTrue(self.json("branch", "show", "pr")["protected"])
        with self.assertRaises(hms.MetaException) as ctx:
            self.c.create_database(hms.Database(name="prdb@pr"))
        self.assertIn("protected", ctx.exception.message)
        p = self.arbor("commit", "pr", "-m", "direct", "--allow-empty", code=1)
        self.assertIn("protected", p.stderr)
        # Merging into a protected branch is allowed.
        self.branch("pr-src", "pr")
        self.c.create_database(hms.Database(name="prdb@pr-src"))
        self.arbor("commit", "pr-src", "-m", "via merge")
        self.arbor("merge", "pr-src", "--into", "pr")
        self.assertEqual(self.c.get_database("prdb@pr").name, "prdb@pr")
        self.arbor("branch", "unprotect", "pr")
        self.c.create_database(hms.Database(name="prdb2@pr"))
        self.arbor("reset", "pr")


class CliTokenTest(ServerTestCase):
    extra_args = ["--admin-token", "s3cret-token"]

    def test_token_from_flag_or_environment(self):
        p = self.arbor("branch", "list", code=1)
        self.assertIn("hint: pass the admin token with --token or ARBOR_TOKEN", p.stderr)
        self.arbor("branch", "list", "--token", "wrong", code=1)
        self.assertIn("main", self.arbor("branch", "list", "--token", "s3cret-token").stdout)
        self.assertIn("main", self.arbor("branch", "list",
                                         env={"ARBOR_TOKEN": "s3cret-token"}).stdout)


class CliLakefsTest(ServerTestCase):
    """With lakeFS (its emulator): log and show print the linked lakeFS commit."""

    @classmethod
    def setUpClass(cls):
        here = os.path.dirname(os.path.abspath(__file__))
        sys.path.insert(0, os.path.join(here, "..", "lakefs_emulator"))
        try:
            from emulator_client import LakeFSEmulator
        except ImportError:
            raise unittest.SkipTest("the lakeFS emulator is not available")
        cls.emu = LakeFSEmulator(repositories=["repo1"]).start()
        cls.extra_args = ["--lakefs-endpoint", cls.emu.url,
                          "--lakefs-access-key-id", cls.emu.access_key_id,
                          "--lakefs-secret-access-key", cls.emu.secret_access_key,
                          "--lakefs-repository", "repo1",
                          "--lakefs-storage-prefixes", "s3a://repo1/"]
        try:
            super().setUpClass()
        except BaseException:
            cls.emu.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.emu.cleanup()

    def test_log_and_show_print_the_lakefs_commit(self):
        self.branch("lk")
        self.emu.write_object("repo1", "lk", "warehouse/t/part-0.parquet", b"data")
        self.c.create_database(hms.Database(name="lkdb@lk"))
        self.arbor("commit", "lk", "-m", "data and catalog")
        commit = self.json("show", "lk")
        if not commit["lakefs_commit"]:
            self.skipTest("arbord does not link commits to lakeFS yet")
        self.assertEqual(commit["lakefs_commit"], self.emu.head("repo1", "lk"))
        log = self.arbor("log", "lk").stdout.splitlines()
        self.assertEqual(log[0].split()[:2], ["COMMIT", "LAKEFS"])
        self.assertEqual(log[1].split()[1], commit["lakefs_commit"][:12])
        self.assertRegex(self.arbor("show", "lk").stdout,
                         r"(?m)^lakefs commit: +%s$" % commit["lakefs_commit"])


if __name__ == "__main__":
    main()

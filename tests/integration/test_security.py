"""Authentication and authorization on a real arbord (docs/security.md).

One MIT Kerberos KDC for the module (tests/support/kdc.py) and arbord processes
with --thrift-auth; clients are Python Thrift's own TSaslClientTransport with
pure-sasl (GSSAPI through python3-kerberos, and PLAIN), plain sockets for the
refusals, and urllib for the admin API. Hive's Java client is in
tests/hive/test_hive_security.py.
"""

import os
import shutil
import socket
import struct
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.request
import json

import ssl

import harness
from harness import hms
import kdc as kdc_support
import tls_certs

from thrift.Thrift import TApplicationException
from thrift.protocol import TBinaryProtocol
from thrift.transport import TSocket, TSSLSocket, TTransport
from hive_metastore import ThriftHiveMetastore

import base64

import kerberos as pykerberos
from puresasl import QOP, mechanisms


def _gssapi_wrap(self, outgoing):
    """pure-sasl 0.5.1 (Debian's) hands python3-kerberos bytes where it takes a
    base64 str, so QOP auth-int/auth-conf cannot send; the same call, fixed."""
    if self.qop == QOP.AUTH:
        return outgoing
    pykerberos.authGSSClientWrap(self.context, base64.b64encode(outgoing).decode("ascii"), None,
                               1 if self.qop == QOP.AUTH_CONF else 0)
    return base64.b64decode(pykerberos.authGSSClientResponse(self.context))


mechanisms.GSSAPIMechanism.wrap = _gssapi_wrap

KDC = None
TMP = None
PASSWORDS = {"alice": "alice-secret-pw", "rita": "rita-secret-pw", "etl": "etl-secret-pw",
             "root": "root-secret-pw", "bob": "bob-secret-pw", "nora": "nora-secret-pw"}
TOKENS = {}


def setUpModule():
    global KDC, TMP
    KDC = kdc_support.shared_kdc()
    TMP = tempfile.mkdtemp(prefix="arbor-sec-")
    KDC.add_principal("hive/localhost")
    KDC.add_principal("other/localhost")
    for user in ("alice", "rita", "mallory"):
        KDC.add_principal(user)
    KDC.keytab(os.path.join(TMP, "hive.keytab"), "hive/localhost")
    KDC.keytab(os.path.join(TMP, "clients.keytab"), "alice", "rita", "mallory")


def tearDownModule():
    shutil.rmtree(TMP, ignore_errors=True)


def hash_secret(mode, secret):
    r = subprocess.run([harness.ARBORD, mode], input=secret + "\n", capture_output=True,
                       text=True, check=True, timeout=30)
    return r.stdout.strip()


def write_users_file(path):
    """alice writer, rita reader, etl writer proxying alice, root admin; tokens too."""
    for user in ("alice", "rita", "root"):
        TOKENS[user] = "token-of-%s-0123456789abcdef" % user
    lines = [
        "# name role attributes",
        "alice writer password=%s token=%s" % (hash_secret("--hash-password", PASSWORDS["alice"]),
                                               hash_secret("--hash-token", TOKENS["alice"])),
        "rita  reader password=%s token=%s" % (hash_secret("--hash-password", PASSWORDS["rita"]),
                                               hash_secret("--hash-token", TOKENS["rita"])),
        "etl   writer password=%s proxy=alice" % hash_secret("--hash-password", PASSWORDS["etl"]),
        "bob   writer password=%s" % hash_secret("--hash-password", PASSWORDS["bob"]),
        "nora  none   password=%s" % hash_secret("--hash-password", PASSWORDS["nora"]),
        "root  admin  password=%s token=%s" % (hash_secret("--hash-password", PASSWORDS["root"]),
                                               hash_secret("--hash-token", TOKENS["root"])),
    ]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


class SaslClient:
    """ThriftHiveMetastore over Thrift's SASL transport (as Hive's client speaks it)."""

    def __init__(self, port, mechanism, **sasl):
        sock = TSocket.TSocket("localhost", port)
        sock.setTimeout(20000)
        self.transport = TTransport.TSaslClientTransport(sock, "localhost",
                                                         sasl.pop("service", "hive"),
                                                         mechanism=mechanism, **sasl)
        self.hms = ThriftHiveMetastore.Client(TBinaryProtocol.TBinaryProtocol(self.transport))
        self.transport.open()

    def __getattr__(self, name):
        return getattr(self.hms, name)

    def close(self):
        self.transport.close()


def plain(port, user, password=None):
    return SaslClient(port, "PLAIN", username=user,
                      password=PASSWORDS.get(user) if password is None else password)


def kerberos(port, principal, **kw):
    """A GSSAPI client with a ticket for `principal` (kinit from the clients' keytab)."""
    ccache = os.path.join(TMP, "cc-" + principal.replace("/", "_"))
    KDC.kinit(principal + "@" + KDC.realm, os.path.join(TMP, "clients.keytab"), ccache)
    os.environ.update(KDC.env(ccache))
    kw.setdefault("qops", [QOP.AUTH])
    return SaslClient(port, "GSSAPI", **kw)


def admin(http_port, method, path, body=None, token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (http_port, path), method=method,
                                 data=data, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            raw = r.read()
            return r.status, json.loads(raw) if raw and r.headers.get_content_type() == \
                "application/json" else raw
    except urllib.error.HTTPError as e:
        raw = e.read()
        return e.code, json.loads(raw) if raw else {}


def database(name):
    return hms.Database(name=name, description="", parameters={})


def last_author(server, branch="main"):
    status, body = admin(server.http_port, "GET", "/api/v1/refs/%s/commits?limit=1" % branch,
                         token=TOKENS["root"])
    assert status == 200, body
    return body["commits"][0]["author"]


class SecureServerTest(unittest.TestCase):
    """One arbord with Kerberos and passwords, roles from the users file."""

    @classmethod
    def setUpClass(cls):
        cls.users = write_users_file(os.path.join(TMP, "users"))
        env = KDC.env()
        cls.server = harness.Arbord(
            extra_args=["--thrift-auth", "kerberos,password",
                        "--kerberos-principal", "hive/localhost@" + KDC.realm,
                        "--kerberos-keytab", os.path.join(TMP, "hive.keytab"),
                        "--users-file", cls.users, "--default-role", "reader",
                        "--log-level", "debug"],
            env=env).start()
        # Every HMS write is a commit, so its author shows at once.
        status, body = admin(cls.server.http_port, "PUT", "/api/v1/branches/main/commit-mode",
                             {"mode": "auto"}, token=TOKENS["root"])
        assert status == 200, body

    @classmethod
    def tearDownClass(cls):
        log = cls.server.read_log()
        cls.server.cleanup()
        # No secret reaches the log: no password, no token.
        for secret in list(PASSWORDS.values()) + list(TOKENS.values()):
            assert secret not in log, "a secret is in the log"

    def log(self):
        return self.server.read_log()

    def assertLogged(self, text, timeout=5):
        """The server logs after it answers: wait a moment for the line."""
        deadline = time.time() + timeout
        while text not in self.log() and time.time() < deadline:
            time.sleep(0.05)
        self.assertIn(text, self.log())

    # --- PLAIN

    def test_password_login_writes_as_the_user(self):
        c = plain(self.server.port, "alice")
        try:
            c.create_database(database("sec_alice_db"))
            self.assertIn("sec_alice_db", c.get_all_databases())
        finally:
            c.close()
        self.assertEqual(last_author(self.server), "alice")
        self.assertLogged("authenticated as 'alice' (PLAIN)")

    def test_cheap_calls_over_sasl_are_served_by_the_event_loop(self):
        def inline_calls():
            status, text = admin(self.server.http_port, "GET", "/metrics", token=TOKENS["root"])
            self.assertEqual(status, 200)
            return harness.metric(text, "arbor_thrift_inline_calls_total")

        c = plain(self.server.port, "alice")
        try:
            c.create_database(database("sec_inline_db"))
            c.create_table(harness.make_table("sec_inline_db", "t1"))
            before = inline_calls()
            for i in range(50):
                self.assertEqual(c.get_table("sec_inline_db", "t1").tableName, "t1")
                self.assertEqual(c.get_database("sec_inline_db").name, "sec_inline_db")
            # Nearly all: a call is served by a worker when another event came with it.
            self.assertGreaterEqual(inline_calls() - before, 75)
            # The session's identity holds on the loop as on a worker: alice writes.
            c.drop_table("sec_inline_db", "t1", True)
            c.drop_database("sec_inline_db", True, True)
        finally:
            c.close()
        self.assertEqual(last_author(self.server), "alice")

    def test_wrong_password_is_refused(self):
        with self.assertRaises(TTransport.TTransportException) as cm:
            plain(self.server.port, "alice", password="not-the-password")
        self.assertIn("authentication failed", str(cm.exception))
        with self.assertRaises(TTransport.TTransportException):
            plain(self.server.port, "nobody", password="whatever")
        self.assertLogged("PLAIN authentication failed")
        status, text = admin(self.server.http_port, "GET", "/metrics", token=TOKENS["root"])
        self.assertEqual(status, 200)
        self.assertIn(b'arbor_thrift_closed_connections_total{reason="unauthenticated"}', text)

    def test_plain_thrift_client_is_refused(self):
        c = harness.Client(self.server.port, timeout_ms=10000)
        with self.assertRaises(TTransport.TTransportException):
            c.get_all_databases()
        c.close()
        self.assertLogged("did not open with a SASL handshake")

    def test_unoffered_mechanism_is_refused(self):
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=10)
        s.sendall(b"\x01" + struct.pack(">I", 10) + b"DIGEST-MD5")
        reply = s.recv(1000)
        s.close()
        self.assertEqual(reply[0], 3)  # BAD
        self.assertIn(b"not offered", reply)

    def test_declared_lengths_do_not_allocate(self):
        # A negotiation message claiming 4 GiB is refused at once, not awaited.
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=10)
        s.sendall(b"\x01" + struct.pack(">I", 5) + b"PLAIN")
        s.sendall(b"\x02" + struct.pack(">I", 0xFFFFFFF0))
        reply = s.recv(1000)
        s.close()
        self.assertEqual(reply[0], 3)
        self.assertLogged("over the limit")

    # --- roles

    def test_reader_cannot_write(self):
        c = plain(self.server.port, "rita")
        try:
            self.assertIn("default", c.get_all_databases())
            with self.assertRaises(hms.MetaException) as cm:
                c.create_database(database("sec_rita_db"))
            self.assertIn("needs the writer role", cm.exception.message)
        finally:
            c.close()
        self.assertLogged("denied: user 'rita' (role reader)")

    def test_role_none_cannot_read(self):
        c = plain(self.server.port, "nora")
        try:
            with self.assertRaises(hms.MetaException) as cm:
                c.get_all_databases()
            self.assertIn("needs the reader role", cm.exception.message)
        finally:
            c.close()

    # --- set_ugi

    def test_set_ugi_cannot_impersonate(self):
        c = plain(self.server.port, "bob")
        try:
            with self.assertRaises(hms.MetaException):
                c.set_ugi("alice", [])
            c.set_ugi("bob", [])  # being oneself is fine
            c.create_database(database("sec_bob_db"))
        finally:
            c.close()
        self.assertEqual(last_author(self.server), "bob")

    def test_proxy_user_may_act_for_listed_users(self):
        c = plain(self.server.port, "etl")
        try:
            with self.assertRaises(hms.MetaException):
                c.set_ugi("bob", [])
            c.set_ugi("alice", [])
            c.create_database(database("sec_proxied_db"))
        finally:
            c.close()
        self.assertEqual(last_author(self.server), "alice")

    # --- locks

    def lock(self, client, table):
        comp = hms.LockComponent(type=hms.LockType.EXCLUSIVE, level=hms.LockLevel.TABLE,
                                 dbname="default", tablename=table)
        return client.lock(hms.LockRequest(component=[comp], user="someone-else",
                                           hostname="h")).lockid

    def test_locks_belong_to_their_user(self):
        alice, bob, root = (plain(self.server.port, u) for u in ("alice", "bob", "root"))
        try:
            lockid = self.lock(alice, "sec_locked")
            shown = bob.show_locks(hms.ShowLocksRequest()).locks
            self.assertEqual([l.user for l in shown if l.lockid == lockid], ["alice"])
            # unlock and heartbeat declare no MetaException: the denial arrives as
            # a TApplicationException that says so.
            with self.assertRaises(TApplicationException) as cm:
                bob.unlock(hms.UnlockRequest(lockid=lockid))
            self.assertIn("belongs to 'alice'", str(cm.exception))
            with self.assertRaises(TApplicationException):
                bob.heartbeat(hms.HeartbeatRequest(lockid=lockid))
            with self.assertRaises(TApplicationException):
                bob.check_lock(hms.CheckLockRequest(lockid=lockid))
            alice.heartbeat(hms.HeartbeatRequest(lockid=lockid))
            alice.unlock(hms.UnlockRequest(lockid=lockid))
            # An admin may release anyone's lock.
            lockid = self.lock(alice, "sec_locked")
            root.unlock(hms.UnlockRequest(lockid=lockid))
            # A reader cannot take a write lock.
            rita = plain(self.server.port, "rita")
            with self.assertRaises(Exception):
                self.lock(rita, "sec_locked")
            rita.close()
        finally:
            for c in (alice, bob, root):
                c.close()

    # --- Kerberos

    def test_kerberos_login(self):
        c = kerberos(self.server.port, "alice")
        try:
            self.assertIn("default", c.get_all_databases())
            c.create_database(database("sec_krb_db"))
        finally:
            c.close()
        self.assertEqual(last_author(self.server), "alice")
        self.assertLogged("authenticated as 'alice@%s' (GSSAPI)" % KDC.realm)

    def test_kerberos_with_confidentiality(self):
        # QOP auth-conf: every frame goes through sasl_encode/sasl_decode.
        c = kerberos(self.server.port, "alice", qops=[QOP.AUTH_CONF])
        try:
            c.create_database(database("sec_krb_conf_db"))
            names = c.get_all_databases()
            self.assertIn("sec_krb_conf_db", names)
            # A reply larger than one security-layer buffer.
            big = database("sec_krb_big")
            big.description = "x" * 200000
            c.create_database(big)
            self.assertEqual(len(c.get_database("sec_krb_big").description), 200000)
        finally:
            c.close()
        self.assertLogged("with a SASL security layer")

    def test_kerberos_unlisted_principal_gets_default_role(self):
        c = kerberos(self.server.port, "mallory")
        try:
            c.get_all_databases()
            with self.assertRaises(hms.MetaException):
                c.create_database(database("sec_mallory_db"))
        finally:
            c.close()

    def test_ticket_for_another_service_is_refused(self):
        with self.assertRaises(Exception):
            kerberos(self.server.port, "alice", service="other")
        self.assertLogged("GSSAPI authentication failed")

    def test_missing_ticket_is_refused(self):
        os.environ.update(KDC.env(os.path.join(TMP, "no-such-ccache")))
        with self.assertRaises(Exception):
            SaslClient(self.server.port, "GSSAPI")
        # And a made-up token is refused by the server.
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=10)
        s.sendall(b"\x01" + struct.pack(">I", 6) + b"GSSAPI")
        s.sendall(b"\x02" + struct.pack(">I", 16) + b"\x60" * 16)
        reply = s.recv(1000)
        s.close()
        self.assertEqual(reply[0], 3)

    # --- admin API: tokens per user, roles

    def test_admin_api_roles(self):
        port = self.server.http_port
        self.assertEqual(admin(port, "GET", "/api/v1/branches")[0], 401)
        self.assertEqual(admin(port, "GET", "/api/v1/branches", token="wrong")[0], 401)
        self.assertEqual(admin(port, "GET", "/healthz")[0], 200)
        self.assertEqual(admin(port, "GET", "/api/v1/branches", token=TOKENS["rita"])[0], 200)
        status, body = admin(port, "POST", "/api/v1/branches", {"name": "sec_dev", "source": "main"},
                             token=TOKENS["rita"])
        self.assertEqual(status, 403)
        self.assertEqual(body["code"], "PERMISSION_DENIED")
        status, body = admin(port, "POST", "/api/v1/branches", {"name": "sec_dev", "source": "main"},
                             token=TOKENS["alice"])
        self.assertEqual(status, 201, body)
        # Protection and tag deletion need admin.
        self.assertEqual(admin(port, "PUT", "/api/v1/branches/sec_dev/protection",
                               {"protected": True}, token=TOKENS["alice"])[0], 403)
        self.assertEqual(admin(port, "PUT", "/api/v1/branches/sec_dev/protection",
                               {"protected": True}, token=TOKENS["root"])[0], 200)
        # A protected branch: no direct writes (a merge is needed), no deletion by a writer.
        status, _ = admin(port, "DELETE", "/api/v1/branches/sec_dev", token=TOKENS["alice"])
        self.assertEqual(status, 423)
        self.assertEqual(admin(port, "POST", "/api/v1/tags", {"name": "sec_v1", "ref": "main"},
                               token=TOKENS["alice"])[0], 201)
        self.assertEqual(admin(port, "DELETE", "/api/v1/tags/sec_v1", token=TOKENS["alice"])[0],
                         403)
        self.assertEqual(admin(port, "DELETE", "/api/v1/tags/sec_v1", token=TOKENS["root"])[0],
                         204)
        # /metrics shows no secret.
        status, text = admin(port, "GET", "/metrics", token=TOKENS["rita"])
        self.assertEqual(status, 200)
        for secret in list(TOKENS.values()) + list(PASSWORDS.values()):
            self.assertNotIn(secret.encode(), text)
        self.assertLogged("admin: denied")


class HandshakeTimeoutTest(unittest.TestCase):
    def test_a_stalled_handshake_or_frame_is_closed_after_the_request_timeout(self):
        users = write_users_file(os.path.join(TMP, "users-timeout"))
        server = harness.Arbord(extra_args=["--thrift-auth", "password", "--users-file", users,
                                            "--request-timeout", "2"]).start()
        try:
            # Half a SASL message; then, once authenticated, half a frame.
            stalled = socket.create_connection(("127.0.0.1", server.port), timeout=10)
            stalled.sendall(b"\x01\x00\x00")
            authed = socket.create_connection(("127.0.0.1", server.port), timeout=10)
            creds = b"\x00alice\x00" + PASSWORDS["alice"].encode()
            authed.sendall(b"\x01" + struct.pack(">I", 5) + b"PLAIN" +
                           b"\x05" + struct.pack(">I", len(creds)) + creds)
            self.assertEqual(authed.recv(5), b"\x05\x00\x00\x00\x00")  # COMPLETE
            authed.sendall(struct.pack(">I", 100) + b"\x80\x01")
            start = time.time()
            for s in (stalled, authed):
                self.assertEqual(s.recv(100), b"")  # closed by the server
                s.close()
            self.assertLess(time.time() - start, 8)
            self.assertIn("--request-timeout", server.read_log())
            # An authenticated connection that is merely idle stays open.
            idle = plain(server.port, "alice")
            time.sleep(3)
            self.assertIn("default", idle.get_all_databases())
            idle.close()
        finally:
            server.cleanup()


class TlsAndSaslTest(unittest.TestCase):
    """TLS and SASL on one port (SASL above TLS), and client certificates as the
    identity of admin API calls over https, their role from the users file."""

    @classmethod
    def setUpClass(cls):
        cls.certs = tls_certs.make(os.path.join(TMP, "certs"))
        cls.users = write_users_file(os.path.join(TMP, "users-tls"))
        cls.server = harness.Arbord(
            extra_args=["--tls-cert", cls.certs["server"], "--tls-key", cls.certs["server_key"],
                        "--tls-ca", cls.certs["ca"], "--tls-client-auth", "optional",
                        "--thrift-auth", "password", "--users-file", cls.users,
                        "--log-level", "debug"]).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def context(self, cn=None):
        ctx = ssl.create_default_context(cafile=self.certs["ca"])
        if cn == "alice":
            ctx.load_cert_chain(self.certs["client"], self.certs["client_key"])
        elif cn:
            ctx.load_cert_chain(*tls_certs.client(os.path.join(TMP, "certs"), cn))
        return ctx

    def plain_over_tls(self, user, password=None, cn=None):
        sock = TSSLSocket.TSSLSocket(host="localhost", port=self.server.port,
                                     ssl_context=self.context(cn))
        sock.setTimeout(20000)
        transport = TTransport.TSaslClientTransport(
            sock, "localhost", "hive", mechanism="PLAIN", username=user,
            password=PASSWORDS[user] if password is None else password)
        client = ThriftHiveMetastore.Client(TBinaryProtocol.TBinaryProtocol(transport))
        transport.open()
        return client, transport

    def test_sasl_plain_over_tls(self):
        c, t = self.plain_over_tls("alice")
        try:
            c.create_database(database("tls_sasl_db"))
            self.assertIn("tls_sasl_db", c.get_all_databases())
            # A reply larger than a TLS record and a SASL frame's first read.
            cols = [("c%04d" % i, "string") for i in range(2000)]
            c.create_table(harness.make_table("tls_sasl_db", "wide", cols=cols))
            self.assertEqual(len(c.get_table("tls_sasl_db", "wide").sd.cols), 2000)
            c.drop_database("tls_sasl_db", True, True)
        finally:
            t.close()
        with self.assertRaises(TTransport.TTransportException):
            self.plain_over_tls("alice", password="wrong")
        # Plain text (SASL without TLS) on the TLS port is refused too.
        with self.assertRaises(TTransport.TTransportException):
            plain(self.server.port, "alice").get_all_databases()

    def test_sasl_identity_is_above_the_certificate(self):
        # alice's certificate (a writer) under rita's password login (a reader):
        # the topmost layer, SASL, says who calls.
        c, t = self.plain_over_tls("rita", cn="alice")
        try:
            self.assertIn("default", c.get_all_databases())
            with self.assertRaises(Exception):
                c.create_database(database("tls_sasl_rita"))
        finally:
            t.close()

    def https(self, method, path, cn=None, body=None):
        req = urllib.request.Request(
            "https://localhost:%d%s" % (self.server.http_port, path), method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, context=self.context(cn), timeout=30) as r:
                return r.status
        except urllib.error.HTTPError as e:
            return e.code

    def test_client_certificate_role_on_the_admin_api(self):
        branch = {"name": "cert_dev", "source": "main"}
        self.assertEqual(self.https("GET", "/api/v1/branches"), 401)
        self.assertEqual(self.https("GET", "/api/v1/branches", cn="rita"), 200)
        self.assertEqual(self.https("POST", "/api/v1/branches", cn="rita", body=branch), 403)
        self.assertEqual(self.https("POST", "/api/v1/branches", cn="root", body=branch), 201)
        self.assertEqual(self.https("PUT", "/api/v1/branches/cert_dev/protection", cn="alice",
                                    body={"protected": True}), 403)
        self.assertEqual(self.https("PUT", "/api/v1/branches/cert_dev/protection", cn="root",
                                    body={"protected": True}), 200)


class SafeDefaultsTest(unittest.TestCase):
    def start(self, *args, env=None):
        return harness.Arbord(extra_args=list(args), env=env)

    def test_refuses_non_loopback_without_authentication(self):
        for args in (["--listen", "0.0.0.0:0"], ["--http-listen", "0.0.0.0:0"]):
            server = self.start(*args)
            try:
                with self.assertRaises(RuntimeError):
                    server.start()
                self.assertIn("refusing to start", server.read_log())
            finally:
                server.cleanup()

    def test_insecure_or_authentication_allows_it(self):
        server = self.start("--listen", "0.0.0.0:0", "--http-listen", "0.0.0.0:0",
                            "--insecure", "true").start()
        try:
            self.assertIn("--insecure", server.read_log())
        finally:
            server.cleanup()
        users = write_users_file(os.path.join(TMP, "users-safe"))
        token_file = os.path.join(TMP, "admin-token")
        with open(token_file, "w") as f:
            f.write("the-admin-token-from-a-file\n")
        server = self.start("--listen", "0.0.0.0:0", "--http-listen", "0.0.0.0:0",
                            "--thrift-auth", "password", "--users-file", users,
                            "--admin-token-file", token_file).start()
        try:
            c = plain(server.port, "alice")
            c.get_all_databases()
            c.close()
            # The single admin token still works, as an admin.
            self.assertEqual(admin(server.http_port, "PUT", "/api/v1/branches/main/protection",
                                   {"protected": True},
                                   token="the-admin-token-from-a-file")[0], 200)
            self.assertNotIn("the-admin-token-from-a-file", server.read_log())
        finally:
            server.cleanup()

    def test_required_client_certificates_allow_it(self):
        certs = tls_certs.make(os.path.join(TMP, "certs-safe"))
        server = self.start("--listen", "0.0.0.0:0", "--http-listen", "0.0.0.0:0",
                            "--tls-cert", certs["server"], "--tls-key", certs["server_key"],
                            "--tls-ca", certs["ca"]).start()
        server.cleanup()
        # Optional client certificates authenticate no one for sure: refused.
        server = self.start("--listen", "0.0.0.0:0", "--tls-cert", certs["server"],
                            "--tls-key", certs["server_key"], "--tls-ca", certs["ca"],
                            "--tls-client-auth", "optional")
        try:
            with self.assertRaises(RuntimeError):
                server.start()
            self.assertIn("refusing to start", server.read_log())
        finally:
            server.cleanup()

    def test_sasl_client_gets_error_when_authentication_is_off(self):
        server = self.start().start()
        try:
            with self.assertRaises(TTransport.TTransportException):
                plain(server.port, "alice")
        finally:
            server.cleanup()


if __name__ == "__main__":
    harness.main()

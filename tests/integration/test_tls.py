"""TLS on both ports of a real arbord, with certificates made by openssl for the test.

Clients: python3-thrift's TSSLSocket doing real HMS calls, Python's ssl/urllib and the
`arbor` CLI (--cacert, --cert/--key) on the admin port, raw sockets for what a real
client would not do (plain text on a TLS port, a stalled or trickled handshake).
Refusals (plain text, a client certificate from another CA, an expired one, none where
one is required) are checked on the client side and by the server's log line. Reloads:
on a file change (polled) and on SIGHUP, existing connections keep working, a broken
new certificate keeps the old one. Hive's Java client with SSL is in tests/hive.
"""

import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))

import harness  # noqa: E402
import tls_certs  # noqa: E402
from harness import hms, ThriftHiveMetastore  # noqa: E402
from thrift.protocol import TBinaryProtocol  # noqa: E402
from thrift.transport import TSSLSocket, TSocket, TTransport  # noqa: E402

ARBOR_CLI = os.path.join(os.path.dirname(harness.ARBORD), "arbor")


def client_context(ca, cert=None, key=None):
    ctx = ssl.create_default_context(cafile=ca)
    if cert:
        ctx.load_cert_chain(cert, key)
    return ctx


class TlsClient:
    """A ThriftHiveMetastore client over TSSLSocket (buffered, binary: Hive's defaults)."""

    def __init__(self, port, ctx):
        sock = TSSLSocket.TSSLSocket(host="127.0.0.1", port=port, ssl_context=ctx)
        sock.setTimeout(10000)
        self.sock = sock
        self.transport = TTransport.TBufferedTransport(sock)
        self.hms = ThriftHiveMetastore.Client(TBinaryProtocol.TBinaryProtocol(self.transport))
        self.transport.open()

    def peer_certificate(self):
        return self.sock.handle.getpeercert(binary_form=True)

    def close(self):
        self.transport.close()


def der_of(pem_path):
    with open(pem_path) as f:
        return ssl.PEM_cert_to_DER_cert(f.read())


def wait_for_log(server, text, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if text in server.read_log():
            return True
        time.sleep(0.1)
    return False


def half_a_record(port, ca):
    """A socket after a finished handshake and half of a TLS record that never completes."""
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = client_context(ca).wrap_bio(incoming, outgoing, server_hostname="127.0.0.1")
    while True:
        try:
            tls.do_handshake()
            break
        except ssl.SSLWantReadError:
            raw.sendall(outgoing.read())
            incoming.write(raw.recv(65536))
    raw.sendall(outgoing.read())
    tls.write(b"\x80\x01\x00\x01" + b"x" * 1000)
    record = outgoing.read()
    raw.sendall(record[: len(record) // 2])
    return raw


def tls_server(certs, *args):
    return harness.Arbord(["--tls-cert", certs["server"], "--tls-key", certs["server_key"]]
                          + list(args)).start()


class TlsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="arbor-tls-")
        cls.certs = tls_certs.make(os.path.join(cls.dir, "certs"))
        # Client certificates optional: verified when presented.
        cls.server = tls_server(cls.certs, "--tls-ca", cls.certs["ca"], "--tls-client-auth",
                                "optional", "--request-timeout", "2", "--log-level", "debug")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def refused_in_handshake(self, ctx):
        with self.assertRaises((ssl.SSLError, TTransport.TTransportException, OSError)):
            c = TlsClient(self.server.port, ctx)
            try:
                # TLS 1.3 reports the server's refusal on the first read.
                c.hms.get_all_databases()
            finally:
                c.close()

    def test_hms_calls_over_tls(self):
        c = TlsClient(self.server.port, client_context(self.certs["ca"]))
        try:
            c.hms.create_database(hms.Database(name="tls_db"))
            c.hms.create_table(harness.make_table("tls_db", "t1"))
            self.assertEqual(c.hms.get_table("tls_db", "t1").tableName, "t1")
            self.assertIn("tls_db", c.hms.get_all_databases())
            # A reply bigger than one TLS record and than the server's 64 KiB write chunk.
            cols = [("c%04d" % i, "string") for i in range(3000)]
            c.hms.create_table(harness.make_table("tls_db", "wide", cols=cols))
            self.assertEqual(len(c.hms.get_table("tls_db", "wide").sd.cols), 3000)
            c.hms.drop_database("tls_db", True, True)
        finally:
            c.close()

    def test_cheap_calls_are_served_by_the_event_loop(self):
        def inline_calls():
            with urllib.request.urlopen("https://127.0.0.1:%d/metrics" % self.server.http_port,
                                        context=client_context(self.certs["ca"]),
                                        timeout=10) as r:
                return harness.metric(r.read(), "arbor_thrift_inline_calls_total")

        c = TlsClient(self.server.port, client_context(self.certs["ca"]))
        try:
            c.hms.create_database(hms.Database(name="tls_inline_db"))
            c.hms.create_table(harness.make_table("tls_inline_db", "t1"))
            cols = [("c%04d" % i, "string") for i in range(3000)]
            c.hms.create_table(harness.make_table("tls_inline_db", "wide", cols=cols))
            before = inline_calls()
            for i in range(50):
                self.assertEqual(c.hms.get_table("tls_inline_db", "t1").tableName, "t1")
                # A reply of several TLS records, over the server's 64 KiB write chunk.
                self.assertEqual(len(c.hms.get_table("tls_inline_db", "wide").sd.cols), 3000)
            # Nearly all: a call is served by a worker when another event came with it.
            self.assertGreaterEqual(inline_calls() - before, 75)
            c.hms.drop_database("tls_inline_db", True, True)
        finally:
            c.close()

    def test_client_certificate_is_the_identity(self):
        ctx = client_context(self.certs["ca"], self.certs["client"], self.certs["client_key"])
        c = TlsClient(self.server.port, ctx)
        try:
            self.assertIn("default", c.hms.get_all_databases())
        finally:
            c.close()
        self.assertTrue(wait_for_log(self.server, "is alice (CN=alice,O=Arbor tests)"),
                        self.server.read_log()[-2000:])

    def test_plain_text_client_is_refused_promptly(self):
        sock = TSocket.TSocket("127.0.0.1", self.server.port)
        sock.setTimeout(10000)
        transport = TTransport.TBufferedTransport(sock)
        client = ThriftHiveMetastore.Client(TBinaryProtocol.TBinaryProtocol(transport))
        transport.open()
        start = time.time()
        with self.assertRaises(TTransport.TTransportException):
            client.get_all_databases()
        transport.close()
        self.assertLess(time.time() - start, 2, "a plain-text client must not hang")
        self.assertTrue(wait_for_log(self.server, "TLS handshake failed: "
                                     "error:0A00010B:SSL routines::wrong version number"))

    def test_certificate_from_another_ca_is_refused(self):
        self.refused_in_handshake(client_context(self.certs["ca"], self.certs["stranger"],
                                                 self.certs["stranger_key"]))
        self.assertTrue(wait_for_log(
            self.server, "client certificate refused: unable to get local issuer certificate"))

    def test_expired_certificate_is_refused(self):
        self.refused_in_handshake(client_context(self.certs["ca"], self.certs["expired"],
                                                 self.certs["expired_key"]))
        self.assertTrue(wait_for_log(self.server,
                                     "client certificate refused: certificate has expired"))

    def test_client_not_trusting_the_server_refuses_it(self):
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=10) as s:
            with self.assertRaises(ssl.SSLCertVerificationError):
                client_context(self.certs["other_ca"]).wrap_socket(s,
                                                                   server_hostname="127.0.0.1")

    def test_tls_1_1_is_refused(self):
        ctx = client_context(self.certs["ca"])
        ctx.minimum_version = ssl.TLSVersion.TLSv1
        ctx.maximum_version = ssl.TLSVersion.TLSv1_1
        try:
            ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        except ssl.SSLError:
            pass
        with self.assertRaises((ssl.SSLError, OSError)):
            with socket.create_connection(("127.0.0.1", self.server.port), timeout=5) as s:
                ctx.wrap_socket(s, server_hostname="127.0.0.1")

    def test_stalled_handshake_is_closed_after_the_request_timeout(self):
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=10) as s:
            s.sendall(b"\x16\x03\x01")  # the start of a ClientHello, then nothing
            start = time.time()
            self.assertEqual(s.recv(100), b"")
            self.assertLess(time.time() - start, 6)
        self.assertTrue(wait_for_log(self.server, "handshake not complete 2 s after it started"))

    def test_trickled_record_is_closed_after_the_request_timeout(self):
        raw = half_a_record(self.server.port, self.certs["ca"])
        start = time.time()
        while raw.recv(65536):
            pass
        self.assertLess(time.time() - start, 6)
        raw.close()
        self.assertTrue(wait_for_log(self.server, "request not complete 2 s after it started"))

    def test_admin_api_over_https(self):
        url = "https://127.0.0.1:%d/api/v1/branches" % self.server.http_port
        with urllib.request.urlopen(url, context=client_context(self.certs["ca"]),
                                    timeout=10) as r:
            self.assertEqual(r.status, 200)
            self.assertIn(b'"main"', r.read())
        with self.assertRaises(Exception):
            urllib.request.urlopen(url.replace("https", "http"), timeout=10).read()
        self.assertTrue(wait_for_log(self.server, "admin https: TLS handshake with 127.0.0.1:"))
        # A client certificate from another CA is refused here as well.
        ctx = client_context(self.certs["ca"], self.certs["expired"], self.certs["expired_key"])
        with self.assertRaises(Exception):
            urllib.request.urlopen(url, context=ctx, timeout=10).read()
        self.assertTrue(wait_for_log(
            self.server, "failed: certificate verify failed; client certificate refused: "
                         "certificate has expired"))

    def cli(self, *args):
        return subprocess.run([ARBOR_CLI, "--server",
                               "https://127.0.0.1:%d" % self.server.http_port] + list(args),
                              capture_output=True, text=True, timeout=60)

    def test_cli_with_cacert(self):
        run = self.cli("--cacert", self.certs["ca"], "branch", "list")
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertIn("main", run.stdout)
        run = self.cli("--cacert", self.certs["ca"], "--cert", self.certs["client"], "--key",
                       self.certs["client_key"], "branch", "create", "from-cli")
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertRegex(self.server.read_log(), r"admin https: connection from 127\.0\.0\.1:\d+ "
                                                 r"is alice \(CN=alice,O=Arbor tests\)")
        # Without the CA the CLI refuses the server and says how to fix it.
        run = self.cli("branch", "list")
        self.assertNotEqual(run.returncode, 0)
        self.assertIn("--cacert", run.stderr)
        run = self.cli("--cacert", self.certs["other_ca"], "branch", "list")
        self.assertNotEqual(run.returncode, 0)


class RequiredClientCertificateTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="arbor-tls-")
        cls.certs = tls_certs.make(os.path.join(cls.dir, "certs"))
        # --tls-ca alone means required; the key is encrypted, its password in a file.
        cls.server = harness.Arbord(["--tls-cert", cls.certs["server"], "--tls-key",
                                     cls.certs["server_enc_key"], "--tls-key-password-file",
                                     cls.certs["key_password"], "--tls-ca",
                                     cls.certs["ca"]]).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def test_thrift(self):
        ctx = client_context(self.certs["ca"], self.certs["client"], self.certs["client_key"])
        c = TlsClient(self.server.port, ctx)
        try:
            self.assertIn("default", c.hms.get_all_databases())
        finally:
            c.close()
        with self.assertRaises((ssl.SSLError, TTransport.TTransportException, OSError)):
            c = TlsClient(self.server.port, client_context(self.certs["ca"]))
            c.hms.get_all_databases()
        self.assertTrue(wait_for_log(self.server, "peer did not return a certificate"))

    def test_cli(self):
        base = [ARBOR_CLI, "--server", "https://127.0.0.1:%d" % self.server.http_port,
                "--cacert", self.certs["ca"]]
        run = subprocess.run(base + ["--cert", self.certs["client"], "--key",
                                     self.certs["client_key"], "branch", "list"],
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(run.returncode, 0, run.stderr)
        run = subprocess.run(base + ["branch", "list"], capture_output=True, text=True,
                             timeout=60)
        self.assertNotEqual(run.returncode, 0)

    def test_password_is_not_logged(self):
        self.assertNotIn("correct horse", self.server.read_log())


class PendingBytesTest(unittest.TestCase):
    def test_bytes_held_by_tls_count_in_max_pending_bytes(self):
        d = tempfile.mkdtemp(prefix="arbor-tls-")
        certs = tls_certs.make(os.path.join(d, "certs"))
        server = tls_server(certs, "--max-pending-bytes", "8K")
        try:
            # Whole requests pass.
            c = TlsClient(server.port, client_context(certs["ca"]))
            self.assertIn("default", c.hms.get_all_databases())
            c.close()
            # Half a record: what OpenSSL may hold for it is over the budget at once.
            raw = half_a_record(server.port, certs["ca"])
            start = time.time()
            while raw.recv(65536):
                pass
            self.assertLess(time.time() - start, 2)
            raw.close()
            self.assertTrue(wait_for_log(server, "over --max-pending-bytes (8192)"))
        finally:
            server.cleanup()
            shutil.rmtree(d, ignore_errors=True)


class ConfigTest(unittest.TestCase):
    def test_bad_options_are_refused_at_start(self):
        d = tempfile.mkdtemp(prefix="arbor-tls-")
        try:
            certs = tls_certs.make(os.path.join(d, "certs"))
            cases = [
                (["--tls-cert", certs["server"]], "--tls-cert and --tls-key go together"),
                (["--tls-ca", certs["ca"]], "TLS options are set but --tls-cert"),
                (["--tls-cert", certs["server"], "--tls-key", certs["server_key"],
                  "--tls-client-auth", "required"], "needs --tls-ca"),
                (["--tls-cert", certs["server"], "--tls-key", certs["server2_key"]],
                 "does not match the certificate"),
                (["--tls-cert", certs["server"], "--tls-key", certs["server_enc_key"]],
                 "an encrypted key needs --tls-key-password-file"),
            ]
            for args, message in cases:
                run = subprocess.run([harness.ARBORD, "--data-dir", os.path.join(d, "data"),
                                      "--listen", "127.0.0.1:0", "--http-listen",
                                      "127.0.0.1:0"] + args,
                                     capture_output=True, text=True, timeout=30)
                self.assertNotEqual(run.returncode, 0, args)
                self.assertIn(message, run.stderr, args)
        finally:
            shutil.rmtree(d, ignore_errors=True)


class ReloadTest(unittest.TestCase):
    """The server reads cert/key from `live/`, which the test rewrites."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="arbor-tls-")
        self.certs = tls_certs.make(os.path.join(self.dir, "certs"))
        self.live = os.path.join(self.dir, "live")
        os.makedirs(self.live)
        self.install("server")
        self.server = None

    def tearDown(self):
        if self.server:
            self.server.cleanup()
        shutil.rmtree(self.dir, ignore_errors=True)

    def install(self, stem, cert_text=None):
        # Written to a temporary name and renamed, as a certificate manager does.
        for suffix, src in (("pem", self.certs[stem]), ("key", self.certs[stem + "_key"])):
            dst = os.path.join(self.live, "server." + suffix)
            tmp = dst + ".tmp"
            if cert_text is not None and suffix == "pem":
                with open(tmp, "w") as f:
                    f.write(cert_text)
            else:
                shutil.copy(src, tmp)
            os.rename(tmp, dst)

    def start(self, *args):
        self.server = harness.Arbord(["--tls-cert", os.path.join(self.live, "server.pem"),
                                      "--tls-key", os.path.join(self.live, "server.key")]
                                     + list(args)).start()

    def presented(self):
        c = TlsClient(self.server.port, client_context(self.certs["ca"]))
        try:
            c.hms.get_all_databases()
            return c.peer_certificate()
        finally:
            c.close()

    def test_reload_when_the_files_change(self):
        self.start("--tls-reload-interval", "1")
        self.assertEqual(self.presented(), der_of(self.certs["server"]))
        kept = TlsClient(self.server.port, client_context(self.certs["ca"]))
        self.install("server2")
        self.assertTrue(wait_for_log(self.server, "certificates reloaded (a certificate file "
                                                  "changed)"), self.server.read_log())
        self.assertEqual(self.presented(), der_of(self.certs["server2"]))
        # The connection opened before the reload carries on.
        self.assertIn("default", kept.hms.get_all_databases())
        kept.close()
        # A broken certificate is refused and the previous one stays in use.
        self.install("server", cert_text="-----BEGIN CERTIFICATE-----\nnot base64\n")
        self.assertTrue(wait_for_log(self.server, "new connections keep the previous certificate"))
        self.assertEqual(self.presented(), der_of(self.certs["server2"]))

    def test_reload_on_sighup(self):
        self.start("--tls-reload-interval", "0")
        self.install("server2")
        time.sleep(1.5)
        self.assertEqual(self.presented(), der_of(self.certs["server"]),
                         "with --tls-reload-interval 0 only SIGHUP reloads")
        self.server.proc.send_signal(signal.SIGHUP)
        self.assertTrue(wait_for_log(self.server, "certificates reloaded (SIGHUP)"))
        self.assertEqual(self.presented(), der_of(self.certs["server2"]))
        # The admin port takes the new certificate as well.
        with socket.create_connection(("127.0.0.1", self.server.http_port), timeout=10) as s:
            with client_context(self.certs["ca"]).wrap_socket(
                    s, server_hostname="127.0.0.1") as t:
                self.assertEqual(t.getpeercert(binary_form=True), der_of(self.certs["server2"]))


if __name__ == "__main__":
    harness.main()

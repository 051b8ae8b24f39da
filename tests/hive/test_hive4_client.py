"""Hive 4's HiveMetaStoreClient (Hive's own Java client) against a real arbord.

Starts one arbord, compiles tests/hive/client's checks with the
classpath deploy/install-hive.sh resolved into the cache, and runs them in one JVM
(tests/hive/client/src/.../Hive4ClientChecks.java lists what is checked). Every
check's "ok"/"FAIL" line is echoed; the test fails if the JVM reports a failure.
Offline: everything comes from ${ARBOR_CACHE:-~/.cache/arbor}/hive.
"""

import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

sys.path.insert(0, os.path.join(HERE, "..", "support"))

import harness  # noqa: E402
import tls_certs  # noqa: E402

CACHE = os.path.join(os.environ.get("ARBOR_CACHE", os.path.expanduser("~/.cache/arbor")), "hive")
CLASSPATH_FILE = os.path.join(CACHE, "client.classpath")
SOURCES = os.path.join(HERE, "client", "src", "main", "java")


def compile_checks(out_dir, classpath):
    sources = []
    for root, _, files in os.walk(SOURCES):
        sources += [os.path.join(root, f) for f in files if f.endswith(".java")]
    subprocess.run(["javac", "-nowarn", "-d", out_dir, "-cp", classpath] + sources,
                   check=True, capture_output=True, text=True)


class Hive4ClientTest(unittest.TestCase):
    def test_hive4_client(self):
        if not os.path.exists(CLASSPATH_FILE):
            self.fail("Hive 4 client classpath missing: run deploy/install-hive.sh")
        with open(CLASSPATH_FILE) as f:
            classpath = f.read().strip()
        server = harness.Arbord().start()
        try:
            with tempfile.TemporaryDirectory(prefix="arbor-hive4-") as classes:
                compile_checks(classes, classpath)
                run = subprocess.run(
                    ["java", "-Xmx256m", "-cp", classes + os.pathsep + classpath,
                     "-Dlog4j2.level=ERROR", "org.arbor.hivetest.Hive4ClientChecks",
                     "thrift://127.0.0.1:%d" % server.port,
                     "http://127.0.0.1:%d" % server.http_port, "dev"],
                    capture_output=True, text=True, timeout=300)
            print(run.stdout)
            if run.returncode != 0:
                print(run.stderr[-5000:])
                print(server.read_log()[-3000:])
            self.assertEqual(run.returncode, 0, "Hive 4 client checks failed (see above)")
            self.assertIn("all checks passed", run.stdout)
        finally:
            server.cleanup()

    def test_hive4_client_over_tls(self):
        """Hive's client with hive.metastore.use.SSL and a keytool truststore; arbord's
        --tls-* flags with the PEM files the truststore's CA signed."""
        if not os.path.exists(CLASSPATH_FILE):
            self.fail("Hive 4 client classpath missing: run deploy/install-hive.sh")
        with open(CLASSPATH_FILE) as f:
            classpath = f.read().strip()
        with tempfile.TemporaryDirectory(prefix="arbor-hive4-tls-") as d:
            certs = tls_certs.make(os.path.join(d, "certs"))
            stores = {}
            for name, ca in (("trust", certs["ca"]), ("wrong", certs["other_ca"])):
                stores[name] = os.path.join(d, name + ".jks")
                subprocess.run(["keytool", "-importcert", "-noprompt", "-alias", "ca",
                                "-file", ca, "-keystore", stores[name], "-storetype", "JKS",
                                "-storepass", "changeit"], check=True, capture_output=True)
            server = harness.Arbord(["--tls-cert", certs["server"], "--tls-key",
                                     certs["server_key"]]).start()
            try:
                classes = os.path.join(d, "classes")
                os.makedirs(classes)
                compile_checks(classes, classpath)
                run = subprocess.run(
                    ["java", "-Xmx256m", "-cp", classes + os.pathsep + classpath,
                     "-Dlog4j2.level=ERROR", "org.arbor.hivetest.Hive4TlsChecks",
                     "thrift://127.0.0.1:%d" % server.port, stores["trust"], "changeit",
                     stores["wrong"]],
                    capture_output=True, text=True, timeout=300)
                print(run.stdout)
                if run.returncode != 0:
                    print(run.stderr[-5000:])
                    print(server.read_log()[-3000:])
                self.assertEqual(run.returncode, 0, "Hive 4 TLS checks failed (see above)")
                self.assertIn("all checks passed", run.stdout)
                # Both refusals left a log line: the client's alert, and plain text.
                log = server.read_log()
                self.assertIn("TLS handshake failed: error:0A000416:SSL routines::sslv3 alert "
                              "certificate unknown", log)
                self.assertIn("TLS handshake failed: error:0A00010B:SSL routines::wrong version "
                              "number", log)
            finally:
                server.cleanup()


if __name__ == "__main__":
    unittest.main()

"""Hive 4's Java HiveMetaStoreClient against an arbord that requires authentication.

A real MIT Kerberos KDC (tests/support/kdc.py) issues the tickets; arbord runs
with --thrift-auth kerberos,password; the client is configured as for Hive's own
metastore (tests/hive/client/.../HiveSecurityChecks.java):
  * Kerberos: hive.metastore.sasl.enabled=true, hive.metastore.kerberos.principal,
    a keytab login through UserGroupInformation; with hadoop.rpc.protection
    authentication and privacy (SASL QOP auth-conf: every frame encrypted);
  * PLAIN: metastore.client.auth.mode=PLAIN, metastore.client.plain.username and
    the password from a Hadoop credential provider;
and must be refused with a ticket for another service or a wrong password. PLAIN
also runs over TLS (hive.metastore.use.SSL with a truststore) against an arbord
with --tls-cert as well: TLS below SASL on one port.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

import harness  # noqa: E402
import kdc as kdc_support  # noqa: E402
import tls_certs  # noqa: E402
from test_hive4_client import CLASSPATH_FILE, compile_checks  # noqa: E402


class HiveSecurityTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.path.exists(CLASSPATH_FILE):
            raise RuntimeError("Hive 4 client classpath missing: run deploy/install-hive.sh")
        with open(CLASSPATH_FILE) as f:
            cls.classpath = f.read().strip()
        cls.kdc = kdc_support.shared_kdc()
        cls.tmp = tempfile.mkdtemp(prefix="arbor-hive-sec-")
        cls.kdc.add_principal("hive/localhost")
        cls.kdc.add_principal("other/localhost")
        cls.kdc.add_principal("alice")
        cls.service_keytab = cls.kdc.keytab(os.path.join(cls.tmp, "hive.keytab"), "hive/localhost")
        cls.client_keytab = cls.kdc.keytab(os.path.join(cls.tmp, "alice.keytab"), "alice")
        password_hash = subprocess.run([harness.ARBORD, "--hash-password"],
                                       input="carol-password\n", capture_output=True, text=True,
                                       check=True).stdout.strip()
        users = os.path.join(cls.tmp, "users")
        with open(users, "w") as f:
            f.write("alice writer\ncarol writer password=%s\n" % password_hash)
        cls.server = harness.Arbord(
            extra_args=["--thrift-auth", "kerberos,password",
                        "--kerberos-principal", "hive/localhost@" + cls.kdc.realm,
                        "--kerberos-keytab", cls.service_keytab, "--users-file", users],
            env=cls.kdc.env()).start()
        cls.classes = os.path.join(cls.tmp, "classes")
        os.makedirs(cls.classes)
        compile_checks(cls.classes, cls.classpath)

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def run_checks(self, *args):
        run = subprocess.run(
            ["java", "-Xmx256m", "-cp", self.classes + os.pathsep + self.classpath,
             "-Djava.security.krb5.conf=" + self.kdc.krb5_conf,
             # Hadoop 2.6's KerberosUtil (on Hive's client classpath) reads the
             # default realm from JDK internals, closed since Java 17.
             "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
             "--add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
             "-Dlog4j2.level=ERROR", "org.arbor.hivetest.HiveSecurityChecks"] + list(args),
            capture_output=True, text=True, timeout=180)
        print(run.stdout)
        if run.returncode != 0:
            print(run.stderr[-5000:])
            print(self.server.read_log()[-3000:])
        self.assertEqual(run.returncode, 0, "Hive security checks failed (see above)")
        self.assertIn("all checks passed", run.stdout)
        return run.stdout

    def uri(self):
        return "thrift://localhost:%d" % self.server.port

    def kerberos_args(self, service, protection):
        return [self.uri(), "%s/localhost@%s" % (service, self.kdc.realm),
                "alice@" + self.kdc.realm, self.client_keytab, protection]

    def test_kerberos(self):
        self.run_checks("kerberos", *self.kerberos_args("hive", "authentication"))
        self.assertIn("authenticated as 'alice@%s' (GSSAPI)" % self.kdc.realm,
                      self.server.read_log())

    def test_kerberos_privacy(self):
        self.run_checks("kerberos", *self.kerberos_args("hive", "privacy"))
        self.assertIn("with a SASL security layer", self.server.read_log())

    def test_kerberos_ticket_for_another_service_is_refused(self):
        self.run_checks("refused-kerberos", *self.kerberos_args("other", "authentication"))
        self.assertIn("GSSAPI authentication failed", self.server.read_log())

    def test_password(self):
        self.run_checks("plain", self.uri(), "carol", "carol-password",
                        os.path.join(self.tmp, "carol.jceks"))
        self.assertIn("authenticated as 'carol' (PLAIN)", self.server.read_log())

    def test_wrong_password_is_refused(self):
        out = self.run_checks("refused-plain", self.uri(), "carol", "not-her-password",
                              os.path.join(self.tmp, "wrong.jceks"))
        self.assertNotIn("not-her-password", self.server.read_log())
        self.assertIn("refusal:", out)

    def test_password_over_tls(self):
        certs = tls_certs.make(os.path.join(self.tmp, "certs"))
        store = os.path.join(self.tmp, "trust.jks")
        subprocess.run(["keytool", "-importcert", "-noprompt", "-alias", "ca", "-file",
                        certs["ca"], "-keystore", store, "-storetype", "JKS", "-storepass",
                        "changeit"], check=True, capture_output=True)
        server = harness.Arbord(
            extra_args=["--tls-cert", certs["server"], "--tls-key", certs["server_key"],
                        "--thrift-auth", "password", "--users-file",
                        os.path.join(self.tmp, "users"), "--log-level", "debug"]).start()
        try:
            saved, self.server = self.server, server
            try:
                self.run_checks("plain-ssl", self.uri(), "carol", "carol-password",
                                os.path.join(self.tmp, "carol-ssl.jceks"), store, "changeit")
            finally:
                self.server = saved
            log = server.read_log()
            # A TLS-only port: a login proves both layers.
            self.assertIn("authenticated as 'carol' (PLAIN)", log)
        finally:
            server.cleanup()


if __name__ == "__main__":
    unittest.main()

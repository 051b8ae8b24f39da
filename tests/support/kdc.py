"""A throw-away MIT Kerberos KDC for tests (Debian's krb5-kdc, kdb5_util, kadmin.local).

One realm in a temporary directory, the KDC on a free loopback port (TCP and UDP),
and a krb5.conf that clients and servers find through KRB5_CONFIG (Java: the
java.security.krb5.conf property). Principals and keytabs are made with
kadmin.local on the database directly, so no kadmind runs.

    kdc = Kdc().start()              # once per test module: shared_kdc()
    kdc.add_principal("hive/localhost")
    kdc.keytab("/tmp/x/hive.keytab", "hive/localhost")
    env = kdc.env(ccache)            # KRB5_CONFIG, KRB5CCNAME
    kdc.kinit("alice", keytab, ccache)
    kdc.stop()
"""

import atexit
import os
import shutil
import socket
import subprocess
import tempfile
import time

REALM = "ARBOR.TEST"
SBIN = "/usr/sbin"


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Kdc:
    def __init__(self, realm=REALM):
        self.realm = realm
        self.dir = tempfile.mkdtemp(prefix="arbor-kdc-")
        self.port = _free_port()
        self.krb5_conf = os.path.join(self.dir, "krb5.conf")
        self.kdc_conf = os.path.join(self.dir, "kdc.conf")
        self.proc = None

    def _base_env(self):
        env = dict(os.environ)
        env["KRB5_CONFIG"] = self.krb5_conf
        env["KRB5_KDC_PROFILE"] = self.kdc_conf
        return env

    def env(self, ccache=None):
        """The environment a client or server of this realm needs."""
        env = {"KRB5_CONFIG": self.krb5_conf}
        if ccache:
            env["KRB5CCNAME"] = "FILE:" + ccache
        return env

    def start(self, timeout=20):
        d = self.dir
        with open(self.krb5_conf, "w") as f:
            f.write(f"""[libdefaults]
  default_realm = {self.realm}
  dns_lookup_realm = false
  dns_lookup_kdc = false
  rdns = false
  dns_canonicalize_hostname = false
  udp_preference_limit = 1
  ticket_lifetime = 1h
  forwardable = true
  default_ccache_name = FILE:{d}/default.ccache

[realms]
  {self.realm} = {{
    kdc = 127.0.0.1:{self.port}
  }}

[domain_realm]
  localhost = {self.realm}
  127.0.0.1 = {self.realm}
""")
        with open(self.kdc_conf, "w") as f:
            f.write(f"""[kdcdefaults]
  kdc_ports = {self.port}
  kdc_tcp_ports = {self.port}

[realms]
  {self.realm} = {{
    database_name = {d}/principal
    key_stash_file = {d}/stash
    acl_file = {d}/kadm5.acl
    max_life = 1h
    supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal
  }}

[logging]
  kdc = FILE:{d}/kdc.log
""")
        open(os.path.join(d, "kadm5.acl"), "w").close()
        subprocess.run([os.path.join(SBIN, "kdb5_util"), "create", "-s", "-r", self.realm,
                        "-P", "arbor-test-master-key"], env=self._base_env(), check=True,
                       capture_output=True, timeout=60)
        with open(os.path.join(d, "krb5kdc.err"), "w") as err:
            self.proc = subprocess.Popen([os.path.join(SBIN, "krb5kdc"), "-n", "-r", self.realm],
                                         env=self._base_env(), stdout=subprocess.DEVNULL,
                                         stderr=err)
        atexit.register(self.stop)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("krb5kdc exited: " + self.read_log())
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("krb5kdc did not listen on %d" % self.port)

    def kadmin(self, query):
        r = subprocess.run([os.path.join(SBIN, "kadmin.local"), "-r", self.realm, "-q", query],
                           env=self._base_env(), capture_output=True, text=True, timeout=60)
        if r.returncode != 0 or "error" in r.stderr.lower():
            raise RuntimeError("kadmin.local %r: %s %s" % (query, r.stdout, r.stderr))
        return r.stdout

    def add_principal(self, name, password=None):
        if password is None:
            self.kadmin("addprinc -randkey %s" % name)
        else:
            self.kadmin("addprinc -pw %s %s" % (password, name))
        return "%s@%s" % (name, self.realm)

    def keytab(self, path, *names):
        """Writes the principals' current keys to the keytab (not re-keying them)."""
        for name in names:
            self.kadmin("ktadd -norandkey -k %s %s" % (path, name))
        return path

    def kinit(self, principal, keytab, ccache):
        env = self._base_env()
        env["KRB5CCNAME"] = "FILE:" + ccache
        subprocess.run(["kinit", "-k", "-t", keytab, principal], env=env, check=True,
                       capture_output=True, timeout=60)

    def read_log(self):
        out = ""
        for name in ("kdc.log", "krb5kdc.err"):
            p = os.path.join(self.dir, name)
            if os.path.exists(p):
                with open(p, errors="replace") as f:
                    out += f.read()[-3000:]
        return out

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.proc = None
        shutil.rmtree(self.dir, ignore_errors=True)


_shared = None


def shared_kdc():
    """The module's KDC, started on first use and stopped at exit."""
    global _shared
    if _shared is None:
        _shared = Kdc().start()
    return _shared

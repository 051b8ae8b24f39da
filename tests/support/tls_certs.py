"""Throw-away TLS material for tests, made with the openssl command line.

make(dir) writes, in `dir`:
  ca.pem / ca.key            the test CA
  server.pem / server.key    server certificate for 127.0.0.1 and localhost (signed by ca)
  server2.pem / server2.key  a second server certificate (same names, other serial), for
                             reload tests
  client.pem / client.key    client certificate CN=alice (signed by ca)
  expired.pem / expired.key  client certificate CN=mallory, valid 2020-2021 only (by ca)
  other-ca.pem / other-ca.key, stranger.pem / stranger.key
                             a second, unrelated CA and a client certificate it signed
  server-enc.key, key-password.txt  server.key encrypted with a password, and the password
and returns a dict of those paths by stem ("ca", "server", "server_key", ...).
client(dir, cn) adds a client certificate CN=<cn> signed by that ca.
"""

import os
import subprocess

SERVER_EXT = """basicConstraints=CA:FALSE
keyUsage=digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,DNS:localhost
"""
CLIENT_EXT = """basicConstraints=CA:FALSE
keyUsage=digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth
"""
# `openssl ca` is the only way openssl 3.0 sets explicit validity dates (an expired cert).
CA_CONF = """[ca]
default_ca = test
[test]
database = {dir}/index.txt
new_certs_dir = {dir}
serial = {dir}/serial
default_md = sha256
policy = any
copy_extensions = none
x509_extensions = client
[any]
commonName = supplied
[client]
basicConstraints=CA:FALSE
extendedKeyUsage=clientAuth
"""


def _run(args, cwd):
    subprocess.run(["openssl"] + args, cwd=cwd, check=True, capture_output=True)


def _ca(d, name, cn):
    _run(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", name + ".key",
          "-out", name + ".pem", "-days", "30", "-subj", "/O=Arbor tests/CN=" + cn,
          "-addext", "basicConstraints=critical,CA:TRUE",
          "-addext", "keyUsage=critical,keyCertSign,cRLSign"], d)


def _leaf(d, name, cn, ca, ext, days=30):
    _run(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", name + ".key", "-out",
          name + ".csr", "-subj", "/O=Arbor tests/CN=" + cn], d)
    with open(os.path.join(d, name + ".ext"), "w") as f:
        f.write(ext)
    _run(["x509", "-req", "-in", name + ".csr", "-CA", ca + ".pem", "-CAkey", ca + ".key",
          "-CAcreateserial", "-out", name + ".pem", "-days", str(days), "-sha256",
          "-extfile", name + ".ext"], d)


def make(d):
    os.makedirs(d, exist_ok=True)
    _ca(d, "ca", "Arbor test CA")
    _ca(d, "other-ca", "Some other CA")
    _leaf(d, "server", "localhost", "ca", SERVER_EXT)
    _leaf(d, "server2", "localhost", "ca", SERVER_EXT)
    _leaf(d, "client", "alice", "ca", CLIENT_EXT)
    _leaf(d, "stranger", "eve", "other-ca", CLIENT_EXT)
    # Expired: signed by the right CA, valid only in 2020.
    with open(os.path.join(d, "ca.conf"), "w") as f:
        f.write(CA_CONF.format(dir=d))
    open(os.path.join(d, "index.txt"), "w").close()
    with open(os.path.join(d, "serial"), "w") as f:
        f.write("1000\n")
    _run(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "expired.key", "-out",
          "expired.csr", "-subj", "/CN=mallory"], d)
    _run(["ca", "-batch", "-config", "ca.conf", "-cert", "ca.pem", "-keyfile", "ca.key",
          "-in", "expired.csr", "-out", "expired.pem", "-notext",
          "-startdate", "20200101000000Z", "-enddate", "20210101000000Z"], d)
    with open(os.path.join(d, "key-password.txt"), "w") as f:
        f.write("correct horse battery\n")
    _run(["pkey", "-in", "server.key", "-out", "server-enc.key", "-aes256",
          "-passout", "file:key-password.txt"], d)
    paths = {}
    for stem in ("ca", "other-ca", "server", "server2", "client", "expired", "stranger"):
        key = stem.replace("-", "_")
        paths[key] = os.path.join(d, stem + ".pem")
        paths[key + "_key"] = os.path.join(d, stem + ".key")
    paths["server_enc_key"] = os.path.join(d, "server-enc.key")
    paths["key_password"] = os.path.join(d, "key-password.txt")
    return paths


def client(d, cn):
    """A client certificate CN=<cn> signed by make(d)'s CA: (cert path, key path)."""
    name = "client-" + cn
    _leaf(d, name, cn, "ca", CLIENT_EXT)
    return os.path.join(d, name + ".pem"), os.path.join(d, name + ".key")

"""Dataproc Metastore discovery of the DuckDB extension's cloud client (clients/duckdb/
cloud: gcp_auth for Google's credentials, the REST call for the service), driven through
its C ABI by cloud_probe against the local stand-in of Google's two endpoints
(tests/support/dataproc_metastore_standin.py): the service-account key's token_uri
points at the stand-in, which checks the signed JWT before it issues a token, and the
services answer with an arbord-style thrift:// endpoint.

Runs in the cloud venv (deploy/install-cloud-test.sh); CLOUD_PROBE names the probe.
"""

import os
import subprocess
import unittest

from cloud_fixture import CloudFixture

PROBE = os.environ["CLOUD_PROBE"]
NOT_FOUND, ACCESS_DENIED, UNSUPPORTED, UNAVAILABLE = 2, 4, 6, 7
PREFIX = "projects/arbor-project/locations/europe-west1/services/"


def probe(env_extra=None, **kw):
    args = [PROBE, "dataproc", "project=arbor-project", "location=europe-west1"]
    args += [f"{k}={v}" for k, v in kw.items() if v is not None]
    env = {k: v for k, v in os.environ.items()
           if k not in ("GOOGLE_APPLICATION_CREDENTIALS", "CLOUDSDK_CONFIG")}
    env.update(env_extra or {})
    r = subprocess.run(args, capture_output=True, text=True, timeout=120, env=env)
    if r.returncode not in (0, 3):
        raise AssertionError(f"{args} exited {r.returncode}: {r.stdout}{r.stderr}")
    out = r.stdout.splitlines()
    if out and out[0].startswith("error "):
        _, code, message = out[0].split(" ", 2)
        return int(code), message
    return dict(l.split(" ", 1) for l in out)


class DataprocDiscoveryTest(unittest.TestCase):
    ARBORD_PORT = 19083  # what the stand-in reports; nothing connects to it here

    @classmethod
    def setUpClass(cls):
        cls.fx = CloudFixture().start_dataproc(cls.ARBORD_PORT)
        cls.api = cls.fx.dataproc_endpoint

    @classmethod
    def tearDownClass(cls):
        cls.fx.close()

    def test_service_key_file(self):
        before = self.fx.standin_stats()["tokens_issued"]
        got = probe(service="lake", api=self.api, credentials=self.fx.key_file)
        self.assertEqual(got["endpoint"], f"thrift://127.0.0.1:{self.ARBORD_PORT}")
        self.assertEqual(got["protocol"], "THRIFT")
        self.assertEqual(got["state"], "ACTIVE")
        self.assertEqual(got["name"], PREFIX + "lake")
        self.assertIn("service-account key", got["auth"])
        self.assertEqual(self.fx.standin_stats()["tokens_issued"], before + 1)

    def test_application_default_credentials_from_env(self):
        got = probe(service="lake", api=self.api,
                    env_extra={"GOOGLE_APPLICATION_CREDENTIALS": self.fx.key_file})
        self.assertEqual(got["endpoint"], f"thrift://127.0.0.1:{self.ARBORD_PORT}")
        self.assertIn("GOOGLE_APPLICATION_CREDENTIALS", got["auth"])

    def test_not_found(self):
        code, message = probe(service="nope", api=self.api, credentials=self.fx.key_file)
        self.assertEqual(code, NOT_FOUND)
        self.assertIn(f"dataproc GetService({PREFIX}nope): HTTP 404 NOT_FOUND", message)

    def test_permission_denied(self):
        code, message = probe(service="secret-lake", api=self.api, credentials=self.fx.key_file)
        self.assertEqual(code, ACCESS_DENIED)
        self.assertIn("PERMISSION_DENIED", message)
        self.assertIn("metastore.services.get", message)

    def test_grpc_endpoint_is_not_supported_yet(self):
        code, message = probe(service="grpc-lake", api=self.api, credentials=self.fx.key_file)
        self.assertEqual(code, UNSUPPORTED)
        self.assertIn(f"dataproc service {PREFIX}grpc-lake uses the GRPC endpoint protocol", message)
        self.assertIn("not supported yet", message)

    def test_token_the_server_did_not_issue(self):
        code, message = probe(service="lake", api=self.api, token="ya29.forged")
        self.assertEqual(code, ACCESS_DENIED)
        self.assertIn("UNAUTHENTICATED", message)

    def test_key_the_token_endpoint_refuses(self):
        # Same client_email, another private key: the JWT signature does not verify.
        import json
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
        other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        with open(self.fx.key_file) as f:
            key = json.load(f)
        key["private_key"] = other.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                 serialization.NoEncryption()).decode()
        path = os.path.join(self.fx.tmp, "forged-key.json")
        with open(path, "w") as f:
            json.dump(key, f)
        issued = self.fx.standin_stats()["tokens_issued"]
        code, message = probe(service="lake", api=self.api, credentials=path)
        self.assertEqual(code, ACCESS_DENIED)
        # gcp_auth keeps the endpoint's reason in its log only; the stand-in's count
        # shows the refusal happened there.
        self.assertIn(f"no OAuth token for the credentials (service-account key {path})", message)
        self.assertEqual(self.fx.standin_stats()["tokens_issued"], issued)

    def test_missing_names_and_unreachable_api(self):
        code, message = probe(api=self.api, credentials=self.fx.key_file)
        self.assertEqual(code, 1)
        self.assertIn("SERVICE is required", message)
        code, message = probe(service="lake", api="http://127.0.0.1:1", token="t", timeout_ms=5000)
        self.assertEqual(code, UNAVAILABLE)
        self.assertIn("cannot reach http://127.0.0.1:1", message)


if __name__ == "__main__":
    unittest.main(verbosity=2)

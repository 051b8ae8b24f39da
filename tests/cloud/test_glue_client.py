"""The Glue client of the DuckDB extension (clients/duckdb/cloud, AWS's Rust SDK behind a
C ABI), driven through its C ABI by cloud_probe against moto's Glue server on loopback:
listing with pagination, GetTable, GetPartitions with Expression pushdown and segments,
BatchGetPartition, the writes, throttling retried through a proxy that answers
ThrottlingException "Rate exceeded", and credentials a moto with IAM checks refuses.

Runs in the cloud venv (deploy/install-cloud-test.sh); CLOUD_PROBE names the probe.
"""

import os
import subprocess
import sys
import unittest

import cloud_fixture
from cloud_fixture import ACCESS_KEY, REGION, SECRET_KEY, CloudFixture

PROBE = os.environ["CLOUD_PROBE"]
NOT_FOUND, ALREADY_EXISTS, ACCESS_DENIED, THROTTLED = 2, 3, 4, 5


def probe(op, endpoint, env_extra=None, **kw):
    args = [PROBE, op, f"endpoint={endpoint}"]
    kw.setdefault("region", REGION)
    kw.setdefault("key", ACCESS_KEY)
    kw.setdefault("secret", SECRET_KEY)
    args += [f"{k}={v}" for k, v in kw.items() if v is not None]
    # No AWS settings of the machine's: only what the test passes counts.
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["AWS_CONFIG_FILE"] = env["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    env.update(env_extra or {})
    r = subprocess.run(args, capture_output=True, text=True, timeout=120, env=env)
    if r.returncode not in (0, 3):
        raise AssertionError(f"{args} exited {r.returncode}: {r.stdout}{r.stderr}")
    return r.stdout.splitlines()


def error_of(lines):
    """(code, message) of a failed probe run, or None."""
    if lines and lines[0].startswith("error "):
        _, code, message = lines[0].split(" ", 2)
        return int(code), message
    return None


def pages(lines):
    return [int(l.split()[1]) for l in lines if l.startswith("pages ")]


def items(lines):
    return [l for l in lines if not l.startswith("pages ")]


class GlueClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fx = CloudFixture().start_glue().load()
        cls.glue = cls.fx.proxy_endpoint  # Glue-like paging for GetTables/GetDatabases

    @classmethod
    def tearDownClass(cls):
        cls.fx.close()

    def setUp(self):
        self.fx.throttle_next(0)

    def test_databases(self):
        out = probe("databases", self.glue)
        self.assertEqual(sorted(l.split("\t")[0] for l in items(out)), ["big", "sales"])
        self.assertIn(f"sales\tfile://{self.fx.warehouse}/sales", out)

    def test_tables_span_pages(self):
        out = probe("tables", self.glue, db="big")
        want = sorted([f"t{i:03d}" for i in range(cloud_fixture.BIG_TABLES)] + ["many_parts"])
        self.assertEqual(sorted(items(out)), want)
        self.assertEqual(pages(out), [2])  # Glue's 100 per page
        out = probe("tables", self.glue, db="big", page=40)
        self.assertEqual(sorted(items(out)), want)
        self.assertEqual(pages(out), [4])

    def test_get_table(self):
        out = probe("table", self.glue, db="sales", name="events")
        self.assertEqual(out[0], f"table sales.events type=EXTERNAL_TABLE "
                                 f"location=file://{self.fx.warehouse}/sales/events "
                                 "input=org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat "
                                 "serde=org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe")
        self.assertEqual(out[1:], ["column id int", "column name string",
                                   "partkey dt string", "partkey region string"])
        out = probe("table", self.glue, db="sales", name="people")
        self.assertIn("param skip.header.line.count=1", out)
        self.assertIn("serde field.delim=,", out)

    def test_unknown_table_names_operation_and_provider(self):
        code, message = error_of(probe("table", self.glue, db="sales", name="nope"))
        self.assertEqual(code, NOT_FOUND)
        self.assertIn("glue GetTable(sales.nope): EntityNotFoundException", message)
        code, message = error_of(probe("tables", self.glue, db="nodb"))
        self.assertEqual(code, NOT_FOUND)
        self.assertIn("glue GetTables(nodb)", message)

    def test_partitions_span_pages(self):
        out = probe("partitions", self.glue, db="big", table="many_parts")
        values = sorted(int(l.split("\t")[0]) for l in items(out))
        self.assertEqual(values, list(range(cloud_fixture.BIG_PARTITIONS)))
        self.assertEqual(pages(out), [3])
        out = probe("partitions", self.glue, db="big", table="many_parts", page=1000)
        self.assertEqual(pages(out), [1])

    def test_expression_is_evaluated_by_the_server(self):
        # The probe prints what Glue returned, unfiltered: only the server pruned.
        out = probe("partitions", self.glue, db="sales", table="events", expr="dt = '2024-01-02'")
        self.assertEqual(sorted(l.split("\t")[0] for l in items(out)),
                         ["2024-01-02/eu", "2024-01-02/us"])
        self.assertTrue(all(l.split("\t")[1].startswith(f"file://{self.fx.warehouse}/sales/events/dt=2024-01-02/")
                            for l in items(out)))
        out = probe("partitions", self.glue, db="big", table="many_parts", expr="p >= 200 AND p < 205")
        self.assertEqual(sorted(int(l.split("\t")[0]) for l in items(out)), [200, 201, 202, 203, 204])
        out = probe("partitions", self.glue, db="sales", table="events",
                    expr="region IN ('us') AND dt <> '2024-01-01'")
        self.assertEqual(sorted(l.split("\t")[0] for l in items(out)), ["2024-01-02/us", "2024-01-03/us"])
        code, message = error_of(probe("partitions", self.glue, db="sales", table="events", expr="dt = = 1"))
        self.assertIn("glue GetPartitions(sales.events)", message)

    def test_segments_partition_the_listing(self):
        out = probe("partitions", self.glue, db="big", table="many_parts", segments=3)
        values = [int(l.split("\t")[0]) for l in items(out)]
        self.assertEqual(sorted(values), list(range(cloud_fixture.BIG_PARTITIONS)))  # no overlap, no gap
        self.assertEqual(len(pages(out)), 3)

    def test_batch_get_partition(self):
        out = probe("batch-get", self.glue, db="sales", table="events",
                    keys="2024-01-01/eu,2024-01-03/us,2099-01-01/xx")
        self.assertEqual(sorted(l.split("\t")[0] for l in out), ["2024-01-01/eu", "2024-01-03/us"])

    def test_writes(self):
        loc = f"file://{self.fx.warehouse}/sales/written"
        self.assertEqual(probe("create-table", self.glue, db="sales", name="written", location=loc,
                               cols="id:bigint,v:string", parts="d:string"), ["created"])
        code, message = error_of(probe("create-table", self.glue, db="sales", name="written",
                                       location=loc, cols="id:bigint"))
        self.assertEqual(code, ALREADY_EXISTS)
        self.assertIn("glue CreateTable(sales.written)", message)
        self.assertEqual(probe("create-partitions", self.glue, db="sales", table="written",
                               location=loc, values="a,b"), ["created 2"])
        code, message = error_of(probe("create-partitions", self.glue, db="sales", table="written",
                                       location=loc, values="b,c"))
        self.assertEqual(code, ALREADY_EXISTS)
        self.assertIn("partition [\"b\"]", message)
        out = probe("partitions", self.glue, db="sales", table="written")
        self.assertEqual(sorted(l.split("\t")[0] for l in items(out)), ["a", "b", "c"])
        self.assertEqual(probe("drop-table", self.glue, db="sales", name="written"), ["dropped"])
        self.assertEqual(error_of(probe("table", self.glue, db="sales", name="written"))[0], NOT_FOUND)

    def test_throttling_is_retried_with_backoff(self):
        self.fx.throttle_next(2)
        out = probe("tables", self.glue, db="sales", backoff_ms=200, max_backoff_ms=2000)
        self.assertEqual(sorted(items(out)), ["events", "orders", "people"])
        stats = self.fx.proxy_stats()
        self.assertEqual(stats["throttled"], 2)
        self.assertEqual(stats["forwarded"], 1)

    def test_throttling_that_outlasts_the_retries(self):
        self.fx.throttle_next(-1)
        code, message = error_of(probe("table", self.glue, db="sales", name="orders", attempts=4,
                                       backoff_ms=100, max_backoff_ms=400))
        stats = self.fx.proxy_stats()
        self.assertEqual(code, THROTTLED)
        self.assertIn("glue GetTable(sales.orders): ThrottlingException: Rate exceeded", message)
        self.assertEqual(stats["throttled"], 4)  # exactly max_attempts tries
        # Back-off: the retries are spread out (jitter may shrink one, not all).
        t = stats["timestamps"]
        self.assertGreater(t[-1] - t[0], 0.05)

    def test_assume_role(self):
        # STS goes to the same endpoint override (moto serves it): the Glue call must be
        # signed with the role's temporary key, not the base key.
        self.fx.throttle_next(0)  # resets the counters
        out = probe("databases", self.glue, role="arn:aws:iam::123456789012:role/reader")
        self.assertIn("sales", [l.split("\t")[0] for l in items(out)])
        requests = self.fx.proxy_stats()["requests"]
        self.assertEqual([r[0] for r in requests], ["AssumeRole", "AWSGlue.GetDatabases"])
        self.assertEqual(requests[0][1], ACCESS_KEY)
        self.assertEqual(requests[1][2], REGION)
        self.assertNotEqual(requests[1][1], ACCESS_KEY)
        self.assertTrue(requests[1][1].startswith("ASIA"), requests[1][1])

    def test_credential_chain(self):
        """No keys given: AWS's chain finds them in the environment, in a profile of the
        shared files (whose region applies too), or by web identity through STS."""
        tmp = self.fx.tmp
        creds, conf, token = (os.path.join(tmp, n) for n in ("credentials", "config", "token"))
        with open(creds, "w") as f:
            f.write("[arbor]\naws_access_key_id = AKIDPROFILEKEY\naws_secret_access_key = s\n")
        with open(conf, "w") as f:
            f.write("[profile arbor]\nregion = eu-west-1\n")
        with open(token, "w") as f:
            f.write("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhcmJvciJ9.c2ln")

        def signed_by(env, **kw):
            self.fx.throttle_next(0)
            out = probe("databases", self.glue, env_extra=env, key=None, secret=None, **kw)
            self.assertIsNone(error_of(out), out)
            return self.fx.proxy_stats()["requests"]

        self.assertEqual(signed_by({"AWS_ACCESS_KEY_ID": "AKIDENVKEY", "AWS_SECRET_ACCESS_KEY": "s"}),
                         [["AWSGlue.GetDatabases", "AKIDENVKEY", REGION]])
        self.assertEqual(signed_by({"AWS_SHARED_CREDENTIALS_FILE": creds, "AWS_CONFIG_FILE": conf},
                                   profile="arbor", region=None),
                         [["AWSGlue.GetDatabases", "AKIDPROFILEKEY", "eu-west-1"]])
        # STS's endpoint comes from AWS_ENDPOINT_URL_STS (the SDK's own setting): moto.
        requests = signed_by({"AWS_WEB_IDENTITY_TOKEN_FILE": token,
                              "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/web",
                              "AWS_ROLE_SESSION_NAME": "arbor", "AWS_ENDPOINT_URL_STS": self.glue})
        self.assertEqual([r[0] for r in requests], ["AssumeRoleWithWebIdentity", "AWSGlue.GetDatabases"])
        self.assertTrue(requests[1][1].startswith("ASIA"), requests)

    def test_describe_never_shows_the_secret(self):
        out = probe("describe", self.glue, catalog="123456789012")
        self.assertEqual(len(out), 1)
        self.assertIn("provider=glue region=us-east-1", out[0])
        self.assertIn("catalog_id=123456789012 auth=static keys", out[0])
        self.assertNotIn(SECRET_KEY, out[0])

    def test_missing_credentials(self):
        # No keys and an empty credential chain (probe() clears the environment, the
        # shared files and instance metadata): the error says so, no hang.
        code, message = error_of(probe("table", self.glue, db="sales", name="orders", key=None,
                                       secret=None, profile="arbor-no-such-profile", timeout_ms=20000))
        self.assertEqual(code, ACCESS_DENIED, message)
        self.assertIn("glue GetTable(sales.orders)", message)


class GlueBadCredentialsTest(unittest.TestCase):
    """moto with IAM checks on (INITIAL_NO_AUTH_ACTION_COUNT): after the set-up actions
    it verifies the access key exists and the SigV4 signature matches its secret."""

    @classmethod
    def setUpClass(cls):
        cls.fx = CloudFixture().start_auth_glue()
        cls.endpoint, cls.key, cls.secret = cls.fx.auth_endpoint, cls.fx.auth_key, cls.fx.auth_secret

    @classmethod
    def tearDownClass(cls):
        cls.fx.close()

    def test_valid_keys_pass(self):
        out = probe("databases", self.endpoint, key=self.key, secret=self.secret)
        self.assertEqual(items(out), ["guarded\t(null)"])

    def test_wrong_secret_is_refused(self):
        code, message = error_of(probe("databases", self.endpoint, key=self.key,
                                       secret="not-the-secret"))
        self.assertEqual(code, ACCESS_DENIED, message)
        self.assertIn("glue GetDatabases: HTTP 403", message)
        self.assertIn("SignatureDoesNotMatch", message)

    def test_unknown_key_is_refused(self):
        code, message = error_of(probe("databases", self.endpoint, key="AKIDUNKNOWN0000000",
                                       secret=self.secret))
        self.assertEqual(code, ACCESS_DENIED, message)
        self.assertIn("InvalidClientTokenId", message)


if __name__ == "__main__":
    unittest.main(verbosity=2)

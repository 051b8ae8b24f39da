"""Test fixture for the cloud metastore providers: a moto Glue server on a free loopback
port (moto's own server, from the venv deploy/install-cloud-test.sh caches), loaded through
boto3 with databases, tables and partitions whose data files are real Parquet/CSV files
under a file:// warehouse; the throttling proxy in front of it; and the Dataproc
Metastore stand-in (tests/support/dataproc_metastore_standin.py) with a fresh
service-account key whose token_uri points at the stand-in.

Runs inside the cloud venv (boto3, pyarrow, cryptography). Everything it starts is a
child process stopped by close(); the temporary directory goes with it.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
STANDIN = os.path.join(HERE, "..", "support", "dataproc_metastore_standin.py")
REGION = "us-east-1"
# moto accepts any key; these name themselves so nobody mistakes them for real ones.
ACCESS_KEY = "AKIDARBORTESTKEY"
SECRET_KEY = "arbor-test-secret"

# The data the fixture loads (tests assert on it).
ORDERS = [(1, 10.5, "ann"), (2, 20.0, "bob"), (3, 7.25, "cy")]
EVENT_DAYS = ["2024-01-01", "2024-01-02", "2024-01-03"]
EVENT_REGIONS = ["eu", "us"]
BIG_TABLES = 130        # more than one page of GetTables (Glue and moto: 100)
BIG_PARTITIONS = 230    # more than two pages of GetPartitions (moto: 100)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port_file(path, proc, what, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if os.path.exists(path):
            with open(path) as f:
                return int(f.read())
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}")
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not start in {timeout}s")


class CloudFixture:
    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix="arbor-cloud-")
        self.warehouse = os.path.join(self.tmp, "warehouse")
        os.makedirs(self.warehouse)
        self.procs = []
        self.glue_endpoint = None
        self.proxy_endpoint = None
        self.dataproc_endpoint = None
        self.key_file = None
        self.auth_endpoint = self.auth_key = self.auth_secret = None

    # ---- processes ----

    def _spawn(self, args, log_name):
        with open(os.path.join(self.tmp, log_name), "w") as log:
            proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.procs.append(proc)
        return proc

    def _start_moto(self, log_name, env=None):
        port = free_port()
        moto = os.path.join(os.path.dirname(sys.executable), "moto_server")
        with open(os.path.join(self.tmp, log_name), "w") as log:
            proc = subprocess.Popen([moto, "-H", "127.0.0.1", "-p", str(port)], stdout=log,
                                    stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    env=dict(os.environ, **(env or {})))
        self.procs.append(proc)
        endpoint = f"http://127.0.0.1:{port}"
        deadline = time.time() + 60
        while True:
            try:
                # A GET on "/" answers even with IAM checks on (it counts as no action).
                urllib.request.urlopen(endpoint + "/moto-api/", timeout=2).read()
                return endpoint
            except Exception:
                if proc.poll() is not None or time.time() > deadline:
                    with open(os.path.join(self.tmp, log_name)) as f:
                        raise RuntimeError("moto_server did not start:\n" + f.read())
                time.sleep(0.1)

    def start_auth_glue(self):
        """A second moto with IAM checks on (INITIAL_NO_AUTH_ACTION_COUNT): after the three
        set-up actions it verifies the access key exists and the SigV4 signature matches
        its secret. Database `guarded` exists; auth_key/auth_secret are valid."""
        import boto3
        self.auth_endpoint = self._start_moto("moto-auth.log", {"INITIAL_NO_AUTH_ACTION_COUNT": "3"})
        iam = boto3.client("iam", endpoint_url=self.auth_endpoint, region_name=REGION,
                           aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY)
        iam.create_user(UserName="reader")
        iam.put_user_policy(UserName="reader", PolicyName="glue",
                            PolicyDocument='{"Version": "2012-10-17", "Statement": [{"Effect": '
                                           '"Allow", "Action": "glue:*", "Resource": "*"}]}')
        key = iam.create_access_key(UserName="reader")["AccessKey"]
        self.auth_key, self.auth_secret = key["AccessKeyId"], key["SecretAccessKey"]
        boto3.client("glue", endpoint_url=self.auth_endpoint, region_name=REGION,
                     aws_access_key_id=self.auth_key, aws_secret_access_key=self.auth_secret
                     ).create_database(DatabaseInput={"Name": "guarded"})
        return self

    def start_glue(self):
        self.glue_endpoint = self._start_moto("moto.log")
        port = int(self.glue_endpoint.rsplit(":", 1)[1])
        port_file = os.path.join(self.tmp, "proxy.port")
        proc = self._spawn([sys.executable, os.path.join(HERE, "throttle_proxy.py"), str(port), port_file], "proxy.log")
        self.proxy_endpoint = f"http://127.0.0.1:{wait_port_file(port_file, proc, 'throttle proxy')}"
        return self

    def throttle_next(self, n):
        req = urllib.request.Request(f"{self.proxy_endpoint}/__proxy/throttle?next={n}", data=b"", method="POST")
        urllib.request.urlopen(req, timeout=10).read()

    def proxy_stats(self):
        return json.loads(urllib.request.urlopen(f"{self.proxy_endpoint}/__proxy/stats", timeout=10).read())

    def close(self):
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(self.tmp, ignore_errors=True)

    # ---- Glue data ----

    def glue(self):
        import boto3
        return boto3.client("glue", endpoint_url=self.glue_endpoint, region_name=REGION,
                            aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY)

    def _parquet(self, path, columns):
        import pyarrow as pa
        import pyarrow.parquet as pq
        os.makedirs(os.path.dirname(path), exist_ok=True)
        pq.write_table(pa.table(columns), path)

    @staticmethod
    def _parquet_sd(location, cols):
        return {
            "Columns": [{"Name": n, "Type": t} for n, t in cols],
            "Location": location,
            "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
            "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
            "SerdeInfo": {"SerializationLibrary":
                          "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"},
        }

    def load(self):
        glue = self.glue()
        w = self.warehouse
        glue.create_database(DatabaseInput={"Name": "sales", "Description": "sales data",
                                            "LocationUri": f"file://{w}/sales"})
        # sales.orders: unpartitioned Parquet.
        self._parquet(f"{w}/sales/orders/part-0.parquet",
                      {"id": [r[0] for r in ORDERS], "amount": [r[1] for r in ORDERS],
                       "customer": [r[2] for r in ORDERS]})
        glue.create_table(DatabaseName="sales", TableInput={
            "Name": "orders", "TableType": "EXTERNAL_TABLE", "Parameters": {"EXTERNAL": "TRUE"},
            "StorageDescriptor": self._parquet_sd(f"file://{w}/sales/orders",
                                                  [("id", "bigint"), ("amount", "double"), ("customer", "string")])})
        # sales.events: Parquet partitioned by (dt, region); one file and one row per partition.
        cols = [("id", "int"), ("name", "string")]
        glue.create_table(DatabaseName="sales", TableInput={
            "Name": "events", "TableType": "EXTERNAL_TABLE",
            "PartitionKeys": [{"Name": "dt", "Type": "string"}, {"Name": "region", "Type": "string"}],
            "StorageDescriptor": self._parquet_sd(f"file://{w}/sales/events", cols)})
        inputs = []
        n = 0
        for dt in EVENT_DAYS:
            for region in EVENT_REGIONS:
                n += 1
                loc = f"{w}/sales/events/dt={dt}/region={region}"
                self._parquet(f"{loc}/part-0.parquet", {"id": [n], "name": [f"{dt}/{region}"]})
                inputs.append({"Values": [dt, region],
                               "StorageDescriptor": self._parquet_sd(f"file://{loc}", cols)})
        glue.batch_create_partition(DatabaseName="sales", TableName="events", PartitionInputList=inputs)
        # sales.people: CSV with a header line (LazySimpleSerDe).
        os.makedirs(f"{w}/sales/people")
        with open(f"{w}/sales/people/people.csv", "w") as f:
            f.write("name,age\nann,31\nbob,42\n")
        glue.create_table(DatabaseName="sales", TableInput={
            "Name": "people", "TableType": "EXTERNAL_TABLE",
            "Parameters": {"skip.header.line.count": "1"},
            "StorageDescriptor": {
                "Columns": [{"Name": "name", "Type": "string"}, {"Name": "age", "Type": "int"}],
                "Location": f"file://{w}/sales/people",
                "InputFormat": "org.apache.hadoop.mapred.TextInputFormat",
                "OutputFormat": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
                "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
                              "Parameters": {"field.delim": ",", "serialization.format": ","}}}})
        return self.load_big()

    def load_big(self):
        """Database `big`: many tables, and one table with many partitions (pagination)."""
        glue = self.glue()
        w = self.warehouse
        cols = [("id", "int"), ("name", "string")]
        glue.create_database(DatabaseInput={"Name": "big"})
        for i in range(BIG_TABLES):
            glue.create_table(DatabaseName="big", TableInput={
                "Name": f"t{i:03d}", "StorageDescriptor": self._parquet_sd(f"file://{w}/big/t{i:03d}", cols)})
        glue.create_table(DatabaseName="big", TableInput={
            "Name": "many_parts", "PartitionKeys": [{"Name": "p", "Type": "int"}],
            "StorageDescriptor": self._parquet_sd(f"file://{w}/big/many_parts", cols)})
        parts = []
        for i in range(BIG_PARTITIONS):
            loc = f"{w}/big/many_parts/p={i}"
            self._parquet(f"{loc}/part-0.parquet", {"id": [i], "name": [f"n{i}"]})
            parts.append({"Values": [str(i)], "StorageDescriptor": self._parquet_sd(f"file://{loc}", cols)})
        for i in range(0, len(parts), 100):
            glue.batch_create_partition(DatabaseName="big", TableName="many_parts",
                                        PartitionInputList=parts[i:i + 100])
        return self

    def load_mirror(self):
        """Database `sales` as tests/duckdb/fixtures.py builds it in arbord (main only:
        Glue has no branches), so the DuckDB scripts written for the hive provider read
        the same rows through the glue provider."""
        import decimal
        import pyarrow as pa
        glue = self.glue()
        base = os.path.join(self.warehouse, "sales.db")
        glue.create_database(DatabaseInput={"Name": "sales", "LocationUri": "file:" + base})

        def parquet_table(name, cols, parts=(), params=None):
            glue.create_table(DatabaseName="sales", TableInput={
                "Name": name, "Owner": "tester", "Parameters": dict(params or {}),
                "PartitionKeys": [{"Name": k, "Type": t} for k, t in parts],
                "StorageDescriptor": self._parquet_sd("file:" + os.path.join(base, name), cols)})

        def partitions(table, entries):
            glue.batch_create_partition(DatabaseName="sales", TableName=table, PartitionInputList=[
                {"Values": values, "Parameters": params, "StorageDescriptor": {"Location": "file:" + loc}}
                for values, loc, params in entries])

        orders = os.path.join(base, "orders")
        parquet_table("orders", [("id", "bigint"), ("amount", "decimal(10,2)"), ("customer", "string")],
                      parts=[("ds", "string")])
        rows = {"2024-01-01": [(1, "10.50", "ann"), (2, "20.00", "bob")],
                "2024-01-02": [(3, "5.25", "ann"), (4, "7.75", "cid")],
                "2024-01-03": [(5, "100.00", "bob")]}
        entries = []
        for ds, values in rows.items():
            d = os.path.join(orders, "ds=" + ds)
            self._parquet(os.path.join(d, "part-0.parquet"), {
                "id": pa.array([v[0] for v in values], pa.int64()),
                "amount": pa.array([decimal.Decimal(v[1]) for v in values], pa.decimal128(10, 2)),
                "customer": [v[2] for v in values]})
            open(os.path.join(d, "_SUCCESS"), "w").close()
            entries.append(([ds], d, {"numRows": str(len(values))}))
        partitions("orders", entries)

        self._parquet(os.path.join(base, "customers", "000000_0.parquet"),
                      {"id": pa.array([1, 2, 3], pa.int64()), "name": ["ann", "bob", "cid"]})
        # numRows 3000 for 3 rows: DuckDB's estimate shows it comes from the metastore.
        parquet_table("customers", [("id", "bigint"), ("name", "string")], params={"numRows": "3000"})

        hourly = os.path.join(base, "hourly")
        parquet_table("hourly", [("v", "string")], parts=[("h", "int")])
        entries = []
        for h in (1, 2, 10):
            d = os.path.join(hourly, "h=%d" % h)
            self._parquet(os.path.join(d, "data.parquet"), {"v": ["v%d" % h]})
            entries.append(([str(h)], d, {}))
        partitions("hourly", entries)

        def text_table(name, cols, serde, serde_params, params):
            loc = os.path.join(base, name)
            glue.create_table(DatabaseName="sales", TableInput={
                "Name": name, "Owner": "tester", "Parameters": params, "StorageDescriptor": {
                    "Columns": [{"Name": n, "Type": t} for n, t in cols], "Location": "file:" + loc,
                    "InputFormat": "org.apache.hadoop.mapred.TextInputFormat",
                    "OutputFormat": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
                    "SerdeInfo": {"SerializationLibrary": serde, "Parameters": serde_params}}})
            return loc

        events = text_table("events", [("kind", "string"), ("n", "int"), ("note", "string")],
                            "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
                            {"field.delim": "|", "serialization.format": "|",
                             "serialization.null.format": "NULL"}, {"skip.header.line.count": "1"})
        os.makedirs(events, exist_ok=True)
        with open(os.path.join(events, "000000_0"), "w") as f:
            f.write("kind|n|note\nclick|1|first\nview|2|NULL\nclick|NULL|third\n")
        logs = text_table("logs", [("level", "string"), ("n", "int")],
                          "org.apache.hive.hcatalog.data.JsonSerDe", {}, {})
        os.makedirs(logs, exist_ok=True)
        with open(os.path.join(logs, "part-0.json"), "w") as f:
            f.write('{"level": "info", "n": 1}\n{"level": "warn", "n": 2}\n')

        plain = text_table("plain", [("s", "string"), ("n", "int"), ("t", "string")],
                           "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
                           {"serialization.format": "1"}, {})
        os.makedirs(plain, exist_ok=True)
        with open(os.path.join(plain, "000000_0"), "w") as f:
            f.write("a|b\x011\x01x\n\\N\x01\\N\x01y\n")
        quoted = text_table("quoted", [("name", "string"), ("score", "string")],
                            "org.apache.hadoop.hive.serde2.OpenCSVSerde",
                            {"separatorChar": ",", "quoteChar": '"'}, {})
        os.makedirs(quoted, exist_ok=True)
        with open(os.path.join(quoted, "data.csv"), "w") as f:
            f.write('"smith, ann","12"\n"lee","7"\n')
        glue.create_table(DatabaseName="sales", TableInput={
            "Name": "clicks", "Owner": "tester", "StorageDescriptor": {
                "Columns": [{"Name": "id", "Type": "bigint"}, {"Name": "name", "Type": "string"}],
                "Location": "file:" + os.path.join(base, "clicks"),
                "InputFormat": "org.apache.hadoop.hive.ql.io.avro.AvroContainerInputFormat",
                "OutputFormat": "org.apache.hadoop.hive.ql.io.avro.AvroContainerOutputFormat",
                "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.serde2.avro.AvroSerDe"}}})
        parquet_table("ice_nometa", [("id", "bigint"), ("name", "string")], params={"table_type": "ICEBERG"})
        # A Delta table as Spark registers it: the placeholder column, the path in the serde.
        deltas = os.path.join(base, "deltas")
        glue.create_table(DatabaseName="sales", TableInput={
            "Name": "deltas", "Owner": "tester", "TableType": "EXTERNAL_TABLE",
            "Parameters": {"spark.sql.sources.provider": "delta", "EXTERNAL": "TRUE"},
            "StorageDescriptor": {
                "Columns": [{"Name": "col", "Type": "array<string>"}], "Location": "file:" + deltas,
                "InputFormat": "org.apache.hadoop.mapred.SequenceFileInputFormat",
                "OutputFormat": "org.apache.hadoop.hive.ql.io.HiveSequenceFileOutputFormat",
                "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
                              "Parameters": {"path": "file:" + deltas, "serialization.format": "1"}}}})

        glue.create_table(DatabaseName="sales", TableInput={
            "Name": "legacy", "Owner": "tester", "StorageDescriptor": {
                "Columns": [{"Name": "id", "Type": "bigint"}, {"Name": "name", "Type": "string"}],
                "Location": "file:" + os.path.join(base, "legacy"),
                "InputFormat": "org.apache.hadoop.hive.ql.io.orc.OrcInputFormat",
                "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.ql.io.orc.OrcSerde"}}})

        # An Iceberg table as Glue registers them (table_type=ICEBERG); no metadata behind it.
        parquet_table("ice", [("id", "bigint"), ("name", "string")],
                      params={"table_type": "ICEBERG",
                              "metadata_location": "file:" + os.path.join(base, "ice", "metadata", "v1.metadata.json")})

        parquet_table("oddloc", [("v", "bigint")], parts=[("k", "string")])
        elsewhere = os.path.join(self.warehouse, "elsewhere", "batch-17")
        self._parquet(os.path.join(elsewhere, "f.parquet"), {"v": pa.array([42], pa.int64())})
        partitions("oddloc", [(["x y"], elsewhere, {})])
        return self

    # ---- Dataproc stand-in ----

    def start_dataproc(self, arbord_port):
        """Starts the stand-in with services: `lake` (THRIFT at arbord_port), `grpc-lake`
        (GRPC), `secret-lake` (permission denied); writes a service-account key file."""
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        private_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption()).decode()
        public_pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo).decode()
        email = "arbor-test@arbor-project.iam.gserviceaccount.com"
        prefix = "projects/arbor-project/locations/europe-west1/services/"
        config = {
            "public_key_pem": public_pem,
            "client_email": email,
            "services": {
                prefix + "lake": {
                    "endpointUri": f"thrift://127.0.0.1:{arbord_port}", "port": arbord_port,
                    "state": "ACTIVE",
                    "hiveMetastoreConfig": {"version": "3.1.2", "endpointProtocol": "THRIFT"}},
                prefix + "grpc-lake": {
                    "endpointUri": "https://grpc-lake-abc.metastore.googleapis.com", "port": 443,
                    "state": "ACTIVE",
                    "hiveMetastoreConfig": {"version": "3.1.2", "endpointProtocol": "GRPC"}},
            },
            "denied": [prefix + "secret-lake"],
        }
        config_file = os.path.join(self.tmp, "standin.json")
        with open(config_file, "w") as f:
            json.dump(config, f)
        port_file = os.path.join(self.tmp, "standin.port")
        proc = self._spawn([sys.executable, STANDIN, config_file, port_file], "standin.log")
        port = wait_port_file(port_file, proc, "dataproc stand-in")
        self.dataproc_endpoint = f"http://127.0.0.1:{port}"
        self.key_file = os.path.join(self.tmp, "service-account.json")
        with open(self.key_file, "w") as f:
            json.dump({"type": "service_account", "project_id": "arbor-project",
                       "private_key_id": "standin", "private_key": private_pem,
                       "client_email": email, "client_id": "1",
                       "token_uri": f"{self.dataproc_endpoint}/token"}, f)
        return self

    def standin_stats(self):
        return json.loads(urllib.request.urlopen(f"{self.dataproc_endpoint}/__standin/stats", timeout=10).read())


def main():
    """Serves the fixture to a test in another venv (the DuckDB one):
    cloud_fixture.py STATE_FILE [--dataproc ARBORD_PORT] starts moto (loaded), the proxy
    and optionally the Dataproc stand-in, writes their addresses as JSON to STATE_FILE,
    and stops everything when its standard input closes."""
    import argparse
    parser = argparse.ArgumentParser()
    parser.add_argument("state_file")
    parser.add_argument("--dataproc", type=int, default=None, metavar="ARBORD_PORT")
    args = parser.parse_args()
    fx = CloudFixture()
    try:
        fx.start_glue().load_mirror().load_big().start_auth_glue()
        if args.dataproc is not None:
            fx.start_dataproc(args.dataproc)
        state = {"glue_endpoint": fx.glue_endpoint, "proxy_endpoint": fx.proxy_endpoint,
                 "warehouse": fx.warehouse, "dataproc_endpoint": fx.dataproc_endpoint,
                 "key_file": fx.key_file, "region": REGION, "access_key": ACCESS_KEY,
                 "secret_key": SECRET_KEY, "auth_endpoint": fx.auth_endpoint,
                 "auth_key": fx.auth_key, "auth_secret": fx.auth_secret}
        with open(args.state_file + ".tmp", "w") as f:
            json.dump(state, f)
        os.replace(args.state_file + ".tmp", args.state_file)
        sys.stdin.read()
    finally:
        fx.close()


if __name__ == "__main__":
    main()

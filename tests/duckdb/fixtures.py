"""The data every DuckDB extension script sees, built through the Hive Thrift API.

Database `sales` (warehouse/sales.db), committed on main, then branch `dev` and tag `v1`:
  orders     Parquet, partitioned by ds string: 2024-01-01 (2 rows), -02 (2), -03 (1);
             a _SUCCESS marker that must not be read; numRows per partition
  customers  Parquet, unpartitioned, 3 rows, numRows=3000 (so estimates show where they come from)
  hourly     Parquet, partitioned by h int: 1, 2, 10 (one row each; numeric order)
  events     text, LazySimpleSerDe: '|' delimiter, 'NULL' null format, one header line
  logs       JSON (JsonSerDe), 2 rows
  plain      text as Hive's CREATE TABLE ... STORED AS TEXTFILE leaves it: no field.delim, so
             Hive's defaults apply (Ctrl-A between fields, backslash-N for NULL)
  quoted     text, OpenCSVSerde: ',' separator, '"' quotes around fields holding commas
  clicks     Avro (read_avro needs DuckDB's avro extension, not loaded in the tests)
  legacy     ORC (DuckDB cannot read it)
  ice        an Iceberg table as Iceberg's HiveCatalog registers it (table_type=ICEBERG,
             metadata_location); no metadata behind it (lakehouse.test reads it through a
             stand-in iceberg extension)
  ice_nometa table_type=ICEBERG without metadata_location
  deltas     a Delta table as Spark registers it: spark.sql.sources.provider=delta, the
             placeholder column `col array<string>`, its directory also in serde param `path`
  oddloc     Parquet, partitioned by k string, partition stored outside any k=... path
On branch dev only: orders partition ds=2024-01-04 (1 row).
"""

import os
import socket

import duckdb
import harness
from harness import admin_call, hms, make_partition, make_table


def dead_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def write(con, sql, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    con.execute("COPY (%s) TO '%s'" % (sql, path) + (" (FORMAT parquet)" if path.endswith(".parquet") else ""))


def text_table(db, name, cols, location, serde, params, table_params):
    t = make_table(db, name, cols=cols, location="file:" + location, params=table_params)
    t.sd.inputFormat = "org.apache.hadoop.mapred.TextInputFormat"
    t.sd.outputFormat = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
    t.sd.serdeInfo = hms.SerDeInfo(serializationLib=serde, parameters=params)
    return t


def build(server, warehouse, versioned=True):
    """versioned=False: a plain Hive Metastore (no admin API, no refs): no dev/v1."""
    c = server.client()
    con = duckdb.connect()
    base = os.path.join(warehouse, "sales.db")
    c.create_database(hms.Database(name="sales", locationUri="file:" + base, parameters={}))

    orders = os.path.join(base, "orders")
    c.create_table(make_table("sales", "orders", cols=(("id", "bigint"), ("amount", "decimal(10,2)"),
                                                       ("customer", "string")),
                              part_keys=(("ds", "string"),), location="file:" + orders))
    rows = {"2024-01-01": [(1, "10.50", "ann"), (2, "20.00", "bob")],
            "2024-01-02": [(3, "5.25", "ann"), (4, "7.75", "cid")],
            "2024-01-03": [(5, "100.00", "bob")]}
    parts = []
    for ds, values in rows.items():
        d = os.path.join(orders, "ds=" + ds)
        sql = " UNION ALL ".join("SELECT %d::BIGINT AS id, %s::DECIMAL(10,2) AS amount, '%s' AS customer" % v
                                 for v in values)
        write(con, sql, os.path.join(d, "part-0.parquet"))
        open(os.path.join(d, "_SUCCESS"), "w").close()
        p = make_partition("sales", "orders", [ds], location="file:" + d)
        p.parameters = {"numRows": str(len(values))}
        parts.append(p)
    c.add_partitions(parts)

    customers = os.path.join(base, "customers")
    write(con, "SELECT * FROM (VALUES (1::BIGINT, 'ann'), (2, 'bob'), (3, 'cid')) t(id, name)",
          os.path.join(customers, "000000_0.parquet"))
    c.create_table(make_table("sales", "customers", location="file:" + customers,
                              params={"numRows": "3000"}))

    hourly = os.path.join(base, "hourly")
    c.create_table(make_table("sales", "hourly", cols=(("v", "string"),), part_keys=(("h", "int"),),
                              location="file:" + hourly))
    parts = []
    for h in (1, 2, 10):
        d = os.path.join(hourly, "h=%d" % h)
        write(con, "SELECT 'v%d' AS v" % h, os.path.join(d, "data.parquet"))
        parts.append(make_partition("sales", "hourly", [str(h)], location="file:" + d))
    c.add_partitions(parts)

    events = os.path.join(base, "events")
    os.makedirs(events, exist_ok=True)
    with open(os.path.join(events, "000000_0"), "w") as f:
        f.write("kind|n|note\nclick|1|first\nview|2|NULL\nclick|NULL|third\n")
    c.create_table(text_table("sales", "events", (("kind", "string"), ("n", "int"), ("note", "string")),
                              events, "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
                              {"field.delim": "|", "serialization.format": "|",
                               "serialization.null.format": "NULL"},
                              {"skip.header.line.count": "1"}))

    logs = os.path.join(base, "logs")
    os.makedirs(logs, exist_ok=True)
    with open(os.path.join(logs, "part-0.json"), "w") as f:
        f.write('{"level": "info", "n": 1}\n{"level": "warn", "n": 2}\n')
    c.create_table(text_table("sales", "logs", (("level", "string"), ("n", "int")), logs,
                              "org.apache.hive.hcatalog.data.JsonSerDe", {}, {}))

    plain = os.path.join(base, "plain")
    os.makedirs(plain, exist_ok=True)
    with open(os.path.join(plain, "000000_0"), "w") as f:
        f.write("a|b\x011\x01x\n\\N\x01\\N\x01y\n")
    c.create_table(text_table("sales", "plain", (("s", "string"), ("n", "int"), ("t", "string")), plain,
                              "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
                              {"serialization.format": "1"}, {}))

    quoted = os.path.join(base, "quoted")
    os.makedirs(quoted, exist_ok=True)
    with open(os.path.join(quoted, "data.csv"), "w") as f:
        f.write('"smith, ann","12"\n"lee","7"\n')
    c.create_table(text_table("sales", "quoted", (("name", "string"), ("score", "string")), quoted,
                              "org.apache.hadoop.hive.serde2.OpenCSVSerde",
                              {"separatorChar": ",", "quoteChar": '"'}, {}))

    clicks = make_table("sales", "clicks", location="file:" + os.path.join(base, "clicks"))
    clicks.sd.inputFormat = "org.apache.hadoop.hive.ql.io.avro.AvroContainerInputFormat"
    clicks.sd.outputFormat = "org.apache.hadoop.hive.ql.io.avro.AvroContainerOutputFormat"
    clicks.sd.serdeInfo = hms.SerDeInfo(serializationLib="org.apache.hadoop.hive.serde2.avro.AvroSerDe",
                                        parameters={})
    c.create_table(clicks)

    legacy = make_table("sales", "legacy", location="file:" + os.path.join(base, "legacy"))
    legacy.sd.inputFormat = "org.apache.hadoop.hive.ql.io.orc.OrcInputFormat"
    legacy.sd.serdeInfo = hms.SerDeInfo(serializationLib="org.apache.hadoop.hive.ql.io.orc.OrcSerde",
                                        parameters={})
    c.create_table(legacy)

    ice = make_table("sales", "ice", location="file:" + os.path.join(base, "ice"),
                     params={"table_type": "ICEBERG",
                             "metadata_location": "file:" + os.path.join(base, "ice", "metadata", "v1.metadata.json")})
    c.create_table(ice)

    c.create_table(make_table("sales", "ice_nometa", location="file:" + os.path.join(base, "ice_nometa"),
                              params={"table_type": "ICEBERG"}))

    deltas = os.path.join(base, "deltas")
    delta = make_table("sales", "deltas", cols=(("col", "array<string>"),), location="file:" + deltas,
                       params={"spark.sql.sources.provider": "delta"})
    delta.sd.inputFormat = "org.apache.hadoop.mapred.SequenceFileInputFormat"
    delta.sd.outputFormat = "org.apache.hadoop.hive.ql.io.HiveSequenceFileOutputFormat"
    delta.sd.serdeInfo = hms.SerDeInfo(serializationLib="org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
                                       parameters={"path": "file:" + deltas, "serialization.format": "1"})
    c.create_table(delta)

    oddloc = os.path.join(base, "oddloc")
    c.create_table(make_table("sales", "oddloc", cols=(("v", "bigint"),), part_keys=(("k", "string"),),
                              location="file:" + oddloc))
    elsewhere = os.path.join(warehouse, "elsewhere", "batch-17")
    write(con, "SELECT 42::BIGINT AS v", os.path.join(elsewhere, "f.parquet"))
    c.add_partitions([make_partition("sales", "oddloc", ["x y"], location="file:" + elsewhere)])

    if not versioned:
        c.close()
        con.close()
        return
    port = server.http_port
    status, out = admin_call(port, "POST", "/api/v1/branches/main/commits", {"message": "fixtures"})
    assert status == 201, (status, out)
    status, out = admin_call(port, "POST", "/api/v1/branches", {"name": "dev", "source": "main"})
    assert status == 201, (status, out)
    status, out = admin_call(port, "POST", "/api/v1/tags", {"name": "v1", "ref": "main"})
    assert status in (200, 201), (status, out)

    d = os.path.join(orders, "ds=2024-01-04")
    write(con, "SELECT 6::BIGINT AS id, 1.00::DECIMAL(10,2) AS amount, 'dev' AS customer",
          os.path.join(d, "part-0.parquet"))
    c.add_partitions([make_partition("sales@dev", "orders", ["2024-01-04"], location="file:" + d)])
    c.close()
    con.close()

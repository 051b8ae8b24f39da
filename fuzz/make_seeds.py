#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz target into fuzz/corpus/<target>/ (committed).

Run from the repository root, after a build (the Thrift seeds are written by the
generated Python client): /usr/bin/python3 fuzz/make_seeds.py [build/thrift/gen-py]
The seeds are small valid inputs that lead the fuzzers into the interesting code fast.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def varint(n):
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def filters():
    seeds = [
        (0x00, 'ds = "2024-01-01"'),
        (0x04, "hr > 5 and ds like '20%'"),
        (0x24, "(ds = 'a' or hr between 1 and 3) and not hr = 7"),
        (0x04, "hr in (1, 2, 3)"),
        (0x24, "d >= '2024-01-01' and d < '2024-02-01'"),
        (0xE4, "ts = '2024-01-01 10:00:00.5' or ts <> '1970-01-01 00:00:00'"),
        (0x04, "(ds, hr) in (('a', 1), ('b', 2))"),
        (0x00, "ds != \"x\" and (ds <= 'z' or ds >= 'a')"),
    ]
    for i, (b, f) in enumerate(seeds):
        write("fuzz_partition_filter", "seed%d" % i, bytes([b]) + f.encode())


def names():
    for i, s in enumerate(["sales@dev", "@hive#sales@dev~2^1", "@hive#", "@hive#!", "main~3",
                           "3f9c2a71^2", "sales*@dev", "Sales@v2024", "db@main^0~10"]):
        write("fuzz_names", "seed%d" % i, s)


def stored_values():
    leaf = bytes([1]) + varint(0) + varint(2)
    leaf += varint(0) + varint(3) + b"abc" + bytes([0]) + varint(5) + b"hello"
    leaf += varint(2) + varint(1) + b"d" + bytes([1]) + bytes(range(32))
    write("fuzz_stored_values", "leaf", leaf)
    internal = bytes([1]) + varint(1) + varint(1) + varint(0) + varint(3) + b"xyz"
    internal += bytes(32) + varint(7)
    write("fuzz_stored_values", "internal", internal)
    write("fuzz_stored_values", "staged_put", b"P\x0a\x05sales")
    write("fuzz_stored_values", "staged_delete", b"D")
    commit = b"\x0a\x20" + bytes(32) + b"\x12\x20" + bytes(range(32)) + b"\x1a\x02me"
    commit += b"\x22\x02hi\x28\x01\x38\x02\x48\x02"
    write("fuzz_stored_values", "commit", commit)


def admin():
    seeds = [
        "GET /api/v1/branches\n\n",
        'POST /api/v1/branches\ncontent-type: application/json\n\n{"name":"x","source":"main"}',
        "GET /api/v1/refs/main/databases/sales/tables?limit=5\n\n",
        'POST /api/v1/branches/dev/merge\n\n{"source":"main","dry_run":true,"strategy":"source-wins"}',
        'POST /api/v1/gc\n\n{"dry_run":true,"grace_seconds":"0"}',
        "GET /api/v1/refs/main~1/diff/dev?limit=3\n\n",
        'PUT /api/v1/branches/dev/commit-mode\n\n{"mode":"auto"}',
        'POST /api/v1/branches/dev/commits\n\n{"message":"m","allow_empty":true}',
        "GET /api/v1/refs/v1/databases/sales/tables/orders/partitions?offset=2&limit=1\n\n",
        "DELETE /api/v1/tags/v%31\nauthorization: Bearer x\n\n",
    ]
    for i, s in enumerate(seeds):
        write("fuzz_admin_api", "seed%d" % i, s)


def thrift_requests(gen_py):
    """Sequences of real requests, as Hive's and Spark's clients send them, written
    by the generated client into a memory buffer: one file per sequence and protocol
    (first byte 0: binary, 1: compact)."""
    sys.path.insert(0, gen_py)
    from thrift.protocol import TBinaryProtocol, TCompactProtocol
    from thrift.transport import TTransport
    from hive_metastore import ThriftHiveMetastore as service
    from hive_metastore import ttypes as hms

    def sd(location=None):
        return hms.StorageDescriptor(
            cols=[hms.FieldSchema(name="id", type="bigint"), hms.FieldSchema(name="v", type="string")],
            location=location, inputFormat="org.apache.hadoop.mapred.TextInputFormat",
            outputFormat="org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
            serdeInfo=hms.SerDeInfo(serializationLib="org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
                                    parameters={"field.delim": ","}),
            bucketCols=[], sortCols=[], parameters={}, numBuckets=-1, compressed=False)

    table = hms.Table(tableName="orders", dbName="sales", owner="me", sd=sd(), tableType="MANAGED_TABLE",
                      partitionKeys=[hms.FieldSchema(name="ds", type="string"),
                                     hms.FieldSchema(name="hr", type="int")],
                      parameters={"comment": "x"})

    def part(ds, hr, db="sales"):
        return hms.Partition(values=[ds, str(hr)], dbName=db, tableName="orders",
                             sd=sd(), parameters={})

    stats = hms.ColumnStatistics(
        statsDesc=hms.ColumnStatisticsDesc(isTblLevel=False, dbName="sales", tableName="orders",
                                           partName="ds=2024-01-01/hr=1"),
        statsObj=[hms.ColumnStatisticsObj(colName="id", colType="bigint", statsData=hms.ColumnStatisticsData(
            longStats=hms.LongColumnStatsData(lowValue=1, highValue=9, numNulls=0, numDVs=3)))],
        engine="hive")
    lock = hms.LockRequest(component=[hms.LockComponent(type=hms.LockType.SHARED_READ, level=hms.LockLevel.TABLE,
                                                        dbname="sales", tablename="orders")],
                           user="me", hostname="h")
    sequences = {
        "tables": [
            ("create_table", table),
            ("get_table_req", hms.GetTableRequest(dbName="sales", tblName="orders")),
            ("get_tables", "sales", "*"),
            ("get_table_meta", "sal*", "*", []),
            ("alter_table", "sales", "orders", table),
            ("get_fields_req", hms.GetFieldsRequest(dbName="sales", tblName="orders")),
            ("drop_table", "sales", "orders", False),
        ],
        "partitions": [
            ("create_table", table),
            ("add_partitions", [part("2024-01-01", 1), part("2024-01-02", 2), part("a/b", 3)]),
            ("get_partitions", "sales", "orders", -1),
            ("get_partitions_by_filter", "sales", "orders", 'ds > "2024" and hr < 3', -1),
            ("get_partition_by_name", "sales", "orders", "ds=2024-01-01/hr=1"),
            ("get_partitions_by_names", "sales", "orders", ["ds=a%2Fb/hr=3", "ds=x/hr=1"]),
            ("get_partition_names", "sales", "orders", -1),
            ("get_partitions_pspec", "sales", "orders", -1),
            ("drop_partition_by_name", "sales", "orders", "ds=2024-01-02/hr=2", False),
        ],
        "branch": [
            ("get_database", "sales@dev"),
            ("create_table", hms.Table(tableName="t", dbName="sales@dev", sd=sd("s3a://b/t"),
                                       partitionKeys=[], tableType="EXTERNAL_TABLE",
                                       parameters={"EXTERNAL": "TRUE"})),
            ("get_table_objects_by_name_req", hms.GetTablesRequest(dbName="sales@dev", tblNames=["t", "x"])),
            ("get_all_tables", "@hive#sales@dev"),
            ("create_database", hms.Database(name="d2", description="x", parameters={})),
            ("get_databases", "*"),
            ("drop_database", "d2", True, True),
        ],
        "statistics": [
            ("create_table", table),
            ("add_partition", part("2024-01-01", 1)),
            ("update_partition_column_statistics", stats),
            ("get_partitions_statistics_req", hms.PartitionsStatsRequest(
                dbName="sales", tblName="orders", colNames=["id"], partNames=["ds=2024-01-01/hr=1"],
                engine="hive")),
            ("get_aggr_stats_for", hms.PartitionsStatsRequest(
                dbName="sales", tblName="orders", colNames=["id"], partNames=["ds=2024-01-01/hr=1"],
                engine="hive")),
            ("lock", lock),
            ("show_locks", hms.ShowLocksRequest()),
            ("unlock", hms.UnlockRequest(lockid=1)),
        ],
        "functions": [
            ("create_function", hms.Function(functionName="f", dbName="sales", className="x.Y",
                                             ownerName="me", ownerType=hms.PrincipalType.USER,
                                             functionType=hms.FunctionType.JAVA, resourceUris=[])),
            ("get_functions", "sales", "*"),
            ("get_function", "sales", "f"),
            ("drop_function", "sales", "f"),
            ("getMetaConf", "hive.metastore.try.direct.sql"),
            ("get_config_value", "hive.exec.default.partition.name", "x"),
        ],
    }
    for protocol, factory in ((0, TBinaryProtocol.TBinaryProtocol),
                              (1, TCompactProtocol.TCompactProtocol)):
        for name, calls in sequences.items():
            buf = TTransport.TMemoryBuffer()
            client = service.Client(factory(buf))
            for method, *args in calls:
                getattr(client, "send_" + method)(*args)
            write("fuzz_thrift_request", "%s-%s" % (name, ("binary", "compact")[protocol]),
                  bytes([protocol]) + buf.getvalue())


if __name__ == "__main__":
    filters()
    names()
    stored_values()
    admin()
    here = os.path.dirname(HERE)
    thrift_requests(sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "build", "thrift", "gen-py"))

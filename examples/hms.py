#!/usr/bin/python3
"""A tiny Hive Metastore client for trying Arbor from a shell.

It speaks the same Thrift API that Spark, Hive, Trino and Iceberg use, through
Debian's python3-thrift and the client generated at build time:

    export PYTHONPATH=build/thrift/gen-py
    /usr/bin/python3 examples/hms.py create-table default orders --column id:bigint --partition-key ds:string

Database names may carry a ref: `sales@dev` reads and writes branch `dev`,
`sales@v1` reads tag `v1`. The server is 127.0.0.1:9083 (what `make run` starts)
unless --port or ARBOR_THRIFT_PORT says otherwise.
"""

import argparse
import os
import sys

from thrift.protocol import TBinaryProtocol
from thrift.transport import TSocket, TTransport

from hive_metastore import ThriftHiveMetastore
from hive_metastore import ttypes as hms


def connect(host, port):
    transport = TTransport.TBufferedTransport(TSocket.TSocket(host, port))
    client = ThriftHiveMetastore.Client(TBinaryProtocol.TBinaryProtocol(transport))
    transport.open()
    return client, transport


def pairs(items, sep):
    out = []
    for item in items or []:
        if sep not in item:
            raise SystemExit("expected NAME%sVALUE, got %r" % (sep, item))
        out.append(tuple(item.split(sep, 1)))
    return out


def create_table(c, args):
    cols = [hms.FieldSchema(name=n, type=t) for n, t in pairs(args.column, ":")]
    keys = [hms.FieldSchema(name=n, type=t) for n, t in pairs(args.partition_key, ":")]
    sd = hms.StorageDescriptor(
        cols=cols, location=args.location,
        inputFormat="org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
        outputFormat="org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
        serdeInfo=hms.SerDeInfo(
            serializationLib="org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
            parameters={}))
    c.create_table(hms.Table(dbName=args.db, tableName=args.table, sd=sd, partitionKeys=keys,
                             parameters={}))
    print("created table %s.%s" % (args.db, args.table))


def add_partition(c, args):
    spec = dict(pairs(args.spec, "="))
    table = c.get_table(args.db, args.table)
    values = [spec[k.name] for k in table.partitionKeys]
    p = c.add_partition(hms.Partition(dbName=args.db, tableName=args.table, values=values))
    print("added partition %s at %s" % ("/".join(args.spec), p.sd.location))


def set_param(c, args):
    table = c.get_table(args.db, args.table)
    for k, v in pairs(args.param, "="):
        table.parameters[k] = v
    c.alter_table(args.db, args.table, table)
    print("altered table %s.%s" % (args.db, args.table))


def get_table(c, args):
    t = c.get_table(args.db, args.table)
    print("%s.%s  %s  %s" % (t.dbName, t.tableName, t.tableType, t.sd.location))
    for col in t.sd.cols:
        print("  %s %s" % (col.name, col.type))
    for k, v in sorted(t.parameters.items()):
        print("  %s=%s" % (k, v))


def get_partitions(c, args):
    for name in c.get_partition_names(args.db, args.table, -1):
        print(name)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("ARBOR_THRIFT_PORT", 9083)))
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("create-table", help="create a table")
    p.add_argument("db"), p.add_argument("table")
    p.add_argument("--column", action="append", help="NAME:TYPE, repeatable")
    p.add_argument("--partition-key", action="append", help="NAME:TYPE, repeatable")
    p.add_argument("--location")
    p.set_defaults(fn=create_table)
    p = sub.add_parser("add-partition", help="add a partition, e.g. ds=2024-01-01")
    p.add_argument("db"), p.add_argument("table"), p.add_argument("spec", nargs="+")
    p.set_defaults(fn=add_partition)
    p = sub.add_parser("set-param", help="set table parameters, e.g. owner=me")
    p.add_argument("db"), p.add_argument("table"), p.add_argument("param", nargs="+")
    p.set_defaults(fn=set_param)
    p = sub.add_parser("get-table", help="show a table")
    p.add_argument("db"), p.add_argument("table")
    p.set_defaults(fn=get_table)
    p = sub.add_parser("get-partitions", help="list partition names")
    p.add_argument("db"), p.add_argument("table")
    p.set_defaults(fn=get_partitions)
    args = parser.parse_args()
    try:
        client, transport = connect(args.host, args.port)
    except TTransport.TTransportException as e:
        sys.exit("hms.py: cannot reach arbord at %s:%d (%s); is `make run` running?"
                 % (args.host, args.port, e))
    try:
        args.fn(client, args)
    except (hms.MetaException, hms.NoSuchObjectException, hms.AlreadyExistsException,
            hms.InvalidObjectException, hms.InvalidOperationException) as e:
        sys.exit("hms.py: %s: %s" % (type(e).__name__, e.message))
    finally:
        transport.close()


if __name__ == "__main__":
    main()

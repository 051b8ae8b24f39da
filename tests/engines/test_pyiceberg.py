"""Flow D: PyIceberg's HiveCatalog against arbord.

PyIceberg speaks Thrift to the metastore itself (no JVM): namespaces are Hive
databases, an Iceberg table is a Hive table whose `metadata_location` parameter is
swapped under a Hive lock on each commit. Branches ride in the namespace name
(`lake@dev`). Warehouses are local file:// folders.
"""

import threading

import pyarrow as pa
import pytest
from pyiceberg.catalog import load_catalog
from pyiceberg.exceptions import CommitFailedException, NoSuchTableError
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.transforms import DayTransform, IdentityTransform
from pyiceberg.types import LongType, NestedField, StringType, TimestampType

SCHEMA = Schema(
    NestedField(1, "id", LongType(), required=False),
    NestedField(2, "kind", StringType(), required=False),
    NestedField(3, "ts", TimestampType(), required=False),
)
SPEC = PartitionSpec(PartitionField(source_id=3, field_id=1000, transform=DayTransform(),
                                    name="ts_day"))


def arrow_rows(ids, kind="a"):
    import datetime
    return pa.table({
        "id": pa.array(ids, pa.int64()),
        "kind": pa.array([kind] * len(ids), pa.string()),
        "ts": pa.array([datetime.datetime(2024, 1, 1 + i % 3, 12) for i in ids],
                       pa.timestamp("us")),
    })


@pytest.fixture(scope="module")
def catalog(server, tmp_path_factory):
    warehouse = "file://" + str(tmp_path_factory.mktemp("pyiceberg-warehouse"))

    def make():
        return load_catalog("arbor", type="hive", uri=server.uri, warehouse=warehouse)
    cat = make()
    cat.make = make
    return cat


def ids_of(table):
    return sorted(table.scan().to_arrow()["id"].to_pylist())


def test_namespaces_tables_append_scan(catalog):
    catalog.create_namespace("lake", {"owner": "pyiceberg"})
    assert ("lake",) in catalog.list_namespaces()
    assert catalog.load_namespace_properties("lake").get("owner") == "pyiceberg"
    table = catalog.create_table("lake.events", schema=SCHEMA, partition_spec=SPEC)
    table.append(arrow_rows([1, 2, 3]))
    table.append(arrow_rows([4]))
    assert ids_of(catalog.load_table("lake.events")) == [1, 2, 3, 4]
    assert ("lake", "events") in catalog.list_tables("lake")
    assert len(catalog.load_table("lake.events").snapshots()) == 2


def test_partition_pruned_scan(catalog):
    from pyiceberg.expressions import EqualTo
    table = catalog.load_table("lake.events")
    got = table.scan(row_filter=EqualTo("id", 4)).to_arrow()
    assert got["id"].to_pylist() == [4]


def test_schema_evolution(catalog):
    table = catalog.load_table("lake.events")
    with table.update_schema() as update:
        update.add_column("note", StringType())
    table = catalog.load_table("lake.events")
    assert "note" in [f.name for f in table.schema().fields]
    data = arrow_rows([5]).append_column("note", pa.array(["hi"], pa.string()))
    table.append(data)
    got = catalog.load_table("lake.events").scan().to_arrow().to_pylist()
    assert {r["id"]: r["note"] for r in got} == {1: None, 2: None, 3: None, 4: None, 5: "hi"}


def test_identity_partitioned_table_and_drop(catalog):
    schema = Schema(NestedField(1, "id", LongType(), required=False),
                    NestedField(2, "region", StringType(), required=False))
    spec = PartitionSpec(PartitionField(source_id=2, field_id=1000,
                                        transform=IdentityTransform(), name="region"))
    table = catalog.create_table("lake.regions", schema=schema, partition_spec=spec)
    table.append(pa.table({"id": pa.array([1, 2], pa.int64()),
                           "region": pa.array(["eu", "us"], pa.string())}))
    assert ids_of(catalog.load_table("lake.regions")) == [1, 2]
    catalog.drop_table("lake.regions")
    assert ("lake", "regions") not in catalog.list_tables("lake")
    with pytest.raises(NoSuchTableError):
        catalog.load_table("lake.regions")


def test_branch_namespace(catalog, server):
    server.cli("commit", "main", "-m", "pyiceberg lake")
    server.cli("branch", "create", "dev")
    # A branch is no namespace of its own: list_namespaces shows main's databases,
    # and `lake@dev` lists dev's tables, echoing the ref.
    assert ("lake@dev",) not in catalog.list_namespaces()
    assert ("lake@dev", "events") in catalog.list_tables("lake@dev")
    dev_table = catalog.load_table("lake@dev.events")
    dev_table.append(arrow_rows([100]))
    assert ids_of(catalog.load_table("lake@dev.events")) == [1, 2, 3, 4, 5, 100]
    assert ids_of(catalog.load_table("lake.events")) == [1, 2, 3, 4, 5]
    catalog.create_table("lake@dev.only_dev", schema=SCHEMA)
    assert ("lake@dev", "only_dev") in catalog.list_tables("lake@dev")
    assert all(t[-1] != "only_dev" for t in catalog.list_tables("lake"))
    catalog.create_namespace("scratch@dev")
    scratch = catalog.create_table("scratch@dev.t", schema=SCHEMA)
    scratch.append(arrow_rows([7]))
    assert ids_of(catalog.load_table("scratch@dev.t")) == [7]
    assert ("scratch",) not in catalog.list_namespaces()  # main has no such database
    catalog.drop_table("scratch@dev.t")
    catalog.drop_namespace("scratch@dev")
    assert catalog.list_tables("lake@dev")  # dev itself is still there
    server.cli("commit", "dev", "-m", "dev rows")
    server.cli("merge", "dev", "--into", "main")
    assert ids_of(catalog.load_table("lake.events")) == [1, 2, 3, 4, 5, 100]


def test_two_concurrent_writers_under_hive_locks(catalog, server):
    catalog.create_table("lake.racy", schema=SCHEMA)
    locks_before = server.thrift_calls("lock")
    errors = []
    conflicts = []

    def writer(w):
        cat = catalog.make()
        try:
            for n in range(4):
                while True:
                    table = cat.load_table("lake.racy")
                    try:
                        table.append(arrow_rows([w * 100 + n]))
                        break
                    except CommitFailedException:
                        conflicts.append(w)  # another writer committed first: retry
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert ids_of(catalog.load_table("lake.racy")) == [0, 1, 2, 3, 100, 101, 102, 103]
    assert len(catalog.load_table("lake.racy").snapshots()) == 8
    assert server.thrift_calls("lock") >= locks_before + 8

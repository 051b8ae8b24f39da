"""Trino 476's Iceberg connector (iceberg.catalog.type=hive_metastore) against arbord:
create, insert, delete, time travel, on `main` and on an Arbor branch
(`iceberg."lake@dev".events`), then the branch merged with `arbor merge`.

An Iceberg table is a Hive table whose `metadata_location` parameter Trino swaps on
each commit; a branch's copy of the table has its own `metadata_location`, so
commits on `dev` leave `main` at its snapshot until the merge. One Trino
coordinator serves the module (catalog `iceberg` only). Tests run in file order.
"""

import pytest
from trino_server import TrinoError, catalog_properties, module_trino


@pytest.fixture(scope="module")
def trino(request, server, tmp_path_factory):
    yield from module_trino(request, tmp_path_factory, {
        "iceberg": catalog_properties("iceberg", server, **{
            "iceberg.catalog.type": "hive_metastore",
            "iceberg.file-format": "PARQUET",
        }),
    })


def rows(trino, sql):
    return sorted(trino.query(sql))


def snapshots(trino, table):
    return [r[0] for r in trino.query(
        'SELECT snapshot_id FROM iceberg.%s ORDER BY committed_at' % table)]


def test_create_insert_select(trino, server):
    trino.query("CREATE SCHEMA iceberg.lake")
    trino.query("CREATE TABLE iceberg.lake.events (id BIGINT, kind VARCHAR) "
                "WITH (partitioning = ARRAY['kind'])")
    trino.query("INSERT INTO iceberg.lake.events VALUES (1, 'a'), (2, 'b'), (3, 'a')")
    assert rows(trino, "SELECT id, kind FROM iceberg.lake.events") == [
        (1, "a"), (2, "b"), (3, "a")]
    table = server.arbord.client().get_table("lake", "events")
    assert table.parameters["table_type"].upper() == "ICEBERG"
    assert table.parameters["metadata_location"].startswith("file:")


def test_delete_and_time_travel(trino):
    history = snapshots(trino, 'lake."events$snapshots"')
    before = history[-1]
    trino.query("DELETE FROM iceberg.lake.events WHERE id = 2")
    assert rows(trino, "SELECT id FROM iceberg.lake.events") == [(1,), (3,)]
    assert rows(trino, "SELECT id FROM iceberg.lake.events FOR VERSION AS OF %d"
                % before) == [(1,), (2,), (3,)]
    assert snapshots(trino, 'lake."events$snapshots"')[:-1] == history


def test_branch_commits_are_isolated_then_merged(trino, server):
    server.cli("commit", "main", "-m", "events")
    server.cli("branch", "create", "dev")
    main_snapshot = snapshots(trino, 'lake."events$snapshots"')[-1]

    trino.query("INSERT INTO iceberg.\"lake@dev\".events VALUES (10, 'z')")
    trino.query('DELETE FROM iceberg."lake@dev".events WHERE id = 1')
    assert rows(trino, 'SELECT id FROM iceberg."lake@dev".events') == [(3,), (10,)]
    assert rows(trino, "SELECT id FROM iceberg.lake.events") == [(1,), (3,)]
    # The branch's history extends main's: main's snapshot is readable on dev.
    dev_snapshots = snapshots(trino, '"lake@dev"."events$snapshots"')
    assert dev_snapshots[:len(dev_snapshots) - 2][-1] == main_snapshot
    assert rows(trino, 'SELECT id FROM iceberg."lake@dev".events FOR VERSION AS OF %d'
                % main_snapshot) == [(1,), (3,)]
    assert snapshots(trino, 'lake."events$snapshots"')[-1] == main_snapshot

    # A table created on the branch exists there alone.
    trino.query('CREATE TABLE iceberg."lake@dev".notes (id BIGINT)')
    trino.query('INSERT INTO iceberg."lake@dev".notes VALUES (7)')
    assert ("notes",) in trino.query('SHOW TABLES FROM iceberg."lake@dev"')
    assert ("notes",) not in trino.query("SHOW TABLES FROM iceberg.lake")

    server.cli("commit", "dev", "-m", "dev work")
    server.cli("merge", "dev", "--into", "main")
    assert rows(trino, "SELECT id FROM iceberg.lake.events") == [(3,), (10,)]
    assert snapshots(trino, 'lake."events$snapshots"') == dev_snapshots
    assert rows(trino, "SELECT id FROM iceberg.lake.notes") == [(7,)]


def test_main_moves_on_after_merge(trino):
    trino.query("INSERT INTO iceberg.lake.events VALUES (11, 'b')")
    assert rows(trino, "SELECT id FROM iceberg.lake.events") == [(3,), (10,), (11,)]
    assert rows(trino, 'SELECT id FROM iceberg."lake@dev".events') == [(3,), (10,)]


def test_drop_table(trino):
    trino.query("DROP TABLE iceberg.lake.notes")
    with pytest.raises(TrinoError) as err:
        trino.query("SELECT * FROM iceberg.lake.notes")
    assert err.value.name == "TABLE_NOT_FOUND"
    # The branch keeps its catalog entry, but Trino's Iceberg DROP TABLE deletes the
    # table's files itself, and without lakeFS the branch shares them
    # (docs/hms-compatibility.md#data-files).
    assert ("notes",) in trino.query('SHOW TABLES FROM iceberg."lake@dev"')
    with pytest.raises(TrinoError) as err:
        trino.query('SELECT id FROM iceberg."lake@dev".notes')
    assert err.value.name == "ICEBERG_MISSING_METADATA"


def test_no_server_errors(server):
    assert "internal error" not in server.log().lower()

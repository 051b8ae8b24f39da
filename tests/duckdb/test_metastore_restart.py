"""The metastore goes away and comes back while DuckDB keeps the catalog attached.

* Restarted between two queries: the next query succeeds (a read on the connection the
  restart closed is retried once on a new one).
* Stopped: a query fails promptly with an error naming the endpoint (no hang), and
  succeeds again once the metastore is back.

Runs against a real arbord (harness.Arbord) restarted on the same port and data
directory; needs ARBORD and ARBOR_DUCKDB_EXTENSION (see CMakeLists.txt).
"""

import os
import socket
import sys
import time

sys.setdlopenflags(os.RTLD_GLOBAL | os.RTLD_NOW)
import duckdb  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import harness  # noqa: E402
from harness import hms  # noqa: E402


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    port = free_port()
    server = harness.Arbord(extra_args=["--listen", "127.0.0.1:%d" % port]).start()
    assert server.port == port, (server.port, port)
    endpoint = "thrift://127.0.0.1:%d" % port
    try:
        base = os.path.join(server.data_dir, "warehouse", "sales.db")
        c = server.client()
        c.create_database(hms.Database(name="sales", locationUri="file:" + base, parameters={}))
        c.close()
        con = duckdb.connect(config={"allow_unsigned_extensions": True,
                                     "autoinstall_known_extensions": False})
        con.execute("LOAD '%s'" % os.environ["ARBOR_DUCKDB_EXTENSION"])
        con.execute("ATTACH '%s' AS lake (TYPE metastore, PROVIDER hive, TIMEOUT_MS 5000, "
                    "CONNECT_TIMEOUT_MS 2000)" % endpoint)
        con.execute("CREATE TABLE lake.sales.t AS SELECT 42::BIGINT AS v")
        count = "SELECT count(*) FROM lake.sales.t"
        assert con.execute(count).fetchone() == (1,)

        server.restart()
        assert server.port == port
        assert con.execute(count).fetchone() == (1,)

        server.stop()
        started = time.time()
        try:
            con.execute(count)
        except duckdb.IOException as e:
            assert endpoint in str(e), str(e)
        else:
            raise AssertionError("a query succeeded with the metastore stopped")
        elapsed = time.time() - started
        assert elapsed < 15, "the failing query took %.1fs" % elapsed

        server.start()
        assert con.execute(count).fetchone() == (1,)
        con.execute("INSERT INTO lake.sales.t VALUES (7)")
        assert con.execute("SELECT sum(v) FROM lake.sales.t").fetchone() == (49,)
        con.close()
    except BaseException:
        print("arbord log tail:\n" + server.read_log()[-3000:])
        raise
    finally:
        server.cleanup()
    print("ok metastore restart: reads reconnect, a stopped metastore fails promptly")


if __name__ == "__main__":
    main()

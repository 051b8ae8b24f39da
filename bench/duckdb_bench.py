"""DuckDB extension benchmark: partition pruning through the metastore vs the floor.

A Parquet table with 100k partitions (ds: 4167 days x hr: 24) is registered in a real
arbord through the Hive Thrift API (add_partitions, 1000 per call), every partition
with its ds=/hr= location under a temporary file:// warehouse. Data files (10 rows per
partition, DuckDB's own partitioned COPY) are written for the 7 days the queries pick;
the other partitions are empty directories that are never listed. (Writing all 100k
files takes over an hour on the shared 2-core machine and changes nothing measured:
the point is that the other 99,976 partitions are not listed.)
Then, in one DuckDB process with the `arbor` extension loaded, interleaved:

  ext    SELECT count(*), sum(v) FROM lake.bench.events WHERE ds = D   (24 partitions:
         the filter is pushed to get_partitions_by_filter, 24 listed, 24 files read)
  floor  SELECT count(*), sum(v) FROM read_parquet([the same 24 files], hive_partitioning=1)

then the same for two days, WHERE ds IN (D1, D2) (48 partitions; the filter reaches the
server as (ds = D1 OR ds = D2)), then ds = D again through a catalog with TABLE_CACHE_MS
(definitions unchecked) and one with PIPELINE false (each definition fetched at bind),

for several D; each figure is a median, the ratio ext/floor is the goal (<= 1.2). The
metadata listing cost per partition is measured on the same server with the Python
Thrift client: get_partitions_by_filter returning 24, 1,000 and 10,000 partitions.

Usage (after `make build`):
  ARBORD=build/bin/arbord ARBOR_GEN_PY=build/thrift/gen-py \
  ARBOR_DUCKDB_EXTENSION=build/clients/duckdb/arbor.duckdb_extension \
  ~/.cache/arbor/duckdb/2.0.1/venv/bin/python bench/duckdb_bench.py [--days N] [--reps N]
"""

import argparse
import datetime
import os
import statistics
import sys
import time

sys.setdlopenflags(os.RTLD_GLOBAL | os.RTLD_NOW)
import duckdb  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
import harness  # noqa: E402
from harness import hms, make_partition, make_table  # noqa: E402


def day(i):
    return (datetime.date(2010, 1, 1) + datetime.timedelta(days=i)).isoformat()


def server_calls(http_port):
    """{method: (calls, seconds)} from arbord's /metrics: Thrift calls as the server timed them."""
    import re
    import urllib.request
    text = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % http_port).read().decode()
    sums, counts = {}, {}
    for line in text.splitlines():
        m = re.match(r'arbor_thrift_request_duration_seconds_(sum|count)\{method="([^"]+)"\} (\S+)', line)
        if m:
            (sums if m.group(1) == "sum" else counts)[m.group(2)] = float(m.group(3))
    return {k: (counts.get(k, 0), sums.get(k, 0.0)) for k in set(sums) | set(counts)}


def timed(fn):
    t = time.perf_counter()
    result = fn()
    return time.perf_counter() - t, result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--days", type=int, default=4167, help="days x 24 hours = partitions")
    ap.add_argument("--reps", type=int, default=15)
    args = ap.parse_args()
    partitions = args.days * 24

    server = harness.Arbord(extra_args=["--worker-threads", "4"])
    server.start()
    try:
        warehouse = os.path.join(server.data_dir, "warehouse")
        table_dir = os.path.join(warehouse, "bench.db", "events")
        os.makedirs(table_dir)
        day_numbers = [i * args.days // 7 + 3 for i in range(7)]
        days = [day(n) for n in day_numbers]
        t_write, _ = timed(lambda: duckdb.connect().execute(
            "COPY (SELECT i AS id, i * 0.5 AS v, strftime(DATE '2010-01-01' + (i // 240)::INT, '%%Y-%%m-%%d') AS ds, "
            "((i // 10) %% 24)::INT AS hr FROM range(%d) t(i) WHERE i // 240 IN (%s)) TO '%s' "
            "(FORMAT parquet, PARTITION_BY (ds, hr))"
            % (partitions * 10, ", ".join(str(n) for n in day_numbers), table_dir)))
        c = server.client(timeout_ms=600000)
        c.create_database(hms.Database(name="bench", locationUri="file:" + os.path.dirname(table_dir),
                                       parameters={}))
        c.create_table(make_table("bench", "events", cols=(("id", "bigint"), ("v", "double")),
                                  part_keys=(("ds", "string"), ("hr", "int")), location="file:" + table_dir))
        batch = []

        def register():
            for d in range(args.days):
                for h in range(24):
                    p = make_partition("bench", "events", [day(d), str(h)],
                                       location="file:%s/ds=%s/hr=%d" % (table_dir, day(d), h))
                    p.parameters = {"numRows": "10"}
                    batch.append(p)
                    if len(batch) == 1000:
                        c.add_partitions(batch)
                        batch.clear()
            if batch:
                c.add_partitions(batch)
        t_register, _ = timed(register)
        print("setup: %d partitions, files written in %.1fs, registered in %.1fs"
              % (partitions, t_write, t_register))

        con = duckdb.connect(config={"allow_unsigned_extensions": True})
        con.execute("LOAD '%s'" % os.environ["ARBOR_DUCKDB_EXTENSION"])
        con.execute("ATTACH 'thrift://127.0.0.1:%d' AS lake (TYPE metastore, PROVIDER hive)" % server.port)
        def describe():
            return dict(con.execute("SELECT key, value FROM metastore_describe('lake')").fetchall())

        def client_side(before, after, label):
            # The extension's own counters (absent before they existed): its provider calls
            # as the client timed them (round trip and decoding), and its directory listings.
            if "metastore_calls" not in after:
                return
            d = {k: int(after[k]) - int(before[k]) for k in ("metastore_calls", "metastore_call_us",
                                                              "directories_listed", "directory_listing_us")}
            ahead = ""
            if "tables_validated_ahead" in after:
                ahead = " (definitions validated ahead: %d, statements bound again: %d)" % tuple(
                    int(after[k]) - int(before[k]) for k in ("tables_validated_ahead", "statements_bound_again"))
            print("extension, per %s query: %.2f metastore calls, %.3f ms in them; %.0f directories listed "
                  "in %.3f ms%s" % (label, d["metastore_calls"] / args.reps, d["metastore_call_us"] / 1e3 / args.reps,
                                    d["directories_listed"] / args.reps, d["directory_listing_us"] / 1e3 / args.reps,
                                    ahead))

        def floor_query(some_days):
            files = ["%s/ds=%s/hr=%d/%s" % (table_dir, d, h, f) for d in some_days for h in range(24)
                     for f in os.listdir("%s/ds=%s/hr=%d" % (table_dir, d, h))]
            return "SELECT count(*), sum(v) FROM read_parquet(%s, hive_partitioning = true)" % files

        def interleave(queries, rows):
            """Times args.reps pairs, queries(rep) giving (extension's, floor's); both must
            count `rows` rows and agree."""
            ext, floor = [], []
            for rep in range(args.reps):
                q_ext, q_floor = queries(rep)
                te, re_ = timed(lambda: con.execute(q_ext).fetchall())
                tf, rf = timed(lambda: con.execute(q_floor).fetchall())
                assert re_ == rf and re_[0][0] == rows, (re_, rf)
                ext.append(te)
                floor.append(tf)
            return ext, floor

        def one_day(catalog):
            def queries(rep):
                d = days[rep % len(days)]
                return ("SELECT count(*), sum(v) FROM %s.bench.events WHERE ds = '%s'" % (catalog, d),
                        floor_query([d]))
            return queries

        def two_days(rep):
            d1, d2 = days[rep % len(days)], days[(rep + 3) % len(days)]
            return ("SELECT count(*), sum(v) FROM lake.bench.events WHERE ds IN ('%s', '%s')" % (d1, d2),
                    floor_query([d1, d2]))

        calls_before = server_calls(server.http_port)
        described_before = describe()
        ext, floor = interleave(one_day("lake"), 240)
        calls_after = server_calls(server.http_port)
        listed = describe()
        # Two days by IN: the filter reaches arbord as (ds = D1 OR ds = D2).
        ext_in, floor_in = interleave(two_days, 480)
        listed_in = describe()
        calls_in = server_calls(server.http_port)
        def through(catalog, options):
            """The ds = D pairs through another catalog attached with `options`; nothing
            when this build does not know them."""
            try:
                con.execute("ATTACH 'thrift://127.0.0.1:%d' AS %s (TYPE metastore, PROVIDER hive, %s)"
                            % (server.port, catalog, options))
            except duckdb.Error:
                return [], []
            return interleave(one_day(catalog), 240)

        # Through a catalog that keeps table metadata across transactions unchecked
        # (TABLE_CACHE_MS, opt-in: another client's schema change is seen up to that late),
        # which saves even the get_table_req sent ahead.
        ext_c, floor_c = through("lakec", "TABLE_CACHE_MS 600000")
        if ext_c:
            hits = dict(con.execute("SELECT key, value FROM metastore_describe('lakec')").fetchall())
        calls_c = server_calls(server.http_port)
        # And through one that fetches each definition at bind (PIPELINE false: what every
        # query did before definitions were validated ahead).
        ext_s, floor_s = through("lakes", "PIPELINE false")
        me, mf = statistics.median(ext), statistics.median(floor)
        print("count(*) over 24 of %d partitions: extension %.2f ms, read_parquet floor %.2f ms, ratio %.2f"
              % (partitions, me * 1e3, mf * 1e3, me / mf))
        print("partitions listed per query: %.0f (listings pushed down: %s of %s)"
              % (int(listed["partitions_listed"]) / int(listed["partition_listings"]),
                 listed["listings_pushed_down"], listed["partition_listings"]))
        me, mf = statistics.median(ext_in), statistics.median(floor_in)
        print("count(*) over 48 of %d partitions, ds IN (2 days): extension %.2f ms, read_parquet floor %.2f ms, ratio %.2f"
              % (partitions, me * 1e3, mf * 1e3, me / mf))
        n_in = int(listed_in["partition_listings"]) - int(listed["partition_listings"])
        print("partitions listed per IN query: %.0f (listings pushed down: %d of %d)"
              % ((int(listed_in["partitions_listed"]) - int(listed["partitions_listed"])) / n_in,
                 int(listed_in["listings_pushed_down"]) - int(listed["listings_pushed_down"]), n_in))
        client_side(described_before, listed, "ds = D")
        client_side(listed, listed_in, "IN")
        if ext_c:
            me, mf = statistics.median(ext_c), statistics.median(floor_c)
            n = calls_c.get("get_table_req", (0, 0.0))[0] - calls_in.get("get_table_req", (0, 0.0))[0]
            print("with TABLE_CACHE_MS 600000 (opt-in), ds = D: extension %.2f ms, read_parquet floor %.2f ms, "
                  "ratio %.2f (get_table_req calls: %d in %d queries, table cache hits: %s)"
                  % (me * 1e3, mf * 1e3, me / mf, n, args.reps, hits["table_cache_hits"]))
        if ext_s:
            me, mf = statistics.median(ext_s), statistics.median(floor_s)
            print("with PIPELINE false (each definition fetched at bind), ds = D: extension %.2f ms, "
                  "read_parquet floor %.2f ms, ratio %.2f" % (me * 1e3, mf * 1e3, me / mf))
        n = calls_in["get_partitions_by_filter"][0] - calls_after["get_partitions_by_filter"][0]
        t = calls_in["get_partitions_by_filter"][1] - calls_after["get_partitions_by_filter"][1]
        print("server, per IN query: get_partitions_by_filter x%.2f, %.3f ms in arbord"
              % (n / args.reps, t * 1e3 / args.reps))
        for method in sorted(calls_after):
            n = calls_after[method][0] - calls_before.get(method, (0, 0.0))[0]
            t = calls_after[method][1] - calls_before.get(method, (0, 0.0))[1]
            if n > 0:
                print("server, per extension query: %s x%.2f, %.3f ms in arbord"
                      % (method, n / args.reps, t * 1e3 / args.reps))

        for label, flt, n in (("24", "ds = \"%s\"" % days[0], 24),
                              ("1,000", "ds >= \"%s\" AND ds < \"%s\" AND hr < 20" % (day(100), day(150)), 1000),
                              ("10,000", "ds >= \"%s\" AND ds < \"%s\" AND hr < 20" % (day(1000), day(1500)), 10000)):
            if n > 24 and args.days < 1500:
                continue
            samples = []
            before = server_calls(server.http_port).get("get_partitions_by_filter", (0, 0.0))
            for _ in range(5):
                t, parts = timed(lambda: c.get_partitions_by_filter("bench", "events", flt, -1))
                assert len(parts) == n, (len(parts), n)
                samples.append(t)
            after = server_calls(server.http_port).get("get_partitions_by_filter", (0, 0.0))
            m = statistics.median(samples)
            print("get_partitions_by_filter returning %s partitions: %.1f ms, %.1f us per partition "
                  "(of which in arbord: %.1f ms mean)"
                  % (label, m * 1e3, m * 1e6 / n, (after[1] - before[1]) * 1e3 / (after[0] - before[0])))
        c.close()
    finally:
        server.stop()
        server.cleanup()


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Arbor side by side with Apache Hive Metastore 4.0.1 on PostgreSQL 15.

Starts both servers itself, durable on both sides: arbord with its defaults (a WAL
sync per write) and Hive's own metastore on PostgreSQL with fsync, full page writes
and synchronous commit on (tests/hive/reference_hms.py, which deploy/install-hive.sh
provisions). Then runs one workload against both, alternating between the servers
sample by sample (or phase by phase for throughput), and prints each figure with
the ratio arbor/hms of times (below 1: Arbor is faster) and its inverse, the
speedup. The load average is printed at each section.

Workload (full sizes; --quick divides them, see SIZES):
  get_table p50/p99 on 10k tables; get_partitions of a whole table at 1k, 10k and
  100k partitions; get_partitions_by_filter selecting 24 of 100k; get_partition_names
  at the same sizes; add_partitions of 1 000 per call growing that table to 100k;
  create_table and add_partition with 1, 4 and 16 clients; drop_table of a table
  with 10k partitions.

Each timed read sample waits until the machine is quiet (Settler: both servers share
its CPUs, and Hive's metastore keeps working after its replies), then makes one
untimed cheap call of the same kind to the same server to wake it (and the VM's idle
CPUs) up: get_table_req, or get_partition_names of one partition for listings; the
output says how many samples found the machine quiet. Each listing is made once,
untimed, on both sides before its samples. Throughput phases and the timed writes do
not wait.

Clients are Python (Debian's python3-thrift with its C codec, the generated package
in build/thrift/gen-py), plain socket, buffered, binary: Hive's defaults. Python's
garbage collector is off while they run: with it on, decoding a list of 100k
partitions took ~100 us per partition instead of ~25 (each collection walks every
object made so far). Client time is inside every figure on both sides, so Arbor's
speedups are lower bounds; except for the listings (get_partitions, _by_filter,
get_partition_names), which are timed to the reply's last byte (server_time) since
decoding them in Python takes longer than serving them.

  /usr/bin/python3 bench/hms_compare.py [--quick] [--arbord build/bin/arbord]
      [--hms-heap-mb 2048] [--seconds S] [--only get_table,...]
"""

import argparse
import gc
import os
import random
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
sys.path.insert(0, os.path.join(ROOT, "tests", "hive"))
os.environ.setdefault("ARBOR_GEN_PY", os.path.join(ROOT, "build", "thrift", "gen-py"))

import harness  # noqa: E402  (arbord process; puts the generated package on sys.path)
import reference_hms  # noqa: E402
from hive_metastore import ThriftHiveMetastore  # noqa: E402
from hive_metastore import ttypes as hms  # noqa: E402
from thrift.protocol import TBinaryProtocol  # noqa: E402
from thrift.transport import TSocket, TTransport  # noqa: E402

SIZES = {
    "full": dict(tables=10_000, list_at=(1_000, 10_000, 100_000), drop_parts=10_000,
                 get_samples=2_000, list_samples=(5, 3, 2), ct_tables=(200, 400, 800)),
    "quick": dict(tables=1_000, list_at=(1_000, 10_000), drop_parts=2_000,
                  get_samples=400, list_samples=(3, 2), ct_tables=(50, 100, 200)),
}
CLIENTS = (1, 4, 16)
NAME_SAMPLES = 11
DB = "cmp"
COLS = [hms.FieldSchema(name="col%d" % i, type=("string" if i % 2 else "bigint"),
                        comment="column %d" % i) for i in range(8)]


def load_average():
    return "load average %s" % " ".join(open("/proc/loadavg").read().split()[:3])


class Side:
    """One server: a name, a port, a warehouse root, and fresh connections."""

    def __init__(self, name, port, warehouse):
        self.name, self.port, self.warehouse = name, port, warehouse

    def client(self):
        sock = TSocket.TSocket("127.0.0.1", self.port)
        sock.setTimeout(1_800_000)
        transport = TTransport.TBufferedTransport(sock)
        client = ThriftHiveMetastore.Client(TBinaryProtocol.TBinaryProtocolAccelerated(transport))
        transport.open()
        client.transport = transport
        client.socket = sock
        return client


def sd(location):
    return hms.StorageDescriptor(
        cols=COLS, location=location,
        inputFormat="org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
        outputFormat="org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
        compressed=False, numBuckets=-1,
        serdeInfo=hms.SerDeInfo(
            name=None,
            serializationLib="org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
            parameters={"serialization.format": "1"}),
        bucketCols=[], sortCols=[], parameters={}, storedAsSubDirectories=False)


def table(side, name, partitioned):
    keys = [hms.FieldSchema(name="ds", type="string"), hms.FieldSchema(name="hr", type="int")]
    return hms.Table(dbName=DB, tableName=name, owner="bench", sd=sd("%s/%s" % (side.warehouse, name)),
                     partitionKeys=keys if partitioned else [], tableType="EXTERNAL_TABLE",
                     parameters={"EXTERNAL": "TRUE", "transient_lastDdlTime": "1700000000"})


def day_of(i):
    return "2000-01-01+%05d" % (i // 24)


def partition(side, tbl, i):
    values = [day_of(i), str(i % 24)]
    return hms.Partition(dbName=DB, tableName=tbl, values=values,
                         sd=sd("%s/%s/ds=%s/hr=%s" % (side.warehouse, tbl, values[0], values[1])),
                         parameters={"numFiles": "3", "totalSize": "123456"})


def busy_cpus():
    """CPU time spent so far, in seconds summed over the machine's CPUs."""
    fields = open("/proc/stat").readline().split()[1:]
    ticks = [int(x) for x in fields]
    busy = sum(ticks) - ticks[3] - ticks[4]  # all but idle and iowait
    return busy / os.sysconf("SC_CLK_TCK")


class Settler:
    """Waits, before a timed sample, until the machine is quiet: both servers
    share its 2 CPUs, and Hive's metastore (its JVM, PostgreSQL) keeps working
    after a reply (garbage collection, compilation, autovacuum), which a sample
    of the other server would otherwise pay for. Quiet: under `quiet` CPUs busy
    over `window` seconds; after `timeout` the sample goes ahead and is counted
    as unsettled. Both servers' samples wait alike."""

    def __init__(self, window, quiet=0.3, timeout=2.0):
        self.window, self.quiet, self.timeout = window, quiet, timeout
        self.samples = self.unsettled = 0

    def __call__(self, warm):
        """Waits for a quiet machine, then calls `warm` (one untimed cheap call to the
        server about to be timed, down the same path as the timed one: arbord serves
        get_table_req on its event loop and listings on a worker): a quiet pause lets
        the VM's CPUs and the server's threads go idle, and waking them costs
        0.3-0.4 ms here, which would otherwise be charged to the timed call. A busy
        server, the case a latency figure is for, does not pay it."""
        self.samples += 1
        deadline = time.perf_counter() + self.timeout
        while True:
            t0, b0 = time.perf_counter(), busy_cpus()
            time.sleep(self.window)
            if (busy_cpus() - b0) / (time.perf_counter() - t0) < self.quiet:
                break
            if time.perf_counter() >= deadline:
                self.unsettled += 1
                break
        warm()

    def note(self):
        return "%d of %d samples taken on a quiet machine" % (self.samples - self.unsettled,
                                                              self.samples)


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


RECV_BUFFER = bytearray(8 << 20)


def server_time(client, method, *args):
    """Seconds from sending client.<method>(*args) to the reply's last byte, and
    the decoded result. Decoding a listing in Python costs 20-90 us per
    partition, more than either server spends, so listings are timed to the
    last byte and decoded afterwards. The reply is complete when the socket has
    been idle for half a second and it decodes; a longer pause inside a reply just
    means another round of reading. Bytes go into one reused buffer (recv_into):
    a fresh 4 MB bytes object per recv cost the client 0.6 ms of a 2.3 MB reply
    (5.81 vs 5.19 ms for 100k names), charged to whichever server sent in more,
    smaller pieces."""
    sock = client.socket.handle
    buf = RECV_BUFFER
    start = time.perf_counter()
    getattr(client, "send_" + method)(*args)
    n, last = 0, None
    while True:
        readable = select.select([sock], [], [], 0.5 if n else None)[0]
        if readable:
            if len(buf) - n < (1 << 20):
                buf.extend(bytes(len(buf)))  # grows rarely: kept across calls
            got = sock.recv_into(memoryview(buf)[n:])
            if not got:
                raise EOFError("%s: connection closed" % method)
            n += got
            last = time.perf_counter()
            continue
        reply = TTransport.TMemoryBuffer(bytes(buf[:n]))
        reader = ThriftHiveMetastore.Client(TBinaryProtocol.TBinaryProtocolAccelerated(reply))
        try:
            return last - start, getattr(reader, "recv_" + method)()
        except EOFError:
            continue
        except TTransport.TTransportException as e:
            if e.type != TTransport.TTransportException.END_OF_FILE:
                raise


def fmt_s(s):
    if s >= 1:
        return "%.2f s" % s
    if s >= 1e-3:
        return "%.2f ms" % (s * 1e3)
    return "%.1f us" % (s * 1e6)


class Report:
    def __init__(self):
        self.rows = []

    def pair(self, what, arbor, hive, unit="time"):
        """arbor, hive: seconds (unit time) or rates per second (unit rate)."""
        if unit == "time":
            ratio = arbor / hive
            text = "%-52s arbor %10s  hms %10s  arbor/hms %7.4f  speedup %7.1fx" % (
                what, fmt_s(arbor), fmt_s(hive), ratio, 1 / ratio)
        else:
            ratio = hive / arbor  # as a time ratio: per-operation time arbor/hms
            text = "%-52s arbor %8.0f/s  hms %8.0f/s  arbor/hms %7.4f  speedup %7.1fx" % (
                what, arbor, hive, ratio, 1 / ratio)
        print(text, flush=True)
        self.rows.append((what, ratio))


def parallel(n_clients, side, work):
    """Runs work(client, k) in n_clients threads, each with its own connection."""
    clients = [side.client() for _ in range(n_clients)]
    errors = []

    def run(k):
        try:
            work(clients[k], k)
        except Exception as e:  # reported after the phase
            errors.append(e)

    threads = [threading.Thread(target=run, args=(k,)) for k in range(n_clients)]
    t = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.perf_counter() - t
    for c in clients:
        c.transport.close()
    if errors:
        raise errors[0]
    return elapsed


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--arbord", default=os.path.join(ROOT, "build", "bin", "arbord"))
    ap.add_argument("--hms-heap-mb", type=int, default=2048)
    ap.add_argument("--arbor-mode", choices=("auto", "staged"), default="auto",
                    help="commit mode of main: auto commits every write, as HMS does (default); "
                         "staged keeps writes uncommitted, arbord's default")
    ap.add_argument("--seconds", type=float, default=None,
                    help="duration of each add_partition throughput phase (default 5, quick 2)")
    ap.add_argument("--only", default="create_table,get_table,add_partition,partitions,drop_table")
    ap.add_argument("--seed", type=int, default=None)
    opt = ap.parse_args()
    gc.disable()
    size = SIZES["quick" if opt.quick else "full"]
    seconds = opt.seconds or (2.0 if opt.quick else 5.0)
    only = set(opt.only.split(","))
    seed = opt.seed if opt.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    if not reference_hms.installed():
        sys.exit("the reference metastore is not installed: run deploy/install-hive.sh")

    print("hms_compare: %s sizes %s, seed %d" % ("quick" if opt.quick else "full", size, seed))
    print("machine: %s, %d CPUs; %s" % (open("/proc/cpuinfo").read().split("model name")[1]
                                         .split("\n")[0].strip(": \t"), os.cpu_count(), load_average()))
    harness.ARBORD = opt.arbord
    work_dir = tempfile.mkdtemp(prefix="arbor-compare-")
    arbord = harness.Arbord(data_dir=work_dir)
    ref = reference_hms.ReferenceHms(durable=True, heap_mb=opt.hms_heap_mb)
    try:
        t0 = time.time()
        arbord.start()
        if opt.arbor_mode == "auto":
            subprocess.run([os.path.join(os.path.dirname(opt.arbord), "arbor"), "--server",
                            "http://127.0.0.1:%d" % arbord.http_port, "branch", "mode", "main",
                            "auto"], check=True, stdout=subprocess.DEVNULL)
        ref.start(timeout=300)
        print("servers up in %.1f s: arbord :%d (sync writes on, main in %s mode), HMS 4.0.1 :%d "
              "(PostgreSQL 15, fsync on, heap %d MB)" % (time.time() - t0, arbord.port, opt.arbor_mode,
                                                          ref.port, opt.hms_heap_mb), flush=True)
        sides = [Side("arbor", arbord.port, "file:" + os.path.join(work_dir, "warehouse", DB)),
                 # HMS refuses external tables inside its managed warehouse.
                 Side("hms", ref.port, "file:" + os.path.join(ref.dir, "external", DB))]
        run(sides, size, seconds, only, rng)
    finally:
        arbord.cleanup()
        ref.stop()
        shutil.rmtree(work_dir, ignore_errors=True)


def run(sides, size, seconds, only, rng):
    report = Report()
    main_clients = [s.client() for s in sides]
    for side, c in zip(sides, main_clients):
        c.create_database(hms.Database(name=DB, locationUri=side.warehouse, parameters={}))

    def both(fn):
        """fn(side, client) -> seconds, on arbor then hms."""
        return [fn(s, c) for s, c in zip(sides, main_clients)]

    # create_table with 1, 4 and 16 clients: phases alternate between the servers.
    # The tables they make count towards the get_table population.
    made = [0, 0]
    if "create_table" in only:
        print("\n== create_table, durable; " + load_average(), flush=True)
        for n, total in zip(CLIENTS, size["ct_tables"]):
            per = total // n
            rates = []
            for i, side in enumerate(sides):
                base = made[i]

                def work(c, k, side=side, base=base, per=per):
                    for j in range(per):
                        c.create_table(table(side, "t%06d" % (base + k * per + j), False))
                elapsed = parallel(n, side, work)
                made[i] += per * n
                rates.append(per * n / elapsed)
            report.pair("create_table, %2d clients (%d tables)" % (n, per * n), rates[0], rates[1], "rate")

    if "get_table" in only:
        print("\n== get_table on %d tables; %s" % (size["tables"], load_average()), flush=True)
        for i, side in enumerate(sides):  # fill up to the population, untimed, 8 connections
            rest = size["tables"] - made[i]
            if rest <= 0:
                continue
            per = (rest + 7) // 8
            base = made[i]

            def work(c, k, side=side, base=base, per=per, rest=rest):
                for j in range(k * per, min(rest, (k + 1) * per)):
                    c.create_table(table(side, "t%06d" % (base + j), False))
            elapsed = parallel(8, side, work)
            print("  loaded %d tables on %s in %.1f s" % (rest, side.name, elapsed), flush=True)
            made[i] = size["tables"]
        lat = [[], []]
        settle = Settler(window=0.01)
        for _ in range(size["get_samples"]):
            name = "t%06d" % rng.randrange(size["tables"])
            for i, c in enumerate(main_clients):
                settle(lambda: c.get_table_req(hms.GetTableRequest(dbName=DB, tblName="t000000")))
                # Hive 4's server has no legacy get_table: the request form on both.
                dt, _ = timed(lambda: c.get_table_req(hms.GetTableRequest(dbName=DB, tblName=name)))
                lat[i].append(dt)
        print("  " + settle.note(), flush=True)
        for q, label in ((0.5, "p50"), (0.99, "p99")):
            v = [sorted(x)[int(q * (len(x) - 1))] for x in lat]
            report.pair("get_table_req %s" % label, v[0], v[1])

    if "add_partition" in only:
        print("\n== add_partition (one per call), durable; " + load_average(), flush=True)
        for side, c in zip(sides, main_clients):
            c.create_table(table(side, "ap", True))
        counters = [0, 0]
        for n in CLIENTS:
            rates = []
            for i, side in enumerate(sides):
                done = [0] * n
                stop = time.perf_counter() + seconds
                base = counters[i]

                def work(c, k, side=side, base=base, done=done, stop=stop):
                    j = 0
                    while time.perf_counter() < stop:
                        c.add_partition(partition(side, "ap", base + (k * 1_000_000) + j))
                        j += 1
                    done[k] = j
                elapsed = parallel(n, side, work)
                counters[i] = base + 100_000_000
                rates.append(sum(done) / elapsed)
            report.pair("add_partition, %2d clients" % n, rates[0], rates[1], "rate")

    if "partitions" in only:
        print("\n== one table grown by add_partitions of 1 000 per call; " + load_average(), flush=True)
        for side, c in zip(sides, main_clients):
            c.create_table(table(side, "big", True))
        add_time = [0.0, 0.0]
        have = 0
        for at, samples in zip(size["list_at"], size["list_samples"]):
            while have < at:
                for i, (side, c) in enumerate(zip(sides, main_clients)):
                    batch = [partition(side, "big", j) for j in range(have, have + 1000)]
                    dt, _ = timed(lambda: c.add_partitions(batch))
                    add_time[i] += dt
                have += 1000
            report.pair("add_partitions to %d (per 1 000)" % at,
                        add_time[0] / (have / 1000), add_time[1] / (have / 1000))
            print("  " + load_average(), flush=True)
            # One untimed pass of each listing on both sides first: the table was just
            # grown, and what is measured is a table being read, not the first read
            # after a bulk load (arbord's node cache and key blocks, PostgreSQL's
            # buffers and the JVM's compiled code are warm afterwards).
            for c in main_clients:
                server_time(c, "get_partitions", DB, "big", -1)
                server_time(c, "get_partition_names", DB, "big", -1)
                server_time(c, "get_partitions_by_filter", DB, "big", 'ds = "%s"' % day_of(0), -1)
            lists = [[], []]
            names = [[], []]
            settle = Settler(window=0.05)
            for _ in range(samples):
                for i, c in enumerate(main_clients):
                    settle(lambda: c.get_partition_names(DB, "big", 1))
                    dt, parts = server_time(c, "get_partitions", DB, "big", -1)
                    assert len(parts) == at, (sides[i].name, len(parts))
                    lists[i].append(dt)
                    del parts
            # Names are cheap on both sides (HMS's 100k in ~0.1 s): as many samples as
            # the filters get, where a median of two had carried either side's outlier.
            for _ in range(NAME_SAMPLES):
                for i, c in enumerate(main_clients):
                    settle(lambda: c.get_partition_names(DB, "big", 1))
                    dt, got = server_time(c, "get_partition_names", DB, "big", -1)
                    assert len(got) == at
                    names[i].append(dt)
            report.pair("get_partitions of %d" % at, *[statistics.median(x) for x in lists])
            report.pair("get_partition_names of %d" % at, *[statistics.median(x) for x in names])
            filt = [[], []]
            for _ in range(20):
                day = day_of(rng.randrange(at // 24) * 24)
                for i, c in enumerate(main_clients):
                    settle(lambda: c.get_partition_names(DB, "big", 1))
                    dt, got = server_time(c, "get_partitions_by_filter", DB, "big",
                                          'ds = "%s"' % day, -1)
                    assert len(got) == 24, (sides[i].name, len(got))
                    filt[i].append(dt)
            report.pair("get_partitions_by_filter, 24 of %d" % at, *[statistics.median(x) for x in filt])
            print("  listings: " + settle.note(), flush=True)
            gc.collect()

    if "drop_table" in only:
        n = size["drop_parts"]
        print("\n== drop_table of a table with %d partitions; %s" % (n, load_average()), flush=True)
        drops = [[], []]
        for rep in range(2):
            for i, (side, c) in enumerate(zip(sides, main_clients)):
                name = "drop%d" % rep
                c.create_table(table(side, name, True))
                for start in range(0, n, 1000):
                    c.add_partitions([partition(side, name, j) for j in range(start, start + 1000)])
            for i, c in enumerate(main_clients):
                dt, _ = timed(lambda: c.drop_table(DB, "drop%d" % rep, False))
                drops[i].append(dt)
        report.pair("drop_table, %d partitions" % n, *[statistics.median(x) for x in drops])

    print("\n== summary (arbor/hms of time per operation; speedup = hms/arbor); " + load_average())
    for what, ratio in report.rows:
        print("  %-52s %8.4f  %7.1fx" % (what, ratio, 1 / ratio))
    slower = [w for w, r in report.rows if r >= 1]
    print("operations where HMS is faster: %s" % (", ".join(slower) if slower else "none"))


if __name__ == "__main__":
    main()

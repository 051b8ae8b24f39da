"""Calls the listener's event loop serves itself (server/thrift_inline.cc).

A real arbord with one worker thread, so that a worker that is stuck on a client shows:
a cheap call (get_table) on an otherwise idle server is served by the loop
(arbor_thrift_inline_calls_total rises) with the right reply, and so is a listing of a
few partitions; one over the loop's budget, or with more edits not yet committed
in its range than the loop reads to bound it, goes to a worker (arbor_thrift_inline_handoffs_total rises) and is counted
once; a
client that pipelines requests without reading its replies ties up the worker but not
the loop, loses nothing when it reads, and a client that never takes a queued reply
is closed after --request-timeout; a stop sends a queued reply first, and a stop under
load is clean. TLS and SASL:
test_tls.py and test_security.py.
"""

import signal
import socket
import threading
import time
import unittest
import urllib.request

import harness
from harness import hms, ThriftHiveMetastore
from thrift.protocol import TBinaryProtocol
from thrift.transport import TSocket, TTransport

INLINE = "arbor_thrift_inline_calls_total"
HANDOFFS = "arbor_thrift_inline_handoffs_total"
FEW = 40      # partitions of a committed table the loop lists itself
MANY = 5000   # more than its budget of keys for a listing
STAGED = 300  # staged partitions: more than it reads to count them
DB = "inline_db"
WIDE_COLUMNS = 3000


def wide_table():
    """A table whose get_table reply (about 300 KB) is more than a socket takes at once."""
    cols = [("column_%04d_%s" % (i, "x" * 60), "string") for i in range(WIDE_COLUMNS)]
    return harness.make_table(DB, "wide", cols=cols)


def metrics(server):
    with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % server.http_port,
                                timeout=10) as r:
        return r.read()


def inline_calls(server):
    return harness.metric(metrics(server), INLINE)


def get_table_requests(names):
    """The bytes of one get_table call per (db, table) in `names`, as a client sends them."""
    buf = TTransport.TMemoryBuffer()
    client = ThriftHiveMetastore.Client(TBinaryProtocol.TBinaryProtocol(buf))
    for db, table in names:
        client.send_get_table(db, table)
    return buf.getvalue()


def reply_reader(sock):
    """A client that reads replies from `sock`, which already sent the requests."""
    transport = TSocket.TSocket()
    transport.handle = sock
    buffered = TTransport.TBufferedTransport(transport)
    return ThriftHiveMetastore.Client(TBinaryProtocol.TBinaryProtocolAccelerated(buffered))


def small_receive_buffer():
    """A connected-later socket whose receive buffer holds a few KB, so a large reply
    fills it and the server's send would block."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.settimeout(30)
    return s


QUEUED = "bytes of the reply wait for the client"


def queued_log_line(sock):
    """The start of the server's debug line when it queues a reply for `sock`."""
    return "thrift: connection from 127.0.0.1:%d: " % sock.getsockname()[1]


def wait_for(condition, timeout=10):
    deadline = time.time() + timeout
    while not condition() and time.time() < deadline:
        time.sleep(0.02)
    return condition()


def fill_until_queued(server, sock):
    """Sends get_table calls for the wide table on `sock`, one at a time and reading no
    reply, until the server's send buffer is full and the loop queues a reply (the
    server logs it at debug level). Returns how many calls were sent."""
    for sent in range(1, 100):
        before = inline_calls(server)
        sock.sendall(get_table_requests([(DB, "wide")]))
        assert wait_for(lambda: inline_calls(server) == before + 1), "not served by the loop"
        line = queued_log_line(sock)
        if any(line in l and QUEUED in l for l in server.read_log().splitlines()):
            return sent
    raise AssertionError("the server's socket took 30 MB without the client reading")


class InlineCallsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = harness.Arbord(["--worker-threads", "1", "--request-timeout", "10",
                                     "--log-level", "debug"]).start()
        c = cls.server.client()
        try:
            c.create_database(hms.Database(name=DB))
            c.create_table(harness.make_table(DB, "t1"))
            c.create_table(harness.make_table(DB, "t2", cols=[("a", "int")]))
            c.create_table(wide_table())
            for name, n in (("few", FEW), ("many", MANY)):
                c.create_table(harness.make_table(DB, name, part_keys=[("p", "string")]))
                for start in range(0, n, 1000):
                    c.add_partitions([harness.make_partition(DB, name, ["%04d" % i])
                                      for i in range(start, min(n, start + 1000))])
            status, out = harness.admin_call(cls.server.http_port, "POST",
                                             "/api/v1/branches/main/commits", {"message": "listings"})
            assert status == 201, out
            # Staged after the commit: a few, and more than the loop reads to count them.
            for name, n in (("parts", 5), ("staged", STAGED)):
                c.create_table(harness.make_table(DB, name, part_keys=[("p", "string")]))
                c.add_partitions([harness.make_partition(DB, name, ["%04d" % i]) for i in range(n)])
        finally:
            c.close()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def test_get_table_in_a_loop_is_served_by_the_loop(self):
        c = self.server.client()
        try:
            c.get_database(DB)  # a connection's first message goes to a worker
            before = inline_calls(self.server)
            for i in range(100):
                t = c.get_table(DB, "t1" if i % 2 == 0 else "t2")
                self.assertEqual(t.tableName, "t1" if i % 2 == 0 else "t2")
                self.assertEqual([f.name for f in t.sd.cols],
                                 ["id", "name"] if i % 2 == 0 else ["a"])
            # Errors are answered in their declared slot, the connection stays usable.
            with self.assertRaises(hms.NoSuchObjectException):
                c.get_table(DB, "missing")
            self.assertEqual(len(c.get_table(DB, "wide").sd.cols), WIDE_COLUMNS)
            self.assertEqual(c.get_database(DB).name, DB)
            served = inline_calls(self.server) - before
            # Nothing else happens on this server: nearly every call was alone in its epoll
            # batch (a straggling event from an earlier test may share one).
            self.assertGreaterEqual(served, 95)
        finally:
            c.close()

    def listing_counts(self, method):
        text = metrics(self.server)
        return (harness.metric(text, INLINE), harness.metric(text, HANDOFFS),
                harness.metric(text, 'arbor_thrift_requests_total{method="%s",result="ok"}' % method))

    def test_small_committed_listing_is_served_by_the_loop(self):
        c = self.server.client()
        try:
            c.get_database(DB)
            calls = [
                ("get_partition_names", lambda: c.get_partition_names(DB, "few", -1),
                 ["p=%04d" % i for i in range(FEW)]),
                ("get_partitions", lambda: [p.values for p in c.get_partitions(DB, "few", -1)],
                 [["%04d" % i] for i in range(FEW)]),
                ("get_partitions_by_filter",
                 lambda: [p.values for p in c.get_partitions_by_filter(DB, "few", 'p >= "0010"', -1)],
                 [["%04d" % i] for i in range(10, FEW)]),
                ("get_partition_names_ps", lambda: c.get_partition_names_ps(DB, "few", ["0003"], -1),
                 ["p=0003"]),
                # Staged, not committed: the few staged keys are counted too.
                ("fetch_partition_names_req",
                 lambda: c.fetch_partition_names_req(hms.PartitionsRequest(dbName=DB, tblName="parts")),
                 ["p=%04d" % i for i in range(5)]),
            ]
            for method, call, want in calls:
                inline, handoffs, requests = self.listing_counts(method)
                for _ in range(20):
                    self.assertEqual(call(), want, method)
                now = self.listing_counts(method)
                # Each call counted once; nearly all served by the loop (a straggling
                # event from an earlier test may share an epoll batch), none handed off.
                self.assertEqual(now[2], requests + 20, method)
                self.assertGreaterEqual(now[0] - inline, 19, method)
                self.assertEqual(now[1], handoffs, method)
        finally:
            c.close()

    def test_listing_over_budget_or_uncommitted_goes_to_a_worker(self):
        c = self.server.client()
        try:
            c.get_database(DB)
            cases = [
                # More names than the loop's budget (4096) of keys to read.
                ("get_partition_names", lambda: len(c.get_partition_names(DB, "many", -1)), MANY),
                # More partitions than its budget (256), by a limit and by a filter's key range.
                ("get_partitions", lambda: len(c.get_partitions(DB, "many", 300)), 300),
                ("get_partitions_by_filter",
                 lambda: len(c.get_partitions_by_filter(DB, "many", 'p < "0300"', -1)), 300),
                # More staged edits than the loop reads to count them (256).
                ("get_partition_names", lambda: len(c.get_partition_names(DB, "staged", -1)), STAGED),
            ]
            for method, call, want in cases:
                inline, handoffs, requests = self.listing_counts(method)
                for _ in range(5):
                    self.assertEqual(call(), want, method)
                now = self.listing_counts(method)
                # Counted once each (the loop's attempt withdrawn), served by a worker.
                self.assertEqual(now[2], requests + 5, method)
                self.assertEqual(now[0], inline, method)
                self.assertGreaterEqual(now[1] - handoffs, 4, method)
            # The connection is in step after the hand-offs.
            self.assertEqual(c.get_table(DB, "t1").tableName, "t1")
        finally:
            c.close()

    def test_pipelining_client_does_not_stall_the_server(self):
        other = self.server.client(timeout_ms=5000)
        other.get_database(DB)
        n = 40  # 12 MB of replies: far more than the socket buffers hold
        requests = get_table_requests([(DB, "wide")] * n)
        sock = small_receive_buffer()
        sock.connect(("127.0.0.1", self.server.port))
        sender = threading.Thread(target=sock.sendall, args=(requests,))
        sender.start()
        try:
            time.sleep(0.5)  # the replies pile up: the only worker waits for this client
            # The loop still serves another client's cheap call at once.
            for _ in range(5):
                start = time.time()
                self.assertEqual(other.get_table(DB, "t1").tableName, "t1")
                self.assertLess(time.time() - start, 2.0)
            # Nothing is lost: every reply arrives, in order.
            reader = reply_reader(sock)
            for _ in range(n):
                self.assertEqual(len(reader.recv_get_table().sd.cols), WIDE_COLUMNS)
            sender.join(timeout=30)
            self.assertFalse(sender.is_alive())
            # The connection still works, for pipelined cheap calls too.
            sock.sendall(get_table_requests([(DB, "t1"), (DB, "t2")]))
            self.assertEqual(reader.recv_get_table().tableName, "t1")
            self.assertEqual(reader.recv_get_table().tableName, "t2")
        finally:
            sock.close()
            other.close()

    def test_reply_the_socket_cannot_take_is_queued_in_order(self):
        # A connection's first message goes to the worker, which this test ties up.
        other = self.server.client(timeout_ms=5000)
        other.get_database(DB)
        sock = small_receive_buffer()
        sock.connect(("127.0.0.1", self.server.port))
        reader = reply_reader(sock)
        sock.sendall(get_table_requests([(DB, "t1")]))
        self.assertEqual(reader.recv_get_table().tableName, "t1")
        # Served by the loop while the client reads nothing, until a reply waits on
        # the loop's queue.
        sent = fill_until_queued(self.server, sock)
        # Requests behind a queued reply go to the worker, which sends the queue first.
        sock.sendall(get_table_requests([(DB, "t2"), (DB, "wide")]))
        # Let the loop hand them over first: a call in the same epoll batch would go
        # to the worker as well, and wait behind this client.
        time.sleep(0.5)
        try:
            self.assertEqual(other.get_table(DB, "t1").tableName, "t1")
        finally:
            other.close()
        for _ in range(sent):
            self.assertEqual(len(reader.recv_get_table().sd.cols), WIDE_COLUMNS)
        self.assertEqual(reader.recv_get_table().tableName, "t2")
        self.assertEqual(len(reader.recv_get_table().sd.cols), WIDE_COLUMNS)
        sock.close()


def queue_a_reply(server):
    """A socket to `server` (given a table `wide`) that does not read, with a reply of
    the loop's queued behind it; returns (socket, its reader, requests sent)."""
    c = server.client()
    c.create_database(hms.Database(name=DB))
    c.create_table(wide_table())
    c.close()
    sock = small_receive_buffer()
    sock.connect(("127.0.0.1", server.port))
    reader = reply_reader(sock)
    sock.sendall(get_table_requests([(DB, "wide")]))
    reader.recv_get_table()  # the first message, by a worker
    return sock, reader, fill_until_queued(server, sock)


class UnreadReplyTest(unittest.TestCase):
    def test_client_that_never_takes_its_reply_is_closed(self):
        server = harness.Arbord(["--request-timeout", "1", "--log-level", "debug"]).start()
        try:
            sock, _, _ = queue_a_reply(server)
            deadline = time.time() + 10
            series = 'arbor_thrift_closed_connections_total{reason="request_timeout"}'
            while harness.metric(metrics(server), series) < 1 and time.time() < deadline:
                time.sleep(0.1)
            self.assertEqual(harness.metric(metrics(server), series), 1)
            self.assertIn("reply not complete 1 s after it started", server.read_log())
            sock.close()
        finally:
            server.cleanup()


class StopWithQueuedReplyTest(unittest.TestCase):
    def test_stop_sends_the_queued_reply_first(self):
        server = harness.Arbord(["--log-level", "debug"]).start()
        try:
            sock, reader, sent = queue_a_reply(server)
            server.proc.send_signal(signal.SIGTERM)
            time.sleep(0.3)
            self.assertIsNone(server.proc.poll(), "stopped before sending the reply")
            for _ in range(sent):
                self.assertEqual(len(reader.recv_get_table().sd.cols), WIDE_COLUMNS)
            # Then it stops by itself (a second SIGTERM would end it at once).
            self.assertEqual(server.proc.wait(timeout=10), 0)
            sock.close()
        finally:
            server.cleanup()


class StopUnderLoadTest(unittest.TestCase):
    def test_stop_while_clients_call(self):
        server = harness.Arbord(["--worker-threads", "2"]).start()
        try:
            c = server.client()
            c.create_database(hms.Database(name=DB))
            c.create_table(harness.make_table(DB, "t1"))
            c.close()
            stop = threading.Event()
            calls = [0] * 4

            def call(i):
                try:
                    client = server.client(timeout_ms=10000)
                    while not stop.is_set():
                        client.get_table(DB, "t1")
                        calls[i] += 1
                except Exception:  # noqa: BLE001 - the server goes away under the client
                    pass

            threads = [threading.Thread(target=call, args=(i,)) for i in range(len(calls))]
            for t in threads:
                t.start()
            time.sleep(1.0)
            self.assertGreater(harness.metric(metrics(server), INLINE), 0)
            self.assertEqual(server.stop(timeout=20), 0)
            stop.set()
            for t in threads:
                t.join(timeout=20)
            self.assertTrue(all(n > 0 for n in calls), calls)
        finally:
            stop.set()
            server.cleanup()


if __name__ == "__main__":
    harness.main()

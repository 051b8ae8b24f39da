"""Hostile and broken Thrift input (docs/architecture.md#robustness): the bad connection is closed with a
log line, and the server keeps serving everyone else.

Each case talks to arbord over raw sockets. After each one the test checks that the
process is alive, that a long-lived client opened before the case still works, that a
fresh client works, and (for the malformed cases) that arbord's log names the problem.
Also: size limits on a server started with small limits, and the framed transport +
compact protocol options.
"""

import errno
import os
import random
import socket
import struct
import subprocess
import threading
import time

from harness import (Arbord, ArbordTestCase, Client, ThriftHiveMetastore, admin_call, hms, main,
                     make_partition, make_table, raw_connection)
from thrift.protocol import TBinaryProtocol, TCompactProtocol
from thrift.Thrift import TApplicationException, TMessageType, TType
from thrift.transport import TSocket, TTransport

DB = "rob"
BIG = "big"           # a partitioned table whose get_partitions reply is ~1.5 MB
BIG_PARTS = 3000


# --- wire helpers -----------------------------------------------------------------

def encode_call(name, args, seqid=1):
    """A complete strict TBinaryProtocol CALL message for the generated args struct."""
    buf = TTransport.TMemoryBuffer()
    proto = TBinaryProtocol.TBinaryProtocol(buf)
    proto.writeMessageBegin(name, TMessageType.CALL, seqid)
    args.write(proto)
    proto.writeMessageEnd()
    return buf.getvalue()


def call_header(name, seqid=1):
    """Just the message header; the caller appends hand-made argument bytes."""
    raw = name.encode()
    return struct.pack(">Ii", 0x80010001, len(raw)) + raw + struct.pack(">i", seqid)


def field(ttype, fid):
    return struct.pack(">bh", ttype, fid)


def tstring(s):
    raw = s.encode() if isinstance(s, str) else s
    return struct.pack(">i", len(raw)) + raw


def send_and_drain(port, data, timeout=10):
    """Sends `data`, half-closes, and returns whatever the server sends before closing.

    Fails (raises socket.timeout) if the server neither answers nor closes in time,
    which would mean that one bad connection can hang a server thread forever."""
    s = raw_connection(port)
    s.settimeout(timeout)
    try:
        s.sendall(data)
        try:
            s.shutdown(socket.SHUT_WR)
        except OSError as e:
            # The server may have read enough to reject the input and closed first.
            if e.errno != errno.ENOTCONN:
                raise
        got = b""
        while True:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            got += chunk
        return got
    finally:
        s.close()


def rst_close(sock):
    """Closes with a TCP reset instead of an orderly FIN."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def proc_status(pid):
    fields = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return fields


def rss_kb(pid):
    return int(proc_status(pid)["VmRSS"].split()[0])


def thread_count(pid):
    return int(proc_status(pid)["Threads"])


class StdoutDrain:
    """Reads arbord's stdout after the "ready" line, which the harness stops reading.

    arbord's log lines currently go to stdout (spdlog's default sink), not to stderr,
    which is what Arbord.read_log() shows. Undrained, that pipe fills after ~64 KiB of
    log and every server thread that logs then blocks. Draining keeps one finding from
    hanging all later cases, and lets a failed log check say where the line went."""

    def __init__(self, proc):
        self.text = []
        self.thread = threading.Thread(target=self._run, args=(proc.stdout,), daemon=True)
        self.thread.start()

    def _run(self, pipe):
        try:
            for line in iter(pipe.readline, b""):
                self.text.append(line.decode(errors="replace"))
        except (OSError, ValueError):
            pass

    def since(self, mark):
        return "".join(self.text[mark:])

    def mark(self):
        return len(self.text)


class ServerChecks:
    """Mixed into test cases whose class has `server` (an Arbord): setUpClass drains its
    stdout, fills the big table (prepare) and opens `keeper` (connect_keeper), a client
    used after every case and closed in tearDownClass."""

    big_parts = BIG_PARTS
    populate_batch = 500  # partitions per add_partitions call

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.drain()
        cls.prepare()
        cls.keeper = cls.connect_keeper()

    @classmethod
    def tearDownClass(cls):
        cls.keeper.close()
        super().tearDownClass()

    @classmethod
    def prepare(cls):
        c = cls.server.client()
        populate(c, cls.big_parts, cls.populate_batch)
        c.close()

    @classmethod
    def connect_keeper(cls):
        return cls.server.client()

    @classmethod
    def drain(cls):
        cls.stdout = StdoutDrain(cls.server.proc)

    def log_offset(self):
        try:
            size = os.path.getsize(self.server.log_path)
        except OSError:
            size = 0
        return size, self.stdout.mark()

    def log_since(self, offset):
        with open(self.server.log_path, "rb") as f:
            f.seek(offset[0])
            return f.read().decode(errors="replace")

    def assertLogMentions(self, offset, *needles, timeout=5):
        """Some line written to arbord's log (Arbord.read_log(), i.e. its stderr) after
        `offset` contains one of `needles`."""
        deadline = time.time() + timeout
        while True:
            text = self.log_since(offset)
            if any(n in text for n in needles):
                return text
            if time.time() > deadline:
                out = self.stdout.since(offset[1])
                where = ("; the line went to arbord's stdout instead: %r"
                         % [l for l in out.splitlines() if any(n in l for n in needles)][:2]
                         if any(n in out for n in needles) else
                         "; stdout has no such line either: %r" % out[-1000:])
                self.fail("arbord.log (Arbord.read_log) has no line mentioning any of %r "
                          "after the bad connection%s" % (needles, where))
            time.sleep(0.05)

    def assertHealthy(self):
        self.assertIsNone(self.server.proc.poll(), "arbord exited")
        # The long-lived client, connected before the bad input, still works...
        self.assertEqual(self.keeper.get_database(DB).name, DB)
        self.assertEqual(self.keeper.get_table(DB, BIG).tableName, BIG)
        # ...and so does a brand-new one.
        c = self.server.client(timeout_ms=10000)
        try:
            self.assertIn(DB, c.get_all_databases())
            self.assertEqual(len(c.get_partition_names(DB, BIG, -1)), self.big_parts)
        finally:
            c.close()

    def assertSaslRefused(self):
        """A Hive client configured for SASL (Kerberos or PLAIN) opens with a SASL START
        frame: status 0x01, a 4-byte length, the mechanism name, then its first token.
        Read as Thrift that is the start of a 16 MiB message, so the client used to hang.
        It must get a SASL ERROR frame (status 0x04), which Hive's client reports as
        "Peer indicated failure", and a closed connection, within 2 s."""
        for mechanism, token in ((b"PLAIN", b"\0hive\0secret"), (b"GSSAPI", b"\x60\x82" * 40)):
            offset = self.log_offset()
            s = raw_connection(self.server.port)
            s.settimeout(2)
            try:
                s.sendall(b"\x01" + struct.pack(">i", len(mechanism)) + mechanism
                          + b"\x02" + struct.pack(">i", len(token)) + token)
                got = b""
                while True:
                    try:
                        chunk = s.recv(4096)
                    except socket.timeout:
                        chunk = None
                    if chunk is None:
                        self.fail("no answer to a SASL %s start within 2 s (got %r)"
                                  % (mechanism.decode(), got))
                    if not chunk:
                        break
                    got += chunk
            finally:
                s.close()
            self.assertGreaterEqual(len(got), 5, got)
            self.assertEqual(got[0], 0x04, "not a SASL ERROR frame: %r" % got)
            length = struct.unpack(">i", got[1:5])[0]
            self.assertEqual(len(got), 5 + length, got)
            self.assertIn(b"authentication is not enabled", got[5:])
            self.assertLogMentions(offset, "SASL negotiation received but authentication is not "
                                           "enabled")
        self.assertHealthy()

    def connections_and_threads(self):
        """arbord's own count of open connections (fb303 getCounters) and its threads."""
        return (self.keeper.getCounters()["open_connections"],
                thread_count(self.server.proc.pid))

    def server_side_peers(self):
        """Client ports of the connections arbord's Thrift port holds established."""
        out = subprocess.run(["ss", "-tnH", "state", "established",
                              "( sport = :%d )" % self.server.port],
                             capture_output=True, text=True, check=True).stdout
        return {int(line.split()[-1].rsplit(":", 1)[1]) for line in out.splitlines() if line}

    def assertThreadsSettle(self, baseline, client_ports, timeout=60):
        """The connections a test dropped are released by arbord, with their threads.

        `baseline` is connections_and_threads() from before the test's connections;
        `client_ports` the local ports of the test's sockets. None of them may stay
        established on arbord's side, and the thread count must fall back to the
        baseline. RocksDB may start a background thread meanwhile (a flush), and on
        a loaded machine an unrelated client of the class may still be finishing,
        so threads may exceed the baseline by two, never by a test connection's
        worth (each one held a thread). A loaded machine may take a while to finish
        writing replies nobody reads, hence the generous timeout."""
        _, threads = baseline
        deadline = time.time() + timeout
        while True:
            left = self.server_side_peers() & set(client_ports)
            now_connections, now_threads = self.connections_and_threads()
            if not left and now_threads <= threads + 2:
                return
            if time.time() > deadline:
                self.fail("arbord still holds %d of the test's connections (%d open in all) "
                          "and %d threads, %d before the test's connections"
                          % (len(left), now_connections, now_threads, threads))
            time.sleep(0.1)


def populate(client, big_parts, batch=500):
    client.create_table(make_table(DB, BIG, part_keys=(("ds", "string"), ("hr", "int"))))
    for start in range(0, big_parts, batch):
        client.add_partitions([make_partition(DB, BIG, ["2024-01-%02d" % (i // 24 + 1),
                                                        str(i % 24)])
                               for i in range(start, min(start + batch, big_parts))])


class RobustnessTest(ServerChecks, ArbordTestCase):
    """Default limits (256 MiB messages, 10 M container elements)."""

    database = DB

    def test_random_bytes(self):
        rng = random.Random(20261121)
        offset = self.log_offset()
        for i in range(40):
            data = bytearray(rng.randbytes(rng.randint(1, 2048)))
            if i < 20:
                # A negative first word that is not the 0x8001 version: always malformed.
                data[0] |= 0x80
                if data[0] == 0x80 and len(data) > 1 and data[1] == 0x01:
                    data[1] = 0x02
            send_and_drain(self.server.port, bytes(data))
        self.assertLogMentions(offset, "Bad version identifier")
        self.assertHealthy()

    def test_truncated_messages(self):
        msg = encode_call("get_database", ThriftHiveMetastore.get_database_args(name=DB))
        # The whole message is answered (checks the encoder)...
        reply = send_and_drain(self.server.port, msg)
        self.assertIn(DB.encode(), reply)
        # ...and every proper prefix gets no answer and a closed connection.
        for n in range(1, len(msg)):
            self.assertEqual(send_and_drain(self.server.port, msg[:n]), b"", "prefix %d" % n)
        # Prefixes left hanging on open sockets do not block anybody else.
        hanging = []
        for n in (3, 10, len(msg) - 1):
            s = raw_connection(self.server.port)
            s.sendall(msg[:n])
            hanging.append(s)
        self.assertHealthy()
        for s in hanging:
            s.close()
        self.assertHealthy()

    def test_huge_string_length(self):
        pid = self.server.proc.pid
        before = rss_kb(pid)
        offset = self.log_offset()
        # get_database(name) whose string claims 2^31-1 bytes, followed by 3 bytes.
        body = field(TType.STRING, 1) + struct.pack(">i", 2**31 - 1) + b"abc"
        self.assertEqual(send_and_drain(self.server.port, call_header("get_database") + body),
                         b"")
        self.assertLogMentions(offset, "Exceeded size limit")
        offset = self.log_offset()
        body = field(TType.STRING, 1) + struct.pack(">i", -1) + b"abc"
        self.assertEqual(send_and_drain(self.server.port, call_header("get_database") + body),
                         b"")
        self.assertLogMentions(offset, "Negative size")
        self.assertLess(rss_kb(pid) - before, 64 * 1024, "RSS grew by more than 64 MiB")
        self.assertHealthy()

    def test_huge_container_headers(self):
        offset = self.log_offset()
        # get_table_objects_by_name(db, list<string> claiming 10^9 elements)
        body = (field(TType.STRING, 1) + tstring(DB) + field(TType.LIST, 2)
                + struct.pack(">bi", TType.STRING, 10**9) + tstring("t"))
        self.assertEqual(
            send_and_drain(self.server.port, call_header("get_table_objects_by_name") + body), b"")
        self.assertLogMentions(offset, "Exceeded size limit")
        # create_database(Database{parameters: map claiming 10^9 entries})
        offset = self.log_offset()
        body = (field(TType.STRUCT, 1) + field(TType.STRING, 1) + tstring("x")
                + field(TType.MAP, 4) + struct.pack(">bbi", TType.STRING, TType.STRING, 10**9))
        self.assertEqual(send_and_drain(self.server.port, call_header("create_database") + body),
                         b"")
        self.assertLogMentions(offset, "Exceeded size limit")
        self.assertNotIn("x", self.keeper.get_all_databases())
        self.assertHealthy()

    def test_container_claim_does_not_preallocate(self):
        """A tiny message must not make the server allocate memory for elements it has
        not received. add_partitions' list<Partition> header claiming 100 000 elements
        is 37 bytes; held open, it must not cost the server anything like
        100 000 x sizeof(Partition). (Thrift's reader sizes a list before reading it,
        so the defence is the default --max-container-elements of 32 768.)"""
        pid = self.server.proc.pid
        before = rss_kb(pid)
        body = field(TType.LIST, 1) + struct.pack(">bi", TType.STRUCT, 100000)
        s = raw_connection(self.server.port)
        try:
            s.sendall(call_header("add_partitions") + body)
            time.sleep(0.5)
            grown_mib = (rss_kb(pid) - before) / 1024
        finally:
            s.close()
        self.assertHealthy()
        self.assertLess(grown_mib, 32,
                        "a 37-byte add_partitions header claiming 100k partitions made arbord's "
                        "RSS grow by %.0f MiB while the connection was open" % grown_mib)

    def test_deep_nesting(self):
        # get_database("rob", <unknown field 2: struct{1: struct{1: struct{...}}}>):
        # skipping the unknown field must stop at the recursion limit.
        offset = self.log_offset()
        body = (field(TType.STRING, 1) + tstring(DB) + field(TType.STRUCT, 2)
                + field(TType.STRUCT, 1) * 100000)
        self.assertEqual(send_and_drain(self.server.port, call_header("get_database") + body),
                         b"")
        self.assertLogMentions(offset, "depth limit")
        # The same with lists of lists.
        offset = self.log_offset()
        body = (field(TType.STRING, 1) + tstring(DB) + field(TType.LIST, 2)
                + struct.pack(">bi", TType.LIST, 1) * 100000)
        self.assertEqual(send_and_drain(self.server.port, call_header("get_database") + body),
                         b"")
        self.assertLogMentions(offset, "depth limit")
        self.assertHealthy()

    def test_invalid_types(self):
        offset = self.log_offset()
        body = field(TType.STRING, 1) + tstring(DB) + field(0x7f, 3) + b"\0" * 8
        self.assertEqual(send_and_drain(self.server.port, call_header("get_database") + body),
                         b"")
        self.assertLogMentions(offset, "invalid TType")
        # A REPLY sent by a client.
        offset = self.log_offset()
        data = struct.pack(">Ii", 0x80010002, 3) + b"abc" + struct.pack(">i", 1) + b"\0"
        self.assertEqual(send_and_drain(self.server.port, data), b"")
        self.assertLogMentions(offset, "invalid message type")
        self.assertHealthy()

    def _raw_client(self):
        sock = TSocket.TSocket("127.0.0.1", self.server.port)
        sock.setTimeout(10000)
        trans = TTransport.TBufferedTransport(sock)
        trans.open()
        return trans, TBinaryProtocol.TBinaryProtocol(trans)

    def test_unknown_method(self):
        trans, proto = self._raw_client()
        try:
            for seqid, name in enumerate(["xyz", "get_database_v99", "drop_everything"], 1):
                proto.writeMessageBegin(name, TMessageType.CALL, seqid)
                # Arguments of several types, which the server has to skip.
                proto.writeStructBegin("args")
                proto.writeFieldBegin("a", TType.STRING, 1)
                proto.writeString("x" * 100)
                proto.writeFieldEnd()
                proto.writeFieldBegin("b", TType.LIST, 2)
                proto.writeListBegin(TType.I64, 3)
                for v in (1, 2, 3):
                    proto.writeI64(v)
                proto.writeListEnd()
                proto.writeFieldEnd()
                proto.writeFieldStop()
                proto.writeStructEnd()
                proto.writeMessageEnd()
                trans.flush()
                rname, rtype, rseqid = proto.readMessageBegin()
                self.assertEqual((rname, rtype, rseqid), (name, TMessageType.EXCEPTION, seqid))
                exc = TApplicationException()
                exc.read(proto)
                proto.readMessageEnd()
                self.assertEqual(exc.type, TApplicationException.UNKNOWN_METHOD)
                self.assertEqual(exc.message, "Invalid method name: '%s'" % name)
            # The connection stays usable: a real call on it works.
            client = ThriftHiveMetastore.Client(proto)
            self.assertEqual(client.get_database(DB).name, DB)
        finally:
            trans.close()
        self.assertHealthy()

    def test_disconnect_mid_reply(self):
        baseline = self.connections_and_threads()
        ports = []
        msg = encode_call("get_partitions", ThriftHiveMetastore.get_partitions_args(
            db_name=DB, tbl_name=BIG, max_parts=-1))
        offset = self.log_offset()
        for _ in range(10):
            # A tiny receive window keeps the ~1.5 MB reply from fitting in socket buffers,
            # so the server is still writing when the reset arrives.
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.settimeout(10)
            s.connect(("127.0.0.1", self.server.port))
            ports.append(s.getsockname()[1])
            s.sendall(msg)
            self.assertTrue(s.recv(100))
            time.sleep(0.05)
            rst_close(s)
        for _ in range(10):
            s = raw_connection(self.server.port)
            ports.append(s.getsockname()[1])
            s.sendall(msg)
            s.close()  # orderly close before reading anything
        self.assertHealthy()
        self.assertLogMentions(offset, "reset by peer", "Broken pipe")
        self.assertThreadsSettle(baseline, ports)

    def test_many_connections_opened_and_dropped(self):
        baseline = self.connections_and_threads()
        ports = []
        msg = encode_call("get_database", ThriftHiveMetastore.get_database_args(name=DB))
        for round_ in range(3):
            socks = []
            for i in range(150):
                s = raw_connection(self.server.port)
                ports.append(s.getsockname()[1])
                kind = i % 4
                if kind == 1:
                    s.sendall(msg[:i % len(msg) + 1])   # a partial message
                elif kind == 2:
                    s.sendall(msg)                       # a whole call, reply never read
                elif kind == 3:
                    s.sendall(msg * 3)                   # pipelined calls
                socks.append(s)
            self.assertEqual(self.keeper.get_database(DB).name, DB)
            for i, s in enumerate(socks):
                if i % 2:
                    rst_close(s)
                else:
                    s.close()
        self.assertHealthy()
        self.assertThreadsSettle(baseline, ports)

    def test_concurrent_garbage_while_clients_work(self):
        """Bad connections from several threads while two clients keep calling."""
        stop = threading.Event()
        errors = []

        def good_client():
            c = self.server.client(timeout_ms=10000)
            try:
                while not stop.is_set():
                    if c.get_table(DB, BIG).tableName != BIG:
                        errors.append("wrong table")
            except Exception as e:  # noqa: BLE001 - any failure is the finding
                errors.append(repr(e))
            finally:
                c.close()

        def garbage(seed):
            rng = random.Random(seed)
            while not stop.is_set():
                try:
                    send_and_drain(self.server.port, rng.randbytes(rng.randint(1, 300)))
                except OSError as e:
                    errors.append("garbage connection: %r" % e)

        threads = ([threading.Thread(target=good_client) for _ in range(2)]
                   + [threading.Thread(target=garbage, args=(i,)) for i in range(3)])
        for t in threads:
            t.start()
        time.sleep(3)
        stop.set()
        for t in threads:
            t.join(30)
        self.assertEqual(errors, [])
        self.assertHealthy()


    def test_sasl_handshake_without_authentication(self):
        self.assertSaslRefused()

    def test_long_names_are_not_echoed_whole(self):
        """A 1 MiB database name must not come back as a 1 MiB error message."""
        huge = "x" * (1 << 20)
        c = self.server.client()
        try:
            for call in (lambda: c.get_database(huge),
                         lambda: c.get_database("@" + huge),           # no '#': malformed
                         lambda: c.get_table(huge, "t"),
                         lambda: c.create_database(hms.Database(name=huge, parameters={}))):
                message = None
                try:
                    call()
                except Exception as e:  # the HMS exception types differ by call
                    message = getattr(e, "message", None) or str(e)
                # (Asserting outside the handler: Thrift's exceptions are immutable, so a
                # failure raised inside it could not be chained to them.)
                self.assertIsNotNone(message, "a call with a 1 MiB database name succeeded")
                self.assertLess(len(message), 1024, message[:300])
                self.assertIn("truncated", message)
            self.assertNotIn(huge, c.get_all_databases())
            # Names echoed by deeper layers (a table name in "not found") are capped
            # where the error becomes a Thrift exception: at most a few KB.
            for call in (lambda: c.get_table(DB, huge),
                         lambda: c.get_partition_names(DB, huge, -1)):
                message = None
                try:
                    call()
                except Exception as e:
                    message = getattr(e, "message", None) or str(e)
                self.assertIsNotNone(message, "a call with a 1 MiB table name succeeded")
                self.assertLess(len(message), 5000, message[:300])
                self.assertIn("truncated", message)
        finally:
            c.close()
        self.assertHealthy()

    def test_admin_booleans_must_be_booleans(self):
        port = self.server.http_port
        status, _ = admin_call(port, "POST", "/api/v1/branches", {"name": "robbool"})
        self.assertEqual(status, 201)
        for value in ("yes", "true", 1):
            status, body = admin_call(port, "POST", "/api/v1/branches/robbool/commits",
                                      {"message": "m", "allow_empty": value})
            self.assertEqual(status, 400, body)
            self.assertEqual(body.get("code"), "INVALID_JSON", body)
            self.assertIn("allow_empty", body.get("message", ""))
        status, body = admin_call(port, "POST", "/api/v1/branches/robbool/commits",
                                  {"message": "m", "allow_empty": True})
        self.assertEqual(status, 201, body)
        self.assertEqual(admin_call(port, "DELETE", "/api/v1/branches/robbool")[0], 204)

    def test_declared_string_size_is_not_preallocated(self):
        """An 18-byte header declaring a 200 MiB string, then nothing: the server must
        not allocate the 200 MiB before the bytes arrive. Four such connections used to
        cost ~800 MiB of RSS."""
        pid = self.server.proc.pid
        before = rss_kb(pid)
        stalled = []
        try:
            for _ in range(4):
                s = raw_connection(self.server.port)
                s.sendall(call_header("get_database") + field(TType.STRING, 1)
                          + struct.pack(">i", 200 << 20) + b"abc")
                stalled.append(s)
            time.sleep(1.0)
            grown_mib = (rss_kb(pid) - before) / 1024
            # The server still answers everyone else meanwhile.
            self.assertHealthy()
        finally:
            for s in stalled:
                s.close()
        self.assertLess(grown_mib, 100, "4 stalled 200 MiB string headers grew arbord's RSS by "
                                        "%.0f MiB" % grown_mib)
        self.assertHealthy()


class SmallLimitsTest(ServerChecks, ArbordTestCase):
    """--max-message-bytes 4096 --max-container-elements 100 --max-connections 8."""

    extra_args = ["--max-message-bytes", "4096", "--max-container-elements", "100",
                  "--max-connections", "8"]
    big_parts = 48
    populate_batch = 24  # a day per call: 48 partitions are over the 4096-byte limit
    database = DB

    def _expect_connection_dropped(self, fn, *args):
        c = self.server.client(timeout_ms=10000)
        try:
            with self.assertRaises((TTransport.TTransportException, TApplicationException)):
                getattr(c, fn)(*args)
        finally:
            c.close()

    def test_oversized_string_rejected(self):
        offset = self.log_offset()
        self._expect_connection_dropped("create_database",
                                        hms.Database(name="toolong", description="x" * 5000))
        self.assertLogMentions(offset, "Exceeded size limit", "MaxMessageSize")
        c = self.server.client()
        try:
            self.assertRaises(hms.NoSuchObjectException, c.get_database, "toolong")
            # Under the limit is fine.
            c.create_database(hms.Database(name="fits", description="x" * 3000))
            self.assertEqual(len(c.get_database("fits").description), 3000)
        finally:
            c.close()
        self.assertHealthy()

    def test_oversized_message_rejected(self):
        """Each string is small, but the message is over --max-message-bytes."""
        cols = [("c%03d_%s" % (i, "y" * 40), "string") for i in range(100)]
        self._expect_connection_dropped("create_table", make_table(DB, "wide", cols=cols))
        self.assertNotIn("wide", self.keeper.get_all_tables(DB))
        self.assertHealthy()

    def test_oversized_list_rejected(self):
        offset = self.log_offset()
        self._expect_connection_dropped("get_table_objects_by_name", DB,
                                        ["t%d" % i for i in range(101)])
        self.assertLogMentions(offset, "Exceeded size limit")
        offset = self.log_offset()
        self._expect_connection_dropped(
            "create_database",
            hms.Database(name="manyparams", parameters={"k%d" % i: "v" for i in range(101)}))
        self.assertLogMentions(offset, "Exceeded size limit")
        self.assertNotIn("manyparams", self.keeper.get_all_databases())
        # Exactly at the limit is fine.
        got = self.keeper.get_table_objects_by_name(DB, [BIG] + ["t%d" % i for i in range(99)])
        self.assertEqual([t.tableName for t in got], [BIG])
        self.assertHealthy()

    def test_long_lived_connection_may_exceed_max_message_bytes_in_total(self):
        """The limit is per message: a connection that sends more than
        --max-message-bytes over many small calls must keep working."""
        c = self.server.client(timeout_ms=10000)
        try:
            for i in range(1000):  # ~40 KB in total, ten times the limit
                try:
                    self.assertEqual(c.get_database(DB).name, DB)
                except TTransport.TTransportException as e:
                    self.fail("call %d on one connection failed (%r): the message-size limit "
                              "seems to count every byte the connection ever received" % (i, e))
        finally:
            c.close()
        self.assertHealthy()

    def test_dropped_connections_free_their_slots(self):
        """With --max-connections 8, many short bad connections in a row must not use up
        the slots: afterwards 7 clients (the keeper holds the 8th) work at once."""
        self.c.close()  # setUp's client would hold a 9th slot
        msg = encode_call("get_database", ThriftHiveMetastore.get_database_args(name=DB))
        for round_ in range(5):
            socks = [raw_connection(self.server.port) for _ in range(7)]
            for i, s in enumerate(socks):
                s.sendall([b"\x80\x02garbage", msg[:5], msg][i % 3])
            for i, s in enumerate(socks):
                rst_close(s) if i % 2 else s.close()
        clients = [self.server.client(timeout_ms=10000) for _ in range(7)]
        try:
            for c in clients:
                self.assertEqual(c.get_database(DB).name, DB)
        finally:
            for c in clients:
                c.close()
        self.assertHealthy()


class ConnectionsTest(ServerChecks, ArbordTestCase):
    """Idle, slow and surplus connections (server/thrift_server.h), with a short
    --request-timeout, --max-connections 300 and --max-pending-bytes 1M."""

    extra_args = ["--request-timeout", "2", "--max-connections", "300",
                  "--max-pending-bytes", "1M"]
    big_parts = 48
    database = DB

    def fresh_client_seconds(self):
        """Connect, one call, close: the latency a new pooled client sees."""
        start = time.time()
        c = self.server.client(timeout_ms=10000)
        try:
            self.assertEqual(c.get_database(DB).name, DB)
        finally:
            c.close()
        return time.time() - start

    def test_idle_connections_hold_no_thread(self):
        """Engines keep pools of idle connections: 250 of them (half used once) must
        neither hold a thread each nor keep a new client waiting."""
        _, threads = self.connections_and_threads()
        msg = encode_call("get_database", ThriftHiveMetastore.get_database_args(name=DB))
        idle = []
        try:
            for i in range(250):
                s = raw_connection(self.server.port)
                if i % 2:
                    s.sendall(msg)
                    self.assertIn(DB.encode(), s.recv(65536))
                idle.append(s)
            opened, now_threads = self.connections_and_threads()
            self.assertGreaterEqual(opened, 250)
            self.assertLessEqual(now_threads, threads + 2,
                                 "250 idle connections took %d threads" % (now_threads - threads))
            took = max(self.fresh_client_seconds() for _ in range(5))
            self.assertLess(took, 1.0, "a new client waited %.2f s behind 250 idle ones" % took)
        finally:
            for s in idle:
                s.close()
        self.assertHealthy()

    def test_stalled_request_is_closed_after_the_timeout(self):
        """A request that starts and stalls is closed --request-timeout (2 s) after its
        first byte, with a log line; an idle connection is not."""
        msg = encode_call("get_database", ThriftHiveMetastore.get_database_args(name=DB))
        offset = self.log_offset()
        stalled = raw_connection(self.server.port)
        idle = raw_connection(self.server.port)
        try:
            start = time.time()
            stalled.sendall(msg[:len(msg) - 3])
            stalled.settimeout(10)
            try:
                self.assertEqual(stalled.recv(100), b"")
            except ConnectionResetError:
                pass
            took = time.time() - start
            self.assertGreater(took, 1.5)
            self.assertLess(took, 5, "a stalled request was closed after %.1f s" % took)
            self.assertLogMentions(offset, "request not complete")
            # The idle connection, as old as the stalled one, still works.
            idle.sendall(msg)
            idle.settimeout(10)
            self.assertIn(DB.encode(), idle.recv(65536))
        finally:
            stalled.close()
            idle.close()
        self.assertHealthy()

    def test_slow_clients_do_not_delay_others(self):
        """100 clients trickling requests a byte at a time (slowloris) hold no worker:
        a well-behaved client is served as fast as without them."""
        msg = encode_call("get_database", ThriftHiveMetastore.get_database_args(name=DB))
        quiet = sorted(self.fresh_client_seconds() for _ in range(10))[5]
        slow = [raw_connection(self.server.port) for _ in range(100)]
        stop = threading.Event()

        def trickle():
            for i in range(len(msg) - 1):
                for s in slow:
                    try:
                        s.send(msg[i:i + 1])
                    except OSError:
                        pass
                if stop.wait(0.1):
                    return

        t = threading.Thread(target=trickle)
        t.start()
        try:
            time.sleep(0.3)
            loaded = sorted(self.fresh_client_seconds() for _ in range(10))[5]
        finally:
            stop.set()
            t.join()
            for s in slow:
                s.close()
        print("fresh-client latency: %.1f ms quiet, %.1f ms with 100 slow clients"
              % (quiet * 1e3, loaded * 1e3))
        self.assertLess(loaded, max(0.2, 5 * quiet))
        self.assertHealthy()

    def test_pending_request_bytes_are_bounded(self):
        """Requests still arriving may hold --max-pending-bytes (1 MiB) in all: the
        connection whose bytes go over it is closed with a log line, and the ones
        within it complete normally."""
        def header(declared):
            return (call_header("get_database") + field(TType.STRING, 1)
                    + struct.pack(">i", declared))
        chunk = b"x" * (400 << 10)
        offset = self.log_offset()
        first, second = raw_connection(self.server.port), raw_connection(self.server.port)
        try:
            for s in (first, second):
                s.sendall(header(len(chunk) + 1000) + chunk)
            time.sleep(0.3)
            # 800 KiB pending; 400 more go over the budget.
            self.assertEqual(send_and_drain(self.server.port, header(len(chunk) + 1000) + chunk),
                             b"")
            self.assertLogMentions(offset, "--max-pending-bytes")
            for s in (first, second):
                s.sendall(b"y" * 1000 + b"\0")  # the rest of the name, the end of the args
                s.settimeout(10)
                got = b""
                while len(got) < 100:
                    more = s.recv(65536)
                    self.assertTrue(more, "a connection within the budget was closed")
                    got += more
                self.assertIn(b"410600 bytes long", got)  # the name, rejected
        finally:
            first.close()
            second.close()
        self.assertHealthy()

    def test_client_over_the_limit_is_refused(self):
        """Beyond --max-connections a client gets a Thrift error saying so, promptly,
        and the server logs it; a slot freed admits the next client."""
        time.sleep(0.2)  # earlier clients' closes are seen
        opened, _ = self.connections_and_threads()
        held = [raw_connection(self.server.port) for _ in range(300 - opened)]
        try:
            time.sleep(0.2)
            now, _ = self.connections_and_threads()
            held += [raw_connection(self.server.port) for _ in range(300 - now)]
            offset = self.log_offset()
            start = time.time()
            c = Client(self.server.port, timeout_ms=10000)
            try:
                with self.assertRaises(TApplicationException) as ctx:
                    c.get_all_databases()
            finally:
                c.close()
            took = time.time() - start
            self.assertLess(took, 2, "the refusal took %.1f s" % took)
            self.assertIn("--max-connections", ctx.exception.message)
            self.assertLogMentions(offset, "refused a connection")
            held.pop().close()
            self.assertLess(self.fresh_client_seconds(), 2)
        finally:
            for s in held:
                s.close()
        self.assertHealthy()


class FramedClient:
    """TSocket + TFramedTransport + the given protocol."""

    def __init__(self, port, protocol_class=TCompactProtocol.TCompactProtocol):
        sock = TSocket.TSocket("127.0.0.1", port)
        sock.setTimeout(10000)
        self.transport = TTransport.TFramedTransport(sock)
        self.hms = ThriftHiveMetastore.Client(protocol_class(self.transport))
        self.transport.open()

    def __getattr__(self, name):
        return getattr(self.hms, name)

    def close(self):
        self.transport.close()


class FramedCompactTest(ServerChecks, ArbordTestCase):
    """arbord --transport framed --protocol compact, with a matching Python client."""

    extra_args = ["--transport", "framed", "--protocol", "compact"]
    @classmethod
    def prepare(cls):
        pass  # its tests make their own tables

    @classmethod
    def connect_keeper(cls):
        return FramedClient(cls.server.port)

    def setUp(self):
        self.c = FramedClient(self.server.port)

    def assertHealthy(self):
        self.assertIsNone(self.server.proc.poll(), "arbord exited")
        self.assertIn("default", self.keeper.get_all_databases())
        c = FramedClient(self.server.port)
        try:
            self.assertEqual(c.get_database("default").name, "default")
        finally:
            c.close()

    def test_sasl_handshake_without_authentication(self):
        self.assertSaslRefused()

    def test_round_trip(self):
        c = self.c
        c.create_database(hms.Database(name="fc", parameters={"k": "v"}))
        self.assertEqual(c.get_database("fc").parameters, {"k": "v"})
        c.create_table(make_table("fc", "t", part_keys=(("ds", "string"), ("hr", "int"))))
        self.assertEqual(c.add_partitions(
            [make_partition("fc", "t", ["2024-01-%02d" % d, str(h)])
             for d in (1, 2) for h in range(24)]), 48)
        self.assertEqual(len(c.get_partition_names("fc", "t", -1)), 48)
        got = c.get_partitions_by_filter("fc", "t", 'ds = "2024-01-02"', -1)
        self.assertEqual(sorted(int(p.values[1]) for p in got), list(range(24)))
        self.assertEqual(len(c.get_partitions("fc", "t", -1)), 48)
        with self.assertRaises(hms.NoSuchObjectException):
            c.get_table("fc", "missing")
        # A big reply spans many frames' worth of bytes in one frame.
        c.add_partitions([make_partition("fc", "t", ["2024-02-01", str(h)]) for h in range(1000)])
        self.assertEqual(len(c.get_partitions("fc", "t", -1)), 1048)
        self.assertHealthy()

    def test_unknown_method(self):
        sock = TSocket.TSocket("127.0.0.1", self.server.port)
        sock.setTimeout(10000)
        trans = TTransport.TFramedTransport(sock)
        trans.open()
        proto = TCompactProtocol.TCompactProtocol(trans)
        try:
            proto.writeMessageBegin("xyz", TMessageType.CALL, 7)
            proto.writeStructBegin("args")
            proto.writeFieldStop()
            proto.writeStructEnd()
            proto.writeMessageEnd()
            trans.flush()
            self.assertEqual(proto.readMessageBegin(), ("xyz", TMessageType.EXCEPTION, 7))
            exc = TApplicationException()
            exc.read(proto)
            self.assertEqual(exc.type, TApplicationException.UNKNOWN_METHOD)
            self.assertEqual(exc.message, "Invalid method name: 'xyz'")
        finally:
            trans.close()

    def test_mismatched_clients_are_dropped(self):
        # Hive's default client (buffered + binary) against a framed server.
        offset = self.log_offset()
        c = Client(self.server.port, timeout_ms=10000)
        try:
            with self.assertRaises((TTransport.TTransportException, EOFError)):
                c.get_database("default")
        finally:
            c.close()
        self.assertLogMentions(offset, "rame size", "thrift:")
        # Framed, but binary instead of compact.
        c = FramedClient(self.server.port, TBinaryProtocol.TBinaryProtocol)
        try:
            with self.assertRaises((TTransport.TTransportException, EOFError)):
                c.get_database("default")
        finally:
            c.close()
        # Raw garbage and a frame claiming 2 GB.
        send_and_drain(self.server.port, os.urandom(1000))
        offset = self.log_offset()
        send_and_drain(self.server.port, struct.pack(">i", 2**31 - 1) + b"\x82\x21")
        self.assertLogMentions(offset, "thrift:")
        self.assertHealthy()


if __name__ == "__main__":
    main()

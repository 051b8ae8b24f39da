"""A full disk (docs/architecture.md#robustness): below --disk-reserve every write fails
with a clear error, reads keep working, writes resume by themselves once space is freed,
and nothing acknowledged is lost; arbord never aborts inside RocksDB, also when it is
started on a full disk.

The data directory lives on a small filesystem the test can fill: a tmpfs when the test
may mount one (root), else the real filesystem with a reserve set just under its free
space at the start (then the cases that fill the disk to the last byte are skipped, as
the real disk must not be filled).
"""

import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest

from harness import Arbord, admin_call, hms, main, make_partition, make_table

MIB = 1 << 20
TMPFS_BYTES = 192 * MIB
RESERVE = 48 * MIB


def free_bytes(path):
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize


def write_filler(path, size):
    """Writes up to `size` bytes to `path`; stops quietly at ENOSPC."""
    chunk = b"\0" * MIB
    written = 0
    try:
        f = open(path, "wb", buffering=0)
    except OSError:  # not even room for the file
        return 0
    with f:
        try:
            while written < size:
                n = min(MIB, size - written)
                written += f.write(chunk[:n])
            os.fsync(f.fileno())
        except OSError:
            pass
    return written


class DiskFullTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="arbor-disk-")
        cls.volume = os.path.join(cls.work, "volume")
        os.makedirs(cls.volume)
        cls.tmpfs = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=%d" % TMPFS_BYTES, "tmpfs", cls.volume],
            capture_output=True).returncode == 0
        if cls.tmpfs:
            cls.reserve = RESERVE
        else:
            # arbord's RocksDB preallocates ~80 MiB of WAL and manifest when it opens.
            cls.reserve = max(free_bytes(cls.volume) - 200 * MIB, MIB)
        print("disk-full test on %s, reserve %d MiB" % (
            "a %d MiB tmpfs" % (TMPFS_BYTES // MIB) if cls.tmpfs else "the real filesystem",
            cls.reserve // MIB))
        cls.data = os.path.join(cls.volume, "data")
        cls.server = Arbord(["--data-dir", cls.data, "--disk-reserve", str(cls.reserve)],
                            data_dir=os.path.join(cls.work, "arbord"))
        os.makedirs(cls.server.data_dir)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop(timeout=60)
        if cls.tmpfs:
            subprocess.run(["umount", cls.volume])
        shutil.rmtree(cls.work, ignore_errors=True)

    def fill_to(self, name, target_free):
        """A filler file that leaves about `target_free` bytes free."""
        path = os.path.join(self.volume, name)
        write_filler(path, max(0, free_bytes(self.volume) - target_free))
        return path

    def refused(self, c, name):
        """Creates database `name`; the MetaException's message if refused, else None."""
        try:
            c.create_database(hms.Database(name=name, parameters={}))
            return None
        except hms.MetaException as e:
            return e.message

    def wait_refused(self, c, acked, prefix):
        """Writes until the server refuses (it looks at the disk at most once a second)."""
        deadline = time.time() + 10
        i = 0
        while True:
            name = "%s%d" % (prefix, i)
            message = self.refused(c, name)
            if message is not None:
                return message
            acked.append(name)
            i += 1
            self.assertLess(time.time(), deadline, "writes still succeed below the reserve")
            time.sleep(0.2)

    def wait_accepted(self, c, acked, name):
        deadline = time.time() + 10
        while self.refused(c, name) is not None:
            self.assertLess(time.time(), deadline, "writes did not resume after space was freed")
            time.sleep(0.2)
        acked.append(name)

    def assertNoSpaceMessage(self, message):
        self.assertIn(self.data, message)
        self.assertIn("free", message)
        self.assertIn("reserve", message)

    def assertAllThere(self, c, acked):
        names = set(c.get_all_databases())
        self.assertEqual([n for n in acked if n not in names], [])
        self.assertEqual(len(c.get_partition_names("full", "t", -1)), 40)

    def test_full_disk(self):
        s = self.server.start()
        acked = []
        c = s.client()
        c.create_database(hms.Database(name="full", parameters={}))
        c.create_table(make_table("full", "t", part_keys=(("ds", "string"),)))
        c.add_partitions([make_partition("full", "t", ["d%02d" % i]) for i in range(40)])
        self.assertEqual(admin_call(s.http_port, "POST", "/api/v1/branches", {"name": "b1"})[0],
                         201)

        # Below the reserve: writes fail with a message naming the directory and the
        # numbers; reads work; the admin API answers 507 with a JSON error.
        filler = self.fill_to("filler", self.reserve - 16 * MIB)
        self.assertNoSpaceMessage(self.wait_refused(c, acked, "before"))
        with self.assertRaises(hms.MetaException):
            c.add_partitions([make_partition("full", "t", ["late"])])
        self.assertAllThere(c, acked)
        self.assertEqual(c.get_table("full", "t").tableName, "t")
        status, body = admin_call(s.http_port, "POST", "/api/v1/branches", {"name": "b2"})
        self.assertEqual(status, 507, body)
        self.assertEqual(body["code"], "NO_SPACE")
        self.assertNoSpaceMessage(body["message"])
        status, body = admin_call(s.http_port, "GET", "/api/v1/branches")
        self.assertEqual(status, 200, body)

        # Space freed: writes resume without a restart, and nothing was lost.
        os.remove(filler)
        self.wait_accepted(c, acked, "resumed")
        self.assertEqual(admin_call(s.http_port, "POST", "/api/v1/branches", {"name": "b2"})[0],
                         201)
        self.assertAllThere(c, acked)
        c.close()

        # A restart with little space: it starts, refuses writes, and resumes once
        # space is freed, again without a restart.
        self.assertEqual(s.stop(), 0)
        filler = self.fill_to("filler", self.reserve - 16 * MIB)
        s.start()
        c = s.client()
        self.assertAllThere(c, acked)
        self.assertNoSpaceMessage(self.refused(c, "restarted"))
        os.remove(filler)
        self.wait_accepted(c, acked, "restarted")
        c.close()

        if not self.tmpfs:
            print("skipping the cases that fill the disk to the last byte (no tmpfs)")
            return

        # Full to the last byte, with writers racing: no abort, every write refused.
        filler = self.fill_to("filler", self.reserve - 16 * MIB)
        c = s.client()
        self.wait_refused(c, acked, "racing")
        filler2 = os.path.join(self.volume, "filler2")
        write_filler(filler2, TMPFS_BYTES)
        self.assertEqual(free_bytes(self.volume), 0)
        errors = []

        def writer(k):
            w = s.client()
            try:
                for i in range(20):
                    if self.refused(w, "w%d_%d" % (k, i)) is None:
                        errors.append("write w%d_%d succeeded on a full disk" % (k, i))
            except Exception as e:  # noqa: BLE001 - any failure is the finding
                errors.append(repr(e))
            finally:
                w.close()

        threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        self.assertEqual(errors, [])
        self.assertIsNone(s.proc.poll(), "arbord exited on a full disk:\n" + s.read_log())
        self.assertAllThere(c, acked)
        c.close()

        # Stopped (which releases the WAL's preallocated space), the disk filled to
        # the last byte, started again: it serves reads, and writes fail with a
        # message that says what to do.
        self.assertEqual(s.stop(), 0)
        filler3 = os.path.join(self.volume, "filler3")
        write_filler(filler3, TMPFS_BYTES)
        self.assertEqual(free_bytes(self.volume), 0)
        s.start()
        c = s.client()
        self.assertAllThere(c, acked)
        message = self.refused(c, "readonly")
        self.assertIsNotNone(message)
        self.assertIn(self.data, message)
        self.assertIn("no free space", message)
        self.assertIn("restart", message)
        c.close()

        for f in (filler, filler2, filler3):
            if os.path.exists(f):
                os.remove(f)
        s.stop()
        s.start()
        c = s.client()
        self.wait_accepted(c, acked, "final")
        self.assertAllThere(c, acked)
        c.close()
        # And after a kill -9, too.
        s.kill9()
        s.start()
        c = s.client()
        self.assertAllThere(c, acked)
        c.close()


if __name__ == "__main__":
    main()

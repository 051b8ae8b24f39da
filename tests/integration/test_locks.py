"""HMS locks as Iceberg's MetastoreLock uses them (docs/hms-compatibility.md#iceberg-commits-and-locks).

lock(EXCLUSIVE, TABLE) without a transaction; WAITING while another client holds the table;
check_lock polls (and, as in Hive's TxnHandler.checkLock, heartbeats) the lock; heartbeat
keeps it alive; without heartbeats it expires; unlock, check_lock and heartbeat of an
unknown or expired id raise NoSuchLockException; show_locks reports the lock's fields.
Database and table names are case-insensitive, and `db` and `db@main` (the default branch)
name the same table.
"""

import socket
import time
import uuid

from harness import ArbordTestCase, hms, main

DB = "sales"
EXCLUSIVE, TABLE = hms.LockType.EXCLUSIVE, hms.LockLevel.TABLE
ACQUIRED, WAITING = hms.LockState.ACQUIRED, hms.LockState.WAITING


def request(db, table, agent=None, user="iceberg-user"):
    comp = hms.LockComponent(type=EXCLUSIVE, level=TABLE, dbname=db, tablename=table)
    return hms.LockRequest(component=[comp], user=user, hostname=socket.gethostname(),
                           agentInfo=agent or "Iceberg-" + str(uuid.uuid4()))


class LockTestCase(ArbordTestCase):
    def setUp(self):
        super().setUp()
        self.c2 = self.server.client()
        self.held = []

    def tearDown(self):
        for c, lockid in self.held:
            try:
                c.unlock(hms.UnlockRequest(lockid=lockid))
            except hms.NoSuchLockException:
                pass
        self.c2.close()
        super().tearDown()

    def lock(self, client, db, table, **kw):
        res = client.lock(request(db, table, **kw))
        self.assertGreater(res.lockid, 0)
        self.held.append((client, res.lockid))
        return res

    def check(self, client, lockid):
        return client.check_lock(hms.CheckLockRequest(lockid=lockid)).state

    def show(self, client, db=None, table=None):
        return client.show_locks(hms.ShowLocksRequest(dbname=db, tablename=table)).locks or []


class LockTest(LockTestCase):
    def test_exclusive_lock_conflict_and_release(self):
        a = self.lock(self.c, DB, "t1")
        self.assertEqual(a.state, ACQUIRED)
        b = self.lock(self.c2, DB, "t1")
        self.assertEqual(b.state, WAITING)
        self.assertNotEqual(a.lockid, b.lockid)
        self.assertEqual(self.check(self.c2, b.lockid), WAITING)
        self.assertEqual(self.check(self.c, a.lockid), ACQUIRED)

        self.c.unlock(hms.UnlockRequest(lockid=a.lockid))
        self.assertEqual(self.check(self.c2, b.lockid), ACQUIRED)
        self.assertRaisesHms(hms.NoSuchLockException, self.c.check_lock,
                             hms.CheckLockRequest(lockid=a.lockid))
        # The table is taken again, now by b.
        c = self.lock(self.c, DB, "t1")
        self.assertEqual(c.state, WAITING)
        self.c2.unlock(hms.UnlockRequest(lockid=b.lockid))
        self.assertEqual(self.check(self.c, c.lockid), ACQUIRED)

    def test_unlock_waiting_lock(self):
        a = self.lock(self.c, DB, "t2")
        b = self.lock(self.c2, DB, "t2")
        self.assertEqual(b.state, WAITING)
        self.c2.unlock(hms.UnlockRequest(lockid=b.lockid))
        self.assertRaisesHms(hms.NoSuchLockException, self.c2.check_lock,
                             hms.CheckLockRequest(lockid=b.lockid))
        self.assertEqual(self.check(self.c, a.lockid), ACQUIRED)

    def test_different_tables_do_not_conflict(self):
        self.assertEqual(self.lock(self.c, DB, "ta").state, ACQUIRED)
        self.assertEqual(self.lock(self.c2, DB, "tb").state, ACQUIRED)
        self.assertEqual(self.lock(self.c2, "other", "ta").state, ACQUIRED)

    def test_names_are_case_insensitive(self):
        self.assertEqual(self.lock(self.c, DB, "mixed").state, ACQUIRED)
        self.assertEqual(self.lock(self.c2, "SALES", "MiXeD").state, WAITING)

    def test_main_branch_alias(self):
        # `sales` resolves to the default branch main, so `sales@main` is the same table.
        a = self.lock(self.c, DB, "br")
        self.assertEqual(a.state, ACQUIRED)
        b = self.lock(self.c2, DB + "@main", "br")
        self.assertEqual(b.state, WAITING)
        self.c.unlock(hms.UnlockRequest(lockid=a.lockid))
        self.assertEqual(self.check(self.c2, b.lockid), ACQUIRED)
        self.assertEqual(self.lock(self.c, DB, "br").state, WAITING)

    def test_unknown_lock_ids(self):
        NoLock = hms.NoSuchLockException
        self.assertRaisesHms(NoLock, self.c.unlock, hms.UnlockRequest(lockid=987654321))
        self.assertRaisesHms(NoLock, self.c.heartbeat,
                             hms.HeartbeatRequest(lockid=987654321, txnid=0))
        self.assertRaisesHms(NoLock, self.c.check_lock, hms.CheckLockRequest(lockid=987654321))
        a = self.lock(self.c, DB, "gone")
        self.c.unlock(hms.UnlockRequest(lockid=a.lockid))
        self.assertRaisesHms(NoLock, self.c.unlock, hms.UnlockRequest(lockid=a.lockid))
        self.assertRaisesHms(NoLock, self.c.heartbeat, hms.HeartbeatRequest(lockid=a.lockid))

    def test_heartbeat_known_lock(self):
        a = self.lock(self.c, DB, "hb")
        self.c.heartbeat(hms.HeartbeatRequest(lockid=a.lockid, txnid=0))
        self.assertEqual(self.check(self.c, a.lockid), ACQUIRED)

    def test_show_locks(self):
        before = time.time() * 1000
        a = self.lock(self.c, DB, "shown", agent="Iceberg-agent-a", user="alice")
        b = self.lock(self.c2, DB, "shown", agent="Iceberg-agent-b", user="bob")
        self.lock(self.c2, DB, "elsewhere")
        after = time.time() * 1000
        locks = {e.lockid: e for e in self.show(self.c, DB, "shown")}
        self.assertEqual(sorted(locks), sorted([a.lockid, b.lockid]))
        ea, eb = locks[a.lockid], locks[b.lockid]
        for e, state, user, agent in ((ea, ACQUIRED, "alice", "Iceberg-agent-a"),
                                      (eb, WAITING, "bob", "Iceberg-agent-b")):
            self.assertEqual(e.tablename, "shown")
            self.assertIsNone(e.partname)
            self.assertEqual(e.state, state)
            self.assertEqual(e.type, EXCLUSIVE)
            self.assertEqual(e.user, user)
            self.assertEqual(e.hostname, socket.gethostname())
            self.assertEqual(e.agentInfo, agent)
            self.assertEqual(e.catname, "hive")
            # Times are milliseconds since the epoch.
            self.assertGreaterEqual(e.lastheartbeat, before - 60000)
            self.assertLessEqual(e.lastheartbeat, after + 60000)
        self.assertGreaterEqual(ea.acquiredat, before - 60000)
        self.assertLessEqual(ea.acquiredat, after + 60000)
        self.assertIsNone(eb.acquiredat)

        everything = {e.lockid for e in self.show(self.c)}
        self.assertTrue({a.lockid, b.lockid} <= everything)
        self.assertEqual([e.tablename for e in self.show(self.c, DB, "elsewhere")], ["elsewhere"])
        self.assertTrue(all(e.tablename != "br" for e in self.show(self.c, DB)))
        self.assertEqual(self.show(self.c, "nodb"), [])

        self.c.unlock(hms.UnlockRequest(lockid=a.lockid))
        left = {e.lockid: e for e in self.show(self.c, DB, "shown")}
        self.assertEqual(list(left), [b.lockid])


    def test_show_locks_reports_db_name_as_locked(self):
        # Hive reports the (lower-cased) database name of the lock request; `sales` must not
        # come back as the resolved `sales@main`, nor `sales@main` as something else.
        self.lock(self.c, "Sales", "named")
        self.lock(self.c2, DB + "@main", "named2")
        self.assertEqual([e.dbname for e in self.show(self.c, DB, "named")], [DB])
        self.assertEqual([e.dbname for e in self.show(self.c, DB + "@main", "named2")],
                         [DB + "@main"])


class LockExpiryTest(LockTestCase):
    extra_args = ["--lock-timeout", "1"]

    def test_lock_expires_without_heartbeat(self):
        a = self.lock(self.c, DB, "exp")
        self.assertEqual(a.state, ACQUIRED)
        time.sleep(2.5)
        b = self.lock(self.c2, DB, "exp")
        self.assertEqual(b.state, ACQUIRED)
        self.assertRaisesHms(hms.NoSuchLockException, self.c.check_lock,
                             hms.CheckLockRequest(lockid=a.lockid))
        self.assertRaisesHms(hms.NoSuchLockException, self.c.heartbeat,
                             hms.HeartbeatRequest(lockid=a.lockid))
        self.assertRaisesHms(hms.NoSuchLockException, self.c.unlock,
                             hms.UnlockRequest(lockid=a.lockid))
        self.assertNotIn(a.lockid, [e.lockid for e in self.show(self.c, DB, "exp")])

    def test_heartbeat_keeps_lock_alive(self):
        a = self.lock(self.c, DB, "alive")
        for _ in range(6):
            time.sleep(0.4)
            self.c.heartbeat(hms.HeartbeatRequest(lockid=a.lockid, txnid=0))
        self.assertEqual(self.check(self.c, a.lockid), ACQUIRED)
        self.assertEqual(self.lock(self.c2, DB, "alive").state, WAITING)

    def test_check_lock_keeps_lock_alive(self):
        a = self.lock(self.c, DB, "polled")
        for _ in range(6):
            time.sleep(0.4)
            self.assertEqual(self.check(self.c, a.lockid), ACQUIRED)
        self.assertEqual(self.lock(self.c2, DB, "polled").state, WAITING)

    def test_waiter_acquires_when_holder_expires(self):
        # A crashed committer stops heartbeating; the waiting client, polling check_lock as
        # Iceberg does, gets the lock once the old one has expired.
        a = self.lock(self.c, DB, "crash")
        b = self.lock(self.c2, DB, "crash")
        self.assertEqual(b.state, WAITING)
        deadline = time.time() + 5
        state = WAITING
        while state == WAITING and time.time() < deadline:
            time.sleep(0.3)
            state = self.check(self.c2, b.lockid)
        self.assertEqual(state, ACQUIRED)
        self.assertRaisesHms(hms.NoSuchLockException, self.c.check_lock,
                             hms.CheckLockRequest(lockid=a.lockid))


if __name__ == "__main__":
    main()

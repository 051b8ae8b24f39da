"""Hive's own metastore client API tests (TestDatabases, TestTablesList, ...) against
arbord and against the reference Hive 4.0.1 metastore (reference_hms.py).

The tests come from the `tests` jar Maven Central publishes beside
hive-standalone-metastore-server 4.0.1 (deploy/install-hive.sh caches it). Hive runs
them against an external metastore when -Dtest.hms.client.configs names a client
configuration ("Cluster" mode); tests/hive/suite/ replaces the factory that would
also start an embedded and an in-process metastore, and runs the classes with JUnit.

Both servers run the same classes; the test fails when arbord fails a test that the
reference passes, unless client_suite_differences.txt lists it with the reason
(each reason is a deliberate difference in docs/hms-compatibility.md), and when a
listed test passes on arbord again (the list stays true). Both pass counts are
printed. `make test` runs CI_CLASSES; ARBOR_HIVE_SUITE=full runs ALL_CLASSES:

  cd build && ARBOR_HIVE_SUITE=full ctest -R hive.test_hive_client_suite -V

While iterating, ARBOR_HIVE_SUITE_CLASSES=TestAddPartitions,TestListPartitions runs
only those classes, and ARBOR_HIVE_SUITE_SIDE=arbord runs arbord's side alone: it
prints arbord's failures and the listed differences arbord now passes, and asserts
nothing (the reference is not there to compare with).
"""

import collections
import os
import subprocess
import sys
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

import harness  # noqa: E402
import reference_hms  # noqa: E402

CACHE = os.path.join(os.environ.get("ARBOR_CACHE", os.path.expanduser("~/.cache/arbor")), "hive")
SUITE_CLASSPATH_FILE = os.path.join(CACHE, "client-suite.classpath")
SOURCES = os.path.join(HERE, "suite", "src", "main", "java")
DIFFERENCES = os.path.join(HERE, "client_suite_differences.txt")

# Features Arbor serves. Not run at all: the constraint classes (Arbor stores no
# constraints), runtime stats and scheduled queries (not served).
ALL_CLASSES = [
    "TestDatabases", "TestTablesCreateDropAlterTruncate", "TestTablesList",
    "TestTablesGetExists", "TestGetTableMeta", "TestAddPartitions",
    "TestAddPartitionsFromPartSpec", "TestListPartitions", "TestGetPartitions",
    "TestAlterPartitions", "TestAppendPartitions", "TestDropPartitions",
    "TestExchangePartitions", "TestFunctions", "TestPartitionStat", "TestCatalogs",
]
CI_CLASSES = [
    "TestDatabases", "TestTablesCreateDropAlterTruncate", "TestTablesList",
    "TestTablesGetExists", "TestAddPartitions", "TestListPartitions",
    "TestAlterPartitions", "TestDropPartitions", "TestFunctions",
]

SITE_XML = """<?xml version="1.0"?>
<configuration>
  <property><name>metastore.thrift.uris</name><value>{uri}</value></property>
  <property><name>metastore.warehouse.dir</name><value>{warehouse}</value></property>
  <property><name>metastore.warehouse.external.dir</name><value>{external}</value></property>
  <property><name>metastore.client.socket.timeout</name><value>60s</value></property>
</configuration>
"""


def classpath():
    with open(SUITE_CLASSPATH_FILE) as f:
        suite = f.read().strip()
    with open(reference_hms.HADOOP_CLASSPATH_FILE) as f:
        hadoop = f.read().strip()
    return os.pathsep.join([suite, os.path.join(reference_hms.HIVE_HOME, "lib", "*"), hadoop])


def compile_suite(out_dir, cp):
    sources = []
    for root, _, files in os.walk(SOURCES):
        sources += [os.path.join(root, f) for f in files if f.endswith(".java")]
    subprocess.run(["javac", "-nowarn", "-d", out_dir, "-cp", cp] + sources,
                   check=True, capture_output=True, text=True)


def run_suite(classes_dir, cp, uri, warehouse, external, classes, work_dir):
    """Runs `classes` against the metastore at `uri`; returns {Class.method: (status,
    message)} from ClientSuiteMain's PASS/FAIL/SKIP lines."""
    os.makedirs(work_dir, exist_ok=True)
    site = os.path.join(work_dir, "hive-site.xml")
    with open(site, "w") as f:
        f.write(SITE_XML.format(uri=uri, warehouse=warehouse, external=external))
    run = subprocess.run(
        ["java", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
         "-Dtest.hms.client.configs=" + site, "-Dlog4j2.level=ERROR",
         "-cp", classes_dir + os.pathsep + cp, "org.arbor.hivetest.ClientSuiteMain"] + classes,
        capture_output=True, text=True, timeout=1500, cwd=work_dir)
    results = {}
    for line in run.stdout.splitlines():
        status, _, rest = line.partition(" ")
        if status in ("PASS", "FAIL", "SKIP"):
            name, _, message = rest.partition(" :: ")
            results[name] = (status, message)
    if run.returncode != 0 or not results:
        raise AssertionError("client suite JVM failed (%d):\n%s\n%s"
                             % (run.returncode, run.stdout[-3000:], run.stderr[-3000:]))
    return results


def load_differences():
    """{Class.method: reason} from client_suite_differences.txt."""
    known = {}
    with open(DIFFERENCES) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                name, reason = line.split(None, 1)
                known[name] = reason.strip()
    return known


def counts(results):
    c = collections.Counter(status for status, _ in results.values())
    return "%d passed, %d failed, %d skipped" % (c["PASS"], c["FAIL"], c["SKIP"])


class HiveClientSuiteTest(unittest.TestCase):
    maxDiff = None
    def test_client_suite_matches_reference(self):
        if not os.path.exists(SUITE_CLASSPATH_FILE) or not reference_hms.installed():
            self.fail("Hive client suite or reference HMS missing: run deploy/install-hive.sh")
        full = os.environ.get("ARBOR_HIVE_SUITE") == "full"
        classes = ALL_CLASSES if full else CI_CLASSES
        if os.environ.get("ARBOR_HIVE_SUITE_CLASSES"):
            classes = os.environ["ARBOR_HIVE_SUITE_CLASSES"].split(",")
        if os.environ.get("ARBOR_HIVE_SUITE_SIDE") == "arbord":
            return self.run_arbord_only(classes)
        cp = classpath()
        work = tempfile.mkdtemp(prefix="arbor-hive-suite-")
        classes_dir = os.path.join(work, "classes")
        os.mkdir(classes_dir)
        compile_suite(classes_dir, cp)

        # The reference starts (PostgreSQL, schematool, ~30 s) while arbord is tested.
        reference = reference_hms.ReferenceHms(separate_external_warehouse=True)
        started = {}

        def start_reference():
            try:
                reference.start()
                started["ok"] = True
            except Exception as e:  # reported below, in the test's thread
                started["error"] = e

        starter = threading.Thread(target=start_reference)
        starter.start()
        server = harness.Arbord().start()
        try:
            t0 = time.time()
            warehouse = "file:" + os.path.join(server.data_dir, "warehouse")
            ours = run_suite(classes_dir, cp, "thrift://127.0.0.1:%d" % server.port,
                             warehouse, warehouse + "_external", classes,
                             os.path.join(work, "arbord"))
            t1 = time.time()
            starter.join()
            if "error" in started:
                raise started["error"]
            theirs = run_suite(classes_dir, cp, "thrift://127.0.0.1:%d" % reference.port,
                               reference.warehouse, reference.external_warehouse, classes,
                               os.path.join(work, "reference"))
            t2 = time.time()
        finally:
            starter.join()
            reference.stop()
            server.cleanup()
        print("Hive 4.0.1 client API tests (%s): %d classes" % ("full" if full else "CI subset",
                                                               len(classes)))
        print("  arbord:    %s (%.0f s)" % (counts(ours), t1 - t0))
        print("  reference: %s (%.0f s)" % (counts(theirs), t2 - t1))
        if full:
            def subset(results):
                return {n: r for n, r in results.items() if n.split(".")[0] in CI_CLASSES}
            print("  of which make test's subset: arbord %s; reference %s"
                  % (counts(subset(ours)), counts(subset(theirs))))

        known = load_differences()
        ahead = [n for n, (status, _) in ours.items()
                 if status == "PASS" and theirs.get(n, ("MISSING", ""))[0] != "PASS"]
        behind = [n for n, (status, _) in theirs.items()
                  if status == "PASS" and ours.get(n, ("MISSING", ""))[0] != "PASS"]
        print("  arbord passes %d that the reference does not: %s" % (len(ahead), sorted(ahead)))
        print("  arbord fails %d that the reference passes (%d of them listed)"
              % (len(behind), len([n for n in behind if n in known])))
        regressions, stale = [], []
        for name, (status, _) in sorted(theirs.items()):
            mine, message = ours.get(name, ("MISSING", ""))
            if status == "PASS" and mine != "PASS" and name not in known:
                regressions.append("%s: %s" % (name, message))
            if name in known and mine == "PASS":
                stale.append(name)
        self.assertEqual(regressions, [], "arbord fails tests the reference passes "
                         "(fix arbord, or list a deliberate difference in %s)"
                         % os.path.basename(DIFFERENCES))
        self.assertEqual(stale, [], "listed differences that arbord now passes: "
                         "remove them from " + os.path.basename(DIFFERENCES))

    def run_arbord_only(self, classes):
        cp = classpath()
        work = tempfile.mkdtemp(prefix="arbor-hive-suite-")
        classes_dir = os.path.join(work, "classes")
        os.mkdir(classes_dir)
        compile_suite(classes_dir, cp)
        server = harness.Arbord().start()
        try:
            warehouse = "file:" + os.path.join(server.data_dir, "warehouse")
            ours = run_suite(classes_dir, cp, "thrift://127.0.0.1:%d" % server.port,
                             warehouse, warehouse + "_external", classes,
                             os.path.join(work, "arbord"))
        finally:
            server.cleanup()
        known = load_differences()
        print("arbord only (%s): %s" % (",".join(classes), counts(ours)))
        for name, (status, message) in sorted(ours.items()):
            if status == "FAIL":
                print("  FAIL %s [%s] %s" % (name, known.get(name, "not listed"), message[:300]))
            elif name in known:
                print("  now passes, listed as %s: %s" % (known[name], name))


if __name__ == "__main__":
    unittest.main()

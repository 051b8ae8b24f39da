"""Runs sqllogictest-style scripts against the `arbor` DuckDB extension.

Usage: sqltest.py [--reference-hive] SCRIPT.test...   (run by ctest, see CMakeLists.txt)

--reference-hive runs the scripts against Apache Hive's own metastore 4.0.1 (tests/hive/
reference_hms.py, from deploy/install-hive.sh's cache) instead of arbord: the same
fixtures without branches and tags, for scripts that use no refs.

Each script runs in a fresh DuckDB (the pinned PyPI wheel, deploy/install-duckdb.sh)
with the extension loaded, against a real arbord started here (harness.Arbord) whose
warehouse is a temporary file:// directory that fixtures.py fills with Parquet, CSV
and JSON tables through the Hive Thrift API.

Script format (a subset of sqllogictest):
    statement ok              the statement must succeed
    statement error           must fail; the lines after ---- are substrings of the error
    query <types> [rowsort]   the rows must equal the lines after ---- (values joined
                              by tabs, NULL for null, rowsort sorts both sides)
    explain                   the plan's text must contain each line after ----
Blocks end at a blank line. ${HMS}, ${ADMIN}, ${WAREHOUSE}, ${DEAD} (a port where
nothing listens) and ${STANDINS} (the directory of the stand-in iceberg and delta
extensions, standin_lakehouse_extension.cc) are substituted. Failures print the script, line and both sides.

Symbols: the extension is compiled against DuckDB's C++ headers with DuckDB's symbols
left undefined; they resolve against the Python module, which exports them. Python
loads extension modules RTLD_LOCAL, so the module is imported RTLD_GLOBAL here.
"""

import os
import sys
import time

sys.setdlopenflags(os.RTLD_GLOBAL | os.RTLD_NOW)
import duckdb  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import harness  # noqa: E402
import fixtures  # noqa: E402

EXTENSION = os.environ.get("ARBOR_DUCKDB_EXTENSION", "")
VERBOSE = os.environ.get("ARBOR_SQLTEST_VERBOSE") == "1"


class Failure(Exception):
    pass


def connect():
    # Offline: a known extension (iceberg) is never fetched from the network.
    con = duckdb.connect(config={"allow_unsigned_extensions": True,
                                 "autoinstall_known_extensions": False})
    con.execute("LOAD '%s'" % EXTENSION)
    return con


def parse(path, variables):
    with open(path) as f:
        text = f.read()
    for key, value in variables.items():
        text = text.replace("${%s}" % key, str(value))
    lines = text.split("\n")
    blocks, i = [], 0
    while i < len(lines):
        line = lines[i].strip()
        if not line or line.startswith("#"):
            i += 1
            continue
        start = i + 1
        header = line.split()
        i += 1
        sql = []
        while i < len(lines) and lines[i].strip() not in ("----", ""):
            sql.append(lines[i])
            i += 1
        expected = []
        if i < len(lines) and lines[i].strip() == "----":
            i += 1
            while i < len(lines) and lines[i].strip() != "":
                expected.append(lines[i])
                i += 1
        blocks.append((start, header, "\n".join(sql), expected))
    return blocks


def render(value):
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def run_script(path, variables):
    con = connect()
    name = os.path.basename(path)
    for line, header, sql, expected in parse(path, variables):
        where = "%s:%d" % (name, line)
        if VERBOSE:
            print("-- %s %s" % (where, sql.replace("\n", " ")), flush=True)
        kind = header[0]
        if kind == "statement" and header[1] == "ok":
            try:
                con.execute(sql)
            except Exception as e:  # noqa: BLE001
                raise Failure("%s: statement failed: %s\n%s" % (where, e, sql))
        elif kind == "statement" and header[1] == "error":
            try:
                con.execute(sql)
            except Exception as e:  # noqa: BLE001
                message = str(e)
                for part in expected:
                    if part not in message:
                        raise Failure("%s: error lacks %r:\n%s\n%s" % (where, part, message, sql))
                continue
            raise Failure("%s: statement succeeded, expected an error\n%s" % (where, sql))
        elif kind == "query":
            try:
                rows = con.execute(sql).fetchall()
            except Exception as e:  # noqa: BLE001
                raise Failure("%s: query failed: %s\n%s" % (where, e, sql))
            got = ["\t".join(render(v) for v in row) for row in rows]
            want = [w.replace("    ", "\t") if "\t" not in w else w for w in expected]
            if "rowsort" in header[2:]:
                got, want = sorted(got), sorted(want)
            if got != want:
                raise Failure("%s: result differs\n%s\n-- expected\n%s\n-- got\n%s" %
                              (where, sql, "\n".join(want), "\n".join(got)))
        elif kind == "explain":
            try:
                text = "\n".join(render(v) for row in con.execute(sql).fetchall() for v in row)
            except Exception as e:  # noqa: BLE001
                raise Failure("%s: explain failed: %s\n%s" % (where, e, sql))
            for part in expected:
                if part not in text:
                    raise Failure("%s: plan lacks %r:\n%s" % (where, part, text))
        else:
            raise Failure("%s: unknown directive %r" % (where, " ".join(header)))
    con.close()


class ReferenceHive:
    """Apache Hive's metastore with the bits of harness.Arbord that the driver uses."""

    def __init__(self):
        sys.path.insert(0, os.path.join(HERE, "..", "hive"))
        import reference_hms
        self.hms = reference_hms.ReferenceHms()
        self.http_port = 0

    def start(self):
        self.hms.start()
        self.port = self.hms.port
        self.data_dir = self.hms.dir

    def client(self):
        return harness.Client(self.port)

    def read_log(self):
        return self.hms.read_log()

    def stop(self):
        self.hms.stop()

    def cleanup(self):
        pass


def main():
    args = sys.argv[1:]
    reference = "--reference-hive" in args
    scripts = [a for a in args if a != "--reference-hive"]
    server = ReferenceHive() if reference else harness.Arbord()
    server.start()
    started = time.time()
    try:
        warehouse = os.path.join(server.data_dir, "warehouse")
        fixtures.build(server, warehouse, versioned=not reference)
        variables = {"HMS": "thrift://127.0.0.1:%d" % server.port,
                     "ADMIN": "http://127.0.0.1:%d" % server.http_port,
                     "WAREHOUSE": warehouse,
                     "DEAD": "thrift://127.0.0.1:%d" % fixtures.dead_port(),
                     "STANDINS": os.environ.get("ARBOR_DUCKDB_STANDINS", "")}
        for script in scripts:
            run_script(script, variables)
            print("ok %s" % os.path.basename(script))
    except Failure as e:
        print("FAIL %s" % e)
        print("arbord log tail:\n" + server.read_log()[-3000:])
        sys.exit(1)
    finally:
        server.stop()
        server.cleanup()
    print("%d script(s) passed in %.1fs" % (len(scripts), time.time() - started))


if __name__ == "__main__":
    main()

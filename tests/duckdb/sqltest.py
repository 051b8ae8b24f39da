"""Runs sqllogictest-style scripts against the `arbor` DuckDB extension.

Usage: sqltest.py SCRIPT.test...   (run by ctest, see CMakeLists.txt)

Each script runs in a fresh DuckDB (the pinned PyPI wheel, deploy/install-duckdb.sh)
with the extension loaded, against a real arbord started here (harness.Arbord) whose
warehouse is a temporary file:// directory that fixtures.py fills with Parquet, CSV
and JSON tables through the Hive Thrift API.

Script format (a subset of sqllogictest):
    statement ok              the statement must succeed
    statement error           must fail; the lines after ---- are substrings of the error
    query <types> [rowsort]   the rows must equal the lines after ---- (values joined
                              by tabs, NULL for null, rowsort sorts both sides)
Blocks end at a blank line. ${HMS}, ${ADMIN}, ${WAREHOUSE} and ${DEAD} (a port where
nothing listens) are substituted. Failures print the script, line and both sides.

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
    con = duckdb.connect(config={"allow_unsigned_extensions": True})
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
        else:
            raise Failure("%s: unknown directive %r" % (where, " ".join(header)))
    con.close()


def main():
    scripts = sys.argv[1:]
    server = harness.Arbord()
    server.start()
    started = time.time()
    try:
        warehouse = os.path.join(server.data_dir, "warehouse")
        fixtures.build(server, warehouse)
        variables = {"HMS": "thrift://127.0.0.1:%d" % server.port,
                     "ADMIN": "http://127.0.0.1:%d" % server.http_port,
                     "WAREHOUSE": warehouse,
                     "DEAD": "thrift://127.0.0.1:%d" % fixtures.dead_port()}
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

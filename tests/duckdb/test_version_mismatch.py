"""The extension with another DuckDB version in its footer is refused by DuckDB itself.

Takes the built extension, replaces its metadata footer (clients/duckdb/append_metadata.py)
with one naming DuckDB v1.5.6, and checks that LOAD fails with DuckDB's own message
before the library is opened, and that the real extension still loads afterwards.
"""

import os
import subprocess
import sys
import tempfile

sys.setdlopenflags(os.RTLD_GLOBAL | os.RTLD_NOW)
import duckdb  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
APPEND = os.path.join(HERE, "..", "..", "clients", "duckdb", "append_metadata.py")
FOOTER = 1 + 3 + 16 + 2 + 8 * 32 + 256  # section header, eight fields, signature


def main():
    extension = os.environ["ARBOR_DUCKDB_EXTENSION"]
    with open(extension, "rb") as f:
        library = f.read()[:-FOOTER]
    with tempfile.TemporaryDirectory() as d:
        raw = os.path.join(d, "raw.so")
        with open(raw, "wb") as f:
            f.write(library)
        wrong = os.path.join(d, "arbor.duckdb_extension")
        subprocess.check_call([sys.executable, APPEND, raw, wrong, "linux_amd64", "v1.5.6", "v0"])
        con = duckdb.connect(config={"allow_unsigned_extensions": True})
        try:
            con.execute("LOAD '%s'" % wrong)
        except duckdb.Error as e:
            message = str(e)
            assert "built specifically for DuckDB version 'v1.5.6'" in message, message
            assert "this version of DuckDB is 'v%s'" % duckdb.__version__ in message, message
        else:
            raise AssertionError("an extension built for v1.5.6 was loaded into %s" % duckdb.__version__)
        con.execute("LOAD '%s'" % extension)
        assert con.execute("SELECT count(*) FROM metastore_providers()").fetchone()[0] >= 1
    print("ok version mismatch refused by DuckDB, matching footer loads")


if __name__ == "__main__":
    main()

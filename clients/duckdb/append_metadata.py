#!/usr/bin/env python3
"""Appends DuckDB's extension metadata footer to a shared library.

DuckDB (src/main/extension/extension_load.cpp, ParseExtensionMetaData) reads the
last 512 bytes of an extension file: eight 32-byte fields, stored last field
first, then a 256-byte signature. Reversed, the fields are: magic "4",
platform, DuckDB version, extension version, ABI type ("CPP"), three unused.
Before them sits a WebAssembly-style custom section header naming the section
"duckdb_signature", which DuckDB's own build writes too. Unsigned extensions
load with allow_unsigned_extensions; a platform or version mismatch is
reported by DuckDB itself before the library is opened.

Usage: append_metadata.py IN OUT PLATFORM DUCKDB_VERSION EXTENSION_VERSION
"""
import shutil
import sys


def field(text):
    raw = text.encode()
    if len(raw) > 32:
        raise SystemExit("metadata field longer than 32 bytes: %r" % text)
    return raw + b"\0" * (32 - len(raw))


def main():
    src, dst, platform, duckdb_version, extension_version = sys.argv[1:6]
    fields = ["4", platform, duckdb_version, extension_version, "CPP", "", "", ""]
    footer = bytearray(b"\0")                 # custom section id
    footer += bytes([147, 4, 16])             # section length 531 (LEB128), name length 16
    footer += b"duckdb_signature"
    footer += bytes([128, 4])                 # payload length 512 (LEB128)
    for value in reversed(fields):
        footer += field(value)
    footer += b"\0" * 256                     # no signature
    tmp = dst + ".tmp"
    shutil.copyfile(src, tmp)
    with open(tmp, "ab") as f:
        f.write(footer)
    shutil.move(tmp, dst)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz target into fuzz/corpus/<target>/ (committed).

Run from the repository root: /usr/bin/python3 fuzz/make_seeds.py
The seeds are small valid inputs that lead the fuzzers into the interesting code fast.
"""

import os

HERE = os.path.dirname(os.path.abspath(__file__))


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def varint(n):
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def filters():
    seeds = [
        (0x00, 'ds = "2024-01-01"'),
        (0x04, "hr > 5 and ds like '20%'"),
        (0x24, "(ds = 'a' or hr between 1 and 3) and not hr = 7"),
        (0x04, "hr in (1, 2, 3)"),
        (0x24, "d >= '2024-01-01' and d < '2024-02-01'"),
        (0xE4, "ts = '2024-01-01 10:00:00.5' or ts <> '1970-01-01 00:00:00'"),
        (0x04, "(ds, hr) in (('a', 1), ('b', 2))"),
        (0x00, "ds != \"x\" and (ds <= 'z' or ds >= 'a')"),
    ]
    for i, (b, f) in enumerate(seeds):
        write("fuzz_partition_filter", "seed%d" % i, bytes([b]) + f.encode())


def names():
    for i, s in enumerate(["sales@dev", "@hive#sales@dev~2^1", "@hive#", "@hive#!", "main~3",
                           "3f9c2a71^2", "sales*@dev", "Sales@v2024", "db@main^0~10"]):
        write("fuzz_names", "seed%d" % i, s)


def stored_values():
    leaf = bytes([1]) + varint(0) + varint(2)
    leaf += varint(0) + varint(3) + b"abc" + bytes([0]) + varint(5) + b"hello"
    leaf += varint(2) + varint(1) + b"d" + bytes([1]) + bytes(range(32))
    write("fuzz_stored_values", "leaf", leaf)
    internal = bytes([1]) + varint(1) + varint(1) + varint(0) + varint(3) + b"xyz"
    internal += bytes(32) + varint(7)
    write("fuzz_stored_values", "internal", internal)
    write("fuzz_stored_values", "staged_put", b"P\x0a\x05sales")
    write("fuzz_stored_values", "staged_delete", b"D")
    commit = b"\x0a\x20" + bytes(32) + b"\x12\x20" + bytes(range(32)) + b"\x1a\x02me"
    commit += b"\x22\x02hi\x28\x01\x38\x02\x48\x02"
    write("fuzz_stored_values", "commit", commit)


def admin():
    seeds = [
        "GET /api/v1/branches\n\n",
        'POST /api/v1/branches\ncontent-type: application/json\n\n{"name":"x","source":"main"}',
        "GET /api/v1/refs/main/databases/sales/tables?limit=5\n\n",
        'POST /api/v1/branches/dev/merge\n\n{"source":"main","dry_run":true,"strategy":"source-wins"}',
        'POST /api/v1/gc\n\n{"dry_run":true,"grace_seconds":"0"}',
        "GET /api/v1/refs/main~1/diff/dev?limit=3\n\n",
        'PUT /api/v1/branches/dev/commit-mode\n\n{"mode":"auto"}',
        'POST /api/v1/branches/dev/commits\n\n{"message":"m","allow_empty":true}',
        "GET /api/v1/refs/v1/databases/sales/tables/orders/partitions?offset=2&limit=1\n\n",
        "DELETE /api/v1/tags/v%31\nauthorization: Bearer x\n\n",
    ]
    for i, s in enumerate(seeds):
        write("fuzz_admin_api", "seed%d" % i, s)


if __name__ == "__main__":
    filters()
    names()
    stored_values()
    admin()

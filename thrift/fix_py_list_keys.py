#!/usr/bin/env python3
"""Make Thrift-generated Python accept maps whose keys are lists.

Hive's SkewedInfo.skewedColValueLocationMaps is map<list<string>, string>.
Thrift 0.17's Python generator reads such a map by building each key as a
Python list and then doing `d[key] = value`, which raises
"TypeError: unhashable type: 'list'". This script rewrites the generated code,
after every `thrift --gen py` run, so that list keys become tuples:

  1. In the pure-Python readers, `x[_keyN] = _valN` becomes
     `x[tuple(_keyN)] = _valN` wherever `_keyN` was built as a list.
  2. In the `thrift_spec` tables used by the C-accelerated codec
     (TBinaryProtocolAccelerated / fastbinary), a map whose key type is a list
     gets the list's "immutable" flag set, so the decoder builds a tuple.

Writers need no change: they iterate over the key, so tuples work. Callers
therefore pass and receive keys like ("a", "1"). The IDL type stays exactly
Hive's, so the bytes on the wire are unchanged.

Usage: fix_py_list_keys.py GEN_PY_DIR
The script edits every *.py file below GEN_PY_DIR in place. It is idempotent,
and fails if the generated code no longer has the shape it expects, so a
Thrift upgrade that changes the generator is noticed at build time.
"""

import pathlib
import re
import sys

# `self.field[_key12] = _val13` (pure-Python reader, key built as a list).
ASSIGN_RE = re.compile(r"^(?P<indent>\s*)(?P<target>\S+)\[(?P<key>_key\d+)\] = (?P<val>_val\d+)$")
# `(TType.MAP, 'name', (TType.LIST, (elem spec), False), ...` -> the list's
# immutable flag is the last element of the key spec tuple.
SPEC_RE = re.compile(r"(TType\.MAP, '[^']+', \(TType\.LIST, \(.*?), False\)(, TType\.)")


def fix_readers(text):
    lines = text.split("\n")
    list_keys = set(re.findall(r"^\s*(_key\d+) = \[\]$", text, flags=re.MULTILINE))
    count = 0
    for i, line in enumerate(lines):
        m = ASSIGN_RE.match(line)
        if m and m.group("key") in list_keys:
            lines[i] = "{}{}[tuple({})] = {}".format(
                m.group("indent"), m.group("target"), m.group("key"), m.group("val"))
            count += 1
    return "\n".join(lines), count


def fix_specs(text):
    return SPEC_RE.subn(r"\1, True)\2", text)


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: fix_py_list_keys.py GEN_PY_DIR\n")
        return 2
    root = pathlib.Path(argv[1])
    readers = specs = 0
    for path in sorted(root.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        new_text, n_readers = fix_readers(text)
        new_text, n_specs = fix_specs(new_text)
        if new_text != text:
            path.write_text(new_text, encoding="utf-8")
        readers += n_readers
        specs += n_specs
    already = any("[tuple(_key" in p.read_text(encoding="utf-8") for p in root.rglob("ttypes.py"))
    if readers == 0 and not already:
        sys.stderr.write("fix_py_list_keys.py: no list-keyed map reader found under {}; "
                         "has the Thrift Python generator changed?\n".format(root))
        return 1
    print("fix_py_list_keys.py: {} reader(s), {} spec(s) patched under {}".format(readers, specs, root))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

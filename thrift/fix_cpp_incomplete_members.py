#!/usr/bin/env python3
"""Moves two inline members of generated Thrift structs out of line, so that the
generated C++ also compiles with clang in C++20 mode against libstdc++.

Usage: fix_cpp_incomplete_members.py <types.h> <types.cpp>

Why: Thrift writes every struct's default constructor and operator== inline in
the class. A struct may hold a std::vector of a struct that the header defines
further down (the IDL's Table -> CreationMetadata -> SourceTable -> Table cycle
makes CreationMetadata hold vector<SourceTable> before SourceTable is complete).
In C++20, std::vector's members are constexpr, and clang instantiates them (and
with them the element type's size and destructor) where the inline member is
defined, so it rejects the header; gcc defers and accepts it. Defined in the
.cpp, after every struct is complete, the same members compile with both.

Only such structs are touched, found from the header itself: a class with a
std::vector/std::set/std::map member whose element is a struct defined later.
The definitions are moved verbatim; the wire format and the API do not change.
Idempotent: a header already fixed has no inline member left to move.
"""

import re
import sys

CLASS_RE = re.compile(r"^class (\w+) : public virtual ::apache::thrift::TBase \{$", re.M)
CONTAINER_RE = re.compile(r"^  std::(?:vector|set|map)<([^;]*)>\s+\w+;$", re.M)
IDENT_RE = re.compile(r"\b(\w+)\b")


def class_spans(header):
    """{name: (start, end)} of each struct class body in the header."""
    spans = {}
    for m in CLASS_RE.finditer(header):
        end = header.index("\n};\n", m.end())
        spans[m.group(1)] = (m.start(), end)
    return spans


def needs_fix(name, spans, header):
    start, end = spans[name]
    for m in CONTAINER_RE.finditer(header, start, end):
        for ident in IDENT_RE.findall(m.group(1)):
            if ident in spans and spans[ident][0] > start:
                return True
    return False


def move_out(name, header):
    """Returns (header, definitions) with `name`'s inline default constructor and
    operator== replaced by declarations and their definitions for the .cpp."""
    definitions = []
    ctor = re.compile(r"^  %s\(\) noexcept\n(.*?) \{\n  \}\n" % name, re.M | re.S)
    m = ctor.search(header)
    if m:
        definitions.append("%s::%s() noexcept\n%s {\n}\n" % (name, name, m.group(1)))
        header = header[:m.start()] + "  %s() noexcept;\n" % name + header[m.end():]
    eq = re.compile(r"^  bool operator == \(const %s & rhs\) const\n  \{\n(.*?)\n  \}\n" % name,
                    re.M | re.S)
    m = eq.search(header)
    if m:
        definitions.append("bool %s::operator == (const %s & rhs) const\n{\n%s\n}\n"
                           % (name, name, m.group(1)))
        header = (header[:m.start()] + "  bool operator == (const %s & rhs) const;\n" % name
                  + header[m.end():])
    return header, definitions


def main():
    header_path, source_path = sys.argv[1], sys.argv[2]
    with open(header_path) as f:
        header = f.read()
    spans = class_spans(header)
    definitions = []
    for name in [n for n in spans if needs_fix(n, spans, header)]:
        header, moved = move_out(name, header)
        definitions += moved
    if not definitions:
        return
    with open(source_path) as f:
        source = f.read()
    closing = source.rindex("}}} // namespace")
    source = (source[:closing] + "// Moved out of line by thrift/fix_cpp_incomplete_members.py.\n"
              + "\n".join(definitions) + "\n" + source[closing:])
    with open(header_path, "w") as f:
        f.write(header)
    with open(source_path, "w") as f:
        f.write(source)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Two fixes to the C++ that Thrift generates, applied after every generation.

Usage: fix_generated_cpp.py <types.h> <types.cpp> [<other types.h> ...]

1. Enums get a fixed underlying type (`enum type : int32_t`). Thrift reads an enum
   field as any i32 from the wire and casts it to the enum; without a fixed
   underlying type the enum's values are only those its bits span (0..1 for
   FunctionType), so a client sending 5373953 made every later load of the field
   undefined behaviour (found by fuzz/fuzz_thrift_request under UBSan). With
   int32_t every i32 is a value of the enum, and nothing else changes: the size
   and the implicit conversions are those of int. Applied to every header named.

2. Two inline members of some structs move out of line, so that the code also
   compiles with clang in C++20 mode against libstdc++ (first header and its .cpp
   only). Thrift writes every struct's default constructor and operator== inline
   in the class. A struct may hold a std::vector of a struct that the header
   defines further down (the IDL's Table -> CreationMetadata -> SourceTable ->
   Table cycle makes CreationMetadata hold vector<SourceTable> before SourceTable
   is complete). In C++20, std::vector's members are constexpr, and clang
   instantiates them (and with them the element type's size and destructor) where
   the inline member is defined, so it rejects the header; gcc defers and accepts
   it. Defined in the .cpp, after every struct is complete, the same members
   compile with both. Only such structs are touched, found from the header itself:
   a class with a std::vector/std::set/std::map member whose element is a struct
   defined later. The definitions are moved verbatim.

The wire format and the API do not change. Idempotent.
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


ENUM_RE = re.compile(r"^(  enum type) \{$", re.M)


def fix_enums(header_path):
    with open(header_path) as f:
        header = f.read()
    fixed = ENUM_RE.sub(r"\1 : int32_t {", header)
    if fixed != header:
        with open(header_path, "w") as f:
            f.write(fixed)


def main():
    header_path, source_path = sys.argv[1], sys.argv[2]
    for path in [header_path] + sys.argv[3:]:
        fix_enums(path)
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
    source = (source[:closing] + "// Moved out of line by thrift/fix_generated_cpp.py.\n"
              + "\n".join(definitions) + "\n" + source[closing:])
    with open(header_path, "w") as f:
        f.write(header)
    with open(source_path, "w") as f:
        f.write(source)


if __name__ == "__main__":
    main()

// Hive partition names: "key=value" pairs joined by '/', with Hive's escaping.
//
// Contract: byte-for-byte what HMS produces and accepts (Hive's FileUtils and
// Warehouse; docs/hms-compatibility.md#partition-names-and-escaping), so names round-trip with
// every client:
//   * MakePartName lower-cases keys, escapes keys and values, and writes
//     kDefaultPartitionName for an empty value;
//   * UnescapePathName(EscapePathName(s)) == s for every s;
//   * a name made by MakePartName contains no byte below 0x20, so it can be a
//     catalog key component as is (versioning/catalog_key.h).
// Deliberate departures from Hive, for inputs Hive itself never produces, are
// noted at the function that has them.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace arbor {

// Hive's hive.exec.default.partition.name default: the value written for a
// null or empty partition value.
inline constexpr std::string_view kDefaultPartitionName = "__HIVE_DEFAULT_PARTITION__";

// Escapes `s` for use as a partition-name key or value: every byte 0x00-0x1F,
// 0x7F and " # % ' * / : = ? \ { [ ] ^ becomes %XX (upper-case hex). Other
// bytes, including all bytes >= 0x80, are copied: Hive escapes by UTF-16 unit
// and only below 0x80, which is the same as leaving UTF-8 sequences alone.
// Unlike Hive's escapePathName, an empty input gives "" here; MakePartName is
// where the default partition name comes in.
std::string EscapePathName(std::string_view s);

// Decodes each '%' followed by two hex digits (either case) into the character
// U+0000..U+00FF written as UTF-8 (one byte below 0x80, two from 0x80 up),
// as Java's `(char) code` does; so "%C3%A9" gives "Ã©", not "é", exactly as in
// HMS. A '%' not followed by two hex digits is kept literally, as in Hive.
// Departure: Java's parseInt also takes a sign ("%+1" decodes to 0x01 in
// Hive); here a sign is not a hex digit and the '%' stays literal.
std::string UnescapePathName(std::string_view s);

// Warehouse.makePartName: escape(lower(key)) + "=" + escape(value), joined by
// '/'; an empty value becomes `default_name` (unescaped, as in Hive).
// InvalidArgument when there are no keys, when the counts differ, or when a
// key is empty.
Result<std::string> MakePartName(const std::vector<std::string>& keys,
                                 const std::vector<std::string>& values,
                                 std::string_view default_name = kDefaultPartitionName);

// Splits a partition name into unescaped (key, value) pairs, in order: split
// on '/', then each component on its first '=' (escaping guarantees a
// well-formed name has exactly one). Keys are returned as written (not
// lower-cased). InvalidArgument for an empty name, an empty component (as in
// "a=1//b=2" or a leading or trailing '/'), a component without '=', an empty
// key or value, or a key that appears twice. Hive is laxer about some of
// these (it drops a trailing '/', and reads "k=" as an empty value), but no
// name Hive generates has them.
Result<std::vector<std::pair<std::string, std::string>>> ParsePartName(std::string_view name);

// Warehouse.makeValsFromName with a key check: the unescaped values of `name`
// after verifying that its keys are `keys`, in order. Keys compare byte for
// byte, as HMS looks a table's (lower-case) keys up in the name's map: a name
// spelling a key in another case names no partition ("YYYY=1997" is not
// "yyyy=1997"). InvalidArgument, naming the mismatch, otherwise.
Result<std::vector<std::string>> PartNameToValues(std::string_view name,
                                                  const std::vector<std::string>& keys);

// Hive's lowerCaseConvertPartName, which the statistics methods apply to the
// names they are given: `name` with its keys lower-cased and re-escaped, its
// values kept. InvalidArgument when `name` does not parse (ParsePartName).
Result<std::string> LowerCasePartNameKeys(std::string_view name);

// Java's List.toString of partition values, "[v1, v2]", as Hive's messages
// print them.
std::string FormatValueList(const std::vector<std::string>& values);

}  // namespace arbor

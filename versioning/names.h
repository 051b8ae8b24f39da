// Names of catalog objects and of refs: normalization and validation.
//
// Contract: these functions follow HMS where HMS has a rule
// (docs/hms-compatibility.md#names-and-case) and docs/refs.md#ref-names for ref names. They never
// consult configuration: Arbor always behaves like HMS with
// metastore.support.special.characters.tablename=true, Hive 4's default. Splitting "db@ref" happens
// before any of this, in the server; here '@' is an ordinary name character, as it is in Hive 4.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace arbor {

// Longest accepted branch or tag name.
inline constexpr size_t kMaxRefNameLength = 255;

// HMS's normalizeIdentifier: trims bytes <= 0x20 from both ends (what Java's
// String.trim() removes) and lower-cases ASCII letters. Other bytes are kept:
// ValidateObjectName rejects non-ASCII names anyway, so Java's Unicode-aware
// toLowerCase() never has anything more to do.
std::string NormalizeIdentifier(std::string_view name);

// HMS's validateName for database, table and function names: one or more of
// [A-Za-z0-9_], space, and " %&'()*+,-./:;<=>?[]|{}$^!~#@` (Hive 4's special
// characters). Everything else is rejected, including control bytes, 0x00,
// backslash and non-ASCII bytes (Java's \w is ASCII-only). `kind` words the
// error: InvalidArgument("\"a\\b\" is not a valid database name: ...").
Status ValidateObjectName(std::string_view name, std::string_view kind = "object");

// HMS's validateName without a configuration, as validateFunctionInfo calls
// it: function names are one or more of [A-Za-z0-9_] only; Hive 4's special
// characters are a table-name setting and never apply to functions.
// InvalidArgument("\"a;b\" is not a valid function name: ...").
Status ValidateFunctionName(std::string_view name);

// Branch and tag names: [a-z0-9][a-z0-9_-]*, at most kMaxRefNameLength bytes.
// Lower case only, because Hive clients lower-case the database names that
// carry refs. Whether a name collides with a commit id is checked by the ref
// store, which knows the commits.
Status ValidateRefName(std::string_view name);

// Renders a name for an error message: in double quotes, with '"' and '\'
// backslash-escaped and bytes outside printable ASCII as \xNN, so a message
// never carries raw control bytes to a log or a client. Only the first
// kMaxEchoBytes (base/abbreviate.h) are quoted; a longer name is followed by
// TruncationMarker, so a message never grows with the name.
std::string QuoteName(std::string_view name);

}  // namespace arbor

// Parsing the database-name arguments of HMS calls.
//
// Forms (docs/refs.md#database-names-with-refs):
//   db            database `db` on the session's ref
//   db@ref        database `db` on `ref` (a branch, tag, commit or ref expression)
//   @cat#db@ref   Hive 3+'s catalog prefix; `@cat#` alone means "all databases"
//   @cat#!        the empty database name
// The ref separator is configurable. `echo` is the name responses carry: the
// normalized database name plus the ref as the client wrote it ("sales@dev"), so a
// client that compares names sees the one it asked for.
#pragma once

#include <optional>
#include <string>

#include "base/status.h"

namespace arbor::hms {

struct DbName {
  std::optional<std::string> catalog;  // from an `@cat#` prefix
  std::string db;                      // normalized (trimmed, lower case); empty for "all"
  std::string ref;                     // empty: the session's ref applies
  std::string echo;                    // "db@ref" for responses; catalog prefix removed
  bool all = false;                    // `@cat#` with nothing after it
};

// InvalidArgument for an empty ref after the separator or a malformed prefix.
Result<DbName> ParseDbName(std::string_view text, char ref_separator);

// Splits a pattern argument (get_databases, get_table_meta) that may carry a ref:
// "sales*@dev" -> pattern "sales*", ref "dev".
DbName ParseDbPattern(std::string_view text, char ref_separator);

}  // namespace arbor::hms

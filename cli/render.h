// Human-readable renderings of admin API results: ids, times, entity names,
// diff lines and conflict lines. Pure functions of admin.proto messages.
//
// Contract:
//  * EntityName: "sales" (database), "sales.orders" (table),
//    "sales.orders/ds=1/hr=00" (partition), "sales.fn" (function),
//    "sales.orders (column c)" / "sales.orders/ds=1 (column c)" (statistics).
//  * DiffLine reads like one line of `git diff --stat`, per object:
//      "+ table sales.orders  (2 columns; partitioned by ds string)"
//      "~ table sales.orders  +col discount(decimal(10,2))  location: a -> b  params: +owner"
//      "- partition sales.orders/ds=1"
//    A table's change comes from its TableChangeSummary; other entities list
//    their changed fields, with values for locations and parameter keys.
//    Volatile bookkeeping (transient_lastDdlTime, last_access_time) is left
//    out of non-table summaries, as the server leaves it out of tables'.
//  * ConflictLine is one line per conflict: kind, name, each conflicting field
//    with the destination's and the source's value when it is a scalar, and
//    how the sides differ, e.g.
//      "table sales.orders: sd.location (dest \"a\", source \"b\") [changed on both sides]"
#pragma once

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/timestamp.pb.h>

#include <ostream>
#include <string>
#include <string_view>

#include "arbor/admin.pb.h"

namespace arbor::cli {

// The first 12 hex digits of a commit id (unique enough to pass back: the API
// takes any unique prefix of at least 8).
std::string ShortId(std::string_view id);
// "2024-05-01 12:34:56 UTC"; "" when unset.
std::string FormatTime(const google::protobuf::Timestamp& t);
// The first line of a commit message.
std::string FirstLine(std::string_view text);

std::string KindLabel(std::string_view kind);  // "table_column_statistics" -> "column stats"
std::string EntityName(const admin::EntityKey& key);

std::string DiffLine(const admin::DiffEntry& entry);
// Every change, one line each, then a summary line ("3 changes: 2 added, 1 changed").
void PrintDiff(const admin::DiffResponse& diff, std::ostream& out);

std::string ConflictLine(const admin::Conflict& conflict);

// A Struct field by dotted path, e.g. {"sd", "location"}; null if absent.
const google::protobuf::Value* Lookup(const google::protobuf::Struct& s,
                                      std::initializer_list<std::string_view> path);
// A scalar Value as text (strings as is, numbers without a trailing ".0").
std::string ScalarText(const google::protobuf::Value& v);

}  // namespace arbor::cli

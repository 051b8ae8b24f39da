#include "server/hms/db_name.h"

#include "versioning/names.h"

namespace arbor::hms {

namespace {

// Longest database argument ParseDbName accepts, catalog prefix and ref included.
// Far above any real name (HMS's own schema stores database names in 128
// characters); it keeps a client's 100 MB "name" from travelling into lookups and
// being echoed whole in their errors (QuoteName bounds this one's echo).
constexpr size_t kMaxDbArgumentBytes = 1024;

// Splits "db@ref" at the first separator: a database name never contains it, so
// the rest is the ref, and a second separator makes that ref invalid.
void SplitRef(std::string_view text, char sep, std::string* db, std::string* ref) {
  size_t at = text.find(sep);
  if (at == std::string_view::npos) {
    *db = std::string(text);
    ref->clear();
  } else {
    *db = std::string(text.substr(0, at));
    *ref = std::string(text.substr(at + 1));
  }
}

}  // namespace

Result<DbName> ParseDbName(std::string_view text, char ref_separator) {
  if (text.size() > kMaxDbArgumentBytes) {
    return Status::InvalidArgument("database name " + QuoteName(text) + " is " +
                                   std::to_string(text.size()) + " bytes long; the limit is " +
                                   std::to_string(kMaxDbArgumentBytes));
  }
  DbName out;
  std::string_view rest = text;
  // The catalog marker is '@' and clashes with the default ref separator, but only
  // at position 0, where a ref can never start.
  if (!rest.empty() && rest[0] == '@') {
    size_t hash = rest.find('#');
    if (hash == std::string_view::npos) {
      return Status::InvalidArgument("malformed database name " + QuoteName(text) +
                                     ": a catalog prefix '@cat#' needs a '#'");
    }
    out.catalog = NormalizeIdentifier(rest.substr(1, hash - 1));
    rest.remove_prefix(hash + 1);
    if (rest.empty()) {
      out.all = true;
      return out;
    }
    if (rest == "!") rest = {};
  }
  std::string db;
  SplitRef(rest, ref_separator, &db, &out.ref);
  // Ref names are lower case by design (Hive lower-cases database names, and the
  // ref rides in one), so a client that did not lower-case still finds its ref.
  out.ref = NormalizeIdentifier(out.ref);
  if (rest.find(ref_separator) != std::string_view::npos && out.ref.empty()) {
    return Status::InvalidArgument("database name " + QuoteName(text) +
                                   " ends with the ref separator but names no ref");
  }
  out.db = NormalizeIdentifier(db);
  // Hive answers with lower-case names; the ref rides along so that clients that
  // compare the name they asked for with the one they got back see a match.
  out.echo = out.ref.empty() ? out.db : out.db + ref_separator + out.ref;
  return out;
}

DbName ParseDbPattern(std::string_view text, char ref_separator) {
  DbName out;
  std::string_view rest = text;
  if (!rest.empty() && rest[0] == '@') {
    size_t hash = rest.find('#');
    if (hash != std::string_view::npos) {
      out.catalog = NormalizeIdentifier(rest.substr(1, hash - 1));
      rest.remove_prefix(hash + 1);
    }
  }
  SplitRef(rest, ref_separator, &out.db, &out.ref);
  out.ref = NormalizeIdentifier(out.ref);
  out.echo = std::string(rest);
  return out;
}

}  // namespace arbor::hms

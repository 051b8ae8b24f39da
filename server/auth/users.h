// UserDirectory: who may do what, read from the users file (--users-file), the
// one identity model of the Thrift port and the admin API.
//
// File format (docs/security.md#the-users-file), one user per line, `#` comments:
//
//   # name   role     attributes (each optional, in any order)
//   alice    writer   password=scrypt$14$8$1$...   token=sha256$...
//   etl      admin    proxy=alice,bob
//   hive     writer   proxy=*
//
//   role       reader | writer | admin (reader < writer < admin)
//   password=  a hash from `arbord --hash-password` (SASL PLAIN logins)
//   token=     a hash from `arbord --hash-token` (admin API bearer token)
//   proxy=     users this one may act as through set_ugi (`*`: anyone); Hive's
//              hadoop.proxyuser.<name>.users rule, without groups and hosts
//
// A user authenticated some other way (Kerberos, a client certificate) who is
// not listed gets the default role (--default-role). Invariant: names are
// unique; every hash in the directory was checked to be well formed at load.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "server/auth/identity.h"

namespace arbor::auth {

enum class Role { kNone = 0, kReader = 1, kWriter = 2, kAdmin = 3 };

std::string_view RoleName(Role role);
Result<Role> ParseRole(std::string_view text);

struct UserEntry {
  std::string name;
  Role role = Role::kNone;
  std::string password_hash;       // empty: no password login
  std::string token_hash;          // empty: no bearer token
  std::vector<std::string> proxy;  // "*" alone: anyone
};

class UserDirectory {
 public:
  UserDirectory() = default;
  static Result<UserDirectory> Load(const std::string& path);
  // `origin` names the text in messages (a path).
  static Result<UserDirectory> Parse(std::string_view text, std::string_view origin);

  void set_default_role(Role role) { default_role_ = role; }
  Role default_role() const { return default_role_; }

  // SASL PLAIN: true only for a listed user with a password that matches.
  bool CheckPassword(std::string_view user, std::string_view password) const;
  // The listed user whose token this is (hashing it once; each entry compared
  // in constant time), if any.
  std::optional<std::string> UserOfToken(std::string_view token) const;
  // A listed user's role; the default role for anyone else.
  Role RoleOf(std::string_view user) const;
  // Whether `real` may act as `target` (set_ugi). Everyone may be themselves.
  bool MayImpersonate(std::string_view real, std::string_view target) const;

  bool has_passwords() const;
  bool has_tokens() const;
  size_t size() const { return users_.size(); }

 private:
  std::map<std::string, UserEntry, std::less<>> users_;
  Role default_role_ = Role::kReader;
};

// The short user name of an authenticated name: a Kerberos principal's first
// component when it belongs to `local_realm` (hive/host@REALM -> hive), like
// Hadoop's DEFAULT auth_to_local rule; a principal of another realm keeps its
// full name, so a trusted foreign realm cannot borrow a local user's role.
std::string ShortName(std::string_view principal, std::string_view local_realm);

// A denial naming the user, the role held, the role needed and the act. Its
// code is PermissionDenied; each front end turns it into its client's error:
// MetaException (TApplicationException where a lock method declares none), HTTP 403.
Status RequireRole(std::string_view user, Role have, Role need, std::string_view what);

}  // namespace arbor::auth

#include "server/auth/users.h"

#include <fstream>
#include <sstream>

#include "server/auth/secrets.h"

namespace arbor::auth {

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kNone:
      return "none";
    case Role::kReader:
      return "reader";
    case Role::kWriter:
      return "writer";
    case Role::kAdmin:
      return "admin";
  }
  return "none";
}

Result<Role> ParseRole(std::string_view text) {
  for (Role r : {Role::kNone, Role::kReader, Role::kWriter, Role::kAdmin}) {
    if (text == RoleName(r)) return r;
  }
  return Status::InvalidArgument("a role is reader, writer, admin or none, got '" +
                                 std::string(text) + "'");
}

Result<UserDirectory> UserDirectory::Load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::InvalidArgument("cannot read the users file '" + path + "'");
  std::stringstream text;
  text << in.rdbuf();
  return Parse(text.str(), path);
}

Result<UserDirectory> UserDirectory::Parse(std::string_view text, std::string_view origin) {
  UserDirectory dir;
  int lineno = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    std::string_view line = text.substr(pos, end == std::string_view::npos ? end : end - pos);
    pos = end == std::string_view::npos ? text.size() + 1 : end + 1;
    ++lineno;
    if (size_t hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    std::vector<std::string> words;
    std::istringstream split{std::string(line)};
    for (std::string w; split >> w;)
      words.push_back(w);
    if (words.empty()) continue;
    // Never quote the line: it may hold a hash.
    const std::string where = std::string(origin) + ":" + std::to_string(lineno) + ": ";
    if (words.size() < 2) {
      return Status::InvalidArgument(where + "expected `name role [attribute=value...]`");
    }
    UserEntry e;
    e.name = words[0];
    auto role = ParseRole(words[1]);
    if (!role.ok()) return Status::InvalidArgument(where + role.status().message());
    e.role = *role;
    for (size_t i = 2; i < words.size(); ++i) {
      const std::string& w = words[i];
      size_t eq = w.find('=');
      std::string key = w.substr(0, eq);
      std::string value = eq == std::string::npos ? "" : w.substr(eq + 1);
      if (key == "password") {
        if (Status s = CheckPasswordHash(value); !s.ok()) {
          return Status::InvalidArgument(where + "password=: " + s.message());
        }
        e.password_hash = value;
      } else if (key == "token") {
        if (value.size() != 7 + 64 || value.rfind("sha256$", 0) != 0) {
          return Status::InvalidArgument(
              where + "token=: not a token hash made by `arbord --hash-token` (sha256$<hex>)");
        }
        e.token_hash = value;
      } else if (key == "proxy") {
        std::istringstream names(value);
        for (std::string n; std::getline(names, n, ',');) {
          if (!n.empty()) e.proxy.push_back(n);
        }
      } else {
        return Status::InvalidArgument(where + "unknown attribute '" + key +
                                       "' (password=, token=, proxy=)");
      }
    }
    if (dir.users_.count(e.name) != 0) {
      return Status::InvalidArgument(where + "user '" + e.name + "' is listed twice");
    }
    std::string name = e.name;
    dir.users_.emplace(std::move(name), std::move(e));
  }
  return dir;
}

bool UserDirectory::CheckPassword(std::string_view user, std::string_view password) const {
  auto it = users_.find(user);
  if (it == users_.end() || it->second.password_hash.empty()) return false;
  auto ok = VerifyPassword(password, it->second.password_hash);
  return ok.ok() && *ok;
}

std::optional<std::string> UserDirectory::UserOfToken(std::string_view token) const {
  const std::string hash = HashToken(token);
  std::optional<std::string> found;
  for (const auto& [name, e] : users_) {
    if (!e.token_hash.empty() && ConstantTimeEquals(hash, e.token_hash)) found = name;
  }
  return found;
}

Role UserDirectory::RoleOf(std::string_view user) const {
  auto it = users_.find(user);
  return it == users_.end() ? default_role_ : it->second.role;
}

bool UserDirectory::MayImpersonate(std::string_view real, std::string_view target) const {
  if (real == target) return true;
  auto it = users_.find(real);
  if (it == users_.end()) return false;
  for (const std::string& p : it->second.proxy) {
    if (p == "*" || p == target) return true;
  }
  return false;
}

bool UserDirectory::has_passwords() const {
  for (const auto& [name, e] : users_) {
    if (!e.password_hash.empty()) return true;
  }
  return false;
}

bool UserDirectory::has_tokens() const {
  for (const auto& [name, e] : users_) {
    if (!e.token_hash.empty()) return true;
  }
  return false;
}

std::string ShortName(std::string_view principal, std::string_view local_realm) {
  size_t at = principal.rfind('@');
  if (at == std::string_view::npos) return std::string(principal);
  if (principal.substr(at + 1) != local_realm) return std::string(principal);
  std::string_view name = principal.substr(0, at);
  return std::string(name.substr(0, name.find('/')));
}

Status RequireRole(std::string_view user, Role have, Role need, std::string_view what) {
  if (have >= need) return Status::OK();
  return Status::PermissionDenied("user '" + std::string(user) + "' (role " +
                                  std::string(RoleName(have)) + ") may not " + std::string(what) +
                                  ": it needs the " + std::string(RoleName(need)) + " role");
}

}  // namespace arbor::auth

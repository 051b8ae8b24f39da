// AdminApi::Authenticate (admin_api.h): who is calling, from a bearer token or a
// verified client certificate, and with what role. Token checks are
// constant-time; refusals are logged without the token.
#include <spdlog/spdlog.h>

#include <string>
#include <string_view>

#include "base/ascii.h"
#include "server/admin/admin_api.h"
#include "server/admin/admin_errors.h"
#include "server/auth/secrets.h"

namespace arbor {

using admin_api::Error;

std::optional<HttpResponse> AdminApi::Authenticate(const HttpRequest& request, auth::Identity* who,
                                                   auth::Role* role) const {
  const bool required = options_.require_authentication || !options_.admin_token.empty() ||
                        (options_.users != nullptr && options_.users->has_tokens());
  auto unauthenticated = [](std::string message) {
    spdlog::warn("admin: unauthenticated request refused: {}", message);
    HttpResponse r = Error(401, "UNAUTHENTICATED", message);
    r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"arbor\"");
    return r;
  };
  auto it = request.headers.find("authorization");
  // With nothing configured, a token is not checked (the API is open, as before).
  if (it != request.headers.end() && required) {
    std::string_view v = it->second;
    constexpr std::string_view kScheme = "bearer ";
    if (v.size() <= kScheme.size() || AsciiLower(v.substr(0, kScheme.size())) != kScheme) {
      return unauthenticated("the Authorization header is not `Bearer <token>`");
    }
    std::string_view token = v.substr(kScheme.size());
    while (!token.empty() && token.front() == ' ')
      token.remove_prefix(1);
    while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) {
      token.remove_suffix(1);
    }
    if (!options_.admin_token.empty() && auth::ConstantTimeEquals(token, options_.admin_token)) {
      // The shared admin token is a capability, not a person: it names no
      // author (a request's `author` stands, as before users existed).
      *who = {};
      *role = auth::Role::kAdmin;
      return std::nullopt;
    }
    if (options_.users != nullptr) {
      if (auto user = options_.users->UserOfToken(token)) {
        *who = {auth::AuthMethod::kToken, *user, *user};
        *role = options_.users->RoleOf(*user);
        return std::nullopt;
      }
    }
    return unauthenticated("the bearer token is not valid");
  }
  if (request.peer_identity.authenticated()) {
    *who = request.peer_identity;
    if (!required) {
      *role = auth::Role::kAdmin;  // an open API: the certificate names the author only
    } else {
      *role = options_.users != nullptr ? options_.users->RoleOf(who->user) : auth::Role::kReader;
    }
    return std::nullopt;
  }
  if (required) {
    return unauthenticated("this server requires Authorization: Bearer <token>");
  }
  *role = auth::Role::kAdmin;  // no authentication configured: today's open API
  return std::nullopt;
}

}  // namespace arbor

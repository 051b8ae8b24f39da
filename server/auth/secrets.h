// Hashes of the secrets in the users file (docs/security.md#the-users-file).
//
// Passwords are people's choices, so they are stored slow and salted: scrypt
// (OpenSSL's EVP_PBE_scrypt) with a fresh 16-byte salt per hash, encoded as
//   scrypt$<log2 N>$<r>$<p>$<salt, base64>$<derived key, base64>
// Bearer tokens are random strings the server made (NewToken), 256 bits, so a
// fast hash is as safe as a slow one and lets a request find its user by
// hashing once: sha256$<hex>. Comparisons of derived values are constant-time.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace arbor::auth {

// A new salted scrypt hash of `password`.
Result<std::string> HashPassword(std::string_view password);
// Whether `password` matches `encoded`; InvalidArgument when `encoded` is not a
// hash HashPassword makes (or its cost parameters are out of bounds).
Result<bool> VerifyPassword(std::string_view password, std::string_view encoded);
// Checks that `encoded` is a well-formed password hash, without a password.
Status CheckPasswordHash(std::string_view encoded);

// sha256$<hex> of a bearer token.
std::string HashToken(std::string_view token);
// A fresh random token (43 base64url characters, 256 bits).
Result<std::string> NewToken();

bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace arbor::auth

#include "server/auth/secrets.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <charconv>
#include <vector>

namespace arbor::auth {

namespace {

// scrypt cost: N = 2^14, r = 8, p = 1 uses 16 MiB and about 50 ms per check:
// the parameters OWASP lists as a minimum, and affordable once per connection.
constexpr int kLogN = 14;
constexpr int kR = 8;
constexpr int kP = 1;
constexpr size_t kSaltBytes = 16;
constexpr size_t kKeyBytes = 32;
// Bounds on hashes read from the file: enough for stronger settings, not enough
// for a typo to make every login take minutes or gigabytes.
constexpr int kMaxLogN = 20;
constexpr int kMaxR = 32;
constexpr int kMaxP = 16;
constexpr uint64_t kMaxMem = uint64_t{1} << 30;

std::string Base64(const unsigned char* data, size_t n) {
  std::string out(4 * ((n + 2) / 3), '\0');
  const int len =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(n));
  out.resize(static_cast<size_t>(len));
  return out;
}

Result<std::vector<unsigned char>> Unbase64(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0 || text.size() > 1024) {
    return Status::InvalidArgument("not base64");
  }
  std::vector<unsigned char> out(text.size() / 4 * 3);
  const int len = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                  static_cast<int>(text.size()));
  if (len < 0) return Status::InvalidArgument("not base64");
  size_t pad = 0;
  if (text.back() == '=') ++pad;
  if (text.size() > 1 && text[text.size() - 2] == '=') ++pad;
  out.resize(static_cast<size_t>(len) - pad);
  return out;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t at = s.find(sep, start);
    parts.push_back(s.substr(start, at == std::string_view::npos ? at : at - start));
    if (at == std::string_view::npos) return parts;
    start = at + 1;
  }
}

bool ParseSmall(std::string_view s, int max, int* out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size() && *out >= 1 && *out <= max;
}

struct ScryptHash {
  int log_n = 0, r = 0, p = 0;
  std::vector<unsigned char> salt, key;
};

Result<ScryptHash> Decode(std::string_view encoded) {
  const auto bad = Status::InvalidArgument(
      "not a password hash made by `arbord --hash-password` (scrypt$N$r$p$salt$key)");
  std::vector<std::string_view> parts = Split(encoded, '$');
  ScryptHash h;
  if (parts.size() != 6 || parts[0] != "scrypt" || !ParseSmall(parts[1], kMaxLogN, &h.log_n) ||
      !ParseSmall(parts[2], kMaxR, &h.r) || !ParseSmall(parts[3], kMaxP, &h.p)) {
    return bad;
  }
  auto salt = Unbase64(parts[4]);
  auto key = Unbase64(parts[5]);
  if (!salt.ok() || !key.ok() || salt->size() < 8 || key->size() < 16) return bad;
  h.salt = std::move(salt).value();
  h.key = std::move(key).value();
  return h;
}

Status Derive(std::string_view password, const ScryptHash& h, std::vector<unsigned char>* key) {
  key->assign(h.key.empty() ? kKeyBytes : h.key.size(), 0);
  if (EVP_PBE_scrypt(password.data(), password.size(), h.salt.data(), h.salt.size(),
                     uint64_t{1} << h.log_n, static_cast<uint64_t>(h.r), static_cast<uint64_t>(h.p),
                     kMaxMem, key->data(), key->size()) != 1) {
    return Status::Internal("scrypt failed (parameters beyond the memory limit?)");
  }
  return Status::OK();
}

}  // namespace

Result<std::string> HashPassword(std::string_view password) {
  ScryptHash h{kLogN, kR, kP, std::vector<unsigned char>(kSaltBytes), {}};
  if (RAND_bytes(h.salt.data(), static_cast<int>(h.salt.size())) != 1) {
    return Status::Internal("no random bytes for a salt");
  }
  std::vector<unsigned char> key;
  ARBOR_RETURN_IF_ERROR(Derive(password, h, &key));
  return "scrypt$" + std::to_string(h.log_n) + "$" + std::to_string(h.r) + "$" +
         std::to_string(h.p) + "$" + Base64(h.salt.data(), h.salt.size()) + "$" +
         Base64(key.data(), key.size());
}

Result<bool> VerifyPassword(std::string_view password, std::string_view encoded) {
  ARBOR_ASSIGN_OR_RETURN(ScryptHash h, Decode(encoded));
  std::vector<unsigned char> key;
  ARBOR_RETURN_IF_ERROR(Derive(password, h, &key));
  return CRYPTO_memcmp(key.data(), h.key.data(), key.size()) == 0;
}

Status CheckPasswordHash(std::string_view encoded) {
  return Decode(encoded).status();
}

std::string HashToken(std::string_view token) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(), digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "sha256$";
  for (unsigned char b : digest) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

Result<std::string> NewToken() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) return Status::Internal("no random bytes");
  std::string out = Base64(bytes, sizeof(bytes));
  while (!out.empty() && out.back() == '=')
    out.pop_back();
  for (char& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace arbor::auth

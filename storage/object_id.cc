#include "storage/object_id.h"

#include <openssl/evp.h>

#include <memory>

#include "base/ascii.h"

namespace arbor {

ObjectId ObjectId::Hash(uint8_t type, std::string_view payload) {
  // EVP_MD_CTX is created per call: contexts are not thread-safe and the allocation is
  // negligible next to hashing a tree node.
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  ObjectId id;
  unsigned int len = 0;
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), &type, 1) != 1 ||
      EVP_DigestUpdate(ctx.get(), payload.data(), payload.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), id.bytes_.data(), &len) != 1 || len != kSize) {
    // OpenSSL only fails here on allocation failure; there is no sane way to continue.
    std::abort();
  }
  return id;
}

Result<ObjectId> ObjectId::FromBytes(std::string_view raw) {
  if (raw.size() != kSize) {
    return Status::InvalidArgument("object id must be 32 bytes, got " + std::to_string(raw.size()));
  }
  ObjectId id;
  std::memcpy(id.bytes_.data(), raw.data(), kSize);
  return id;
}

Result<ObjectId> ObjectId::FromHex(std::string_view hex) {
  if (hex.size() != kHexSize || !IsHex(hex)) {
    return Status::InvalidArgument("'" + std::string(hex.substr(0, 80)) +
                                   "' is not a 64-digit hex object id");
  }
  ObjectId id;
  for (size_t i = 0; i < kSize; ++i) {
    id.bytes_[i] =
        static_cast<uint8_t>(HexDigitValue(hex[2 * i]) << 4 | HexDigitValue(hex[2 * i + 1]));
  }
  return id;
}

std::string ObjectId::ToHex() const {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(kHexSize, '0');
  for (size_t i = 0; i < kSize; ++i) {
    out[2 * i] = kDigits[bytes_[i] >> 4];
    out[2 * i + 1] = kDigits[bytes_[i] & 0xf];
  }
  return out;
}

bool ObjectId::IsZero() const {
  for (uint8_t b : bytes_) {
    if (b != 0) return false;
  }
  return true;
}

bool IsHex(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (HexDigitValue(c) < 0) return false;
  }
  return true;
}

}  // namespace arbor

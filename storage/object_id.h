// ObjectId: the 32-byte SHA-256 that names an immutable object.
//
// id = SHA-256(type byte || payload). Ids print as 64 lower-case hex digits. Equal ids
// mean equal (type, payload), so anything keyed by id may be cached forever.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace arbor {

class ObjectId {
 public:
  static constexpr size_t kSize = 32;
  static constexpr size_t kHexSize = 64;
  // Shortest prefix accepted when resolving an abbreviated id.
  static constexpr size_t kMinPrefixHex = 8;

  ObjectId() { bytes_.fill(0); }

  // Hash of (type, payload), computed with OpenSSL EVP SHA-256.
  static ObjectId Hash(uint8_t type, std::string_view payload);
  // From exactly 32 raw bytes; anything else is InvalidArgument.
  static Result<ObjectId> FromBytes(std::string_view raw);
  // From exactly 64 hex digits (either case).
  static Result<ObjectId> FromHex(std::string_view hex);

  std::string_view bytes() const {
    return {reinterpret_cast<const char*>(bytes_.data()), bytes_.size()};
  }
  std::string ToHex() const;
  // The first n hex digits, for display.
  std::string ShortHex(size_t n = 12) const { return ToHex().substr(0, n); }
  bool IsZero() const;

  auto operator<=>(const ObjectId&) const = default;

 private:
  std::array<uint8_t, kSize> bytes_;
};

// True if s is a non-empty string of hex digits (either case).
bool IsHex(std::string_view s);

struct ObjectIdHash {
  size_t operator()(const ObjectId& id) const {
    size_t h;
    std::memcpy(&h, id.bytes().data(), sizeof(h));  // already uniformly distributed
    return h;
  }
};

}  // namespace arbor

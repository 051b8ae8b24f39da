// Hash64: a stable, seeded 64-bit hash of a byte string.
//
// Prolly-tree boundaries are decided by this hash, so its output is part of the on-disk
// format: it must never change, and it does not depend on the platform's endianness or
// on std::hash. It mixes well enough that boundary decisions look random; it is not
// cryptographic (node ids use SHA-256).
#pragma once

#include <cstdint>
#include <string_view>

namespace arbor {

uint64_t Hash64(std::string_view bytes, uint64_t seed);

}  // namespace arbor

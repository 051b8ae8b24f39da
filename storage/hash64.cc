#include "storage/hash64.h"

namespace arbor {

namespace {

constexpr uint64_t kMulA = 0x9e3779b97f4a7c15ULL;
constexpr uint64_t kMulB = 0xbf58476d1ce4e5b9ULL;
constexpr uint64_t kMulC = 0x94d049bb133111ebULL;

uint64_t Rotl(uint64_t x, int r) {
  return (x << r) | (x >> (64 - r));
}

// The splitmix64 finalizer: every input bit affects every output bit.
uint64_t Finalize(uint64_t x) {
  x ^= x >> 30;
  x *= kMulB;
  x ^= x >> 27;
  x *= kMulC;
  x ^= x >> 31;
  return x;
}

uint64_t LoadLE(const unsigned char* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i)
    v |= static_cast<uint64_t>(p[i]) << (8 * i);
  return v;
}

}  // namespace

uint64_t Hash64(std::string_view bytes, uint64_t seed) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t n = bytes.size();
  uint64_t h = Finalize(seed + kMulA) ^ (n * kMulC);
  while (n >= 8) {
    h ^= Finalize(LoadLE(p, 8) + kMulA);
    h = Rotl(h, 29) * kMulB + kMulC;
    p += 8;
    n -= 8;
  }
  if (n > 0) {
    h ^= Finalize(LoadLE(p, n) ^ (static_cast<uint64_t>(n) << 56));
    h = Rotl(h, 29) * kMulB + kMulC;
  }
  return Finalize(h);
}

}  // namespace arbor

// Seeds for property tests: ARBOR_TEST_SEED fixes one, otherwise each run draws a new
// one. Tests print the seed in every failure message so any failure can be replayed.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>

namespace arbor::testing {

inline uint64_t TestSeed() {
  if (const char* s = std::getenv("ARBOR_TEST_SEED")) return std::strtoull(s, nullptr, 10);
  return std::random_device{}();
}

inline std::string SeedNote(uint64_t seed) {
  return "seed " + std::to_string(seed) + " (replay with ARBOR_TEST_SEED=" + std::to_string(seed) +
         ")";
}

}  // namespace arbor::testing

// ASCII helpers for protocol text, independent of the locale: case folding for
// tokens that compare case-insensitively in ASCII only (HTTP header names,
// authentication schemes, Expect values), and hex digits (object ids,
// percent-encoding).
#pragma once

#include <string>
#include <string_view>

namespace arbor {

// `s` with A-Z lower-cased; every other byte as it is.
inline std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// The value of hex digit `c` (either case), or -1 if it is none.
inline int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace arbor

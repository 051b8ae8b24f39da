// ASCII case folding for protocol tokens (HTTP header names, authentication
// schemes, Expect values), which compare case-insensitively in ASCII only:
// bytes outside A-Z are kept as they are, whatever the locale.
#pragma once

#include <string>
#include <string_view>

namespace arbor {

inline std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace arbor

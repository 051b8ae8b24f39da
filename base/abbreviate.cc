#include "base/abbreviate.h"

namespace arbor {

size_t AbbreviatedLength(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text.size();
  size_t keep = max_bytes;
  // Back up over continuation bytes (10xxxxxx) to the start of a character.
  while (keep > 0 && (static_cast<unsigned char>(text[keep]) & 0xC0) == 0x80)
    --keep;
  return keep;
}

std::string TruncationMarker(size_t total_bytes) {
  return "...[" + std::to_string(total_bytes) + " bytes, truncated]";
}

std::string Abbreviate(std::string_view text, size_t max_bytes) {
  const size_t keep = AbbreviatedLength(text, max_bytes);
  std::string out(text.substr(0, keep));
  if (keep < text.size()) out += TruncationMarker(text.size());
  return out;
}

}  // namespace arbor

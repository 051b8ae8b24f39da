#include "versioning/names.h"

#include "base/abbreviate.h"

namespace arbor {
namespace {

bool IsAsciiAlnum(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// Hive 4's MetaStoreUtils SPECIAL_CHARACTERS_IN_TABLE_NAMES, which includes
// '_' (also part of \w) and space, and excludes backslash.
constexpr std::string_view kSpecialNameCharacters = " \"%&'()*+,-./:;<=>?[]_|{}$^!~#@`";

bool IsObjectNameChar(unsigned char c) {
  return IsAsciiAlnum(c) ||
         kSpecialNameCharacters.find(static_cast<char>(c)) != std::string_view::npos;
}

std::string DescribeByte(unsigned char c) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string hex = "0x";
  hex += kHex[c >> 4];
  hex += kHex[c & 0xF];
  if (c >= 0x20 && c < 0x7F) return std::string("'") + static_cast<char>(c) + "' (" + hex + ")";
  return "byte " + hex;
}

}  // namespace

std::string NormalizeIdentifier(std::string_view name) {
  size_t begin = 0;
  size_t end = name.size();
  // Java's String.trim() drops every char <= ' ' at either end.
  const auto trimmed = [](char c) { return static_cast<unsigned char>(c) <= 0x20; };
  while (begin < end && trimmed(name[begin])) {
    ++begin;
  }
  while (end > begin && trimmed(name[end - 1])) {
    --end;
  }
  std::string out(name.substr(begin, end - begin));
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

Status ValidateObjectName(std::string_view name, std::string_view kind) {
  const std::string prefix = QuoteName(name) + " is not a valid " + std::string(kind) + " name";
  if (name.empty()) return Status::InvalidArgument(prefix + ": the name is empty");
  for (char ch : name) {
    const auto c = static_cast<unsigned char>(ch);
    if (!IsObjectNameChar(c)) {
      return Status::InvalidArgument(prefix + ": " + DescribeByte(c) +
                                     " is not allowed; use letters, digits, '_', space or one of " +
                                     std::string(kSpecialNameCharacters.substr(1)));
    }
  }
  return Status::OK();
}

Status ValidateFunctionName(std::string_view name) {
  const std::string prefix = QuoteName(name) + " is not a valid function name";
  if (name.empty()) return Status::InvalidArgument(prefix + ": the name is empty");
  for (char ch : name) {
    const auto c = static_cast<unsigned char>(ch);
    if (!IsAsciiAlnum(c) && c != '_') {
      return Status::InvalidArgument(prefix + ": " + DescribeByte(c) +
                                     " is not allowed; use letters, digits or '_'");
    }
  }
  return Status::OK();
}

Status ValidateRefName(std::string_view name) {
  const std::string prefix = QuoteName(name) + " is not a valid branch or tag name";
  if (name.empty()) return Status::InvalidArgument(prefix + ": the name is empty");
  if (name.size() > kMaxRefNameLength) {
    return Status::InvalidArgument(prefix + ": it is " + std::to_string(name.size()) +
                                   " bytes long, the limit is " +
                                   std::to_string(kMaxRefNameLength));
  }
  for (size_t i = 0; i < name.size(); ++i) {
    const auto c = static_cast<unsigned char>(name[i]);
    const bool lower_alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (lower_alnum) continue;
    if (i > 0 && (c == '_' || c == '-')) continue;
    if (i == 0 && (c == '_' || c == '-')) {
      return Status::InvalidArgument(prefix + ": it must start with a lower-case letter or digit");
    }
    return Status::InvalidArgument(prefix + ": " + DescribeByte(c) +
                                   " is not allowed; use lower-case letters, digits, '_' and '-'");
  }
  return Status::OK();
}

std::string QuoteName(std::string_view name) {
  static constexpr char kHex[] = "0123456789abcdef";
  const size_t keep = AbbreviatedLength(name);
  std::string out = "\"";
  for (char ch : name.substr(0, keep)) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c >= 0x20 && c < 0x7F) {
      out += ch;
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  out += '"';
  if (keep < name.size()) out += TruncationMarker(name.size());
  return out;
}

}  // namespace arbor

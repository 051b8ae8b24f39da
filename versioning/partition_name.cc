#include "versioning/partition_name.h"

#include "base/ascii.h"
#include "versioning/names.h"

namespace arbor {
namespace {

// Hive's FileUtils.charToEscape: all of 0x00-0x1F plus this list.
constexpr std::string_view kEscapedPunctuation = "\"#%'*/:=?\\\x7f{[]^";

bool NeedsEscaping(unsigned char c) {
  return c < 0x20 || kEscapedPunctuation.find(static_cast<char>(c)) != std::string_view::npos;
}

std::string JoinQuoted(const std::vector<std::string>& names) {
  if (names.empty()) return "(none)";
  std::string out;
  for (const std::string& name : names) {
    if (!out.empty()) out += ", ";
    out += QuoteName(name);
  }
  return out;
}

}  // namespace

std::string EscapePathName(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (NeedsEscaping(c)) {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    } else {
      out += ch;
    }
  }
  return out;
}

std::string UnescapePathName(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      const int hi = HexDigitValue(s[i + 1]);
      const int lo = HexDigitValue(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        const int code = hi * 16 + lo;
        if (code < 0x80) {
          out += static_cast<char>(code);
        } else {
          // Java appends the char U+00XX; the string reaches us as UTF-8.
          out += static_cast<char>(0xC0 | (code >> 6));
          out += static_cast<char>(0x80 | (code & 0x3F));
        }
        i += 2;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

Result<std::string> MakePartName(const std::vector<std::string>& keys,
                                 const std::vector<std::string>& values,
                                 std::string_view default_name) {
  if (keys.empty()) {
    return Status::InvalidArgument("a partition name needs at least one partition key");
  }
  if (keys.size() != values.size()) {
    return Status::InvalidArgument("cannot make a partition name from " +
                                   std::to_string(keys.size()) + " keys (" + JoinQuoted(keys) +
                                   ") and " + std::to_string(values.size()) + " values");
  }
  if (default_name.empty()) {
    return Status::InvalidArgument("the default partition name must not be empty");
  }
  std::string name;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (keys[i].empty()) {
      return Status::InvalidArgument("partition key " + std::to_string(i + 1) + " is empty");
    }
    if (i > 0) name += '/';
    name += EscapePathName(AsciiLower(keys[i]));
    name += '=';
    if (values[i].empty()) {
      name += default_name;
    } else {
      name += EscapePathName(values[i]);
    }
  }
  return name;
}

Result<std::vector<std::pair<std::string, std::string>>> ParsePartName(std::string_view name) {
  const auto invalid = [&](const std::string& why) {
    return Status::InvalidArgument("invalid partition name " + QuoteName(name) + ": " + why);
  };
  if (name.empty()) return invalid("the name is empty");
  std::vector<std::pair<std::string, std::string>> pairs;
  size_t start = 0;
  while (true) {
    const size_t slash = name.find('/', start);
    const std::string_view component = name.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (component.empty()) {
      return invalid("component " + std::to_string(pairs.size() + 1) +
                     " is empty (leading, trailing or doubled '/')");
    }
    const size_t eq = component.find('=');
    if (eq == std::string_view::npos) {
      return invalid("component " + QuoteName(component) + " has no '='");
    }
    if (eq == 0) return invalid("component " + QuoteName(component) + " has an empty key");
    if (eq + 1 == component.size()) {
      return invalid("component " + QuoteName(component) + " has an empty value");
    }
    std::string key = UnescapePathName(component.substr(0, eq));
    const std::string lower_key = AsciiLower(key);
    for (const auto& [existing, unused] : pairs) {
      if (AsciiLower(existing) == lower_key) {
        return invalid("key " + QuoteName(key) + " appears more than once");
      }
    }
    pairs.emplace_back(std::move(key), UnescapePathName(component.substr(eq + 1)));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return pairs;
}

Result<std::vector<std::string>> PartNameToValues(std::string_view name,
                                                  const std::vector<std::string>& keys) {
  ARBOR_ASSIGN_OR_RETURN(auto pairs, ParsePartName(name));
  if (pairs.size() != keys.size()) {
    return Status::InvalidArgument(
        "partition name " + QuoteName(name) + " has " + std::to_string(pairs.size()) +
        " components, but the table's partition keys are " + JoinQuoted(keys));
  }
  std::vector<std::string> values;
  values.reserve(pairs.size());
  for (size_t i = 0; i < pairs.size(); ++i) {
    if (pairs[i].first != keys[i]) {
      return Status::InvalidArgument("partition name " + QuoteName(name) + " has key " +
                                     QuoteName(pairs[i].first) + " in position " +
                                     std::to_string(i + 1) + ", where the table's key is " +
                                     QuoteName(keys[i]));
    }
    values.push_back(std::move(pairs[i].second));
  }
  return values;
}

Result<std::string> LowerCasePartNameKeys(std::string_view name) {
  ARBOR_ASSIGN_OR_RETURN(auto pairs, ParsePartName(name));
  std::string out;
  for (const auto& [key, value] : pairs) {
    if (!out.empty()) out += '/';
    out += EscapePathName(AsciiLower(key));
    out += '=';
    out += EscapePathName(value);
  }
  return out;
}

std::string FormatValueList(const std::vector<std::string>& values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out += ", ";
    out += values[i];
  }
  return out + "]";
}

}  // namespace arbor

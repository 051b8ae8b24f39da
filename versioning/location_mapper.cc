#include "versioning/location_mapper.h"

namespace arbor {

LocationMapper::LocationMapper(std::vector<std::string> prefixes) : prefixes_(std::move(prefixes)) {
  for (auto& p : prefixes_) {
    if (!p.empty() && p.back() != '/') p.push_back('/');
  }
}

std::string LocationMapper::ToStored(const std::string& location) const {
  for (const auto& prefix : prefixes_) {
    if (location.compare(0, prefix.size(), prefix) != 0) continue;
    std::string rest = location.substr(prefix.size());
    if (rest.rfind(kRefToken, 0) == 0) return location;  // already stored form
    size_t slash = rest.find('/');
    if (rest.empty()) return location;  // the repository root names no ref
    std::string path = slash == std::string::npos ? "" : rest.substr(slash);
    return prefix + kRefToken + path;
  }
  return location;
}

std::string LocationMapper::Render(const std::string& stored, const std::string& lakefs_ref) const {
  for (const auto& prefix : prefixes_) {
    if (stored.compare(0, prefix.size(), prefix) != 0) continue;
    if (stored.compare(prefix.size(), std::char_traits<char>::length(kRefToken), kRefToken) != 0) {
      return stored;
    }
    return prefix + lakefs_ref +
           stored.substr(prefix.size() + std::char_traits<char>::length(kRefToken));
  }
  return stored;
}

}  // namespace arbor

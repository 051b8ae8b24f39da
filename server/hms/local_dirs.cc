#include "server/hms/local_dirs.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <system_error>

namespace arbor::hms {

std::string LocalPathOf(const std::string& location) {
  static const std::string kScheme = "file:";
  if (location.compare(0, kScheme.size(), kScheme) != 0) return "";
  std::string rest = location.substr(kScheme.size());
  // file:///a and file://localhost/a name /a; file:/a is Hadoop's short form.
  if (rest.compare(0, 2, "//") == 0) {
    size_t slash = rest.find('/', 2);
    if (slash == std::string::npos) return "";
    std::string host = rest.substr(2, slash - 2);
    if (!host.empty() && host != "localhost") return "";
    rest = rest.substr(slash);
  }
  if (rest.empty() || rest[0] != '/') return "";
  return rest;
}

void EnsureLocalDirectory(const std::string& location) {
  std::string path = LocalPathOf(location);
  if (path.empty()) return;
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) spdlog::warn("cannot create directory {} for {}: {}", path, location, ec.message());
}

}  // namespace arbor::hms

#include "server/hms/local_dirs.h"

#include <spdlog/spdlog.h>

#include <errno.h>
#include <sys/stat.h>

#include <string>
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

namespace {

// mkdir -p of `path`, optimistic: one mkdir(2) when the parent exists, as it does
// for all but the first partition of a day, where std::filesystem::create_directories
// stats the path and its parent first (three system calls per new partition of a
// bulk add). Parents are made only when the kernel says one is missing.
std::error_code MakeDirectories(const std::string& path) {
  if (::mkdir(path.c_str(), 0777) == 0) return {};
  const int err = errno;
  if (err == EEXIST) {
    // Something is there: fine if it is a directory (or a link to one).
    struct stat st;
    if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return {};
    return std::make_error_code(std::errc::not_a_directory);
  }
  if (err != ENOENT) return {err, std::generic_category()};
  const size_t slash = path.find_last_not_of('/') == std::string::npos
                           ? std::string::npos
                           : path.rfind('/', path.find_last_not_of('/'));
  if (slash == std::string::npos || slash == 0) return {err, std::generic_category()};
  if (std::error_code ec = MakeDirectories(path.substr(0, slash))) return ec;
  if (::mkdir(path.c_str(), 0777) == 0 || errno == EEXIST) return {};
  return {errno, std::generic_category()};
}

}  // namespace

void EnsureLocalDirectory(const std::string& location) {
  std::string path = LocalPathOf(location);
  if (path.empty()) return;
  if (std::error_code ec = MakeDirectories(path)) {
    spdlog::warn("cannot create directory {} for {}: {}", path, location, ec.message());
  }
}

}  // namespace arbor::hms

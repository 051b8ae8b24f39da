// LocationMapper: table and partition locations inside the lakeFS repository are
// stored without their ref, and rendered for the ref being read.
//
// A location under a configured prefix addresses the repository as
// <prefix><ref>/<path> (s3a://repo/dev/warehouse/t). It is stored as
// <prefix>${ref}/<path>, so the same table on two branches stores the same
// location and branching copies nothing. On read, ${ref} becomes the branch name
// for a branch, or the paired lakeFS commit id for a tag or commit, so a read at a
// commit points at exactly that commit's data. Locations outside every prefix are
// stored and returned unchanged.
#pragma once

#include <string>
#include <vector>

namespace arbor {

class LocationMapper {
 public:
  explicit LocationMapper(std::vector<std::string> prefixes = {});

  bool enabled() const { return !prefixes_.empty(); }
  // The stored form of a location a client sent.
  std::string ToStored(const std::string& location) const;
  // The location a client reading through `lakefs_ref` sees.
  std::string Render(const std::string& stored, const std::string& lakefs_ref) const;

  static constexpr const char* kRefToken = "${ref}";

 private:
  std::vector<std::string> prefixes_;  // each ends with '/'
};

}  // namespace arbor

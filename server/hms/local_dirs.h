// Directories for new catalog objects on the local filesystem.
//
// Hive's metastore creates the directory of every database, table and partition
// it creates, and engines rely on it: Spark's CTAS into a Hive parquet table lists
// the new table's directory before writing and fails with PATH_NOT_FOUND when it is
// missing. Arbor does the same for `file:` locations only; object-store locations
// (s3a://, lakeFS) have no directories to create. Creation is best effort: a
// location arbord cannot create (another machine's path, no permission) is logged
// and the catalog write still succeeds. Arbor never removes directories.
#pragma once

#include <string>

namespace arbor::hms {

// The local path of a `file:` location ("file:/a", "file:///a"), or "" for any
// other scheme or an empty location.
std::string LocalPathOf(const std::string& location);

// Creates the directory of a `file:` location and its parents; other schemes are
// left alone. Never fails.
void EnsureLocalDirectory(const std::string& location);

}  // namespace arbor::hms

// HmsContext: what every HMS connection shares — the repository, the front
// end's options, the lock table — and nothing per-connection.
//
// The front end takes its settings as HmsOptions rather than arbord's
// configuration, so it can be embedded (tests, benchmarks) without the process
// shell, and so the dependency points one way: arbord → server/hms.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "server/auth/users.h"
#include "server/hms/lock_manager.h"
#include "versioning/location_mapper.h"
#include "versioning/repository.h"

namespace arbor::hms {

struct HmsOptions {
  std::string default_branch = "main";
  char ref_separator = '@';
  // Root of default database locations (Hive's metastore.warehouse.dir).
  std::string warehouse = "file:/tmp/arbor/warehouse";
  // Whether new databases, tables and partitions get their `file:` directories
  // (server/hms/local_dirs.h). Off where requests are untrusted test input (the
  // fuzz targets), which must not create directories wherever they name.
  bool create_local_directories = true;
};

struct HmsContext {
  Repository* repo = nullptr;
  HmsOptions options;
  LockManager* locks = nullptr;
  // lakeFS locations; disabled (identity) without lakeFS.
  LocationMapper locations;
  // Roles and proxy rights of authenticated users (docs/security.md). Null, or a
  // connection with no authenticated identity: no checks (authentication off).
  const auth::UserDirectory* users = nullptr;
  int64_t started_at_seconds = 0;
  std::atomic<int64_t> open_connections{0};
  std::atomic<int64_t> total_connections{0};
};

}  // namespace arbor::hms

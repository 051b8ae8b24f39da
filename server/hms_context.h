// HmsContext: what every HMS connection shares — the repository, the server's
// configuration, the lock table — and nothing per-connection.
#pragma once

#include <atomic>
#include <cstdint>

#include "server/config.h"
#include "server/location_mapper.h"
#include "server/lock_manager.h"
#include "server/metrics.h"
#include "versioning/repository.h"

namespace arbor::hms {

struct HmsContext {
  Repository* repo = nullptr;
  const ServerConfig* config = nullptr;
  LockManager* locks = nullptr;
  Metrics* metrics = nullptr;
  // lakeFS locations; disabled (identity) without lakeFS.
  LocationMapper locations;
  int64_t started_at_seconds = 0;
  std::atomic<int64_t> open_connections{0};
  std::atomic<int64_t> total_connections{0};
};

}  // namespace arbor::hms

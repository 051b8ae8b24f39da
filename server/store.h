// OpenStore: the KvStore arbord runs on, chosen by --store at start-up: the embedded
// RocksDB in --data-dir, or a PostgreSQL database that several instances share.
#pragma once

#include <memory>
#include <string>

#include "server/config.h"
#include "storage/kv_store.h"

namespace arbor {

Result<std::unique_ptr<KvStore>> OpenStore(const ServerConfig& config);

// Where the catalog lives, for logs: the data directory, or the URI without password.
std::string DescribeStore(const ServerConfig& config);

}  // namespace arbor

#include "server/store.h"

#include <filesystem>

#include <spdlog/spdlog.h>

#include "storage/disk_space_guard.h"
#include "storage/pg_kv_store.h"
#include "storage/rocks_kv_store.h"

namespace arbor {

Result<std::unique_ptr<KvStore>> OpenStore(const ServerConfig& config) {
  if (config.postgres_store()) {
    PgOptions o;
    o.conninfo = config.store;
    o.password = config.store_password;
    o.max_connections = config.store_pool_size;
    o.sync_writes = config.sync_writes;
    ARBOR_ASSIGN_OR_RETURN(std::unique_ptr<PgKvStore> pg, PgKvStore::Open(o));
    return std::unique_ptr<KvStore>(std::move(pg));
  }
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) {
    return Status::IOError("cannot create data directory " + config.data_dir + ": " + ec.message());
  }
  RocksOptions rocks;
  rocks.path = config.data_dir + "/rocksdb";
  rocks.sync_writes = config.sync_writes;
  rocks.disk_reserve_bytes = config.disk_reserve_bytes;
  ARBOR_ASSIGN_OR_RETURN(std::unique_ptr<RocksKvStore> kv, RocksKvStore::Open(rocks));
  if (kv->read_only()) {
    spdlog::error(
        "the data directory {} has no free space: serving reads only, every write "
        "fails until arbord is restarted with free space",
        config.data_dir);
  } else if (DiskSpaceGuard guard(rocks.path, config.disk_reserve_bytes); !guard.Check().ok()) {
    spdlog::warn("{}", guard.Check().message());
  }
  return std::unique_ptr<KvStore>(std::move(kv));
}

std::string DescribeStore(const ServerConfig& config) {
  if (config.postgres_store()) return RedactConninfo(config.store);
  return config.data_dir;
}

}  // namespace arbor

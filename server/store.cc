#include "server/store.h"

#include <filesystem>

#include <spdlog/spdlog.h>

#include "storage/disk_space_guard.h"
#include "storage/pg_kv_store.h"
#include "storage/rocks_kv_store.h"

namespace arbor {

namespace {

// Copies a backup (a RocksDB checkpoint made by `arbor backup`) to `store_dir`, which
// must not hold a store yet: a restore never overwrites a repository.
Status RestoreBackup(const std::string& backup, const std::string& store_dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(fs::path(backup) / "CURRENT", ec)) {
    return Status::InvalidArgument("--restore-from " + backup +
                                   " is not a backup (no RocksDB CURRENT file in it)");
  }
  if (fs::exists(store_dir, ec) && !fs::is_empty(store_dir, ec)) {
    return Status::AlreadyExists("--restore-from needs an empty data directory, but " + store_dir +
                                 " already holds a store");
  }
  // Copy into a temporary name and rename, so a crash mid-copy leaves no half store.
  std::string partial = store_dir + ".restoring";
  fs::remove_all(partial, ec);
  fs::copy(backup, partial, fs::copy_options::recursive, ec);
  if (ec) return Status::IOError("copying " + backup + " to " + partial + ": " + ec.message());
  fs::remove(store_dir, ec);  // an empty directory, if any
  fs::rename(partial, store_dir, ec);
  if (ec) return Status::IOError("renaming " + partial + " to " + store_dir + ": " + ec.message());
  spdlog::info("restored the backup in {} into {}", backup, store_dir);
  return Status::OK();
}

}  // namespace

Result<std::unique_ptr<KvStore>> OpenStore(const ServerConfig& config) {
  if (config.postgres_store()) {
    if (!config.restore_from.empty()) {
      return Status::InvalidArgument(
          "--restore-from restores a RocksDB backup into --data-dir; a PostgreSQL store is "
          "backed up and restored with PostgreSQL's own tools (docs/scale-out.md)");
    }
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
  if (!config.restore_from.empty())
    ARBOR_RETURN_IF_ERROR(RestoreBackup(config.restore_from, rocks.path));
  rocks.sync_writes = config.sync_writes;
  rocks.disk_reserve_bytes = config.disk_reserve_bytes;
  ARBOR_ASSIGN_OR_RETURN(std::unique_ptr<RocksKvStore> kv, RocksKvStore::Open(rocks));
  if (kv->read_only()) {
    spdlog::error(
        "the data directory {} has no free space: serving reads only, every write "
        "fails until arbord is restarted with free space",
        config.data_dir);
  } else if (Status space = DiskSpaceGuard(rocks.path, config.disk_reserve_bytes).Check();
             !space.ok()) {
    spdlog::warn("{}", space.message());
  }
  return std::unique_ptr<KvStore>(std::move(kv));
}

std::string DescribeStore(const ServerConfig& config) {
  if (config.postgres_store()) return RedactConninfo(config.store);
  return config.data_dir;
}

}  // namespace arbor

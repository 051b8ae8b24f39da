# Finds every third-party dependency from Debian's packages (deploy/install-deps.sh).
find_package(Threads REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(ZLIB REQUIRED)
find_package(Protobuf REQUIRED)
find_package(RocksDB REQUIRED CONFIG)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(GTest REQUIRED)
find_package(benchmark REQUIRED)

if(TARGET RocksDB::rocksdb-shared)
  set(ARBOR_ROCKSDB RocksDB::rocksdb-shared)
else()
  set(ARBOR_ROCKSDB RocksDB::rocksdb)
endif()

# libpq for the shared PostgreSQL store (storage/pg_kv_store).
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq)

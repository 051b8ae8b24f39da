// MetastoreClient: one attached catalog's provider, shared by the DuckDB
// catalog, its scans and the table functions. It serializes calls (a
// provider is single-threaded, see provider.h), applies the attach-time ref to
// namespace names, and logs calls when `debug` is set.
//
// Invariant: the provider is only reached through With(), under the mutex.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "clients/duckdb/metastore/provider.h"
#include "clients/duckdb/metastore/provider_config.h"

namespace arbor::metastore {

class MetastoreClient {
 public:
  MetastoreClient(ProviderConfig config, std::unique_ptr<MetastoreProvider> provider,
                  std::string description)
      : config_(std::move(config)),
        provider_(std::move(provider)),
        description_(std::move(description)) {}

  const ProviderConfig& config() const { return config_; }
  // ProviderRegistry::Describe of the configuration (secrets redacted).
  const std::string& description() const { return description_; }
  ProviderCapabilities capabilities() const { return provider_->capabilities(); }

  // Runs fn(provider) under the lock and returns what it returns; counts the
  // call and the time it took (waiting for the lock excluded).
  template <typename F>
  auto With(F&& fn) {
    std::lock_guard<std::mutex> lock(mu_);
    struct Timer {
      ListingCounters& c;
      std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
      ~Timer() {
        c.calls++;
        c.call_us += MicrosSince(start);
      }
    } timer{counters_};
    return fn(*provider_);
  }

  static int64_t MicrosSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                                 start)
        .count();
  }

  // The provider's name for a DuckDB schema: "sales" becomes "sales@<ref>"
  // when the catalog was attached with a ref and the provider has refs; a
  // schema that names its own ref ("sales@v1") is left alone.
  std::string NamespaceFor(const std::string& schema) const {
    if (config_.ref.empty() || !provider_->capabilities().refs) return schema;
    if (schema.find('@') != std::string::npos) return schema;
    return schema + "@" + config_.ref;
  }

  // Counters for metastore_describe() (and the benchmark): partition
  // listings, provider calls and the time they took, and the directories
  // scans listed for their files.
  struct ListingCounters {
    std::atomic<int64_t> listings{0};
    std::atomic<int64_t> partitions{0};
    std::atomic<int64_t> pushed_down{0};
    std::atomic<int64_t> calls{0};
    std::atomic<int64_t> call_us{0};
    std::atomic<int64_t> directories{0};
    std::atomic<int64_t> files{0};
    std::atomic<int64_t> directory_us{0};
  };
  ListingCounters& counters() { return counters_; }

 private:
  ListingCounters counters_;
  ProviderConfig config_;
  std::mutex mu_;
  std::unique_ptr<MetastoreProvider> provider_;
  std::string description_;
};

// A metastore location as DuckDB's file systems spell it: file:/x, file:///x
// -> /x; s3a:// and s3n:// -> s3://; anything else unchanged. Trailing
// slashes are dropped.
std::string DuckDbPath(const std::string& location);

}  // namespace arbor::metastore

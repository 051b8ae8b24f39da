// MetastoreClient: one attached catalog's provider, shared by the DuckDB
// catalog, its scans and the table functions. It serializes calls (a
// provider is single-threaded, see provider.h), applies the attach-time ref to
// namespace names, and logs calls when `debug` is set.
//
// Invariant: the provider is only reached through With(), under the mutex.
#pragma once

#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <map>
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

  // Table metadata kept across DuckDB transactions, in one of two ways:
  //  * config().table_cache > 0 (opt-in): CachedTable hands an entry out
  //    unchecked for that long, so a change made by another client to a
  //    table's schema, location or parameters is not seen meanwhile;
  //  * otherwise, where the provider pipelines and config().pipeline (the
  //    default): LastTable hands out the last definition fetched, for a
  //    query to bind at once while the metastore's current one is fetched
  //    ahead (SendGetTable) and compared before the query runs
  //    (TableValidation in the extension), so nothing stale is ever read.
  // Partitions are always listed afresh. Every write through this client and
  // every versioning function call forget all entries (ForgetTables); an
  // entry fetched before a ForgetTables is not kept (the generation check),
  // so this client's own writes are never hidden.
  std::shared_ptr<const Table> CachedTable(const std::string& ns, const std::string& name) {
    if (config_.table_cache.count() <= 0) return nullptr;
    std::lock_guard<std::mutex> lock(cache_mu_);
    auto it = tables_.find(CacheKey(ns, name));
    if (it == tables_.end()) return nullptr;
    if (std::chrono::steady_clock::now() - it->second.fetched >= config_.table_cache) {
      tables_.erase(it);
      return nullptr;
    }
    counters_.table_cache_hits++;
    return it->second.table;
  }
  bool ValidatesAhead() const {
    return config_.table_cache.count() <= 0 && config_.pipeline && capabilities().pipelining;
  }
  std::shared_ptr<const Table> LastTable(const std::string& ns, const std::string& name) {
    if (!ValidatesAhead()) return nullptr;
    std::lock_guard<std::mutex> lock(cache_mu_);
    auto it = tables_.find(CacheKey(ns, name));
    return it == tables_.end() ? nullptr : it->second.table;
  }
  // The generation to pass to RememberTable: taken before fetching.
  uint64_t TableGeneration() {
    std::lock_guard<std::mutex> lock(cache_mu_);
    return generation_;
  }
  void RememberTable(const std::string& ns, const std::string& name,
                     std::shared_ptr<const Table> table, uint64_t generation) {
    if (config_.table_cache.count() <= 0 && !ValidatesAhead()) return;
    std::lock_guard<std::mutex> lock(cache_mu_);
    if (generation != generation_) return;
    if (tables_.size() >= kMaxTables) {
      // The definition fetched longest ago goes: a linear pass, only when full.
      auto oldest = tables_.begin();
      for (auto it = tables_.begin(); it != tables_.end(); ++it) {
        if (it->second.fetched < oldest->second.fetched) oldest = it;
      }
      tables_.erase(oldest);
    }
    tables_[CacheKey(ns, name)] = {std::chrono::steady_clock::now(), std::move(table)};
  }
  void ForgetTable(const std::string& ns, const std::string& name) {
    std::lock_guard<std::mutex> lock(cache_mu_);
    tables_.erase(CacheKey(ns, name));
  }
  void ForgetTables() {
    std::lock_guard<std::mutex> lock(cache_mu_);
    generation_++;
    tables_.clear();
  }

  // GetTable(ns, name) sent ahead (MetastoreProvider::SendGetTable); nullptr
  // when it could not be sent (the caller asks the usual way).
  std::shared_ptr<PendingTable> SendGetTable(const std::string& ns, const std::string& name) {
    auto pending = std::make_shared<PendingTable>();
    pending->namespace_name = ns;
    pending->table = name;
    Status st = With([&](MetastoreProvider& p) { return p.SendGetTable(pending); });
    if (!st.ok()) return nullptr;
    counters_.validated_ahead++;
    return pending;
  }
  // Its answer, read now unless a call since has read it (answers are
  // written under the provider's lock, so they are read under it too).
  Result<Table> AnswerOf(PendingTable& pending) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (pending.answer) return *pending.answer;
    }
    return With([&](MetastoreProvider& p) -> Result<Table> {
      p.ReadAhead();
      if (!pending.answer) return Status::Internal("an answer sent ahead was never read");
      return *pending.answer;
    });
  }

  // With() for a call that changes the metastore: the table cache is
  // forgotten once it returned.
  template <typename F>
  auto Write(F&& fn) {
    auto result = With(std::forward<F>(fn));
    ForgetTables();
    return result;
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
    std::atomic<int64_t> table_cache_hits{0};
    std::atomic<int64_t> validated_ahead{0};  // definitions bound at once, checked ahead
    std::atomic<int64_t> rebinds{0};          // ... that had changed: the query was bound again
  };
  ListingCounters& counters() { return counters_; }

 private:
  static std::string CacheKey(const std::string& ns, const std::string& name) {
    std::string key = ns + '\x1f' + name;
    for (char& c : key)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return key;
  }
  struct CachedEntry {
    std::chrono::steady_clock::time_point fetched;
    std::shared_ptr<const Table> table;
  };

  static constexpr size_t kMaxTables = 4096;

  ListingCounters counters_;
  std::mutex cache_mu_;
  uint64_t generation_ = 0;
  std::map<std::string, CachedEntry> tables_;
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

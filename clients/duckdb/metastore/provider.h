// MetastoreProvider: the one interface between the DuckDB catalog layer and a
// metastore service (Hive Thrift HMS, Glue, Dataproc). The DuckDB layer only
// ever talks to this interface; a provider never sees a DuckDB type.
//
// Contract:
//  * Every call returns a Status/Result; a provider never throws. Codes the
//    catalog layer relies on: NotFound (unknown namespace/table: DuckDB's
//    "does not exist" error), AlreadyExists, ReadOnly (a write to a tag or a
//    read-only ref), Unavailable (the service cannot be reached: the message
//    names the endpoint), InvalidArgument (the request was refused as
//    malformed, e.g. a filter the server does not support).
//  * Namespace names are passed through verbatim (a ref suffix "sales@dev" is
//    the provider's business).
//  * ListPartitions returns exactly the partitions that match `predicate`
//    (PartitionPredicate::Matches), however the provider gets there: pushed
//    down, or listed wider and pruned locally; `pushed_down` in the answer
//    says which, for debugging and the benchmark.
//  * A provider object is used by one thread at a time (the catalog layer
//    serializes calls); it may hold one connection and reconnect on failure.
//  * Writes a provider does not support return NotSupported-style
//    InvalidArgument naming the provider (capabilities() announces them).
//  * A provider that pipelines (capabilities().pipelining) sends a GetTable
//    ahead (SendGetTable) without waiting; its answer is read into the
//    PendingTable by the provider's next call, after that call has sent its
//    own request (so both share one round trip), or by ReadAhead. Every call
//    returns with no answer left unread; a broken connection fails them.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "clients/duckdb/metastore/model.h"
#include "clients/duckdb/metastore/partition_predicate.h"

namespace arbor::metastore {

struct ProviderCapabilities {
  bool writes = false;                     // CreateTable, DropTable, AddPartitions, AlterTable
  bool partition_filter_pushdown = false;  // ListPartitions evaluates predicates server-side
  bool refs = false;                       // namespace names may carry a ref ("db@branch")
  bool pipelining = false;                 // SendGetTable, ReadAhead
};

// A GetTable sent ahead of reading its answer.
struct PendingTable {
  std::string namespace_name;
  std::string table;
  std::optional<Result<Table>> answer;  // set once read, as GetTable would return it
};

struct PartitionListing {
  std::vector<Partition> partitions;
  bool pushed_down = false;  // the server evaluated the predicate
  std::string note;          // why it was not pushed down, when it was not
};

class MetastoreProvider {
 public:
  virtual ~MetastoreProvider() = default;

  // The registry name ("hive").
  virtual std::string_view name() const = 0;
  virtual ProviderCapabilities capabilities() const = 0;

  // ---- reads ----
  virtual Result<std::vector<std::string>> ListNamespaces() = 0;
  virtual Result<Namespace> GetNamespace(const std::string& name) = 0;
  virtual Result<std::vector<std::string>> ListTables(const std::string& namespace_name) = 0;
  virtual Result<Table> GetTable(const std::string& namespace_name, const std::string& table) = 0;
  // Partitions of `table` (as GetTable returned it) matching `predicate`
  // (nullptr or empty: all).
  virtual Result<PartitionListing> ListPartitions(const Table& table,
                                                  const PartitionPredicate* predicate) = 0;
  // Sends GetTable(pending->namespace_name, pending->table) without reading
  // the answer (see the contract above). Not OK: nothing was sent ahead.
  virtual Status SendGetTable(std::shared_ptr<PendingTable> pending) {
    return Status::InvalidArgument(std::string("metastore provider '") + std::string(name()) +
                                   "' does not pipeline calls");
  }
  // Reads every answer sent ahead and not read yet.
  virtual void ReadAhead() {}
  // Table-level statistics (also in Table::statistics; this call may be
  // fresher or cheaper, e.g. without the full table).
  virtual Result<Statistics> GetStatistics(const std::string& namespace_name,
                                           const std::string& table) = 0;

  // ---- writes ----
  virtual Status CreateNamespace(const Namespace& ns) = 0;
  virtual Status DropNamespace(const std::string& name, bool cascade) = 0;
  // An empty storage.location lets the metastore choose (under the namespace).
  virtual Status CreateTable(const Table& table) = 0;
  virtual Status DropTable(const std::string& namespace_name, const std::string& table) = 0;
  // Replaces the table's definition (used to update properties and statistics).
  virtual Status AlterTable(const Table& table) = 0;
  // Registers partitions (storage.location set by the caller); partitions that
  // already exist are left as they are.
  virtual Status AddPartitions(const Table& table, const std::vector<Partition>& partitions) = 0;
};

}  // namespace arbor::metastore

// HmsHandler: one Thrift connection's view of Arbor as a Hive Metastore.
//
// The processor factory makes one handler per connection, so the handler is the
// session: the user from set_ugi, and the ref chosen with
// setMetaConf("arbor.ref", ...). Everything shared (repository, configuration,
// locks) sits in HmsContext.
//
// Each method parses its database argument (db, db@ref, @cat#db@ref), reads
// through one ReadView of the resolved ref, or writes through Repository::Mutate
// on a branch, and maps failures with Raise<E>, E being the exceptions the
// method declares, taken from the generated code (ARBOR_HMS_THROWS,
// hms_errors.h), so clients see the exception types Hive would send. A request
// resolves its ref once: replies render locations from the view they read or
// wrote through. The methods are spread over hms_*.cc files by subject; this
// header is their one declaration. The generated types are named hive::X here;
// the .cc files bring in the ones they use with using-declarations.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "ThriftHiveMetastore.h"
#include "server/auth/identity.h"
#include "server/hms/db_name.h"
#include "server/hms/hms_context.h"
#include "server/hms/hms_errors.h"
#include "server/hms/hms_locations.h"
#include "server/hms/local_dirs.h"
#include "server/hms/partition_wire.h"
#include "versioning/catalog.h"

namespace arbor::hms {

// Thrown by a listing of a session with a listing budget (SetListingBudget)
// whose candidates exceed the budget, or cannot be counted without the scan:
// before the listing has written anything, so that the caller can serve the
// call where no budget applies. Not a std::exception, so that nothing which
// turns errors into replies catches it.
struct ListingOverBudget {};

class HmsHandler final : public hive::ThriftHiveMetastoreIf {
 public:
  // `identity` is what the transport authenticated for this connection (none
  // when authentication is off).
  explicit HmsHandler(HmsContext* context, std::string peer = {}, auth::Identity identity = {});
  ~HmsHandler() override;

  // Partition listings read at most `candidates` keys (0: no bound), or throw
  // ListingOverBudget before starting; the listener's event loop sets one
  // while it serves a listing itself.
  void SetListingBudget(uint64_t candidates) { listing_budget_ = candidates; }

  // --- fb303 (hms_session.cc)
  void getName(std::string& _return) override;
  void getVersion(std::string& _return) override;
  facebook::fb303::fb_status::type getStatus() override;
  void getStatusDetails(std::string& _return) override;
  void getCounters(std::map<std::string, int64_t>& _return) override;
  int64_t getCounter(const std::string& key) override;
  void setOption(const std::string& key, const std::string& value) override;
  void getOption(std::string& _return, const std::string& key) override;
  void getOptions(std::map<std::string, std::string>& _return) override;
  void getCpuProfile(std::string& _return, const int32_t profileDurationInSec) override;
  int64_t aliveSince() override;
  void reinitialize() override;
  void shutdown() override;

  // --- Session, configuration and catalogs (hms_session.cc)
  void set_ugi(std::vector<std::string>& _return, const std::string& user_name,
               const std::vector<std::string>& group_names) override;
  void getMetaConf(std::string& _return, const std::string& key) override;
  void setMetaConf(const std::string& key, const std::string& value) override;
  void get_config_value(std::string& _return, const std::string& name,
                        const std::string& defaultValue) override;
  void get_catalog(hive::GetCatalogResponse& _return,
                   const hive::GetCatalogRequest& catName) override;
  void get_catalogs(hive::GetCatalogsResponse& _return) override;

  // --- Databases (hms_databases.cc)
  void get_database(hive::Database& _return, const std::string& name) override;
  void get_database_req(hive::Database& _return, const hive::GetDatabaseRequest& request) override;
  void get_databases(std::vector<std::string>& _return, const std::string& pattern) override;
  void get_databases_req(hive::GetDatabaseObjectsResponse& _return,
                         const hive::GetDatabaseObjectsRequest& request) override;
  void get_all_databases(std::vector<std::string>& _return) override;
  void create_database(const hive::Database& database) override;
  void create_database_req(const hive::CreateDatabaseRequest& createDatabaseRequest) override;
  void drop_database(const std::string& name, const bool deleteData, const bool cascade) override;
  void drop_database_req(hive::AsyncOperationResp& _return,
                         const hive::DropDatabaseRequest& req) override;
  void alter_database(const std::string& dbname, const hive::Database& db) override;
  void alter_database_req(const hive::AlterDatabaseRequest& alterDbReq) override;

  // --- Tables (hms_tables.cc)
  void get_table(hive::Table& _return, const std::string& dbname,
                 const std::string& tbl_name) override;
  void get_table_req(hive::GetTableResult& _return, const hive::GetTableRequest& req) override;
  void get_table_objects_by_name(std::vector<hive::Table>& _return, const std::string& dbname,
                                 const std::vector<std::string>& tbl_names) override;
  void get_table_objects_by_name_req(hive::GetTablesResult& _return,
                                     const hive::GetTablesRequest& req) override;
  void get_tables(std::vector<std::string>& _return, const std::string& db_name,
                  const std::string& pattern) override;
  void get_tables_by_type(std::vector<std::string>& _return, const std::string& db_name,
                          const std::string& pattern, const std::string& tableType) override;
  void get_all_tables(std::vector<std::string>& _return, const std::string& db_name) override;
  void get_table_meta(std::vector<hive::TableMeta>& _return, const std::string& db_patterns,
                      const std::string& tbl_patterns,
                      const std::vector<std::string>& tbl_types) override;
  void get_table_names_by_filter(std::vector<std::string>& _return, const std::string& dbname,
                                 const std::string& filter, const int16_t max_tables) override;
  void get_fields(std::vector<hive::FieldSchema>& _return, const std::string& db_name,
                  const std::string& table_name) override;
  void get_fields_with_environment_context(
      std::vector<hive::FieldSchema>& _return, const std::string& db_name,
      const std::string& table_name, const hive::EnvironmentContext& environment_context) override;
  void get_schema(std::vector<hive::FieldSchema>& _return, const std::string& db_name,
                  const std::string& table_name) override;
  void get_schema_with_environment_context(
      std::vector<hive::FieldSchema>& _return, const std::string& db_name,
      const std::string& table_name, const hive::EnvironmentContext& environment_context) override;
  void create_table(const hive::Table& tbl) override;
  void create_table_with_environment_context(
      const hive::Table& tbl, const hive::EnvironmentContext& environment_context) override;
  void create_table_req(const hive::CreateTableRequest& request) override;
  void drop_table(const std::string& dbname, const std::string& name,
                  const bool deleteData) override;
  void drop_table_with_environment_context(
      const std::string& dbname, const std::string& name, const bool deleteData,
      const hive::EnvironmentContext& environment_context) override;
  void drop_table_req(hive::AsyncOperationResp& _return,
                      const hive::DropTableRequest& dropTableReq) override;
  void alter_table(const std::string& dbname, const std::string& tbl_name,
                   const hive::Table& new_tbl) override;
  void alter_table_with_environment_context(
      const std::string& dbname, const std::string& tbl_name, const hive::Table& new_tbl,
      const hive::EnvironmentContext& environment_context) override;
  void alter_table_with_cascade(const std::string& dbname, const std::string& tbl_name,
                                const hive::Table& new_tbl, const bool cascade) override;
  void alter_table_req(hive::AlterTableResponse& _return,
                       const hive::AlterTableRequest& req) override;

  // --- Locks (hms_locks.cc)
  void lock(hive::LockResponse& _return, const hive::LockRequest& rqst) override;
  void check_lock(hive::LockResponse& _return, const hive::CheckLockRequest& rqst) override;
  void unlock(const hive::UnlockRequest& rqst) override;
  void heartbeat(const hive::HeartbeatRequest& ids) override;
  void show_locks(hive::ShowLocksResponse& _return, const hive::ShowLocksRequest& rqst) override;

  // --- Partitions (hms_partitions.cc)
  void add_partition(hive::Partition& _return, const hive::Partition& new_part) override;
  void add_partition_with_environment_context(
      hive::Partition& _return, const hive::Partition& new_part,
      const hive::EnvironmentContext& environment_context) override;
  int32_t add_partitions(const std::vector<hive::Partition>& new_parts) override;
  int32_t add_partitions_pspec(const std::vector<hive::PartitionSpec>& new_parts) override;
  void add_partitions_req(hive::AddPartitionsResult& _return,
                          const hive::AddPartitionsRequest& request) override;
  void append_partition(hive::Partition& _return, const std::string& db_name,
                        const std::string& tbl_name,
                        const std::vector<std::string>& part_vals) override;
  void append_partition_with_environment_context(
      hive::Partition& _return, const std::string& db_name, const std::string& tbl_name,
      const std::vector<std::string>& part_vals,
      const hive::EnvironmentContext& environment_context) override;
  void append_partition_by_name(hive::Partition& _return, const std::string& db_name,
                                const std::string& tbl_name, const std::string& part_name) override;
  void append_partition_by_name_with_environment_context(
      hive::Partition& _return, const std::string& db_name, const std::string& tbl_name,
      const std::string& part_name, const hive::EnvironmentContext& environment_context) override;
  void append_partition_req(hive::Partition& _return,
                            const hive::AppendPartitionsRequest& appendPartitionsReq) override;
  void alter_partition(const std::string& db_name, const std::string& tbl_name,
                       const hive::Partition& new_part) override;
  void alter_partition_with_environment_context(
      const std::string& db_name, const std::string& tbl_name, const hive::Partition& new_part,
      const hive::EnvironmentContext& environment_context) override;
  void alter_partitions(const std::string& db_name, const std::string& tbl_name,
                        const std::vector<hive::Partition>& new_parts) override;
  void alter_partitions_with_environment_context(
      const std::string& db_name, const std::string& tbl_name,
      const std::vector<hive::Partition>& new_parts,
      const hive::EnvironmentContext& environment_context) override;
  void alter_partitions_req(hive::AlterPartitionsResponse& _return,
                            const hive::AlterPartitionsRequest& req) override;
  void rename_partition(const std::string& db_name, const std::string& tbl_name,
                        const std::vector<std::string>& part_vals,
                        const hive::Partition& new_part) override;
  void rename_partition_req(hive::RenamePartitionResponse& _return,
                            const hive::RenamePartitionRequest& req) override;
  bool drop_partition(const std::string& db_name, const std::string& tbl_name,
                      const std::vector<std::string>& part_vals, const bool deleteData) override;
  bool drop_partition_by_name(const std::string& db_name, const std::string& tbl_name,
                              const std::string& part_name, const bool deleteData) override;
  bool drop_partition_with_environment_context(
      const std::string& db_name, const std::string& tbl_name,
      const std::vector<std::string>& part_vals, const bool deleteData,
      const hive::EnvironmentContext& environment_context) override;
  bool drop_partition_by_name_with_environment_context(
      const std::string& db_name, const std::string& tbl_name, const std::string& part_name,
      const bool deleteData, const hive::EnvironmentContext& environment_context) override;
  bool drop_partition_req(const hive::DropPartitionRequest& dropPartitionReq) override;
  void drop_partitions_req(hive::DropPartitionsResult& _return,
                           const hive::DropPartitionsRequest& req) override;
  void get_partition(hive::Partition& _return, const std::string& db_name,
                     const std::string& tbl_name,
                     const std::vector<std::string>& part_vals) override;
  void get_partition_with_auth(hive::Partition& _return, const std::string& db_name,
                               const std::string& tbl_name,
                               const std::vector<std::string>& part_vals,
                               const std::string& user_name,
                               const std::vector<std::string>& group_names) override;
  void get_partition_by_name(hive::Partition& _return, const std::string& db_name,
                             const std::string& tbl_name, const std::string& part_name) override;
  void get_partition_req(hive::GetPartitionResponse& _return,
                         const hive::GetPartitionRequest& req) override;
  void get_partitions(std::vector<hive::Partition>& _return, const std::string& db_name,
                      const std::string& tbl_name, const int16_t max_parts) override;
  void get_partitions_with_auth(std::vector<hive::Partition>& _return, const std::string& db_name,
                                const std::string& tbl_name, const int16_t max_parts,
                                const std::string& user_name,
                                const std::vector<std::string>& group_names) override;
  void get_partitions_req(hive::PartitionsResponse& _return,
                          const hive::PartitionsRequest& req) override;
  void get_partitions_ps(std::vector<hive::Partition>& _return, const std::string& db_name,
                         const std::string& tbl_name, const std::vector<std::string>& part_vals,
                         const int16_t max_parts) override;
  void get_partitions_ps_with_auth(std::vector<hive::Partition>& _return,
                                   const std::string& db_name, const std::string& tbl_name,
                                   const std::vector<std::string>& part_vals,
                                   const int16_t max_parts, const std::string& user_name,
                                   const std::vector<std::string>& group_names) override;
  void get_partitions_ps_with_auth_req(hive::GetPartitionsPsWithAuthResponse& _return,
                                       const hive::GetPartitionsPsWithAuthRequest& req) override;
  void get_partition_names(std::vector<std::string>& _return, const std::string& db_name,
                           const std::string& tbl_name, const int16_t max_parts) override;
  void get_partition_names_ps(std::vector<std::string>& _return, const std::string& db_name,
                              const std::string& tbl_name,
                              const std::vector<std::string>& part_vals,
                              const int16_t max_parts) override;
  void get_partition_names_ps_req(hive::GetPartitionNamesPsResponse& _return,
                                  const hive::GetPartitionNamesPsRequest& req) override;
  void fetch_partition_names_req(std::vector<std::string>& _return,
                                 const hive::PartitionsRequest& partitionReq) override;
  void get_partitions_by_names(std::vector<hive::Partition>& _return, const std::string& db_name,
                               const std::string& tbl_name,
                               const std::vector<std::string>& names) override;
  void get_partitions_by_names_req(hive::GetPartitionsByNamesResult& _return,
                                   const hive::GetPartitionsByNamesRequest& req) override;
  void get_partitions_by_filter(std::vector<hive::Partition>& _return, const std::string& db_name,
                                const std::string& tbl_name, const std::string& filter,
                                const int16_t max_parts) override;
  void get_partitions_by_filter_req(std::vector<hive::Partition>& _return,
                                    const hive::GetPartitionsByFilterRequest& req) override;
  int32_t get_num_partitions_by_filter(const std::string& db_name, const std::string& tbl_name,
                                       const std::string& filter) override;
  void get_partitions_by_expr(hive::PartitionsByExprResult& _return,
                              const hive::PartitionsByExprRequest& req) override;
  void get_partitions_spec_by_expr(hive::PartitionsSpecByExprResult& _return,
                                   const hive::PartitionsByExprRequest& req) override;
  void get_partitions_pspec(std::vector<hive::PartitionSpec>& _return, const std::string& db_name,
                            const std::string& tbl_name, int32_t max_parts) override;
  void get_part_specs_by_filter(std::vector<hive::PartitionSpec>& _return,
                                const std::string& db_name, const std::string& tbl_name,
                                const std::string& filter, int32_t max_parts) override;
  void get_partition_values(hive::PartitionValuesResponse& _return,
                            const hive::PartitionValuesRequest& request) override;
  void partition_name_to_vals(std::vector<std::string>& _return,
                              const std::string& part_name) override;
  void partition_name_to_spec(std::map<std::string, std::string>& _return,
                              const std::string& part_name) override;

  // --- Column statistics (hms_statistics.cc)
  void get_table_column_statistics(hive::ColumnStatistics& _return, const std::string& db_name,
                                   const std::string& tbl_name,
                                   const std::string& col_name) override;
  void get_partition_column_statistics(hive::ColumnStatistics& _return, const std::string& db_name,
                                       const std::string& tbl_name, const std::string& part_name,
                                       const std::string& col_name) override;
  void get_table_statistics_req(hive::TableStatsResult& _return,
                                const hive::TableStatsRequest& request) override;
  void get_partitions_statistics_req(hive::PartitionsStatsResult& _return,
                                     const hive::PartitionsStatsRequest& request) override;
  void get_aggr_stats_for(hive::AggrStats& _return,
                          const hive::PartitionsStatsRequest& request) override;
  bool update_table_column_statistics(const hive::ColumnStatistics& stats_obj) override;
  bool update_partition_column_statistics(const hive::ColumnStatistics& stats_obj) override;
  void update_table_column_statistics_req(hive::SetPartitionsStatsResponse& _return,
                                          const hive::SetPartitionsStatsRequest& req) override;
  void update_partition_column_statistics_req(hive::SetPartitionsStatsResponse& _return,
                                              const hive::SetPartitionsStatsRequest& req) override;
  bool set_aggr_stats_for(const hive::SetPartitionsStatsRequest& request) override;
  bool delete_partition_column_statistics(const std::string& db_name, const std::string& tbl_name,
                                          const std::string& part_name, const std::string& col_name,
                                          const std::string& engine) override;
  bool delete_table_column_statistics(const std::string& db_name, const std::string& tbl_name,
                                      const std::string& col_name,
                                      const std::string& engine) override;
  bool delete_column_statistics_req(const hive::DeleteColumnStatisticsRequest& req) override;

  // --- Functions (hms_functions.cc)
  void create_function(const hive::Function& func) override;
  void drop_function(const std::string& dbName, const std::string& funcName) override;
  void alter_function(const std::string& dbName, const std::string& funcName,
                      const hive::Function& newFunc) override;
  void get_function(hive::Function& _return, const std::string& dbName,
                    const std::string& funcName) override;
  void get_functions(std::vector<std::string>& _return, const std::string& dbName,
                     const std::string& pattern) override;
  void get_all_functions(hive::GetAllFunctionsResponse& _return) override;

  // --- Constraints and notifications (hms_misc.cc)
  void get_primary_keys(hive::PrimaryKeysResponse& _return,
                        const hive::PrimaryKeysRequest& request) override;
  void get_foreign_keys(hive::ForeignKeysResponse& _return,
                        const hive::ForeignKeysRequest& request) override;
  void get_unique_constraints(hive::UniqueConstraintsResponse& _return,
                              const hive::UniqueConstraintsRequest& request) override;
  void get_not_null_constraints(hive::NotNullConstraintsResponse& _return,
                                const hive::NotNullConstraintsRequest& request) override;
  void get_default_constraints(hive::DefaultConstraintsResponse& _return,
                               const hive::DefaultConstraintsRequest& request) override;
  void get_check_constraints(hive::CheckConstraintsResponse& _return,
                             const hive::CheckConstraintsRequest& request) override;
  void get_all_table_constraints(hive::AllTableConstraintsResponse& _return,
                                 const hive::AllTableConstraintsRequest& request) override;
  void get_current_notificationEventId(hive::CurrentNotificationEventId& _return) override;
  void get_next_notification(hive::NotificationEventResponse& _return,
                             const hive::NotificationEventRequest& rqst) override;

  // --- Hive 4 request forms (hms_hive4.cc)
  void get_fields_req(hive::GetFieldsResponse& _return, const hive::GetFieldsRequest& req) override;
  void get_schema_req(hive::GetSchemaResponse& _return, const hive::GetSchemaRequest& req) override;
  void get_tables_ext(std::vector<hive::ExtendedTableInfo>& _return,
                      const hive::GetTablesExtRequest& req) override;
  void create_table_with_constraints(
      const hive::Table& tbl, const std::vector<hive::SQLPrimaryKey>& primaryKeys,
      const std::vector<hive::SQLForeignKey>& foreignKeys,
      const std::vector<hive::SQLUniqueConstraint>& uniqueConstraints,
      const std::vector<hive::SQLNotNullConstraint>& notNullConstraints,
      const std::vector<hive::SQLDefaultConstraint>& defaultConstraints,
      const std::vector<hive::SQLCheckConstraint>& checkConstraints) override;
  void get_partition_names_req(std::vector<std::string>& _return,
                               const hive::PartitionsByExprRequest& req) override;
  void get_partitions_with_specs(hive::GetPartitionsResponse& _return,
                                 const hive::GetPartitionsRequest& req) override;

  // --- Streamed partition listings (hms_partitions.cc; HmsProcessor serves them)
  //
  // The listings that can return a whole table, with each partition handed to
  // `emit` as it is converted instead of collected into a vector. The object
  // `emit` gets is reused for the next partition: it keeps copies only. Each
  // raises what the _req method of its name declares (the legacy forms
  // delegate to it, and declare the same types); the non-streamed methods are
  // these with an emitter that collects, so both forms answer alike.
  //
  // An emitter may also ask for the count: a listing that can know exactly how
  // many partitions it will hand over (no filter to evaluate, no privileges to
  // read per partition) tells it through Expect before the first one, after
  // every check that can fail short of a storage error, so a processor can
  // begin the reply then and send it while the rest is converted.
  //
  // An emitter may also take partitions as stored (the serialized
  // catalog::Partition and how this request presents it, partition_wire.h):
  // a listing that presents partitions unchanged (no privileges attached, no
  // statistics) hands it each partition that way, and falls back to the
  // object form for a partition it declines (returns false).
  class PartitionEmitter {
   public:
    using Emit = std::function<void(const hive::Partition&)>;
    using Count = std::function<void(uint64_t)>;
    using EmitStored =
        std::function<bool(std::string_view stored, const PartitionPresentation& how)>;
    template <class F>
      requires(!std::is_same_v<std::remove_cvref_t<F>, PartitionEmitter> &&
               std::is_invocable_v<const F&, const hive::Partition&>)
    PartitionEmitter(F emit) : emit_(std::move(emit)) {}  // NOLINT: any callable emits
    PartitionEmitter(Emit emit, Count expect, EmitStored stored = nullptr)
        : emit_(std::move(emit)), expect_(std::move(expect)), stored_(std::move(stored)) {}

    void operator()(const hive::Partition& p) const { emit_(p); }
    bool wants_count() const { return static_cast<bool>(expect_); }
    void Expect(uint64_t n) const {
      if (expect_) expect_(n);
    }
    bool takes_stored() const { return static_cast<bool>(stored_); }
    bool Stored(std::string_view stored, const PartitionPresentation& how) const {
      return stored_(stored, how);
    }

   private:
    Emit emit_;
    Count expect_;
    EmitStored stored_;
  };
  // The names listings' counterpart: each name as it is read (valid during the
  // call), the count first when the emitter asks and the listing can know it.
  class NameEmitter {
   public:
    using Emit = std::function<void(std::string_view)>;
    using Count = std::function<void(uint64_t)>;
    explicit NameEmitter(Emit emit, Count expect = nullptr)
        : emit_(std::move(emit)), expect_(std::move(expect)) {}

    void operator()(std::string_view name) const { emit_(name); }
    bool wants_count() const { return static_cast<bool>(expect_); }
    void Expect(uint64_t n) const {
      if (expect_) expect_(n);
    }

   private:
    Emit emit_;
    Count expect_;
  };
  // fetch_partition_names_req (and get_partition_names), and
  // get_partition_names_ps_req (and get_partition_names_ps), streamed.
  void stream_partition_names_req(const hive::PartitionsRequest& req, const NameEmitter& emit);
  void stream_partition_names_ps_req(const hive::GetPartitionNamesPsRequest& req,
                                     const NameEmitter& emit);
  static hive::GetPartitionNamesPsRequest PartitionNamesPsReq(
      const std::string& db_name, const std::string& tbl_name,
      const std::vector<std::string>& part_vals, int16_t max_parts);
  void stream_partitions_req(const hive::PartitionsRequest& req, const PartitionEmitter& emit);
  void stream_partitions_ps_with_auth_req(const hive::GetPartitionsPsWithAuthRequest& req,
                                          const PartitionEmitter& emit);
  void stream_partitions_by_names_req(const hive::GetPartitionsByNamesRequest& req,
                                      const PartitionEmitter& emit);
  void stream_partitions_by_filter_req(const hive::GetPartitionsByFilterRequest& req,
                                       const PartitionEmitter& emit);
  // The request a legacy form's arguments make.
  static hive::PartitionsRequest PartitionsReq(const std::string& db_name,
                                               const std::string& tbl_name, int16_t max_parts);
  static hive::GetPartitionsPsWithAuthRequest PartitionsPsReq(
      const std::string& db_name, const std::string& tbl_name,
      const std::vector<std::string>& part_vals, int16_t max_parts);
  static hive::GetPartitionsPsWithAuthRequest PartitionsWithAuthReq(
      const std::string& db_name, const std::string& tbl_name,
      const std::vector<std::string>& part_vals, int16_t max_parts, const std::string& user_name,
      const std::vector<std::string>& group_names);
  static hive::GetPartitionsByNamesRequest PartitionsByNamesReq(
      const std::string& db_name, const std::string& tbl_name,
      const std::vector<std::string>& names);
  static hive::GetPartitionsByFilterRequest PartitionsByFilterReq(const std::string& db_name,
                                                                  const std::string& tbl_name,
                                                                  const std::string& filter,
                                                                  int16_t max_parts);

 private:
  uint64_t listing_budget_ = 0;

  // add_partitions_req of `parts` (req.parts is not read, so callers holding the
  // partitions elsewhere need not copy them); `same_spelling` false for partition
  // specs (hms_partitions.cc).
  void AddPartitions(hive::AddPartitionsResult& _return, const hive::AddPartitionsRequest& req,
                     const std::vector<hive::Partition>& parts, bool same_spelling);
  // The ref a database argument addresses: its own, else the session's, else the
  // server's default branch.
  std::string RefOf(const DbName& name) const;
  // A database name as listings show it: with the ref the pattern named, if any.
  std::string EchoName(const std::string& db, const std::string& ref) const;

  // Renders locations for the data version `view` reads (lakeFS); a no-op
  // renderer without lakeFS. Built from the request's own view, never by
  // resolving the ref again, so locations and entities come from one state.
  Result<LocationRenderer> RendererOf(const ReadView& view) const {
    return RendererFor(context_->repo, &context_->locations, view);
  }
  template <typename L>
  LocationRenderer Render(const ReadView& view) const {
    return Check<L>(RendererOf(view));
  }
  const LocationMapper& locations() const { return context_->locations; }
  // The directory of a new object's `file:` location, unless the options say not to.
  void MakeLocalDirectory(const std::string& location) const {
    if (context_->options.create_local_directories) EnsureLocalDirectory(location);
  }

  // get_table/partition_column_statistics (hms_statistics.cc); part_name null: table.
  hive::ColumnStatistics LegacyColumnStatistics(const std::string& db_name,
                                                const std::string& tbl_name,
                                                const std::string* part_name,
                                                const std::string& col_name);

  // With an authenticated identity: OK if the session's user holds `need`, else
  // a denial (auth::RequireRole), logged. Without one (authentication off): OK.
  Status Authorize(auth::Role need, std::string_view what) const;
  // The user whose locks this session may heartbeat and release: empty (any
  // lock) without authentication or for an admin.
  std::string LockOwner() const;

  // Parses a database argument; malformed names raise through L (Throws<...>,
  // normally the calling method's ARBOR_HMS_THROWS).
  template <typename L>
  DbName Parse(const std::string& text) const {
    return Check<L>(ParseDbName(text, context_->options.ref_separator));
  }

  // A consistent view of the ref `name` addresses.
  template <typename L>
  ReadView View(const DbName& name) const {
    Check<L>(Authorize(auth::Role::kReader, "read the catalog"));
    return Check<L>(context_->repo->OpenView(RefOf(name)));
  }

  // Runs fn(txn) under the addressed branch's lock and stages (or auto-commits)
  // what it wrote. fn returns a Status; a failed one writes nothing. Replies that
  // show entities take their renderer from RendererOf(txn.view()) inside fn.
  template <typename L, typename Fn>
  MutationOutcome Write(const DbName& name, const std::string& what, Fn&& fn) {
    Check<L>(Authorize(auth::Role::kWriter, what));
    MutationOptions options;
    options.author = user_;
    options.message = what;
    auto outcome = context_->repo->Mutate(RefOf(name), options,
                                          [&](const ReadView& view) -> Result<std::vector<Edit>> {
                                            CatalogTxn txn(view);
                                            ARBOR_RETURN_IF_ERROR(fn(txn));
                                            return txn.TakeEdits();
                                          });
    return Check<L>(std::move(outcome));
  }

  HmsContext* context_;
  std::string peer_;
  auth::Identity identity_;
  std::string user_;
  std::vector<std::string> groups_;
  std::string session_ref_;                  // from setMetaConf("arbor.ref", ...)
  std::map<std::string, std::string> conf_;  // other setMetaConf values
};

}  // namespace arbor::hms

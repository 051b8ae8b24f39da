// Arbor's Hive Metastore interface definition.
//
// What is taken from Apache Hive's hive_metastore.thrift (newest 4.x IDL, plus
// the legacy methods that 4.x dropped): the service name and its base service,
// method names, argument ids and types, return types, exception types and the
// slot each exception occupies, struct/union/enum names, field ids, field names,
// field types and default values. Those are wire facts; changing any of them
// breaks real clients (Hive 2.3-4.x, Spark, Trino, Impala, Iceberg).
//
// What is ours: the selection (only the methods arbord serves; everything else
// is answered with Thrift's "Invalid method name"), the layout, the comments,
// and the requiredness. Requiredness follows three rules, described in
// thrift/README.md:
//   * a field Hive leaves at default requiredness is `optional` here, so the
//     C++ server only writes what it has set, the way Java skips nulls;
//   * Hive's `required` becomes `optional` on requests and on the entity
//     structs a client sends (marked "hive: required"), because older clients
//     leave newer required fields out;
//   * structs only the server sends keep Hive's `required`, so those fields
//     are always on the wire.
// Exceptions keep default requiredness: their message is always written.

include "fb303.thrift"

namespace cpp Apache.Hadoop.Hive
namespace py hive_metastore

// ---------------------------------------------------------------------------
// Constants (parameter keys and filter prefixes that clients and servers share)
// ---------------------------------------------------------------------------

// Table/partition parameter holding the last DDL time, in seconds.
const string DDL_TIME = "transient_lastDdlTime"

// Bit values for Table.accessType.
const i8 ACCESSTYPE_NONE = 1
const i8 ACCESSTYPE_READONLY = 2
const i8 ACCESSTYPE_WRITEONLY = 4
const i8 ACCESSTYPE_READWRITE = 8

// Left-hand keys understood by get_table_names_by_filter.
const string HIVE_FILTER_FIELD_OWNER = "hive_filter_field_owner__"
const string HIVE_FILTER_FIELD_PARAMS = "hive_filter_field_params__"
const string HIVE_FILTER_FIELD_LAST_ACCESS = "hive_filter_field_last_access__"
const string HIVE_FILTER_FIELD_TABLE_NAME = "hive_filter_field_tableName__"
const string HIVE_FILTER_FIELD_TABLE_TYPE = "hive_filter_field_tableType__"

// Well-known table and partition parameter keys.
const string IS_ARCHIVED = "is_archived"
const string ORIGINAL_LOCATION = "original_location"
const string IS_IMMUTABLE = "immutable"
const string META_TABLE_STORAGE = "storage_handler"
const string TABLE_IS_TRANSACTIONAL = "transactional"
const string TABLE_TRANSACTIONAL_PROPERTIES = "transactional_properties"
const string TABLE_BUCKETING_VERSION = "bucketing_version"
const string TABLE_IS_CTAS = "created_with_ctas"
const string TABLE_IS_CTLT = "created_with_ctlt"
const string PARTITION_TRANSFORM_SPEC = "partition_transform_spec"
const string NO_CLEANUP = "no_cleanup"
const string CTAS_LEGACY_CONFIG = "create_table_as_external"
const string DEFAULT_TABLE_TYPE = "defaultTableType"
const string TXN_ID = "txnId"
const string WRITE_ID = "writeId"

// EnvironmentContext keys.
const string IF_PURGE = "ifPurge"
// Compare-and-set on alter_table*: the alter only applies when the stored
// table's parameter named by the first key still has the second key's value.
const string EXPECTED_PARAMETER_KEY = "expected_parameter_key"
const string EXPECTED_PARAMETER_VALUE = "expected_parameter_value"

// ---------------------------------------------------------------------------
// Enums
// ---------------------------------------------------------------------------

enum PrincipalType {
  USER = 1,
  ROLE = 2,
  GROUP = 3,
}

enum DatabaseType {
  NATIVE = 1,
  REMOTE = 2,
}

enum SerdeType {
  HIVE = 1,
  SCHEMA_REGISTRY = 2,
}

enum FunctionType {
  JAVA = 1,
}

enum ResourceType {
  JAR = 1,
  FILE = 2,
  ARCHIVE = 3,
}

enum ClientCapability {
  TEST_CAPABILITY = 1,
  INSERT_ONLY_TABLES = 2,
}

enum LockLevel {
  DB = 1,
  TABLE = 2,
  PARTITION = 3,
}

enum LockType {
  SHARED_READ = 1,
  SHARED_WRITE = 2,
  EXCLUSIVE = 3,
  EXCL_WRITE = 4,
}

enum LockState {
  ACQUIRED = 1,
  WAITING = 2,
  ABORT = 3,
  NOT_ACQUIRED = 4,
}

// UNSET is what a lock component carries when the client did not say.
enum DataOperationType {
  SELECT = 1,
  INSERT = 2,
  UPDATE = 3,
  DELETE = 4,
  UNSET = 5,
  NO_TXN = 6,
}

// ---------------------------------------------------------------------------
// Small shared structs
// ---------------------------------------------------------------------------

// One column: name, Hive type string, comment.
struct FieldSchema {
  1: optional string name,
  2: optional string type,
  3: optional string comment,
}

// Free-form key/value hints a client attaches to a DDL call.
struct EnvironmentContext {
  1: optional map<string, string> properties,
}

struct PrivilegeGrantInfo {
  1: optional string privilege,
  2: optional i32 createTime,
  3: optional string grantor,
  4: optional PrincipalType grantorType,
  5: optional bool grantOption,
}

// Principal name -> grants, per principal kind.
struct PrincipalPrivilegeSet {
  1: optional map<string, list<PrivilegeGrantInfo>> userPrivileges,
  2: optional map<string, list<PrivilegeGrantInfo>> groupPrivileges,
  3: optional map<string, list<PrivilegeGrantInfo>> rolePrivileges,
}

// ---------------------------------------------------------------------------
// Catalogs and databases
// ---------------------------------------------------------------------------

struct Catalog {
  1: optional string name,
  2: optional string description,
  3: optional string locationUri,
  4: optional i32 createTime,
  5: optional map<string, string> parameters,
}

struct GetCatalogRequest {
  1: optional string name,
}

struct GetCatalogResponse {
  1: optional Catalog catalog,
}

struct GetCatalogsResponse {
  1: optional list<string> names,
}

struct Database {
  1: optional string name,
  2: optional string description,
  3: optional string locationUri,
  4: optional map<string, string> parameters,
  5: optional PrincipalPrivilegeSet privileges,
  6: optional string ownerName,
  7: optional PrincipalType ownerType,
  8: optional string catalogName,
  9: optional i32 createTime,
  10: optional string managedLocationUri,
  11: optional DatabaseType type,
  12: optional string connector_name,
  13: optional string remote_dbname,
}

struct GetDatabaseRequest {
  1: optional string name,
  2: optional string catalogName,
  3: optional list<string> processorCapabilities,
  4: optional string processorIdentifier,
}

struct GetDatabaseObjectsRequest {
  1: optional string catalogName,
  2: optional string pattern,
}

struct GetDatabaseObjectsResponse {
  1: required list<Database> databases,
}

// Same fields as Database, but the name field is called databaseName and
// the connector field dataConnectorName.
struct CreateDatabaseRequest {
  1: optional string databaseName,          // hive: required
  2: optional string description,
  3: optional string locationUri,
  4: optional map<string, string> parameters,
  5: optional PrincipalPrivilegeSet privileges,
  6: optional string ownerName,
  7: optional PrincipalType ownerType,
  8: optional string catalogName,
  9: optional i32 createTime,
  10: optional string managedLocationUri,
  11: optional DatabaseType type,
  12: optional string dataConnectorName,
  13: optional string remote_dbname,
}

struct AlterDatabaseRequest {
  1: optional string oldDbName,             // hive: required
  2: optional Database newDb,               // hive: required
}

struct DropDatabaseRequest {
  1: optional string name,                  // hive: required
  2: optional string catalogName,
  3: optional bool ignoreUnknownDb,         // hive: required
  4: optional bool deleteData,              // hive: required
  5: optional bool cascade,                 // hive: required
  6: optional bool softDelete = false,
  7: optional i64 txnId = 0,
  8: optional bool deleteManagedDir = true,
  9: optional string id,
  10: optional bool asyncDrop,
  11: optional bool cancel,
}

// Returned by drop_database_req and drop_table_req. Older Hive IDLs declare
// those two methods void; their clients skip this result, so one answer fits
// every client version.
struct AsyncOperationResp {
  1: required string id,
  2: optional string message,
  3: optional bool finished,
}

// ---------------------------------------------------------------------------
// Tables: storage, statistics and the Table itself
// ---------------------------------------------------------------------------

struct SerDeInfo {
  1: optional string name,
  2: optional string serializationLib,
  3: optional map<string, string> parameters,
  4: optional string description,
  5: optional string serializerClass,
  6: optional string deserializerClass,
  7: optional SerdeType serdeType,
}

// A sort column; order is 1 for ascending, 0 for descending.
struct Order {
  1: optional string col,
  2: optional i32 order,
}

// The map key is the list of skewed values. Python cannot use a list as a dict
// key; the build post-processes the generated Python to use tuples (README.md).
struct SkewedInfo {
  1: optional list<string> skewedColNames,
  2: optional list<list<string>> skewedColValues,
  3: optional map<list<string>, string> skewedColValueLocationMaps,
}

struct StorageDescriptor {
  1: optional list<FieldSchema> cols,
  2: optional string location,
  3: optional string inputFormat,
  4: optional string outputFormat,
  5: optional bool compressed,
  6: optional i32 numBuckets,
  7: optional SerDeInfo serdeInfo,
  8: optional list<string> bucketCols,
  9: optional list<Order> sortCols,
  10: optional map<string, string> parameters,
  11: optional SkewedInfo skewedInfo,
  12: optional bool storedAsSubDirectories,
}

// Per-column statistics payloads, one struct per column type family.

struct BooleanColumnStatsData {
  1: optional i64 numTrues,                 // hive: required
  2: optional i64 numFalses,                // hive: required
  3: optional i64 numNulls,                 // hive: required
  4: optional binary bitVectors,
}

struct DoubleColumnStatsData {
  1: optional double lowValue,
  2: optional double highValue,
  3: optional i64 numNulls,                 // hive: required
  4: optional i64 numDVs,                   // hive: required
  5: optional binary bitVectors,
  6: optional binary histogram,
}

struct LongColumnStatsData {
  1: optional i64 lowValue,
  2: optional i64 highValue,
  3: optional i64 numNulls,                 // hive: required
  4: optional i64 numDVs,                   // hive: required
  5: optional binary bitVectors,
  6: optional binary histogram,
}

struct StringColumnStatsData {
  1: optional i64 maxColLen,                // hive: required
  2: optional double avgColLen,             // hive: required
  3: optional i64 numNulls,                 // hive: required
  4: optional i64 numDVs,                   // hive: required
  5: optional binary bitVectors,
}

struct BinaryColumnStatsData {
  1: optional i64 maxColLen,                // hive: required
  2: optional double avgColLen,             // hive: required
  3: optional i64 numNulls,                 // hive: required
  4: optional binary bitVectors,
}

// Field 3 is declared before field 1 on purpose, as in Hive.
struct Decimal {
  3: optional i16 scale,                    // hive: required
  1: optional binary unscaled,              // hive: required
}

struct DecimalColumnStatsData {
  1: optional Decimal lowValue,
  2: optional Decimal highValue,
  3: optional i64 numNulls,                 // hive: required
  4: optional i64 numDVs,                   // hive: required
  5: optional binary bitVectors,
  6: optional binary histogram,
}

struct Date {
  1: optional i64 daysSinceEpoch,           // hive: required
}

struct DateColumnStatsData {
  1: optional Date lowValue,
  2: optional Date highValue,
  3: optional i64 numNulls,                 // hive: required
  4: optional i64 numDVs,                   // hive: required
  5: optional binary bitVectors,
  6: optional binary histogram,
}

struct Timestamp {
  1: optional i64 secondsSinceEpoch,        // hive: required
}

struct TimestampColumnStatsData {
  1: optional Timestamp lowValue,
  2: optional Timestamp highValue,
  3: optional i64 numNulls,                 // hive: required
  4: optional i64 numDVs,                   // hive: required
  5: optional binary bitVectors,
  6: optional binary histogram,
}

// Exactly one member is set.
union ColumnStatisticsData {
  1: BooleanColumnStatsData booleanStats,
  2: LongColumnStatsData longStats,
  3: DoubleColumnStatsData doubleStats,
  4: StringColumnStatsData stringStats,
  5: BinaryColumnStatsData binaryStats,
  6: DecimalColumnStatsData decimalStats,
  7: DateColumnStatsData dateStats,
  8: TimestampColumnStatsData timestampStats,
}

struct ColumnStatisticsObj {
  1: optional string colName,               // hive: required
  2: optional string colType,               // hive: required
  3: optional ColumnStatisticsData statsData, // hive: required
}

// Which table or partition a set of statistics belongs to.
struct ColumnStatisticsDesc {
  1: optional bool isTblLevel,              // hive: required
  2: optional string dbName,                // hive: required
  3: optional string tableName,             // hive: required
  4: optional string partName,
  5: optional i64 lastAnalyzed,
  6: optional string catName,
}

struct ColumnStatistics {
  1: optional ColumnStatisticsDesc statsDesc,      // hive: required
  2: optional list<ColumnStatisticsObj> statsObj,  // hive: required
  3: optional bool isStatsCompliant,
  4: optional string engine,  // hive default: "hive" (dropped: see README)
}

// Opaque per-file metadata blobs some engines attach to tables/partitions.
struct FileMetadata {
  1: optional i8 type,  // hive default: 1 (dropped: see README)
  2: optional i8 version,  // hive default: 1 (dropped: see README)
  3: optional list<binary> data,
}

// Shared objects referenced by index from elsewhere in a response.
struct ObjectDictionary {
  1: optional map<string, list<binary>> values,   // hive: required
}

// Materialized-view bookkeeping. It refers to SourceTable, which contains a
// Table, which contains this struct: the cycle is Hive's and is kept.
struct CreationMetadata {
  1: optional string catName,               // hive: required
  2: optional string dbName,                // hive: required
  3: optional string tblName,               // hive: required
  4: optional set<string> tablesUsed,       // hive: required
  5: optional string validTxnList,
  6: optional i64 materializationTime,
  7: optional list<SourceTable> sourceTables,
}

struct Table {
  1: optional string tableName,
  2: optional string dbName,
  3: optional string owner,
  4: optional i32 createTime,
  5: optional i32 lastAccessTime,
  6: optional i32 retention,
  7: optional StorageDescriptor sd,
  8: optional list<FieldSchema> partitionKeys,
  9: optional map<string, string> parameters,
  10: optional string viewOriginalText,
  11: optional string viewExpandedText,
  12: optional string tableType,
  13: optional PrincipalPrivilegeSet privileges,
  14: optional bool temporary,  // hive default: false (dropped: see README)
  15: optional bool rewriteEnabled,
  16: optional CreationMetadata creationMetadata,
  17: optional string catName,
  18: optional PrincipalType ownerType,  // hive default: PrincipalType.USER (dropped: see README)
  19: optional i64 writeId,  // hive default: -1 (dropped: see README)
  20: optional bool isStatsCompliant,
  21: optional ColumnStatistics colStats,
  22: optional i8 accessType,
  23: optional list<string> requiredReadCapabilities,
  24: optional list<string> requiredWriteCapabilities,
  25: optional i64 id,
  26: optional FileMetadata fileMetadata,
  27: optional ObjectDictionary dictionary,
  28: optional i64 txnId,
}

struct SourceTable {
  1: optional Table table,                  // hive: required
  2: optional i64 insertedCount,            // hive: required
  3: optional i64 updatedCount,             // hive: required
  4: optional i64 deletedCount,             // hive: required
}

// One row of get_table_meta.
struct TableMeta {
  1: required string dbName,
  2: required string tableName,
  3: required string tableType,
  4: optional string comments,
  5: optional string catName,
  6: optional string ownerName,
  7: optional PrincipalType ownerType,
}

// ---------------------------------------------------------------------------
// Table requests and responses
// ---------------------------------------------------------------------------

struct ClientCapabilities {
  1: optional list<ClientCapability> values,  // hive: required
}

// Which fields of the returned objects the caller wants.
struct GetProjectionsSpec {
  1: optional list<string> fieldList,
  2: optional string includeParamKeyPattern,
  3: optional string excludeParamKeyPattern,
}

// There is no field 5.
struct GetTableRequest {
  1: optional string dbName,                // hive: required
  2: optional string tblName,               // hive: required
  3: optional ClientCapabilities capabilities,
  4: optional string catName,
  6: optional string validWriteIdList,
  7: optional bool getColumnStats,
  8: optional list<string> processorCapabilities,
  9: optional string processorIdentifier,
  10: optional string engine = "hive",
  11: optional i64 id = -1,
}

struct GetTableResult {
  1: required Table table,
  2: optional bool isStatsCompliant,
}

struct GetTablesRequest {
  1: optional string dbName,                // hive: required
  2: optional list<string> tblNames,
  3: optional ClientCapabilities capabilities,
  4: optional string catName,
  5: optional list<string> processorCapabilities,
  6: optional string processorIdentifier,
  7: optional GetProjectionsSpec projectionSpec,
  8: optional string tablesPattern,
}

struct GetTablesResult {
  1: required list<Table> tables,
}

// Constraint rows, as sent inside CreateTableRequest and returned by the
// constraint getters. Note that the first field differs between kinds.

struct SQLPrimaryKey {
  1: optional string table_db,
  2: optional string table_name,
  3: optional string column_name,
  4: optional i32 key_seq,
  5: optional string pk_name,
  6: optional bool enable_cstr,
  7: optional bool validate_cstr,
  8: optional bool rely_cstr,
  9: optional string catName,
}

struct SQLForeignKey {
  1: optional string pktable_db,
  2: optional string pktable_name,
  3: optional string pkcolumn_name,
  4: optional string fktable_db,
  5: optional string fktable_name,
  6: optional string fkcolumn_name,
  7: optional i32 key_seq,
  8: optional i32 update_rule,
  9: optional i32 delete_rule,
  10: optional string fk_name,
  11: optional string pk_name,
  12: optional bool enable_cstr,
  13: optional bool validate_cstr,
  14: optional bool rely_cstr,
  15: optional string catName,
}

struct SQLUniqueConstraint {
  1: optional string catName,
  2: optional string table_db,
  3: optional string table_name,
  4: optional string column_name,
  5: optional i32 key_seq,
  6: optional string uk_name,
  7: optional bool enable_cstr,
  8: optional bool validate_cstr,
  9: optional bool rely_cstr,
}

struct SQLNotNullConstraint {
  1: optional string catName,
  2: optional string table_db,
  3: optional string table_name,
  4: optional string column_name,
  5: optional string nn_name,
  6: optional bool enable_cstr,
  7: optional bool validate_cstr,
  8: optional bool rely_cstr,
}

struct SQLDefaultConstraint {
  1: optional string catName,
  2: optional string table_db,
  3: optional string table_name,
  4: optional string column_name,
  5: optional string default_value,
  6: optional string dc_name,
  7: optional bool enable_cstr,
  8: optional bool validate_cstr,
  9: optional bool rely_cstr,
}

struct SQLCheckConstraint {
  1: optional string catName,
  2: optional string table_db,
  3: optional string table_name,
  4: optional string column_name,
  5: optional string check_expression,
  6: optional string dc_name,
  7: optional bool enable_cstr,
  8: optional bool validate_cstr,
  9: optional bool rely_cstr,
}

struct SQLAllTableConstraints {
  1: optional list<SQLPrimaryKey> primaryKeys,
  2: optional list<SQLForeignKey> foreignKeys,
  3: optional list<SQLUniqueConstraint> uniqueConstraints,
  4: optional list<SQLNotNullConstraint> notNullConstraints,
  5: optional list<SQLDefaultConstraint> defaultConstraints,
  6: optional list<SQLCheckConstraint> checkConstraints,
}

struct CreateTableRequest {
  1: optional Table table,                  // hive: required
  2: optional EnvironmentContext envContext,
  3: optional list<SQLPrimaryKey> primaryKeys,
  4: optional list<SQLForeignKey> foreignKeys,
  5: optional list<SQLUniqueConstraint> uniqueConstraints,
  6: optional list<SQLNotNullConstraint> notNullConstraints,
  7: optional list<SQLDefaultConstraint> defaultConstraints,
  8: optional list<SQLCheckConstraint> checkConstraints,
  9: optional list<string> processorCapabilities,
  10: optional string processorIdentifier,
}

struct DropTableRequest {
  1: optional string catalogName,
  2: optional string dbName,                // hive: required
  3: optional string tableName,             // hive: required
  4: optional bool deleteData,
  5: optional EnvironmentContext envContext,
  6: optional bool dropPartitions,
  7: optional string id,
  8: optional bool asyncDrop,
  9: optional bool cancel,
}

// Fields 10 and 11 carry the same compare-and-set as the
// expected_parameter_* environment-context keys.
struct AlterTableRequest {
  1: optional string catName,
  2: optional string dbName,                // hive: required
  3: optional string tableName,             // hive: required
  4: optional Table table,                  // hive: required
  5: optional EnvironmentContext environmentContext,
  6: optional i64 writeId = -1,
  7: optional string validWriteIdList,
  8: optional list<string> processorCapabilities,
  9: optional string processorIdentifier,
  10: optional string expectedParameterKey,
  11: optional string expectedParameterValue,
}

struct AlterTableResponse {
}

// ---------------------------------------------------------------------------
// Partitions
// ---------------------------------------------------------------------------

struct Partition {
  1: optional list<string> values,
  2: optional string dbName,
  3: optional string tableName,
  4: optional i32 createTime,
  5: optional i32 lastAccessTime,
  6: optional StorageDescriptor sd,
  7: optional map<string, string> parameters,
  8: optional PrincipalPrivilegeSet privileges,
  9: optional string catName,
  10: optional i64 writeId,  // hive default: -1 (dropped: see README)
  11: optional bool isStatsCompliant,
  12: optional ColumnStatistics colStats,
  13: optional FileMetadata fileMetadata,
}

// A partition whose storage descriptor is shared with its siblings; only the
// location relative to the shared root is kept.
struct PartitionWithoutSD {
  1: optional list<string> values,
  2: optional i32 createTime,
  3: optional i32 lastAccessTime,
  4: optional string relativePath,
  5: optional map<string, string> parameters,
  6: optional PrincipalPrivilegeSet privileges,
}

struct PartitionSpecWithSharedSD {
  1: optional list<PartitionWithoutSD> partitions,
  2: optional StorageDescriptor sd,
}

struct PartitionListComposingSpec {
  1: optional list<Partition> partitions,
}

// Either sharedSDPartitionSpec or partitionList is set.
struct PartitionSpec {
  1: optional string dbName,
  2: optional string tableName,
  3: optional string rootPath,
  4: optional PartitionSpecWithSharedSD sharedSDPartitionSpec,
  5: optional PartitionListComposingSpec partitionList,
  6: optional string catName,
  7: optional i64 writeId = -1,
  8: optional bool isStatsCompliant,
}

// --- partition writes ---

struct AddPartitionsRequest {
  1: optional string dbName,                // hive: required
  2: optional string tblName,               // hive: required
  3: optional list<Partition> parts,        // hive: required
  4: optional bool ifNotExists,             // hive: required
  5: optional bool needResult = true,
  6: optional string catName,
  7: optional string validWriteIdList,
  8: optional bool skipColumnSchemaForPartition,
  9: optional list<FieldSchema> partitionColSchema,
  10: optional EnvironmentContext environmentContext,
}

struct AddPartitionsResult {
  1: optional list<Partition> partitions,
  2: optional bool isStatsCompliant,
  3: optional list<FieldSchema> partitionColSchema,
}

// The partition is named either by name (field 4) or by values (field 5).
struct AppendPartitionsRequest {
  1: optional string catalogName,
  2: optional string dbName,                // hive: required
  3: optional string tableName,             // hive: required
  4: optional string name,
  5: optional list<string> partVals,
  6: optional EnvironmentContext environmentContext,
}

struct AlterPartitionsRequest {
  1: optional string catName,
  2: optional string dbName,                // hive: required
  3: optional string tableName,             // hive: required
  4: optional list<Partition> partitions,   // hive: required
  5: optional EnvironmentContext environmentContext,
  6: optional i64 writeId = -1,
  7: optional string validWriteIdList,
  8: optional bool skipColumnSchemaForPartition,
  9: optional list<FieldSchema> partitionColSchema,
}

struct AlterPartitionsResponse {
}

struct RenamePartitionRequest {
  1: optional string catName,
  2: optional string dbName,                // hive: required
  3: optional string tableName,             // hive: required
  4: optional list<string> partVals,        // hive: required
  5: optional Partition newPart,            // hive: required
  6: optional string validWriteIdList,
  7: optional i64 txnId,
  8: optional bool clonePart,
}

struct RenamePartitionResponse {
}

// The partition is named either by name (field 4) or by values (field 5).
struct DropPartitionRequest {
  1: optional string catName,
  2: optional string dbName,                // hive: required
  3: optional string tblName,               // hive: required
  4: optional string partName,
  5: optional list<string> partVals,
  6: optional bool deleteData,
  7: optional EnvironmentContext environmentContext,
}

// A serialized Hive expression selecting partitions to drop.
struct DropPartitionsExpr {
  1: optional binary expr,                  // hive: required
  2: optional i32 partArchiveLevel,
}

// Exactly one member is set: partition names, or expressions.
union RequestPartsSpec {
  1: list<string> names,
  2: list<DropPartitionsExpr> exprs,
}

struct DropPartitionsRequest {
  1: optional string dbName,                // hive: required
  2: optional string tblName,               // hive: required
  3: optional RequestPartsSpec parts,       // hive: required
  4: optional bool deleteData,
  5: optional bool ifExists = true,
  6: optional bool ignoreProtection,
  7: optional EnvironmentContext environmentContext,
  8: optional bool needResult = true,
  9: optional string catName,
  10: optional bool skipColumnSchemaForPartition,
}

struct DropPartitionsResult {
  1: optional list<Partition> partitions,
}

// --- partition reads ---

struct GetPartitionRequest {
  1: optional string catName,
  2: optional string dbName,                // hive: required
  3: optional string tblName,               // hive: required
  4: optional list<string> partVals,        // hive: required
  5: optional string validWriteIdList,
  6: optional i64 id = -1,
}

struct GetPartitionResponse {
  1: required Partition partition,
}

// Used by get_partitions_req and fetch_partition_names_req.
struct PartitionsRequest {
  1: optional string catName,
  2: optional string dbName,                // hive: required
  3: optional string tblName,               // hive: required
  4: optional i16 maxParts = -1,
  5: optional string validWriteIdList,
  6: optional i64 id = -1,
  7: optional bool skipColumnSchemaForPartition,
  8: optional string includeParamKeyPattern,
  9: optional string excludeParamKeyPattern,
}

struct PartitionsResponse {
  1: required list<Partition> partitions,
}

struct GetPartitionsPsWithAuthRequest {
  1: optional string catName,
  2: optional string dbName,                // hive: required
  3: optional string tblName,               // hive: required
  4: optional list<string> partVals,
  5: optional i16 maxParts = -1,
  6: optional string userName,
  7: optional list<string> groupNames,
  8: optional string validWriteIdList,
  9: optional i64 id = -1,
  10: optional bool skipColumnSchemaForPartition,
  11: optional string includeParamKeyPattern,
  12: optional string excludeParamKeyPattern,
  13: optional list<string> partNames,
}

struct GetPartitionsPsWithAuthResponse {
  1: required list<Partition> partitions,
}

struct GetPartitionNamesPsRequest {
  1: optional string catName,
  2: optional string dbName,                // hive: required
  3: optional string tblName,               // hive: required
  4: optional list<string> partValues,
  5: optional i16 maxParts = -1,
  6: optional string validWriteIdList,
  7: optional i64 id = -1,
}

struct GetPartitionNamesPsResponse {
  1: required list<string> names,
}

struct GetPartitionsByNamesRequest {
  1: optional string db_name,               // hive: required
  2: optional string tbl_name,              // hive: required
  3: optional list<string> names,
  4: optional bool get_col_stats,
  5: optional list<string> processorCapabilities,
  6: optional string processorIdentifier,
  7: optional string engine = "hive",
  8: optional string validWriteIdList,
  9: optional bool getFileMetadata,
  10: optional i64 id = -1,
  11: optional bool skipColumnSchemaForPartition,
  12: optional string includeParamKeyPattern,
  13: optional string excludeParamKeyPattern,
}

struct GetPartitionsByNamesResult {
  1: required list<Partition> partitions,
  2: optional ObjectDictionary dictionary,
}

struct GetPartitionsByFilterRequest {
  1: optional string catName,
  2: optional string dbName,
  3: optional string tblName,
  4: optional string filter,
  5: optional i16 maxParts = -1,
  6: optional bool skipColumnSchemaForPartition,
  7: optional string includeParamKeyPattern,
  8: optional string excludeParamKeyPattern,
}

// expr is a serialized Hive expression (Kryo), which Arbor cannot evaluate.
struct PartitionsByExprRequest {
  1: optional string dbName,                // hive: required
  2: optional string tblName,               // hive: required
  3: optional binary expr,                  // hive: required
  4: optional string defaultPartitionName,
  5: optional i16 maxParts = -1,
  6: optional string catName,
  7: optional string order,
  8: optional string validWriteIdList,
  9: optional i64 id = -1,
  10: optional bool skipColumnSchemaForPartition,
  11: optional string includeParamKeyPattern,
  12: optional string excludeParamKeyPattern,
}

// hasUnknownPartitions=true tells the client that some returned partitions
// may not match the expression and must be filtered again.
struct PartitionsByExprResult {
  1: required list<Partition> partitions,
  2: required bool hasUnknownPartitions,
}

struct PartitionsSpecByExprResult {
  1: required list<PartitionSpec> partitionsSpec,
  2: required bool hasUnknownPartitions,
}

// get_partition_values: the values of partitionKeys, one row per partition.
struct PartitionValuesRequest {
  1: optional string dbName,                // hive: required
  2: optional string tblName,               // hive: required
  3: optional list<FieldSchema> partitionKeys,  // hive: required
  4: optional bool applyDistinct = true,
  5: optional string filter,
  6: optional list<FieldSchema> partitionOrder,
  7: optional bool ascending = true,
  8: optional i64 maxParts = -1,
  9: optional string catName,
  10: optional string validWriteIdList,
}

struct PartitionValuesRow {
  1: required list<string> row,
}

struct PartitionValuesResponse {
  1: required list<PartitionValuesRow> partitionValues,
}

// ---------------------------------------------------------------------------
// Column statistics requests and responses
// ---------------------------------------------------------------------------

struct TableStatsRequest {
  1: optional string dbName,                // hive: required
  2: optional string tblName,               // hive: required
  3: optional list<string> colNames,        // hive: required
  4: optional string catName,
  5: optional string validWriteIdList,
  6: optional string engine = "hive",
  7: optional i64 id = -1,
}

struct TableStatsResult {
  1: required list<ColumnStatisticsObj> tableStats,
  2: optional bool isStatsCompliant,
}

// Used by get_partitions_statistics_req and get_aggr_stats_for.
struct PartitionsStatsRequest {
  1: optional string dbName,                // hive: required
  2: optional string tblName,               // hive: required
  3: optional list<string> colNames,        // hive: required
  4: optional list<string> partNames,       // hive: required
  5: optional string catName,
  6: optional string validWriteIdList,
  7: optional string engine = "hive",
}

// Partition name -> statistics of the requested columns.
struct PartitionsStatsResult {
  1: required map<string, list<ColumnStatisticsObj>> partStats,
  2: optional bool isStatsCompliant,
}

struct AggrStats {
  1: required list<ColumnStatisticsObj> colStats,
  2: required i64 partsFound,
  3: optional bool isStatsCompliant,
}

struct SetPartitionsStatsRequest {
  1: optional list<ColumnStatistics> colStats,  // hive: required
  2: optional bool needMerge,
  3: optional i64 writeId = -1,
  4: optional string validWriteIdList,
  5: optional string engine = "hive",
}

struct SetPartitionsStatsResponse {
  1: required bool result,
}

struct DeleteColumnStatisticsRequest {
  1: optional string cat_name,
  2: optional string db_name,               // hive: required
  3: optional string tbl_name,              // hive: required
  4: optional list<string> part_names,
  5: optional list<string> col_names,
  6: optional string engine = "hive",
  7: optional bool tableLevel = false,
}

// ---------------------------------------------------------------------------
// Functions
// ---------------------------------------------------------------------------

struct ResourceUri {
  1: optional ResourceType resourceType,
  2: optional string uri,
}

struct Function {
  1: optional string functionName,
  2: optional string dbName,
  3: optional string className,
  4: optional string ownerName,
  5: optional PrincipalType ownerType,
  6: optional i32 createTime,
  7: optional FunctionType functionType,
  8: optional list<ResourceUri> resourceUris,
  9: optional string catName,
}

struct GetAllFunctionsResponse {
  1: optional list<Function> functions,
}

// ---------------------------------------------------------------------------
// Constraint getters
// ---------------------------------------------------------------------------
// Fields validWriteIdList/tableId are in the Hive 4.0 IDL and absent from some
// later snapshots; they are kept so every client's request can be read.

struct PrimaryKeysRequest {
  1: optional string db_name,               // hive: required
  2: optional string tbl_name,              // hive: required
  3: optional string catName,
  4: optional string validWriteIdList,
  5: optional i64 tableId = -1,
}

struct PrimaryKeysResponse {
  1: required list<SQLPrimaryKey> primaryKeys,
}

struct ForeignKeysRequest {
  1: optional string parent_db_name,
  2: optional string parent_tbl_name,
  3: optional string foreign_db_name,
  4: optional string foreign_tbl_name,
  5: optional string catName,
  6: optional string validWriteIdList,
  7: optional i64 tableId = -1,
}

struct ForeignKeysResponse {
  1: required list<SQLForeignKey> foreignKeys,
}

struct UniqueConstraintsRequest {
  1: optional string catName,               // hive: required
  2: optional string db_name,               // hive: required
  3: optional string tbl_name,              // hive: required
  4: optional string validWriteIdList,
  5: optional i64 tableId = -1,
}

struct UniqueConstraintsResponse {
  1: required list<SQLUniqueConstraint> uniqueConstraints,
}

struct NotNullConstraintsRequest {
  1: optional string catName,               // hive: required
  2: optional string db_name,               // hive: required
  3: optional string tbl_name,              // hive: required
  4: optional string validWriteIdList,
  5: optional i64 tableId = -1,
}

struct NotNullConstraintsResponse {
  1: required list<SQLNotNullConstraint> notNullConstraints,
}

struct DefaultConstraintsRequest {
  1: optional string catName,               // hive: required
  2: optional string db_name,               // hive: required
  3: optional string tbl_name,              // hive: required
  4: optional string validWriteIdList,
  5: optional i64 tableId = -1,
}

struct DefaultConstraintsResponse {
  1: required list<SQLDefaultConstraint> defaultConstraints,
}

struct CheckConstraintsRequest {
  1: optional string catName,               // hive: required
  2: optional string db_name,               // hive: required
  3: optional string tbl_name,              // hive: required
  4: optional string validWriteIdList,
  5: optional i64 tableId = -1,
}

struct CheckConstraintsResponse {
  1: required list<SQLCheckConstraint> checkConstraints,
}

// Note the field order: dbName, tblName, then catName.
struct AllTableConstraintsRequest {
  1: optional string dbName,                // hive: required
  2: optional string tblName,               // hive: required
  3: optional string catName,               // hive: required
  4: optional string validWriteIdList,
  5: optional i64 tableId = -1,
}

struct AllTableConstraintsResponse {
  1: required SQLAllTableConstraints allTableConstraints,
}

// ---------------------------------------------------------------------------
// Locks (Iceberg's commit lock and Hive ACID)
// ---------------------------------------------------------------------------

// Field 7 was called isAcid in Hive 2.x; same id and type.
struct LockComponent {
  1: optional LockType type,                // hive: required
  2: optional LockLevel level,              // hive: required
  3: optional string dbname,                // hive: required
  4: optional string tablename,
  5: optional string partitionname,
  6: optional DataOperationType operationType = DataOperationType.UNSET,
  7: optional bool isTransactional = false,
  8: optional bool isDynamicPartitionWrite = false,
  9: optional string catName = "hive",
}

struct LockRequest {
  1: optional list<LockComponent> component,  // hive: required
  2: optional i64 txnid,
  3: optional string user,                  // hive: required
  4: optional string hostname,              // hive: required
  5: optional string agentInfo = "Unknown",
  6: optional bool zeroWaitReadEnabled = false,
  7: optional bool exclusiveCTAS = false,
  8: optional bool locklessReadsEnabled = false,
}

struct LockResponse {
  1: required i64 lockid,
  2: required LockState state,
  3: optional string errorMessage,
}

struct CheckLockRequest {
  1: optional i64 lockid,                   // hive: required
  2: optional i64 txnid,
  3: optional i64 elapsed_ms,
}

struct UnlockRequest {
  1: optional i64 lockid,                   // hive: required
}

struct HeartbeatRequest {
  1: optional i64 lockid,
  2: optional i64 txnid,
}

struct ShowLocksRequest {
  1: optional string dbname,
  2: optional string tablename,
  3: optional string partname,
  4: optional bool isExtended = false,
  5: optional i64 txnid,
  6: optional string catname = "hive",
}

// Clients before the catalog-aware lock work do not know field 17 and skip it.
struct ShowLocksResponseElement {
  1: required i64 lockid,
  2: required string dbname,
  3: optional string tablename,
  4: optional string partname,
  5: required LockState state,
  6: required LockType type,
  7: optional i64 txnid,
  8: required i64 lastheartbeat,
  9: optional i64 acquiredat,
  10: required string user,
  11: required string hostname,
  12: optional i32 heartbeatCount = 0,
  13: optional string agentInfo,
  14: optional i64 blockedByExtId,
  15: optional i64 blockedByIntId,
  16: optional i64 lockIdInternal,
  17: required string catname,
}

struct ShowLocksResponse {
  1: optional list<ShowLocksResponseElement> locks,
}

// ---------------------------------------------------------------------------
// Notification log
// ---------------------------------------------------------------------------

struct NotificationEventRequest {
  1: optional i64 lastEvent,                // hive: required
  2: optional i32 maxEvents,
  3: optional list<string> eventTypeSkipList,
  4: optional string catName,
  5: optional string dbName,
  6: optional list<string> tableNames,
  7: optional list<string> eventTypeList,
}

struct NotificationEvent {
  1: required i64 eventId,
  2: required i32 eventTime,
  3: required string eventType,
  4: optional string dbName,
  5: optional string tableName,
  6: required string message,
  7: optional string messageFormat,
  8: optional string catName,
}

struct NotificationEventResponse {
  1: required list<NotificationEvent> events,
}

struct CurrentNotificationEventId {
  1: required i64 eventId,
}

// ---------------------------------------------------------------------------
// Exceptions (message keeps default requiredness: it is always written)
// ---------------------------------------------------------------------------

exception MetaException {
  1: string message
}

exception UnknownTableException {
  1: string message
}

exception UnknownDBException {
  1: string message
}

exception AlreadyExistsException {
  1: string message
}

exception InvalidObjectException {
  1: string message
}

exception NoSuchObjectException {
  1: string message
}

exception InvalidOperationException {
  1: string message
}

exception ConfigValSecurityException {
  1: string message
}

exception InvalidInputException {
  1: string message
}

exception NoSuchTxnException {
  1: string message
}

exception TxnAbortedException {
  1: string message
}

exception TxnOpenException {
  1: string message
}

exception NoSuchLockException {
  1: string message
}

// ---------------------------------------------------------------------------
// Hive 4 request forms (HiveMetaStoreClient 4.x calls these for DESCRIBE,
// partition listings by spec and table listings). Ids and types are Hive 4.0's.
// ---------------------------------------------------------------------------

struct GetFieldsRequest {
  1: optional string catName,
  2: optional string dbName,                // hive: required
  3: optional string tblName,               // hive: required
  4: optional EnvironmentContext envContext,
  5: optional string validWriteIdList,
  6: optional i64 id = -1,
}

struct GetFieldsResponse {
  1: required list<FieldSchema> fields,
}

struct GetSchemaRequest {
  1: optional string catName,
  2: optional string dbName,                // hive: required
  3: optional string tblName,               // hive: required
  4: optional EnvironmentContext envContext,
  5: optional string validWriteIdList,
  6: optional i64 id = -1,
}

struct GetSchemaResponse {
  1: required list<FieldSchema> fields,
}

// How GetPartitionsFilterSpec.filters reads: partition names, partition
// values, or filter-grammar expressions (all must hold).
enum PartitionFilterMode {
  BY_NAMES = 0,
  BY_VALUES = 1,
  BY_EXPR = 2,
}

// The field ids start at 7 in Hive too.
struct GetPartitionsFilterSpec {
  7: optional PartitionFilterMode filterMode,
  8: optional list<string> filters,
}

struct GetPartitionsRequest {
  1: optional string catName,
  2: optional string dbName,
  3: optional string tblName,
  4: optional bool withAuth,
  5: optional string user,
  6: optional list<string> groupNames,
  7: optional GetProjectionsSpec projectionSpec,
  8: optional GetPartitionsFilterSpec filterSpec,
  9: optional list<string> processorCapabilities,
  10: optional string processorIdentifier,
  11: optional string validWriteIdList,
}

struct GetPartitionsResponse {
  1: optional list<PartitionSpec> partitionSpec,
}

// requestedFields is a bit set: 1 access type, 2 processor capabilities.
struct GetTablesExtRequest {
  1: optional string catalog,               // hive: required
  2: optional string database,              // hive: required
  3: optional string tableNamePattern,      // hive: required
  4: optional i32 requestedFields,          // hive: required
  5: optional i32 limit,
  6: optional list<string> processorCapabilities,
  7: optional string processorIdentifier,
}

struct ExtendedTableInfo {
  1: required string tblName,
  2: optional i32 accessType,
  3: optional list<string> requiredReadCapabilities,
  4: optional list<string> requiredWriteCapabilities,
}

// ---------------------------------------------------------------------------
// The service. Exception slot numbers differ from method to method; they are
// Hive's and must not be "tidied".
// ---------------------------------------------------------------------------

service ThriftHiveMetastore extends fb303.FacebookService {

  // --- session ---

  // Sent right after connect. Returns the groups it was given.
  list<string> set_ugi(1: string user_name, 2: list<string> group_names)
      throws (1: MetaException o1)
  string getMetaConf(1: string key) throws (1: MetaException o1)
  void setMetaConf(1: string key, 2: string value) throws (1: MetaException o1)
  string get_config_value(1: string name, 2: string defaultValue)
      throws (1: ConfigValSecurityException o1)

  // --- catalogs ---

  GetCatalogResponse get_catalog(1: GetCatalogRequest catName)
      throws (1: NoSuchObjectException o1, 2: MetaException o2)
  GetCatalogsResponse get_catalogs() throws (1: MetaException o1)

  // --- databases ---

  Database get_database(1: string name)
      throws (1: NoSuchObjectException o1, 2: MetaException o2)
  Database get_database_req(1: GetDatabaseRequest request)
      throws (1: NoSuchObjectException o1, 2: MetaException o2)
  list<string> get_databases(1: string pattern) throws (1: MetaException o1)
  GetDatabaseObjectsResponse get_databases_req(1: GetDatabaseObjectsRequest request)
      throws (1: MetaException o1)
  list<string> get_all_databases() throws (1: MetaException o1)
  void create_database(1: Database database)
      throws (1: AlreadyExistsException o1, 2: InvalidObjectException o2, 3: MetaException o3)
  void create_database_req(1: CreateDatabaseRequest createDatabaseRequest)
      throws (1: AlreadyExistsException o1, 2: InvalidObjectException o2, 3: MetaException o3)
  void drop_database(1: string name, 2: bool deleteData, 3: bool cascade)
      throws (1: NoSuchObjectException o1, 2: InvalidOperationException o2, 3: MetaException o3)
  AsyncOperationResp drop_database_req(1: DropDatabaseRequest req)
      throws (1: NoSuchObjectException o1, 2: InvalidOperationException o2, 3: MetaException o3)
  // Note the slots: MetaException first.
  void alter_database(1: string dbname, 2: Database db)
      throws (1: MetaException o1, 2: NoSuchObjectException o2)
  void alter_database_req(1: AlterDatabaseRequest alterDbReq)
      throws (1: MetaException o1, 2: NoSuchObjectException o2)

  // --- table reads ---

  // Dropped from Hive 4.x IDLs (HIVE-26537); Hive 2.3/3.x clients, Spark and
  // Iceberg under Spark call it.
  Table get_table(1: string dbname, 2: string tbl_name)
      throws (1: MetaException o1, 2: NoSuchObjectException o2)
  GetTableResult get_table_req(1: GetTableRequest req)
      throws (1: MetaException o1, 2: NoSuchObjectException o2)
  // Legacy form, no exceptions declared (gone from Hive 4.x IDLs).
  list<Table> get_table_objects_by_name(1: string dbname, 2: list<string> tbl_names)
  GetTablesResult get_table_objects_by_name_req(1: GetTablesRequest req)
      throws (1: MetaException o1, 2: InvalidOperationException o2, 3: UnknownDBException o3)
  list<string> get_tables(1: string db_name, 2: string pattern)
      throws (1: MetaException o1)
  list<string> get_tables_by_type(1: string db_name, 2: string pattern, 3: string tableType)
      throws (1: MetaException o1)
  list<string> get_all_tables(1: string db_name) throws (1: MetaException o1)
  list<TableMeta> get_table_meta(1: string db_patterns, 2: string tbl_patterns,
                                 3: list<string> tbl_types)
      throws (1: MetaException o1)
  list<string> get_table_names_by_filter(1: string dbname, 2: string filter,
                                         3: i16 max_tables = -1)
      throws (1: MetaException o1, 2: InvalidOperationException o2, 3: UnknownDBException o3)
  list<FieldSchema> get_fields(1: string db_name, 2: string table_name)
      throws (1: MetaException o1, 2: UnknownTableException o2, 3: UnknownDBException o3)
  list<FieldSchema> get_fields_with_environment_context(1: string db_name, 2: string table_name,
                                                        3: EnvironmentContext environment_context)
      throws (1: MetaException o1, 2: UnknownTableException o2, 3: UnknownDBException o3)
  // Columns followed by partition keys.
  list<FieldSchema> get_schema(1: string db_name, 2: string table_name)
      throws (1: MetaException o1, 2: UnknownTableException o2, 3: UnknownDBException o3)
  list<FieldSchema> get_schema_with_environment_context(1: string db_name, 2: string table_name,
                                                        3: EnvironmentContext environment_context)
      throws (1: MetaException o1, 2: UnknownTableException o2, 3: UnknownDBException o3)

  // --- table writes ---

  void create_table(1: Table tbl)
      throws (1: AlreadyExistsException o1, 2: InvalidObjectException o2, 3: MetaException o3,
              4: NoSuchObjectException o4)
  void create_table_with_environment_context(1: Table tbl, 2: EnvironmentContext environment_context)
      throws (1: AlreadyExistsException o1, 2: InvalidObjectException o2, 3: MetaException o3,
              4: NoSuchObjectException o4)
  void create_table_req(1: CreateTableRequest request)
      throws (1: AlreadyExistsException o1, 2: InvalidObjectException o2, 3: MetaException o3,
              4: NoSuchObjectException o4)
  // The MetaException slot is 2 but its field is named o3, as in Hive.
  void drop_table(1: string dbname, 2: string name, 3: bool deleteData)
      throws (1: NoSuchObjectException o1, 2: MetaException o3)
  void drop_table_with_environment_context(1: string dbname, 2: string name, 3: bool deleteData,
                                           4: EnvironmentContext environment_context)
      throws (1: NoSuchObjectException o1, 2: MetaException o3)
  AsyncOperationResp drop_table_req(1: DropTableRequest dropTableReq)
      throws (1: NoSuchObjectException o1, 2: MetaException o3)
  void alter_table(1: string dbname, 2: string tbl_name, 3: Table new_tbl)
      throws (1: InvalidOperationException o1, 2: MetaException o2)
  void alter_table_with_environment_context(1: string dbname, 2: string tbl_name, 3: Table new_tbl,
                                            4: EnvironmentContext environment_context)
      throws (1: InvalidOperationException o1, 2: MetaException o2)
  void alter_table_with_cascade(1: string dbname, 2: string tbl_name, 3: Table new_tbl,
                                4: bool cascade)
      throws (1: InvalidOperationException o1, 2: MetaException o2)
  AlterTableResponse alter_table_req(1: AlterTableRequest req)
      throws (1: InvalidOperationException o1, 2: MetaException o2)

  // --- locks ---

  LockResponse lock(1: LockRequest rqst)
      throws (1: NoSuchTxnException o1, 2: TxnAbortedException o2)
  LockResponse check_lock(1: CheckLockRequest rqst)
      throws (1: NoSuchTxnException o1, 2: TxnAbortedException o2, 3: NoSuchLockException o3)
  void unlock(1: UnlockRequest rqst)
      throws (1: NoSuchLockException o1, 2: TxnOpenException o2)
  void heartbeat(1: HeartbeatRequest ids)
      throws (1: NoSuchLockException o1, 2: NoSuchTxnException o2, 3: TxnAbortedException o3)
  ShowLocksResponse show_locks(1: ShowLocksRequest rqst)

  // --- partition writes ---

  Partition add_partition(1: Partition new_part)
      throws (1: InvalidObjectException o1, 2: AlreadyExistsException o2, 3: MetaException o3)
  Partition add_partition_with_environment_context(1: Partition new_part,
                                                   2: EnvironmentContext environment_context)
      throws (1: InvalidObjectException o1, 2: AlreadyExistsException o2, 3: MetaException o3)
  // Returns how many partitions were added.
  i32 add_partitions(1: list<Partition> new_parts)
      throws (1: InvalidObjectException o1, 2: AlreadyExistsException o2, 3: MetaException o3)
  AddPartitionsResult add_partitions_req(1: AddPartitionsRequest request)
      throws (1: InvalidObjectException o1, 2: AlreadyExistsException o2, 3: MetaException o3)
  i32 add_partitions_pspec(1: list<PartitionSpec> new_parts)
      throws (1: InvalidObjectException o1, 2: AlreadyExistsException o2, 3: MetaException o3)
  Partition append_partition(1: string db_name, 2: string tbl_name, 3: list<string> part_vals)
      throws (1: InvalidObjectException o1, 2: AlreadyExistsException o2, 3: MetaException o3)
  Partition append_partition_with_environment_context(1: string db_name, 2: string tbl_name,
                                                      3: list<string> part_vals,
                                                      4: EnvironmentContext environment_context)
      throws (1: InvalidObjectException o1, 2: AlreadyExistsException o2, 3: MetaException o3)
  Partition append_partition_by_name(1: string db_name, 2: string tbl_name, 3: string part_name)
      throws (1: InvalidObjectException o1, 2: AlreadyExistsException o2, 3: MetaException o3)
  Partition append_partition_by_name_with_environment_context(1: string db_name, 2: string tbl_name,
                                                              3: string part_name,
                                                              4: EnvironmentContext environment_context)
      throws (1: InvalidObjectException o1, 2: AlreadyExistsException o2, 3: MetaException o3)
  Partition append_partition_req(1: AppendPartitionsRequest appendPartitionsReq)
      throws (1: InvalidObjectException o1, 2: AlreadyExistsException o2, 3: MetaException o3)
  void alter_partition(1: string db_name, 2: string tbl_name, 3: Partition new_part)
      throws (1: InvalidOperationException o1, 2: MetaException o2)
  void alter_partition_with_environment_context(1: string db_name, 2: string tbl_name,
                                                3: Partition new_part,
                                                4: EnvironmentContext environment_context)
      throws (1: InvalidOperationException o1, 2: MetaException o2)
  void alter_partitions(1: string db_name, 2: string tbl_name, 3: list<Partition> new_parts)
      throws (1: InvalidOperationException o1, 2: MetaException o2)
  void alter_partitions_with_environment_context(1: string db_name, 2: string tbl_name,
                                                 3: list<Partition> new_parts,
                                                 4: EnvironmentContext environment_context)
      throws (1: InvalidOperationException o1, 2: MetaException o2)
  AlterPartitionsResponse alter_partitions_req(1: AlterPartitionsRequest req)
      throws (1: InvalidOperationException o1, 2: MetaException o2)
  // The partition with part_vals becomes new_part (same keys, new values).
  void rename_partition(1: string db_name, 2: string tbl_name, 3: list<string> part_vals,
                        4: Partition new_part)
      throws (1: InvalidOperationException o1, 2: MetaException o2)
  RenamePartitionResponse rename_partition_req(1: RenamePartitionRequest req)
      throws (1: InvalidOperationException o1, 2: MetaException o2)
  bool drop_partition(1: string db_name, 2: string tbl_name, 3: list<string> part_vals,
                      4: bool deleteData)
      throws (1: NoSuchObjectException o1, 2: MetaException o2)
  bool drop_partition_by_name(1: string db_name, 2: string tbl_name, 3: string part_name,
                              4: bool deleteData)
      throws (1: NoSuchObjectException o1, 2: MetaException o2)
  bool drop_partition_with_environment_context(1: string db_name, 2: string tbl_name,
                                               3: list<string> part_vals, 4: bool deleteData,
                                               5: EnvironmentContext environment_context)
      throws (1: NoSuchObjectException o1, 2: MetaException o2)
  bool drop_partition_by_name_with_environment_context(1: string db_name, 2: string tbl_name,
                                                       3: string part_name, 4: bool deleteData,
                                                       5: EnvironmentContext environment_context)
      throws (1: NoSuchObjectException o1, 2: MetaException o2)
  bool drop_partition_req(1: DropPartitionRequest dropPartitionReq)
      throws (1: NoSuchObjectException o1, 2: MetaException o2)
  DropPartitionsResult drop_partitions_req(1: DropPartitionsRequest req)
      throws (1: NoSuchObjectException o1, 2: MetaException o2)

  // --- partition reads ---
  // In the *_ps calls, part_vals may be shorter than the partition keys and
  // "" matches any value. max_parts = -1 means no limit.

  Partition get_partition(1: string db_name, 2: string tbl_name, 3: list<string> part_vals)
      throws (1: MetaException o1, 2: NoSuchObjectException o2)
  Partition get_partition_with_auth(1: string db_name, 2: string tbl_name,
                                    3: list<string> part_vals, 4: string user_name,
                                    5: list<string> group_names)
      throws (1: MetaException o1, 2: NoSuchObjectException o2)
  Partition get_partition_by_name(1: string db_name, 2: string tbl_name, 3: string part_name)
      throws (1: MetaException o1, 2: NoSuchObjectException o2)
  GetPartitionResponse get_partition_req(1: GetPartitionRequest req)
      throws (1: MetaException o1, 2: NoSuchObjectException o2)
  // NoSuchObjectException comes first for these three.
  list<Partition> get_partitions(1: string db_name, 2: string tbl_name, 3: i16 max_parts = -1)
      throws (1: NoSuchObjectException o1, 2: MetaException o2)
  list<Partition> get_partitions_with_auth(1: string db_name, 2: string tbl_name,
                                           3: i16 max_parts = -1, 4: string user_name,
                                           5: list<string> group_names)
      throws (1: NoSuchObjectException o1, 2: MetaException o2)
  PartitionsResponse get_partitions_req(1: PartitionsRequest req)
      throws (1: NoSuchObjectException o1, 2: MetaException o2)
  list<Partition> get_partitions_ps(1: string db_name, 2: string tbl_name,
                                    3: list<string> part_vals, 4: i16 max_parts = -1)
      throws (1: MetaException o1, 2: NoSuchObjectException o2)
  // Unlike get_partitions_ps, NoSuchObjectException comes first here.
  list<Partition> get_partitions_ps_with_auth(1: string db_name, 2: string tbl_name,
                                              3: list<string> part_vals, 4: i16 max_parts = -1,
                                              5: string user_name, 6: list<string> group_names)
      throws (1: NoSuchObjectException o1, 2: MetaException o2)
  GetPartitionsPsWithAuthResponse get_partitions_ps_with_auth_req(1: GetPartitionsPsWithAuthRequest req)
      throws (1: MetaException o1, 2: NoSuchObjectException o2)
  list<string> get_partition_names(1: string db_name, 2: string tbl_name, 3: i16 max_parts = -1)
      throws (1: NoSuchObjectException o1, 2: MetaException o2)
  list<string> get_partition_names_ps(1: string db_name, 2: string tbl_name,
                                      3: list<string> part_vals, 4: i16 max_parts = -1)
      throws (1: MetaException o1, 2: NoSuchObjectException o2)
  GetPartitionNamesPsResponse get_partition_names_ps_req(1: GetPartitionNamesPsRequest req)
      throws (1: MetaException o1, 2: NoSuchObjectException o2)
  list<string> fetch_partition_names_req(1: PartitionsRequest partitionReq)
      throws (1: NoSuchObjectException o1, 2: MetaException o2)
  // Slot 3 (InvalidObjectException) is newer than Hive 2.3/3.x; older clients
  // do not know it.
  list<Partition> get_partitions_by_names(1: string db_name, 2: string tbl_name,
                                          3: list<string> names)
      throws (1: MetaException o1, 2: NoSuchObjectException o2, 3: InvalidObjectException o3)
  GetPartitionsByNamesResult get_partitions_by_names_req(1: GetPartitionsByNamesRequest req)
      throws (1: MetaException o1, 2: NoSuchObjectException o2, 3: InvalidObjectException o3)
  list<Partition> get_partitions_by_filter(1: string db_name, 2: string tbl_name,
                                           3: string filter, 4: i16 max_parts = -1)
      throws (1: MetaException o1, 2: NoSuchObjectException o2)
  list<Partition> get_partitions_by_filter_req(1: GetPartitionsByFilterRequest req)
      throws (1: MetaException o1, 2: NoSuchObjectException o2)
  i32 get_num_partitions_by_filter(1: string db_name, 2: string tbl_name, 3: string filter)
      throws (1: MetaException o1, 2: NoSuchObjectException o2)
  PartitionsByExprResult get_partitions_by_expr(1: PartitionsByExprRequest req)
      throws (1: MetaException o1, 2: NoSuchObjectException o2)
  PartitionsSpecByExprResult get_partitions_spec_by_expr(1: PartitionsByExprRequest req)
      throws (1: MetaException o1, 2: NoSuchObjectException o2)
  list<PartitionSpec> get_partitions_pspec(1: string db_name, 2: string tbl_name,
                                           3: i32 max_parts = -1)
      throws (1: NoSuchObjectException o1, 2: MetaException o2)
  list<PartitionSpec> get_part_specs_by_filter(1: string db_name, 2: string tbl_name,
                                               3: string filter, 4: i32 max_parts = -1)
      throws (1: MetaException o1, 2: NoSuchObjectException o2)
  PartitionValuesResponse get_partition_values(1: PartitionValuesRequest request)
      throws (1: MetaException o1, 2: NoSuchObjectException o2)
  // "a=1/b=x" -> ["1", "x"] and {"a": "1", "b": "x"}.
  list<string> partition_name_to_vals(1: string part_name) throws (1: MetaException o1)
  map<string, string> partition_name_to_spec(1: string part_name) throws (1: MetaException o1)

  // --- column statistics ---
  // The update, get and delete families order their four exceptions
  // differently; each is Hive's order.

  ColumnStatistics get_table_column_statistics(1: string db_name, 2: string tbl_name,
                                               3: string col_name)
      throws (1: NoSuchObjectException o1, 2: MetaException o2, 3: InvalidInputException o3,
              4: InvalidObjectException o4)
  ColumnStatistics get_partition_column_statistics(1: string db_name, 2: string tbl_name,
                                                   3: string part_name, 4: string col_name)
      throws (1: NoSuchObjectException o1, 2: MetaException o2, 3: InvalidInputException o3,
              4: InvalidObjectException o4)
  TableStatsResult get_table_statistics_req(1: TableStatsRequest request)
      throws (1: NoSuchObjectException o1, 2: MetaException o2)
  PartitionsStatsResult get_partitions_statistics_req(1: PartitionsStatsRequest request)
      throws (1: NoSuchObjectException o1, 2: MetaException o2)
  AggrStats get_aggr_stats_for(1: PartitionsStatsRequest request)
      throws (1: NoSuchObjectException o1, 2: MetaException o2)
  bool update_table_column_statistics(1: ColumnStatistics stats_obj)
      throws (1: NoSuchObjectException o1, 2: InvalidObjectException o2, 3: MetaException o3,
              4: InvalidInputException o4)
  bool update_partition_column_statistics(1: ColumnStatistics stats_obj)
      throws (1: NoSuchObjectException o1, 2: InvalidObjectException o2, 3: MetaException o3,
              4: InvalidInputException o4)
  SetPartitionsStatsResponse update_table_column_statistics_req(1: SetPartitionsStatsRequest req)
      throws (1: NoSuchObjectException o1, 2: InvalidObjectException o2, 3: MetaException o3,
              4: InvalidInputException o4)
  SetPartitionsStatsResponse update_partition_column_statistics_req(1: SetPartitionsStatsRequest req)
      throws (1: NoSuchObjectException o1, 2: InvalidObjectException o2, 3: MetaException o3,
              4: InvalidInputException o4)
  bool set_aggr_stats_for(1: SetPartitionsStatsRequest request)
      throws (1: NoSuchObjectException o1, 2: InvalidObjectException o2, 3: MetaException o3,
              4: InvalidInputException o4)
  // Argument "engine" is absent in Hive 2.3/3.x clients (they send 4 / 3 args).
  bool delete_partition_column_statistics(1: string db_name, 2: string tbl_name,
                                          3: string part_name, 4: string col_name,
                                          5: string engine)
      throws (1: NoSuchObjectException o1, 2: MetaException o2, 3: InvalidObjectException o3,
              4: InvalidInputException o4)
  bool delete_table_column_statistics(1: string db_name, 2: string tbl_name, 3: string col_name,
                                      4: string engine)
      throws (1: NoSuchObjectException o1, 2: MetaException o2, 3: InvalidObjectException o3,
              4: InvalidInputException o4)
  bool delete_column_statistics_req(1: DeleteColumnStatisticsRequest req)
      throws (1: NoSuchObjectException o1, 2: MetaException o2, 3: InvalidObjectException o3,
              4: InvalidInputException o4)

  // --- functions ---

  void create_function(1: Function func)
      throws (1: AlreadyExistsException o1, 2: InvalidObjectException o2, 3: MetaException o3,
              4: NoSuchObjectException o4)
  // The MetaException slot is 2 but its field is named o3, as in Hive.
  void drop_function(1: string dbName, 2: string funcName)
      throws (1: NoSuchObjectException o1, 2: MetaException o3)
  void alter_function(1: string dbName, 2: string funcName, 3: Function newFunc)
      throws (1: InvalidOperationException o1, 2: MetaException o2)
  Function get_function(1: string dbName, 2: string funcName)
      throws (1: MetaException o1, 2: NoSuchObjectException o2)
  list<string> get_functions(1: string dbName, 2: string pattern) throws (1: MetaException o1)
  GetAllFunctionsResponse get_all_functions() throws (1: MetaException o1)

  // --- constraints ---

  PrimaryKeysResponse get_primary_keys(1: PrimaryKeysRequest request)
      throws (1: MetaException o1, 2: NoSuchObjectException o2)
  ForeignKeysResponse get_foreign_keys(1: ForeignKeysRequest request)
      throws (1: MetaException o1, 2: NoSuchObjectException o2)
  UniqueConstraintsResponse get_unique_constraints(1: UniqueConstraintsRequest request)
      throws (1: MetaException o1, 2: NoSuchObjectException o2)
  NotNullConstraintsResponse get_not_null_constraints(1: NotNullConstraintsRequest request)
      throws (1: MetaException o1, 2: NoSuchObjectException o2)
  DefaultConstraintsResponse get_default_constraints(1: DefaultConstraintsRequest request)
      throws (1: MetaException o1, 2: NoSuchObjectException o2)
  CheckConstraintsResponse get_check_constraints(1: CheckConstraintsRequest request)
      throws (1: MetaException o1, 2: NoSuchObjectException o2)
  AllTableConstraintsResponse get_all_table_constraints(1: AllTableConstraintsRequest request)
      throws (1: MetaException o1, 2: NoSuchObjectException o2)

  // --- notification log (no exceptions declared) ---

  CurrentNotificationEventId get_current_notificationEventId()
  NotificationEventResponse get_next_notification(1: NotificationEventRequest rqst)

  // --- Hive 4 request forms ---

  GetFieldsResponse get_fields_req(1: GetFieldsRequest req)
      throws (1: MetaException o1, 2: UnknownTableException o2, 3: UnknownDBException o3)
  GetSchemaResponse get_schema_req(1: GetSchemaRequest req)
      throws (1: MetaException o1, 2: UnknownTableException o2, 3: UnknownDBException o3)
  list<ExtendedTableInfo> get_tables_ext(1: GetTablesExtRequest req) throws (1: MetaException o1)
  // Constraints are accepted and not kept, as with create_table_req.
  void create_table_with_constraints(1: Table tbl, 2: list<SQLPrimaryKey> primaryKeys,
                                     3: list<SQLForeignKey> foreignKeys,
                                     4: list<SQLUniqueConstraint> uniqueConstraints,
                                     5: list<SQLNotNullConstraint> notNullConstraints,
                                     6: list<SQLDefaultConstraint> defaultConstraints,
                                     7: list<SQLCheckConstraint> checkConstraints)
      throws (1: AlreadyExistsException o1, 2: InvalidObjectException o2, 3: MetaException o3,
              4: NoSuchObjectException o4)
  // Partition names matching a serialized (Kryo) expression.
  list<string> get_partition_names_req(1: PartitionsByExprRequest req)
      throws (1: MetaException o1, 2: NoSuchObjectException o2)
  GetPartitionsResponse get_partitions_with_specs(1: GetPartitionsRequest request)
      throws (1: MetaException o1)
}

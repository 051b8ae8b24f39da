// arbor_cloud.h: the C ABI of Arbor's cloud metastore clients (clients/duckdb/cloud, a
// Rust static library): AWS Glue's Data Catalog through AWS's own SDK (signing, the
// credential chain, retries) and Dataproc Metastore service discovery through Google's
// Application Default Credentials.
//
// Contract:
//  * Handles (arbor_glue_client) are opaque and safe to use from several threads at once;
//    each call blocks its caller until the operation finishes.
//  * Every operation returns NULL on success or an owned arbor_cloud_error whose message
//    names the provider and the operation ("glue GetTable(sales.orders): ..."); free it
//    with arbor_cloud_error_free. On error no result is stored.
//  * Results are owned, immutable buffers (arbor_cloud_page, arbor_dataproc_service):
//    every pointer inside one stays valid until the buffer is freed with its free function.
//    Optional strings are NULL when absent; arrays come with their counts.
//  * Input structs are only read during the call; the library keeps no pointer to them.
#ifndef ARBOR_CLOUD_H_
#define ARBOR_CLOUD_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  ARBOR_CLOUD_OK = 0,
  ARBOR_CLOUD_INVALID_ARGUMENT = 1,  // bad configuration or input (also Glue InvalidInput)
  ARBOR_CLOUD_NOT_FOUND = 2,         // database, table, partition or service missing
  ARBOR_CLOUD_ALREADY_EXISTS = 3,
  ARBOR_CLOUD_ACCESS_DENIED = 4,     // rejected or missing credentials, no permission
  ARBOR_CLOUD_THROTTLED = 5,         // still throttled once the retries ran out
  ARBOR_CLOUD_UNSUPPORTED = 6,       // e.g. a Dataproc service with a gRPC endpoint
  ARBOR_CLOUD_UNAVAILABLE = 7,       // connection failure or timeout
  ARBOR_CLOUD_INTERNAL = 8,          // anything else (the message says what)
} arbor_cloud_code;

typedef struct arbor_cloud_error arbor_cloud_error;
arbor_cloud_code arbor_cloud_error_code(const arbor_cloud_error* error);
const char* arbor_cloud_error_message(const arbor_cloud_error* error);
void arbor_cloud_error_free(arbor_cloud_error* error);

// ---- The metastore model, as Glue returns and accepts it ----

typedef struct {
  const char* key;
  const char* value;
} arbor_cloud_kv;

typedef struct {
  const char* name;
  const char* type;  // Hive type string ("int", "array<string>", ...)
  const char* comment;
} arbor_cloud_column;

typedef struct {
  const char* location;
  const char* input_format;
  const char* output_format;
  const char* serde_library;
  const arbor_cloud_kv* serde_parameters;
  size_t serde_parameter_count;
  const arbor_cloud_column* columns;
  size_t column_count;
} arbor_cloud_storage;

typedef struct {
  const char* name;
  const char* description;
  const char* location;
  const arbor_cloud_kv* parameters;
  size_t parameter_count;
} arbor_cloud_database;

typedef struct {
  const char* database;
  const char* name;
  const char* table_type;  // EXTERNAL_TABLE, MANAGED_TABLE, VIRTUAL_VIEW, ...
  const char* owner;
  const char* description;
  int64_t create_time;  // seconds since the epoch; 0 when unknown
  arbor_cloud_storage storage;
  const arbor_cloud_column* partition_keys;
  size_t partition_key_count;
  const arbor_cloud_kv* parameters;
  size_t parameter_count;
} arbor_cloud_table;

typedef struct {
  const char* const* values;  // one per partition key, in key order
  size_t value_count;
  int64_t create_time;
  arbor_cloud_storage storage;
  const arbor_cloud_kv* parameters;
  size_t parameter_count;
} arbor_cloud_partition;

// One page of a listing (or the single result of a lookup). next_token is NULL on the
// last page; pass it back to get the next one.
typedef struct {
  const arbor_cloud_database* databases;
  size_t database_count;
  const arbor_cloud_table* tables;
  size_t table_count;
  const arbor_cloud_partition* partitions;
  size_t partition_count;
  const char* next_token;
} arbor_cloud_page;
void arbor_cloud_page_free(const arbor_cloud_page* page);

// ---- AWS Glue ----

// Unset (NULL / 0) fields take the SDK's defaults. Credentials: access_key_id and
// secret_access_key (+ session_token) when given, otherwise AWS's default chain
// (environment, shared config/credentials files with `profile`, web identity, ECS and
// instance metadata); role_arn then assumes that role with those credentials.
typedef struct {
  const char* region;
  const char* endpoint;    // endpoint override, e.g. http://127.0.0.1:5000
  const char* catalog_id;  // Glue catalog id (account id); NULL = the caller's account
  const char* access_key_id;
  const char* secret_access_key;
  const char* session_token;
  const char* profile;
  const char* role_arn;
  const char* role_session_name;
  const char* external_id;
  uint32_t max_attempts;        // retries of throttled/transient failures, total attempts
  uint32_t initial_backoff_ms;  // first back-off; later ones grow exponentially, jittered
  uint32_t max_backoff_ms;
  uint32_t timeout_ms;  // per operation (all attempts); 0 = none
} arbor_glue_config;

typedef struct arbor_glue_client arbor_glue_client;

// Resolves the configuration (credentials are fetched lazily, on the first call).
arbor_cloud_error* arbor_glue_client_new(const arbor_glue_config* config, arbor_glue_client** out);
void arbor_glue_client_free(arbor_glue_client* client);
// A one-line description for debugging: region, endpoint, catalog and the auth method
// (never a secret).
char* arbor_glue_client_describe(const arbor_glue_client* client);
void arbor_cloud_string_free(char* s);

// max_results 0 = the service's default page size.
arbor_cloud_error* arbor_glue_get_databases(arbor_glue_client* client, const char* next_token,
                                            int32_t max_results, const arbor_cloud_page** out);
// The database alone, as the single entry of the page.
arbor_cloud_error* arbor_glue_get_database(arbor_glue_client* client, const char* database,
                                           const arbor_cloud_page** out);
arbor_cloud_error* arbor_glue_create_database(arbor_glue_client* client,
                                              const arbor_cloud_database* database);
arbor_cloud_error* arbor_glue_delete_database(arbor_glue_client* client, const char* database);
arbor_cloud_error* arbor_glue_get_tables(arbor_glue_client* client, const char* database,
                                         const char* next_token, int32_t max_results,
                                         const arbor_cloud_page** out);
arbor_cloud_error* arbor_glue_get_table(arbor_glue_client* client, const char* database,
                                        const char* table, const arbor_cloud_page** out);
// expression: Glue's partition predicate (NULL = all partitions). total_segments > 0 lists
// only segment segment_number of total_segments (parallel listing).
arbor_cloud_error* arbor_glue_get_partitions(arbor_glue_client* client, const char* database,
                                             const char* table, const char* expression,
                                             int32_t segment_number, int32_t total_segments,
                                             const char* next_token, int32_t max_results,
                                             const arbor_cloud_page** out);
// Looks up partitions by their values (each entry: value_count values), in batches of
// Glue's limit, re-asking for the keys Glue left unprocessed. Missing ones are absent.
typedef struct {
  const char* const* values;
  size_t value_count;
} arbor_cloud_partition_values;
arbor_cloud_error* arbor_glue_batch_get_partition(arbor_glue_client* client, const char* database,
                                                  const char* table,
                                                  const arbor_cloud_partition_values* keys,
                                                  size_t key_count, const arbor_cloud_page** out);
arbor_cloud_error* arbor_glue_create_table(arbor_glue_client* client,
                                           const arbor_cloud_table* table);
// Replaces the table's definition (UpdateTable).
arbor_cloud_error* arbor_glue_update_table(arbor_glue_client* client,
                                           const arbor_cloud_table* table);
// In batches of Glue's limit (100); the first partition Glue rejects fails the call,
// except, with if_not_exists, one that already exists (it is left as it is).
arbor_cloud_error* arbor_glue_batch_create_partition(arbor_glue_client* client,
                                                     const char* database, const char* table,
                                                     const arbor_cloud_partition* partitions,
                                                     size_t partition_count, int if_not_exists);
arbor_cloud_error* arbor_glue_delete_table(arbor_glue_client* client, const char* database,
                                           const char* table);

// ---- Dataproc Metastore ----

typedef struct {
  const char* project;
  const char* location;
  const char* service;
  const char* api_endpoint;      // default https://metastore.googleapis.com
  const char* credentials_file;  // a service-account key; NULL = Application Default Credentials
  const char* access_token;      // an OAuth token to use as is (skips credentials)
  uint32_t timeout_ms;           // 0 = 30 s
} arbor_dataproc_config;

typedef struct {
  const char* name;               // projects/P/locations/L/services/S
  const char* endpoint_uri;       // thrift://host:port
  const char* endpoint_protocol;  // THRIFT (gRPC services are refused)
  const char* state;              // ACTIVE, ...
  const char* hive_version;
  const char* auth_method;        // which credentials were used (for debugging)
} arbor_dataproc_service;

// GET {api_endpoint}/v1/projects/P/locations/L/services/S. A service whose Hive endpoint
// protocol is GRPC gives ARBOR_CLOUD_UNSUPPORTED naming the service.
arbor_cloud_error* arbor_dataproc_resolve(const arbor_dataproc_config* config,
                                          const arbor_dataproc_service** out);
void arbor_dataproc_service_free(const arbor_dataproc_service* service);

#ifdef __cplusplus
}  // extern "C"
#endif

#endif  // ARBOR_CLOUD_H_

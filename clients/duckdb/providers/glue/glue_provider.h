// The `glue` provider: AWS Glue's Data Catalog through AWS's own SDK (the Rust
// aws-sdk-glue behind clients/duckdb/cloud's C ABI: SigV4, the credential chain,
// retries of throttling with back-off and jitter).
//
// ATTACH 'glue://[catalog_id]' AS lake (TYPE metastore, PROVIDER glue, REGION '...').
// Options (ATTACH or CREATE SECRET (TYPE metastore, PROVIDER glue, ...)):
//   region, endpoint (override, e.g. a local Glue), catalog_id, access_key_id,
//   secret_access_key, session_token, profile, role_arn, role_session_name, external_id,
//   max_attempts, initial_backoff_ms, max_backoff_ms, page_size, partition_segments.
// Without access_key_id/secret_access_key the standard AWS credential chain applies.
// (Not KEY_ID/SECRET as in DuckDB's S3 secrets: SECRET in ATTACH names a DuckDB secret.)
//
// Partition pruning: ListPartitions renders the predicate in Glue's Expression syntax
// (terms it cannot render are left out and applied locally), lists the partitions in
// `partition_segments` parallel segments, and always re-checks Matches() locally.
#pragma once

#include <string>

#include "clients/duckdb/metastore/partition_predicate.h"
#include "clients/duckdb/metastore/provider_config.h"

namespace arbor::metastore {

ProviderFactory GlueProviderFactory();

// Glue's GetPartitions Expression for `predicate`; `complete` is set to whether every
// term was rendered (the rest must be checked locally). Empty: nothing to push down.
std::string GlueExpression(const PartitionPredicate& predicate, const std::vector<Column>& columns,
                           bool* complete);

}  // namespace arbor::metastore

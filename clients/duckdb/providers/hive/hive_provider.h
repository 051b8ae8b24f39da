// The `hive` provider: any Hive Metastore over Thrift (Arbor included), on
// the buffered binary protocol, one connection per provider, reconnected
// after a transport error.
//
// Endpoint: thrift://host:port. Options: `user` (sent with set_ugi-less
// requests as the table owner on CREATE). Arbor refs ride in the namespace
// name ("sales@dev"); the common `ref` option makes "sales" mean "sales@<ref>"
// (the catalog layer does that rewrite, see metastore_catalog.h).
//
// Filter pushdown: ListPartitions renders the predicate in HMS filter syntax
// and calls get_partitions_by_filter; if the server refuses it (MetaException,
// e.g. a filter on a non-string column some metastores cannot push to their
// database), it falls back to get_partition_names, prunes locally and fetches
// the survivors with get_partitions_by_names.
#pragma once

#include "clients/duckdb/metastore/provider_config.h"

namespace arbor::metastore {

ProviderFactory HiveProviderFactory();

}  // namespace arbor::metastore

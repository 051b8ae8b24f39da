// A partition filter as a catalog query: what get_partitions_by_filter and the
// other filtered listings ask CatalogQuery (versioning/catalog_query.h).
//
// Contract: the query selects exactly the partitions the filter matches (on
// top of whatever else it selects); the filter's bounds on leading string
// keys (PartitionFilter::Bounds) become the query's boxes, so only the key
// ranges that can hold a match are read, and the filter is the final judge,
// evaluated on values decoded from the partition names.
#pragma once

#include <memory>

#include "server/hms/partition_filter.h"
#include "versioning/catalog_query.h"

namespace arbor::hms {

// Adds `filter` to `query` (nothing for the empty filter).
void AddFilter(std::shared_ptr<const PartitionFilter> filter, PartitionQuery* query);

}  // namespace arbor::hms

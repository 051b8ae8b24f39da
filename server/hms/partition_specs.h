// Partitions as Hive groups them into PartitionSpecs (HMS's
// get_partitionspecs_grouped_by_storage_descriptor), for get_partitions_pspec,
// get_part_specs_by_filter and get_partitions_with_specs: partitions under the
// table's location that share a storage descriptor (all but the location)
// form one spec with that descriptor (its location the table's, also the
// spec's rootPath) and each partition's path relative to it; the rest come
// whole, in order, in one partitionList spec. No partitions: no spec.
#pragma once

#include <string>
#include <vector>

#include "hive_metastore_types.h"

namespace arbor::hms {

namespace hive = ::Apache::Hadoop::Hive;

// `table_location`: the table's location as the client sees it ("" for a view).
std::vector<hive::PartitionSpec> GroupPartitionSpecs(const std::string& table_location,
                                                     std::vector<hive::Partition> parts);

// The reply of get_partitions_pspec and get_part_specs_by_filter, as HMS forms
// it: grouped as above only when `table` (as the client sees it) sets
// hive.hcatalog.partition.spec.grouping.enabled to "true" (any case);
// otherwise exactly one spec naming the table, with its location as rootPath,
// that holds the partitions as a plain list, even when there are none
// (Hive's clients read the first spec's partitionList).
std::vector<hive::PartitionSpec> ListedPartitionSpecs(const hive::Table& table,
                                                      std::vector<hive::Partition> parts);

}  // namespace arbor::hms

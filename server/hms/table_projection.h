// Hive 4's GetProjectionsSpec for tables (get_table_objects_by_name_req): the
// fieldList names Table fields by their Thrift paths ("dbName", "sd.location",
// "sd.serdeInfo.serializationLib", ...), and a reply carries only those.
//
// As HMS does: an empty list means whole tables; a list naming any list- or
// map-valued field (parameters, sd.cols.name, sd.serdeInfo.parameters, ...)
// also answers whole tables; a path that names no field, and the include /
// exclude parameter patterns (which HMS takes for partitions only), are refused
// with InvalidRequest (MetaException). Hive's server always sends the plain
// numeric fields its IDL declares required-by-default (createTime,
// lastAccessTime, retention; sd.compressed and sd.numBuckets), so a projected
// table keeps them too: Hive's clients see them set.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "hive_metastore_types.h"

namespace arbor::hms {

namespace hive = ::Apache::Hadoop::Hive;

class TableProjection {
 public:
  // Whole tables.
  TableProjection() = default;

  static Result<TableProjection> Parse(const hive::GetProjectionsSpec& spec);

  bool whole() const { return whole_; }
  // `table` with only the projected fields (unchanged when whole()).
  hive::Table Apply(const hive::Table& table) const;

 private:
  bool whole_ = true;
  std::vector<std::string> fields_;  // validated single-valued paths
};

}  // namespace arbor::hms

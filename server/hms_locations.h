// Applying LocationMapper to the entities the HMS front end stores and returns:
// locations are put in stored form on the way in, and rendered for the ref being
// read on the way out. Without lakeFS both directions are no-ops.
#pragma once

#include "arbor/catalog.pb.h"
#include "hive_metastore_types.h"
#include "server/location_mapper.h"

namespace arbor::hms {

void StoreLocations(const LocationMapper& mapper, catalog::Database* db);
void StoreLocations(const LocationMapper& mapper, catalog::Table* table);
void StoreLocations(const LocationMapper& mapper, catalog::Partition* partition);

// Renders locations for one lakeFS ref (resolved once per request).
struct LocationRenderer {
  const LocationMapper* mapper = nullptr;  // null: nothing to render
  std::string lakefs_ref;

  void operator()(::Apache::Hadoop::Hive::Database* db) const;
  void operator()(::Apache::Hadoop::Hive::Table* table) const;
  void operator()(::Apache::Hadoop::Hive::Partition* partition) const;
};

}  // namespace arbor::hms

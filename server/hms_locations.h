// Applying LocationMapper to the entities the HMS front end stores and returns:
// locations are put in stored form on the way in, and rendered for the ref being
// read on the way out. Without lakeFS both directions are no-ops.
//
// One mechanism for both representations: each entity's location fields are
// listed once per representation (catalog proto, Thrift struct), and every
// direction applies the mapper to exactly those fields. The Thrift handlers and
// the admin API's browsing routes render through the same functions.
#pragma once

#include <string>

#include "arbor/catalog.pb.h"
#include "hive_metastore_types.h"
#include "server/location_mapper.h"

namespace arbor::hms {

void StoreLocations(const LocationMapper& mapper, catalog::Database* db);
void StoreLocations(const LocationMapper& mapper, catalog::Table* table);
void StoreLocations(const LocationMapper& mapper, catalog::Partition* partition);

// Stored locations rendered for `lakefs_ref` (Repository::LakeFsRefFor of the
// ref being read): ${ref} becomes the branch name or the paired lakeFS commit.
void RenderLocations(const LocationMapper& mapper, const std::string& lakefs_ref,
                     catalog::Database* db);
void RenderLocations(const LocationMapper& mapper, const std::string& lakefs_ref,
                     catalog::Table* table);
void RenderLocations(const LocationMapper& mapper, const std::string& lakefs_ref,
                     catalog::Partition* partition);

// Renders locations for one lakeFS ref (resolved once per request).
struct LocationRenderer {
  const LocationMapper* mapper = nullptr;  // null: nothing to render
  std::string lakefs_ref;

  void operator()(::Apache::Hadoop::Hive::Database* db) const;
  void operator()(::Apache::Hadoop::Hive::Table* table) const;
  void operator()(::Apache::Hadoop::Hive::Partition* partition) const;
  void operator()(catalog::Database* db) const;
  void operator()(catalog::Table* table) const;
  void operator()(catalog::Partition* partition) const;
};

}  // namespace arbor::hms

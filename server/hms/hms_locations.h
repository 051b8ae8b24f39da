// Rendering stored locations into the Thrift structs the HMS front end returns.
// The stored (proto) side and the renderer itself live in
// versioning/location_renderer.h; this file only names each Thrift struct's
// location fields, once.
#pragma once

#include "hive_metastore_types.h"
#include "versioning/location_renderer.h"

namespace arbor::hms {

void RenderLocations(const LocationRenderer& render, ::Apache::Hadoop::Hive::Database* db);
void RenderLocations(const LocationRenderer& render, ::Apache::Hadoop::Hive::Table* table);
void RenderLocations(const LocationRenderer& render, ::Apache::Hadoop::Hive::Partition* partition);

}  // namespace arbor::hms

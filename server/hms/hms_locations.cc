#include "server/hms/hms_locations.h"

namespace arbor::hms {

namespace hive = ::Apache::Hadoop::Hive;

void RenderLocations(const LocationRenderer& render, hive::Database* db) {
  if (!render.enabled()) return;
  if (db->__isset.locationUri) render.Render(&db->locationUri);
  if (db->__isset.managedLocationUri) render.Render(&db->managedLocationUri);
}

void RenderLocations(const LocationRenderer& render, hive::Table* table) {
  if (render.enabled() && table->__isset.sd && table->sd.__isset.location) {
    render.Render(&table->sd.location);
  }
}

void RenderLocations(const LocationRenderer& render, hive::Partition* partition) {
  if (render.enabled() && partition->__isset.sd && partition->sd.__isset.location) {
    render.Render(&partition->sd.location);
  }
}

}  // namespace arbor::hms

#include "server/hms_locations.h"

namespace arbor::hms {

void StoreLocations(const LocationMapper& mapper, catalog::Database* db) {
  if (!mapper.enabled()) return;
  if (db->has_location_uri()) db->set_location_uri(mapper.ToStored(db->location_uri()));
  if (db->has_managed_location_uri()) {
    db->set_managed_location_uri(mapper.ToStored(db->managed_location_uri()));
  }
}

void StoreLocations(const LocationMapper& mapper, catalog::Table* table) {
  if (!mapper.enabled() || !table->has_sd() || !table->sd().has_location()) return;
  table->mutable_sd()->set_location(mapper.ToStored(table->sd().location()));
}

void StoreLocations(const LocationMapper& mapper, catalog::Partition* partition) {
  if (!mapper.enabled() || !partition->has_sd() || !partition->sd().has_location()) return;
  partition->mutable_sd()->set_location(mapper.ToStored(partition->sd().location()));
}

void LocationRenderer::operator()(::Apache::Hadoop::Hive::Database* db) const {
  if (!mapper) return;
  if (db->__isset.locationUri) db->__set_locationUri(mapper->Render(db->locationUri, lakefs_ref));
  if (db->__isset.managedLocationUri) {
    db->__set_managedLocationUri(mapper->Render(db->managedLocationUri, lakefs_ref));
  }
}

void LocationRenderer::operator()(::Apache::Hadoop::Hive::Table* table) const {
  if (!mapper || !table->__isset.sd || !table->sd.__isset.location) return;
  table->sd.__set_location(mapper->Render(table->sd.location, lakefs_ref));
}

void LocationRenderer::operator()(::Apache::Hadoop::Hive::Partition* partition) const {
  if (!mapper || !partition->__isset.sd || !partition->sd.__isset.location) return;
  partition->sd.__set_location(mapper->Render(partition->sd.location, lakefs_ref));
}

}  // namespace arbor::hms

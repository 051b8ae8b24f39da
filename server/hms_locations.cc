#include "server/hms_locations.h"

namespace arbor::hms {

namespace {

namespace hive = ::Apache::Hadoop::Hive;

// The location fields of each entity, listed once per representation; `f`
// rewrites a set field in place (unset fields stay unset).
template <typename F>
void ForEachLocation(catalog::Database* db, F&& f) {
  if (db->has_location_uri()) f(db->mutable_location_uri());
  if (db->has_managed_location_uri()) f(db->mutable_managed_location_uri());
}

template <typename F>
void ForEachLocation(catalog::Table* table, F&& f) {
  if (table->has_sd() && table->sd().has_location()) f(table->mutable_sd()->mutable_location());
}

template <typename F>
void ForEachLocation(catalog::Partition* partition, F&& f) {
  if (partition->has_sd() && partition->sd().has_location()) {
    f(partition->mutable_sd()->mutable_location());
  }
}

template <typename F>
void ForEachLocation(hive::Database* db, F&& f) {
  if (db->__isset.locationUri) f(&db->locationUri);
  if (db->__isset.managedLocationUri) f(&db->managedLocationUri);
}

template <typename F>
void ForEachLocation(hive::Table* table, F&& f) {
  if (table->__isset.sd && table->sd.__isset.location) f(&table->sd.location);
}

template <typename F>
void ForEachLocation(hive::Partition* partition, F&& f) {
  if (partition->__isset.sd && partition->sd.__isset.location) f(&partition->sd.location);
}

template <typename Entity>
void Store(const LocationMapper& mapper, Entity* e) {
  if (!mapper.enabled()) return;
  ForEachLocation(e, [&](std::string* location) { *location = mapper.ToStored(*location); });
}

template <typename Entity>
void Render(const LocationMapper* mapper, const std::string& lakefs_ref, Entity* e) {
  if (mapper == nullptr || !mapper->enabled()) return;
  ForEachLocation(
      e, [&](std::string* location) { *location = mapper->Render(*location, lakefs_ref); });
}

}  // namespace

void StoreLocations(const LocationMapper& mapper, catalog::Database* db) {
  Store(mapper, db);
}
void StoreLocations(const LocationMapper& mapper, catalog::Table* table) {
  Store(mapper, table);
}
void StoreLocations(const LocationMapper& mapper, catalog::Partition* partition) {
  Store(mapper, partition);
}

void RenderLocations(const LocationMapper& mapper, const std::string& lakefs_ref,
                     catalog::Database* db) {
  Render(&mapper, lakefs_ref, db);
}
void RenderLocations(const LocationMapper& mapper, const std::string& lakefs_ref,
                     catalog::Table* table) {
  Render(&mapper, lakefs_ref, table);
}
void RenderLocations(const LocationMapper& mapper, const std::string& lakefs_ref,
                     catalog::Partition* partition) {
  Render(&mapper, lakefs_ref, partition);
}

void LocationRenderer::operator()(hive::Database* db) const {
  Render(mapper, lakefs_ref, db);
}
void LocationRenderer::operator()(hive::Table* table) const {
  Render(mapper, lakefs_ref, table);
}
void LocationRenderer::operator()(hive::Partition* partition) const {
  Render(mapper, lakefs_ref, partition);
}
void LocationRenderer::operator()(catalog::Database* db) const {
  Render(mapper, lakefs_ref, db);
}
void LocationRenderer::operator()(catalog::Table* table) const {
  Render(mapper, lakefs_ref, table);
}
void LocationRenderer::operator()(catalog::Partition* partition) const {
  Render(mapper, lakefs_ref, partition);
}

}  // namespace arbor::hms

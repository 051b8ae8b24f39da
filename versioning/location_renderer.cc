#include "versioning/location_renderer.h"

#include "versioning/repository.h"

namespace arbor {

namespace {

// The location fields of each stored entity, listed once; `f` rewrites a set
// field in place (unset fields stay unset).
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

template <typename Entity>
void Store(const LocationMapper& mapper, Entity* e) {
  if (!mapper.enabled()) return;
  ForEachLocation(e, [&](std::string* location) { *location = mapper.ToStored(*location); });
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

void LocationRenderer::Render(std::string* location) const {
  if (enabled()) *location = mapper->Render(*location, lakefs_ref);
}
void LocationRenderer::operator()(catalog::Database* db) const {
  if (enabled()) ForEachLocation(db, [&](std::string* l) { Render(l); });
}
void LocationRenderer::operator()(catalog::Table* table) const {
  if (enabled()) ForEachLocation(table, [&](std::string* l) { Render(l); });
}
void LocationRenderer::operator()(catalog::Partition* partition) const {
  if (enabled()) ForEachLocation(partition, [&](std::string* l) { Render(l); });
}

Result<LocationRenderer> RendererFor(Repository* repo, const LocationMapper* mapper,
                                     const ReadView& view) {
  if (mapper == nullptr || !mapper->enabled()) return LocationRenderer{};
  ARBOR_ASSIGN_OR_RETURN(std::string lakefs_ref, repo->LakeFsRefFor(view.ref()));
  return LocationRenderer{mapper, std::move(lakefs_ref)};
}

}  // namespace arbor

// Applying LocationMapper to stored catalog entities: locations are put in stored
// form on the way in, and rendered for the ref being read on the way out. Without
// lakeFS both directions are no-ops.
//
// A LocationRenderer is built from the ReadView that serves the request
// (RendererFor), never by resolving the ref again: the locations a reply shows
// are those of the very state its entities were read from, even if a tag moves
// meanwhile. Front ends that return other representations (Thrift structs) apply
// Render() to their own location fields.
#pragma once

#include <string>

#include "arbor/catalog.pb.h"
#include "versioning/location_mapper.h"
#include "versioning/read_view.h"

namespace arbor {

class Repository;

void StoreLocations(const LocationMapper& mapper, catalog::Database* db);
void StoreLocations(const LocationMapper& mapper, catalog::Table* table);
void StoreLocations(const LocationMapper& mapper, catalog::Partition* partition);

// Renders stored locations for one lakeFS ref (Repository::LakeFsRefFor of the
// ref a view reads).
struct LocationRenderer {
  const LocationMapper* mapper = nullptr;  // null or disabled: nothing to render
  std::string lakefs_ref;

  bool enabled() const { return mapper != nullptr && mapper->enabled(); }
  // Rewrites one stored location in place.
  void Render(std::string* location) const;
  void operator()(catalog::Database* db) const;
  void operator()(catalog::Table* table) const;
  void operator()(catalog::Partition* partition) const;
};

// The renderer for what `view` reads: a no-op renderer without lakeFS (mapper
// null or disabled), else one for the lakeFS ref paired with the view's ref.
Result<LocationRenderer> RendererFor(Repository* repo, const LocationMapper* mapper,
                                     const ReadView& view);

}  // namespace arbor

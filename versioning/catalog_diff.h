// Diffs of the catalog between two read views, paginated and in key order.
//
// When neither view has staged changes this is the structural tree diff. When
// one has, the candidates are the keys where the trees differ plus every staged
// key of either side; each candidate is then compared through the views. Keys
// outside that set are equal on both sides by construction, so the cost stays
// proportional to the differences, never to the catalog.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "versioning/catalog_key.h"
#include "versioning/read_view.h"

namespace arbor {

enum class ChangeType { kAdded, kRemoved, kChanged };
std::string_view ChangeTypeName(ChangeType type);

struct CatalogChange {
  std::string key;  // encoded
  CatalogKey name;  // decoded
  ChangeType type = ChangeType::kChanged;
  std::optional<std::string> old_value;
  std::optional<std::string> new_value;
};

struct DiffPageOptions {
  std::string after;  // encoded key; the page starts after it (empty: from the start)
  size_t limit = 1000;
};

struct DiffPage {
  std::vector<CatalogChange> changes;
  bool has_more = false;
  std::string next_after;  // pass as DiffPageOptions::after for the next page
};

Result<DiffPage> DiffViews(const ReadView& left, const ReadView& right, NodeStore* nodes,
                           KvStore* kv, const DiffPageOptions& options);

}  // namespace arbor

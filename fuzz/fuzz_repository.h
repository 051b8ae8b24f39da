// An in-memory repository for the fuzz targets that drive a front end: the `default`
// database and `sales`, a `dev` branch and a `v1` tag, so fuzzed requests reach real
// handlers rather than stopping at "not found". Built once per process.
#pragma once

#include <cstdlib>
#include <memory>

#include "storage/mem_kv_store.h"
#include "versioning/catalog.h"
#include "versioning/repository.h"

namespace arbor::fuzz {

inline Repository* SharedRepository() {
  static MemKvStore* kv = new MemKvStore();
  static Repository* repo = [] {
    catalog::Database def;
    def.set_name("default");
    def.set_location_uri("file:/tmp/arbor-fuzz/warehouse");
    catalog::Database sales;
    sales.set_name("sales");
    sales.set_location_uri("file:/tmp/arbor-fuzz/warehouse/sales.db");
    RepositoryOptions o;
    auto initial = InitialCatalogEdits({def, sales});
    if (!initial.ok()) std::abort();
    o.initial_entries = std::move(initial).value();
    o.node_cache_bytes = 4 << 20;
    o.commit_cache_bytes = 1 << 20;
    auto repo = Repository::Open(kv, std::move(o));
    if (!repo.ok()) std::abort();
    if (!(*repo)->CreateBranch("dev", "main").ok()) std::abort();
    if (!(*repo)->CreateTag("v1", "main").ok()) std::abort();
    return repo->release();
  }();
  return repo;
}

}  // namespace arbor::fuzz

// Collecting paginated listings; the contract is in cli/paging.h.
#include "cli/paging.h"

#include <algorithm>

namespace arbor::cli {

namespace {

constexpr size_t kPage = 1000;

std::string PageLimit(size_t collected, size_t max) {
  size_t n = max == 0 ? kPage : std::min(kPage, max - collected);
  return std::to_string(n);
}

bool Full(size_t collected, size_t max) {
  return max != 0 && collected >= max;
}

}  // namespace

admin::DiffResponse FetchDiff(const ApiClient& api, const std::string& path, size_t max) {
  admin::DiffResponse all;
  std::string after;
  while (true) {
    admin::DiffResponse page;
    api.Get(path + Query({{"after", after}, {"limit", PageLimit(all.changes_size(), max)}}), &page);
    if (!all.has_left()) {
      *all.mutable_left() = page.left();
      *all.mutable_right() = page.right();
    }
    for (auto& c : *page.mutable_changes())
      *all.add_changes() = std::move(c);
    all.set_has_more(page.has_more());
    all.set_next_after(page.next_after());
    if (!page.has_more() || page.next_after().empty() || Full(all.changes_size(), max)) break;
    after = page.next_after();
  }
  return all;
}

admin::LogResponse FetchLog(const ApiClient& api, const std::string& ref, bool first_parent,
                            size_t max) {
  admin::LogResponse all;
  std::string after;
  while (true) {
    admin::LogResponse page;
    api.Get("/refs" + Seg(ref) + "/commits" +
                Query({{"after", after},
                       {"limit", PageLimit(all.commits_size(), max)},
                       {"first_parent", first_parent ? "true" : ""}}),
            &page);
    for (auto& c : *page.mutable_commits())
      *all.add_commits() = std::move(c);
    all.set_has_more(page.has_more());
    all.set_next_after(page.next_after());
    if (!page.has_more() || page.next_after().empty() || Full(all.commits_size(), max)) break;
    after = page.next_after();
  }
  return all;
}

admin::ListTablesResponse FetchTables(const ApiClient& api, const std::string& ref,
                                      const std::string& db, size_t max) {
  admin::ListTablesResponse all;
  std::string after;
  while (true) {
    admin::ListTablesResponse page;
    api.Get("/refs" + Seg(ref) + "/databases" + Seg(db) + "/tables" +
                Query({{"after", after}, {"limit", PageLimit(all.tables_size(), max)}}),
            &page);
    if (!all.has_ref()) *all.mutable_ref() = page.ref();
    for (auto& t : *page.mutable_tables())
      *all.add_tables() = std::move(t);
    all.set_has_more(page.has_more());
    all.set_next_after(page.next_after());
    if (!page.has_more() || page.next_after().empty() || Full(all.tables_size(), max)) break;
    after = page.next_after();
  }
  return all;
}

admin::ListPartitionsResponse FetchPartitions(const ApiClient& api, const std::string& ref,
                                              const std::string& db, const std::string& table,
                                              size_t max) {
  admin::ListPartitionsResponse all;
  std::string after;
  while (true) {
    admin::ListPartitionsResponse page;
    api.Get("/refs" + Seg(ref) + "/databases" + Seg(db) + "/tables" + Seg(table) + "/partitions" +
                Query({{"after", after}, {"limit", PageLimit(all.partitions_size(), max)}}),
            &page);
    if (!all.has_ref()) *all.mutable_ref() = page.ref();
    for (auto& p : *page.mutable_partitions())
      *all.add_partitions() = std::move(p);
    all.set_has_more(page.has_more());
    all.set_next_after(page.next_after());
    if (!page.has_more() || page.next_after().empty() || Full(all.partitions_size(), max)) break;
    after = page.next_after();
  }
  all.set_next_offset(static_cast<uint64_t>(all.partitions_size()));
  return all;
}

}  // namespace arbor::cli

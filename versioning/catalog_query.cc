#include "versioning/catalog_query.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <utility>

#include <google/protobuf/arena.h>

#include "versioning/catalog_key.h"
#include "versioning/deterministic_proto.h"
#include "versioning/names.h"
#include "versioning/partition_name.h"

namespace arbor {

std::vector<std::string> PartitionKeyNames(const catalog::Table& t) {
  std::vector<std::string> keys;
  if (t.has_partition_keys()) {
    for (const auto& k : t.partition_keys().items())
      keys.push_back(NormalizeIdentifier(k.name()));
  }
  return keys;
}

namespace {

// The arena block a partition listing parses into; a partition with 8 columns
// takes about 4 KB of it.
constexpr size_t kParseBlockBytes = 32 * 1024;

// A partial specification in terms of names: which names it selects.
struct NameSpec {
  // Per key position, the escaped "key=value" component a name must have;
  // nullopt where any value matches.
  std::vector<std::optional<std::string>> components;
  size_t leading = 0;        // the fixed components before the first wildcard
  bool complete = false;     // they name every key: one partition at most
  bool check_names = false;  // a fixed component follows a wildcard

  bool Matches(std::string_view name) const {
    for (size_t i = 0; i < components.size(); ++i) {
      size_t slash = name.find('/');
      std::string_view part = name.substr(0, slash);
      if (components[i] && part != *components[i]) return false;
      if (slash == std::string_view::npos) {
        // A shorter name than the spec: it fails any fixed value still ahead.
        for (size_t j = i + 1; j < components.size(); ++j) {
          if (components[j]) return false;
        }
        return true;
      }
      name.remove_prefix(slash + 1);
    }
    return true;
  }
};

Result<NameSpec> SpecOf(const catalog::Table& table, const std::vector<std::string>& values) {
  NameSpec spec;
  if (values.empty()) return spec;
  std::vector<std::string> keys = PartitionKeyNames(table);
  if (values.size() > keys.size()) {
    return Status::InvalidArgument(
        "Incorrect number of partition values. numPartKeys=" + std::to_string(keys.size()) +
        ", part_vals=" + FormatValueList(values));
  }
  bool in_leading_run = true;
  for (size_t i = 0; i < values.size(); ++i) {
    if (values[i].empty()) {
      in_leading_run = false;
      spec.components.emplace_back();
      continue;
    }
    if (in_leading_run) {
      ++spec.leading;
    } else {
      spec.check_names = true;
    }
    ARBOR_ASSIGN_OR_RETURN(std::string component, MakePartName({keys[i]}, {values[i]}));
    spec.components.emplace_back(std::move(component));
  }
  spec.complete = spec.leading == keys.size();
  return spec;
}

// The keys of `table`'s partitions whose names begin with the spec's leading
// components. `*name_offset` is where the partition name starts in each key.
Result<KeyRange> RangeOf(const catalog::Table& table, const NameSpec& spec, size_t* name_offset) {
  const std::string& db = table.db_name();
  const std::string& name = table.table_name();
  ARBOR_ASSIGN_OR_RETURN(KeyRange all, PartitionsOfTable(db, name));
  // A partition key is its group's begin key followed by the name (catalog_key.h).
  *name_offset = all.begin.size();
  if (spec.leading == 0) return all;
  std::string prefix;
  for (size_t i = 0; i < spec.leading; ++i) {
    if (i) prefix += '/';
    prefix += *spec.components[i];
  }
  if (!spec.complete) prefix += '/';
  KeyRange range;
  ARBOR_ASSIGN_OR_RETURN(range.begin, EncodeKey(CatalogKey::ForPartition(db, name, prefix)));
  range.end = range.begin;
  if (spec.complete) {
    range.end += '\0';  // exactly the one partition
  } else {
    range.end.back() = static_cast<char>('/' + 1);  // every name that continues "k1=v1/"
  }
  return range;
}

// What a query scans: its spec, and the key range left after `after`.
struct Selection {
  NameSpec spec;
  KeyRange range;
  size_t name_offset = 0;  // where the partition name starts in each key
};

Result<Selection> SelectionOf(const catalog::Table& table, const PartitionQuery& q) {
  Selection s;
  ARBOR_ASSIGN_OR_RETURN(s.spec, SpecOf(table, q.values));
  ARBOR_ASSIGN_OR_RETURN(s.range, RangeOf(table, s.spec, &s.name_offset));
  if (!q.after.empty()) {
    ARBOR_ASSIGN_OR_RETURN(std::string after, EncodeKey(CatalogKey::ForPartition(
                                                  table.db_name(), table.table_name(), q.after)));
    after += '\0';  // the smallest key past `after`
    if (after > s.range.begin) s.range.begin = std::move(after);
  }
  return s;
}

}  // namespace

Status CatalogQuery::Partitions(const catalog::Table& table, const PartitionQuery& q,
                                const PartitionVisitor& fn) const {
  return Visit(table, q, &fn, nullptr);
}

Status CatalogQuery::PartitionsStored(const catalog::Table& table, const PartitionQuery& q,
                                      const StoredPartitionVisitor& fn) const {
  return Visit(table, q, nullptr, &fn);
}

// Exactly one of `fn` and `stored` is set.
Status CatalogQuery::Visit(const catalog::Table& table, const PartitionQuery& q,
                           const PartitionVisitor* fn, const StoredPartitionVisitor* stored) const {
  if (q.limit == 0) return SpecOf(table, q.values).status();
  ARBOR_ASSIGN_OR_RETURN(Selection selection, SelectionOf(table, q));
  const NameSpec& spec = selection.spec;
  const KeyRange& range = selection.range;
  const size_t name_offset = selection.name_offset;
  const bool parse = !stored && (q.parse || q.predicate);
  // Only the leading run narrows the range; anything else selects within it,
  // so the offset counts selected partitions and cannot be found by rank.
  const bool selects = spec.check_names || q.predicate;
  uint64_t skip = selects ? q.offset : 0;
  size_t taken = 0;
  Status error;
  // Each parsed partition lives on an arena reset before the next one: a heap
  // message cannot be reused, since proto3's Clear() frees its sub-messages,
  // while the arena's first block is reused, so a typical partition costs no
  // allocation but its long strings.
  std::unique_ptr<char[]> block(new char[kParseBlockBytes]);
  google::protobuf::ArenaOptions arena_options;
  arena_options.initial_block = block.get();
  arena_options.initial_block_size = kParseBlockBytes;
  google::protobuf::Arena arena(arena_options);
  catalog::Partition* p = nullptr;
  auto parse_into_arena = [&](const std::string& v) {
    arena.Reset();
    p = google::protobuf::Arena::CreateMessage<catalog::Partition>(&arena);
    error = ParseProto(v, p);
    return error.ok();
  };
  std::vector<std::string> values;
  std::string name;
  auto visit = [&](const std::string& k, const std::string& v) {
    name.assign(k, name_offset);
    if (spec.check_names && !spec.Matches(name)) return true;
    bool parsed = false;
    if (q.predicate) {
      if (!parse_into_arena(v)) return false;
      parsed = true;
      values.assign(p->values().items().begin(), p->values().items().end());
      if (!q.predicate(values)) return true;
    }
    if (skip > 0) {
      --skip;
      return true;
    }
    if (stored) {
      if (!(*stored)(name, v)) return false;
    } else {
      if (parse && !parsed && !parse_into_arena(v)) return false;
      if (!(*fn)(name, parse ? p : nullptr)) return false;
    }
    return ++taken < q.limit;
  };
  ARBOR_RETURN_IF_ERROR(txn_.ScanFrom(range, selects ? 0 : q.offset, visit,
                                      parse || stored ? ScanValues::kRead : ScanValues::kSkip));
  return error;
}

Result<uint64_t> CatalogQuery::CountPartitions(const catalog::Table& table,
                                               const PartitionQuery& query) const {
  if (query.limit == 0) {
    ARBOR_RETURN_IF_ERROR(SpecOf(table, query.values).status());
    return uint64_t{0};
  }
  ARBOR_ASSIGN_OR_RETURN(Selection selection, SelectionOf(table, query));
  if (!selection.spec.check_names && !query.predicate) {
    // Everything in the range is selected: count it through subtree counts.
    ARBOR_ASSIGN_OR_RETURN(uint64_t n, txn_.Count(selection.range));
    n = n > query.offset ? n - query.offset : 0;
    return std::min<uint64_t>(n, query.limit);
  }
  PartitionQuery q = query;
  q.parse = false;
  uint64_t n = 0;
  ARBOR_RETURN_IF_ERROR(Partitions(table, q, [&](const std::string&, const catalog::Partition*) {
    ++n;
    return true;
  }));
  return n;
}

namespace {

// Finds the first entry of `range`, through `scan`.
template <typename Scan>
Status First(const Scan& scan, const KeyRange& range,
             std::optional<std::pair<std::string, std::string>>* first) {
  first->reset();
  return scan(range, [&](const std::string& k, const std::string& v) {
    first->emplace(k, v);
    return false;
  });
}

// Up to `limit` entities whose keys in `range` begin a subtree (databases, or
// a database's tables), read through `scan`; `name_of` names one by its key.
template <typename Entity, typename Scan>
Result<CatalogPage<Entity>> ListRoots(const Scan& scan, KeyRange range, size_t limit,
                                      std::string (*name_of)(CatalogKey&)) {
  CatalogPage<Entity> page;
  std::optional<std::pair<std::string, std::string>> next;
  while (true) {
    ARBOR_RETURN_IF_ERROR(First(scan, range, &next));
    if (!next) break;
    if (page.entities.size() == limit) {
      page.has_more = true;
      break;
    }
    Entity e;
    ARBOR_RETURN_IF_ERROR(ParseProto(next->second, &e));
    ARBOR_ASSIGN_OR_RETURN(CatalogKey key, DecodeKey(next->first));
    page.next_after = name_of(key);
    page.entities.push_back(std::move(e));
    // Everything up to SubtreeEnd belongs to this entity: seek past it.
    range.begin = SubtreeEnd(next->first);
  }
  return page;
}

}  // namespace

Result<CatalogPage<catalog::Table>> CatalogQuery::Tables(std::string_view db,
                                                         std::string_view after,
                                                         size_t limit) const {
  std::string d = NormalizeIdentifier(db);
  ARBOR_ASSIGN_OR_RETURN(KeyRange range, TablesOfDatabase(d));
  if (!after.empty()) {
    ARBOR_ASSIGN_OR_RETURN(std::string key, EncodeKey(CatalogKey::ForTable(d, std::string(after))));
    range.begin = SubtreeEnd(key);
  }
  auto scan = [&](const KeyRange& r, const auto& fn) { return txn_.Scan(r, fn); };
  return ListRoots<catalog::Table>(scan, std::move(range), limit,
                                   [](CatalogKey& k) { return std::move(k.table); });
}

Result<CatalogPage<catalog::Database>> CatalogQuery::Databases(std::string_view after,
                                                               size_t limit) const {
  KeyRange range = AllKeys();
  if (!after.empty()) {
    ARBOR_ASSIGN_OR_RETURN(std::string key, EncodeKey(CatalogKey::ForDatabase(std::string(after))));
    range.begin = SubtreeEnd(key);
  }
  auto scan = [&](const KeyRange& r, const auto& fn) { return txn_.Scan(r, fn); };
  return ListRoots<catalog::Database>(scan, std::move(range), limit,
                                      [](CatalogKey& k) { return std::move(k.db); });
}

}  // namespace arbor

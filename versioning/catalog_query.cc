#include "versioning/catalog_query.h"

#include <algorithm>
#include <array>
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

// ---------------------------------------------------------------------------
// Value boxes as key ranges.
//
// A value v of key i appears in a name as Component(v), after "key=" and
// before '/' (or the end). Escaping does not keep bytewise order (an escaped
// byte becomes '%' 0x25 + two hex digits, and the '/' that follows a value
// sorts among the bytes a value can hold), so an interval of values is not
// one interval of names. It is covered instead byte by byte: the values
// above a lower bound L are those that, after a common start L[0..j), go on
// with a byte greater than L[j]; the names of all those values with a given
// next byte c share the prefix Escape(L[0..j)) + Escape(c), and the plain
// (unescaped) bytes of a byte interval give one range of such prefixes, the
// escaped bytes another ("%XX" compares as XX, upper-case hex). Ranges may
// hold names outside the interval; they never miss one inside it.

// Whether EscapePathName turns byte c into %XX.
bool IsEscaped(unsigned char c) {
  static const std::array<bool, 256> kEscaped = [] {
    std::array<bool, 256> t{};
    for (int b = 0; b < 256; ++b)
      t[b] = EscapePathName(std::string(1, static_cast<char>(b))).size() > 1;
    return t;
  }();
  return kEscaped[c];
}

std::string EscapeByte(unsigned char c) {
  return EscapePathName(std::string(1, static_cast<char>(c)));
}

// Every name that starts with `prefix`.
PartitionNameRange PrefixRange(std::string prefix) {
  PartitionNameRange r{prefix, std::nullopt};
  while (!prefix.empty() && static_cast<unsigned char>(prefix.back()) == 0xFF)
    prefix.pop_back();
  if (!prefix.empty()) {
    prefix.back() = static_cast<char>(static_cast<unsigned char>(prefix.back()) + 1);
    r.end = std::move(prefix);
  }
  return r;
}

// How a value appears in a name (MakePartName).
std::string Component(std::string_view value) {
  return value.empty() ? std::string(kDefaultPartitionName) : EscapePathName(value);
}

// Collects the name ranges that cover boxes of a table with the given keys.
class NameRanges {
 public:
  // `keys`: the table's partition keys, normalized, in key order.
  explicit NameRanges(const std::vector<std::string>& keys) {
    for (const auto& k : keys)
      key_prefixes_.push_back(EscapePathName(k) + "=");
  }

  void AddBox(const ValueBox& box) {
    std::string name;
    for (size_t i = 0; i < key_prefixes_.size(); ++i) {
      if (i) name += '/';
      name += key_prefixes_[i];
      last_ = i + 1 == key_prefixes_.size();
      const ValueInterval* iv = i < box.size() ? &box[i] : nullptr;
      if (iv == nullptr || ((!iv->lower || iv->lower->empty()) && !iv->upper)) break;
      if (iv->lower && iv->upper && *iv->lower == *iv->upper) {
        name += Component(*iv->lower);
        if (last_) {
          ranges_.push_back({name, name + '\0'});
          return;
        }
        continue;
      }
      Interval(std::move(name), *iv);
      return;
    }
    ranges_.push_back(PrefixRange(std::move(name)));
  }

  std::vector<PartitionNameRange>& ranges() { return ranges_; }

 private:
  // `x` ends with the escaped value of the current key: the names whose
  // value is exactly that.
  void ValueEnds(const std::string& x) {
    if (last_) {
      ranges_.push_back({x, x + '\0'});
    } else {
      ranges_.push_back(PrefixRange(x + '/'));
    }
  }

  // The names whose value goes on after `x` with a byte in [lo, hi].
  void Bytes(const std::string& x, unsigned lo, unsigned hi) {
    int plain[2] = {-1, -1}, escaped[2] = {-1, -1};
    for (unsigned c = lo; c <= hi; ++c) {
      int* span = IsEscaped(static_cast<unsigned char>(c)) ? escaped : plain;
      if (span[0] < 0) span[0] = static_cast<int>(c);
      span[1] = static_cast<int>(c);
    }
    if (plain[0] >= 0) {
      ranges_.push_back(
          {x + static_cast<char>(plain[0]), PrefixRange(x + static_cast<char>(plain[1])).end});
    }
    if (escaped[0] >= 0) {
      ranges_.push_back({x + EscapeByte(static_cast<unsigned char>(escaped[0])),
                         PrefixRange(x + EscapeByte(static_cast<unsigned char>(escaped[1]))).end});
    }
  }

  // `x` ends with "key=" and the interval is neither a point nor unbounded.
  void Interval(std::string x, const ValueInterval& iv) {
    const std::string lo = iv.lower.value_or("");
    if (iv.upper && lo > *iv.upper) return;  // empty
    // The empty value is named by the default partition name.
    if (lo.empty()) ValueEnds(x + std::string(kDefaultPartitionName));
    if (!iv.upper) {
      AtLeast(std::move(x), lo);
      return;
    }
    const std::string& hi = *iv.upper;
    size_t i = 0;
    while (i < lo.size() && lo[i] == hi[i]) {  // lo < hi, so hi is longer than the common part
      x += EscapeByte(static_cast<unsigned char>(lo[i]));
      ++i;
    }
    if (i == lo.size()) {
      // lo is a prefix of hi (lo itself is covered unless it is "", done above).
      AtMost(std::move(x), std::string_view(hi).substr(i), !lo.empty());
      return;
    }
    const auto a = static_cast<unsigned char>(lo[i]), b = static_cast<unsigned char>(hi[i]);
    if (b > a + 1) Bytes(x, a + 1, b - 1);
    AtLeast(x + EscapeByte(a), std::string_view(lo).substr(i + 1));
    AtMost(x + EscapeByte(b), std::string_view(hi).substr(i + 1), true);
  }

  // The names whose value continues `x` with a suffix >= l.
  void AtLeast(std::string x, std::string_view l) {
    for (size_t i = 0;; ++i) {
      if (i == l.size() || i == kMaxIntervalRefinement) break;
      const auto c = static_cast<unsigned char>(l[i]);
      if (c < 0xFF) Bytes(x, c + 1, 0xFF);
      x += EscapeByte(c);
    }
    ranges_.push_back(PrefixRange(std::move(x)));
  }

  // The names whose value continues `x` with a suffix <= h; the empty suffix
  // counts only if `with_x`.
  void AtMost(std::string x, std::string_view h, bool with_x) {
    for (size_t i = 0;; ++i) {
      if (i == kMaxIntervalRefinement) {
        ranges_.push_back(PrefixRange(std::move(x)));
        return;
      }
      if (i > 0 || with_x) ValueEnds(x);
      if (i == h.size()) return;
      const auto c = static_cast<unsigned char>(h[i]);
      if (c > 0) Bytes(x, 0, c - 1);
      x += EscapeByte(c);
    }
  }

  std::vector<std::string> key_prefixes_;
  bool last_ = false;  // the current key is the table's last
  std::vector<PartitionNameRange> ranges_;
};

}  // namespace

std::vector<PartitionNameRange> PartitionNameRanges(const std::vector<std::string>& keys,
                                                    const std::vector<ValueBox>& boxes) {
  NameRanges collect(keys);
  for (const ValueBox& box : boxes)
    collect.AddBox(box);
  std::vector<PartitionNameRange>& ranges = collect.ranges();
  std::sort(
      ranges.begin(), ranges.end(),
      [](const PartitionNameRange& a, const PartitionNameRange& b) { return a.begin < b.begin; });
  std::vector<PartitionNameRange> merged;
  for (PartitionNameRange& r : ranges) {
    if (!merged.empty() && (!merged.back().end || r.begin <= *merged.back().end)) {
      PartitionNameRange& m = merged.back();
      if (m.end && (!r.end || *r.end > *m.end)) m.end = std::move(r.end);
    } else {
      merged.push_back(std::move(r));
    }
  }
  return merged;
}

namespace {

bool InInterval(const std::vector<std::string>& values, size_t i, const ValueInterval& iv) {
  if (!iv.lower && !iv.upper) return true;
  if (i >= values.size()) return false;
  return (!iv.lower || values[i] >= *iv.lower) && (!iv.upper || values[i] <= *iv.upper);
}

bool InBoxes(const std::vector<std::string>& values, const std::vector<ValueBox>& boxes) {
  for (const ValueBox& box : boxes) {
    bool in = true;
    for (size_t i = 0; in && i < box.size(); ++i)
      in = InInterval(values, i, box[i]);
    if (in) return true;
  }
  return false;
}

// The values `name` spells, unescaped, into *values. False when a component
// is the default partition name, whose stored value may be "" or that
// literal: then only the stored partition tells.
bool DecodeValues(std::string_view name, std::vector<std::string>* values) {
  values->clear();
  bool exact = true;
  while (true) {
    const size_t slash = name.find('/');
    std::string_view part = name.substr(0, slash);
    const size_t eq = part.find('=');
    if (eq != std::string_view::npos) part.remove_prefix(eq + 1);
    if (part == kDefaultPartitionName) exact = false;
    values->push_back(UnescapePathName(part));
    if (slash == std::string_view::npos) break;
    name.remove_prefix(slash + 1);
  }
  return exact;
}

// What a query scans: its spec, and the key ranges left after `after`, in
// order and disjoint.
struct Selection {
  NameSpec spec;
  std::vector<KeyRange> ranges;
  size_t name_offset = 0;  // where the partition name starts in each key
};

Result<Selection> SelectionOf(const catalog::Table& table, const PartitionQuery& q) {
  Selection s;
  ARBOR_ASSIGN_OR_RETURN(s.spec, SpecOf(table, q.values));
  ARBOR_ASSIGN_OR_RETURN(KeyRange range, RangeOf(table, s.spec, &s.name_offset));
  if (!q.after.empty()) {
    ARBOR_ASSIGN_OR_RETURN(std::string after, EncodeKey(CatalogKey::ForPartition(
                                                  table.db_name(), table.table_name(), q.after)));
    after += '\0';  // the smallest key past `after`
    if (after > range.begin) range.begin = std::move(after);
  }
  if (!q.within) {
    s.ranges.push_back(std::move(range));
    return s;
  }
  ARBOR_ASSIGN_OR_RETURN(KeyRange all, PartitionsOfTable(table.db_name(), table.table_name()));
  // Prefixing the table's keys keeps the names' order: clip each to the spec's range.
  for (PartitionNameRange& n : PartitionNameRanges(PartitionKeyNames(table), *q.within)) {
    KeyRange k{all.begin + n.begin, n.end ? all.begin + *n.end : all.end};
    if (k.begin < range.begin) k.begin = range.begin;
    if (k.end > range.end) k.end = range.end;
    if (k.begin < k.end) s.ranges.push_back(std::move(k));
  }
  return s;
}

}  // namespace

Status CatalogQuery::Partitions(const catalog::Table& table, const PartitionQuery& q,
                                const PartitionVisitor& fn) const {
  return Visit(table, q, Visitor{&fn, nullptr, nullptr});
}

Status CatalogQuery::PartitionsStored(const catalog::Table& table, const PartitionQuery& q,
                                      const StoredPartitionVisitor& fn) const {
  return Visit(table, q, Visitor{nullptr, &fn, nullptr});
}

Status CatalogQuery::PartitionNames(const catalog::Table& table, const PartitionQuery& q,
                                    const PartitionNameVisitor& fn) const {
  return Visit(table, q, Visitor{nullptr, nullptr, &fn});
}

Status CatalogQuery::Visit(const catalog::Table& table, const PartitionQuery& q,
                           const Visitor& to) const {
  if (q.limit == 0) return SpecOf(table, q.values).status();
  ARBOR_ASSIGN_OR_RETURN(Selection selection, SelectionOf(table, q));
  const NameSpec& spec = selection.spec;
  const size_t name_offset = selection.name_offset;
  const bool needs_values = q.predicate || q.within;
  const bool parse = q.parse && to.parsed;
  const ScanValues read = parse || to.stored ? ScanValues::kRead : ScanValues::kSkip;
  // Only the leading run narrows the range; anything else selects within it,
  // so the offset counts selected partitions and cannot be found by rank.
  const bool selects = spec.check_names || needs_values;
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
  auto parse_into_arena = [&](std::string_view v) {
    arena.Reset();
    p = google::protobuf::Arena::CreateMessage<catalog::Partition>(&arena);
    error = ParseProto(v, p);
    return error.ok();
  };
  // The stored partition under key k, whose scanned value is v.
  auto parse_stored = [&](std::string_view k, std::string_view v) {
    if (read == ScanValues::kRead) return parse_into_arena(v);
    auto got = txn_.Get(k);
    if (!got.ok()) {
      error = got.status();
      return false;
    }
    if (!*got) {
      error = Status::Corruption("partition key vanished during a scan of its snapshot");
      return false;
    }
    return parse_into_arena(**got);
  };
  std::vector<std::string> values;
  std::string name_copy;  // for the visitors that take a std::string
  bool stopped = false;
  // Keys come as views into the scan's buffers (key blocks for a names-only
  // scan): a name reaches a PartitionNameVisitor without being copied.
  auto visit = [&](std::string_view k, std::string_view v) {
    const std::string_view name = k.substr(name_offset);
    if (spec.check_names && !spec.Matches(name)) return true;
    bool parsed = false;
    if (needs_values && !DecodeValues(name, &values)) {
      if (!parse_stored(k, v)) return false;
      parsed = true;
      values.assign(p->values().items().begin(), p->values().items().end());
    }
    if (q.within && !InBoxes(values, *q.within)) return true;
    if (q.predicate && !q.predicate(values)) return true;
    if (skip > 0) {
      --skip;
      return true;
    }
    if (to.names) {
      if (!(*to.names)(name)) return false;
    } else if (to.stored) {
      name_copy.assign(name);
      if (!(*to.stored)(name_copy, v)) return false;
    } else {
      if (parse && !parsed && !parse_into_arena(v)) return false;
      name_copy.assign(name);
      if (!(*to.parsed)(name_copy, parse ? p : nullptr)) return false;
    }
    return ++taken < q.limit;
  };
  for (const KeyRange& range : selection.ranges) {
    const uint64_t offset = selects ? 0 : q.offset;
    if (read == ScanValues::kSkip) {
      ARBOR_RETURN_IF_ERROR(txn_.ScanKeysFrom(range, offset, [&](std::string_view k) {
        stopped = !visit(k, {});
        return !stopped;
      }));
    } else {
      ARBOR_RETURN_IF_ERROR(
          txn_.ScanFrom(range, offset, [&](const std::string& k, const std::string& v) {
            stopped = !visit(k, v);
            return !stopped;
          }));
    }
    if (stopped) break;
  }
  return error;
}

Result<std::optional<uint64_t>> CatalogQuery::CandidateBound(const catalog::Table& table,
                                                             const PartitionQuery& query,
                                                             size_t max_edits) const {
  if (query.limit == 0) {
    ARBOR_RETURN_IF_ERROR(SpecOf(table, query.values).status());
    return std::optional<uint64_t>(0);
  }
  ARBOR_ASSIGN_OR_RETURN(Selection selection, SelectionOf(table, query));
  uint64_t total = 0;
  for (const KeyRange& range : selection.ranges) {
    ARBOR_ASSIGN_OR_RETURN(std::optional<uint64_t> n, txn_.CountBound(range, max_edits));
    if (!n) return n;
    total += *n;
  }
  // When the ranges alone select, a page stops after its limit.
  if (!selection.spec.check_names && !query.predicate && !query.within &&
      query.limit < total - std::min<uint64_t>(total, query.offset)) {
    total = query.offset + query.limit;
  }
  return std::optional<uint64_t>(total);
}

Result<uint64_t> CatalogQuery::CountPartitions(const catalog::Table& table,
                                               const PartitionQuery& query) const {
  if (query.limit == 0) {
    ARBOR_RETURN_IF_ERROR(SpecOf(table, query.values).status());
    return uint64_t{0};
  }
  ARBOR_ASSIGN_OR_RETURN(Selection selection, SelectionOf(table, query));
  if (!selection.spec.check_names && !query.predicate && !query.within) {
    // Everything in the range is selected: count it through subtree counts.
    ARBOR_ASSIGN_OR_RETURN(uint64_t n, txn_.Count(selection.ranges.front()));
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

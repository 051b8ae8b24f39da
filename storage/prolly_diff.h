// DiffTrees: the differences between two prolly trees, in key order.
//
// The walk compares lists of child references level by level and descends only into
// runs whose ids differ; identical subtrees are skipped unread. Because boundaries are
// content-defined, equal stretches of the two trees chunk identically, so a diff with d
// differences reads O(d · log n) nodes.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "storage/node_store.h"

namespace arbor {

struct DiffEntry {
  std::string key;
  std::optional<std::string> left;   // nullopt: added on the right
  std::optional<std::string> right;  // nullopt: removed on the right

  bool operator==(const DiffEntry&) const = default;
};

struct DiffRange {
  std::string begin;  // inclusive
  std::string end;    // exclusive; empty means unbounded
};

// Calls fn for each difference within range, in key order, until fn returns false.
Status DiffTrees(NodeStore* store, const ObjectId& left, const ObjectId& right,
                 const DiffRange& range, const std::function<bool(DiffEntry&&)>& fn);

}  // namespace arbor

// A prolly tree over an in-memory store, for storage tests.
#pragma once

#include <map>
#include <string>

#include "storage/mem_kv_store.h"
#include "storage/prolly_diff.h"
#include "storage/prolly_tree.h"

namespace arbor::testing {

class TreeEnv {
 public:
  explicit TreeEnv(TreeOptions options = {}) : tree(&nodes, options) {}

  ObjectId Apply(const ObjectId& root, std::vector<Edit> edits) {
    WriteBatch batch;
    auto r = tree.Apply(root, std::move(edits), &batch);
    if (!r.ok()) throw std::runtime_error(r.status().ToString());
    WriteOptions wo;
    wo.sync = false;
    Status s = kv.Write(batch, wo);
    if (!s.ok()) throw std::runtime_error(s.ToString());
    last_batch_ops = batch.ops().size();
    return *r;
  }

  ObjectId Build(const std::map<std::string, std::string>& m) {
    std::vector<Edit> edits;
    for (const auto& [k, v] : m)
      edits.push_back({k, v});
    return Apply(tree.EmptyRoot(), std::move(edits));
  }

  std::map<std::string, std::string> Contents(const ObjectId& root) {
    std::map<std::string, std::string> out;
    Status s = tree.Scan(root, "", "", [&](std::string_view k, std::string_view v) {
      out.emplace(k, v);
      return true;
    });
    if (!s.ok()) throw std::runtime_error(s.ToString());
    return out;
  }

  std::vector<DiffEntry> Diff(const ObjectId& a, const ObjectId& b, DiffRange range = {}) {
    std::vector<DiffEntry> out;
    Status s = DiffTrees(&nodes, a, b, range, [&](DiffEntry&& d) {
      out.push_back(std::move(d));
      return true;
    });
    if (!s.ok()) throw std::runtime_error(s.ToString());
    return out;
  }

  // Height in levels: 1 for a single leaf.
  uint32_t Height(const ObjectId& root) { return nodes.Load(root).value()->level + 1; }

  MemKvStore kv;
  ObjectStore objects{&kv};
  NodeStore nodes{&objects, 256 << 20};
  ProllyTree tree;
  size_t last_batch_ops = 0;
};

// The differences a correct diff must report, computed from two plain maps.
inline std::vector<DiffEntry> ModelDiff(const std::map<std::string, std::string>& a,
                                        const std::map<std::string, std::string>& b) {
  std::vector<DiffEntry> out;
  auto i = a.begin();
  auto j = b.begin();
  while (i != a.end() || j != b.end()) {
    if (j == b.end() || (i != a.end() && i->first < j->first)) {
      out.push_back({i->first, i->second, std::nullopt});
      ++i;
    } else if (i == a.end() || j->first < i->first) {
      out.push_back({j->first, std::nullopt, j->second});
      ++j;
    } else {
      if (i->second != j->second) out.push_back({i->first, i->second, j->second});
      ++i;
      ++j;
    }
  }
  return out;
}

}  // namespace arbor::testing

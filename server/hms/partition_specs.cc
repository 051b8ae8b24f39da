#include "server/hms/partition_specs.h"

#include <utility>

#include "server/hms/hms_semantics.h"

namespace arbor::hms {

using hive::Partition;
using hive::PartitionListComposingSpec;
using hive::PartitionSpec;
using hive::PartitionWithoutSD;
using hive::StorageDescriptor;

std::vector<PartitionSpec> GroupPartitionSpecs(const std::string& root,
                                               std::vector<Partition> parts) {
  auto new_spec = [&](const Partition& like) {
    PartitionSpec out;
    out.__set_dbName(like.dbName);
    out.__set_tableName(like.tableName);
    if (like.__isset.catName) out.__set_catName(like.catName);
    return out;
  };
  std::vector<PartitionSpec> shared;  // one per distinct descriptor
  std::vector<Partition> apart;
  for (Partition& p : parts) {
    const std::string& location = p.sd.location;
    const bool under_root = !root.empty() && p.__isset.sd && location.size() > root.size() &&
                            location.compare(0, root.size(), root) == 0 &&
                            location[root.size()] == '/';
    if (!under_root) {
      apart.push_back(std::move(p));
      continue;
    }
    StorageDescriptor sd = p.sd;
    sd.__set_location(root);
    PartitionSpec* group = nullptr;
    for (PartitionSpec& s : shared) {
      if (s.sharedSDPartitionSpec.sd == sd) group = &s;
    }
    if (group == nullptr) {
      shared.push_back(new_spec(p));
      group = &shared.back();
      group->__set_rootPath(root);
      group->sharedSDPartitionSpec.__set_sd(sd);
      group->sharedSDPartitionSpec.__set_partitions({});
      group->__isset.sharedSDPartitionSpec = true;
    }
    PartitionWithoutSD slim;
    slim.__set_values(p.values);
    if (p.__isset.createTime) slim.__set_createTime(p.createTime);
    if (p.__isset.lastAccessTime) slim.__set_lastAccessTime(p.lastAccessTime);
    slim.__set_relativePath(location.substr(root.size()));
    if (p.__isset.parameters) slim.__set_parameters(p.parameters);
    if (p.__isset.privileges) slim.__set_privileges(p.privileges);
    group->sharedSDPartitionSpec.partitions.push_back(std::move(slim));
  }
  std::vector<PartitionSpec> specs = std::move(shared);
  if (!apart.empty()) {
    PartitionSpec out = new_spec(apart.front());
    PartitionListComposingSpec list;
    list.__set_partitions(std::move(apart));
    out.__set_partitionList(std::move(list));
    specs.push_back(std::move(out));
  }
  return specs;
}

std::vector<PartitionSpec> ListedPartitionSpecs(const hive::Table& table,
                                                std::vector<Partition> parts) {
  const std::string location =
      table.__isset.sd && table.sd.__isset.location ? table.sd.location : "";
  auto grouping = table.parameters.find("hive.hcatalog.partition.spec.grouping.enabled");
  if (grouping != table.parameters.end() && IsTrue(grouping->second)) {
    return GroupPartitionSpecs(location, std::move(parts));
  }
  PartitionSpec spec;
  spec.__set_dbName(table.dbName);
  spec.__set_tableName(table.tableName);
  if (table.__isset.catName) spec.__set_catName(table.catName);
  if (table.__isset.sd && table.sd.__isset.location) spec.__set_rootPath(location);
  PartitionListComposingSpec list;
  list.__set_partitions(std::move(parts));
  spec.__set_partitionList(std::move(list));
  return {std::move(spec)};
}

}  // namespace arbor::hms

// Registers the `metastore` storage extension (ATTACH ... (TYPE metastore))
// and the `metastore` secret type, one secret provider per metastore provider.
#pragma once

#include "duckdb.hpp"
#include "duckdb/main/extension/extension_loader.hpp"

namespace duckdb {

struct MetastoreStorageInfo;
void RegisterMetastoreStorage(ExtensionLoader& loader, shared_ptr<MetastoreStorageInfo> info);

}  // namespace duckdb

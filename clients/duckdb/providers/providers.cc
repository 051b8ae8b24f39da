// The providers compiled into the extension. Adding a provider: write it under
// providers/<name>/, give it a Register<Name>Provider(registry) and call it here.
#include "clients/duckdb/metastore/provider_config.h"
#include "clients/duckdb/providers/dataproc/dataproc_provider.h"
#include "clients/duckdb/providers/glue/glue_provider.h"
#include "clients/duckdb/providers/hive/hive_provider.h"

namespace arbor::metastore {

void RegisterBuiltinProviders(ProviderRegistry& registry) {
  (void)registry.Register(HiveProviderFactory());
  (void)registry.Register(GlueProviderFactory());
  (void)registry.Register(DataprocProviderFactory());
}

}  // namespace arbor::metastore

#include "clients/duckdb/extension/metastore_write.h"

namespace duckdb {

PhysicalOperator& PlanMetastoreCreateTableAs(ClientContext&, PhysicalPlanGenerator&,
                                             LogicalCreateTable&, PhysicalOperator&) {
  throw NotImplementedException(
      "CREATE TABLE ... AS SELECT into a metastore catalog is not implemented yet: CREATE TABLE, "
      "then "
      "write files with COPY ... TO the table location");
}

PhysicalOperator& PlanMetastoreInsert(ClientContext&, PhysicalPlanGenerator&, LogicalInsert&,
                                      optional_ptr<PhysicalOperator>) {
  throw NotImplementedException("INSERT INTO a metastore table is not implemented yet");
}

}  // namespace duckdb

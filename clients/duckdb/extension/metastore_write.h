// Writes into metastore tables: CREATE TABLE ... AS SELECT and INSERT INTO
// plan DuckDB's own Parquet writer under the table (or partition) location
// and register what was written with the provider afterwards.
//
// Invariant: nothing is registered before every file of the statement is
// written; a CTAS registers the table itself then (planning only reads the
// metastore). A refused registration drops a table the statement created and
// deletes the statement's files.
#pragma once

#include "duckdb.hpp"
#include "duckdb/execution/physical_plan_generator.hpp"

namespace duckdb {

class LogicalCreateTable;
class LogicalInsert;

PhysicalOperator& PlanMetastoreCreateTableAs(ClientContext& context, PhysicalPlanGenerator& planner,
                                             LogicalCreateTable& op, PhysicalOperator& plan);
PhysicalOperator& PlanMetastoreInsert(ClientContext& context, PhysicalPlanGenerator& planner,
                                      LogicalInsert& op, optional_ptr<PhysicalOperator> plan);

}  // namespace duckdb

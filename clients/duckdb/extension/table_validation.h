// TableValidation: a query binds a table's last fetched definition at once
// and the metastore's current one travels ahead, with the query's next call
// (the partition listing, as a rule), instead of costing a round trip of its
// own at bind.
//
// Invariant: a statement runs only on definitions found current after it was
// planned. A lookup may bind a remembered definition only while this
// ClientContext plans a statement that DuckDB will hand back before running
// it (OnFinalizePrepare, or OnPlanningError when binding failed, e.g. on a
// column the remembered definition lacks). There every definition bound so
// is compared with the answer fetched ahead; if any differs or could not be
// fetched, it is forgotten (catalog and transaction) and the statement is
// bound again, which fetches it the usual way. Lookups anywhere else
// (execution, PREPARE, a rebind) fetch as before.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "duckdb.hpp"
#include "duckdb/main/client_context_state.hpp"

#include "clients/duckdb/metastore/client.h"

namespace duckdb {

class TableValidation : public ClientContextState {
 public:
  // This context's instance, registered on first use.
  static TableValidation& Get(ClientContext& context);

  // Whether a lookup now may bind a remembered definition.
  bool Deferrable() const;

  // `bound` was bound for (ns, name) under `key` in `catalog`'s transaction;
  // `ahead` fetches the current definition.
  struct Expectation {
    Catalog* catalog;
    std::string key;
    std::shared_ptr<arbor::metastore::MetastoreClient> client;
    std::string ns;
    std::string name;
    std::shared_ptr<const arbor::metastore::Table> bound;
    std::shared_ptr<arbor::metastore::PendingTable> ahead;
  };
  void Expect(Expectation e);

  void StatementBegin(ClientContext& context) override;
  void StatementEnd(ClientContext& context, optional_ptr<ErrorData> error) override;
  void QueryEnd(ClientContext& context, optional_ptr<ErrorData> error) override;
  bool CanRequestRebind() override { return true; }
  RebindQueryInfo OnPlanningError(ClientContext& context, SQLStatement&, ErrorData&) override;
  RebindQueryInfo OnFinalizePrepare(ClientContext& context, PreparedStatementData&,
                                    PreparedStatementMode) override;

 private:
  // Compares every expectation with its answer and ends planning.
  RebindQueryInfo Settle(ClientContext& context);
  void Reset();

  mutable std::mutex mu_;
  bool planning_ = false;
  std::vector<Expectation> expected_;
};

}  // namespace duckdb

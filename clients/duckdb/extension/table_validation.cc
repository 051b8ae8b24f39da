#include "clients/duckdb/extension/table_validation.h"

#include "duckdb/main/client_context.hpp"

#include "clients/duckdb/extension/metastore_catalog.h"

namespace duckdb {

TableValidation& TableValidation::Get(ClientContext& context) {
  return *context.registered_state->GetOrCreate<TableValidation>("arbor_table_validation");
}

bool TableValidation::Deferrable() const {
  std::lock_guard<std::mutex> lock(mu_);
  return planning_;
}

void TableValidation::Expect(Expectation e) {
  std::lock_guard<std::mutex> lock(mu_);
  expected_.push_back(std::move(e));
}

void TableValidation::Reset() {
  std::lock_guard<std::mutex> lock(mu_);
  planning_ = false;
  // An answer not read yet is read by the client's next call.
  expected_.clear();
}

void TableValidation::StatementBegin(ClientContext&) {
  std::lock_guard<std::mutex> lock(mu_);
  planning_ = true;
  expected_.clear();
}

void TableValidation::StatementEnd(ClientContext&, optional_ptr<ErrorData>) {
  Reset();
}

void TableValidation::QueryEnd(ClientContext&, optional_ptr<ErrorData>) {
  Reset();
}

RebindQueryInfo TableValidation::OnPlanningError(ClientContext& context, SQLStatement&,
                                                 ErrorData&) {
  return Settle(context);
}

RebindQueryInfo TableValidation::OnFinalizePrepare(ClientContext& context, PreparedStatementData&,
                                                   PreparedStatementMode) {
  return Settle(context);
}

RebindQueryInfo TableValidation::Settle(ClientContext& context) {
  std::vector<Expectation> expected;
  {
    std::lock_guard<std::mutex> lock(mu_);
    // Binding again (if it comes to that) fetches every definition.
    planning_ = false;
    expected.swap(expected_);
  }
  bool rebind = false;
  for (Expectation& e : expected) {
    auto answer = e.client->AnswerOf(*e.ahead);
    const bool current = answer.ok() && *answer == *e.bound;
    if (e.client->config().debug) {
      Printer::Print(StringUtil::Format(
          "[arbor] %s.%s: definition bound from the last fetch is %s", e.ns, e.name,
          current ? "current"
          : answer.ok()
              ? "out of date: binding the statement again"
              : "unconfirmed (" + answer.status().message() + "): binding the statement again"));
    }
    if (current) continue;
    rebind = true;
    e.client->ForgetTable(e.ns, e.name);
    e.client->counters().rebinds++;
    MetastoreTransaction::Get(e.catalog->GetCatalogTransaction(context), *e.catalog).Forget(e.key);
  }
  return rebind ? RebindQueryInfo::ATTEMPT_TO_REBIND : RebindQueryInfo::DO_NOT_REBIND;
}

}  // namespace duckdb

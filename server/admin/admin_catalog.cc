// Admin API: browsing the catalog at a ref (admin_handlers.h). Every route reads
// one ReadView, so a response is one snapshot; stored lakeFS locations are
// rendered for the ref read, exactly as the Thrift side renders them.
#include "server/admin/admin_handlers.h"

#include <google/protobuf/struct.pb.h>

#include <functional>
#include <string>
#include <vector>

#include "arbor/admin.pb.h"
#include "arbor/catalog.pb.h"
#include "server/admin/admin_json.h"
#include "server/admin/admin_messages.h"
#include "versioning/catalog.h"
#include "versioning/catalog_query.h"
#include "versioning/location_renderer.h"
#include "versioning/names.h"

namespace arbor::admin_api {

namespace pb = google::protobuf;

namespace {

// Renders the stored locations of what a browsing route reads for its ref,
// exactly as the Thrift side renders them (versioning/location_renderer.h).
Result<LocationRenderer> RendererFor(const Call& call, const ReadView& view) {
  return arbor::RendererFor(call.repo, call.options.locations, view);
}

// GET of one entity at the ref: `get(txn)` reads it; the response holds the
// resolved ref and, in `slot`, the entity with its locations rendered.
template <typename Response, typename Get>
HttpResponse OneEntity(Call& call, Get get, pb::Struct* (Response::*slot)()) {
  if (auto e = CheckQuery(call, {})) return *e;
  API_ASSIGN_OR_RETURN(ReadView view, call.repo->OpenView(call.params[0]));
  CatalogTxn txn(view);
  API_ASSIGN_OR_RETURN(LocationRenderer render, RendererFor(call, view));
  Response out;
  FillRef(view.ref(), out.mutable_ref());
  API_ASSIGN_OR_RETURN(auto entity, get(txn));
  render(&entity);
  API_RETURN_IF_ERROR(EntityMessageToStruct(entity, (out.*slot)()));
  return JsonResponse(200, out);
}

}  // namespace

HttpResponse ListDatabases(Call& call) {
  if (auto e = CheckQuery(call, {})) return *e;
  API_ASSIGN_OR_RETURN(ReadView view, call.repo->OpenView(call.params[0]));
  CatalogTxn txn(view);
  API_ASSIGN_OR_RETURN(LocationRenderer render, RendererFor(call, view));
  admin::ListDatabasesResponse out;
  FillRef(view.ref(), out.mutable_ref());
  API_ASSIGN_OR_RETURN(std::vector<std::string> names, txn.ListDatabaseNames());
  for (const auto& name : names) {
    API_ASSIGN_OR_RETURN(catalog::Database db, txn.GetDatabase(name));
    render(&db);
    API_RETURN_IF_ERROR(EntityMessageToStruct(db, out.add_databases()));
  }
  return JsonResponse(200, out);
}

HttpResponse GetDatabase(Call& call) {
  return OneEntity<admin::DatabaseResponse>(
      call, [&](CatalogTxn& txn) { return txn.GetDatabase(call.params[1]); },
      &admin::DatabaseResponse::mutable_database);
}

HttpResponse ListTables(Call& call) {
  if (auto e = CheckQuery(call, {"after", "limit"})) return *e;
  API_ASSIGN_OR_RETURN(size_t limit, LimitParam(call, "limit", 1000));
  API_ASSIGN_OR_RETURN(ReadView view, call.repo->OpenView(call.params[0]));
  CatalogTxn txn(view);
  std::string db = NormalizeIdentifier(call.params[1]);
  API_RETURN_IF_ERROR(txn.GetDatabase(db).status());
  API_ASSIGN_OR_RETURN(LocationRenderer render, RendererFor(call, view));
  admin::ListTablesResponse out;
  FillRef(view.ref(), out.mutable_ref());
  const std::string* after = QueryValue(call, "after");
  API_ASSIGN_OR_RETURN(CatalogPage<catalog::Table> page,
                       CatalogQuery(txn).Tables(db, after ? *after : "", limit));
  for (auto& t : page.entities) {
    render(&t);
    API_RETURN_IF_ERROR(EntityMessageToStruct(t, out.add_tables()));
  }
  if (page.has_more) {
    out.set_has_more(true);
    out.set_next_after(page.next_after);
  }
  return JsonResponse(200, out);
}

HttpResponse GetTable(Call& call) {
  return OneEntity<admin::TableResponse>(
      call, [&](CatalogTxn& txn) { return txn.GetTable(call.params[1], call.params[2]); },
      &admin::TableResponse::mutable_table);
}

HttpResponse ListPartitions(Call& call) {
  if (auto e = CheckQuery(call, {"offset", "after", "limit"})) return *e;
  API_ASSIGN_OR_RETURN(size_t limit, LimitParam(call, "limit", 1000));
  API_ASSIGN_OR_RETURN(uint64_t offset, UintParam(call, "offset"));
  const std::string* after = QueryValue(call, "after");
  if (after != nullptr && QueryValue(call, "offset") != nullptr) {
    return Error(400, "INVALID_ARGUMENT", "give either offset or after, not both");
  }
  API_ASSIGN_OR_RETURN(ReadView view, call.repo->OpenView(call.params[0]));
  CatalogTxn txn(view);
  std::string db = NormalizeIdentifier(call.params[1]);
  std::string table = NormalizeIdentifier(call.params[2]);
  API_ASSIGN_OR_RETURN(catalog::Table t, txn.GetTable(db, table));
  API_ASSIGN_OR_RETURN(LocationRenderer render, RendererFor(call, view));
  admin::ListPartitionsResponse out;
  FillRef(view.ref(), out.mutable_ref());
  Status failure;
  // Adds one partition (filled by `fill`), or notes that there are more.
  auto take = [&](const std::string& name, const std::function<Status(pb::Struct*)>& fill) {
    if (static_cast<size_t>(out.partitions_size()) == limit) {
      out.set_has_more(true);
      return false;
    }
    auto* p = out.add_partitions();
    p->set_name(name);
    failure = fill(p->mutable_partition());
    return failure.ok();
  };
  PartitionQuery q;
  if (after != nullptr) q.after = *after;
  q.offset = offset;
  q.limit = limit + 1;  // one more tells whether there are more
  q.parse = true;
  API_RETURN_IF_ERROR(
      CatalogQuery(txn).Partitions(t, q, [&](const std::string& name, const catalog::Partition* p) {
        return take(name, [&](pb::Struct* slot) {
          if (render.mapper == nullptr) return EntityMessageToStruct(*p, slot);
          catalog::Partition rendered = *p;
          render(&rendered);
          return EntityMessageToStruct(rendered, slot);
        });
      }));
  API_RETURN_IF_ERROR(failure);
  if (out.has_more() && out.partitions_size() > 0) {
    out.set_next_after(out.partitions(out.partitions_size() - 1).name());
  }
  out.set_next_offset(offset + static_cast<uint64_t>(out.partitions_size()));
  return JsonResponse(200, out);
}

}  // namespace arbor::admin_api

// Admin API: the service routes (admin_handlers.h): GET /healthz, public and
// always 200 while the process serves, and GET /metrics, the observer's text.
#include "server/admin/admin_handlers.h"

#include "arbor/admin.pb.h"
#include "server/admin/admin_json.h"

namespace arbor::admin_api {

HttpResponse Healthz(Call& call) {
  admin::Health out;
  out.set_status("ok");
  return JsonResponse(200, out);
}

HttpResponse MetricsText(Call& call) {
  if (auto e = CheckQuery(call, {})) return *e;
  HttpResponse r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  r.body = call.options.observer != nullptr ? call.options.observer->MetricsText() : "";
  return r;
}

}  // namespace arbor::admin_api

// Errors of the admin API: every one is an admin.Error body
// {"code","message","details"} (details always an object), and a Status becomes
// one through the single mapping HttpStatusFor/ErrorCodeFor (admin_api.h).
//
// Handlers return early on a failed Status with API_RETURN_IF_ERROR and
// API_ASSIGN_OR_RETURN, the HTTP counterparts of base/status.h's macros.
#pragma once

#include <google/protobuf/struct.pb.h>

#include <string>
#include <string_view>

#include "base/status.h"
#include "server/admin/admin_api.h"

namespace arbor::admin_api {

HttpResponse Error(int status, std::string_view code, std::string_view message,
                   const google::protobuf::Struct* details = nullptr);
// The status's HTTP status and code; Busy adds Retry-After.
HttpResponse ErrorFromStatus(const Status& s);
// {"<key>": "<value>"}, for an error's details.
google::protobuf::Struct StringDetail(std::string key, std::string value);

}  // namespace arbor::admin_api

#define API_RETURN_IF_ERROR(expr)                                                   \
  do {                                                                              \
    ::arbor::Status _api_status = (expr);                                           \
    if (!_api_status.ok()) return ::arbor::admin_api::ErrorFromStatus(_api_status); \
  } while (0)

#define API_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr, on_error) \
  auto tmp = (expr);                                        \
  if (!tmp.ok()) return on_error(tmp.status());             \
  lhs = std::move(tmp).value()

#define API_ASSIGN_OR_RETURN(lhs, expr)                                      \
  API_ASSIGN_OR_RETURN_IMPL(ARBOR_CONCAT(_api_result_, __LINE__), lhs, expr, \
                            ::arbor::admin_api::ErrorFromStatus)

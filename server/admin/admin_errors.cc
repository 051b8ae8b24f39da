// Status -> HTTP, the one mapping (admin_api.h), and the admin.Error body.
#include "server/admin/admin_errors.h"

#include <utility>

#include "arbor/admin.pb.h"
#include "server/admin/admin_json.h"

namespace arbor {

int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
    case StatusCode::kInvalidRequest:
      return 400;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
    case StatusCode::kPreconditionFailed:
    case StatusCode::kConflict:
    case StatusCode::kNotEmpty:
      return 409;
    case StatusCode::kReadOnly:
      return 423;
    case StatusCode::kBusy:
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kNoSpace:
      return 507;  // Insufficient Storage
    case StatusCode::kCorruption:
    case StatusCode::kIOError:
    case StatusCode::kInternal:
      return 500;
  }
  return 500;
}

std::string_view ErrorCodeFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "OK";
    // The HTTP API does not tell a malformed request from a malformed object.
    case StatusCode::kInvalidArgument:
    case StatusCode::kInvalidRequest:
      return "INVALID_ARGUMENT";
    case StatusCode::kNotFound:
      return "NOT_FOUND";
    case StatusCode::kAlreadyExists:
      return "ALREADY_EXISTS";
    case StatusCode::kPreconditionFailed:
      return "PRECONDITION_FAILED";
    case StatusCode::kPermissionDenied:
      return "PERMISSION_DENIED";
    case StatusCode::kConflict:
      return "CONFLICT";
    case StatusCode::kNotEmpty:
      return "NOT_EMPTY";
    case StatusCode::kReadOnly:
      return "READ_ONLY";
    case StatusCode::kBusy:
      return "BUSY";
    case StatusCode::kUnavailable:
      return "UNAVAILABLE";
    case StatusCode::kCorruption:
      return "CORRUPTION";
    case StatusCode::kIOError:
      return "IO_ERROR";
    case StatusCode::kNoSpace:
      return "NO_SPACE";
    case StatusCode::kInternal:
      return "INTERNAL";
  }
  return "INTERNAL";
}

namespace admin_api {

namespace pb = google::protobuf;

HttpResponse Error(int status, std::string_view code, std::string_view message,
                   const pb::Struct* details) {
  admin::Error e;
  e.set_code(std::string(code));
  e.set_message(std::string(message));
  if (details != nullptr) {
    *e.mutable_details() = *details;
  } else {
    e.mutable_details();  // always an object
  }
  return JsonResponse(status, e);
}

HttpResponse ErrorFromStatus(const Status& s) {
  HttpResponse r = Error(HttpStatusFor(s.code()), ErrorCodeFor(s.code()), s.message());
  if (s.code() == StatusCode::kBusy) r.headers.emplace_back("Retry-After", "1");
  return r;
}

pb::Struct StringDetail(std::string key, std::string value) {
  pb::Struct d;
  (*d.mutable_fields())[key].set_string_value(std::move(value));
  return d;
}

}  // namespace admin_api
}  // namespace arbor

// Adapters between the arbor_cloud C ABI (clients/duckdb/cloud/include/arbor_cloud.h)
// and the core's types, shared by the glue and dataproc providers: owned handles that
// free themselves, and the one mapping from the library's error codes to Status.
#pragma once

#include <memory>
#include <string>

#include "arbor_cloud.h"
#include "base/status.h"

namespace arbor::metastore {

struct CloudPageFree {
  void operator()(const arbor_cloud_page* p) const { arbor_cloud_page_free(p); }
};
using CloudPage = std::unique_ptr<const arbor_cloud_page, CloudPageFree>;

// Takes ownership of `error` (NULL: OK). The message already names the provider and
// the operation. Rejected credentials and unsupported services are the caller's to fix
// (InvalidArgument, as the provider contract asks of unsupported features);
// throttling that outlasted the retries may pass (Busy).
inline Status CloudStatus(arbor_cloud_error* error) {
  if (error == nullptr) return Status::OK();
  std::string message = arbor_cloud_error_message(error);
  arbor_cloud_code code = arbor_cloud_error_code(error);
  arbor_cloud_error_free(error);
  switch (code) {
    case ARBOR_CLOUD_OK:
      return Status::OK();
    case ARBOR_CLOUD_NOT_FOUND:
      return Status::NotFound(std::move(message));
    case ARBOR_CLOUD_ALREADY_EXISTS:
      return Status::AlreadyExists(std::move(message));
    case ARBOR_CLOUD_INVALID_ARGUMENT:
    case ARBOR_CLOUD_ACCESS_DENIED:
    case ARBOR_CLOUD_UNSUPPORTED:
      return Status::InvalidArgument(std::move(message));
    case ARBOR_CLOUD_THROTTLED:
      return Status::Busy(std::move(message));
    case ARBOR_CLOUD_UNAVAILABLE:
      return Status::Unavailable(std::move(message));
    case ARBOR_CLOUD_INTERNAL:
      break;
  }
  return Status::Internal(std::move(message));
}

// A C string for the ABI's optional fields: NULL for an empty string.
inline const char* CloudOpt(const std::string& s) {
  return s.empty() ? nullptr : s.c_str();
}

inline std::string CloudStr(const char* s) {
  return s == nullptr ? std::string() : std::string(s);
}

}  // namespace arbor::metastore

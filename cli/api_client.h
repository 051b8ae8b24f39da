// ApiClient: typed calls to the admin HTTP API (/api/v1,
// docs/architecture.md#admin-http-api-and-cli) over an HttpClient. Request and response bodies are
// proto/arbor/admin.proto messages in protobuf's JSON mapping, so the schema is defined once.
//
// Contract:
//  * Call() sends `request` (if any) as JSON with proto field names, adds
//    `Authorization: Bearer <token>` when a token is set, and parses a 2xx
//    body into `response` (if any), ignoring fields this client does not know.
//  * A non-2xx answer throws ApiError: the API's {code, message, details}
//    when the body has that shape, else "HTTP <status> <reason>" with the
//    start of the body. ApiError carries a hint for the common cases (401,
//    423, unknown route). Transport failures throw TransportError.
//  * Path helpers percent-encode each segment, so ref expressions (~, ^) and
//    partition names (/) travel intact.
#pragma once

#include <google/protobuf/message.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cli/cli_error.h"
#include "cli/http_client.h"

namespace arbor::cli {

class ApiError : public CliError {
 public:
  ApiError(int http_status, std::string code, std::string message, std::string details_json,
           std::string hint)
      : CliError(std::move(message), std::move(hint)),
        http_status_(http_status),
        code_(std::move(code)),
        details_json_(std::move(details_json)) {}

  int http_status() const { return http_status_; }
  const std::string& code() const { return code_; }  // e.g. "CONFLICT"; "" if not the API's shape
  const std::string& details_json() const { return details_json_; }  // "{}" if none

 private:
  int http_status_;
  std::string code_;
  std::string details_json_;
};

class ApiClient {
 public:
  ApiClient(const HttpClient* http, std::string token) : http_(http), token_(std::move(token)) {}

  // `path` is below /api/v1, e.g. "/branches". `request` and `response` may
  // be null (no body sent; the answer's body ignored).
  void Call(std::string_view method, const std::string& path,
            const google::protobuf::Message* request, google::protobuf::Message* response) const;

  void Get(const std::string& path, google::protobuf::Message* response) const {
    Call("GET", path, nullptr, response);
  }

  const net::Url& url() const { return http_->url(); }

 private:
  const HttpClient* http_;
  std::string token_;
};

// One path segment, percent-encoded (all but RFC 3986 unreserved characters).
std::string Seg(std::string_view segment);

// "?k=v&..." from the pairs whose value is not empty, percent-encoded; "" if none.
std::string Query(const std::vector<std::pair<std::string, std::string>>& params);

// Parses JSON into `out`, ignoring unknown fields; throws CliError naming `what`.
void ParseJson(std::string_view json, google::protobuf::Message* out, std::string_view what);

// JSON of a message in the API's conventions (proto field names, every scalar
// printed), indented, with a final newline.
std::string ToJson(const google::protobuf::Message& message);

}  // namespace arbor::cli

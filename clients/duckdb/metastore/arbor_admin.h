// ArborAdmin: calls to Arbor's admin HTTP API (/api/v1, README "Operations")
// for the versioning table functions, over net/'s HttpClient.
//
// Contract: the endpoint is the `admin_endpoint` option (ATTACH or secret);
// `admin_token`, when set, is sent as a bearer token. Call() returns the
// status and body of any HTTP answer; only a transport failure is an error
// (Unavailable, naming the endpoint and the stage). Bodies are JSON and are
// parsed by the caller (the DuckDB layer uses DuckDB's JSON functions).
#pragma once

#include <memory>
#include <string>

#include "base/status.h"
#include "clients/duckdb/metastore/provider_config.h"
#include "net/http_client.h"

namespace arbor::metastore {

struct AdminResponse {
  int status = 0;
  std::string body;
};

class ArborAdmin {
 public:
  // InvalidArgument when the configuration names no admin endpoint or a bad one.
  static Result<std::unique_ptr<ArborAdmin>> Create(const ProviderConfig& config);

  Result<AdminResponse> Call(const std::string& method, const std::string& path,
                             const std::string& body = "") const;

  const std::string& endpoint() const { return endpoint_; }

 private:
  ArborAdmin(std::unique_ptr<net::HttpClient> http, std::string endpoint, std::string token)
      : http_(std::move(http)), endpoint_(std::move(endpoint)), token_(std::move(token)) {}

  std::unique_ptr<net::HttpClient> http_;
  std::string endpoint_;
  std::string token_;
};

// Percent-encodes one path segment (a ref or branch name).
std::string EncodePathSegment(const std::string& segment);

}  // namespace arbor::metastore

#include "clients/duckdb/metastore/arbor_admin.h"

#include <cctype>
#include <cstdio>

namespace arbor::metastore {

Result<std::unique_ptr<ArborAdmin>> ArborAdmin::Create(const ProviderConfig& config) {
  std::string endpoint = config.Get("admin_endpoint");
  if (endpoint.empty()) {
    return Status::InvalidArgument(
        "the versioning functions need Arbor's admin API: set ADMIN_ENDPOINT 'http://host:port' in "
        "ATTACH or in the metastore secret");
  }
  auto url = net::ParseUrl(endpoint);
  if (!url.ok())
    return Status::InvalidArgument("admin_endpoint '" + endpoint + "': " + url.status().message());
  net::HttpClientOptions options;
  options.connect_timeout = config.connect_timeout;
  options.request_timeout = config.timeout;
  options.user_agent = "arbor-duckdb";
  auto http = net::HttpClient::Create(std::move(url).value(), options);
  if (!http.ok()) return http.status();
  return std::unique_ptr<ArborAdmin>(
      new ArborAdmin(std::move(http).value(), endpoint, config.Get("admin_token")));
}

Result<AdminResponse> ArborAdmin::Call(const std::string& method, const std::string& path,
                                       const std::string& body) const {
  net::Request request;
  request.method = method;
  request.target = http_->url().path + path;
  request.headers.emplace_back("Accept", "application/json");
  if (!body.empty()) request.headers.emplace_back("Content-Type", "application/json");
  if (!token_.empty()) request.headers.emplace_back("Authorization", "Bearer " + token_);
  request.body = body;
  net::Outcome outcome = http_->Send(request);
  if (outcome.error) {
    return Status::Unavailable("Arbor admin API at " + endpoint_ + " failed (" + method + " " +
                               path + "): " + outcome.error->detail);
  }
  return AdminResponse{outcome.response.status, std::move(outcome.response.body)};
}

std::string EncodePathSegment(const std::string& segment) {
  std::string out;
  for (unsigned char c : segment) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '@' || c == '^') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof(buf), "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

}  // namespace arbor::metastore

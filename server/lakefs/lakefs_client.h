// LakeFsClient: the REST implementation of LakeFsApi (docs/lakefs.md#the-rest-client), HTTP(S)
// through net::HttpClient (net/http_client.h) against lakeFS's API (base path
// /api/v1, HTTP basic auth). The retry policy below is this client's own.
//
// Contract:
//  * Thread-safe: every request uses its own connection and io_context, so any
//    number of threads may call concurrently.
//  * Each attempt is bounded by connect_timeout (resolve + connect + TLS
//    handshake) and by request_timeout (the whole attempt, connect included).
//  * Retries (up to max_attempts in all, exponential backoff with jitter,
//    honouring a Retry-After of a few seconds) happen only when repeating the
//    request cannot apply it twice:
//      - GET and DELETE: on connection errors, timeouts, 5xx and 429;
//      - POST (commit, merge, create branch): only when the request provably
//        never reached lakeFS (resolve, connect or TLS handshake failed, other
//        than a certificate rejection) or lakeFS answered 429 Too Many Requests.
//    A POST that failed after its bytes were sent (dropped connection, timeout)
//    or answered 5xx is not retried: it returns Unavailable, "outcome unknown",
//    and the caller resolves it through its intent (versioning/lakefs_api.h).
//  * Errors follow the LakeFsApi error contract and name the call and status,
//    e.g. "lakeFS commit on branch 'dev' failed: 409 Conflict: <lakeFS message>".
//    404 → NotFound; 409 → AlreadyExists (create branch) or Conflict; 400, 412
//    and other refusals → InvalidArgument; 401 → InvalidArgument (credentials);
//    403, 423 → ReadOnly; 5xx/429 after retries, network failures → Unavailable.
//  * The secret access key never appears in a Status message or a log line.
//  * DeleteBranch: a retry (after an attempt whose outcome was unknown) that
//    finds the branch gone reports OK — the earlier attempt deleted it.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "base/status.h"
#include "versioning/lakefs_api.h"

namespace arbor {

struct LakeFsClientOptions {
  // http://host[:port][/prefix] or https://…; IPv6 literals in brackets. The
  // API base path /api/v1 is appended unless the prefix already ends with it.
  std::string endpoint;
  std::string access_key_id, secret_access_key;  // never logged
  std::string repository;
  std::chrono::milliseconds connect_timeout{5000}, request_timeout{30000};
  int max_attempts = 4;  // attempts in all, for transient failures (see above)
  std::chrono::milliseconds initial_backoff{100};
  bool verify_tls = true;  // https: verify the peer with the system CA store
};

class LakeFsClient final : public LakeFsApi {
 public:
  // InvalidArgument naming the problem: a malformed endpoint (scheme, host,
  // port, query, user info), an empty repository or credentials, or
  // non-positive timeouts/attempts.
  static Result<std::unique_ptr<LakeFsClient>> Create(LakeFsClientOptions options);
  ~LakeFsClient() override;
  LakeFsClient(const LakeFsClient&) = delete;
  LakeFsClient& operator=(const LakeFsClient&) = delete;

  Result<std::string> CreateBranch(const std::string& branch, const std::string& source) override;
  Status DeleteBranch(const std::string& branch) override;
  Result<std::string> GetBranchHead(const std::string& branch) override;
  Result<LakeFsCommit> Commit(const std::string& branch, const std::string& message,
                              const std::map<std::string, std::string>& metadata,
                              bool allow_empty) override;
  Result<std::string> Merge(const std::string& source_ref, const std::string& destination_branch,
                            const std::string& message,
                            const std::map<std::string, std::string>& metadata,
                            const std::string& strategy, bool allow_empty) override;
  Result<LakeFsCommit> GetCommit(const std::string& commit_id) override;
  Result<LakeFsLogPage> Log(const std::string& ref, int amount, const std::string& after) override;

  // GET /repositories/{repo}, for start-up validation: Unavailable (with the
  // endpoint and the network error) when lakeFS cannot be reached;
  // InvalidArgument "lakeFS rejected the credentials" on 401; NotFound
  // "lakeFS repository 'x' not found" on 404.
  Status CheckRepository();

  // "<scheme>://<host>[:port]<prefix>/api/v1", for messages and tests.
  const std::string& base_url() const;

  struct Impl;

 private:
  explicit LakeFsClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Percent-encodes everything but RFC 3986 unreserved characters
// (A-Z a-z 0-9 - . _ ~); for path segments and query values.
std::string LakeFsUrlEncode(std::string_view s);

}  // namespace arbor

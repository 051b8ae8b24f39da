// AdminApi: the admin HTTP API (docs/architecture.md#admin-http-api-and-cli) as a pure request ->
// response function: routing, authentication, JSON mapping and the handlers. It owns no sockets
// (server/http_server.h carries requests to it), so tests drive it directly.
//
// Contract:
//  * Bodies are messages of proto/arbor/admin.proto in protobuf's JSON mapping:
//    proto field names, every scalar/list/map field printed; requests with
//    unknown fields or malformed JSON are 400. An empty body reads as {}.
//  * Every error is {"code","message","details"} (admin.Error). HTTP statuses
//    come from one function, HttpStatusFor(StatusCode):
//      InvalidArgument, InvalidRequest 400 · PermissionDenied 403 · NotFound 404 ·
//      AlreadyExists, PreconditionFailed
//      (incl. expected_head mismatch, uncommitted changes at a merge or revert
//      destination), Conflict, NotEmpty 409 · ReadOnly 423 · Busy, Unavailable
//      503 · Corruption, IOError, Internal 500.
//    Refinement: a branch write (commit, merge, revert, reset, protection, ...)
//    addressed to a tag or a commit is 400 READ_ONLY_REF, since the path names
//    something that is not a branch; 423 READ_ONLY is kept for a protected
//    branch. Besides: 401 UNAUTHENTICATED (missing or wrong bearer token), 404
//    NOT_FOUND for an unknown path, 405 METHOD_NOT_ALLOWED (with Allow) for a
//    known path, 400 BODY_TOO_LARGE past max_body_bytes, 400 INVALID_JSON,
//    403 PERMISSION_DENIED when the caller's role does not allow the call
//    (auth::RequireRole's PermissionDenied).
//  * Authentication and roles (docs/security.md): with authentication required
//    (an admin token, users with tokens, or required client certificates
//    configured), every request except
//    GET /healthz needs `Authorization: Bearer <token>` (the admin token, an
//    admin; or a user's token from the users file) or a verified client
//    certificate (HttpRequest::peer_identity, its user's role from the users
//    file). GET needs reader; writes need writer; branch protection, deleting
//    tags, gc and backups need admin. Commits name the caller as author (the
//    shared admin token names nobody: the request's author stands). Without
//    authentication required, the API is open to all as an admin; a client
//    certificate then names the author and takes no right away.
//    Token checks are constant-time; denials are logged without the token.
//  * Path segments are percent-decoded after splitting on '/', so a partition
//    name travels as ds=2024-01-01%2Fhr=00; ref expressions may hold ~ and ^.
//  * Handle() is thread-safe (the Repository is); it may run on any thread.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <string_view>

#include "base/status.h"
#include "server/auth/identity.h"
#include "server/auth/users.h"
#include "versioning/location_mapper.h"
#include "versioning/repository.h"

namespace arbor {

struct HttpRequest {
  std::string method;                          // "GET", "POST", ...
  std::string target;                          // origin-form: path plus optional "?query"
  std::map<std::string, std::string> headers;  // names lower-case
  std::string body;
  // Set by the listener from a verified TLS client certificate; none otherwise.
  auth::Identity peer_identity;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra, e.g. Allow
  std::string route;  // the matched route pattern, for logs and metrics; "" if none
};

// What the admin API reports to its host (arbord wires it to its metrics
// registry). The API does not know how events are recorded or rendered.
// Methods are called from any thread, concurrently; the defaults ignore events.
class AdminObserver {
 public:
  virtual ~AdminObserver() = default;
  // One request: its method, the matched route pattern ("unmatched" if none),
  // the response status and the time taken.
  virtual void OnRequest(std::string_view method, std::string_view route, int status,
                         double seconds) {}
  // A commit (or revert) written through the API; a merge commit written.
  virtual void OnCommit() {}
  virtual void OnMerge() {}
  // The body of GET /metrics (text/plain, Prometheus exposition format).
  virtual std::string MetricsText() { return ""; }
};

struct AdminApiOptions {
  std::string admin_token;  // an admin's token; with users: see the contract
  // Users, roles and token hashes; null: only admin_token. Not owned.
  const auth::UserDirectory* users = nullptr;
  // Refuse callers that present no valid credential (401). Implied by
  // admin_token or by users with tokens.
  bool require_authentication = false;
  size_t max_body_bytes = 1 << 20;       // larger bodies are 400 BODY_TOO_LARGE
  std::string default_author = "admin";  // for commits whose request names none
  AdminObserver* observer = nullptr;     // optional; not owned
  // Renders stored lakeFS locations (${ref}) for the ref a browsing route reads,
  // as the Thrift side does; null (or disabled): locations are shown as stored.
  const LocationMapper* locations = nullptr;
  // Garbage collection's grace period when a request names none.
  int64_t gc_grace_seconds = 3600;
};

// The HTTP status for a Status code (see the contract above).
int HttpStatusFor(StatusCode code);
// The error `code` string for a Status code, e.g. "PRECONDITION_FAILED".
std::string_view ErrorCodeFor(StatusCode code);

class AdminApi {
 public:
  AdminApi(Repository* repo, AdminApiOptions options);
  ~AdminApi();
  AdminApi(const AdminApi&) = delete;
  AdminApi& operator=(const AdminApi&) = delete;

  const AdminApiOptions& options() const { return options_; }

  // Serves one request, reports it to the observer, and never throws.
  HttpResponse Handle(const HttpRequest& request);

  // The error body in the API's shape, for responses produced outside Handle
  // (e.g. the HTTP server's own 400 for a body over the limit).
  static HttpResponse ErrorResponse(int status, std::string_view code, std::string_view message);

  struct Route;
  struct Call;

 private:
  HttpResponse Dispatch(const HttpRequest& request, std::string* route_label);
  // Who is calling and with what role; 401 when a credential is required and
  // missing or wrong. Role kAdmin with no identity when nothing is required.
  std::optional<HttpResponse> Authenticate(const HttpRequest& request, auth::Identity* who,
                                           auth::Role* role) const;

  Repository* repo_;
  AdminApiOptions options_;
  std::vector<Route> routes_;
};

}  // namespace arbor

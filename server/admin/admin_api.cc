// AdminApi (admin_api.h): the route table, and serving a request through it:
// matching, authentication and roles, limits, decoding, then the handler.
#include "server/admin/admin_api.h"

#include <google/protobuf/struct.pb.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <exception>
#include <functional>
#include <utility>

#include "server/admin/admin_call.h"
#include "server/admin/admin_errors.h"
#include "server/admin/admin_handlers.h"

namespace arbor {

namespace pb = google::protobuf;
using namespace admin_api;  // NOLINT: this file binds admin_api's handlers

struct AdminApi::Route {
  std::string method;
  std::string pattern;
  std::vector<std::string> segments;  // "{x}" for a parameter
  std::function<HttpResponse(Call&)> handler;
  auth::Role need = auth::Role::kReader;
};

AdminApi::AdminApi(Repository* repo, AdminApiOptions options)
    : repo_(repo), options_(std::move(options)) {
  // GET needs a reader and other methods a writer, unless the route names its role.
  auto add = [&](std::string method, std::string pattern, HttpResponse (*handler)(Call&),
                 std::optional<auth::Role> need = std::nullopt) {
    Route r{std::move(method), std::move(pattern), {}, handler};
    r.segments = SplitPath(r.pattern);
    r.need = need ? *need : r.method == "GET" ? auth::Role::kReader : auth::Role::kWriter;
    routes_.push_back(std::move(r));
  };
  constexpr auth::Role kAdmin = auth::Role::kAdmin;
  add("GET", "/healthz", Healthz);
  add("GET", "/metrics", MetricsText);
  add("GET", "/api/v1/branches", ListBranches);
  add("POST", "/api/v1/branches", CreateBranch);
  add("GET", "/api/v1/branches/{branch}", GetBranch);
  add("DELETE", "/api/v1/branches/{branch}", DeleteBranch);
  // Protection guards main; deleting a protected branch needs it lifted first.
  add("PUT", "/api/v1/branches/{branch}/protection", SetProtection, kAdmin);
  add("PUT", "/api/v1/branches/{branch}/commit-mode", SetCommitMode);
  add("POST", "/api/v1/branches/{branch}/commits", CommitBranch);
  add("GET", "/api/v1/branches/{branch}/diff", DiffUncommitted);
  add("POST", "/api/v1/branches/{branch}/reset", Reset);
  add("POST", "/api/v1/branches/{branch}/revert", Revert);
  add("POST", "/api/v1/branches/{branch}/merge", Merge);
  add("GET", "/api/v1/tags", ListTags);
  add("POST", "/api/v1/tags", CreateTag);
  add("GET", "/api/v1/tags/{tag}", GetTag);
  add("DELETE", "/api/v1/tags/{tag}", DeleteTag, kAdmin);
  add("GET", "/api/v1/commits/{commit}", GetCommit);
  add("GET", "/api/v1/refs/{ref}", ResolveRef);
  add("POST", "/api/v1/gc", CollectGarbage, kAdmin);
  add("POST", "/api/v1/backups", Backup, kAdmin);
  add("GET", "/api/v1/refs/{ref}/commits", LogOf);
  add("GET", "/api/v1/refs/{left}/diff/{right}", DiffRefs);
  add("GET", "/api/v1/refs/{ref}/databases", ListDatabases);
  add("GET", "/api/v1/refs/{ref}/databases/{db}", GetDatabase);
  add("GET", "/api/v1/refs/{ref}/databases/{db}/tables", ListTables);
  add("GET", "/api/v1/refs/{ref}/databases/{db}/tables/{table}", GetTable);
  add("GET", "/api/v1/refs/{ref}/databases/{db}/tables/{table}/partitions", ListPartitions);
}

AdminApi::~AdminApi() = default;

HttpResponse AdminApi::ErrorResponse(int status, std::string_view code, std::string_view message) {
  return Error(status, code, message);
}

HttpResponse AdminApi::Handle(const HttpRequest& request) {
  auto start = std::chrono::steady_clock::now();
  std::string route;
  HttpResponse response;
  try {
    response = Dispatch(request, &route);
  } catch (const std::exception& e) {
    spdlog::error("admin: {} {} failed: {}", request.method, request.target, e.what());
    response = Error(500, "INTERNAL", std::string("internal error: ") + e.what());
  } catch (...) {
    response = Error(500, "INTERNAL", "internal error");
  }
  response.route = route;
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (options_.observer != nullptr) {
    options_.observer->OnRequest(request.method, route.empty() ? "unmatched" : route,
                                 response.status, seconds);
  }
  spdlog::debug("admin: {} {} -> {} ({:.1f} ms)", request.method, request.target, response.status,
                seconds * 1000);
  return response;
}

HttpResponse AdminApi::Dispatch(const HttpRequest& request, std::string* route_label) {
  std::string_view target = request.target;
  size_t q = target.find('?');
  std::string_view path = target.substr(0, q);
  std::string_view query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
  if (path.empty() || path[0] != '/') {
    return Error(400, "INVALID_ARGUMENT", "the request target must be an absolute path");
  }
  std::vector<std::string> raw = SplitPath(path);

  // Match the path against every route, remembering the methods it allows.
  const Route* match = nullptr;
  std::vector<std::string> allowed;
  const Route* any_method = nullptr;
  for (const Route& r : routes_) {
    if (r.segments.size() != raw.size()) continue;
    bool ok = true;
    for (size_t i = 0; ok && i < raw.size(); ++i) {
      const std::string& s = r.segments[i];
      ok = (!s.empty() && s.front() == '{') ? !raw[i].empty() : s == raw[i];
    }
    if (!ok) continue;
    if (any_method == nullptr) any_method = &r;
    allowed.push_back(r.method);
    if (r.method == request.method) match = &r;
  }
  if (any_method != nullptr) *route_label = match ? match->pattern : any_method->pattern;

  // Authentication, before anything tells whether a route exists.
  bool public_route = match != nullptr && match->pattern == "/healthz";
  auth::Identity caller;
  auth::Role role = auth::Role::kAdmin;
  if (!public_route) {
    if (auto denied = Authenticate(request, &caller, &role)) return *denied;
  }
  if (match != nullptr && caller.authenticated()) {
    Status s =
        auth::RequireRole(caller.user, role, match->need, request.method + " " + match->pattern);
    if (!s.ok()) {
      spdlog::warn("admin: denied: {}", s.message());
      return ErrorFromStatus(s);
    }
  }

  if (any_method == nullptr) {
    pb::Struct d = StringDetail("path", std::string(path.substr(0, 1000)));
    return Error(404, "NOT_FOUND", "no such route: " + std::string(path.substr(0, 300)), &d);
  }
  if (match == nullptr) {
    std::string allow;
    pb::Struct d;
    auto* list = (*d.mutable_fields())["allowed"].mutable_list_value();
    for (const auto& m : allowed) {
      allow += (allow.empty() ? "" : ", ") + m;
      list->add_values()->set_string_value(m);
    }
    HttpResponse r = Error(
        405, "METHOD_NOT_ALLOWED",
        request.method + " is not allowed on " + any_method->pattern + " (allowed: " + allow + ")",
        &d);
    r.headers.emplace_back("Allow", allow);
    return r;
  }
  if (request.body.size() > options_.max_body_bytes) {
    return Error(400, "BODY_TOO_LARGE",
                 "the request body is over the limit of " +
                     std::to_string(options_.max_body_bytes) + " bytes");
  }

  Call call{request, repo_, options_, {}, {}, caller};
  for (size_t i = 0; i < raw.size(); ++i) {
    if (match->segments[i].front() != '{') continue;
    API_ASSIGN_OR_RETURN(std::string v, PercentDecode(raw[i], /*plus_is_space=*/false));
    call.params.push_back(std::move(v));
  }
  API_ASSIGN_OR_RETURN(call.query, ParseQuery(query));
  return match->handler(call);
}

}  // namespace arbor

// The admin HTTP API: every route and error status through AdminApi::Handle
// against a real Repository on a MemKvStore, the metrics registry, and the
// HttpServer over a real socket (keep-alive, oversized bodies, shutdown).
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "server/admin/admin_api.h"
#include "server/auth/secrets.h"
#include "server/auth/users.h"
#include "server/admin_metrics.h"
#include "server/http_server.h"
#include "server/metrics.h"
#include "storage/mem_kv_store.h"
#include "tests/versioning/repository_test_util.h"
#include "versioning/catalog.h"

namespace arbor {
namespace {

namespace pb = google::protobuf;
using namespace arbor::testing;

// --------------------------------------------------------------- JSON access

pb::Struct ParseJson(const std::string& body) {
  pb::Struct s;
  auto status = pb::util::JsonStringToMessage(body, &s);
  EXPECT_TRUE(status.ok()) << status.ToString() << " in " << body;
  return s;
}

// Walks "a.b.0.c" (numbers index lists). A missing step yields a null Value.
pb::Value At(const pb::Struct& root, const std::string& path) {
  pb::Value v;
  *v.mutable_struct_value() = root;
  size_t start = 0;
  while (start <= path.size() && !path.empty()) {
    size_t dot = path.find('.', start);
    std::string step =
        path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    pb::Value next;
    if (v.has_struct_value()) {
      auto it = v.struct_value().fields().find(step);
      if (it == v.struct_value().fields().end()) return pb::Value();
      next = it->second;
    } else if (v.has_list_value()) {
      size_t i = std::stoul(step);
      if (i >= static_cast<size_t>(v.list_value().values_size())) return pb::Value();
      next = v.list_value().values(static_cast<int>(i));
    } else {
      return pb::Value();
    }
    v = next;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return v;
}

std::string Str(const pb::Struct& s, const std::string& path) {
  return At(s, path).string_value();
}
double Num(const pb::Struct& s, const std::string& path) {
  return At(s, path).number_value();
}
bool Bool(const pb::Struct& s, const std::string& path) {
  return At(s, path).bool_value();
}
bool Has(const pb::Struct& s, const std::string& path) {
  return At(s, path).kind_case() != pb::Value::KIND_NOT_SET;
}
int Len(const pb::Struct& s, const std::string& path) {
  pb::Value v = At(s, path);
  return v.has_list_value() ? v.list_value().values_size() : -1;
}

// --------------------------------------------------------------- fixture

class AdminApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    spdlog::set_level(spdlog::level::warn);
    Open("");
  }

  void Open(const std::string& token, const LocationMapper* locations = nullptr) {
    api_.reset();
    if (!repo_) {
      auto repo = Repository::Open(&kv_, TestRepositoryOptions());
      ASSERT_TRUE(repo.ok()) << repo.status().ToString();
      repo_ = std::move(*repo);
    }
    AdminApiOptions o;
    o.admin_token = token;
    o.observer = &observer_;
    o.max_body_bytes = 4096;
    o.locations = locations;
    api_ = std::make_unique<AdminApi>(repo_.get(), o);
  }

  HttpResponse Call(const std::string& method, const std::string& target,
                    const std::string& body = "", std::map<std::string, std::string> headers = {}) {
    HttpRequest r;
    r.method = method;
    r.target = target;
    r.body = body;
    r.headers = std::move(headers);
    return api_->Handle(r);
  }

  // Calls and expects `status`; returns the parsed body.
  pb::Struct Expect(int status, const std::string& method, const std::string& target,
                    const std::string& body = "") {
    HttpResponse r = Call(method, target, body);
    EXPECT_EQ(r.status, status) << method << " " << target << " " << body << "\n-> " << r.body;
    if (r.body.empty()) return pb::Struct();
    EXPECT_EQ(r.content_type, "application/json");
    return ParseJson(r.body);
  }

  // Expects an error with `status` and `code` in the one error shape.
  pb::Struct ExpectError(int status, const std::string& code, const std::string& method,
                         const std::string& target, const std::string& body = "") {
    HttpResponse r = Call(method, target, body);
    EXPECT_EQ(r.status, status) << method << " " << target << " " << body << "\n-> " << r.body;
    CheckErrorShape(r, code);
    return ParseJson(r.body);
  }

  static void CheckErrorShape(const HttpResponse& r, const std::string& code) {
    EXPECT_EQ(r.content_type, "application/json");
    pb::Struct s = ParseJson(r.body);
    EXPECT_EQ(s.fields_size(), 3) << r.body;
    EXPECT_EQ(Str(s, "code"), code) << r.body;
    EXPECT_FALSE(Str(s, "message").empty()) << r.body;
    EXPECT_TRUE(At(s, "details").has_struct_value()) << r.body;
  }

  std::string Head(const std::string& branch) {
    auto b = repo_->GetBranch(branch);
    EXPECT_TRUE(b.ok()) << b.status().ToString();
    return b.ok() ? b->head.ToHex() : "";
  }

  void StageEdits(const std::string& branch, std::vector<Edit> edits) {
    auto r = Stage(repo_.get(), branch, std::move(edits));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }

  void StageTable(const std::string& branch, const std::string& name,
                  const Columns& cols = {{"id", "bigint"}}, std::optional<Params> params = {}) {
    StageEdits(branch, {Put(TableKey("default", name),
                            SerializeDeterministic(MakeTable("default", name, cols, params)))});
  }

  std::string CommitVia(const std::string& branch, const std::string& message) {
    pb::Struct c = Expect(201, "POST", "/api/v1/branches/" + branch + "/commits",
                          R"({"message": ")" + message + R"("})");
    return Str(c, "commit.id");
  }

  MemKvStore kv_;
  std::unique_ptr<Repository> repo_;
  Metrics metrics_;
  AdminMetrics observer_{&metrics_};
  std::unique_ptr<AdminApi> api_;
};

// --------------------------------------------------------------- service routes

TEST_F(AdminApiTest, HealthzAndMetrics) {
  pb::Struct h = Expect(200, "GET", "/healthz");
  EXPECT_EQ(Str(h, "status"), "ok");
  Expect(200, "GET", "/api/v1/branches");
  HttpResponse m = Call("GET", "/metrics");
  EXPECT_EQ(m.status, 200);
  EXPECT_EQ(m.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(m.body.find("# TYPE arbor_http_requests_total counter"), std::string::npos);
  EXPECT_NE(
      m.body.find(
          R"(arbor_http_requests_total{method="GET",route="/api/v1/branches",status="200"} 1)"),
      std::string::npos)
      << m.body;
  EXPECT_NE(
      m.body.find(R"(arbor_http_request_duration_seconds_count{method="GET",route="/healthz"} 1)"),
      std::string::npos);
  EXPECT_NE(m.body.find("arbor_commits_total 0"), std::string::npos);
  EXPECT_NE(m.body.find("arbor_merges_total 0"), std::string::npos);
}

TEST_F(AdminApiTest, UnknownRouteWrongMethodAndMalformedRequests) {
  pb::Struct e = ExpectError(404, "NOT_FOUND", "GET", "/api/v1/nope");
  EXPECT_EQ(Str(e, "details.path"), "/api/v1/nope");
  ExpectError(404, "NOT_FOUND", "GET", "/api/v1/branches/");  // empty parameter
  ExpectError(400, "INVALID_ARGUMENT", "GET", "nopath");

  HttpResponse r = Call("PATCH", "/api/v1/branches/main");
  EXPECT_EQ(r.status, 405);
  CheckErrorShape(r, "METHOD_NOT_ALLOWED");
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "Allow");
  EXPECT_EQ(r.headers[0].second, "GET, DELETE");
  EXPECT_EQ(Len(ParseJson(r.body), "details.allowed"), 2);
  ExpectError(405, "METHOD_NOT_ALLOWED", "POST", "/healthz");

  // Malformed JSON, wrong types and unknown fields.
  ExpectError(400, "INVALID_JSON", "POST", "/api/v1/branches", "{");
  ExpectError(400, "INVALID_JSON", "POST", "/api/v1/branches", "[1]");
  ExpectError(400, "INVALID_JSON", "POST", "/api/v1/branches", R"({"name": 5, "source": {}})");
  pb::Struct u = ExpectError(400, "INVALID_JSON", "POST", "/api/v1/branches",
                             R"({"name": "x", "colour": "red"})");
  EXPECT_NE(Str(u, "message").find("colour"), std::string::npos) << Str(u, "message");
  // Both JSON spellings of a field name are accepted.
  Expect(201, "POST", "/api/v1/tags", R"({"name": "t1", "ref": "main"})");
  Expect(200, "POST", "/api/v1/branches/main/merge", R"({"source": "main", "dryRun": true})");

  // Body over the limit (4096 in this fixture).
  ExpectError(400, "BODY_TOO_LARGE", "POST", "/api/v1/branches",
              R"({"name": "x", "source": ")" + std::string(5000, 'a') + R"("})");

  // Query strings.
  ExpectError(400, "INVALID_ARGUMENT", "GET", "/api/v1/branches?x=1");
  ExpectError(400, "INVALID_ARGUMENT", "GET", "/api/v1/refs/main/commits?limit=1&limit=2");
  ExpectError(400, "INVALID_ARGUMENT", "GET", "/api/v1/refs/main/commits?limit=%zz");
  ExpectError(400, "INVALID_ARGUMENT", "GET", "/api/v1/branches/ma%2");
  ExpectError(400, "INVALID_ARGUMENT", "GET", "/api/v1/refs/main/commits?first_parent=maybe");
  for (const char* bad : {"0", "10001", "-1", "abc", "1.5", ""}) {
    ExpectError(400, "INVALID_ARGUMENT", "GET",
                std::string("/api/v1/refs/main/commits?limit=") + bad);
  }
  Expect(200, "GET", "/api/v1/refs/main/commits?limit=10000");
}

TEST_F(AdminApiTest, BearerAuthentication) {
  Open("s3cret-token");
  // /healthz stays open.
  EXPECT_EQ(Call("GET", "/healthz").status, 200);

  HttpResponse none = Call("GET", "/api/v1/branches");
  EXPECT_EQ(none.status, 401);
  CheckErrorShape(none, "UNAUTHENTICATED");
  ASSERT_FALSE(none.headers.empty());
  EXPECT_EQ(none.headers[0].first, "WWW-Authenticate");

  auto with = [&](const std::string& value, const std::string& target = "/api/v1/branches") {
    return Call("GET", target, "", {{"authorization", value}});
  };
  EXPECT_EQ(with("Bearer wrong").status, 401);
  EXPECT_EQ(with("Bearer s3cret-toke").status, 401);
  EXPECT_EQ(with("Bearer s3cret-token2").status, 401);
  EXPECT_EQ(with("Basic s3cret-token").status, 401);
  EXPECT_EQ(with("s3cret-token").status, 401);
  EXPECT_EQ(with("Bearer s3cret-token").status, 200);
  EXPECT_EQ(with("bearer s3cret-token").status, 200);
  // The metrics need the token too, and an unknown route does not tell it
  // exists before authentication.
  EXPECT_EQ(Call("GET", "/metrics").status, 401);
  EXPECT_EQ(with("Bearer s3cret-token", "/metrics").status, 200);
  EXPECT_EQ(Call("GET", "/api/v1/nope").status, 401);
  EXPECT_EQ(with("Bearer s3cret-token", "/api/v1/nope").status, 404);
}

// Users with roles: per-user tokens, verified client certificates
// (peer_identity), the shared admin token, and the author of commits.
TEST_F(AdminApiTest, UsersRolesTokensAndCertificates) {
  auto users = auth::UserDirectory::Parse(
      "rita reader token=" + auth::HashToken("tok-rita") + "\n" +
          "alice writer token=" + auth::HashToken("tok-alice") + "\n" + "carol admin\n",
      "users");
  ASSERT_TRUE(users.ok()) << users.status().ToString();
  api_.reset();
  AdminApiOptions o;
  o.admin_token = "shared";
  o.users = &*users;
  api_ = std::make_unique<AdminApi>(repo_.get(), o);
  auto as = [&](const std::string& who, const std::string& method, const std::string& target,
                const std::string& body = "") {
    HttpRequest r;
    r.method = method;
    r.target = target;
    r.body = body;
    if (who.rfind("cert:", 0) == 0) {
      r.peer_identity = {auth::AuthMethod::kCertificate, "CN=" + who.substr(5), who.substr(5)};
    } else if (!who.empty()) {
      r.headers["authorization"] = "Bearer " + who;
    }
    return api_->Handle(r);
  };
  EXPECT_EQ(as("", "GET", "/api/v1/branches").status, 401);
  EXPECT_EQ(as("tok-nobody", "GET", "/api/v1/branches").status, 401);
  EXPECT_EQ(as("tok-rita", "GET", "/api/v1/branches").status, 200);
  HttpResponse denied = as("tok-rita", "POST", "/api/v1/branches", R"({"name":"d1"})");
  EXPECT_EQ(denied.status, 403);
  CheckErrorShape(denied, "PERMISSION_DENIED");
  EXPECT_EQ(as("tok-alice", "POST", "/api/v1/branches", R"({"name":"d1"})").status, 201);
  EXPECT_EQ(as("tok-alice", "PUT", "/api/v1/branches/d1/protection", R"({"protected":true})")
                .status,
            403);
  // A certificate's user takes its role from the file; unlisted: the default (reader).
  EXPECT_EQ(as("cert:carol", "PUT", "/api/v1/branches/d1/protection", R"({"protected":true})")
                .status,
            200);
  EXPECT_EQ(as("cert:dave", "GET", "/api/v1/branches").status, 200);
  EXPECT_EQ(as("cert:dave", "DELETE", "/api/v1/branches/d1").status, 403);
  // The shared token is an admin.
  EXPECT_EQ(as("shared", "PUT", "/api/v1/branches/d1/protection", R"({"protected":false})")
                .status,
            200);
  // Authors: the authenticated user, whatever the body says; the shared token
  // names nobody, so the body's author stands.
  EXPECT_EQ(as("tok-alice", "PUT", "/api/v1/branches/d1/commit-mode", R"({"mode":"staged"})")
                .status,
            200);
  EXPECT_EQ(
      as("tok-alice", "POST", "/api/v1/branches/d1/commits",
         R"({"message":"m","author":"mallory","allow_empty":true})")
          .status,
      201);
  HttpResponse log = as("tok-rita", "GET", "/api/v1/refs/d1/commits?limit=1");
  EXPECT_NE(log.body.find("\"author\":\"alice\""), std::string::npos) << log.body;
  EXPECT_EQ(as("shared", "POST", "/api/v1/branches/d1/commits",
               R"({"message":"m","author":"ops","allow_empty":true})")
                .status,
            201);
  log = as("tok-rita", "GET", "/api/v1/refs/d1/commits?limit=1");
  EXPECT_NE(log.body.find("\"author\":\"ops\""), std::string::npos) << log.body;
}

// Nothing requires authentication: the API is open as an admin to everyone, and
// a certificate (here of a user the file does not list, so a default-role reader
// elsewhere) names the author without taking rights away. Required client
// certificates (require_authentication) make the roles apply.
TEST_F(AdminApiTest, CertificateOnAnOpenApiOnlyNamesTheAuthor) {
  auth::UserDirectory users;  // no file: everyone authenticated gets the default role
  for (bool required : {false, true}) {
    api_.reset();
    AdminApiOptions o;
    o.users = &users;
    o.require_authentication = required;
    api_ = std::make_unique<AdminApi>(repo_.get(), o);
    HttpRequest r;
    r.method = "POST";
    r.target = "/api/v1/branches";
    r.body = required ? R"({"name":"c2"})" : R"({"name":"c1"})";
    r.peer_identity = {auth::AuthMethod::kCertificate, "CN=dave", "dave"};
    EXPECT_EQ(api_->Handle(r).status, required ? 403 : 201) << "required=" << required;
    r.method = "GET";
    r.target = "/api/v1/branches";
    r.body.clear();
    EXPECT_EQ(api_->Handle(r).status, 200);
    r.peer_identity = {};
    EXPECT_EQ(api_->Handle(r).status, required ? 401 : 200);
  }
}

// --------------------------------------------------------------- branches

TEST_F(AdminApiTest, BranchLifecycle) {
  pb::Struct list = Expect(200, "GET", "/api/v1/branches");
  ASSERT_EQ(Len(list, "branches"), 1);
  EXPECT_EQ(Str(list, "branches.0.name"), "main");
  EXPECT_EQ(Str(list, "branches.0.head"), Head("main"));
  EXPECT_TRUE(Bool(list, "branches.0.is_default"));
  EXPECT_TRUE(Has(list, "branches.0.protected"));  // false is printed
  EXPECT_FALSE(Bool(list, "branches.0.protected"));
  EXPECT_EQ(Str(list, "branches.0.commit_mode"), "staged");
  EXPECT_FALSE(Str(list, "branches.0.created").empty());

  HttpResponse created = Call("POST", "/api/v1/branches", R"({"name": "dev"})");
  ASSERT_EQ(created.status, 201) << created.body;
  pb::Struct dev = ParseJson(created.body);
  EXPECT_EQ(Str(dev, "name"), "dev");
  EXPECT_EQ(Str(dev, "head"), Head("main"));
  EXPECT_FALSE(Bool(dev, "is_default"));
  ASSERT_FALSE(created.headers.empty());
  EXPECT_EQ(created.headers[0].second, "/api/v1/branches/dev");

  Expect(201, "POST", "/api/v1/branches", R"({"name": "feature-1_x", "source": "dev"})");
  EXPECT_EQ(Len(Expect(200, "GET", "/api/v1/branches"), "branches"), 3);
  EXPECT_EQ(Str(Expect(200, "GET", "/api/v1/branches/dev"), "name"), "dev");

  ExpectError(409, "ALREADY_EXISTS", "POST", "/api/v1/branches", R"({"name": "dev"})");
  ExpectError(400, "INVALID_ARGUMENT", "POST", "/api/v1/branches", R"({"name": "Dev"})");
  ExpectError(400, "INVALID_ARGUMENT", "POST", "/api/v1/branches", R"({"name": "a/b"})");
  ExpectError(400, "INVALID_ARGUMENT", "POST", "/api/v1/branches", R"({"source": "main"})");
  ExpectError(404, "NOT_FOUND", "POST", "/api/v1/branches", R"({"name": "x", "source": "nope"})");
  ExpectError(400, "INVALID_ARGUMENT", "POST", "/api/v1/branches",
              R"({"name": "x", "source": "main~x"})");
  ExpectError(404, "NOT_FOUND", "GET", "/api/v1/branches/nope");

  EXPECT_EQ(Call("DELETE", "/api/v1/branches/feature-1_x").status, 204);
  ExpectError(404, "NOT_FOUND", "GET", "/api/v1/branches/feature-1_x");
  ExpectError(404, "NOT_FOUND", "DELETE", "/api/v1/branches/feature-1_x");
  ExpectError(400, "INVALID_ARGUMENT", "DELETE", "/api/v1/branches/main");  // the default branch
}

// Booleans must be JSON booleans: protobuf's parser would read the strings "yes",
// "true" or "false" as bools, so a typo could silently commit an empty commit.
TEST_F(AdminApiTest, BooleanFieldsMustBeJsonBooleans) {
  Expect(201, "POST", "/api/v1/branches", R"({"name": "dev"})");
  for (const char* value : {R"("yes")", R"("true")", R"("false")", "1", "0", "[]"}) {
    SCOPED_TRACE(value);
    pb::Struct e = ExpectError(400, "INVALID_JSON", "POST", "/api/v1/branches/dev/commits",
                               std::string(R"({"message": "m", "allow_empty": )") + value + "}");
    EXPECT_NE(Str(e, "message").find("allow_empty"), std::string::npos) << Str(e, "message");
    ExpectError(400, "INVALID_JSON", "PUT", "/api/v1/branches/dev/protection",
                std::string(R"({"protected": )") + value + "}");
  }
  EXPECT_FALSE(Bool(Expect(200, "GET", "/api/v1/branches/dev"), "protected"));
  // Real booleans (and null, the default) are still taken.
  Expect(201, "POST", "/api/v1/branches/dev/commits", R"({"message": "m", "allow_empty": true})");
  Expect(200, "PUT", "/api/v1/branches/dev/protection", R"({"protected": null})");
}

TEST_F(AdminApiTest, ProtectionAndCommitMode) {
  Expect(201, "POST", "/api/v1/branches", R"({"name": "dev"})");
  pb::Struct p = Expect(200, "PUT", "/api/v1/branches/dev/protection", R"({"protected": true})");
  EXPECT_TRUE(Bool(p, "protected"));
  EXPECT_TRUE(Bool(Expect(200, "GET", "/api/v1/branches/dev"), "protected"));

  // A protected branch refuses commits, reverts and deletion: 423.
  ExpectError(423, "READ_ONLY", "POST", "/api/v1/branches/dev/commits",
              R"({"message": "m", "allow_empty": true})");
  ExpectError(423, "READ_ONLY", "DELETE", "/api/v1/branches/dev");
  // ... but merges still move it.
  StageTable("main", "t1");
  CommitVia("main", "add t1");
  pb::Struct m = Expect(200, "POST", "/api/v1/branches/dev/merge", R"({"source": "main"})");
  EXPECT_EQ(Str(m, "status"), "merged");

  ExpectError(400, "INVALID_JSON", "PUT", "/api/v1/branches/dev/protection",
              R"({"protected": {}})");
  ExpectError(404, "NOT_FOUND", "PUT", "/api/v1/branches/nope/protection",
              R"({"protected": true})");
  p = Expect(200, "PUT", "/api/v1/branches/dev/protection", R"({"protected": false})");
  EXPECT_FALSE(Bool(p, "protected"));
  EXPECT_EQ(Call("DELETE", "/api/v1/branches/dev").status, 204);

  pb::Struct mode = Expect(200, "PUT", "/api/v1/branches/main/commit-mode", R"({"mode": "auto"})");
  EXPECT_EQ(Str(mode, "commit_mode"), "auto");
  ExpectError(400, "INVALID_ARGUMENT", "PUT", "/api/v1/branches/main/commit-mode",
              R"({"mode": "sometimes"})");
  mode = Expect(200, "PUT", "/api/v1/branches/main/commit-mode", R"({"mode": "staged"})");
  EXPECT_EQ(Str(mode, "commit_mode"), "staged");
}

// --------------------------------------------------------------- commits, diff, reset

TEST_F(AdminApiTest, CommitAndUncommittedDiff) {
  std::string before = Head("main");
  StageTable("main", "orders", {{"id", "bigint"}, {"amount", "double"}}, Params{{"owner", "ann"}});
  StageTable("main", "users");

  pb::Struct d = Expect(200, "GET", "/api/v1/branches/main/diff");
  ASSERT_EQ(Len(d, "changes"), 2);
  EXPECT_EQ(Str(d, "left.kind"), "commit");
  EXPECT_EQ(Str(d, "left.commit"), before);
  EXPECT_EQ(Str(d, "right.kind"), "branch");
  EXPECT_EQ(Str(d, "changes.0.key.kind"), "table");
  EXPECT_EQ(Str(d, "changes.0.key.db"), "default");
  EXPECT_EQ(Str(d, "changes.0.key.table"), "orders");
  EXPECT_EQ(Str(d, "changes.0.type"), "added");
  EXPECT_FALSE(Has(d, "changes.0.old_value"));
  EXPECT_EQ(Str(d, "changes.0.new_value.table_name"), "orders");
  EXPECT_EQ(Str(d, "changes.0.new_value.sd.cols.items.1.type"), "double");
  EXPECT_EQ(Len(d, "changes.0.table_summary.columns_added"), 2);
  EXPECT_EQ(Str(d, "changes.0.table_summary.parameters_added.0"), "owner");
  EXPECT_FALSE(Bool(d, "has_more"));

  // Pagination.
  pb::Struct p1 = Expect(200, "GET", "/api/v1/branches/main/diff?limit=1");
  ASSERT_EQ(Len(p1, "changes"), 1);
  EXPECT_TRUE(Bool(p1, "has_more"));
  std::string cursor = Str(p1, "next_after");
  ASSERT_FALSE(cursor.empty());
  pb::Struct p2 = Expect(200, "GET", "/api/v1/branches/main/diff?limit=1&after=" + cursor);
  ASSERT_EQ(Len(p2, "changes"), 1);
  EXPECT_EQ(Str(p2, "changes.0.key.table"), "users");
  EXPECT_FALSE(Bool(p2, "has_more"));
  ExpectError(400, "INVALID_ARGUMENT", "GET", "/api/v1/branches/main/diff?after=!!");
  ExpectError(400, "INVALID_ARGUMENT", "GET", "/api/v1/branches/main/diff?limit=0");
  ExpectError(400, "INVALID_ARGUMENT", "GET", "/api/v1/branches/main/diff?offset=3");
  ExpectError(404, "NOT_FOUND", "GET", "/api/v1/branches/nope/diff");

  // expected_head must be a commit id and must match.
  ExpectError(400, "INVALID_ARGUMENT", "POST", "/api/v1/branches/main/commits",
              R"({"message": "m", "expected_head": "main"})");
  ExpectError(409, "PRECONDITION_FAILED", "POST", "/api/v1/branches/main/commits",
              R"({"message": "m", "expected_head": ")" + std::string(64, '0') + R"("})");
  ExpectError(409, "PRECONDITION_FAILED", "POST", "/api/v1/branches/main/commits",
              R"({"message": "m", "expected_head": "0000000f"})");

  HttpResponse r = Call("POST", "/api/v1/branches/main/commits",
                        R"({"message": "add orders", "author": "ann", "metadata": {"job": "42"},
                            "expected_head": ")" +
                            before.substr(0, 12) + R"("})");
  ASSERT_EQ(r.status, 201) << r.body;
  pb::Struct c = ParseJson(r.body);
  EXPECT_EQ(Str(c, "commit.id").size(), 64u);
  EXPECT_EQ(Str(c, "commit.id"), Head("main"));
  ASSERT_EQ(Len(c, "commit.parents"), 1);
  EXPECT_EQ(Str(c, "commit.parents.0"), before);
  EXPECT_EQ(Str(c, "commit.author"), "ann");
  EXPECT_EQ(Str(c, "commit.message"), "add orders");
  EXPECT_EQ(Str(c, "commit.metadata.job"), "42");
  EXPECT_EQ(Str(c, "commit.generation"), "2");  // uint64: a JSON string
  EXPECT_TRUE(Has(c, "commit.lakefs_commit"));
  EXPECT_EQ(Str(c, "commit.time").back(), 'Z');
  EXPECT_EQ(Str(c, "commit.root").size(), 64u);
  EXPECT_EQ(metrics_.Value("arbor_commits_total"), 1);
  EXPECT_EQ(Len(Expect(200, "GET", "/api/v1/branches/main/diff"), "changes"), 0);

  // Nothing to commit, unless asked for.
  ExpectError(400, "INVALID_ARGUMENT", "POST", "/api/v1/branches/main/commits",
              R"({"message": "m"})");
  pb::Struct empty = Expect(201, "POST", "/api/v1/branches/main/commits",
                            R"({"message": "empty", "allow_empty": true})");
  EXPECT_EQ(Str(empty, "commit.author"), "admin");  // the default author
  ExpectError(404, "NOT_FOUND", "POST", "/api/v1/branches/nope/commits", R"({"message": "m"})");
}

TEST_F(AdminApiTest, WritesToTagsAndCommitsAreReadOnlyRefs) {
  Expect(201, "POST", "/api/v1/tags", R"({"name": "v1", "ref": "main"})");
  std::string head = Head("main");
  for (const std::string& ref : {std::string("v1"), head.substr(0, 10), std::string("main~0")}) {
    std::string base = "/api/v1/branches/" + ref;
    pb::Struct e = ExpectError(400, "READ_ONLY_REF", "POST", base + "/commits",
                               R"({"message": "m", "allow_empty": true})");
    EXPECT_EQ(Str(e, "details.ref"), ref);
    ExpectError(400, "READ_ONLY_REF", "POST", base + "/merge", R"({"source": "main"})");
    ExpectError(400, "READ_ONLY_REF", "POST", base + "/revert", R"({"commit": "main"})");
    ExpectError(400, "READ_ONLY_REF", "POST", base + "/reset");
    ExpectError(400, "READ_ONLY_REF", "GET", base + "/diff");
  }
}

TEST_F(AdminApiTest, Reset) {
  StageTable("main", "t1");
  std::string head = Head("main");
  ExpectError(409, "PRECONDITION_FAILED", "POST", "/api/v1/branches/main/reset",
              R"({"expected_head": ")" + std::string(64, 'a') + R"("})");
  EXPECT_EQ(Len(Expect(200, "GET", "/api/v1/branches/main/diff"), "changes"), 1);
  pb::Struct b =
      Expect(200, "POST", "/api/v1/branches/main/reset", R"({"expected_head": ")" + head + R"("})");
  EXPECT_EQ(Str(b, "name"), "main");
  EXPECT_EQ(Str(b, "head"), head);
  EXPECT_EQ(Len(Expect(200, "GET", "/api/v1/branches/main/diff"), "changes"), 0);
  Expect(200, "POST", "/api/v1/branches/main/reset");  // no body at all
  ExpectError(404, "NOT_FOUND", "POST", "/api/v1/branches/nope/reset");
}

// --------------------------------------------------------------- merge and revert

TEST_F(AdminApiTest, MergeOutcomes) {
  StageTable("main", "base_t");
  CommitVia("main", "base");
  Expect(201, "POST", "/api/v1/branches", R"({"name": "dev"})");
  StageTable("dev", "dev_t");
  CommitVia("dev", "on dev");

  ExpectError(400, "INVALID_ARGUMENT", "POST", "/api/v1/branches/main/merge", "{}");
  ExpectError(400, "INVALID_ARGUMENT", "POST", "/api/v1/branches/main/merge",
              R"({"source": "dev", "strategy": "ours"})");
  ExpectError(404, "NOT_FOUND", "POST", "/api/v1/branches/main/merge", R"({"source": "nope"})");
  ExpectError(404, "NOT_FOUND", "POST", "/api/v1/branches/nope/merge", R"({"source": "dev"})");
  ExpectError(409, "PRECONDITION_FAILED", "POST", "/api/v1/branches/main/merge",
              R"({"source": "dev", "expected_head": ")" + std::string(64, 'b') + R"("})");

  std::string main_head = Head("main");
  pb::Struct dry =
      Expect(200, "POST", "/api/v1/branches/main/merge", R"({"source": "dev", "dry_run": true})");
  EXPECT_EQ(Str(dry, "status"), "dry_run");
  EXPECT_EQ(Num(dry, "changes"), 1);
  EXPECT_EQ(Num(dry, "conflict_count"), 0);
  EXPECT_FALSE(Has(dry, "commit"));
  EXPECT_EQ(Str(dry, "destination_head"), main_head);
  EXPECT_EQ(Str(dry, "base"), main_head);
  EXPECT_EQ(Head("main"), main_head);

  pb::Struct m = Expect(200, "POST", "/api/v1/branches/main/merge",
                        R"({"source": "dev", "message": "merge dev", "metadata": {"k": "v"},
                            "expected_head": ")" +
                            main_head + R"("})");
  EXPECT_EQ(Str(m, "status"), "merged");
  EXPECT_EQ(Str(m, "strategy"), "fail");
  EXPECT_EQ(Str(m, "commit.message"), "merge dev");
  EXPECT_EQ(Str(m, "commit.metadata.k"), "v");
  ASSERT_EQ(Len(m, "commit.parents"), 2);
  EXPECT_EQ(Str(m, "commit.parents.0"), main_head);
  EXPECT_EQ(Str(m, "commit.parents.1"), Head("dev"));
  EXPECT_EQ(Str(m, "commit.id"), Head("main"));
  EXPECT_EQ(metrics_.Value("arbor_merges_total"), 1);

  pb::Struct again = Expect(200, "POST", "/api/v1/branches/main/merge", R"({"source": "dev"})");
  EXPECT_EQ(Str(again, "status"), "nothing_to_merge");
  EXPECT_FALSE(Has(again, "commit"));

  // A dirty destination is a failed precondition.
  StageTable("main", "dirty");
  StageTable("dev", "dev_t2");
  CommitVia("dev", "more");
  pb::Struct dirty = ExpectError(409, "PRECONDITION_FAILED", "POST", "/api/v1/branches/main/merge",
                                 R"({"source": "dev"})");
  EXPECT_NE(Str(dirty, "message").find("uncommitted"), std::string::npos);
}

TEST_F(AdminApiTest, MergeConflictsArePaginated) {
  // Three tables changed differently on both sides: three conflicts.
  for (const char* t : {"a", "b", "c"})
    StageTable("main", t);
  CommitVia("main", "base");
  Expect(201, "POST", "/api/v1/branches", R"({"name": "dev"})");
  for (const char* t : {"a", "b", "c"}) {
    StageTable("main", t, {{"id", "int"}});
    StageTable("dev", t, {{"id", "string"}});
  }
  CommitVia("main", "ours");
  CommitVia("dev", "theirs");
  std::string main_head = Head("main");

  HttpResponse r = Call("POST", "/api/v1/branches/main/merge", R"({"source": "dev"})");
  ASSERT_EQ(r.status, 409) << r.body;
  CheckErrorShape(r, "CONFLICT");
  pb::Struct e = ParseJson(r.body);
  EXPECT_EQ(Str(e, "details.status"), "conflicts");
  EXPECT_EQ(Num(e, "details.conflict_count"), 3);
  ASSERT_EQ(Len(e, "details.conflicts"), 3);
  EXPECT_EQ(Str(e, "details.conflicts.0.key.kind"), "table");
  EXPECT_EQ(Str(e, "details.conflicts.0.key.table"), "a");
  EXPECT_EQ(Str(e, "details.conflicts.0.base.sd.cols.items.0.type"), "bigint");
  // Entities inside the error's details are spliced in too: no marker leaks.
  EXPECT_EQ(r.body.find("$arbor_raw"), std::string::npos) << r.body;
  EXPECT_EQ(Str(e, "details.conflicts.0.ours.sd.cols.items.0.type"), "int");
  EXPECT_EQ(Str(e, "details.conflicts.0.theirs.sd.cols.items.0.type"), "string");
  EXPECT_GE(Len(e, "details.conflicts.0.fields"), 1);
  EXPECT_FALSE(Bool(e, "details.conflicts_has_more"));
  EXPECT_EQ(Head("main"), main_head);  // nothing written
  EXPECT_EQ(metrics_.Value("arbor_merges_total"), 0);

  // Pages of one.
  std::vector<std::string> seen;
  std::string after;
  for (int page = 0; page < 5; ++page) {
    std::string body = R"({"source": "dev", "conflicts_limit": 1)";
    if (!after.empty()) body += R"(, "conflicts_after": ")" + after + "\"";
    body += "}";
    HttpResponse pr = Call("POST", "/api/v1/branches/main/merge", body);
    ASSERT_EQ(pr.status, 409) << pr.body;
    pb::Struct pe = ParseJson(pr.body);
    ASSERT_EQ(Len(pe, "details.conflicts"), 1);
    EXPECT_EQ(Num(pe, "details.conflict_count"), 3);
    seen.push_back(Str(pe, "details.conflicts.0.key.table"));
    if (!Bool(pe, "details.conflicts_has_more")) break;
    after = Str(pe, "details.conflicts_next_after");
    ASSERT_FALSE(after.empty());
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b", "c"}));
  ExpectError(400, "INVALID_ARGUMENT", "POST", "/api/v1/branches/main/merge",
              R"({"source": "dev", "conflicts_limit": 10001})");
  ExpectError(400, "INVALID_ARGUMENT", "POST", "/api/v1/branches/main/merge",
              R"({"source": "dev", "conflicts_after": "*"})");

  // A dry run reports the conflicts with 200; source-wins resolves them.
  pb::Struct dry =
      Expect(200, "POST", "/api/v1/branches/main/merge", R"({"source": "dev", "dry_run": true})");
  EXPECT_EQ(Str(dry, "status"), "dry_run");
  EXPECT_EQ(Num(dry, "conflict_count"), 3);
  pb::Struct won = Expect(200, "POST", "/api/v1/branches/main/merge",
                          R"({"source": "dev", "strategy": "source-wins"})");
  EXPECT_EQ(Str(won, "status"), "merged");
  EXPECT_EQ(Str(won, "strategy"), "source-wins");
  EXPECT_EQ(Num(won, "conflict_count"), 3);
  pb::Struct t = Expect(200, "GET", "/api/v1/refs/main/databases/default/tables/a");
  EXPECT_EQ(Str(t, "table.sd.cols.items.0.type"), "string");
}

TEST_F(AdminApiTest, Revert) {
  StageTable("main", "t1");
  std::string c1 = CommitVia("main", "add t1");
  StageTable("main", "t2");
  CommitVia("main", "add t2");

  ExpectError(400, "INVALID_ARGUMENT", "POST", "/api/v1/branches/main/revert", "{}");
  ExpectError(404, "NOT_FOUND", "POST", "/api/v1/branches/main/revert", R"({"commit": "nope"})");
  pb::Struct r =
      Expect(200, "POST", "/api/v1/branches/main/revert", R"({"commit": ")" + c1 + R"("})");
  EXPECT_EQ(Str(r, "status"), "reverted");
  EXPECT_EQ(Str(r, "source"), c1);
  EXPECT_EQ(Str(r, "commit.id"), Head("main"));
  EXPECT_EQ(At(r, "commit.metadata").struct_value().fields().at("arbor.revert").string_value(), c1);
  EXPECT_NE(Str(r, "commit.message").find("Revert"), std::string::npos);
  ExpectError(404, "NOT_FOUND", "GET", "/api/v1/refs/main/databases/default/tables/t1");
  Expect(200, "GET", "/api/v1/refs/main/databases/default/tables/t2");

  // The root commit has no parent; a dirty branch cannot revert.
  pb::Struct log = Expect(200, "GET", "/api/v1/refs/main/commits?first_parent=true&limit=100");
  std::string root = Str(log, "commits." + std::to_string(Len(log, "commits") - 1) + ".id");
  ExpectError(400, "INVALID_ARGUMENT", "POST", "/api/v1/branches/main/revert",
              R"({"commit": ")" + root + R"("})");
  StageTable("main", "t3");
  ExpectError(409, "PRECONDITION_FAILED", "POST", "/api/v1/branches/main/revert",
              R"({"commit": "main"})");
}

// --------------------------------------------------------------- tags, log, commits, ref diff

TEST_F(AdminApiTest, Tags) {
  HttpResponse r = Call("POST", "/api/v1/tags", R"({"name": "v1", "ref": "main"})");
  ASSERT_EQ(r.status, 201) << r.body;
  pb::Struct t = ParseJson(r.body);
  EXPECT_EQ(Str(t, "name"), "v1");
  EXPECT_EQ(Str(t, "commit"), Head("main"));
  EXPECT_EQ(Str(Expect(200, "GET", "/api/v1/tags/v1"), "commit"), Head("main"));
  pb::Struct list = Expect(200, "GET", "/api/v1/tags");
  ASSERT_EQ(Len(list, "tags"), 1);
  EXPECT_EQ(Str(list, "tags.0.name"), "v1");

  ExpectError(409, "ALREADY_EXISTS", "POST", "/api/v1/tags", R"({"name": "v1", "ref": "main"})");
  ExpectError(409, "ALREADY_EXISTS", "POST", "/api/v1/tags", R"({"name": "main", "ref": "main"})");
  ExpectError(400, "INVALID_ARGUMENT", "POST", "/api/v1/tags", R"({"name": "V2", "ref": "main"})");
  ExpectError(400, "INVALID_ARGUMENT", "POST", "/api/v1/tags", R"({"name": "v2"})");
  ExpectError(404, "NOT_FOUND", "POST", "/api/v1/tags", R"({"name": "v2", "ref": "nope"})");
  EXPECT_EQ(Call("DELETE", "/api/v1/tags/v1").status, 204);
  ExpectError(404, "NOT_FOUND", "DELETE", "/api/v1/tags/v1");
  ExpectError(404, "NOT_FOUND", "GET", "/api/v1/tags/v1");
  EXPECT_EQ(Len(Expect(200, "GET", "/api/v1/tags"), "tags"), 0);
}

TEST_F(AdminApiTest, LogAndCommits) {
  std::vector<std::string> ids = {Head("main")};
  for (int i = 0; i < 4; ++i) {
    StageTable("main", "t" + std::to_string(i));
    ids.push_back(CommitVia("main", "c" + std::to_string(i)));
  }
  pb::Struct all = Expect(200, "GET", "/api/v1/refs/main/commits");
  ASSERT_EQ(Len(all, "commits"), 5);
  EXPECT_EQ(Str(all, "commits.0.id"), ids[4]);
  EXPECT_EQ(Str(all, "commits.4.id"), ids[0]);
  EXPECT_FALSE(Bool(all, "has_more"));
  EXPECT_EQ(Str(all, "next_after"), "");

  // Pages of two.
  std::vector<std::string> paged;
  std::string after;
  for (int page = 0; page < 5; ++page) {
    pb::Struct p = Expect(
        200, "GET", "/api/v1/refs/main/commits?limit=2" + (after.empty() ? "" : "&after=" + after));
    for (int i = 0; i < Len(p, "commits"); ++i) {
      paged.push_back(Str(p, "commits." + std::to_string(i) + ".id"));
    }
    if (!Bool(p, "has_more")) break;
    after = Str(p, "next_after");
  }
  EXPECT_EQ(paged, (std::vector<std::string>{ids[4], ids[3], ids[2], ids[1], ids[0]}));
  ExpectError(400, "INVALID_ARGUMENT", "GET", "/api/v1/refs/main/commits?after=abc");

  // Ref expressions with ~ and ^, raw or percent-encoded.
  EXPECT_EQ(Str(Expect(200, "GET", "/api/v1/refs/main~1/commits?limit=1"), "commits.0.id"), ids[3]);
  EXPECT_EQ(Str(Expect(200, "GET", "/api/v1/refs/main%7E2/commits?limit=1"), "commits.0.id"),
            ids[2]);
  EXPECT_EQ(Str(Expect(200, "GET", "/api/v1/refs/main%5E1/commits?limit=1"), "commits.0.id"),
            ids[3]);
  EXPECT_EQ(Str(Expect(200, "GET", "/api/v1/refs/main^/commits?limit=1&first_parent=true"),
                "commits.0.id"),
            ids[3]);
  ExpectError(404, "NOT_FOUND", "GET", "/api/v1/refs/nope/commits");
  ExpectError(400, "INVALID_ARGUMENT", "GET", "/api/v1/refs/main~x/commits");

  pb::Struct c = Expect(200, "GET", "/api/v1/commits/" + ids[2]);
  EXPECT_EQ(Str(c, "id"), ids[2]);
  EXPECT_EQ(Str(c, "message"), "c1");
  EXPECT_EQ(Str(c, "parents.0"), ids[1]);
  EXPECT_EQ(Str(Expect(200, "GET", "/api/v1/commits/" + ids[2].substr(0, 8)), "id"), ids[2]);
  EXPECT_EQ(Str(Expect(200, "GET", "/api/v1/commits/main"), "id"), ids[4]);
  ExpectError(404, "NOT_FOUND", "GET", "/api/v1/commits/" + std::string(64, 'f'));

  pb::Struct ref = Expect(200, "GET", "/api/v1/refs/main~1");
  EXPECT_EQ(Str(ref, "kind"), "commit");
  EXPECT_EQ(Str(ref, "commit"), ids[3]);
  EXPECT_EQ(Str(Expect(200, "GET", "/api/v1/refs/main"), "kind"), "branch");
}

TEST_F(AdminApiTest, DiffBetweenRefs) {
  StageTable("main", "orders", {{"id", "bigint"}});
  CommitVia("main", "base");
  Expect(201, "POST", "/api/v1/tags", R"({"name": "v1", "ref": "main"})");
  Expect(201, "POST", "/api/v1/branches", R"({"name": "dev"})");
  StageTable("dev", "orders", {{"id", "string"}, {"note", "string"}});
  StageTable("dev", "zz");
  CommitVia("dev", "change");
  StageTable("dev", "staged_only");  // a branch diff reads its staging too

  pb::Struct d = Expect(200, "GET", "/api/v1/refs/v1/diff/dev");
  EXPECT_EQ(Str(d, "left.kind"), "tag");
  EXPECT_EQ(Str(d, "right.kind"), "branch");
  ASSERT_EQ(Len(d, "changes"), 3);
  EXPECT_EQ(Str(d, "changes.0.key.table"), "orders");
  EXPECT_EQ(Str(d, "changes.0.type"), "changed");
  EXPECT_EQ(Str(d, "changes.0.old_value.sd.cols.items.0.type"), "bigint");
  EXPECT_EQ(Str(d, "changes.0.new_value.sd.cols.items.0.type"), "string");
  EXPECT_EQ(Str(d, "changes.0.table_summary.columns_added.0"), "note");
  EXPECT_EQ(Str(d, "changes.0.table_summary.columns_retyped.0.name"), "id");
  EXPECT_EQ(Str(d, "changes.0.table_summary.columns_retyped.0.old_type"), "bigint");
  EXPECT_EQ(Str(d, "changes.0.table_summary.columns_retyped.0.new_type"), "string");
  EXPECT_GE(Len(d, "changes.0.changed_fields"), 1);
  EXPECT_EQ(Str(d, "changes.1.key.table"), "staged_only");
  EXPECT_EQ(Str(d, "changes.2.key.table"), "zz");

  pb::Struct back = Expect(200, "GET", "/api/v1/refs/dev/diff/v1?limit=1");
  EXPECT_EQ(Str(back, "changes.0.type"), "changed");
  EXPECT_TRUE(Bool(back, "has_more"));
  pb::Struct rest =
      Expect(200, "GET", "/api/v1/refs/dev/diff/v1?limit=10&after=" + Str(back, "next_after"));
  ASSERT_EQ(Len(rest, "changes"), 2);
  EXPECT_EQ(Str(rest, "changes.0.type"), "removed");
  EXPECT_FALSE(Has(rest, "changes.0.new_value"));
  EXPECT_EQ(Str(rest, "changes.0.old_value.table_name"), "staged_only");

  EXPECT_EQ(Len(Expect(200, "GET", "/api/v1/refs/main/diff/v1"), "changes"), 0);
  ExpectError(404, "NOT_FOUND", "GET", "/api/v1/refs/main/diff/nope");
  ExpectError(400, "INVALID_ARGUMENT", "GET", "/api/v1/refs/main/diff/a%20b");
  ExpectError(400, "INVALID_ARGUMENT", "GET", "/api/v1/refs/main/diff/dev?limit=20000");
}

// --------------------------------------------------------------- browsing

TEST_F(AdminApiTest, BrowseCatalog) {
  StageTable("main", "orders", {{"id", "bigint"}});
  StageTable("main", "users");
  StageTable("main", "zeta");
  std::vector<std::string> parts;
  for (int i = 0; i < 5; ++i) {
    parts.push_back("ds=2024-01-0" + std::to_string(i + 1) + "/hr=0%3A0");
    StageEdits("main", {Put(PartKey("default", "orders", parts.back()),
                            PartValue("default", "orders", "2024-01-0" + std::to_string(i + 1)))});
  }
  CommitVia("main", "data");
  Expect(201, "POST", "/api/v1/tags", R"({"name": "v1", "ref": "main"})");

  pb::Struct dbs = Expect(200, "GET", "/api/v1/refs/v1/databases");
  EXPECT_EQ(Str(dbs, "ref.kind"), "tag");
  EXPECT_EQ(Str(dbs, "ref.commit"), Head("main"));
  ASSERT_EQ(Len(dbs, "databases"), 1);
  EXPECT_EQ(Str(dbs, "databases.0.name"), "default");
  EXPECT_EQ(Str(Expect(200, "GET", "/api/v1/refs/main/databases/DEFAULT"), "database.name"),
            "default");
  ExpectError(404, "NOT_FOUND", "GET", "/api/v1/refs/main/databases/nope");
  ExpectError(404, "NOT_FOUND", "GET", "/api/v1/refs/nope/databases");

  // Entities are printed in catalog.proto's declaration order (table_name,
  // db_name, ..., sd), not in a Struct's sorted key order, and no marker leaks.
  HttpResponse raw = Call("GET", "/api/v1/refs/main/databases/default/tables/orders");
  ASSERT_EQ(raw.status, 200) << raw.body;
  EXPECT_EQ(raw.body.find("$arbor_raw"), std::string::npos) << raw.body;
  size_t table_name = raw.body.find("\"table_name\"");
  size_t db_name = raw.body.find("\"db_name\"");
  size_t sd = raw.body.find("\"sd\"");
  ASSERT_NE(table_name, std::string::npos) << raw.body;
  ASSERT_NE(db_name, std::string::npos) << raw.body;
  ASSERT_NE(sd, std::string::npos) << raw.body;
  EXPECT_LT(table_name, db_name) << raw.body;
  EXPECT_LT(db_name, sd) << raw.body;

  pb::Struct tables = Expect(200, "GET", "/api/v1/refs/main/databases/default/tables");
  ASSERT_EQ(Len(tables, "tables"), 3);
  EXPECT_EQ(Str(tables, "tables.0.table_name"), "orders");
  pb::Struct t1 = Expect(200, "GET", "/api/v1/refs/main/databases/default/tables?limit=2");
  ASSERT_EQ(Len(t1, "tables"), 2);
  EXPECT_TRUE(Bool(t1, "has_more"));
  EXPECT_EQ(Str(t1, "next_after"), "users");
  pb::Struct t2 =
      Expect(200, "GET", "/api/v1/refs/main/databases/default/tables?limit=2&after=users");
  ASSERT_EQ(Len(t2, "tables"), 1);
  EXPECT_EQ(Str(t2, "tables.0.table_name"), "zeta");
  EXPECT_FALSE(Bool(t2, "has_more"));
  ExpectError(404, "NOT_FOUND", "GET", "/api/v1/refs/main/databases/nope/tables");

  pb::Struct t = Expect(200, "GET", "/api/v1/refs/main/databases/default/tables/orders");
  EXPECT_EQ(Str(t, "table.table_name"), "orders");
  EXPECT_EQ(Str(t, "table.sd.location"), "s3a://repo/main/warehouse/default.db/orders");
  ExpectError(404, "NOT_FOUND", "GET", "/api/v1/refs/main/databases/default/tables/nope");

  const std::string base = "/api/v1/refs/main/databases/default/tables/orders/partitions";
  pb::Struct all = Expect(200, "GET", base);
  ASSERT_EQ(Len(all, "partitions"), 5);
  EXPECT_EQ(Str(all, "partitions.0.name"), parts[0]);
  EXPECT_EQ(Str(all, "partitions.0.partition.values.items.0"), "2024-01-01");
  EXPECT_FALSE(Bool(all, "has_more"));
  EXPECT_EQ(Str(all, "next_offset"), "5");

  pb::Struct by_offset = Expect(200, "GET", base + "?offset=1&limit=2");
  ASSERT_EQ(Len(by_offset, "partitions"), 2);
  EXPECT_EQ(Str(by_offset, "partitions.0.name"), parts[1]);
  EXPECT_TRUE(Bool(by_offset, "has_more"));
  EXPECT_EQ(Str(by_offset, "next_offset"), "3");
  EXPECT_EQ(Str(by_offset, "next_after"), parts[2]);

  // after= takes a partition name, percent-encoded ('/' as %2F, '%' as %25).
  pb::Struct by_after = Expect(200, "GET", base + "?limit=2&after=ds%3D2024-01-03%2Fhr%3D0%253A0");
  ASSERT_EQ(Len(by_after, "partitions"), 2);
  EXPECT_EQ(Str(by_after, "partitions.0.name"), parts[3]);
  EXPECT_EQ(Str(by_after, "partitions.1.name"), parts[4]);
  EXPECT_FALSE(Bool(by_after, "has_more"));
  ExpectError(400, "INVALID_ARGUMENT", "GET", base + "?offset=1&after=x");
  ExpectError(400, "INVALID_ARGUMENT", "GET", base + "?offset=-1");
  ExpectError(404, "NOT_FOUND", "GET",
              "/api/v1/refs/main/databases/default/tables/nope/partitions");
}

// Stored lakeFS locations (${ref}) are rendered for the ref being read, as the
// Thrift side renders them; without a mapper they are shown as stored.
TEST_F(AdminApiTest, BrowsingRendersStoredLocationsForTheRef) {
  const std::string stored = "s3a://repo1/${ref}/warehouse";
  catalog::Database db = MakeDb("sales");
  db.set_location_uri(stored + "/sales.db");
  db.set_managed_location_uri(stored + "/managed/sales.db");
  catalog::Table t = MakeTable("sales", "t", {{"id", "bigint"}}, std::nullopt, {{"ds", "string"}});
  t.mutable_sd()->set_location(stored + "/sales.db/t");
  catalog::Partition p;
  p.mutable_values()->add_items("1");
  p.set_db_name("sales");
  p.set_table_name("t");
  p.mutable_sd()->set_location(stored + "/sales.db/t/ds=1");
  StageEdits("main", {Put(DbKey("sales"), SerializeDeterministic(db)),
                      Put(TableKey("sales", "t"), SerializeDeterministic(t)),
                      Put(PartKey("sales", "t", "ds=1"), SerializeDeterministic(p))});
  CommitVia("main", "sales");
  Expect(201, "POST", "/api/v1/branches", R"({"name": "dev", "source": "main"})");

  const LocationMapper mapper({"s3a://repo1/"});
  Open("", &mapper);
  const std::string dev = "/api/v1/refs/dev/databases";
  const std::string want = "s3a://repo1/dev/warehouse";
  EXPECT_EQ(Str(Expect(200, "GET", dev + "/sales"), "database.location_uri"), want + "/sales.db");
  EXPECT_EQ(Str(Expect(200, "GET", dev + "/sales"), "database.managed_location_uri"),
            want + "/managed/sales.db");
  pb::Struct dbs = Expect(200, "GET", dev);
  ASSERT_EQ(Len(dbs, "databases"), 2);
  EXPECT_EQ(Str(dbs, "databases.1.location_uri"), want + "/sales.db");
  EXPECT_EQ(Str(Expect(200, "GET", dev + "/sales/tables/t"), "table.sd.location"),
            want + "/sales.db/t");
  EXPECT_EQ(Str(Expect(200, "GET", dev + "/sales/tables"), "tables.0.sd.location"),
            want + "/sales.db/t");
  EXPECT_EQ(Str(Expect(200, "GET", dev + "/sales/tables/t/partitions"),
                "partitions.0.partition.sd.location"),
            want + "/sales.db/t/ds=1");
  EXPECT_EQ(Str(Expect(200, "GET", dev + "/sales/tables/t/partitions?after=ds%3D0"),
                "partitions.0.partition.sd.location"),
            want + "/sales.db/t/ds=1");
  // Each branch reads its own name.
  EXPECT_EQ(
      Str(Expect(200, "GET", "/api/v1/refs/main/databases/sales/tables/t"), "table.sd.location"),
      "s3a://repo1/main/warehouse/sales.db/t");

  Open("");  // no mapper: the stored form
  EXPECT_EQ(Str(Expect(200, "GET", dev + "/sales/tables/t"), "table.sd.location"),
            stored + "/sales.db/t");
}

TEST(AdminApiStatusTest, OneMappingFromStatusCodes) {
  const std::vector<std::tuple<StatusCode, int, std::string>> want = {
      {StatusCode::kInvalidArgument, 400, "INVALID_ARGUMENT"},
      {StatusCode::kInvalidRequest, 400, "INVALID_ARGUMENT"},
      {StatusCode::kNotFound, 404, "NOT_FOUND"},
      {StatusCode::kAlreadyExists, 409, "ALREADY_EXISTS"},
      {StatusCode::kPreconditionFailed, 409, "PRECONDITION_FAILED"},
      {StatusCode::kConflict, 409, "CONFLICT"},
      {StatusCode::kNotEmpty, 409, "NOT_EMPTY"},
      {StatusCode::kReadOnly, 423, "READ_ONLY"},
      {StatusCode::kBusy, 503, "BUSY"},
      {StatusCode::kUnavailable, 503, "UNAVAILABLE"},
      {StatusCode::kCorruption, 500, "CORRUPTION"},
      {StatusCode::kIOError, 500, "IO_ERROR"},
      {StatusCode::kNoSpace, 507, "NO_SPACE"},
      {StatusCode::kInternal, 500, "INTERNAL"},
  };
  for (const auto& [code, status, name] : want) {
    EXPECT_EQ(HttpStatusFor(code), status) << name;
    EXPECT_EQ(ErrorCodeFor(code), name);
  }
  HttpResponse r = AdminApi::ErrorResponse(418, "TEAPOT", "short and stout");
  EXPECT_EQ(r.status, 418);
  EXPECT_EQ(r.body, "{\"code\":\"TEAPOT\",\"message\":\"short and stout\",\"details\":{}}\n");
}

// A denial travels as PermissionDenied and leaves as 403 PERMISSION_DENIED, the
// answer a role too low always had; 401 stays the listener's own for a missing
// or wrong credential.
TEST(AdminApiStatusTest, PermissionDeniedIs403) {
  EXPECT_EQ(HttpStatusFor(StatusCode::kPermissionDenied), 403);
  EXPECT_EQ(ErrorCodeFor(StatusCode::kPermissionDenied), "PERMISSION_DENIED");
  // Failed preconditions keep their own answer.
  EXPECT_EQ(HttpStatusFor(StatusCode::kPreconditionFailed), 409);
}

// --------------------------------------------------------------- metrics

TEST(MetricsTest, RendersCountersHistogramsAndGauges) {
  Metrics m;
  m.ObserveThrift("get_table", 0.002, true);
  m.ObserveThrift("get_table", 0.3, false);
  m.ObserveThrift("get_table", 20, true);
  m.ObserveHttp("GET", "/api/v1/branches", 200, 0.0001);
  m.IncCommits();
  m.IncMerges();
  m.IncMerges();
  int64_t open = 7;
  m.SetThriftConnectionsSource([&] { return open; });
  m.AddCounter("odd_total", "A \"help\"\nline.", {{"label", "a\"b\\c\nd"}});

  std::string text = m.Render();
  auto has = [&](const std::string& line) {
    EXPECT_NE(text.find(line + "\n"), std::string::npos) << line << "\n" << text;
  };
  has("# TYPE arbor_thrift_requests_total counter");
  has(R"(arbor_thrift_requests_total{method="get_table",result="ok"} 2)");
  has(R"(arbor_thrift_requests_total{method="get_table",result="error"} 1)");
  has("# TYPE arbor_thrift_request_duration_seconds histogram");
  has(R"(arbor_thrift_request_duration_seconds_bucket{method="get_table",le="0.001"} 0)");
  has(R"(arbor_thrift_request_duration_seconds_bucket{method="get_table",le="0.0025"} 1)");
  has(R"(arbor_thrift_request_duration_seconds_bucket{method="get_table",le="0.25"} 1)");
  has(R"(arbor_thrift_request_duration_seconds_bucket{method="get_table",le="0.5"} 2)");
  has(R"(arbor_thrift_request_duration_seconds_bucket{method="get_table",le="10"} 2)");
  has(R"(arbor_thrift_request_duration_seconds_bucket{method="get_table",le="+Inf"} 3)");
  has(R"(arbor_thrift_request_duration_seconds_sum{method="get_table"} 20.302)");
  has(R"(arbor_thrift_request_duration_seconds_count{method="get_table"} 3)");
  has(R"(arbor_http_requests_total{method="GET",route="/api/v1/branches",status="200"} 1)");
  has("arbor_commits_total 1");
  has("arbor_merges_total 2");
  has("# TYPE arbor_thrift_open_connections gauge");
  has("arbor_thrift_open_connections 7");
  has(R"(# HELP odd_total A "help"\nline.)");
  has(R"(odd_total{label="a\"b\\c\nd"} 1)");
  open = 9;
  EXPECT_EQ(m.Value("arbor_thrift_open_connections"), 9);
  EXPECT_EQ(m.Value("arbor_thrift_request_duration_seconds", {{"method", "get_table"}}), 3);
  m.RemoveGauge("arbor_thrift_open_connections");
  EXPECT_EQ(m.Render().find("arbor_thrift_open_connections"), std::string::npos);
}

TEST(MetricsTest, ConcurrentUpdates) {
  Metrics m;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&m, t] {
      for (int i = 0; i < 2000; ++i) {
        m.ObserveThrift(t % 2 ? "a" : "b", 0.001, true);
        if (i % 100 == 0) (void)m.Render();
      }
    });
  }
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(m.Value("arbor_thrift_requests_total", {{"method", "a"}, {"result", "ok"}}), 4000);
  EXPECT_EQ(m.Value("arbor_thrift_request_duration_seconds", {{"method", "b"}}), 4000);
}

// --------------------------------------------------------------- HttpServer over a socket

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

class HttpServerTest : public AdminApiTest {
 protected:
  void StartServer() {
    HttpServerOptions o;
    o.port = 0;
    o.max_body_bytes = 4096;
    o.metrics = &metrics_;
    o.shutdown_grace = std::chrono::milliseconds(3000);
    server_ = std::make_unique<HttpServer>(api_.get(), o);
    Status s = server_->Start();
    ASSERT_TRUE(s.ok()) << s.ToString();
    ASSERT_NE(server_->port(), 0);
  }

  void Connect(beast::tcp_stream* stream) {
    stream->connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), server_->port()));
    stream->expires_after(std::chrono::seconds(10));
  }

  static http::response<http::string_body> RoundTrip(beast::tcp_stream& stream,
                                                     beast::flat_buffer& buffer, http::verb verb,
                                                     const std::string& target,
                                                     const std::string& body = "",
                                                     bool keep_alive = true) {
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, "127.0.0.1");
    req.keep_alive(keep_alive);
    if (!body.empty() || verb == http::verb::post) {
      req.set(http::field::content_type, "application/json");
      req.body() = body;
    }
    req.prepare_payload();
    http::write(stream, req);
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    return res;
  }

  void TearDown() override {
    if (server_) server_->Stop();
  }

  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, ServesRequestsWithKeepAlive) {
  StartServer();
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  Connect(&stream);
  beast::flat_buffer buffer;

  auto r1 = RoundTrip(stream, buffer, http::verb::get, "/healthz");
  EXPECT_EQ(r1.result_int(), 200);
  EXPECT_TRUE(r1.keep_alive());
  EXPECT_EQ(ParseJson(r1.body()).fields().at("status").string_value(), "ok");

  // Same connection: create, list, 404, 405, malformed JSON.
  auto r2 = RoundTrip(stream, buffer, http::verb::post, "/api/v1/branches", R"({"name": "dev"})");
  EXPECT_EQ(r2.result_int(), 201) << r2.body();
  EXPECT_EQ(r2[http::field::content_type], "application/json");
  EXPECT_EQ(r2[http::field::location], "/api/v1/branches/dev");
  auto r3 = RoundTrip(stream, buffer, http::verb::get, "/api/v1/branches");
  EXPECT_EQ(r3.result_int(), 200);
  EXPECT_EQ(Len(ParseJson(r3.body()), "branches"), 2);
  auto r4 = RoundTrip(stream, buffer, http::verb::get, "/api/v1/refs/main^0/commits?limit=1");
  EXPECT_EQ(r4.result_int(), 200) << r4.body();
  auto r5 = RoundTrip(stream, buffer, http::verb::patch, "/api/v1/branches/dev");
  EXPECT_EQ(r5.result_int(), 405);
  EXPECT_EQ(r5[http::field::allow], "GET, DELETE");
  auto r6 = RoundTrip(stream, buffer, http::verb::post, "/api/v1/tags", "{oops");
  EXPECT_EQ(r6.result_int(), 400);
  EXPECT_EQ(Str(ParseJson(r6.body()), "code"), "INVALID_JSON");
  auto r7 = RoundTrip(stream, buffer, http::verb::delete_, "/api/v1/branches/dev");
  EXPECT_EQ(r7.result_int(), 204);
  EXPECT_TRUE(r7.body().empty());
  EXPECT_EQ(server_->open_connections(), 1);
  EXPECT_EQ(metrics_.Value("arbor_http_open_connections"), 1);

  // Connection: close is honoured.
  auto last = RoundTrip(stream, buffer, http::verb::get, "/healthz", "", /*keep_alive=*/false);
  EXPECT_EQ(last.result_int(), 200);
  EXPECT_FALSE(last.keep_alive());
  http::response<http::string_body> none;
  beast::error_code ec;
  http::read(stream, buffer, none, ec);
  EXPECT_EQ(ec, http::error::end_of_stream);
}

TEST_F(HttpServerTest, OversizedBodyIsRejectedAndClosed) {
  StartServer();
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  Connect(&stream);
  beast::flat_buffer buffer;
  auto ok = RoundTrip(stream, buffer, http::verb::get, "/healthz");
  EXPECT_EQ(ok.result_int(), 200);

  std::string big = R"({"name": ")" + std::string(200'000, 'x') + R"("})";
  auto r = RoundTrip(stream, buffer, http::verb::post, "/api/v1/branches", big);
  EXPECT_EQ(r.result_int(), 400);
  pb::Struct e = ParseJson(r.body());
  EXPECT_EQ(Str(e, "code"), "BODY_TOO_LARGE");
  EXPECT_TRUE(At(e, "details").has_struct_value());
  EXPECT_FALSE(r.keep_alive());
  http::response<http::string_body> none;
  beast::error_code ec;
  http::read(stream, buffer, none, ec);
  EXPECT_TRUE(ec) << "the connection should be closed";

  // Expect: 100-continue with a small body works; the server answers 100 first.
  beast::tcp_stream s2(ioc);
  Connect(&s2);
  http::request<http::string_body> req{http::verb::post, "/api/v1/tags", 11};
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::expect, "100-continue");
  req.body() = R"({"name": "v1", "ref": "main"})";
  req.prepare_payload();
  http::request_serializer<http::string_body> sr{req};
  http::write_header(s2, sr);
  beast::flat_buffer b2;
  http::response<http::empty_body> cont;
  http::read(s2, b2, cont);
  EXPECT_EQ(cont.result(), http::status::continue_);
  http::write(s2, sr);
  http::response<http::string_body> created;
  http::read(s2, b2, created);
  EXPECT_EQ(created.result_int(), 201) << created.body();
}

TEST_F(HttpServerTest, MalformedRequestAndAuth) {
  Open("tok");
  StartServer();
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  Connect(&stream);
  beast::flat_buffer buffer;
  auto unauth = RoundTrip(stream, buffer, http::verb::get, "/api/v1/branches");
  EXPECT_EQ(unauth.result_int(), 401);
  EXPECT_EQ(unauth[http::field::www_authenticate], "Bearer realm=\"arbor\"");
  http::request<http::string_body> req{http::verb::get, "/api/v1/branches", 11};
  req.set(http::field::host, "x");
  req.set(http::field::authorization, "Bearer tok");
  http::write(stream, req);
  http::response<http::string_body> res;
  http::read(stream, buffer, res);
  EXPECT_EQ(res.result_int(), 200);

  // Garbage instead of HTTP: a 400 in the error shape, then the connection closes.
  beast::tcp_stream s2(ioc);
  Connect(&s2);
  net::write(s2, net::buffer(std::string("NOT HTTP AT ALL\r\n\r\n")));
  beast::flat_buffer b2;
  http::response<http::string_body> bad;
  http::read(s2, b2, bad);
  EXPECT_EQ(bad.result_int(), 400);
  EXPECT_EQ(Str(ParseJson(bad.body()), "code"), "BAD_REQUEST");
}

TEST_F(HttpServerTest, StopClosesIdleConnectionsAndIsIdempotent) {
  StartServer();
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  Connect(&stream);
  beast::flat_buffer buffer;
  EXPECT_EQ(RoundTrip(stream, buffer, http::verb::get, "/healthz").result_int(), 200);
  auto start = std::chrono::steady_clock::now();
  server_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_EQ(server_->open_connections(), 0);
  http::response<http::string_body> none;
  beast::error_code ec;
  http::read(stream, buffer, none, ec);
  EXPECT_TRUE(ec);
  server_->Stop();

  // The port is free again: a new server can bind another one and serve.
  HttpServer busy(api_.get(), HttpServerOptions{"127.0.0.1", 0});
  ASSERT_TRUE(busy.Start().ok());
  HttpServer clash(api_.get(), HttpServerOptions{"127.0.0.1", busy.port()});
  Status s = clash.Start();
  EXPECT_EQ(s.code(), StatusCode::kIOError) << s.ToString();
}

}  // namespace
}  // namespace arbor

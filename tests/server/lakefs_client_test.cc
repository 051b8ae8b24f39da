// LakeFsClient against an in-process scripted HTTP server (request shapes,
// status mapping, retry policy, timeouts, secrecy) and, when available, against
// tests/lakefs_emulator/lakefs_emulator.py.
#include "server/lakefs/lakefs_client.h"

#include <fcntl.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace arbor {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace pb = google::protobuf;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr char kAccessKey[] = "AKIAEXAMPLE";
constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYSECRET";
// base64("AKIAEXAMPLE:wJalrXUtnFEMI/K7MDENG+bPxRfiCYSECRET")
constexpr char kExpectedAuth[] =
    "Basic QUtJQUVYQU1QTEU6d0phbHJYVXRuRkVNSS9LN01ERU5HK2JQeFJmaUNZU0VDUkVU";
const std::string kCommitId(64, 'a');
const std::string kCommitId2(64, 'b');

struct Recorded {
  std::string method, target, body, authorization, host, content_type;
  std::string sni;  // TLS server name, when serving TLS
};

struct Scripted {
  enum Action { kRespond, kCloseAfterRequest, kHang };
  Action action = kRespond;
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
};

Scripted Respond(int status, std::string body = "", std::string content_type = "application/json") {
  Scripted s;
  s.status = status;
  s.body = std::move(body);
  s.content_type = std::move(content_type);
  return s;
}
Scripted Error(int status, const std::string& message) {
  return Respond(status, R"({"message":")" + message + R"("})");
}
Scripted Action(Scripted::Action a) {
  Scripted s;
  s.action = a;
  return s;
}

std::string CommitJson(const std::string& id, const std::string& parent = "",
                       const std::string& extra_meta = "") {
  std::string parents = parent.empty() ? "[]" : "[\"" + parent + "\"]";
  return R"({"id":")" + id + R"(","parents":)" + parents +
         R"(,"committer":"admin","message":"msg )" + id.substr(0, 4) +
         R"(","creation_date":1700000000,"meta_range_id":"","metadata":{"arbor.commit":"c1")" +
         extra_meta + "}}";
}

// A scripted HTTP/1.1 server on 127.0.0.1:0 that serves one connection at a
// time, answering each request with the next scripted response (or the
// fallback) and recording it.
class FakeLakeFs {
 public:
  // With `tls`, connections are served over TLS with that context.
  explicit FakeLakeFs(ssl::context* tls = nullptr)
      : tls_(tls), acceptor_(ioc_, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0)) {
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { Serve(); });
  }
  ~FakeLakeFs() {
    stopping_ = true;
    {
      // Unblock accept().
      beast::error_code ec;
      tcp::socket s(ioc_);
      s.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port_), ec);
    }
    thread_.join();
  }

  uint16_t port() const { return port_; }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  void Push(Scripted s) {
    std::lock_guard<std::mutex> lock(mu_);
    script_.push_back(std::move(s));
  }
  void SetFallback(std::function<Scripted(const Recorded&)> f) {
    std::lock_guard<std::mutex> lock(mu_);
    fallback_ = std::move(f);
  }
  std::vector<Recorded> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  size_t count() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_.size();
  }
  int connections() const { return connections_.load(); }

 private:
  static void SetRecvTimeout(tcp::socket& s, int ms) {
    timeval tv{ms / 1000, (ms % 1000) * 1000};
    setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  }

  void Serve() {
    while (!stopping_) {
      tcp::socket sock(ioc_);
      beast::error_code ec;
      acceptor_.accept(sock, ec);
      if (stopping_) return;
      if (ec) continue;
      Handle(sock);
    }
  }

  void Handle(tcp::socket& sock) {
    ++connections_;
    SetRecvTimeout(sock, 5000);
    if (tls_ == nullptr) return Exchange(sock, sock, "");
    ssl::stream<tcp::socket&> stream(sock, *tls_);
    beast::error_code ec;
    stream.handshake(ssl::stream_base::server, ec);
    if (ec) return;
    const char* sni = SSL_get_servername(stream.native_handle(), TLSEXT_NAMETYPE_host_name);
    Exchange(stream, sock, sni != nullptr ? sni : "");
  }

  template <typename Stream>
  void Exchange(Stream& stream, tcp::socket& sock, const std::string& sni) {
    beast::flat_buffer buffer;
    http::request<http::string_body> req;
    beast::error_code ec;
    http::read(stream, buffer, req, ec);
    if (ec) return;
    Recorded r;
    r.method = std::string(req.method_string());
    r.target = std::string(req.target());
    r.body = req.body();
    r.authorization = std::string(req[http::field::authorization]);
    r.host = std::string(req[http::field::host]);
    r.content_type = std::string(req[http::field::content_type]);
    r.sni = sni;
    Scripted s;
    {
      std::lock_guard<std::mutex> lock(mu_);
      requests_.push_back(r);
      if (!script_.empty()) {
        s = std::move(script_.front());
        script_.pop_front();
      } else if (fallback_) {
        s = fallback_(r);
      } else {
        s = Error(599, "no scripted response");
      }
    }
    if (s.action == Scripted::kCloseAfterRequest) {
      sock.shutdown(tcp::socket::shutdown_both, ec);
      sock.close(ec);
      return;
    }
    if (s.action == Scripted::kHang) {
      // Never answer; wait for the client to give up (EOF) or the test to end.
      SetRecvTimeout(sock, 50);
      char b[512];
      while (!stopping_) {
        sock.read_some(net::buffer(b), ec);
        if (ec && ec != net::error::would_block && ec != net::error::try_again) break;
      }
      return;
    }
    http::response<http::string_body> res;
    res.version(11);
    res.result(static_cast<unsigned>(s.status));
    res.set(http::field::content_type, s.content_type);
    res.body() = s.body;
    res.keep_alive(false);
    res.prepare_payload();
    http::write(stream, res, ec);
    sock.shutdown(tcp::socket::shutdown_send, ec);
    // Let the client read everything before closing.
    SetRecvTimeout(sock, 2000);
    char b[512];
    while (!ec)
      sock.read_some(net::buffer(b), ec);
    sock.close(ec);
  }

  ssl::context* tls_;
  std::atomic<int> connections_{0};
  net::io_context ioc_;
  tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  std::mutex mu_;
  std::deque<Scripted> script_;
  std::function<Scripted(const Recorded&)> fallback_;
  std::vector<Recorded> requests_;
};

LakeFsClientOptions Options(const std::string& endpoint) {
  LakeFsClientOptions o;
  o.endpoint = endpoint;
  o.access_key_id = kAccessKey;
  o.secret_access_key = kSecret;
  o.repository = "repo1";
  o.connect_timeout = milliseconds(2000);
  o.request_timeout = milliseconds(5000);
  o.max_attempts = 4;
  o.initial_backoff = milliseconds(10);
  return o;
}

std::unique_ptr<LakeFsClient> MakeClient(const LakeFsClientOptions& o) {
  auto c = LakeFsClient::Create(o);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? std::move(c).value() : nullptr;
}

pb::Struct ParseBody(const std::string& body) {
  pb::Struct s;
  auto st = pb::util::JsonStringToMessage(body, &s);
  EXPECT_TRUE(st.ok()) << body;
  return s;
}

// Every Status in these tests goes through here.
void ExpectNoSecret(const Status& s) {
  EXPECT_EQ(s.message().find(kSecret), std::string::npos) << s.ToString();
  EXPECT_EQ(s.message().find(std::string(kExpectedAuth).substr(6)), std::string::npos)
      << s.ToString();
}

#define EXPECT_CODE(expr, code_)                              \
  do {                                                        \
    Status _s = (expr);                                       \
    EXPECT_EQ(_s.code(), StatusCode::code_) << _s.ToString(); \
    ExpectNoSecret(_s);                                       \
  } while (0)

// A port nothing listens on.
uint16_t ClosedPort() {
  net::io_context ioc;
  tcp::acceptor a(ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  uint16_t port = a.local_endpoint().port();
  a.close();
  return port;
}

// ---------------------------------------------------------------------------

TEST(LakeFsClientCreate, ValidatesTheEndpoint) {
  auto bad = [](const std::string& endpoint, const std::string& needle) {
    auto o = Options(endpoint);
    auto c = LakeFsClient::Create(o);
    ASSERT_FALSE(c.ok()) << endpoint;
    EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(c.status().message().find(needle), std::string::npos)
        << endpoint << " -> " << c.status().ToString();
  };
  bad("", "empty");
  bad("127.0.0.1:8000", "no scheme");
  bad("ftp://h", "not http or https");
  bad("http://", "no host");
  bad("http://h:0", "out of range");
  bad("http://h:99999", "out of range");
  bad("http://h:80a", "not a number");
  bad("http://h:", "empty port");
  bad("http://h/x?y=1", "query");
  bad("http://h/x#f", "fragment");
  bad("http://[::1", "unterminated");
  bad("http://::1:80", "brackets");
  bad("http://h o", "whitespace");
  // User info is refused without being echoed (it may carry a password).
  auto o = Options("http://user:hunter2@h:8000");
  auto c = LakeFsClient::Create(o);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("user info"), std::string::npos);
  EXPECT_EQ(c.status().message().find("hunter2"), std::string::npos);

  auto o2 = Options("http://h");
  o2.repository = "";
  EXPECT_EQ(LakeFsClient::Create(o2).status().code(), StatusCode::kInvalidArgument);
  auto o3 = Options("http://h");
  o3.secret_access_key = "";
  EXPECT_EQ(LakeFsClient::Create(o3).status().code(), StatusCode::kInvalidArgument);
  auto o4 = Options("http://h");
  o4.max_attempts = 0;
  EXPECT_EQ(LakeFsClient::Create(o4).status().code(), StatusCode::kInvalidArgument);
}

TEST(LakeFsClientCreate, BaseUrl) {
  auto base = [](const std::string& endpoint) {
    auto c = LakeFsClient::Create(Options(endpoint));
    EXPECT_TRUE(c.ok()) << endpoint << ": " << c.status().ToString();
    return c.ok() ? (*c)->base_url() : "";
  };
  EXPECT_EQ(base("http://127.0.0.1:8000"), "http://127.0.0.1:8000/api/v1");
  EXPECT_EQ(base("HTTP://127.0.0.1:8000/"), "http://127.0.0.1:8000/api/v1");
  EXPECT_EQ(base("https://lakefs.example.com/prefix/"), "https://lakefs.example.com/prefix/api/v1");
  EXPECT_EQ(base("https://lakefs.example.com:443"), "https://lakefs.example.com/api/v1");
  EXPECT_EQ(base("http://lakefs:8000/api/v1"), "http://lakefs:8000/api/v1");
  EXPECT_EQ(base("http://[::1]:8000"), "http://[::1]:8000/api/v1");
}

TEST(LakeFsClientEncode, PercentEncodesAllButUnreserved) {
  EXPECT_EQ(LakeFsUrlEncode("main"), "main");
  EXPECT_EQ(LakeFsUrlEncode("a-b_c.d~1"), "a-b_c.d~1");
  EXPECT_EQ(LakeFsUrlEncode("main~1^2"), "main~1%5E2");
  EXPECT_EQ(LakeFsUrlEncode("feat/x y"), "feat%2Fx%20y");
  EXPECT_EQ(LakeFsUrlEncode("a&b=c?d#e%"), "a%26b%3Dc%3Fd%23e%25");
  EXPECT_EQ(LakeFsUrlEncode("é"), "%C3%A9");
}

// --- request shapes ----------------------------------------------------------

TEST(LakeFsClient, CreateBranchRequestAndCommitIdBody) {
  FakeLakeFs server;
  auto client = MakeClient(Options(server.endpoint()));
  server.Push(Respond(201, kCommitId + "\n", "text/html"));
  auto r = client->CreateBranch("dev", "main");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, kCommitId);
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(reqs[0].target, "/api/v1/repositories/repo1/branches");
  EXPECT_EQ(reqs[0].authorization, kExpectedAuth);
  EXPECT_EQ(reqs[0].host, "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(reqs[0].content_type, "application/json");
  auto body = ParseBody(reqs[0].body);
  EXPECT_EQ(body.fields().at("name").string_value(), "dev");
  EXPECT_EQ(body.fields().at("source").string_value(), "main");
}

TEST(LakeFsClient, CreateBranchFallsBackToBranchHead) {
  FakeLakeFs server;
  auto client = MakeClient(Options(server.endpoint()));
  server.Push(Respond(201, "dev", "text/html"));
  server.Push(Respond(200, R"({"id":"dev","commit_id":")" + kCommitId2 + R"("})"));
  auto r = client->CreateBranch("dev", "main");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, kCommitId2);
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[1].method, "GET");
  EXPECT_EQ(reqs[1].target, "/api/v1/repositories/repo1/branches/dev");
}

TEST(LakeFsClient, CreateBranchHeadUnreadableIsUnavailable) {
  FakeLakeFs server;
  auto o = Options(server.endpoint());
  o.max_attempts = 1;
  auto client = MakeClient(o);
  server.Push(Respond(201, "dev", "text/html"));
  server.Push(Error(404, "not found"));
  auto r = client->CreateBranch("dev", "main");
  EXPECT_CODE(r.status(), kUnavailable);
  EXPECT_NE(r.status().message().find("created"), std::string::npos);
}

TEST(LakeFsClient, CommitRequestAndResponse) {
  FakeLakeFs server;
  auto client = MakeClient(Options(server.endpoint()));
  server.Push(Respond(201, CommitJson(kCommitId, kCommitId2)));
  auto r = client->Commit("dev", "add t", {{"arbor.commit", "c1"}, {"k", "v"}}, true);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->id, kCommitId);
  ASSERT_EQ(r->parents.size(), 1u);
  EXPECT_EQ(r->parents[0], kCommitId2);
  EXPECT_EQ(r->message, "msg aaaa");
  EXPECT_EQ(r->creation_date, 1700000000);
  EXPECT_EQ(r->metadata.at("arbor.commit"), "c1");
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(reqs[0].target, "/api/v1/repositories/repo1/branches/dev/commits");
  EXPECT_EQ(reqs[0].authorization, kExpectedAuth);
  auto body = ParseBody(reqs[0].body);
  EXPECT_EQ(body.fields().at("message").string_value(), "add t");
  EXPECT_TRUE(body.fields().at("allow_empty").bool_value());
  const auto& md = body.fields().at("metadata").struct_value().fields();
  EXPECT_EQ(md.at("arbor.commit").string_value(), "c1");
  EXPECT_EQ(md.at("k").string_value(), "v");
}

TEST(LakeFsClient, CommitUnreadableAnswerIsUnavailable) {
  FakeLakeFs server;
  auto client = MakeClient(Options(server.endpoint()));
  server.Push(Respond(201, "garbage"));
  EXPECT_CODE(client->Commit("dev", "m", {}, false).status(), kUnavailable);
  EXPECT_EQ(server.count(), 1u);
}

TEST(LakeFsClient, MergeRequestAndResponse) {
  FakeLakeFs server;
  auto client = MakeClient(Options(server.endpoint()));
  server.Push(Respond(200, R"({"reference":")" + kCommitId + R"(","summary":{}})"));
  auto r = client->Merge("dev~1", "main", "merge dev", {{"arbor.commit", "c2"}}, "", false);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, kCommitId);
  server.Push(Respond(200, R"({"reference":")" + kCommitId2 + R"("})"));
  r = client->Merge("dev", "main", "m2", {}, "source-wins", true);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, kCommitId2);

  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(reqs[0].target, "/api/v1/repositories/repo1/refs/dev~1/merge/main");
  auto b0 = ParseBody(reqs[0].body);
  EXPECT_EQ(b0.fields().at("message").string_value(), "merge dev");
  EXPECT_EQ(b0.fields().count("strategy"), 0u);  // omitted when empty
  EXPECT_FALSE(b0.fields().at("allow_empty").bool_value());
  EXPECT_EQ(b0.fields().at("metadata").struct_value().fields().at("arbor.commit").string_value(),
            "c2");
  auto b1 = ParseBody(reqs[1].body);
  EXPECT_EQ(b1.fields().at("strategy").string_value(), "source-wins");
  EXPECT_TRUE(b1.fields().at("allow_empty").bool_value());
}

TEST(LakeFsClient, GetCommitGetBranchDeleteBranch) {
  FakeLakeFs server;
  auto client = MakeClient(Options(server.endpoint()));
  server.Push(Respond(200, CommitJson(kCommitId)));
  server.Push(Respond(200, R"({"id":"dev","commit_id":")" + kCommitId + R"("})"));
  server.Push(Respond(204));
  auto c = client->GetCommit(kCommitId);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->id, kCommitId);
  EXPECT_TRUE(c->parents.empty());
  auto h = client->GetBranchHead("dev");
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(*h, kCommitId);
  EXPECT_CODE(client->DeleteBranch("dev"), kOk);
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0].method, "GET");
  EXPECT_EQ(reqs[0].target, "/api/v1/repositories/repo1/commits/" + kCommitId);
  EXPECT_EQ(reqs[1].method, "GET");
  EXPECT_EQ(reqs[1].target, "/api/v1/repositories/repo1/branches/dev");
  EXPECT_EQ(reqs[2].method, "DELETE");
  EXPECT_EQ(reqs[2].target, "/api/v1/repositories/repo1/branches/dev");
  for (const auto& r : reqs)
    EXPECT_EQ(r.authorization, kExpectedAuth);
}

TEST(LakeFsClient, LogPagination) {
  FakeLakeFs server;
  auto client = MakeClient(Options(server.endpoint()));
  server.Push(Respond(200, R"({"pagination":{"has_more":true,"next_offset":")" + kCommitId2 +
                               R"(","results":2,"max_per_page":1000},"results":[)" +
                               CommitJson(kCommitId, kCommitId2) + "," + CommitJson(kCommitId2) +
                               "]}"));
  server.Push(Respond(
      200,
      R"({"pagination":{"has_more":false,"next_offset":"","results":0,"max_per_page":1000},"results":[]})"));
  auto p = client->Log("main^2", 2, "");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ASSERT_EQ(p->commits.size(), 2u);
  EXPECT_EQ(p->commits[0].id, kCommitId);
  EXPECT_EQ(p->commits[1].id, kCommitId2);
  EXPECT_TRUE(p->has_more);
  EXPECT_EQ(p->next_offset, kCommitId2);
  auto p2 = client->Log("main", 0, "x y&z");
  ASSERT_TRUE(p2.ok()) << p2.status().ToString();
  EXPECT_TRUE(p2->commits.empty());
  EXPECT_FALSE(p2->has_more);
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].target, "/api/v1/repositories/repo1/refs/main%5E2/commits?amount=2");
  EXPECT_EQ(reqs[1].target, "/api/v1/repositories/repo1/refs/main/commits?after=x%20y%26z");
}

TEST(LakeFsClient, UrlEncodesPathSegmentsAndPrefix) {
  FakeLakeFs server;
  auto client = MakeClient(Options(server.endpoint() + "/lake/"));
  server.Push(Error(404, "not found"));
  server.Push(Error(404, "not found"));
  server.Push(Error(404, "not found"));
  EXPECT_CODE(client->GetBranchHead("feat/x y").status(), kNotFound);
  EXPECT_CODE(client->GetCommit("main~1^2").status(), kNotFound);
  EXPECT_CODE(client->Merge("a b", "c/d", "", {}, "", false).status(), kNotFound);
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0].target, "/lake/api/v1/repositories/repo1/branches/feat%2Fx%20y");
  EXPECT_EQ(reqs[1].target, "/lake/api/v1/repositories/repo1/commits/main~1%5E2");
  EXPECT_EQ(reqs[2].target, "/lake/api/v1/repositories/repo1/refs/a%20b/merge/c%2Fd");
}

// --- status mapping ----------------------------------------------------------

TEST(LakeFsClient, StatusMapping) {
  FakeLakeFs server;
  auto o = Options(server.endpoint());
  o.max_attempts = 1;
  auto client = MakeClient(o);
  struct Case {
    int http;
    StatusCode code;
  };
  // Commit (POST).
  for (Case c : {Case{400, StatusCode::kInvalidArgument}, Case{401, StatusCode::kInvalidArgument},
                 Case{403, StatusCode::kReadOnly}, Case{404, StatusCode::kNotFound},
                 Case{409, StatusCode::kConflict}, Case{412, StatusCode::kInvalidArgument},
                 Case{422, StatusCode::kInvalidArgument}, Case{423, StatusCode::kReadOnly},
                 Case{429, StatusCode::kUnavailable}, Case{500, StatusCode::kUnavailable},
                 Case{502, StatusCode::kUnavailable}, Case{503, StatusCode::kUnavailable}}) {
    server.Push(Error(c.http, "lakefs says no"));
    auto r = client->Commit("dev", "m", {}, false);
    EXPECT_EQ(r.status().code(), c.code) << c.http << ": " << r.status().ToString();
    ExpectNoSecret(r.status());
    // The message names the call and the status, and carries lakeFS's message.
    EXPECT_NE(r.status().message().find("lakeFS commit on branch 'dev' failed: " +
                                        std::to_string(c.http)),
              std::string::npos)
        << r.status().ToString();
    EXPECT_NE(r.status().message().find("lakefs says no"), std::string::npos)
        << r.status().ToString();
  }
  // 409 differs by call.
  server.Push(Error(409, "branch already exists: not unique"));
  EXPECT_CODE(client->CreateBranch("dev", "main").status(), kAlreadyExists);
  server.Push(Respond(409, R"({"message":"conflict found","reference":""})"));
  auto m = client->Merge("dev", "main", "", {}, "", false);
  EXPECT_CODE(m.status(), kConflict);
  EXPECT_EQ(m.status().message(),
            "lakeFS merge of 'dev' into branch 'main' failed: 409 Conflict: conflict found");
  // 401 names the credentials problem.
  server.Push(Error(401, "error authenticating request"));
  auto g = client->GetCommit(kCommitId);
  EXPECT_CODE(g.status(), kInvalidArgument);
  EXPECT_NE(g.status().message().find("lakeFS rejected the credentials"), std::string::npos);
  // Non-JSON error bodies are quoted as text.
  server.Push(Respond(400, "plain failure", "text/plain"));
  auto t = client->GetBranchHead("dev");
  EXPECT_CODE(t.status(), kInvalidArgument);
  EXPECT_NE(t.status().message().find("400 Bad Request: plain failure"), std::string::npos)
      << t.status().ToString();
  // A redirect is not lakeFS's API.
  server.Push(Respond(301));
  EXPECT_CODE(client->GetBranchHead("dev").status(), kInvalidArgument);
}

TEST(LakeFsClient, CheckRepository) {
  FakeLakeFs server;
  auto client = MakeClient(Options(server.endpoint()));
  server.Push(Respond(
      200,
      R"({"id":"repo1","creation_date":1,"default_branch":"main","storage_namespace":"s3://b"})"));
  EXPECT_CODE(client->CheckRepository(), kOk);
  server.Push(Error(401, "error authenticating request"));
  Status s = client->CheckRepository();
  EXPECT_CODE(s, kInvalidArgument);
  EXPECT_NE(s.message().find("lakeFS rejected the credentials"), std::string::npos);
  server.Push(Error(404, "repository not found"));
  s = client->CheckRepository();
  EXPECT_CODE(s, kNotFound);
  EXPECT_NE(s.message().find("lakeFS repository 'repo1' not found"), std::string::npos);
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0].method, "GET");
  EXPECT_EQ(reqs[0].target, "/api/v1/repositories/repo1");

  auto o = Options("http://127.0.0.1:" + std::to_string(ClosedPort()));
  o.max_attempts = 2;
  auto unreachable = MakeClient(o);
  s = unreachable->CheckRepository();
  EXPECT_CODE(s, kUnavailable);
  EXPECT_NE(s.message().find("cannot reach lakeFS at http://127.0.0.1:"), std::string::npos)
      << s.ToString();
  EXPECT_NE(s.message().find("after 2 attempts"), std::string::npos) << s.ToString();
}

TEST(LakeFsClient, SecretNeverInMessages) {
  FakeLakeFs server;
  auto o = Options(server.endpoint());
  o.max_attempts = 1;
  auto client = MakeClient(o);
  // A server echoing the credentials back.
  server.Push(Error(400, std::string("bad key ") + kSecret + " in " + kExpectedAuth));
  Status s = client->Commit("dev", "m", {}, false).status();
  EXPECT_CODE(s, kInvalidArgument);
  EXPECT_NE(s.message().find("***"), std::string::npos) << s.ToString();
  server.Push(Error(503, std::string("oops ") + kSecret));
  EXPECT_CODE(client->GetCommit("x").status(), kUnavailable);
}

// --- retries -----------------------------------------------------------------

TEST(LakeFsClientRetry, GetRetriesOn503And429ThenSucceeds) {
  FakeLakeFs server;
  auto client = MakeClient(Options(server.endpoint()));
  server.Push(Error(503, "busy"));
  server.Push(Error(429, "slow down"));
  server.Push(Respond(200, CommitJson(kCommitId)));
  auto c = client->GetCommit(kCommitId);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(server.count(), 3u);
}

TEST(LakeFsClientRetry, GetGivesUpAfterMaxAttempts) {
  FakeLakeFs server;
  auto o = Options(server.endpoint());
  o.max_attempts = 3;
  auto client = MakeClient(o);
  for (int i = 0; i < 3; ++i)
    server.Push(Error(500, "internal"));
  auto c = client->GetCommit(kCommitId);
  EXPECT_CODE(c.status(), kUnavailable);
  EXPECT_NE(c.status().message().find("after 3 attempts"), std::string::npos);
  EXPECT_EQ(server.count(), 3u);
}

TEST(LakeFsClientRetry, No4xxRetry) {
  FakeLakeFs server;
  auto client = MakeClient(Options(server.endpoint()));
  server.Push(Error(400, "bad"));
  EXPECT_CODE(client->GetCommit("x").status(), kInvalidArgument);
  EXPECT_EQ(server.count(), 1u);
}

TEST(LakeFsClientRetry, PostNotRetriedOn5xx) {
  for (int code : {500, 502, 503, 504}) {
    FakeLakeFs server;
    auto client = MakeClient(Options(server.endpoint()));
    server.Push(Error(code, "failed"));
    server.Push(Respond(201, CommitJson(kCommitId)));  // must not be reached
    auto r = client->Commit("dev", "m", {}, false);
    EXPECT_CODE(r.status(), kUnavailable);
    EXPECT_NE(r.status().message().find("may or may not have been applied"), std::string::npos)
        << r.status().ToString();
    EXPECT_EQ(server.count(), 1u) << code;
  }
  FakeLakeFs server;
  auto client = MakeClient(Options(server.endpoint()));
  server.Push(Error(500, "failed"));
  EXPECT_CODE(client->Merge("dev", "main", "", {}, "", false).status(), kUnavailable);
  server.Push(Error(500, "failed"));
  EXPECT_CODE(client->CreateBranch("dev", "main").status(), kUnavailable);
  EXPECT_EQ(server.count(), 2u);
}

TEST(LakeFsClientRetry, Post429IsRetried) {
  FakeLakeFs server;
  auto client = MakeClient(Options(server.endpoint()));
  server.Push(Error(429, "slow down"));
  server.Push(Error(429, "slow down"));
  server.Push(Respond(201, CommitJson(kCommitId)));
  auto r = client->Commit("dev", "m", {}, false);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(server.count(), 3u);
}

TEST(LakeFsClientRetry, DeleteRetriedAndGoneAfterUnknownOutcomeIsOk) {
  FakeLakeFs server;
  auto client = MakeClient(Options(server.endpoint()));
  server.Push(Error(503, "busy"));
  server.Push(Error(404, "branch not found"));
  EXPECT_CODE(client->DeleteBranch("dev"), kOk);
  EXPECT_EQ(server.count(), 2u);
  // Without an earlier unknown outcome, a missing branch is NotFound.
  server.Push(Error(404, "branch not found"));
  EXPECT_CODE(client->DeleteBranch("dev"), kNotFound);
}

TEST(LakeFsClientRetry, ConnectionRefusedRetriedThenUnavailable) {
  auto o = Options("http://127.0.0.1:" + std::to_string(ClosedPort()));
  o.max_attempts = 3;
  o.initial_backoff = milliseconds(40);
  auto client = MakeClient(o);
  auto start = Clock::now();
  // A POST that never reached the server is retried too.
  auto r = client->Commit("dev", "m", {}, false);
  auto elapsed = Clock::now() - start;
  EXPECT_CODE(r.status(), kUnavailable);
  EXPECT_NE(r.status().message().find("cannot reach lakeFS"), std::string::npos);
  EXPECT_NE(r.status().message().find("after 3 attempts"), std::string::npos)
      << r.status().ToString();
  EXPECT_EQ(r.status().message().find("may or may not"), std::string::npos);
  // Backoff: at least 20 + 40 ms (jitter takes [base/2, base]).
  EXPECT_GE(elapsed, milliseconds(60));
}

TEST(LakeFsClientRetry, DroppedConnectionAfterRequest) {
  FakeLakeFs server;
  auto client = MakeClient(Options(server.endpoint()));
  // POST: not retried, outcome unknown.
  server.Push(Action(Scripted::kCloseAfterRequest));
  server.Push(Respond(201, CommitJson(kCommitId)));
  auto r = client->Commit("dev", "m", {}, false);
  EXPECT_CODE(r.status(), kUnavailable);
  EXPECT_NE(r.status().message().find("may or may not have been applied"), std::string::npos)
      << r.status().ToString();
  EXPECT_EQ(server.count(), 1u);
  // GET: retried.
  FakeLakeFs server2;
  auto client2 = MakeClient(Options(server2.endpoint()));
  server2.Push(Action(Scripted::kCloseAfterRequest));
  server2.Push(Respond(200, CommitJson(kCommitId)));
  auto c = client2->GetCommit(kCommitId);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(server2.count(), 2u);
}

TEST(LakeFsClientTimeout, RequestTimeoutPostNotRetried) {
  FakeLakeFs server;
  auto o = Options(server.endpoint());
  o.request_timeout = milliseconds(300);
  auto client = MakeClient(o);
  server.Push(Action(Scripted::kHang));
  auto start = Clock::now();
  auto r = client->Merge("dev", "main", "", {}, "", false);
  auto elapsed = Clock::now() - start;
  EXPECT_CODE(r.status(), kUnavailable);
  EXPECT_NE(r.status().message().find("request timeout of 300 ms"), std::string::npos)
      << r.status().ToString();
  EXPECT_GE(elapsed, milliseconds(250));
  EXPECT_LT(elapsed, milliseconds(3000));
  // Let the server see the client's close before counting.
  std::this_thread::sleep_for(milliseconds(100));
  EXPECT_EQ(server.count(), 1u);
}

TEST(LakeFsClientTimeout, RequestTimeoutGetRetried) {
  FakeLakeFs server;
  auto o = Options(server.endpoint());
  o.request_timeout = milliseconds(200);
  o.max_attempts = 2;
  auto client = MakeClient(o);
  server.Push(Action(Scripted::kHang));
  server.Push(Action(Scripted::kHang));
  auto start = Clock::now();
  auto r = client->GetBranchHead("dev");
  auto elapsed = Clock::now() - start;
  EXPECT_CODE(r.status(), kUnavailable);
  EXPECT_NE(r.status().message().find("after 2 attempts"), std::string::npos);
  EXPECT_GE(elapsed, milliseconds(380));
  EXPECT_LT(elapsed, milliseconds(4000));
  std::this_thread::sleep_for(milliseconds(100));
  EXPECT_EQ(server.count(), 2u);
}

// A listener whose accept queue is full: further SYNs are dropped, so
// connect() hangs until the client's connect timeout.
class BlackholeListener {
 public:
  BlackholeListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    ::listen(fd_, 0);
    socklen_t len = sizeof(addr);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    // Fill the queue until a connect no longer completes at once.
    for (int i = 0; i < 16; ++i) {
      int c = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
      fillers_.push_back(c);
      ::connect(c, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
      pollfd p{c, POLLOUT, 0};
      if (::poll(&p, 1, 200) == 0) {
        full_ = true;
        break;
      }
    }
  }
  ~BlackholeListener() {
    for (int c : fillers_)
      ::close(c);
    ::close(fd_);
  }
  bool full() const { return full_; }
  uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
  bool full_ = false;
  std::vector<int> fillers_;
};

TEST(LakeFsClientTimeout, ConnectTimeout) {
  BlackholeListener hole;
  if (!hole.full()) GTEST_SKIP() << "cannot make connect() hang on this host";
  auto o = Options("http://127.0.0.1:" + std::to_string(hole.port()));
  o.connect_timeout = milliseconds(200);
  o.max_attempts = 2;
  auto client = MakeClient(o);
  auto start = Clock::now();
  // Never reached lakeFS: even a POST is retried.
  auto r = client->Commit("dev", "m", {}, false);
  auto elapsed = Clock::now() - start;
  EXPECT_CODE(r.status(), kUnavailable);
  EXPECT_NE(r.status().message().find("timed out after 200 ms"), std::string::npos)
      << r.status().ToString();
  EXPECT_NE(r.status().message().find("after 2 attempts"), std::string::npos)
      << r.status().ToString();
  EXPECT_GE(elapsed, milliseconds(380));
  EXPECT_LT(elapsed, milliseconds(3000));
}

TEST(LakeFsClient, ConcurrentCalls) {
  FakeLakeFs server;
  server.SetFallback([](const Recorded& r) {
    std::string id = r.target.substr(r.target.rfind('/') + 1);
    return Respond(200, CommitJson(id));
  });
  auto client = MakeClient(Options(server.endpoint()));
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        std::string id = std::string(63, 'c') + std::to_string(t);
        auto c = client->GetCommit(id);
        if (c.ok() && c->id == id) ++ok;
      }
    });
  }
  for (auto& th : threads)
    th.join();
  EXPECT_EQ(ok.load(), 30);
}

// --- TLS -------------------------------------------------------------------------

// A self-signed certificate for localhost / 127.0.0.1, as PEM.
struct SelfSigned {
  std::string cert, key;
};

SelfSigned MakeSelfSigned() {
  SelfSigned out;
  EVP_PKEY* pkey = EVP_EC_gen("P-256");
  X509* x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x), 24 * 3600);
  X509_set_pubkey(x, pkey);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(x, name);
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, x, x, nullptr, nullptr, 0);
  X509_EXTENSION* ext =
      X509V3_EXT_conf_nid(nullptr, &v3, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
  X509_add_ext(x, ext, -1);
  X509_EXTENSION_free(ext);
  X509_sign(x, pkey, EVP_sha256());
  auto pem = [](auto write) {
    BIO* b = BIO_new(BIO_s_mem());
    write(b);
    char* data = nullptr;
    long n = BIO_get_mem_data(b, &data);
    std::string s(data, static_cast<size_t>(n));
    BIO_free(b);
    return s;
  };
  out.cert = pem([&](BIO* b) { PEM_write_bio_X509(b, x); });
  out.key = pem(
      [&](BIO* b) { PEM_write_bio_PrivateKey(b, pkey, nullptr, nullptr, 0, nullptr, nullptr); });
  X509_free(x);
  EVP_PKEY_free(pkey);
  return out;
}

class LakeFsClientTls : public ::testing::Test {
 protected:
  void SetUp() override {
    SelfSigned ss = MakeSelfSigned();
    ctx_.use_certificate_chain(net::buffer(ss.cert));
    ctx_.use_private_key(net::buffer(ss.key), ssl::context::pem);
  }
  ssl::context ctx_{ssl::context::tls_server};
};

TEST_F(LakeFsClientTls, UntrustedCertificateIsRefusedWithoutRetry) {
  FakeLakeFs server(&ctx_);
  auto o = Options("https://localhost:" + std::to_string(server.port()));
  auto client = MakeClient(o);
  auto r = client->GetCommit(kCommitId);
  EXPECT_CODE(r.status(), kUnavailable);
  EXPECT_NE(r.status().message().find("TLS handshake"), std::string::npos) << r.status().ToString();
  EXPECT_NE(r.status().message().find("certificate"), std::string::npos) << r.status().ToString();
  std::this_thread::sleep_for(milliseconds(100));
  EXPECT_EQ(server.connections(), 1);
  EXPECT_EQ(server.count(), 0u);
}

TEST_F(LakeFsClientTls, WithoutVerificationTalksTlsWithSni) {
  FakeLakeFs server(&ctx_);
  auto o = Options("https://localhost:" + std::to_string(server.port()) + "/");
  o.verify_tls = false;
  auto client = MakeClient(o);
  server.Push(Respond(201, CommitJson(kCommitId)));
  auto r = client->Commit("dev", "m", {{"a", "b"}}, false);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->id, kCommitId);
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].target, "/api/v1/repositories/repo1/branches/dev/commits");
  EXPECT_EQ(reqs[0].sni, "localhost");
  EXPECT_EQ(reqs[0].authorization, kExpectedAuth);
}

TEST_F(LakeFsClientTls, PlainHttpServerIsATlsFailure) {
  FakeLakeFs server;  // not TLS
  auto o = Options("https://127.0.0.1:" + std::to_string(server.port()));
  o.max_attempts = 2;
  auto client = MakeClient(o);
  auto r = client->GetBranchHead("dev");
  EXPECT_CODE(r.status(), kUnavailable);
  EXPECT_NE(r.status().message().find("TLS handshake"), std::string::npos) << r.status().ToString();
  EXPECT_EQ(server.count(), 0u);
}

// --- against the Python lakeFS emulator ------------------------------------

class Emulator {
 public:
  // Empty on success; else why it could not start.
  std::string Start(const std::string& script) {
    int out[2];
    if (::pipe(out) != 0) return "pipe failed";
    pid_ = ::fork();
    if (pid_ < 0) return "fork failed";
    if (pid_ == 0) {
      ::dup2(out[1], 1);
      ::close(out[0]);
      ::close(out[1]);
      execl("/usr/bin/python3", "python3", script.c_str(), "--port", "0", "--repository", "repo1",
            "--access-key-id", "AK", "--secret-access-key", "SK", static_cast<char*>(nullptr));
      _exit(127);
    }
    ::close(out[1]);
    out_ = out[0];
    std::string line;
    auto deadline = Clock::now() + std::chrono::seconds(20);
    while (Clock::now() < deadline) {
      pollfd p{out_, POLLIN, 0};
      if (::poll(&p, 1, 200) <= 0) continue;
      char ch;
      ssize_t n = ::read(out_, &ch, 1);
      if (n <= 0) return "the emulator exited before it was ready";
      if (ch != '\n') {
        line += ch;
        continue;
      }
      const std::string prefix = "lakefs-emulator ready port=";
      if (line.rfind(prefix, 0) == 0) {
        port_ = std::stoi(line.substr(prefix.size()));
        return "";
      }
      line.clear();
    }
    return "the emulator did not get ready in time";
  }
  ~Emulator() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status;
      ::waitpid(pid_, &status, 0);
    }
    if (out_ >= 0) ::close(out_);
  }
  int port() const { return port_; }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  int port_ = 0;
};

TEST(LakeFsClientEmulator, BranchCommitMergeLog) {
  const std::string script =
      std::string(ARBOR_SOURCE_DIR) + "/tests/lakefs_emulator/lakefs_emulator.py";
  struct stat st;
  if (::stat("/usr/bin/python3", &st) != 0) GTEST_SKIP() << "no /usr/bin/python3";
  if (::stat(script.c_str(), &st) != 0) GTEST_SKIP() << "no " << script;
  Emulator emu;
  std::string err = emu.Start(script);
  ASSERT_EQ(err, "");
  LakeFsClientOptions o;
  o.endpoint = "http://127.0.0.1:" + std::to_string(emu.port());
  o.access_key_id = "AK";
  o.secret_access_key = "SK";
  o.repository = "repo1";
  auto client = MakeClient(o);
  ASSERT_TRUE(client);

  EXPECT_CODE(client->CheckRepository(), kOk);
  {
    auto wrong = o;
    wrong.secret_access_key = "nope";
    Status s = MakeClient(wrong)->CheckRepository();
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
    EXPECT_NE(s.message().find("lakeFS rejected the credentials"), std::string::npos);
    auto other = o;
    other.repository = "repo2";
    s = MakeClient(other)->CheckRepository();
    EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.ToString();
  }

  auto main0 = client->GetBranchHead("main");
  ASSERT_TRUE(main0.ok()) << main0.status().ToString();
  auto dev0 = client->CreateBranch("dev", "main");
  ASSERT_TRUE(dev0.ok()) << dev0.status().ToString();
  EXPECT_EQ(*dev0, *main0);
  EXPECT_EQ(client->CreateBranch("dev", "main").status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(client->CreateBranch("x", "nosuchref").status().code(), StatusCode::kNotFound);

  auto c1 = client->Commit("dev", "catalog change", {{"arbor.commit", "abc123"}}, true);
  ASSERT_TRUE(c1.ok()) << c1.status().ToString();
  EXPECT_EQ(c1->message, "catalog change");
  EXPECT_EQ(c1->metadata.at("arbor.commit"), "abc123");
  ASSERT_EQ(c1->parents.size(), 1u);
  EXPECT_EQ(c1->parents[0], *main0);
  EXPECT_GT(c1->creation_date, 1600000000);
  // An empty commit without allow_empty is refused.
  EXPECT_EQ(client->Commit("dev", "empty", {}, false).status().code(),
            StatusCode::kInvalidArgument);

  auto got = client->GetCommit(c1->id);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->id, c1->id);
  EXPECT_EQ(got->metadata.at("arbor.commit"), "abc123");
  EXPECT_EQ(client->GetCommit(std::string(64, 'f')).status().code(), StatusCode::kNotFound);

  auto merged = client->Merge("dev", "main", "merge dev", {{"arbor.commit", "m1"}}, "", true);
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  auto main1 = client->GetBranchHead("main");
  ASSERT_TRUE(main1.ok());
  EXPECT_EQ(*main1, *merged);
  auto mc = client->GetCommit(*merged);
  ASSERT_TRUE(mc.ok()) << mc.status().ToString();
  ASSERT_EQ(mc->parents.size(), 2u);
  EXPECT_EQ(mc->parents[0], *main0);
  EXPECT_EQ(mc->parents[1], c1->id);
  EXPECT_EQ(mc->metadata.at("arbor.commit"), "m1");
  EXPECT_EQ(mc->metadata.at(".lakefs.merge.strategy"), "default");
  // Ref expressions in the path: main~1 is the first parent, main^2 the second.
  auto first = client->GetCommit("main~1");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->id, *main0);
  auto second = client->GetCommit("main^2");
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->id, c1->id);

  auto page = client->Log("main", 2, "");
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->commits.size(), 2u);
  EXPECT_EQ(page->commits[0].id, *merged);
  EXPECT_TRUE(page->has_more);
  auto rest = client->Log("main", 100, page->next_offset);
  ASSERT_TRUE(rest.ok()) << rest.status().ToString();
  EXPECT_FALSE(rest->has_more);
  EXPECT_FALSE(rest->commits.empty());
  for (const auto& c : rest->commits) {
    EXPECT_NE(c.id, page->commits[0].id);
    EXPECT_NE(c.id, page->commits[1].id);
  }

  EXPECT_CODE(client->DeleteBranch("dev"), kOk);
  EXPECT_EQ(client->GetBranchHead("dev").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(client->DeleteBranch("dev").code(), StatusCode::kNotFound);
  EXPECT_EQ(client->DeleteBranch("main").code(), StatusCode::kReadOnly);
}

}  // namespace
}  // namespace arbor

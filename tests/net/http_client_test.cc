// net::HttpClient against an in-process server on 127.0.0.1: the request on the
// wire, the response, and how each kind of failure is reported (stage, kind,
// whether the request may have been sent). TLS is exercised through
// tests/server/lakefs_client_test.cc (certificates, SNI, verification).
#include "net/http_client.h"

#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace arbor::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using std::chrono::milliseconds;

// Accepts connections on 127.0.0.1:0, one at a time, and hands each socket to
// `serve` on the server's thread until destroyed.
class TestServer {
 public:
  explicit TestServer(std::function<void(tcp::socket&)> serve)
      : serve_(std::move(serve)),
        acceptor_(ioc_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] {
      while (true) {
        tcp::socket socket(ioc_);
        beast::error_code ec;
        acceptor_.accept(socket, ec);
        if (ec || stopping_) return;
        serve_(socket);
      }
    });
  }
  ~TestServer() {
    stopping_ = true;
    beast::error_code ec;
    tcp::socket wake(ioc_);
    wake.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), ec);
    thread_.join();
  }
  uint16_t port() const { return port_; }

 private:
  std::function<void(tcp::socket&)> serve_;
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

// Reads one request from `socket`; false if none arrived.
bool ReadRequest(tcp::socket& socket, http::request<http::string_body>* out) {
  beast::flat_buffer buffer;
  beast::error_code ec;
  http::read(socket, buffer, *out, ec);
  return !ec;
}

std::unique_ptr<HttpClient> Client(uint16_t port, HttpClientOptions o = {}) {
  auto url = ParseUrl("http://127.0.0.1:" + std::to_string(port));
  EXPECT_TRUE(url.ok());
  auto client = HttpClient::Create(*url, std::move(o));
  EXPECT_TRUE(client.ok()) << client.status().ToString();
  return std::move(*client);
}

// A port nothing listens on.
uint16_t ClosedPort() {
  asio::io_context ioc;
  tcp::acceptor a(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  uint16_t port = a.local_endpoint().port();
  a.close();
  return port;
}

TEST(HttpClient, SendsTheRequestAndReadsTheResponse) {
  http::request<http::string_body> seen;
  TestServer server([&](tcp::socket& socket) {
    if (!ReadRequest(socket, &seen)) return;
    http::response<http::string_body> res{http::status::created, 11};
    res.set(http::field::content_type, "application/json");
    res.set("Retry-After", "3");
    res.body() = R"({"ok":true})";
    res.prepare_payload();
    http::write(socket, res);
  });
  HttpClientOptions o;
  o.user_agent = "net-test/1";
  auto client = Client(server.port(), o);
  Request r;
  r.method = "POST";
  r.target = "/base/api/v1/x?y=1";
  r.headers = {{"Authorization", "Bearer t"}, {"Content-Type", "application/json"}};
  r.body = R"({"a":1})";
  Outcome out = client->Send(r);
  ASSERT_FALSE(out.error) << out.error->detail;
  EXPECT_EQ(out.response.status, 201);
  EXPECT_EQ(out.response.reason, "Created");
  EXPECT_EQ(out.response.body, R"({"ok":true})");
  EXPECT_EQ(out.response.Header("content-type"), "application/json");
  EXPECT_EQ(out.response.Header("RETRY-AFTER"), "3");
  EXPECT_EQ(out.response.Header("X-Absent"), "");

  EXPECT_EQ(seen.method_string(), "POST");
  EXPECT_EQ(seen.target(), "/base/api/v1/x?y=1");
  EXPECT_EQ(seen[http::field::host], "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(seen[http::field::user_agent], "net-test/1");
  EXPECT_EQ(seen[http::field::authorization], "Bearer t");
  EXPECT_EQ(seen[http::field::connection], "close");
  EXPECT_EQ(seen.body(), R"({"a":1})");
}

TEST(HttpClient, AnyStatusIsAResponse) {
  TestServer server([](tcp::socket& socket) {
    http::request<http::string_body> req;
    if (!ReadRequest(socket, &req)) return;
    http::response<http::string_body> res{http::status::service_unavailable, 11};
    res.body() = "busy";
    res.prepare_payload();
    http::write(socket, res);
  });
  Outcome out = Client(server.port())->Send({"GET", "/", {}, ""});
  ASSERT_FALSE(out.error);
  EXPECT_EQ(out.response.status, 503);
  EXPECT_EQ(out.response.body, "busy");
}

TEST(HttpClient, RefusedConnectionWasNotSent) {
  Outcome out = Client(ClosedPort())->Send({"POST", "/", {}, "x"});
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->stage, TransportError::Stage::kConnect);
  EXPECT_EQ(out.error->kind, TransportError::Kind::kOther);
  EXPECT_FALSE(out.error->detail.empty());
  EXPECT_FALSE(out.error->MayHaveBeenSent());
}

TEST(HttpClient, UnresolvableHostWasNotSent) {
  auto url = ParseUrl("http://no-such-host.invalid:1");
  ASSERT_TRUE(url.ok());
  auto client = HttpClient::Create(*url, {});
  ASSERT_TRUE(client.ok());
  Outcome out = (*client)->Send({"GET", "/", {}, ""});
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->stage, TransportError::Stage::kResolve);
  EXPECT_FALSE(out.error->MayHaveBeenSent());
}

TEST(HttpClient, ConnectionClosedAfterTheRequestMayHaveBeenSent) {
  TestServer server([](tcp::socket& socket) {
    http::request<http::string_body> req;
    ReadRequest(socket, &req);
    socket.close();
  });
  Outcome out = Client(server.port())->Send({"POST", "/commit", {}, "{}"});
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->stage, TransportError::Stage::kReceive);
  EXPECT_EQ(out.error->kind, TransportError::Kind::kClosed);
  EXPECT_TRUE(out.error->MayHaveBeenSent());
}

TEST(HttpClient, RequestTimeoutBoundsTheWholeExchange) {
  TestServer server([](tcp::socket& socket) {
    http::request<http::string_body> req;
    ReadRequest(socket, &req);
    std::this_thread::sleep_for(milliseconds(1500));  // never answers in time
  });
  HttpClientOptions o;
  o.request_timeout = milliseconds(300);
  auto start = std::chrono::steady_clock::now();
  Outcome out = Client(server.port(), o)->Send({"GET", "/", {}, ""});
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->stage, TransportError::Stage::kReceive);
  EXPECT_EQ(out.error->kind, TransportError::Kind::kTimeout);
  EXPECT_TRUE(out.error->MayHaveBeenSent());
  EXPECT_GE(took, milliseconds(250));
  EXPECT_LT(took, milliseconds(1400));
}

TEST(HttpClient, NonHttpAnswerIsNotHttp) {
  TestServer server([](tcp::socket& socket) {
    http::request<http::string_body> req;
    ReadRequest(socket, &req);
    asio::write(socket, asio::buffer(std::string("SSH-2.0-OpenSSH_9.2\r\n\r\n")));
    socket.close();
  });
  Outcome out = Client(server.port())->Send({"GET", "/", {}, ""});
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->stage, TransportError::Stage::kReceive);
  EXPECT_EQ(out.error->kind, TransportError::Kind::kNotHttp) << out.error->detail;
}

TEST(HttpClient, UnreadableCaFileIsRefusedAtCreate) {
  auto url = ParseUrl("https://127.0.0.1:1");
  ASSERT_TRUE(url.ok());
  HttpClientOptions o;
  o.ca_file = "/nonexistent/ca.pem";
  auto client = HttpClient::Create(*url, o);
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(client.status().message().find("/nonexistent/ca.pem"), std::string::npos);
  // Without verification the CA file is not read.
  o.verify_tls = false;
  EXPECT_TRUE(HttpClient::Create(*url, o).ok());
  // Plain http never reads it either.
  auto plain = ParseUrl("http://127.0.0.1:1");
  o.verify_tls = true;
  EXPECT_TRUE(HttpClient::Create(*plain, o).ok());
}

}  // namespace
}  // namespace arbor::net

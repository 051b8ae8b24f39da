// HttpClient: a synchronous HTTP/1.1 client on Boost.Beast, plain or TLS
// (OpenSSL), shared by the `arbor` CLI and arbord's lakeFS client. It carries
// one request per connection; retry policy and error wording are the callers'.
//
// Contract:
//  * Send() resolves, connects, (for https) handshakes, writes the request and
//    reads the whole response, of any status, then closes the connection.
//    Resolve, connect and handshake must finish within connect_timeout; the
//    whole exchange, connect included, within request_timeout.
//  * https verifies the certificate chain (the system's trust store, or
//    ca_file) and the host name unless verify_tls is off; the host name is sent
//    as SNI unless it is an IP literal.
//  * A failure is reported, not thrown, as a TransportError naming the stage
//    it happened in, so a caller can tell whether the request may have reached
//    the server (see MayHaveBeenSent) and decide on a retry.
//  * Thread-safe: each Send() has its own connection and io_context; the TLS
//    context is built once, in Create, and only read afterwards.
//  * No keep-alive: neither user sends more than a request or two per
//    operation, and a fresh connection keeps attempts independent.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "net/url.h"

namespace arbor::net {

struct HttpClientOptions {
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds request_timeout{30000};
  bool verify_tls = true;  // https: verify the peer's certificate and name
  std::string ca_file;     // https: trust this PEM bundle instead of the system's
  // https: present this client certificate (PEM, then intermediates) and key.
  std::string cert_file;
  std::string key_file;
  uint64_t max_response_bytes = uint64_t{64} << 20;
  std::string user_agent = "arbor";
  // https: how long to wait for the server's close_notify after the response;
  // zero closes the socket at once.
  std::chrono::milliseconds tls_close_wait{0};
};

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // origin-form, sent as is (the URL's path is not added)
  std::vector<std::pair<std::string, std::string>> headers;  // besides Host, User-Agent
  std::string body;
};

struct Response {
  int status = 0;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // The first header of that name (case-insensitive), or "".
  std::string Header(std::string_view name) const;
};

struct TransportError {
  enum class Stage { kResolve, kConnect, kTlsHandshake, kSend, kReceive };
  enum class Kind {
    kTimeout,     // the stage's deadline passed
    kClosed,      // the peer closed or reset the connection
    kTruncated,   // the connection ended inside the response
    kNotHttp,     // the answer is not HTTP/1.x
    kTlsRefused,  // TLS failed for a reason a retry will not fix (e.g. certificate)
    kOther,
  };
  Stage stage = Stage::kResolve;
  Kind kind = Kind::kOther;
  std::string detail;       // the system's or library's message
  std::string certificate;  // the verification error, when the chain was refused

  // False when the request provably never left (resolve, connect, handshake).
  bool MayHaveBeenSent() const { return stage == Stage::kSend || stage == Stage::kReceive; }
};

// A response, or the failure that kept one from arriving.
struct Outcome {
  std::optional<TransportError> error;
  Response response;  // when !error
};

class HttpClient {
 public:
  // InvalidArgument naming the problem when TLS cannot be set up (e.g. the
  // CA file cannot be read).
  static Result<std::unique_ptr<HttpClient>> Create(Url url, HttpClientOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  const Url& url() const;
  const HttpClientOptions& options() const;

  Outcome Send(const Request& request) const;

  struct Impl;

 private:
  explicit HttpClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace arbor::net

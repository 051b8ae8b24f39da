// HttpServer: the admin API's HTTP/1.1 listener, on Boost.Beast over Asio.
//
// Contract:
//  * Start() binds and listens (port 0 picks a free port; port() reports it),
//    then serves connections on `threads` Asio threads. Each request is parsed
//    by Beast (keep-alive, `Expect: 100-continue`, header and body limits) and
//    answered by AdminApi::Handle on the connection's strand.
//  * A body over max_body_bytes gets 400 BODY_TOO_LARGE in the API's error
//    shape, and the connection is closed after the request's remaining bytes
//    are drained (briefly), so the client reads the answer instead of a reset.
//  * A connection idle for read_timeout, or slower than read_timeout to send
//    one request, is closed.
//  * With options.tls, every connection is https: the TLS handshake (held to
//    read_timeout) uses the certificates' current context, a refused one is
//    logged, and a verified client certificate becomes the peer_identity of
//    every request on the connection.
//  * Stop() stops accepting, closes idle connections, lets requests being
//    handled finish and write their response (up to shutdown_grace), then
//    joins the threads. Idempotent; the destructor calls it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "base/status.h"
#include "server/admin/admin_api.h"
#include "server/metrics.h"
#include "server/tls/tls_certificates.h"

namespace arbor {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 9084;  // 0: any free port
  int threads = 2;
  size_t max_body_bytes = 1 << 20;
  size_t max_header_bytes = 16 << 10;
  std::chrono::milliseconds read_timeout{30'000};
  std::chrono::milliseconds write_timeout{30'000};
  std::chrono::milliseconds shutdown_grace{10'000};
  // Optional: arbor_http_open_connections is registered here.
  Metrics* metrics = nullptr;
  // Optional, outliving the server: https with these certificates (the current
  // ones for each new connection); a verified client certificate becomes
  // HttpRequest::peer_identity.
  tls::TlsCertificates* tls = nullptr;
};

class HttpServer {
 public:
  HttpServer(AdminApi* api, HttpServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // IOError naming host:port if it cannot listen.
  Status Start();
  void Stop();

  // The bound port, after Start().
  uint16_t port() const;
  int64_t open_connections() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace arbor

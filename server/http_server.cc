#include "server/http_server.h"

#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <vector>

#include "base/ascii.h"
#include "server/tls/tls_certificates.h"

namespace arbor {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

constexpr size_t kMaxDrainBytes = 8 << 20;
constexpr auto kDrainTimeout = std::chrono::seconds(2);

std::string_view SV(beast::string_view s) {
  return {s.data(), s.size()};
}

}  // namespace

// What the registry and Stop see of a session, plain or TLS.
class HttpSession {
 public:
  virtual ~HttpSession() = default;
  // Called (on any thread) by Stop: closes the connection if it waits for a
  // request; a request in progress finishes and then the connection closes.
  virtual void Shutdown() = 0;
};

// Handlers hold raw Impl pointers: the Impl outlives them, because Stop joins
// the threads before the Impl goes, and destroying `ioc` (declared after the
// session registry, so destroyed before it) destroys any handler left behind.
struct HttpServer::Impl {
  AdminApi* api;
  HttpServerOptions options;
  std::mutex mu;
  std::condition_variable sessions_done;
  std::map<HttpSession*, std::weak_ptr<HttpSession>> sessions;

  net::io_context ioc;
  tcp::acceptor acceptor{net::make_strand(ioc)};
  // With TLS: the Asio wrapper of the certificates' current context, rebuilt on
  // the acceptor's strand when a reload replaced it; sessions hold their own.
  std::shared_ptr<net::ssl::context> tls_context;
  SSL_CTX* tls_context_source = nullptr;
  std::vector<std::thread> threads;
  std::atomic<bool> stopping{false};
  std::atomic<bool> started{false};
  uint16_t port = 0;

  Impl(AdminApi* a, HttpServerOptions o) : api(a), options(std::move(o)) {}

  void Accept();
  void StartSession(tcp::socket socket);
  void Register(const std::shared_ptr<HttpSession>& s);
  void Unregister(HttpSession* s);
  int64_t OpenConnections() {
    std::lock_guard<std::mutex> lock(mu);
    return static_cast<int64_t>(sessions.size());
  }
};

// Stream: beast::tcp_stream, or beast::ssl_stream over one for https.
template <class Stream>
class HttpSessionOn : public HttpSession,
                      public std::enable_shared_from_this<HttpSessionOn<Stream>> {
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;
  using std::enable_shared_from_this<HttpSessionOn<Stream>>::shared_from_this;

 public:
  HttpSessionOn(tcp::socket&& socket, HttpServer::Impl* server)
      : stream_(std::move(socket)), server_(server) {}
  HttpSessionOn(tcp::socket&& socket, HttpServer::Impl* server,
                std::shared_ptr<net::ssl::context> tls)
      : tls_(std::move(tls)), stream_(std::move(socket), *tls_), server_(server) {}
  ~HttpSessionOn() override { server_->Unregister(this); }

  void Start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      if constexpr (kTls) {
        self->Handshake();
      } else {
        self->ReadHeader();
      }
    });
  }

  void Shutdown() override {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      if (!self->busy_) self->Close();
    });
  }

 private:
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

  // https: the handshake has the read timeout; a client certificate that
  // verified is the identity of every request on the connection.
  void Handshake() {
    lowest().expires_after(server_->options.read_timeout);
    stream_.async_handshake(net::ssl::stream_base::server, [self = shared_from_this()](
                                                               beast::error_code ec) {
      if (ec) {
        beast::error_code ignored;
        auto peer = self->lowest().socket().remote_endpoint(ignored);
        std::string refused = tls::VerifyFailure(self->stream_.native_handle());
        // A connection closed before it said anything (a TCP health check) is no
        // refusal worth a warning.
        const bool silent = ec == net::error::eof || ec == net::ssl::error::stream_truncated;
        spdlog::log(silent ? spdlog::level::debug : spdlog::level::warn,
                    "admin https: TLS handshake with {}:{} failed: {}{}",
                    peer.address().to_string(), peer.port(), ec.message(),
                    refused.empty() ? "" : "; " + refused);
        return self->Close();
      }
      self->identity_ = tls::PeerIdentity(self->stream_.native_handle());
      if (self->identity_.authenticated()) {
        beast::error_code ignored;
        auto peer = self->lowest().socket().remote_endpoint(ignored);
        spdlog::debug("admin https: connection from {}:{} is {} ({})", peer.address().to_string(),
                      peer.port(), self->identity_.user, self->identity_.principal);
      }
      self->ReadHeader();
    });
  }

  void ReadHeader() {
    if (server_->stopping) return Close();
    busy_ = false;
    parser_.emplace();
    parser_->body_limit(server_->options.max_body_bytes);
    parser_->header_limit(static_cast<uint32_t>(server_->options.max_header_bytes));
    lowest().expires_after(server_->options.read_timeout);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    started_ = std::chrono::steady_clock::now();
    if (ec) return OnReadError(ec);
    busy_ = true;
    auto& req = parser_->get();
    auto expect = req[http::field::expect];
    if (!expect.empty() && AsciiLower(SV(expect)) == "100-continue") {
      continue_.emplace(http::status::continue_, req.version());
      http::async_write(stream_, *continue_,
                        [self = shared_from_this()](beast::error_code ec, size_t) {
                          if (ec) return self->Close();
                          self->ReadBody();
                        });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    lowest().expires_after(server_->options.read_timeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnReadError(beast::error_code ec) {
    if (ec == http::error::body_limit) {
      busy_ = true;
      auto resp =
          AdminApi::ErrorResponse(400, "BODY_TOO_LARGE",
                                  "the request body is over the limit of " +
                                      std::to_string(server_->options.max_body_bytes) + " bytes");
      Record(resp.status);
      return Send(std::move(resp), /*keep_alive=*/false, /*drain=*/true);
    }
    if (ec == http::error::header_limit) {
      busy_ = true;
      auto resp =
          AdminApi::ErrorResponse(431, "HEADERS_TOO_LARGE",
                                  "the request headers are over the limit of " +
                                      std::to_string(server_->options.max_header_bytes) + " bytes");
      Record(resp.status);
      return Send(std::move(resp), false, true);
    }
    if (ec.category() == http::make_error_code(http::error::bad_target).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message) {
      // A malformed request (bad request line, header, chunk, ...).
      busy_ = true;
      auto resp =
          AdminApi::ErrorResponse(400, "BAD_REQUEST", "malformed HTTP request: " + ec.message());
      Record(resp.status);
      return Send(std::move(resp), false, true);
    }
    // End of stream, timeout, reset or aborted by Shutdown: just close.
    Close();
  }

  void OnRead(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    auto& req = parser_->get();
    HttpRequest request;
    request.method = std::string(SV(req.method_string()));
    request.target = std::string(SV(req.target()));
    for (const auto& field : req) {
      std::string name = AsciiLower(SV(field.name_string()));
      auto [it, inserted] = request.headers.emplace(name, std::string(SV(field.value())));
      if (!inserted) it->second += ", " + std::string(SV(field.value()));
    }
    request.body = std::move(req.body());
    request.peer_identity = identity_;
    bool keep_alive = req.keep_alive();
    HttpResponse response = server_->api->Handle(request);
    Send(std::move(response), keep_alive && !server_->stopping, false);
  }

  void Send(HttpResponse r, bool keep_alive, bool drain) {
    res_.emplace();
    res_->version(11);
    res_->result(static_cast<unsigned>(r.status));
    res_->set(http::field::server, "arbord");
    if (!r.content_type.empty()) res_->set(http::field::content_type, r.content_type);
    for (const auto& [k, v] : r.headers)
      res_->set(k, v);
    res_->body() = std::move(r.body);
    res_->keep_alive(keep_alive);
    res_->prepare_payload();
    lowest().expires_after(server_->options.write_timeout);
    http::async_write(stream_, *res_,
                      [self = shared_from_this(), keep_alive, drain](beast::error_code ec, size_t) {
                        self->OnWrite(ec, keep_alive, drain);
                      });
  }

  void OnWrite(beast::error_code ec, bool keep_alive, bool drain) {
    if (ec) return Close();
    if (drain) return Drain();
    if (!keep_alive || server_->stopping) return Close();
    ReadHeader();
  }

  // After an error answer to a request whose body was not read: stop sending,
  // then read and discard what the client still sends (up to a bound), so
  // closing does not reset the connection under the response.
  void Drain() {
    beast::error_code ignored;
    lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
    lowest().expires_after(kDrainTimeout);
    DrainSome();
  }

  void DrainSome() {
    stream_.async_read_some(net::buffer(scratch_),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              self->drained_ += n;
                              if (ec || self->drained_ > kMaxDrainBytes) return self->Close();
                              self->DrainSome();
                            });
  }

  void Record(int status) {
    AdminObserver* observer = server_->api->options().observer;
    if (observer == nullptr) return;
    std::string method = "UNKNOWN";
    if (parser_ && parser_->is_header_done())
      method = std::string(SV(parser_->get().method_string()));
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    observer->OnRequest(method, "unmatched", status, seconds);
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    beast::error_code ignored;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
    lowest().close();
  }

  std::shared_ptr<net::ssl::context> tls_;  // https: outlives stream_
  Stream stream_;
  HttpServer::Impl* server_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::empty_body>> continue_;
  std::optional<http::response<http::string_body>> res_;
  std::array<char, 16 << 10> scratch_{};
  size_t drained_ = 0;
  bool busy_ = false;  // between a request's header and its response's write
  bool closed_ = false;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  auth::Identity identity_;
};

void HttpServer::Impl::Register(const std::shared_ptr<HttpSession>& s) {
  std::lock_guard<std::mutex> lock(mu);
  sessions[s.get()] = s;
}

void HttpServer::Impl::Unregister(HttpSession* s) {
  std::lock_guard<std::mutex> lock(mu);
  sessions.erase(s);
  if (sessions.empty()) sessions_done.notify_all();
}

void HttpServer::Impl::Accept() {
  acceptor.async_accept(net::make_strand(ioc),
                        [self = this](beast::error_code ec, tcp::socket socket) {
                          if (ec) {
                            if (ec == net::error::operation_aborted || !self->acceptor.is_open())
                              return;
                            spdlog::warn("admin http: accept failed: {}", ec.message());
                          } else if (self->stopping) {
                            beast::error_code ignored;
                            socket.close(ignored);
                            return;
                          } else {
                            beast::error_code ignored;
                            socket.set_option(tcp::no_delay(true), ignored);
                            self->StartSession(std::move(socket));
                          }
                          if (!self->stopping) self->Accept();
                        });
}

void HttpServer::Impl::StartSession(tcp::socket socket) {
  if (options.tls == nullptr) {
    auto session = std::make_shared<HttpSessionOn<beast::tcp_stream>>(std::move(socket), this);
    Register(session);
    session->Start();
    return;
  }
  tls::SslContextPtr current = options.tls->current();
  if (current.get() != tls_context_source) {
    // Asio's context takes a reference of its own to the OpenSSL context.
    SSL_CTX_up_ref(current.get());
    tls_context = std::make_shared<net::ssl::context>(current.get());
    tls_context_source = current.get();
  }
  auto session = std::make_shared<HttpSessionOn<beast::ssl_stream<beast::tcp_stream>>>(
      std::move(socket), this, tls_context);
  Register(session);
  session->Start();
}

HttpServer::HttpServer(AdminApi* api, HttpServerOptions options)
    : impl_(std::make_unique<Impl>(api, std::move(options))) {}

HttpServer::~HttpServer() {
  Stop();
}

uint16_t HttpServer::port() const {
  return impl_->port;
}

int64_t HttpServer::open_connections() const {
  return impl_->OpenConnections();
}

Status HttpServer::Start() {
  if (impl_->started) return Status::Internal("the admin HTTP server is already started");
  const auto& o = impl_->options;
  std::string where = o.host + ":" + std::to_string(o.port);
  beast::error_code ec;
  tcp::resolver resolver(impl_->ioc);
  auto endpoints = resolver.resolve(o.host, std::to_string(o.port),
                                    tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || endpoints.empty()) {
    return Status::IOError("admin HTTP: cannot resolve " + where + ": " + ec.message());
  }
  tcp::endpoint endpoint = endpoints.begin()->endpoint();
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    beast::error_code ignored;
    acceptor.close(ignored);
    return Status::IOError("admin HTTP: cannot listen on " + where + ": " + ec.message());
  }
  impl_->port = acceptor.local_endpoint(ec).port();
  impl_->started = true;
  if (o.metrics != nullptr) {
    Impl* impl = impl_.get();  // Stop() removes the gauge before the Impl goes
    o.metrics->SetGauge("arbor_http_open_connections", "Open admin HTTP connections.",
                        [impl] { return static_cast<double>(impl->OpenConnections()); });
  }
  impl_->Accept();
  int n = std::max(1, o.threads);
  for (int i = 0; i < n; ++i) {
    impl_->threads.emplace_back([impl = impl_.get()] {
      for (;;) {
        try {
          impl->ioc.run();
          break;
        } catch (const std::exception& e) {
          spdlog::error("admin http: {}", e.what());
        }
      }
    });
  }
  return Status::OK();
}

void HttpServer::Stop() {
  auto& impl = *impl_;
  if (!impl.started || impl.stopping.exchange(true)) {
    // Never started, or already stopping: join whatever runs.
    for (auto& t : impl.threads) {
      if (t.joinable()) t.join();
    }
    return;
  }
  net::post(impl.acceptor.get_executor(), [impl = impl_.get()] {
    beast::error_code ignored;
    impl->acceptor.close(ignored);
  });
  std::vector<std::shared_ptr<HttpSession>> live;
  {
    std::lock_guard<std::mutex> lock(impl.mu);
    for (auto& [ptr, weak] : impl.sessions) {
      if (auto s = weak.lock()) live.push_back(std::move(s));
    }
  }
  for (auto& s : live)
    s->Shutdown();
  live.clear();
  {
    std::unique_lock<std::mutex> lock(impl.mu);
    impl.sessions_done.wait_for(lock, impl.options.shutdown_grace,
                                [&] { return impl.sessions.empty(); });
  }
  // Whatever is left (a handler running past the grace period) is cut off.
  impl.ioc.stop();
  for (auto& t : impl.threads) {
    if (t.joinable()) t.join();
  }
  if (impl.options.metrics != nullptr)
    impl.options.metrics->RemoveGauge("arbor_http_open_connections");
}

}  // namespace arbor

// The Beast client; the contract is in net/http_client.h. Each Send() runs its
// own io_context: every step is an asynchronous operation bounded by a deadline
// (a timer for the resolver, beast::tcp_stream expiry for the rest) and run to
// completion before the next starts.
#include "net/http_client.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>

namespace arbor::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using Stage = TransportError::Stage;
using Kind = TransportError::Kind;

namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool IsIpLiteral(const std::string& host) {
  beast::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

TransportError Failure(Stage stage, Kind kind, std::string detail) {
  TransportError e;
  e.stage = stage;
  e.kind = kind;
  e.detail = std::move(detail);
  return e;
}

// Sorts a write or read error into the kinds callers tell apart.
TransportError ExchangeFailure(Stage stage, beast::error_code ec) {
  Kind kind = Kind::kOther;
  if (ec == beast::error::timeout) {
    kind = Kind::kTimeout;
  } else if (ec == http::error::end_of_stream || ec == asio::error::eof ||
             ec == asio::error::connection_reset) {
    kind = Kind::kClosed;
  } else if (ec == http::error::partial_message) {
    kind = Kind::kTruncated;
  } else if (ec.category() == http::make_error_code(http::error::bad_version).category()) {
    kind = Kind::kNotHttp;
  }
  return Failure(stage, kind, ec.message());
}

// Starts one asynchronous operation and runs the context until it completes.
template <class Initiate>
beast::error_code Run(asio::io_context& ioc, Initiate&& initiate) {
  beast::error_code result;
  initiate([&result](beast::error_code ec, auto&&...) { result = ec; });
  ioc.run();
  ioc.restart();
  return result;
}

}  // namespace

std::string Response::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (EqualsIgnoreCase(k, name)) return v;
  }
  return "";
}

struct HttpClient::Impl {
  Url url;
  HttpClientOptions options;
  std::unique_ptr<ssl::context> tls;  // https only

  // One request on one connection; `out` gets the response or the failure.
  class Exchange;
};

class HttpClient::Impl::Exchange {
 public:
  Exchange(const Impl& client, Clock::time_point start)
      : client_(client),
        deadline_(start + client.options.request_timeout),
        connect_deadline_(std::min(start + client.options.connect_timeout, deadline_)) {}

  Outcome Run(const http::request<http::string_body>& request) {
    Outcome out;
    auto endpoints = Resolve(&out);
    if (out.error) return out;
    if (!client_.url.tls) {
      beast::tcp_stream stream(ioc_);
      if (!Connect(stream, endpoints, &out)) return out;
      Roundtrip(stream, request, &out);
      beast::error_code ignored;
      stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
      stream.socket().close(ignored);
      return out;
    }
    const std::string& host = client_.url.host;
    beast::ssl_stream<beast::tcp_stream> stream(ioc_, *client_.tls);
    // SNI, so a server with several names picks the right certificate.
    if (!IsIpLiteral(host) && !SSL_set_tlsext_host_name(stream.native_handle(), host.c_str())) {
      out.error = Failure(Stage::kTlsHandshake, Kind::kTlsRefused,
                          "cannot set the TLS server name '" + host + "'");
      return out;
    }
    if (client_.options.verify_tls) {
      stream.set_verify_mode(ssl::verify_peer);
      stream.set_verify_callback(ssl::host_name_verification(host));
    } else {
      stream.set_verify_mode(ssl::verify_none);
    }
    if (!Connect(beast::get_lowest_layer(stream), endpoints, &out)) return out;
    beast::get_lowest_layer(stream).expires_at(connect_deadline_);
    beast::error_code ec = net::Run(ioc_, [&](auto handler) {
      stream.async_handshake(ssl::stream_base::client, std::move(handler));
    });
    if (ec) {
      Kind kind = ec == beast::error::timeout                        ? Kind::kTimeout
                  : ec.category() == asio::error::get_ssl_category() ? Kind::kTlsRefused
                                                                     : Kind::kOther;
      out.error = Failure(Stage::kTlsHandshake, kind, ec.message());
      long verify = SSL_get_verify_result(stream.native_handle());
      if (verify != X509_V_OK) out.error->certificate = X509_verify_cert_error_string(verify);
      return out;
    }
    Roundtrip(stream, request, &out);
    if (client_.options.tls_close_wait.count() > 0) {
      // Close politely, but do not wait long for the peer's close_notify.
      beast::get_lowest_layer(stream).expires_after(client_.options.tls_close_wait);
      net::Run(ioc_, [&](auto handler) { stream.async_shutdown(std::move(handler)); });
    }
    beast::error_code ignored;
    beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(stream).socket().close(ignored);
    return out;
  }

 private:
  tcp::resolver::results_type Resolve(Outcome* out) {
    tcp::resolver resolver(ioc_);
    asio::steady_timer timer(ioc_);
    bool timed_out = false;
    beast::error_code error;
    tcp::resolver::results_type results;
    resolver.async_resolve(client_.url.host, std::to_string(client_.url.port),
                           [&](beast::error_code ec, tcp::resolver::results_type r) {
                             error = ec;
                             results = std::move(r);
                             timer.cancel();
                           });
    timer.expires_at(connect_deadline_);
    timer.async_wait([&](beast::error_code ec) {
      if (!ec) {
        timed_out = true;
        resolver.cancel();
      }
    });
    ioc_.run();
    ioc_.restart();
    if (timed_out) {
      out->error = Failure(Stage::kResolve, Kind::kTimeout, "timed out");
    } else if (error) {
      out->error = Failure(Stage::kResolve, Kind::kOther, error.message());
    }
    return results;
  }

  bool Connect(beast::tcp_stream& stream, const tcp::resolver::results_type& endpoints,
               Outcome* out) {
    stream.expires_at(connect_deadline_);
    beast::error_code ec =
        net::Run(ioc_, [&](auto handler) { stream.async_connect(endpoints, std::move(handler)); });
    if (!ec) return true;
    out->error = Failure(Stage::kConnect,
                         ec == beast::error::timeout ? Kind::kTimeout : Kind::kOther, ec.message());
    return false;
  }

  template <class Stream>
  void Roundtrip(Stream& stream, const http::request<http::string_body>& request, Outcome* out) {
    beast::get_lowest_layer(stream).expires_at(deadline_);
    beast::error_code ec = net::Run(
        ioc_, [&](auto handler) { http::async_write(stream, request, std::move(handler)); });
    if (ec) {
      out->error = ExchangeFailure(Stage::kSend, ec);
      return;
    }
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(client_.options.max_response_bytes);
    ec = net::Run(
        ioc_, [&](auto handler) { http::async_read(stream, buffer, parser, std::move(handler)); });
    if (ec) {
      out->error = ExchangeFailure(Stage::kReceive, ec);
      return;
    }
    auto response = parser.release();
    out->response.status = static_cast<int>(response.result_int());
    out->response.reason = std::string(response.reason());
    for (const auto& field : response) {
      out->response.headers.emplace_back(std::string(field.name_string()),
                                         std::string(field.value()));
    }
    out->response.body = std::move(response.body());
  }

  const Impl& client_;
  const Clock::time_point deadline_;
  const Clock::time_point connect_deadline_;
  asio::io_context ioc_;
};

HttpClient::HttpClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpClient::~HttpClient() = default;

const Url& HttpClient::url() const {
  return impl_->url;
}

const HttpClientOptions& HttpClient::options() const {
  return impl_->options;
}

Result<std::unique_ptr<HttpClient>> HttpClient::Create(Url url, HttpClientOptions options) {
  auto impl = std::make_unique<Impl>();
  if (url.tls) {
    try {
      impl->tls = std::make_unique<ssl::context>(ssl::context::tls_client);
      impl->tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                             ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                             ssl::context::no_tlsv1_1);
    } catch (const std::exception& e) {
      return Status::InvalidArgument(std::string("cannot set up TLS: ") + e.what());
    }
    if (options.verify_tls) {
      beast::error_code ec;
      if (!options.ca_file.empty()) {
        impl->tls->load_verify_file(options.ca_file, ec);
        if (ec) {
          return Status::InvalidArgument("cannot load CA certificates from '" + options.ca_file +
                                         "': " + ec.message());
        }
      } else {
        // Without a usable system store every handshake fails verification,
        // which names the problem; nothing to report here.
        impl->tls->set_default_verify_paths(ec);
      }
      impl->tls->set_verify_mode(ssl::verify_peer);
    } else {
      impl->tls->set_verify_mode(ssl::verify_none);
    }
  }
  if (url.tls && !options.cert_file.empty()) {
    beast::error_code ec;
    impl->tls->use_certificate_chain_file(options.cert_file, ec);
    if (ec) {
      return Status::InvalidArgument("cannot load the client certificate from '" +
                                     options.cert_file + "': " + ec.message());
    }
    impl->tls->use_private_key_file(options.key_file.empty() ? options.cert_file : options.key_file,
                                    ssl::context::pem, ec);
    if (ec) {
      return Status::InvalidArgument(
          "cannot load the client key from '" +
          (options.key_file.empty() ? options.cert_file : options.key_file) + "': " + ec.message());
    }
  }
  impl->url = std::move(url);
  impl->options = std::move(options);
  return std::unique_ptr<HttpClient>(new HttpClient(std::move(impl)));
}

Outcome HttpClient::Send(const Request& r) const {
  http::request<http::string_body> request;
  request.method_string(beast::string_view(r.method.data(), r.method.size()));
  request.target(r.target);
  request.version(11);
  request.set(http::field::host, impl_->url.HostHeader());
  request.set(http::field::user_agent, impl_->options.user_agent);
  for (const auto& [name, value] : r.headers)
    request.set(name, value);
  request.body() = r.body;
  request.keep_alive(false);
  request.prepare_payload();
  return Impl::Exchange(*impl_, Clock::now()).Run(request);
}

}  // namespace arbor::net

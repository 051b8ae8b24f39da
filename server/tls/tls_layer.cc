#include "server/tls/tls_layer.h"

#include <openssl/err.h>

namespace arbor::tls {

namespace {

// Largest TLS record with its overhead: what OpenSSL may hold of a partial one.
constexpr size_t kMaxRecordBytes = 16384 + 2048;

}  // namespace

TlsLayer::TlsLayer(SslContextPtr context) : context_(std::move(context)) {
  ssl_ = SSL_new(context_.get());
  in_ = BIO_new(BIO_s_mem());
  out_ = BIO_new(BIO_s_mem());
  // An empty memory BIO means "no bytes yet", not end of file.
  BIO_set_mem_eof_return(in_, -1);
  BIO_set_mem_eof_return(out_, -1);
  SSL_set_bio(ssl_, in_, out_);
  SSL_set_accept_state(ssl_);
}

TlsLayer::~TlsLayer() {
  SSL_free(ssl_);
}

size_t TlsLayer::buffered() const {
  // Bytes not yet taken by OpenSSL, plus, while it holds part of a record, the
  // most that record can take.
  return BIO_ctrl_pending(in_) + (SSL_has_pending(ssl_) ? kMaxRecordBytes : 0);
}

void TlsLayer::Drain(std::string* down) {
  char buf[16 * 1024];
  while (true) {
    const int n = BIO_read(out_, buf, sizeof(buf));
    if (n <= 0) return;
    down->append(buf, static_cast<size_t>(n));
  }
}

Status TlsLayer::Failed(const char* stage) {
  std::string reason = OpenSslErrors();
  if (std::string refused = VerifyFailure(ssl_); !refused.empty()) reason += "; " + refused;
  return Status::Unavailable(std::string("TLS ") + stage + " failed: " + reason);
}

void TlsLayer::OnHandshakeDone() {
  ready_ = true;
  identity_ = PeerIdentity(ssl_);
}

Status TlsLayer::Receive(std::string_view in, std::string* up, std::string* down) {
  ERR_clear_error();
  if (!in.empty() &&
      BIO_write(in_, in.data(), static_cast<int>(in.size())) != static_cast<int>(in.size())) {
    return Status::Internal("TLS: cannot buffer received bytes");
  }
  if (!ready_) {
    const int rc = SSL_do_handshake(ssl_);
    if (rc != 1) {
      const int error = SSL_get_error(ssl_, rc);
      if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
        Drain(down);
        return Status::OK();
      }
      Status failed = Failed("handshake");
      Drain(down);  // the alert tells the client why
      return failed;
    }
    OnHandshakeDone();
  }
  char buf[16 * 1024];
  while (true) {
    const int n = SSL_read(ssl_, buf, sizeof(buf));
    if (n > 0) {
      up->append(buf, static_cast<size_t>(n));
      continue;
    }
    const int error = SSL_get_error(ssl_, n);
    // WANT_READ: no whole record left. ZERO_RETURN: the client's close_notify;
    // the socket's end of file follows and closes the connection.
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE ||
        error == SSL_ERROR_ZERO_RETURN) {
      break;
    }
    Status failed = Failed("read");
    Drain(down);
    return failed;
  }
  Drain(down);
  return Status::OK();
}

Status TlsLayer::Send(std::string_view out, std::string* down) {
  ERR_clear_error();
  size_t off = 0;
  while (off < out.size()) {
    const int chunk = static_cast<int>(std::min<size_t>(out.size() - off, 1 << 20));
    const int n = SSL_write(ssl_, out.data() + off, chunk);
    if (n <= 0) return Failed("write");
    off += static_cast<size_t>(n);
  }
  Drain(down);
  return Status::OK();
}

}  // namespace arbor::tls

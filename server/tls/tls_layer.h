// TlsLayer: the server side of TLS as a ConnectionLayer (server/connection_layer.h),
// OpenSSL over memory BIOs so the listener's event loop keeps owning the socket
// and nothing blocks.
//
// The handshake runs inside Receive: its records go to *down, and ready() turns
// true when it completes. A failed handshake (a plain-text client, an unknown
// or expired client certificate, a TLS version below 1.2) returns an error
// naming the reason, and the client gets the TLS alert in *down. A client
// certificate that verified becomes the identity: kCertificate, the subject as
// principal, its CN as user.
#pragma once

#include <openssl/ssl.h>

#include <string>

#include "server/connection_layer.h"
#include "server/tls/tls_certificates.h"

namespace arbor::tls {

class TlsLayer : public ConnectionLayer {
 public:
  explicit TlsLayer(SslContextPtr context);
  ~TlsLayer() override;
  TlsLayer(const TlsLayer&) = delete;
  TlsLayer& operator=(const TlsLayer&) = delete;

  Status Receive(std::string_view in, std::string* up, std::string* down) override;
  Status Send(std::string_view out, std::string* down) override;
  bool ready() const override { return ready_; }
  auth::Identity identity() const override { return identity_; }
  size_t buffered() const override;

 private:
  Status Failed(const char* stage);
  void Drain(std::string* down);
  void OnHandshakeDone();

  SslContextPtr context_;  // kept alive for the connection's life
  SSL* ssl_ = nullptr;
  BIO* in_ = nullptr;   // socket bytes for OpenSSL; owned by ssl_
  BIO* out_ = nullptr;  // OpenSSL's bytes for the socket; owned by ssl_
  bool ready_ = false;
  auth::Identity identity_;
};

}  // namespace arbor::tls

// TlsCertificates: arbord's server TLS configuration, loaded from PEM files and
// reloaded without a restart. Both listeners (Thrift and admin HTTP) take the
// current OpenSSL context from here for every new connection; a connection
// keeps the context it started with, so a reload never disturbs it.
//
// Contract:
//  * Load() reads the certificate chain, the private key (decrypted with the
//    password in key_password_file, if any) and, for client-certificate
//    verification, the CA file; it checks that key and certificate match.
//    Errors name the file, never any key material or password.
//  * The context speaks TLS 1.2 and 1.3 only, without renegotiation. With
//    client_auth kRequired a client without a certificate the CA verifies is
//    refused in the handshake; with kOptional a client may present none, but a
//    certificate it presents must verify.
//  * Reload() builds a new context from the same paths; on failure the old
//    context stays in use and the failure is logged. ReloadIfChanged() does so
//    only when a file's modification time, size or inode changed since the last
//    attempt; Watch() calls it every `interval` on its own thread until the
//    object is destroyed. Every method is thread-safe.
#pragma once

#include <openssl/ssl.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/status.h"
#include "server/auth/identity.h"

namespace arbor::tls {

enum class ClientAuth { kNone, kOptional, kRequired };

struct TlsSettings {
  std::string cert_file;          // PEM: the server certificate, then intermediates
  std::string key_file;           // PEM private key
  std::string key_password_file;  // optional: first line is the key's password
  std::string ca_file;            // PEM CAs that sign client certificates
  ClientAuth client_auth = ClientAuth::kNone;
};

using SslContextPtr = std::shared_ptr<SSL_CTX>;

class TlsCertificates {
 public:
  static Result<std::unique_ptr<TlsCertificates>> Load(TlsSettings settings);
  ~TlsCertificates();

  // The context new connections use.
  SslContextPtr current() const;
  const TlsSettings& settings() const { return settings_; }

  // `why` names the trigger in the log line ("SIGHUP", "a file changed").
  Status Reload(const std::string& why);
  void ReloadIfChanged();
  void Watch(std::chrono::milliseconds interval);

 private:
  explicit TlsCertificates(TlsSettings settings) : settings_(std::move(settings)) {}
  // What identifies a file's version: modification time, size, inode.
  std::vector<std::string> Stamps() const;

  const TlsSettings settings_;
  mutable std::mutex mu_;
  SslContextPtr current_;
  std::vector<std::string> stamps_;  // of the last load attempt
  std::mutex reload_mu_;             // one reload at a time

  std::mutex watch_mu_;
  std::condition_variable watch_cv_;
  bool stop_ = false;
  std::thread watcher_;
};

// Builds a server context from `settings` (what Load and Reload use).
Result<SslContextPtr> BuildServerContext(const TlsSettings& settings);

// A verified client certificate's identity (kCertificate, the RFC 2253 subject,
// the CN as user); kNone if the client presented none.
auth::Identity PeerIdentity(const SSL* ssl);
// Why the client's certificate was refused ("client certificate refused: certificate
// has expired"), or "" if it was not.
std::string VerifyFailure(const SSL* ssl);

// The most recent OpenSSL error queue as one line, and clears it.
std::string OpenSslErrors();

}  // namespace arbor::tls

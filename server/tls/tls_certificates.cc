#include "server/tls/tls_certificates.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <cstring>
#include <fstream>

namespace arbor::tls {

namespace {

std::string Subject(X509* cert) {
  char buf[512] = {};
  X509_NAME_oneline(X509_get_subject_name(cert), buf, sizeof(buf));
  return buf;
}

std::string NotAfter(X509* cert) {
  BIO* mem = BIO_new(BIO_s_mem());
  ASN1_TIME_print(mem, X509_get0_notAfter(cert));
  char* data = nullptr;
  const long n = BIO_get_mem_data(mem, &data);
  std::string out(data, static_cast<size_t>(n));
  BIO_free(mem);
  return out;
}

int PasswordCallback(char* buf, int size, int, void* userdata) {
  const auto* password = static_cast<const std::string*>(userdata);
  const int n = std::min<int>(size, static_cast<int>(password->size()));
  std::memcpy(buf, password->data(), static_cast<size_t>(n));
  return n;
}

std::string NameEntry(X509_NAME* name, int nid) {
  const int i = X509_NAME_get_index_by_NID(name, nid, -1);
  if (i < 0) return {};
  const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
  unsigned char* utf8 = nullptr;
  const int n = ASN1_STRING_to_UTF8(&utf8, data);
  if (n < 0) return {};
  std::string out(reinterpret_cast<char*>(utf8), static_cast<size_t>(n));
  OPENSSL_free(utf8);
  return out;
}

std::string Rfc2253(X509_NAME* name) {
  BIO* mem = BIO_new(BIO_s_mem());
  X509_NAME_print_ex(mem, name, 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  const long n = BIO_get_mem_data(mem, &data);
  std::string out(data, static_cast<size_t>(n));
  BIO_free(mem);
  return out;
}

}  // namespace

auth::Identity PeerIdentity(const SSL* ssl) {
  auth::Identity id;
  X509* cert = SSL_get0_peer_certificate(ssl);
  // The server asks for a certificate only with a CA to verify it against, so
  // one that is present and verified chains to --tls-ca.
  if (cert == nullptr || SSL_get_verify_result(ssl) != X509_V_OK) return id;
  X509_NAME* subject = X509_get_subject_name(cert);
  id.method = auth::AuthMethod::kCertificate;
  id.principal = Rfc2253(subject);
  id.user = NameEntry(subject, NID_commonName);
  return id;
}

std::string VerifyFailure(const SSL* ssl) {
  const long verify = SSL_get_verify_result(ssl);
  if (verify == X509_V_OK) return {};
  return "client certificate refused: " + std::string(X509_verify_cert_error_string(verify));
}

std::string OpenSslErrors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    out += (out.empty() ? "" : "; ") + std::string(buf);
  }
  return out.empty() ? "unknown OpenSSL error" : out;
}

Result<SslContextPtr> BuildServerContext(const TlsSettings& s) {
  ERR_clear_error();
  SslContextPtr ctx(SSL_CTX_new(TLS_server_method()), SSL_CTX_free);
  if (!ctx) return Status::Internal("cannot create a TLS context: " + OpenSslErrors());
  SSL_CTX* c = ctx.get();
  SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION);
  SSL_CTX_set_options(c, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  // Idle connections give their record buffers back (most pooled connections idle).
  SSL_CTX_set_mode(c, SSL_MODE_RELEASE_BUFFERS);
  if (SSL_CTX_use_certificate_chain_file(c, s.cert_file.c_str()) != 1) {
    return Status::InvalidArgument("cannot load the TLS certificate from '" + s.cert_file +
                                   "': " + OpenSslErrors());
  }
  std::string password;
  if (!s.key_password_file.empty()) {
    std::ifstream in(s.key_password_file);
    if (!in) {
      return Status::InvalidArgument("cannot read the TLS key password file '" +
                                     s.key_password_file + "'");
    }
    std::getline(in, password);
    while (!password.empty() && (password.back() == '\r' || password.back() == ' '))
      password.pop_back();
  }
  // Without a password file an encrypted key must fail, not prompt on the terminal.
  EVP_PKEY* key = nullptr;
  if (BIO* in = BIO_new_file(s.key_file.c_str(), "r")) {
    key = PEM_read_bio_PrivateKey(in, nullptr, PasswordCallback, &password);
    BIO_free(in);
  }
  OPENSSL_cleanse(password.data(), password.size());
  if (key == nullptr) {
    return Status::InvalidArgument("cannot read the TLS private key from '" + s.key_file + "'" +
                                   (s.key_password_file.empty()
                                        ? " (an encrypted key needs --tls-key-password-file)"
                                        : " (is the password right?)") +
                                   ": " + OpenSslErrors());
  }
  const int key_ok = SSL_CTX_use_PrivateKey(c, key);
  EVP_PKEY_free(key);
  if (key_ok != 1) {
    ERR_clear_error();
    return Status::InvalidArgument("the TLS private key '" + s.key_file +
                                   "' does not match the certificate '" + s.cert_file + "'");
  }
  if (SSL_CTX_check_private_key(c) != 1) {
    return Status::InvalidArgument("the TLS private key '" + s.key_file +
                                   "' does not match the certificate '" + s.cert_file + "'");
  }
  if (s.client_auth != ClientAuth::kNone) {
    if (SSL_CTX_load_verify_locations(c, s.ca_file.c_str(), nullptr) != 1) {
      return Status::InvalidArgument("cannot load the client CA certificates from '" + s.ca_file +
                                     "': " + OpenSslErrors());
    }
    // The CA names the server sends, so a client picks a matching certificate.
    if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(s.ca_file.c_str()))
      SSL_CTX_set_client_CA_list(c, names);
    int mode = SSL_VERIFY_PEER;
    if (s.client_auth == ClientAuth::kRequired) mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    SSL_CTX_set_verify(c, mode, nullptr);
    SSL_CTX_set_verify_depth(c, 8);
  }
  // Session tickets would need one key shared by every context across reloads;
  // full handshakes are cheap at metastore connection rates.
  SSL_CTX_set_options(c, SSL_OP_NO_TICKET);
  SSL_CTX_set_num_tickets(c, 0);
  SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
  X509* cert = SSL_CTX_get0_certificate(c);
  if (cert != nullptr) {
    spdlog::info("tls: certificate '{}' ({}), valid until {}", Subject(cert), s.cert_file,
                 NotAfter(cert));
    if (X509_cmp_current_time(X509_get0_notAfter(cert)) < 0)
      spdlog::warn("tls: the certificate in '{}' has expired; clients will refuse it", s.cert_file);
  }
  return ctx;
}

Result<std::unique_ptr<TlsCertificates>> TlsCertificates::Load(TlsSettings settings) {
  std::unique_ptr<TlsCertificates> out(new TlsCertificates(std::move(settings)));
  out->stamps_ = out->Stamps();
  ARBOR_ASSIGN_OR_RETURN(out->current_, BuildServerContext(out->settings_));
  return out;
}

TlsCertificates::~TlsCertificates() {
  {
    std::lock_guard<std::mutex> lock(watch_mu_);
    stop_ = true;
  }
  watch_cv_.notify_all();
  if (watcher_.joinable()) watcher_.join();
}

SslContextPtr TlsCertificates::current() const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_;
}

std::vector<std::string> TlsCertificates::Stamps() const {
  std::vector<std::string> out;
  for (const std::string* path : {&settings_.cert_file, &settings_.key_file,
                                  &settings_.key_password_file, &settings_.ca_file}) {
    struct stat st {};
    if (path->empty() || ::stat(path->c_str(), &st) != 0) {
      out.emplace_back();
      continue;
    }
    out.push_back(std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec) +
                  "/" + std::to_string(st.st_size) + "/" + std::to_string(st.st_ino));
  }
  return out;
}

Status TlsCertificates::Reload(const std::string& why) {
  std::lock_guard<std::mutex> reload(reload_mu_);
  stamps_ = Stamps();
  auto built = BuildServerContext(settings_);
  if (!built.ok()) {
    spdlog::error("tls: reload ({}) failed, new connections keep the previous certificate: {}", why,
                  built.status().message());
    return built.status();
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    current_ = std::move(*built);
  }
  spdlog::info("tls: certificates reloaded ({}); new connections use them", why);
  return Status::OK();
}

void TlsCertificates::ReloadIfChanged() {
  {
    std::lock_guard<std::mutex> reload(reload_mu_);
    if (Stamps() == stamps_) return;
  }
  // A writer replacing the files one by one may be midway: the next poll sees
  // the rest, and a failed attempt here keeps the old context.
  (void)Reload("a certificate file changed");
}

void TlsCertificates::Watch(std::chrono::milliseconds interval) {
  watcher_ = std::thread([this, interval] {
    std::unique_lock<std::mutex> lock(watch_mu_);
    while (!watch_cv_.wait_for(lock, interval, [&] { return stop_; })) {
      lock.unlock();
      ReloadIfChanged();
      lock.lock();
    }
  });
}

}  // namespace arbor::tls

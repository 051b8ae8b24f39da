// TlsLayer and TlsCertificates against an in-process OpenSSL client over memory
// BIOs, with certificates the openssl command line makes in a temporary directory.
#include "server/tls/tls_layer.h"

#include <gtest/gtest.h>
#include <openssl/err.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>

#include "server/tls/tls_certificates.h"
#include "tests/support/temp_dir.h"

namespace arbor::tls {
namespace {

class TlsLayerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    Run("req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem "
        "-days 2 -subj /CN=ca");
    for (const char* leaf : {"server", "client"}) {
      Run(std::string("req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ") + leaf +
          ".key -out " + leaf +
          ".csr -subj /O=Test/CN=" + (leaf == std::string("server") ? "localhost" : "alice"));
      Run(std::string("x509 -req -in ") + leaf + ".csr -CA ca.pem -CAkey ca.key " +
          "-CAcreateserial -days 2 -out " + leaf + ".pem");
    }
  }

  void Run(const std::string& args) {
    const std::string cmd = "cd '" + dir_.path() + "' && openssl " + args + " >/dev/null 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }

  TlsSettings Settings(ClientAuth auth) {
    TlsSettings s;
    s.cert_file = dir_.Sub("server.pem");
    s.key_file = dir_.Sub("server.key");
    s.ca_file = dir_.Sub("ca.pem");
    s.client_auth = auth;
    return s;
  }

  // An OpenSSL client over memory BIOs that trusts the test CA.
  struct Client {
    SslContextPtr ctx{SSL_CTX_new(TLS_client_method()), SSL_CTX_free};
    SSL* ssl = nullptr;
    BIO* in = BIO_new(BIO_s_mem());
    BIO* out = BIO_new(BIO_s_mem());
    ~Client() { SSL_free(ssl); }
    std::string Take() {
      std::string bytes;
      char buf[4096];
      int n;
      while ((n = BIO_read(out, buf, sizeof(buf))) > 0)
        bytes.append(buf, static_cast<size_t>(n));
      return bytes;
    }
  };

  std::unique_ptr<Client> MakeClient(bool with_cert) {
    auto c = std::make_unique<Client>();
    SSL_CTX_load_verify_locations(c->ctx.get(), dir_.Sub("ca.pem").c_str(), nullptr);
    SSL_CTX_set_verify(c->ctx.get(), SSL_VERIFY_PEER, nullptr);
    if (with_cert) {
      SSL_CTX_use_certificate_file(c->ctx.get(), dir_.Sub("client.pem").c_str(), SSL_FILETYPE_PEM);
      SSL_CTX_use_PrivateKey_file(c->ctx.get(), dir_.Sub("client.key").c_str(), SSL_FILETYPE_PEM);
    }
    c->ssl = SSL_new(c->ctx.get());
    BIO_set_mem_eof_return(c->in, -1);
    BIO_set_mem_eof_return(c->out, -1);
    SSL_set_bio(c->ssl, c->in, c->out);
    SSL_set_connect_state(c->ssl);
    return c;
  }

  // Runs the handshake to its end; false if either side failed.
  static bool Handshake(Client* c, TlsLayer* server, Status* server_status) {
    for (int round = 0; round < 10; ++round) {
      const int rc = SSL_do_handshake(c->ssl);
      if (rc != 1 && SSL_get_error(c->ssl, rc) != SSL_ERROR_WANT_READ) {
        *server_status = Status::Unavailable("client: " + OpenSslErrors());
        return false;
      }
      std::string up, down;
      *server_status = server->Receive(c->Take(), &up, &down);
      BIO_write(c->in, down.data(), static_cast<int>(down.size()));
      if (!server_status->ok()) return false;
      if (rc == 1 && server->ready()) return true;
    }
    return false;
  }

  testing::TempDir dir_;
};

TEST_F(TlsLayerTest, HandshakeRoundTripAndIdentity) {
  auto certs = TlsCertificates::Load(Settings(ClientAuth::kOptional));
  ASSERT_TRUE(certs.ok()) << certs.status().ToString();
  TlsLayer server((*certs)->current());
  auto client = MakeClient(/*with_cert=*/true);
  Status s;
  ASSERT_TRUE(Handshake(client.get(), &server, &s)) << s.ToString();
  EXPECT_EQ(server.identity().method, auth::AuthMethod::kCertificate);
  EXPECT_EQ(server.identity().user, "alice");
  EXPECT_EQ(server.identity().principal, "CN=alice,O=Test");

  // A request in one record, then the reply back.
  ASSERT_GT(SSL_write(client->ssl, "request", 7), 0);
  std::string up, down;
  ASSERT_TRUE(server.Receive(client->Take(), &up, &down).ok());
  EXPECT_EQ(up, "request");
  std::string wire;
  ASSERT_TRUE(server.Send("reply", &wire).ok());
  BIO_write(client->in, wire.data(), static_cast<int>(wire.size()));
  char buf[16];
  ASSERT_EQ(SSL_read(client->ssl, buf, sizeof(buf)), 5);
  EXPECT_EQ(std::string(buf, 5), "reply");
}

TEST_F(TlsLayerTest, PartialRecordIsBufferedNotReleased) {
  auto certs = TlsCertificates::Load(Settings(ClientAuth::kNone));
  ASSERT_TRUE(certs.ok()) << certs.status().ToString();
  TlsLayer server((*certs)->current());
  auto client = MakeClient(false);
  Status s;
  ASSERT_TRUE(Handshake(client.get(), &server, &s)) << s.ToString();
  EXPECT_FALSE(server.identity().authenticated());
  const std::string payload(1000, 'x');
  ASSERT_GT(SSL_write(client->ssl, payload.data(), static_cast<int>(payload.size())), 0);
  const std::string record = client->Take();
  std::string up, down;
  ASSERT_TRUE(server.Receive(record.substr(0, 300), &up, &down).ok());
  EXPECT_TRUE(up.empty());
  EXPECT_GE(server.buffered(), 300u) << "a partial record counts as held bytes";
  ASSERT_TRUE(server.Receive(record.substr(300), &up, &down).ok());
  EXPECT_EQ(up, payload);
  EXPECT_EQ(server.buffered(), 0u);
}

TEST_F(TlsLayerTest, PlainTextAndMissingCertificateAreRefused) {
  auto certs = TlsCertificates::Load(Settings(ClientAuth::kRequired));
  ASSERT_TRUE(certs.ok()) << certs.status().ToString();
  {
    TlsLayer server((*certs)->current());
    std::string up, down;
    // A Thrift binary call's first bytes.
    Status s = server.Receive(std::string("\x80\x01\x00\x01\x00\x00\x00\x11get_all_databases", 25),
                              &up, &down);
    EXPECT_FALSE(s.ok());
    EXPECT_NE(s.message().find("wrong version number"), std::string::npos) << s.ToString();
  }
  TlsLayer server((*certs)->current());
  auto client = MakeClient(false);
  Status s;
  EXPECT_FALSE(Handshake(client.get(), &server, &s));
  EXPECT_NE(s.message().find("peer did not return a certificate"), std::string::npos)
      << s.ToString();
  EXPECT_FALSE(server.ready());
}

TEST_F(TlsLayerTest, ReloadKeepsTheOldContextWhenTheNewFilesAreBad) {
  auto loaded = TlsCertificates::Load(Settings(ClientAuth::kNone));
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  TlsCertificates& certs = **loaded;
  SslContextPtr first = certs.current();
  certs.ReloadIfChanged();
  EXPECT_EQ(certs.current(), first) << "unchanged files are not reloaded";
  std::ofstream(dir_.Sub("server.pem")) << "-----BEGIN CERTIFICATE-----\nbroken\n";
  EXPECT_FALSE(certs.Reload("test").ok());
  EXPECT_EQ(certs.current(), first);
  Run("x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 3 -out "
      "server.pem");
  certs.ReloadIfChanged();
  EXPECT_NE(certs.current(), first);
}

}  // namespace
}  // namespace arbor::tls

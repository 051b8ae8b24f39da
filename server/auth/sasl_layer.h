// SASL authentication on the Thrift port, as Hive's metastore does it
// (TSaslServerTransport): Kerberos through GSSAPI and passwords through PLAIN,
// with Cyrus SASL doing the mechanisms.
//
// Wire format, Thrift's SASL transport:
//   negotiation: [status: 1 byte][length: 4 bytes big-endian][payload]
//     status START(1) carries the mechanism name, OK(2) and COMPLETE(5) carry
//     mechanism tokens, BAD(3) and ERROR(4) a message. The client sends START,
//     then its initial response; the server answers OK with a challenge until
//     the mechanism is done, then COMPLETE.
//   then data:   [length: 4 bytes big-endian][payload]
//     where, when the client negotiated a security layer (QOP auth-int or
//     auth-conf, Kerberos only), the payload is sasl_encode'd; Cyrus's encoded
//     packets carry the same 4-byte length, so a frame is one packet.
//
// Invariants: a peer's declared length is checked against a limit and never
// allocated up front (buffers grow with bytes received); application bytes
// flow only after the mechanism succeeded, and the identity is the mechanism's
// authenticated name, never a client claim; a failure answers BAD with a
// message that names no user and no secret, and closes the connection.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "server/auth/users.h"
#include "server/connection_layer.h"

namespace arbor::auth {

struct SaslOptions {
  // Mechanisms offered: "GSSAPI" and/or "PLAIN".
  std::vector<std::string> mechanisms;
  // The Kerberos service principal, service/host@REALM (Hive's
  // hive.metastore.kerberos.principal); its keytab is named by KRB5_KTNAME.
  std::string service = "hive";
  std::string host;
  std::string realm;
  // Passwords for PLAIN; roles come from it too. Not owned; outlives the server.
  const UserDirectory* users = nullptr;
  // Largest negotiation message (Kerberos tickets with a large PAC run to tens
  // of KiB) and largest data frame.
  size_t max_negotiation_bytes = 1 << 20;
  size_t max_frame_bytes = 256 << 20;
};

// Splits "service/host@REALM"; InvalidArgument if a part is missing.
Status ParseServicePrincipal(std::string_view principal, SaslOptions* options);

// The process's SASL server: initializes Cyrus SASL (once per process) and
// makes one SaslLayer per connection.
class SaslServer {
 public:
  static Result<std::unique_ptr<SaslServer>> Create(SaslOptions options);
  ~SaslServer();

  Result<std::unique_ptr<ConnectionLayer>> NewLayer(const std::string& peer) const;
  const SaslOptions& options() const { return options_; }

  struct Callbacks;

 private:
  explicit SaslServer(SaslOptions options);
  SaslOptions options_;
  std::unique_ptr<Callbacks> callbacks_;
};

}  // namespace arbor::auth

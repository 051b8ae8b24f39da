// Identity: who is at the other end of a Thrift connection or an admin HTTP
// request, as the transport established it. The transport fills it (SASL
// GSSAPI or PLAIN on the Thrift port, a verified client certificate on either
// port, a bearer token on the admin port); the front ends only read it, to
// authorize calls and to name commit authors.
//
// Invariant: `method == kNone` exactly when nothing was authenticated, and then
// `user` and `principal` are empty. A client's own claims (set_ugi, an author
// field in a request body) never produce an Identity.
#pragma once

#include <string>

namespace arbor::auth {

enum class AuthMethod { kNone, kKerberos, kPassword, kCertificate, kToken };

struct Identity {
  AuthMethod method = AuthMethod::kNone;
  // The authenticated name as the mechanism gave it: "hive/host@REALM",
  // "alice", a certificate subject "CN=alice,O=...".
  std::string principal;
  // The short user name used for authorization and commit authors: a Kerberos
  // principal's first component (hive/host@REALM -> hive), a certificate's CN.
  std::string user;

  bool authenticated() const { return method != AuthMethod::kNone; }
};

}  // namespace arbor::auth

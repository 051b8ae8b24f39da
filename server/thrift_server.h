// HmsServer: the Thrift listener that serves HmsHandler, one session per
// connection, with idle connections holding no thread.
//
// One event loop (epoll) owns every connection while it waits: it accepts, reads
// whatever bytes arrive without blocking, and asks a ThriftMessageScanner whether
// they hold a whole request. Only then is the connection handed to a worker of a
// bounded pool, which parses the request from memory, calls the handler, writes
// the reply, keeps going while whole requests are already buffered, and hands the
// connection back. So an idle pooled connection costs a socket and a session
// object, and a client that trickles a request (slowloris) costs a buffer, never
// a worker; a request still incomplete --request-timeout seconds after its first
// byte is closed with a log line. A connection beyond --max-connections waits
// up to half a second for a slot, then gets a Thrift TApplicationException
// saying so, a log line, and is closed.
//
// Defaults match Hive's client defaults: a plain unframed socket, the binary
// protocol; framed transport and the compact protocol are options. String and
// container limits and a per-message size cap keep a malformed or hostile peer
// from exhausting memory: such a connection is closed and logged, and every other
// connection carries on. A request costs memory only as its bytes arrive, never
// a declared size up front, and the bytes of all requests being received are
// bounded by --max-pending-bytes: the connection whose bytes go over it is closed
// with a log line. Accepted sockets get TCP keepalive (a vanished peer is released in
// about 25 s) and TCP_NODELAY.
//
// Between the socket and the scanner, a connection's bytes pass through its stack
// of ConnectionLayers (server/connection_layer.h), built per
// connection by BuildLayers. Their handshakes run on the event loop (what they
// answer is queued and sent without blocking), are held to --request-timeout like
// a request, and their buffered bytes count in --max-pending-bytes. Requests are
// dispatched, and the HMS session is created with the identity of the topmost
// layer that authenticated someone, only once every layer is ready. A failed
// handshake is logged and closes the connection. The stack is TLS (with
// --tls-cert) below SASL (with --thrift-auth); without SASL, a client that opens
// with a SASL handshake gets a SASL ERROR frame and is closed at once.
//
// The implementation is split by seam; server/thrift_server_impl.h lists the files.
#pragma once

#include <memory>

#include "server/auth/sasl_layer.h"
#include "server/config.h"
#include "server/hms/hms_context.h"
#include "server/metrics.h"
#include "server/tls/tls_certificates.h"

namespace arbor::hms {

class HmsServer {
 public:
  // `config` supplies the listener settings (address, transport, protocol,
  // limits, timeouts, worker threads); `metrics` (optional) records every call;
  // with `tls` (optional, outliving the server) every connection speaks TLS; with
  // `sasl` (optional, outliving the server) every connection authenticates by
  // SASL, above TLS when both are set.
  HmsServer(HmsContext* context, const ServerConfig* config, Metrics* metrics,
            tls::TlsCertificates* tls = nullptr, const auth::SaslServer* sasl = nullptr);
  ~HmsServer();

  // Binds and starts serving on background threads. With port 0, the kernel
  // picks a free port; port() tells which.
  Status Start();
  // Stops accepting, closes idle connections, lets running calls finish, and
  // joins every thread.
  void Stop();
  uint16_t port() const;

 private:
  class Impl;
  HmsContext* context_;
  const ServerConfig* config_;
  Metrics* metrics_;
  tls::TlsCertificates* tls_;
  const auth::SaslServer* sasl_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace arbor::hms

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
// with a log line. Connection layers (server/connection_layer.h; SASL) sit
// between the socket and the scanner when a layer factory is set: the session
// starts, with the identity they authenticated, once every layer is ready, and a
// handshake must finish within --request-timeout like a request. Without
// layers, a client that opens with a SASL handshake gets a SASL ERROR frame and
// is closed at once, not left waiting. Accepted sockets get TCP keepalive (a vanished peer is
// released in about 25 s) and TCP_NODELAY.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "server/config.h"
#include "server/connection_layer.h"
#include "server/hms/hms_context.h"
#include "server/metrics.h"

namespace arbor::hms {

class HmsServer {
 public:
  // `config` supplies the listener settings (address, transport, protocol,
  // limits, timeouts, worker threads); `metrics` (optional) records every call.
  HmsServer(HmsContext* context, const ServerConfig* config, Metrics* metrics);
  ~HmsServer();

  // Makes the layers (bottom first) of a new connection from `peer`; an error
  // refuses the connection. Set before Start(); none by default.
  using LayerFactory =
      std::function<Result<std::vector<std::unique_ptr<ConnectionLayer>>>(const std::string& peer)>;
  void set_layer_factory(LayerFactory factory) { layer_factory_ = std::move(factory); }

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
  LayerFactory layer_factory_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace arbor::hms

// HmsServer: the Thrift listener that serves HmsHandler, one thread and one
// session per connection.
//
// Defaults match Hive's client defaults: a plain unframed socket, buffered
// transport and the binary protocol; framed transport and the compact protocol
// are options. Protocol string and container limits and a per-message size cap
// keep a malformed or hostile peer from exhausting memory: such a connection is
// closed and logged, and every other connection carries on. With the binary
// protocol a string costs memory only as its bytes arrive, never its declared
// size up front. Authentication is not supported: a client that opens with a
// SASL handshake gets a SASL ERROR frame and is closed at once, not left waiting.
#pragma once

#include <memory>
#include <thread>

#include "server/config.h"
#include "server/hms/hms_context.h"
#include "server/metrics.h"

namespace apache::thrift::server {
class TThreadedServer;
}

namespace arbor::hms {

class HmsServer {
 public:
  // `config` supplies the listener settings (address, transport, protocol,
  // limits); `metrics` (optional) records every call.
  HmsServer(HmsContext* context, const ServerConfig* config, Metrics* metrics);
  ~HmsServer();

  // Binds and starts serving on a background thread. With port 0, the kernel
  // picks a free port; port() tells which.
  Status Start();
  // Stops accepting, interrupts idle connections, lets running calls finish, and
  // waits for every connection thread.
  void Stop();
  uint16_t port() const { return port_; }

 private:
  HmsContext* context_;
  const ServerConfig* config_;
  Metrics* metrics_;
  std::shared_ptr<apache::thrift::server::TThreadedServer> server_;
  std::thread thread_;
  uint16_t port_ = 0;
};

}  // namespace arbor::hms

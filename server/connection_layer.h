// ConnectionLayer: one transformation between a Thrift connection's socket and
// its Thrift message scanner, such as TLS or SASL. A connection owns a stack of
// layers (bottom: closest to the socket); the listener moves bytes through it:
//
//   socket bytes --Receive--> ... --Receive--> Thrift message scanner
//   reply bytes  --Send-----> ... --Send-----> socket
//
// Contract:
//   * Receive(in): `in` is every byte the layer below delivered since the last
//     call. The layer appends whatever application bytes it can now release to
//     *up (possibly none: a record or frame may be incomplete, or a handshake
//     still running) and whatever it must answer on its own (handshake records,
//     SASL challenges) to *down, which the listener sends before anything else.
//     A layer buffers partial input itself and never allocates much more than
//     it has received (a peer's declared length is not an allocation size).
//   * Send(out, *down): frames/encrypts reply bytes; never called before
//     ready().
//   * A non-OK Status closes the connection; its message is logged with the
//     peer address, never any secret.
//   * ready(): the handshake is over and application bytes may flow. The
//     listener dispatches requests to the handler only when every layer is
//     ready; identity() is then final.
//   * Layers are driven by one thread at a time (the loop or the worker that
//     holds the connection), so they need no locking.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/status.h"
#include "server/auth/identity.h"

namespace arbor {

class ConnectionLayer {
 public:
  virtual ~ConnectionLayer() = default;

  virtual Status Receive(std::string_view in, std::string* up, std::string* down) = 0;
  virtual Status Send(std::string_view out, std::string* down) = 0;
  virtual bool ready() const = 0;
  // What this layer authenticated (a verified client certificate, a SASL
  // principal); AuthMethod::kNone if nothing. The topmost layer that
  // authenticated someone decides the connection's identity.
  virtual auth::Identity identity() const { return {}; }
  // Bytes the layer holds that it received but has not released up (a partial
  // record or frame). The listener counts them in --max-pending-bytes, and while
  // any layer holds some, --request-timeout runs as for a partial request.
  virtual size_t buffered() const { return 0; }
  // The reason arbor_thrift_closed_connections_total counts when this layer
  // fails before it is ready.
  virtual const char* handshake_failure() const { return "handshake_failed"; }
};

}  // namespace arbor

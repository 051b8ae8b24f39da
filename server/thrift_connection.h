// A Thrift client connection as HmsServer holds it (server/thrift_server.h), the
// path of its bytes through its stack of ConnectionLayers
// (server/connection_layer.h), and the transport a worker parses a request from
// and writes the reply to.
//
// Contract:
//  * The event loop owns every Connection. While `busy`, exactly one worker has
//    it and the loop does not touch it; so a Connection and its layers need no
//    lock.
//  * `in` holds application bytes (above every layer) not yet parsed; `out`
//    holds bytes the layers must send on their own (handshakes), to go out
//    before anything else.
//  * Every change of `in`, `out` or a layer's buffer is followed by Account(),
//    which keeps the server's total of buffered request bytes
//    (--max-pending-bytes) exact.
//  * ConnectionTransport reads from `in`, where the scanner has seen a whole
//    request, and waits on the socket only when the parser wants more (a
//    protocol the scanner does not model), never past the request's deadline.
//    Without waiting (the event loop serving a call itself) it never waits:
//    reply bytes the socket cannot take now are queued on `out`, which the
//    loop sends first, and a parser that wants more bytes is an error.
#pragma once

#include <thrift/TConfiguration.h>
#include <thrift/protocol/TProtocol.h>
#include <thrift/transport/TVirtualTransport.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "server/auth/identity.h"
#include "server/connection_layer.h"
#include "server/metrics.h"
#include "server/thrift_message_scanner.h"

namespace arbor::hms {

class HmsHandler;

using Clock = std::chrono::steady_clock;

// Largest chunk a reply is sent in, and read size of the loop.
inline constexpr size_t kIoChunk = 64 * 1024;

// close(2), retried on EINTR.
void CloseFd(int fd);
// Counts a connection the server closed, by reason, in
// arbor_thrift_closed_connections_total; `metrics` may be null.
void CountClosed(Metrics* metrics, const char* reason);

// The protocol the listener speaks (binary or compact, with its limits) over
// `transport`.
std::shared_ptr<apache::thrift::protocol::TProtocol> ProtocolOver(
    const ThriftMessageScanner::Options& options,
    std::shared_ptr<apache::thrift::transport::TTransport> transport);

// One client connection.
struct Connection {
  Connection(int fd_, std::string peer_, ThriftMessageScanner::Options scan)
      : fd(fd_), peer(std::move(peer_)), scanner(scan) {}
  int fd;
  std::string peer;
  // Created once every layer is ready, with the identity they established.
  std::shared_ptr<HmsHandler> session;  // the HMS session: set_ugi, the ref, ...
  // Between the socket (front) and `in`: TLS, SASL (server/connection_layer.h).
  std::vector<std::unique_ptr<ConnectionLayer>> layers;
  std::string in;       // received bytes not yet parsed
  std::string out;      // bytes the loop has yet to send, before any other
  size_t consumed = 0;  // of `in`, by the worker's parser
  ThriftMessageScanner scanner;
  bool first_message = true;
  bool eof = false;
  bool busy = false;
  bool partial = false;        // holds part of a request; `deadline` applies
  Clock::time_point deadline;  // of the request that is arriving
  // Bytes of `in` counted in the server's total of buffered request bytes.
  std::atomic<int64_t>* pending = nullptr;
  int64_t counted = 0;

  // Every layer has finished its handshake.
  bool ready() const;
  // Bytes the layers hold, received but not yet released up.
  size_t layer_bytes() const;
  // The identity of the topmost layer that authenticated someone.
  auth::Identity identity() const;
  // Brings the server's total up to date after `in`, `out` or a layer changed size.
  void Account();
};

// Passes `bytes`, produced by layer `from` (layers.size(): the application),
// down through the layers below it and appends the result to *wire.
Status Lower(Connection* c, size_t from, std::string bytes, std::string* wire);

// Passes bytes received from the socket up through the layers into c->in; what
// the layers answer on their own (handshakes) is appended to *wire, to be sent
// before anything else, also when an error is returned (a TLS alert, SASL BAD).
// On error, *failed (if given) is the layer that failed.
Status Lift(Connection* c, std::string_view raw, std::string* wire,
            const ConnectionLayer** failed = nullptr);

// The transport a worker parses a request from and writes the reply to: reads come
// from the connection's buffer (the scanner has seen the whole request there); if
// the parser wants more (a protocol the scanner does not model), it waits on the
// socket until the request's deadline. Replies go out in chunks of kIoChunk; a write of a
// chunk or more (a streamed listing's blocks) goes out without a copy. Failures
// throw TTransportException, as Thrift's processor expects.
//
// kNoWait (the event loop): a reply the socket cannot take now goes, from the
// first byte it refused, onto c->out, and every later byte behind it; the loop
// sends c->out when the socket has room. A parser that wants more than `in`
// holds throws instead of waiting.
class ConnectionTransport
    : public apache::thrift::transport::TVirtualTransport<ConnectionTransport> {
 public:
  enum class Mode { kWait, kNoWait };
  ConnectionTransport(Connection* c, std::shared_ptr<apache::thrift::TConfiguration> config,
                      std::chrono::seconds timeout, int64_t max_message_bytes,
                      Mode mode = Mode::kWait)
      : TVirtualTransport(std::move(config)),
        c_(c),
        timeout_(timeout),
        max_message_bytes_(max_message_bytes),
        mode_(mode) {}

  bool isOpen() const override { return true; }
  bool peek() override { return Available() > 0; }
  void open() override {}
  void close() override {}
  const std::string getOrigin() const override { return c_->peer; }

  uint32_t read(uint8_t* buf, uint32_t len);
  const uint8_t* borrow(uint8_t*, uint32_t* len);
  void consume(uint32_t len);
  void write(const uint8_t* buf, uint32_t len);
  void flush() override { Send(); }

  // True when the peer closed the connection between requests, which is no error.
  bool peer_closed() const { return peer_closed_; }

 private:
  uint32_t Available() const { return static_cast<uint32_t>(c_->in.size() - c_->consumed); }
  // Receives until `in` grows, or throws (closed, failed, past the deadline).
  void Fill();
  // Sends what is buffered, through the layers.
  void Send();
  // Sends data[0, size) to the socket, waiting up to the timeout for room
  // (kNoWait: queuing on c->out what it has no room for).
  void Write(const char* data, size_t size);

  Connection* c_;
  std::chrono::seconds timeout_;
  int64_t max_message_bytes_;
  Mode mode_;
  std::string out_;
  bool peer_closed_ = false;
};

}  // namespace arbor::hms

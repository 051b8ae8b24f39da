// Connections, their layer stack and their transport (thrift_connection.h).
#include "server/thrift_connection.h"

#include <thrift/protocol/TCompactProtocol.h>
#include <thrift/transport/TTransportException.h>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "server/thrift_wire.h"

namespace arbor::hms {

using apache::thrift::transport::TTransportException;

namespace {

int64_t MillisUntil(Clock::time_point deadline) {
  return std::max<int64_t>(
      0, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count());
}

}  // namespace

void CloseFd(int fd) {
  while (::close(fd) != 0 && errno == EINTR) {
  }
}

void CountClosed(Metrics* metrics, const char* reason) {
  if (metrics) {
    metrics->AddCounter("arbor_thrift_closed_connections_total",
                        "Thrift connections the server closed, by reason.", {{"reason", reason}});
  }
}

std::shared_ptr<apache::thrift::protocol::TProtocol> ProtocolOver(
    const ThriftMessageScanner::Options& options,
    std::shared_ptr<apache::thrift::transport::TTransport> transport) {
  if (!options.binary) {
    return std::make_shared<apache::thrift::protocol::TCompactProtocol>(
        std::move(transport), static_cast<int32_t>(options.string_limit),
        static_cast<int32_t>(options.container_limit));
  }
  return std::make_shared<wire::ChunkedBinaryProtocol>(
      std::move(transport), static_cast<int32_t>(options.string_limit),
      static_cast<int32_t>(options.container_limit));
}

bool Connection::ready() const {
  return std::all_of(layers.begin(), layers.end(), [](const auto& l) { return l->ready(); });
}

size_t Connection::layer_bytes() const {
  size_t n = 0;
  for (const auto& l : layers)
    n += l->buffered();
  return n;
}

auth::Identity Connection::identity() const {
  for (auto it = layers.rbegin(); it != layers.rend(); ++it) {
    if (auth::Identity id = (*it)->identity(); id.authenticated()) return id;
  }
  return {};
}

void Connection::Account() {
  const auto size = static_cast<int64_t>(in.size() + out.size() + layer_bytes());
  if (pending && size != counted) pending->fetch_add(size - counted);
  counted = size;
}

Status Lower(Connection* c, size_t from, std::string bytes, std::string* wire) {
  for (size_t i = from; i-- > 0;) {
    std::string down;
    ARBOR_RETURN_IF_ERROR(c->layers[i]->Send(bytes, &down));
    bytes = std::move(down);
  }
  wire->append(bytes);
  return Status::OK();
}

Status Lift(Connection* c, std::string_view raw, std::string* wire,
            const ConnectionLayer** failed) {
  std::string data(raw);
  for (size_t i = 0; i < c->layers.size() && !data.empty(); ++i) {
    std::string up, down;
    Status s = c->layers[i]->Receive(data, &up, &down);
    if (!down.empty()) {
      Status lowered = Lower(c, i, std::move(down), wire);
      if (s.ok()) s = lowered;
    }
    if (!s.ok()) {
      if (failed != nullptr) *failed = c->layers[i].get();
      return s;
    }
    data = std::move(up);
  }
  c->in.append(data);
  return Status::OK();
}

uint32_t ConnectionTransport::read(uint8_t* buf, uint32_t len) {
  if (Available() == 0) Fill();
  const uint32_t n = std::min<uint32_t>(len, Available());
  std::memcpy(buf, c_->in.data() + c_->consumed, n);
  c_->consumed += n;
  return n;
}

const uint8_t* ConnectionTransport::borrow(uint8_t*, uint32_t* len) {
  if (Available() < *len) return nullptr;
  *len = Available();
  return reinterpret_cast<const uint8_t*>(c_->in.data() + c_->consumed);
}

void ConnectionTransport::consume(uint32_t len) {
  if (len > Available()) throw TTransportException(TTransportException::BAD_ARGS);
  c_->consumed += len;
}

void ConnectionTransport::write(const uint8_t* buf, uint32_t len) {
  if (len >= kIoChunk && c_->layers.empty()) {
    // A streamed listing writes its reply in large blocks: send them from where
    // they are instead of copying them behind what is buffered. (Layers, such as
    // TLS, transform what they send, so their bytes are copied anyway.)
    Send();
    Write(reinterpret_cast<const char*>(buf), len);
    return;
  }
  out_.append(reinterpret_cast<const char*>(buf), len);
  if (out_.size() >= kIoChunk) Send();
}

void ConnectionTransport::Fill() {
  if (static_cast<int64_t>(c_->in.size()) > max_message_bytes_) {
    throw TTransportException(TTransportException::END_OF_FILE, "MaxMessageSize reached");
  }
  if (mode_ == Mode::kNoWait) {
    // The loop serves only requests the scanner saw whole; a parser that wants
    // more disagrees with it, and the loop must not wait for the socket.
    throw TTransportException(TTransportException::CORRUPTED_DATA,
                              "the request ends before the parser expects");
  }
  char buf[kIoChunk];
  while (true) {
    const ssize_t n = ::recv(c_->fd, buf, sizeof(buf), 0);
    if (n > 0) {
      const size_t before = c_->in.size();
      std::string wire;
      Status s = Lift(c_, std::string_view(buf, static_cast<size_t>(n)), &wire);
      if (!wire.empty()) Write(wire.data(), wire.size());
      if (!s.ok()) throw TTransportException(TTransportException::NOT_OPEN, s.message());
      c_->Account();
      if (c_->in.size() > before) return;
      continue;
    }
    if (n == 0) {
      peer_closed_ = c_->consumed == 0;
      throw TTransportException(TTransportException::END_OF_FILE,
                                "the client closed the connection");
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      throw TTransportException(TTransportException::NOT_OPEN, std::strerror(errno));
    }
    pollfd p{c_->fd, POLLIN, 0};
    const int64_t wait = MillisUntil(c_->deadline);
    if (wait == 0 || ::poll(&p, 1, static_cast<int>(wait)) == 0) {
      throw TTransportException(TTransportException::TIMED_OUT,
                                "request not complete " + std::to_string(timeout_.count()) +
                                    " s after it started (--request-timeout)");
    }
  }
}

void ConnectionTransport::Send() {
  if (c_->layers.empty() && c_->out.empty()) {
    Write(out_.data(), out_.size());
  } else {
    std::string wire;
    wire.swap(c_->out);
    Status s = Lower(c_, c_->layers.size(), std::move(out_), &wire);
    if (!s.ok()) throw TTransportException(TTransportException::NOT_OPEN, s.message());
    Write(wire.data(), wire.size());
    c_->Account();  // c->out went into `wire`
  }
  out_.clear();
}

void ConnectionTransport::Write(const char* data, size_t size) {
  size_t off = 0;
  const bool wait = mode_ == Mode::kWait;
  // Without waiting, nothing may overtake bytes already queued for the loop.
  const bool queued = !wait && !c_->out.empty();
  while (!queued && off < size) {
    const ssize_t n = ::send(c_->fd, data + off, size - off, MSG_NOSIGNAL);
    if (n > 0) {
      off += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!wait) break;
      pollfd p{c_->fd, POLLOUT, 0};
      if (::poll(&p, 1, static_cast<int>(timeout_.count() * 1000)) == 0) {
        throw TTransportException(TTransportException::TIMED_OUT,
                                  "the client read nothing of its reply for " +
                                      std::to_string(timeout_.count()) + " s (--request-timeout)");
      }
      continue;
    }
    throw TTransportException(TTransportException::NOT_OPEN,
                              std::string("send: ") + std::strerror(errno));
  }
  if (off < size) {  // kNoWait only: the socket had no room
    c_->out.append(data + off, size - off);
    c_->Account();
  }
}

}  // namespace arbor::hms

#include "server/thrift_server.h"

#include <spdlog/spdlog.h>
#include <thrift/TConfiguration.h>
#include <thrift/TOutput.h>
#include <thrift/TProcessor.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/protocol/TCompactProtocol.h>
#include <thrift/protocol/TVirtualProtocol.h>
#include <thrift/server/TThreadedServer.h>
#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/TServerSocket.h>
#include <thrift/transport/TSocket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <future>

#include "server/hms/hms_handler.h"
#include "server/hms/hms_processor.h"

namespace arbor::hms {

namespace {

using apache::thrift::TConfiguration;
using apache::thrift::TConnectionInfo;
using apache::thrift::TProcessor;
using apache::thrift::TProcessorEventHandler;
using apache::thrift::protocol::TBinaryProtocolT;
using apache::thrift::protocol::TMessageType;
using apache::thrift::protocol::TProtocol;
using apache::thrift::protocol::TProtocolException;
using apache::thrift::protocol::TProtocolFactory;
using apache::thrift::protocol::TVirtualProtocol;
using apache::thrift::transport::TBufferedTransport;
using apache::thrift::transport::TFramedTransport;
using apache::thrift::transport::TSocket;
using apache::thrift::transport::TTransport;
using apache::thrift::transport::TTransportException;
using apache::thrift::transport::TTransportFactory;
using apache::thrift::transport::TVirtualTransport;
using hive::ThriftHiveMetastoreIf;
using hive::ThriftHiveMetastoreIfFactory;

// A buffered transport whose size cap applies to each message, not to everything
// the connection ever carried: Thrift 0.17's buffered transport never resets its
// byte count, so a long-lived client would be cut off after max-message-bytes in
// total. The processor calls readEnd() after reading each call.
class PerMessageBufferedTransport : public TBufferedTransport {
 public:
  using TBufferedTransport::TBufferedTransport;
  uint32_t readEnd() override {
    resetConsumedMessageSize();
    return 0;
  }
};

// Sits between the socket and the Thrift transport and looks at the first bytes of
// the connection. A client configured for SASL (Kerberos or PLAIN) opens with a
// SASL START frame: status byte 0x01, a 4-byte big-endian length and the mechanism
// name. No Thrift message starts like that (strict binary starts 0x80, compact
// 0x82, old binary and frame lengths start with a length whose high byte is 0x01
// only for 16+ MiB, followed by 0x80/0x82/0x00), so without this the server would
// wait for a 16 MiB message that never comes and the client would hang. Instead
// the client gets a SASL ERROR frame, which Hive's client reports as "Peer
// indicated failure", and the connection is closed.
class SaslSniffingTransport : public TVirtualTransport<SaslSniffingTransport> {
 public:
  SaslSniffingTransport(std::shared_ptr<TTransport> inner, std::shared_ptr<TConfiguration> config)
      : TVirtualTransport(std::move(config)), inner_(std::move(inner)) {}

  bool isOpen() const override { return inner_->isOpen(); }
  bool peek() override { return pending_ < head_.size() || inner_->peek(); }
  void open() override { inner_->open(); }
  void close() override { inner_->close(); }
  const std::string getOrigin() const override { return inner_->getOrigin(); }

  uint32_t read(uint8_t* buf, uint32_t len) {
    if (!checked_) CheckHead();
    if (pending_ < head_.size()) {
      uint32_t n = std::min<uint32_t>(len, static_cast<uint32_t>(head_.size() - pending_));
      std::memcpy(buf, head_.data() + pending_, n);
      pending_ += n;
      return n;
    }
    return inner_->read(buf, len);
  }
  void write(const uint8_t* buf, uint32_t len) { inner_->write(buf, len); }
  void flush() override { inner_->flush(); }

 private:
  static constexpr uint8_t kSaslStart = 0x01;
  static constexpr uint8_t kSaslError = 0x04;
  // Mechanism names are short ("GSSAPI", "PLAIN", "DIGEST-MD5").
  static constexpr uint8_t kMaxMechanismName = 64;

  // Reads (and keeps for read()) up to `n` bytes of the connection's start.
  bool Fill(size_t n) {
    while (head_.size() < n) {
      uint8_t byte[8];
      uint32_t got = inner_->read(
          byte, static_cast<uint32_t>(std::min<size_t>(sizeof(byte), n - head_.size())));
      if (got == 0) return false;
      head_.insert(head_.end(), byte, byte + got);
    }
    return true;
  }

  void CheckHead() {
    checked_ = true;
    if (!Fill(1) || head_[0] != kSaslStart) return;
    if (!Fill(5)) return;
    if (head_[1] != 0 || head_[2] != 0 || head_[3] != 0 || head_[4] == 0 ||
        head_[4] > kMaxMechanismName) {
      return;
    }
    spdlog::warn(
        "thrift: SASL negotiation received but authentication is not enabled; "
        "closing the connection (configure the client without SASL)");
    static constexpr std::string_view kMessage =
        "SASL negotiation received but authentication is not enabled on this metastore";
    uint8_t frame[5] = {kSaslError, 0, 0, 0, static_cast<uint8_t>(kMessage.size())};
    static_assert(kMessage.size() < 256);
    try {
      inner_->write(frame, sizeof(frame));
      inner_->write(reinterpret_cast<const uint8_t*>(kMessage.data()),
                    static_cast<uint32_t>(kMessage.size()));
      inner_->flush();
    } catch (const TTransportException&) {
      // The client went away first; closing is all that is left.
    }
    LingerForClose();
    throw TTransportException(TTransportException::END_OF_FILE, "SASL negotiation refused");
  }

  // The client has sent more (its first SASL token) that nobody will read, and
  // closing a socket with unread input resets the connection, which can destroy the
  // ERROR frame before the client reads it. So: end our side, then discard input
  // until the client closes (it does on reading the frame), for at most a moment.
  void LingerForClose() {
    auto socket = std::dynamic_pointer_cast<TSocket>(inner_);
    if (!socket) return;
    const int fd = socket->getSocketFD();
    if (fd < 0 || ::shutdown(fd, SHUT_WR) != 0) return;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    size_t discarded = 0;
    while (discarded < kMaxDiscardBytes) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      pollfd p{fd, POLLIN, 0};
      if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) return;
      char buf[4096];
      const ssize_t n = ::recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
      if (n <= 0) return;
      discarded += static_cast<size_t>(n);
    }
  }

  static constexpr size_t kMaxDiscardBytes = 64 * 1024;

  std::shared_ptr<TTransport> inner_;
  std::vector<uint8_t> head_;  // bytes read by CheckHead, not yet returned
  size_t pending_ = 0;         // how many of head_ read() has returned
  bool checked_ = false;
};

// Buffers big enough that large replies (thousands of partitions) go out in few
// writes, plus a per-message size cap from the configuration.
class SizedTransportFactory : public TTransportFactory {
 public:
  SizedTransportFactory(bool framed, std::shared_ptr<TConfiguration> config)
      : framed_(framed), config_(std::move(config)) {}
  std::shared_ptr<TTransport> getTransport(std::shared_ptr<TTransport> trans) override {
    auto sniffed = std::make_shared<SaslSniffingTransport>(std::move(trans), config_);
    if (framed_) return std::make_shared<TFramedTransport>(sniffed, config_);
    return std::make_shared<PerMessageBufferedTransport>(sniffed, kBufferBytes, kBufferBytes,
                                                         config_);
  }

 private:
  static constexpr uint32_t kBufferBytes = 64 * 1024;
  bool framed_;
  std::shared_ptr<TConfiguration> config_;
};

// The binary protocol, but a string or binary field costs memory only as its bytes
// arrive: Thrift's own reader sizes (and zero-fills) the whole declared length
// first, so an 18-byte header claiming 250 MB and then stalling would pin 250 MB.
// Here the string grows by at most kChunkBytes past what was received. Old
// (non-strict) message headers, whose first word is the method name's length, are
// read the same way.
class ChunkedBinaryProtocol
    : public TVirtualProtocol<ChunkedBinaryProtocol, TBinaryProtocolT<TTransport>> {
 public:
  ChunkedBinaryProtocol(std::shared_ptr<TTransport> trans, int32_t string_limit,
                        int32_t container_limit)
      : TVirtualProtocol(std::move(trans)) {
    setStringSizeLimit(string_limit);
    setContainerSizeLimit(container_limit);
    setStrict(/*strict_read=*/false, /*strict_write=*/true);
  }

  uint32_t readMessageBegin(std::string& name, TMessageType& type, int32_t& seqid) {
    int32_t word;
    uint32_t result = readI32(word);
    if (word < 0) {
      if ((word & VERSION_MASK) != VERSION_1) {
        throw TProtocolException(TProtocolException::BAD_VERSION, "Bad version identifier");
      }
      type = static_cast<TMessageType>(word & 0xff);
      result += readString(name);
    } else {
      result += ReadBody(name, word);
      int8_t old_type;
      result += readByte(old_type);
      type = static_cast<TMessageType>(old_type);
    }
    return result + readI32(seqid);
  }
  uint32_t readString(std::string& str) {
    int32_t size;
    uint32_t result = readI32(size);
    return result + ReadBody(str, size);
  }
  uint32_t readBinary(std::string& str) { return readString(str); }

 private:
  static constexpr uint32_t kChunkBytes = 1 << 20;

  uint32_t ReadBody(std::string& str, int32_t size) {
    if (size < 0) throw TProtocolException(TProtocolException::NEGATIVE_SIZE);
    if (string_limit_ > 0 && size > string_limit_) {
      throw TProtocolException(TProtocolException::SIZE_LIMIT);
    }
    str.clear();
    uint32_t left = static_cast<uint32_t>(size);
    uint32_t got = left;
    if (left > 0) {
      if (const uint8_t* buffered = trans_->borrow(nullptr, &got)) {
        str.assign(reinterpret_cast<const char*>(buffered), left);
        trans_->consume(left);
        return left;
      }
    }
    while (left > 0) {
      const uint32_t n = std::min(left, kChunkBytes);
      const size_t at = str.size();
      str.resize(at + n);
      trans_->readAll(reinterpret_cast<uint8_t*>(&str[at]), n);
      left -= n;
    }
    return static_cast<uint32_t>(size);
  }
};

class ChunkedBinaryProtocolFactory : public TProtocolFactory {
 public:
  ChunkedBinaryProtocolFactory(int32_t string_limit, int32_t container_limit)
      : string_limit_(string_limit), container_limit_(container_limit) {}
  std::shared_ptr<TProtocol> getProtocol(std::shared_ptr<TTransport> trans) override {
    return std::make_shared<ChunkedBinaryProtocol>(std::move(trans), string_limit_,
                                                   container_limit_);
  }

 private:
  int32_t string_limit_;
  int32_t container_limit_;
};

std::string PeerOf(const TConnectionInfo& info) {
  auto socket = std::dynamic_pointer_cast<TSocket>(info.transport);
  if (!socket) return "unknown peer";
  try {
    return socket->getPeerAddress() + ":" + std::to_string(socket->getPeerPort());
  } catch (...) {
    return "unknown peer";
  }
}

class HandlerFactory : public ThriftHiveMetastoreIfFactory {
 public:
  explicit HandlerFactory(HmsContext* context) : context_(context) {}
  ThriftHiveMetastoreIf* getHandler(const TConnectionInfo& info) override {
    std::string peer = PeerOf(info);
    spdlog::debug("connection from {}", peer);
    return new HmsHandler(context_, std::move(peer));
  }
  void releaseHandler(facebook::fb303::FacebookServiceIf* handler) override { delete handler; }

 private:
  HmsContext* context_;
};

// Per call: a debug log line and the latency and outcome metrics.
class CallObserver : public TProcessorEventHandler {
 public:
  explicit CallObserver(Metrics* metrics) : metrics_(metrics) {}
  void* getContext(const char* fn_name, void*) override {
    return new Call{fn_name, std::chrono::steady_clock::now(), true};
  }
  void handlerError(void* ctx, const char*) override { static_cast<Call*>(ctx)->ok = false; }
  void freeContext(void* ctx, const char*) override {
    auto* call = static_cast<Call*>(ctx);
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - call->start).count();
    std::string_view method = call->name;
    // The processor names calls "ThriftHiveMetastore.get_table"; keep the method.
    if (size_t dot = method.rfind('.'); dot != std::string_view::npos)
      method.remove_prefix(dot + 1);
    if (metrics_) metrics_->ObserveThrift(method, seconds, call->ok);
    spdlog::debug("thrift {} {} us{}", method, static_cast<int64_t>(seconds * 1e6),
                  call->ok ? "" : " (error)");
    delete call;
  }

 private:
  struct Call {
    const char* name;
    std::chrono::steady_clock::time_point start;
    bool ok;
  };
  Metrics* metrics_;
};

class LoggingProcessorFactory : public apache::thrift::TProcessorFactory {
 public:
  LoggingProcessorFactory(std::shared_ptr<ThriftHiveMetastoreIfFactory> handlers, Metrics* metrics)
      : inner_(std::move(handlers)), logger_(std::make_shared<CallObserver>(metrics)) {}
  std::shared_ptr<TProcessor> getProcessor(const TConnectionInfo& info) override {
    auto processor = inner_.getProcessor(info);
    processor->setEventHandler(logger_);
    return processor;
  }

 private:
  HmsProcessorFactory inner_;
  std::shared_ptr<CallObserver> logger_;
};

void LogThriftMessage(const char* message) {
  spdlog::warn("thrift: {}", message);
}

// Calls `ready` once the server socket is listening.
class ReadySignal : public apache::thrift::server::TServerEventHandler {
 public:
  explicit ReadySignal(std::function<void()> ready) : ready_(std::move(ready)) {}
  void preServe() override { ready_(); }

 private:
  std::function<void()> ready_;
};

}  // namespace

HmsServer::HmsServer(HmsContext* context, const ServerConfig* config, Metrics* metrics)
    : context_(context), config_(config), metrics_(metrics) {}

HmsServer::~HmsServer() {
  Stop();
}

Status HmsServer::Start() {
  const ServerConfig& cfg = *config_;
  apache::thrift::GlobalOutput.setOutputFunction(LogThriftMessage);
  auto config = std::make_shared<TConfiguration>(
      static_cast<int>(std::min<int64_t>(cfg.max_message_bytes, INT32_MAX)),
      static_cast<int>(std::min<int64_t>(cfg.max_message_bytes, INT32_MAX)));
  auto socket =
      std::make_shared<apache::thrift::transport::TServerSocket>(cfg.listen.host, cfg.listen.port);
  const int32_t string_limit =
      static_cast<int32_t>(std::min<int64_t>(cfg.max_message_bytes, INT32_MAX));
  const int32_t container_limit =
      static_cast<int32_t>(std::min<int64_t>(cfg.max_container_elements, INT32_MAX));
  std::shared_ptr<apache::thrift::protocol::TProtocolFactory> protocol;
  if (cfg.protocol == "compact") {
    protocol = std::make_shared<apache::thrift::protocol::TCompactProtocolFactory>(string_limit,
                                                                                   container_limit);
  } else {
    protocol = std::make_shared<ChunkedBinaryProtocolFactory>(string_limit, container_limit);
  }
  auto processors = std::make_shared<LoggingProcessorFactory>(
      std::make_shared<HandlerFactory>(context_), metrics_);
  server_ = std::make_shared<apache::thrift::server::TThreadedServer>(
      processors, socket,
      std::make_shared<SizedTransportFactory>(cfg.transport == "framed", config), protocol);
  server_->setConcurrentClientLimit(cfg.max_connections);
  // serve() binds and listens itself. The listen callback runs after bind() but
  // before listen(), so it only records the bound port (the kernel's choice when the
  // configured port is 0); readiness is reported from preServe(), which serve()
  // calls once the socket is really listening. A bind failure comes back as an
  // exception from serve().
  auto bound = std::make_shared<std::promise<Status>>();
  auto reported = std::make_shared<std::atomic<bool>>(false);
  socket->setListenCallback([this](THRIFT_SOCKET fd) {
    sockaddr_storage addr{};
    socklen_t len = sizeof(addr);
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      port_ = ntohs(addr.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port
                                               : reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
    }
    // TCP keepalive on every accepted connection (Linux copies these options from
    // the listening socket): an idle pooled client answers the probes and stays,
    // but a peer that vanished without a FIN or RST (a lost close, a dead host)
    // is detected within about 25 s and its thread released, instead of waiting
    // for a request that never comes.
    const int on = 1, idle = 10, interval = 5, probes = 3;
    if (setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on)) != 0 ||
        setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle)) != 0 ||
        setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof(interval)) != 0 ||
        setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &probes, sizeof(probes)) != 0) {
      spdlog::warn("could not enable TCP keepalive on the Thrift listener: {}",
                   std::strerror(errno));
    }
  });
  server_->setServerEventHandler(std::make_shared<ReadySignal>([bound, reported] {
    if (!reported->exchange(true)) bound->set_value(Status::OK());
  }));
  std::string where = cfg.listen.ToString();
  thread_ = std::thread([this, bound, reported, where] {
    try {
      server_->serve();
    } catch (const std::exception& e) {
      if (!reported->exchange(true)) {
        bound->set_value(Status::Unavailable("cannot listen on " + where + ": " + e.what()));
      } else {
        spdlog::error("thrift server stopped: {}", e.what());
      }
    }
  });
  Status s = bound->get_future().get();
  if (!s.ok()) {
    thread_.join();
    server_.reset();
  }
  return s;
}

void HmsServer::Stop() {
  if (!server_) return;
  server_->stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();
}

}  // namespace arbor::hms

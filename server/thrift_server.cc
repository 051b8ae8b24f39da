#include "server/thrift_server.h"

#include <spdlog/spdlog.h>
#include <thrift/TApplicationException.h>
#include <thrift/TConfiguration.h>
#include <thrift/TOutput.h>
#include <thrift/TProcessor.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/protocol/TCompactProtocol.h>
#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/TVirtualTransport.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "server/connection_layer.h"
#include "server/hms/hms_handler.h"
#include "server/hms/hms_processor.h"
#include "server/thrift_message_scanner.h"
#include "server/thrift_wire.h"
#include "server/tls/tls_layer.h"

namespace arbor::hms {

namespace {

using apache::thrift::TApplicationException;
using apache::thrift::TConfiguration;
using apache::thrift::TException;
using apache::thrift::TProcessorEventHandler;
using apache::thrift::protocol::TProtocol;
using apache::thrift::protocol::TProtocolFactory;
using apache::thrift::transport::TFramedTransport;
using apache::thrift::transport::TMemoryBuffer;
using apache::thrift::transport::TTransport;
using apache::thrift::transport::TTransportException;
using apache::thrift::transport::TVirtualTransport;
using hive::ThriftHiveMetastoreIf;
using Clock = std::chrono::steady_clock;

// Largest chunk a reply is sent in, and read size of the loop.
constexpr size_t kIoChunk = 64 * 1024;
// How long a connection over --max-connections waits for a slot before it is refused.
constexpr auto kAdmissionWait = std::chrono::milliseconds(500);
// Connections waiting for a slot, or refused and draining; beyond, refused at once.
constexpr size_t kMaxParked = 1024;
// How long a refused connection may take to read the refusal and close.
constexpr auto kRefusalLinger = std::chrono::seconds(2);
// Bytes a loop event reads from one connection before serving the others.
constexpr size_t kMaxReadPerEvent = 1 << 20;

int64_t MillisUntil(Clock::time_point deadline) {
  return std::max<int64_t>(
      0, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count());
}

std::string PeerOf(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return "unknown peer";
  char host[INET6_ADDRSTRLEN] = {};
  uint16_t port = 0;
  if (addr.ss_family == AF_INET6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&addr);
    inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
    port = ntohs(a->sin6_port);
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&addr);
    inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
    port = ntohs(a->sin_port);
  }
  return std::string(host) + ":" + std::to_string(port);
}

// One client connection. Owned by the event loop; while `busy`, one worker has it
// and the loop does not touch it.
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
  std::string out;      // layer bytes (handshakes) the loop has not yet sent
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

  bool ready() const {
    return std::all_of(layers.begin(), layers.end(), [](const auto& l) { return l->ready(); });
  }
  size_t layer_bytes() const {
    size_t n = 0;
    for (const auto& l : layers)
      n += l->buffered();
    return n;
  }
  // The identity of the topmost layer that authenticated someone.
  auth::Identity identity() const {
    for (auto it = layers.rbegin(); it != layers.rend(); ++it) {
      if (auth::Identity id = (*it)->identity(); id.authenticated()) return id;
    }
    return {};
  }

  // Brings the server's total up to date after `in`, `out` or a layer changed size.
  void Account() {
    const auto size = static_cast<int64_t>(in.size() + out.size() + layer_bytes());
    if (pending && size != counted) pending->fetch_add(size - counted);
    counted = size;
  }
};

// Passes `bytes`, produced by layer `from` (layers.size(): the application),
// down through the layers below it and appends the result to *wire.
Status Lower(Connection* c, size_t from, std::string bytes, std::string* wire) {
  for (size_t i = from; i-- > 0;) {
    std::string down;
    ARBOR_RETURN_IF_ERROR(c->layers[i]->Send(bytes, &down));
    bytes = std::move(down);
  }
  wire->append(bytes);
  return Status::OK();
}

// Passes bytes received from the socket up through the layers into c->in; what
// the layers answer on their own (handshakes) is appended to *wire, to be sent
// before anything else, also when an error is returned (a TLS alert, SASL BAD).
// On error, *failed (if given) is the layer that failed.
Status Lift(Connection* c, std::string_view raw, std::string* wire,
            const ConnectionLayer** failed = nullptr) {
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

// The transport a worker parses a request from and writes the reply to: reads come
// from the connection's buffer (the scanner has seen the whole request there); if
// the parser wants more (a protocol the scanner does not model), it waits on the
// socket until the request's deadline. Replies go out in chunks of kIoChunk; a write of a
// chunk or more (a streamed listing's blocks) goes out without a copy.
class ConnectionTransport : public TVirtualTransport<ConnectionTransport> {
 public:
  ConnectionTransport(Connection* c, std::shared_ptr<TConfiguration> config,
                      std::chrono::seconds timeout, int64_t max_message_bytes)
      : TVirtualTransport(std::move(config)),
        c_(c),
        timeout_(timeout),
        max_message_bytes_(max_message_bytes) {}

  bool isOpen() const override { return true; }
  bool peek() override { return Available() > 0; }
  void open() override {}
  void close() override {}
  const std::string getOrigin() const override { return c_->peer; }

  uint32_t read(uint8_t* buf, uint32_t len) {
    if (Available() == 0) Fill();
    const uint32_t n = std::min<uint32_t>(len, Available());
    std::memcpy(buf, c_->in.data() + c_->consumed, n);
    c_->consumed += n;
    return n;
  }
  const uint8_t* borrow(uint8_t*, uint32_t* len) {
    if (Available() < *len) return nullptr;
    *len = Available();
    return reinterpret_cast<const uint8_t*>(c_->in.data() + c_->consumed);
  }
  void consume(uint32_t len) {
    if (len > Available()) throw TTransportException(TTransportException::BAD_ARGS);
    c_->consumed += len;
  }
  void write(const uint8_t* buf, uint32_t len) {
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
  void flush() override { Send(); }

  // True when the peer closed the connection between requests, which is no error.
  bool peer_closed() const { return peer_closed_; }

 private:
  uint32_t Available() const { return static_cast<uint32_t>(c_->in.size() - c_->consumed); }

  void Fill() {
    if (static_cast<int64_t>(c_->in.size()) > max_message_bytes_) {
      throw TTransportException(TTransportException::END_OF_FILE, "MaxMessageSize reached");
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

  void Send() {
    if (c_->layers.empty() && c_->out.empty()) {
      Write(out_.data(), out_.size());
    } else {
      std::string wire;
      wire.swap(c_->out);
      Status s = Lower(c_, c_->layers.size(), std::move(out_), &wire);
      if (!s.ok()) throw TTransportException(TTransportException::NOT_OPEN, s.message());
      Write(wire.data(), wire.size());
    }
    out_.clear();
  }

  // Sends data[0, size) to the socket, waiting up to the timeout for room.
  void Write(const char* data, size_t size) {
    size_t off = 0;
    while (off < size) {
      const ssize_t n = ::send(c_->fd, data + off, size - off, MSG_NOSIGNAL);
      if (n > 0) {
        off += static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        pollfd p{c_->fd, POLLOUT, 0};
        if (::poll(&p, 1, static_cast<int>(timeout_.count() * 1000)) == 0) {
          throw TTransportException(TTransportException::TIMED_OUT,
                                    "the client read nothing of its reply for " +
                                        std::to_string(timeout_.count()) +
                                        " s (--request-timeout)");
        }
        continue;
      }
      throw TTransportException(TTransportException::NOT_OPEN,
                                std::string("send: ") + std::strerror(errno));
    }
  }

  Connection* c_;
  std::chrono::seconds timeout_;
  int64_t max_message_bytes_;
  std::string out_;
  bool peer_closed_ = false;
};

// Per call: a debug log line and the latency and outcome metrics.
class CallObserver : public TProcessorEventHandler {
 public:
  explicit CallObserver(Metrics* metrics) : metrics_(metrics) {}
  void* getContext(const char* fn_name, void*) override {
    return new Call{fn_name, Clock::now(), true};
  }
  void handlerError(void* ctx, const char*) override { static_cast<Call*>(ctx)->ok = false; }
  void freeContext(void* ctx, const char*) override {
    auto* call = static_cast<Call*>(ctx);
    double seconds = std::chrono::duration<double>(Clock::now() - call->start).count();
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
    Clock::time_point start;
    bool ok;
  };
  Metrics* metrics_;
};

void LogThriftMessage(const char* message) {
  spdlog::warn("thrift: {}", message);
}

void CloseFd(int fd) {
  while (::close(fd) != 0 && errno == EINTR) {
  }
}

}  // namespace

class HmsServer::Impl {
 public:
  Impl(HmsContext* context, const ServerConfig& config, Metrics* metrics, tls::TlsCertificates* tls,
       const auth::SaslServer* sasl)
      : context_(context),
        config_(config),
        metrics_(metrics),
        tls_(tls),
        sasl_(sasl),
        observer_(std::make_shared<CallObserver>(metrics)) {
    scan_.framed = config.transport == "framed";
    scan_.binary = config.protocol != "compact";
    scan_.string_limit = std::min<int64_t>(config.max_message_bytes, INT32_MAX);
    scan_.container_limit = std::min<int64_t>(config.max_container_elements, INT32_MAX);
    timeout_ = std::chrono::seconds(config.request_timeout_seconds);
    thrift_config_ = std::make_shared<TConfiguration>(
        static_cast<int>(std::min<int64_t>(config.max_message_bytes, INT32_MAX)),
        static_cast<int>(std::min<int64_t>(config.max_message_bytes, INT32_MAX)));
  }

  ~Impl() { Stop(); }

  Status Start();
  void Stop();
  uint16_t port() const { return port_; }

 private:
  // --- event loop (one thread)
  void Loop();
  void AcceptAll();
  void Admit(int fd, std::string peer);
  // The layers a new connection's bytes pass through, socket side first: TLS,
  // then SASL. An error refuses the connection.
  Result<std::vector<std::unique_ptr<ConnectionLayer>>> BuildLayers(const std::string& peer);
  // Sends what the layers queued on c->out; false if the connection failed.
  bool FlushOut(Connection* c);
  void Refuse(int fd, const std::string& peer);
  void OnReadable(Connection* c);
  void OnRefusedReadable(int fd);
  void Arm(Connection* c, int op);
  void Close(Connection* c);
  void TakeReturned();
  void Sweep();
  void SetPartial(Connection* c, bool partial);
  // Logs and counts a request over --max-message-bytes (whole, or so far).
  bool Oversized(Connection* c, ThriftMessageScanner::Verdict verdict);

  // --- workers
  void Work();
  // Serves the requests buffered on `c`; false if the connection is to be closed.
  bool Serve(SessionProcessor* processor, Connection* c);
  std::shared_ptr<TProtocol> ProtocolOver(std::shared_ptr<TTransport> transport);
  void Enqueue(Connection* c);
  void HandBack(Connection* c, bool keep);

  std::string RefusalBytes(const std::string& message);
  void Count(const char* reason) {
    if (metrics_) {
      metrics_->AddCounter("arbor_thrift_closed_connections_total",
                           "Thrift connections the server closed, by reason.",
                           {{"reason", reason}});
    }
  }

  HmsContext* context_;
  const ServerConfig& config_;
  Metrics* metrics_;
  tls::TlsCertificates* tls_;
  const auth::SaslServer* sasl_;
  std::shared_ptr<CallObserver> observer_;
  ThriftMessageScanner::Options scan_;
  std::chrono::seconds timeout_{60};
  std::shared_ptr<TConfiguration> thrift_config_;

  int listen_fd_ = -1;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  // Bytes of requests being received or parsed, over every connection.
  std::atomic<int64_t> pending_bytes_{0};
  std::thread loop_thread_;
  std::vector<std::thread> workers_;

  // Loop thread only.
  std::unordered_map<int, std::unique_ptr<Connection>> connections_;
  std::unordered_set<Connection*> partial_;
  struct Waiting {
    int fd;
    std::string peer;
    Clock::time_point until;
  };
  std::deque<Waiting> waiting_;                         // over the limit, for a slot
  std::unordered_map<int, Clock::time_point> refused_;  // draining before close
  bool accept_paused_ = false;
  Clock::time_point accept_resume_;
  Clock::time_point last_refusal_log_;
  int64_t refusals_unlogged_ = 0;
  int busy_ = 0;

  // Loop -> workers.
  std::mutex work_mu_;
  std::condition_variable work_cv_;
  std::deque<Connection*> work_;
  bool workers_stop_ = false;

  // Workers -> loop.
  std::mutex back_mu_;
  std::vector<std::pair<Connection*, bool>> back_;
};

namespace {

constexpr uint64_t kListenTag = ~uint64_t{0};
constexpr uint64_t kWakeTag = ~uint64_t{0} - 1;
constexpr uint64_t kRefusedBit = uint64_t{1} << 40;
constexpr uint64_t kWaitingBit = uint64_t{1} << 41;

}  // namespace

std::string HmsServer::Impl::RefusalBytes(const std::string& message) {
  auto buffer = std::make_shared<TMemoryBuffer>();
  std::shared_ptr<TProtocol> proto = ProtocolOver(buffer);
  proto->writeMessageBegin("", apache::thrift::protocol::T_EXCEPTION, 0);
  TApplicationException(TApplicationException::INTERNAL_ERROR, message).write(proto.get());
  proto->writeMessageEnd();
  std::string bytes = buffer->getBufferAsString();
  if (scan_.framed) {
    const uint32_t n = htonl(static_cast<uint32_t>(bytes.size()));
    bytes.insert(0, reinterpret_cast<const char*>(&n), 4);
  }
  return bytes;
}

std::shared_ptr<TProtocol> HmsServer::Impl::ProtocolOver(std::shared_ptr<TTransport> transport) {
  if (!scan_.binary) {
    return std::make_shared<apache::thrift::protocol::TCompactProtocol>(
        std::move(transport), static_cast<int32_t>(scan_.string_limit),
        static_cast<int32_t>(scan_.container_limit));
  }
  return std::make_shared<wire::ChunkedBinaryProtocol>(std::move(transport),
                                                       static_cast<int32_t>(scan_.string_limit),
                                                       static_cast<int32_t>(scan_.container_limit));
}

Status HmsServer::Impl::Start() {
  apache::thrift::GlobalOutput.setOutputFunction(LogThriftMessage);
  const std::string where = config_.listen.ToString();
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(config_.listen.port);
  if (int rc = getaddrinfo(config_.listen.host.empty() ? nullptr : config_.listen.host.c_str(),
                           port.c_str(), &hints, &found);
      rc != 0) {
    return Status::Unavailable("cannot listen on " + where + ": " + gai_strerror(rc));
  }
  std::string error = "no address";
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      error = std::strerror(errno);
      continue;
    }
    const int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
    if (::bind(fd, a->ai_addr, a->ai_addrlen) != 0 || ::listen(fd, 1024) != 0) {
      error = std::strerror(errno);
      CloseFd(fd);
      continue;
    }
    listen_fd_ = fd;
    break;
  }
  freeaddrinfo(found);
  if (listen_fd_ < 0) return Status::Unavailable("cannot listen on " + where + ": " + error);
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  if (getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port_ = ntohs(addr.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port
                                             : reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  }
  // TCP keepalive on every accepted connection (Linux copies these options from the
  // listening socket): an idle pooled client answers the probes and stays, but a
  // peer that vanished without a FIN or RST (a lost close, a dead host) is detected
  // within about 25 s and its session released.
  const int on = 1, idle = 10, interval = 5, probes = 3;
  if (setsockopt(listen_fd_, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on)) != 0 ||
      setsockopt(listen_fd_, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle)) != 0 ||
      setsockopt(listen_fd_, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof(interval)) != 0 ||
      setsockopt(listen_fd_, IPPROTO_TCP, TCP_KEEPCNT, &probes, sizeof(probes)) != 0) {
    spdlog::warn("could not enable TCP keepalive on the Thrift listener: {}", std::strerror(errno));
  }
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (epoll_fd_ < 0 || wake_fd_ < 0) {
    return Status::Unavailable(std::string("cannot create the Thrift event loop: ") +
                               std::strerror(errno));
  }
  // Edge-triggered: the listener is queued behind the hang-ups that happened
  // before a new connection arrived, so their slots are free when it is accepted.
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLET;
  ev.data.u64 = kListenTag;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &ev);
  ev.events = EPOLLIN;
  ev.data.u64 = kWakeTag;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev);

  for (int i = 0; i < config_.worker_threads; ++i)
    workers_.emplace_back([this] { Work(); });
  loop_thread_ = std::thread([this] { Loop(); });
  return Status::OK();
}

void HmsServer::Impl::Stop() {
  if (!loop_thread_.joinable()) {
    for (int fd : {listen_fd_, epoll_fd_, wake_fd_}) {
      if (fd >= 0) CloseFd(fd);
    }
    listen_fd_ = epoll_fd_ = wake_fd_ = -1;
    return;
  }
  stopping_.store(true);
  const uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof(one));
  loop_thread_.join();
  {
    std::lock_guard<std::mutex> lock(work_mu_);
    workers_stop_ = true;
  }
  work_cv_.notify_all();
  for (auto& t : workers_)
    t.join();
  workers_.clear();
  for (int fd : {epoll_fd_, wake_fd_}) {
    if (fd >= 0) CloseFd(fd);
  }
  epoll_fd_ = wake_fd_ = -1;
}

void HmsServer::Impl::Loop() {
  std::vector<epoll_event> events(256);
  bool closing = false;
  while (true) {
    if (stopping_.load() && !closing) {
      // Stop accepting; close every connection not in a worker's hands. The
      // ones in flight finish their requests and are closed when handed back.
      closing = true;
      epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, listen_fd_, nullptr);
      CloseFd(listen_fd_);
      listen_fd_ = -1;
      std::vector<Connection*> idle;
      for (auto& [fd, c] : connections_) {
        if (!c->busy) idle.push_back(c.get());
      }
      for (Connection* c : idle)
        Close(c);
      for (auto& w : waiting_)
        CloseFd(w.fd);
      waiting_.clear();
      for (auto& [fd, until] : refused_)
        CloseFd(fd);
      refused_.clear();
    }
    if (closing && busy_ == 0) return;
    const bool timers =
        !partial_.empty() || !waiting_.empty() || !refused_.empty() || accept_paused_;
    const int n =
        epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), timers ? 100 : 1000);
    for (int i = 0; i < n; ++i) {
      const uint64_t tag = events[i].data.u64;
      if (tag == kListenTag) {
        if (!closing) AcceptAll();
      } else if (tag == kWakeTag) {
        uint64_t count;
        (void)!::read(wake_fd_, &count, sizeof(count));
        TakeReturned();
      } else if (tag & kRefusedBit) {
        OnRefusedReadable(static_cast<int>(tag & ~kRefusedBit));
      } else if (tag & kWaitingBit) {
        const int fd = static_cast<int>(tag & ~kWaitingBit);
        auto it = std::find_if(waiting_.begin(), waiting_.end(),
                               [fd](const Waiting& w) { return w.fd == fd; });
        if (it != waiting_.end()) {
          CloseFd(fd);  // also leaves the epoll set
          waiting_.erase(it);
        }
      } else {
        auto it = connections_.find(static_cast<int>(tag));
        if (it != connections_.end() && !it->second->busy) OnReadable(it->second.get());
      }
    }
    Sweep();
  }
}

void HmsServer::Impl::AcceptAll() {
  while (true) {
    const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        // Out of descriptors: stop accepting for a moment (the listener is
        // edge-triggered, so Sweep re-registers it to see what is queued).
        spdlog::warn("thrift: cannot accept connections: {} ({} open)", std::strerror(errno),
                     connections_.size());
        epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, listen_fd_, nullptr);
        accept_paused_ = true;
        accept_resume_ = Clock::now() + std::chrono::milliseconds(100);
      }
      return;
    }
    const int on = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
    std::string peer = PeerOf(fd);
    if (static_cast<int64_t>(connections_.size()) < config_.max_connections) {
      Admit(fd, std::move(peer));
    } else if (waiting_.size() < kMaxParked) {
      // Watched for hang-ups only: a client that gives up while it waits frees its
      // place at once instead of being admitted dead later.
      epoll_event ev{};
      ev.events = EPOLLRDHUP;
      ev.data.u64 = kWaitingBit | static_cast<uint64_t>(fd);
      epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
      waiting_.push_back({fd, std::move(peer), Clock::now() + kAdmissionWait});
    } else {
      Refuse(fd, peer);
    }
  }
}

Result<std::vector<std::unique_ptr<ConnectionLayer>>> HmsServer::Impl::BuildLayers(
    const std::string& peer) {
  std::vector<std::unique_ptr<ConnectionLayer>> layers;
  if (tls_ != nullptr) layers.push_back(std::make_unique<tls::TlsLayer>(tls_->current()));
  if (sasl_ != nullptr) {
    ARBOR_ASSIGN_OR_RETURN(auto layer, sasl_->NewLayer(peer));
    layers.push_back(std::move(layer));
  }
  return layers;
}

void HmsServer::Impl::Admit(int fd, std::string peer) {
  spdlog::debug("connection from {}", peer);
  auto c = std::make_unique<Connection>(fd, peer, scan_);
  auto layers = BuildLayers(peer);
  if (!layers.ok()) {
    spdlog::warn("thrift: closing the connection from {}: {}", peer, layers.status().message());
    CloseFd(fd);
    return;
  }
  c->layers = std::move(layers).value();
  // With SASL in the stack its layer consumes the handshake, and the scanner
  // sees Thrift bytes only; otherwise the first message is sniffed for one.
  c->first_message = sasl_ == nullptr;
  if (c->layers.empty()) {
    c->session = std::make_shared<HmsHandler>(context_, std::move(peer));
  } else {
    // The handshakes must finish within --request-timeout, like a request.
    c->deadline = Clock::now() + timeout_;
    SetPartial(c.get(), true);
  }
  c->pending = &pending_bytes_;
  Connection* raw = c.get();
  connections_.emplace(fd, std::move(c));
  Arm(raw, EPOLL_CTL_ADD);
}

void HmsServer::Impl::Refuse(int fd, const std::string& peer) {
  const std::string message =
      "arbord refused the connection: " + std::to_string(connections_.size()) +
      " connections are open, the limit (--max-connections) is " +
      std::to_string(config_.max_connections);
  const auto now = Clock::now();
  if (now - last_refusal_log_ >= std::chrono::seconds(1)) {
    spdlog::warn(
        "thrift: refused a connection from {}: {} connections are open, the limit "
        "(--max-connections) is {}{}",
        peer, connections_.size(), config_.max_connections,
        refusals_unlogged_ > 0
            ? " (and " + std::to_string(refusals_unlogged_) + " more since the last line)"
            : std::string());
    last_refusal_log_ = now;
    refusals_unlogged_ = 0;
  } else {
    ++refusals_unlogged_;
  }
  Count("refused");
  const std::string bytes = RefusalBytes(message);
  (void)!::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  // Closing with unread input would reset the connection and could destroy the
  // refusal before the client reads it: end our side and drain until the client
  // closes, for at most kRefusalLinger.
  ::shutdown(fd, SHUT_WR);
  if (refused_.size() >= kMaxParked) {
    CloseFd(fd);
    return;
  }
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLRDHUP;
  ev.data.u64 = kRefusedBit | static_cast<uint64_t>(fd);
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
    CloseFd(fd);
    return;
  }
  refused_.emplace(fd, now + kRefusalLinger);
}

void HmsServer::Impl::OnRefusedReadable(int fd) {
  char buf[4096];
  while (true) {
    const ssize_t n = ::recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
    if (n > 0) continue;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    break;  // closed or failed
  }
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  CloseFd(fd);
  refused_.erase(fd);
}

void HmsServer::Impl::Arm(Connection* c, int op) {
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT | (c->out.empty() ? 0u : uint32_t{EPOLLOUT});
  ev.data.u64 = static_cast<uint64_t>(c->fd);
  if (epoll_ctl(epoll_fd_, op, c->fd, &ev) != 0) {
    spdlog::warn("thrift: cannot watch the connection from {}: {}", c->peer, std::strerror(errno));
    Close(c);
  }
}

void HmsServer::Impl::SetPartial(Connection* c, bool partial) {
  if (partial == c->partial) return;
  c->partial = partial;
  if (partial) {
    partial_.insert(c);
  } else {
    partial_.erase(c);
  }
}

void HmsServer::Impl::Close(Connection* c) {
  SetPartial(c, false);
  c->in.clear();
  c->out.clear();
  c->layers.clear();
  c->Account();
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, c->fd, nullptr);
  const int fd = c->fd;
  CloseFd(fd);
  connections_.erase(fd);  // ends the session
  // A slot is free: the longest-waiting connection over the limit takes it.
  while (!waiting_.empty() && static_cast<int64_t>(connections_.size()) < config_.max_connections &&
         !stopping_) {
    Waiting w = std::move(waiting_.front());
    waiting_.pop_front();
    epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, w.fd, nullptr);
    Admit(w.fd, std::move(w.peer));
  }
}

bool HmsServer::Impl::FlushOut(Connection* c) {
  while (!c->out.empty()) {
    const ssize_t n = ::send(c->fd, c->out.data(), c->out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      c->out.erase(0, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;  // EPOLLOUT resumes
    spdlog::debug("thrift: connection from {}: send: {}", c->peer, std::strerror(errno));
    return false;
  }
  if (c->out.capacity() > kIoChunk) c->out.shrink_to_fit();
  return true;
}

void HmsServer::Impl::OnReadable(Connection* c) {
  if (!FlushOut(c)) {
    Close(c);
    return;
  }
  char buf[kIoChunk];
  size_t read = 0;
  std::string raw;  // with layers: what they have yet to see
  while (read < kMaxReadPerEvent) {
    const ssize_t n = ::recv(c->fd, buf, sizeof(buf), 0);
    if (n > 0) {
      if (!c->partial) c->deadline = Clock::now() + timeout_;
      (c->layers.empty() ? c->in : raw).append(buf, static_cast<size_t>(n));
      read += static_cast<size_t>(n);
      continue;
    }
    if (n == 0) {
      c->eof = true;
      break;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) break;
    spdlog::debug("thrift: connection from {}: {}", c->peer, std::strerror(errno));
    Close(c);
    return;
  }
  if (!raw.empty()) {
    const bool was_ready = c->ready();
    const ConnectionLayer* failed = nullptr;
    Status s = Lift(c, raw, &c->out, &failed);
    if (s.ok() && !c->out.empty() && !FlushOut(c)) s = Status::Unavailable("send failed");
    if (!s.ok()) {
      (void)FlushOut(c);  // best effort: the alert says why
      spdlog::warn("thrift: closing the connection from {}: {}", c->peer, s.message());
      Count(was_ready || failed == nullptr ? "layer_error" : failed->handshake_failure());
      Close(c);
      return;
    }
    if (!c->session && c->ready()) {
      auth::Identity id = c->identity();
      if (id.authenticated())
        spdlog::debug("thrift: connection from {} is {} ({})", c->peer, id.user, id.principal);
      c->session = std::make_shared<HmsHandler>(context_, c->peer, std::move(id));
    }
  }
  c->Account();
  if (const int64_t pending = pending_bytes_.load();
      pending > static_cast<int64_t>(config_.max_pending_bytes)) {
    spdlog::warn(
        "thrift: closing the connection from {}: requests being received hold {} "
        "bytes in all, over --max-pending-bytes ({}); this connection holds {}",
        c->peer, pending, config_.max_pending_bytes, c->in.size());
    Count("memory_budget");
    Close(c);
    return;
  }
  using V = ThriftMessageScanner::Verdict;
  const V verdict =
      c->in.empty() || !c->session ? V::kNeedMore : c->scanner.Scan(c->in, c->first_message);
  if (Oversized(c, verdict)) {
    Close(c);
    return;
  }
  if (verdict != V::kNeedMore) {
    SetPartial(c, false);
    c->busy = true;
    ++busy_;
    Enqueue(c);
    return;
  }
  if (c->eof) {
    if (!c->in.empty()) {
      spdlog::debug("thrift: connection from {} closed in the middle of a request", c->peer);
    }
    Close(c);
    return;
  }
  SetPartial(c, !c->in.empty() || !c->session || c->layer_bytes() > 0);
  Arm(c, EPOLL_CTL_MOD);
}

bool HmsServer::Impl::Oversized(Connection* c, ThriftMessageScanner::Verdict verdict) {
  const size_t size = verdict == ThriftMessageScanner::Verdict::kComplete
                          ? c->scanner.message_size()
                          : c->in.size();
  if (static_cast<int64_t>(size) <= config_.max_message_bytes) return false;
  spdlog::warn(
      "thrift: closing the connection from {}: a request of more than {} bytes "
      "(--max-message-bytes); MaxMessageSize reached",
      c->peer, config_.max_message_bytes);
  Count("too_large");
  return true;
}

void HmsServer::Impl::TakeReturned() {
  std::vector<std::pair<Connection*, bool>> back;
  {
    std::lock_guard<std::mutex> lock(back_mu_);
    back.swap(back_);
  }
  for (auto [c, keep] : back) {
    c->busy = false;
    --busy_;
    if (!keep || stopping_.load()) {
      Close(c);
      continue;
    }
    if (!c->in.empty() || c->layer_bytes() > 0) {
      // Part of the next request arrived with the last one.
      c->deadline = Clock::now() + timeout_;
      SetPartial(c, true);
    }
    Arm(c, EPOLL_CTL_MOD);
  }
}

void HmsServer::Impl::Sweep() {
  const auto now = Clock::now();
  std::vector<Connection*> expired;
  for (Connection* c : partial_) {
    if (now >= c->deadline) expired.push_back(c);
  }
  for (Connection* c : expired) {
    spdlog::warn(
        "thrift: closing the connection from {}: {} not complete {} s after it "
        "started ({} bytes received; --request-timeout)",
        c->peer, c->session ? "request" : "handshake", timeout_.count(), c->in.size());
    Count("request_timeout");
    Close(c);
  }
  while (!waiting_.empty() && now >= waiting_.front().until) {
    Waiting w = std::move(waiting_.front());
    waiting_.pop_front();
    epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, w.fd, nullptr);
    Refuse(w.fd, w.peer);
  }
  for (auto it = refused_.begin(); it != refused_.end();) {
    if (now >= it->second) {
      epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, it->first, nullptr);
      CloseFd(it->first);
      it = refused_.erase(it);
    } else {
      ++it;
    }
  }
  if (accept_paused_ && now >= accept_resume_ && listen_fd_ >= 0) {
    accept_paused_ = false;
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLET;
    ev.data.u64 = kListenTag;
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &ev);
    AcceptAll();
  }
}

void HmsServer::Impl::Enqueue(Connection* c) {
  {
    std::lock_guard<std::mutex> lock(work_mu_);
    work_.push_back(c);
  }
  work_cv_.notify_one();
}

void HmsServer::Impl::HandBack(Connection* c, bool keep) {
  {
    std::lock_guard<std::mutex> lock(back_mu_);
    back_.emplace_back(c, keep);
  }
  const uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof(one));
}

void HmsServer::Impl::Work() {
  std::unique_ptr<SessionProcessor> processor = MakeSessionProcessor();
  processor->setEventHandler(observer_);
  while (true) {
    Connection* c;
    {
      std::unique_lock<std::mutex> lock(work_mu_);
      work_cv_.wait(lock, [&] { return workers_stop_ || !work_.empty(); });
      if (work_.empty()) return;
      c = work_.front();
      work_.pop_front();
    }
    processor->SetSession(c->session);
    const bool keep = Serve(processor.get(), c);
    processor->SetSession(nullptr);
    HandBack(c, keep);
  }
}

bool HmsServer::Impl::Serve(SessionProcessor* processor, Connection* c) {
  using V = ThriftMessageScanner::Verdict;
  auto conn =
      std::make_shared<ConnectionTransport>(c, thrift_config_, timeout_, config_.max_message_bytes);
  try {
    while (true) {
      std::shared_ptr<TTransport> transport = conn;
      if (c->first_message) {
        transport = std::make_shared<wire::SaslSniffingTransport>(transport, c->fd, thrift_config_);
      }
      if (scan_.framed) transport = std::make_shared<TFramedTransport>(transport, thrift_config_);
      std::shared_ptr<TProtocol> protocol = ProtocolOver(transport);
      if (!processor->process(protocol, protocol, nullptr)) return false;
      c->in.erase(0, c->consumed);
      c->consumed = 0;
      c->Account();
      c->first_message = false;
      c->scanner.Reset();
      if (c->in.empty()) {
        if (c->in.capacity() > kIoChunk) std::string().swap(c->in);  // idle costs little
        return !c->eof;
      }
      c->deadline = Clock::now() + timeout_;
      const V next = c->scanner.Scan(c->in, false);
      if (Oversized(c, next)) return false;
      if (next == V::kNeedMore) return !c->eof;
    }
  } catch (const TTransportException& e) {
    if (conn->peer_closed() || e.getType() == TTransportException::END_OF_FILE) {
      spdlog::debug("thrift: connection from {}: {}", c->peer, e.what());
    } else {
      spdlog::warn("thrift: closing the connection from {}: {}", c->peer, e.what());
      if (e.getType() == TTransportException::TIMED_OUT) Count("request_timeout");
    }
  } catch (const std::exception& e) {
    spdlog::warn("thrift: closing the connection from {}: {}", c->peer, e.what());
    Count("bad_request");
  }
  return false;
}

HmsServer::HmsServer(HmsContext* context, const ServerConfig* config, Metrics* metrics,
                     tls::TlsCertificates* tls, const auth::SaslServer* sasl)
    : context_(context), config_(config), metrics_(metrics), tls_(tls), sasl_(sasl) {}

HmsServer::~HmsServer() {
  Stop();
}

Status HmsServer::Start() {
  impl_ = std::make_unique<Impl>(context_, *config_, metrics_, tls_, sasl_);
  Status s = impl_->Start();
  if (!s.ok()) impl_.reset();
  return s;
}

void HmsServer::Stop() {
  if (!impl_) return;
  impl_->Stop();
  impl_.reset();
}

uint16_t HmsServer::port() const {
  return impl_ ? impl_->port() : 0;
}

}  // namespace arbor::hms

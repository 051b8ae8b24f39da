// The event loop of the Thrift listener (thrift_server_impl.h), one thread. It
// owns every connection while it waits: accepts, reads whatever bytes arrive
// without blocking, lifts them through the connection's layers, and asks the
// connection's ThriftMessageScanner whether they hold a whole request; only then
// does a worker get the connection (or, for a cheap call while the loop has
// nothing else to do, the loop serves it: thrift_inline.cc). It enforces, per
// connection, the --request-timeout of a request (or handshake) that has begun,
// or of a reply it queued, and --max-message-bytes, and over all of them
// --max-pending-bytes and --max-connections (with OverflowQueue); each closure
// is logged and counted.
#include <spdlog/spdlog.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "server/hms/hms_handler.h"
#include "server/hms/hms_processor.h"
#include "server/thrift_server_impl.h"
#include "server/tls/tls_layer.h"

namespace arbor::hms {

namespace {

// Bytes a loop event reads from one connection before serving the others.
constexpr size_t kMaxReadPerEvent = 1 << 20;

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

}  // namespace

void HmsServer::Impl::Loop() {
  std::unique_ptr<SessionProcessor> processor = MakeSessionProcessor();
  processor->setEventHandler(observer_);
  loop_processor_ = processor.get();
  std::vector<epoll_event> events(256);
  bool closing = false;
  while (true) {
    if (stopping_.load() && !closing) {
      // Stop accepting; close every connection not in a worker's hands. The
      // ones in flight finish their requests and are closed when handed back;
      // a reply the loop queued (thrift_inline.cc) is still sent, within
      // --request-timeout, as a worker would.
      closing = true;
      epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, listen_fd_, nullptr);
      CloseFd(listen_fd_);
      listen_fd_ = -1;
      std::vector<Connection*> idle;
      for (auto& [fd, c] : connections_) {
        if (!c->busy && (c->out.empty() || !c->session)) idle.push_back(c.get());
      }
      for (Connection* c : idle)
        Close(c);
      overflow_->CloseAll();
    }
    if (closing && connections_.empty()) return;
    const bool timers = !partial_.empty() || !overflow_->empty() || accept_paused_;
    const int n =
        epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), timers ? 100 : 1000);
    // A connection is alone in its batch when no other descriptor but the workers'
    // wake-up is ready: a worker handing a connection back is no client waiting.
    int ready = n;
    for (int i = 0; i < n; ++i)
      ready -= events[i].data.u64 == kWakeTag;
    for (int i = 0; i < n; ++i) {
      const uint64_t tag = events[i].data.u64;
      if (tag == kListenTag) {
        if (!closing) AcceptAll();
      } else if (tag == kWakeTag) {
        uint64_t count;
        (void)!::read(wake_fd_, &count, sizeof(count));
        TakeReturned();
      } else if (tag & (OverflowQueue::kRefusedBit | OverflowQueue::kWaitingBit)) {
        overflow_->OnEvent(tag);
      } else {
        auto it = connections_.find(static_cast<int>(tag));
        if (it != connections_.end() && !it->second->busy) OnReadable(it->second.get(), ready == 1);
      }
    }
    Sweep();
  }
}

void HmsServer::Impl::WatchListener() {
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLET;
  ev.data.u64 = kListenTag;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &ev);
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
    } else {
      overflow_->Add(fd, std::move(peer), connections_.size());
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
  while (static_cast<int64_t>(connections_.size()) < config_.max_connections && !stopping_) {
    auto next = overflow_->TakeWaiting();
    if (!next) break;
    Admit(next->first, std::move(next->second));
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
  c->Account();
  return true;
}

void HmsServer::Impl::OnReadable(Connection* c, bool alone) {
  const size_t queued = c->out.size();
  if (!FlushOut(c)) {
    Close(c);
    return;
  }
  // A reply the loop queued (thrift_inline.cc): the client has
  // --request-timeout to take each part of it, as a worker would wait.
  if (c->session && c->out.size() < queued) c->deadline = Clock::now() + timeout_;
  if (stopping_.load()) {
    // Stopping: the queued reply goes out, no further request is read.
    if (c->out.empty()) {
      Close(c);
    } else {
      Arm(c, EPOLL_CTL_MOD);
    }
    return;
  }
  char buf[kIoChunk];
  size_t read = 0;
  std::string raw;  // with layers: what they have yet to see
  while (read < kMaxReadPerEvent) {
    const ssize_t n = ::recv(c->fd, buf, sizeof(buf), 0);
    if (n > 0) {
      // A request starts now, unless one is already arriving (also in a layer);
      // a queued reply's deadline does not carry over to it.
      const bool replying = c->session && c->in.empty() && c->layer_bytes() == 0 && !c->out.empty();
      if (!c->partial || replying) c->deadline = Clock::now() + timeout_;
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
    if (ServesOnLoop(c, alone)) {
      ServeOnLoop(c);
      return;
    }
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
  SetPartial(c, !c->in.empty() || !c->out.empty() || !c->session || c->layer_bytes() > 0);
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
    const bool reply = c->in.empty() && c->layer_bytes() == 0 && !c->out.empty();
    const char* what = !c->session ? "handshake" : reply ? "reply" : "request";
    spdlog::warn(
        "thrift: closing the connection from {}: {} not complete {} s after it "
        "started ({} bytes received, {} to send; --request-timeout)",
        c->peer, what, timeout_.count(), c->in.size(), c->out.size());
    Count("request_timeout");
    Close(c);
  }
  overflow_->Expire(now, connections_.size());
  if (accept_paused_ && now >= accept_resume_ && listen_fd_ >= 0) {
    accept_paused_ = false;
    WatchListener();
    AcceptAll();
  }
}

}  // namespace arbor::hms

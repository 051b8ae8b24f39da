// Connections beyond --max-connections: waiting, refusal, drain
// (thrift_refusal.h).
#include "server/thrift_refusal.h"

#include <spdlog/spdlog.h>
#include <thrift/TApplicationException.h>
#include <thrift/transport/TBufferTransports.h>

#include <arpa/inet.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <memory>

namespace arbor::hms {

namespace {

// How long a connection over --max-connections waits for a slot before it is refused.
constexpr auto kAdmissionWait = std::chrono::milliseconds(500);
// Connections waiting for a slot, or refused and draining; beyond, refused at once.
constexpr size_t kMaxParked = 1024;
// How long a refused connection may take to read the refusal and close.
constexpr auto kRefusalLinger = std::chrono::seconds(2);

}  // namespace

OverflowQueue::OverflowQueue(int epoll_fd, ThriftMessageScanner::Options wire,
                             int64_t max_connections, Metrics* metrics)
    : epoll_fd_(epoll_fd), wire_(wire), max_connections_(max_connections), metrics_(metrics) {}

void OverflowQueue::Add(int fd, std::string peer, size_t open) {
  if (waiting_.size() >= kMaxParked) {
    Refuse(fd, peer, open);
    return;
  }
  epoll_event ev{};
  ev.events = EPOLLRDHUP;
  ev.data.u64 = kWaitingBit | static_cast<uint64_t>(fd);
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
  waiting_.push_back({fd, std::move(peer), Clock::now() + kAdmissionWait});
}

std::optional<std::pair<int, std::string>> OverflowQueue::TakeWaiting() {
  if (waiting_.empty()) return std::nullopt;
  Waiting w = std::move(waiting_.front());
  waiting_.pop_front();
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, w.fd, nullptr);
  return std::make_pair(w.fd, std::move(w.peer));
}

void OverflowQueue::OnEvent(uint64_t tag) {
  if (tag & kRefusedBit) {
    Drain(static_cast<int>(tag & ~kRefusedBit));
    return;
  }
  // A waiting client hung up.
  const int fd = static_cast<int>(tag & ~kWaitingBit);
  auto it =
      std::find_if(waiting_.begin(), waiting_.end(), [fd](const Waiting& w) { return w.fd == fd; });
  if (it != waiting_.end()) {
    CloseFd(fd);  // also leaves the epoll set
    waiting_.erase(it);
  }
}

void OverflowQueue::Expire(Clock::time_point now, size_t open) {
  while (!waiting_.empty() && now >= waiting_.front().until) {
    Waiting w = std::move(waiting_.front());
    waiting_.pop_front();
    epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, w.fd, nullptr);
    Refuse(w.fd, w.peer, open);
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
}

void OverflowQueue::CloseAll() {
  for (auto& w : waiting_)
    CloseFd(w.fd);
  waiting_.clear();
  for (auto& [fd, until] : refused_)
    CloseFd(fd);
  refused_.clear();
}

void OverflowQueue::Refuse(int fd, const std::string& peer, size_t open) {
  const std::string message = "arbord refused the connection: " + std::to_string(open) +
                              " connections are open, the limit (--max-connections) is " +
                              std::to_string(max_connections_);
  const auto now = Clock::now();
  if (now - last_refusal_log_ >= std::chrono::seconds(1)) {
    spdlog::warn(
        "thrift: refused a connection from {}: {} connections are open, the limit "
        "(--max-connections) is {}{}",
        peer, open, max_connections_,
        refusals_unlogged_ > 0
            ? " (and " + std::to_string(refusals_unlogged_) + " more since the last line)"
            : std::string());
    last_refusal_log_ = now;
    refusals_unlogged_ = 0;
  } else {
    ++refusals_unlogged_;
  }
  CountClosed(metrics_, "refused");
  const std::string bytes = RefusalBytes(message);
  (void)!::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  ::shutdown(fd, SHUT_WR);  // then drain (see the header)
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

void OverflowQueue::Drain(int fd) {
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

std::string OverflowQueue::RefusalBytes(const std::string& message) const {
  using apache::thrift::TApplicationException;
  auto buffer = std::make_shared<apache::thrift::transport::TMemoryBuffer>();
  auto proto = ProtocolOver(wire_, buffer);
  proto->writeMessageBegin("", apache::thrift::protocol::T_EXCEPTION, 0);
  TApplicationException(TApplicationException::INTERNAL_ERROR, message).write(proto.get());
  proto->writeMessageEnd();
  std::string bytes = buffer->getBufferAsString();
  if (wire_.framed) {
    const uint32_t n = htonl(static_cast<uint32_t>(bytes.size()));
    bytes.insert(0, reinterpret_cast<const char*>(&n), 4);
  }
  return bytes;
}

}  // namespace arbor::hms

// HmsServer (thrift_server.h): its lifecycle. Start binds the listening socket,
// creates the epoll set and the wake eventfd and starts the loop and the
// workers; Stop wakes the loop, which stops accepting and lets running calls
// finish, then joins every thread. The loop and the workers are in
// thrift_event_loop.cc and thrift_workers.cc (thrift_server_impl.h).
#include "server/thrift_server.h"

#include <spdlog/spdlog.h>
#include <thrift/TOutput.h>

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "server/thrift_server_impl.h"

namespace arbor::hms {

namespace {

void LogThriftMessage(const char* message) {
  spdlog::warn("thrift: {}", message);
}

}  // namespace

HmsServer::Impl::Impl(HmsContext* context, const ServerConfig& config, Metrics* metrics,
                      tls::TlsCertificates* tls, const auth::SaslServer* sasl)
    : context_(context),
      config_(config),
      metrics_(metrics),
      tls_(tls),
      sasl_(sasl),
      observer_(MakeCallObserver(metrics)) {
  scan_.framed = config.transport == "framed";
  scan_.binary = config.protocol != "compact";
  scan_.string_limit = std::min<int64_t>(config.max_message_bytes, INT32_MAX);
  scan_.container_limit = std::min<int64_t>(config.max_container_elements, INT32_MAX);
  timeout_ = std::chrono::seconds(config.request_timeout_seconds);
  thrift_config_ = std::make_shared<apache::thrift::TConfiguration>(
      static_cast<int>(std::min<int64_t>(config.max_message_bytes, INT32_MAX)),
      static_cast<int>(std::min<int64_t>(config.max_message_bytes, INT32_MAX)));
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
  WatchListener();
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kWakeTag;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev);
  overflow_ = std::make_unique<OverflowQueue>(epoll_fd_, scan_, config_.max_connections, metrics_);

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

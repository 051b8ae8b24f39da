#include "server/thrift_server.h"

#include <spdlog/spdlog.h>
#include <thrift/TConfiguration.h>
#include <thrift/TOutput.h>
#include <thrift/TProcessor.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/protocol/TCompactProtocol.h>
#include <thrift/server/TThreadedServer.h>
#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/TServerSocket.h>
#include <thrift/transport/TSocket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <future>

#include "server/hms/hms_handler.h"

namespace arbor::hms {

namespace {

using apache::thrift::TConfiguration;
using apache::thrift::TConnectionInfo;
using apache::thrift::TProcessor;
using apache::thrift::TProcessorEventHandler;
using apache::thrift::transport::TBufferedTransport;
using apache::thrift::transport::TFramedTransport;
using apache::thrift::transport::TSocket;
using apache::thrift::transport::TTransport;
using apache::thrift::transport::TTransportFactory;
using hive::ThriftHiveMetastoreIf;
using hive::ThriftHiveMetastoreIfFactory;
using hive::ThriftHiveMetastoreProcessorFactory;

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

// Buffers big enough that large replies (thousands of partitions) go out in few
// writes, plus a per-message size cap from the configuration.
class SizedTransportFactory : public TTransportFactory {
 public:
  SizedTransportFactory(bool framed, std::shared_ptr<TConfiguration> config)
      : framed_(framed), config_(std::move(config)) {}
  std::shared_ptr<TTransport> getTransport(std::shared_ptr<TTransport> trans) override {
    if (framed_) return std::make_shared<TFramedTransport>(trans, config_);
    return std::make_shared<PerMessageBufferedTransport>(trans, kBufferBytes, kBufferBytes,
                                                         config_);
  }

 private:
  static constexpr uint32_t kBufferBytes = 64 * 1024;
  bool framed_;
  std::shared_ptr<TConfiguration> config_;
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
  ThriftHiveMetastoreProcessorFactory inner_;
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
    protocol = std::make_shared<apache::thrift::protocol::TBinaryProtocolFactory>(
        string_limit, container_limit, /*strict_read=*/false, /*strict_write=*/true);
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

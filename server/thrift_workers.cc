// The worker pool of the Thrift listener (thrift_server_impl.h): a worker takes
// a connection whose whole request the loop has buffered, serves it and every
// further request already buffered, and hands the connection back to the loop.
// A worker never waits on an idle connection; it waits on the socket only for
// a request the scanner could not see whole, never past its deadline.
#include <spdlog/spdlog.h>
#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/TTransportException.h>

#include <unistd.h>

#include <exception>

#include "server/hms/hms_processor.h"
#include "server/thrift_server_impl.h"
#include "server/thrift_wire.h"

namespace arbor::hms {

using apache::thrift::TProcessorEventHandler;
using apache::thrift::protocol::TProtocol;
using apache::thrift::transport::TFramedTransport;
using apache::thrift::transport::TTransport;
using apache::thrift::transport::TTransportException;

namespace {

class CallObserver : public CallWithdrawal {
 public:
  explicit CallObserver(Metrics* metrics) : metrics_(metrics) {}
  void* getContext(const char* fn_name, void*) override {
    return new Call{fn_name, Clock::now(), true, false};
  }
  void handlerError(void* ctx, const char*) override { static_cast<Call*>(ctx)->ok = false; }
  void Withdraw(void* ctx) override { static_cast<Call*>(ctx)->withdrawn = true; }
  void freeContext(void* ctx, const char*) override {
    auto* call = static_cast<Call*>(ctx);
    if (call->withdrawn) {
      delete call;
      return;
    }
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
    bool withdrawn;
  };
  Metrics* metrics_;
};

}  // namespace

std::shared_ptr<TProcessorEventHandler> MakeCallObserver(Metrics* metrics) {
  return std::make_shared<CallObserver>(metrics);
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

bool HmsServer::Impl::Serve(SessionProcessor* processor, Connection* c,
                            ConnectionTransport::Mode mode) {
  using V = ThriftMessageScanner::Verdict;
  auto conn = std::make_shared<ConnectionTransport>(c, thrift_config_, timeout_,
                                                    config_.max_message_bytes, mode);
  try {
    while (true) {
      std::shared_ptr<TTransport> transport = conn;
      if (c->first_message) {
        transport = std::make_shared<wire::SaslSniffingTransport>(transport, c->fd, thrift_config_);
      }
      if (scan_.framed) transport = std::make_shared<TFramedTransport>(transport, thrift_config_);
      std::shared_ptr<TProtocol> protocol = ProtocolOver(scan_, transport);
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
      // The loop serves one request; a worker takes the next (ServeOnLoop).
      if (mode == ConnectionTransport::Mode::kNoWait) return true;
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

}  // namespace arbor::hms

// HmsServer::Impl: the state of the Thrift listener (server/thrift_server.h) and
// who may touch it. Its member functions live by seam:
//   thrift_server.cc      start (listening socket, epoll set, threads) and stop
//   thrift_event_loop.cc  the event loop: accept, admit, read, scan, time out
//   thrift_workers.cc     the worker pool: serve buffered requests, hand back
//   thrift_inline.cc      the loop serving a cheap call or a small listing itself,
//                         when idle
// with the connection itself in thrift_connection.* and the connections beyond
// --max-connections in thrift_refusal.*.
//
// Threads: one event loop, config.worker_threads workers. A connection moves
// loop -> worker through `work_` (Enqueue, with busy set) and back through
// `back_` and the wake eventfd (HandBack); nothing else crosses. Fields marked
// "loop thread only" are never read by a worker. The loop may serve a call
// itself (ServeOnLoop) on a connection that is not busy, without waiting.
#pragma once

#include <thrift/TConfiguration.h>
#include <thrift/TProcessor.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "server/thrift_connection.h"
#include "server/thrift_refusal.h"
#include "server/thrift_server.h"

namespace arbor::hms {

// server/hms/hms_processor.h, which only the workers and ServeOnLoop need (it
// brings the generated service).
class SessionProcessor;

// epoll tags besides a connection's descriptor (and OverflowQueue's).
inline constexpr uint64_t kListenTag = ~uint64_t{0};
inline constexpr uint64_t kWakeTag = ~uint64_t{0} - 1;

class HmsServer::Impl {
 public:
  Impl(HmsContext* context, const ServerConfig& config, Metrics* metrics, tls::TlsCertificates* tls,
       const auth::SaslServer* sasl);
  ~Impl() { Stop(); }

  Status Start();
  void Stop();
  uint16_t port() const { return port_; }

 private:
  // --- event loop (one thread)
  void Loop();
  // Adds the listener to the epoll set, edge-triggered: it is then queued behind
  // the hang-ups that happened before a new connection arrived, so their slots
  // are free when it is accepted.
  void WatchListener();
  void AcceptAll();
  void Admit(int fd, std::string peer);
  // The layers a new connection's bytes pass through, socket side first: TLS,
  // then SASL. An error refuses the connection.
  Result<std::vector<std::unique_ptr<ConnectionLayer>>> BuildLayers(const std::string& peer);
  // Sends what the layers queued on c->out; false if the connection failed.
  bool FlushOut(Connection* c);
  // `alone`: the connection is the only one that epoll reported ready.
  void OnReadable(Connection* c, bool alone);
  void Arm(Connection* c, int op);
  void Close(Connection* c);
  void TakeReturned();
  void Sweep();
  void SetPartial(Connection* c, bool partial);
  // Logs and counts a request over --max-message-bytes (whole, or so far).
  bool Oversized(Connection* c, ThriftMessageScanner::Verdict verdict);

  // --- the loop serving a call (thrift_inline.cc)
  // Whether the whole request buffered on `c` is served by the loop itself.
  bool ServesOnLoop(const Connection* c, bool alone) const;
  // Serves that one request with the loop's processor, then carries on with
  // the connection as TakeReturned does.
  void ServeOnLoop(Connection* c);

  // --- workers
  void Work();
  // Serves the requests buffered on `c` (kNoWait: the first one only, without
  // waiting); false if the connection is to be closed.
  bool Serve(SessionProcessor* processor, Connection* c,
             ConnectionTransport::Mode mode = ConnectionTransport::Mode::kWait);
  void Enqueue(Connection* c);
  void HandBack(Connection* c, bool keep);

  void Count(const char* reason) { CountClosed(metrics_, reason); }

  HmsContext* context_;
  const ServerConfig& config_;
  Metrics* metrics_;
  tls::TlsCertificates* tls_;
  const auth::SaslServer* sasl_;
  // Logs and measures every call (thrift_workers.cc).
  std::shared_ptr<apache::thrift::TProcessorEventHandler> observer_;
  ThriftMessageScanner::Options scan_;
  std::chrono::seconds timeout_{60};
  std::shared_ptr<apache::thrift::TConfiguration> thrift_config_;

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
  std::unique_ptr<OverflowQueue> overflow_;  // over --max-connections
  bool accept_paused_ = false;
  Clock::time_point accept_resume_;
  int busy_ = 0;
  SessionProcessor* loop_processor_ = nullptr;  // owned by Loop()

  // Loop -> workers.
  std::mutex work_mu_;
  std::condition_variable work_cv_;
  std::deque<Connection*> work_;
  bool workers_stop_ = false;

  // Workers -> loop.
  std::mutex back_mu_;
  std::vector<std::pair<Connection*, bool>> back_;
};

// The observer of every call a worker's processor serves: a debug log line and
// the latency and outcome metrics.
std::shared_ptr<apache::thrift::TProcessorEventHandler> MakeCallObserver(Metrics* metrics);

}  // namespace arbor::hms

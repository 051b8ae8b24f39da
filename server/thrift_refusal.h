// OverflowQueue: the Thrift connections beyond --max-connections
// (server/thrift_server.h), from their acceptance to their refusal.
//
// Such a connection first waits up to kAdmissionWait for a slot, watched for
// hang-ups only, so a client that gives up while it waits frees its place at
// once; the event loop gives the longest-waiting one the next free slot
// (TakeWaiting). One still waiting then, or one arriving while kMaxParked
// already wait, is refused: it gets a Thrift TApplicationException saying so
// in the listener's transport and protocol, our side is shut, and its input is
// drained until the client closes, for at most kRefusalLinger, since closing
// with unread input would reset the connection and could destroy the refusal
// before the client reads it. Refusals are logged at most once a second (with
// the count of those not logged since) and counted as
// arbor_thrift_closed_connections_total{reason="refused"}.
//
// Contract: the event loop's thread only. Its sockets are in the loop's epoll
// set under tags with kWaitingBit or kRefusedBit set above the descriptor; the
// loop hands every event with such a tag to OnEvent, and calls Expire on each
// turn. At most kMaxParked sockets wait and kMaxParked drain.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include "server/metrics.h"
#include "server/thrift_connection.h"
#include "server/thrift_message_scanner.h"

namespace arbor::hms {

class OverflowQueue {
 public:
  // epoll tags: the bit, or'ed with the socket's descriptor.
  static constexpr uint64_t kRefusedBit = uint64_t{1} << 40;
  static constexpr uint64_t kWaitingBit = uint64_t{1} << 41;

  // `epoll_fd` is the loop's; `wire` says how the refusal is encoded.
  OverflowQueue(int epoll_fd, ThriftMessageScanner::Options wire, int64_t max_connections,
                Metrics* metrics);
  ~OverflowQueue() { CloseAll(); }
  OverflowQueue(const OverflowQueue&) = delete;
  OverflowQueue& operator=(const OverflowQueue&) = delete;

  // Takes a connection accepted while `open` connections fill every slot: it
  // waits, or is refused at once when kMaxParked wait already.
  void Add(int fd, std::string peer, size_t open);
  // The longest-waiting connection (its descriptor and peer), out of the epoll
  // set, for a slot that is free; none if none waits.
  std::optional<std::pair<int, std::string>> TakeWaiting();
  // An event of the loop's epoll set with kWaitingBit or kRefusedBit set.
  void OnEvent(uint64_t tag);
  // Refuses what waited kAdmissionWait (with `open` connections in the message)
  // and closes what drained for kRefusalLinger.
  void Expire(Clock::time_point now, size_t open);
  // Closes every socket it holds (the server is stopping).
  void CloseAll();
  // Whether it holds no socket, so no deadline the loop must wake for.
  bool empty() const { return waiting_.empty() && refused_.empty(); }

 private:
  struct Waiting {
    int fd;
    std::string peer;
    Clock::time_point until;
  };
  void Refuse(int fd, const std::string& peer, size_t open);
  void Drain(int fd);
  // The TApplicationException reply carrying `message`, framed if the listener is.
  std::string RefusalBytes(const std::string& message) const;

  int epoll_fd_;
  ThriftMessageScanner::Options wire_;
  int64_t max_connections_;
  Metrics* metrics_;
  std::deque<Waiting> waiting_;                         // over the limit, for a slot
  std::unordered_map<int, Clock::time_point> refused_;  // draining before close
  Clock::time_point last_refusal_log_;
  int64_t refusals_unlogged_ = 0;
};

}  // namespace arbor::hms

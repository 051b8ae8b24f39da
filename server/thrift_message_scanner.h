// ThriftMessageScanner: decides, from the bytes a connection has received so far,
// whether they hold one whole Thrift message, without decoding it.
//
// The Hive clients' wire format (buffered transport, binary protocol) has no
// frame length, so the listener cannot otherwise know that a request is complete
// before handing it to a worker. With the scanner, workers only ever parse
// requests already in memory: a client that sends a request one byte per second
// costs a buffer, never a thread.
//
// Contract:
//  * Scan() is given the connection's unparsed bytes, starting at a message's
//    first byte; each call passes the same bytes, plus any that arrived since
//    (resumable: earlier bytes are not examined again). kComplete reports the
//    message's size in bytes.
//  * kDispatch means "let the real parser run now": the bytes already show that
//    the message is malformed or over a limit (a string or container larger than
//    the limits, an unknown type, nesting deeper than the limit, a bad version,
//    a SASL start), so Thrift's reader will reject it with its own error, just as
//    it would have before the whole message arrived. It is also the answer for
//    protocols the scanner does not model (compact over an unframed transport):
//    the worker then reads the rest from the socket, bounded by the request
//    deadline.
//  * Framed transports: the 4-byte frame length tells the size.
//  * Reset() starts over for the next message.
//  * method() names the call of a whole binary message (strict or old header,
//    framed or not) without decoding the rest; empty for compact.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace arbor::hms {

class ThriftMessageScanner {
 public:
  enum class Verdict { kNeedMore, kComplete, kDispatch };
  struct Options {
    bool framed = false;
    bool binary = true;           // false: compact; scanned only when framed
    int64_t string_limit = 0;     // 0: none
    int64_t container_limit = 0;  // 0: none
    int depth_limit = 64;         // Thrift's default recursion limit
  };

  explicit ThriftMessageScanner(Options options) : options_(options) {}

  // `first_message`: the connection's first bytes, where a SASL start may appear.
  Verdict Scan(std::string_view data, bool first_message);
  size_t message_size() const { return pos_; }
  // The method name in the header of the message `data` begins with, once
  // Scan() returned kComplete for it (so the name is within the bytes); empty
  // otherwise, and for the compact protocol. Points into `data`.
  std::string_view method(std::string_view data) const;
  void Reset();

 private:
  enum class Phase { kWord, kNameLength, kOldType, kSeqId, kValues };
  struct Frame {
    int8_t kind;        // T_STRUCT, T_LIST (also sets) or T_MAP
    int8_t key_type;    // lists: the element type
    int8_t value_type;  // maps
    int64_t remaining;  // lists: elements; maps: keys plus values
  };

  Verdict ScanBinary(std::string_view data);
  // Starts a value of `type` at pos_; false if more bytes are needed first.
  bool BeginValue(std::string_view data, int8_t type);

  Options options_;
  Verdict verdict_ = Verdict::kNeedMore;
  Phase phase_ = Phase::kWord;
  size_t pos_ = 0;     // bytes examined
  uint64_t skip_ = 0;  // bytes of a string (or name) still to pass over
  int pending_ = -1;   // a value of this type starts at pos_
  std::vector<Frame> stack_;
};

}  // namespace arbor::hms

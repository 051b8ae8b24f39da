// The Thrift wire pieces of the HMS listener (server/thrift_server.h) that sit
// between a connection and the generated processor:
//  * SaslSniffingTransport answers a SASL handshake, which Arbor does not support,
//    with a SASL ERROR frame instead of reading it as a 16 MiB Thrift message;
//  * ChunkedBinaryProtocol is the binary protocol with strings that cost memory
//    only as their bytes arrive.
#pragma once

#include <spdlog/spdlog.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/protocol/TVirtualProtocol.h>
#include <thrift/transport/TVirtualTransport.h>

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace arbor::hms::wire {

using apache::thrift::TConfiguration;
using apache::thrift::protocol::TBinaryProtocolT;
using apache::thrift::protocol::TMessageType;
using apache::thrift::protocol::TProtocolException;
using apache::thrift::protocol::TType;
using apache::thrift::protocol::TVirtualProtocol;
using apache::thrift::transport::TTransport;
using apache::thrift::transport::TTransportException;
using apache::thrift::transport::TVirtualTransport;

// Sits between the connection and the Thrift transport for a connection's first
// request and looks at its first bytes. A client configured for SASL (Kerberos or
// PLAIN) opens with a SASL START frame: status byte 0x01, a 4-byte big-endian
// length and the mechanism name. No Thrift message starts like that (strict binary
// starts 0x80, compact 0x82, old binary and frame lengths start with a length
// whose high byte is 0x01 only for 16+ MiB, followed by 0x80/0x82/0x00), so without
// this the server would wait for a 16 MiB message that never comes and the client
// would hang. Instead the client gets a SASL ERROR frame, which Hive's client
// reports as "Peer indicated failure", and the connection is closed.
class SaslSniffingTransport : public TVirtualTransport<SaslSniffingTransport> {
 public:
  SaslSniffingTransport(std::shared_ptr<TTransport> inner, int fd,
                        std::shared_ptr<TConfiguration> config)
      : TVirtualTransport(std::move(config)), inner_(std::move(inner)), fd_(fd) {}

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
    if (fd_ < 0 || ::shutdown(fd_, SHUT_WR) != 0) return;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    size_t discarded = 0;
    while (discarded < kMaxDiscardBytes) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                            deadline - std::chrono::steady_clock::now())
                            .count();
      pollfd p{fd_, POLLIN, 0};
      if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0) return;
      char buf[4096];
      const ssize_t n = ::recv(fd_, buf, sizeof(buf), MSG_DONTWAIT);
      if (n <= 0) return;
      discarded += static_cast<size_t>(n);
    }
  }

  static constexpr size_t kMaxDiscardBytes = 64 * 1024;

  std::shared_ptr<TTransport> inner_;
  int fd_;
  std::vector<uint8_t> head_;  // bytes read by CheckHead, not yet returned
  size_t pending_ = 0;         // how many of head_ read() has returned
  bool checked_ = false;
};

// The binary protocol, but a string or binary field costs memory only as its bytes
// arrive: Thrift's own reader sizes (and zero-fills) the whole declared length
// first. Requests are normally whole in memory when parsed (the string is then
// copied straight from the buffer); when they are not, the string grows by at most
// kChunkBytes past what was received. Old (non-strict) message headers, whose
// first word is the method name's length, are read the same way.
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
      type = CheckedMessageType(word & 0xff);
      result += readString(name);
    } else {
      result += ReadBody(name, word);
      int8_t old_type;
      result += readByte(old_type);
      type = CheckedMessageType(old_type);
    }
    return result + readI32(seqid);
  }
  uint32_t readString(std::string& str) {
    int32_t size;
    uint32_t result = readI32(size);
    return result + ReadBody(str, size);
  }
  uint32_t readBinary(std::string& str) { return readString(str); }

  // Thrift's readers cast the type bytes from the wire to TType unchecked, and a
  // byte outside the enum is undefined behaviour there and in the generated code
  // that switches on it (found by fuzz/fuzz_thrift_request). Here an unknown type
  // is a TProtocolException, as Thrift's skip() would raise a moment later.
  uint32_t readFieldBegin(std::string& name, TType& fieldType, int16_t& fieldId) {
    (void)name;
    int8_t type;
    uint32_t result = readByte(type);
    if (type == apache::thrift::protocol::T_STOP) {
      fieldType = apache::thrift::protocol::T_STOP;
      fieldId = 0;
      return result;
    }
    fieldType = CheckedType(type);
    return result + readI16(fieldId);
  }
  uint32_t readMapBegin(TType& keyType, TType& valType, uint32_t& size) {
    int8_t k, v;
    uint32_t result = readByte(k);
    result += readByte(v);
    keyType = CheckedType(k);
    valType = CheckedType(v);
    result += ReadContainerSize(size);
    apache::thrift::protocol::TMap map(keyType, valType, size);
    checkReadBytesAvailable(map);
    return result;
  }
  uint32_t readListBegin(TType& elemType, uint32_t& size) {
    int8_t e;
    uint32_t result = readByte(e);
    elemType = CheckedType(e);
    result += ReadContainerSize(size);
    apache::thrift::protocol::TList list(elemType, size);
    checkReadBytesAvailable(list);
    return result;
  }
  uint32_t readSetBegin(TType& elemType, uint32_t& size) {
    int8_t e;
    uint32_t result = readByte(e);
    elemType = CheckedType(e);
    result += ReadContainerSize(size);
    apache::thrift::protocol::TSet set(elemType, size);
    checkReadBytesAvailable(set);
    return result;
  }

 private:
  static constexpr uint32_t kChunkBytes = 1 << 20;

  // T_CALL .. T_ONEWAY; another value, cast unchecked, is undefined behaviour
  // where the processor compares it.
  static TMessageType CheckedMessageType(int type) {
    if (type < apache::thrift::protocol::T_CALL || type > apache::thrift::protocol::T_ONEWAY) {
      throw TProtocolException(TProtocolException::INVALID_DATA,
                               "invalid message type " + std::to_string(type));
    }
    return static_cast<TMessageType>(type);
  }

  // T_STOP .. T_UTF16, the values TType declares.
  static TType CheckedType(int8_t type) {
    if (type < apache::thrift::protocol::T_STOP || type > apache::thrift::protocol::T_UTF16) {
      throw TProtocolException(TProtocolException::INVALID_DATA,
                               "invalid TType " + std::to_string(type));
    }
    return static_cast<TType>(type);
  }

  uint32_t ReadContainerSize(uint32_t& size) {
    int32_t sizei;
    uint32_t result = readI32(sizei);
    if (sizei < 0) throw TProtocolException(TProtocolException::NEGATIVE_SIZE);
    if (container_limit_ > 0 && sizei > container_limit_) {
      throw TProtocolException(TProtocolException::SIZE_LIMIT);
    }
    size = static_cast<uint32_t>(sizei);
    return result;
  }

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

}  // namespace arbor::hms::wire

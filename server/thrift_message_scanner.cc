#include "server/thrift_message_scanner.h"

#include <algorithm>

namespace arbor::hms {

namespace {

// Thrift's TType values (thrift/protocol/TType.h), spelled out to keep this file
// free of Thrift headers.
enum : int8_t {
  kStop = 0,
  kBool = 2,
  kByte = 3,
  kDouble = 4,
  kI16 = 6,
  kI32 = 8,
  kI64 = 10,
  kString = 11,
  kStruct = 12,
  kMap = 13,
  kSet = 14,
  kList = 15,
};

int32_t BigEndian32(const char* p) {
  const auto* u = reinterpret_cast<const uint8_t*>(p);
  return static_cast<int32_t>((uint32_t{u[0]} << 24) | (uint32_t{u[1]} << 16) |
                              (uint32_t{u[2]} << 8) | uint32_t{u[3]});
}

constexpr uint8_t kSaslStart = 0x01;

}  // namespace

void ThriftMessageScanner::Reset() {
  verdict_ = Verdict::kNeedMore;
  phase_ = Phase::kWord;
  pos_ = 0;
  skip_ = 0;
  pending_ = -1;
  stack_.clear();
}

std::string_view ThriftMessageScanner::method(std::string_view data) const {
  if (verdict_ != Verdict::kComplete || !options_.binary) return {};
  data = data.substr(0, pos_);
  if (options_.framed) data.remove_prefix(std::min<size_t>(4, data.size()));
  if (data.size() < 4) return {};
  int32_t word = BigEndian32(data.data());
  size_t at = 4;
  if (word < 0) {
    // Strict header: the name's length follows the version word.
    if (data.size() < 8) return {};
    word = BigEndian32(data.data() + 4);
    at = 8;
  }
  if (word < 0 || data.size() - at < static_cast<uint32_t>(word)) return {};
  return data.substr(at, static_cast<size_t>(word));
}

ThriftMessageScanner::Verdict ThriftMessageScanner::Scan(std::string_view data,
                                                         bool first_message) {
  if (verdict_ != Verdict::kNeedMore || data.empty()) return verdict_;
  // A SASL START frame (status 0x01) reads as a 16+ MiB length in every format;
  // the worker's SASL sniffer answers it.
  if (first_message && static_cast<uint8_t>(data[0]) == kSaslStart) {
    return verdict_ = Verdict::kDispatch;
  }
  if (options_.framed) {
    if (data.size() < 4) return verdict_;
    const int32_t length = BigEndian32(data.data());
    if (length < 0 || (options_.string_limit > 0 && length > options_.string_limit)) {
      return verdict_ = Verdict::kDispatch;
    }
    if (data.size() - 4 < static_cast<uint32_t>(length)) return verdict_;
    pos_ = 4 + static_cast<size_t>(length);
    return verdict_ = Verdict::kComplete;
  }
  if (!options_.binary) return verdict_ = Verdict::kDispatch;
  return verdict_ = ScanBinary(data);
}

bool ThriftMessageScanner::BeginValue(std::string_view data, int8_t type) {
  const size_t avail = data.size() - pos_;
  auto fixed = [&](size_t n) {
    if (avail < n) return false;
    pos_ += n;
    return true;
  };
  auto push = [&](Frame f) {
    if (static_cast<int>(stack_.size()) >= options_.depth_limit) {
      verdict_ = Verdict::kDispatch;
      return;
    }
    stack_.push_back(f);
  };
  auto bad_count = [&](int32_t count) {
    return count < 0 || (options_.container_limit > 0 && count > options_.container_limit);
  };
  switch (type) {
    case kBool:
    case kByte:
      return fixed(1);
    case kI16:
      return fixed(2);
    case kI32:
      return fixed(4);
    case kI64:
    case kDouble:
      return fixed(8);
    case kString: {
      if (avail < 4) return false;
      const int32_t length = BigEndian32(data.data() + pos_);
      if (length < 0 || (options_.string_limit > 0 && length > options_.string_limit)) {
        verdict_ = Verdict::kDispatch;
        return true;
      }
      pos_ += 4;
      skip_ = static_cast<uint64_t>(length);
      return true;
    }
    case kStruct:
      push(Frame{kStruct, 0, 0, 0});
      return true;
    case kSet:
    case kList: {
      if (avail < 5) return false;
      const int32_t count = BigEndian32(data.data() + pos_ + 1);
      if (bad_count(count)) {
        verdict_ = Verdict::kDispatch;
        return true;
      }
      push(Frame{kList, static_cast<int8_t>(data[pos_]), 0, count});
      pos_ += 5;
      return true;
    }
    case kMap: {
      if (avail < 6) return false;
      const int32_t count = BigEndian32(data.data() + pos_ + 2);
      if (bad_count(count)) {
        verdict_ = Verdict::kDispatch;
        return true;
      }
      push(Frame{kMap, static_cast<int8_t>(data[pos_]), static_cast<int8_t>(data[pos_ + 1]),
                 int64_t{count} * 2});
      pos_ += 6;
      return true;
    }
    default:
      verdict_ = Verdict::kDispatch;  // "invalid TType" from Thrift's reader
      return true;
  }
}

ThriftMessageScanner::Verdict ThriftMessageScanner::ScanBinary(std::string_view data) {
  while (true) {
    if (skip_ > 0) {
      const uint64_t take = std::min<uint64_t>(skip_, data.size() - pos_);
      pos_ += take;
      skip_ -= take;
      if (skip_ > 0) return Verdict::kNeedMore;
    }
    const size_t avail = data.size() - pos_;
    switch (phase_) {
      case Phase::kWord: {
        if (avail < 4) return Verdict::kNeedMore;
        const int32_t word = BigEndian32(data.data() + pos_);
        pos_ += 4;
        if (word < 0) {
          // Strict header: version and type, then the name as a string.
          if ((static_cast<uint32_t>(word) & 0xffff0000u) != 0x80010000u) {
            return Verdict::kDispatch;
          }
          phase_ = Phase::kNameLength;
        } else {
          // Old header: the name's length comes first.
          if (options_.string_limit > 0 && word > options_.string_limit) {
            return Verdict::kDispatch;
          }
          skip_ = static_cast<uint64_t>(word);
          phase_ = Phase::kOldType;
        }
        break;
      }
      case Phase::kNameLength: {
        if (avail < 4) return Verdict::kNeedMore;
        const int32_t length = BigEndian32(data.data() + pos_);
        if (length < 0 || (options_.string_limit > 0 && length > options_.string_limit)) {
          return Verdict::kDispatch;
        }
        pos_ += 4;
        skip_ = static_cast<uint64_t>(length);
        phase_ = Phase::kSeqId;
        break;
      }
      case Phase::kOldType:
        if (avail < 1) return Verdict::kNeedMore;
        pos_ += 1;
        phase_ = Phase::kSeqId;
        break;
      case Phase::kSeqId:
        if (avail < 4) return Verdict::kNeedMore;
        pos_ += 4;
        phase_ = Phase::kValues;
        pending_ = kStruct;  // the arguments
        break;
      case Phase::kValues: {
        if (pending_ >= 0) {
          if (!BeginValue(data, static_cast<int8_t>(pending_))) return Verdict::kNeedMore;
          if (verdict_ == Verdict::kDispatch) return Verdict::kDispatch;
          pending_ = -1;
          break;
        }
        if (stack_.empty()) return Verdict::kComplete;
        Frame& f = stack_.back();
        if (f.kind == kStruct) {
          if (avail < 1) return Verdict::kNeedMore;
          const int8_t type = static_cast<int8_t>(data[pos_]);
          if (type == kStop) {
            pos_ += 1;
            stack_.pop_back();
            break;
          }
          if (avail < 3) return Verdict::kNeedMore;
          pos_ += 3;  // type and field id
          pending_ = type;
        } else if (f.remaining == 0) {
          stack_.pop_back();
        } else {
          pending_ = f.kind == kMap && f.remaining % 2 == 1 ? f.value_type : f.key_type;
          --f.remaining;
        }
        break;
      }
    }
  }
}

}  // namespace arbor::hms

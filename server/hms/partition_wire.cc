#include "server/hms/partition_wire.h"

#include <algorithm>
#include <cstdint>
#include <utility>

#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/protocol/TCompactProtocol.h>

#include "server/hms/hms_convert.h"
#include "server/hms/hms_locations.h"

namespace arbor::hms {

void PresentPartition(const catalog::Partition& stored, const PartitionPresentation& how,
                      hive::Partition* out) {
  FromProtoInto(stored, out);
  if (how.render) RenderLocations(*how.render, out);
  out->dbName.assign(how.db_echo);
  out->__isset.dbName = true;
  if (!out->__isset.catName && !how.catalog.empty()) {
    out->catName.assign(how.catalog);
    out->__isset.catName = true;
  }
}

void WireBuffer::Grow(size_t len) {
  const size_t cap = std::max({cap_ * 2, size_ + len, size_t{4096}});
  std::unique_ptr<uint8_t[]> data(new uint8_t[cap]);
  if (size_ > 0) std::memcpy(data.get(), data_.get(), size_);
  data_ = std::move(data);
  cap_ = cap;
}

namespace {

using apache::thrift::protocol::T_BOOL;
using apache::thrift::protocol::T_I32;
using apache::thrift::protocol::T_I64;
using apache::thrift::protocol::T_LIST;
using apache::thrift::protocol::T_MAP;
using apache::thrift::protocol::T_STRING;
using apache::thrift::protocol::T_STRUCT;
using apache::thrift::protocol::TBinaryProtocolT;
using apache::thrift::protocol::TCompactProtocolT;

// The two protocols, each with a write of a string it does not own (the
// stored bytes), which the generated code's std::string writes cannot take.
class BinaryOut : public TBinaryProtocolT<WireBuffer> {
 public:
  using TBinaryProtocolT<WireBuffer>::TBinaryProtocolT;
  void writeView(std::string_view s) { writeString(s); }
};

class CompactOut : public TCompactProtocolT<WireBuffer> {
 public:
  using TCompactProtocolT<WireBuffer>::TCompactProtocolT;
  void writeView(std::string_view s) {
    writeVarint32(static_cast<uint32_t>(s.size()));
    trans_->write(reinterpret_cast<const uint8_t*>(s.data()), static_cast<uint32_t>(s.size()));
  }
};

// Protobuf wire types this file meets; the messages it transcodes have no
// fixed-width fields, so anything else declines.
constexpr uint32_t kVarint = 0;
constexpr uint32_t kLen = 2;

struct Record {
  uint32_t number = 0;
  uint32_t wire = 0;
  uint64_t varint = 0;     // kVarint
  std::string_view bytes;  // kLen
};

// The records of one protobuf message, in stored order.
class Records {
 public:
  explicit Records(std::string_view msg)
      : p_(reinterpret_cast<const uint8_t*>(msg.data())), end_(p_ + msg.size()) {}

  // The next record; false at the end and on malformed bytes (then failed()).
  bool Next(Record* r) {
    if (p_ == end_) return false;
    uint64_t tag;
    if (!Varint(&tag) || tag > UINT32_MAX || (tag >> 3) == 0) return Fail();
    r->number = static_cast<uint32_t>(tag >> 3);
    r->wire = static_cast<uint32_t>(tag & 7);
    if (r->wire == kVarint) return Varint(&r->varint) || Fail();
    if (r->wire != kLen) return Fail();
    uint64_t n;
    if (!Varint(&n) || n > static_cast<uint64_t>(end_ - p_)) return Fail();
    r->bytes = std::string_view(reinterpret_cast<const char*>(p_), n);
    p_ += n;
    return true;
  }
  bool failed() const { return failed_; }

 private:
  bool Fail() {
    failed_ = true;
    return false;
  }
  // Protobuf's base-128 varint: at most 10 bytes, bits past 64 dropped.
  bool Varint(uint64_t* v) {
    uint64_t result = 0;
    for (int shift = 0; shift < 70 && p_ != end_; shift += 7) {
      const uint8_t b = *p_++;
      result |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (b < 0x80) {
        *v = result;
        return true;
      }
    }
    return false;
  }

  const uint8_t* p_;
  const uint8_t* end_;
  bool failed_ = false;
};

// IsValidUtf8, with the common all-ASCII case decided inline.
inline bool Utf8(std::string_view s) {
  uint64_t bits = 0;
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, s.data() + i, sizeof word);
    bits |= word;
  }
  for (; i < s.size(); ++i)
    bits |= static_cast<uint8_t>(s[i]);
  return (bits & 0x8080808080808080ULL) == 0 || IsValidUtf8(s);
}

// The items of a presence wrapper (StringList, StringMap, FieldSchemaList, ...):
// field 1, repeated, length-delimited, and nothing else.
bool CountItems(std::string_view wrapper, uint32_t* n) {
  Records rs(wrapper);
  Record r;
  *n = 0;
  while (rs.Next(&r)) {
    if (r.number != 1 || r.wire != kLen) return false;
    ++*n;
  }
  return !rs.failed();
}

// A map<string, string> entry: key = 1, value = 2, each optional (absent is "").
bool MapEntry(std::string_view entry, std::string_view* key, std::string_view* value) {
  *key = *value = std::string_view();
  Records rs(entry);
  Record r;
  uint32_t last = 0;
  while (rs.Next(&r)) {
    if (r.wire != kLen || r.number <= last || r.number > 2) return false;
    last = r.number;
    (r.number == 1 ? *key : *value) = r.bytes;
  }
  return !rs.failed() && Utf8(*key) && Utf8(*value);
}

// A SkewedColValueLocation: values = 1 (repeated string), then location = 2.
bool SkewedEntry(std::string_view entry, uint32_t* values, std::string_view* location) {
  *values = 0;
  *location = std::string_view();
  Records rs(entry);
  Record r;
  bool located = false;
  while (rs.Next(&r)) {
    if (r.wire != kLen || located || r.number > 2 || !Utf8(r.bytes)) return false;
    if (r.number == 1) {
      ++*values;
    } else {
      *location = r.bytes;
      located = true;
    }
  }
  return !rs.failed();
}

// std::map<std::vector<std::string>, std::string>'s order on two entries'
// value lists (SkewedEntry validated both): lexicographic, bytewise.
bool ValuesLess(std::string_view a, std::string_view b) {
  Records ra(a), rb(b);
  Record x, y;
  while (true) {
    const bool has_a = ra.Next(&x) && x.number == 1;
    const bool has_b = rb.Next(&y) && y.number == 1;
    if (!has_a || !has_b) return !has_a && has_b;
    if (x.bytes != y.bytes) return x.bytes < y.bytes;
  }
}

// Writes stored messages through protocol P in the order and with the isset
// rules of the generated write(): a field is written iff the proto has it
// (every field these structs have is optional or of default requiredness, and
// the generated code writes those only when set), in Thrift id order, which
// is proto number order (hms_convert.h: field N is field N). Any false return
// declines the partition; what was written is then discarded.
template <class P>
class Writer {
 public:
  Writer(P* out, std::string* scratch) : out_(out), scratch_(scratch) {}

  bool Partition(std::string_view stored, const PartitionPresentation& how) {
    bool db_done = false, catalog_done = false;
    // The fields the presentation sets, once the stored ones before them are written.
    auto presented_before = [&](uint32_t number) {
      if (!db_done && number > 2) {
        StringField("dbName", 2, how.db_echo);
        db_done = true;
      }
      if (!catalog_done && number > 9) {
        if (!how.catalog.empty()) StringField("catName", 9, how.catalog);
        catalog_done = true;
      }
    };
    return Struct(
        "Partition", stored,
        [&](const Record& r) {
          presented_before(r.number);
          bool ok = false;
          switch (r.number) {
            case 1:
              ok = Len(r) && StringListField("values", 1, r.bytes);
              break;
            case 2:  // the stored name is replaced by the client's spelling
              ok = Len(r) && Utf8(r.bytes);
              if (ok) StringField("dbName", 2, how.db_echo);
              db_done = true;
              break;
            case 3:
              ok = Utf8Field(r, "tableName", 3);
              break;
            case 4:
              ok = I32Field(r, "createTime", 4);
              break;
            case 5:
              ok = I32Field(r, "lastAccessTime", 5);
              break;
            case 6:
              ok = Len(r) && StructField("sd", 6, [&] { return Sd(r.bytes, how); });
              break;
            case 7:
              ok = Len(r) && StringMapField("parameters", 7, r.bytes);
              break;
            case 9:
              ok = Utf8Field(r, "catName", 9);
              catalog_done = true;
              break;
            case 10:
              ok = r.wire == kVarint;
              if (ok) {
                out_->writeFieldBegin("writeId", T_I64, 10);
                out_->writeI64(static_cast<int64_t>(r.varint));
                out_->writeFieldEnd();
              }
              break;
            case 11:
              ok = BoolField(r, "isStatsCompliant", 11);
              break;
            default:  // privileges, colStats, fileMetadata, unknown: the generic path
              break;
          }
          return ok;
        },
        [&] { presented_before(UINT32_MAX); });
  }

 private:
  static bool Len(const Record& r) { return r.wire == kLen; }

  void StringField(const char* name, int16_t id, std::string_view v) {
    out_->writeFieldBegin(name, T_STRING, id);
    out_->writeView(v);
    out_->writeFieldEnd();
  }
  bool Utf8Field(const Record& r, const char* name, int16_t id) {
    if (!Len(r) || !Utf8(r.bytes)) return false;
    StringField(name, id, r.bytes);
    return true;
  }
  bool I32Field(const Record& r, const char* name, int16_t id) {
    if (r.wire != kVarint) return false;
    out_->writeFieldBegin(name, T_I32, id);
    out_->writeI32(static_cast<int32_t>(r.varint));  // proto int32: the low 32 bits
    out_->writeFieldEnd();
    return true;
  }
  bool BoolField(const Record& r, const char* name, int16_t id) {
    if (r.wire != kVarint) return false;
    out_->writeFieldBegin(name, T_BOOL, id);
    out_->writeBool(r.varint != 0);
    out_->writeFieldEnd();
    return true;
  }
  template <class F>
  bool StructField(const char* name, int16_t id, F&& body) {
    out_->writeFieldBegin(name, T_STRUCT, id);
    if (!body()) return false;
    out_->writeFieldEnd();
    return true;
  }

  // Struct `name` from message `msg`: its records in strictly increasing field
  // number, each written by `field` (false declines), then `before_stop`'s
  // fields, then the field stop.
  template <class F>
  bool Struct(const char* name, std::string_view msg, F&& field) {
    return Struct(name, msg, field, [] {});
  }
  template <class F, class E>
  bool Struct(const char* name, std::string_view msg, F&& field, E&& before_stop) {
    out_->writeStructBegin(name);
    Records rs(msg);
    Record r;
    uint32_t last = 0;
    while (rs.Next(&r)) {
      if (r.number <= last || !field(r)) return false;
      last = r.number;
    }
    if (rs.failed()) return false;
    before_stop();
    out_->writeFieldStop();
    out_->writeStructEnd();
    return true;
  }

  // list<string> from a StringList.
  bool StringList(std::string_view wrapper) {
    uint32_t n;
    if (!CountItems(wrapper, &n)) return false;
    out_->writeListBegin(T_STRING, n);
    Records rs(wrapper);
    Record r;
    while (rs.Next(&r)) {
      if (!Utf8(r.bytes)) return false;
      out_->writeView(r.bytes);
    }
    out_->writeListEnd();
    return true;
  }
  bool StringListField(const char* name, int16_t id, std::string_view wrapper) {
    out_->writeFieldBegin(name, T_LIST, id);
    if (!StringList(wrapper)) return false;
    out_->writeFieldEnd();
    return true;
  }

  // map<string, string> from a StringMap; its entries must be in std::map's
  // order already, each key once (deterministic encoding writes them so).
  bool StringMapField(const char* name, int16_t id, std::string_view wrapper) {
    uint32_t n = 0;
    std::string_view key, value, previous;
    Records rs(wrapper);
    Record r;
    while (rs.Next(&r)) {
      if (r.number != 1 || r.wire != kLen || !MapEntry(r.bytes, &key, &value)) return false;
      if (n > 0 && !(previous < key)) return false;
      previous = key;
      ++n;
    }
    if (rs.failed()) return false;
    out_->writeFieldBegin(name, T_MAP, id);
    out_->writeMapBegin(T_STRING, T_STRING, n);
    Records again(wrapper);
    while (again.Next(&r)) {
      MapEntry(r.bytes, &key, &value);
      out_->writeView(key);
      out_->writeView(value);
    }
    out_->writeMapEnd();
    out_->writeFieldEnd();
    return true;
  }

  // list<struct> from a FieldSchemaList or an OrderList.
  bool StructListField(const char* name, int16_t id, std::string_view wrapper,
                       bool (Writer::*element)(std::string_view)) {
    uint32_t n;
    if (!CountItems(wrapper, &n)) return false;
    out_->writeFieldBegin(name, T_LIST, id);
    out_->writeListBegin(T_STRUCT, n);
    Records rs(wrapper);
    Record r;
    while (rs.Next(&r)) {
      if (!(this->*element)(r.bytes)) return false;
    }
    out_->writeListEnd();
    out_->writeFieldEnd();
    return true;
  }

  bool FieldSchema(std::string_view msg) {
    return Struct("FieldSchema", msg, [&](const Record& r) {
      static constexpr const char* kNames[] = {"", "name", "type", "comment"};
      return r.number <= 3 && Utf8Field(r, kNames[r.number], static_cast<int16_t>(r.number));
    });
  }

  bool Order(std::string_view msg) {
    return Struct("Order", msg, [&](const Record& r) {
      bool ok = r.number == 1   ? Utf8Field(r, "col", 1)
                : r.number == 2 ? I32Field(r, "order", 2)
                                : false;
      return ok;
    });
  }

  bool SerDe(std::string_view msg) {
    return Struct("SerDeInfo", msg, [&](const Record& r) {
      bool ok = false;
      switch (r.number) {
        case 1:
          ok = Utf8Field(r, "name", 1);
          break;
        case 2:
          ok = Utf8Field(r, "serializationLib", 2);
          break;
        case 3:
          ok = Len(r) && StringMapField("parameters", 3, r.bytes);
          break;
        case 4:
          ok = Utf8Field(r, "description", 4);
          break;
        case 5:
          ok = Utf8Field(r, "serializerClass", 5);
          break;
        case 6:
          ok = Utf8Field(r, "deserializerClass", 6);
          break;
        case 7:
          ok = I32Field(r, "serdeType", 7);
          break;
        default:
          break;
      }
      return ok;
    });
  }

  // list<list<string>> from a StringListList.
  bool StringListListField(const char* name, int16_t id, std::string_view wrapper) {
    uint32_t n;
    if (!CountItems(wrapper, &n)) return false;
    out_->writeFieldBegin(name, T_LIST, id);
    out_->writeListBegin(T_LIST, n);
    Records rs(wrapper);
    Record r;
    while (rs.Next(&r)) {
      if (!StringList(r.bytes)) return false;
    }
    out_->writeListEnd();
    out_->writeFieldEnd();
    return true;
  }

  // map<list<string>, string> from a SkewedColValueLocationList, whose
  // entries must be in std::map's order already, each key list once.
  bool SkewedMapField(const char* name, int16_t id, std::string_view wrapper) {
    uint32_t n = 0, values;
    std::string_view location, previous;
    Records rs(wrapper);
    Record r;
    while (rs.Next(&r)) {
      if (r.number != 1 || r.wire != kLen || !SkewedEntry(r.bytes, &values, &location)) {
        return false;
      }
      if (n > 0 && !ValuesLess(previous, r.bytes)) return false;
      previous = r.bytes;
      ++n;
    }
    if (rs.failed()) return false;
    out_->writeFieldBegin(name, T_MAP, id);
    out_->writeMapBegin(T_LIST, T_STRING, n);
    Records again(wrapper);
    while (again.Next(&r)) {
      SkewedEntry(r.bytes, &values, &location);
      out_->writeListBegin(T_STRING, values);
      Records items(r.bytes);
      Record item;
      while (items.Next(&item) && item.number == 1)
        out_->writeView(item.bytes);
      out_->writeListEnd();
      out_->writeView(location);
    }
    out_->writeMapEnd();
    out_->writeFieldEnd();
    return true;
  }

  bool Skewed(std::string_view msg) {
    return Struct("SkewedInfo", msg, [&](const Record& r) {
      if (!Len(r)) return false;
      bool ok = r.number == 1   ? StringListField("skewedColNames", 1, r.bytes)
                : r.number == 2 ? StringListListField("skewedColValues", 2, r.bytes)
                : r.number == 3 ? SkewedMapField("skewedColValueLocationMaps", 3, r.bytes)
                                : false;
      return ok;
    });
  }

  bool Sd(std::string_view msg, const PartitionPresentation& how) {
    return Struct("StorageDescriptor", msg, [&](const Record& r) {
      bool ok = false;
      switch (r.number) {
        case 1:
          ok = Len(r) && StructListField("cols", 1, r.bytes, &Writer::FieldSchema);
          break;
        case 2:
          if (!Len(r) || !Utf8(r.bytes)) break;
          ok = true;
          if (how.render && how.render->enabled()) {
            scratch_->assign(r.bytes);
            how.render->Render(scratch_);
            StringField("location", 2, *scratch_);
          } else {
            StringField("location", 2, r.bytes);
          }
          break;
        case 3:
          ok = Utf8Field(r, "inputFormat", 3);
          break;
        case 4:
          ok = Utf8Field(r, "outputFormat", 4);
          break;
        case 5:
          ok = BoolField(r, "compressed", 5);
          break;
        case 6:
          ok = I32Field(r, "numBuckets", 6);
          break;
        case 7:
          ok = Len(r) && StructField("serdeInfo", 7, [&] { return SerDe(r.bytes); });
          break;
        case 8:
          ok = Len(r) && StringListField("bucketCols", 8, r.bytes);
          break;
        case 9:
          ok = Len(r) && StructListField("sortCols", 9, r.bytes, &Writer::Order);
          break;
        case 10:
          ok = Len(r) && StringMapField("parameters", 10, r.bytes);
          break;
        case 11:
          ok = Len(r) && StructField("skewedInfo", 11, [&] { return Skewed(r.bytes); });
          break;
        case 12:
          ok = BoolField(r, "storedAsSubDirectories", 12);
          break;
        default:
          break;
      }
      return ok;
    });
  }

  P* out_;
  std::string* scratch_;  // a rendered location
};

}  // namespace

struct PartitionTranscoder::Impl {
  WireProtocol protocol;
  std::unique_ptr<BinaryOut> binary;
  std::unique_ptr<CompactOut> compact;
  std::string scratch;

  // A fresh protocol: the compact one keeps per-struct state, which a
  // declined partition may have left mid-struct.
  void Reset(const std::shared_ptr<WireBuffer>& buffer) {
    if (protocol == WireProtocol::kBinary) {
      binary = std::make_unique<BinaryOut>(buffer);
    } else {
      compact = std::make_unique<CompactOut>(buffer);
    }
  }
};

PartitionTranscoder::PartitionTranscoder(WireProtocol protocol)
    : buffer_(std::make_shared<WireBuffer>()), impl_(std::make_unique<Impl>()) {
  impl_->protocol = protocol;
  impl_->Reset(buffer_);
}

PartitionTranscoder::~PartitionTranscoder() = default;

bool PartitionTranscoder::Transcode(std::string_view stored, const PartitionPresentation& how) {
  buffer_->Clear();
  const bool ok =
      impl_->protocol == WireProtocol::kBinary
          ? Writer<BinaryOut>(impl_->binary.get(), &impl_->scratch).Partition(stored, how)
          : Writer<CompactOut>(impl_->compact.get(), &impl_->scratch).Partition(stored, how);
  if (!ok) {
    buffer_->Clear();
    impl_->Reset(buffer_);
  }
  return ok;
}

}  // namespace arbor::hms

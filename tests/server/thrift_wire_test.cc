// ChunkedBinaryProtocol (server/thrift_wire.h) reads what Thrift's binary protocol
// reads, and refuses what Thrift would cast unchecked to an enum (undefined
// behaviour; found by fuzz/fuzz_thrift_request): an unknown message type, field
// type or container element type is a TProtocolException (INVALID_DATA).
#include "server/thrift_wire.h"

#include <gtest/gtest.h>
#include <thrift/transport/TBufferTransports.h>

#include <functional>
#include <memory>
#include <string>

#include "ThriftHiveMetastore.h"

namespace arbor::hms::wire {
namespace {

namespace hive = ::Apache::Hadoop::Hive;
using apache::thrift::protocol::TBinaryProtocol;
using apache::thrift::transport::TMemoryBuffer;

std::shared_ptr<TMemoryBuffer> Buffer(const std::string& bytes) {
  auto b = std::make_shared<TMemoryBuffer>();
  b->write(reinterpret_cast<const uint8_t*>(bytes.data()), static_cast<uint32_t>(bytes.size()));
  return b;
}

ChunkedBinaryProtocol Reader(const std::string& bytes) {
  return ChunkedBinaryProtocol(Buffer(bytes), 1 << 20, 1000);
}

int InvalidDataCode(const std::function<void()>& read) {
  try {
    read();
  } catch (const TProtocolException& e) {
    return e.getType();
  }
  return -1;
}

TEST(ChunkedBinaryProtocolTest, ReadsWhatTheBinaryProtocolWrites) {
  hive::Database db;
  db.__set_name("sales");
  db.__set_parameters({{"k", "v"}});
  db.__set_ownerType(hive::PrincipalType::ROLE);
  auto out = std::make_shared<TMemoryBuffer>();
  TBinaryProtocol writer(out);
  writer.writeMessageBegin("create_database", apache::thrift::protocol::T_CALL, 7);
  db.write(&writer);
  writer.writeMessageEnd();
  ChunkedBinaryProtocol reader = Reader(out->getBufferAsString());
  std::string name;
  apache::thrift::protocol::TMessageType type;
  int32_t seqid;
  reader.readMessageBegin(name, type, seqid);
  EXPECT_EQ(name, "create_database");
  EXPECT_EQ(type, apache::thrift::protocol::T_CALL);
  EXPECT_EQ(seqid, 7);
  hive::Database got;
  got.read(&reader);
  EXPECT_EQ(got, db);
}

TEST(ChunkedBinaryProtocolTest, RefusesTypesOutsideTheirEnums) {
  const int kInvalidData = TProtocolException::INVALID_DATA;
  // A strict header with message type 129; an old-style one with type 9.
  EXPECT_EQ(InvalidDataCode([] {
              std::string n;
              apache::thrift::protocol::TMessageType t;
              int32_t s;
              Reader(std::string("\x80\x01\x00\x81\0\0\0\0\0\0\0\0", 12)).readMessageBegin(n, t, s);
            }),
            kInvalidData);
  EXPECT_EQ(InvalidDataCode([] {
              std::string n;
              apache::thrift::protocol::TMessageType t;
              int32_t s;
              Reader(std::string("\0\0\0\x01x\x09\0\0\0\0", 10)).readMessageBegin(n, t, s);
            }),
            kInvalidData);
  // Field type 48 (Thrift's types end at 17), then element types 0x7f.
  EXPECT_EQ(InvalidDataCode([] {
              std::string n;
              TType t;
              int16_t id;
              Reader(std::string("\x30\0\x01", 3)).readFieldBegin(n, t, id);
            }),
            kInvalidData);
  EXPECT_EQ(InvalidDataCode([] {
              TType t;
              uint32_t size;
              Reader(std::string("\x7f\0\0\0\x01", 5)).readListBegin(t, size);
            }),
            kInvalidData);
  EXPECT_EQ(InvalidDataCode([] {
              TType k, v;
              uint32_t size;
              Reader(std::string("\x0b\x7f\0\0\0\x01", 6)).readMapBegin(k, v, size);
            }),
            kInvalidData);
  // The container limit still holds.
  EXPECT_EQ(InvalidDataCode([] {
              TType t;
              uint32_t size;
              Reader(std::string("\x0b\0\0\x10\0", 5)).readSetBegin(t, size);
            }),
            TProtocolException::SIZE_LIMIT);
}

}  // namespace
}  // namespace arbor::hms::wire

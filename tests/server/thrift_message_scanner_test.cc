// ThriftMessageScanner: finds the end of real binary-protocol messages at every
// split of their bytes, and lets malformed or over-limit ones through to the parser.
#include "server/thrift_message_scanner.h"

#include <gtest/gtest.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/TBufferTransports.h>

#include <cstdlib>
#include <random>

#include "ThriftHiveMetastore.h"

namespace arbor::hms {
namespace {

namespace hive = ::Apache::Hadoop::Hive;
using apache::thrift::protocol::TBinaryProtocol;
using apache::thrift::transport::TMemoryBuffer;
using Verdict = ThriftMessageScanner::Verdict;

template <typename Args>
std::string Encode(const std::string& method, const Args& args, bool strict = true) {
  auto buffer = std::make_shared<TMemoryBuffer>();
  TBinaryProtocol proto(buffer, 0, 0, strict, strict);
  proto.writeMessageBegin(method, apache::thrift::protocol::T_CALL, 7);
  args.write(&proto);
  proto.writeMessageEnd();
  return buffer->getBufferAsString();
}

// add_partitions with nested structs, lists, maps, strings, ints and bools.
std::string AddPartitions(int n, bool strict = true) {
  hive::ThriftHiveMetastore_add_partitions_args args;
  for (int i = 0; i < n; ++i) {
    hive::Partition p;
    p.values = {"2024-01-" + std::to_string(i), std::to_string(i)};
    p.dbName = "db";
    p.tableName = "t";
    p.createTime = i;
    p.parameters = {{"k" + std::to_string(i), std::string(i * 7, 'v')}, {"x", "y"}};
    p.sd.cols.resize(2);
    p.sd.cols[0].name = "c";
    p.sd.cols[0].type = "bigint";
    p.sd.compressed = i % 2;
    p.sd.numBuckets = -1;
    p.sd.serdeInfo.parameters["serialization.format"] = "1";
    p.__isset.sd = true;
    args.new_parts.push_back(p);
  }
  return Encode("add_partitions", args, strict);
}

ThriftMessageScanner::Options Limits() {
  ThriftMessageScanner::Options o;
  o.string_limit = 1 << 20;
  o.container_limit = 1000;
  return o;
}

TEST(ThriftMessageScannerTest, FindsTheEndAtEverySplit) {
  for (bool strict : {true, false}) {
    const std::string msg = AddPartitions(20, strict);
    ThriftMessageScanner scanner(Limits());
    for (size_t k = 1; k < msg.size(); ++k) {
      ASSERT_EQ(scanner.Scan(std::string_view(msg).substr(0, k), true), Verdict::kNeedMore)
          << "prefix " << k << " of " << msg.size();
    }
    // The next request's first bytes may already be there.
    const std::string two = msg + msg.substr(0, 9);
    ASSERT_EQ(scanner.Scan(two, true), Verdict::kComplete);
    EXPECT_EQ(scanner.message_size(), msg.size());
    scanner.Reset();
    EXPECT_EQ(scanner.Scan(std::string_view(two).substr(msg.size()), false), Verdict::kNeedMore);
  }
}

TEST(ThriftMessageScannerTest, RandomChunks) {
  const char* env = std::getenv("ARBOR_TEST_SEED");
  const uint64_t seed = env ? std::strtoull(env, nullptr, 10) : std::random_device{}();
  SCOPED_TRACE("ARBOR_TEST_SEED=" + std::to_string(seed));
  std::mt19937_64 rng(seed);
  for (int round = 0; round < 50; ++round) {
    const std::string msg = AddPartitions(static_cast<int>(rng() % 30));
    ThriftMessageScanner scanner(Limits());
    size_t have = 0;
    Verdict v = Verdict::kNeedMore;
    while (have < msg.size()) {
      have = std::min(msg.size(), have + 1 + rng() % 200);
      v = scanner.Scan(std::string_view(msg).substr(0, have), true);
      if (have < msg.size()) {
        ASSERT_EQ(v, Verdict::kNeedMore) << have;
      }
    }
    ASSERT_EQ(v, Verdict::kComplete);
    EXPECT_EQ(scanner.message_size(), msg.size());
  }
}

std::string Word(int32_t v) {
  const auto u = static_cast<uint32_t>(v);
  return {static_cast<char>(u >> 24), static_cast<char>(u >> 16), static_cast<char>(u >> 8),
          static_cast<char>(u)};
}

// A strict call header for `name`, then `body`.
std::string Call(const std::string& body) {
  return Word(static_cast<int32_t>(0x80010001u)) + Word(3) + "xyz" + Word(1) + body;
}

TEST(ThriftMessageScannerTest, MalformedOrOverLimitGoesToTheParser) {
  auto verdict = [](const std::string& bytes, bool first = false) {
    ThriftMessageScanner scanner(Limits());
    return scanner.Scan(bytes, first);
  };
  // A string claiming more than the limit, a negative one: no need to wait for it.
  EXPECT_EQ(verdict(Call(std::string("\x0b\x00\x01", 3) + Word(2 << 20))), Verdict::kDispatch);
  EXPECT_EQ(verdict(Call(std::string("\x0b\x00\x01", 3) + Word(-1))), Verdict::kDispatch);
  // Within the limit, it is waited for.
  EXPECT_EQ(verdict(Call(std::string("\x0b\x00\x01", 3) + Word(1 << 20))), Verdict::kNeedMore);
  // Containers over the limit, unknown types, a bad version, deep nesting.
  EXPECT_EQ(verdict(Call(std::string("\x0f\x00\x01\x0b", 4) + Word(1001))), Verdict::kDispatch);
  EXPECT_EQ(verdict(Call(std::string("\x0d\x00\x01\x0b\x0b", 5) + Word(-5))), Verdict::kDispatch);
  EXPECT_EQ(verdict(Call(std::string("\x7f\x00\x01", 3))), Verdict::kDispatch);
  EXPECT_EQ(verdict(Word(static_cast<int32_t>(0x80020001u))), Verdict::kDispatch);
  std::string deep;
  for (int i = 0; i < 100; ++i)
    deep += std::string("\x0c\x00\x01", 3);
  EXPECT_EQ(verdict(Call(deep)), Verdict::kDispatch);
  // A SASL START opens only a connection's first message.
  const std::string sasl = std::string("\x01\x00\x00\x00\x05", 5) + "PLAIN";
  EXPECT_EQ(verdict(sasl, true), Verdict::kDispatch);
}

TEST(ThriftMessageScannerTest, FramedAndCompact) {
  ThriftMessageScanner::Options o = Limits();
  o.framed = true;
  const std::string frame = Word(5) + "abcde";
  ThriftMessageScanner scanner(o);
  EXPECT_EQ(scanner.Scan(frame.substr(0, 3), true), Verdict::kNeedMore);
  EXPECT_EQ(scanner.Scan(frame.substr(0, 8), true), Verdict::kNeedMore);
  EXPECT_EQ(scanner.Scan(frame + "next", true), Verdict::kComplete);
  EXPECT_EQ(scanner.message_size(), 9u);
  ThriftMessageScanner huge(o);
  EXPECT_EQ(huge.Scan(Word(INT32_MAX), false), Verdict::kDispatch);
  o.framed = false;
  o.binary = false;
  ThriftMessageScanner compact(o);
  EXPECT_EQ(compact.Scan("\x82", false), Verdict::kDispatch);
}

TEST(ThriftMessageScannerTest, MethodOfAWholeMessage) {
  hive::ThriftHiveMetastore_get_table_args args;
  args.dbname = "db";
  args.tbl_name = "t";
  for (bool strict : {true, false}) {
    SCOPED_TRACE(strict ? "strict" : "old header");
    const std::string message = Encode("get_table", args, strict);
    ThriftMessageScanner scanner(Limits());
    // Not before the whole message is there.
    EXPECT_EQ(scanner.Scan(message.substr(0, 12), false), Verdict::kNeedMore);
    EXPECT_EQ(scanner.method(message.substr(0, 12)), "");
    const std::string two = message + message;
    EXPECT_EQ(scanner.Scan(two, false), Verdict::kComplete);
    EXPECT_EQ(scanner.method(two), "get_table");
    scanner.Reset();
    EXPECT_EQ(scanner.method(two), "");

    ThriftMessageScanner::Options o = Limits();
    o.framed = true;
    ThriftMessageScanner framed(o);
    const std::string frame = Word(static_cast<int32_t>(message.size())) + message;
    EXPECT_EQ(framed.Scan(frame, false), Verdict::kComplete);
    EXPECT_EQ(framed.method(frame), "get_table");
  }
  // A frame too short to hold the name it declares names nothing.
  ThriftMessageScanner::Options o = Limits();
  o.framed = true;
  ThriftMessageScanner bad(o);
  const std::string frame = Word(8) + Word(static_cast<int32_t>(0x80010001u)) + Word(100);
  EXPECT_EQ(bad.Scan(frame, false), Verdict::kComplete);
  EXPECT_EQ(bad.method(frame), "");
  // Compact: the scanner does not read its headers.
  o.binary = false;
  ThriftMessageScanner compact(o);
  const std::string compact_frame = Word(3) + "\x82\x21\x01";
  EXPECT_EQ(compact.Scan(compact_frame, false), Verdict::kComplete);
  EXPECT_EQ(compact.method(compact_frame), "");
}

}  // namespace
}  // namespace arbor::hms

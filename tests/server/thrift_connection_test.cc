// ConnectionTransport without waiting (the event loop serving a call itself,
// server/thrift_inline.cc): over a real socket pair whose send buffer fills, a
// reply goes out as far as the socket takes it and the rest is queued on the
// connection's `out` in order, every later write (also a large block) goes behind
// it (a queue goes out before anything else), --max-pending-bytes counts the
// queue exactly, and a parser that wants more than is buffered gets an error
// instead of a wait.
#include "server/thrift_connection.h"

#include <gtest/gtest.h>
#include <thrift/transport/TTransportException.h>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

namespace arbor::hms {
namespace {

using apache::thrift::transport::TTransportException;

class NoWaitTransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds_), 0);
    // A small send buffer fills after a few KB.
    const int size = 4096;
    setsockopt(fds_[0], SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
    c_ = std::make_unique<Connection>(fds_[0], "test peer", ThriftMessageScanner::Options{});
    c_->pending = &pending_;
  }
  void TearDown() override {
    c_.reset();
    close(fds_[0]);
    close(fds_[1]);
  }

  std::shared_ptr<ConnectionTransport> Transport(ConnectionTransport::Mode mode) {
    return std::make_shared<ConnectionTransport>(c_.get(),
                                                 std::make_shared<apache::thrift::TConfiguration>(),
                                                 std::chrono::seconds(1), int64_t{1} << 20, mode);
  }

  // Everything the peer can read now.
  std::string Drain() {
    std::string got;
    char buf[65536];
    while (true) {
      const ssize_t n = read(fds_[1], buf, sizeof(buf));
      if (n <= 0) return got;
      got.append(buf, static_cast<size_t>(n));
    }
  }

  static std::string Pattern(size_t n, char seed) {
    std::string s(n, '\0');
    for (size_t i = 0; i < n; ++i)
      s[i] = static_cast<char>(seed + i % 61);
    return s;
  }

  int fds_[2] = {-1, -1};
  std::atomic<int64_t> pending_{0};
  std::unique_ptr<Connection> c_;
};

TEST_F(NoWaitTransportTest, ReplyTheSocketCannotTakeIsQueuedInOrder) {
  auto t = Transport(ConnectionTransport::Mode::kNoWait);
  const std::string small = Pattern(3000, 'a');
  const std::string large = Pattern(3 * kIoChunk, 'A');  // the large-block path
  const std::string tail = Pattern(100, '0');
  t->write(reinterpret_cast<const uint8_t*>(small.data()), small.size());
  t->flush();
  t->write(reinterpret_cast<const uint8_t*>(large.data()), large.size());
  t->write(reinterpret_cast<const uint8_t*>(tail.data()), tail.size());
  t->flush();  // returns without waiting for the peer
  ASSERT_FALSE(c_->out.empty());
  EXPECT_EQ(pending_.load(), static_cast<int64_t>(c_->out.size()));
  // What the socket took, then the queue, is the reply, in order.
  std::string got = Drain() + c_->out;
  EXPECT_EQ(got, small + large + tail);
}

TEST_F(NoWaitTransportTest, AQueueGoesOutBeforeTheReply) {
  c_->out = "queued";
  c_->Account();
  auto t = Transport(ConnectionTransport::Mode::kNoWait);
  t->write(reinterpret_cast<const uint8_t*>("reply"), 5);
  t->flush();
  EXPECT_EQ(Drain(), "queuedreply");
  EXPECT_EQ(c_->out, "");
  EXPECT_EQ(pending_.load(), 0);
}

TEST_F(NoWaitTransportTest, AParserWantingMoreIsAnErrorNotAWait) {
  c_->in = "ab";
  auto t = Transport(ConnectionTransport::Mode::kNoWait);
  uint8_t buf[4];
  EXPECT_EQ(t->read(buf, 2), 2u);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(t->read(buf, 2), TTransportException);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(500));
}

TEST_F(NoWaitTransportTest, WaitingModeSendsEverythingOnceThePeerReads) {
  c_->out = "queued";
  auto t = Transport(ConnectionTransport::Mode::kWait);
  const std::string reply = Pattern(2 * kIoChunk, 'k');
  std::string got;
  std::thread reader([&] {
    while (got.size() < 6 + reply.size()) {
      got += Drain();
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  t->write(reinterpret_cast<const uint8_t*>(reply.data()), reply.size());
  t->flush();
  reader.join();
  EXPECT_TRUE(c_->out.empty());
  EXPECT_EQ(got, "queued" + reply);
  EXPECT_EQ(pending_.load(), 0);
}

}  // namespace
}  // namespace arbor::hms

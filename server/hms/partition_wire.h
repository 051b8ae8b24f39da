// A stored partition as the HMS front end answers it: the presentation rule
// (PresentPartition, into a Thrift object) and its direct transcoder
// (PartitionTranscoder, from the stored bytes to Thrift wire bytes), which
// listings use so that a partition costs no protobuf parse, no Thrift object
// and no allocation.
//
// Contract:
//   * PresentPartition(p, how) is FromProto(p) with the request's view laid
//     over it: sd.location rendered for the ref read (when a renderer is
//     enabled), dbName the database name as the client wrote it, catName the
//     stored one, else the catalog the request named (if any).
//   * For a stored catalog::Partition `stored` (its serialized bytes),
//     PartitionTranscoder::Transcode(stored, how) either yields exactly the
//     bytes the generated hive::Partition::write produces, in the
//     transcoder's protocol, for PresentPartition of ParseProto(stored), or
//     declines (returns false). It declines whatever it does not take through
//     the same rules: bytes that do not parse, strings that are not UTF-8
//     (ParseProto's Corruption), fields out of number order or repeated, map
//     entries out of key order, unknown fields, and the fields it does not
//     transcode (privileges, colStats, fileMetadata). A declined partition is
//     then answered by the generic path (parse, PresentPartition, write), so
//     declining never changes a reply, only its cost.
//     tests/server/partition_wire_test.cc checks this byte for byte on random
//     partitions, for the binary and the compact protocol.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include <thrift/transport/TVirtualTransport.h>

#include "arbor/catalog.pb.h"
#include "hive_metastore_types.h"
#include "versioning/location_renderer.h"

namespace arbor::hms {

namespace hive = ::Apache::Hadoop::Hive;

// How one request presents stored partitions.
struct PartitionPresentation {
  const LocationRenderer* render = nullptr;  // null or disabled: locations as stored
  std::string_view db_echo;                  // dbName, as the client wrote it
  std::string_view catalog;                  // catName when none is stored; "" for none
};

// Overwrites `*out` (reusing its storage) with the Thrift form of `stored`.
void PresentPartition(const catalog::Partition& stored, const PartitionPresentation& how,
                      hive::Partition* out);

// The Thrift protocols this file writes, as the connection speaks them.
enum class WireProtocol { kBinary, kCompact };

// A contiguous, growable byte buffer that a Thrift protocol writes into; reset
// per item, its storage reused.
class WireBuffer : public apache::thrift::transport::TVirtualTransport<WireBuffer> {
 public:
  void write(const uint8_t* buf, uint32_t len) {
    if (len > cap_ - size_) Grow(len);
    std::memcpy(data_.get() + size_, buf, len);
    size_ += len;
  }
  bool isOpen() const override { return true; }
  void Clear() { size_ = 0; }
  std::string_view bytes() const {
    return std::string_view(reinterpret_cast<const char*>(data_.get()), size_);
  }

 private:
  void Grow(size_t len);

  std::unique_ptr<uint8_t[]> data_;
  size_t size_ = 0;
  size_t cap_ = 0;
};

class PartitionTranscoder {
 public:
  explicit PartitionTranscoder(WireProtocol protocol);
  ~PartitionTranscoder();
  PartitionTranscoder(const PartitionTranscoder&) = delete;
  PartitionTranscoder& operator=(const PartitionTranscoder&) = delete;

  // On true, bytes() holds the partition's Thrift encoding until the next call.
  bool Transcode(std::string_view stored, const PartitionPresentation& how);
  std::string_view bytes() const { return buffer_->bytes(); }

 private:
  struct Impl;
  std::shared_ptr<WireBuffer> buffer_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace arbor::hms

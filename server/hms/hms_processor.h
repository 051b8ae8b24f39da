// SessionProcessor: the generated ThriftHiveMetastore processor, except for
// the listings that can return a whole table (get_partitions,
// get_partitions_ps, get_partitions_by_filter, get_partitions_by_names, with
// their _with_auth and _req forms, and the names listings get_partition_names,
// fetch_partition_names_req, get_partition_names_ps(_req)). Those never hold
// the reply as a vector: the handler hands over one item at a time
// (HmsHandler::stream_*), each is written at once into a buffer of bytes in
// the connection's protocol, and the reply is written as the generated code
// would write it, with the result struct's framing written by hand. A
// partition is written from its stored bytes by PartitionTranscoder
// (partition_wire.h) when it takes it, else converted to a hive::Partition and
// written by the generated serializer; a name is written straight from the
// scan's key.
//
// A Thrift list header needs the element count. When the handler announces it
// (PartitionEmitter::Expect: listings without a filter or per-partition
// privileges, counted from keys after every check that can fail), the reply
// begins then and each buffer chunk goes out as it fills. Otherwise the
// elements are buffered to the end and copied behind the list header.
//
// Contract:
//   * The reply's bytes are identical to the generated processor's for the same
//     handler answer (tests/server/hms_processor_test.cc compares them), for
//     the binary and compact protocols. Other protocols take the generated path.
//   * Errors go in the declared slot, as with the generated code, for every
//     error raised before the count is announced (a buffered listing: anywhere
//     in it; the buffered partitions are dropped). An error after a streamed
//     reply has begun, or a listing that yields another count than announced,
//     cannot be answered any more: a TTransportException closes the connection,
//     so the client sees a failed call, never a short list.
//   * Memory: streamed, one chunk plus one partition being converted;
//     buffered, the serialized partitions (about the reply's size, in chunks
//     released as they are written). The generated path holds the reply as
//     Thrift objects (1.6 times its wire size for typical partitions, plus
//     allocator overhead: 4 times in all, as measured in bench/README.md),
//     built before serialization starts.
//   * The processor event handler sees the same calls (getContext, preRead,
//     postRead, handlerError, preWrite, postWrite, freeContext).
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include <thrift/TProcessor.h>

#include "ThriftHiveMetastore.h"
#include "server/hms/hms_handler.h"

namespace arbor::hms {

// One processor serves many connections in turn: the generated processor builds a
// map of every method name when constructed, a few dozen KB, too much to keep per
// idle connection. A worker keeps one and points it at the session it serves.
class SessionProcessor : public ::Apache::Hadoop::Hive::ThriftHiveMetastoreProcessor {
 public:
  SessionProcessor() : ThriftHiveMetastoreProcessor(nullptr) {}
  // The connection's handler from now on; nullptr detaches.
  virtual void SetSession(const std::shared_ptr<HmsHandler>& session) = 0;
};

std::unique_ptr<SessionProcessor> MakeSessionProcessor();

// Whether the listener's event loop may serve a call to `method` itself, when it
// is otherwise idle, instead of handing it to a worker (thrift_event_loop.cc).
// What qualifies: a call whose cost is bounded by one object, never by the
// catalog's size, that takes no lock and writes nothing: reads of one database,
// table or partition (with its schema), and session calls. Writes, locks and
// transactions never qualify, listings only within a budget (below): while the
// loop serves, no other connection is read.
bool ServedInline(std::string_view method);

// Listings the loop may also serve, within a budget of candidates (the keys
// the listing reads; HmsHandler::SetListingBudget): this many, 0 for a method
// it may not. A listing over its budget, or one whose candidates only a scan
// could count (edits not yet committed in its range), throws
// ListingOverBudget before writing anything, and a worker serves it.
uint64_t InlineListingBudget(std::string_view method);

// A call observer from which a call can be withdrawn: one that throws
// ListingOverBudget is served, and observed, again by a worker.
class CallWithdrawal : public apache::thrift::TProcessorEventHandler {
 public:
  virtual void Withdraw(void* ctx) = 0;
};

// A processor bound to one handler, which may be any implementation (tests compare
// the streamed replies of an HmsHandler with the generated code's).
std::shared_ptr<apache::thrift::TProcessor> MakeHmsProcessor(
    std::shared_ptr<::Apache::Hadoop::Hive::ThriftHiveMetastoreIf> handler);

}  // namespace arbor::hms

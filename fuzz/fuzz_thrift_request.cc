// Fuzzes the Thrift request path into the HMS handler as arbord serves it: the
// listener's message scanner, then the real processor (MakeHmsProcessor: the
// generated one plus the streamed listings) over the listener's protocols
// (ChunkedBinaryProtocol or compact, with arbord's default size limits), calling a
// real HmsHandler on a fresh in-memory repository (`default` and `sales`, a `dev`
// branch), so each input replays alone.
//
// Input: one byte, whose low bit picks the protocol (0 binary, 1 compact), then
// Thrift messages back to back; each is processed in turn, as a connection's
// requests are, until the bytes run out or the protocol rejects them (the listener
// closes the connection then). A Thrift protocol or transport error is an answer;
// anything else escaping the processor, a crash or a sanitizer report is a bug.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include <thrift/protocol/TCompactProtocol.h>
#include <thrift/transport/TBufferTransports.h>

#include "server/hms/hms_context.h"
#include "server/hms/hms_handler.h"
#include "server/hms/hms_processor.h"
#include "server/thrift_message_scanner.h"
#include "server/thrift_wire.h"
#include "storage/mem_kv_store.h"
#include "versioning/catalog.h"
#include "versioning/repository.h"

namespace {

using apache::thrift::TException;
using apache::thrift::protocol::TProtocol;
using apache::thrift::transport::TMemoryBuffer;

// arbord's defaults (server/config.h): max_message_bytes, max_container_elements.
constexpr int32_t kStringLimit = 256 << 20;
constexpr int32_t kContainerLimit = 32'768;
// More requests than any seed holds; bounds an input's cost.
constexpr int kMaxMessages = 32;

std::shared_ptr<TProtocol> ProtocolOver(std::shared_ptr<TMemoryBuffer> buffer, bool compact) {
  if (compact) {
    return std::make_shared<apache::thrift::protocol::TCompactProtocol>(
        std::move(buffer), kStringLimit, kContainerLimit);
  }
  return std::make_shared<arbor::hms::wire::ChunkedBinaryProtocol>(std::move(buffer), kStringLimit,
                                                                   kContainerLimit);
}

std::unique_ptr<arbor::Repository> NewRepository(arbor::MemKvStore* kv) {
  arbor::catalog::Database def;
  def.set_name("default");
  def.set_location_uri("s3a://fuzz/warehouse");
  arbor::catalog::Database sales;
  sales.set_name("sales");
  sales.set_location_uri("s3a://fuzz/warehouse/sales.db");
  arbor::RepositoryOptions o;
  auto initial = arbor::InitialCatalogEdits({def, sales});
  if (!initial.ok()) std::abort();
  o.initial_entries = std::move(initial).value();
  o.node_cache_bytes = 1 << 20;
  o.commit_cache_bytes = 256 << 10;
  auto repo = arbor::Repository::Open(kv, std::move(o));
  if (!repo.ok() || !(*repo)->CreateBranch("dev", "main").ok()) std::abort();
  return std::move(*repo);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool compact = data[0] & 1;
  std::string_view requests(reinterpret_cast<const char*>(data + 1), size - 1);

  // The listener hands the processor only what its scanner lets through; run it
  // on the same bytes (it must neither crash nor read past them).
  arbor::hms::ThriftMessageScanner::Options scan;
  scan.binary = !compact;
  scan.string_limit = kStringLimit;
  scan.container_limit = kContainerLimit;
  arbor::hms::ThriftMessageScanner scanner(scan);
  if (scanner.Scan(requests, /*first_message=*/true) ==
      arbor::hms::ThriftMessageScanner::Verdict::kComplete) {
    if (scanner.message_size() > requests.size()) std::abort();
    // The method name the event loop decides on lies within the message.
    const std::string_view method = scanner.method(requests);
    if (!method.empty() &&
        (method.data() < requests.data() ||
         method.data() + method.size() > requests.data() + scanner.message_size())) {
      std::abort();
    }
  }

  arbor::MemKvStore kv;
  std::unique_ptr<arbor::Repository> repo = NewRepository(&kv);
  arbor::hms::LockManager locks(std::chrono::seconds(10));
  arbor::hms::HmsContext context;
  context.repo = repo.get();
  context.locks = &locks;
  // Object-store locations only: nothing a request names touches the file system.
  context.options.warehouse = "s3a://fuzz/warehouse";
  context.options.create_local_directories = false;
  auto handler = std::make_shared<arbor::hms::HmsHandler>(&context, "fuzz");
  auto processor = arbor::hms::MakeHmsProcessor(handler);

  auto in_buffer = std::make_shared<TMemoryBuffer>(
      const_cast<uint8_t*>(reinterpret_cast<const uint8_t*>(requests.data())),
      static_cast<uint32_t>(requests.size()), TMemoryBuffer::OBSERVE);
  auto out_buffer = std::make_shared<TMemoryBuffer>();
  auto in = ProtocolOver(in_buffer, compact);
  auto out = ProtocolOver(out_buffer, compact);
  try {
    for (int i = 0; i < kMaxMessages && in_buffer->available_read() > 0; ++i) {
      if (!processor->process(in, out, nullptr)) break;
      out_buffer->resetBuffer();
    }
  } catch (const TException&) {
    // Malformed bytes: the listener logs and closes the connection.
  }
  return 0;
}

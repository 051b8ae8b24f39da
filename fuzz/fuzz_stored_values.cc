// Fuzzes the decoders of stored bytes: prolly tree nodes (storage/prolly_node.h),
// commits (versioning/commit_store.h), staged values (versioning/staging.h) and the
// catalog entity messages (versioning/deterministic_proto.h). Storage is trusted, but
// a damaged disk must surface as Corruption, never as a crash. A node that decodes
// must re-encode to bytes that decode to the same node.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "arbor/catalog.pb.h"
#include "storage/prolly_node.h"
#include "versioning/commit_store.h"
#include "versioning/deterministic_proto.h"
#include "versioning/staging.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto node = arbor::DecodeNode(bytes);
  if (node.ok()) {
    std::string again = arbor::EncodeNode(*node);
    auto round = arbor::DecodeNode(again);
    if (!round.ok() || !(round->level == node->level && round->entries == node->entries)) {
      std::abort();  // encode(decode(x)) must decode to the same node
    }
    (void)node->TotalCount();
    if (!node->entries.empty()) (void)node->LowerBound(node->entries.back().key);
  }
  (void)arbor::DecodeCommit(arbor::ObjectId::Hash(3, bytes), bytes);
  (void)arbor::DecodeStagedValue(bytes);
  arbor::catalog::Table table;
  (void)arbor::ParseProto(bytes, &table);
  arbor::catalog::Partition partition;
  if (arbor::ParseProto(bytes, &partition).ok()) {
    (void)arbor::SerializeDeterministic(partition);
  }
  return 0;
}

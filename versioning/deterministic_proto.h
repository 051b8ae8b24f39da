// Deterministic protobuf encoding for stored values and hashed objects.
//
// Contract: SerializeDeterministic(a) == SerializeDeterministic(b) whenever a and
// b are equal messages of the same type built by the same binary, whatever the
// insertion order of their map fields (map entries are written sorted by key).
// This is what makes "equal entities have equal bytes" (docs/storage-format.md#catalog-values) and
// content-addressed ids (docs/storage-format.md#objects-and-object-ids) hold. Protobuf does not
// promise the same bytes across library versions, so an object's id comes from the bytes as stored;
// never expect re-encoding a parsed value to reproduce an old id.
#pragma once

#include <string>
#include <string_view>

#include <google/protobuf/message_lite.h>

#include "base/status.h"

namespace arbor {

// Serializes `message` with map entries sorted by key. Precondition: the
// encoding is under 2 GiB, protobuf's own limit (the Thrift front end caps
// request sizes far below it); past it the result is empty.
std::string SerializeDeterministic(const google::protobuf::MessageLite& message);

// Replaces `*message` with the message encoded in `bytes`. Returns Corruption,
// naming the message type, when the bytes do not parse as that type (also for
// invalid UTF-8 in a `string` field, which proto3 rejects on parse).
Status ParseProto(std::string_view bytes, google::protobuf::MessageLite* message);

}  // namespace arbor

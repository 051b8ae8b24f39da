#include "versioning/deterministic_proto.h"

#include <climits>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

namespace arbor {

std::string SerializeDeterministic(const google::protobuf::MessageLite& message) {
  const size_t size = message.ByteSizeLong();
  if (size > static_cast<size_t>(INT_MAX)) return std::string();
  std::string out(size, '\0');
  google::protobuf::io::ArrayOutputStream array(out.data(), static_cast<int>(size));
  google::protobuf::io::CodedOutputStream coded(&array);
  // Without this flag, map fields are written in hash-table order, which
  // depends on insertion history; with it they are sorted by key.
  coded.SetSerializationDeterministic(true);
  // ByteSizeLong() above cached the sizes that this call relies on.
  message.SerializeWithCachedSizes(&coded);
  coded.Trim();
  if (coded.HadError() || coded.ByteCount() != static_cast<int64_t>(size)) return std::string();
  return out;
}

Status ParseProto(std::string_view bytes, google::protobuf::MessageLite* message) {
  if (bytes.size() > static_cast<size_t>(INT_MAX)) {
    return Status::Corruption("cannot parse " + message->GetTypeName() + ": " +
                              std::to_string(bytes.size()) + " bytes exceed the 2 GiB limit");
  }
  // ParseFromArray clears the message first and reads the whole input, so a
  // truncated value fails instead of yielding a partial message.
  if (!message->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return Status::Corruption("cannot parse " + message->GetTypeName() + " from " +
                              std::to_string(bytes.size()) + " bytes");
  }
  return Status::OK();
}

}  // namespace arbor

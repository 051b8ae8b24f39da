// The admin API's JSON: admin.proto messages rendered in protobuf's JSON mapping
// (proto field names, every scalar/list/map field printed), with catalog entities
// embedded verbatim as versioning/entity_summary.h renders them.
//
// Contract: an entity's google.protobuf.Struct slot is filled only through
// EntityMessageToStruct or EntityBytesToStruct; ToJson then prints it exactly as
// EntityToJson does (field declaration order, exact numbers), which re-printing a
// Struct, whose map order is arbitrary, would not. Everything else is plain
// MessageToJsonString with the options above. Nothing outlives one ToJson call.
#pragma once

#include <google/protobuf/message.h>
#include <google/protobuf/struct.pb.h>

#include <string>
#include <string_view>

#include "base/status.h"
#include "server/admin/admin_api.h"
#include "versioning/catalog_key.h"

namespace arbor::admin_api {

// The message as the API's JSON, newline-terminated.
std::string ToJson(const google::protobuf::Message& m);

// A message as a Struct (for an error's details), printed as ToJson prints it.
Status MessageToStruct(const google::protobuf::Message& m, google::protobuf::Struct* out);

// A catalog entity for `out`, with only the fields set, embedded verbatim.
Status EntityMessageToStruct(const google::protobuf::Message& m, google::protobuf::Struct* out);
// The same from the entity's stored bytes.
Status EntityBytesToStruct(CatalogKey::Kind kind, std::string_view bytes,
                           google::protobuf::Struct* out);

HttpResponse JsonResponse(int status, const google::protobuf::Message& m);
HttpResponse NoContent();

}  // namespace arbor::admin_api

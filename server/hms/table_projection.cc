#include "server/hms/table_projection.h"

#include <string_view>

namespace arbor::hms {
namespace {

using hive::Table;

// Copies one field of `in` (with its isset flag) into `out`, creating the
// enclosing sd / serdeInfo there when `in` has them.
using Copy = void (*)(const Table& in, Table* out);

struct Field {
  std::string_view path;
  bool multi_valued;  // a list or map, or a path under one
  Copy copy;          // null for multi-valued fields (they answer whole tables)
};

#define ARBOR_TOP(f)                               \
  Field {                                          \
#f, false, [](const Table& in, Table* out) {     \
      out->f = in.f;                                 \
      out->__isset.f = in.__isset.f;                 \
    } \
  }
#define ARBOR_SD(f)                                    \
  Field {                                              \
    "sd." #f, false, [](const Table& in, Table* out) { \
      if (!in.__isset.sd) return;                      \
      out->__isset.sd = true;                          \
      out->sd.f = in.sd.f;                             \
      out->sd.__isset.f = in.sd.__isset.f;             \
    }                                                  \
  }
#define ARBOR_SERDE(f)                                           \
  Field {                                                        \
    "sd.serdeInfo." #f, false, [](const Table& in, Table* out) { \
      if (!in.__isset.sd || !in.sd.__isset.serdeInfo) return;    \
      out->__isset.sd = true;                                    \
      out->sd.__isset.serdeInfo = true;                          \
      out->sd.serdeInfo.f = in.sd.serdeInfo.f;                   \
      out->sd.serdeInfo.__isset.f = in.sd.serdeInfo.__isset.f;   \
    }                                                            \
  }
#define ARBOR_MULTI(p) \
  Field {              \
    p, true, nullptr   \
  }

const Field kFields[] = {
    ARBOR_TOP(tableName),
    ARBOR_TOP(dbName),
    ARBOR_TOP(owner),
    ARBOR_TOP(createTime),
    ARBOR_TOP(lastAccessTime),
    ARBOR_TOP(retention),
    ARBOR_TOP(viewOriginalText),
    ARBOR_TOP(viewExpandedText),
    ARBOR_TOP(tableType),
    ARBOR_TOP(temporary),
    ARBOR_TOP(rewriteEnabled),
    ARBOR_TOP(catName),
    ARBOR_TOP(ownerType),
    ARBOR_TOP(writeId),
    ARBOR_TOP(isStatsCompliant),
    ARBOR_TOP(accessType),
    ARBOR_TOP(id),
    ARBOR_SD(location),
    ARBOR_SD(inputFormat),
    ARBOR_SD(outputFormat),
    ARBOR_SD(compressed),
    ARBOR_SD(numBuckets),
    ARBOR_SD(storedAsSubDirectories),
    ARBOR_SERDE(name),
    ARBOR_SERDE(serializationLib),
    ARBOR_SERDE(description),
    ARBOR_SERDE(serializerClass),
    ARBOR_SERDE(deserializerClass),
    ARBOR_SERDE(serdeType),
    ARBOR_MULTI("parameters"),
    ARBOR_MULTI("partitionKeys"),
    ARBOR_MULTI("partitionKeys.name"),
    ARBOR_MULTI("partitionKeys.type"),
    ARBOR_MULTI("partitionKeys.comment"),
    ARBOR_MULTI("privileges"),
    ARBOR_MULTI("creationMetadata"),
    ARBOR_MULTI("colStats"),
    ARBOR_MULTI("requiredReadCapabilities"),
    ARBOR_MULTI("requiredWriteCapabilities"),
    ARBOR_MULTI("sd"),
    ARBOR_MULTI("sd.cols"),
    ARBOR_MULTI("sd.cols.name"),
    ARBOR_MULTI("sd.cols.type"),
    ARBOR_MULTI("sd.cols.comment"),
    ARBOR_MULTI("sd.bucketCols"),
    ARBOR_MULTI("sd.sortCols"),
    ARBOR_MULTI("sd.sortCols.col"),
    ARBOR_MULTI("sd.sortCols.order"),
    ARBOR_MULTI("sd.parameters"),
    ARBOR_MULTI("sd.serdeInfo"),
    ARBOR_MULTI("sd.serdeInfo.parameters"),
    ARBOR_MULTI("sd.skewedInfo"),
    ARBOR_MULTI("sd.skewedInfo.skewedColNames"),
    ARBOR_MULTI("sd.skewedInfo.skewedColValues"),
    ARBOR_MULTI("sd.skewedInfo.skewedColValueLocationMaps"),
};

// The fields Hive's server always writes (see the header).
const std::string_view kAlwaysSent[] = {"createTime", "lastAccessTime", "retention"};
const std::string_view kAlwaysSentInSd[] = {"sd.compressed", "sd.numBuckets"};

#undef ARBOR_TOP
#undef ARBOR_SD
#undef ARBOR_SERDE
#undef ARBOR_MULTI

const Field* Find(std::string_view path) {
  for (const Field& f : kFields) {
    if (f.path == path) return &f;
  }
  return nullptr;
}

}  // namespace

Result<TableProjection> TableProjection::Parse(const hive::GetProjectionsSpec& spec) {
  if ((spec.__isset.includeParamKeyPattern && !spec.includeParamKeyPattern.empty()) ||
      (spec.__isset.excludeParamKeyPattern && !spec.excludeParamKeyPattern.empty())) {
    return Status::InvalidRequest(
        "Include and exclude parameter key patterns are not supported for tables");
  }
  TableProjection p;
  bool multi = false;
  for (const auto& path : spec.fieldList) {
    const Field* f = Find(path);
    if (f == nullptr) {
      return Status::InvalidRequest("Invalid field name in the table projection: " + path);
    }
    multi = multi || f->multi_valued;
    p.fields_.push_back(path);
  }
  p.whole_ = p.fields_.empty() || multi;
  if (p.whole_) p.fields_.clear();
  return p;
}

Table TableProjection::Apply(const Table& table) const {
  if (whole_) return table;
  Table out;
  for (const auto& path : fields_)
    Find(path)->copy(table, &out);
  for (std::string_view path : kAlwaysSent)
    Find(path)->copy(table, &out);
  if (out.__isset.sd) {
    for (std::string_view path : kAlwaysSentInSd)
      Find(path)->copy(table, &out);
  }
  return out;
}

}  // namespace arbor::hms

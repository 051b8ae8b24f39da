#include "server/hms/hms_convert.h"

#include <concepts>
#include <cstdint>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

#include <google/protobuf/map.h>
#include <google/protobuf/repeated_ptr_field.h>

namespace arbor::hms {

bool IsValidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* const end = p + s.size();
  while (p < end) {
    if (end - p >= 8) {
      uint64_t word;
      std::memcpy(&word, p, sizeof word);
      if ((word & 0x8080808080808080ULL) == 0) {
        p += 8;
        continue;
      }
    }
    const unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    // Lead byte: how many continuation bytes follow, and the allowed range of
    // the first one (which excludes overlong forms, surrogates and values
    // above U+10FFFF).
    int n = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
    } else if (c == 0xE0) {
      n = 2, lo = 0xA0;
    } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
      n = 2;
    } else if (c == 0xED) {
      n = 2, hi = 0x9F;
    } else if (c == 0xF0) {
      n = 3, lo = 0x90;
    } else if (c >= 0xF1 && c <= 0xF3) {
      n = 3;
    } else if (c == 0xF4) {
      n = 3, hi = 0x8F;
    } else {
      return false;
    }
    if (end - p <= n) return false;
    if (p[1] < lo || p[1] > hi) return false;
    for (int i = 2; i <= n; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
    }
    p += n + 1;
  }
  return true;
}

namespace {

namespace pb = ::google::protobuf;

// Where a value sits in the struct being converted, named with Thrift's field
// names. Built on the stack while descending; rendered only for an error.
class Path {
 public:
  explicit Path(std::string_view root) : text_(root) {}

  Path Field(std::string_view name) const { return Path(this, Kind::kField, name, 0); }
  Path Index(size_t i) const { return Path(this, Kind::kIndex, {}, i); }
  Path Key(std::string_view key) const { return Path(this, Kind::kKey, key, 0); }

  std::string ToString() const {
    std::string out = parent_ ? parent_->ToString() : std::string();
    switch (kind_) {
      case Kind::kRoot:
        out += text_;
        break;
      case Kind::kField:
        out += '.';
        out += text_;
        break;
      case Kind::kIndex:
        out += '[' + std::to_string(index_) + ']';
        break;
      case Kind::kKey:
        out += "['";
        for (char c : text_) {
          if (c == '\'' || c == '\\') out += '\\';
          out += c;
        }
        out += "']";
        break;
    }
    return out;
  }

 private:
  enum class Kind { kRoot, kField, kIndex, kKey };
  Path(const Path* parent, Kind kind, std::string_view text, size_t index)
      : parent_(parent), kind_(kind), text_(text), index_(index) {}

  const Path* parent_ = nullptr;
  Kind kind_ = Kind::kRoot;
  std::string_view text_;
  size_t index_ = 0;
};

// Thrift's reader stores any i32 from the wire in an enum field, including
// values outside the enum's range, which C++ may not load as the enum type.
// Raw reads enums through their bytes; other values pass through.
template <class T>
decltype(auto) Raw(const T& value) {
  if constexpr (std::is_enum_v<T>) {
    std::underlying_type_t<T> raw;
    std::memcpy(&raw, &value, sizeof raw);
    return static_cast<int32_t>(raw);
  } else {
    return (value);
  }
}

Status NotUtf8(const Path& p) {
  return Status::InvalidArgument(p.ToString() + " is not valid UTF-8");
}

// Presence wrappers of catalog.proto: a list (`items`) or a map (`entries`).
template <class W>
concept ListWrapper = requires(W& w) {
  w.items();
  w.mutable_items();
};
template <class W>
concept MapWrapper = requires(W& w) {
  w.entries();
  w.mutable_entries();
};

// ---------------------------------------------------------------------------
// Thrift -> proto: Put(in, path, out) fills `out` from `in`.
//
// All overloads are declared before any is defined: the container templates
// find the element overloads by ordinary lookup, and argument-dependent
// lookup would not search this namespace.

// Text: validated.
Status Put(const std::string& in, const Path& p, std::string* out);
// list<binary>: copied as is, no UTF-8 rule (preferred over the list template).
Status Put(const std::vector<std::string>& in, const Path& p, catalog::BytesList* out);
// map<list<string>, string>; std::map iterates it sorted, which is the stored order.
Status Put(const std::map<std::vector<std::string>, std::string>& in, const Path& p,
           catalog::SkewedColValueLocationList* out);
// Lists and sets (a std::set iterates sorted, which is the stored order).
template <class C, class E>
Status Put(const C& in, const Path& p, pb::RepeatedPtrField<E>* out);
template <class T, ListWrapper W>
Status Put(const std::vector<T>& in, const Path& p, W* out);
// Maps with string keys.
template <class V, class PV>
Status Put(const std::map<std::string, V>& in, const Path& p, pb::Map<std::string, PV>* out);
template <class V, MapWrapper W>
Status Put(const std::map<std::string, V>& in, const Path& p, W* out);
// Structs.
Status Put(const hive::FieldSchema& in, const Path& p, catalog::FieldSchema* out);
Status Put(const hive::SerDeInfo& in, const Path& p, catalog::SerDeInfo* out);
Status Put(const hive::Order& in, const Path& p, catalog::Order* out);
Status Put(const hive::SkewedInfo& in, const Path& p, catalog::SkewedInfo* out);
Status Put(const hive::StorageDescriptor& in, const Path& p, catalog::StorageDescriptor* out);
Status Put(const hive::PrivilegeGrantInfo& in, const Path& p, catalog::PrivilegeGrantInfo* out);
Status Put(const hive::PrincipalPrivilegeSet& in, const Path& p,
           catalog::PrincipalPrivilegeSet* out);
Status Put(const hive::Database& in, const Path& p, catalog::Database* out);
Status Put(const hive::CreationMetadata& in, const Path& p, catalog::CreationMetadata* out);
Status Put(const hive::SourceTable& in, const Path& p, catalog::SourceTable* out);
Status Put(const hive::FileMetadata& in, const Path& p, catalog::FileMetadata* out);
Status Put(const hive::ObjectDictionary& in, const Path& p, catalog::ObjectDictionary* out);
Status Put(const hive::Table& in, const Path& p, catalog::Table* out);
Status Put(const hive::Partition& in, const Path& p, catalog::Partition* out);
Status Put(const hive::ResourceUri& in, const Path& p, catalog::ResourceUri* out);
Status Put(const hive::Function& in, const Path& p, catalog::Function* out);
Status Put(const hive::BooleanColumnStatsData& in, const Path& p,
           catalog::BooleanColumnStatsData* out);
Status Put(const hive::DoubleColumnStatsData& in, const Path& p,
           catalog::DoubleColumnStatsData* out);
Status Put(const hive::LongColumnStatsData& in, const Path& p, catalog::LongColumnStatsData* out);
Status Put(const hive::StringColumnStatsData& in, const Path& p,
           catalog::StringColumnStatsData* out);
Status Put(const hive::BinaryColumnStatsData& in, const Path& p,
           catalog::BinaryColumnStatsData* out);
Status Put(const hive::Decimal& in, const Path& p, catalog::Decimal* out);
Status Put(const hive::DecimalColumnStatsData& in, const Path& p,
           catalog::DecimalColumnStatsData* out);
Status Put(const hive::Date& in, const Path& p, catalog::Date* out);
Status Put(const hive::DateColumnStatsData& in, const Path& p, catalog::DateColumnStatsData* out);
Status Put(const hive::Timestamp& in, const Path& p, catalog::Timestamp* out);
Status Put(const hive::TimestampColumnStatsData& in, const Path& p,
           catalog::TimestampColumnStatsData* out);
Status Put(const hive::ColumnStatisticsData& in, const Path& p, catalog::ColumnStatisticsData* out);
Status Put(const hive::ColumnStatisticsObj& in, const Path& p, catalog::ColumnStatisticsObj* out);
Status Put(const hive::ColumnStatisticsDesc& in, const Path& p, catalog::ColumnStatisticsDesc* out);
Status Put(const hive::ColumnStatistics& in, const Path& p, catalog::ColumnStatistics* out);

// Field-level forms. `in`, `p` and `out` are the enclosing Put's parameters;
// `tf` is the Thrift field name and `pf` the proto field name.
//   PUT: text, containers and structs (through the overloads above).
//   SET: numbers, bools, enums and `binary`, copied as is.
//   PUT_REQUIRED: a Hive-required container the proto stores without a
//   presence wrapper; unset is rejected rather than stored as empty.
#define ARBOR_PUT(tf, pf)                                                   \
  do {                                                                      \
    if (in.__isset.tf) {                                                    \
      ARBOR_RETURN_IF_ERROR(Put(in.tf, p.Field(#tf), out->mutable_##pf())); \
    }                                                                       \
  } while (0)
#define ARBOR_SET(tf, pf)                         \
  do {                                            \
    if (in.__isset.tf) out->set_##pf(Raw(in.tf)); \
  } while (0)
#define ARBOR_PUT_REQUIRED(tf, pf)                                              \
  do {                                                                          \
    if (!in.__isset.tf) {                                                       \
      return Status::InvalidArgument(p.Field(#tf).ToString() + " is required"); \
    }                                                                           \
    ARBOR_RETURN_IF_ERROR(Put(in.tf, p.Field(#tf), out->mutable_##pf()));       \
  } while (0)

Status Put(const std::string& in, const Path& p, std::string* out) {
  if (!IsValidUtf8(in)) return NotUtf8(p);
  out->assign(in);
  return Status::OK();
}

Status Put(const std::vector<std::string>& in, const Path& p, catalog::BytesList* out) {
  out->mutable_items()->Assign(in.begin(), in.end());
  return Status::OK();
}

Status Put(const std::map<std::vector<std::string>, std::string>& in, const Path& p,
           catalog::SkewedColValueLocationList* out) {
  out->mutable_items()->Reserve(static_cast<int>(in.size()));
  size_t i = 0;
  for (const auto& [values, location] : in) {
    const Path entry = p.Index(i++);
    catalog::SkewedColValueLocation* item = out->add_items();
    ARBOR_RETURN_IF_ERROR(Put(values, entry.Field("key"), item->mutable_values()));
    ARBOR_RETURN_IF_ERROR(Put(location, entry.Field("value"), item->mutable_location()));
  }
  return Status::OK();
}

template <class C, class E>
Status Put(const C& in, const Path& p, pb::RepeatedPtrField<E>* out) {
  out->Reserve(static_cast<int>(in.size()));
  size_t i = 0;
  for (const auto& item : in) {
    ARBOR_RETURN_IF_ERROR(Put(item, p.Index(i++), out->Add()));
  }
  return Status::OK();
}

template <class T, ListWrapper W>
Status Put(const std::vector<T>& in, const Path& p, W* out) {
  return Put(in, p, out->mutable_items());
}

template <class V, class PV>
Status Put(const std::map<std::string, V>& in, const Path& p, pb::Map<std::string, PV>* out) {
  for (const auto& [key, value] : in) {
    if (!IsValidUtf8(key)) {
      return Status::InvalidArgument(p.ToString() + " has a key that is not valid UTF-8");
    }
    ARBOR_RETURN_IF_ERROR(Put(value, p.Key(key), &(*out)[key]));
  }
  return Status::OK();
}

template <class V, MapWrapper W>
Status Put(const std::map<std::string, V>& in, const Path& p, W* out) {
  return Put(in, p, out->mutable_entries());
}

Status Put(const hive::FieldSchema& in, const Path& p, catalog::FieldSchema* out) {
  ARBOR_PUT(name, name);
  ARBOR_PUT(type, type);
  ARBOR_PUT(comment, comment);
  return Status::OK();
}

Status Put(const hive::SerDeInfo& in, const Path& p, catalog::SerDeInfo* out) {
  ARBOR_PUT(name, name);
  ARBOR_PUT(serializationLib, serialization_lib);
  ARBOR_PUT(parameters, parameters);
  ARBOR_PUT(description, description);
  ARBOR_PUT(serializerClass, serializer_class);
  ARBOR_PUT(deserializerClass, deserializer_class);
  ARBOR_SET(serdeType, serde_type);
  return Status::OK();
}

Status Put(const hive::Order& in, const Path& p, catalog::Order* out) {
  ARBOR_PUT(col, col);
  ARBOR_SET(order, order);
  return Status::OK();
}

Status Put(const hive::SkewedInfo& in, const Path& p, catalog::SkewedInfo* out) {
  ARBOR_PUT(skewedColNames, skewed_col_names);
  ARBOR_PUT(skewedColValues, skewed_col_values);
  ARBOR_PUT(skewedColValueLocationMaps, skewed_col_value_location_maps);
  return Status::OK();
}

Status Put(const hive::StorageDescriptor& in, const Path& p, catalog::StorageDescriptor* out) {
  ARBOR_PUT(cols, cols);
  ARBOR_PUT(location, location);
  ARBOR_PUT(inputFormat, input_format);
  ARBOR_PUT(outputFormat, output_format);
  ARBOR_SET(compressed, compressed);
  ARBOR_SET(numBuckets, num_buckets);
  ARBOR_PUT(serdeInfo, serde_info);
  ARBOR_PUT(bucketCols, bucket_cols);
  ARBOR_PUT(sortCols, sort_cols);
  ARBOR_PUT(parameters, parameters);
  ARBOR_PUT(skewedInfo, skewed_info);
  ARBOR_SET(storedAsSubDirectories, stored_as_sub_directories);
  return Status::OK();
}

Status Put(const hive::PrivilegeGrantInfo& in, const Path& p, catalog::PrivilegeGrantInfo* out) {
  ARBOR_PUT(privilege, privilege);
  ARBOR_SET(createTime, create_time);
  ARBOR_PUT(grantor, grantor);
  ARBOR_SET(grantorType, grantor_type);
  ARBOR_SET(grantOption, grant_option);
  return Status::OK();
}

Status Put(const hive::PrincipalPrivilegeSet& in, const Path& p,
           catalog::PrincipalPrivilegeSet* out) {
  ARBOR_PUT(userPrivileges, user_privileges);
  ARBOR_PUT(groupPrivileges, group_privileges);
  ARBOR_PUT(rolePrivileges, role_privileges);
  return Status::OK();
}

Status Put(const hive::Database& in, const Path& p, catalog::Database* out) {
  ARBOR_PUT(name, name);
  ARBOR_PUT(description, description);
  ARBOR_PUT(locationUri, location_uri);
  ARBOR_PUT(parameters, parameters);
  ARBOR_PUT(privileges, privileges);
  ARBOR_PUT(ownerName, owner_name);
  ARBOR_SET(ownerType, owner_type);
  ARBOR_PUT(catalogName, catalog_name);
  ARBOR_SET(createTime, create_time);
  ARBOR_PUT(managedLocationUri, managed_location_uri);
  ARBOR_SET(type, type);
  ARBOR_PUT(connector_name, connector_name);
  ARBOR_PUT(remote_dbname, remote_dbname);
  return Status::OK();
}

Status Put(const hive::CreationMetadata& in, const Path& p, catalog::CreationMetadata* out) {
  ARBOR_PUT(catName, cat_name);
  ARBOR_PUT(dbName, db_name);
  ARBOR_PUT(tblName, tbl_name);
  ARBOR_PUT_REQUIRED(tablesUsed, tables_used);
  ARBOR_PUT(validTxnList, valid_txn_list);
  ARBOR_SET(materializationTime, materialization_time);
  ARBOR_PUT(sourceTables, source_tables);
  return Status::OK();
}

Status Put(const hive::SourceTable& in, const Path& p, catalog::SourceTable* out) {
  ARBOR_PUT(table, table);
  ARBOR_SET(insertedCount, inserted_count);
  ARBOR_SET(updatedCount, updated_count);
  ARBOR_SET(deletedCount, deleted_count);
  return Status::OK();
}

Status Put(const hive::FileMetadata& in, const Path& p, catalog::FileMetadata* out) {
  ARBOR_SET(type, type);
  ARBOR_SET(version, version);
  ARBOR_PUT(data, data);
  return Status::OK();
}

Status Put(const hive::ObjectDictionary& in, const Path& p, catalog::ObjectDictionary* out) {
  ARBOR_PUT_REQUIRED(values, values);
  return Status::OK();
}

Status Put(const hive::Table& in, const Path& p, catalog::Table* out) {
  ARBOR_PUT(tableName, table_name);
  ARBOR_PUT(dbName, db_name);
  ARBOR_PUT(owner, owner);
  ARBOR_SET(createTime, create_time);
  ARBOR_SET(lastAccessTime, last_access_time);
  ARBOR_SET(retention, retention);
  ARBOR_PUT(sd, sd);
  ARBOR_PUT(partitionKeys, partition_keys);
  ARBOR_PUT(parameters, parameters);
  ARBOR_PUT(viewOriginalText, view_original_text);
  ARBOR_PUT(viewExpandedText, view_expanded_text);
  ARBOR_PUT(tableType, table_type);
  ARBOR_PUT(privileges, privileges);
  ARBOR_SET(temporary, temporary);
  ARBOR_SET(rewriteEnabled, rewrite_enabled);
  ARBOR_PUT(creationMetadata, creation_metadata);
  ARBOR_PUT(catName, cat_name);
  ARBOR_SET(ownerType, owner_type);
  ARBOR_SET(writeId, write_id);
  ARBOR_SET(isStatsCompliant, is_stats_compliant);
  ARBOR_PUT(colStats, col_stats);
  ARBOR_SET(accessType, access_type);
  ARBOR_PUT(requiredReadCapabilities, required_read_capabilities);
  ARBOR_PUT(requiredWriteCapabilities, required_write_capabilities);
  ARBOR_SET(id, id);
  ARBOR_PUT(fileMetadata, file_metadata);
  ARBOR_PUT(dictionary, dictionary);
  ARBOR_SET(txnId, txn_id);
  return Status::OK();
}

Status Put(const hive::Partition& in, const Path& p, catalog::Partition* out) {
  ARBOR_PUT(values, values);
  ARBOR_PUT(dbName, db_name);
  ARBOR_PUT(tableName, table_name);
  ARBOR_SET(createTime, create_time);
  ARBOR_SET(lastAccessTime, last_access_time);
  ARBOR_PUT(sd, sd);
  ARBOR_PUT(parameters, parameters);
  ARBOR_PUT(privileges, privileges);
  ARBOR_PUT(catName, cat_name);
  ARBOR_SET(writeId, write_id);
  ARBOR_SET(isStatsCompliant, is_stats_compliant);
  ARBOR_PUT(colStats, col_stats);
  ARBOR_PUT(fileMetadata, file_metadata);
  return Status::OK();
}

Status Put(const hive::ResourceUri& in, const Path& p, catalog::ResourceUri* out) {
  ARBOR_SET(resourceType, resource_type);
  ARBOR_PUT(uri, uri);
  return Status::OK();
}

Status Put(const hive::Function& in, const Path& p, catalog::Function* out) {
  ARBOR_PUT(functionName, function_name);
  ARBOR_PUT(dbName, db_name);
  ARBOR_PUT(className, class_name);
  ARBOR_PUT(ownerName, owner_name);
  ARBOR_SET(ownerType, owner_type);
  ARBOR_SET(createTime, create_time);
  ARBOR_SET(functionType, function_type);
  ARBOR_PUT(resourceUris, resource_uris);
  ARBOR_PUT(catName, cat_name);
  return Status::OK();
}

Status Put(const hive::BooleanColumnStatsData& in, const Path& p,
           catalog::BooleanColumnStatsData* out) {
  ARBOR_SET(numTrues, num_trues);
  ARBOR_SET(numFalses, num_falses);
  ARBOR_SET(numNulls, num_nulls);
  ARBOR_SET(bitVectors, bit_vectors);
  return Status::OK();
}

Status Put(const hive::DoubleColumnStatsData& in, const Path& p,
           catalog::DoubleColumnStatsData* out) {
  ARBOR_SET(lowValue, low_value);
  ARBOR_SET(highValue, high_value);
  ARBOR_SET(numNulls, num_nulls);
  ARBOR_SET(numDVs, num_dvs);
  ARBOR_SET(bitVectors, bit_vectors);
  ARBOR_SET(histogram, histogram);
  return Status::OK();
}

Status Put(const hive::LongColumnStatsData& in, const Path& p, catalog::LongColumnStatsData* out) {
  ARBOR_SET(lowValue, low_value);
  ARBOR_SET(highValue, high_value);
  ARBOR_SET(numNulls, num_nulls);
  ARBOR_SET(numDVs, num_dvs);
  ARBOR_SET(bitVectors, bit_vectors);
  ARBOR_SET(histogram, histogram);
  return Status::OK();
}

Status Put(const hive::StringColumnStatsData& in, const Path& p,
           catalog::StringColumnStatsData* out) {
  ARBOR_SET(maxColLen, max_col_len);
  ARBOR_SET(avgColLen, avg_col_len);
  ARBOR_SET(numNulls, num_nulls);
  ARBOR_SET(numDVs, num_dvs);
  ARBOR_SET(bitVectors, bit_vectors);
  return Status::OK();
}

Status Put(const hive::BinaryColumnStatsData& in, const Path& p,
           catalog::BinaryColumnStatsData* out) {
  ARBOR_SET(maxColLen, max_col_len);
  ARBOR_SET(avgColLen, avg_col_len);
  ARBOR_SET(numNulls, num_nulls);
  ARBOR_SET(bitVectors, bit_vectors);
  return Status::OK();
}

Status Put(const hive::Decimal& in, const Path& p, catalog::Decimal* out) {
  ARBOR_SET(unscaled, unscaled);
  ARBOR_SET(scale, scale);
  return Status::OK();
}

Status Put(const hive::DecimalColumnStatsData& in, const Path& p,
           catalog::DecimalColumnStatsData* out) {
  ARBOR_PUT(lowValue, low_value);
  ARBOR_PUT(highValue, high_value);
  ARBOR_SET(numNulls, num_nulls);
  ARBOR_SET(numDVs, num_dvs);
  ARBOR_SET(bitVectors, bit_vectors);
  ARBOR_SET(histogram, histogram);
  return Status::OK();
}

Status Put(const hive::Date& in, const Path& p, catalog::Date* out) {
  ARBOR_SET(daysSinceEpoch, days_since_epoch);
  return Status::OK();
}

Status Put(const hive::DateColumnStatsData& in, const Path& p, catalog::DateColumnStatsData* out) {
  ARBOR_PUT(lowValue, low_value);
  ARBOR_PUT(highValue, high_value);
  ARBOR_SET(numNulls, num_nulls);
  ARBOR_SET(numDVs, num_dvs);
  ARBOR_SET(bitVectors, bit_vectors);
  ARBOR_SET(histogram, histogram);
  return Status::OK();
}

Status Put(const hive::Timestamp& in, const Path& p, catalog::Timestamp* out) {
  ARBOR_SET(secondsSinceEpoch, seconds_since_epoch);
  return Status::OK();
}

Status Put(const hive::TimestampColumnStatsData& in, const Path& p,
           catalog::TimestampColumnStatsData* out) {
  ARBOR_PUT(lowValue, low_value);
  ARBOR_PUT(highValue, high_value);
  ARBOR_SET(numNulls, num_nulls);
  ARBOR_SET(numDVs, num_dvs);
  ARBOR_SET(bitVectors, bit_vectors);
  ARBOR_SET(histogram, histogram);
  return Status::OK();
}

Status Put(const hive::ColumnStatisticsData& in, const Path& p,
           catalog::ColumnStatisticsData* out) {
  const int members = in.__isset.booleanStats + in.__isset.longStats + in.__isset.doubleStats +
                      in.__isset.stringStats + in.__isset.binaryStats + in.__isset.decimalStats +
                      in.__isset.dateStats + in.__isset.timestampStats;
  if (members > 1) {
    return Status::InvalidArgument(p.ToString() + " sets " + std::to_string(members) +
                                   " members of a union that holds one");
  }
  ARBOR_PUT(booleanStats, boolean_stats);
  ARBOR_PUT(longStats, long_stats);
  ARBOR_PUT(doubleStats, double_stats);
  ARBOR_PUT(stringStats, string_stats);
  ARBOR_PUT(binaryStats, binary_stats);
  ARBOR_PUT(decimalStats, decimal_stats);
  ARBOR_PUT(dateStats, date_stats);
  ARBOR_PUT(timestampStats, timestamp_stats);
  return Status::OK();
}

Status Put(const hive::ColumnStatisticsObj& in, const Path& p, catalog::ColumnStatisticsObj* out) {
  ARBOR_PUT(colName, col_name);
  ARBOR_PUT(colType, col_type);
  ARBOR_PUT(statsData, stats_data);
  return Status::OK();
}

Status Put(const hive::ColumnStatisticsDesc& in, const Path& p,
           catalog::ColumnStatisticsDesc* out) {
  ARBOR_SET(isTblLevel, is_tbl_level);
  ARBOR_PUT(dbName, db_name);
  ARBOR_PUT(tableName, table_name);
  ARBOR_PUT(partName, part_name);
  ARBOR_SET(lastAnalyzed, last_analyzed);
  ARBOR_PUT(catName, cat_name);
  return Status::OK();
}

Status Put(const hive::ColumnStatistics& in, const Path& p, catalog::ColumnStatistics* out) {
  ARBOR_PUT(statsDesc, stats_desc);
  ARBOR_PUT_REQUIRED(statsObj, stats_obj);
  ARBOR_SET(isStatsCompliant, is_stats_compliant);
  ARBOR_PUT(engine, engine);
  return Status::OK();
}

#undef ARBOR_PUT
#undef ARBOR_SET
#undef ARBOR_PUT_REQUIRED

// ---------------------------------------------------------------------------
// Proto -> Thrift: Get(in, out) fills `*out` from `in`. Declared up front for
// the same reason as Put.

// Numbers, bools and enums (Thrift enums, i8 and i16 are int32 in the proto).
template <class P, class T>
requires std::is_arithmetic_v<P>
void Get(P in, T* out);
// Text and binary.
void Get(const std::string& in, std::string* out);
void Get(const catalog::SkewedColValueLocationList& in,
         std::map<std::vector<std::string>, std::string>* out);
void Get(const pb::RepeatedPtrField<std::string>& in, std::set<std::string>* out);
template <class E, class T>
void Get(const pb::RepeatedPtrField<E>& in, std::vector<T>* out);
template <ListWrapper W, class T>
void Get(const W& in, std::vector<T>* out);
template <class PV, class V>
void Get(const pb::Map<std::string, PV>& in, std::map<std::string, V>* out);
template <MapWrapper W, class V>
void Get(const W& in, std::map<std::string, V>* out);
void Get(const catalog::FieldSchema& in, hive::FieldSchema* out);
void Get(const catalog::SerDeInfo& in, hive::SerDeInfo* out);
void Get(const catalog::Order& in, hive::Order* out);
void Get(const catalog::SkewedInfo& in, hive::SkewedInfo* out);
void Get(const catalog::StorageDescriptor& in, hive::StorageDescriptor* out);
void Get(const catalog::PrivilegeGrantInfo& in, hive::PrivilegeGrantInfo* out);
void Get(const catalog::PrincipalPrivilegeSet& in, hive::PrincipalPrivilegeSet* out);
void Get(const catalog::Database& in, hive::Database* out);
void Get(const catalog::CreationMetadata& in, hive::CreationMetadata* out);
void Get(const catalog::SourceTable& in, hive::SourceTable* out);
void Get(const catalog::FileMetadata& in, hive::FileMetadata* out);
void Get(const catalog::ObjectDictionary& in, hive::ObjectDictionary* out);
void Get(const catalog::Table& in, hive::Table* out);
void Get(const catalog::Partition& in, hive::Partition* out);
void Get(const catalog::ResourceUri& in, hive::ResourceUri* out);
void Get(const catalog::Function& in, hive::Function* out);
void Get(const catalog::BooleanColumnStatsData& in, hive::BooleanColumnStatsData* out);
void Get(const catalog::DoubleColumnStatsData& in, hive::DoubleColumnStatsData* out);
void Get(const catalog::LongColumnStatsData& in, hive::LongColumnStatsData* out);
void Get(const catalog::StringColumnStatsData& in, hive::StringColumnStatsData* out);
void Get(const catalog::BinaryColumnStatsData& in, hive::BinaryColumnStatsData* out);
void Get(const catalog::Decimal& in, hive::Decimal* out);
void Get(const catalog::DecimalColumnStatsData& in, hive::DecimalColumnStatsData* out);
void Get(const catalog::Date& in, hive::Date* out);
void Get(const catalog::DateColumnStatsData& in, hive::DateColumnStatsData* out);
void Get(const catalog::Timestamp& in, hive::Timestamp* out);
void Get(const catalog::TimestampColumnStatsData& in, hive::TimestampColumnStatsData* out);
void Get(const catalog::ColumnStatisticsData& in, hive::ColumnStatisticsData* out);
void Get(const catalog::ColumnStatisticsObj& in, hive::ColumnStatisticsObj* out);
void Get(const catalog::ColumnStatisticsDesc& in, hive::ColumnStatisticsDesc* out);
void Get(const catalog::ColumnStatistics& in, hive::ColumnStatistics* out);

// A default-constructed T, made once: what an absent field is reset to.
template <class T>
const T& DefaultOf() {
  static const T kDefault;
  return kDefault;
}

// Field-level forms. GET writes the __isset flag either way, so a flag that a
// Thrift constructor preset for an IDL default is cleared when the proto
// field is absent. An absent field also gets its default value back (a copy
// assignment, which keeps the storage), so Get may fill an object that held
// another entity: FromProtoInto reuses one object for a whole listing, and
// Thrift writes fields of default requiredness whether set or not.
// GET_REQUIRED is PUT_REQUIRED's counterpart: always set.
#define ARBOR_GET(pf, tf)                                             \
  do {                                                                \
    out->__isset.tf = in.has_##pf();                                  \
    if (in.has_##pf()) {                                              \
      Get(in.pf(), &out->tf);                                         \
    } else {                                                          \
      out->tf = DefaultOf<std::remove_pointer_t<decltype(out)>>().tf; \
    }                                                                 \
  } while (0)
#define ARBOR_GET_REQUIRED(pf, tf) \
  do {                             \
    Get(in.pf(), &out->tf);        \
    out->__isset.tf = true;        \
  } while (0)

template <class P, class T>
requires std::is_arithmetic_v<P>
void Get(P in, T* out) {
  if constexpr (std::is_enum_v<T>) {
    // The counterpart of Raw: an unknown value is stored through the bytes.
    const auto raw = static_cast<std::underlying_type_t<T>>(in);
    static_assert(sizeof raw == sizeof *out);
    std::memcpy(static_cast<void*>(out), &raw, sizeof raw);
  } else {
    *out = static_cast<T>(in);
  }
}

void Get(const std::string& in, std::string* out) {
  out->assign(in);
}

void Get(const catalog::SkewedColValueLocationList& in,
         std::map<std::vector<std::string>, std::string>* out) {
  out->clear();
  for (const catalog::SkewedColValueLocation& item : in.items()) {
    std::vector<std::string> key;
    Get(item.values(), &key);
    Get(item.location(), &(*out)[std::move(key)]);
  }
}

void Get(const pb::RepeatedPtrField<std::string>& in, std::set<std::string>* out) {
  out->clear();
  out->insert(in.begin(), in.end());
}

template <class E, class T>
void Get(const pb::RepeatedPtrField<E>& in, std::vector<T>* out) {
  // Elements are overwritten in place, not rebuilt: their storage is reused.
  out->resize(in.size());
  for (int i = 0; i < in.size(); ++i)
    Get(in.Get(i), &(*out)[i]);
}

template <ListWrapper W, class T>
void Get(const W& in, std::vector<T>* out) {
  Get(in.items(), out);
}

template <class PV, class V>
void Get(const pb::Map<std::string, PV>& in, std::map<std::string, V>* out) {
  out->clear();
  for (const auto& [key, value] : in)
    Get(value, &(*out)[key]);
}

template <MapWrapper W, class V>
void Get(const W& in, std::map<std::string, V>* out) {
  Get(in.entries(), out);
}

void Get(const catalog::FieldSchema& in, hive::FieldSchema* out) {
  ARBOR_GET(name, name);
  ARBOR_GET(type, type);
  ARBOR_GET(comment, comment);
}

void Get(const catalog::SerDeInfo& in, hive::SerDeInfo* out) {
  ARBOR_GET(name, name);
  ARBOR_GET(serialization_lib, serializationLib);
  ARBOR_GET(parameters, parameters);
  ARBOR_GET(description, description);
  ARBOR_GET(serializer_class, serializerClass);
  ARBOR_GET(deserializer_class, deserializerClass);
  ARBOR_GET(serde_type, serdeType);
}

void Get(const catalog::Order& in, hive::Order* out) {
  ARBOR_GET(col, col);
  ARBOR_GET(order, order);
}

void Get(const catalog::SkewedInfo& in, hive::SkewedInfo* out) {
  ARBOR_GET(skewed_col_names, skewedColNames);
  ARBOR_GET(skewed_col_values, skewedColValues);
  ARBOR_GET(skewed_col_value_location_maps, skewedColValueLocationMaps);
}

void Get(const catalog::StorageDescriptor& in, hive::StorageDescriptor* out) {
  ARBOR_GET(cols, cols);
  ARBOR_GET(location, location);
  ARBOR_GET(input_format, inputFormat);
  ARBOR_GET(output_format, outputFormat);
  ARBOR_GET(compressed, compressed);
  ARBOR_GET(num_buckets, numBuckets);
  ARBOR_GET(serde_info, serdeInfo);
  ARBOR_GET(bucket_cols, bucketCols);
  ARBOR_GET(sort_cols, sortCols);
  ARBOR_GET(parameters, parameters);
  ARBOR_GET(skewed_info, skewedInfo);
  ARBOR_GET(stored_as_sub_directories, storedAsSubDirectories);
}

void Get(const catalog::PrivilegeGrantInfo& in, hive::PrivilegeGrantInfo* out) {
  ARBOR_GET(privilege, privilege);
  ARBOR_GET(create_time, createTime);
  ARBOR_GET(grantor, grantor);
  ARBOR_GET(grantor_type, grantorType);
  ARBOR_GET(grant_option, grantOption);
}

void Get(const catalog::PrincipalPrivilegeSet& in, hive::PrincipalPrivilegeSet* out) {
  ARBOR_GET(user_privileges, userPrivileges);
  ARBOR_GET(group_privileges, groupPrivileges);
  ARBOR_GET(role_privileges, rolePrivileges);
}

void Get(const catalog::Database& in, hive::Database* out) {
  ARBOR_GET(name, name);
  ARBOR_GET(description, description);
  ARBOR_GET(location_uri, locationUri);
  ARBOR_GET(parameters, parameters);
  ARBOR_GET(privileges, privileges);
  ARBOR_GET(owner_name, ownerName);
  ARBOR_GET(owner_type, ownerType);
  ARBOR_GET(catalog_name, catalogName);
  ARBOR_GET(create_time, createTime);
  ARBOR_GET(managed_location_uri, managedLocationUri);
  ARBOR_GET(type, type);
  ARBOR_GET(connector_name, connector_name);
  ARBOR_GET(remote_dbname, remote_dbname);
}

void Get(const catalog::CreationMetadata& in, hive::CreationMetadata* out) {
  ARBOR_GET(cat_name, catName);
  ARBOR_GET(db_name, dbName);
  ARBOR_GET(tbl_name, tblName);
  ARBOR_GET_REQUIRED(tables_used, tablesUsed);
  ARBOR_GET(valid_txn_list, validTxnList);
  ARBOR_GET(materialization_time, materializationTime);
  ARBOR_GET(source_tables, sourceTables);
}

void Get(const catalog::SourceTable& in, hive::SourceTable* out) {
  ARBOR_GET(table, table);
  ARBOR_GET(inserted_count, insertedCount);
  ARBOR_GET(updated_count, updatedCount);
  ARBOR_GET(deleted_count, deletedCount);
}

void Get(const catalog::FileMetadata& in, hive::FileMetadata* out) {
  ARBOR_GET(type, type);
  ARBOR_GET(version, version);
  ARBOR_GET(data, data);
}

void Get(const catalog::ObjectDictionary& in, hive::ObjectDictionary* out) {
  ARBOR_GET_REQUIRED(values, values);
}

void Get(const catalog::Table& in, hive::Table* out) {
  ARBOR_GET(table_name, tableName);
  ARBOR_GET(db_name, dbName);
  ARBOR_GET(owner, owner);
  ARBOR_GET(create_time, createTime);
  ARBOR_GET(last_access_time, lastAccessTime);
  ARBOR_GET(retention, retention);
  ARBOR_GET(sd, sd);
  ARBOR_GET(partition_keys, partitionKeys);
  ARBOR_GET(parameters, parameters);
  ARBOR_GET(view_original_text, viewOriginalText);
  ARBOR_GET(view_expanded_text, viewExpandedText);
  ARBOR_GET(table_type, tableType);
  ARBOR_GET(privileges, privileges);
  ARBOR_GET(temporary, temporary);
  ARBOR_GET(rewrite_enabled, rewriteEnabled);
  ARBOR_GET(creation_metadata, creationMetadata);
  ARBOR_GET(cat_name, catName);
  ARBOR_GET(owner_type, ownerType);
  ARBOR_GET(write_id, writeId);
  ARBOR_GET(is_stats_compliant, isStatsCompliant);
  ARBOR_GET(col_stats, colStats);
  ARBOR_GET(access_type, accessType);
  ARBOR_GET(required_read_capabilities, requiredReadCapabilities);
  ARBOR_GET(required_write_capabilities, requiredWriteCapabilities);
  ARBOR_GET(id, id);
  ARBOR_GET(file_metadata, fileMetadata);
  ARBOR_GET(dictionary, dictionary);
  ARBOR_GET(txn_id, txnId);
}

void Get(const catalog::Partition& in, hive::Partition* out) {
  ARBOR_GET(values, values);
  ARBOR_GET(db_name, dbName);
  ARBOR_GET(table_name, tableName);
  ARBOR_GET(create_time, createTime);
  ARBOR_GET(last_access_time, lastAccessTime);
  ARBOR_GET(sd, sd);
  ARBOR_GET(parameters, parameters);
  ARBOR_GET(privileges, privileges);
  ARBOR_GET(cat_name, catName);
  ARBOR_GET(write_id, writeId);
  ARBOR_GET(is_stats_compliant, isStatsCompliant);
  ARBOR_GET(col_stats, colStats);
  ARBOR_GET(file_metadata, fileMetadata);
}

void Get(const catalog::ResourceUri& in, hive::ResourceUri* out) {
  ARBOR_GET(resource_type, resourceType);
  ARBOR_GET(uri, uri);
}

void Get(const catalog::Function& in, hive::Function* out) {
  ARBOR_GET(function_name, functionName);
  ARBOR_GET(db_name, dbName);
  ARBOR_GET(class_name, className);
  ARBOR_GET(owner_name, ownerName);
  ARBOR_GET(owner_type, ownerType);
  ARBOR_GET(create_time, createTime);
  ARBOR_GET(function_type, functionType);
  ARBOR_GET(resource_uris, resourceUris);
  ARBOR_GET(cat_name, catName);
}

void Get(const catalog::BooleanColumnStatsData& in, hive::BooleanColumnStatsData* out) {
  ARBOR_GET(num_trues, numTrues);
  ARBOR_GET(num_falses, numFalses);
  ARBOR_GET(num_nulls, numNulls);
  ARBOR_GET(bit_vectors, bitVectors);
}

void Get(const catalog::DoubleColumnStatsData& in, hive::DoubleColumnStatsData* out) {
  ARBOR_GET(low_value, lowValue);
  ARBOR_GET(high_value, highValue);
  ARBOR_GET(num_nulls, numNulls);
  ARBOR_GET(num_dvs, numDVs);
  ARBOR_GET(bit_vectors, bitVectors);
  ARBOR_GET(histogram, histogram);
}

void Get(const catalog::LongColumnStatsData& in, hive::LongColumnStatsData* out) {
  ARBOR_GET(low_value, lowValue);
  ARBOR_GET(high_value, highValue);
  ARBOR_GET(num_nulls, numNulls);
  ARBOR_GET(num_dvs, numDVs);
  ARBOR_GET(bit_vectors, bitVectors);
  ARBOR_GET(histogram, histogram);
}

void Get(const catalog::StringColumnStatsData& in, hive::StringColumnStatsData* out) {
  ARBOR_GET(max_col_len, maxColLen);
  ARBOR_GET(avg_col_len, avgColLen);
  ARBOR_GET(num_nulls, numNulls);
  ARBOR_GET(num_dvs, numDVs);
  ARBOR_GET(bit_vectors, bitVectors);
}

void Get(const catalog::BinaryColumnStatsData& in, hive::BinaryColumnStatsData* out) {
  ARBOR_GET(max_col_len, maxColLen);
  ARBOR_GET(avg_col_len, avgColLen);
  ARBOR_GET(num_nulls, numNulls);
  ARBOR_GET(bit_vectors, bitVectors);
}

void Get(const catalog::Decimal& in, hive::Decimal* out) {
  ARBOR_GET(unscaled, unscaled);
  ARBOR_GET(scale, scale);
}

void Get(const catalog::DecimalColumnStatsData& in, hive::DecimalColumnStatsData* out) {
  ARBOR_GET(low_value, lowValue);
  ARBOR_GET(high_value, highValue);
  ARBOR_GET(num_nulls, numNulls);
  ARBOR_GET(num_dvs, numDVs);
  ARBOR_GET(bit_vectors, bitVectors);
  ARBOR_GET(histogram, histogram);
}

void Get(const catalog::Date& in, hive::Date* out) {
  ARBOR_GET(days_since_epoch, daysSinceEpoch);
}

void Get(const catalog::DateColumnStatsData& in, hive::DateColumnStatsData* out) {
  ARBOR_GET(low_value, lowValue);
  ARBOR_GET(high_value, highValue);
  ARBOR_GET(num_nulls, numNulls);
  ARBOR_GET(num_dvs, numDVs);
  ARBOR_GET(bit_vectors, bitVectors);
  ARBOR_GET(histogram, histogram);
}

void Get(const catalog::Timestamp& in, hive::Timestamp* out) {
  ARBOR_GET(seconds_since_epoch, secondsSinceEpoch);
}

void Get(const catalog::TimestampColumnStatsData& in, hive::TimestampColumnStatsData* out) {
  ARBOR_GET(low_value, lowValue);
  ARBOR_GET(high_value, highValue);
  ARBOR_GET(num_nulls, numNulls);
  ARBOR_GET(num_dvs, numDVs);
  ARBOR_GET(bit_vectors, bitVectors);
  ARBOR_GET(histogram, histogram);
}

void Get(const catalog::ColumnStatisticsData& in, hive::ColumnStatisticsData* out) {
  ARBOR_GET(boolean_stats, booleanStats);
  ARBOR_GET(long_stats, longStats);
  ARBOR_GET(double_stats, doubleStats);
  ARBOR_GET(string_stats, stringStats);
  ARBOR_GET(binary_stats, binaryStats);
  ARBOR_GET(decimal_stats, decimalStats);
  ARBOR_GET(date_stats, dateStats);
  ARBOR_GET(timestamp_stats, timestampStats);
}

void Get(const catalog::ColumnStatisticsObj& in, hive::ColumnStatisticsObj* out) {
  ARBOR_GET(col_name, colName);
  ARBOR_GET(col_type, colType);
  ARBOR_GET(stats_data, statsData);
}

void Get(const catalog::ColumnStatisticsDesc& in, hive::ColumnStatisticsDesc* out) {
  ARBOR_GET(is_tbl_level, isTblLevel);
  ARBOR_GET(db_name, dbName);
  ARBOR_GET(table_name, tableName);
  ARBOR_GET(part_name, partName);
  ARBOR_GET(last_analyzed, lastAnalyzed);
  ARBOR_GET(cat_name, catName);
}

void Get(const catalog::ColumnStatistics& in, hive::ColumnStatistics* out) {
  ARBOR_GET(stats_desc, statsDesc);
  ARBOR_GET_REQUIRED(stats_obj, statsObj);
  ARBOR_GET(is_stats_compliant, isStatsCompliant);
  ARBOR_GET(engine, engine);
}

#undef ARBOR_GET
#undef ARBOR_GET_REQUIRED

template <class P, class T>
Result<P> ToProtoAs(const T& in, std::string_view root) {
  P out;
  ARBOR_RETURN_IF_ERROR(Put(in, Path(root), &out));
  return Result<P>(std::move(out));
}

template <class T, class P>
T FromProtoAs(const P& in) {
  T out;
  Get(in, &out);
  return out;
}

}  // namespace

Result<catalog::Database> ToProto(const hive::Database& in) {
  return ToProtoAs<catalog::Database>(in, "Database");
}
hive::Database FromProto(const catalog::Database& in) {
  return FromProtoAs<hive::Database>(in);
}

Result<catalog::Table> ToProto(const hive::Table& in) {
  return ToProtoAs<catalog::Table>(in, "Table");
}
hive::Table FromProto(const catalog::Table& in) {
  return FromProtoAs<hive::Table>(in);
}

Result<catalog::Partition> ToProto(const hive::Partition& in) {
  return ToProtoAs<catalog::Partition>(in, "Partition");
}
hive::Partition FromProto(const catalog::Partition& in) {
  return FromProtoAs<hive::Partition>(in);
}
void FromProtoInto(const catalog::Partition& in, hive::Partition* out) {
  Get(in, out);
}

Result<catalog::Function> ToProto(const hive::Function& in) {
  return ToProtoAs<catalog::Function>(in, "Function");
}
hive::Function FromProto(const catalog::Function& in) {
  return FromProtoAs<hive::Function>(in);
}

Result<catalog::ColumnStatistics> ToProto(const hive::ColumnStatistics& in) {
  return ToProtoAs<catalog::ColumnStatistics>(in, "ColumnStatistics");
}
hive::ColumnStatistics FromProto(const catalog::ColumnStatistics& in) {
  return FromProtoAs<hive::ColumnStatistics>(in);
}

Result<catalog::ColumnStatisticsObj> ToProto(const hive::ColumnStatisticsObj& in) {
  return ToProtoAs<catalog::ColumnStatisticsObj>(in, "ColumnStatisticsObj");
}
hive::ColumnStatisticsObj FromProto(const catalog::ColumnStatisticsObj& in) {
  return FromProtoAs<hive::ColumnStatisticsObj>(in);
}

Result<catalog::ColumnStatisticsDesc> ToProto(const hive::ColumnStatisticsDesc& in) {
  return ToProtoAs<catalog::ColumnStatisticsDesc>(in, "ColumnStatisticsDesc");
}
hive::ColumnStatisticsDesc FromProto(const catalog::ColumnStatisticsDesc& in) {
  return FromProtoAs<hive::ColumnStatisticsDesc>(in);
}

Result<catalog::StorageDescriptor> ToProto(const hive::StorageDescriptor& in) {
  return ToProtoAs<catalog::StorageDescriptor>(in, "StorageDescriptor");
}
hive::StorageDescriptor FromProto(const catalog::StorageDescriptor& in) {
  return FromProtoAs<hive::StorageDescriptor>(in);
}

Result<catalog::FieldSchema> ToProto(const hive::FieldSchema& in) {
  return ToProtoAs<catalog::FieldSchema>(in, "FieldSchema");
}
hive::FieldSchema FromProto(const catalog::FieldSchema& in) {
  return FromProtoAs<hive::FieldSchema>(in);
}

}  // namespace arbor::hms

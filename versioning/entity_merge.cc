#include "versioning/entity_merge.h"

#include <charconv>
#include <cstdint>
#include <cstring>
#include <set>

#include <google/protobuf/unknown_field_set.h>

#include "arbor/catalog.pb.h"
#include "versioning/deterministic_proto.h"

namespace arbor {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::OneofDescriptor;
using google::protobuf::Reflection;

// Volatile bookkeeping: values that Hive rewrites on every touch, so two
// branches touching one entity would otherwise always conflict. All of them
// are timestamps, hence "take the larger". (Hive's Database has no
// lastAccessTime, so only tables and partitions appear here.)
struct VolatileName {
  enum class Where { kField, kMapKey };
  Where where;
  std::string_view name;  // a field's full name, or a map key
};
constexpr VolatileName kVolatileNames[] = {
    {VolatileName::Where::kMapKey, "transient_lastDdlTime"},
    {VolatileName::Where::kField, "arbor.catalog.Table.last_access_time"},
    {VolatileName::Where::kField, "arbor.catalog.Partition.last_access_time"},
};

std::string Join(const std::string& path, std::string_view name) {
  std::string out = path;
  if (!out.empty()) out += '.';
  out += name;
  return out;
}

// Whole-message equality as "equal bytes"; unknown fields included.
bool MessageEquals(const Message& a, const Message& b) {
  return SerializeDeterministic(a) == SerializeDeterministic(b);
}

template <typename T>
bool BitEqual(T a, T b) {
  return std::memcmp(&a, &b, sizeof(T)) == 0;
}

bool SingularEquals(const Message& a, const Message& b, const FieldDescriptor* f) {
  const Reflection* ra = a.GetReflection();
  const Reflection* rb = b.GetReflection();
  if (f->has_presence()) {
    const bool has_a = ra->HasField(a, f);
    if (has_a != rb->HasField(b, f)) return false;
    if (!has_a) return true;
  }
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      return ra->GetInt32(a, f) == rb->GetInt32(b, f);
    case FieldDescriptor::CPPTYPE_INT64:
      return ra->GetInt64(a, f) == rb->GetInt64(b, f);
    case FieldDescriptor::CPPTYPE_UINT32:
      return ra->GetUInt32(a, f) == rb->GetUInt32(b, f);
    case FieldDescriptor::CPPTYPE_UINT64:
      return ra->GetUInt64(a, f) == rb->GetUInt64(b, f);
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return BitEqual(ra->GetDouble(a, f), rb->GetDouble(b, f));
    case FieldDescriptor::CPPTYPE_FLOAT:
      return BitEqual(ra->GetFloat(a, f), rb->GetFloat(b, f));
    case FieldDescriptor::CPPTYPE_BOOL:
      return ra->GetBool(a, f) == rb->GetBool(b, f);
    case FieldDescriptor::CPPTYPE_ENUM:
      return ra->GetEnumValue(a, f) == rb->GetEnumValue(b, f);
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string scratch_a, scratch_b;
      return ra->GetStringReference(a, f, &scratch_a) == rb->GetStringReference(b, f, &scratch_b);
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return MessageEquals(ra->GetMessage(a, f), rb->GetMessage(b, f));
  }
  return false;
}

bool RepeatedElementEquals(const Message& a, const Message& b, const FieldDescriptor* f, int i) {
  const Reflection* ra = a.GetReflection();
  const Reflection* rb = b.GetReflection();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      return ra->GetRepeatedInt32(a, f, i) == rb->GetRepeatedInt32(b, f, i);
    case FieldDescriptor::CPPTYPE_INT64:
      return ra->GetRepeatedInt64(a, f, i) == rb->GetRepeatedInt64(b, f, i);
    case FieldDescriptor::CPPTYPE_UINT32:
      return ra->GetRepeatedUInt32(a, f, i) == rb->GetRepeatedUInt32(b, f, i);
    case FieldDescriptor::CPPTYPE_UINT64:
      return ra->GetRepeatedUInt64(a, f, i) == rb->GetRepeatedUInt64(b, f, i);
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return BitEqual(ra->GetRepeatedDouble(a, f, i), rb->GetRepeatedDouble(b, f, i));
    case FieldDescriptor::CPPTYPE_FLOAT:
      return BitEqual(ra->GetRepeatedFloat(a, f, i), rb->GetRepeatedFloat(b, f, i));
    case FieldDescriptor::CPPTYPE_BOOL:
      return ra->GetRepeatedBool(a, f, i) == rb->GetRepeatedBool(b, f, i);
    case FieldDescriptor::CPPTYPE_ENUM:
      return ra->GetRepeatedEnumValue(a, f, i) == rb->GetRepeatedEnumValue(b, f, i);
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string scratch_a, scratch_b;
      return ra->GetRepeatedStringReference(a, f, i, &scratch_a) ==
             rb->GetRepeatedStringReference(b, f, i, &scratch_b);
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return MessageEquals(ra->GetRepeatedMessage(a, f, i), rb->GetRepeatedMessage(b, f, i));
  }
  return false;
}

// Replaces field `f` of `*to` with its value in `from` (same message type).
void CopyField(const Message& from, const FieldDescriptor* f, Message* to) {
  const Reflection* rf = from.GetReflection();
  const Reflection* rt = to->GetReflection();
  rt->ClearField(to, f);
  if (f->is_repeated()) {
    const int n = rf->FieldSize(from, f);
    for (int i = 0; i < n; ++i) {
      switch (f->cpp_type()) {
        case FieldDescriptor::CPPTYPE_INT32:
          rt->AddInt32(to, f, rf->GetRepeatedInt32(from, f, i));
          break;
        case FieldDescriptor::CPPTYPE_INT64:
          rt->AddInt64(to, f, rf->GetRepeatedInt64(from, f, i));
          break;
        case FieldDescriptor::CPPTYPE_UINT32:
          rt->AddUInt32(to, f, rf->GetRepeatedUInt32(from, f, i));
          break;
        case FieldDescriptor::CPPTYPE_UINT64:
          rt->AddUInt64(to, f, rf->GetRepeatedUInt64(from, f, i));
          break;
        case FieldDescriptor::CPPTYPE_DOUBLE:
          rt->AddDouble(to, f, rf->GetRepeatedDouble(from, f, i));
          break;
        case FieldDescriptor::CPPTYPE_FLOAT:
          rt->AddFloat(to, f, rf->GetRepeatedFloat(from, f, i));
          break;
        case FieldDescriptor::CPPTYPE_BOOL:
          rt->AddBool(to, f, rf->GetRepeatedBool(from, f, i));
          break;
        case FieldDescriptor::CPPTYPE_ENUM:
          rt->AddEnumValue(to, f, rf->GetRepeatedEnumValue(from, f, i));
          break;
        case FieldDescriptor::CPPTYPE_STRING:
          rt->AddString(to, f, rf->GetRepeatedString(from, f, i));
          break;
        case FieldDescriptor::CPPTYPE_MESSAGE:
          rt->AddMessage(to, f)->CopyFrom(rf->GetRepeatedMessage(from, f, i));
          break;
      }
    }
    return;
  }
  if (f->has_presence() && !rf->HasField(from, f)) return;
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      rt->SetInt32(to, f, rf->GetInt32(from, f));
      break;
    case FieldDescriptor::CPPTYPE_INT64:
      rt->SetInt64(to, f, rf->GetInt64(from, f));
      break;
    case FieldDescriptor::CPPTYPE_UINT32:
      rt->SetUInt32(to, f, rf->GetUInt32(from, f));
      break;
    case FieldDescriptor::CPPTYPE_UINT64:
      rt->SetUInt64(to, f, rf->GetUInt64(from, f));
      break;
    case FieldDescriptor::CPPTYPE_DOUBLE:
      rt->SetDouble(to, f, rf->GetDouble(from, f));
      break;
    case FieldDescriptor::CPPTYPE_FLOAT:
      rt->SetFloat(to, f, rf->GetFloat(from, f));
      break;
    case FieldDescriptor::CPPTYPE_BOOL:
      rt->SetBool(to, f, rf->GetBool(from, f));
      break;
    case FieldDescriptor::CPPTYPE_ENUM:
      rt->SetEnumValue(to, f, rf->GetEnumValue(from, f));
      break;
    case FieldDescriptor::CPPTYPE_STRING:
      rt->SetString(to, f, rf->GetString(from, f));
      break;
    case FieldDescriptor::CPPTYPE_MESSAGE:
      rt->MutableMessage(to, f)->CopyFrom(rf->GetMessage(from, f));
      break;
  }
}

// The three-way decision for one value. The merge output starts as a copy of
// "ours", so kOurs means "leave it".
enum class Take { kOurs, kTheirs, kBothChanged };

Take Decide(bool ours_is_base, bool theirs_is_base, bool ours_is_theirs) {
  if (ours_is_theirs || theirs_is_base) return Take::kOurs;
  if (ours_is_base) return Take::kTheirs;
  return Take::kBothChanged;
}

// For a volatile integer field changed on both sides: the side holding the
// larger value (unset counts as smallest), or nullptr for non-integer fields.
const Message* LargerSide(const Message& ours, const Message& theirs, const FieldDescriptor* f) {
  if (f->is_repeated()) return nullptr;
  const Reflection* r = ours.GetReflection();
  if (f->has_presence()) {
    if (!r->HasField(ours, f)) return &theirs;
    if (!r->HasField(theirs, f)) return &ours;
  }
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      return r->GetInt32(ours, f) >= r->GetInt32(theirs, f) ? &ours : &theirs;
    case FieldDescriptor::CPPTYPE_INT64:
      return r->GetInt64(ours, f) >= r->GetInt64(theirs, f) ? &ours : &theirs;
    case FieldDescriptor::CPPTYPE_UINT32:
      return r->GetUInt32(ours, f) >= r->GetUInt32(theirs, f) ? &ours : &theirs;
    case FieldDescriptor::CPPTYPE_UINT64:
      return r->GetUInt64(ours, f) >= r->GetUInt64(theirs, f) ? &ours : &theirs;
    default:
      return nullptr;
  }
}

std::optional<int64_t> ParseDecimal(std::string_view text) {
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

// For a volatile map key changed on both sides: the entry holding the larger
// decimal value (a missing entry counts as smallest). Sets *ok to false when
// a value is not a decimal integer, which is then a real conflict.
const Message* LargerEntry(const Message* ours, const Message* theirs,
                           const FieldDescriptor* value_field, bool* ok) {
  *ok = true;
  if (ours == nullptr) return theirs;
  if (theirs == nullptr) return ours;
  if (value_field->cpp_type() != FieldDescriptor::CPPTYPE_STRING) {
    *ok = false;
    return nullptr;
  }
  const std::string ours_text = ours->GetReflection()->GetString(*ours, value_field);
  const std::string theirs_text = theirs->GetReflection()->GetString(*theirs, value_field);
  const std::optional<int64_t> o = ParseDecimal(ours_text);
  const std::optional<int64_t> t = ParseDecimal(theirs_text);
  if (!o || !t) {
    *ok = false;
    return nullptr;
  }
  // Equal numbers spelled differently ("05", "5"): the text breaks the tie,
  // so the result does not depend on which side is "ours".
  if (*o != *t) return *o > *t ? ours : theirs;
  return ours_text >= theirs_text ? ours : theirs;
}

void MergeInto(const Message& base, const Message& ours, const Message& theirs, Message* out,
               const std::string& path, std::vector<std::string>* conflicts);

void MergeUnknownFields(const Message& base, const Message& ours, const Message& theirs,
                        Message* out, const std::string& path,
                        std::vector<std::string>* conflicts) {
  auto bytes = [](const Message& m) {
    std::string s;
    m.GetReflection()->GetUnknownFields(m).SerializeToString(&s);
    return s;
  };
  const std::string b = bytes(base), o = bytes(ours), t = bytes(theirs);
  switch (Decide(o == b, t == b, o == t)) {
    case Take::kOurs:
      break;
    case Take::kTheirs: {
      google::protobuf::UnknownFieldSet* unknown = out->GetReflection()->MutableUnknownFields(out);
      unknown->Clear();
      unknown->MergeFrom(theirs.GetReflection()->GetUnknownFields(theirs));
      break;
    }
    case Take::kBothChanged:
      conflicts->push_back(Join(path, "(unknown fields)"));
      break;
  }
}

// A oneof is one atomic value: which member is set, and that member's value.
void MergeOneof(const Message& base, const Message& ours, const Message& theirs,
                const OneofDescriptor* oneof, Message* out, const std::string& path,
                std::vector<std::string>* conflicts) {
  auto equal = [oneof](const Message& a, const Message& b) {
    const FieldDescriptor* fa = a.GetReflection()->GetOneofFieldDescriptor(a, oneof);
    const FieldDescriptor* fb = b.GetReflection()->GetOneofFieldDescriptor(b, oneof);
    return fa == fb && (fa == nullptr || SingularEquals(a, b, fa));
  };
  switch (Decide(equal(ours, base), equal(theirs, base), equal(ours, theirs))) {
    case Take::kOurs:
      break;
    case Take::kTheirs: {
      out->GetReflection()->ClearOneof(out, oneof);
      const FieldDescriptor* set = theirs.GetReflection()->GetOneofFieldDescriptor(theirs, oneof);
      if (set != nullptr) CopyField(theirs, set, out);
      break;
    }
    case Take::kBothChanged:
      conflicts->push_back(Join(path, oneof->name()));
      break;
  }
}

// Maps merge key by key; each value is atomic.
void MergeMap(const Message& base, const Message& ours, const Message& theirs,
              const FieldDescriptor* f, Message* out, const std::string& path,
              std::vector<std::string>* conflicts) {
  const FieldDescriptor* value_field = f->message_type()->map_value();
  const auto b = MapEntries(base, f), o = MapEntries(ours, f), t = MapEntries(theirs, f);
  std::set<std::string> keys;
  for (const auto* entries : {&b, &o, &t}) {
    for (const auto& [key, entry] : *entries)
      keys.insert(key);
  }
  auto find = [](const std::map<std::string, const Message*>& entries, const std::string& key) {
    const auto it = entries.find(key);
    return it == entries.end() ? nullptr : it->second;
  };
  auto same = [value_field](const Message* x, const Message* y) {
    if (x == nullptr || y == nullptr) return x == y;
    return SingularEquals(*x, *y, value_field);
  };
  const std::string map_path = FieldPath(path, f);
  std::vector<const Message*> chosen;
  for (const std::string& key : keys) {
    const Message* be = find(b, key);
    const Message* oe = find(o, key);
    const Message* te = find(t, key);
    switch (Decide(same(oe, be), same(te, be), same(oe, te))) {
      case Take::kOurs:
        chosen.push_back(oe);
        break;
      case Take::kTheirs:
        chosen.push_back(te);
        break;
      case Take::kBothChanged: {
        bool ok = false;
        const Message* larger =
            IsVolatileMapKey(key) ? LargerEntry(oe, te, value_field, &ok) : nullptr;
        if (ok) {
          chosen.push_back(larger);
        } else {
          conflicts->push_back(MapKeyPath(map_path, key));
          chosen.push_back(oe);  // conflicts keep ours (see EntityMergeResult::prefer_ours)
        }
        break;
      }
    }
  }
  const Reflection* r = out->GetReflection();
  r->ClearField(out, f);
  for (const Message* entry : chosen) {
    if (entry != nullptr) r->AddMessage(out, f)->CopyFrom(*entry);
  }
}

void MergeField(const Message& base, const Message& ours, const Message& theirs,
                const FieldDescriptor* f, Message* out, const std::string& path,
                std::vector<std::string>* conflicts) {
  const Take take = Decide(FieldEquals(ours, base, f), FieldEquals(theirs, base, f),
                           FieldEquals(ours, theirs, f));
  if (take == Take::kOurs) return;
  if (take == Take::kTheirs) {
    CopyField(theirs, f, out);
    return;
  }
  const std::string field_path = FieldPath(path, f);
  const Reflection* r = ours.GetReflection();
  if (!f->is_repeated() && f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
      r->HasField(ours, f) && r->HasField(theirs, f)) {
    // Present on both sides: merge inside. An absent base reads as the empty
    // default instance, which is the "added on both sides" rule.
    MergeInto(r->GetMessage(base, f), r->GetMessage(ours, f), r->GetMessage(theirs, f),
              out->GetReflection()->MutableMessage(out, f), field_path, conflicts);
    return;
  }
  if (IsVolatileField(f)) {
    if (const Message* larger = LargerSide(ours, theirs, f)) {
      CopyField(*larger, f, out);
      return;
    }
  }
  conflicts->push_back(field_path);
}

// Precondition: *out equals `ours`; all four messages have one type.
void MergeInto(const Message& base, const Message& ours, const Message& theirs, Message* out,
               const std::string& path, std::vector<std::string>* conflicts) {
  const Descriptor* type = ours.GetDescriptor();
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* f = type->field(i);
    if (const OneofDescriptor* oneof = f->real_containing_oneof()) {
      if (oneof->field(0) == f) MergeOneof(base, ours, theirs, oneof, out, path, conflicts);
    } else if (f->is_map()) {
      MergeMap(base, ours, theirs, f, out, path, conflicts);
    } else {
      MergeField(base, ours, theirs, f, out, path, conflicts);
    }
  }
  MergeUnknownFields(base, ours, theirs, out, path, conflicts);
}

std::string MapKeyString(const Message& entry, const FieldDescriptor* key_field) {
  const Reflection* r = entry.GetReflection();
  switch (key_field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      return r->GetString(entry, key_field);
    case FieldDescriptor::CPPTYPE_INT32:
      return std::to_string(r->GetInt32(entry, key_field));
    case FieldDescriptor::CPPTYPE_INT64:
      return std::to_string(r->GetInt64(entry, key_field));
    case FieldDescriptor::CPPTYPE_UINT32:
      return std::to_string(r->GetUInt32(entry, key_field));
    case FieldDescriptor::CPPTYPE_UINT64:
      return std::to_string(r->GetUInt64(entry, key_field));
    case FieldDescriptor::CPPTYPE_BOOL:
      return r->GetBool(entry, key_field) ? "true" : "false";
    default:
      return std::string();  // protobuf allows no other key types
  }
}

}  // namespace

bool IsContainerWrapper(const Descriptor* type) {
  return type->field_count() == 1 && type->field(0)->is_repeated();
}

std::string FieldPath(const std::string& path, const FieldDescriptor* field) {
  if (IsContainerWrapper(field->containing_type()) && !path.empty()) return path;
  return Join(path, field->name());
}

std::string MapKeyPath(const std::string& path, std::string_view key) {
  std::string out = path + "['";
  for (const char c : key) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  out += "']";
  return out;
}

std::map<std::string, const Message*> MapEntries(const Message& message,
                                                 const FieldDescriptor* field) {
  std::map<std::string, const Message*> entries;
  const Reflection* r = message.GetReflection();
  const FieldDescriptor* key_field = field->message_type()->map_key();
  const int n = r->FieldSize(message, field);
  for (int i = 0; i < n; ++i) {
    const Message& entry = r->GetRepeatedMessage(message, field, i);
    // A parsed map keeps the last of duplicate keys; so does this.
    entries[MapKeyString(entry, key_field)] = &entry;
  }
  return entries;
}

bool IsVolatileField(const FieldDescriptor* field) {
  for (const VolatileName& v : kVolatileNames) {
    if (v.where == VolatileName::Where::kField && v.name == field->full_name()) return true;
  }
  return false;
}

bool IsVolatileMapKey(std::string_view key) {
  for (const VolatileName& v : kVolatileNames) {
    if (v.where == VolatileName::Where::kMapKey && v.name == key) return true;
  }
  return false;
}

bool FieldEquals(const Message& a, const Message& b, const FieldDescriptor* field) {
  if (field->is_map()) {
    const auto ea = MapEntries(a, field), eb = MapEntries(b, field);
    if (ea.size() != eb.size()) return false;
    const FieldDescriptor* value_field = field->message_type()->map_value();
    for (auto ia = ea.begin(), ib = eb.begin(); ia != ea.end(); ++ia, ++ib) {
      if (ia->first != ib->first || !SingularEquals(*ia->second, *ib->second, value_field)) {
        return false;
      }
    }
    return true;
  }
  if (field->is_repeated()) {
    const int n = a.GetReflection()->FieldSize(a, field);
    if (n != b.GetReflection()->FieldSize(b, field)) return false;
    for (int i = 0; i < n; ++i) {
      if (!RepeatedElementEquals(a, b, field, i)) return false;
    }
    return true;
  }
  return SingularEquals(a, b, field);
}

std::unique_ptr<Message> NewEntityMessage(CatalogKey::Kind kind) {
  switch (kind) {
    case CatalogKey::Kind::kDatabase:
      return std::make_unique<catalog::Database>();
    case CatalogKey::Kind::kTable:
      return std::make_unique<catalog::Table>();
    case CatalogKey::Kind::kPartition:
      return std::make_unique<catalog::Partition>();
    case CatalogKey::Kind::kTableColumnStats:
    case CatalogKey::Kind::kPartitionColumnStats:
      return std::make_unique<catalog::ColumnStatistics>();
    case CatalogKey::Kind::kFunction:
      return std::make_unique<catalog::Function>();
  }
  return nullptr;
}

Result<std::unique_ptr<Message>> ParseEntity(CatalogKey::Kind kind,
                                             const std::optional<std::string>& bytes) {
  std::unique_ptr<Message> message = NewEntityMessage(kind);
  if (message == nullptr) {
    return Status::InvalidArgument("unknown catalog key kind " +
                                   std::to_string(static_cast<int>(kind)));
  }
  if (bytes.has_value()) ARBOR_RETURN_IF_ERROR(ParseProto(*bytes, message.get()));
  return message;
}

Result<std::vector<std::string>> MergeMessages(const Message& base, const Message& ours,
                                               const Message& theirs, Message* merged) {
  const Descriptor* type = ours.GetDescriptor();
  if (base.GetDescriptor() != type || theirs.GetDescriptor() != type ||
      merged->GetDescriptor() != type) {
    return Status::InvalidArgument(
        "cannot merge messages of different types: " + base.GetTypeName() + ", " +
        ours.GetTypeName() + ", " + theirs.GetTypeName() + " into " + merged->GetTypeName());
  }
  merged->CopyFrom(ours);
  std::vector<std::string> conflicts;
  MergeInto(base, ours, theirs, merged, std::string(), &conflicts);
  return conflicts;
}

Result<EntityMergeResult> MergeEntity(CatalogKey::Kind kind, const std::optional<std::string>& base,
                                      const std::optional<std::string>& ours,
                                      const std::optional<std::string>& theirs) {
  EntityMergeResult result;
  // Whole-entity shortcuts; they also cover "deleted on both sides".
  if (ours == theirs || theirs == base) {
    result.merged = ours;
    return result;
  }
  if (ours == base) {
    result.merged = theirs;
    return result;
  }
  if (!ours.has_value() || !theirs.has_value()) {
    result.conflict = true;
    result.conflict_fields.push_back("(deleted vs changed)");
    return result;
  }
  auto parse = [kind](const std::optional<std::string>& bytes, std::string_view side) {
    Result<std::unique_ptr<Message>> parsed = ParseEntity(kind, bytes);
    if (!parsed.ok()) return Result<std::unique_ptr<Message>>(parsed.status().WithContext(side));
    return parsed;
  };
  // An absent base is an empty message: fields added identically on both
  // sides then merge, fields added differently conflict.
  ARBOR_ASSIGN_OR_RETURN(std::unique_ptr<Message> b, parse(base, "merge base"));
  ARBOR_ASSIGN_OR_RETURN(std::unique_ptr<Message> o, parse(ours, "merge ours"));
  ARBOR_ASSIGN_OR_RETURN(std::unique_ptr<Message> t, parse(theirs, "merge theirs"));
  std::unique_ptr<Message> merged(o->New());
  ARBOR_ASSIGN_OR_RETURN(result.conflict_fields, MergeMessages(*b, *o, *t, merged.get()));
  result.conflict = !result.conflict_fields.empty();
  if (!result.conflict) {
    result.merged = SerializeDeterministic(*merged);
  } else {
    result.prefer_ours = SerializeDeterministic(*merged);
  }
  return result;
}

}  // namespace arbor

#include "storage/kv_store.h"

namespace arbor {

std::string_view ColumnName(Column c) {
  switch (c) {
    case Column::kObjects:
      return "objects";
    case Column::kRefs:
      return "refs";
    case Column::kStaging:
      return "staging";
  }
  return "unknown";
}

void WriteBatch::Put(Column c, std::string_view key, std::string_view value) {
  ops_.push_back({OpType::kPut, c, std::string(key), std::string(value)});
  bytes_ += key.size() + value.size();
}

void WriteBatch::PutOwned(Column c, std::string_view key, std::string value) {
  bytes_ += key.size() + value.size();
  ops_.push_back({OpType::kPut, c, std::string(key), std::move(value)});
}

void WriteBatch::Delete(Column c, std::string_view key) {
  ops_.push_back({OpType::kDelete, c, std::string(key), {}});
  bytes_ += key.size();
}

void WriteBatch::DeleteRange(Column c, std::string_view begin, std::string_view end) {
  ops_.push_back({OpType::kDeleteRange, c, std::string(begin), std::string(end)});
  bytes_ += begin.size() + end.size();
}

void WriteBatch::ExpectValue(Column c, std::string_view key, std::string_view value) {
  preconditions_.push_back({c, std::string(key), std::string(value)});
}

void WriteBatch::ExpectAbsent(Column c, std::string_view key) {
  preconditions_.push_back({c, std::string(key), std::nullopt});
}

void WriteBatch::Clear() {
  ops_.clear();
  preconditions_.clear();
  bytes_ = 0;
}

void WriteBatch::Append(const WriteBatch& other) {
  ops_.insert(ops_.end(), other.ops_.begin(), other.ops_.end());
  preconditions_.insert(preconditions_.end(), other.preconditions_.begin(),
                        other.preconditions_.end());
  bytes_ += other.bytes_;
}

}  // namespace arbor

#include "versioning/shared_record.h"

#include <chrono>
#include <optional>
#include <thread>

namespace arbor {

Status SharedRecord::Update(const std::function<Status(std::string* bytes)>& update) {
  constexpr int kAttempts = 200;
  for (int attempt = 1;; ++attempt) {
    auto current = kv_->Get(Column::kRefs, key_);
    if (!current.ok() && !current.status().IsNotFound()) return current.status();
    std::optional<std::string> before;
    if (current.ok()) before = std::move(current).value();
    std::string bytes = before.value_or("");
    ARBOR_RETURN_IF_ERROR(update(&bytes));
    if (before && bytes == *before) return Status::OK();
    WriteBatch batch;
    if (before) {
      batch.ExpectValue(Column::kRefs, key_, *before);
    } else {
      batch.ExpectAbsent(Column::kRefs, key_);
    }
    batch.Put(Column::kRefs, key_, bytes);
    Status s = kv_->Write(batch);
    if (!s.IsPreconditionFailed()) return s;
    if (attempt == kAttempts) {
      return Status::Busy("shared record '" + key_ + "' stayed contended; retry");
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200 * (1 + attempt % 8)));
  }
}

}  // namespace arbor

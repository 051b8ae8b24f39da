#include "storage/mem_kv_store.h"

namespace arbor {

namespace {

class MemSnapshot final : public Snapshot {
 public:
  explicit MemSnapshot(uint64_t seq) : seq(seq) {}
  const uint64_t seq;
};

// Pages through the store in small batches, so it never holds the store's lock while
// the caller works, and sees one fixed sequence number throughout.
class MemIterator final : public KvIterator {
 public:
  MemIterator(MemKvStore* store, Column c, uint64_t seq, std::string upper)
      : store_(store), column_(c), seq_(seq), upper_(std::move(upper)) {}

  void SeekToFirst() override { Fill("", true); }
  void Seek(std::string_view target) override { Fill(target, true); }
  bool Valid() const override { return pos_ < buf_.size(); }
  void Next() override {
    if (++pos_ < buf_.size() || exhausted_) return;
    std::string last = buf_.back().first;
    Fill(last, false);
  }
  std::string_view key() const override { return buf_[pos_].first; }
  std::string_view value() const override { return buf_[pos_].second; }
  Status status() const override { return Status::OK(); }

 private:
  static constexpr size_t kPage = 128;
  void Fill(std::string_view start, bool inclusive) {
    buf_ = store_->ReadRange(column_, start, inclusive, seq_, kPage);
    exhausted_ = buf_.size() < kPage;
    if (!upper_.empty()) {
      while (!buf_.empty() && buf_.back().first >= upper_) {
        buf_.pop_back();
        exhausted_ = true;
      }
    }
    pos_ = 0;
  }

  MemKvStore* store_;
  Column column_;
  uint64_t seq_;
  std::string upper_;
  std::vector<std::pair<std::string, std::string>> buf_;
  size_t pos_ = 0;
  bool exhausted_ = true;
};

}  // namespace

uint64_t MemKvStore::SeqOf(const ReadOptions& options) const {
  if (options.snapshot) return static_cast<const MemSnapshot*>(options.snapshot)->seq;
  std::lock_guard<std::mutex> lock(mu_);
  return seq_;
}

const std::optional<std::string>* MemKvStore::Visible(const std::vector<Version>& versions,
                                                      uint64_t seq) {
  for (auto it = versions.rbegin(); it != versions.rend(); ++it) {
    if (it->seq <= seq) return &it->value;
  }
  return nullptr;
}

Result<std::string> MemKvStore::Get(Column c, std::string_view key, const ReadOptions& options) {
  uint64_t seq = SeqOf(options);
  std::lock_guard<std::mutex> lock(mu_);
  const Table& t = tables_[static_cast<int>(c)];
  auto it = t.find(key);
  if (it != t.end()) {
    const auto* v = Visible(it->second, seq);
    if (v && v->has_value()) return **v;
  }
  return Status::NotFound("key not found");
}

std::vector<std::pair<std::string, std::string>> MemKvStore::ReadRange(Column c,
                                                                       std::string_view start,
                                                                       bool inclusive, uint64_t seq,
                                                                       size_t limit) {
  std::vector<std::pair<std::string, std::string>> out;
  std::lock_guard<std::mutex> lock(mu_);
  const Table& t = tables_[static_cast<int>(c)];
  auto it = inclusive ? t.lower_bound(start) : t.upper_bound(start);
  for (; it != t.end() && out.size() < limit; ++it) {
    const auto* v = Visible(it->second, seq);
    if (v && v->has_value()) out.emplace_back(it->first, **v);
  }
  return out;
}

std::unique_ptr<KvIterator> MemKvStore::NewIterator(Column c, const ReadOptions& options) {
  return std::make_unique<MemIterator>(this, c, SeqOf(options), options.upper_bound);
}

std::unique_ptr<Snapshot> MemKvStore::GetSnapshot() {
  std::lock_guard<std::mutex> lock(mu_);
  return std::make_unique<MemSnapshot>(seq_);
}

Status MemKvStore::Write(const WriteBatch& batch, const WriteOptions& options) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& p : batch.preconditions()) {
    const Table& t = tables_[static_cast<int>(p.column)];
    auto it = t.find(p.key);
    const std::optional<std::string>* v = it == t.end() ? nullptr : Visible(it->second, seq_);
    bool present = v && v->has_value();
    if (!p.expected ? present : (!present || **v != *p.expected)) {
      return Status::PreconditionFailed("key in " + std::string(ColumnName(p.column)) +
                                        " does not hold the expected value");
    }
  }
  uint64_t seq = ++seq_;
  for (const auto& op : batch.ops()) {
    Table& t = tables_[static_cast<int>(op.column)];
    switch (op.type) {
      case WriteBatch::OpType::kPut:
        t[op.key].push_back({seq, op.value});
        break;
      case WriteBatch::OpType::kDelete: {
        auto it = t.find(op.key);
        if (it != t.end()) it->second.push_back({seq, std::nullopt});
        break;
      }
      case WriteBatch::OpType::kDeleteRange:
        for (auto it = t.lower_bound(op.key); it != t.end() && it->first < op.value; ++it) {
          it->second.push_back({seq, std::nullopt});
        }
        break;
    }
  }
  return Status::OK();
}

}  // namespace arbor

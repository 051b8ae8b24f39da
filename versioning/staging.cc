#include "versioning/staging.h"

#include <random>

namespace arbor {

namespace {
constexpr char kPut = 'P';
constexpr char kDelete = 'D';
}  // namespace

std::string NewStagingToken() {
  std::random_device rd;
  std::string token(kStagingTokenSize, '\0');
  for (size_t i = 0; i < kStagingTokenSize; i += 4) {
    uint32_t r = rd();
    for (size_t j = 0; j < 4 && i + j < kStagingTokenSize; ++j) {
      token[i + j] = static_cast<char>((r >> (8 * j)) & 0xff);
    }
  }
  return token;
}

std::string StagingKey(std::string_view token, std::string_view key) {
  std::string out;
  out.reserve(token.size() + key.size());
  out.append(token);
  out.append(key);
  return out;
}

std::pair<std::string, std::string> StagingTokenRange(std::string_view token) {
  std::string begin(token);
  std::string end(token);
  // The token is fixed-width, so incrementing it as a big-endian number bounds its range.
  for (size_t i = end.size(); i-- > 0;) {
    if (static_cast<unsigned char>(end[i]) != 0xff) {
      end[i] = static_cast<char>(static_cast<unsigned char>(end[i]) + 1);
      end.resize(i + 1);
      return {begin, end};
    }
  }
  return {begin, std::string()};  // all 0xff: unbounded
}

void StageEdit(std::string_view token, const Edit& edit, WriteBatch* batch) {
  std::string value;
  if (edit.value) {
    value.reserve(edit.value->size() + 1);
    value.push_back(kPut);
    value.append(*edit.value);
  } else {
    value.push_back(kDelete);
  }
  batch->Put(Column::kStaging, StagingKey(token, edit.key), value);
}

Result<std::optional<std::string>> DecodeStagedValue(std::string_view raw) {
  if (!raw.empty() && raw[0] == kPut) return std::optional<std::string>(std::string(raw.substr(1)));
  if (raw.size() == 1 && raw[0] == kDelete) return std::optional<std::string>();
  return Status::Corruption("malformed staged value");
}

Result<bool> StagedValueIsLive(std::string_view raw) {
  if (!raw.empty() && raw[0] == kPut) return true;
  if (raw.size() == 1 && raw[0] == kDelete) return false;
  return Status::Corruption("malformed staged value");
}

namespace {

// An iterator over the staged keys under `token` in [begin, end), at the first.
std::unique_ptr<KvIterator> StagedFrom(KvStore* kv, std::string_view token,
                                       const ReadOptions& options, std::string_view begin,
                                       std::string_view end) {
  ReadOptions ro = options;
  ro.upper_bound = end.empty() ? StagingTokenRange(token).second : StagingKey(token, end);
  auto it = kv->NewIterator(Column::kStaging, ro);
  it->Seek(StagingKey(token, begin));
  return it;
}

}  // namespace

Result<std::vector<Edit>> ReadStagedEdits(KvStore* kv, std::string_view token,
                                          const ReadOptions& options, std::string_view begin,
                                          std::string_view end, size_t limit) {
  std::vector<Edit> edits;
  auto it = StagedFrom(kv, token, options, begin, end);
  for (; it->Valid() && edits.size() < limit; it->Next()) {
    ARBOR_ASSIGN_OR_RETURN(auto value, DecodeStagedValue(it->value()));
    edits.push_back({std::string(it->key().substr(token.size())), std::move(value)});
  }
  ARBOR_RETURN_IF_ERROR(it->status());
  return edits;
}

Result<size_t> CountStagedEdits(KvStore* kv, std::string_view token, const ReadOptions& options,
                                std::string_view begin, std::string_view end, size_t limit) {
  size_t n = 0;
  auto it = StagedFrom(kv, token, options, begin, end);
  for (; it->Valid() && n < limit; it->Next())
    ++n;
  ARBOR_RETURN_IF_ERROR(it->status());
  return n;
}

Result<bool> HasStagedEdits(KvStore* kv, std::string_view token, const ReadOptions& options) {
  ARBOR_ASSIGN_OR_RETURN(auto edits, ReadStagedEdits(kv, token, options, {}, {}, 1));
  return !edits.empty();
}

}  // namespace arbor

// Staging: a branch's uncommitted changes, in the `staging` column.
//
// Every change is stored under <token><catalog key>, where the token is the
// branch's current 16-byte staging token. The value is "P" + value for a put,
// or "D" for a delete (a tombstone that hides the committed entry). Commit and
// reset retire a token by giving the branch a fresh one in the same batch that
// moves the branch, so the old range is unreachable at once; deleting its keys is
// clean-up that may lag or be redone after a crash.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "storage/kv_store.h"
#include "storage/prolly_tree.h"

namespace arbor {

constexpr size_t kStagingTokenSize = 16;

// A fresh random token.
std::string NewStagingToken();

std::string StagingKey(std::string_view token, std::string_view key);
// [token, token + 1): every key staged under the token.
std::pair<std::string, std::string> StagingTokenRange(std::string_view token);

// Adds a put (value) or a delete (nullopt) of `key` to a batch.
void StageEdit(std::string_view token, const Edit& edit, WriteBatch* batch);

// Decodes a staging value: nullopt for a tombstone. Corruption for anything else.
Result<std::optional<std::string>> DecodeStagedValue(std::string_view raw);
// The same decision without copying the value: false for a tombstone.
Result<bool> StagedValueIsLive(std::string_view raw);

// The staged edits under `token` with catalog keys in [begin, end) (empty end:
// unbounded), in key order.
Result<std::vector<Edit>> ReadStagedEdits(KvStore* kv, std::string_view token,
                                          const ReadOptions& options, std::string_view begin = {},
                                          std::string_view end = {}, size_t limit = SIZE_MAX);

// How many of those edits there are, counting up to `limit`: keys alone, no
// value decoded or copied (so a malformed one is not noticed here), for
// bounds and emptiness checks that a read of the values follows.
Result<size_t> CountStagedEdits(KvStore* kv, std::string_view token, const ReadOptions& options,
                                std::string_view begin = {}, std::string_view end = {},
                                size_t limit = SIZE_MAX);

// Whether anything is staged under `token`.
Result<bool> HasStagedEdits(KvStore* kv, std::string_view token, const ReadOptions& options);

}  // namespace arbor

// One admin API call as its handler sees it, and the request parsing every
// handler shares: path and query decoding, bodies, query parameters, cursors,
// preconditions and the commit author.
//
// Contract: a parser either yields a value or the call's error: a Status (which
// the handler turns into its HTTP error with ErrorFromStatus or BranchError) or
// a ready response (std::optional<HttpResponse>, returned as is). Path
// parameters are percent-decoded after splitting on '/'; a query parameter
// appears once; a body is a JSON admin.proto message with no unknown fields,
// whose booleans are JSON booleans, and an empty body reads as {}. What a
// message echoes of the request is bounded (base/abbreviate.h).
#pragma once

#include <google/protobuf/message.h>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "server/admin/admin_api.h"
#include "server/admin/admin_errors.h"

namespace arbor {

struct AdminApi::Call {
  const HttpRequest& request;
  Repository* repo;
  const AdminApiOptions& options;
  std::vector<std::string> params;  // decoded path parameters, in order
  std::map<std::string, std::string> query;
  auth::Identity caller;  // authenticated, or none when authentication is off
};

namespace admin_api {

using Call = AdminApi::Call;

// The largest page a listing returns (limit, conflicts_limit).
inline constexpr size_t kMaxLimit = 10000;

// A path parameter for a message, in single quotes and bounded.
std::string Quote(std::string_view s);

// "/a/b/c" -> {"a", "b", "c"}; segments are not decoded.
std::vector<std::string> SplitPath(std::string_view path);
Result<std::string> PercentDecode(std::string_view s, bool plus_is_space);
// "k=v&k2=v2" (form-encoded) -> a map; a repeated parameter is an error.
Result<std::map<std::string, std::string>> ParseQuery(std::string_view query);

// Diff and conflict cursors are encoded keys, which hold 0x00 bytes, so they
// travel opaque (base64url without padding).
std::string EncodeCursor(std::string_view raw);
Result<std::string> DecodeCursor(std::string_view text, std::string_view what);

// Parses the body into `m`; an empty body is {}.
std::optional<HttpResponse> ParseBody(const Call& call, google::protobuf::Message* m);
// Rejects query parameters the route does not take.
std::optional<HttpResponse> CheckQuery(const Call& call,
                                       std::initializer_list<std::string_view> allowed);
const std::string* QueryValue(const Call& call, std::string_view name);
// A page size from 1 to kMaxLimit; `fallback` when absent.
Result<size_t> LimitParam(const Call& call, std::string_view name, size_t fallback);
// A non-negative integer; 0 when absent.
Result<uint64_t> UintParam(const Call& call, std::string_view name);
// true, 1 or empty; false or 0; false when absent.
Result<bool> BoolParam(const Call& call, std::string_view name);

// A commit id for an expected_head precondition: 64 hex digits or a unique
// prefix of at least 8. Empty: no precondition.
Result<std::optional<ObjectId>> ExpectedHead(Repository* repo, const std::string& text);

// An authenticated caller is the author, whatever the request says.
std::string AuthorOf(const Call& call, const std::string& requested);

// The error of a write addressed to /branches/{branch} (params[0]). A write to a
// tag or commit through a branch route is a bad request (400 READ_ONLY_REF): the
// path names something that is not a branch. A protected branch keeps 423
// READ_ONLY.
HttpResponse BranchError(const Call& call, const Status& s);

}  // namespace admin_api
}  // namespace arbor

// For writes addressed to /branches/{branch}: maps errors with BranchError.
#define API_BRANCH_ASSIGN_OR_RETURN(lhs, expr)         \
  API_ASSIGN_OR_RETURN_IMPL(                           \
      ARBOR_CONCAT(_api_result_, __LINE__), lhs, expr, \
      [&](const Status& _s) { return ::arbor::admin_api::BranchError(call, _s); })

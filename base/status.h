// Status and Result<T>: how every fallible call inside Arbor's core reports failure.
//
// Contract: a Status is either OK or carries a code and a human-readable message meant
// for the end user (it reaches HMS exceptions, HTTP bodies and CLI output unchanged).
// Exceptions are never thrown across module boundaries; only the Thrift front end
// turns a Status into an exception.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace arbor {

enum class StatusCode {
  kOk = 0,
  kNotFound,            // the named object, key or ref does not exist
  kAlreadyExists,       // creating something that exists
  kInvalidArgument,     // the caller's input is malformed
  kInvalidRequest,      // the request is malformed as a whole, not the object it names
                        // (e.g. values that do not fit the keys, a batch naming one
                        // object twice); HMS answers it with MetaException
  kCorruption,          // stored bytes fail validation (hash, decoding)
  kIOError,             // the storage engine failed
  kNoSpace,             // the data directory's filesystem is below its free-space reserve:
                        // writes are refused, reads work, writes resume once space is freed
  kPreconditionFailed,  // an expected value / expected head did not hold
  kPermissionDenied,    // the authenticated caller may not do this (its role, a lock it does
                        // not own, a user it may not act as); front ends answer a denial
                        // as they always have: HMS MetaException, HTTP 403. A missing or
                        // wrong credential is the front end's own 401, never a Status.
  kConflict,            // a merge found conflicts
  kReadOnly,            // write to a tag, a commit or a protected branch
  kNotEmpty,            // dropping a container that still holds objects
  kBusy,                // transient contention; the caller may retry
  kUnavailable,         // a remote dependency could not be reached
  kInternal,            // a bug: an invariant did not hold
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status OK() { return Status(); }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status InvalidArgument(std::string m) {
    return {StatusCode::kInvalidArgument, std::move(m)};
  }
  static Status InvalidRequest(std::string m) {
    return {StatusCode::kInvalidRequest, std::move(m)};
  }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status IOError(std::string m) { return {StatusCode::kIOError, std::move(m)}; }
  static Status NoSpace(std::string m) { return {StatusCode::kNoSpace, std::move(m)}; }
  static Status PreconditionFailed(std::string m) {
    return {StatusCode::kPreconditionFailed, std::move(m)};
  }
  static Status PermissionDenied(std::string m) {
    return {StatusCode::kPermissionDenied, std::move(m)};
  }
  static Status Conflict(std::string m) { return {StatusCode::kConflict, std::move(m)}; }
  static Status ReadOnly(std::string m) { return {StatusCode::kReadOnly, std::move(m)}; }
  static Status NotEmpty(std::string m) { return {StatusCode::kNotEmpty, std::move(m)}; }
  static Status Busy(std::string m) { return {StatusCode::kBusy, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  bool IsNotFound() const { return code_ == StatusCode::kNotFound; }
  bool IsAlreadyExists() const { return code_ == StatusCode::kAlreadyExists; }
  bool IsPreconditionFailed() const { return code_ == StatusCode::kPreconditionFailed; }
  bool IsPermissionDenied() const { return code_ == StatusCode::kPermissionDenied; }
  bool IsCorruption() const { return code_ == StatusCode::kCorruption; }
  bool IsNoSpace() const { return code_ == StatusCode::kNoSpace; }

  // "<CodeName>: <message>", for logs and test failures.
  std::string ToString() const;

  // A copy whose message is prefixed with `context: `, keeping the code.
  Status WithContext(std::string_view context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}  // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace arbor

#define ARBOR_CONCAT_INNER(a, b) a##b
#define ARBOR_CONCAT(a, b) ARBOR_CONCAT_INNER(a, b)

#define ARBOR_RETURN_IF_ERROR(expr)                \
  do {                                             \
    ::arbor::Status _arbor_status = (expr);        \
    if (!_arbor_status.ok()) return _arbor_status; \
  } while (0)

#define ARBOR_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return tmp.status();               \
  lhs = std::move(tmp).value()

#define ARBOR_ASSIGN_OR_RETURN(lhs, expr) \
  ARBOR_ASSIGN_OR_RETURN_IMPL(ARBOR_CONCAT(_arbor_result_, __LINE__), lhs, expr)

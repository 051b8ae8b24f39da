// Turning a Status into the HMS exception a method declares.
//
// Hive clients read the exception *type* (NoSuchObjectException means "not
// found", AlreadyExistsException means "exists", ...), and the generated
// processor only delivers types the method declares; anything else reaches the
// client as "Internal error processing <method>". So each call site names its
// declared types, and Raise<Declared...>(status) throws the best fitting one:
// the first type in the code's preference list that the method declares, else
// MetaException, which every data method declares.
#pragma once

#include <type_traits>

#include "hive_metastore_types.h"
#include "base/status.h"

namespace arbor::hms {

namespace hive = ::Apache::Hadoop::Hive;

template <typename T, typename... Ts>
inline constexpr bool kDeclares = (std::is_same_v<T, Ts> || ...);

template <typename E>
[[noreturn]] void ThrowWithMessage(const std::string& message) {
  E e;
  e.__set_message(message);
  throw e;
}

// Throws the first of Preferred... that the method declares (Declared...), or
// MetaException when it declares none of them.
template <typename... Declared>
struct Raiser {
  template <typename First, typename... Rest>
  [[noreturn]] static void Prefer(const std::string& message) {
    if constexpr (kDeclares<First, Declared...>) {
      ThrowWithMessage<First>(message);
    } else if constexpr (sizeof...(Rest) > 0) {
      Prefer<Rest...>(message);
    } else {
      ThrowWithMessage<hive::MetaException>(message);
    }
  }
};

template <typename... Declared>
[[noreturn]] void Raise(const Status& status) {
  using R = Raiser<Declared...>;
  const std::string& m = status.message();
  switch (status.code()) {
    case StatusCode::kNotFound:
      R::template Prefer<hive::NoSuchObjectException, hive::NoSuchLockException,
                         hive::UnknownDBException, hive::UnknownTableException,
                         hive::InvalidObjectException>(m);
    case StatusCode::kAlreadyExists:
      R::template Prefer<hive::AlreadyExistsException, hive::InvalidObjectException>(m);
    case StatusCode::kInvalidArgument:
      R::template Prefer<hive::InvalidObjectException, hive::InvalidInputException,
                         hive::InvalidOperationException>(m);
    case StatusCode::kNotEmpty:
      R::template Prefer<hive::InvalidOperationException>(m);
    case StatusCode::kInvalidRequest:  // Hive's MetaException for a malformed request
    default:
      ThrowWithMessage<hive::MetaException>(m);
  }
}

// Returns the value or raises its status.
template <typename... Declared, typename T>
T Check(Result<T> result) {
  if (!result.ok()) Raise<Declared...>(result.status());
  return std::move(result).value();
}

template <typename... Declared>
void Check(const Status& status) {
  if (!status.ok()) Raise<Declared...>(status);
}

}  // namespace arbor::hms

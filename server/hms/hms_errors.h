// Turning a Status into the HMS exception a method declares.
//
// Hive clients read the exception *type* (NoSuchObjectException means "not
// found", AlreadyExistsException means "exists", ...), and the generated
// processor only delivers types the method declares; anything else reaches the
// client as "Internal error processing <method>". So each method takes its
// declared types from the generated code, once:
//
//   using E = ARBOR_HMS_THROWS(get_table);  // Throws<MetaException, NoSuchObjectException>
//
// and Raise<E>(status) throws the best fitting one: the first type in the
// code's preference list that E holds, else MetaException, which every data
// method declares.
#pragma once

#include <string>
#include <type_traits>

#include "base/abbreviate.h"
#include "base/status.h"
#include "hive_metastore_types.h"

namespace arbor::hms {

namespace hive = ::Apache::Hadoop::Hive;

// A list of exception types a call may raise.
template <typename... Ts>
struct Throws {};

// Declared<R>: the exception types of a generated ThriftHiveMetastore_<m>_result
// struct R, in IDL order. R holds `success` (if the method returns a value) and
// one member per declared exception; Hive names them o1..o4, not always
// contiguously (drop_table and drop_function declare o1 and o3).
namespace internal {

// The type of R's member `o`, as a one-type list, or an empty list.
#define ARBOR_HMS_SLOT(o)                     \
  static auto o() {                           \
    if constexpr (requires(R & r) { r.o; }) { \
      return Throws<decltype(R::o)>{};        \
    } else {                                  \
      return Throws<>{};                      \
    }                                         \
  }
template <typename R>
struct Slots {
  static_assert(
      !requires(R & r) { r.o5; }, "a method declares o5: extend Slots");
  ARBOR_HMS_SLOT(o1)
  ARBOR_HMS_SLOT(o2)
  ARBOR_HMS_SLOT(o3)
  ARBOR_HMS_SLOT(o4)
};
#undef ARBOR_HMS_SLOT

template <typename... A, typename... B, typename... C, typename... D>
Throws<A..., B..., C..., D...> Concat(Throws<A...>, Throws<B...>, Throws<C...>, Throws<D...>);

template <typename R>
using DeclaredOf = decltype(Concat(Slots<R>::o1(), Slots<R>::o2(), Slots<R>::o3(), Slots<R>::o4()));

template <typename T, typename List>
struct Holds;
template <typename T, typename... Ts>
struct Holds<T, Throws<Ts...>> : std::bool_constant<(std::is_same_v<T, Ts> || ...)> {};

template <typename T, typename List>
struct Prepend;
template <typename T, typename... Ts>
struct Prepend<T, Throws<Ts...>> {
  using type = Throws<T, Ts...>;
};

template <typename List, typename T>
struct Remove {
  using type = Throws<>;
};
template <typename Head, typename... Tail, typename T>
struct Remove<Throws<Head, Tail...>, T> {
  using Rest = typename Remove<Throws<Tail...>, T>::type;
  using type =
      std::conditional_t<std::is_same_v<Head, T>, Rest, typename Prepend<Head, Rest>::type>;
};

}  // namespace internal

template <typename Result>
using Declared = internal::DeclaredOf<Result>;

// The declared exceptions of ThriftHiveMetastore method `method`.
#define ARBOR_HMS_THROWS(method) \
  ::arbor::hms::Declared<::Apache::Hadoop::Hive::ThriftHiveMetastore_##method##_result>

// Whether list L holds exception type T.
template <typename T, typename L>
inline constexpr bool kHolds = internal::Holds<T, L>::value;

// L without T: for a type a method declares but must never raise (old clients
// do not know its slot).
template <typename L, typename T>
using Without = typename internal::Remove<L, T>::type;

// Whether every exception a call raising through Inner can throw — Inner's own
// types and the MetaException fallback — is one Outer declares. A method that
// delegates to another needs this, or the generated processor turns the
// undeclared exception into "Internal error processing <method>".
template <typename Inner, typename Outer>
inline constexpr bool kRaisesWithin = false;
template <typename... Inner, typename Outer>
inline constexpr bool kRaisesWithin<Throws<Inner...>, Outer> = kHolds<hive::MetaException, Outer> &&
                                                               (kHolds<Inner, Outer> && ...);

// For a method whose body calls another HMS method: checks, at compile time,
// that what the callee raises is declared by the caller.
#define ARBOR_HMS_DELEGATES_TO(outer, inner)                                                   \
  static_assert(::arbor::hms::kRaisesWithin<ARBOR_HMS_THROWS(inner), ARBOR_HMS_THROWS(outer)>, \
                #outer " calls " #inner ", which may raise an exception " #outer               \
                       " does not declare")

// For failures Hive reports as MetaException whatever else the method declares.
using MetaOnly = Throws<hive::MetaException>;

template <typename E>
[[noreturn]] void ThrowWithMessage(const std::string& message) {
  // The last line of defence against echoing a huge client input: whatever
  // built the message, the client gets at most a few KB of it.
  constexpr size_t kMaxMessageBytes = 4096;
  E e;
  e.__set_message(message.size() > kMaxMessageBytes ? Abbreviate(message, kMaxMessageBytes)
                                                    : message);
  throw e;
}

// Throws the first of Preferred... that L holds, or MetaException when it holds
// none of them.
template <typename L, typename First, typename... Rest>
[[noreturn]] void RaisePreferred(const std::string& message) {
  if constexpr (kHolds<First, L>) {
    ThrowWithMessage<First>(message);
  } else if constexpr (sizeof...(Rest) > 0) {
    RaisePreferred<L, Rest...>(message);
  } else {
    ThrowWithMessage<hive::MetaException>(message);
  }
}

template <typename L>
[[noreturn]] void Raise(const Status& status) {
  const std::string& m = status.message();
  switch (status.code()) {
    case StatusCode::kNotFound:
      RaisePreferred<L, hive::NoSuchObjectException, hive::NoSuchLockException,
                     hive::UnknownDBException, hive::UnknownTableException,
                     hive::InvalidObjectException>(m);
    case StatusCode::kAlreadyExists:
      RaisePreferred<L, hive::AlreadyExistsException, hive::InvalidObjectException>(m);
    case StatusCode::kInvalidArgument:
      RaisePreferred<L, hive::InvalidObjectException, hive::InvalidInputException,
                     hive::InvalidOperationException>(m);
    case StatusCode::kNotEmpty:
      RaisePreferred<L, hive::InvalidOperationException>(m);
    // Hive's MetaException for a malformed request and for an authorization
    // denial (Hive's authorizers throw MetaException). A method that declares
    // none (the lock calls) gets it as TApplicationException from the processor.
    case StatusCode::kInvalidRequest:
    case StatusCode::kPermissionDenied:
    default:
      ThrowWithMessage<hive::MetaException>(m);
  }
}

// Returns the value or raises its status.
template <typename L, typename T>
T Check(Result<T> result) {
  if (!result.ok()) Raise<L>(result.status());
  return std::move(result).value();
}

template <typename L>
void Check(const Status& status) {
  if (!status.ok()) Raise<L>(status);
}

}  // namespace arbor::hms

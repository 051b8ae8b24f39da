// The declared exception lists the HMS handler raises through (hms_errors.h):
// derived from the generated ThriftHiveMetastore_<m>_result structs, they must
// match the throws clauses of thrift/hive_metastore.thrift, and Raise must pick
// from them as documented.
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "ThriftHiveMetastore.h"
#include "server/hms/hms_errors.h"

namespace arbor::hms {
namespace {

// The IDL name of each exception type the metastore declares; an exception
// missing here fails to compile (no specialization).
template <typename T>
std::string NameOf();
#define ARBOR_NAME_OF(T)                           \
  template <>                                      \
  [[maybe_unused]] std::string NameOf<hive::T>() { \
    return #T;                                     \
  }
ARBOR_NAME_OF(MetaException)
ARBOR_NAME_OF(NoSuchObjectException)
ARBOR_NAME_OF(AlreadyExistsException)
ARBOR_NAME_OF(InvalidObjectException)
ARBOR_NAME_OF(InvalidOperationException)
ARBOR_NAME_OF(InvalidInputException)
ARBOR_NAME_OF(UnknownDBException)
ARBOR_NAME_OF(UnknownTableException)
ARBOR_NAME_OF(ConfigValSecurityException)
ARBOR_NAME_OF(NoSuchTxnException)
ARBOR_NAME_OF(TxnAbortedException)
ARBOR_NAME_OF(NoSuchLockException)
#undef ARBOR_NAME_OF

template <typename... Ts>
std::vector<std::string> Names(Throws<Ts...>) {
  return {NameOf<Ts>()...};
}

// method -> the exception types of its throws clause, in IDL order.
std::map<std::string, std::vector<std::string>> IdlThrows() {
  std::ifstream in(std::string(ARBOR_SOURCE_DIR) + "/thrift/hive_metastore.thrift");
  std::stringstream text;
  text << in.rdbuf();
  std::string idl = text.str();
  idl = idl.substr(idl.find("service ThriftHiveMetastore"));
  idl = std::regex_replace(idl, std::regex("//[^\n]*"), "");
  std::map<std::string, std::vector<std::string>> out;
  static const std::regex kMethod(R"((\w+)\s*\(([^()]*)\)\s*(throws\s*\(([^()]*)\))?)");
  static const std::regex kField(R"(\d+\s*:\s*(\w+)\s+\w+)");
  for (std::sregex_iterator m(idl.begin(), idl.end(), kMethod), end; m != end; ++m) {
    std::vector<std::string> types;
    std::string clause = (*m)[4];
    for (std::sregex_iterator f(clause.begin(), clause.end(), kField); f != end; ++f) {
      types.push_back((*f)[1]);
    }
    out[(*m)[1]] = types;
  }
  return out;
}

#define EXPECT_MATCHES_IDL(method, idl)                                       \
  do {                                                                        \
    ASSERT_TRUE(idl.count(#method)) << #method " is not in the IDL";          \
    EXPECT_EQ(Names(ARBOR_HMS_THROWS(method){}), idl.at(#method)) << #method; \
  } while (false)

TEST(HmsDeclaredTest, DerivedListsMatchTheIdl) {
  auto idl = IdlThrows();
  ASSERT_FALSE(idl.empty());
  EXPECT_MATCHES_IDL(get_table, idl);
  EXPECT_MATCHES_IDL(get_table_req, idl);
  EXPECT_MATCHES_IDL(create_table, idl);
  EXPECT_MATCHES_IDL(drop_function, idl);  // o1 and o3: the slots are not contiguous
  EXPECT_MATCHES_IDL(drop_table, idl);     // o1 and o3 as well
  EXPECT_MATCHES_IDL(drop_table_req, idl);
  EXPECT_MATCHES_IDL(create_function, idl);
  EXPECT_MATCHES_IDL(get_table_column_statistics, idl);
  EXPECT_MATCHES_IDL(get_table_objects_by_name, idl);
  EXPECT_MATCHES_IDL(get_table_objects_by_name_req, idl);
  EXPECT_MATCHES_IDL(set_aggr_stats_for, idl);
  EXPECT_MATCHES_IDL(lock, idl);
  EXPECT_MATCHES_IDL(show_locks, idl);
  EXPECT_MATCHES_IDL(get_partitions_by_names_req, idl);
}

TEST(HmsDeclaredTest, KnownLists) {
  using std::vector, std::string;
  EXPECT_EQ(Names(ARBOR_HMS_THROWS(get_table){}),
            (vector<string>{"MetaException", "NoSuchObjectException"}));
  EXPECT_EQ(Names(ARBOR_HMS_THROWS(create_table){}),
            (vector<string>{"AlreadyExistsException", "InvalidObjectException", "MetaException",
                            "NoSuchObjectException"}));
  EXPECT_EQ(Names(ARBOR_HMS_THROWS(drop_function){}),
            (vector<string>{"NoSuchObjectException", "MetaException"}));
  EXPECT_TRUE(Names(ARBOR_HMS_THROWS(get_table_objects_by_name){}).empty());
  EXPECT_EQ(
      Names(Without<ARBOR_HMS_THROWS(get_partitions_by_names_req), hive::InvalidObjectException>{}),
      (vector<string>{"MetaException", "NoSuchObjectException"}));
}

// ARBOR_HMS_DELEGATES_TO's check: a caller must declare everything the callee
// may raise, MetaException (the fallback) included.
static_assert(kRaisesWithin<ARBOR_HMS_THROWS(get_table), ARBOR_HMS_THROWS(get_table_req)>);
static_assert(kRaisesWithin<ARBOR_HMS_THROWS(get_partitions_ps),
                            ARBOR_HMS_THROWS(get_partitions_ps_with_auth)>);  // other order
static_assert(!kRaisesWithin<ARBOR_HMS_THROWS(get_database), ARBOR_HMS_THROWS(get_databases_req)>);
static_assert(!kRaisesWithin<ARBOR_HMS_THROWS(get_table_objects_by_name),
                             ARBOR_HMS_THROWS(show_locks)>);  // the fallback is undeclared
static_assert(kRaisesWithin<ARBOR_HMS_THROWS(get_table_objects_by_name),
                            ARBOR_HMS_THROWS(get_table_objects_by_name_req)>);

// Which exception Raise<L> throws for `status`, by IDL name.
template <typename L>
std::string Raised(const Status& status) {
  try {
    Raise<L>(status);
  } catch (const hive::MetaException&) {
    return "MetaException";
  } catch (const hive::NoSuchObjectException&) {
    return "NoSuchObjectException";
  } catch (const hive::AlreadyExistsException&) {
    return "AlreadyExistsException";
  } catch (const hive::InvalidObjectException&) {
    return "InvalidObjectException";
  } catch (const hive::InvalidOperationException&) {
    return "InvalidOperationException";
  } catch (const hive::UnknownDBException&) {
    return "UnknownDBException";
  }
  return "other";
}

TEST(HmsDeclaredTest, RaisePicksTheFirstPreferredDeclaredType) {
  using GetTable = ARBOR_HMS_THROWS(get_table);
  using CreateTable = ARBOR_HMS_THROWS(create_table);
  using ByNameReq = ARBOR_HMS_THROWS(get_table_objects_by_name_req);
  using Legacy = ARBOR_HMS_THROWS(get_table_objects_by_name);
  using ByNames =
      Without<ARBOR_HMS_THROWS(get_partitions_by_names_req), hive::InvalidObjectException>;
  EXPECT_EQ(Raised<GetTable>(Status::NotFound("x")), "NoSuchObjectException");
  EXPECT_EQ(Raised<GetTable>(Status::InvalidArgument("x")), "MetaException");
  EXPECT_EQ(Raised<CreateTable>(Status::AlreadyExists("x")), "AlreadyExistsException");
  EXPECT_EQ(Raised<CreateTable>(Status::InvalidArgument("x")), "InvalidObjectException");
  EXPECT_EQ(Raised<CreateTable>(Status::InvalidRequest("x")), "MetaException");
  EXPECT_EQ(Raised<ByNameReq>(Status::NotFound("x")), "UnknownDBException");
  EXPECT_EQ(Raised<ByNameReq>(Status::InvalidArgument("x")), "InvalidOperationException");
  EXPECT_EQ(Raised<MetaOnly>(Status::InvalidArgument("x")), "MetaException");
  EXPECT_EQ(Raised<Legacy>(Status::NotFound("x")), "MetaException");
  EXPECT_EQ(Raised<ByNames>(Status::InvalidArgument("x")), "MetaException");
}

// An authorization denial is a MetaException, whatever else a method declares;
// the lock calls declare none, so the processor hands it to the client as a
// TApplicationException (tests/server/hms_denials_test.cc shows that end).
TEST(HmsDeclaredTest, PermissionDeniedIsAMetaException) {
  const Status denied = Status::PermissionDenied("user 'rita' (role reader) may not ...");
  EXPECT_EQ(Raised<ARBOR_HMS_THROWS(get_table)>(denied), "MetaException");
  EXPECT_EQ(Raised<ARBOR_HMS_THROWS(create_table)>(denied), "MetaException");
  EXPECT_EQ(Raised<ARBOR_HMS_THROWS(set_ugi)>(denied), "MetaException");
  EXPECT_EQ(Raised<ARBOR_HMS_THROWS(lock)>(denied), "MetaException");
  static_assert(!kHolds<hive::MetaException, ARBOR_HMS_THROWS(lock)>);
  static_assert(!kHolds<hive::MetaException, ARBOR_HMS_THROWS(unlock)>);
  static_assert(!kHolds<hive::MetaException, ARBOR_HMS_THROWS(check_lock)>);
  static_assert(!kHolds<hive::MetaException, ARBOR_HMS_THROWS(heartbeat)>);
}

}  // namespace
}  // namespace arbor::hms

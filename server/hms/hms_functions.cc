// Functions: create, drop, alter, get and list permanent (database-scoped) UDFs.
//
// Hive semantics kept here (HMSHandler / ObjectStore):
//   * create validates as validateFunctionInfo does: a valid name, and className,
//     ownerType and functionType all set (InvalidObjectException otherwise); the
//     database must exist (NoSuchObjectException); createTime defaults to now.
//   * a missing function is NoSuchObjectException "Function <db>.<fn> does not
//     exist", which contains the "<fn> does not exist" that Spark matches.
//   * resourceUris is never null in a response: Hive's JDO store always returns a
//     list, and Spark iterates it without a null check.
//   * responses carry catName "hive", and the database name as the client sent it.
#include "server/hms/hms_convert.h"
#include "server/hms/hms_handler.h"
#include "server/hms/hms_semantics.h"
#include "server/hms/name_pattern.h"
#include "versioning/names.h"

namespace arbor::hms {

using hive::Function;
using hive::GetAllFunctionsResponse;
using hive::InvalidObjectException;
using hive::InvalidOperationException;
using hive::MetaException;

namespace {

// What a stored function looks like to the client. `db_echo` is the database name
// as the client addressed it; empty keeps the stored name.
Function ToClient(const catalog::Function& stored, const std::string& db_echo) {
  Function out = FromProto(stored);
  if (!db_echo.empty()) out.__set_dbName(db_echo);
  out.__set_catName(kHiveCatalog);
  if (!out.__isset.resourceUris) out.__set_resourceUris({});
  return out;
}

}  // namespace

void HmsHandler::create_function(const Function& func) {
  using E = ARBOR_HMS_THROWS(create_function);
  // Hive's validateFunctionInfo, with its exception types; the name itself is
  // validated by the catalog. Null names fail before it in HMS (MetaException).
  if (!func.__isset.functionName) ThrowWithMessage<MetaException>("Function name cannot be null");
  if (!func.__isset.dbName) ThrowWithMessage<MetaException>("Database name cannot be null");
  if (!func.__isset.className)
    ThrowWithMessage<InvalidObjectException>("Function class name cannot be null");
  if (!func.__isset.ownerType)
    ThrowWithMessage<MetaException>("Function owner type cannot be null.");
  if (!func.__isset.functionType) ThrowWithMessage<MetaException>("Function type cannot be null.");
  DbName n = Parse<E>(func.dbName);
  catalog::Function f = Check<E>(ToProto(func));
  f.set_db_name(n.db);
  if (!f.has_create_time() || f.create_time() == 0) f.set_create_time(NowSeconds());
  if (!f.has_resource_uris()) f.mutable_resource_uris();
  Write<E>(n, "create function " + n.db + "." + f.function_name(),
           [&](CatalogTxn& txn) { return txn.CreateFunction(f); });
}

void HmsHandler::drop_function(const std::string& dbName, const std::string& funcName) {
  using E = ARBOR_HMS_THROWS(drop_function);
  DbName n = Parse<E>(dbName);
  Write<E>(n, "drop function " + n.db + "." + funcName,
           [&](CatalogTxn& txn) { return txn.DropFunction(n.db, funcName); });
}

// Replaces the function; a new functionName or dbName renames or moves it within
// the same ref. As in Hive's ObjectStore.alterFunction, the creation time stays.
// A missing function is a MetaException (alter_function declares no
// NoSuchObjectException; Hive throws MetaException "function x doesn't exist").
void HmsHandler::alter_function(const std::string& dbName, const std::string& funcName,
                                const Function& newFunc) {
  using E = ARBOR_HMS_THROWS(alter_function);
  // Hive's validateForAlterFunction: every field of the new function that it
  // needs, and its name, or a MetaException.
  if (!newFunc.__isset.functionName) {
    ThrowWithMessage<MetaException>("New function name cannot be null.");
  }
  if (Status valid = ValidateFunctionName(newFunc.functionName); !valid.ok()) {
    ThrowWithMessage<MetaException>(valid.message());
  }
  if (!newFunc.__isset.dbName) ThrowWithMessage<MetaException>("Database name cannot be null.");
  if (!newFunc.__isset.className) {
    ThrowWithMessage<MetaException>("Function class name cannot be null.");
  }
  if (!newFunc.__isset.ownerType) {
    ThrowWithMessage<MetaException>("Function owner type cannot be null.");
  }
  if (!newFunc.__isset.functionType) {
    ThrowWithMessage<MetaException>("Function type cannot be null.");
  }
  DbName n = Parse<E>(dbName);
  catalog::Function f = Check<E>(ToProto(newFunc));
  if (newFunc.__isset.dbName) {
    DbName target = Parse<E>(newFunc.dbName);
    if (RefOf(target) != RefOf(n)) {
      ThrowWithMessage<InvalidOperationException>("Cannot move function " + n.db + "." + funcName +
                                                  " from ref '" + RefOf(n) + "' to ref '" +
                                                  RefOf(target) + "': a function lives on one ref");
    }
    f.set_db_name(target.db);
  }
  if (!f.has_resource_uris()) f.mutable_resource_uris();
  Write<E>(n, "alter function " + n.db + "." + funcName, [&](CatalogTxn& txn) -> Status {
    ARBOR_ASSIGN_OR_RETURN(catalog::Function old, txn.GetFunction(n.db, funcName));
    if (old.has_create_time()) {
      f.set_create_time(old.create_time());
    } else if (!f.has_create_time()) {
      f.set_create_time(NowSeconds());
    }
    return txn.AlterFunction(n.db, funcName, f);
  });
}

void HmsHandler::get_function(Function& _return, const std::string& dbName,
                              const std::string& funcName) {
  using E = ARBOR_HMS_THROWS(get_function);
  DbName n = Parse<E>(dbName);
  ReadView view = View<E>(n);
  CatalogTxn txn(view);
  _return = ToClient(Check<E>(txn.GetFunction(n.db, funcName)), n.echo);
}

// Names of the database's functions matching the pattern, in name order. As in
// Hive, a database that does not exist simply has none.
void HmsHandler::get_functions(std::vector<std::string>& _return, const std::string& dbName,
                               const std::string& pattern) {
  using E = ARBOR_HMS_THROWS(get_functions);
  DbName n = Parse<E>(dbName);
  NamePattern matcher = Check<E>(NamePattern::Parse(pattern));
  ReadView view = View<E>(n);
  CatalogTxn txn(view);
  _return.clear();
  Check<E>(txn.ScanFunctions(n.db, [&](const catalog::Function& f) {
    if (matcher.Matches(f.function_name())) _return.push_back(f.function_name());
    return true;
  }));
}

// Every function of every database on the session's ref (Hive's session start,
// registerAllFunctionsOnce). dbName is the stored name: the client named no ref,
// and Hive qualifies each function as <dbName>.<functionName>.
void HmsHandler::get_all_functions(GetAllFunctionsResponse& _return) {
  using E = ARBOR_HMS_THROWS(get_all_functions);
  ReadView view = View<E>(DbName{});
  CatalogTxn txn(view);
  std::vector<Function> functions;
  for (const auto& db : Check<E>(txn.ListDatabaseNames())) {
    Check<E>(txn.ScanFunctions(db, [&](const catalog::Function& f) {
      functions.push_back(ToClient(f, ""));
      return true;
    }));
  }
  _return.__set_functions(std::move(functions));
}

}  // namespace arbor::hms

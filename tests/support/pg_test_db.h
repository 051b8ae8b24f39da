// A fresh PostgreSQL database for one test, in the cluster that the ctest fixture
// `pg.cluster` started (tests/support/pg_cluster.py). ARBOR_TEST_PG_STATE names the
// fixture's state file; without it PgTestAvailable() is false and the PostgreSQL
// variants of a test are not instantiated at all (ctest registers them separately,
// with the fixture), so no test ever skips.
#pragma once

#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "storage/pg_kv_store.h"

namespace arbor::testing {

inline bool PgTestAvailable() {
  const char* s = std::getenv("ARBOR_TEST_PG_STATE");
  return s && *s;
}

// "postgresql://arbor@127.0.0.1:PORT/" from the fixture's JSON state file.
inline std::string PgTestServerUrl() {
  std::ifstream in(std::getenv("ARBOR_TEST_PG_STATE"));
  std::stringstream ss;
  ss << in.rdbuf();
  std::string json = ss.str();
  size_t at = json.find("\"port\":");
  if (at == std::string::npos) throw std::runtime_error("bad ARBOR_TEST_PG_STATE file");
  int port = std::atoi(json.c_str() + at + 7);
  return "postgresql://arbor@127.0.0.1:" + std::to_string(port) + "/";
}

// Creates an empty database and returns its URI.
inline std::string CreatePgTestDatabase() {
  static std::atomic<int> counter{0};
  std::string name = "t_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
  std::string server = PgTestServerUrl();
  PGconn* conn = PQconnectdb((server + "postgres").c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string m = PQerrorMessage(conn);
    PQfinish(conn);
    throw std::runtime_error("cannot reach the test PostgreSQL: " + m);
  }
  PGresult* r = PQexec(conn, ("CREATE DATABASE " + name).c_str());
  bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  std::string m = PQerrorMessage(conn);
  PQclear(r);
  PQfinish(conn);
  if (!ok) throw std::runtime_error("CREATE DATABASE failed: " + m);
  return server + name;
}

inline PgOptions PgTestOptions() {
  PgOptions o;
  o.conninfo = CreatePgTestDatabase();
  o.acquire_timeout_ms = 30'000;
  return o;
}

}  // namespace arbor::testing

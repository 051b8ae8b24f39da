#include "clients/duckdb/metastore/client.h"

namespace arbor::metastore {

std::string DuckDbPath(const std::string& location) {
  std::string path = location;
  if (path.rfind("file://", 0) == 0) {
    path = path.substr(7);  // file:///x -> /x; file://host/x is not local and stays wrong loudly
  } else if (path.rfind("file:", 0) == 0) {
    path = path.substr(5);
  } else if (path.rfind("s3a://", 0) == 0 || path.rfind("s3n://", 0) == 0) {
    path = "s3://" + path.substr(6);
  }
  while (path.size() > 1 && path.back() == '/')
    path.pop_back();
  return path;
}

}  // namespace arbor::metastore

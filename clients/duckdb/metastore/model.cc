#include "clients/duckdb/metastore/model.h"

#include <charconv>

namespace arbor::metastore {
namespace {

std::optional<int64_t> NonNegative(const std::map<std::string, std::string>& parameters,
                                   const char* key) {
  auto it = parameters.find(key);
  if (it == parameters.end()) return std::nullopt;
  const std::string& text = it->second;
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < 0) return std::nullopt;
  return v;
}

}  // namespace

Statistics StatisticsFromParameters(const std::map<std::string, std::string>& parameters) {
  Statistics s;
  s.row_count = NonNegative(parameters, "numRows");
  s.total_size_bytes = NonNegative(parameters, "totalSize");
  s.file_count = NonNegative(parameters, "numFiles");
  return s;
}

}  // namespace arbor::metastore

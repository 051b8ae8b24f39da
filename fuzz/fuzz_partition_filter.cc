// Fuzzes the partition filter grammar (server/hms/partition_filter.h), which parses
// get_partitions_by_filter's filter string from any client. The first byte picks the
// table's partition key types; the rest is the filter. A parsed filter is evaluated on
// a few partitions and printed, so the evaluator and the printer run too; every row it
// matches must lie in one of its Bounds() boxes (the scan narrowing relies on that).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "server/hms/partition_filter.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const char* kTypes[] = {"string", "int", "date", "timestamp", "varchar(10)", "double"};
  static const char* kNames[] = {"ds", "hr", "d", "ts"};
  std::vector<arbor::hms::PartitionKeyInfo> keys;
  for (int i = 0; i < 4; ++i) {
    keys.push_back({kNames[i], kTypes[(data[0] >> (2 * i)) % 6]});
  }
  std::string_view filter(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto parsed = arbor::hms::PartitionFilter::Parse(filter, keys);
  if (!parsed.ok()) return 0;
  static const std::vector<std::vector<std::string>> kRows = {
      {"2024-01-01", "5", "2024-01-01", "2024-01-01 10:00:00"},
      {"x", "-12", "1999-12-31", "1970-01-01 00:00:00.123"},
      {"__HIVE_DEFAULT_PARTITION__", "abc", "", ""},
  };
  const auto bounds = parsed->Bounds();
  for (const auto& row : kRows) {
    if (!parsed->Matches(row) || !bounds) continue;
    bool in_some = false;
    for (const auto& box : *bounds) {
      bool in = true;
      for (size_t k = 0; in && k < box.size(); ++k) {
        if (box[k].lower && row[k] < *box[k].lower) in = false;
        if (box[k].upper && row[k] > *box[k].upper) in = false;
      }
      in_some = in_some || in;
    }
    if (!in_some) __builtin_trap();
  }
  (void)parsed->DebugString();
  return 0;
}

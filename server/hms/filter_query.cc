#include "server/hms/filter_query.h"

#include <utility>

namespace arbor::hms {

void AddFilter(std::shared_ptr<const PartitionFilter> filter, PartitionQuery* query) {
  if (filter->matches_all()) return;
  if (auto boxes = filter->Bounds()) {
    std::vector<ValueBox> within;
    within.reserve(boxes->size());
    for (KeyBox& box : *boxes) {
      ValueBox& v = within.emplace_back();
      for (KeyInterval& iv : box)
        v.push_back(ValueInterval{std::move(iv.lower), std::move(iv.upper)});
    }
    query->within = std::move(within);
  }
  query->predicate = [f = std::move(filter)](const std::vector<std::string>& values) {
    return f->Matches(values);
  };
}

}  // namespace arbor::hms

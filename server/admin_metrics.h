// AdminMetrics: arbord's AdminObserver, recording the admin API's events in the
// process's Metrics registry (arbor_http_requests_total, ..._duration_seconds,
// arbor_commits_total, arbor_merges_total) and serving its text for /metrics.
// The admin front end knows only the observer interface (server/admin/admin_api.h).
#pragma once

#include <string>
#include <string_view>

#include "server/admin/admin_api.h"
#include "server/metrics.h"

namespace arbor {

class AdminMetrics final : public AdminObserver {
 public:
  // `metrics` must outlive this observer.
  explicit AdminMetrics(Metrics* metrics) : metrics_(metrics) {}

  void OnRequest(std::string_view method, std::string_view route, int status,
                 double seconds) override {
    metrics_->ObserveHttp(method, route, status, seconds);
  }
  void OnCommit() override { metrics_->IncCommits(); }
  void OnMerge() override { metrics_->IncMerges(); }
  std::string MetricsText() override { return metrics_->Render(); }

 private:
  Metrics* metrics_;
};

}  // namespace arbor

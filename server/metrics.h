// Metrics: a small thread-safe registry of counters, fixed-bucket histograms and
// callback gauges, rendered in the Prometheus text exposition format (0.0.4).
//
// Contract:
//  * No global state: one instance lives in the server's context and is shared
//    by the Thrift and HTTP front ends. Every method may be called from any
//    thread.
//  * A metric family is identified by its name; its type, help text and (for
//    histograms) bucket bounds are fixed by the first call that names it.
//    Series within a family are identified by their label values.
//  * Render() lists families in name order and series in label order, so the
//    output is deterministic. Gauge callbacks run inside Render(), without the
//    registry's lock held, so they may do anything but block for long.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace arbor {

class Metrics {
 public:
  using Labels = std::vector<std::pair<std::string, std::string>>;

  // Latency buckets (seconds) for request histograms: 0.5 ms .. 10 s.
  static const std::vector<double>& DefaultLatencyBuckets();

  Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // --- generic registry
  void AddCounter(std::string_view name, std::string_view help, const Labels& labels,
                  double delta = 1);
  void Observe(std::string_view name, std::string_view help, const Labels& labels, double value,
               const std::vector<double>& buckets = DefaultLatencyBuckets());
  // A gauge whose value is read at render time. Registering a name again
  // replaces the callback; RemoveGauge drops it (call it before whatever the
  // callback reads goes away).
  void SetGauge(std::string_view name, std::string_view help, std::function<double()> value);
  void RemoveGauge(std::string_view name);

  // --- what Arbor records
  // One Thrift call: arbor_thrift_requests_total{method,result="ok|error"} and
  // arbor_thrift_request_duration_seconds{method}.
  void ObserveThrift(std::string_view method, double seconds, bool ok);
  // One HTTP request: arbor_http_requests_total{method,route,status} and
  // arbor_http_request_duration_seconds{method,route}. `route` is the route
  // pattern (e.g. "/api/v1/branches/{branch}"), never the raw path.
  void ObserveHttp(std::string_view method, std::string_view route, int status, double seconds);
  // arbor_commits_total (commits and reverts written through the admin API)
  // and arbor_merges_total (merge commits written).
  void IncCommits();
  void IncMerges();
  // arbor_thrift_open_connections, read from `open` at render time.
  void SetThriftConnectionsSource(std::function<int64_t()> open);

  // The Prometheus text format.
  std::string Render() const;

  // A counter's or gauge's current value, or a histogram's count; 0 if absent.
  // For tests.
  double Value(std::string_view name, const Labels& labels = {}) const;

 private:
  struct Histogram {
    std::vector<uint64_t> counts;  // per bucket (not cumulative), plus +Inf last
    double sum = 0;
    uint64_t count = 0;
  };
  enum class Type { kCounter, kHistogram, kGauge };
  struct Family {
    Type type = Type::kCounter;
    std::string help;
    std::vector<double> buckets;
    std::map<Labels, double> counters;
    std::map<Labels, Histogram> histograms;
    std::function<double()> gauge;
  };

  Family* FamilyFor(std::string_view name, std::string_view help, Type type,
                    const std::vector<double>* buckets);

  mutable std::mutex mu_;
  std::map<std::string, Family, std::less<>> families_;
};

}  // namespace arbor

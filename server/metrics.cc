#include "server/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace arbor {

namespace {

// Label values escape backslash, double quote and newline; help text escapes
// backslash and newline (the exposition format's rules).
std::string Escape(std::string_view s, bool quote) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quote) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

std::string FormatNumber(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
  }
  // The shortest rendering that reads back as the same double.
  char buf[32];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

std::string LabelText(const Metrics::Labels& labels, const std::string* le = nullptr) {
  if (labels.empty() && le == nullptr) return "";
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : labels) {
    if (!first) out += ",";
    first = false;
    out += k;
    out += "=\"";
    out += Escape(v, true);
    out += "\"";
  }
  if (le != nullptr) {
    if (!first) out += ",";
    out += "le=\"" + *le + "\"";
  }
  out += "}";
  return out;
}

}  // namespace

const std::vector<double>& Metrics::DefaultLatencyBuckets() {
  static const std::vector<double> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                               0.1,    0.25,  0.5,    1,     2.5,  5,     10};
  return kBuckets;
}

Metrics::Metrics() {
  // Families that should appear (at zero) before anything happens.
  std::lock_guard<std::mutex> lock(mu_);
  FamilyFor("arbor_commits_total", "Commits and reverts written through the admin API.",
            Type::kCounter, nullptr)
      ->counters[{}] = 0;
  FamilyFor("arbor_merges_total", "Merge commits written through the admin API.", Type::kCounter,
            nullptr)
      ->counters[{}] = 0;
}

Metrics::Family* Metrics::FamilyFor(std::string_view name, std::string_view help, Type type,
                                    const std::vector<double>* buckets) {
  auto it = families_.find(name);
  if (it == families_.end()) {
    Family f;
    f.type = type;
    f.help = std::string(help);
    if (buckets != nullptr) {
      f.buckets = *buckets;
      std::sort(f.buckets.begin(), f.buckets.end());
    }
    it = families_.emplace(std::string(name), std::move(f)).first;
  }
  if (it->second.type != type) return nullptr;  // a name reused with another type: ignored
  return &it->second;
}

void Metrics::AddCounter(std::string_view name, std::string_view help, const Labels& labels,
                         double delta) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Family* f = FamilyFor(name, help, Type::kCounter, nullptr)) f->counters[labels] += delta;
}

void Metrics::Observe(std::string_view name, std::string_view help, const Labels& labels,
                      double value, const std::vector<double>& buckets) {
  std::lock_guard<std::mutex> lock(mu_);
  Family* f = FamilyFor(name, help, Type::kHistogram, &buckets);
  if (f == nullptr) return;
  Histogram& h = f->histograms[labels];
  if (h.counts.empty()) h.counts.assign(f->buckets.size() + 1, 0);
  size_t i = std::lower_bound(f->buckets.begin(), f->buckets.end(), value) - f->buckets.begin();
  h.counts[i]++;  // bucket i holds values in (bucket[i-1], bucket[i]]
  h.sum += value;
  h.count++;
}

void Metrics::SetGauge(std::string_view name, std::string_view help,
                       std::function<double()> value) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Family* f = FamilyFor(name, help, Type::kGauge, nullptr)) f->gauge = std::move(value);
}

void Metrics::RemoveGauge(std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = families_.find(name);
  if (it != families_.end() && it->second.type == Type::kGauge) families_.erase(it);
}

void Metrics::ObserveThrift(std::string_view method, double seconds, bool ok) {
  Labels by_method = {{"method", std::string(method)}};
  Labels by_result = {{"method", std::string(method)}, {"result", ok ? "ok" : "error"}};
  AddCounter("arbor_thrift_requests_total", "Hive Metastore Thrift calls, by method and result.",
             by_result);
  Observe("arbor_thrift_request_duration_seconds", "Hive Metastore Thrift call latency.", by_method,
          seconds);
}

void Metrics::ObserveHttp(std::string_view method, std::string_view route, int status,
                          double seconds) {
  Labels by_route = {{"method", std::string(method)}, {"route", std::string(route)}};
  Labels by_status = by_route;
  by_status.emplace_back("status", std::to_string(status));
  AddCounter("arbor_http_requests_total", "Admin HTTP requests, by method, route and status.",
             by_status);
  Observe("arbor_http_request_duration_seconds", "Admin HTTP request latency.", by_route, seconds);
}

void Metrics::IncCommits() {
  AddCounter("arbor_commits_total", "Commits and reverts written through the admin API.", {});
}

void Metrics::IncMerges() {
  AddCounter("arbor_merges_total", "Merge commits written through the admin API.", {});
}

void Metrics::SetThriftConnectionsSource(std::function<int64_t()> open) {
  SetGauge("arbor_thrift_open_connections", "Open Hive Metastore Thrift connections.",
           [open = std::move(open)] { return static_cast<double>(open()); });
}

std::string Metrics::Render() const {
  // Copy the gauge callbacks out, so they run without the lock.
  std::vector<std::pair<std::string, std::function<double()>>> gauges;
  std::string out;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [name, f] : families_) {
      if (f.type == Type::kGauge) gauges.emplace_back(name, f.gauge);
    }
  }
  std::map<std::string, double> gauge_values;
  for (const auto& [name, fn] : gauges)
    gauge_values[name] = fn ? fn() : 0;

  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [name, f] : families_) {
    const char* type = f.type == Type::kCounter     ? "counter"
                       : f.type == Type::kHistogram ? "histogram"
                                                    : "gauge";
    out += "# HELP " + name + " " + Escape(f.help, false) + "\n";
    out += "# TYPE " + name + " " + type + "\n";
    switch (f.type) {
      case Type::kCounter:
        for (const auto& [labels, v] : f.counters) {
          out += name + LabelText(labels) + " " + FormatNumber(v) + "\n";
        }
        break;
      case Type::kGauge: {
        auto it = gauge_values.find(name);
        out += name + " " + FormatNumber(it == gauge_values.end() ? 0 : it->second) + "\n";
        break;
      }
      case Type::kHistogram:
        for (const auto& [labels, h] : f.histograms) {
          uint64_t cumulative = 0;
          for (size_t i = 0; i < h.counts.size(); ++i) {
            cumulative += h.counts[i];
            std::string le = i < f.buckets.size() ? FormatNumber(f.buckets[i]) : "+Inf";
            out +=
                name + "_bucket" + LabelText(labels, &le) + " " + std::to_string(cumulative) + "\n";
          }
          out += name + "_sum" + LabelText(labels) + " " + FormatNumber(h.sum) + "\n";
          out += name + "_count" + LabelText(labels) + " " + std::to_string(h.count) + "\n";
        }
        break;
    }
  }
  return out;
}

double Metrics::Value(std::string_view name, const Labels& labels) const {
  std::function<double()> gauge;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = families_.find(name);
    if (it == families_.end()) return 0;
    const Family& f = it->second;
    switch (f.type) {
      case Type::kCounter: {
        auto c = f.counters.find(labels);
        return c == f.counters.end() ? 0 : c->second;
      }
      case Type::kHistogram: {
        auto h = f.histograms.find(labels);
        return h == f.histograms.end() ? 0 : static_cast<double>(h->second.count);
      }
      case Type::kGauge:
        gauge = f.gauge;
        break;
    }
  }
  return gauge ? gauge() : 0;
}

}  // namespace arbor

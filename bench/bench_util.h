// Timing and formatting helpers shared by the benchmarks in bench/.
//
// Every benchmark reports medians of wall-clock samples next to floors measured in
// the same run; these are the pieces they all need.
#pragma once

#include <dirent.h>
#include <errno.h>  // program_invocation_short_name

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <unistd.h>

namespace arbor::bench {

// Benchmarks stop at the first failure, naming what failed.
[[noreturn]] inline void Die(const std::string& what) {
  std::fprintf(stderr, "%s: %s\n", program_invocation_short_name, what.c_str());
  std::exit(1);
}

// Status and Result checks; templates, so the header needs no part of Arbor and
// benchmarks that speak only Thrift can include it.
template <typename StatusT>
void Check(const StatusT& s, const std::string& what) {
  if (!s.ok()) Die(what + ": " + s.ToString());
}

template <typename ResultT>
auto Take(ResultT r, const std::string& what) {
  if (!r.ok()) Die(what + ": " + r.status().ToString());
  return std::move(r).value();
}

inline double NowNs() {
  return std::chrono::duration<double, std::nano>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// CPU time of the calling thread (user + system): unlike wall time, it does not count
// time the thread spent preempted by other processes on a shared machine.
inline double ThreadCpuNs() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

// Linear interpolation between the closest ranks; 0 for no samples.
inline double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  double pos = p * (v.size() - 1);
  size_t lo = static_cast<size_t>(pos);
  size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (pos - lo);
}

inline double Median(const std::vector<double>& v) {
  return Percentile(v, 0.5);
}

inline std::string Fmt(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
inline std::string Fmt(const char* fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  return buf;
}

inline std::string FmtTime(double ns) {
  if (ns < 1e3) return Fmt("%.0f ns", ns);
  if (ns < 1e6) return Fmt("%.2f us", ns / 1e3);
  if (ns < 1e9) return Fmt("%.2f ms", ns / 1e6);
  return Fmt("%.2f s", ns / 1e9);
}

// 10000 -> "10k", 1000000 -> "1M".
inline std::string FmtN(uint64_t n) {
  if (n >= 1000000 && n % 1000000 == 0) return Fmt("%" PRIu64 "M", n / 1000000);
  if (n >= 1000 && n % 1000 == 0) return Fmt("%" PRIu64 "k", n / 1000);
  return Fmt("%" PRIu64, n);
}

inline std::string FmtBytes(double b) {
  if (b < 1024) return Fmt("%.0f B", b);
  if (b < 1024.0 * 1024) return Fmt("%.1f KiB", b / 1024);
  return Fmt("%.1f MiB", b / (1024.0 * 1024));
}

inline std::string FmtRate(double per_s) {
  if (per_s >= 1e6) return Fmt("%.2f M/s", per_s / 1e6);
  if (per_s >= 1e3) return Fmt("%.1f k/s", per_s / 1e3);
  return Fmt("%.0f /s", per_s);
}

// Day `day` after 2000-01-01 as YYYY-MM-DD (Howard Hinnant's civil_from_days), for
// date-partitioned tables that grow one day at a time.
inline std::string DayString(uint64_t day) {
  int64_t z = static_cast<int64_t>(day) + 10957 + 719468;
  int64_t era = z / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1;
  int64_t m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  return Fmt("%04" PRId64 "-%02" PRId64 "-%02" PRId64, y, m, d);
}

// The CPU's model name from /proc/cpuinfo, for the machine line of a report.
inline std::string CpuModel() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      auto pos = line.find(':');
      if (pos != std::string::npos) return line.substr(pos + 2);
    }
  }
  return "unknown";
}

// The 1-minute load average, or -1 if unavailable: printed next to timings because
// other processes on a shared machine slow them down.
inline double LoadAverage() {
  double l[1] = {0};
  return getloadavg(l, 1) == 1 ? l[0] : -1;
}

// Nanoseconds the process `pid` has run on a CPU so far, summed over its threads
// (/proc/<pid>/task/<tid>/schedstat, first field), or -1 if it cannot be read.
// Lets a client-side benchmark report what a server spent per call, which, unlike
// wall time, a busy shared machine barely moves. Threads that exited in between
// are not counted, so callers difference it across calls of a steady server.
inline double ProcessCpuNs(int pid) {
  if (pid <= 0) return -1;
  const std::string tasks = "/proc/" + std::to_string(pid) + "/task";
  DIR* dir = opendir(tasks.c_str());
  if (!dir) return -1;
  double total = 0;
  while (dirent* e = readdir(dir)) {
    if (e->d_name[0] == '.') continue;
    std::ifstream in(tasks + "/" + e->d_name + "/schedstat");
    double ns = 0;
    if (in >> ns) total += ns;
  }
  closedir(dir);
  return total;
}

// The value of flag `name` at argv[*i], given as "--name=VALUE" or "--name VALUE"
// (the second form advances *i past the value); nullopt if argv[*i] is another flag.
inline std::optional<std::string> FlagValue(int argc, char** argv, int* i,
                                            const std::string& name) {
  std::string a = argv[*i];
  if (a.rfind(name + "=", 0) == 0) return a.substr(name.size() + 1);
  if (a == name && *i + 1 < argc) return std::string(argv[++*i]);
  return std::nullopt;
}

}  // namespace arbor::bench

// local_dirs_bench: the directories a bulk add_partitions makes on a file: warehouse.
//
// arbord makes the directory of every partition it adds to a `file:` location, as
// Hive's metastore does (server/hms/local_dirs.h). A call of 1 000 partitions of a
// ds/hr table makes 1 000 directories and ~42 parents. This times that work two
// ways, alternating round by round in fresh sibling trees under one parent, so both
// meet the same filesystem state:
//
//   create_directories  std::filesystem::create_directories per location (stat of the
//                       path, stat of its parent, then mkdir: arbord before)
//   EnsureLocalDirectory  arbord's: mkdir first, parents only on ENOENT
//
// Figures are process CPU (user + system) and wall time per 1 000 partitions, medians.
// Usage: local_dirs_bench [--dir PARENT (default /tmp)] [--rounds N (default 7)]
#include <time.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "bench/bench_util.h"
#include "server/hms/local_dirs.h"

namespace {

using namespace arbor::bench;  // NOLINT

double ProcessCpuNowNs() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

// The 1 000 partition directories of one add_partitions call under `table`.
std::vector<std::string> Partitions(const std::string& table) {
  std::vector<std::string> out;
  for (int k = 0; k < 1000; ++k)
    out.push_back(table + "/ds=" + DayString(k / 24) + "/hr=" + std::to_string(k % 24));
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::string parent = "/tmp";
  int rounds = 7;
  for (int i = 1; i < argc; ++i) {
    if (auto v = FlagValue(argc, argv, &i, "--dir")) {
      parent = *v;
    } else if (auto v = FlagValue(argc, argv, &i, "--rounds")) {
      rounds = std::max(1, std::stoi(*v));
    } else {
      Die(std::string("unknown flag ") + argv[i]);
    }
  }
  std::string tmpl = parent + "/local_dirs_bench-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) Die("mkdtemp in " + parent);
  const std::string root = tmpl;
  std::printf("local_dirs_bench: 1 000 partition directories per round under %s; load %.2f\n",
              root.c_str(), LoadAverage());
  std::vector<double> cpu[2], wall[2];
  for (int r = 0; r < rounds; ++r) {
    for (int side = 0; side < 2; ++side) {
      const int which = (r % 2 == 0) ? side : 1 - side;  // alternate who goes first
      const auto dirs = Partitions(root + "/r" + std::to_string(r) + "_" + std::to_string(which));
      const double c0 = ProcessCpuNowNs(), w0 = NowNs();
      for (const auto& d : dirs) {
        if (which == 0) {
          std::error_code ec;
          std::filesystem::create_directories(d, ec);
        } else {
          arbor::hms::EnsureLocalDirectory("file:" + d);
        }
      }
      cpu[which].push_back(ProcessCpuNowNs() - c0);
      wall[which].push_back(NowNs() - w0);
      for (const auto& d : dirs)
        if (!std::filesystem::is_directory(d)) Die("not made: " + d);
    }
  }
  const char* names[2] = {"create_directories", "EnsureLocalDirectory"};
  for (int s = 0; s < 2; ++s) {
    std::printf("  %-22s CPU %s, wall %s per 1 000 partitions\n", names[s],
                FmtTime(Median(cpu[s])).c_str(), FmtTime(Median(wall[s])).c_str());
  }
  std::printf("  EnsureLocalDirectory / create_directories: CPU %.2f, wall %.2f; load %.2f\n",
              Median(cpu[1]) / Median(cpu[0]), Median(wall[1]) / Median(wall[0]), LoadAverage());
  std::filesystem::remove_all(root);
  return 0;
}

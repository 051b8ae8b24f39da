// `arbor gc [--dry-run] [--grace SECONDS]` and `arbor backup DIR`: operations through
// /api/v1/gc and /api/v1/backups.
#include <charconv>
#include <filesystem>
#include <iomanip>
#include <sstream>

#include "arbor/admin.pb.h"
#include "cli/cli_error.h"
#include "cli/command.h"
#include "cli/render.h"

namespace arbor::cli {

namespace {

std::string Bytes(uint64_t n) {
  std::ostringstream s;
  if (n < 1024) {
    s << n << " B";
  } else {
    static const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB"};
    double v = static_cast<double>(n);
    int unit = -1;
    while (v >= 1024 && unit < 3) {
      v /= 1024;
      ++unit;
    }
    s << std::fixed << std::setprecision(1) << v << " " << kUnits[unit];
  }
  return s.str();
}

int Gc(const ParsedArgs& args, Context& ctx) {
  admin::GcRequest request;
  request.set_dry_run(args.Has("dry-run"));
  if (auto grace = args.Get("grace")) {
    int64_t seconds = -1;
    auto [end, ec] = std::from_chars(grace->data(), grace->data() + grace->size(), seconds);
    if (ec != std::errc() || end != grace->data() + grace->size() || seconds < 0) {
      throw UsageError("--grace must be a number of seconds (0 or more), not '" + *grace + "'");
    }
    request.set_grace_seconds(seconds);
  }
  admin::GcResponse r;
  ctx.api.Call("POST", "/gc", &request, &r);
  if (ctx.json()) {
    PrintJson(ctx, r);
    return kExitOk;
  }
  ctx.out << (r.dry_run() ? "would free " : "freed ") << r.objects_freed() << " of "
          << r.objects_scanned() << " objects (" << Bytes(r.bytes_freed()) << "); "
          << r.objects_live() << " reachable";
  if (r.deleted_refs_expired() > 0) {
    ctx.out << "; " << r.deleted_refs_expired() << " deleted ref(s) past the grace period";
  }
  ctx.out << std::fixed << std::setprecision(3) << "\ntook " << r.total_seconds()
          << " s, writers paused " << r.pause_seconds() << " s\n";
  return kExitOk;
}

int Backup(const ParsedArgs& args, Context& ctx) {
  admin::BackupRequest request;
  // The server writes the backup; a relative path would be relative to its working
  // directory, so only absolute paths are accepted, and this one is made absolute here.
  request.set_dir(std::filesystem::absolute(args.Positional(0)).lexically_normal().string());
  admin::BackupResponse r;
  ctx.api.Call("POST", "/backups", &request, &r);
  if (ctx.json()) {
    PrintJson(ctx, r);
    return kExitOk;
  }
  ctx.out << "backup written to " << r.dir() << " (on the server host) in " << std::fixed
          << std::setprecision(3) << r.seconds() << " s\n"
          << "restore: arbord --data-dir EMPTY_DIR --restore-from " << r.dir() << "\n";
  return kExitOk;
}

}  // namespace

std::vector<CommandSpec> OpsCommands() {
  return {
      {{"gc"},
       "[--dry-run] [--grace SECONDS]",
       "delete objects no ref reaches",
       "Runs garbage collection now: deletes the stored trees and commits that no\n"
       "branch, tag, pending lakeFS operation or recently deleted ref reaches, while\n"
       "the server keeps serving. A deleted branch or tag keeps its history for the\n"
       "grace period (the server's --gc-grace unless --grace is given). arbord also\n"
       "collects in the background every --gc-interval seconds.",
       {},
       {{"dry-run", 0, "", false, "report what would be freed; delete nothing"},
        {"grace", 0, "SECONDS", false, "keep what refs deleted this recently reached"}},
       {"arbor gc --dry-run", "arbor gc", "arbor gc --grace 0"},
       Gc},
      {{"backup"},
       "DIR",
       "make a consistent online backup",
       "Writes a consistent snapshot of the whole store (a RocksDB checkpoint) into\n"
       "DIR on the server host, while the server keeps serving. DIR must not exist.\n"
       "On the same file system the backup hard-links the immutable files, so it is\n"
       "fast and small; copy it elsewhere for safety. Restore with\n"
       "`arbord --data-dir EMPTY_DIR --restore-from DIR`.",
       {{"DIR", true, "where to write the backup (must not exist)"}},
       {},
       {"arbor backup /var/backups/arbor-2026-12-06"},
       Backup},
  };
}

}  // namespace arbor::cli

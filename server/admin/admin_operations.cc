// Admin API: garbage collection and backups (admin_handlers.h), both admin-only.
// A backup is a RocksDB checkpoint into a new directory on the server host.
#include "server/admin/admin_handlers.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <system_error>

#include "arbor/admin.pb.h"
#include "base/abbreviate.h"
#include "server/admin/admin_json.h"

namespace arbor::admin_api {

HttpResponse CollectGarbage(Call& call) {
  if (auto e = CheckQuery(call, {})) return *e;
  admin::GcRequest req;
  if (auto e = ParseBody(call, &req)) return *e;
  GcOptions opts;
  opts.dry_run = req.dry_run();
  int64_t grace = req.has_grace_seconds() ? req.grace_seconds() : call.options.gc_grace_seconds;
  if (grace < 0 || grace > 100LL * 365 * 86400) {
    return Error(400, "INVALID_ARGUMENT", "grace_seconds must be between 0 and 100 years");
  }
  opts.grace_micros = grace * 1'000'000;
  API_ASSIGN_OR_RETURN(GcReport r, call.repo->CollectGarbage(opts));
  spdlog::info("admin: garbage collection{}: {} of {} objects, {} bytes{}",
               r.dry_run ? " (dry run)" : "", r.objects_freed, r.objects_scanned, r.bytes_freed,
               r.dry_run ? " would be freed" : " freed");
  admin::GcResponse out;
  out.set_dry_run(r.dry_run);
  out.set_objects_scanned(r.objects_scanned);
  out.set_objects_live(r.objects_live);
  out.set_objects_freed(r.objects_freed);
  out.set_bytes_freed(r.bytes_freed);
  out.set_deleted_refs_expired(r.deleted_refs_expired);
  out.set_mark_seconds(r.mark_micros / 1e6);
  out.set_pause_seconds(r.pause_micros / 1e6);
  out.set_total_seconds(r.total_micros / 1e6);
  return JsonResponse(200, out);
}

HttpResponse Backup(Call& call) {
  if (auto e = CheckQuery(call, {})) return *e;
  admin::BackupRequest req;
  if (auto e = ParseBody(call, &req)) return *e;
  namespace fs = std::filesystem;
  fs::path dir(req.dir());
  if (req.dir().empty() || !dir.is_absolute()) {
    return Error(400, "INVALID_ARGUMENT", "dir must be an absolute path on the server host");
  }
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    return Error(409, "ALREADY_EXISTS",
                 "backup directory " + Abbreviate(req.dir()) + " already exists");
  }
  if (!fs::is_directory(dir.parent_path(), ec)) {
    return Error(400, "INVALID_ARGUMENT",
                 "the parent of " + Abbreviate(req.dir()) + " is not a directory");
  }
  auto start = std::chrono::steady_clock::now();
  API_RETURN_IF_ERROR(call.repo->kv()->Checkpoint(req.dir()));
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  spdlog::info("admin: backup written to {} in {:.3f} s", req.dir(), seconds);
  admin::BackupResponse out;
  out.set_dir(req.dir());
  out.set_seconds(seconds);
  return JsonResponse(201, out);
}

}  // namespace arbor::admin_api

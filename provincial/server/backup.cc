#include "provincial/server/backup.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/audit/audit_anchor.h"
#include "common/audit/audit_log.h"
#include "common/base/file_lock.h"
#include "common/base/status_macros.h"
#include "common/sql/sqlite.h"
#include "common/sql/sqlite_backup.h"
#include "provincial/core/store.h"
#include "provincial/sync/sync_lock.h"

namespace ntmis::provincial {
namespace {

namespace fs = std::filesystem;

// What a copy holds, read from the copy itself.
absl::StatusOr<BackupReport> Describe(const std::string& path) {
  BackupReport report;
  sql::OpenOptions read_only;
  read_only.read_only = true;
  ASSIGN_OR_RETURN(sql::Database db, sql::Database::Open(path, read_only));
  absl::StatusOr<int64_t> teachers =
      db.QueryInt("SELECT COUNT(*) FROM teachers");
  absl::StatusOr<int64_t> audit = db.QueryInt("SELECT COUNT(*) FROM audit");
  if (!teachers.ok() || !audit.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path,
                     " is not a provincial node's database (it has no teachers "
                     "or audit table)"));
  }
  ASSIGN_OR_RETURN(report.province, Store::PeekProvince(path));
  report.teachers = static_cast<uint64_t>(*teachers);
  report.audit_entries = static_cast<uint64_t>(*audit);
  std::error_code ec;
  report.bytes = fs::file_size(path, ec);
  return report;
}

std::vector<std::string> KeysOf(const v1::ProvincialConfig& config) {
  std::vector<std::string> keys;
  for (const std::string& file :
       {config.id_hash_key(), config.pii_key(), config.tls().key(),
        config.tls().cert(), config.database() + ".audit-key"}) {
    if (!file.empty()) keys.push_back(file);
  }
  return keys;
}

}  // namespace

absl::StatusOr<BackupReport> BackupNode(const v1::ProvincialConfig& config,
                                        const std::string& to) {
  if (to.empty()) return absl::InvalidArgumentError("--to FILE is required");
  ASSIGN_OR_RETURN(std::string province,
                   Store::PeekProvince(config.database()));
  RETURN_IF_ERROR(sql::CopyDatabase(config.database(), to));
  ASSIGN_OR_RETURN(BackupReport report, Describe(to));
  report.keys_not_included = KeysOf(config);
  ASSIGN_OR_RETURN(auto audit, AuditLog::Open(config.database()));
  RETURN_IF_ERROR(audit->AppendAndFlush(
      {"local operator (ntmis-provincial backup)", "node.backup", to, "ok",
       absl::StrCat(report.teachers, " teachers, ", report.audit_entries,
                    " audit entries, ", report.bytes, " bytes")}));
  return report;
}

absl::StatusOr<RestoreReport> RestoreNode(const v1::ProvincialConfig& config,
                                          const std::string& from) {
  if (from.empty())
    return absl::InvalidArgumentError("--from FILE is required");
  const std::string& db = config.database();
  // The backup first: nothing is touched for a file that is not one.
  RETURN_IF_ERROR(sql::CheckIntactDatabase(from));
  RETURN_IF_ERROR(CheckAuditRestorable(from, config.database()));
  ASSIGN_OR_RETURN(BackupReport described, Describe(from));
  if (described.province.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        from,
        " is not a provincial node's backup (no province in its meta table)"));
  }
  if (described.province != config.province()) {
    return absl::FailedPreconditionError(absl::StrCat(
        from, " is a backup of province ", described.province,
        "; this node is province ", config.province(), ": nothing restored"));
  }
  // Then the node: stopped, and no sync running.
  absl::StatusOr<FileLock> serve_lock = FileLock::Acquire(
      db + ".serve.lock", absl::StrCat("the node is running on ", db,
                                       ": stop it first; nothing restored"));
  if (absl::IsAborted(serve_lock.status()))
    return absl::FailedPreconditionError(serve_lock.status().message());
  if (!serve_lock.ok()) return serve_lock.status();
  absl::StatusOr<FileLock> sync_lock = AcquireSyncLock(SyncLockPath(db));
  if (!sync_lock.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "a sync is running on ", db, ": wait for it; nothing restored"));
  }

  RestoreReport report;
  report.backup = described;
  // Restore into a new file beside the database, then swap: a failure
  // before the swap leaves the node as it was.
  const std::string incoming = db + ".restoring";
  fs::remove(incoming);
  RETURN_IF_ERROR(sql::CopyDatabase(from, incoming));
  std::error_code ec;
  const std::string aside = absl::StrCat(
      db, ".before-restore-",
      absl::FormatTime("%Y%m%dT%H%M%SZ", absl::Now(), absl::UTCTimeZone()));
  if (fs::exists(db, ec)) report.set_aside = aside;
  RETURN_IF_ERROR(sql::SwapInRestored(incoming, db, aside));
  // The anchor follows the restored chain (which is shorter than the one it
  // replaced: the national node will say so at the next sync until its
  // operator accepts), and the restore is the chain's next entry.
  {
    ASSIGN_OR_RETURN(AuditAnchor anchor, AuditAnchor::Open(db));
    ASSIGN_OR_RETURN(sql::Database restored, sql::Database::Open(db, {}));
    ASSIGN_OR_RETURN(AuditHead head, ReadAuditHead(restored));
    RETURN_IF_ERROR(anchor.Write(head));
  }
  ASSIGN_OR_RETURN(auto audit, AuditLog::Open(db));
  RETURN_IF_ERROR(audit->AppendAndFlush(
      {"local operator (ntmis-provincial restore)", "node.restore", from, "ok",
       absl::StrCat(described.teachers, " teachers, ", described.audit_entries,
                    " audit entries; the database replaced is ",
                    report.set_aside.empty() ? "none" : report.set_aside)}));
  return report;
}

}  // namespace ntmis::provincial

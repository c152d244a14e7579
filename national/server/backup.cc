#include "national/server/backup.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/audit/audit_anchor.h"
#include "common/audit/audit_log.h"
#include "common/base/file_lock.h"
#include "common/base/status_macros.h"
#include "common/sql/sqlite.h"
#include "common/sql/sqlite_backup.h"
#include "national/ingest/national_store.h"

namespace ntmis::national {
namespace {

namespace fs = std::filesystem;

// national.db and province-NN.db in `dir`, national.db first.
std::vector<std::string> DatabasesIn(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name == "national.db" ||
        (name.size() == 14 && absl::StartsWith(name, "province-") &&
         absl::EndsWith(name, ".db")))
      names.push_back(name);
  }
  std::sort(names.begin(), names.end(),
            [](const std::string& a, const std::string& b) {
              return (a == "national.db") != (b == "national.db")
                         ? a == "national.db"
                         : a < b;
            });
  return names;
}

}  // namespace

absl::StatusOr<NationalBackupReport> BackupNational(
    const v1::NationalConfig& config, const std::string& to) {
  if (to.empty()) return absl::InvalidArgumentError("--to DIR is required");
  std::error_code ec;
  if (fs::exists(to, ec)) {
    return absl::AlreadyExistsError(absl::StrCat(
        to, " already exists: a backup goes into a new directory"));
  }
  if (::mkdir(to.c_str(), 0700) != 0)
    return absl::InvalidArgumentError(absl::StrCat("cannot create ", to));
  NationalBackupReport report;
  for (const std::string& name : DatabasesIn(config.data_dir())) {
    absl::Status copied =
        sql::CopyDatabase(config.data_dir() + "/" + name, to + "/" + name);
    if (!copied.ok()) {
      fs::remove_all(to, ec);  // no half backup left to be mistaken for one
      return copied;
    }
    report.files.push_back(name);
    report.bytes += fs::file_size(to + "/" + name, ec);
  }
  if (report.files.empty() || report.files.front() != "national.db") {
    fs::remove_all(to, ec);
    return absl::FailedPreconditionError(absl::StrCat(
        config.data_dir(), " holds no national.db: nothing to back up"));
  }
  for (const std::string& key :
       {config.id_hash_key(), config.tls().key(), config.tls().cert(),
        config.data_dir() + "/national.db.audit-key"}) {
    if (!key.empty()) report.keys_not_included.push_back(key);
  }
  ASSIGN_OR_RETURN(auto audit,
                   AuditLog::Open(config.data_dir() + "/national.db"));
  RETURN_IF_ERROR(audit->AppendAndFlush(
      {"local operator (ntmis-national backup)", "node.backup", to, "ok",
       absl::StrCat(report.files.size(), " files, ", report.bytes, " bytes")}));
  return report;
}

absl::StatusOr<NationalBackupReport> RestoreNational(
    const v1::NationalConfig& config, const std::string& from) {
  if (from.empty()) return absl::InvalidArgumentError("--from DIR is required");
  const std::vector<std::string> names = DatabasesIn(from);
  if (names.empty() || names.front() != "national.db") {
    return absl::InvalidArgumentError(absl::StrCat(
        from, " is not a national node's backup (no national.db in it)"));
  }
  for (const std::string& name : names)
    RETURN_IF_ERROR(sql::CheckIntactDatabase(from + "/" + name));
  RETURN_IF_ERROR(CheckAuditRestorable(from + "/national.db",
                                       config.data_dir() + "/national.db"));
  {
    sql::OpenOptions read_only;
    read_only.read_only = true;
    ASSIGN_OR_RETURN(sql::Database db,
                     sql::Database::Open(from + "/national.db", read_only));
    if (!db.QueryInt("SELECT COUNT(*) FROM audit_anchors").ok() ||
        !db.QueryInt("SELECT COUNT(*) FROM audit").ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(from,
                       "/national.db is not a national node's database (no "
                       "audit or registry tables)"));
    }
  }
  absl::StatusOr<FileLock> lock = FileLock::Acquire(
      config.data_dir() + "/national.serve.lock",
      "the national node is running on this data directory: stop it first; "
      "nothing restored");
  if (absl::IsAborted(lock.status()))
    return absl::FailedPreconditionError(lock.status().message());
  if (!lock.ok()) return lock.status();
  NationalBackupReport report;
  // Copy in beside the live files first; swap only once every copy is made.
  const std::string incoming = config.data_dir() + "/restoring";
  std::error_code ec;
  fs::remove_all(incoming, ec);
  if (::mkdir(incoming.c_str(), 0700) != 0)
    return absl::InternalError(absl::StrCat("cannot create ", incoming));
  for (const std::string& name : names) {
    absl::Status copied =
        sql::CopyDatabase(from + "/" + name, incoming + "/" + name);
    if (!copied.ok()) {
      fs::remove_all(incoming, ec);
      return copied;
    }
    report.files.push_back(name);
    report.bytes += fs::file_size(incoming + "/" + name, ec);
  }
  report.set_aside = absl::StrCat(
      config.data_dir(), "/before-restore-",
      absl::FormatTime("%Y%m%dT%H%M%SZ", absl::Now(), absl::UTCTimeZone()));
  if (::mkdir(report.set_aside.c_str(), 0700) != 0)
    return absl::InternalError(
        absl::StrCat("cannot create ", report.set_aside));
  // Every live database aside (also those the backup lacks), then each
  // restored one in, by the swap the province's restore uses.
  const std::vector<std::string> live = DatabasesIn(config.data_dir());
  for (const std::string& name : live) {
    if (std::find(names.begin(), names.end(), name) != names.end()) continue;
    RETURN_IF_ERROR(sql::SwapInRestored("", config.data_dir() + "/" + name,
                                        report.set_aside + "/" + name));
  }
  for (const std::string& name : names) {
    RETURN_IF_ERROR(sql::SwapInRestored(incoming + "/" + name,
                                        config.data_dir() + "/" + name,
                                        report.set_aside + "/" + name));
  }
  fs::remove_all(incoming, ec);
  const std::string national_db = config.data_dir() + "/national.db";
  {
    ASSIGN_OR_RETURN(AuditAnchor anchor, AuditAnchor::Open(national_db));
    ASSIGN_OR_RETURN(sql::Database restored,
                     sql::Database::Open(national_db, {}));
    ASSIGN_OR_RETURN(AuditHead head, ReadAuditHead(restored));
    RETURN_IF_ERROR(anchor.Write(head));
  }
  ASSIGN_OR_RETURN(auto audit, AuditLog::Open(national_db));
  RETURN_IF_ERROR(audit->AppendAndFlush(
      {"local operator (ntmis-national restore)", "node.restore", from, "ok",
       absl::StrCat(report.files.size(), " files; the files replaced are in ",
                    report.set_aside)}));
  return report;
}

}  // namespace ntmis::national

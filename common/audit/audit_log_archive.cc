// AuditLog's archiving of old entries and the restore check that protects
// them (common/audit/audit_log.h, common/audit/audit_archive.h).
#include <algorithm>
#include <ctime>
#include <filesystem>
#include <iostream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/audit/audit_archive.h"
#include "common/audit/audit_log.h"
#include "common/base/status_macros.h"
#include "common/crypto/crypto.h"
#include "common/metrics/metrics.h"
#include "common/teacher/id_card.h"

namespace ntmis {

absl::Status CheckAuditRestorable(const std::string& backup,
                                  const std::string& live) {
  std::error_code ec;
  if (!std::filesystem::exists(live + ".audit-base", ec))
    return absl::OkStatus();
  ASSIGN_OR_RETURN(AuditAnchor base_file,
                   AuditAnchor::Open(live, AuditMarkFile::kArchivedBase));
  ASSIGN_OR_RETURN(std::optional<AuditHead> base, base_file.Read());
  if (!base.has_value()) return absl::OkStatus();
  sql::OpenOptions read_only;
  read_only.read_only = true;
  ASSIGN_OR_RETURN(sql::Database db, sql::Database::Open(backup, read_only));
  ASSIGN_OR_RETURN(AuditHead head, ReadAuditHead(db));
  if (head.count >= base->count) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      backup, " ends its audit chain at entry ", head.count,
      ", but entries up to ", base->count, " were archived since (", live,
      ".audit-base): nothing restored. To restore it anyway, move the audit "
      "archive folder and ",
      live,
      ".audit-base and .audit-verified aside first; the archives stay the "
      "record of "
      "those entries"));
}

absl::StatusOr<AuditArchiveReport> AuditLog::Archive(const std::string& dir,
                                                     int64_t before_unix) {
  RETURN_IF_ERROR(Flush());
  AuditArchiveReport report;
  while (true) {
    absl::MutexLock lock(&db_mu_);
    ASSIGN_OR_RETURN(std::optional<AuditHead> base_file, base_.Read());
    if (base_file.has_value() && base_file->count > archived_.count)
      archived_ = *base_file;
    ASSIGN_OR_RETURN(AuditHead head, ReadHead());
    ASSIGN_OR_RETURN(
        sql::Statement old,
        db_.Prepare(
            "SELECT COALESCE(MAX(id), 0) FROM audit WHERE at_unix < ?"));
    old.BindAll(before_unix);
    ASSIGN_OR_RETURN(bool found, old.Step());
    const uint64_t last_old =
        found ? static_cast<uint64_t>(old.ColumnInt(0)) : 0;
    // The newest entry stays: the database always holds its head.
    const uint64_t upto =
        std::min(last_old, head.count > 0 ? head.count - 1 : 0);
    if (upto <= archived_.count) break;
    uint64_t moved = 0;
    ASSIGN_OR_RETURN(
        std::string file,
        ArchiveChunk(dir, std::min(upto, archived_.count + kArchiveChunk),
                     &moved));
    report.entries += moved;
    report.files.push_back(std::move(file));
  }
  return report;
}

absl::StatusOr<std::string> AuditLog::ArchiveChunk(const std::string& dir,
                                                   uint64_t upto,
                                                   uint64_t* moved) {
  const AuditHead base = archived_;
  ASSIGN_OR_RETURN(
      sql::Statement rows,
      db_.Prepare(
          "SELECT id, at_unix, actor, action, target, result, detail, hash "
          "FROM audit WHERE id > ? AND id <= ? ORDER BY id"));
  rows.BindAll(static_cast<int64_t>(base.count), static_cast<int64_t>(upto));
  std::vector<ChainedAuditEntry> entries;
  entries.reserve(upto - base.count);
  std::string prev = base.hash;
  uint64_t expected = base.count + 1;
  while (true) {
    ASSIGN_OR_RETURN(bool row, rows.Step());
    if (!row) break;
    ChainedAuditEntry e;
    e.stored.id = static_cast<uint64_t>(rows.ColumnInt(0));
    e.stored.at_unix = rows.ColumnInt(1);
    e.stored.entry = {rows.ColumnText(2), rows.ColumnText(3),
                      rows.ColumnText(4), rows.ColumnText(5),
                      rows.ColumnText(6)};
    e.hash = std::string(rows.ColumnBlob(7));
    if (e.stored.id != expected)
      return absl::DataLossError(absl::StrCat("audit chain broken: entry ",
                                              expected,
                                              " is missing; nothing archived"));
    if (AuditChainHash(prev, static_cast<int64_t>(e.stored.id),
                       e.stored.at_unix, e.stored.entry) != e.hash) {
      return absl::DataLossError(absl::StrCat(
          "audit chain broken at entry ", e.stored.id, "; nothing archived"));
    }
    prev = e.hash;
    ++expected;
    entries.push_back(std::move(e));
  }
  if (entries.empty() || entries.back().stored.id != upto)
    return absl::DataLossError(
        absl::StrCat("audit entries up to ", upto, " are missing"));
  ASSIGN_OR_RETURN(std::string path,
                   WriteAuditArchive(dir, anchor_, base.hash, entries));
  AuditHead archived{upto, prev, static_cast<int64_t>(std::time(nullptr)), 0};
  RETURN_IF_ERROR(base_.Write(archived));
  ASSIGN_OR_RETURN(int64_t schema_before, AuditSchemaMark());
  {
    // The delete guard is lifted only inside this transaction, for entries
    // the archive now holds.
    ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(db_));
    RETURN_IF_ERROR(db_.Exec("DROP TRIGGER audit_no_delete"));
    ASSIGN_OR_RETURN(sql::Statement del,
                     db_.Prepare("DELETE FROM audit WHERE id <= ?"));
    del.BindAll(static_cast<int64_t>(upto));
    RETURN_IF_ERROR(del.Run());
    RETURN_IF_ERROR(
        db_.Exec("CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit "
                 "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END"));
    RETURN_IF_ERROR(txn.Commit());
  }
  archived_ = archived;
  // The verified mark stays good across this change of schema, if it was.
  ASSIGN_OR_RETURN(int64_t schema_after, AuditSchemaMark());
  ASSIGN_OR_RETURN(std::optional<AuditHead> mark, verified_.Read());
  if (mark.has_value() && schema_before >= 0 && mark->mark == schema_before) {
    mark->mark = schema_after;
    RETURN_IF_ERROR(verified_.Write(*mark));
  }
  *moved = entries.size();
  return path;
}

void AuditLog::ArchiveEvery(const std::string& dir, absl::Duration after) {
  archiver_ = std::thread([this, dir, after] { ArchiverLoop(dir, after); });
}

void AuditLog::ArchiverLoop(std::string dir, absl::Duration after) {
  absl::Duration wait = absl::Seconds(10);  // soon after start, then hourly
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      auto stopping = [this]()
                          ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stopping_; };
      if (mu_.AwaitWithTimeout(absl::Condition(&stopping), wait)) return;
    }
    wait = absl::Hours(1);
    absl::StatusOr<AuditArchiveReport> archived =
        Archive(dir, absl::ToUnixSeconds(absl::Now() - after));
    if (!archived.ok()) {
      std::cerr << "audit log: archiving to " << dir
                << " failed: " << archived.status().message() << "\n";
    } else if (archived->entries > 0) {
      std::cerr << "audit log: archived " << archived->entries << " entries to "
                << dir << "\n";
    }
  }
}

}  // namespace ntmis

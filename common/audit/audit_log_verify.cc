// AuditLog's verification: from the verified mark or in full, with the
// archives (common/audit/audit_log.h). The writer and the queue are in
// audit_log.cc, archiving in audit_log_archive.cc.
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

std::string DescribeAuditVerify(const AuditVerifyReport& r) {
  std::string out = absl::StrCat(
      "audit chain intact: ", r.entries, " entries (", r.walked,
      r.incremental ? " new since the last verification, walked now"
                    : " walked now");
  if (r.archived > 0) absl::StrAppend(&out, "; ", r.archived, " archived");
  absl::StrAppend(&out, "), anchored");
  if (!r.archive_note.empty()) absl::StrAppend(&out, "; ", r.archive_note);
  return out;
}

void PrintAuditVerifyProgress(uint64_t done, uint64_t total) {
  std::cerr << "audit verify: " << done << " of " << total << " entries\n";
}

absl::StatusOr<uint64_t> AuditLog::Verify() {
  ASSIGN_OR_RETURN(AuditVerifyReport report, Verify(AuditVerifyOptions()));
  return report.entries;
}

absl::StatusOr<AuditVerifyReport> AuditLog::Verify(
    const AuditVerifyOptions& options) {
  absl::StatusOr<AuditVerifyReport> verified = VerifyChain(options);
  metrics::AuditVerified(verified.ok());
  return verified;
}

absl::StatusOr<int64_t> AuditLog::AuditSchemaMark() {
  ASSIGN_OR_RETURN(
      int64_t guards,
      db_.QueryInt(
          "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND "
          "name IN ('audit_no_update', 'audit_no_delete')"));
  if (guards != 2)
    return int64_t{-1};  // a guard is missing: never trust an earlier walk
  return db_.QueryInt("PRAGMA schema_version");
}

absl::Status AuditLog::VerifyArchives(
    const std::string& dir, const AuditHead& base, AuditVerifyReport& report,
    const std::function<void()>& on_entry) const {
  ASSIGN_OR_RETURN(std::vector<AuditArchiveFile> files, ListAuditArchives(dir));
  if (files.empty()) {
    if (base.count > 0) {
      return absl::DataLossError(absl::StrCat("entries 1 to ", base.count,
                                              " were archived, but ", dir,
                                              " holds no archive"));
    }
    return absl::OkStatus();
  }
  std::string prev;
  uint64_t next = files.front().first;
  for (const AuditArchiveFile& listed : files) {
    ASSIGN_OR_RETURN(AuditArchiveFile file,
                     ReadAuditArchive(listed.path, anchor_, on_entry));
    if (file.first != next) {
      return absl::DataLossError(absl::StrCat("audit archives: entries ", next,
                                              " to ", file.first - 1,
                                              " are in no archive of ", dir));
    }
    if (file.first > 1 && &listed != &files.front() && file.prev_hash != prev) {
      return absl::DataLossError(
          absl::StrCat("audit archive ", file.path,
                       " does not continue the archive before it"));
    }
    if (&listed == &files.front()) {
      if (file.first == 1 && !file.prev_hash.empty())
        return absl::DataLossError(absl::StrCat("audit archive ", file.path,
                                                " does not start the chain"));
      if (file.first > 1) {
        // Older archives were removed: allowed once they were past the
        // retention (180 days, 网络安全法 第二十一条).
        const int64_t retention = 180 * 86400;
        if (std::time(nullptr) - file.first_at_unix < retention) {
          return absl::DataLossError(
              absl::StrCat("audit archives: entries 1 to ", file.first - 1,
                           " are missing from ", dir,
                           ", though entries after them are younger than the "
                           "180-day retention"));
        }
        report.archive_note =
            absl::StrCat("entries 1 to ", file.first - 1,
                         " were removed after the retention period");
      }
    }
    prev = file.last_hash;
    next = file.last + 1;
    report.walked += file.last - file.first + 1;
  }
  if (base.count > 0 && (next != base.count + 1 || prev != base.hash)) {
    return absl::DataLossError(absl::StrCat(
        "audit archives in ", dir, " end at entry ", next - 1,
        " but the database continues from the archived base, entry ",
        base.count));
  }
  if (base.count == 0 && next > 1) {
    return absl::DataLossError(
        absl::StrCat("audit archives in ", dir, " hold entries to ", next - 1,
                     " but this database names no archived base"));
  }
  return absl::OkStatus();
}

absl::StatusOr<AuditVerifyReport> AuditLog::VerifyChain(
    const AuditVerifyOptions& options) {
  RETURN_IF_ERROR(Flush());
  std::string problem;
  {
    absl::MutexLock lock(&mu_);
    problem = problem_;
  }
  AuditVerifyReport report;
  absl::MutexLock lock(&db_mu_);
  ASSIGN_OR_RETURN(std::optional<AuditHead> base_file, base_.Read());
  if (base_file.has_value() && base_file->count > archived_.count)
    archived_ = *base_file;
  const AuditHead base = archived_;
  report.archived = base.count;
  ASSIGN_OR_RETURN(AuditHead head, ReadHead());
  ASSIGN_OR_RETURN(int64_t schema, AuditSchemaMark());
  const uint64_t to_walk_db =
      head.count > base.count ? head.count - base.count : 0;
  uint64_t archived_total = 0;
  if (!options.archive_dir.empty()) {
    ASSIGN_OR_RETURN(std::vector<AuditArchiveFile> files,
                     ListAuditArchives(options.archive_dir));
    for (const AuditArchiveFile& f : files)
      archived_total += f.last - f.first + 1;
  }
  const uint64_t total = archived_total + to_walk_db;
  uint64_t done = 0;
  auto tick = [&] {
    if (++done % 1000000 == 0 && options.progress)
      options.progress(done, total);
  };
  if (!options.archive_dir.empty())
    RETURN_IF_ERROR(VerifyArchives(options.archive_dir, base, report, tick));

  // Where the walk starts: the archived base, or the verified mark when
  // nothing about the table changed since it was written.
  AuditHead start = base;
  if (!options.full && options.archive_dir.empty()) {
    ASSIGN_OR_RETURN(std::optional<AuditHead> mark, verified_.Read());
    if (mark.has_value() && schema >= 0 && mark->mark == schema &&
        mark->count > base.count && mark->count <= head.count) {
      ASSIGN_OR_RETURN(std::optional<std::string> stored,
                       ReadAuditHash(db_, mark->count));
      if (!stored.has_value() || *stored != mark->hash) {
        return absl::DataLossError(
            absl::StrCat("audit log rewritten: entry ", mark->count,
                         " is not the one verified on ",
                         absl::FormatTime("%Y-%m-%d %H:%M:%S UTC",
                                          absl::FromUnixSeconds(mark->at_unix),
                                          absl::UTCTimeZone())));
      }
      start = *mark;
      report.incremental = true;
    }
  }
  ASSIGN_OR_RETURN(
      sql::Statement rows,
      db_.Prepare("SELECT id, at_unix, actor, action, target, result, "
                  "detail, hash FROM audit WHERE id > ? ORDER BY id"));
  rows.BindAll(static_cast<int64_t>(start.count));
  std::string prev = start.hash;
  int64_t expected_id = static_cast<int64_t>(start.count) + 1;
  while (true) {
    ASSIGN_OR_RETURN(bool row, rows.Step());
    if (!row) break;
    AuditEntry e{rows.ColumnText(2), rows.ColumnText(3), rows.ColumnText(4),
                 rows.ColumnText(5), rows.ColumnText(6)};
    int64_t id = rows.ColumnInt(0);
    if (id != expected_id) {
      return absl::DataLossError(absl::StrCat("audit chain broken: entry ",
                                              expected_id, " is missing"));
    }
    std::string hash = AuditChainHash(prev, id, rows.ColumnInt(1), e);
    if (hash != rows.ColumnBlob(7)) {
      return absl::DataLossError(
          absl::StrCat("audit chain broken at entry ", id));
    }
    prev = std::move(hash);
    ++report.walked;
    ++expected_id;
    tick();
  }
  if (options.progress) options.progress(done, total);
  // Every stored hash follows from the entries; now the chain must still
  // reach the anchor, and the head this process last saw.
  ASSIGN_OR_RETURN(std::optional<AuditHead> anchored, anchor_.Read());
  if (anchored.has_value()) {
    ASSIGN_OR_RETURN(std::string departed, Departure(*anchored, "the anchor"));
    if (!departed.empty()) return absl::DataLossError(departed);
  } else if (head.count > 0) {
    return absl::DataLossError(
        absl::StrCat("the audit anchor ", anchor_.path(), " is missing"));
  }
  ASSIGN_OR_RETURN(std::string departed,
                   Departure(head_, "this node's last write"));
  if (!departed.empty()) return absl::DataLossError(departed);
  if (!problem.empty()) {
    return absl::DataLossError(absl::StrCat(
        problem,
        " (found since the node started; the chain as it is now holds ",
        head.count, " entries)"));
  }
  report.entries = std::max(head.count, base.count);
  if (schema >= 0 && head.count > 0) {
    AuditHead mark = head;
    mark.at_unix = std::time(nullptr);
    mark.mark = schema;
    absl::Status kept = verified_.Write(mark);
    if (!kept.ok()) std::cerr << "audit log: " << kept.message() << "\n";
  }
  return report;
}

}  // namespace ntmis

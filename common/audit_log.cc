#include "common/audit_log.h"

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <iostream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/audit_archive.h"
#include "common/crypto.h"
#include "common/metrics.h"
#include "common/status_macros.h"
#include "common/teacher/id_card.h"

namespace ntmis {

const char* const AuditLog::kSchema = R"sql(
CREATE TABLE audit (
  id INTEGER PRIMARY KEY,
  at_unix INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  result TEXT NOT NULL,
  detail TEXT NOT NULL,
  hash BLOB NOT NULL
);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
  BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
  BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
)sql";

absl::StatusOr<std::unique_ptr<AuditLog>> AuditLog::Open(
    const std::string& path) {
  sql::OpenOptions options;
  options.create = false;
  options.cache_size = -2048;
  ASSIGN_OR_RETURN(sql::Database db, sql::Database::Open(path, options));
  ASSIGN_OR_RETURN(AuditAnchor anchor, AuditAnchor::Open(path));
  std::unique_ptr<AuditLog> log(new AuditLog(std::move(db), std::move(anchor)));
  std::string problem;
  {
    absl::MutexLock db_lock(&log->db_mu_);
    ASSIGN_OR_RETURN(std::optional<AuditHead> base, log->base_.Read());
    if (base.has_value()) log->archived_ = *base;
    ASSIGN_OR_RETURN(log->head_, log->ReadHead());
    absl::StatusOr<std::optional<AuditHead>> anchored = log->anchor_.Read();
    if (!anchored.ok()) {
      problem = std::string(anchored.status().message());
    } else if (anchored->has_value()) {
      ASSIGN_OR_RETURN(problem, log->Departure(**anchored, "the anchor"));
    } else if (!log->anchor_.created_key()) {
      problem = absl::StrCat("the audit anchor ", log->anchor_.path(),
                             " is missing though its key exists (deleted?)");
    }
  }
  metrics::AuditWritable(true);
  log->writer_ = std::thread([raw = log.get()] { raw->WriterLoop(); });
  if (!problem.empty()) log->Latch(problem);
  log->Anchor(
      /*force=*/true);  // from here on, the anchor follows this database
  return log;
}

absl::StatusOr<AuditHead> ReadAuditHead(sql::Database& db) {
  ASSIGN_OR_RETURN(
      sql::Statement last,
      db.Prepare("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1"));
  ASSIGN_OR_RETURN(bool has_last, last.Step());
  AuditHead head;
  if (has_last) {
    head.count = static_cast<uint64_t>(last.ColumnInt(0));
    head.hash = std::string(last.ColumnBlob(1));
  }
  head.at_unix = std::time(nullptr);
  return head;
}

absl::StatusOr<std::optional<std::string>> ReadAuditHash(sql::Database& db,
                                                         uint64_t count) {
  ASSIGN_OR_RETURN(sql::Statement at,
                   db.Prepare("SELECT hash FROM audit WHERE id = ?"));
  at.BindAll(static_cast<int64_t>(count));
  ASSIGN_OR_RETURN(bool found, at.Step());
  if (!found) return std::optional<std::string>();
  return std::optional<std::string>(std::string(at.ColumnBlob(0)));
}

absl::StatusOr<AuditHead> AuditLog::ReadHead() { return ReadAuditHead(db_); }

absl::StatusOr<std::string> AuditLog::Departure(const AuditHead& head,
                                                absl::string_view whose) {
  if (head.count == 0) return std::string();
  ASSIGN_OR_RETURN(std::optional<std::string> stored,
                   ReadAuditHash(db_, head.count));
  const std::string when = absl::FormatTime("%Y-%m-%d %H:%M:%S UTC",
                                            absl::FromUnixSeconds(head.at_unix),
                                            absl::UTCTimeZone());
  if (!stored.has_value() && head.count <= archived_.count) {
    // Archived: the archived base vouches for it, or nothing here can.
    if (head.count == archived_.count && head.hash != archived_.hash)
      return absl::StrCat("audit log rewritten: entry ", head.count,
                          " is not the one ", whose, " names");
    return std::string();
  }
  if (!stored.has_value()) {
    ASSIGN_OR_RETURN(AuditHead now, ReadHead());
    return absl::StrCat("audit log cut short: ", whose, " of ", when, " holds ",
                        head.count, " entries, the database has ", now.count,
                        " (entries ", now.count + 1, " to ", head.count,
                        " are gone, or an older copy was put back)");
  }
  if (*stored != head.hash) {
    return absl::StrCat(
        "audit log rewritten: entry ", head.count, " is not the one ", whose,
        " of ", when,
        " names (entries up to it were changed and their hashes "
        "recomputed, or another database was put in place)");
  }
  return std::string();
}

void AuditLog::Latch(const std::string& problem) {
  std::cerr << "audit log: " << problem << "\n";
  absl::MutexLock lock(&mu_);
  if (problem_.empty()) problem_ = problem;
  // Queued without waiting for room: the writer thread itself latches.
  queue_.push_back(
      {static_cast<int64_t>(std::time(nullptr)),
       {"ntmis", "audit.anchor", anchor_.path(), "DATA_LOSS", problem}});
  ++queued_total_;
}

void AuditLog::Anchor(bool force) {
  absl::MutexLock db_lock(&db_mu_);
  const absl::Time now = absl::Now();
  if (!force &&
      (head_.count == anchored_count_ || now - anchored_at_ < kAnchorEvery))
    return;
  absl::Status written = anchor_.Write(head_);
  if (!written.ok()) {
    std::cerr << "audit log: " << written.message() << "\n";
    return;
  }
  anchored_count_ = head_.count;
  anchored_at_ = now;
}

absl::StatusOr<AuditHead> AuditLog::Head() {
  RETURN_IF_ERROR(Flush());
  absl::MutexLock db_lock(&db_mu_);
  return ReadHead();
}

absl::StatusOr<std::string> AuditLog::HashAt(uint64_t count) {
  RETURN_IF_ERROR(Flush());
  absl::MutexLock db_lock(&db_mu_);
  ASSIGN_OR_RETURN(std::optional<std::string> hash, ReadAuditHash(db_, count));
  if (!hash.has_value())
    return absl::NotFoundError(
        absl::StrCat("the audit log has no entry ", count));
  return *std::move(hash);
}

AuditLog::~AuditLog() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (writer_.joinable()) writer_.join();
  if (archiver_.joinable()) archiver_.join();
  Anchor(/*force=*/true);
}

void AuditLog::Append(const AuditEntry& entry) {
  Pending pending{
      static_cast<int64_t>(std::time(nullptr)),
      {MaskIdCardsIn(entry.actor), entry.action, MaskIdCardsIn(entry.target),
       entry.result, MaskIdCardsIn(entry.detail)}};
  absl::MutexLock lock(&mu_);
  auto has_room = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return queue_.size() < kMaxQueued || stopping_;
  };
  mu_.Await(absl::Condition(&has_room));
  queue_.push_back(std::move(pending));
  ++queued_total_;
}

absl::Status AuditLog::AppendAndFlush(const AuditEntry& entry,
                                      absl::Duration timeout) {
  Append(entry);
  return Flush(timeout);
}

absl::Status AuditLog::Writable() {
  absl::MutexLock lock(&mu_);
  if (last_stuck_.ok()) return absl::OkStatus();
  return absl::UnavailableError(
      absl::StrCat("审计日志无法写入（", last_stuck_.message(),
                   "）：为保证每项操作都有审计记录，节点暂停受理请求，待审计日"
                   "志可写后自动恢复"));
}

void AuditLog::SetWritableListener(
    std::function<void(bool writable)> listener) {
  absl::MutexLock lock(&mu_);
  writable_listener_ = std::move(listener);
}

absl::Status AuditLog::Flush(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  const uint64_t target = queued_total_;
  auto written = [this, target]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return written_total_ >= target;
  };
  ++flushing_;
  const bool done = mu_.AwaitWithTimeout(absl::Condition(&written), timeout);
  --flushing_;
  if (!done) {
    return absl::UnavailableError(absl::StrCat(
        "the audit log could not be written for ",
        absl::FormatDuration(timeout),
        (last_error_.ok() ? "" : absl::StrCat(": ", last_error_.message())),
        "; entries stay queued and are retried"));
  }
  return absl::OkStatus();
}

void AuditLog::WriterLoop() {
  absl::Duration backoff = absl::Milliseconds(10);
  int64_t last_report = 0;
  while (true) {
    std::vector<Pending> batch;
    bool quiet = false;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
        return !queue_.empty() || stopping_;
      };
      quiet = !mu_.AwaitWithTimeout(absl::Condition(&ready), kAnchorEvery);
      if (!quiet && queue_.empty()) return;  // stopping, everything written
    }
    if (quiet) {  // a second without entries: bring the anchor up to the head
      Anchor(/*force=*/false);
      continue;
    }
    {
      absl::MutexLock lock(&mu_);
      auto full = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
        return queue_.size() >= kBatch || flushing_ > 0 || stopping_;
      };
      mu_.AwaitWithTimeout(absl::Condition(&full), kLinger);
      batch.swap(queue_);
    }
    while (true) {
      absl::Status written;
      std::string departed;
      {
        absl::MutexLock db_lock(&db_mu_);
        written = WriteBatch(batch);
        departed.swap(departed_);
      }
      if (!departed.empty()) Latch(departed);
      if (written.ok()) Anchor(/*force=*/false);
      bool give_up = false;
      bool changed = false;  // Writable() changed: told outside mu_
      std::function<void(bool)> listener;
      {
        absl::MutexLock lock(&mu_);
        // A busy database (another writer holding it past the busy
        // timeout) is waited out and changes nothing; anything else (disk
        // full, I/O error, read-only) stops the node until a write succeeds.
        const bool was = last_stuck_.ok();
        if (written.ok()) {
          written_total_ += batch.size();
          last_stuck_ = absl::OkStatus();
        } else if (!absl::IsUnavailable(written)) {
          last_stuck_ = written;
        }
        // Never drop an entry: retry with back-off, reporting at most once a
        // minute. A log being destroyed gives up after some seconds.
        last_error_ = written;
        changed = was != last_stuck_.ok();
        listener = writable_listener_;
      }
      if (changed) {
        if (written.ok()) {
          std::cerr << "audit log: writable again; the node accepts calls\n";
        } else {
          std::cerr << "audit log: cannot be written (" << written.message()
                    << "): the node refuses calls until it can\n";
        }
        metrics::AuditWritable(written.ok());
        if (listener) listener(written.ok());
      }
      if (written.ok()) break;
      {
        absl::MutexLock lock(&mu_);
        const int64_t now = std::time(nullptr);
        give_up = stopping_ && backoff > absl::Seconds(1);
        if (give_up || now - last_report >= 60) {
          std::cerr << "audit log: cannot write " << batch.size() << " entries"
                    << (give_up ? ", giving up at shutdown: " : ", retrying: ")
                    << written.message() << "\n";
          last_report = now;
        }
      }
      if (give_up) return;
      absl::SleepFor(backoff);
      backoff = std::min(backoff * 2, absl::Seconds(2));
    }
    backoff = absl::Milliseconds(10);
  }
}

absl::Status AuditLog::WriteBatch(const std::vector<Pending>& batch) {
  ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(db_));
  // Another process may have appended since; nobody may have taken away.
  ASSIGN_OR_RETURN(std::string departed,
                   Departure(head_, "this node's last write"));
  if (!departed.empty()) departed_ = departed;  // latched by the writer loop
  ASSIGN_OR_RETURN(AuditHead last, ReadHead());
  int64_t id = static_cast<int64_t>(last.count);
  std::string prev = last.hash;
  ASSIGN_OR_RETURN(sql::Statement insert,
                   db_.Prepare("INSERT INTO audit VALUES (?,?,?,?,?,?,?,?)"));
  for (const Pending& p : batch) {
    ++id;
    std::string hash = AuditChainHash(prev, id, p.at_unix, p.entry);
    insert.BindAll(id, p.at_unix, p.entry.actor, p.entry.action, p.entry.target,
                   p.entry.result, p.entry.detail);
    insert.BindBlob(8, hash);
    RETURN_IF_ERROR(insert.Run());
    prev = std::move(hash);
  }
  RETURN_IF_ERROR(txn.Commit());
  head_ = {static_cast<uint64_t>(id), std::move(prev),
           static_cast<int64_t>(std::time(nullptr))};
  return absl::OkStatus();
}

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

absl::StatusOr<std::vector<StoredAuditEntry>> AuditLog::Query(
    const AuditFilter& f) {
  std::string sql =
      "SELECT id, at_unix, actor, action, target, result, detail FROM audit "
      "WHERE 1";
  if (!f.actor.empty()) sql += " AND actor = ?1";
  if (!f.action.empty()) {
    sql += absl::EndsWith(f.action, ".")
               ? " AND substr(action, 1, length(?2)) = ?2"
               : " AND action = ?2";
  }
  if (!f.target.empty()) sql += " AND target = ?3";
  if (f.since_unix != 0) sql += " AND at_unix >= ?4";
  if (f.until_unix != 0) sql += " AND at_unix <= ?5";
  if (f.actors) sql += " AND actor IN (SELECT value FROM json_each(?6))";
  sql += " ORDER BY id DESC LIMIT ?7";
  const std::string actors = f.actors ? sql::JsonArray(*f.actors) : "";
  RETURN_IF_ERROR(Flush());
  absl::MutexLock lock(&db_mu_);
  ASSIGN_OR_RETURN(sql::Statement q, db_.Prepare(sql));
  if (!f.actor.empty()) q.Bind(1, f.actor);
  if (!f.action.empty()) q.Bind(2, f.action);
  if (!f.target.empty()) q.Bind(3, f.target);
  if (f.since_unix != 0) q.Bind(4, f.since_unix);
  if (f.until_unix != 0) q.Bind(5, f.until_unix);
  if (f.actors) q.Bind(6, actors);
  q.Bind(7, int64_t{f.limit == 0 ? 100 : std::min<uint32_t>(f.limit, 10000)});
  std::vector<StoredAuditEntry> entries;
  RETURN_IF_ERROR(q.ForEachRow([&] {
    entries.push_back({static_cast<uint64_t>(q.ColumnInt(0)),
                       q.ColumnInt(1),
                       {q.ColumnText(2), q.ColumnText(3), q.ColumnText(4),
                        q.ColumnText(5), q.ColumnText(6)}});
  }));
  return entries;
}

}  // namespace ntmis

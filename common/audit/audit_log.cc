#include "common/audit/audit_log.h"

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <iostream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/audit/audit_archive.h"
#include "common/base/status_macros.h"
#include "common/crypto/crypto.h"
#include "common/metrics/metrics.h"
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

// An append-only, hash-chained audit log in a SQLite table: each entry's hash
// covers its fields and the previous entry's hash, so an edit or deletion
// anywhere breaks the chain from there on.
//
// The chain's head is also kept outside the database
// (common/audit/audit_anchor.h), at most a second behind, so cutting entries
// off the end, rewriting them with every later hash recomputed, or putting back
// an older database is found at start-up, by the writer, and by Verify; each
// sync also hands the head to the national node (docs/operators.md, "The audit
// trail"). Values that look like ID-card numbers are masked before they are
// stored.
//
// Thread-safe: any thread may call any method. Appends are queued and
// written by the log's own writer thread on a connection the log owns.
// Several processes may append to one database (a CLI beside the server).
#ifndef NTMIS_COMMON_AUDIT_AUDIT_LOG_H_
#define NTMIS_COMMON_AUDIT_AUDIT_LOG_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/audit/audit_anchor.h"
#include "common/audit/audit_entry.h"
#include "common/sql/sqlite.h"

namespace ntmis {

// What to select from the log; empty fields match everything.
struct AuditFilter {
  std::string actor;
  std::string action;  // exact, or a prefix when it ends in '.'
  std::string target;
  int64_t since_unix = 0;
  int64_t until_unix = 0;  // inclusive; 0: no end
  // When set, only entries by these actors.
  std::optional<std::vector<std::string>> actors;
  uint32_t limit = 100;
};

// The chain's head in `db` (count 0 when empty), and the hash of entry
// `count` (nullopt when the chain is shorter): for readers that hold the
// database rather than the log, such as the sync.
absl::StatusOr<AuditHead> ReadAuditHead(sql::Database& db);
absl::StatusOr<std::optional<std::string>> ReadAuditHash(sql::Database& db,
                                                         uint64_t count);

// How Verify walks the chain.
struct AuditVerifyOptions {
  // false: from where the last verification ended (the verified mark beside
  // the database), unless the audit table's schema changed since (a
  // trigger dropped to edit it, say); true: every entry in the database.
  bool full = false;
  // Non-empty: also every archive in this folder, and that they join up
  // with each other and with the database (implies full).
  std::string archive_dir;
  // Called every million entries and at the end with entries walked and
  // the entries to walk.
  std::function<void(uint64_t done, uint64_t total)> progress;
};

struct AuditVerifyReport {
  uint64_t entries = 0;   // the chain's length (archived entries included)
  uint64_t walked = 0;    // entries whose hashes this verification recomputed
  uint64_t archived = 0;  // entries moved to archives
  bool incremental = false;  // started at the verified mark
  std::string archive_note;  // e.g. archives removed after their retention
};

struct AuditArchiveReport {
  uint64_t entries = 0;  // entries moved out of the database
  std::vector<std::string> files;
};

// OK when the database copy at `backup` may replace the one at `live` as
// far as the audit trail goes: its chain reaches at least the last entry
// archived out of `live` (common/audit/audit_archive.h). FAILED_PRECONDITION
// otherwise, saying what to do: the restored chain would number new entries
// as ones the archives already hold.
absl::Status CheckAuditRestorable(const std::string& backup,
                                  const std::string& live);

// One line for an operator: "audit chain intact: N entries (…)".
std::string DescribeAuditVerify(const AuditVerifyReport& report);

// Progress on stderr for a long verification ("audit verify --full").
void PrintAuditVerifyProgress(uint64_t done, uint64_t total);

class AuditLog {
 public:
  // The migration that creates the table; part of each node's schema.
  static const char* const kSchema;

  // Opens its own connection to the database file at `path`, whose schema
  // already includes kSchema, and starts the writer thread.
  static absl::StatusOr<std::unique_ptr<AuditLog>> Open(
      const std::string& path);
  // Writes what is queued, then stops the writer.
  ~AuditLog();

  // Queues `entry`, stamped with the time of the call, and returns without
  // waiting for the disk: the writer thread appends everything queued in one
  // transaction (group commit), so a request's audit entry never waits for
  // another request's write, nor for a long write such as an import batch.
  // The writer gathers entries for up to kLinger after the first one (or
  // until kBatch wait, or someone flushes), so a busy node commits its
  // audit a few dozen times a second, not once per request: each commit
  // takes the database's write gate from the API's own writes. Entries are
  // written within kLinger unless the database is busy; a write that fails
  // is retried, never dropped. When kMaxQueued entries wait,
  // Append waits for room.
  //
  // No action goes on unaudited: while the writer cannot store entries
  // (disk full, I/O error), Writable() says so and every transport refuses
  // calls before acting (provincial ApiService::Authenticate and Logins,
  // the national SyncService and QueryService), the node's health turns
  // NOT_SERVING (through the listener) and the metric
  // ntmis_audit_writable is 0; the writer keeps retrying what is queued and
  // the node resumes by itself once it succeeds. A caller about to reveal
  // one person's data Flushes first, so the read is on record before it
  // is answered.
  void Append(const AuditEntry& entry) ABSL_LOCKS_EXCLUDED(mu_);

  // Append, then wait until the entry is stored: for one-off commands (a
  // backup, a restore) and for reads that must be on record before they are
  // answered. UNAVAILABLE when it is not stored within `timeout` (it stays
  // queued).
  absl::Status AppendAndFlush(const AuditEntry& entry,
                              absl::Duration timeout = absl::Seconds(30))
      ABSL_LOCKS_EXCLUDED(mu_);

  // OK while the writer stores entries; UNAVAILABLE, with the error that
  // stops it, while it cannot.
  absl::Status Writable() ABSL_LOCKS_EXCLUDED(mu_);

  // Called on the writer thread whenever Writable() changes (false: the
  // log cannot be written; true: it can again). One listener; set it
  // before serving.
  void SetWritableListener(std::function<void(bool writable)> listener)
      ABSL_LOCKS_EXCLUDED(mu_);

  // Waits until every entry queued before the call is in the database.
  // UNAVAILABLE if the writer could not write them within `timeout`.
  absl::Status Flush(absl::Duration timeout = absl::Seconds(30))
      ABSL_LOCKS_EXCLUDED(mu_);

  // Walks the chain (after a Flush) and compares it with the anchor;
  // returns what it checked, or DATA_LOSS naming the first entry whose hash
  // does not match, or the entries missing or rewritten against the anchor
  // or the verified mark, or what this process found changed under it
  // since it opened. A successful verification moves the verified mark to
  // the head, so the next one walks only what came since.
  absl::StatusOr<AuditVerifyReport> Verify(const AuditVerifyOptions& options)
      ABSL_LOCKS_EXCLUDED(mu_, db_mu_);
  // Verify({}): the chain's length.
  absl::StatusOr<uint64_t> Verify() ABSL_LOCKS_EXCLUDED(mu_, db_mu_);

  // Moves entries recorded before `before_unix` to archive files in `dir`
  // (common/audit/audit_archive.h), at most kArchiveChunk a file, always
  // keeping the newest entry in the database. Each file is written and flushed,
  // then the archived base beside the database names its last entry, then
  // the entries leave the database; a crash in between leaves entries in
  // both places, which the next run writes again. DATA_LOSS when the
  // entries to archive do not chain (nothing is moved then).
  absl::StatusOr<AuditArchiveReport> Archive(const std::string& dir,
                                             int64_t before_unix)
      ABSL_LOCKS_EXCLUDED(mu_, db_mu_);
  static constexpr uint64_t kArchiveChunk = 200000;

  // Archives in the background: soon after the call and then every hour,
  // entries older than `after` go to `dir`. Stops with the log.
  void ArchiveEvery(const std::string& dir, absl::Duration after)
      ABSL_LOCKS_EXCLUDED(mu_);

  // The chain's head now (after a Flush), and the hash of entry `count`
  // (NOT_FOUND when the chain is shorter): what a sync hands the national
  // node.
  absl::StatusOr<AuditHead> Head() ABSL_LOCKS_EXCLUDED(mu_, db_mu_);
  absl::StatusOr<std::string> HashAt(uint64_t count)
      ABSL_LOCKS_EXCLUDED(mu_, db_mu_);

  // Matching entries (after a Flush), newest first, at most filter.limit
  // (capped at 10,000).
  absl::StatusOr<std::vector<StoredAuditEntry>> Query(const AuditFilter& filter)
      ABSL_LOCKS_EXCLUDED(mu_, db_mu_);

  // Entries waiting to be written.
  static constexpr size_t kMaxQueued = 100000;
  // How long the writer gathers a batch, and the batch that ends it sooner.
  static constexpr absl::Duration kLinger = absl::Milliseconds(20);
  static constexpr size_t kBatch = 512;

 private:
  struct Pending {
    int64_t at_unix;
    AuditEntry entry;
  };
  AuditLog(sql::Database db, AuditAnchor anchor)
      : anchor_(std::move(anchor)),
        verified_(anchor_.Sibling(AuditMarkFile::kVerified)),
        base_(anchor_.Sibling(AuditMarkFile::kArchivedBase)),
        db_(std::move(db)) {}
  void WriterLoop() ABSL_LOCKS_EXCLUDED(mu_, db_mu_);
  // Appends `batch` to the chain in one transaction.
  absl::Status WriteBatch(const std::vector<Pending>& batch)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(db_mu_);
  // Compares the chain in the database with `head`, a head it once had:
  // empty when the database still starts with it, else what is wrong.
  absl::StatusOr<std::string> Departure(const AuditHead& head,
                                        absl::string_view whose)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(db_mu_);
  absl::StatusOr<AuditHead> ReadHead() ABSL_EXCLUSIVE_LOCKS_REQUIRED(db_mu_);
  absl::StatusOr<AuditVerifyReport> VerifyChain(
      const AuditVerifyOptions& options) ABSL_LOCKS_EXCLUDED(mu_, db_mu_);
  // The archives in `dir` joined up and ending at the archived base.
  absl::Status VerifyArchives(const std::string& dir, const AuditHead& base,
                              AuditVerifyReport& report,
                              const std::function<void()>& on_entry) const;
  // One chunk of Archive: entries after the archived base up to `upto`.
  absl::StatusOr<std::string> ArchiveChunk(const std::string& dir,
                                           uint64_t upto, uint64_t* moved)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(db_mu_);
  void ArchiverLoop(std::string dir, absl::Duration after)
      ABSL_LOCKS_EXCLUDED(mu_);
  // PRAGMA schema_version, and whether both guard triggers are there.
  absl::StatusOr<int64_t> AuditSchemaMark()
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(db_mu_);
  // Records a break found outside Verify: kept for Verify, reported, and
  // appended to the log itself.
  void Latch(const std::string& problem) ABSL_LOCKS_EXCLUDED(mu_);
  // Writes the anchor for head_ when it moved and `force` or a second passed.
  void Anchor(bool force) ABSL_LOCKS_EXCLUDED(mu_, db_mu_);
  // How far behind the database the anchor may be.
  static constexpr absl::Duration kAnchorEvery = absl::Seconds(1);

  const AuditAnchor anchor_;
  const AuditAnchor verified_;  // how far the chain was last verified
  const AuditAnchor base_;      // the last archived entry

  absl::Mutex mu_;
  std::vector<Pending> queue_ ABSL_GUARDED_BY(mu_);
  uint64_t queued_total_ ABSL_GUARDED_BY(mu_) = 0;   // entries ever queued
  uint64_t written_total_ ABSL_GUARDED_BY(mu_) = 0;  // entries ever written
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  int flushing_ ABSL_GUARDED_BY(mu_) = 0;  // callers waiting in Flush
  absl::Status last_error_ ABSL_GUARDED_BY(mu_);
  absl::Status last_stuck_
      ABSL_GUARDED_BY(mu_);  // the failure that stops the node
  std::function<void(bool)> writable_listener_ ABSL_GUARDED_BY(mu_);
  std::string problem_ ABSL_GUARDED_BY(mu_);  // a break found since Open

  // The connection: the writer thread's, and Verify's and Query's reads.
  absl::Mutex db_mu_ ABSL_ACQUIRED_AFTER(mu_);
  sql::Database db_ ABSL_GUARDED_BY(db_mu_);
  AuditHead head_
      ABSL_GUARDED_BY(db_mu_);  // the last head this process saw or wrote
  std::string departed_
      ABSL_GUARDED_BY(db_mu_);  // found by WriteBatch, for Latch
  uint64_t anchored_count_ ABSL_GUARDED_BY(db_mu_) = 0;
  absl::Time anchored_at_ ABSL_GUARDED_BY(db_mu_) = absl::InfinitePast();
  AuditHead archived_
      ABSL_GUARDED_BY(db_mu_);  // the archived base (count 0: none)
  std::thread writer_;
  std::thread archiver_;
};

}  // namespace ntmis

#endif  // NTMIS_COMMON_AUDIT_AUDIT_LOG_H_

// An append-only, hash-chained audit log in a SQLite table: each entry's hash
// covers its fields and the previous entry's hash, so an edit or deletion
// anywhere breaks the chain from there on.
//
// Thread-safe: any thread may call any method. Appends are queued and
// written by the log's own writer thread on a connection the log owns.
#ifndef NTMIS_COMMON_AUDIT_LOG_H_
#define NTMIS_COMMON_AUDIT_LOG_H_

#include <cstdint>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/sqlite.h"

namespace ntmis {

struct AuditEntry {
  std::string actor;   // user name or peer identity URI
  std::string action;  // "sync.push", "user.login", ...
  std::string target;  // what it acted on; never raw PII
  std::string result;  // "ok" or the status code name
  std::string detail;  // free text; never raw PII
};

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

struct StoredAuditEntry {
  uint64_t id = 0;
  int64_t at_unix = 0;
  AuditEntry entry;
};

class AuditLog {
 public:
  // The migration that creates the table; part of each node's schema.
  static const char* const kSchema;

  // Opens its own connection to the database file at `path`, whose schema
  // already includes kSchema, and starts the writer thread.
  static absl::StatusOr<std::unique_ptr<AuditLog>> Open(const std::string& path);
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
  // Append waits for room. Returns OK (the status is kept for callers that
  // predate the queue).
  absl::Status Append(const AuditEntry& entry) ABSL_LOCKS_EXCLUDED(mu_);

  // Waits until every entry queued before the call is in the database.
  // UNAVAILABLE if the writer could not write them within `timeout`.
  absl::Status Flush(absl::Duration timeout = absl::Seconds(30)) ABSL_LOCKS_EXCLUDED(mu_);

  // Walks the chain (after a Flush); returns the number of entries checked,
  // or DATA_LOSS naming the first entry whose hash does not match.
  absl::StatusOr<uint64_t> Verify() ABSL_LOCKS_EXCLUDED(mu_, db_mu_);

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
  explicit AuditLog(sql::Database db) : db_(std::move(db)) {}
  void WriterLoop() ABSL_LOCKS_EXCLUDED(mu_, db_mu_);
  // Appends `batch` to the chain in one transaction.
  absl::Status WriteBatch(const std::vector<Pending>& batch) ABSL_EXCLUSIVE_LOCKS_REQUIRED(db_mu_);

  absl::Mutex mu_;
  std::vector<Pending> queue_ ABSL_GUARDED_BY(mu_);
  uint64_t queued_total_ ABSL_GUARDED_BY(mu_) = 0;   // entries ever queued
  uint64_t written_total_ ABSL_GUARDED_BY(mu_) = 0;  // entries ever written
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  int flushing_ ABSL_GUARDED_BY(mu_) = 0;  // callers waiting in Flush
  absl::Status last_error_ ABSL_GUARDED_BY(mu_);

  // The connection: the writer thread's, and Verify's and Query's reads.
  absl::Mutex db_mu_ ABSL_ACQUIRED_AFTER(mu_);
  sql::Database db_ ABSL_GUARDED_BY(db_mu_);
  std::thread writer_;
};

}  // namespace ntmis

#endif  // NTMIS_COMMON_AUDIT_LOG_H_

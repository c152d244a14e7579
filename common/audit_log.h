// An append-only, hash-chained audit log in a SQLite table: each entry's hash
// covers its fields and the previous entry's hash, so an edit or deletion
// anywhere breaks the chain from there on.
//
// Thread-safe: appends are serialized by an internal mutex on a connection
// the log owns.
#ifndef NTMIS_COMMON_AUDIT_LOG_H_
#define NTMIS_COMMON_AUDIT_LOG_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
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
  // already includes kSchema.
  static absl::StatusOr<std::unique_ptr<AuditLog>> Open(const std::string& path);

  absl::Status Append(const AuditEntry& entry) ABSL_LOCKS_EXCLUDED(mu_);

  // Walks the chain; returns the number of entries checked, or DATA_LOSS
  // naming the first entry whose hash does not match.
  absl::StatusOr<uint64_t> Verify() ABSL_LOCKS_EXCLUDED(mu_);

  // Matching entries, newest first, at most filter.limit (capped at 10,000).
  absl::StatusOr<std::vector<StoredAuditEntry>> Query(const AuditFilter& filter)
      ABSL_LOCKS_EXCLUDED(mu_);

 private:
  explicit AuditLog(sql::Database db) : db_(std::move(db)) {}

  absl::Mutex mu_;
  sql::Database db_ ABSL_GUARDED_BY(mu_);
};

}  // namespace ntmis

#endif  // NTMIS_COMMON_AUDIT_LOG_H_

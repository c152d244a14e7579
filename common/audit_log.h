// An append-only, hash-chained audit log in a SQLite table: each entry's hash
// covers its fields and the previous entry's hash, so an edit or deletion
// anywhere breaks the chain from there on.
//
// Thread-safe: appends are serialized by an internal mutex on a connection
// the log owns.
#ifndef NTMIS_COMMON_AUDIT_LOG_H_
#define NTMIS_COMMON_AUDIT_LOG_H_

#include <cstdint>
#include <string>

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

 private:
  explicit AuditLog(sql::Database db) : db_(std::move(db)) {}

  absl::Mutex mu_;
  sql::Database db_ ABSL_GUARDED_BY(mu_);
};

}  // namespace ntmis

#endif  // NTMIS_COMMON_AUDIT_LOG_H_

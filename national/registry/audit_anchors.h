// The provinces' audit chain heads as their syncs hand them over (national.db
// `audit_anchors`; docs/operators.md, "The audit trail"). Each sync sends
// the province's head and its own entry at the count held here; when that
// entry is missing (the chain was cut short or an older copy put back) or
// differs (rewritten), the province is flagged and the head held here is
// kept, so every later sync reports it too, until an operator accepts the
// province's chain as it is now (`ntmis-national audit accept`). `query
// provinces` shows the flag.
//
// Thread-safe.
#ifndef NTMIS_NATIONAL_REGISTRY_AUDIT_ANCHORS_H_
#define NTMIS_NATIONAL_REGISTRY_AUDIT_ANCHORS_H_

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/sql/sqlite.h"
#include "ntmis/v1/sync.pb.h"

namespace ntmis::national {

class AuditAnchors {
 public:
  static constexpr const char* kSchema = R"sql(
CREATE TABLE audit_anchors (
  province TEXT PRIMARY KEY,
  count INTEGER NOT NULL,
  head BLOB NOT NULL,
  anchored_unix INTEGER NOT NULL,
  problem TEXT NOT NULL DEFAULT '',
  problem_unix INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
)sql";

  // national.db, already migrated.
  static absl::StatusOr<std::unique_ptr<AuditAnchors>> Open(
      const std::string& path);

  // What is held for `province` (count 0 when nothing yet).
  absl::StatusOr<v1::AuditAnchorState> Get(const std::string& province)
      ABSL_LOCKS_EXCLUDED(mu_);

  // Takes the head `province` hands over. FAILED_PRECONDITION when the
  // request was built against another held count (a sync raced: ask again);
  // INVALID_ARGUMENT for a head that is not 32 bytes. A chain that no longer
  // reaches the held head sets the problem (returned in the state) and
  // keeps the held head.
  absl::StatusOr<v1::AuditAnchorState> Anchor(
      const std::string& province, const v1::AnchorAuditRequest& request,
      int64_t now_unix) ABSL_LOCKS_EXCLUDED(mu_);

  // Forgets the problem and the head held for `province`: its next sync
  // anchors the chain as it is then. NOT_FOUND when nothing is held.
  absl::Status Accept(const std::string& province) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  explicit AuditAnchors(sql::Database db) : db_(std::move(db)) {}
  absl::StatusOr<v1::AuditAnchorState> Read(const std::string& province)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex mu_;
  sql::Database db_ ABSL_GUARDED_BY(mu_);
};

}  // namespace ntmis::national

#endif  // NTMIS_NATIONAL_REGISTRY_AUDIT_ANCHORS_H_

#include "national/registry/audit_anchors.h"

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/base/status_macros.h"
#include "common/crypto/crypto.h"

namespace ntmis::national {
namespace {

std::string When(int64_t at_unix) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S UTC",
                          absl::FromUnixSeconds(at_unix), absl::UTCTimeZone());
}

}  // namespace

absl::StatusOr<std::unique_ptr<AuditAnchors>> AuditAnchors::Open(
    const std::string& path) {
  ASSIGN_OR_RETURN(sql::Database db, sql::Database::Open(path));
  return std::unique_ptr<AuditAnchors>(new AuditAnchors(std::move(db)));
}

absl::StatusOr<v1::AuditAnchorState> AuditAnchors::Read(
    const std::string& province) {
  ASSIGN_OR_RETURN(
      sql::Statement row,
      db_.Prepare("SELECT count, head, anchored_unix, problem, problem_unix "
                  "FROM audit_anchors WHERE province = ?"));
  row.Bind(1, province);
  v1::AuditAnchorState state;
  ASSIGN_OR_RETURN(bool found, row.Step());
  if (found) {
    state.set_count(static_cast<uint64_t>(row.ColumnInt(0)));
    state.set_head(std::string(row.ColumnBlob(1)));
    state.set_anchored_unix(row.ColumnInt(2));
    state.set_problem(row.ColumnText(3));
    state.set_problem_unix(row.ColumnInt(4));
  }
  return state;
}

absl::StatusOr<v1::AuditAnchorState> AuditAnchors::Get(
    const std::string& province) {
  absl::MutexLock lock(&mu_);
  return Read(province);
}

absl::StatusOr<v1::AuditAnchorState> AuditAnchors::Anchor(
    const std::string& province, const v1::AnchorAuditRequest& request,
    int64_t now_unix) {
  if (request.head().size() != 32 && request.count() > 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("an audit head is a 32-byte SHA-256, not ",
                     request.head().size(), " bytes"));
  }
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(db_));
  ASSIGN_OR_RETURN(v1::AuditAnchorState held, Read(province));
  if (request.anchored_count() != held.count()) {
    return absl::FailedPreconditionError(
        absl::StrCat("the national node holds ", held.count(),
                     " audit entries for province ", province, ", not ",
                     request.anchored_count(), ": ask again (GetAuditAnchor)"));
  }
  std::string problem;
  if (held.count() > 0 && !request.has_anchored_entry()) {
    problem = absl::StrCat(
        "audit log went backwards: the sync of ", When(held.anchored_unix()),
        " handed over ", held.count(), " entries, the province now has ",
        request.count(), " (cut short, or an older copy put back)");
  } else if (held.count() > 0 && request.hash_at_anchored() != held.head()) {
    problem = absl::StrCat("audit log rewritten: the province's entry ",
                           held.count(), " is not the one its sync of ",
                           When(held.anchored_unix()), " handed over");
  }
  if (!problem.empty()) {
    if (held.problem().empty()) {  // the first finding stays, with its time
      ASSIGN_OR_RETURN(
          sql::Statement flag,
          db_.Prepare("UPDATE audit_anchors SET problem = ?, problem_unix = ? "
                      "WHERE province = ?"));
      flag.BindAll(problem, now_unix, province);
      RETURN_IF_ERROR(flag.Run());
    }
  } else if (request.count() > held.count() || held.count() == 0) {
    ASSIGN_OR_RETURN(
        sql::Statement upsert,
        db_.Prepare(
            "INSERT INTO audit_anchors(province, count, head, anchored_unix) "
            "VALUES (?1, ?2, ?3, ?4) ON CONFLICT(province) DO UPDATE SET "
            "count = ?2, head = ?3, anchored_unix = ?4"));
    upsert.BindAll(province, request.count());
    upsert.BindBlob(3, request.head());
    upsert.Bind(4, now_unix);
    RETURN_IF_ERROR(upsert.Run());
  }
  ASSIGN_OR_RETURN(v1::AuditAnchorState state, Read(province));
  RETURN_IF_ERROR(txn.Commit());
  return state;
}

absl::Status AuditAnchors::Accept(const std::string& province) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(sql::Statement forget,
                   db_.Prepare("DELETE FROM audit_anchors WHERE province = ?"));
  forget.Bind(1, province);
  RETURN_IF_ERROR(forget.Run());
  if (db_.Changes() == 0) {
    return absl::NotFoundError(
        absl::StrCat("no audit head is held for province ", province,
                     ": nothing to accept"));
  }
  return absl::OkStatus();
}

}  // namespace ntmis::national

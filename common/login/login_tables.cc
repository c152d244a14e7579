#include "common/login/login_tables.h"

#include "common/base/status_macros.h"
#include "common/crypto/crypto.h"

namespace ntmis::login_tables {

absl::StatusOr<LoginRecord> ReadForLogin(sql::Database& db,
                                         const std::string& username,
                                         const std::string& source) {
  ASSIGN_OR_RETURN(
      sql::Statement find,
      db.Prepare(
          "SELECT u.id, u.password_hash, u.disabled, COALESCE(f.failures, 0), "
          "COALESCE(f.locked_until_unix, 0) FROM users u LEFT JOIN "
          "login_failures f "
          "ON f.user_id = u.id AND f.source = ? WHERE u.username = ?"));
  ASSIGN_OR_RETURN(bool found, find.BindAll(source, username).Step());
  LoginRecord record;
  if (!found) return record;
  record.found = true;
  record.user_id = find.ColumnInt(0);
  record.password_hash = find.ColumnText(1);
  record.disabled = find.ColumnInt(2) != 0;
  record.failures = find.ColumnInt(3);
  record.locked_until_unix = find.ColumnInt(4);
  return record;
}

absl::StatusOr<int64_t> RecordFailure(sql::Database& db, int64_t user_id,
                                      const std::string& source, int64_t now,
                                      int max_failures,
                                      int64_t lockout_seconds) {
  ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(db));
  int64_t failures = 1;
  {
    ASSIGN_OR_RETURN(sql::Statement count,
                     db.Prepare("SELECT failures, locked_until_unix FROM "
                                "login_failures WHERE user_id = ? AND "
                                "source = ?"));
    ASSIGN_OR_RETURN(bool row, count.BindAll(user_id, source).Step());
    // A lock that has run out starts the count again.
    if (row && !(count.ColumnInt(1) != 0 && count.ColumnInt(1) <= now))
      failures = count.ColumnInt(0) + 1;
  }
  const bool lock = failures >= max_failures;
  ASSIGN_OR_RETURN(
      sql::Statement upsert,
      db.Prepare("INSERT INTO login_failures(user_id, source, failures, "
                 "locked_until_unix, last_failure_unix) VALUES (?, ?, ?, ?, ?) "
                 "ON CONFLICT(user_id, source) DO UPDATE SET failures = "
                 "excluded.failures, locked_until_unix = "
                 "excluded.locked_until_unix, last_failure_unix = "
                 "excluded.last_failure_unix"));
  RETURN_IF_ERROR(upsert
                      .BindAll(user_id, source, failures,
                               lock ? now + lockout_seconds : int64_t{0}, now)
                      .Run());
  RETURN_IF_ERROR(txn.Commit());
  return failures;
}

absl::StatusOr<Session> OpenSession(sql::Database& db, int64_t user_id,
                                    const std::string& source, int64_t now,
                                    const SessionPolicy& policy) {
  Session session{crypto::HexEncode(crypto::RandomBytes(32)),
                  now + policy.session_max_seconds};
  ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(db));
  ASSIGN_OR_RETURN(
      sql::Statement clear,
      db.Prepare(
          "DELETE FROM login_failures WHERE user_id = ? AND source = ?"));
  RETURN_IF_ERROR(clear.BindAll(user_id, source).Run());
  ASSIGN_OR_RETURN(
      sql::Statement insert,
      db.Prepare("INSERT INTO sessions(token_hash, user_id, expires_unix, "
                 "last_used_unix) VALUES (?, ?, ?, ?)"));
  insert.BindBlob(1, crypto::Sha256(session.token));
  insert.Bind(2, user_id).Bind(3, session.expires_unix).Bind(4, now);
  RETURN_IF_ERROR(insert.Run());
  RETURN_IF_ERROR(txn.Commit());
  return session;
}

absl::Status EndSession(sql::Database& db, const std::string& token) {
  ASSIGN_OR_RETURN(sql::Statement end,
                   db.Prepare("DELETE FROM sessions WHERE token_hash = ?"));
  end.BindBlob(1, crypto::Sha256(token));
  return end.Run();
}

absl::StatusOr<int64_t> SessionUser(sql::Database& db, const std::string& token,
                                    int64_t now, const SessionPolicy& policy) {
  ASSIGN_OR_RETURN(sql::Statement find,
                   db.Prepare("SELECT user_id, expires_unix, last_used_unix "
                              "FROM sessions WHERE token_hash = ?"));
  const std::string token_hash = crypto::Sha256(token);
  find.BindBlob(1, token_hash);
  ASSIGN_OR_RETURN(bool found, find.Step());
  if (!found) return absl::UnauthenticatedError("登录已失效，请重新登录");
  const int64_t user_id = find.ColumnInt(0);
  const int64_t expires = find.ColumnInt(1);
  const int64_t last_used = find.ColumnInt(2);
  // Ends the read before any write: a write on a connection that still
  // reads an older snapshot cannot take the write lock.
  find.Reset();
  if (expires <= now || last_used + policy.idle_timeout_seconds <= now)
    return absl::UnauthenticatedError("长时间未操作，登录已过期，请重新登录");
  if (now - last_used >= policy.touch_interval_seconds) {
    ASSIGN_OR_RETURN(
        sql::Statement touch,
        db.Prepare(
            "UPDATE sessions SET last_used_unix = ? WHERE token_hash = ?"));
    touch.Bind(1, now).BindBlob(2, token_hash);
    RETURN_IF_ERROR(touch.Run());
  }
  return user_id;
}

absl::Status SetPasswordHash(sql::Database& db, int64_t user_id,
                             const std::string& hash, bool must_change) {
  ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(db));
  ASSIGN_OR_RETURN(sql::Statement update,
                   db.Prepare("UPDATE users SET password_hash = ?, "
                              "must_change_password = ? WHERE id = ?"));
  RETURN_IF_ERROR(update.BindAll(hash, must_change ? 1 : 0, user_id).Run());
  // Sessions opened with the old password end, and so do its lockouts.
  ASSIGN_OR_RETURN(sql::Statement end,
                   db.Prepare("DELETE FROM sessions WHERE user_id = ?"));
  RETURN_IF_ERROR(end.BindAll(user_id).Run());
  RETURN_IF_ERROR(ClearFailures(db, user_id));
  return txn.Commit();
}

absl::StatusOr<std::string> PasswordHash(sql::Database& db, int64_t user_id) {
  ASSIGN_OR_RETURN(sql::Statement find,
                   db.Prepare("SELECT password_hash FROM users WHERE id = ?"));
  ASSIGN_OR_RETURN(bool found, find.BindAll(user_id).Step());
  return found ? find.ColumnText(0) : std::string();
}

absl::Status ClearFailures(sql::Database& db, int64_t user_id) {
  ASSIGN_OR_RETURN(sql::Statement unlock,
                   db.Prepare("DELETE FROM login_failures WHERE user_id = ?"));
  return unlock.BindAll(user_id).Run();
}

absl::Status SetDisabled(sql::Database& db, int64_t user_id, bool disabled) {
  ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(db));
  ASSIGN_OR_RETURN(sql::Statement update,
                   db.Prepare("UPDATE users SET disabled = ? WHERE id = ?"));
  RETURN_IF_ERROR(update.BindAll(disabled ? 1 : 0, user_id).Run());
  if (disabled) {
    ASSIGN_OR_RETURN(sql::Statement end,
                     db.Prepare("DELETE FROM sessions WHERE user_id = ?"));
    RETURN_IF_ERROR(end.BindAll(user_id).Run());
  }
  return txn.Commit();
}

}  // namespace ntmis::login_tables

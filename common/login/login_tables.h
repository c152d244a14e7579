// The tables a login reads and writes, the same on both nodes (the
// provincial store and the national node's national.db):
//   users(id, username, password_hash, must_change_password, disabled, …)
//   sessions(token_hash, user_id, expires_unix, last_used_unix)
//   login_failures(user_id, source, failures, locked_until_unix,
//                  last_failure_unix)
// Passwords are stored as scrypt hashes and session tokens as SHA-256
// hashes; neither is ever logged. The rules that decide a login are in
// common/login/login_gate.h.
//
// Functions of a connection; the caller holds it for the call.
#ifndef NTMIS_COMMON_LOGIN_LOGIN_TABLES_H_
#define NTMIS_COMMON_LOGIN_LOGIN_TABLES_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "common/sql/sqlite.h"

namespace ntmis {

// The tables for a node that starts with accounts (the national node; the
// provincial store has had them since its first migrations). Users carry a
// role as text; each node adds the columns only it needs in later
// migrations.
inline constexpr const char* kLoginTablesSchema = R"sql(
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  must_change_password INTEGER NOT NULL DEFAULT 0,
  disabled INTEGER NOT NULL DEFAULT 0,
  created_unix INTEGER NOT NULL
);
CREATE TABLE sessions (
  token_hash BLOB PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  expires_unix INTEGER NOT NULL,
  last_used_unix INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE login_failures (
  user_id INTEGER NOT NULL REFERENCES users(id),
  source TEXT NOT NULL,
  failures INTEGER NOT NULL,
  locked_until_unix INTEGER NOT NULL,
  last_failure_unix INTEGER NOT NULL,
  PRIMARY KEY (user_id, source)
) WITHOUT ROWID;
)sql";

struct Session {
  std::string token;  // give to the client once; only its hash is stored
  int64_t expires_unix = 0;
};

struct SessionPolicy {
  int64_t idle_timeout_seconds = 30 * 60;
  int64_t session_max_seconds = 12 * 3600;
  // A session's last use is written at most this often, so that calls do
  // not each need the write lock; idle expiry is exact to this much.
  int64_t touch_interval_seconds = 60;
};

// What a login needs to know of an account, read without the write lock.
struct LoginRecord {
  bool found = false;
  int64_t user_id = 0;
  std::string password_hash;
  bool disabled = false;
  int64_t failures = 0;           // from this source, since the last success
  int64_t locked_until_unix = 0;  // for this source
};

namespace login_tables {

// The account and its failures from `source`; found = false for an
// unknown name.
absl::StatusOr<LoginRecord> ReadForLogin(sql::Database& db,
                                         const std::string& username,
                                         const std::string& source);
// Counts a wrong password from `source`; at `max_failures` the account is
// locked for that source until now + lockout_seconds. Returns the count.
absl::StatusOr<int64_t> RecordFailure(sql::Database& db, int64_t user_id,
                                      const std::string& source, int64_t now,
                                      int max_failures,
                                      int64_t lockout_seconds);
// A new session, in one transaction with clearing `source`'s failures.
absl::StatusOr<Session> OpenSession(sql::Database& db, int64_t user_id,
                                    const std::string& source, int64_t now,
                                    const SessionPolicy& policy);
// Ends the session of `token` (nothing happens for an unknown one).
absl::Status EndSession(sql::Database& db, const std::string& token);
// The account behind a live session: UNAUTHENTICATED (in Chinese) when the
// token is unknown, the session expired or sat idle too long. Writes the
// session's last use at most every touch_interval_seconds.
absl::StatusOr<int64_t> SessionUser(sql::Database& db, const std::string& token,
                                    int64_t now, const SessionPolicy& policy);
// A new password hash; the sessions opened with the old password end, and
// so do the account's lockouts.
absl::Status SetPasswordHash(sql::Database& db, int64_t user_id,
                             const std::string& hash, bool must_change);
// The account's stored hash ("" when there is no such account).
absl::StatusOr<std::string> PasswordHash(sql::Database& db, int64_t user_id);
// Ends every source's lock and count of failures.
absl::Status ClearFailures(sql::Database& db, int64_t user_id);
// Disables or enables the account; disabling ends its sessions.
absl::Status SetDisabled(sql::Database& db, int64_t user_id, bool disabled);

}  // namespace login_tables
}  // namespace ntmis

#endif  // NTMIS_COMMON_LOGIN_LOGIN_TABLES_H_

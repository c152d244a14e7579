#include "provincial/accounts.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/crypto.h"
#include "common/status_macros.h"

namespace ntmis::provincial {

const char* RoleName(Role role) {
  switch (role) {
    case Role::kSysAdmin:
      return "sysadmin";
    case Role::kManager:
      return "manager";
    case Role::kQuerier:
      return "querier";
  }
  return "";
}

namespace {

Role RoleFromName(const std::string& name) {
  if (name == "sysadmin") return Role::kSysAdmin;
  if (name == "manager") return Role::kManager;
  return Role::kQuerier;
}

}  // namespace

absl::Status CheckPasswordRules(const std::string& password) {
  bool lower = false, upper = false, digit = false, other = false;
  for (char c : password) {
    if (absl::ascii_islower(c)) lower = true;
    else if (absl::ascii_isupper(c)) upper = true;
    else if (absl::ascii_isdigit(c)) digit = true;
    else other = true;
  }
  int classes = lower + upper + digit + other;
  if (password.size() < 8 || classes < 3) {
    return absl::InvalidArgumentError(
        "password needs at least 8 characters from at least 3 classes "
        "(lower case, upper case, digits, other)");
  }
  return absl::OkStatus();
}

absl::StatusOr<User> Accounts::Create(const std::string& username,
                                      const std::string& unit_code, Role role,
                                      const std::string& password,
                                      bool must_change_password) {
  if (username.empty() || username.size() > 64)
    return absl::InvalidArgumentError("username: 1 to 64 characters");
  RETURN_IF_ERROR(CheckPasswordRules(password));
  ASSIGN_OR_RETURN(std::string hash, crypto::HashPassword(password));
  ASSIGN_OR_RETURN(sql::Statement insert,
                   store_.db().Prepare(
                       "INSERT INTO users(username, unit_code, role, password_hash, "
                       "must_change_password, created_unix) VALUES (?, ?, ?, ?, ?, "
                       "strftime('%s','now'))"));
  absl::Status inserted =
      insert.BindAll(username, unit_code, RoleName(role), hash, must_change_password ? 1 : 0)
          .Run();
  if (absl::IsAlreadyExists(inserted)) {
    return absl::AlreadyExistsError(
        absl::StrCat("user ", username, " exists, or unit ", unit_code, " is unknown"));
  }
  RETURN_IF_ERROR(inserted);
  return User{store_.db().LastInsertRowId(), username, unit_code, role,
              must_change_password};
}

absl::StatusOr<Session> Accounts::Login(const std::string& username,
                                        const std::string& password, int64_t now) {
  ASSIGN_OR_RETURN(sql::Statement find,
                   store_.db().Prepare("SELECT id, password_hash, failed_logins, "
                                       "locked_until_unix FROM users WHERE username = ?"));
  find.BindAll(username);
  ASSIGN_OR_RETURN(bool found, find.Step());
  const absl::Status wrong = absl::UnauthenticatedError("wrong user name or password");
  if (!found) {
    // Spend the same time as a real check, so names cannot be probed.
    (void)crypto::VerifyPassword(password, "scrypt$16384$8$1$00$00");
    return wrong;
  }
  int64_t id = find.ColumnInt(0);
  std::string hash = find.ColumnText(1);
  int64_t failed = find.ColumnInt(2);
  int64_t locked_until = find.ColumnInt(3);
  if (locked_until > now) {
    return absl::PermissionDeniedError(absl::StrCat(
        "account locked after ", policy_.max_failed_logins,
        " failed logins; try again in ", (locked_until - now + 59) / 60,
        " minutes or ask an administrator to unlock it"));
  }
  if (!crypto::VerifyPassword(password, hash)) {
    ++failed;
    bool lock = failed >= policy_.max_failed_logins;
    ASSIGN_OR_RETURN(sql::Statement update,
                     store_.db().Prepare("UPDATE users SET failed_logins = ?, "
                                         "locked_until_unix = ? WHERE id = ?"));
    RETURN_IF_ERROR(update
                        .BindAll(lock ? int64_t{0} : failed,
                                 lock ? now + policy_.lockout_seconds : int64_t{0}, id)
                        .Run());
    return wrong;
  }
  Session session{crypto::HexEncode(crypto::RandomBytes(32)),
                  now + policy_.session_max_seconds};
  ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(store_.db()));
  ASSIGN_OR_RETURN(sql::Statement reset,
                   store_.db().Prepare("UPDATE users SET failed_logins = 0, "
                                       "locked_until_unix = 0 WHERE id = ?"));
  RETURN_IF_ERROR(reset.BindAll(id).Run());
  ASSIGN_OR_RETURN(sql::Statement insert,
                   store_.db().Prepare("INSERT INTO sessions(token_hash, user_id, "
                                       "expires_unix, last_used_unix) VALUES (?, ?, ?, ?)"));
  insert.BindBlob(1, crypto::Sha256(session.token));
  insert.Bind(2, id).Bind(3, session.expires_unix).Bind(4, now);
  RETURN_IF_ERROR(insert.Run());
  RETURN_IF_ERROR(txn.Commit());
  return session;
}

absl::StatusOr<User> Accounts::Authenticate(const std::string& token, int64_t now) {
  ASSIGN_OR_RETURN(sql::Statement find,
                   store_.db().Prepare(
                       "SELECT u.id, u.username, u.unit_code, u.role, "
                       "u.must_change_password, s.expires_unix, s.last_used_unix "
                       "FROM sessions s JOIN users u ON u.id = s.user_id "
                       "WHERE s.token_hash = ?"));
  std::string token_hash = crypto::Sha256(token);
  find.BindBlob(1, token_hash);
  ASSIGN_OR_RETURN(bool found, find.Step());
  if (!found) return absl::UnauthenticatedError("unknown session: log in again");
  if (find.ColumnInt(5) <= now ||
      find.ColumnInt(6) + policy_.idle_timeout_seconds <= now) {
    return absl::UnauthenticatedError("session expired: log in again");
  }
  User user{find.ColumnInt(0), find.ColumnText(1), find.ColumnText(2),
            RoleFromName(find.ColumnText(3)), find.ColumnInt(4) != 0};
  ASSIGN_OR_RETURN(sql::Statement touch,
                   store_.db().Prepare(
                       "UPDATE sessions SET last_used_unix = ? WHERE token_hash = ?"));
  touch.Bind(1, now).BindBlob(2, token_hash);
  RETURN_IF_ERROR(touch.Run());
  return user;
}

}  // namespace ntmis::provincial

#include "national/accounts/central_accounts.h"

#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"
#include "common/crypto/crypto.h"
#include "common/login/login_tables.h"
#include "common/login/password_rules.h"

namespace ntmis::national {
namespace {

constexpr char kColumns[] =
    "SELECT id, username, role, must_change_password, disabled, "
    "(SELECT COALESCE(MAX(f.locked_until_unix), 0) FROM login_failures f "
    "WHERE f.user_id = users.id), created_unix FROM users ";

CentralAccount AccountFrom(const sql::Statement& row) {
  CentralAccount a;
  a.id = row.ColumnInt(0);
  a.username = row.ColumnText(1);
  a.role =
      ParseOperatorRole(row.ColumnText(2)).value_or(OperatorRole::kQuerier);
  a.must_change_password = row.ColumnInt(3) != 0;
  a.disabled = row.ColumnInt(4) != 0;
  a.locked_until_unix = row.ColumnInt(5);
  a.created_unix = row.ColumnInt(6);
  return a;
}

}  // namespace

void ToProto(const CentralAccount& account, int64_t now, v1::CentralUser* out) {
  out->set_username(account.username);
  out->set_role(CentralRoleToProto(account.role));
  out->set_role_label(CentralRoleLabel(account.role));
  out->set_must_change_password(account.must_change_password);
  out->set_disabled(account.disabled);
  out->set_locked(account.locked_until_unix > now);
  out->set_created_unix(account.created_unix);
}

absl::StatusOr<std::unique_ptr<CentralAccounts>> CentralAccounts::Open(
    const std::string& path, AuditLog& audit, LoginPolicy policy,
    SessionPolicy sessions) {
  ASSIGN_OR_RETURN(sql::Database db, sql::Database::Open(path));
  return std::unique_ptr<CentralAccounts>(
      new CentralAccounts(std::move(db), audit, policy, sessions));
}

absl::StatusOr<LoginRecord> CentralAccounts::ReadForLogin(
    const std::string& username, const std::string& source) {
  absl::MutexLock lock(&mu_);
  return login_tables::ReadForLogin(db_, username, source);
}

absl::StatusOr<int64_t> CentralAccounts::RecordFailure(
    int64_t user_id, const std::string& source, int64_t now, int max_failures,
    int64_t lockout_seconds) {
  absl::MutexLock lock(&mu_);
  return login_tables::RecordFailure(db_, user_id, source, now, max_failures,
                                     lockout_seconds);
}

absl::StatusOr<Session> CentralAccounts::OpenSession(int64_t user_id,
                                                     const std::string& source,
                                                     int64_t now) {
  absl::MutexLock lock(&mu_);
  return login_tables::OpenSession(db_, user_id, source, now, sessions_);
}

absl::Status CentralAccounts::Logout(const std::string& token) {
  absl::MutexLock lock(&mu_);
  return login_tables::EndSession(db_, token);
}

absl::StatusOr<CentralAccount> CentralAccounts::Find(
    const std::string& username) {
  ASSIGN_OR_RETURN(sql::Statement find,
                   db_.Prepare(absl::StrCat(kColumns, "WHERE username = ?")));
  ASSIGN_OR_RETURN(bool found, find.BindAll(username).Step());
  if (!found)
    return absl::NotFoundError(
        absl::StrCat("没有用户名为 ", username, " 的账号"));
  return AccountFrom(find);
}

absl::StatusOr<CentralAccount> CentralAccounts::FindById(int64_t id) {
  ASSIGN_OR_RETURN(sql::Statement find,
                   db_.Prepare(absl::StrCat(kColumns, "WHERE id = ?")));
  ASSIGN_OR_RETURN(bool found, find.BindAll(id).Step());
  if (!found) return absl::UnauthenticatedError("登录已失效，请重新登录");
  return AccountFrom(find);
}

absl::StatusOr<CentralAccount> CentralAccounts::Authenticate(
    const std::string& token, const std::string& action, int64_t now) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(int64_t id,
                   login_tables::SessionUser(db_, token, now, sessions_));
  ASSIGN_OR_RETURN(CentralAccount account, FindById(id));
  if (account.disabled) return absl::UnauthenticatedError("账号已停用");
  if (account.must_change_password && action != "ChangePassword" &&
      action != "Logout" && action != "WhoAmI") {
    return absl::FailedPreconditionError(absl::StrCat(
        account.username,
        " 还在使用系统生成的初始密码：请先修改密码（登录后按提示修改）"));
  }
  return account;
}

absl::Status CentralAccounts::ChangePassword(const std::string& username,
                                             const std::string& old_password,
                                             const std::string& new_password) {
  std::string hash;
  int64_t id = 0;
  {
    absl::MutexLock lock(&mu_);
    ASSIGN_OR_RETURN(CentralAccount account, Find(username));
    id = account.id;
    ASSIGN_OR_RETURN(hash, login_tables::PasswordHash(db_, id));
  }
  const bool right =
      hashing_.Run([&] { return crypto::VerifyPassword(old_password, hash); });
  if (hash.empty() || !right) return absl::UnauthenticatedError("原密码不正确");
  if (new_password == old_password)
    return absl::InvalidArgumentError("新密码不能与原密码相同");
  RETURN_IF_ERROR(CheckPasswordRules(new_password));
  ASSIGN_OR_RETURN(std::string new_hash, hashing_.Run([&] {
    return crypto::HashPassword(new_password);
  }));
  absl::MutexLock lock(&mu_);
  return login_tables::SetPasswordHash(db_, id, new_hash, false);
}

absl::StatusOr<v1::CentralNewAccount> CentralAccounts::Insert(
    const std::string& username, OperatorRole role) {
  RETURN_IF_ERROR(CheckUsernameRules(username));
  v1::CentralNewAccount out;
  out.set_initial_password(GeneratePassword());
  ASSIGN_OR_RETURN(std::string hash, hashing_.Run([&] {
    return crypto::HashPassword(out.initial_password());
  }));
  ASSIGN_OR_RETURN(
      sql::Statement insert,
      db_.Prepare("INSERT INTO users(username, role, password_hash, "
                  "must_change_password, created_unix) VALUES (?, ?, ?, 1, "
                  "strftime('%s','now'))"));
  absl::Status inserted =
      insert.BindAll(username, OperatorRoleName(role), hash).Run();
  if (absl::IsAlreadyExists(inserted))
    return absl::AlreadyExistsError(
        absl::StrCat("用户名 ", username, " 已存在"));
  RETURN_IF_ERROR(inserted);
  ASSIGN_OR_RETURN(CentralAccount account, Find(username));
  ToProto(account, 0, out.mutable_user());
  return out;
}

absl::StatusOr<v1::CentralNewAccount> CentralAccounts::CreateFirstAdmin(
    const std::string& username) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(sql::Statement any,
                   db_.Prepare("SELECT username FROM users WHERE role = "
                               "'admin' AND disabled = 0 LIMIT 1"));
  ASSIGN_OR_RETURN(bool found, any.Step());
  if (found)
    return absl::AlreadyExistsError(
        absl::StrCat("an administrator exists already (", any.ColumnText(0),
                     "); administrators create the other accounts"));
  return Insert(username, OperatorRole::kAdmin);
}

absl::StatusOr<v1::CentralNewAccount> CentralAccounts::Create(
    const Operator& actor, const std::string& username, OperatorRole role) {
  RETURN_IF_ERROR(RequireRole(actor, OperatorRole::kAdmin, "创建账号"));
  absl::MutexLock lock(&mu_);
  return Insert(username, role);
}

absl::StatusOr<v1::ListCentralUsersResponse> CentralAccounts::List(
    const Operator& actor, int64_t now) {
  RETURN_IF_ERROR(RequireRole(actor, OperatorRole::kAdmin, "查看账号"));
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(sql::Statement all,
                   db_.Prepare(absl::StrCat(kColumns, "ORDER BY username")));
  v1::ListCentralUsersResponse out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, all.Step());
    if (!row) break;
    ToProto(AccountFrom(all), now, out.add_users());
  }
  return out;
}

absl::StatusOr<v1::CentralNewAccount> CentralAccounts::ResetPassword(
    const Operator& actor, const std::string& username) {
  RETURN_IF_ERROR(RequireRole(actor, OperatorRole::kAdmin, "重置密码"));
  v1::CentralNewAccount out;
  out.set_initial_password(GeneratePassword());
  ASSIGN_OR_RETURN(std::string hash, hashing_.Run([&] {
    return crypto::HashPassword(out.initial_password());
  }));
  {
    absl::MutexLock lock(&mu_);
    ASSIGN_OR_RETURN(CentralAccount account, Find(username));
    RETURN_IF_ERROR(login_tables::SetPasswordHash(db_, account.id, hash, true));
    ASSIGN_OR_RETURN(account, Find(username));
    ToProto(account, 0, out.mutable_user());
  }
  gate_.ForgetName(username);
  return out;
}

absl::StatusOr<v1::CentralUser> CentralAccounts::Unlock(
    const Operator& actor, const std::string& username, int64_t now) {
  RETURN_IF_ERROR(RequireRole(actor, OperatorRole::kAdmin, "解锁账号"));
  v1::CentralUser out;
  {
    absl::MutexLock lock(&mu_);
    ASSIGN_OR_RETURN(CentralAccount account, Find(username));
    RETURN_IF_ERROR(login_tables::ClearFailures(db_, account.id));
    ASSIGN_OR_RETURN(account, Find(username));
    ToProto(account, now, &out);
  }
  gate_.ForgetName(username);
  return out;
}

absl::StatusOr<v1::CentralUser> CentralAccounts::SetDisabled(
    const Operator& actor, const std::string& username, bool disabled,
    int64_t now) {
  RETURN_IF_ERROR(RequireRole(actor, OperatorRole::kAdmin,
                              disabled ? "停用账号" : "启用账号"));
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(CentralAccount account, Find(username));
  if (account.username == actor.who && !actor.by_certificate)
    return absl::InvalidArgumentError("管理员不能停用自己的账号");
  RETURN_IF_ERROR(login_tables::SetDisabled(db_, account.id, disabled));
  ASSIGN_OR_RETURN(account, Find(username));
  v1::CentralUser out;
  ToProto(account, now, &out);
  return out;
}

}  // namespace ntmis::national

#include "provincial/core/accounts.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"
#include "common/crypto/crypto.h"
#include "provincial/core/access.h"
#include "provincial/core/teacher_queries.h"
#include "provincial/core/units.h"

namespace ntmis::provincial {

namespace {

// locked_until_unix: the latest lock of the account from any source.
constexpr char kUserColumns[] =
    "SELECT id, username, unit_code, role, must_change_password, "
    "COALESCE(teacher_number, ''), "
    "disabled, (SELECT COALESCE(MAX(f.locked_until_unix), 0) FROM "
    "login_failures f "
    "WHERE f.user_id = users.id), created_unix FROM users ";

User UserFrom(const sql::Statement& row) {
  User user;
  user.id = row.ColumnInt(0);
  user.username = row.ColumnText(1);
  user.unit_code = row.ColumnText(2);
  user.role = ParseRole(row.ColumnText(3)).value_or(Role::kQuerier);
  user.must_change_password = row.ColumnInt(4) != 0;
  user.teacher_number = row.ColumnText(5);
  user.disabled = row.ColumnInt(6) != 0;
  user.locked_until_unix = row.ColumnInt(7);
  user.created_unix = row.ColumnInt(8);
  return user;
}

}  // namespace

absl::StatusOr<User> Accounts::Create(const std::string& username,
                                      const std::string& unit_code, Role role,
                                      const std::string& password,
                                      bool must_change_password,
                                      const std::string& teacher_number) {
  RETURN_IF_ERROR(CheckUsernameRules(username));
  RETURN_IF_ERROR(CheckPasswordRules(password));
  ASSIGN_OR_RETURN(std::string hash, HashPassword(password));
  ASSIGN_OR_RETURN(
      sql::Statement insert,
      store_.db().Prepare(
          "INSERT INTO users(username, unit_code, role, password_hash, "
          "must_change_password, created_unix, teacher_number) VALUES (?, ?, "
          "?, "
          "?, ?, strftime('%s','now'), ?)"));
  insert.BindAll(username, unit_code, RoleName(role), hash,
                 must_change_password ? 1 : 0);
  if (teacher_number.empty()) {
    insert.BindNull(6);
  } else {
    insert.Bind(6, teacher_number);
  }
  absl::Status inserted = insert.Run();
  if (absl::IsAlreadyExists(inserted)) {
    return absl::AlreadyExistsError(absl::StrCat(
        "用户名 ", username, " 已存在，或单位 ", unit_code, " 不存在"));
  }
  RETURN_IF_ERROR(inserted);
  return Find(username);
}

absl::StatusOr<User> Accounts::Find(const std::string& username) {
  ASSIGN_OR_RETURN(
      sql::Statement find,
      store_.db().Prepare(absl::StrCat(kUserColumns, "WHERE username = ?")));
  ASSIGN_OR_RETURN(bool found, find.BindAll(username).Step());
  if (!found)
    return absl::NotFoundError(
        absl::StrCat("没有用户名为 ", username, " 的账号"));
  return UserFrom(find);
}

absl::Status Accounts::CheckManages(const User& actor,
                                    const std::string& unit_code, Role role) {
  if (actor.role != Role::kSysAdmin) {
    return absl::PermissionDeniedError(
        absl::StrCat("管理账号须由系统管理员操作；", actor.username, " 是单位 ",
                     actor.unit_code, " 的", RoleLabel(actor.role)));
  }
  if (unit_code == actor.unit_code) return absl::OkStatus();
  absl::StatusOr<Unit> unit = LoadUnit(store_, unit_code);
  if (unit.ok() && unit->parent_code == actor.unit_code &&
      role == Role::kSysAdmin)
    return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat(
      "单位 ", actor.unit_code,
      " 的系统管理员管理本单位的账号和直接下级单位的系统管理员账号，"
      "不能管理单位 ",
      unit_code, " 的", RoleLabel(role), "账号"));
}

absl::Status Accounts::CheckQuota(const std::string& unit_code, Role role) {
  ASSIGN_OR_RETURN(Unit unit, LoadUnit(store_, unit_code));
  if (unit.closed)
    return absl::FailedPreconditionError(
        absl::StrCat("单位 ", unit_code, " 已撤销"));
  int limit = 0;
  switch (role) {
    case Role::kSysAdmin:
      limit = policy_.quota.sysadmins;
      break;
    case Role::kManager:
      limit =
          unit.school_category == v1::SCHOOL_CATEGORY_HIGHER_EDUCATION ||
                  unit.school_category == v1::SCHOOL_CATEGORY_HIGHER_VOCATIONAL
              ? policy_.quota.higher_education_managers
              : policy_.quota.managers;
      break;
    case Role::kQuerier:
      limit = policy_.quota.queriers;
      break;
    case Role::kTeacher:
      return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(
      sql::Statement count,
      store_.db().Prepare("SELECT COUNT(*) FROM users WHERE unit_code = ? AND "
                          "role = ? AND disabled = 0"));
  ASSIGN_OR_RETURN(bool row, count.BindAll(unit_code, RoleName(role)).Step());
  if (row && count.ColumnInt(0) >= limit) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "单位 ", unit_code, " 已有 ", count.ColumnInt(0), " 个在用的",
        RoleLabel(role), "账号，已达上限（", limit, " 个）；请先停用一个"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> Accounts::HashPassword(
    const std::string& password) {
  if (hashing_ == nullptr) return crypto::HashPassword(password);
  return hashing_->Run([&] { return crypto::HashPassword(password); });
}

bool Accounts::VerifyPassword(const std::string& password,
                              const std::string& hash) {
  if (hashing_ == nullptr) return crypto::VerifyPassword(password, hash);
  return hashing_->Run([&] { return crypto::VerifyPassword(password, hash); });
}

absl::Status Accounts::SetPassword(int64_t id, const std::string& password,
                                   bool must_change) {
  ASSIGN_OR_RETURN(std::string hash, HashPassword(password));
  return login_tables::SetPasswordHash(store_.db(), id, hash, must_change);
}

absl::StatusOr<NewAccount> Accounts::CreateFor(const User& actor,
                                               const std::string& username,
                                               const std::string& unit_code,
                                               Role role) {
  if (role == Role::kTeacher) {
    return absl::InvalidArgumentError(
        "教师账号由教师记录生成（为学校批量生成教师账号）");
  }
  RETURN_IF_ERROR(CheckManages(actor, unit_code, role));
  RETURN_IF_ERROR(CheckQuota(unit_code, role));
  NewAccount account;
  account.initial_password = GeneratePassword();
  ASSIGN_OR_RETURN(account.user, Create(username, unit_code, role,
                                        account.initial_password, true));
  account.unit_name = UnitNames(store_)(unit_code);
  return account;
}

absl::StatusOr<NewAccount> Accounts::ResetPassword(
    const User& actor, const std::string& username) {
  ASSIGN_OR_RETURN(User target, Find(username));
  RETURN_IF_ERROR(CheckManages(actor, target.unit_code, target.role));
  NewAccount account;
  account.initial_password = GeneratePassword();
  RETURN_IF_ERROR(SetPassword(target.id, account.initial_password, true));
  ASSIGN_OR_RETURN(account.user, Find(username));
  account.unit_name = UnitNames(store_)(target.unit_code);
  return account;
}

absl::StatusOr<User> Accounts::Unlock(const User& actor,
                                      const std::string& username) {
  ASSIGN_OR_RETURN(User target, Find(username));
  RETURN_IF_ERROR(CheckManages(actor, target.unit_code, target.role));
  RETURN_IF_ERROR(login_tables::ClearFailures(store_.db(), target.id));
  return Find(username);
}

absl::StatusOr<User> Accounts::SetDisabled(const User& actor,
                                           const std::string& username,
                                           bool disabled) {
  ASSIGN_OR_RETURN(User target, Find(username));
  RETURN_IF_ERROR(CheckManages(actor, target.unit_code, target.role));
  if (target.id == actor.id)
    return absl::InvalidArgumentError("管理员不能停用自己的账号");
  if (!disabled) RETURN_IF_ERROR(CheckQuota(target.unit_code, target.role));
  RETURN_IF_ERROR(login_tables::SetDisabled(store_.db(), target.id, disabled));
  return Find(username);
}

absl::StatusOr<v1::ListUsersResponse> Accounts::ListView(
    const User& actor, const std::string& unit_code, bool include_below) {
  ASSIGN_OR_RETURN(std::vector<User> users,
                   List(actor, unit_code, include_below));
  v1::ListUsersResponse response;
  UnitNames names(store_);
  for (const User& u : users) {
    v1::UserAccount* out = response.add_users();
    ToProto(u, out);
    out->set_unit_name(names(u.unit_code));
  }
  return response;
}

absl::StatusOr<std::vector<User>> Accounts::List(const User& actor,
                                                 const std::string& unit,
                                                 bool include_below) {
  const std::string& unit_code = unit.empty() ? actor.unit_code : unit;
  if (actor.role != Role::kSysAdmin) {
    return absl::PermissionDeniedError(
        absl::StrCat("查看账号须由系统管理员操作；", actor.username, " 是",
                     RoleLabel(actor.role)));
  }
  RETURN_IF_ERROR(CheckWithin(store_, actor, unit_code));
  std::vector<std::string> units{unit_code};
  for (size_t i = 0; include_below && i < units.size(); ++i) {
    ASSIGN_OR_RETURN(std::vector<Unit> children,
                     ChildUnits(store_, units[i], true));
    for (Unit& c : children) units.push_back(std::move(c.code));
  }
  ASSIGN_OR_RETURN(
      sql::Statement list,
      store_.db().Prepare(absl::StrCat(
          kUserColumns, "WHERE unit_code = ? ORDER BY role, username")));
  std::vector<User> users;
  for (const std::string& unit : units) {
    list.BindAll(unit);
    RETURN_IF_ERROR(list.ForEachRow([&] { users.push_back(UserFrom(list)); }));
    list.Reset();
  }
  return users;
}

absl::StatusOr<std::vector<NewAccount>> Accounts::CreateTeacherAccounts(
    const User& actor, const std::string& school_code) {
  const std::string& school =
      school_code.empty() ? actor.unit_code : school_code;
  RETURN_IF_ERROR(CheckManages(actor, school, Role::kTeacher));
  ASSIGN_OR_RETURN(Unit unit, LoadUnit(store_, school));
  if (unit.level != UnitLevel::kSchool)
    return absl::InvalidArgumentError(
        absl::StrCat("单位 ", school, " 不是学校"));
  ASSIGN_OR_RETURN(std::vector<std::string> numbers,
                   ActiveTeacherNumbers(store_, school));
  ASSIGN_OR_RETURN(sql::Statement has_account,
                   store_.db().Prepare("SELECT EXISTS (SELECT 1 FROM users "
                                       "WHERE teacher_number = ?)"));
  std::vector<NewAccount> accounts;
  for (const std::string& number : numbers) {
    ASSIGN_OR_RETURN(bool row, has_account.BindAll(number).Step());
    const bool exists = row && has_account.ColumnInt(0) != 0;
    has_account.Reset();
    if (exists) continue;
    NewAccount account;
    account.initial_password = GeneratePassword();
    ASSIGN_OR_RETURN(account.user,
                     Create(number, school, Role::kTeacher,
                            account.initial_password, true, number));
    account.unit_name = unit.name;
    ASSIGN_OR_RETURN(v1::TeacherView teacher, LoadTeacherView(store_, number));
    account.teacher_name = teacher.record().name();
    accounts.push_back(std::move(account));
  }
  return accounts;
}

absl::StatusOr<v1::ChildAccountsResponse> Accounts::ChildAccounts(
    const User& actor, const std::string& unit_code) {
  if (actor.role != Role::kSysAdmin)
    return absl::PermissionDeniedError("账号分配情况只向系统管理员显示");
  const std::string& code = unit_code.empty() ? actor.unit_code : unit_code;
  RETURN_IF_ERROR(CheckWithin(store_, actor, code));
  ASSIGN_OR_RETURN(Unit unit, LoadUnit(store_, code));
  ASSIGN_OR_RETURN(std::vector<Unit> children,
                   ChildUnits(store_, code, /*include_closed=*/false));
  v1::ChildAccountsResponse response;
  ToProto(unit, response.mutable_unit());
  ASSIGN_OR_RETURN(
      sql::Statement accounts,
      store_.db().Prepare("SELECT u.unit_code, u.role, u.username FROM users u "
                          "JOIN units c ON c.code = u.unit_code "
                          "WHERE c.parent_code = ? AND u.disabled = 0 "
                          "ORDER BY u.unit_code, u.username"));
  absl::flat_hash_map<std::string, v1::ChildAccounts*> by_code;
  for (const Unit& child : children) {
    v1::ChildAccounts* c = response.add_children();
    ToProto(child, c->mutable_unit());
    by_code[child.code] = c;
  }
  accounts.BindAll(code);
  RETURN_IF_ERROR(accounts.ForEachRow([&] {
    auto it = by_code.find(accounts.ColumnText(0));
    if (it == by_code.end()) return;
    v1::ChildAccounts* c = it->second;
    const std::string role = accounts.ColumnText(1);
    if (role == RoleName(Role::kSysAdmin))
      c->add_sysadmins(accounts.ColumnText(2));
    if (role == RoleName(Role::kManager)) c->set_managers(c->managers() + 1);
    if (role == RoleName(Role::kQuerier)) c->set_queriers(c->queriers() + 1);
    if (role == RoleName(Role::kTeacher)) c->set_teachers(c->teachers() + 1);
  }));
  for (const v1::ChildAccounts& c : response.children())
    if (c.sysadmins().empty())
      response.set_missing_sysadmins(response.missing_sysadmins() + 1);
  return response;
}

absl::StatusOr<std::vector<NewAccount>> Accounts::CreateMissingAdmins(
    const User& actor, const std::string& unit_code) {
  if (!unit_code.empty() && unit_code != actor.unit_code)
    return absl::PermissionDeniedError(
        "只能为本单位的直接下级单位生成系统管理员账号");
  ASSIGN_OR_RETURN(v1::ChildAccountsResponse tree,
                   ChildAccounts(actor, actor.unit_code));
  std::vector<NewAccount> created;
  for (const v1::ChildAccounts& c : tree.children()) {
    if (!c.sysadmins().empty()) continue;
    const std::string base = absl::StrCat("admin", c.unit().code());
    // The name is the same for every caller, so two administrators doing
    // this at once cannot both create one: the second insert of the name
    // fails, and its next try finds the unit at its quota.
    for (int n = 1;; ++n) {
      const std::string name = n == 1 ? base : absl::StrCat(base, ".", n);
      if (Find(name).ok()) continue;  // taken (a disabled account, say)
      absl::StatusOr<NewAccount> account =
          CreateFor(actor, name, c.unit().code(), Role::kSysAdmin);
      if (absl::IsResourceExhausted(account.status())) break;
      if (absl::IsAlreadyExists(account.status())) continue;
      RETURN_IF_ERROR(account.status());
      created.push_back(*std::move(account));
      break;
    }
  }
  return created;
}

absl::Status Accounts::ChangePassword(const User& user,
                                      const std::string& old_password,
                                      const std::string& new_password) {
  ASSIGN_OR_RETURN(const std::string hash,
                   login_tables::PasswordHash(store_.db(), user.id));
  const bool found = !hash.empty();
  if (!found || !VerifyPassword(old_password, hash))
    return absl::UnauthenticatedError("原密码不正确");
  if (new_password == old_password)
    return absl::InvalidArgumentError("新密码不能与原密码相同");
  RETURN_IF_ERROR(CheckPasswordRules(new_password));
  return SetPassword(user.id, new_password, false);
}

absl::StatusOr<LoginRecord> Accounts::ReadForLogin(const std::string& username,
                                                   const std::string& source) {
  return login_tables::ReadForLogin(store_.db(), username, source);
}

absl::StatusOr<int64_t> Accounts::RecordLoginFailure(int64_t user_id,
                                                     const std::string& source,
                                                     int64_t now,
                                                     int max_failures,
                                                     int64_t lockout_seconds) {
  return login_tables::RecordFailure(store_.db(), user_id, source, now,
                                     max_failures, lockout_seconds);
}

absl::StatusOr<Session> Accounts::OpenSession(int64_t user_id,
                                              const std::string& source,
                                              int64_t now) {
  return login_tables::OpenSession(store_.db(), user_id, source, now, policy_);
}

absl::Status Accounts::EndSession(const std::string& token) {
  return login_tables::EndSession(store_.db(), token);
}

absl::StatusOr<User> Accounts::AuthenticateFor(const std::string& token,
                                               const std::string& action,
                                               int64_t now) {
  ASSIGN_OR_RETURN(User user, Authenticate(token, now));
  if (user.must_change_password && action != "user.change_password" &&
      action != "user.logout" && action != "user.whoami") {
    return absl::FailedPreconditionError(absl::StrCat(
        user.username,
        " 还在使用系统生成的初始密码：请先修改密码（控制台登录后按提"
        "示修改，或 ntmis-provincial user passwd）"));
  }
  return user;
}

absl::StatusOr<User> Accounts::Authenticate(const std::string& token,
                                            int64_t now) {
  ASSIGN_OR_RETURN(int64_t user_id,
                   login_tables::SessionUser(store_.db(), token, now, policy_));
  ASSIGN_OR_RETURN(sql::Statement find, store_.db().Prepare(absl::StrCat(
                                            kUserColumns, "WHERE id = ?")));
  ASSIGN_OR_RETURN(bool found, find.BindAll(user_id).Step());
  if (!found) return absl::UnauthenticatedError("登录已失效，请重新登录");
  User user = UserFrom(find);
  if (user.disabled) return absl::UnauthenticatedError("账号已停用");
  return user;
}

void ToProto(const NewAccount& account, v1::CreateUserResponse* out) {
  ToProto(account.user, out->mutable_user());
  out->mutable_user()->set_unit_name(account.unit_name);
  out->mutable_user()->set_teacher_name(account.teacher_name);
  out->set_initial_password(account.initial_password);
}

}  // namespace ntmis::provincial

#include "provincial/core/user.h"

#include <ctime>

#include "absl/strings/str_cat.h"

namespace ntmis::provincial {

const char* RoleLabel(Role role) {
  switch (role) {
    case Role::kSysAdmin:
      return "系统管理员";
    case Role::kManager:
      return "信息管理员";
    case Role::kQuerier:
      return "信息查询员";
    case Role::kTeacher:
      return "教师";
  }
  return "";
}

const char* RoleName(Role role) {
  switch (role) {
    case Role::kSysAdmin:
      return "sysadmin";
    case Role::kManager:
      return "manager";
    case Role::kQuerier:
      return "querier";
    case Role::kTeacher:
      return "teacher";
  }
  return "";
}

absl::StatusOr<Role> ParseRole(const std::string& name) {
  for (Role role :
       {Role::kSysAdmin, Role::kManager, Role::kQuerier, Role::kTeacher}) {
    if (name == RoleName(role)) return role;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("角色「", name,
                   "」不存在；可选：sysadmin（系统管理员）、manager（信息管理员"
                   "）、querier（查询"
                   "员）、teacher（教师）"));
}

v1::UserRole RoleToProto(Role role) {
  switch (role) {
    case Role::kSysAdmin:
      return v1::USER_ROLE_SYSADMIN;
    case Role::kManager:
      return v1::USER_ROLE_MANAGER;
    case Role::kQuerier:
      return v1::USER_ROLE_QUERIER;
    case Role::kTeacher:
      return v1::USER_ROLE_TEACHER;
  }
  return v1::USER_ROLE_UNSPECIFIED;
}

absl::StatusOr<Role> RoleFromProto(v1::UserRole role) {
  switch (role) {
    case v1::USER_ROLE_SYSADMIN:
      return Role::kSysAdmin;
    case v1::USER_ROLE_MANAGER:
      return Role::kManager;
    case v1::USER_ROLE_QUERIER:
      return Role::kQuerier;
    case v1::USER_ROLE_TEACHER:
      return Role::kTeacher;
    default:
      return absl::InvalidArgumentError(
          "role: 须为系统管理员、信息管理员、查询员或教师");
  }
}

void ToProto(const User& user, v1::UserAccount* out) {
  out->set_username(user.username);
  out->set_unit_code(user.unit_code);
  out->set_role(RoleToProto(user.role));
  out->set_teacher_number(user.teacher_number);
  out->set_must_change_password(user.must_change_password);
  out->set_locked_until_unix(user.locked_until_unix);
  out->set_locked(user.locked_until_unix > std::time(nullptr));
  out->set_disabled(user.disabled);
  out->set_created_unix(user.created_unix);
}

}  // namespace ntmis::provincial

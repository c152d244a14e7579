#include "provincial/core/access.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/base/status_macros.h"

namespace ntmis::provincial {
namespace {

bool HasRole(const User& user, std::initializer_list<Role> roles) {
  return std::find(roles.begin(), roles.end(), user.role) != roles.end();
}

// "系统管理员或信息管理员"
std::string RoleList(std::initializer_list<Role> roles) {
  return absl::StrJoin(roles, "或", [](std::string* out, Role role) {
    out->append(RoleLabel(role));
  });
}

}  // namespace

absl::Status CheckWithin(Store& store, const User& user,
                         const std::string& unit_code) {
  if (user.role != Role::kTeacher) {
    absl::StatusOr<std::vector<Unit>> chain = UnitChain(store, unit_code);
    if (!chain.ok() && !absl::IsNotFound(chain.status())) return chain.status();
    if (chain.ok()) {
      for (const Unit& unit : *chain) {
        if (unit.code == user.unit_code) return absl::OkStatus();
      }
    }
  }
  return absl::PermissionDeniedError(absl::StrCat(
      user.username, "（单位 ", user.unit_code, " 的", RoleLabel(user.role),
      "）只能操作本单位及下级单位，不能操作单位 ", unit_code));
}

absl::Status CheckRole(const User& user, std::initializer_list<Role> roles,
                       const std::string& action) {
  if (HasRole(user, roles)) return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrCat(action, "须由", RoleList(roles), "操作；", user.username,
                   " 是", RoleLabel(user.role)));
}

absl::Status CheckProvinceStaff(const User& user, const std::string& province,
                                const std::string& action) {
  return CheckProvinceLevel(user, province, {Role::kSysAdmin, Role::kManager},
                            action);
}

absl::Status CheckProvinceLevel(const User& user, const std::string& province,
                                std::initializer_list<Role> roles,
                                const std::string& action) {
  if (HasRole(user, roles) && user.unit_code == province)
    return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrCat(action, "须由省级", RoleList(roles), "操作；", user.username,
                   " 是单位 ", user.unit_code, " 的", RoleLabel(user.role)));
}

absl::Status CheckReadTeacher(Store& store, const User& user,
                              const std::string& school_code,
                              const std::string& teacher_number) {
  if (user.role == Role::kTeacher) {
    if (user.teacher_number == teacher_number) return absl::OkStatus();
    return absl::PermissionDeniedError(
        absl::StrCat("教师账号 ", user.username,
                     " 只能查看本人的记录，不能查看 ", teacher_number));
  }
  return CheckWithin(store, user, school_code);
}

absl::StatusOr<std::vector<std::string>> SchoolsUnder(
    Store& store, const std::string& unit_code) {
  ASSIGN_OR_RETURN(Unit unit, LoadUnit(store, unit_code));
  std::vector<std::string> frontier{unit.code};
  for (int level = static_cast<int>(unit.level);
       level < static_cast<int>(UnitLevel::kSchool); ++level) {
    std::vector<std::string> next;
    for (const std::string& code : frontier) {
      ASSIGN_OR_RETURN(std::vector<Unit> children,
                       ChildUnits(store, code, true));
      for (Unit& child : children) next.push_back(std::move(child.code));
    }
    frontier.swap(next);
  }
  return frontier;
}

}  // namespace ntmis::provincial

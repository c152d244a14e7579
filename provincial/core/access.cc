#include "provincial/core/access.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"

namespace ntmis::provincial {
namespace {

bool HasRole(const User& user, std::initializer_list<Role> roles) {
  return std::find(roles.begin(), roles.end(), user.role) != roles.end();
}

// "sysadmin or manager"
std::string RoleList(std::initializer_list<Role> roles) {
  return absl::StrJoin(roles, " or ",
                       [](std::string* out, Role role) { out->append(RoleName(role)); });
}

}  // namespace

absl::Status CheckWithin(Store& store, const User& user, const std::string& unit_code) {
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
      user.username, " (", RoleName(user.role), " of unit ", user.unit_code,
      ") may act only on that unit and the units below it, not on unit ", unit_code));
}

absl::Status CheckRole(const User& user, std::initializer_list<Role> roles,
                       const std::string& action) {
  if (HasRole(user, roles)) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat(action, " needs the role ", RoleList(roles),
                                                  "; ", user.username, " is ",
                                                  RoleName(user.role)));
}

absl::Status CheckProvinceLevel(const User& user, const std::string& province,
                                std::initializer_list<Role> roles, const std::string& action) {
  if (HasRole(user, roles) && user.unit_code == province) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat(
      action, " needs a province-level ", RoleList(roles), "; ", user.username, " is ",
      RoleName(user.role), " of unit ", user.unit_code));
}

absl::Status CheckReadTeacher(Store& store, const User& user, const std::string& school_code,
                              const std::string& teacher_number) {
  if (user.role == Role::kTeacher) {
    if (user.teacher_number == teacher_number) return absl::OkStatus();
    return absl::PermissionDeniedError(absl::StrCat(
        "teacher account ", user.username, " may see only its own record, not ",
        teacher_number));
  }
  return CheckWithin(store, user, school_code);
}

absl::StatusOr<std::vector<std::string>> SchoolsUnder(Store& store,
                                                      const std::string& unit_code) {
  ASSIGN_OR_RETURN(Unit unit, LoadUnit(store, unit_code));
  std::vector<std::string> frontier{unit.code};
  for (int level = static_cast<int>(unit.level); level < static_cast<int>(UnitLevel::kSchool);
       ++level) {
    std::vector<std::string> next;
    for (const std::string& code : frontier) {
      ASSIGN_OR_RETURN(std::vector<Unit> children, ChildUnits(store, code, true));
      for (Unit& child : children) next.push_back(std::move(child.code));
    }
    frontier.swap(next);
  }
  return frontier;
}

}  // namespace ntmis::provincial

#include "national/accounts/operator.h"

#include "absl/strings/str_cat.h"

namespace ntmis::national {

const char* CentralRoleLabel(OperatorRole role) {
  switch (role) {
    case OperatorRole::kAdmin:
      return "系统管理员";
    case OperatorRole::kManager:
      return "信息管理员";
    case OperatorRole::kQuerier:
      return "查询员";
  }
  return "查询员";
}

v1::CentralRole CentralRoleToProto(OperatorRole role) {
  switch (role) {
    case OperatorRole::kAdmin:
      return v1::CENTRAL_ROLE_ADMIN;
    case OperatorRole::kManager:
      return v1::CENTRAL_ROLE_MANAGER;
    case OperatorRole::kQuerier:
      return v1::CENTRAL_ROLE_QUERIER;
  }
  return v1::CENTRAL_ROLE_QUERIER;
}

absl::StatusOr<OperatorRole> CentralRoleFromProto(v1::CentralRole role) {
  switch (role) {
    case v1::CENTRAL_ROLE_ADMIN:
      return OperatorRole::kAdmin;
    case v1::CENTRAL_ROLE_MANAGER:
      return OperatorRole::kManager;
    case v1::CENTRAL_ROLE_QUERIER:
      return OperatorRole::kQuerier;
    default:
      return absl::InvalidArgumentError(
          "请选择角色：系统管理员、信息管理员或查询员");
  }
}

absl::Status RequireRole(const Operator& op, OperatorRole needs,
                         const std::string& action) {
  if (op.role >= needs) return absl::OkStatus();
  const char* may = needs == OperatorRole::kAdmin ? "系统管理员"
                    : needs == OperatorRole::kManager
                        ? "信息管理员或系统管理员"
                        : "查询员、信息管理员或系统管理员";
  return absl::PermissionDeniedError(absl::StrCat(
      action, "须由", may, "进行；", op.who, " 是", CentralRoleLabel(op.role),
      "（", OperatorRoleName(op.role), "）"));
}

}  // namespace ntmis::national

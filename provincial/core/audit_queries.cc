#include "provincial/core/audit_queries.h"

#include "common/base/status_macros.h"
#include "provincial/core/access.h"

namespace ntmis::provincial {

absl::StatusOr<std::vector<StoredAuditEntry>> QueryAudit(
    Store& store, Accounts& accounts, AuditLog& audit, const User& actor,
    AuditFilter filter, const std::string& unit_code) {
  RETURN_IF_ERROR(CheckRole(actor, {Role::kSysAdmin}, "查询审计日志"));
  ASSIGN_OR_RETURN(std::string province, store.Province());
  // Below the province, an administrator sees what its unit's accounts did.
  std::string unit = unit_code;
  if (unit.empty() && actor.unit_code != province) unit = actor.unit_code;
  if (!unit.empty()) {
    ASSIGN_OR_RETURN(std::vector<User> users, accounts.List(actor, unit, true));
    filter.actors.emplace();
    for (const User& u : users) filter.actors->push_back(u.username);
  }
  return audit.Query(filter);
}

absl::StatusOr<AuditVerifyReport> VerifyAudit(
    Store& store, AuditLog& audit, const User& actor,
    const AuditVerifyOptions& options) {
  RETURN_IF_ERROR(CheckRole(actor, {Role::kSysAdmin}, "校验审计日志"));
  ASSIGN_OR_RETURN(std::string province, store.Province());
  if (actor.unit_code != province)
    return absl::PermissionDeniedError("审计链由省级账号核验");
  return audit.Verify(options);
}

}  // namespace ntmis::provincial

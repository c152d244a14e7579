// The audit log as a province's administrators read it (the log itself is
// common/audit/audit_log.h). Only system administrators read it; below the
// province level an administrator sees what the accounts of its unit and
// the units below did. Only the province's administrator verifies the
// chain.
#ifndef NTMIS_PROVINCIAL_CORE_AUDIT_QUERIES_H_
#define NTMIS_PROVINCIAL_CORE_AUDIT_QUERIES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/audit/audit_log.h"
#include "provincial/core/accounts.h"
#include "provincial/core/store.h"
#include "provincial/core/user.h"

namespace ntmis::provincial {

// Entries matching `filter`; `unit_code` (default: the actor's unit below
// the province level) limits them to that unit's accounts.
absl::StatusOr<std::vector<StoredAuditEntry>> QueryAudit(
    Store& store, Accounts& accounts, AuditLog& audit, const User& actor,
    AuditFilter filter, const std::string& unit_code);

// How many entries the chain holds, all intact; DATA_LOSS naming the first
// broken entry otherwise.
absl::StatusOr<AuditVerifyReport> VerifyAudit(
    Store& store, AuditLog& audit, const User& actor,
    const AuditVerifyOptions& options = {});

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_CORE_AUDIT_QUERIES_H_

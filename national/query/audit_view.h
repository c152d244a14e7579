// The national audit log as the ministry's administrators read it: entries
// found by who, what, when and result, each with what was done and its
// result in Chinese. Administrators only.
#ifndef NTMIS_NATIONAL_QUERY_AUDIT_VIEW_H_
#define NTMIS_NATIONAL_QUERY_AUDIT_VIEW_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/audit/audit_log.h"
#include "national/accounts/operator.h"
#include "ntmis/v1/provincial.pb.h"

namespace ntmis::national {

// "query.lookup" → 查询教师个人记录, "sync.push" → 同步推送, …; an action
// this build does not know comes back as it is.
std::string NationalActionLabel(absl::string_view action);

// Entries matching `query` (action exactly or by a prefix ending in '.'),
// newest first, at most query.limit (default 100, at most 10000).
absl::StatusOr<v1::AuditEntries> QueryNationalAudit(
    AuditLog& audit, const Operator& actor, const v1::AuditQuery& query);

}  // namespace ntmis::national

#endif  // NTMIS_NATIONAL_QUERY_AUDIT_VIEW_H_

#include "common/audit/audit_policy.h"

#include <array>

namespace ntmis {

AuditRule AuditRuleFor(absl::string_view action) {
  // Calls that reveal nothing about a person: who the caller is, the
  // catalog and code tables, the unit tree, counts and queues, list pages
  // (names and states of a unit's records, no ID-card number; a search for
  // a person is "teacher.search" and recorded).
  static constexpr std::array<absl::string_view, 10> kQuiet = {
      "user.whoami",     "catalog.read",   "unit.list",    "report.progress",
      "report.rotation", "sync.health",    "review.queue", "career.list",
      "teacher.list",    "query.provinces"};
  for (absl::string_view quiet : kQuiet)
    if (action == quiet) return AuditRule::kRefusalsOnly;
  // An ID-card number in clear, a person found by the ministry: on record
  // before it is shown.
  if (action == "teacher.read_id_card" || action == "query.lookup")
    return AuditRule::kBeforeAnswer;
  return AuditRule::kAlways;
}

}  // namespace ntmis

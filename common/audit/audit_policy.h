// What the audit trail records, one rule for every transport of both nodes
// (docs/operators.md, "What is audited"): every change, every login and
// logout, every refusal, every read of one person's record or ID-card
// number, every export and every look-up by a ministry operator; not the
// calls that reveal nothing about a person (who am I, catalogs, unit trees,
// progress figures, queues and plain list pages), which at a province's
// volume would bury the rest (a collection month's reading is tens of
// millions of calls a day).
//
// Thread-safe: a pure function.
#ifndef NTMIS_COMMON_AUDIT_AUDIT_POLICY_H_
#define NTMIS_COMMON_AUDIT_AUDIT_POLICY_H_

#include "absl/strings/string_view.h"

namespace ntmis {

enum class AuditRule {
  kAlways,        // recorded, whatever the outcome
  kRefusalsOnly,  // recorded only when refused or failed
  kBeforeAnswer,  // recorded, and on disk before the answer leaves the node
};

// The rule for an action name ("teacher.read", "user.whoami", …).
AuditRule AuditRuleFor(absl::string_view action);

}  // namespace ntmis

#endif  // NTMIS_COMMON_AUDIT_AUDIT_POLICY_H_

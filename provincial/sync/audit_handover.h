// The sync's step that hands the province's audit chain head to the national
// node (NationalSync.GetAuditAnchor / AnchorAudit; national/registry/
// audit_anchors.h): the national node keeps the highest head it was given,
// so a chain later cut short, rewritten or replaced by an older copy is
// found there even when the anchor beside the database was put back too
// (docs/operators.md, "The audit trail").
#ifndef NTMIS_PROVINCIAL_SYNC_AUDIT_HANDOVER_H_
#define NTMIS_PROVINCIAL_SYNC_AUDIT_HANDOVER_H_

#include <string>

#include "absl/status/statusor.h"
#include "provincial/core/store.h"
#include "provincial/sync/national_channel.h"

namespace ntmis::provincial {

// Hands the head over; returns what the national node found wrong with the
// province's chain (empty when nothing), which the caller shows.
absl::StatusOr<std::string> HandOverAuditHead(NationalChannel& channel,
                                              Store& store);

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_SYNC_AUDIT_HANDOVER_H_

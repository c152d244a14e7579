// Sync health as `sync status` and the console show it: the schedule, the
// last attempt and success (every run, scheduled or `sync --once` from
// another process, is in sync_runs), outbox and acknowledged sequence, the
// reference data held, identity conflicts and open rejections.
#ifndef NTMIS_PROVINCIAL_SYNC_SYNC_HEALTH_H_
#define NTMIS_PROVINCIAL_SYNC_SYNC_HEALTH_H_

#include "absl/status/statusor.h"
#include "ntmis/v1/provincial.pb.h"
#include "provincial/core/store.h"
#include "provincial/sync/sync_scheduler.h"

namespace ntmis::provincial {

absl::StatusOr<v1::SyncHealth> BuildSyncHealth(Store& store,
                                               SyncScheduler& scheduler);

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_SYNC_SYNC_HEALTH_H_

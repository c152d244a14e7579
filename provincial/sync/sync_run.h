// The top of the sync stack: one sync of the province. It settles
// provisional teachers (identities), pushes the outbox (push), pulls the
// identity conflicts and the reference data, and records the run in
// sync_runs, successful or not. Each step talks to the national node over
// the one channel (provincial/sync/national_channel.h).
//
// Not thread-safe; one run at a time per Store (the sync lock).
#ifndef NTMIS_PROVINCIAL_SYNC_SYNC_RUN_H_
#define NTMIS_PROVINCIAL_SYNC_SYNC_RUN_H_

#include <utility>

#include "absl/status/statusor.h"
#include "ntmis/v1/config.pb.h"
#include "provincial/core/store.h"
#include "provincial/sync/national_channel.h"
#include "provincial/sync/push.h"
#include "provincial/sync/sync_lock.h"

namespace ntmis::provincial {

absl::StatusOr<SyncReport> RunSync(NationalChannel& channel, Store& store);

// Runs `step(channel, store)` now, holding the province's sync lock (ABORTED
// if another sync, in `serve` or another process, is running), on the
// configured store and a fresh channel to the national node.
template <typename Step>
auto UnderSyncLock(const v1::ProvincialConfig& config, SyncOptions options,
                   Step&& step)
    -> decltype(step(std::declval<NationalChannel&>(),
                     std::declval<Store&>())) {
  absl::StatusOr<FileLock> lock =
      AcquireSyncLock(SyncLockPath(config.database()));
  if (!lock.ok()) return lock.status();
  absl::StatusOr<Store> store = Store::Open(config.database());
  if (!store.ok()) return store.status();
  auto channel = OpenNationalChannel(config, std::move(options));
  if (!channel.ok()) return channel.status();
  return step(**channel, *store);
}

// One sync of the province now, under the sync lock.
absl::StatusOr<SyncReport> SyncOnce(const v1::ProvincialConfig& config,
                                    SyncOptions options);

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_SYNC_SYNC_RUN_H_

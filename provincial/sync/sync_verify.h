// `ntmis-provincial sync --verify`: anti-entropy with the national node
// (docs/architecture.md, the sync protocol). Compares per-bucket digests of the
// province's effective records with the national node's, fetches per-teacher
// hashes only for the buckets that differ, re-queues exactly the teachers that
// differ, syncs, and compares again. Work is proportional to the difference,
// plus one local scan to compute the digests.
#ifndef NTMIS_PROVINCIAL_SYNC_SYNC_VERIFY_H_
#define NTMIS_PROVINCIAL_SYNC_SYNC_VERIFY_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "common/teacher/record_digest.h"
#include "ntmis/v1/config.pb.h"
#include "provincial/core/store.h"
#include "provincial/sync/national_channel.h"
#include "provincial/sync/push.h"

namespace ntmis::provincial {

struct VerifyReport {
  uint64_t realigned_from = 0;  // national cursor moved back from here (0: no)
  uint64_t buckets = 0;         // buckets on either side
  uint64_t mismatched_buckets = 0;  // before repair
  uint64_t requeued = 0;            // teachers re-sent
  SyncReport sync;                  // the sync that carried the repair
  bool agreed = false;              // digests equal after it
  uint64_t mismatched_after = 0;
};

// The digests of the province's effective records, as the national node
// would compute them over what it holds.
absl::StatusOr<DigestMap> LocalDigests(Store& store);

// Runs the whole check-and-repair; the caller holds the sync lock.
absl::StatusOr<VerifyReport> VerifyAndRepair(NationalChannel& channel,
                                             Store& store);

// `sync --verify` now, under the province's sync lock.
absl::StatusOr<VerifyReport> VerifyOnce(const v1::ProvincialConfig& config,
                                        SyncOptions options);

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_SYNC_SYNC_VERIFY_H_

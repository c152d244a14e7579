// Pushes a province's outbox to the national node over mutual TLS:
// asks the national cursor, streams batches from there with a bounded
// window of unacknowledged batches, and records every acknowledgement and
// rejection locally. A run after any failure resumes from the national
// cursor, so nothing is lost or applied twice.
//
// A step of the sync run (provincial/sync/sync_run.h), on the national
// channel. Not thread-safe; one run at a time per Store.
#ifndef NTMIS_PROVINCIAL_SYNC_PUSH_H_
#define NTMIS_PROVINCIAL_SYNC_PUSH_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "ntmis/v1/sync.grpc.pb.h"
#include "provincial/core/store.h"
#include "provincial/sync/national_channel.h"

namespace ntmis::provincial {

struct SyncReport {
  uint64_t cursor_before = 0;
  uint64_t cursor_after = 0;
  uint64_t sent = 0;
  uint64_t applied = 0;
  uint64_t skipped = 0;
  uint64_t batches = 0;
  uint64_t held =
      0;  // records the national node keeps until their owner releases them
  uint64_t renumbered =
      0;  // provisional teachers given their existing national number
  std::vector<v1::Rejection> rejections;
  // What the national node found wrong with the province's audit chain
  // (provincial/sync/audit_handover.h); empty when nothing.
  std::string audit_problem;
};

// Streams the outbox after the national cursor, adding to `report`
// (cursors, sent, applied, rejections, held).
absl::Status PushOutbox(NationalChannel& channel, Store& store,
                        SyncReport& report);

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_SYNC_PUSH_H_

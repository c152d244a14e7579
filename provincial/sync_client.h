// Pushes a province's outbox to the national node over mutual TLS:
// asks the national cursor, streams batches from there with a bounded
// window of unacknowledged batches, and records every acknowledgement and
// rejection locally. A run after any failure resumes from the national
// cursor, so nothing is lost or applied twice.
//
// Not thread-safe; one run at a time per Store.
#ifndef NTMIS_PROVINCIAL_SYNC_CLIENT_H_
#define NTMIS_PROVINCIAL_SYNC_CLIENT_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "ntmis/v1/sync.grpc.pb.h"
#include "provincial/store.h"

namespace ntmis::provincial {

struct SyncOptions {
  uint32_t batch_size = 10000;  // changes per batch (each commit rewrites rollup pages)
  uint32_t window = 4;          // batches in flight
  std::chrono::seconds rpc_deadline{60};
  // Called after each acknowledgement; returning false cancels the stream
  // (for operators' throttling and for fault tests).
  std::function<bool(const v1::PushAck&)> on_ack;
};

struct SyncReport {
  uint64_t cursor_before = 0;
  uint64_t cursor_after = 0;
  uint64_t sent = 0;
  uint64_t applied = 0;
  uint64_t skipped = 0;
  uint64_t batches = 0;
  uint64_t held = 0;  // records the national node keeps until their owner releases them
  uint64_t renumbered = 0;  // provisional teachers given their existing national number
  std::vector<v1::Rejection> rejections;
};

// The request that opens every sync: this build's protocol and catalog
// versions and the province's outbox end.
v1::GetCursorRequest SyncHello(uint64_t outbox_end);
// Store meta keys of the last verify outcome.
inline constexpr char kVerifiedUnixMeta[] = "last_verify_unix";
inline constexpr char kVerifyDifferingMeta[] = "last_verify_differing";
// The hello for `store`: its outbox end and its last verify outcome.
absl::StatusOr<v1::GetCursorRequest> SyncHello(Store& store);

class SyncClient {
 public:
  SyncClient(std::unique_ptr<v1::NationalSync::StubInterface> stub, SyncOptions options)
      : stub_(std::move(stub)), options_(std::move(options)) {}

  // One sync: everything in the outbox after the national cursor. Also
  // records the run in sync_runs, successful or not.
  absl::StatusOr<SyncReport> RunOnce(Store& store);

  v1::NationalSync::StubInterface& stub() { return *stub_; }
  // Sets the deadline of a unary call: rpc_deadline from now.
  void SetDeadline(grpc::ClientContext* context) const;
  const SyncOptions& options() const { return options_; }

 private:
  absl::Status Push(Store& store, SyncReport& report);

  std::unique_ptr<v1::NationalSync::StubInterface> stub_;
  SyncOptions options_;
};

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_SYNC_CLIENT_H_

// The push stream's reader: reads and prepares batches on a thread of its
// own, so that the next batch is parsed and checked
// (ProvinceDb::Prepare) while the previous one commits. At most one
// prepared batch waits (memory per stream: the batch being applied, one
// prepared, and what HTTP/2 flow control lets the client send ahead).
//
// Each batch read holds a slot of the node's `batches` limit from before
// it is read until it has been applied (the next call of Next, or the
// reader's end), so that 32 provinces pushing at once hold a bounded
// number of batches in memory, not two each (issue 30).
#ifndef NTMIS_NATIONAL_RPC_PUSH_READER_H_
#define NTMIS_NATIONAL_RPC_PUSH_READER_H_

#include <chrono>
#include <deque>
#include <optional>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/base/concurrency_limit.h"
#include "grpcpp/grpcpp.h"
#include "national/ingest/province_db.h"
#include "ntmis/v1/sync.grpc.pb.h"

namespace ntmis::national {

class PushReader {
 public:
  using Stream = grpc::ServerReaderWriter<v1::PushAck, v1::PushBatch>;

  PushReader(grpc::ServerContext* context, Stream* stream, ProvinceDb& db,
             size_t max_changes, std::chrono::milliseconds idle,
             ConcurrencyLimit& batches)
      : context_(context),
        stream_(stream),
        db_(db),
        max_changes_(max_changes),
        idle_(idle),
        batches_(batches),
        thread_([this] { Run(); }) {}

  ~PushReader();

  // The next prepared batch, or nullopt at the end of the stream;
  // DEADLINE_EXCEEDED when the client sends nothing for the idle limit.
  // The batch returned before is taken as applied: its slot is given back.
  std::optional<absl::StatusOr<PreparedBatch>> Next();

  // Hands back a batch once applied: this thread frees it (10,000 records'
  // worth of allocations off the applying thread) and parses the next batch
  // into its message, reusing them.
  void Recycle(PreparedBatch used);

  // Stops reading. A read already waiting for the client is cancelled, so
  // the client then sees CANCELLED rather than the handler's status.
  void Stop();

 private:
  void Run();

  grpc::ServerContext* context_;
  Stream* stream_;
  ProvinceDb& db_;
  const size_t max_changes_;
  const std::chrono::milliseconds idle_;
  ConcurrencyLimit& batches_;
  absl::Mutex mu_;
  int slots_held_ ABSL_GUARDED_BY(mu_) = 0;       // batches queued or applying
  bool handed_out_ ABSL_GUARDED_BY(mu_) = false;  // Next returned a batch
  std::optional<PreparedBatch> used_ ABSL_GUARDED_BY(mu_);  // Recycle'd
  std::deque<absl::StatusOr<PreparedBatch>> queue_ ABSL_GUARDED_BY(mu_);
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  bool in_read_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace ntmis::national

#endif  // NTMIS_NATIONAL_RPC_PUSH_READER_H_

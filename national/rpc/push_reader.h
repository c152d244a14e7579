// The push stream's reader: reads and prepares batches on a thread of its
// own, so that the next batch is parsed and checked
// (ProvinceDb::Prepare) while the previous one commits. At most one
// prepared batch waits (memory per stream: the batch being applied, one
// prepared, and what HTTP/2 flow control lets the client send ahead).
#ifndef NTMIS_NATIONAL_RPC_PUSH_READER_H_
#define NTMIS_NATIONAL_RPC_PUSH_READER_H_

#include <chrono>
#include <deque>
#include <optional>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/grpcpp.h"
#include "national/ingest/province_db.h"
#include "ntmis/v1/sync.grpc.pb.h"

namespace ntmis::national {

class PushReader {
 public:
  using Stream = grpc::ServerReaderWriter<v1::PushAck, v1::PushBatch>;

  PushReader(grpc::ServerContext* context, Stream* stream, const ProvinceDb& db,
             size_t max_changes, std::chrono::milliseconds idle)
      : context_(context),
        stream_(stream),
        db_(db),
        max_changes_(max_changes),
        idle_(idle),
        thread_([this] { Run(); }) {}

  ~PushReader() {
    Stop();
    thread_.join();
  }

  // The next prepared batch, or nullopt at the end of the stream;
  // DEADLINE_EXCEEDED when the client sends nothing for the idle limit.
  std::optional<absl::StatusOr<PreparedBatch>> Next();

  // Stops reading. A read already waiting for the client is cancelled, so
  // the client then sees CANCELLED rather than the handler's status.
  void Stop();

 private:
  void Run();

  grpc::ServerContext* context_;
  Stream* stream_;
  const ProvinceDb& db_;
  const size_t max_changes_;
  const std::chrono::milliseconds idle_;
  absl::Mutex mu_;
  std::deque<absl::StatusOr<PreparedBatch>> queue_ ABSL_GUARDED_BY(mu_);
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  bool in_read_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace ntmis::national

#endif  // NTMIS_NATIONAL_RPC_PUSH_READER_H_

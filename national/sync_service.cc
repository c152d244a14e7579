#include "national/sync_service.h"

#include <deque>
#include <optional>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"
#include "common/peer_identity.h"

namespace ntmis::national {

absl::StatusOr<ProvinceDb*> SyncService::CallerProvince(grpc::ServerContext* context,
                                                        const char* action) {
  auto caller = CallerIdentity(*context);
  if (!caller.ok()) {
    (void)store_.audit().Append({context->peer(), action, "", "UNAUTHENTICATED",
                                 std::string(caller.status().message())});
    return caller.status();
  }
  if (caller->kind != PeerIdentity::Kind::kProvince) {
    absl::Status denied = absl::PermissionDeniedError(absl::StrCat(
        action, " needs a province node certificate (spiffe://ntmis/province/NN); caller is ",
        caller->Uri()));
    (void)store_.audit().Append(
        {caller->Uri(), action, "", "PERMISSION_DENIED", std::string(denied.message())});
    return denied;
  }
  return store_.Province(caller->name, /*create=*/true);
}

grpc::Status SyncService::GetCursor(grpc::ServerContext* context,
                                    const v1::GetCursorRequest* request,
                                    v1::Cursor* response) {
  auto db = CallerProvince(context, "sync.cursor");
  if (!db.ok()) return ToGrpcStatus(db.status());
  auto state = (*db)->State();
  if (!state.ok()) return ToGrpcStatus(state.status());
  response->set_applied_seq(state->applied_seq);
  response->set_records_held(state->records);
  return grpc::Status::OK;
}

namespace {

// Reads and prepares batches on a thread of its own, so that the next batch
// is parsed and checked while the previous one commits. At most two
// prepared batches wait; the stream's messages stay bounded by the client's
// window.
class BatchReader {
 public:
  using Stream = grpc::ServerReaderWriter<v1::PushAck, v1::PushBatch>;

  BatchReader(grpc::ServerContext* context, Stream* stream, const ProvinceDb& db,
              size_t max_changes)
      : context_(context), stream_(stream), db_(db), max_changes_(max_changes),
        thread_([this] { Run(); }) {}

  ~BatchReader() {
    Stop();
    thread_.join();
  }

  // The next prepared batch, or nullopt at the end of the stream.
  std::optional<absl::StatusOr<PreparedBatch>> Next() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](BatchReader* r) ABSL_EXCLUSIVE_LOCKS_REQUIRED(r->mu_) {
          return !r->queue_.empty() || r->done_;
        },
        this));
    if (queue_.empty()) return std::nullopt;
    auto next = std::move(queue_.front());
    queue_.pop_front();
    return next;
  }

  // Stops reading. A read already waiting for the client is cancelled, so
  // the client then sees CANCELLED rather than the handler's status.
  void Stop() {
    bool cancel;
    {
      absl::MutexLock lock(&mu_);
      stop_ = true;
      cancel = in_read_;
    }
    if (cancel) context_->TryCancel();
  }

 private:
  void Run() {
    v1::PushBatch batch;
    while (true) {
      {
        absl::MutexLock lock(&mu_);
        mu_.Await(absl::Condition(
            +[](BatchReader* r) ABSL_EXCLUSIVE_LOCKS_REQUIRED(r->mu_) {
              return r->queue_.size() < 2 || r->stop_;
            },
            this));
        if (stop_) break;
        in_read_ = true;
      }
      bool got = stream_->Read(&batch);
      absl::StatusOr<PreparedBatch> prepared;
      if (got) prepared = db_.Prepare(std::move(batch), max_changes_);
      absl::MutexLock lock(&mu_);
      in_read_ = false;
      if (!got) break;
      bool failed = !prepared.ok();
      queue_.push_back(std::move(prepared));
      if (failed) break;
      batch.Clear();
    }
    absl::MutexLock lock(&mu_);
    done_ = true;
  }

  grpc::ServerContext* context_;
  Stream* stream_;
  const ProvinceDb& db_;
  const size_t max_changes_;
  absl::Mutex mu_;
  std::deque<absl::StatusOr<PreparedBatch>> queue_ ABSL_GUARDED_BY(mu_);
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  bool in_read_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace

grpc::Status SyncService::Push(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<v1::PushAck, v1::PushBatch>* stream) {
  auto db = CallerProvince(context, "sync.push");
  if (!db.ok()) return ToGrpcStatus(db.status());
  const std::string actor = absl::StrCat("spiffe://ntmis/province/", (*db)->province());
  uint64_t applied = 0, rejected = 0;
  absl::Status failure;
  {
    BatchReader reader(context, stream, **db, max_batch_changes_);
    while (auto prepared = reader.Next()) {
      absl::StatusOr<v1::PushAck> ack =
          prepared->ok() ? (*db)->Apply(**prepared) : prepared->status();
      if (!ack.ok()) {
        failure = ack.status();
        reader.Stop();
        break;
      }
      applied += ack->applied();
      rejected += ack->rejections_size();
      if (!stream->Write(*ack)) {
        reader.Stop();
        break;
      }
    }
  }
  if (!failure.ok()) {
    std::string result = absl::StatusCodeToString(failure.code());
    (void)store_.audit().Append(
        {actor, "sync.push", "", result, std::string(failure.message())});
    (void)(*db)->RecordFailure(absl::StrCat(result, ": ", failure.message()));
    return ToGrpcStatus(failure);
  }
  if (applied > 0 || rejected > 0) {
    (void)store_.audit().Append({actor, "sync.push", "", "ok",
                                 absl::StrCat("applied ", applied, " rejected ", rejected)});
  }
  return grpc::Status::OK;
}

}  // namespace ntmis::national

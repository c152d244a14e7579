#include "national/rpc/push_reader.h"

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/pki/tls.h"

namespace ntmis::national {

PushReader::~PushReader() {
  Stop();
  thread_.join();
  absl::MutexLock lock(&mu_);
  for (; slots_held_ > 0; --slots_held_) batches_.Exit();
}

std::optional<absl::StatusOr<PreparedBatch>> PushReader::Next() {
  absl::MutexLock lock(&mu_);
  if (handed_out_) {  // applied by now
    handed_out_ = false;
    --slots_held_;
    batches_.Exit();
  }
  bool ready = mu_.AwaitWithTimeout(
      absl::Condition(
          +[](PushReader* r) ABSL_EXCLUSIVE_LOCKS_REQUIRED(r->mu_) {
            return !r->queue_.empty() || r->done_;
          },
          this),
      absl::FromChrono(idle_));
  if (!ready) {
    return absl::StatusOr<PreparedBatch>(
        absl::DeadlineExceededError(absl::StrCat(
            "no batch for ", absl::FormatDuration(absl::FromChrono(idle_)),
            ": the push stream was closed")));
  }
  if (queue_.empty()) return std::nullopt;
  auto next = std::move(queue_.front());
  queue_.pop_front();
  handed_out_ = true;
  return next;
}

void PushReader::Recycle(PreparedBatch used) {
  absl::MutexLock lock(&mu_);
  used_ = std::move(used);
}

void PushReader::Stop() {
  bool cancel;
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
    cancel = in_read_;
  }
  if (cancel) context_->TryCancel();
}

void PushReader::Run() {
  v1::PushBatch batch;
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](PushReader* r) ABSL_EXCLUSIVE_LOCKS_REQUIRED(r->mu_) {
            return r->queue_.empty() || r->stop_;
          },
          this));
      if (stop_) break;
    }
    // Room for one more batch in the node's memory; waiting for it, the
    // stream stays unread and flow control holds the province back.
    bool slot = false;
    while (!slot) {
      slot = batches_.EnterWithin(absl::Milliseconds(100));
      absl::MutexLock lock(&mu_);
      if (stop_) break;
    }
    std::optional<PreparedBatch> used;
    {
      absl::MutexLock lock(&mu_);
      if (slot) ++slots_held_;
      if (stop_) break;
      in_read_ = true;
      used.swap(used_);
    }
    if (used) {
      batch = std::move(used->batch);
      used.reset();   // its prepared changes are freed here
      batch.Clear();  // keeps the parsed messages for the next parse
    }
    bool got = stream_->Read(&batch);
    const bool end = got && batch.end_of_stream() && batch.changes_size() == 0;
    absl::StatusOr<PreparedBatch> prepared;
    if (end) {
      // Nothing to queue.
    } else if (got) {
      prepared = db_.Prepare(std::move(batch), max_changes_);
      if (prepared.ok()) {
        if (absl::Status claimed = db_.Claim(*prepared); !claimed.ok())
          prepared = claimed;
      }
    } else if (context_->IsCancelled()) {
      prepared = absl::CancelledError(
          absl::StrCat("the push was cancelled: by the province, or by gRPC "
                       "for a message over the "
                       "limit of ",
                       kMaxMessageBytes, " bytes"));
    } else {
      prepared = absl::InvalidArgumentError(
          "the push stream ended without its end marker: a message was not a "
          "ntmis.v1.PushBatch, or the province node speaks sync protocol 1");
    }
    absl::MutexLock lock(&mu_);
    in_read_ = false;
    if (end) {  // nothing read to hold
      --slots_held_;
      batches_.Exit();
    }
    if (stop_ || end) break;
    bool failed = !prepared.ok();
    queue_.push_back(std::move(prepared));
    if (failed) break;
    batch.Clear();
  }
  absl::MutexLock lock(&mu_);
  done_ = true;
}

}  // namespace ntmis::national

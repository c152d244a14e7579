#include "provincial/sync/push.h"

#include <algorithm>
#include <ctime>
#include <deque>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/base/status_macros.h"
#include "common/rpc/grpc_status.h"
#include "common/teacher/sync_versions.h"
#include "provincial/core/meta_keys.h"
#include "provincial/core/outbox.h"
#include "provincial/sync/hello.h"

namespace ntmis::provincial {
namespace {

std::chrono::system_clock::time_point Deadline(std::chrono::seconds d) {
  return std::chrono::system_clock::now() + d;
}

// Cancels a call when nothing was acknowledged for `limit`.
class ProgressWatchdog {
 public:
  ProgressWatchdog(grpc::ClientContext* context, absl::Duration limit)
      : context_(context),
        limit_(limit),
        last_(absl::Now()),
        thread_([this] { Run(); }) {}
  ~ProgressWatchdog() {
    {
      absl::MutexLock lock(&mu_);
      done_ = true;
    }
    thread_.join();
  }
  void Touch() {
    absl::MutexLock lock(&mu_);
    last_ = absl::Now();
  }
  bool Fired() {
    absl::MutexLock lock(&mu_);
    return fired_;
  }

 private:
  void Run() {
    absl::MutexLock lock(&mu_);
    while (!done_) {
      if (mu_.AwaitWithDeadline(absl::Condition(&done_), last_ + limit_)) break;
      if (absl::Now() >= last_ + limit_) {
        fired_ = true;
        context_->TryCancel();
        break;
      }
    }
  }

  grpc::ClientContext* const context_;
  const absl::Duration limit_;
  absl::Mutex mu_;
  absl::Time last_ ABSL_GUARDED_BY(mu_);
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  bool fired_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

// The province's open rejections: a teacher's rejection is resolved once a
// later change of that teacher is acknowledged without one.
class RejectionLedger {
 public:
  static absl::StatusOr<RejectionLedger> Load(Store& store) {
    RejectionLedger ledger;
    ASSIGN_OR_RETURN(
        sql::Statement s,
        store.db().Prepare("SELECT teacher_number, MAX(seq) FROM "
                           "sync_rejections GROUP BY teacher_number"));
    RETURN_IF_ERROR(
        s.ForEachRow([&] { ledger.open_[s.ColumnText(0)] = s.ColumnInt(1); }));
    return ledger;
  }

  void NoteSent(const v1::PushBatch& batch) {
    if (open_.empty()) return;
    for (const v1::Change& c : batch.changes()) {
      auto it = open_.find(c.teacher_number());
      if (it != open_.end() && c.seq() > it->second)
        sent_.push_back({c.seq(), it->first});
    }
  }

  absl::Status Acknowledged(Store& store, const v1::PushAck& ack) {
    if (sent_.empty()) return absl::OkStatus();
    std::set<uint64_t> rejected;
    for (const auto& r : ack.rejections()) rejected.insert(r.seq());
    ASSIGN_OR_RETURN(sql::Statement resolve,
                     store.db().Prepare(
                         "DELETE FROM sync_rejections WHERE teacher_number = ? "
                         "AND seq < ?"));
    while (!sent_.empty() && sent_.front().first <= ack.applied_seq()) {
      const auto& [seq, number] = sent_.front();
      if (rejected.count(seq) == 0)
        RETURN_IF_ERROR(resolve.BindAll(number, seq).Run());
      sent_.pop_front();
    }
    return absl::OkStatus();
  }

 private:
  // teacher -> latest rejected seq (a small ledger; std::map also keeps GCC 12
  // from a false -Wfree-nonheap-object on a moved-from absl table)
  std::map<std::string, uint64_t> open_;
  std::deque<std::pair<uint64_t, std::string>> sent_;
};

}  // namespace

absl::Status PushOutbox(NationalChannel& channel, Store& store,
                        SyncReport& report) {
  const SyncOptions& options = channel.options();
  ASSIGN_OR_RETURN(v1::GetCursorRequest hello, SyncHello(store));
  const uint64_t outbox_end = hello.outbox_end();
  {
    grpc::ClientContext context;
    channel.SetDeadline(&context);
    v1::Cursor cursor;
    RETURN_IF_ERROR(
        FromGrpcStatus(channel.stub().GetCursor(&context, hello, &cursor)));
    RETURN_IF_ERROR(CheckSyncVersions(
        OwnSyncVersions(),
        {cursor.protocol_version(), cursor.min_protocol_version(),
         cursor.catalog_version()}));
    report.cursor_before = report.cursor_after = cursor.applied_seq();
  }
  if (outbox_end < report.cursor_before) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the national node has applied up to seq ", report.cursor_before,
        " but this outbox ends at ", outbox_end,
        ": is this the right province database? If it was restored from a "
        "backup, run "
        "`ntmis-provincial sync --verify` to re-align the national node with "
        "it"));
  }
  RETURN_IF_ERROR(
      store.SetMeta(meta::kSyncAckedSeq, absl::StrCat(report.cursor_before)));
  if (outbox_end == report.cursor_before) return absl::OkStatus();

  ASSIGN_OR_RETURN(OutboxReader outbox, OutboxReader::Create(store));
  ASSIGN_OR_RETURN(
      sql::Statement reject,
      store.db().Prepare(
          "INSERT OR REPLACE INTO sync_rejections(seq, teacher_number, field, "
          "reason, at_unix) VALUES (?, ?, ?, ?, ?)"));
  ASSIGN_OR_RETURN(RejectionLedger ledger, RejectionLedger::Load(store));

  // The stream's deadline grows with the backlog: a base plus 1 ms a change;
  // and a stream that makes no progress for rpc_deadline is cancelled
  // sooner (a peer or a network that went silent).
  uint64_t backlog = outbox_end - report.cursor_before;
  grpc::ClientContext context;
  context.set_deadline(
      Deadline(options.rpc_deadline + std::chrono::seconds(backlog / 1000)));
  ProgressWatchdog watchdog(&context, absl::FromChrono(options.rpc_deadline));
  // A small backlog goes in two batches, so reading and sending the second
  // overlaps the national commit of the first; not in more, because every
  // commit rewrites each rollup and digest page its batch touches, and the
  // changes of an incremental sync are spread over all of them.
  const uint32_t batch_size = static_cast<uint32_t>(std::clamp<uint64_t>(
      (backlog + 1) / 2, std::min(500u, options.batch_size),
      options.batch_size));
  auto stream = channel.stub().Push(&context);

  uint64_t read_up_to = report.cursor_before;
  std::deque<uint64_t> in_flight;  // last seq of each unacknowledged batch
  v1::PushBatch batch;
  batch.set_catalog_version(kCoreCatalogVersion);
  bool drained = false;
  bool cancelled = false;
  while (true) {
    while (!drained && in_flight.size() < options.window) {
      ASSIGN_OR_RETURN(uint64_t last,
                       outbox.Next(read_up_to, batch_size, &batch));
      if (last == read_up_to) {
        drained = true;
        v1::PushBatch end;
        end.set_end_of_stream(true);
        stream->Write(end);
        stream->WritesDone();
        break;
      }
      batch.set_catalog_version(kCoreCatalogVersion);
      ledger.NoteSent(batch);
      if (!stream->Write(batch)) break;  // the status comes from Finish()
      report.sent += batch.changes_size();
      ++report.batches;
      read_up_to = last;
      in_flight.push_back(last);
    }
    if (in_flight.empty()) break;
    v1::PushAck ack;
    if (!stream->Read(&ack)) break;
    watchdog.Touch();
    if (ack.error_code() != 0) {
      context.TryCancel();
      (void)stream->Finish();
      return absl::Status(static_cast<absl::StatusCode>(ack.error_code()),
                          absl::StrCat("the national node refused the push: ",
                                       ack.error_message()));
    }
    in_flight.pop_front();
    report.cursor_after = ack.applied_seq();
    report.applied += ack.applied();
    report.skipped += ack.skipped();
    report.held += ack.held();
    int64_t now = std::time(nullptr);
    for (const auto& r : ack.rejections()) {
      reject.BindAll(r.seq(), r.teacher_number(), r.field(), r.reason(), now);
      RETURN_IF_ERROR(reject.Run());
      report.rejections.push_back(r);
    }
    RETURN_IF_ERROR(ledger.Acknowledged(store, ack));
    RETURN_IF_ERROR(
        store.SetMeta(meta::kSyncAckedSeq, absl::StrCat(ack.applied_seq())));
    if (options.on_ack && !options.on_ack(ack)) {
      context.TryCancel();
      cancelled = true;
      break;
    }
  }
  if (!drained && !cancelled) stream->WritesDone();
  grpc::Status status = stream->Finish();
  if (cancelled)
    return absl::CancelledError("sync cancelled after an acknowledgement");
  if (watchdog.Fired()) {
    return absl::DeadlineExceededError(absl::StrCat(
        "no acknowledgement from the national node for ",
        absl::FormatDuration(absl::FromChrono(options.rpc_deadline)),
        ": the stream was cancelled; the next sync resumes from the national "
        "cursor"));
  }
  RETURN_IF_ERROR(FromGrpcStatus(status));
  if (!in_flight.empty())
    return absl::UnavailableError(
        "stream ended before every batch was acknowledged");
  return absl::OkStatus();
}

}  // namespace ntmis::provincial

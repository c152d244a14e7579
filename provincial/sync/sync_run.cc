#include "provincial/sync/sync_run.h"

#include <ctime>

#include "common/base/status_macros.h"
#include "common/metrics/metrics.h"
#include "provincial/sync/audit_handover.h"
#include "provincial/sync/identities.h"
#include "provincial/sync/reference_data.h"
#include "provincial/sync/transfer_exchange.h"

namespace ntmis::provincial {

absl::StatusOr<SyncReport> RunSync(NationalChannel& channel, Store& store) {
  SyncReport report;
  int64_t started = std::time(nullptr);
  // Provisional teachers are settled before anything is pushed; identity
  // conflicts and reference data are pulled after.
  absl::Status status = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(report.renumbered,
                     ReconcileProvisional(store, *NationalResolver(channel)));
    RETURN_IF_ERROR(PushOutbox(channel, store, report));
    RETURN_IF_ERROR(PullIdentityConflicts(channel, store));
    RETURN_IF_ERROR(PullReference(channel, store).status());
    // After the push: a teacher handed over in this sync has left the outbox
    // before its decision reaches the receiving province.
    RETURN_IF_ERROR(ExchangeTransfers(channel, store));
    ASSIGN_OR_RETURN(report.audit_problem, HandOverAuditHead(channel, store));
    return absl::OkStatus();
  }();
  ASSIGN_OR_RETURN(
      sql::Statement run,
      store.db().Prepare(
          "INSERT INTO sync_runs(started_unix, finished_unix, sent, applied, "
          "rejected, acked_seq, result) VALUES (?, ?, ?, ?, ?, ?, ?)"));
  run.BindAll(started, static_cast<int64_t>(std::time(nullptr)), report.sent,
              report.applied, static_cast<uint64_t>(report.rejections.size()),
              report.cursor_after,
              status.ok() ? std::string("ok") : std::string(status.ToString()));
  RETURN_IF_ERROR(run.Run());
  absl::StatusOr<uint64_t> end = store.OutboxEnd();
  metrics::SyncRun(
      status.ok(), report.batches,
      end.ok() && *end > report.cursor_after ? *end - report.cursor_after : 0,
      report.rejections.size());
  if (!status.ok()) return status;
  return report;
}

absl::StatusOr<SyncReport> SyncOnce(const v1::ProvincialConfig& config,
                                    SyncOptions options) {
  return UnderSyncLock(config, std::move(options), RunSync);
}

}  // namespace ntmis::provincial

// The audit RPCs of ApiService: the trail's pages and its verification
// (provincial/core/audit_queries.h).
#include "common/base/status_macros.h"
#include "common/rpc/grpc_status.h"
#include "provincial/core/action_labels.h"
#include "provincial/core/audit_queries.h"
#include "provincial/server/api_service.h"
#include "provincial/server/api_service_internal.h"

namespace ntmis::provincial {

grpc::Status ApiService::QueryAudit(grpc::ServerContext* context,
                                    const v1::AuditQuery* request,
                                    v1::AuditEntries* response) {
  return Handle(
      context, "audit.query", request->unit_code(),
      [&](const User& user, Lane& lane) {
        AuditFilter filter;
        filter.actor = request->actor();
        filter.action = request->action();
        filter.target = request->target();
        filter.since_unix = request->since_unix();
        filter.until_unix = request->until_unix();
        filter.limit = request->limit();
        ASSIGN_OR_RETURN(
            std::vector<StoredAuditEntry> entries,
            provincial::QueryAudit(lane.store, lane.accounts, *audit_, user,
                                   std::move(filter), request->unit_code()));
        for (const StoredAuditEntry& e : entries) {
          ToProto(e, ActionLabel(e.entry.action), response->add_entries());
        }
        return absl::OkStatus();
      });
}

grpc::Status ApiService::VerifyAudit(grpc::ServerContext* context,
                                     const v1::VerifyAuditRequest* request,
                                     v1::VerifyAuditResponse* response) {
  return Handle(context, "audit.verify", "", [&](const User& user, Lane& lane) {
    AuditVerifyOptions options;
    options.full = request->full();
    if (request->archive()) options.archive_dir = archive_dir_;
    absl::StatusOr<AuditVerifyReport> checked =
        provincial::VerifyAudit(lane.store, *audit_, user, options);
    if (absl::IsPermissionDenied(checked.status())) return checked.status();
    response->set_intact(checked.ok());
    if (checked.ok()) {
      response->set_entries_checked(checked->entries);
      response->set_walked(checked->walked);
      response->set_archived(checked->archived);
      response->set_incremental(checked->incremental);
      response->set_archive_note(checked->archive_note);
    } else if (absl::IsDataLoss(checked.status())) {
      response->set_problem(std::string(checked.status().message()));
    } else {
      return checked.status();
    }
    return absl::OkStatus();
  });
}

}  // namespace ntmis::provincial

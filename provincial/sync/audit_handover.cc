#include "provincial/sync/audit_handover.h"

#include "common/audit/audit_log.h"
#include "common/base/status_macros.h"
#include "common/rpc/grpc_status.h"

namespace ntmis::provincial {

absl::StatusOr<std::string> HandOverAuditHead(NationalChannel& channel,
                                              Store& store) {
  // Twice at most: a concurrent sync (another process) may move the held
  // head between the two calls.
  for (int attempt = 0;; ++attempt) {
    v1::AuditAnchorState held;
    {
      grpc::ClientContext context;
      channel.SetDeadline(&context);
      grpc::Status status = channel.stub().GetAuditAnchor(&context, {}, &held);
      if (!status.ok()) return FromGrpcStatus(status);
    }
    v1::AnchorAuditRequest request;
    ASSIGN_OR_RETURN(AuditHead head, ReadAuditHead(store.db()));
    request.set_count(head.count);
    request.set_head(head.hash);
    request.set_anchored_count(held.count());
    ASSIGN_OR_RETURN(std::optional<std::string> at,
                     ReadAuditHash(store.db(), held.count()));
    request.set_has_anchored_entry(at.has_value() || held.count() == 0);
    if (at.has_value()) request.set_hash_at_anchored(*at);
    v1::AuditAnchorState state;
    grpc::ClientContext context;
    channel.SetDeadline(&context);
    grpc::Status status = channel.stub().AnchorAudit(&context, request, &state);
    if (status.error_code() == grpc::StatusCode::FAILED_PRECONDITION &&
        attempt == 0)
      continue;
    if (!status.ok()) return FromGrpcStatus(status);
    return state.problem();
  }
}

}  // namespace ntmis::provincial

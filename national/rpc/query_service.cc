#include "national/rpc/query_service.h"

#include <ctime>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/base/status_macros.h"
#include "common/pki/peer_identity.h"
#include "common/rpc/grpc_status.h"
#include "common/teacher/sync_versions.h"
#include "national/query/aggregator.h"
#include "national/query/lookup.h"

namespace ntmis::national {

absl::StatusOr<v1::ProvincesResponse> ProvinceHealth(NationalStore& store,
                                                     int64_t now_unix,
                                                     int64_t overdue_after) {
  v1::ProvincesResponse response;
  response.set_catalog_version(kCoreCatalogVersion);
  response.set_overdue_after_seconds(overdue_after);
  ASSIGN_OR_RETURN(uint64_t registry, store.schools().Version());
  response.set_school_registry_version(registry);
  const CodeTable& provinces = CodeTable::Of<v1::Province>();
  for (int code : provinces.values()) {
    v1::ProvinceHealth* h = response.add_provinces();
    h->set_province(provinces.Code(code));
    h->set_label(provinces.Label(code));
    if (std::optional<RevokedPeerState> revoked = store.revoked_peers().Of(
            PeerIdentity::Province(h->province()).Uri())) {
      h->set_revoked_serial(revoked->peer.serial);
      h->set_revoked_unix(revoked->peer.revoked_unix);
      h->set_revoked_refused_unix(revoked->last_refused_unix);
      h->set_revoked_refused_calls(revoked->refused);
    }
    auto db = store.Province(provinces.Code(code), /*create=*/false);
    if (absl::IsNotFound(db.status())) {
      h->set_last_result("never synced");
      h->set_overdue(true);
      continue;
    }
    if (!db.ok()) return db.status();
    auto state = (*db)->State();
    if (!state.ok()) return state.status();
    h->set_records_held(state->records);
    h->set_applied_seq(state->applied_seq);
    h->set_last_sync_unix(state->last_sync_unix);
    h->set_last_result(state->last_result);
    h->set_rejected(state->rejected);
    h->set_held(state->held);
    h->set_behind(state->outbox_end > state->applied_seq
                      ? state->outbox_end - state->applied_seq
                      : 0);
    h->set_catalog_version(state->catalog_version);
    h->set_verified_unix(state->verified_unix);
    h->set_verify_differing(state->verify_differing);
    h->set_last_success_unix(state->last_success_unix);
    h->set_school_registry_version(state->registry_version);
    ASSIGN_OR_RETURN(v1::AuditAnchorState audit,
                     store.audit_anchors().Get(h->province()));
    h->set_audit_entries(audit.count());
    h->set_audit_problem(audit.problem());
    h->set_audit_problem_unix(audit.problem_unix());
    h->set_overdue(state->last_success_unix == 0 ||
                   now_unix - state->last_success_unix > overdue_after);
  }
  return response;
}

absl::StatusOr<std::string> QueryService::AuthorizeOperator(
    grpc::ServerContext* context, const char* action, OperatorRole needs) {
  // Nothing is done that the audit cannot record (common/audit/audit_log.h).
  RETURN_IF_ERROR(store_.audit().Writable());
  auto caller = CallerIdentity(*context);
  std::string who = caller.ok() ? caller->Uri() : context->peer();
  const bool is_operator =
      caller.ok() && caller->kind == PeerIdentity::Kind::kOperator;
  if (is_operator && caller->role >= needs) return who;
  std::string roles = OperatorRoleName(needs);
  if (needs == OperatorRole::kQuerier) roles = "querier, manager or admin";
  if (needs == OperatorRole::kManager) roles = "manager or admin";
  absl::Status denied =
      !caller.ok()  ? caller.status()
      : is_operator ? absl::PermissionDeniedError(absl::StrCat(
                          action, " needs the operator role ", roles, "; ", who,
                          " is a ", OperatorRoleName(caller->role)))
                    : absl::PermissionDeniedError(absl::StrCat(
                          action,
                          " needs an operator certificate "
                          "(spiffe://ntmis/operator/ROLE/NAME) with the role ",
                          roles, "; caller is ", who));
  store_.audit().Append({who, action, "",
                         absl::StatusCodeToString(denied.code()),
                         std::string(denied.message())});
  return denied;
}

grpc::Status QueryService::Aggregate(grpc::ServerContext* context,
                                     const v1::AggregateRequest* request,
                                     v1::AggregateResponse* response) {
  auto who =
      AuthorizeOperator(context, "query.aggregate", OperatorRole::kQuerier);
  if (!who.ok()) return ToGrpcStatus(who.status());
  auto result = national::Aggregate(store_, *request, Today());
  store_.audit().Append(
      {*who, "query.aggregate", absl::StrJoin(request->group_by(), ","),
       result.ok() ? "ok" : absl::StatusCodeToString(result.status().code()),
       result.ok() ? "" : std::string(result.status().message())});
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response = std::move(*result);
  return grpc::Status::OK;
}

grpc::Status QueryService::Provinces(grpc::ServerContext* context,
                                     const v1::ProvincesRequest* request,
                                     v1::ProvincesResponse* response) {
  auto who =
      AuthorizeOperator(context, "query.provinces", OperatorRole::kQuerier);
  if (!who.ok()) return ToGrpcStatus(who.status());
  auto result =
      ProvinceHealth(store_, std::time(nullptr), options_.overdue_after);
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response = std::move(*result);
  return grpc::Status::OK;
}

grpc::Status QueryService::Transfers(grpc::ServerContext* context,
                                     const v1::TransfersRequest* request,
                                     v1::TransfersResponse* response) {
  auto who =
      AuthorizeOperator(context, "query.transfers", OperatorRole::kQuerier);
  if (!who.ok()) return ToGrpcStatus(who.status());
  auto transfers = store_.transfers().List();
  if (!transfers.ok()) return ToGrpcStatus(transfers.status());
  const int64_t now = std::time(nullptr);
  const int64_t stuck_after =
      int64_t{request->stuck_days() == 0 ? 30 : request->stuck_days()} * 86400;
  for (const TransferRelay::Transfer& t : *transfers) {
    if (request->open_only() && t.state != "open") continue;
    v1::TransferSummary* out = response->add_transfers();
    out->set_receiving_province(t.receiving_province);
    out->set_receiving_case(t.receiving_case);
    out->set_sending_province(t.sending_province);
    out->set_teacher_number(t.teacher_number);
    out->set_state(t.state);
    out->set_filed_unix(t.filed_unix);
    out->set_updated_unix(t.updated_unix);
    out->set_stuck(t.state == "open" && now - t.filed_unix > stuck_after);
    if (t.state == "open") response->set_open(response->open() + 1);
    if (out->stuck()) response->set_stuck(response->stuck() + 1);
  }
  return grpc::Status::OK;
}

grpc::Status QueryService::Lookup(grpc::ServerContext* context,
                                  const v1::LookupRequest* request,
                                  v1::LookupResponse* response) {
  auto who = AuthorizeOperator(context, "query.lookup", OperatorRole::kManager);
  if (!who.ok()) return ToGrpcStatus(who.status());
  auto result = national::Lookup(store_, options_.id_hash_key, *request);
  std::string detail = absl::StrCat("reason: ", request->reason());
  if (result.ok() && result->matches_size() > 1)
    absl::StrAppend(&detail, "; held by ", result->matches_size(),
                    " provinces");
  if (!result.ok()) absl::StrAppend(&detail, "; ", result.status().message());
  // An individual's record is only shown once the look-up is on record.
  absl::Status audited = store_.audit().AppendAndFlush(
      {*who, "query.lookup", LookupTarget(*request),
       result.ok() ? "ok" : absl::StatusCodeToString(result.status().code()),
       detail},
      absl::Seconds(10));
  if (!audited.ok()) return ToGrpcStatus(audited);
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response = std::move(*result);
  return grpc::Status::OK;
}

}  // namespace ntmis::national

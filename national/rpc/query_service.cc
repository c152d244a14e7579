#include "national/rpc/query_service.h"

#include <ctime>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/base/status_macros.h"
#include "common/pki/peer_identity.h"
#include "common/rpc/grpc_status.h"
#include "common/teacher/sync_versions.h"
#include "common/web/connect.h"
#include "national/query/aggregator.h"
#include "national/query/audit_view.h"
#include "national/query/lookup.h"
#include "national/query/outlook.h"

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

absl::StatusOr<Operator> QueryService::Identify(grpc::ServerContext* context,
                                                const char* method,
                                                const char* action) {
  // Nothing is done that the audit cannot record (common/audit/audit_log.h).
  RETURN_IF_ERROR(store_.audit().Writable());
  auto caller = CallerIdentity(*context);
  if (caller.ok() && caller->kind == PeerIdentity::Kind::kOperator)
    return Operator{caller->Uri(), caller->role, /*by_certificate=*/true};
  absl::Status refused;
  std::string who = caller.ok() ? caller->Uri() : context->peer();
  const std::string token = web::BearerTokenOf(*context);
  if (web::IsInProcess(*context) && !token.empty()) {
    auto account =
        store_.accounts().Authenticate(token, method, std::time(nullptr));
    if (account.ok()) return CentralAccounts::AsOperator(*account);
    refused = account.status();
    who = "session";
  } else if (web::IsInProcess(*context)) {
    refused = absl::UnauthenticatedError("尚未登录，请先登录");
  } else {
    refused = absl::PermissionDeniedError(absl::StrCat(
        action,
        " needs an operator certificate (spiffe://ntmis/operator/ROLE/NAME); "
        "caller is ",
        who));
  }
  store_.audit().Append({who, action, "",
                         absl::StatusCodeToString(refused.code()),
                         std::string(refused.message())});
  return refused;
}

absl::StatusOr<Operator> QueryService::Authorize(grpc::ServerContext* context,
                                                 const char* method,
                                                 const char* action,
                                                 OperatorRole needs,
                                                 const char* what) {
  ASSIGN_OR_RETURN(Operator op, Identify(context, method, action));
  if (absl::Status allowed = RequireRole(op, needs, what); !allowed.ok()) {
    store_.audit().Append({op.who, action, "",
                           absl::StatusCodeToString(allowed.code()),
                           std::string(allowed.message())});
    return allowed;
  }
  return op;
}

grpc::Status QueryService::Audited(const Operator& op, const char* action,
                                   const std::string& target,
                                   const absl::Status& result) {
  store_.audit().Append(
      {op.who, action, target,
       result.ok() ? "ok" : absl::StatusCodeToString(result.code()),
       result.ok() ? "" : std::string(result.message())});
  return ToGrpcStatus(result);
}

grpc::Status QueryService::Aggregate(grpc::ServerContext* context,
                                     const v1::AggregateRequest* request,
                                     v1::AggregateResponse* response) {
  auto op = Authorize(context, "Aggregate", "query.aggregate",
                      OperatorRole::kQuerier, "汇总查询");
  if (!op.ok()) return ToGrpcStatus(op.status());
  auto result = national::Aggregate(store_, *request, Today());
  if (result.ok()) *response = std::move(*result);
  return Audited(*op, "query.aggregate",
                 absl::StrJoin(request->group_by(), ","), result.status());
}

grpc::Status QueryService::Provinces(grpc::ServerContext* context,
                                     const v1::ProvincesRequest* request,
                                     v1::ProvincesResponse* response) {
  auto op = Authorize(context, "Provinces", "query.provinces",
                      OperatorRole::kQuerier, "查看各省同步状态");
  if (!op.ok()) return ToGrpcStatus(op.status());
  auto result =
      ProvinceHealth(store_, std::time(nullptr), options_.overdue_after);
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response = std::move(*result);
  return grpc::Status::OK;
}

grpc::Status QueryService::Divisions(grpc::ServerContext* context,
                                     const v1::DivisionsRequest* request,
                                     v1::DivisionsResponse* response) {
  auto op = Authorize(context, "Divisions", "query.divisions",
                      OperatorRole::kQuerier, "查看区划名称");
  if (!op.ok()) return ToGrpcStatus(op.status());
  for (v1::DivisionName& d : store_.divisions().List(request->province()))
    *response->add_divisions() = std::move(d);
  return grpc::Status::OK;
}

grpc::Status QueryService::Outlook(grpc::ServerContext* context,
                                   const v1::OutlookRequest* request,
                                   v1::OutlookResponse* response) {
  auto op = Authorize(context, "Outlook", "query.outlook",
                      OperatorRole::kQuerier, "退休展望");
  if (!op.ok()) return ToGrpcStatus(op.status());
  auto result = national::Outlook(store_, *request, Today());
  if (result.ok()) *response = std::move(*result);
  return Audited(*op, "query.outlook", request->by(), result.status());
}

grpc::Status QueryService::ListDimensions(
    grpc::ServerContext* context, const v1::ListDimensionsRequest* request,
    v1::ListDimensionsResponse* response) {
  auto op = Authorize(context, "ListDimensions", "query.dimensions",
                      OperatorRole::kQuerier, "查看统计维度");
  if (!op.ok()) return ToGrpcStatus(op.status());
  *response = DescribeDimensions(Today());
  return grpc::Status::OK;
}

grpc::Status QueryService::Transfers(grpc::ServerContext* context,
                                     const v1::TransfersRequest* request,
                                     v1::TransfersResponse* response) {
  auto op = Authorize(context, "Transfers", "query.transfers",
                      OperatorRole::kQuerier, "查看跨省调动");
  if (!op.ok()) return ToGrpcStatus(op.status());
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
  auto op = Authorize(context, "Lookup", "query.lookup", OperatorRole::kManager,
                      "查询教师个人记录");
  if (!op.ok()) return ToGrpcStatus(op.status());
  auto result = national::Lookup(store_, options_.id_hash_key, *request);
  std::string detail = absl::StrCat("reason: ", request->reason());
  if (result.ok() && result->matches_size() > 1)
    absl::StrAppend(&detail, "; held by ", result->matches_size(),
                    " provinces");
  if (!result.ok()) absl::StrAppend(&detail, "; ", result.status().message());
  // An individual's record is only shown once the look-up is on record.
  absl::Status audited = store_.audit().AppendAndFlush(
      {op->who, "query.lookup", LookupTarget(*request),
       result.ok() ? "ok" : absl::StatusCodeToString(result.status().code()),
       detail},
      absl::Seconds(10));
  if (!audited.ok()) return ToGrpcStatus(audited);
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response = std::move(*result);
  return grpc::Status::OK;
}

grpc::Status QueryService::Login(grpc::ServerContext* context,
                                 const v1::LoginRequest* request,
                                 v1::LoginResponse* response) {
  auto session =
      store_.accounts().Login({request->username(), request->password(),
                               web::SourceAddressOf(*context)},
                              std::time(nullptr));
  if (!session.ok()) return ToGrpcStatus(session.status());
  response->set_token(session->token);
  response->set_expires_unix(session->expires_unix);
  return grpc::Status::OK;
}

grpc::Status QueryService::Logout(grpc::ServerContext* context,
                                  const v1::LogoutRequest* request,
                                  v1::LogoutResponse* response) {
  auto op = Identify(context, "Logout", "user.logout");
  if (!op.ok()) return ToGrpcStatus(op.status());
  return Audited(*op, "user.logout", "",
                 op->by_certificate
                     ? absl::OkStatus()
                     : store_.accounts().Logout(web::BearerTokenOf(*context)));
}

grpc::Status QueryService::WhoAmI(grpc::ServerContext* context,
                                  const v1::WhoAmIRequest* request,
                                  v1::CentralWhoAmIResponse* response) {
  auto op = Identify(context, "WhoAmI", "user.whoami");
  if (!op.ok()) return ToGrpcStatus(op.status());
  response->set_via(op->by_certificate ? "certificate" : "session");
  v1::CentralUser* user = response->mutable_user();
  user->set_username(op->who);
  user->set_role(CentralRoleToProto(op->role));
  user->set_role_label(CentralRoleLabel(op->role));
  if (!op->by_certificate) {
    auto account = store_.accounts().Authenticate(web::BearerTokenOf(*context),
                                                  "WhoAmI", std::time(nullptr));
    if (!account.ok()) return ToGrpcStatus(account.status());
    ToProto(*account, std::time(nullptr), user);
  }
  return grpc::Status::OK;
}

grpc::Status QueryService::ChangePassword(
    grpc::ServerContext* context, const v1::ChangePasswordRequest* request,
    v1::ChangePasswordResponse* response) {
  auto op = Identify(context, "ChangePassword", "user.change_password");
  if (!op.ok()) return ToGrpcStatus(op.status());
  absl::Status changed =
      op->by_certificate
          ? absl::FailedPreconditionError(
                "an operator certificate has no password")
          : store_.accounts().ChangePassword(op->who, request->old_password(),
                                             request->new_password());
  return Audited(*op, "user.change_password", op->who, changed);
}

grpc::Status QueryService::CreateCentralUser(
    grpc::ServerContext* context, const v1::CreateCentralUserRequest* request,
    v1::CentralNewAccount* response) {
  auto op = Identify(context, "CreateCentralUser", "user.create");
  if (!op.ok()) return ToGrpcStatus(op.status());
  absl::StatusOr<OperatorRole> role = CentralRoleFromProto(request->role());
  absl::StatusOr<v1::CentralNewAccount> made =
      role.ok() ? store_.accounts().Create(*op, request->username(), *role)
                : absl::StatusOr<v1::CentralNewAccount>(role.status());
  if (made.ok()) *response = std::move(*made);
  return Audited(*op, "user.create", request->username(), made.status());
}

grpc::Status QueryService::ListCentralUsers(
    grpc::ServerContext* context, const v1::ListCentralUsersRequest* request,
    v1::ListCentralUsersResponse* response) {
  auto op = Identify(context, "ListCentralUsers", "user.list");
  if (!op.ok()) return ToGrpcStatus(op.status());
  auto list = store_.accounts().List(*op, std::time(nullptr));
  if (list.ok()) *response = std::move(*list);
  if (!list.ok()) return Audited(*op, "user.list", "", list.status());
  return grpc::Status::OK;
}

grpc::Status QueryService::ResetCentralPassword(
    grpc::ServerContext* context, const v1::CentralUserRequest* request,
    v1::CentralNewAccount* response) {
  auto op = Identify(context, "ResetCentralPassword", "user.reset_password");
  if (!op.ok()) return ToGrpcStatus(op.status());
  auto reset = store_.accounts().ResetPassword(*op, request->username());
  if (reset.ok()) *response = std::move(*reset);
  return Audited(*op, "user.reset_password", request->username(),
                 reset.status());
}

grpc::Status QueryService::UnlockCentralUser(
    grpc::ServerContext* context, const v1::CentralUserRequest* request,
    v1::CentralUser* response) {
  auto op = Identify(context, "UnlockCentralUser", "user.unlock");
  if (!op.ok()) return ToGrpcStatus(op.status());
  auto user =
      store_.accounts().Unlock(*op, request->username(), std::time(nullptr));
  if (user.ok()) *response = std::move(*user);
  return Audited(*op, "user.unlock", request->username(), user.status());
}

grpc::Status QueryService::SetCentralUserDisabled(
    grpc::ServerContext* context,
    const v1::SetCentralUserDisabledRequest* request,
    v1::CentralUser* response) {
  const char* action = request->disabled() ? "user.disable" : "user.enable";
  auto op = Identify(context, "SetCentralUserDisabled", action);
  if (!op.ok()) return ToGrpcStatus(op.status());
  auto user = store_.accounts().SetDisabled(
      *op, request->username(), request->disabled(), std::time(nullptr));
  if (user.ok()) *response = std::move(*user);
  return Audited(*op, action, request->username(), user.status());
}

grpc::Status QueryService::QueryAudit(grpc::ServerContext* context,
                                      const v1::AuditQuery* request,
                                      v1::AuditEntries* response) {
  auto op = Identify(context, "QueryAudit", "audit.query");
  if (!op.ok()) return ToGrpcStatus(op.status());
  auto entries = QueryNationalAudit(store_.audit(), *op, *request);
  if (entries.ok()) *response = std::move(*entries);
  return Audited(*op, "audit.query", request->action(), entries.status());
}

}  // namespace ntmis::national

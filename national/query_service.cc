#include "national/query_service.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/grpc_status.h"
#include "common/peer_identity.h"
#include "national/aggregator.h"

namespace ntmis::national {

absl::StatusOr<v1::ProvincesResponse> ProvinceHealth(NationalStore& store) {
  v1::ProvincesResponse response;
  const CodeTable& provinces = CodeTable::Of<v1::Province>();
  for (int code : provinces.values()) {
    v1::ProvinceHealth* h = response.add_provinces();
    h->set_province(provinces.Code(code));
    h->set_label(provinces.Label(code));
    auto db = store.Province(provinces.Code(code), /*create=*/false);
    if (absl::IsNotFound(db.status())) {
      h->set_last_result("never synced");
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
    h->set_behind(state->outbox_end > state->applied_seq ? state->outbox_end - state->applied_seq
                                                         : 0);
  }
  return response;
}

absl::StatusOr<std::string> QueryService::AuthorizeOperator(grpc::ServerContext* context,
                                                            const char* action) {
  auto caller = CallerIdentity(*context);
  std::string who = caller.ok() ? caller->Uri() : context->peer();
  if (caller.ok() && caller->kind == PeerIdentity::Kind::kOperator) return who;
  absl::Status denied =
      caller.ok() ? absl::PermissionDeniedError(absl::StrCat(
                        action, " needs an operator certificate "
                                "(spiffe://ntmis/operator/NAME); caller is ", who))
                  : caller.status();
  (void)store_.audit().Append({who, action, "", absl::StatusCodeToString(denied.code()),
                               std::string(denied.message())});
  return denied;
}

grpc::Status QueryService::Aggregate(grpc::ServerContext* context,
                                     const v1::AggregateRequest* request,
                                     v1::AggregateResponse* response) {
  auto who = AuthorizeOperator(context, "query.aggregate");
  if (!who.ok()) return ToGrpcStatus(who.status());
  auto result = national::Aggregate(store_, *request, Today());
  (void)store_.audit().Append(
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
  auto who = AuthorizeOperator(context, "query.provinces");
  if (!who.ok()) return ToGrpcStatus(who.status());
  auto result = ProvinceHealth(store_);
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response = std::move(*result);
  return grpc::Status::OK;
}

}  // namespace ntmis::national

// The sync RPCs of ApiService: the province's sync health and a sync on
// demand, for the province-level staff (CheckProvinceStaff).
#include "absl/strings/str_cat.h"
#include "common/rpc/grpc_status.h"
#include "provincial/server/api_service.h"
#include "provincial/server/api_service_internal.h"
#include "provincial/sync/sync_health.h"

namespace ntmis::provincial {

grpc::Status ApiService::GetSyncHealth(grpc::ServerContext* context,
                                       const v1::SyncHealthRequest* request,
                                       v1::SyncHealth* response) {
  auto user = AuthorizeProvinceStaff(context, "sync.health");
  if (!user.ok()) return ToGrpcStatus(user.status());
  StorePool::Lease lease = pool_->Acquire();
  auto health = BuildSyncHealth(lease->store, *scheduler_);
  if (!health.ok()) return ToGrpcStatus(health.status());
  *response = std::move(*health);
  return grpc::Status::OK;
}

grpc::Status ApiService::SyncNow(grpc::ServerContext* context,
                                 const v1::SyncNowRequest* request,
                                 v1::SyncNowResponse* response) {
  auto user = AuthorizeProvinceStaff(context, "sync.now");
  if (!user.ok()) return ToGrpcStatus(user.status());
  absl::StatusOr<SyncReport> report = scheduler_->RunNow();
  audit_->Append({user->username, "sync.now", "", StatusResult(report.status()),
                  report.ok() ? absl::StrCat("sent ", report->sent)
                              : std::string(report.status().message())});
  if (!report.ok()) return ToGrpcStatus(report.status());
  response->set_sent(report->sent);
  response->set_applied(report->applied);
  response->set_rejected(report->rejections.size());
  response->set_cursor_after(report->cursor_after);
  StorePool::Lease lease = pool_->Acquire();
  auto health = BuildSyncHealth(lease->store, *scheduler_);
  if (health.ok()) *response->mutable_health() = std::move(*health);
  return grpc::Status::OK;
}

}  // namespace ntmis::provincial

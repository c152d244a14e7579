// ApiService's sessions and the one path every RPC takes (Handle):
// authenticate, lease a lane, call the core, audit. The RPC groups are in
// api_service_<group>.cc.
#include "provincial/server/api_service.h"

#include <ctime>

#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "common/audit/audit_policy.h"
#include "common/base/status_macros.h"
#include "common/rpc/grpc_status.h"
#include "common/web/connect.h"
#include "provincial/core/access.h"
#include "provincial/core/units.h"
#include "provincial/server/api_service_internal.h"

namespace ntmis::provincial {
namespace {

// The session token and the login's address: common/web/connect.h.
std::string BearerToken(grpc::ServerContext* context) {
  return web::BearerTokenOf(*context);
}
std::string SourceAddress(grpc::ServerContext* context) {
  return web::SourceAddressOf(*context);
}

}  // namespace

absl::StatusOr<std::unique_ptr<ApiService>> ApiService::Create(
    const std::string& db_path, IdKeys keys, SyncScheduler* scheduler,
    IdentityResolver* resolver, Options options) {
  std::unique_ptr<ApiService> service(
      new ApiService(db_path, std::move(keys), scheduler, resolver));
  ASSIGN_OR_RETURN(service->audit_, AuditLog::Open(db_path));
  service->archive_dir_ = options.audit_archive.dir;
  if (options.audit_archive.enabled)
    service->audit_->ArchiveEvery(options.audit_archive.dir,
                                  options.audit_archive.after);
  service->hashing_ = std::make_unique<ConcurrencyLimit>(options.hashing_slots);
  ASSIGN_OR_RETURN(service->pool_,
                   StorePool::Open(db_path, options.lanes, service->keys_,
                                   resolver, service->hashing_.get(),
                                   options.accounts, options.careers));
  service->logins_ = std::make_unique<Logins>(
      *service->pool_, *service->audit_, *service->hashing_, options.login);
  return service;
}

grpc::Status ApiService::Login(grpc::ServerContext* context,
                               const v1::LoginRequest* request,
                               v1::LoginResponse* response) {
  absl::StatusOr<Session> session = logins_->Login(
      {request->username(), request->password(), SourceAddress(context)},
      std::time(nullptr));
  if (!session.ok()) return ToGrpcStatus(session.status());
  response->set_token(session->token);
  response->set_expires_unix(session->expires_unix);
  return grpc::Status::OK;
}

absl::StatusOr<User> ApiService::Authenticate(grpc::ServerContext* context,
                                              const std::string& action,
                                              Lane& lane) {
  // Nothing is done that the audit cannot record (common/audit/audit_log.h).
  RETURN_IF_ERROR(audit_->Writable());
  const std::string token = BearerToken(context);
  if (token.empty())
    return absl::UnauthenticatedError(
        "尚未登录，请先登录（请求须带 authorization: Bearer 令牌）");
  return lane.accounts.AuthenticateFor(token, action, std::time(nullptr));
}

absl::StatusOr<User> ApiService::Authenticate(grpc::ServerContext* context,
                                              const std::string& action) {
  StorePool::Lease lane = pool_->Acquire();
  return Authenticate(context, action, *lane);
}

grpc::Status ApiService::Handle(
    grpc::ServerContext* context, const std::string& action,
    const std::string& target,
    const std::function<absl::Status(const User&, Lane&)>& fn,
    const std::string& detail) {
  absl::StatusOr<User> user;
  absl::Status status;
  {
    StorePool::Lease lane = pool_->Acquire();
    user = Authenticate(context, action, *lane);
    status = user.ok() ? fn(*user, *lane) : user.status();
  }
  // What is recorded: common/audit/audit_policy.h.
  const AuditRule rule = AuditRuleFor(action);
  if ((user.ok() || absl::IsFailedPrecondition(user.status())) &&
      (!status.ok() || rule != AuditRule::kRefusalsOnly)) {
    const AuditEntry entry{
        user.ok() ? user->username : "", action, target, StatusResult(status),
        status.ok() ? detail : std::string(status.message())};
    if (rule == AuditRule::kBeforeAnswer && status.ok()) {
      // Not answered unless it is on record.
      absl::Status on_record = audit_->AppendAndFlush(entry, absl::Seconds(10));
      if (!on_record.ok()) return ToGrpcStatus(on_record);
    } else {
      audit_->Append(entry);
    }
  }
  return ToGrpcStatus(status);
}

absl::StatusOr<User> ApiService::AuthorizeProvinceStaff(
    grpc::ServerContext* context, const std::string& action) {
  absl::StatusOr<User> user = Authenticate(context, action);
  if (!user.ok()) return user.status();
  absl::Status denied = CheckProvinceStaff(*user, pool_->province(), action);
  if (!denied.ok()) {
    audit_->Append({user->username, action, "", StatusResult(denied),
                    std::string(denied.message())});
    return denied;
  }
  return user;
}

grpc::Status ApiService::Logout(grpc::ServerContext* context,
                                const v1::LogoutRequest*, v1::LogoutResponse*) {
  return Handle(context, "user.logout", "", [&](const User&, Lane& lane) {
    return lane.accounts.EndSession(BearerToken(context));
  });
}

grpc::Status ApiService::WhoAmI(grpc::ServerContext* context,
                                const v1::WhoAmIRequest*,
                                v1::WhoAmIResponse* response) {
  return Handle(context, "user.whoami", "",
                [&](const User& user, Lane& lane) -> absl::Status {
                  ToProto(user, response->mutable_user());
                  ASSIGN_OR_RETURN(Unit unit,
                                   LoadUnit(lane.store, user.unit_code));
                  response->set_unit_name(unit.name);
                  response->set_unit_level(static_cast<int>(unit.level));
                  response->set_province(pool_->province());
                  return absl::OkStatus();
                });
}

grpc::Status ApiService::ChangePassword(
    grpc::ServerContext* context, const v1::ChangePasswordRequest* request,
    v1::ChangePasswordResponse*) {
  return Handle(context, "user.change_password", "",
                [&](const User& user, Lane& lane) {
                  return lane.accounts.ChangePassword(
                      user, request->old_password(), request->new_password());
                });
}

}  // namespace ntmis::provincial

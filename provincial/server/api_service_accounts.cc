// The account RPCs of ApiService: each is one call of
// provincial/core/accounts.h (unlock and reset through Logins, which also
// lifts the login delays), with the adapter's authentication, lane and audit
// (ApiService::Handle).
#include "common/base/status_macros.h"
#include "provincial/core/accounts.h"
#include "provincial/core/logins.h"
#include "provincial/server/api_service.h"
#include "provincial/server/api_service_internal.h"

namespace ntmis::provincial {

grpc::Status ApiService::CreateUser(grpc::ServerContext* context,
                                    const v1::CreateUserRequest* request,
                                    v1::CreateUserResponse* response) {
  return Handle(context, "user.create", request->username(),
                [&](const User& user, Lane& lane) {
                  ASSIGN_OR_RETURN(Role role, RoleFromProto(request->role()));
                  ASSIGN_OR_RETURN(
                      NewAccount account,
                      lane.accounts.CreateFor(user, request->username(),
                                              request->unit_code(), role));
                  ToProto(account, response);
                  return absl::OkStatus();
                });
}

grpc::Status ApiService::ListUsers(grpc::ServerContext* context,
                                   const v1::ListUsersRequest* request,
                                   v1::ListUsersResponse* response) {
  return Handle(context, "user.list", request->unit_code(),
                [&](const User& user, Lane& lane) {
                  return Fill(lane.accounts.ListView(user, request->unit_code(),
                                                     request->include_below()),
                              response);
                });
}

grpc::Status ApiService::ResetPassword(grpc::ServerContext* context,
                                       const v1::UserRequest* request,
                                       v1::CreateUserResponse* response) {
  return Handle(context, "user.reset_password", request->username(),
                [&](const User& user, Lane& lane) {
                  ASSIGN_OR_RETURN(NewAccount account,
                                   logins_->ResetPassword(lane.accounts, user,
                                                          request->username()));
                  ToProto(account, response);
                  return absl::OkStatus();
                });
}

grpc::Status ApiService::UnlockUser(grpc::ServerContext* context,
                                    const v1::UserRequest* request,
                                    v1::UserAccount* response) {
  return Handle(context, "user.unlock", request->username(),
                [&](const User& user, Lane& lane) {
                  ASSIGN_OR_RETURN(User target,
                                   logins_->Unlock(lane.accounts, user,
                                                   request->username()));
                  ToProto(target, response);
                  return absl::OkStatus();
                });
}

grpc::Status ApiService::SetUserDisabled(
    grpc::ServerContext* context, const v1::SetUserDisabledRequest* request,
    v1::UserAccount* response) {
  return Handle(context, request->disabled() ? "user.disable" : "user.enable",
                request->username(), [&](const User& user, Lane& lane) {
                  ASSIGN_OR_RETURN(User target, lane.accounts.SetDisabled(
                                                    user, request->username(),
                                                    request->disabled()));
                  ToProto(target, response);
                  return absl::OkStatus();
                });
}

grpc::Status ApiService::ListChildAccounts(
    grpc::ServerContext* context, const v1::UnitRequest* request,
    v1::ChildAccountsResponse* response) {
  return Handle(context, "user.list_children", request->unit_code(),
                [&](const User& user, Lane& lane) {
                  return Fill(
                      lane.accounts.ChildAccounts(user, request->unit_code()),
                      response);
                });
}

grpc::Status ApiService::CreateMissingAdmins(
    grpc::ServerContext* context, const v1::UnitRequest* request,
    v1::CreateTeacherAccountsResponse* response) {
  return Handle(context, "user.create_missing_admins", request->unit_code(),
                [&](const User& user, Lane& lane) {
                  ASSIGN_OR_RETURN(std::vector<NewAccount> accounts,
                                   lane.accounts.CreateMissingAdmins(
                                       user, request->unit_code()));
                  for (const NewAccount& a : accounts)
                    ToProto(a, response->add_accounts());
                  return absl::OkStatus();
                });
}

grpc::Status ApiService::CreateTeacherAccounts(
    grpc::ServerContext* context, const v1::UnitRequest* request,
    v1::CreateTeacherAccountsResponse* response) {
  return Handle(context, "user.create_teacher_accounts", request->unit_code(),
                [&](const User& user, Lane& lane) {
                  ASSIGN_OR_RETURN(std::vector<NewAccount> accounts,
                                   lane.accounts.CreateTeacherAccounts(
                                       user, request->unit_code()));
                  for (const NewAccount& a : accounts)
                    ToProto(a, response->add_accounts());
                  return absl::OkStatus();
                });
}

}  // namespace ntmis::provincial

// NationalQuery over gRPC, with two ways in and one core
// (docs/architecture.md, "The ministry's console"): an operator certificate
// (spiffe://ntmis/operator/<role>/<name>, the CLI) or, for calls the
// ministry's web console makes in-process, a central account's session
// (national/accounts/central_accounts.h). Each call is checked against the
// role it needs (national/accounts/operator.h); anyone else is refused and
// audited. Look-ups are audited with their reason before they answer.
//
// Thread-safe.
#ifndef NTMIS_NATIONAL_RPC_QUERY_SERVICE_H_
#define NTMIS_NATIONAL_RPC_QUERY_SERVICE_H_

#include "common/pki/peer_identity.h"
#include "national/accounts/operator.h"
#include "national/ingest/national_store.h"
#include "ntmis/v1/query.grpc.pb.h"

namespace ntmis::national {

// Health of every province, synced or not, in code order; a province whose
// last successful sync is older than `overdue_after` (at `now_unix`) is
// overdue.
absl::StatusOr<v1::ProvincesResponse> ProvinceHealth(NationalStore& store,
                                                     int64_t now_unix,
                                                     int64_t overdue_after);

class QueryService final : public v1::NationalQuery::Service {
 public:
  struct Options {
    std::string
        id_hash_key;  // federation key for ID-card look-ups ("" disables them)
    int64_t overdue_after = 3600;  // seconds without a successful sync
  };
  QueryService(NationalStore& store, Options options)
      : store_(store), options_(std::move(options)) {}

  grpc::Status Aggregate(grpc::ServerContext* context,
                         const v1::AggregateRequest* request,
                         v1::AggregateResponse* response) override;
  grpc::Status Provinces(grpc::ServerContext* context,
                         const v1::ProvincesRequest* request,
                         v1::ProvincesResponse* response) override;
  grpc::Status Transfers(grpc::ServerContext* context,
                         const v1::TransfersRequest* request,
                         v1::TransfersResponse* response) override;
  grpc::Status Lookup(grpc::ServerContext* context,
                      const v1::LookupRequest* request,
                      v1::LookupResponse* response) override;
  grpc::Status Divisions(grpc::ServerContext* context,
                         const v1::DivisionsRequest* request,
                         v1::DivisionsResponse* response) override;
  grpc::Status Outlook(grpc::ServerContext* context,
                       const v1::OutlookRequest* request,
                       v1::OutlookResponse* response) override;
  grpc::Status ListDimensions(grpc::ServerContext* context,
                              const v1::ListDimensionsRequest* request,
                              v1::ListDimensionsResponse* response) override;

  grpc::Status Login(grpc::ServerContext* context,
                     const v1::LoginRequest* request,
                     v1::LoginResponse* response) override;
  grpc::Status Logout(grpc::ServerContext* context,
                      const v1::LogoutRequest* request,
                      v1::LogoutResponse* response) override;
  grpc::Status WhoAmI(grpc::ServerContext* context,
                      const v1::WhoAmIRequest* request,
                      v1::CentralWhoAmIResponse* response) override;
  grpc::Status ChangePassword(grpc::ServerContext* context,
                              const v1::ChangePasswordRequest* request,
                              v1::ChangePasswordResponse* response) override;
  grpc::Status CreateCentralUser(grpc::ServerContext* context,
                                 const v1::CreateCentralUserRequest* request,
                                 v1::CentralNewAccount* response) override;
  grpc::Status ListCentralUsers(
      grpc::ServerContext* context, const v1::ListCentralUsersRequest* request,
      v1::ListCentralUsersResponse* response) override;
  grpc::Status ResetCentralPassword(grpc::ServerContext* context,
                                    const v1::CentralUserRequest* request,
                                    v1::CentralNewAccount* response) override;
  grpc::Status UnlockCentralUser(grpc::ServerContext* context,
                                 const v1::CentralUserRequest* request,
                                 v1::CentralUser* response) override;
  grpc::Status SetCentralUserDisabled(
      grpc::ServerContext* context,
      const v1::SetCentralUserDisabledRequest* request,
      v1::CentralUser* response) override;
  grpc::Status QueryAudit(grpc::ServerContext* context,
                          const v1::AuditQuery* request,
                          v1::AuditEntries* response) override;

 private:
  // The operator of a call: its operator certificate, or — only for an
  // in-process call of the ministry's console — its session's central
  // account (`method` decides what a generated password still allows).
  // Nothing is done that the audit cannot record; a caller that is neither
  // is refused and the refusal audited under `action`.
  absl::StatusOr<Operator> Identify(grpc::ServerContext* context,
                                    const char* method, const char* action);
  // Identify, then RequireRole(needs, `what` as the operator reads it);
  // a refusal is audited.
  absl::StatusOr<Operator> Authorize(grpc::ServerContext* context,
                                     const char* method, const char* action,
                                     OperatorRole needs, const char* what);
  // Audits `op`'s `action` on `target` with its result, and converts it.
  grpc::Status Audited(const Operator& op, const char* action,
                       const std::string& target, const absl::Status& result);

  NationalStore& store_;
  const Options options_;
};

}  // namespace ntmis::national

#endif  // NTMIS_NATIONAL_RPC_QUERY_SERVICE_H_

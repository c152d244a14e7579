// ProvincialApi over gRPC: a thin adapter that authenticates the bearer
// token, checks the role, and hands the work to the importers and accounts.
//
// Thread-safe: each import runs on a connection of its own; accounts share
// one connection under a mutex.
#ifndef NTMIS_PROVINCIAL_API_SERVICE_H_
#define NTMIS_PROVINCIAL_API_SERVICE_H_

#include <memory>
#include <string>

#include "absl/synchronization/mutex.h"
#include "common/audit_log.h"
#include "ntmis/v1/provincial.grpc.pb.h"
#include "provincial/accounts.h"
#include "provincial/identities.h"
#include "provincial/sync_scheduler.h"
#include "provincial/teacher_template.h"

namespace ntmis::provincial {

class ApiService final : public v1::ProvincialApi::Service {
 public:
  // `db_path` is province.db, already initialised; `scheduler` runs the
  // node's syncs and `resolver` (may be null) asks the national identity
  // registry; both must outlive the service.
  static absl::StatusOr<std::unique_ptr<ApiService>> Create(const std::string& db_path,
                                                            IdKeys keys,
                                                            SyncScheduler* scheduler,
                                                            IdentityResolver* resolver);

  grpc::Status Login(grpc::ServerContext* context, const v1::LoginRequest* request,
                     v1::LoginResponse* response) override;
  grpc::Status ImportUnits(grpc::ServerContext* context,
                           grpc::ServerReader<v1::ImportChunk>* reader,
                           v1::ImportReport* report) override;
  grpc::Status ImportTeachers(grpc::ServerContext* context,
                              grpc::ServerReader<v1::ImportChunk>* reader,
                              v1::ImportReport* report) override;
  grpc::Status GetSyncHealth(grpc::ServerContext* context,
                             const v1::SyncHealthRequest* request,
                             v1::SyncHealth* response) override;
  grpc::Status SyncNow(grpc::ServerContext* context, const v1::SyncNowRequest* request,
                       v1::SyncNowResponse* response) override;
  grpc::Status WithdrawTeacher(grpc::ServerContext* context,
                               const v1::WithdrawTeacherRequest* request,
                               v1::WithdrawTeacherResponse* response) override;

 private:
  ApiService(std::string db_path, IdKeys keys, Store store,
             std::unique_ptr<AuditLog> audit, SyncScheduler* scheduler,
             IdentityResolver* resolver)
      : db_path_(std::move(db_path)), keys_(std::move(keys)),
        store_(std::move(store)), accounts_(store_), audit_(std::move(audit)),
        scheduler_(scheduler), resolver_(resolver) {}

  // The caller's account, or UNAUTHENTICATED / PERMISSION_DENIED (audited)
  // unless it is a province-level system administrator or information manager.
  absl::StatusOr<User> AuthorizeProvinceStaff(grpc::ServerContext* context,
                                              const std::string& action);
  // The scheduler's health plus the outbox position and open rejections,
  // under mu_.
  absl::StatusOr<v1::SyncHealth> Health();
  enum class ImportKind { kUnits, kTeachers };
  grpc::Status RunImport(grpc::ServerContext* context,
                         grpc::ServerReader<v1::ImportChunk>* reader,
                         v1::ImportReport* report, ImportKind kind);

  const std::string db_path_;
  const IdKeys keys_;
  absl::Mutex mu_;
  Store store_ ABSL_GUARDED_BY(mu_);
  Accounts accounts_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<AuditLog> audit_;
  SyncScheduler* const scheduler_;
  IdentityResolver* const resolver_;
};

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_API_SERVICE_H_

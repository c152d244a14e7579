// ProvincialApi over gRPC: a thin adapter that authenticates the bearer
// token, checks the role, and hands the work to the node's core: logins
// (provincial/core/logins.h), accounts, units, the workflow and the importers.
//
// Thread-safe: gRPC calls it from many threads at once. Each call works on a
// lane of the store pool (provincial/core/store_pool.h) leased for the call, so
// reads run in parallel and writes are serialized by SQLite; imports and
// exports run on connections of their own; password hashes run on bounded
// slots outside any lane; audit entries are queued (common/audit/audit_log.h).
#ifndef NTMIS_PROVINCIAL_SERVER_API_SERVICE_H_
#define NTMIS_PROVINCIAL_SERVER_API_SERVICE_H_

#include <functional>
#include <memory>
#include <string>

#include "common/audit/audit_archive.h"
#include "common/audit/audit_log.h"
#include "common/base/concurrency_limit.h"
#include "common/sql/wal_checkpointer.h"
#include "common/web/connect.h"
#include "ntmis/v1/provincial.grpc.pb.h"
#include "provincial/core/accounts.h"
#include "provincial/core/logins.h"
#include "provincial/core/store_pool.h"
#include "provincial/core/teacher_fields.h"
#include "provincial/core/workflow.h"
#include "provincial/sync/identities.h"
#include "provincial/sync/sync_scheduler.h"

namespace ntmis::provincial {

class ApiService final : public v1::ProvincialApi::Service {
 public:
  struct Options {
    int lanes = 8;  // connections of the store pool
    int hashing_slots = ConcurrencyLimit::HalfTheCores();
    LoginPolicy login;
    AccountPolicy accounts;
    CareerSettings careers;
    AuditArchivePlan audit_archive;  // archives in the background when enabled
  };
  // `db_path` is province.db, already initialised; `scheduler` runs the
  // node's syncs and `resolver` (may be null) asks the national identity
  // registry; both must outlive the service.
  static absl::StatusOr<std::unique_ptr<ApiService>> Create(
      const std::string& db_path, IdKeys keys, SyncScheduler* scheduler,
      IdentityResolver* resolver, Options options);
  static absl::StatusOr<std::unique_ptr<ApiService>> Create(
      const std::string& db_path, IdKeys keys, SyncScheduler* scheduler,
      IdentityResolver* resolver) {
    return Create(db_path, std::move(keys), scheduler, resolver, Options());
  }

  // Waits until every audit entry of calls made so far is written.
  absl::Status FlushAudit() { return audit_->Flush(); }
  // Completes the career cases whose effective date has come
  // (Careers::ApplyDue), each audited as the system's action
  // "career.effective"; returns how many it closed.
  absl::StatusOr<int> ApplyDueCareers(const Date& today = Today());
  AuditLog& audit() { return *audit_; }

  // Metadata naming the browser's address on calls the web console's
  // gateway makes in-process (honoured from in-process peers only).
  static constexpr const char* kClientAddressKey = web::kClientAddressKey;

  grpc::Status Login(grpc::ServerContext* context,
                     const v1::LoginRequest* request,
                     v1::LoginResponse* response) override;
  grpc::Status Logout(grpc::ServerContext* context,
                      const v1::LogoutRequest* request,
                      v1::LogoutResponse* response) override;
  grpc::Status WhoAmI(grpc::ServerContext* context,
                      const v1::WhoAmIRequest* request,
                      v1::WhoAmIResponse* response) override;
  grpc::Status ImportUnits(grpc::ServerContext* context,
                           grpc::ServerReader<v1::ImportChunk>* reader,
                           v1::ImportReport* report) override;
  grpc::Status ImportTeachers(grpc::ServerContext* context,
                              grpc::ServerReader<v1::ImportChunk>* reader,
                              v1::ImportReport* report) override;
  grpc::Status GetSyncHealth(grpc::ServerContext* context,
                             const v1::SyncHealthRequest* request,
                             v1::SyncHealth* response) override;
  grpc::Status SyncNow(grpc::ServerContext* context,
                       const v1::SyncNowRequest* request,
                       v1::SyncNowResponse* response) override;
  grpc::Status WithdrawTeacher(grpc::ServerContext* context,
                               const v1::WithdrawTeacherRequest* request,
                               v1::WithdrawTeacherResponse* response) override;

  grpc::Status ChangePassword(grpc::ServerContext* context,
                              const v1::ChangePasswordRequest* request,
                              v1::ChangePasswordResponse* response) override;
  grpc::Status CreateUser(grpc::ServerContext* context,
                          const v1::CreateUserRequest* request,
                          v1::CreateUserResponse* response) override;
  grpc::Status ListUsers(grpc::ServerContext* context,
                         const v1::ListUsersRequest* request,
                         v1::ListUsersResponse* response) override;
  grpc::Status ResetPassword(grpc::ServerContext* context,
                             const v1::UserRequest* request,
                             v1::CreateUserResponse* response) override;
  grpc::Status UnlockUser(grpc::ServerContext* context,
                          const v1::UserRequest* request,
                          v1::UserAccount* response) override;
  grpc::Status SetUserDisabled(grpc::ServerContext* context,
                               const v1::SetUserDisabledRequest* request,
                               v1::UserAccount* response) override;
  grpc::Status ListChildAccounts(grpc::ServerContext* context,
                                 const v1::UnitRequest* request,
                                 v1::ChildAccountsResponse* response) override;
  grpc::Status CreateMissingAdmins(
      grpc::ServerContext* context, const v1::UnitRequest* request,
      v1::CreateTeacherAccountsResponse* response) override;
  grpc::Status CreateTeacherAccounts(
      grpc::ServerContext* context, const v1::UnitRequest* request,
      v1::CreateTeacherAccountsResponse* response) override;

  grpc::Status AddUnit(grpc::ServerContext* context,
                       const v1::UnitInfo* request,
                       v1::UnitInfo* response) override;
  grpc::Status RenameUnit(grpc::ServerContext* context,
                          const v1::RenameUnitRequest* request,
                          v1::UnitInfo* response) override;
  grpc::Status MoveUnit(grpc::ServerContext* context,
                        const v1::MoveUnitRequest* request,
                        v1::UnitInfo* response) override;
  grpc::Status CloseUnit(grpc::ServerContext* context,
                         const v1::CloseUnitRequest* request,
                         v1::UnitInfo* response) override;
  grpc::Status ListUnits(grpc::ServerContext* context,
                         const v1::ListUnitsRequest* request,
                         v1::ListUnitsResponse* response) override;

  grpc::Status CreateTeacher(grpc::ServerContext* context,
                             const v1::CreateTeacherRequest* request,
                             v1::TeacherView* response) override;
  grpc::Status EditTeacher(grpc::ServerContext* context,
                           const v1::EditTeacherRequest* request,
                           v1::TeacherView* response) override;
  grpc::Status GetTeacher(grpc::ServerContext* context,
                          const v1::TeacherRequest* request,
                          v1::TeacherView* response) override;
  grpc::Status ListTeachers(grpc::ServerContext* context,
                            const v1::ListTeachersRequest* request,
                            v1::ListTeachersResponse* response) override;
  grpc::Status SubmitTeacher(grpc::ServerContext* context,
                             const v1::TeacherRequest* request,
                             v1::TeacherView* response) override;
  grpc::Status ReviewTeacher(grpc::ServerContext* context,
                             const v1::ReviewRequest* request,
                             v1::TeacherView* response) override;
  grpc::Status RequestChange(grpc::ServerContext* context,
                             const v1::EditTeacherRequest* request,
                             v1::ChangeRequestView* response) override;
  grpc::Status DecideChange(grpc::ServerContext* context,
                            const v1::DecideChangeRequest* request,
                            v1::ChangeRequestView* response) override;
  grpc::Status ReviewQueue(grpc::ServerContext* context,
                           const v1::ReviewQueueRequest* request,
                           v1::ReviewQueueResponse* response) override;
  grpc::Status TeacherHistory(grpc::ServerContext* context,
                              const v1::TeacherRequest* request,
                              v1::TeacherHistoryResponse* response) override;
  grpc::Status GetCatalog(grpc::ServerContext* context,
                          const v1::CatalogRequest* request,
                          v1::CategoryCatalog* response) override;
  grpc::Status GetFormCatalog(grpc::ServerContext* context,
                              const v1::CatalogRequest* request,
                              v1::CategoryCatalog* response) override;
  grpc::Status DefineIndicator(grpc::ServerContext* context,
                               const v1::FieldDef* request,
                               v1::FieldDef* response) override;
  grpc::Status PutEntry(grpc::ServerContext* context,
                        const v1::PutEntryRequest* request,
                        v1::PutEntryResponse* response) override;
  grpc::Status ListEntries(grpc::ServerContext* context,
                           const v1::ListEntriesRequest* request,
                           v1::ListEntriesResponse* response) override;
  grpc::Status GetReviewForm(grpc::ServerContext* context,
                             const v1::TeacherRequest* request,
                             v1::ReviewForm* response) override;
  grpc::Status ImportCategory(grpc::ServerContext* context,
                              grpc::ServerReader<v1::ImportChunk>* reader,
                              v1::ImportReport* report) override;
  grpc::Status Export(grpc::ServerContext* context,
                      const v1::ExportRequest* request,
                      grpc::ServerWriter<v1::ExportChunk>* writer) override;
  grpc::Status Progress(grpc::ServerContext* context,
                        const v1::UnitRequest* request,
                        v1::ProgressReport* response) override;
  grpc::Status QueryAudit(grpc::ServerContext* context,
                          const v1::AuditQuery* request,
                          v1::AuditEntries* response) override;
  grpc::Status VerifyAudit(grpc::ServerContext* context,
                           const v1::VerifyAuditRequest* request,
                           v1::VerifyAuditResponse* response) override;
  grpc::Status FileTransfer(grpc::ServerContext* context,
                            const v1::FileTransferRequest* request,
                            v1::CareerCase* response) override;
  grpc::Status FileStatusChange(grpc::ServerContext* context,
                                const v1::FileStatusChangeRequest* request,
                                v1::CareerCase* response) override;
  grpc::Status FileRotation(grpc::ServerContext* context,
                            const v1::FileRotationRequest* request,
                            v1::CareerCase* response) override;
  grpc::Status DecideCareerStep(grpc::ServerContext* context,
                                const v1::DecideCareerStepRequest* request,
                                v1::CareerCase* response) override;
  grpc::Status WithdrawCareerCase(grpc::ServerContext* context,
                                  const v1::CareerCaseRequest* request,
                                  v1::CareerCase* response) override;
  grpc::Status EndRotation(grpc::ServerContext* context,
                           const v1::CareerCaseRequest* request,
                           v1::CareerCase* response) override;
  grpc::Status GetCareerCase(grpc::ServerContext* context,
                             const v1::CareerCaseRequest* request,
                             v1::CareerCase* response) override;
  grpc::Status ListCareerCases(grpc::ServerContext* context,
                               const v1::ListCareerCasesRequest* request,
                               v1::ListCareerCasesResponse* response) override;
  grpc::Status GetRotationReport(grpc::ServerContext* context,
                                 const v1::RotationReportRequest* request,
                                 v1::RotationReport* response) override;

 private:
  ApiService(std::string db_path, IdKeys keys, SyncScheduler* scheduler,
             IdentityResolver* resolver)
      : db_path_(std::move(db_path)),
        keys_(std::move(keys)),
        scheduler_(scheduler),
        resolver_(resolver) {}

  // The account behind the call's bearer token, on `lane`. Until a
  // generated password is changed, every action but "user.change_password"
  // is refused (FAILED_PRECONDITION).
  absl::StatusOr<User> Authenticate(grpc::ServerContext* context,
                                    const std::string& action, Lane& lane);
  // The same on a lane leased for the check only.
  absl::StatusOr<User> Authenticate(grpc::ServerContext* context,
                                    const std::string& action);
  // Leases a lane, authenticates, runs `fn` on it, audits who did `action`
  // on `target` with the outcome (PERMISSION_DENIED included; the error's
  // message, or `detail` on success), and converts the status.
  grpc::Status Handle(grpc::ServerContext* context, const std::string& action,
                      const std::string& target,
                      const std::function<absl::Status(const User&, Lane&)>& fn,
                      const std::string& detail = "");

  // The caller's account, or UNAUTHENTICATED / PERMISSION_DENIED (audited)
  // unless it is a province-level system administrator or information manager.
  absl::StatusOr<User> AuthorizeProvinceStaff(grpc::ServerContext* context,
                                              const std::string& action);
  // The scheduler's health plus the outbox position and open rejections.
  // Audits that `user` read sensitive categories of a teacher.
  void AuditSensitive(const User& user, const std::string& teacher_number,
                      const std::vector<std::string>& categories);
  enum class ImportKind { kUnits, kTeachers, kCategory };
  grpc::Status RunImport(grpc::ServerContext* context,
                         grpc::ServerReader<v1::ImportChunk>* reader,
                         v1::ImportReport* report, ImportKind kind);

  // Fixed after Create; the objects are thread-safe themselves.
  const std::string db_path_;
  const IdKeys keys_;
  SyncScheduler* const scheduler_;
  IdentityResolver* const resolver_;
  std::unique_ptr<AuditLog> audit_;
  std::string archive_dir_;  // where the audit's archives are (VerifyAudit with
                             // archive)
  std::unique_ptr<ConcurrencyLimit> hashing_;
  std::unique_ptr<StorePool> pool_;
  std::unique_ptr<Logins> logins_;
  // Checkpoints the imports' connections on a thread of its own, so that a
  // bulk import never stalls on copying the WAL into the file (a tenth of
  // its writer's time, issue 30).
  sql::WalCheckpointer import_checkpoints_;
};

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_SERVER_API_SERVICE_H_

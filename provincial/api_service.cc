#include "provincial/api_service.h"

#include "provincial/teacher_changes.h"

#include <ctime>

#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/grpc_status.h"
#include "common/status_macros.h"
#include "common/sync_versions.h"
#include "provincial/csv_import.h"
#include "provincial/reference_data.h"
#include "provincial/teacher_import.h"
#include "provincial/units.h"

namespace ntmis::provincial {
namespace {

std::string StatusResult(const absl::Status& status) {
  return status.ok() ? "ok" : absl::StatusCodeToString(status.code());
}

}  // namespace

absl::StatusOr<std::unique_ptr<ApiService>> ApiService::Create(const std::string& db_path,
                                                               IdKeys keys,
                                                               SyncScheduler* scheduler,
                                                               IdentityResolver* resolver) {
  ASSIGN_OR_RETURN(Store store, Store::Open(db_path));
  RETURN_IF_ERROR(store.Province().status());
  ASSIGN_OR_RETURN(auto audit, AuditLog::Open(db_path));
  return std::unique_ptr<ApiService>(
      new ApiService(db_path, std::move(keys), std::move(store), std::move(audit), scheduler,
                     resolver));
}

grpc::Status ApiService::Login(grpc::ServerContext* context,
                               const v1::LoginRequest* request,
                               v1::LoginResponse* response) {
  absl::StatusOr<Session> session;
  {
    absl::MutexLock lock(&mu_);
    session = accounts_.Login(request->username(), request->password(), std::time(nullptr));
  }
  (void)audit_->Append({request->username(), "user.login", context->peer(),
                        StatusResult(session.status()),
                        session.ok() ? "" : std::string(session.status().message())});
  if (!session.ok()) return ToGrpcStatus(session.status());
  response->set_token(session->token);
  response->set_expires_unix(session->expires_unix);
  return grpc::Status::OK;
}

absl::StatusOr<User> ApiService::AuthorizeProvinceStaff(grpc::ServerContext* context,
                                                 const std::string& action) {
  auto it = context->client_metadata().find("authorization");
  std::string header = it == context->client_metadata().end()
                           ? ""
                           : std::string(it->second.data(), it->second.size());
  absl::string_view token = header;
  if (!absl::ConsumePrefix(&token, "Bearer ") || token.empty())
    return absl::UnauthenticatedError("missing 'authorization: Bearer <token>': log in first");
  absl::StatusOr<User> user;
  std::string province;
  {
    absl::MutexLock lock(&mu_);
    user = accounts_.Authenticate(std::string(token), std::time(nullptr));
    if (user.ok()) province = store_.Province().value_or("");
  }
  if (!user.ok()) return user.status();
  if ((user->role != Role::kSysAdmin && user->role != Role::kManager) ||
      user->unit_code != province) {
    absl::Status denied = absl::PermissionDeniedError(absl::StrCat(
        action, " needs a province-level system administrator or information "
                "manager; ", user->username, " is ", RoleName(user->role), " of unit ",
        user->unit_code));
    (void)audit_->Append({user->username, action, "", StatusResult(denied),
                          std::string(denied.message())});
    return denied;
  }
  return user;
}

grpc::Status ApiService::RunImport(grpc::ServerContext* context,
                                   grpc::ServerReader<v1::ImportChunk>* reader,
                                   v1::ImportReport* report, ImportKind kind) {
  const std::string action = kind == ImportKind::kUnits ? "import.units" : "import.teachers";
  auto user = AuthorizeProvinceStaff(context, action);
  if (!user.ok()) return ToGrpcStatus(user.status());

  auto run = [&]() -> absl::StatusOr<v1::ImportReport> {
    ASSIGN_OR_RETURN(Store store, Store::Open(db_path_));
    std::unique_ptr<RowHandler> handler;
    if (kind == ImportKind::kUnits) {
      ASSIGN_OR_RETURN(handler, UnitRowHandler::Create(store));
    } else {
      ASSIGN_OR_RETURN(handler, TeacherRowHandler::Create(store, keys_, resolver_));
    }
    v1::ImportChunk chunk;
    if (!reader->Read(&chunk)) return absl::InvalidArgumentError("no data sent");
    ImportOptions options;
    options.dry_run = chunk.dry_run();
    CsvImport import(store, *handler, options);
    do {
      RETURN_IF_ERROR(import.Feed(chunk.data()));
    } while (reader->Read(&chunk));
    if (context->IsCancelled()) return absl::CancelledError("client went away");
    return import.Finish();
  };
  absl::StatusOr<v1::ImportReport> result = run();
  (void)audit_->Append(
      {user->username, action, "", StatusResult(result.status()),
       result.ok() ? absl::StrCat("read ", result->rows_read(), " valid ",
                                  result->rows_valid(), " applied ", result->rows_applied(),
                                  " problems ", result->problems_total())
                   : std::string(result.status().message())});
  if (!result.ok()) return ToGrpcStatus(result.status());
  *report = std::move(*result);
  return grpc::Status::OK;
}

grpc::Status ApiService::ImportUnits(grpc::ServerContext* context,
                                     grpc::ServerReader<v1::ImportChunk>* reader,
                                     v1::ImportReport* report) {
  return RunImport(context, reader, report, ImportKind::kUnits);
}

grpc::Status ApiService::ImportTeachers(grpc::ServerContext* context,
                                        grpc::ServerReader<v1::ImportChunk>* reader,
                                        v1::ImportReport* report) {
  return RunImport(context, reader, report, ImportKind::kTeachers);
}

absl::StatusOr<v1::SyncHealth> ApiService::Health() {
  SyncHealth h = scheduler_->Health();
  v1::SyncHealth health;
  health.set_scheduled(scheduler_->running());
  health.set_next_run_unix(health.scheduled() ? h.next_run_unix : 0);
  health.set_consecutive_failures(h.consecutive_failures);
  absl::MutexLock lock(&mu_);
  // Every run, scheduled or `sync --once` from another process, is in
  // sync_runs.
  ASSIGN_OR_RETURN(sql::Statement runs,
                   store_.db().Prepare(
                       "SELECT (SELECT MAX(started_unix) FROM sync_runs), "
                       "(SELECT MAX(finished_unix) FROM sync_runs WHERE result = 'ok'), "
                       "(SELECT result FROM sync_runs ORDER BY id DESC LIMIT 1)"));
  ASSIGN_OR_RETURN(bool row, runs.Step());
  if (row) {
    health.set_last_attempt_unix(runs.ColumnInt(0));
    health.set_last_success_unix(runs.ColumnInt(1));
    std::string last = runs.ColumnText(2);
    if (last != "ok") health.set_last_error(last);
  }
  ASSIGN_OR_RETURN(uint64_t outbox, store_.OutboxEnd());
  ASSIGN_OR_RETURN(int64_t acked_meta, store_.GetMetaInt("sync.acked_seq", 0));
  const uint64_t acked = static_cast<uint64_t>(acked_meta);
  health.set_outbox_seq(outbox);
  health.set_acked_seq(acked);
  health.set_backlog(outbox > acked ? outbox - acked : 0);
  ASSIGN_OR_RETURN(int64_t national_catalog, store_.GetMetaInt(kNationalCatalogMeta, 0));
  health.set_national_catalog_version(static_cast<uint32_t>(national_catalog));
  health.set_catalog_version(kCoreCatalogVersion);
  ASSIGN_OR_RETURN(std::string missing, store_.GetMeta(kMissingCodesMeta, ""));
  for (absl::string_view code : absl::StrSplit(missing, "; ", absl::SkipEmpty()))
    health.add_national_codes_missing(std::string(code));
  ASSIGN_OR_RETURN(int64_t registry, store_.GetMetaInt(kRegistryVersionMeta, 0));
  health.set_school_registry_version(static_cast<uint64_t>(registry));
  ASSIGN_OR_RETURN(int64_t schools, store_.db().QueryInt("SELECT COUNT(*) FROM school_registry"));
  health.set_registry_schools(static_cast<uint64_t>(schools));
  ASSIGN_OR_RETURN(sql::Statement conflicts,
                   store_.db().Prepare("SELECT kind, teacher_number, province, existing_number, "
                                       "existing_province, detected_unix FROM identity_conflicts "
                                       "ORDER BY teacher_number"));
  while (true) {
    ASSIGN_OR_RETURN(bool has, conflicts.Step());
    if (!has) break;
    v1::IdentityConflict* c = health.add_identity_conflicts();
    v1::IdentityConflict::Kind kind = v1::IdentityConflict::KIND_UNSPECIFIED;
    v1::IdentityConflict::Kind_Parse(conflicts.ColumnText(0), &kind);
    c->set_kind(kind);
    c->set_teacher_number(conflicts.ColumnText(1));
    c->set_province(conflicts.ColumnText(2));
    c->set_existing_number(conflicts.ColumnText(3));
    c->set_existing_province(conflicts.ColumnText(4));
    c->set_detected_unix(conflicts.ColumnInt(5));
  }
  ASSIGN_OR_RETURN(int64_t open, store_.db().QueryInt("SELECT COUNT(*) FROM sync_rejections"));
  health.set_open_rejections(open);
  ASSIGN_OR_RETURN(sql::Statement newest,
                   store_.db().Prepare("SELECT seq, teacher_number, field, reason FROM "
                                       "sync_rejections ORDER BY seq DESC LIMIT 20"));
  while (true) {
    ASSIGN_OR_RETURN(bool has, newest.Step());
    if (!has) break;
    v1::Rejection* r = health.add_newest_rejections();
    r->set_seq(newest.ColumnInt(0));
    r->set_teacher_number(newest.ColumnText(1));
    r->set_field(newest.ColumnText(2));
    r->set_reason(newest.ColumnText(3));
  }
  return health;
}

grpc::Status ApiService::WithdrawTeacher(grpc::ServerContext* context,
                                         const v1::WithdrawTeacherRequest* request,
                                         v1::WithdrawTeacherResponse* response) {
  auto user = AuthorizeProvinceStaff(context, "teacher.withdraw");
  if (!user.ok()) return ToGrpcStatus(user.status());
  absl::Status status;
  if (absl::StripAsciiWhitespace(request->reason()).empty()) {
    status = absl::InvalidArgumentError("a reason is required to withdraw a teacher");
  } else {
    absl::MutexLock lock(&mu_);
    status = provincial::WithdrawTeacher(store_, request->teacher_number());
    if (status.ok()) {
      auto seq = store_.OutboxEnd();
      if (seq.ok()) response->set_outbox_seq(*seq);
    }
  }
  (void)audit_->Append({user->username, "teacher.withdraw", request->teacher_number(),
                        StatusResult(status),
                        status.ok() ? request->reason() : std::string(status.message())});
  return ToGrpcStatus(status);
}

grpc::Status ApiService::GetSyncHealth(grpc::ServerContext* context,
                                       const v1::SyncHealthRequest* request,
                                       v1::SyncHealth* response) {
  auto user = AuthorizeProvinceStaff(context, "sync.health");
  if (!user.ok()) return ToGrpcStatus(user.status());
  auto health = Health();
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
  (void)audit_->Append({user->username, "sync.now", "", StatusResult(report.status()),
                        report.ok() ? absl::StrCat("sent ", report->sent)
                                    : std::string(report.status().message())});
  if (!report.ok()) return ToGrpcStatus(report.status());
  response->set_sent(report->sent);
  response->set_applied(report->applied);
  response->set_rejected(report->rejections.size());
  response->set_cursor_after(report->cursor_after);
  auto health = Health();
  if (health.ok()) *response->mutable_health() = std::move(*health);
  return grpc::Status::OK;
}

}  // namespace ntmis::provincial

#include "provincial/server/api_service.h"

#include <ctime>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/audit_policy.h"
#include "common/grpc_status.h"
#include "common/status_macros.h"
#include "common/teacher/sync_versions.h"
#include "provincial/core/access.h"
#include "provincial/core/audit_queries.h"
#include "provincial/core/categories.h"
#include "provincial/core/meta_keys.h"
#include "provincial/core/progress.h"
#include "provincial/core/teachers.h"
#include "provincial/core/units.h"
#include "provincial/core/work_lists.h"
#include "provincial/import/category_import.h"
#include "provincial/import/csv_import.h"
#include "provincial/import/export.h"
#include "provincial/import/teacher_import.h"
#include "provincial/import/unit_import.h"
#include "provincial/server/fill.h"
#include "provincial/sync/reference_data.h"
#include "provincial/sync/sync_health.h"

namespace ntmis::provincial {
namespace {

std::string StatusResult(const absl::Status& status) {
  return status.ok() ? "ok" : absl::StatusCodeToString(status.code());
}

std::string Metadata(grpc::ServerContext* context, const char* key) {
  auto it = context->client_metadata().find(key);
  return it == context->client_metadata().end()
             ? ""
             : std::string(it->second.data(), it->second.size());
}

// The token of "authorization: Bearer <token>", empty without one.
std::string BearerToken(grpc::ServerContext* context) {
  std::string header = Metadata(context, "authorization");
  absl::string_view token = header;
  if (!absl::ConsumePrefix(&token, "Bearer ")) return "";
  return std::string(token);
}

// The address a login comes from: the peer's, or for a call the web
// console's gateway makes in-process (provincial/web/connect_gateway.h) the
// browser's, which the gateway names in kClientAddressKey. A network peer
// cannot name an address: its own is taken.
std::string SourceAddress(grpc::ServerContext* context) {
  const std::string peer = context->peer();
  if (absl::StartsWith(peer, "inproc")) {
    std::string forwarded = Metadata(context, ApiService::kClientAddressKey);
    if (!forwarded.empty()) return forwarded;
  }
  return PeerAddress(peer);
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
  // Nothing is done that the audit cannot record (common/audit_log.h).
  RETURN_IF_ERROR(audit_->Writable());
  const std::string token = BearerToken(context);
  if (token.empty())
    return absl::UnauthenticatedError(
        "missing 'authorization: Bearer <token>': log in first");
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
  // What is recorded: common/audit_policy.h.
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

grpc::Status ApiService::RunImport(grpc::ServerContext* context,
                                   grpc::ServerReader<v1::ImportChunk>* reader,
                                   v1::ImportReport* report, ImportKind kind) {
  // The first chunk names the category and the options.
  v1::ImportChunk chunk;
  const bool has_data = reader->Read(&chunk);
  const std::string action = kind == ImportKind::kUnits ? "import.units"
                             : kind == ImportKind::kTeachers
                                 ? "import.teachers"
                                 : "import." + chunk.category();
  absl::StatusOr<User> user = kind == ImportKind::kCategory
                                  ? Authenticate(context, action)
                                  : AuthorizeProvinceStaff(context, action);
  if (!user.ok()) return ToGrpcStatus(user.status());

  auto run = [&]() -> absl::StatusOr<v1::ImportReport> {
    ASSIGN_OR_RETURN(Store store, Store::Open(db_path_));
    store.set_seal_key(keys_.seal_key);
    std::unique_ptr<RowHandler> handler;
    if (kind == ImportKind::kUnits) {
      ASSIGN_OR_RETURN(handler, UnitRowHandler::Create(store));
    } else if (kind == ImportKind::kTeachers) {
      ASSIGN_OR_RETURN(handler,
                       TeacherRowHandler::Create(store, keys_, resolver_));
    } else {
      ASSIGN_OR_RETURN(
          handler, CategoryRowHandler::Create(store, *user, chunk.category()));
    }
    if (!has_data) return absl::InvalidArgumentError("no data sent");
    ImportOptions options;
    options.dry_run = chunk.dry_run();
    options.all_or_nothing = chunk.all_or_nothing();
    CsvImport import(store, *handler, options);
    do {
      RETURN_IF_ERROR(import.Feed(chunk.data()));
    } while (reader->Read(&chunk));
    if (context->IsCancelled()) return absl::CancelledError("client went away");
    return import.Finish();
  };
  absl::StatusOr<v1::ImportReport> result = run();
  audit_->Append({user->username, action, "", StatusResult(result.status()),
                  result.ok()
                      ? absl::StrCat("read ", result->rows_read(), " valid ",
                                     result->rows_valid(), " applied ",
                                     result->rows_applied(), " problems ",
                                     result->problems_total())
                      : std::string(result.status().message())});
  if (!result.ok()) return ToGrpcStatus(result.status());
  *report = std::move(*result);
  return grpc::Status::OK;
}

grpc::Status ApiService::ImportUnits(
    grpc::ServerContext* context, grpc::ServerReader<v1::ImportChunk>* reader,
    v1::ImportReport* report) {
  return RunImport(context, reader, report, ImportKind::kUnits);
}

grpc::Status ApiService::ImportTeachers(
    grpc::ServerContext* context, grpc::ServerReader<v1::ImportChunk>* reader,
    v1::ImportReport* report) {
  return RunImport(context, reader, report, ImportKind::kTeachers);
}

grpc::Status ApiService::WithdrawTeacher(
    grpc::ServerContext* context, const v1::WithdrawTeacherRequest* request,
    v1::WithdrawTeacherResponse* response) {
  return Handle(
      context, "teacher.withdraw", request->teacher_number(),
      [&](const User& user, Lane& lane) -> absl::Status {
        RETURN_IF_ERROR(lane.workflow->Withdraw(user, request->teacher_number(),
                                                request->reason()));
        ASSIGN_OR_RETURN(uint64_t seq, lane.store.OutboxEnd());
        response->set_outbox_seq(seq);
        return absl::OkStatus();
      },
      request->reason());
}

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

namespace {

void ToProto(const User& user, v1::UserAccount* out) {
  out->set_username(user.username);
  out->set_unit_code(user.unit_code);
  out->set_role(RoleToProto(user.role));
  out->set_teacher_number(user.teacher_number);
  out->set_must_change_password(user.must_change_password);
  out->set_locked_until_unix(user.locked_until_unix);
  out->set_locked(user.locked_until_unix > std::time(nullptr));
  out->set_disabled(user.disabled);
  out->set_created_unix(user.created_unix);
}

void ToProto(const NewAccount& account, v1::CreateUserResponse* out) {
  ToProto(account.user, out->mutable_user());
  out->set_initial_password(account.initial_password);
}

void ToProto(const Unit& unit, v1::UnitInfo* out) {
  out->set_code(unit.code);
  out->set_parent_code(unit.parent_code);
  out->set_level(static_cast<uint32_t>(unit.level));
  out->set_name(unit.name);
  out->set_school_category(unit.school_category);
  out->set_closed(unit.closed);
}

}  // namespace

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
                  ASSIGN_OR_RETURN(
                      std::vector<User> users,
                      lane.accounts.List(user,
                                         request->unit_code().empty()
                                             ? user.unit_code
                                             : request->unit_code(),
                                         request->include_below()));
                  for (const User& u : users) ToProto(u, response->add_users());
                  return absl::OkStatus();
                });
}

grpc::Status ApiService::ResetPassword(grpc::ServerContext* context,
                                       const v1::UserRequest* request,
                                       v1::CreateUserResponse* response) {
  return Handle(context, "user.reset_password", request->username(),
                [&](const User& user, Lane& lane) {
                  ASSIGN_OR_RETURN(
                      NewAccount account,
                      lane.accounts.ResetPassword(user, request->username()));
                  logins_->Forgive(request->username());
                  ToProto(account, response);
                  return absl::OkStatus();
                });
}

grpc::Status ApiService::UnlockUser(grpc::ServerContext* context,
                                    const v1::UserRequest* request,
                                    v1::UserAccount* response) {
  return Handle(context, "user.unlock", request->username(),
                [&](const User& user, Lane& lane) {
                  ASSIGN_OR_RETURN(User target, lane.accounts.Unlock(
                                                    user, request->username()));
                  logins_->Forgive(request->username());
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

grpc::Status ApiService::CreateTeacherAccounts(
    grpc::ServerContext* context, const v1::UnitRequest* request,
    v1::CreateTeacherAccountsResponse* response) {
  return Handle(context, "user.create_teacher_accounts", request->unit_code(),
                [&](const User& user, Lane& lane) {
                  ASSIGN_OR_RETURN(std::vector<NewAccount> accounts,
                                   lane.accounts.CreateTeacherAccounts(
                                       user, request->unit_code().empty()
                                                 ? user.unit_code
                                                 : request->unit_code()));
                  for (const NewAccount& a : accounts)
                    ToProto(a, response->add_accounts());
                  return absl::OkStatus();
                });
}

grpc::Status ApiService::AddUnit(grpc::ServerContext* context,
                                 const v1::UnitInfo* request,
                                 v1::UnitInfo* response) {
  return Handle(
      context, "unit.add", request->code(), [&](const User& user, Lane& lane) {
        Unit unit;
        unit.code = request->code();
        unit.parent_code = request->parent_code();
        unit.level = static_cast<UnitLevel>(request->level());
        unit.name = request->name();
        unit.school_category =
            static_cast<v1::SchoolCategory>(request->school_category());
        ASSIGN_OR_RETURN(Unit added,
                         provincial::AddUnit(lane.store, user, unit));
        ToProto(added, response);
        return absl::OkStatus();
      });
}

grpc::Status ApiService::RenameUnit(grpc::ServerContext* context,
                                    const v1::RenameUnitRequest* request,
                                    v1::UnitInfo* response) {
  return Handle(context, "unit.rename", request->code(),
                [&](const User& user, Lane& lane) {
                  ASSIGN_OR_RETURN(
                      Unit unit,
                      provincial::RenameUnit(lane.store, user, request->code(),
                                             request->name()));
                  ToProto(unit, response);
                  return absl::OkStatus();
                });
}

grpc::Status ApiService::MoveUnit(grpc::ServerContext* context,
                                  const v1::MoveUnitRequest* request,
                                  v1::UnitInfo* response) {
  return Handle(
      context, "unit.move", request->code(), [&](const User& user, Lane& lane) {
        ASSIGN_OR_RETURN(Unit unit,
                         provincial::MoveUnit(lane.store, user, request->code(),
                                              request->new_parent_code()));
        ToProto(unit, response);
        return absl::OkStatus();
      });
}

grpc::Status ApiService::CloseUnit(grpc::ServerContext* context,
                                   const v1::CloseUnitRequest* request,
                                   v1::UnitInfo* response) {
  return Handle(context, "unit.close", request->code(),
                [&](const User& user, Lane& lane) {
                  ASSIGN_OR_RETURN(
                      Unit unit,
                      provincial::CloseUnit(lane.store, user, request->code(),
                                            request->reason()));
                  ToProto(unit, response);
                  return absl::OkStatus();
                });
}

grpc::Status ApiService::ListUnits(grpc::ServerContext* context,
                                   const v1::ListUnitsRequest* request,
                                   v1::ListUnitsResponse* response) {
  return Handle(context, "unit.list", request->unit_code(),
                [&](const User& user, Lane& lane) {
                  const std::string code = request->unit_code().empty()
                                               ? user.unit_code
                                               : request->unit_code();
                  RETURN_IF_ERROR(CheckWithin(lane.store, user, code));
                  ASSIGN_OR_RETURN(
                      std::vector<Unit> units,
                      ChildUnits(lane.store, code, request->include_closed()));
                  for (const Unit& u : units) ToProto(u, response->add_units());
                  return absl::OkStatus();
                });
}

grpc::Status ApiService::CreateTeacher(grpc::ServerContext* context,
                                       const v1::CreateTeacherRequest* request,
                                       v1::TeacherView* response) {
  return Handle(context, "teacher.create", request->school_code(),
                [&](const User& user, Lane& lane) {
                  return Fill(lane.workflow->CreateTeacher(user, *request),
                              response);
                });
}

grpc::Status ApiService::EditTeacher(grpc::ServerContext* context,
                                     const v1::EditTeacherRequest* request,
                                     v1::TeacherView* response) {
  return Handle(context, "teacher.edit", request->teacher_number(),
                [&](const User& user, Lane& lane) {
                  return Fill(lane.workflow->Edit(user, *request), response);
                });
}

grpc::Status ApiService::GetTeacher(grpc::ServerContext* context,
                                    const v1::TeacherRequest* request,
                                    v1::TeacherView* response) {
  return Handle(
      context,
      request->reveal_id_card() ? "teacher.read_id_card" : "teacher.read",
      request->teacher_number(), [&](const User& user, Lane& lane) {
        RETURN_IF_ERROR(Fill(
            lane.workflow->Get(user, request->teacher_number()), response));
        if (!request->reveal_id_card()) return absl::OkStatus();
        return Fill(
            lane.workflow->RevealIdCard(user, request->teacher_number()),
            response->mutable_id_card_number());
      });
}

grpc::Status ApiService::ListTeachers(grpc::ServerContext* context,
                                      const v1::ListTeachersRequest* request,
                                      v1::ListTeachersResponse* response) {
  // A search looks for a person and is recorded; a plain page is not
  // (common/audit_policy.h).
  const bool search = !request->search().empty();
  return Handle(
      context, search ? "teacher.search" : "teacher.list", request->unit_code(),
      [&](const User& user, Lane& lane) {
        return Fill(ListTeachersPage(lane, user, *request), response);
      },
      search ? absl::StrCat("search: ", request->search()) : std::string());
}

grpc::Status ApiService::SubmitTeacher(grpc::ServerContext* context,
                                       const v1::TeacherRequest* request,
                                       v1::TeacherView* response) {
  return Handle(context, "teacher.submit", request->teacher_number(),
                [&](const User& user, Lane& lane) {
                  return Fill(
                      lane.workflow->Submit(user, request->teacher_number()),
                      response);
                });
}

grpc::Status ApiService::ReviewTeacher(grpc::ServerContext* context,
                                       const v1::ReviewRequest* request,
                                       v1::TeacherView* response) {
  return Handle(context,
                request->decision() == v1::ReviewRequest::RETURN
                    ? "review.return"
                    : "review.approve",
                request->teacher_number(), [&](const User& user, Lane& lane) {
                  return Fill(lane.workflow->Review(user, *request), response);
                });
}

grpc::Status ApiService::RequestChange(grpc::ServerContext* context,
                                       const v1::EditTeacherRequest* request,
                                       v1::ChangeRequestView* response) {
  return Handle(context, "change.request", request->teacher_number(),
                [&](const User& user, Lane& lane) {
                  return Fill(lane.workflow->RequestChange(user, *request),
                              response);
                });
}

grpc::Status ApiService::DecideChange(grpc::ServerContext* context,
                                      const v1::DecideChangeRequest* request,
                                      v1::ChangeRequestView* response) {
  return Handle(
      context, request->approve() ? "change.approve" : "change.reject",
      absl::StrCat(request->id()), [&](const User& user, Lane& lane) {
        return Fill(lane.workflow->DecideChange(user, *request), response);
      });
}

grpc::Status ApiService::ReviewQueue(grpc::ServerContext* context,
                                     const v1::ReviewQueueRequest* request,
                                     v1::ReviewQueueResponse* response) {
  return Handle(context, "review.queue", "", [&](const User& user, Lane& lane) {
    return Fill(ReviewQueuePage(lane, user, *request), response);
  });
}

grpc::Status ApiService::TeacherHistory(grpc::ServerContext* context,
                                        const v1::TeacherRequest* request,
                                        v1::TeacherHistoryResponse* response) {
  return Handle(context, "teacher.history", request->teacher_number(),
                [&](const User& user, Lane& lane) {
                  return Fill(lane.workflow->History(user, *request), response);
                });
}

grpc::Status ApiService::Progress(grpc::ServerContext* context,
                                  const v1::UnitRequest* request,
                                  v1::ProgressReport* response) {
  return Handle(context, "report.progress", request->unit_code(),
                [&](const User& user, Lane& lane) {
                  return Fill(
                      ProgressOf(lane.store, user, request->unit_code()),
                      response);
                });
}

grpc::Status ApiService::QueryAudit(grpc::ServerContext* context,
                                    const v1::AuditQuery* request,
                                    v1::AuditEntries* response) {
  return Handle(
      context, "audit.query", request->unit_code(),
      [&](const User& user, Lane& lane) {
        AuditFilter filter;
        filter.actor = request->actor();
        filter.action = request->action();
        filter.target = request->target();
        filter.since_unix = request->since_unix();
        filter.until_unix = request->until_unix();
        filter.limit = request->limit();
        ASSIGN_OR_RETURN(
            std::vector<StoredAuditEntry> entries,
            provincial::QueryAudit(lane.store, lane.accounts, *audit_, user,
                                   std::move(filter), request->unit_code()));
        for (const StoredAuditEntry& e : entries) {
          v1::AuditRecord* r = response->add_entries();
          r->set_id(e.id);
          r->set_at_unix(e.at_unix);
          r->set_actor(e.entry.actor);
          r->set_action(e.entry.action);
          r->set_target(e.entry.target);
          r->set_result(e.entry.result);
          r->set_detail(e.entry.detail);
        }
        return absl::OkStatus();
      });
}

grpc::Status ApiService::VerifyAudit(grpc::ServerContext* context,
                                     const v1::VerifyAuditRequest* request,
                                     v1::VerifyAuditResponse* response) {
  return Handle(context, "audit.verify", "", [&](const User& user, Lane& lane) {
    AuditVerifyOptions options;
    options.full = request->full();
    if (request->archive()) options.archive_dir = archive_dir_;
    absl::StatusOr<AuditVerifyReport> checked =
        provincial::VerifyAudit(lane.store, *audit_, user, options);
    if (absl::IsPermissionDenied(checked.status())) return checked.status();
    response->set_intact(checked.ok());
    if (checked.ok()) {
      response->set_entries_checked(checked->entries);
      response->set_walked(checked->walked);
      response->set_archived(checked->archived);
      response->set_incremental(checked->incremental);
      response->set_archive_note(checked->archive_note);
    } else if (absl::IsDataLoss(checked.status())) {
      response->set_problem(std::string(checked.status().message()));
    } else {
      return checked.status();
    }
    return absl::OkStatus();
  });
}

void ApiService::AuditSensitive(const User& user,
                                const std::string& teacher_number,
                                const std::vector<std::string>& categories) {
  if (categories.empty()) return;
  audit_->Append({user.username, "teacher.read_sensitive", teacher_number, "ok",
                  absl::StrJoin(categories, ",")});
}

grpc::Status ApiService::GetCatalog(grpc::ServerContext* context,
                                    const v1::CatalogRequest*,
                                    v1::CategoryCatalog* response) {
  return Handle(context, "catalog.read", "",
                [&](const User&, Lane& lane) -> absl::Status {
                  ASSIGN_OR_RETURN(Catalog catalog, Catalog::Load(lane.store));
                  *response = catalog.catalog();
                  return absl::OkStatus();
                });
}

grpc::Status ApiService::GetFormCatalog(grpc::ServerContext* context,
                                        const v1::CatalogRequest*,
                                        v1::CategoryCatalog* response) {
  return Handle(context, "catalog.read", "",
                [&](const User&, Lane& lane) -> absl::Status {
                  ASSIGN_OR_RETURN(Catalog catalog, Catalog::Load(lane.store));
                  *response = FormCatalog(catalog.catalog());
                  return absl::OkStatus();
                });
}

grpc::Status ApiService::DefineIndicator(grpc::ServerContext* context,
                                         const v1::FieldDef* request,
                                         v1::FieldDef* response) {
  return Handle(
      context, "indicator.define", request->name(),
      [&](const User& user, Lane& lane) {
        RETURN_IF_ERROR(DefineCustomIndicator(lane.store, user, *request));
        *response = *request;
        return absl::OkStatus();
      });
}

grpc::Status ApiService::PutEntry(grpc::ServerContext* context,
                                  const v1::PutEntryRequest* request,
                                  v1::PutEntryResponse* response) {
  return Handle(
      context, request->delete_entry() ? "entry.delete" : "entry.put",
      absl::StrCat(request->teacher_number(), "/", request->category()),
      [&](const User& user, Lane& lane) {
        return Fill(lane.workflow->PutEntry(user, *request), response);
      });
}

grpc::Status ApiService::ListEntries(grpc::ServerContext* context,
                                     const v1::ListEntriesRequest* request,
                                     v1::ListEntriesResponse* response) {
  return Handle(
      context, "entry.list", request->teacher_number(),
      [&](const User& user, Lane& lane) {
        std::vector<std::string> sensitive;
        RETURN_IF_ERROR(Fill(
            lane.workflow->ListEntries(user, *request, &sensitive), response));
        AuditSensitive(user, request->teacher_number(), sensitive);
        return absl::OkStatus();
      });
}

grpc::Status ApiService::GetReviewForm(grpc::ServerContext* context,
                                       const v1::TeacherRequest* request,
                                       v1::ReviewForm* response) {
  return Handle(
      context, "teacher.review_form", request->teacher_number(),
      [&](const User& user, Lane& lane) {
        std::vector<std::string> sensitive;
        RETURN_IF_ERROR(Fill(
            lane.workflow->ReviewForm(user, request->teacher_number(),
                                      &sensitive, !request->without_catalog()),
            response));
        AuditSensitive(user, request->teacher_number(), sensitive);
        return absl::OkStatus();
      });
}

grpc::Status ApiService::ImportCategory(
    grpc::ServerContext* context, grpc::ServerReader<v1::ImportChunk>* reader,
    v1::ImportReport* report) {
  return RunImport(context, reader, report, ImportKind::kCategory);
}

grpc::Status ApiService::Export(grpc::ServerContext* context,
                                const v1::ExportRequest* request,
                                grpc::ServerWriter<v1::ExportChunk>* writer) {
  const std::string action = request->category().empty()
                                 ? "export.teachers"
                                 : "export." + request->category();
  absl::StatusOr<User> user = Authenticate(context, action);
  if (!user.ok()) return ToGrpcStatus(user.status());
  uint64_t rows = 0;
  absl::Status status = [&]() -> absl::Status {
    // Its own connection: an export of a large unit does not hold up the API.
    ASSIGN_OR_RETURN(Store store, Store::Open(db_path_));
    store.set_seal_key(keys_.seal_key);
    return ExportCsv(
        store, *user, *request,
        [&](const std::string& data) {
          v1::ExportChunk chunk;
          chunk.set_data(data);
          return writer->Write(chunk)
                     ? absl::OkStatus()
                     : absl::CancelledError("client went away");
        },
        &rows);
  }();
  audit_->Append({user->username, action, request->unit_code(),
                  StatusResult(status),
                  status.ok() ? absl::StrCat(rows, " rows")
                              : std::string(status.message())});
  return ToGrpcStatus(status);
}

}  // namespace ntmis::provincial

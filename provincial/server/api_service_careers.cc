// The careers RPCs of ApiService: each is one call of
// provincial/core/careers.h, with the adapter's authentication, lane and
// audit (ApiService::Handle).
#include "absl/strings/str_cat.h"
#include "provincial/server/api_service.h"
#include "provincial/server/api_service_internal.h"

namespace ntmis::provincial {

grpc::Status ApiService::FileTransfer(grpc::ServerContext* context,
                                      const v1::FileTransferRequest* request,
                                      v1::CareerCase* response) {
  return Handle(context, "career.transfer.file",
                request->teacher_number().empty() ? "(by ID card)"
                                                  : request->teacher_number(),
                [&](const User& user, Lane& lane) {
                  return Fill(lane.careers->FileTransfer(user, *request),
                              response);
                });
}

grpc::Status ApiService::FileStatusChange(
    grpc::ServerContext* context, const v1::FileStatusChangeRequest* request,
    v1::CareerCase* response) {
  return Handle(context, "career.status.file", request->teacher_number(),
                [&](const User& user, Lane& lane) {
                  return Fill(lane.careers->FileStatusChange(user, *request),
                              response);
                });
}

grpc::Status ApiService::FileRotation(grpc::ServerContext* context,
                                      const v1::FileRotationRequest* request,
                                      v1::CareerCase* response) {
  return Handle(context, "career.rotation.file", request->teacher_number(),
                [&](const User& user, Lane& lane) {
                  return Fill(lane.careers->FileRotation(user, *request),
                              response);
                });
}

grpc::Status ApiService::DecideCareerStep(
    grpc::ServerContext* context, const v1::DecideCareerStepRequest* request,
    v1::CareerCase* response) {
  return Handle(context,
                request->decision() == v1::DecideCareerStepRequest::RETURN
                    ? "career.return"
                    : "career.approve",
                absl::StrCat(request->case_id()),
                [&](const User& user, Lane& lane) {
                  return Fill(lane.careers->Decide(user, *request), response);
                });
}

grpc::Status ApiService::WithdrawCareerCase(
    grpc::ServerContext* context, const v1::CareerCaseRequest* request,
    v1::CareerCase* response) {
  return Handle(context, "career.withdraw", absl::StrCat(request->case_id()),
                [&](const User& user, Lane& lane) {
                  return Fill(lane.careers->Withdraw(user, *request), response);
                });
}

grpc::Status ApiService::EndRotation(grpc::ServerContext* context,
                                     const v1::CareerCaseRequest* request,
                                     v1::CareerCase* response) {
  return Handle(
      context, "career.rotation.end", absl::StrCat(request->case_id()),
      [&](const User& user, Lane& lane) {
        return Fill(lane.careers->EndRotation(user, *request), response);
      });
}

grpc::Status ApiService::GetCareerCase(grpc::ServerContext* context,
                                       const v1::CareerCaseRequest* request,
                                       v1::CareerCase* response) {
  return Handle(context, "career.read", absl::StrCat(request->case_id()),
                [&](const User& user, Lane& lane) {
                  return Fill(lane.careers->Get(user, request->case_id()),
                              response);
                });
}

grpc::Status ApiService::ListCareerCases(
    grpc::ServerContext* context, const v1::ListCareerCasesRequest* request,
    v1::ListCareerCasesResponse* response) {
  return Handle(context, "career.list", request->view(),
                [&](const User& user, Lane& lane) {
                  return Fill(lane.careers->List(user, *request), response);
                });
}

grpc::Status ApiService::GetRotationReport(
    grpc::ServerContext* context, const v1::RotationReportRequest* request,
    v1::RotationReport* response) {
  return Handle(context, "report.rotation", request->unit_code(),
                [&](const User& user, Lane& lane) {
                  return Fill(lane.careers->RotationReport(user, *request),
                              response);
                });
}

absl::StatusOr<int> ApiService::ApplyDueCareers(const Date& today) {
  absl::StatusOr<std::vector<v1::CareerCase>> closed;
  {
    StorePool::Lease lane = pool_->Acquire();
    closed = (*lane).careers->ApplyDue(today);
  }
  if (!closed.ok()) {
    audit_->Append({kSystemActor, "career.effective", "",
                    StatusResult(closed.status()),
                    std::string(closed.status().message())});
    return closed.status();
  }
  for (const v1::CareerCase& c : *closed)
    audit_->Append(
        {kSystemActor, "career.effective", absl::StrCat(c.id()),
         c.state() == "completed" ? "ok" : "FAILED_PRECONDITION",
         c.state() == "completed"
             ? absl::StrCat(c.kind_label(), "于 ", c.effective_date(), " 生效")
             : c.closing_reason()});
  return static_cast<int>(closed->size());
}

}  // namespace ntmis::provincial

// The teacher-record RPCs of ApiService: the review workflow
// (provincial/core/workflow.h), the lists a user works from
// (provincial/core/work_lists.h) and the progress report
// (provincial/core/progress.h).
#include "common/base/status_macros.h"
#include "provincial/core/progress.h"
#include "provincial/core/work_lists.h"
#include "provincial/core/workflow.h"
#include "provincial/server/api_service.h"
#include "provincial/server/api_service_internal.h"

namespace ntmis::provincial {

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
  // (common/audit/audit_policy.h).
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

}  // namespace ntmis::provincial

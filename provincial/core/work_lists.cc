#include "provincial/core/work_lists.h"

#include "common/base/status_macros.h"
#include "provincial/core/careers.h"
#include "provincial/core/units.h"
#include "provincial/core/workflow.h"

namespace ntmis::provincial {

absl::StatusOr<v1::ListTeachersResponse> ListTeachersPage(
    Lane& lane, const User& user, const v1::ListTeachersRequest& request) {
  ASSIGN_OR_RETURN(v1::ListTeachersResponse page,
                   lane.workflow->List(user, request));
  const std::string unit =
      request.unit_code().empty() ? user.unit_code : request.unit_code();
  const bool first = request.page_token().empty() && request.page() <= 1;
  if (!first || user.role == Role::kTeacher) return page;
  absl::StatusOr<Unit> listed = LoadUnit(lane.store, unit);
  if (!listed.ok() || listed->level != UnitLevel::kSchool) return page;
  ASSIGN_OR_RETURN(std::vector<v1::CareerCase> in,
                   lane.careers->RotatingIn(unit));
  for (v1::CareerCase& c : in) *page.add_rotating_in() = std::move(c);
  return page;
}

absl::StatusOr<v1::ReviewQueueResponse> ReviewQueuePage(
    Lane& lane, const User& user, const v1::ReviewQueueRequest& request) {
  ASSIGN_OR_RETURN(v1::ReviewQueueResponse queue,
                   lane.workflow->Queue(user, request));
  // The career steps waiting for the unit: its managers' and, at a school,
  // its responsible person's (Careers::CheckDecider).
  if (!request.page_token().empty() ||
      (user.role != Role::kManager && user.role != Role::kSysAdmin))
    return queue;
  v1::ListCareerCasesRequest waiting;
  waiting.set_view("waiting");
  ASSIGN_OR_RETURN(v1::ListCareerCasesResponse careers,
                   lane.careers->List(user, waiting));
  *queue.mutable_careers() = std::move(*careers.mutable_cases());
  return queue;
}

}  // namespace ntmis::provincial

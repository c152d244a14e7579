// The lists a user works from, as every transport answers them: the
// workflow's pages joined with what the careers add to them (the teachers
// rotating into a school, the career cases waiting for an information
// manager's unit). One place, so the gRPC API, the console and the CLI
// show the same.
//
// Thread-compatible: each call uses the caller's lane.
#ifndef NTMIS_PROVINCIAL_CORE_WORK_LISTS_H_
#define NTMIS_PROVINCIAL_CORE_WORK_LISTS_H_

#include "absl/status/statusor.h"
#include "ntmis/v1/provincial.pb.h"
#include "provincial/core/store_pool.h"
#include "provincial/core/user.h"

namespace ntmis::provincial {

// A page of teachers (Workflow::List); a school's first page, for staff,
// also holds the teachers of other schools rotating in today (交流轮岗),
// who still belong to their home school.
absl::StatusOr<v1::ListTeachersResponse> ListTeachersPage(
    Lane& lane, const User& user, const v1::ListTeachersRequest& request);

// The review queue (Workflow::Queue); an information manager's first page
// also holds the career cases waiting for their unit's decision.
absl::StatusOr<v1::ReviewQueueResponse> ReviewQueuePage(
    Lane& lane, const User& user, const v1::ReviewQueueRequest& request);

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_CORE_WORK_LISTS_H_

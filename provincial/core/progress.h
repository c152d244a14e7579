// Progress of data entry and review for a unit: the monthly report a
// province sends upward. Counts per stage for the unit and each child unit,
// with the teachers not yet effective.
#ifndef NTMIS_PROVINCIAL_CORE_PROGRESS_H_
#define NTMIS_PROVINCIAL_CORE_PROGRESS_H_

#include <string>

#include "absl/status/statusor.h"
#include "ntmis/v1/provincial.pb.h"
#include "provincial/core/accounts.h"
#include "provincial/core/store.h"

namespace ntmis::provincial {

// For `unit_code` (the user's unit when empty), which must be within the
// user's scope. Withdrawn and transferred teachers are not counted.
// Stages are cumulative: a re-reviewed (effective) teacher also counts as
// submitted and school-approved.
absl::StatusOr<v1::ProgressReport> ProgressOf(Store& store, const User& user,
                                              const std::string& unit_code);

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_CORE_PROGRESS_H_

// The outlook (docs/architecture.md, "The ministry's console"): per
// province, city, county, school category, title or post, how many teachers
// reach the statutory retirement age in the next 1, 3, 5 and 10 years and
// in each of the next ten years, with the 2025 reform applied
// (national/query/retirement_rules.h), beside how many were hired in each
// of the last ten years — so a place's net flow is visible. Answered from
// each province's outlook cube (national/rollup/outlook_cell.h), never from
// teacher rows; a teacher without a known gender or birth date is counted
// in `teachers` only.
#ifndef NTMIS_NATIONAL_QUERY_OUTLOOK_H_
#define NTMIS_NATIONAL_QUERY_OUTLOOK_H_

#include "absl/status/statusor.h"
#include "common/base/dates.h"
#include "national/ingest/national_store.h"
#include "ntmis/v1/query.pb.h"

namespace ntmis::national {

// INVALID_ARGUMENT (in Chinese) for an unknown breakdown, filter or value,
// or a bad date.
absl::StatusOr<v1::OutlookResponse> Outlook(NationalStore& store,
                                            const v1::OutlookRequest& request,
                                            const Date& today);

}  // namespace ntmis::national

#endif  // NTMIS_NATIONAL_QUERY_OUTLOOK_H_

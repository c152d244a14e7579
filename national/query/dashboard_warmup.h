// The ministry dashboard's own questions asked once when the node starts
// (national/web/assets/screens/dashboard.js asks them on every view), so
// their views exist before the first operator opens the dashboard: the
// national panels, a province's cities and a city's counties (the
// drill-down; the filter values do not matter, only which fields are
// filtered and grouped), and the outlook's two shapes. From then on each
// view follows every batch (national/rollup/rollup_cube.h).
#ifndef NTMIS_NATIONAL_QUERY_DASHBOARD_WARMUP_H_
#define NTMIS_NATIONAL_QUERY_DASHBOARD_WARMUP_H_

#include "absl/status/statusor.h"
#include "common/base/dates.h"
#include "national/ingest/national_store.h"

namespace ntmis::national {

// Asks every dashboard question once; returns how many it asked.
absl::StatusOr<int> WarmDashboard(NationalStore& store, const Date& today);

}  // namespace ntmis::national

#endif  // NTMIS_NATIONAL_QUERY_DASHBOARD_WARMUP_H_

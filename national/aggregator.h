// National aggregates: teacher counts grouped by up to four dimensions with
// filters, merged across the province files from their rollups (never from
// teacher rows).
#ifndef NTMIS_NATIONAL_AGGREGATOR_H_
#define NTMIS_NATIONAL_AGGREGATOR_H_

#include "absl/status/statusor.h"
#include "national/national_store.h"
#include "ntmis/v1/query.pb.h"

namespace ntmis::national {

// INVALID_ARGUMENT for unknown dimensions or values, more than four
// dimensions, or a dimension named twice; the message lists what is allowed.
absl::StatusOr<v1::AggregateResponse> Aggregate(NationalStore& store,
                                                const v1::AggregateRequest& request);

}  // namespace ntmis::national

#endif  // NTMIS_NATIONAL_AGGREGATOR_H_

// National aggregates: teacher counts grouped by up to four dimensions with
// filters, merged across the province files from their rollups (never from
// teacher rows).
#ifndef NTMIS_NATIONAL_QUERY_AGGREGATOR_H_
#define NTMIS_NATIONAL_QUERY_AGGREGATOR_H_

#include "absl/status/statusor.h"
#include "common/base/dates.h"
#include "national/ingest/national_store.h"
#include "ntmis/v1/query.pb.h"

namespace ntmis::national {

// Ages are counted on the statistics date of the request's reference year
// (by default the latest one on or before `today`). INVALID_ARGUMENT for
// unknown dimensions or values, more than four dimensions, a dimension
// named twice or a bad reference date; the message lists what is allowed.
absl::StatusOr<v1::AggregateResponse> Aggregate(
    NationalStore& store, const v1::AggregateRequest& request,
    const Date& today);

// What Aggregate accepts, as a console offers it: every dimension with its
// label and values, and the reference years (the latest ten statistics
// dates on or before `today`).
v1::ListDimensionsResponse DescribeDimensions(const Date& today);

}  // namespace ntmis::national

#endif  // NTMIS_NATIONAL_QUERY_AGGREGATOR_H_

// National reference data at the province: every sync pulls the national
// core catalog version, the national code tables when they differ from
// this build's (to name the codes this build lacks), and the schools of
// this province that changed in the national school registry since the
// version the province has, applying each page in one transaction with the
// version it completes (an interrupted pull resumes from there).
#ifndef NTMIS_PROVINCIAL_SYNC_REFERENCE_DATA_H_
#define NTMIS_PROVINCIAL_SYNC_REFERENCE_DATA_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "provincial/core/store.h"
#include "provincial/sync/national_channel.h"

namespace ntmis::provincial {

// Schools received.
absl::StatusOr<uint64_t> PullReference(NationalChannel& client, Store& store);

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_SYNC_REFERENCE_DATA_H_

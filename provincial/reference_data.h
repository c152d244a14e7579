// National reference data at the province: every sync pulls the national
// core catalog version, the national code tables when they differ from
// this build's (to name the codes this build lacks), and the schools of
// this province that changed in the national school registry since the
// version the province has, applying each page in one transaction with the
// version it completes (an interrupted pull resumes from there).
#ifndef NTMIS_PROVINCIAL_REFERENCE_DATA_H_
#define NTMIS_PROVINCIAL_REFERENCE_DATA_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "provincial/store.h"
#include "provincial/sync_client.h"

namespace ntmis::provincial {

// Store meta keys.
inline constexpr char kRegistryVersionMeta[] = "school_registry_version";
inline constexpr char kNationalCatalogMeta[] = "national_catalog_version";
// National codes this build lacks ("table code label; ..."), empty when none.
inline constexpr char kMissingCodesMeta[] = "national_codes_missing";

// Schools received.
absl::StatusOr<uint64_t> PullReference(SyncClient& client, Store& store);

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_REFERENCE_DATA_H_

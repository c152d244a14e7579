// The versions a province and the national node exchange at the start of
// every sync (docs/architecture.md, the sync protocol), and the one rule both
// sides use to decide whether a difference can be bridged.
#ifndef NTMIS_COMMON_TEACHER_SYNC_VERSIONS_H_
#define NTMIS_COMMON_TEACHER_SYNC_VERSIONS_H_

#include <cstdint>

#include "absl/status/status.h"

namespace ntmis {

// Protocol 1: cursor + push. Protocol 2: version negotiation, an end
// marker on every push stream, moves, held records, digests.
inline constexpr uint32_t kProtocolVersion = 2;
inline constexpr uint32_t kMinProtocolVersion = 2;
// The core indicator catalog (proto/ntmis/v1/teacher.proto + codes.proto).
// Raise it with every change of either; older catalogs stay readable.
inline constexpr uint32_t kCoreCatalogVersion = 1;

struct SyncVersions {
  uint32_t protocol = 0;      // 0 = a peer from before negotiation (protocol 1)
  uint32_t min_protocol = 0;  // the oldest protocol the peer accepts
  uint32_t catalog = 0;       // 0 = catalog 1
};

SyncVersions OwnSyncVersions();

// OK when a province at `province` can sync with a national node at
// `national`; otherwise FAILED_PRECONDITION saying which side to upgrade.
// A province on an older catalog is bridged: it keeps sending the fields it
// knows.
absl::Status CheckSyncVersions(const SyncVersions& province,
                               const SyncVersions& national);

}  // namespace ntmis

#endif  // NTMIS_COMMON_TEACHER_SYNC_VERSIONS_H_

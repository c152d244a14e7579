// What an operator does to the node's data on its host, outside any RPC:
// publishing the school registry and accepting a province's audit chain.
// Each decides, stores and audits here; the CLI (national/cli/) converts
// its flags and prints.
#ifndef NTMIS_NATIONAL_SERVER_OPERATIONS_H_
#define NTMIS_NATIONAL_SERVER_OPERATIONS_H_

#include <string>

#include "absl/status/statusor.h"
#include "national/registry/school_registry.h"
#include "ntmis/v1/config.pb.h"
#include "ntmis/v1/sync.pb.h"

namespace ntmis::national {

// Checks `csv` (from `source`, a file name for the audit) as the school
// registry and, unless `dry_run`, publishes it all or nothing: the result
// lists every problem, and nothing is stored when there is one. A real
// import is audited as "registry.import" before this returns.
absl::StatusOr<SchoolRegistry::ImportResult> ImportSchoolRegistry(
    const v1::NationalConfig& config, const std::string& csv,
    const std::string& source, bool dry_run);

// Forgets the audit head held for `province` after its break was looked
// into (e.g. the province was restored from a backup): its next sync
// anchors its chain as it is then. `reason` is required and audited.
// Returns the head that was held.
absl::StatusOr<v1::AuditAnchorState> AcceptProvinceAudit(
    const v1::NationalConfig& config, const std::string& province,
    const std::string& reason);

}  // namespace ntmis::national

#endif  // NTMIS_NATIONAL_SERVER_OPERATIONS_H_

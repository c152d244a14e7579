// "One person, one number" across provinces, from the province's side:
// before teachers are created the node asks the national identity registry
// whether these people already have a teacher number (the existing number
// is then reused); a teacher created while the national node could not
// answer is provisional, and the next sync asks again before pushing and
// renumbers it if the person turns out to have a number already. Every
// sync then pulls the identity conflicts that involve this province.
#ifndef NTMIS_PROVINCIAL_SYNC_IDENTITIES_H_
#define NTMIS_PROVINCIAL_SYNC_IDENTITIES_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "provincial/core/identity_resolver.h"
#include "provincial/core/store.h"
#include "provincial/sync/national_channel.h"

namespace ntmis::provincial {

// Over the NationalSync channel (the node certificate), in
// requests of at most 10,000 people.
std::unique_ptr<IdentityResolver> NationalResolver(
    std::unique_ptr<NationalChannel> client);
// The same over a client the caller keeps.
std::unique_ptr<IdentityResolver> NationalResolver(NationalChannel& client);

// Settles every provisional teacher: asks the registry, renumbers the ones
// the national node knows under another number (record, outbox entries),
// and clears the flag; all in one transaction per chunk. Returns how many
// were renumbered.
absl::StatusOr<uint64_t> ReconcileProvisional(Store& store,
                                              IdentityResolver& resolver);

// Replaces the stored identity conflicts with the national node's view.
absl::Status PullIdentityConflicts(NationalChannel& client, Store& store);

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_SYNC_IDENTITIES_H_

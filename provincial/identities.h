// "One person, one number" across provinces, from the province's side:
// before teachers are created the node asks the national identity registry
// whether these people already have a teacher number (the existing number
// is then reused); a teacher created while the national node could not
// answer is provisional, and the next sync asks again before pushing and
// renumbers it if the person turns out to have a number already. Every
// sync then pulls the identity conflicts that involve this province.
#ifndef NTMIS_PROVINCIAL_IDENTITIES_H_
#define NTMIS_PROVINCIAL_IDENTITIES_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "provincial/store.h"
#include "provincial/sync_client.h"

namespace ntmis::provincial {

struct KnownIdentity {
  std::string teacher_number;
  std::string owner_province;  // two digits
};

// Asks the national registry about people by their keyed ID-card hash.
// Thread-safe.
class IdentityResolver {
 public:
  virtual ~IdentityResolver() = default;
  // Parallel to `id_hashes`; an error (UNAVAILABLE, DEADLINE_EXCEEDED…) when
  // the national node cannot answer now.
  virtual absl::StatusOr<std::vector<std::optional<KnownIdentity>>> Resolve(
      const std::vector<std::string>& id_hashes) = 0;
};

// Over the sync client's NationalSync channel (the node certificate), in
// requests of at most 10,000 people.
std::unique_ptr<IdentityResolver> NationalResolver(std::unique_ptr<SyncClient> client);
// The same over a client the caller keeps.
std::unique_ptr<IdentityResolver> NationalResolver(SyncClient& client);

// Settles every provisional teacher: asks the registry, renumbers the ones
// the national node knows under another number (record, outbox entries),
// and clears the flag; all in one transaction per chunk. Returns how many
// were renumbered.
absl::StatusOr<uint64_t> ReconcileProvisional(Store& store, IdentityResolver& resolver);

// Replaces the stored identity conflicts with the national node's view.
absl::Status PullIdentityConflicts(SyncClient& client, Store& store);

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_IDENTITIES_H_

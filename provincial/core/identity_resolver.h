// What the core asks the national identity registry before it numbers a
// new teacher ("one person, one number" across provinces). The core only
// knows this interface; provincial/sync/identities.h answers it over the
// national channel, and tests answer it in memory.
#ifndef NTMIS_PROVINCIAL_CORE_IDENTITY_RESOLVER_H_
#define NTMIS_PROVINCIAL_CORE_IDENTITY_RESOLVER_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

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

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_CORE_IDENTITY_RESOLVER_H_

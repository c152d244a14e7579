// Peers the national node refused because their certificate is revoked
// (common/pki/revocation_check.h, MakeRevokedPeerGate), kept in memory for
// `query provinces` and for reporting: each refusal is counted in the
// metrics; the log and the audit hear of a peer at its first refusal and
// then at most once a minute, with the number refused since
// (docs/operators.md, "Certificates and revocation").
//
// In memory only: after a restart a revoked province shows again at its
// next attempt (its sync retries on its schedule).
//
// Thread-safe.
#ifndef NTMIS_NATIONAL_REGISTRY_REVOKED_PEERS_H_
#define NTMIS_NATIONAL_REGISTRY_REVOKED_PEERS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "common/pki/revocation_check.h"

namespace ntmis::national {

struct RevokedPeerState {
  RevokedPeer peer;
  int64_t first_refused_unix = 0;
  int64_t last_refused_unix = 0;
  uint64_t refused = 0;  // calls refused in all
};

class RevokedPeers {
 public:
  // One refused call. Returns the calls refused since the last report when
  // this one is to be reported (the first, then at most once a minute),
  // else 0.
  uint64_t Record(const RevokedPeer& peer, int64_t now_unix)
      ABSL_LOCKS_EXCLUDED(mu_);

  // The latest refusal of a certificate naming `identity` (a peer URI).
  std::optional<RevokedPeerState> Of(const std::string& identity) const
      ABSL_LOCKS_EXCLUDED(mu_);

  static constexpr int64_t kReportEverySeconds = 60;

 private:
  struct Entry {
    RevokedPeerState state;
    int64_t reported_unix = 0;
    uint64_t unreported = 0;
  };
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Entry> by_identity_ ABSL_GUARDED_BY(mu_);
};

}  // namespace ntmis::national

#endif  // NTMIS_NATIONAL_REGISTRY_REVOKED_PEERS_H_

#include "national/registry/revoked_peers.h"

namespace ntmis::national {

uint64_t RevokedPeers::Record(const RevokedPeer& peer, int64_t now_unix) {
  absl::MutexLock lock(&mu_);
  // The newest certificate refused names the peer; a bounded set (the
  // CA's identities), so no eviction is needed.
  Entry& e = by_identity_[peer.identity.empty() ? "serial " + peer.serial
                                                : peer.identity];
  if (e.state.peer.serial != peer.serial) {
    e.state.peer = peer;
    e.state.first_refused_unix = now_unix;
  }
  e.state.last_refused_unix = now_unix;
  ++e.state.refused;
  ++e.unreported;
  if (e.reported_unix != 0 && now_unix - e.reported_unix < kReportEverySeconds)
    return 0;
  e.reported_unix = now_unix;
  const uint64_t since = e.unreported;
  e.unreported = 0;
  return since;
}

std::optional<RevokedPeerState> RevokedPeers::Of(
    const std::string& identity) const {
  absl::MutexLock lock(&mu_);
  auto it = by_identity_.find(identity);
  if (it == by_identity_.end()) return std::nullopt;
  return it->second.state;
}

}  // namespace ntmis::national

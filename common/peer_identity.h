// Federation identities carried in certificate URI SANs (SPIFFE style):
// spiffe://ntmis/national, spiffe://ntmis/province/44,
// spiffe://ntmis/operator/<name>. The CN is informational only.
#ifndef NTMIS_COMMON_PEER_IDENTITY_H_
#define NTMIS_COMMON_PEER_IDENTITY_H_

#include <string>
#include "absl/strings/string_view.h"

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"

namespace ntmis {

struct PeerIdentity {
  enum class Kind { kNational, kProvince, kOperator };
  Kind kind;
  std::string name;  // province code or operator name; empty for national

  std::string Uri() const;
  static PeerIdentity National() { return {Kind::kNational, ""}; }
  static PeerIdentity Province(std::string code) {
    return {Kind::kProvince, std::move(code)};
  }
  static PeerIdentity Operator(std::string name) {
    return {Kind::kOperator, std::move(name)};
  }
};

// Parses a spiffe://ntmis/... URI; INVALID_ARGUMENT for anything else.
absl::StatusOr<PeerIdentity> ParsePeerIdentity(absl::string_view uri);

// The verified identity of the caller of a gRPC handler, from the URI SAN of
// its client certificate. UNAUTHENTICATED when there is none or it is not a
// federation identity.
absl::StatusOr<PeerIdentity> CallerIdentity(const grpc::ServerContext& context);

}  // namespace ntmis

#endif  // NTMIS_COMMON_PEER_IDENTITY_H_

// Federation identities carried in certificate URI SANs (SPIFFE style):
// spiffe://ntmis/national, spiffe://ntmis/province/44,
// spiffe://ntmis/operator/<role>/<name> with role admin (ministry
// administrator), manager (information manager) or querier. The CN is
// informational only. An operator URI without a role
// (spiffe://ntmis/operator/<name>, issued before roles existed) is a querier.
#ifndef NTMIS_COMMON_PKI_PEER_IDENTITY_H_
#define NTMIS_COMMON_PKI_PEER_IDENTITY_H_

#include <grpcpp/grpcpp.h>

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ntmis {

// Ordered: each role may do what the ones below it may.
enum class OperatorRole { kQuerier = 0, kManager = 1, kAdmin = 2 };

// "admin", "manager", "querier".
std::string OperatorRoleName(OperatorRole role);
// INVALID_ARGUMENT naming the roles.
absl::StatusOr<OperatorRole> ParseOperatorRole(absl::string_view name);

struct PeerIdentity {
  enum class Kind { kNational, kProvince, kOperator };
  Kind kind;
  std::string name;  // province code or operator name; empty for national
  OperatorRole role = OperatorRole::kQuerier;  // operators only

  std::string Uri() const;
  static PeerIdentity National() { return {Kind::kNational, ""}; }
  static PeerIdentity Province(std::string code) {
    return {Kind::kProvince, std::move(code)};
  }
  static PeerIdentity Operator(std::string name,
                               OperatorRole role = OperatorRole::kQuerier) {
    return {Kind::kOperator, std::move(name), role};
  }
};

// Parses a spiffe://ntmis/... URI; INVALID_ARGUMENT for anything else.
absl::StatusOr<PeerIdentity> ParsePeerIdentity(absl::string_view uri);

// The verified identity of the caller of a gRPC handler, from the URI SAN of
// its client certificate. UNAUTHENTICATED when there is none or it is not a
// federation identity.
absl::StatusOr<PeerIdentity> CallerIdentity(const grpc::ServerContext& context);

}  // namespace ntmis

#endif  // NTMIS_COMMON_PKI_PEER_IDENTITY_H_

#include "common/pki/peer_identity.h"

#include <grpc/grpc_security_constants.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/teacher/code_tables.h"

namespace ntmis {
namespace {
constexpr absl::string_view kPrefix = "spiffe://ntmis/";
}  // namespace

std::string OperatorRoleName(OperatorRole role) {
  switch (role) {
    case OperatorRole::kAdmin:
      return "admin";
    case OperatorRole::kManager:
      return "manager";
    case OperatorRole::kQuerier:
      return "querier";
  }
  return {};
}

absl::StatusOr<OperatorRole> ParseOperatorRole(absl::string_view name) {
  for (OperatorRole r :
       {OperatorRole::kAdmin, OperatorRole::kManager, OperatorRole::kQuerier})
    if (name == OperatorRoleName(r)) return r;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown operator role '", name,
                   "'; allowed: admin (ministry administrator), manager "
                   "(information manager), querier"));
}

std::string PeerIdentity::Uri() const {
  switch (kind) {
    case Kind::kNational:
      return absl::StrCat(kPrefix, "national");
    case Kind::kProvince:
      return absl::StrCat(kPrefix, "province/", name);
    case Kind::kOperator:
      return absl::StrCat(kPrefix, "operator/", OperatorRoleName(role), "/",
                          name);
  }
  return {};
}

absl::StatusOr<PeerIdentity> ParsePeerIdentity(absl::string_view uri) {
  if (!absl::StartsWith(uri, kPrefix)) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a federation identity: ", uri));
  }
  absl::string_view rest = uri.substr(kPrefix.size());
  if (rest == "national") return PeerIdentity::National();
  if (absl::ConsumePrefix(&rest, "province/")) {
    int code = 0;
    if (rest.size() == 2 && absl::SimpleAtoi(rest, &code) &&
        IsProvinceCode(code))
      return PeerIdentity::Province(std::string(rest));
  } else if (absl::ConsumePrefix(&rest, "operator/")) {
    size_t slash = rest.find('/');
    if (slash == absl::string_view::npos) {
      if (!rest.empty()) return PeerIdentity::Operator(std::string(rest));
    } else {
      auto role = ParseOperatorRole(rest.substr(0, slash));
      absl::string_view name = rest.substr(slash + 1);
      if (role.ok() && !name.empty() &&
          name.find('/') == absl::string_view::npos)
        return PeerIdentity::Operator(std::string(name), *role);
    }
  }
  return absl::InvalidArgumentError(
      absl::StrCat("not a federation identity: ", uri));
}

absl::StatusOr<PeerIdentity> CallerIdentity(
    const grpc::ServerContext& context) {
  auto auth = context.auth_context();
  if (auth == nullptr || !auth->IsPeerAuthenticated()) {
    return absl::UnauthenticatedError("no verified client certificate");
  }
  for (const auto& value :
       auth->FindPropertyValues(GRPC_PEER_URI_PROPERTY_NAME)) {
    auto identity =
        ParsePeerIdentity(absl::string_view(value.data(), value.size()));
    if (identity.ok()) return identity;
  }
  return absl::UnauthenticatedError(
      "client certificate carries no spiffe://ntmis/ URI SAN");
}

}  // namespace ntmis

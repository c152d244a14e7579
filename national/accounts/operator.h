// Who acts at the national node: a ministry operator, come in either with
// an operator certificate (the CLI over gRPC) or with a central account's
// session (the ministry's web console). Both carry one of the three roles,
// and every rule of the national core decides by it (docs/architecture.md,
// "The ministry's console").
#ifndef NTMIS_NATIONAL_ACCOUNTS_OPERATOR_H_
#define NTMIS_NATIONAL_ACCOUNTS_OPERATOR_H_

#include <string>

#include "absl/status/statusor.h"
#include "common/pki/peer_identity.h"
#include "ntmis/v1/query.pb.h"

namespace ntmis::national {

struct Operator {
  // As the audit names it: the certificate's URI
  // (spiffe://ntmis/operator/ROLE/NAME), or the central account's name.
  std::string who;
  OperatorRole role = OperatorRole::kQuerier;
  bool by_certificate = false;
};

// "系统管理员", "信息管理员", "查询员".
const char* CentralRoleLabel(OperatorRole role);
v1::CentralRole CentralRoleToProto(OperatorRole role);
// INVALID_ARGUMENT for UNSPECIFIED.
absl::StatusOr<OperatorRole> CentralRoleFromProto(v1::CentralRole role);

// OK if `op`'s role is at least `needs`; PERMISSION_DENIED naming the
// action (as the operator reads it, e.g. "按身份证号查询教师") and the
// roles that may.
absl::Status RequireRole(const Operator& op, OperatorRole needs,
                         const std::string& action);

}  // namespace ntmis::national

#endif  // NTMIS_NATIONAL_ACCOUNTS_OPERATOR_H_

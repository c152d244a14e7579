// Converts between absl::Status and grpc::Status code for code, so the
// reason a call failed survives the wire.
#ifndef NTMIS_COMMON_RPC_GRPC_STATUS_H_
#define NTMIS_COMMON_RPC_GRPC_STATUS_H_

#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"

namespace ntmis {

grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace ntmis

#endif  // NTMIS_COMMON_RPC_GRPC_STATUS_H_

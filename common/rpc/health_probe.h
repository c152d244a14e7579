// A client of grpc.health.v1.Health/Check, for the `probe` commands that
// scripts and systemd run and for tests. The health messages are encoded by
// hand (Debian's gRPC ships no generated health client): the request is
// empty (every service), the answer's field 1 is the serving status.
#ifndef NTMIS_COMMON_RPC_HEALTH_PROBE_H_
#define NTMIS_COMMON_RPC_HEALTH_PROBE_H_

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace ntmis {

// "SERVING", "NOT_SERVING", "UNKNOWN" or "SERVICE_UNKNOWN"; UNAVAILABLE
// with gRPC's message when the node cannot be reached within `timeout`.
absl::StatusOr<std::string> ProbeHealth(
    const std::shared_ptr<grpc::Channel>& channel,
    std::chrono::milliseconds timeout);

}  // namespace ntmis

#endif  // NTMIS_COMMON_RPC_HEALTH_PROBE_H_

// Starting a gRPC server the way both nodes do: one listening address,
// given credentials, NTMIS's message-size limits, and the bound port.
#ifndef NTMIS_COMMON_RPC_GRPC_SERVER_H_
#define NTMIS_COMMON_RPC_GRPC_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace ntmis {

class AuditLog;

struct RunningServer {
  std::unique_ptr<grpc::Server> server;
  int port = 0;  // the bound port (useful with "host:0")
};

// OK if `listen` (HOST:PORT) resolves and one of its addresses can be bound
// now; otherwise UNAVAILABLE (exit code kCannotListen) saying why and what
// to do: address in use, a host that does not resolve, a port the user may
// not bind, an address this machine lacks. It binds nothing lasting.
absl::Status CheckCanListen(const std::string& listen);

// CheckCanListen, then the server; UNAVAILABLE naming the address if it
// cannot listen. Never returns a server that is not listening.
// The server also answers grpc.health.v1.Health and server reflection.
// `max_connection_age` (when positive) closes every connection after that
// long, giving its calls `max_connection_grace` to finish.
struct ConnectionLimits {
  std::chrono::milliseconds max_age{0};
  std::chrono::milliseconds grace{0};
};
absl::StatusOr<RunningServer> StartGrpcServer(
    const std::string& listen, std::shared_ptr<grpc::ServerCredentials> creds,
    const std::vector<grpc::Service*>& services, ConnectionLimits limits = {});

// Keeps the server's health NOT_SERVING while `audit` cannot be written and
// SERVING again once it can (common/audit/audit_log.h: the node then refuses
// calls). Before the server is destroyed, clear the listener
// (audit.SetWritableListener(nullptr)).
void FollowAuditInHealth(AuditLog& audit, grpc::Server& server);

// Health turns NOT_SERVING; for a moment (a third of the time to
// `deadline`, at most 2 s) the server still answers, so health checks and
// load balancers see NOT_SERVING and stop sending; then it shuts down by
// `deadline`, letting calls in flight finish.
void DrainGrpcServer(grpc::Server& server,
                     std::chrono::system_clock::time_point deadline);

}  // namespace ntmis

#endif  // NTMIS_COMMON_RPC_GRPC_SERVER_H_

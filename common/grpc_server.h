// Starting a gRPC server the way both nodes do: one listening address,
// given credentials, NTMIS's message-size limits, and the bound port.
#ifndef NTMIS_COMMON_GRPC_SERVER_H_
#define NTMIS_COMMON_GRPC_SERVER_H_

#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"

namespace ntmis {

struct RunningServer {
  std::unique_ptr<grpc::Server> server;
  int port = 0;  // the bound port (useful with "host:0")
};

// UNAVAILABLE naming the address if it cannot listen.
absl::StatusOr<RunningServer> StartGrpcServer(
    const std::string& listen, std::shared_ptr<grpc::ServerCredentials> creds,
    const std::vector<grpc::Service*>& services);

}  // namespace ntmis

#endif  // NTMIS_COMMON_GRPC_SERVER_H_

#include "common/grpc_server.h"

#include "absl/strings/str_cat.h"
#include "common/tls.h"

namespace ntmis {

absl::StatusOr<RunningServer> StartGrpcServer(
    const std::string& listen, std::shared_ptr<grpc::ServerCredentials> creds,
    const std::vector<grpc::Service*>& services) {
  if (listen.empty()) return absl::InvalidArgumentError("listen is not set");
  RunningServer running;
  grpc::ServerBuilder builder;
  builder.AddListeningPort(listen, std::move(creds), &running.port);
  builder.SetMaxReceiveMessageSize(kMaxMessageBytes);
  builder.SetMaxSendMessageSize(kMaxMessageBytes);
  // Find peers that vanished without closing the connection (a pulled
  // cable, a killed VM): ping after a minute of silence, drop after 20 s.
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 60000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20000);
  for (grpc::Service* service : services) builder.RegisterService(service);
  running.server = builder.BuildAndStart();
  if (running.server == nullptr || running.port == 0)
    return absl::UnavailableError(absl::StrCat("cannot listen on ", listen));
  return running;
}

}  // namespace ntmis

#include "common/rpc/health_probe.h"

#include <grpcpp/generic/generic_stub.h>

#include <future>
#include <vector>

#include "absl/strings/str_cat.h"

namespace ntmis {

absl::StatusOr<std::string> ProbeHealth(
    const std::shared_ptr<grpc::Channel>& channel,
    std::chrono::milliseconds timeout) {
  grpc::GenericStub stub(channel);
  grpc::Slice empty(
      std::string{});  // HealthCheckRequest{}: no bytes, but a message
  grpc::ByteBuffer request(&empty, 1), response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + timeout);
  std::promise<grpc::Status> done;
  stub.UnaryCall(&context, "/grpc.health.v1.Health/Check", grpc::StubOptions(),
                 &request, &response, [&done](grpc::Status status) {
                   done.set_value(std::move(status));
                 });
  const grpc::Status status = done.get_future().get();
  if (!status.ok()) {
    return absl::UnavailableError(
        absl::StrCat("health check failed: ", status.error_message()));
  }
  std::vector<grpc::Slice> slices;
  (void)response.Dump(&slices);
  std::string bytes;
  for (const grpc::Slice& s : slices)
    bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  // HealthCheckResponse{status = 1}: tag 0x08, then the value (0..3).
  int value = 0;  // an empty answer is status 0, UNKNOWN
  if (bytes.size() == 2 && bytes[0] == '\x08')
    value = static_cast<unsigned char>(bytes[1]);
  switch (value) {
    case 1:
      return std::string("SERVING");
    case 2:
      return std::string("NOT_SERVING");
    case 3:
      return std::string("SERVICE_UNKNOWN");
    default:
      return std::string("UNKNOWN");
  }
}

}  // namespace ntmis

#include "common/rpc/grpc_server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/audit/audit_log.h"
#include "common/base/exit_code.h"
#include "common/metrics/metrics.h"
#include "common/pki/tls.h"

namespace ntmis {
namespace {

absl::Status CannotListen(const std::string& listen, absl::string_view why) {
  return WithExitCode(absl::UnavailableError(
                          absl::StrCat("cannot listen on ", listen, ": ", why)),
                      ExitCode::kCannotListen);
}

// Why a bind to one address fails, in words an operator acts on.
std::string BindProblem(int err) {
  switch (err) {
    case EADDRINUSE:
      return "address already in use — is another node running? choose another "
             "listen address";
    case EACCES:
    case EPERM:
      return "permission denied — ports below 1024 need root or "
             "CAP_NET_BIND_SERVICE; "
             "choose a port above 1023";
    case EADDRNOTAVAIL:
      return "this machine has no such address — listen on one of its own "
             "addresses "
             "(e.g. 127.0.0.1 or 0.0.0.0)";
    default:
      return std::strerror(err);
  }
}

}  // namespace

absl::Status CheckCanListen(const std::string& listen) {
  const size_t colon = listen.rfind(':');
  int port = -1;
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(listen.substr(colon + 1), &port) || port < 0 ||
      port > 65535) {
    return WithExitCode(absl::InvalidArgumentError(absl::StrCat(
                            "listen address '", listen,
                            "' is not HOST:PORT (e.g. 127.0.0.1:7443; port 0 "
                            "picks a free one)")),
                        ExitCode::kUsage);
  }
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  const int rc = getaddrinfo(host.empty() ? nullptr : host.c_str(),
                             std::to_string(port).c_str(), &hints, &found);
  if (rc != 0) {
    return CannotListen(
        listen,
        absl::StrCat(
            "the host name '", host, "' does not resolve (", gai_strerror(rc),
            ") — listen on an IP address such as 127.0.0.1, or add the name "
            "to /etc/hosts"));
  }
  // Like gRPC, listening works if any resolved address binds; report the
  // first problem when none does.
  int first_error = 0;
  bool bound = false;
  for (addrinfo* a = found; a != nullptr && !bound; a = a->ai_next) {
    int fd =
        ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      if (first_error == 0) first_error = errno;
      continue;
    }
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, a->ai_addr, a->ai_addrlen) == 0) {
      bound = true;
    } else if (first_error == 0) {
      first_error = errno;
    }
    ::close(fd);
  }
  freeaddrinfo(found);
  if (!bound) return CannotListen(listen, BindProblem(first_error));
  return absl::OkStatus();
}

absl::StatusOr<RunningServer> StartGrpcServer(
    const std::string& listen, std::shared_ptr<grpc::ServerCredentials> creds,
    const std::vector<grpc::Service*>& services, ConnectionLimits limits) {
  if (listen.empty()) {
    return WithExitCode(absl::InvalidArgumentError("listen is not set"),
                        ExitCode::kUsage);
  }
  if (absl::Status can = CheckCanListen(listen); !can.ok()) return can;
  // The gRPC ecosystem's conventions: grpc.health.v1.Health (SERVING once
  // the server is up; the nodes open their stores before, and DrainGrpcServer
  // turns it to NOT_SERVING) and server reflection (v1alpha in Debian's 1.51),
  // so health probes and grpcurl-style tools work. Process-wide switches.
  static std::once_flag conventions;
  std::call_once(conventions, [] {
    grpc::EnableDefaultHealthCheckService(true);
    grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  });
  RunningServer running;
  grpc::ServerBuilder builder;
  builder.AddListeningPort(listen, std::move(creds), &running.port);
  builder.SetMaxReceiveMessageSize(kMaxMessageBytes);
  builder.SetMaxSendMessageSize(kMaxMessageBytes);
  // A second node on the same port must fail to start, not share the port.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  // Find peers that vanished without closing the connection (a pulled
  // cable, a killed VM): ping after a minute of silence, drop after 20 s.
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 60000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20000);
  if (limits.max_age.count() > 0) {
    builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS,
                               static_cast<int>(limits.max_age.count()));
    builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS,
                               static_cast<int>(limits.grace.count()));
  }
  std::vector<
      std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
      interceptors;
  interceptors.push_back(
      metrics::RpcInterceptorFactory());  // every call, counted and timed
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  for (grpc::Service* service : services) builder.RegisterService(service);
  running.server = builder.BuildAndStart();
  if (running.server == nullptr || running.port == 0) {
    if (running.server != nullptr) running.server->Shutdown();
    running.server.reset();
    // Taken between the check and gRPC's own bind, or refused by gRPC.
    return CannotListen(listen,
                        "gRPC could not bind it (see its message above)");
  }
  return running;
}

void FollowAuditInHealth(AuditLog& audit, grpc::Server& server) {
  grpc::HealthCheckServiceInterface* health = server.GetHealthCheckService();
  if (health == nullptr) return;
  audit.SetWritableListener(
      [health](bool writable) { health->SetServingStatus(writable); });
}

void DrainGrpcServer(grpc::Server& server,
                     std::chrono::system_clock::time_point deadline) {
  if (grpc::HealthCheckServiceInterface* health =
          server.GetHealthCheckService())
    health->SetServingStatus(false);
  const auto left = deadline - std::chrono::system_clock::now();
  if (left > std::chrono::milliseconds(0))
    std::this_thread::sleep_for(std::min<std::chrono::system_clock::duration>(
        left / 3, std::chrono::seconds(2)));
  server.Shutdown(deadline);
}

}  // namespace ntmis

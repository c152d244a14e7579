// The national node as a running gRPC server: NationalSync and
// NationalQuery over mutual TLS, built from a NationalConfig.
#ifndef NTMIS_NATIONAL_SERVER_SERVER_H_
#define NTMIS_NATIONAL_SERVER_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <optional>
#include <thread>

#include "absl/status/statusor.h"
#include "common/base/file_lock.h"
#include "common/metrics/metrics.h"
#include "national/ingest/national_store.h"
#include "national/rpc/query_service.h"
#include "national/rpc/sync_service.h"
#include "national/server/crl_server.h"
#include "ntmis/v1/config.pb.h"

namespace ntmis::national {

// Start and Shutdown from one thread; the services it serves are thread-safe.
class NationalServer {
 public:
  // Checks what it needs before writing anything — its certificate (key,
  // CA, validity, the national identity), the listen address, a writable
  // data directory that no other serve holds — then opens the data
  // directory and starts listening on config.listen (port 0 picks a free
  // port; see port()). Each failure says what to do and carries its exit
  // code (common/base/exit_code.h).
  static absl::StatusOr<std::unique_ptr<NationalServer>> Start(
      const v1::NationalConfig& config);
  ~NationalServer();

  int port() const { return port_; }
  // The metrics endpoint's port (0: metrics_listen not set).
  int metrics_port() const { return metrics_ ? metrics_->port() : 0; }
  // The revocation list's HTTP port (0: crl_listen not set).
  int crl_port() const { return crl_ ? crl_->port() : 0; }
  NationalStore& store() { return *store_; }
  // Waits until the dashboard's views are built (the start-up warm-up).
  void WaitForDashboardViews() {
    if (warmup_.joinable()) warmup_.join();
  }
  // A channel to this server's own services, for the ministry's console.
  std::shared_ptr<grpc::Channel> InProcessChannel() {
    return server_->InProcessChannel(grpc::ChannelArguments());
  }
  void Wait() { server_->Wait(); }
  // Stops accepting calls and cancels those still running after `grace`.
  void Shutdown(std::chrono::milliseconds grace = std::chrono::seconds(5));

 private:
  NationalServer() = default;
  std::optional<FileLock> serve_lock_;  // one serve per data_dir; released last
  std::unique_ptr<NationalStore> store_;
  std::unique_ptr<SyncService> sync_;
  std::unique_ptr<QueryService> query_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<metrics::MetricsServer> metrics_;
  std::unique_ptr<CrlServer> crl_;
  // Asks the dashboard's questions once after the start
  // (national/query/dashboard_warmup.h); joined before the store closes.
  std::thread warmup_;
  int port_ = 0;
  bool stopped_ = false;
};

}  // namespace ntmis::national

#endif  // NTMIS_NATIONAL_SERVER_SERVER_H_

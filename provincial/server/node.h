// The provincial node as a running server (ProvincialApi over TLS), and the
// pieces built from a ProvincialConfig that the CLI also uses: ID keys and
// the sync client.
#ifndef NTMIS_PROVINCIAL_SERVER_NODE_H_
#define NTMIS_PROVINCIAL_SERVER_NODE_H_

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <optional>

#include "absl/status/statusor.h"
#include "common/base/file_lock.h"
#include "common/base/periodic.h"
#include "common/metrics/metrics.h"
#include "ntmis/v1/config.pb.h"
#include "provincial/server/api_service.h"
#include "provincial/sync/national_channel.h"
#include "provincial/sync/sync_run.h"
#include "provincial/sync/sync_scheduler.h"
#include "provincial/sync/sync_verify.h"

namespace ntmis::provincial {

// Reads the federation hash key and the node's sealing key named in config.
absl::StatusOr<IdKeys> LoadIdKeys(const v1::ProvincialConfig& config);

// The API's options (connections, account quotas) from the config.
ApiService::Options ApiOptionsFrom(const v1::ProvincialConfig& config);

// The checks `serve` makes before it opens anything for writing: the node
// certificate (its key, the CA, validity, this province's identity), the
// listen address, the database and its directory, and that no other serve
// holds the database. Each failure says what is wrong and what to do, marked
// with its exit code (common/base/exit_code.h). Returns the held serve lock.
absl::StatusOr<FileLock> CheckCanServe(const v1::ProvincialConfig& config);

// Start and Shutdown from one thread; the servers it starts are thread-safe.
class ProvincialNode {
 public:
  // CheckCanServe, then the API, the scheduler and the listener.
  static absl::StatusOr<std::unique_ptr<ProvincialNode>> Start(
      const v1::ProvincialConfig& config);
  ~ProvincialNode();

  int port() const { return port_; }
  // The metrics endpoint's port (0: metrics_listen not set).
  int metrics_port() const { return metrics_ ? metrics_->port() : 0; }
  // Runs this node's syncs (on its schedule unless sync_disabled).
  SyncScheduler& scheduler() { return *scheduler_; }
  void Wait() { server_->Wait(); }
  // A channel to this node's API that never leaves the process (the web
  // console's gateway calls the API through it).
  std::shared_ptr<grpc::Channel> InProcessChannel() {
    return server_->InProcessChannel(grpc::ChannelArguments());
  }
  // Waits until the API's audit entries so far are written.
  absl::Status FlushAudit() { return api_->FlushAudit(); }
  // What the node's own timer does every ten minutes, for a given day.
  absl::StatusOr<int> ApplyDueCareers(const Date& today) {
    return api_->ApplyDueCareers(today);
  }
  void Shutdown(std::chrono::milliseconds grace = std::chrono::seconds(5));

 private:
  ProvincialNode() = default;
  std::optional<FileLock> serve_lock_;  // one serve per database; released last
  std::unique_ptr<SyncScheduler> scheduler_;    // outlives api_, which uses it
  std::unique_ptr<IdentityResolver> resolver_;  // outlives api_, which uses it
  std::unique_ptr<ApiService> api_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<metrics::MetricsServer> metrics_;
  // Career cases coming into effect on their date
  // (ApiService::ApplyDueCareers).
  std::unique_ptr<Periodic> due_cases_;
  int port_ = 0;
  bool stopped_ = false;
};

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_SERVER_NODE_H_

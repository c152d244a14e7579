// The node's Prometheus metrics (docs/operators.md, "Metrics and probes"):
// one process-wide registry that the gRPC servers (an interceptor: every
// call by method and status code, with its latency), the sync, the logins
// and the audit log report to, served as Prometheus text at GET /metrics
// by MetricsServer on `metrics_listen`. prometheus-cpp (Debian's
// prometheus-cpp-dev) keeps the counters, histograms and the exposition.
//
// Thread-safe.
#ifndef NTMIS_COMMON_METRICS_METRICS_H_
#define NTMIS_COMMON_METRICS_METRICS_H_

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/server_interceptor.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace prometheus {
class Exposer;
class Registry;
}  // namespace prometheus

namespace ntmis::metrics {

// A call that ended with `code` after `seconds` (the interceptor calls it).
void Rpc(const std::string& method, grpc::StatusCode code, double seconds);
// A province's sync run ended: ok or not, batches sent, changes it still
// has to send, records the national node rejected.
void SyncRun(bool ok, uint64_t batches, uint64_t backlog, uint64_t rejected);
// The national node's side of a province's sync.
void BatchApplied(const std::string& province, uint64_t changes,
                  uint64_t rejected);
void RecordsHeld(const std::string& province, uint64_t records);
// A login: `result` is "ok" or the status code name of the refusal.
void Login(const std::string& result);
// A peer the TLS gate refused (`reason`: "revoked"), by its identity URI.
void PeerRefused(const std::string& reason, const std::string& peer);
// Whether the audit log can be written (the node refuses calls while not).
void AuditWritable(bool writable);
// An audit verification: intact or not.
void AuditVerified(bool intact);

// The interceptor that times every call of a gRPC server.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
RpcInterceptorFactory();

// GET /metrics over plain HTTP on `address` (host:port, port 0 picks one).
class MetricsServer {
 public:
  // UNAVAILABLE naming the address when it cannot listen.
  static absl::StatusOr<std::unique_ptr<MetricsServer>> Start(
      const std::string& address);
  ~MetricsServer();
  int port() const { return port_; }

 private:
  MetricsServer() = default;
  std::unique_ptr<prometheus::Exposer> exposer_;
  int port_ = 0;
};

}  // namespace ntmis::metrics

#endif  // NTMIS_COMMON_METRICS_METRICS_H_

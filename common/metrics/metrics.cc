#include "common/metrics/metrics.h"

#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <chrono>
#include <exception>

#include "absl/strings/str_cat.h"

namespace ntmis::metrics {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;

// Every family, built once, for the life of the process.
struct Families {
  std::shared_ptr<prometheus::Registry> registry =
      std::make_shared<prometheus::Registry>();
  prometheus::Family<prometheus::Counter>& rpcs =
      BuildCounter()
          .Name("ntmis_grpc_requests_total")
          .Help("gRPC calls served, by method and status code")
          .Register(*registry);
  prometheus::Family<prometheus::Histogram>& rpc_seconds =
      BuildHistogram()
          .Name("ntmis_grpc_request_seconds")
          .Help("gRPC call latency in seconds, by method")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& sync_runs =
      BuildCounter()
          .Name("ntmis_sync_runs_total")
          .Help("sync runs of this province, by result")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& sync_batches =
      BuildCounter()
          .Name("ntmis_sync_batches_total")
          .Help("batches this province sent to the national node")
          .Register(*registry);
  prometheus::Family<prometheus::Gauge>& sync_backlog =
      BuildGauge()
          .Name("ntmis_sync_backlog_changes")
          .Help("changes this province had not yet sent after its last sync")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& rejections =
      BuildCounter()
          .Name("ntmis_sync_rejections_total")
          .Help("records the national node refused, by province")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& applied =
      BuildCounter()
          .Name("ntmis_national_changes_applied_total")
          .Help("changes the national node applied, by province")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& batches =
      BuildCounter()
          .Name("ntmis_national_batches_total")
          .Help("batches the national node received, by province")
          .Register(*registry);
  prometheus::Family<prometheus::Gauge>& records =
      BuildGauge()
          .Name("ntmis_national_records")
          .Help(
              "records the national node holds, by province (as of its last "
              "sync)")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& logins =
      BuildCounter()
          .Name("ntmis_logins_total")
          .Help("logins, by result (ok, or the refusal's status code)")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& peers_refused =
      BuildCounter()
          .Name("ntmis_tls_peers_refused_total")
          .Help(
              "calls refused because the peer's certificate is revoked, by "
              "peer")
          .Register(*registry);
  prometheus::Family<prometheus::Gauge>& audit_writable =
      BuildGauge()
          .Name("ntmis_audit_writable")
          .Help(
              "1 while the audit log can be written; 0 while it cannot and the "
              "node refuses "
              "calls")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& audit_verify =
      BuildCounter()
          .Name("ntmis_audit_verify_total")
          .Help("audit chain verifications, by result")
          .Register(*registry);
};

Families& F() {
  static Families* families =
      new Families();  // never destroyed: used until exit
  return *families;
}

const prometheus::Histogram::BucketBoundaries& LatencyBuckets() {
  static const prometheus::Histogram::BucketBoundaries buckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
      0.25,   0.5,   1,      2.5,   5,    10,    30};
  return buckets;
}

class RpcInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit RpcInterceptor(grpc::experimental::ServerRpcInfo* info)
      : method_(info->method()), start_(std::chrono::steady_clock::now()) {}
  void Intercept(
      grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
      const std::chrono::duration<double> took =
          std::chrono::steady_clock::now() - start_;
      Rpc(method_, methods->GetSendStatus().error_code(), took.count());
    }
    methods->Proceed();
  }

 private:
  const std::string method_;
  const std::chrono::steady_clock::time_point start_;
};

class RpcInterceptorFactoryImpl final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new RpcInterceptor(info);
  }
};

}  // namespace

void Rpc(const std::string& method, grpc::StatusCode code, double seconds) {
  F().rpcs
      .Add({{"method", method},
            {"code",
             absl::StatusCodeToString(static_cast<absl::StatusCode>(code))}})
      .Increment();
  F().rpc_seconds.Add({{"method", method}}, LatencyBuckets()).Observe(seconds);
}

void SyncRun(bool ok, uint64_t batches, uint64_t backlog, uint64_t rejected) {
  F().sync_runs.Add({{"result", ok ? "ok" : "failed"}}).Increment();
  F().sync_batches.Add({}).Increment(static_cast<double>(batches));
  if (ok) F().sync_backlog.Add({}).Set(static_cast<double>(backlog));
  F().rejections.Add({{"province", "self"}})
      .Increment(static_cast<double>(rejected));
}

void BatchApplied(const std::string& province, uint64_t changes,
                  uint64_t rejected) {
  F().batches.Add({{"province", province}}).Increment();
  F().applied.Add({{"province", province}})
      .Increment(static_cast<double>(changes));
  F().rejections.Add({{"province", province}})
      .Increment(static_cast<double>(rejected));
}

void RecordsHeld(const std::string& province, uint64_t records) {
  F().records.Add({{"province", province}}).Set(static_cast<double>(records));
}

void Login(const std::string& result) {
  F().logins.Add({{"result", result}}).Increment();
}

void PeerRefused(const std::string& reason, const std::string& peer) {
  F().peers_refused.Add({{"reason", reason}, {"peer", peer}}).Increment();
}

void AuditWritable(bool writable) {
  F().audit_writable.Add({}).Set(writable ? 1 : 0);
}

void AuditVerified(bool intact) {
  F().audit_verify.Add({{"result", intact ? "intact" : "broken"}}).Increment();
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
RpcInterceptorFactory() {
  return std::make_unique<RpcInterceptorFactoryImpl>();
}

absl::StatusOr<std::unique_ptr<MetricsServer>> MetricsServer::Start(
    const std::string& address) {
  std::unique_ptr<MetricsServer> server(new MetricsServer());
  try {
    server->exposer_ =
        std::make_unique<prometheus::Exposer>(address, /*num_threads=*/1);
  } catch (const std::exception& e) {
    return absl::UnavailableError(
        absl::StrCat("cannot serve metrics on ", address, ": ", e.what()));
  }
  server->exposer_->RegisterCollectable(F().registry);
  const std::vector<int> ports = server->exposer_->GetListeningPorts();
  if (ports.empty())
    return absl::UnavailableError(
        absl::StrCat("cannot serve metrics on ", address));
  server->port_ = ports.front();
  return server;
}

MetricsServer::~MetricsServer() = default;

}  // namespace ntmis::metrics

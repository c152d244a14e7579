#include "national/server/server.h"

#include <ctime>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "common/audit/audit_archive.h"
#include "common/base/exit_code.h"
#include "common/base/file_lock.h"
#include "common/base/status_macros.h"
#include "common/base/writable_path.h"
#include "common/crypto/crypto.h"
#include "common/metrics/metrics.h"
#include "common/pki/node_certificate.h"
#include "common/pki/tls.h"
#include "common/rpc/grpc_server.h"
#include "national/query/dashboard_warmup.h"

namespace ntmis::national {
namespace {

// What the national node does with a call refused as revoked
// (common/pki/revocation_check.h): counts it, and tells the log and the audit
// at the first refusal and then at most once a minute.
RevokedPeerHandler RevokedPeerReporter(NationalStore& store) {
  return [&store](const RevokedPeer& peer) {
    const std::string who = peer.identity.empty() ? "unknown" : peer.identity;
    metrics::PeerRefused("revoked", who);
    const uint64_t since =
        store.revoked_peers().Record(peer, std::time(nullptr));
    if (since == 0) return;
    const std::string what = absl::StrCat(
        "certificate serial ", peer.serial, " of ", who, " is revoked (since ",
        absl::FormatTime("%Y-%m-%d %H:%M:%S UTC",
                         absl::FromUnixSeconds(peer.revoked_unix),
                         absl::UTCTimeZone()),
        "): refused ", since, since == 1 ? " call" : " calls");
    std::cerr << "ntmis-national: " << what << "\n";
    store.audit().Append({who, "tls.refused",
                          absl::StrCat("serial ", peer.serial),
                          "UNAUTHENTICATED", what});
  };
}

}  // namespace

absl::StatusOr<std::unique_ptr<NationalServer>> NationalServer::Start(
    const v1::NationalConfig& config) {
  if (config.data_dir().empty())
    return WithExitCode(absl::InvalidArgumentError("data_dir is not set"),
                        ExitCode::kUsage);
  if (absl::Status cert = CheckNodeCertificate(
          config.tls(), PeerIdentity::National(), std::time(nullptr));
      !cert.ok()) {
    return WithExitCode(cert, ExitCode::kCertificate);
  }
  RETURN_IF_ERROR(CheckCanListen(config.listen()));
  RETURN_IF_ERROR(CheckWritableDirectory(config.data_dir(),
                                         "the data directory (data_dir)",
                                         /*create=*/true));
  absl::StatusOr<FileLock> lock = FileLock::Acquire(
      config.data_dir() + "/national.serve.lock",
      absl::StrCat("another ntmis-national serve is running on ",
                   config.data_dir(),
                   " — stop it first, or give this node its own data_dir"));
  if (!lock.ok()) return WithExitCode(lock.status(), ExitCode::kDataUnusable);
  std::unique_ptr<NationalServer> s(new NationalServer());
  s->serve_lock_.emplace(std::move(*lock));
  ASSIGN_OR_RETURN(s->store_, NationalStore::Open(config.data_dir()));
  ASSIGN_OR_RETURN(auto creds, MakeServerCredentials(
                                   config.tls(), ClientCertPolicy::kRequire,
                                   RevokedPeerReporter(*s->store_)));
  SyncService::Limits limits;
  if (config.max_batch_changes() > 0)
    limits.max_batch_changes = config.max_batch_changes();
  if (config.push_idle_seconds() > 0)
    limits.push_idle = std::chrono::seconds(config.push_idle_seconds());
  limits.revocation_list = config.tls().crl_file();
  limits.ca_cert = config.tls().ca_cert();
  s->sync_ = std::make_unique<SyncService>(*s->store_, limits);
  QueryService::Options query;
  if (!config.id_hash_key().empty()) {
    ASSIGN_OR_RETURN(query.id_hash_key,
                     crypto::ReadKeyFile(config.id_hash_key()));
  }
  if (config.sync_overdue_seconds() > 0)
    query.overdue_after = config.sync_overdue_seconds();
  s->query_ = std::make_unique<QueryService>(*s->store_, std::move(query));
  ConnectionLimits connections;
  connections.max_age =
      std::chrono::seconds(config.max_connection_age_seconds() > 0
                               ? config.max_connection_age_seconds()
                               : 600);
  connections.grace =
      std::chrono::seconds(config.max_connection_grace_seconds() > 0
                               ? config.max_connection_grace_seconds()
                               : 300);
  ASSIGN_OR_RETURN(
      RunningServer running,
      StartGrpcServer(config.listen(), creds, {s->sync_.get(), s->query_.get()},
                      connections));
  s->server_ = std::move(running.server);
  s->port_ = running.port;
  FollowAuditInHealth(s->store_->audit(), *s->server_);
  const AuditArchivePlan archive =
      AuditArchivePlanFrom(config.audit(), config.data_dir() + "/national.db");
  if (archive.enabled)
    s->store_->audit().ArchiveEvery(archive.dir, archive.after);
  if (!config.metrics_listen().empty()) {
    ASSIGN_OR_RETURN(s->metrics_,
                     metrics::MetricsServer::Start(config.metrics_listen()));
  }
  if (!config.crl_listen().empty()) {
    ASSIGN_OR_RETURN(s->crl_, CrlServer::Start(config.crl_listen(),
                                               config.tls().crl_file()));
  }
  NationalStore* store = s->store_.get();
  s->warmup_ = std::thread([store] {
    const absl::Time start = absl::Now();
    absl::StatusOr<int> asked = WarmDashboard(*store, Today());
    if (asked.ok()) {
      std::cerr << "ntmis-national: dashboard views ready (" << *asked
                << " questions in "
                << absl::ToInt64Milliseconds(absl::Now() - start) << " ms)\n";
    } else {
      std::cerr << "ntmis-national: dashboard views not warmed: "
                << asked.status().message() << "\n";
    }
  });
  return s;
}

void NationalServer::Shutdown(std::chrono::milliseconds grace) {
  if (stopped_) return;
  stopped_ = true;
  if (store_ != nullptr) store_->audit().SetWritableListener(nullptr);
  // A server whose start failed half-way has nothing to shut down.
  if (server_ != nullptr)
    DrainGrpcServer(*server_, std::chrono::system_clock::now() + grace);
  if (warmup_.joinable()) warmup_.join();
}

NationalServer::~NationalServer() { Shutdown(std::chrono::milliseconds(0)); }

}  // namespace ntmis::national

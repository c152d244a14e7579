#include "provincial/server/node.h"

#include <ctime>
#include <filesystem>
#include <iostream>
#include <random>

#include "absl/strings/str_cat.h"
#include "common/base/exit_code.h"
#include "common/base/status_macros.h"
#include "common/base/writable_path.h"
#include "common/crypto/crypto.h"
#include "common/pki/node_certificate.h"
#include "common/pki/tls.h"
#include "common/rpc/grpc_server.h"

namespace ntmis::provincial {

absl::StatusOr<IdKeys> LoadIdKeys(const v1::ProvincialConfig& config) {
  IdKeys keys;
  ASSIGN_OR_RETURN(keys.hash_key, crypto::ReadKeyFile(config.id_hash_key()));
  ASSIGN_OR_RETURN(keys.seal_key, crypto::ReadKeyFile(config.pii_key()));
  return keys;
}

ApiService::Options ApiOptionsFrom(const v1::ProvincialConfig& config) {
  ApiService::Options options;
  if (config.api_connections() > 0)
    options.lanes = static_cast<int>(config.api_connections());
  const v1::AccountQuota& q = config.account_quota();
  AccountQuota& quota = options.accounts.quota;
  if (q.sysadmins() > 0) quota.sysadmins = static_cast<int>(q.sysadmins());
  if (q.managers() > 0) quota.managers = static_cast<int>(q.managers());
  if (q.higher_education_managers() > 0)
    quota.higher_education_managers =
        static_cast<int>(q.higher_education_managers());
  if (q.queriers() > 0) quota.queriers = static_cast<int>(q.queriers());
  options.careers = CareerSettingsFrom(config.careers());
  options.audit_archive =
      AuditArchivePlanFrom(config.audit(), config.database());
  return options;
}

absl::StatusOr<FileLock> CheckCanServe(const v1::ProvincialConfig& config) {
  if (config.province().empty())
    return WithExitCode(absl::InvalidArgumentError("province is not set"),
                        ExitCode::kUsage);
  if (absl::Status cert = CheckNodeCertificate(
          config.tls(), PeerIdentity::Province(config.province()),
          std::time(nullptr));
      !cert.ok()) {
    return WithExitCode(cert, ExitCode::kCertificate);
  }
  RETURN_IF_ERROR(CheckCanListen(config.listen()));
  if (config.database().empty())
    return WithExitCode(absl::InvalidArgumentError("database is not set"),
                        ExitCode::kUsage);
  std::string dir =
      std::filesystem::path(config.database()).parent_path().string();
  RETURN_IF_ERROR(CheckWritableDirectory(dir.empty() ? "." : dir,
                                         "the database directory",
                                         /*create=*/false));
  if (!std::filesystem::exists(config.database())) {
    return WithExitCode(
        absl::FailedPreconditionError(absl::StrCat(
            "the database ", config.database(),
            " does not exist — run `ntmis-provincial init` first")),
        ExitCode::kDataUnusable);
  }
  absl::StatusOr<FileLock> lock = FileLock::Acquire(
      config.database() + ".serve.lock",
      absl::StrCat("another ntmis-provincial serve is running on ",
                   config.database(),
                   " — stop it first, or give this node its own database"));
  if (!lock.ok()) return WithExitCode(lock.status(), ExitCode::kDataUnusable);
  // Read-only, so a database of another province is left as it is.
  absl::StatusOr<std::string> province = Store::PeekProvince(config.database());
  if (!province.ok()) {
    return WithExitCode(
        absl::FailedPreconditionError(absl::StrCat(
            "the database ", config.database(), " cannot be read (",
            province.status().message(),
            ") — is it a province database made by `ntmis-provincial init`?")),
        ExitCode::kDataUnusable);
  }
  const std::string& owner = *province;
  if (owner != config.province()) {
    return WithExitCode(
        absl::FailedPreconditionError(absl::StrCat(
            "the database ", config.database(),
            owner.empty() ? " is not initialised"
                          : absl::StrCat(" belongs to province ", owner),
            ", but the configuration says province ", config.province(),
            " — point `database` at this province's database")),
        ExitCode::kDataUnusable);
  }
  return lock;
}

absl::StatusOr<std::unique_ptr<ProvincialNode>> ProvincialNode::Start(
    const v1::ProvincialConfig& config) {
  ASSIGN_OR_RETURN(FileLock serve_lock, CheckCanServe(config));
  ASSIGN_OR_RETURN(IdKeys keys, LoadIdKeys(config));
  ASSIGN_OR_RETURN(
      auto creds, MakeServerCredentials(config.tls(), ClientCertPolicy::kNone));
  std::unique_ptr<ProvincialNode> node(new ProvincialNode());
  node->serve_lock_.emplace(std::move(serve_lock));
  SyncSchedule schedule;
  if (config.sync_interval_seconds() > 0)
    schedule.interval = std::chrono::seconds(config.sync_interval_seconds());
  node->scheduler_ = std::make_unique<SyncScheduler>(
      [config]() -> absl::StatusOr<SyncReport> {
        auto report = SyncOnce(config, SyncOptionsFrom(config));
        if (report.ok()) {
          std::cerr << "ntmis-provincial: sync: sent " << report->sent
                    << ", cursor " << report->cursor_after << ", rejected "
                    << report->rejections.size() << "\n";
        } else {
          std::cerr << "ntmis-provincial: sync failed: " << report.status()
                    << "\n";
        }
        return report;
      },
      schedule, std::random_device{}());
  if (!config.national_address().empty()) {
    SyncOptions resolve = SyncOptionsFrom(config);
    resolve.rpc_deadline = std::chrono::seconds(10);  // an import waits for it
    ASSIGN_OR_RETURN(auto channel,
                     OpenNationalChannel(config, std::move(resolve)));
    node->resolver_ = NationalResolver(std::move(channel));
  }
  ASSIGN_OR_RETURN(
      node->api_,
      ApiService::Create(config.database(), std::move(keys),
                         node->scheduler_.get(), node->resolver_.get(),
                         ApiOptionsFrom(config)));
  ASSIGN_OR_RETURN(RunningServer running,
                   StartGrpcServer(config.listen(), creds, {node->api_.get()}));
  node->server_ = std::move(running.server);
  node->port_ = running.port;
  FollowAuditInHealth(node->api_->audit(), *node->server_);
  if (!config.metrics_listen().empty()) {
    ASSIGN_OR_RETURN(node->metrics_,
                     metrics::MetricsServer::Start(config.metrics_listen()));
  }
  if (!config.sync_disabled()) node->scheduler_->Start();
  // Every ten minutes: a case dated today takes effect shortly after
  // midnight (China Standard Time), before the morning's first sync.
  node->due_cases_ = std::make_unique<Periodic>(
      [api = node->api_.get()] {
        absl::StatusOr<int> closed = api->ApplyDueCareers();
        if (!closed.ok())
          std::cerr << "ntmis-provincial: career cases due today: "
                    << closed.status() << "\n";
      },
      absl::Minutes(10));
  node->due_cases_->Start();
  return node;
}

void ProvincialNode::Shutdown(std::chrono::milliseconds grace) {
  if (stopped_) return;
  stopped_ = true;
  // A node whose start failed half-way has no server, and maybe no scheduler.
  if (due_cases_ != nullptr) due_cases_->Stop();
  if (scheduler_ != nullptr) scheduler_->Stop();
  if (api_ != nullptr) api_->audit().SetWritableListener(nullptr);
  if (server_ != nullptr)
    DrainGrpcServer(*server_, std::chrono::system_clock::now() + grace);
}

ProvincialNode::~ProvincialNode() { Shutdown(std::chrono::milliseconds(0)); }

}  // namespace ntmis::provincial

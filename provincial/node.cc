#include "provincial/node.h"

#include <iostream>
#include <random>

#include "absl/strings/str_cat.h"
#include "common/crypto.h"
#include "common/grpc_server.h"
#include "common/status_macros.h"
#include "common/tls.h"

namespace ntmis::provincial {

absl::StatusOr<IdKeys> LoadIdKeys(const v1::ProvincialConfig& config) {
  IdKeys keys;
  ASSIGN_OR_RETURN(keys.hash_key, crypto::ReadKeyFile(config.id_hash_key()));
  ASSIGN_OR_RETURN(keys.seal_key, crypto::ReadKeyFile(config.pii_key()));
  return keys;
}

SyncOptions SyncOptionsFrom(const v1::ProvincialConfig& config) {
  SyncOptions options;
  if (config.sync_batch_size() > 0) options.batch_size = config.sync_batch_size();
  if (config.sync_window() > 0) options.window = config.sync_window();
  if (config.rpc_deadline_seconds() > 0)
    options.rpc_deadline = std::chrono::seconds(config.rpc_deadline_seconds());
  return options;
}

absl::StatusOr<std::unique_ptr<SyncClient>> MakeSyncClient(
    const v1::ProvincialConfig& config, SyncOptions options) {
  if (config.national_address().empty())
    return absl::InvalidArgumentError("national_address is not set");
  ASSIGN_OR_RETURN(auto creds, MakeChannelCredentials(config.tls()));
  auto channel = MakeChannel(config.national_address(), creds);
  return std::make_unique<SyncClient>(v1::NationalSync::NewStub(channel),
                                      std::move(options));
}

absl::StatusOr<SyncReport> SyncOnce(const v1::ProvincialConfig& config,
                                    SyncOptions options) {
  ASSIGN_OR_RETURN(SyncLock lock, SyncLock::Acquire(SyncLockPath(config.database())));
  ASSIGN_OR_RETURN(Store store, Store::Open(config.database()));
  ASSIGN_OR_RETURN(auto client, MakeSyncClient(config, std::move(options)));
  return client->RunOnce(store);
}

absl::StatusOr<VerifyReport> VerifyOnce(const v1::ProvincialConfig& config,
                                        SyncOptions options) {
  ASSIGN_OR_RETURN(SyncLock lock, SyncLock::Acquire(SyncLockPath(config.database())));
  ASSIGN_OR_RETURN(Store store, Store::Open(config.database()));
  ASSIGN_OR_RETURN(auto client, MakeSyncClient(config, std::move(options)));
  return VerifyAndRepair(*client, store);
}

absl::StatusOr<std::unique_ptr<ProvincialNode>> ProvincialNode::Start(
    const v1::ProvincialConfig& config) {
  ASSIGN_OR_RETURN(IdKeys keys, LoadIdKeys(config));
  ASSIGN_OR_RETURN(auto creds, MakeServerCredentials(config.tls(), ClientCertPolicy::kNone));
  std::unique_ptr<ProvincialNode> node(new ProvincialNode());
  SyncSchedule schedule;
  if (config.sync_interval_seconds() > 0)
    schedule.interval = std::chrono::seconds(config.sync_interval_seconds());
  node->scheduler_ = std::make_unique<SyncScheduler>(
      [config]() -> absl::StatusOr<SyncReport> {
        auto report = SyncOnce(config, SyncOptionsFrom(config));
        if (report.ok()) {
          std::cerr << "ntmis-provincial: sync: sent " << report->sent << ", cursor "
                    << report->cursor_after << ", rejected " << report->rejections.size()
                    << "\n";
        } else {
          std::cerr << "ntmis-provincial: sync failed: " << report.status() << "\n";
        }
        return report;
      },
      schedule, std::random_device{}());
  if (!config.national_address().empty()) {
    SyncOptions resolve = SyncOptionsFrom(config);
    resolve.rpc_deadline = std::chrono::seconds(10);  // an import waits for it
    ASSIGN_OR_RETURN(auto client, MakeSyncClient(config, std::move(resolve)));
    node->resolver_ = NationalResolver(std::move(client));
  }
  ASSIGN_OR_RETURN(node->api_, ApiService::Create(config.database(), std::move(keys),
                                                  node->scheduler_.get(), node->resolver_.get()));
  ASSIGN_OR_RETURN(RunningServer running,
                   StartGrpcServer(config.listen(), creds, {node->api_.get()}));
  node->server_ = std::move(running.server);
  node->port_ = running.port;
  if (!config.sync_disabled()) node->scheduler_->Start();
  return node;
}

void ProvincialNode::Shutdown(std::chrono::milliseconds grace) {
  if (stopped_) return;
  stopped_ = true;
  scheduler_->Stop();
  server_->Shutdown(std::chrono::system_clock::now() + grace);
}

ProvincialNode::~ProvincialNode() { Shutdown(std::chrono::milliseconds(0)); }

}  // namespace ntmis::provincial

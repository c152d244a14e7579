#include "provincial/sync/national_channel.h"

#include "common/base/status_macros.h"
#include "common/pki/tls.h"

namespace ntmis::provincial {

SyncOptions SyncOptionsFrom(const v1::ProvincialConfig& config) {
  SyncOptions options;
  if (config.sync_batch_size() > 0)
    options.batch_size = config.sync_batch_size();
  if (config.sync_window() > 0) options.window = config.sync_window();
  if (config.rpc_deadline_seconds() > 0)
    options.rpc_deadline = std::chrono::seconds(config.rpc_deadline_seconds());
  return options;
}

void NationalChannel::SetDeadline(grpc::ClientContext* context) const {
  context->set_deadline(std::chrono::system_clock::now() +
                        options_.rpc_deadline);
}

absl::StatusOr<std::unique_ptr<NationalChannel>> OpenNationalChannel(
    const v1::ProvincialConfig& config, SyncOptions options) {
  if (config.national_address().empty())
    return absl::InvalidArgumentError("national_address is not set");
  if (config.tls().crl_file().empty()) {
    return absl::FailedPreconditionError(
        "tls.crl_file is not set: the province checks the national node's "
        "certificate against "
        "the federation's revocation list (start with the revoked.crl handed "
        "out with the "
        "certificate; each sync keeps it current)");
  }
  ASSIGN_OR_RETURN(auto creds, MakeChannelCredentials(config.tls()));
  auto channel = MakeChannel(config.national_address(), creds);
  auto national = std::make_unique<NationalChannel>(
      v1::NationalSync::NewStub(channel), std::move(options));
  national->set_config(config);
  return national;
}

}  // namespace ntmis::provincial

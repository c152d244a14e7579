// The bottom of the sync stack: the province's mutually authenticated
// channel to the national node (the node certificate) and the deadlines of
// its calls. Every sync step (push, identities, reference data, verify)
// talks to the national node through it; none knows about the others.
//
// Thread-safe (gRPC stubs are).
#ifndef NTMIS_PROVINCIAL_SYNC_NATIONAL_CHANNEL_H_
#define NTMIS_PROVINCIAL_SYNC_NATIONAL_CHANNEL_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include "absl/status/statusor.h"
#include "ntmis/v1/config.pb.h"
#include "ntmis/v1/sync.grpc.pb.h"

namespace ntmis::provincial {

struct SyncOptions {
  uint32_t batch_size =
      10000;            // changes per batch (each commit rewrites rollup pages)
  uint32_t window = 4;  // batches in flight
  std::chrono::seconds rpc_deadline{60};
  // Called after each acknowledgement; returning false cancels the stream
  // (for operators' throttling and for fault tests).
  std::function<bool(const v1::PushAck&)> on_ack;
};

// SyncOptions from the config's sync_* fields.
SyncOptions SyncOptionsFrom(const v1::ProvincialConfig& config);

class NationalChannel {
 public:
  NationalChannel(std::unique_ptr<v1::NationalSync::StubInterface> stub,
                  SyncOptions options)
      : stub_(std::move(stub)), options_(std::move(options)) {}

  v1::NationalSync::StubInterface& stub() { return *stub_; }
  // Sets the deadline of a unary call: rpc_deadline from now.
  void SetDeadline(grpc::ClientContext* context) const;
  const SyncOptions& options() const { return options_; }
  // The node's configuration, when the channel was opened from one (keys,
  // certificate and career settings for the transfer exchange).
  const v1::ProvincialConfig* config() const {
    return config_ ? &*config_ : nullptr;
  }
  void set_config(const v1::ProvincialConfig& config) { config_ = config; }

 private:
  std::unique_ptr<v1::NationalSync::StubInterface> stub_;
  SyncOptions options_;
  std::optional<v1::ProvincialConfig> config_;
};

// The channel to config.national_address with the node certificate.
absl::StatusOr<std::unique_ptr<NationalChannel>> OpenNationalChannel(
    const v1::ProvincialConfig& config, SyncOptions options = {});

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_SYNC_NATIONAL_CHANNEL_H_

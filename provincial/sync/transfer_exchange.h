// The sync's step for transfers between provinces (provincial/core/careers.h):
// hands the national node's relay what this province sends (its requests,
// its decisions on requests it received), then applies what the relay
// delivers, each message in its own transaction, and tells the relay next
// time how far it has stored. A message sent is removed only once the relay
// took it; one delivered twice is applied once.
#ifndef NTMIS_PROVINCIAL_SYNC_TRANSFER_EXCHANGE_H_
#define NTMIS_PROVINCIAL_SYNC_TRANSFER_EXCHANGE_H_

#include "absl/status/status.h"
#include "provincial/core/store.h"
#include "provincial/sync/national_channel.h"

namespace ntmis::provincial {

// Needs the channel's configuration (keys, node certificate, career
// settings); a channel without one exchanges nothing.
absl::Status ExchangeTransfers(NationalChannel& channel, Store& store);

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_SYNC_TRANSFER_EXCHANGE_H_

// The request that opens every conversation with the national node: this
// build's protocol and catalog versions, the province's outbox end, its last
// verify outcome and the school registry version it holds.
#ifndef NTMIS_PROVINCIAL_SYNC_HELLO_H_
#define NTMIS_PROVINCIAL_SYNC_HELLO_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "ntmis/v1/sync.pb.h"
#include "provincial/core/store.h"

namespace ntmis::provincial {

// The versions and the outbox end.
v1::GetCursorRequest SyncHello(uint64_t outbox_end);
// The hello for `store`: its outbox end, last verify outcome and registry
// version.
absl::StatusOr<v1::GetCursorRequest> SyncHello(Store& store);

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_SYNC_HELLO_H_

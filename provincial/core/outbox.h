// The sync outbox as the push reads it: what became effective or left the
// national scope, in order, each change joined with the teacher's current
// effective record. Entries are appended by the writes of teachers.h in the
// transaction that makes the change (docs/architecture.md: the sync
// protocol); this is the one reader.
#ifndef NTMIS_PROVINCIAL_CORE_OUTBOX_H_
#define NTMIS_PROVINCIAL_CORE_OUTBOX_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "ntmis/v1/sync.pb.h"
#include "provincial/core/store.h"

namespace ntmis::provincial {

// Reads the outbox after a sequence number in pages. Thread-compatible.
class OutboxReader {
 public:
  static absl::StatusOr<OutboxReader> Create(Store& store);

  // Fills `batch` with up to `limit` changes after `after`; returns the last
  // sequence number read (== after when the outbox is drained). A change
  // whose teacher is no longer effective is sent as a tombstone.
  absl::StatusOr<uint64_t> Next(uint64_t after, uint32_t limit,
                                v1::PushBatch* batch);

 private:
  explicit OutboxReader(sql::Statement page) : page_(std::move(page)) {}
  sql::Statement page_;
};

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_CORE_OUTBOX_H_

// Changes to a teacher's national scope after the record is effective. Each
// is one SQLite transaction that writes the teacher row and appends to the
// sync outbox, so the national node learns of exactly what became effective
// (DESIGN.md §5, §6). The review workflow makes changes effective through
// these; `sync --verify` re-queues through RequeueForSync.
#ifndef NTMIS_PROVINCIAL_CORE_TEACHER_CHANGES_H_
#define NTMIS_PROVINCIAL_CORE_TEACHER_CHANGES_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "ntmis/v1/teacher.pb.h"
#include "provincial/core/store.h"

namespace ntmis::provincial {

// Teacher row states that concern sync. Only kEffective records are
// national data; the others leave the national scope.
inline constexpr const char* kEffective = "effective";
inline constexpr const char* kWithdrawn = "withdrawn";          // left, or withdrawn
inline constexpr const char* kTransferredOut = "transferred_out";  // now another province's

// Who made a version and why; kept with it in the history.
struct ChangeMeta {
  std::string actor = "system";
  std::string action;
  std::string reason;
  std::string approved_by;
};

// One new version of a teacher row, inside the caller's transaction: the
// current version is copied to teacher_versions first (so no version is
// ever lost), then the row gets `state`, `record` (if given), the next
// version number and `meta`; `outbox` (if set) is appended in the same
// transaction. NOT_FOUND if there is no such teacher.
struct VersionWrite {
  const char* state = nullptr;
  const v1::TeacherRecord* record = nullptr;
  std::optional<OutboxOp> outbox;
  int moved_to = 0;
  ChangeMeta meta;
};
absl::Status WriteVersion(Store& store, const std::string& teacher_number,
                          const VersionWrite& write);

// The current state and record of a teacher.
struct StoredTeacher {
  std::string state;
  int64_t version = 0;
  v1::TeacherRecord record;
};
absl::StatusOr<StoredTeacher> LoadTeacher(Store& store, const std::string& teacher_number);

// Sets the city and county of every record of a school that moved, inside
// the caller's transaction; effective records are re-sent.
absl::Status RelocateSchoolTeachers(Store& store, const std::string& school_code,
                                    const std::string& city_code,
                                    const std::string& county_code);

// Replaces the effective record of `record.teacher_number()` (validated like
// an import; the number, province and ID hash cannot change).
absl::Status UpdateEffectiveRecord(Store& store, const v1::TeacherRecord& record,
                                   const ChangeMeta& meta = {});

// Takes a teacher out of the national scope: a tombstone reaches the
// national node.
absl::Status WithdrawTeacher(Store& store, const std::string& teacher_number,
                             const ChangeMeta& meta = {});

// Completes a transfer out: the national node moves the teacher to
// `to_province` when that province pushes the record.
absl::Status ReleaseTeacher(Store& store, const std::string& teacher_number, int to_province);

// Completes a transfer in: the teacher keeps the number minted elsewhere.
// `record.province()` must be this province; the ID-card number arrives
// already hashed and sealed under this node's key.
absl::Status AdmitTransferredTeacher(Store& store, const v1::TeacherRecord& record,
                                     const std::string& id_sealed);

// Appends outbox entries that re-send these teachers' current state (a
// tombstone for any not effective here).
absl::Status RequeueForSync(Store& store, const std::vector<std::string>& teacher_numbers);

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_CORE_TEACHER_CHANGES_H_

// The one owner of the `teachers` and `teacher_versions` tables: creating a
// teacher (number minting, one person one number), loading one, writing a
// version, and the changes of a teacher's national scope once the record is
// effective (withdrawal, the transfer hand-over out and in, re-queueing).
// Whatever makes a record effective appends to the sync outbox in the same
// transaction, so the national node learns of exactly what became effective
// (docs/architecture.md: the review workflow, the sync protocol). The review
// workflow and the teacher import create and change records through these;
// `sync --verify` re-queues through RequeueForSync.
#ifndef NTMIS_PROVINCIAL_CORE_TEACHERS_H_
#define NTMIS_PROVINCIAL_CORE_TEACHERS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ntmis/v1/teacher.pb.h"
#include "provincial/core/identity_resolver.h"
#include "provincial/core/store.h"
#include "provincial/core/teacher_state.h"

namespace ntmis::provincial {

// Who made a version and why; kept with it in the history.
struct ChangeMeta {
  std::string actor = "system";
  std::string action;
  std::string reason;
  std::string approved_by;
};

// A teacher about to be created.
struct NewTeacher {
  absl::string_view id_hash;    // keyed hash of the ID-card number
  absl::string_view id_sealed;  // the ID-card number sealed with the node's key
  absl::string_view school_code;
  // The serialized TeacherRecord without its teacher_number (field 1),
  // which the creator puts first.
  absl::string_view record_without_number;
  absl::string_view name;  // the record's, for finding it in lists
  TeacherState state = TeacherState::kDraft;  // kDraft (a school's entry) or
                                              // kEffective (the import)
  bool provisional = false;  // the national registry could not be asked
  const KnownIdentity* known =
      nullptr;  // the number the registry holds for this person
  // Who created it; the import's rows keep the schema's defaults.
  std::string actor;
  std::string action = "import";
  std::string reason;
};

// Creates teachers inside the caller's write transaction. A person the
// national registry knows keeps that number; anyone else gets the next
// minted one (the store's counter, read at Begin and written by Finish
// before the commit). Thread-compatible; one per transaction.
class TeacherCreator {
 public:
  static absl::StatusOr<TeacherCreator> Begin(Store& store);

  // The new teacher's number. ALREADY_EXISTS, with the rule as message,
  // when the ID-card number is registered here already ("already
  // registered as teacher N (one person, one number)") or the registry's
  // number is another teacher's here. An effective record enters the outbox.
  absl::StatusOr<std::string> Create(const NewTeacher& teacher,
                                     int64_t now_unix);

  // Writes the number counter back.
  absl::Status Finish();

 private:
  TeacherCreator(Store& store, int province, int64_t next,
                 sql::Statement insert, sql::Statement find)
      : store_(&store),
        province_(province),
        next_(next),
        insert_(std::move(insert)),
        find_(std::move(find)) {}
  Store* store_;
  int province_;
  int64_t next_;
  sql::Statement insert_;
  sql::Statement find_;
};

// One new version of a teacher row, inside the caller's transaction: the
// current version is copied to teacher_versions first (so no version is
// ever lost), then the row gets `state`, `record` (if given), the next
// version number and `meta`; `outbox` (if set) is appended in the same
// transaction. NOT_FOUND if there is no such teacher.
//
// A teacher with an open transfer (LockForCase) takes no version but the
// system's own (`system`: a school's relocation, the hand-over out):
// FAILED_PRECONDITION naming the case.
struct VersionWrite {
  TeacherState state = TeacherState::kDraft;
  const v1::TeacherRecord* record = nullptr;
  std::optional<OutboxOp> outbox;
  int moved_to = 0;
  ChangeMeta meta;
  bool system = false;
};
absl::Status WriteVersion(Store& store, const std::string& teacher_number,
                          const VersionWrite& write);

// An open transfer locks the teacher's record: no version, entry or change
// request is written until the case closes (provincial/core/careers.h).
// Inside the caller's transaction; `case_id` 0 releases the lock.
absl::Status LockForCase(Store& store, const std::string& teacher_number,
                         int64_t case_id);
// FAILED_PRECONDITION naming the open case when the teacher is locked.
absl::Status CheckNotLocked(Store& store, const std::string& teacher_number);

// Moves an effective teacher to another school (a completed transfer),
// inside the caller's transaction: a new version with the school, its
// city, county and school category; the outbox carries it, so the national
// counts move from one county to the other in one change.
absl::Status MoveTeacherToSchool(Store& store,
                                 const std::string& teacher_number,
                                 const std::string& school_code,
                                 const ChangeMeta& meta);

// Sets the in-service status (a completed status change), inside the
// caller's transaction. `in_service` false takes the teacher out of the
// national scope (withdrawn, a tombstone), true keeps or brings it back
// (effective, the record re-sent under the same number). The teacher must
// be effective or withdrawn.
absl::Status ChangeServiceStatus(Store& store,
                                 const std::string& teacher_number,
                                 v1::InServiceStatus status, bool in_service,
                                 const ChangeMeta& meta);

// The current state and record of a teacher.
struct StoredTeacher {
  TeacherState state = TeacherState::kDraft;
  int64_t version = 0;
  v1::TeacherRecord record;
};
absl::StatusOr<StoredTeacher> LoadTeacher(Store& store,
                                          const std::string& teacher_number);

// Sets the city and county of every record of a school that moved, inside
// the caller's transaction; effective records are re-sent.
absl::Status RelocateSchoolTeachers(Store& store,
                                    const std::string& school_code,
                                    const std::string& city_code,
                                    const std::string& county_code);

// Takes a teacher out of the national scope: a tombstone reaches the
// national node.
absl::Status WithdrawTeacher(Store& store, const std::string& teacher_number,
                             const ChangeMeta& meta = {});

// Completes a transfer out, inside the caller's transaction, with who
// approved it (careers' transfer case): a tombstone naming `to_province`;
// the national node moves the teacher when that province pushes the record.
absl::Status HandOverTeacher(Store& store, const std::string& teacher_number,
                             int to_province, const ChangeMeta& meta);

// The sealed ID-card number of a teacher (the node's key opens it).
absl::StatusOr<std::string> LoadSealedIdCard(Store& store,
                                             const std::string& teacher_number);

// Completes a transfer in, inside the caller's transaction, with who
// approved it: the teacher keeps the number minted elsewhere.
// `record.province()` must be this province; the ID-card number arrives
// already hashed and sealed under this node's key.
absl::Status AdmitTeacher(Store& store, const v1::TeacherRecord& record,
                          const std::string& id_sealed, const ChangeMeta& meta);

// The national registry confirmed the teacher's number: no longer
// provisional. Inside the caller's transaction.
absl::Status SettleProvisional(Store& store, const std::string& teacher_number);

// The national registry knows this person as `to`: the teacher's number
// changes from `from` everywhere it is kept (record, history, entries,
// change requests, outbox, self-service account). Inside the caller's
// transaction; FAILED_PRECONDITION if another teacher here has `to`.
absl::Status RenumberTeacher(Store& store, const std::string& from,
                             const std::string& to);

// Appends outbox entries that re-send these teachers' current state (a
// tombstone for any not effective here).
absl::Status RequeueForSync(Store& store,
                            const std::vector<std::string>& teacher_numbers);

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_CORE_TEACHERS_H_

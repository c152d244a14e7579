// Teachers' careers as workflows (docs/architecture.md, "Careers"): a
// transfer (教师调动), an in-service status change (在职情况变动) and an
// exchange rotation without a change of employer (交流轮岗) are cases, each
// filed by a unit and decided step by step:
//
//   transfer        (filed by the receiving school: its request) its
//                   county [-> its city] -> sending school -> its county
//                   [-> its city] -> receiving school completes it (调档)
//                   (the cities when CareerSettings.transfer_city_review and
//                   the schools are in different cities; a unit that would
//                   decide twice decides once, at its later step)
//   status change   the school's county
//   rotation        the home school's county [-> the host school's county]
//
// A step is decided by an information manager of the step's unit other than
// the one who filed the case, or by a school's responsible person (its
// system administrator account), or by the system administrator of the unit
// that filed it (CheckDecider; docs/operators.md, "Who reviews"); the
// receiving school's completing step may be its filer's. A step approves, or
// returns with a required reason, which closes the case. The filer's unit
// may withdraw an open case, or an approved one not yet in effect.
// Every step is one SQLite transaction and is kept in the case with who
// decided, when and why; a killed process leaves each case at its old or its
// new step.
//
// While a transfer is open the teacher's record is locked (no version, entry
// or change request: provincial/core/teachers.h, LockForCase); a teacher has
// at most one open case of any kind. Completion, in the last step's
// transaction — or, for a transfer or status change dated ahead, on its
// effective date (ApplyDue; until then the case is "scheduled" and the
// transfer's teacher stays locked):
//   transfer       the teacher belongs to the receiving school (a new
//                  version, the outbox carries it: the national counts move
//                  from one county to the other in one change);
//   status change  the record's status; a status that ends service
//                  (EndsService) withdraws the teacher from the national
//                  scope (a tombstone), a later change back re-sends the
//                  record under the same number;
//   rotation       in effect from its start date to its end date: the
//                  teacher stays the home school's and is listed by the
//                  host school as rotating in; it ends by itself after its
//                  end date, or early by EndRotation.
//
// Not thread-safe: one Careers per Store (a lane's).
#ifndef NTMIS_PROVINCIAL_CORE_CAREERS_H_
#define NTMIS_PROVINCIAL_CORE_CAREERS_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/base/dates.h"
#include "common/crypto/crypto.h"
#include "common/teacher/service_status.h"
#include "ntmis/v1/careers.pb.h"
#include "ntmis/v1/config.pb.h"
#include "ntmis/v1/sync.pb.h"
#include "provincial/core/accounts.h"
#include "provincial/core/identity_resolver.h"
#include "provincial/core/store.h"
#include "provincial/core/teacher_fields.h"

namespace ntmis::provincial {

// The kind of a case as clerks read it: 调动, 在职情况变动, 交流轮岗.
const char* CareerKindLabel(v1::CareerKind kind);

struct CareerSettings {
  bool transfer_city_review = false;
  int backdate_days = 30;  // effective dates at most this far in the past
  int rotation_years =
      6;  // years at one school before a teacher is due to rotate
};
CareerSettings CareerSettingsFrom(const v1::CareerSettings& config);

class Careers {
 public:
  // `resolver` (may be null: only this province's teachers are found by
  // ID-card number) asks the national identity registry which province
  // holds a person, so that a transfer across provinces can be filed by
  // ID-card number too. It must outlive the Careers.
  Careers(Store& store, const IdKeys& keys, CareerSettings settings,
          IdentityResolver* resolver = nullptr);

  // Filing. The transfer's receiving school is the filer's school (or a
  // school within a filer's administration); the teacher is found by
  // number or by ID-card number. A status change and a rotation are filed
  // within the teacher's school's subtree.
  absl::StatusOr<v1::CareerCase> FileTransfer(
      const User& actor, const v1::FileTransferRequest& request);
  absl::StatusOr<v1::CareerCase> FileStatusChange(
      const User& actor, const v1::FileStatusChangeRequest& request);
  absl::StatusOr<v1::CareerCase> FileRotation(
      const User& actor, const v1::FileRotationRequest& request);

  // The step waiting for the actor's unit. `request.step` must be the step
  // the actor saw: a repeated request decides nothing twice.
  absl::StatusOr<v1::CareerCase> Decide(
      const User& actor, const v1::DecideCareerStepRequest& request);
  // By the filer's unit, while the case is open; a reason is required.
  absl::StatusOr<v1::CareerCase> Withdraw(const User& actor,
                                          const v1::CareerCaseRequest& request);
  // A rotation in effect ends today, by its home school or county.
  absl::StatusOr<v1::CareerCase> EndRotation(
      const User& actor, const v1::CareerCaseRequest& request);

  // Completes the approved cases whose effective date has come by `today`
  // (a transfer dated ahead moves the teacher on its date, not at its last
  // approval); a case that can no longer be carried out (the receiving
  // school closed meanwhile) is returned with the reason and the teacher
  // released. Each case is its own transaction. Returns the cases it closed.
  // The node runs it at start and every few minutes (ProvincialNode).
  absl::StatusOr<std::vector<v1::CareerCase>> ApplyDue(const Date& today);

  absl::StatusOr<v1::CareerCase> Get(const User& actor, uint64_t case_id);
  absl::StatusOr<v1::ListCareerCasesResponse> List(
      const User& actor, const v1::ListCareerCasesRequest& request);
  // Rotations in effect today hosted by `school` (its list shows them as
  // rotating in).
  absl::StatusOr<std::vector<v1::CareerCase>> RotatingIn(
      const std::string& school);

  absl::StatusOr<v1::RotationReport> RotationReport(
      const User& actor, const v1::RotationReportRequest& request);

  // Transfers between provinces (career_remote.cc). A transfer of a teacher
  // another province owns is filed here like any other; after the local
  // steps its request goes, through the sync, to the national node's relay
  // (NationalSync.ExchangeTransfers), which hands it to the owner. There it
  // becomes an incoming case decided by the sending school and its county;
  // the decision comes back the same way, an approval with the teacher's
  // whole file (record, ID-card number, every category's entries with their
  // history) sealed for this node's certificate (common/crypto/envelope.h).
  //
  // Applies one message the relay delivered, inside the caller's
  // transaction; a message applied before changes nothing. `open_sealed`
  // opens a file sealed for this node.
  absl::Status ReceiveTransferMessage(
      const v1::TransferMessage& message,
      const std::function<absl::StatusOr<std::string>(const std::string&)>&
          open_sealed);

 private:
  struct Parties;  // the schools, counties and cities a case joins

  // Inserts a new open case (its steps from `parties`), in the caller's
  // transaction; ALREADY_EXISTS naming the open case of the teacher.
  absl::StatusOr<v1::CareerCase> Insert(const User& actor, v1::CareerCase c,
                                        const Parties& parties);
  absl::Status Save(const v1::CareerCase& c);
  absl::StatusOr<v1::CareerCase> Load(uint64_t case_id);
  // The decision of the last step: the case's effect on the teacher.
  absl::Status Complete(v1::CareerCase& c, const std::string& approvers);
  // Closes `c` without its effect (returned or withdrawn) with `reason`;
  // a local transfer's teacher is released. In the caller's transaction.
  absl::Status Close(v1::CareerCase& c, const char* state,
                     const std::string& reason);
  // Who decided the case's steps, in order, comma-separated.
  static std::string Approvers(const v1::CareerCase& c);
  // PERMISSION_DENIED unless `actor` may decide `step` of `c`: a manager of
  // the step's unit other than the filer (the filer too at the receiving
  // school's completing step); a school's system administrator (its
  // responsible person); the system administrator of the unit that filed.
  absl::Status CheckDecider(const User& actor, const v1::CareerCase& c,
                            const v1::CareerStep& step);
  // The teacher of a filing by number (or ID-card number), checked to be
  // this province's and in service as the kind needs.
  absl::StatusOr<std::string> FindTeacher(const std::string& number,
                                          const std::string& id_card);
  absl::Status CheckEffectiveDate(const std::string& date,
                                  std::string* normalized, const char* field);
  // Fills names and labels for display.
  void Describe(v1::CareerCase& c);
  // A transfer of a teacher owned by another province, from the receiving
  // school (career_remote.cc).
  // The teacher number of a person another province holds, found by
  // ID-card number in the national identity registry; nullopt for this
  // province's teacher (or a number that is not an ID-card number).
  absl::StatusOr<std::optional<std::string>> NumberElsewhere(
      const std::string& id_card);
  absl::StatusOr<v1::CareerCase> FileRemoteTransfer(
      const User& actor, const std::string& number,
      const std::string& to_school, const std::string& date,
      const std::string& reason);
  // Queues a message for the relay, in the caller's transaction.
  absl::Status Send(const v1::TransferMessage& message);
  // The decision of an incoming transfer for the receiving province; on
  // approval the teacher is handed over and the file sealed for it.
  absl::Status AnswerIncoming(v1::CareerCase& c, bool approved,
                              const std::string& reason,
                              const std::string& approvers);
  // The request of a local case whose remaining step is the other province's.
  absl::Status RequestRemote(const v1::CareerCase& c);
  // An incoming case's decided steps, for the receiving province to see.
  absl::Status ReportProgress(const v1::CareerCase& c);

  Store& store_;
  crypto::Hmac id_hasher_;  // the federation key: ID-card numbers to their hash
  std::string seal_key_;    // the node's key for ID-card numbers at rest
  CareerSettings settings_;
  IdentityResolver* const resolver_;
};

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_CORE_CAREERS_H_

// The review workflow of teacher records (docs/architecture.md, the review
// workflow):
//
//   draft --submit--> submitted --school approves--> school_approved
//         --county re-reviews--> effective
//
// with "returned" (a reason is required) at each review step, after which
// the record is edited and submitted again. Submission checks completeness:
// every field the record's indicator set requires. Once effective, an
// addition (a field not filled yet) by school staff or the teacher takes
// effect when the school approves it; a change of existing information is
// a change request decided by the level above the requester (a teacher's by
// the school, a school's by its county, a county's by its city, a city's and
// the province's by the province).
//
// Who may do what is checked here: information managers enter, submit and
// review within their unit's subtree (the school approval by the school's
// own managers, the re-review by the county's); a teacher account edits the
// fields a teacher may fill of its own record and submits it; queriers and
// system administrators read. Every step is one SQLite transaction that
// keeps the superseded version in the history, and a step that makes data
// effective appends to the sync outbox in the same transaction.
//
// Implemented in workflow.cc (records through review), workflow_changes.cc
// (change requests), workflow_entries.cc (category entries) and
// workflow_queries.cc (queues, lists, history).
//
// Not thread-safe: one Workflow per Store.
#ifndef NTMIS_PROVINCIAL_CORE_WORKFLOW_H_
#define NTMIS_PROVINCIAL_CORE_WORKFLOW_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "common/crypto/crypto.h"
#include "ntmis/v1/provincial.pb.h"
#include "provincial/core/accounts.h"
#include "provincial/core/categories.h"
#include "provincial/core/identity_resolver.h"
#include "provincial/core/store.h"
#include "provincial/core/teacher_fields.h"
#include "provincial/core/teachers.h"

namespace ntmis::provincial {

// The steps a review queue item waits at (ReviewItem.step), and their
// labels as clerks read them.
inline constexpr char kStepSchoolApproval[] = "school_approval";
inline constexpr char kStepCountyReview[] = "county_review";
inline constexpr char kStepChangeRequest[] = "change_request";
inline constexpr char kStepCorrection[] = "correction";
std::vector<std::pair<std::string, std::string>> ReviewStepLabels();

class Workflow {
 public:
  // `resolver` (may be null) asks the national registry whether a new
  // teacher already has a number.
  static absl::StatusOr<std::unique_ptr<Workflow>> Create(
      Store& store, const IdKeys& keys, IdentityResolver* resolver);

  // A draft from the four identity items and the school; the ID-card number
  // is checked (GB 11643, agreeing with birth date and gender) and a person
  // already registered in the province is ALREADY_EXISTS naming the number.
  absl::StatusOr<v1::TeacherView> CreateTeacher(
      const User& actor, const v1::CreateTeacherRequest& request);
  // Edits a draft or returned record; each field must be one the actor may
  // write (a teacher only its own record's teacher fields).
  absl::StatusOr<v1::TeacherView> Edit(const User& actor,
                                       const v1::EditTeacherRequest& request);
  absl::StatusOr<v1::TeacherView> Submit(const User& actor,
                                         const std::string& teacher_number);
  // The school approval (submitted) or the county re-review (school
  // approved), whichever is due; RETURN needs a reason. The school step is
  // the school's responsible person's (its system administrator account)
  // or an information manager's; the county step its information
  // managers'. The one who submitted a record cannot approve it
  // (PERMISSION_DENIED saying so), nor decide their own change request
  // (docs/operators.md, "Who reviews").
  absl::StatusOr<v1::TeacherView> Review(const User& actor,
                                         const v1::ReviewRequest& request);

  absl::StatusOr<v1::ChangeRequestView> RequestChange(
      const User& actor, const v1::EditTeacherRequest& request);
  absl::StatusOr<v1::ChangeRequestView> DecideChange(
      const User& actor, const v1::DecideChangeRequest& request);

  // What waits for the actor's decision, oldest first.
  absl::StatusOr<v1::ReviewQueueResponse> Queue(
      const User& actor, const v1::ReviewQueueRequest& request);

  absl::StatusOr<v1::TeacherView> Get(const User& actor,
                                      const std::string& teacher_number);
  // A unit's teachers by school, state and number, a page at a time.
  absl::StatusOr<v1::ListTeachersResponse> List(
      const User& actor, const v1::ListTeachersRequest& request);
  // Every version, oldest first, with the change requests; with a version
  // number, that version with its record.
  absl::StatusOr<v1::TeacherHistoryResponse> History(
      const User& actor, const v1::TeacherRequest& request);

  // Takes an effective teacher out of the national scope (a tombstone in the
  // outbox): the province's system administrator or information manager,
  // with a reason.
  absl::Status Withdraw(const User& actor, const std::string& teacher_number,
                        const std::string& reason);

  // Category entries (workflow_entries.cc). A draft's or returned record's
  // entries are written directly by those who may write the category; an
  // effective record's become change requests (a new entry: an addition,
  // decided by the school; a changed or deleted one: decided by the level
  // above). `sensitive` receives the sensitive categories (ethics) whose
  // entries a read returned, for the audit log.
  absl::StatusOr<v1::PutEntryResponse> PutEntry(
      const User& actor, const v1::PutEntryRequest& request);
  absl::StatusOr<v1::ListEntriesResponse> ListEntries(
      const User& actor, const v1::ListEntriesRequest& request,
      std::vector<std::string>* sensitive);
  // The record, its entries, what is missing, its change requests and
  // (unless !with_catalog) the catalog to read them by.
  absl::StatusOr<v1::ReviewForm> ReviewForm(const User& actor,
                                            const std::string& teacher_number,
                                            std::vector<std::string>* sensitive,
                                            bool with_catalog = true);
  // The ID-card number in clear, for staff within scope and the teacher
  // itself; the caller audits the read.
  absl::StatusOr<std::string> RevealIdCard(const User& actor,
                                           const std::string& teacher_number);

 private:
  Workflow(Store& store, const IdKeys& keys,
           std::unique_ptr<crypto::Sealer> sealer, IdentityResolver* resolver)
      : store_(store),
        id_hasher_(keys.hash_key),
        seal_key_(keys.seal_key),
        sealer_(std::move(sealer)),
        resolver_(resolver) {}

  // The teacher as the actor may see it, with its school for scope checks.
  absl::StatusOr<v1::TeacherView> Load(const std::string& teacher_number);
  // Applies `fields` to `record`, checking the actor's right to each.
  absl::Status ApplyFields(const User& actor,
                           const v1::EditTeacherRequest& request,
                           v1::TeacherRecord& record);
  // OK if the actor may enter data for the record: a manager within scope,
  // or the teacher itself.
  absl::Status CheckEnters(const User& actor, const v1::TeacherView& teacher);
  // The unit that decides a change request by `actor` about a teacher of
  // `school_code`.
  absl::StatusOr<std::string> ChangeReviewer(const User& actor,
                                             const std::string& school_code,
                                             bool addition);
  // Fills a change request's item of the queue: what it changes, the value
  // now beside the value asked for, and the requester's reason.
  absl::Status DescribeChange(uint64_t id, const v1::TeacherRecord& record,
                              const Catalog& catalog, v1::ReviewItem& item);
  absl::StatusOr<v1::ChangeRequestView> LoadChange(uint64_t id);
  // A teacher's change requests, newest first.
  absl::StatusOr<std::vector<v1::ChangeRequestView>> ChangeRequests(
      const std::string& teacher_number);
  // What a change request is about beyond its fields.
  struct ChangeTarget {
    std::string kind;      // addition | change
    std::string category;  // empty: the core record
    int64_t entry_no = 0;
    bool delete_entry = false;
  };
  // FAILED_PRECONDITION when a pending request already changes the same
  // entry or the same field of the core record: one waits at a time.
  absl::Status CheckNoPendingChange(
      const std::string& teacher_number,
      const google::protobuf::RepeatedPtrField<v1::FieldValue>& fields,
      const ChangeTarget& target);
  absl::StatusOr<uint64_t> InsertChange(
      const User& actor, const v1::TeacherView& teacher,
      const std::string& reviewer,
      const google::protobuf::RepeatedPtrField<v1::FieldValue>& fields,
      const std::string& reason, const ChangeTarget& target);
  // Writes an approved change of an entry, inside the caller's transaction.
  absl::Status ApplyEntryChange(const v1::ChangeRequestView& change,
                                const User& approver);
  // What the completeness check still asks for (empty: complete).
  absl::StatusOr<std::vector<std::string>> Missing(
      const v1::TeacherView& teacher);

  Store& store_;
  crypto::Hmac id_hasher_;
  const std::string seal_key_;
  std::unique_ptr<crypto::Sealer> sealer_;
  IdentityResolver* const resolver_;
};

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_CORE_WORKFLOW_H_

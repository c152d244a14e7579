// The states of a teacher record (the `teachers.state` column and
// TeacherView.state on the wire). A record is entered as kDraft and goes
// through review (provincial/core/workflow.h) to kEffective; only effective
// records are national data; kWithdrawn and kTransferredOut leave the
// national scope (docs/architecture.md: the review workflow).
#ifndef NTMIS_PROVINCIAL_CORE_TEACHER_STATE_H_
#define NTMIS_PROVINCIAL_CORE_TEACHER_STATE_H_

#include <initializer_list>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace ntmis::provincial {

enum class TeacherState {
  kDraft,
  kSubmitted,       // waiting for the school's approval
  kSchoolApproved,  // waiting for the county's review
  kReturned,        // sent back to the school for correction
  kEffective,
  kWithdrawn,       // left, or withdrawn
  kTransferredOut,  // now another province's
};

// The name as stored and sent ("draft", "school_approved", ...).
absl::string_view StateName(TeacherState state);

// The state as clerks read it ("草稿", "已生效", ...).
absl::string_view StateLabel(TeacherState state);

// The state of a stored or sent name; nullopt for anything else.
std::optional<TeacherState> ParseTeacherState(absl::string_view name);

// Every state's name and label, for an error saying what is allowed.
std::string AllStateNames();

// Still this province's teacher (every state but the two that leave).
bool IsActive(TeacherState state);

// Entered but not yet effective: draft, submitted, approved by the school,
// or returned. These are the teachers a progress report lists as missing.
bool IsInProgress(TeacherState state);

// The school may still edit the record (draft or returned).
bool IsEditable(TeacherState state);

// "'a', 'b'" for an SQL IN list of constant states (never user input).
std::string SqlStateList(std::initializer_list<TeacherState> states);

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_CORE_TEACHER_STATE_H_

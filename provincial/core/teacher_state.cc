#include "provincial/core/teacher_state.h"

#include "absl/strings/str_cat.h"

namespace ntmis::provincial {
namespace {

constexpr TeacherState kAll[] = {
    TeacherState::kDraft,     TeacherState::kSubmitted, TeacherState::kSchoolApproved,
    TeacherState::kReturned,  TeacherState::kEffective, TeacherState::kWithdrawn,
    TeacherState::kTransferredOut,
};

}  // namespace

absl::string_view StateName(TeacherState state) {
  switch (state) {
    case TeacherState::kDraft: return "draft";
    case TeacherState::kSubmitted: return "submitted";
    case TeacherState::kSchoolApproved: return "school_approved";
    case TeacherState::kReturned: return "returned";
    case TeacherState::kEffective: return "effective";
    case TeacherState::kWithdrawn: return "withdrawn";
    case TeacherState::kTransferredOut: return "transferred_out";
  }
  return "unknown";
}

std::optional<TeacherState> ParseTeacherState(absl::string_view name) {
  for (TeacherState state : kAll) {
    if (StateName(state) == name) return state;
  }
  return std::nullopt;
}

bool IsActive(TeacherState state) {
  return state != TeacherState::kWithdrawn && state != TeacherState::kTransferredOut;
}

bool IsInProgress(TeacherState state) {
  return IsActive(state) && state != TeacherState::kEffective;
}

bool IsEditable(TeacherState state) {
  return state == TeacherState::kDraft || state == TeacherState::kReturned;
}

std::string SqlStateList(std::initializer_list<TeacherState> states) {
  std::string out;
  for (TeacherState state : states) {
    absl::StrAppend(&out, out.empty() ? "'" : ", '", StateName(state), "'");
  }
  return out;
}

}  // namespace ntmis::provincial

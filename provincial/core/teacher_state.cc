#include "provincial/core/teacher_state.h"

#include "absl/strings/str_cat.h"

namespace ntmis::provincial {
namespace {

constexpr TeacherState kAll[] = {
    TeacherState::kDraft,          TeacherState::kSubmitted,
    TeacherState::kSchoolApproved, TeacherState::kReturned,
    TeacherState::kEffective,      TeacherState::kWithdrawn,
    TeacherState::kTransferredOut,
};

}  // namespace

absl::string_view StateName(TeacherState state) {
  switch (state) {
    case TeacherState::kDraft:
      return "draft";
    case TeacherState::kSubmitted:
      return "submitted";
    case TeacherState::kSchoolApproved:
      return "school_approved";
    case TeacherState::kReturned:
      return "returned";
    case TeacherState::kEffective:
      return "effective";
    case TeacherState::kWithdrawn:
      return "withdrawn";
    case TeacherState::kTransferredOut:
      return "transferred_out";
  }
  return "unknown";
}

absl::string_view StateLabel(TeacherState state) {
  switch (state) {
    case TeacherState::kDraft:
      return "草稿";
    case TeacherState::kSubmitted:
      return "待学校审核";
    case TeacherState::kSchoolApproved:
      return "待区县审核";
    case TeacherState::kReturned:
      return "已退回";
    case TeacherState::kEffective:
      return "已生效";
    case TeacherState::kWithdrawn:
      return "已撤销";
    case TeacherState::kTransferredOut:
      return "已调出本省";
  }
  return "未知";
}

std::optional<TeacherState> ParseTeacherState(absl::string_view name) {
  for (TeacherState state : kAll) {
    if (StateName(state) == name) return state;
  }
  return std::nullopt;
}

std::string AllStateNames() {
  std::string names;
  for (TeacherState state : kAll) {
    if (!names.empty()) names += "、";
    names += absl::StrCat(StateName(state), "（", StateLabel(state), "）");
  }
  return names;
}

bool IsActive(TeacherState state) {
  return state != TeacherState::kWithdrawn &&
         state != TeacherState::kTransferredOut;
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

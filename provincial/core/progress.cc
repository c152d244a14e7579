#include "provincial/core/progress.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/base/status_macros.h"
#include "provincial/core/access.h"
#include "provincial/core/teacher_queries.h"
#include "provincial/core/units.h"

namespace ntmis::provincial {
namespace {

constexpr uint64_t kIncompleteListed = 200;

void Count(v1::ProgressRow& row, TeacherState state, uint64_t n) {
  if (!IsActive(state)) return;
  using S = TeacherState;
  row.set_entered(row.entered() + n);
  if (state == S::kReturned) row.set_returned(row.returned() + n);
  if (state == S::kSubmitted || state == S::kSchoolApproved ||
      state == S::kEffective)
    row.set_submitted(row.submitted() + n);
  if (state == S::kSchoolApproved || state == S::kEffective)
    row.set_school_approved(row.school_approved() + n);
  if (state == S::kEffective) row.set_effective(row.effective() + n);
}

}  // namespace

absl::StatusOr<v1::ProgressReport> ProgressOf(Store& store, const User& user,
                                              const std::string& unit_code) {
  if (user.role == Role::kTeacher)
    return absl::PermissionDeniedError(
        "填报进度只对单位账号开放；教师账号请查看本人信息");
  const std::string code = unit_code.empty() ? user.unit_code : unit_code;
  RETURN_IF_ERROR(CheckWithin(store, user, code));
  ASSIGN_OR_RETURN(Unit unit, LoadUnit(store, code));
  v1::ProgressReport report;
  report.mutable_total()->set_unit_code(unit.code);
  report.mutable_total()->set_unit_name(unit.name);

  // Each school of the subtree belongs to one child row (itself, for a
  // school's own report).
  absl::flat_hash_map<std::string, int> row_of_school;
  if (unit.level == UnitLevel::kSchool) {
    row_of_school[unit.code] = -1;
  } else {
    ASSIGN_OR_RETURN(std::vector<Unit> children, ChildUnits(store, code, true));
    for (const Unit& child : children) {
      int index = report.children_size();
      v1::ProgressRow* row = report.add_children();
      row->set_unit_code(child.code);
      row->set_unit_name(child.closed ? absl::StrCat(child.name, " (closed)")
                                      : child.name);
      ASSIGN_OR_RETURN(std::vector<std::string> schools,
                       SchoolsUnder(store, child.code));
      for (std::string& s : schools) row_of_school[std::move(s)] = index;
    }
  }
  std::vector<std::string> schools;
  for (const auto& [school, row] : row_of_school) schools.push_back(school);
  RETURN_IF_ERROR(CountByState(
      store, schools,
      [&](const std::string& school, TeacherState state, uint64_t n) {
        Count(*report.mutable_total(), state, n);
        int index = row_of_school[school];
        if (index >= 0) Count(*report.mutable_children(index), state, n);
      }));
  uint64_t total = 0;
  RETURN_IF_ERROR(
      ForEachInProgress(store, schools, [&](const v1::TeacherSummary& t) {
        if (++total <= kIncompleteListed) *report.add_incomplete() = t;
        return true;
      }));
  report.set_incomplete_total(total);
  return report;
}

}  // namespace ntmis::provincial

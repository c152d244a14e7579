#include "provincial/core/progress.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "provincial/core/access.h"
#include "provincial/core/units.h"

namespace ntmis::provincial {
namespace {

constexpr uint64_t kIncompleteListed = 200;

void Count(v1::ProgressRow& row, const std::string& state, uint64_t n) {
  if (state == "withdrawn" || state == "transferred_out") return;
  row.set_entered(row.entered() + n);
  if (state == "returned") row.set_returned(row.returned() + n);
  if (state == "submitted" || state == "school_approved" || state == "effective")
    row.set_submitted(row.submitted() + n);
  if (state == "school_approved" || state == "effective")
    row.set_school_approved(row.school_approved() + n);
  if (state == "effective") row.set_effective(row.effective() + n);
}

}  // namespace

absl::StatusOr<v1::ProgressReport> ProgressOf(Store& store, const User& user,
                                              const std::string& unit_code) {
  if (user.role == Role::kTeacher)
    return absl::PermissionDeniedError("progress reports are for unit accounts");
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
      row->set_unit_name(child.closed ? absl::StrCat(child.name, " (closed)") : child.name);
      ASSIGN_OR_RETURN(std::vector<std::string> schools, SchoolsUnder(store, child.code));
      for (std::string& s : schools) row_of_school[std::move(s)] = index;
    }
  }
  std::vector<std::string> schools;
  for (const auto& [school, row] : row_of_school) schools.push_back(school);
  const std::string json = sql::JsonArray(schools);
  // Counted from the (school_code, state) index alone.
  ASSIGN_OR_RETURN(sql::Statement counts,
                   store.db().Prepare(
                       "SELECT school_code, state, COUNT(*) FROM teachers WHERE school_code IN "
                       "(SELECT value FROM json_each(?)) GROUP BY school_code, state"));
  counts.BindAll(json);
  RETURN_IF_ERROR(counts.ForEachRow([&] {
    std::string state = counts.ColumnText(1);
    uint64_t n = counts.ColumnInt(2);
    Count(*report.mutable_total(), state, n);
    int index = row_of_school[counts.ColumnText(0)];
    if (index >= 0) Count(*report.mutable_children(index), state, n);
  }));
  ASSIGN_OR_RETURN(sql::Statement incomplete,
                   store.db().Prepare(
                       "SELECT teacher_number, school_code, state, version, updated_unix, "
                       "record FROM teachers WHERE school_code IN (SELECT value FROM "
                       "json_each(?)) AND state IN ('draft', 'returned', 'submitted', "
                       "'school_approved') ORDER BY school_code, state, teacher_number"));
  incomplete.BindAll(json);
  uint64_t total = 0;
  while (true) {
    ASSIGN_OR_RETURN(bool row, incomplete.Step());
    if (!row) break;
    if (++total > kIncompleteListed) continue;
    v1::TeacherSummary* t = report.add_incomplete();
    t->set_teacher_number(incomplete.ColumnText(0));
    t->set_school_code(incomplete.ColumnText(1));
    t->set_state(incomplete.ColumnText(2));
    t->set_version(incomplete.ColumnInt(3));
    t->set_updated_unix(incomplete.ColumnInt(4));
    v1::TeacherRecord record;
    record.ParseFromString(std::string(incomplete.ColumnBlob(5)));
    t->set_name(record.name());
  }
  report.set_incomplete_total(total);
  return report;
}

}  // namespace ntmis::provincial

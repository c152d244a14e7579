// The rotation report (provincial/core/careers.h; docs/operators.md,
// "Careers"): for a unit and a school year (1 September to 31 August), per
// child unit and in total,
//   teachers          effective teachers in service at its schools;
//   eligible          of them, those at the same school for at least
//                     CareerSettings.rotation_years by 1 September (since
//                     their hire date or their last transfer into the
//                     school), plus those who transferred out during the
//                     year and were eligible when they left;
//   rotated           teachers of its schools in a rotation overlapping the
//                     school year, or transferred to another school in it
//                     (a rotation with a change of employer is a transfer);
//   backbone_rotated  of them, backbone teachers: those with an entry in
//                     入选人才项目 (talent_programmes, any level), where
//                     骨干教师 and 学科带头人 selections are recorded;
// with the shares against the targets (10% of the eligible rotate each
// year; at least 20% of those rotated are backbone teachers).
#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/base/dates.h"
#include "common/base/status_macros.h"
#include "provincial/core/access.h"
#include "provincial/core/careers.h"
#include "provincial/core/careers_internal.h"
#include "provincial/core/teacher_queries.h"
#include "provincial/core/teachers.h"

namespace ntmis::provincial {
namespace {

// `date` (YYYY-MM-DD) moved back by `years` (29 February to 28 February).
std::string YearsBefore(const std::string& date, int years) {
  std::optional<Date> d = ParseDate(date);
  if (!d) return date;
  Date back{d->year - years, d->month, d->day};
  if (!IsValidDate(back.year, back.month, back.day))
    back.day = DaysInMonth(back.year, back.month);
  return back.ToString();
}

double Share(uint32_t part, uint32_t whole) {
  return whole == 0 ? 0.0 : static_cast<double>(part) / whole;
}

void Add(v1::RotationReportRow& into, const v1::RotationReportRow& row) {
  into.set_teachers(into.teachers() + row.teachers());
  into.set_eligible(into.eligible() + row.eligible());
  into.set_rotated(into.rotated() + row.rotated());
  into.set_rotated_eligible(into.rotated_eligible() + row.rotated_eligible());
  into.set_backbone_rotated(into.backbone_rotated() + row.backbone_rotated());
}

void SetShares(v1::RotationReportRow& row) {
  row.set_share(Share(row.rotated_eligible(), row.eligible()));
  row.set_backbone_share(Share(row.backbone_rotated(), row.rotated()));
}

}  // namespace

absl::StatusOr<v1::RotationReport> Careers::RotationReport(
    const User& actor, const v1::RotationReportRequest& request) {
  if (actor.role == Role::kTeacher)
    return absl::PermissionDeniedError("轮岗统计供单位账号查看");
  const std::string unit_code =
      request.unit_code().empty() ? actor.unit_code : request.unit_code();
  RETURN_IF_ERROR(CheckWithin(store_, actor, unit_code));
  ASSIGN_OR_RETURN(Unit unit, LoadUnit(store_, unit_code));
  const Date today = Today();
  const int year = request.school_year() != 0
                       ? static_cast<int>(request.school_year())
                   : today.month >= 9 ? today.year
                                      : today.year - 1;
  const std::string from = Date{year, 9, 1}.ToString();
  const std::string to = Date{year + 1, 8, 31}.ToString();
  const std::string eligible_since =
      YearsBefore(from, settings_.rotation_years);

  v1::RotationReport report;
  report.set_unit_code(unit.code);
  report.set_unit_name(unit.name);
  report.set_school_year(static_cast<uint32_t>(year));
  report.set_from_date(from);
  report.set_to_date(to);
  report.set_years_required(static_cast<uint32_t>(settings_.rotation_years));
  report.set_target_share(0.10);
  report.set_target_backbone_share(0.20);

  ASSIGN_OR_RETURN(sql::Transaction read,
                   sql::Transaction::BeginRead(store_.db()));
  // Completed transfers: when each teacher arrived at a school, and who left
  // which school during the year.
  struct Move {
    std::string teacher, from_school, to_school, date;
  };
  std::vector<Move> moves;
  {
    ASSIGN_OR_RETURN(
        sql::Statement q,
        store_.db().Prepare("SELECT record FROM career_cases WHERE kind = ? "
                            "AND state = 'completed' ORDER BY id"));
    q.BindAll(static_cast<int64_t>(v1::CAREER_TRANSFER));
    RETURN_IF_ERROR(q.ForEachRow([&] {
      v1::CareerCase c;
      if (c.ParseFromString(std::string(q.ColumnBlob(0))))
        moves.push_back({c.teacher_number(), c.from_school(), c.to_school(),
                         c.effective_date()});
    }));
  }
  absl::flat_hash_map<std::string, std::vector<const Move*>>
      moves_of;  // by teacher
  for (const Move& m : moves) moves_of[m.teacher].push_back(&m);
  // When `teacher` arrived at `school`, as of `date`: the last transfer into
  // it before then, else the hire date.
  auto arrived = [&](const std::string& teacher, const std::string& school,
                     const std::string& hire_date, const std::string& date) {
    std::string since = hire_date;
    auto it = moves_of.find(teacher);
    if (it == moves_of.end()) return since;
    for (const Move* m : it->second)
      if (m->to_school == school && m->date <= date && m->date > since)
        since = m->date;
    return since;
  };
  absl::flat_hash_set<std::string> backbone;
  {
    ASSIGN_OR_RETURN(
        sql::Statement q,
        store_.db().Prepare(
            "SELECT DISTINCT teacher_number FROM teacher_entries "
            "WHERE category = 'talent_programmes' AND deleted = 0"));
    RETURN_IF_ERROR(q.ForEachRow([&] { backbone.insert(q.ColumnText(0)); }));
  }
  // Rotated this school year, by the school they rotated from.
  absl::flat_hash_map<std::string, absl::flat_hash_set<std::string>>
      rotated_from;
  {
    ASSIGN_OR_RETURN(sql::Statement q,
                     store_.db().Prepare(
                         "SELECT teacher_number, from_school FROM career_cases "
                         "WHERE kind = ? AND state IN ('in_effect', 'ended') "
                         "AND start_date <= ? AND end_date >= ? AND "
                         "end_date >= start_date"));
    q.BindAll(static_cast<int64_t>(v1::CAREER_ROTATION), to, from);
    RETURN_IF_ERROR(q.ForEachRow(
        [&] { rotated_from[q.ColumnText(1)].insert(q.ColumnText(0)); }));
  }
  absl::flat_hash_map<std::string, std::vector<const Move*>>
      left;  // by from_school
  for (const Move& m : moves)
    if (m.date >= from && m.date <= to) left[m.from_school].push_back(&m);

  auto school_row = [&](const std::string& school,
                        v1::RotationReportRow& row) -> absl::Status {
    const auto rotated_it = rotated_from.find(school);
    auto was_rotated = [&](const std::string& number) {
      return rotated_it != rotated_from.end() &&
             rotated_it->second.contains(number);
    };
    absl::flat_hash_set<std::string> counted;
    RETURN_IF_ERROR(ForEachTeacherOfSchool(
        store_, school, TeacherState::kEffective,
        [&](const std::string& number, TeacherState,
            const v1::TeacherRecord& record) {
          if (EndsService(record.status())) return absl::OkStatus();
          row.set_teachers(row.teachers() + 1);
          const bool eligible = arrived(number, school, record.hire_date(),
                                        from) <= eligible_since;
          if (eligible) row.set_eligible(row.eligible() + 1);
          if (was_rotated(number)) {
            counted.insert(number);
            row.set_rotated(row.rotated() + 1);
            if (eligible) row.set_rotated_eligible(row.rotated_eligible() + 1);
            if (backbone.contains(number))
              row.set_backbone_rotated(row.backbone_rotated() + 1);
          }
          return absl::OkStatus();
        }));
    // Those who transferred away during the year.
    if (auto it = left.find(school); it != left.end()) {
      for (const Move* m : it->second) {
        if (!counted.insert(m->teacher).second) continue;
        absl::StatusOr<StoredTeacher> t = LoadTeacher(store_, m->teacher);
        if (!t.ok()) continue;
        const bool eligible = arrived(m->teacher, school, t->record.hire_date(),
                                      from) <= eligible_since;
        if (eligible) row.set_eligible(row.eligible() + 1);
        row.set_rotated(row.rotated() + 1);
        if (eligible) row.set_rotated_eligible(row.rotated_eligible() + 1);
        if (backbone.contains(m->teacher))
          row.set_backbone_rotated(row.backbone_rotated() + 1);
      }
    }
    return absl::OkStatus();
  };

  std::vector<Unit> children;
  if (unit.level == UnitLevel::kSchool) {
    children.push_back(unit);
  } else {
    ASSIGN_OR_RETURN(children,
                     ChildUnits(store_, unit.code, /*include_closed=*/false));
  }
  v1::RotationReportRow* total = report.mutable_total();
  total->set_unit_code(unit.code);
  total->set_unit_name(unit.name);
  for (const Unit& child : children) {
    v1::RotationReportRow* row = report.add_children();
    row->set_unit_code(child.code);
    row->set_unit_name(child.name);
    ASSIGN_OR_RETURN(std::vector<std::string> schools,
                     SchoolsUnder(store_, child.code));
    for (const std::string& school : schools)
      RETURN_IF_ERROR(school_row(school, *row));
    SetShares(*row);
    Add(*total, *row);
  }
  SetShares(*total);
  return report;
}

}  // namespace ntmis::provincial

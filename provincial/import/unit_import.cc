#include "provincial/import/unit_import.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"
#include "common/teacher/code_tables.h"
#include "provincial/core/access.h"

namespace ntmis::provincial {
namespace {

enum UnitColumn { kCode, kParentCode, kLevel, kName, kSchoolCategory };

struct PreparedUnits final : PreparedRows {
  std::vector<Unit> units;
  size_t size() const override { return units.size(); }
};

}  // namespace

absl::StatusOr<std::unique_ptr<UnitRowHandler>> UnitRowHandler::Create(
    Store& store, const User& actor) {
  std::unique_ptr<UnitRowHandler> handler(new UnitRowHandler());
  ASSIGN_OR_RETURN(handler->province_, store.Province());
  RETURN_IF_ERROR(
      CheckProvinceStaff(actor, handler->province_, "import.units"));
  ASSIGN_OR_RETURN(sql::Statement stmt,
                   store.db().Prepare("SELECT code, level, closed FROM units"));
  RETURN_IF_ERROR(stmt.ForEachRow([&] {
    handler->known_[stmt.ColumnText(0)] =
        static_cast<UnitLevel>(stmt.ColumnInt(1));
    if (stmt.ColumnInt(2) != 0) handler->closed_.insert(stmt.ColumnText(0));
  }));
  return handler;
}

const std::vector<TableColumn>& UnitRowHandler::columns() const {
  return UnitTemplate();
}

bool UnitRowHandler::Prepare(const std::vector<std::string>& fields,
                             const ColumnIndex& index, RowProblems& problems) {
  auto field = [&](UnitColumn c) {
    return std::string(absl::StripAsciiWhitespace(fields[index[c]]));
  };
  Unit unit;
  unit.code = field(kCode);
  unit.parent_code = field(kParentCode);
  unit.name = field(kName);
  std::string level = absl::AsciiStrToLower(field(kLevel));
  if (level == "city" || level == "2" || level == "地市" || level == "市") {
    unit.level = UnitLevel::kCity;
  } else if (level == "county" || level == "3" || level == "区县" ||
             level == "县") {
    unit.level = UnitLevel::kCounty;
  } else if (level == "school" || level == "4" || level == "学校") {
    unit.level = UnitLevel::kSchool;
  } else {
    problems.Add("level", level,
                 "须为 city（地市）、county（区县）或 school（学校）之一");
    return false;
  }

  if (auto earlier = row_of_code_.find(unit.code);
      earlier != row_of_code_.end()) {
    problems.Add("code", unit.code,
                 absl::StrCat("重复：本文件第 ", earlier->second,
                              " 行已有同一单位代码"));
    return false;
  }
  auto parent = known_.find(unit.parent_code);
  std::optional<UnitLevel> parent_level;
  // A closed parent takes no new unit (CheckNewUnit: 未撤销).
  if (parent != known_.end() && !closed_.contains(parent->first))
    parent_level = parent->second;
  CheckNewUnit(unit, parent_level, known_.contains(unit.code),
               field(kSchoolCategory), problems);
  if (unit.level == UnitLevel::kSchool && problems.empty()) {
    unit.school_category = static_cast<v1::SchoolCategory>(
        *CodeTable::Of<v1::SchoolCategory>().Parse(field(kSchoolCategory)));
  }
  if (!problems.empty()) return false;
  known_[unit.code] = unit.level;
  row_of_code_[unit.code] = problems.row();
  prepared_.push_back(std::move(unit));
  return true;
}

std::unique_ptr<PreparedRows> UnitRowHandler::TakePrepared() {
  auto rows = std::make_unique<PreparedUnits>();
  rows->units.swap(prepared_);
  return rows;
}

absl::StatusOr<uint64_t> UnitRowHandler::Write(
    Store& store, PreparedRows& rows,
    std::vector<v1::ImportProblem>* problems) {
  const auto& units = static_cast<PreparedUnits&>(rows).units;
  for (const Unit& u : units) RETURN_IF_ERROR(InsertUnit(store, u));
  return units.size();
}
}  // namespace ntmis::provincial

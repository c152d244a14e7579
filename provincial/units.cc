#include "provincial/units.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/code_tables.h"
#include "common/status_macros.h"
#include "common/text_encoding.h"

namespace ntmis::provincial {
namespace {

bool AllDigits(absl::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!absl::ascii_isdigit(c)) return false;
  return true;
}

}  // namespace

const std::vector<std::string>& UnitTemplateColumns() {
  static const auto* columns = new std::vector<std::string>{
      "code", "parent_code", "level", "name", "school_category"};
  return *columns;
}

absl::Status EnsureProvinceUnit(Store& store, const std::string& province) {
  int code = 0;
  if (!absl::SimpleAtoi(province, &code) || !IsProvinceCode(code) || province.size() != 2)
    return absl::InvalidArgumentError(absl::StrCat(
        "province must be a two-digit GB/T 2260 code; allowed: ",
        CodeTable::Of<v1::Province>().AllowedValues()));
  ASSIGN_OR_RETURN(sql::Statement stmt,
                   store.db().Prepare("INSERT OR IGNORE INTO units(code, parent_code, "
                                      "level, name) VALUES (?, NULL, 1, ?)"));
  return stmt.BindAll(province, CodeTable::Of<v1::Province>().Label(code)).Run();
}

absl::StatusOr<absl::flat_hash_map<std::string, SchoolPlace>> LoadSchools(Store& store) {
  ASSIGN_OR_RETURN(sql::Statement stmt,
                   store.db().Prepare(
                       "SELECT s.code, c.parent_code, s.parent_code, s.school_category "
                       "FROM units s JOIN units c ON c.code = s.parent_code "
                       "WHERE s.level = 4 AND s.closed = 0"));
  absl::flat_hash_map<std::string, SchoolPlace> schools;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    schools[stmt.ColumnText(0)] = {stmt.ColumnText(1), stmt.ColumnText(2),
                                   static_cast<v1::SchoolCategory>(stmt.ColumnInt(3))};
  }
  return schools;
}

absl::StatusOr<std::unique_ptr<UnitRowHandler>> UnitRowHandler::Create(Store& store) {
  std::unique_ptr<UnitRowHandler> handler(new UnitRowHandler());
  ASSIGN_OR_RETURN(handler->province_, store.Province());
  ASSIGN_OR_RETURN(sql::Statement stmt, store.db().Prepare("SELECT code, level FROM units"));
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    handler->known_[stmt.ColumnText(0)] = static_cast<UnitLevel>(stmt.ColumnInt(1));
  }
  return handler;
}

const std::vector<std::string>& UnitRowHandler::columns() const {
  return UnitTemplateColumns();
}

namespace {
enum UnitColumn { kCode, kParentCode, kLevel, kName, kSchoolCategory };

struct PreparedUnits final : PreparedRows {
  std::vector<Unit> units;
  size_t size() const override { return units.size(); }
};
}  // namespace

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
  if (level == "city" || level == "2") {
    unit.level = UnitLevel::kCity;
  } else if (level == "county" || level == "3") {
    unit.level = UnitLevel::kCounty;
  } else if (level == "school" || level == "4") {
    unit.level = UnitLevel::kSchool;
  } else {
    problems.Add("level", level, "one of city, county, school");
    return false;
  }

  size_t code_len = unit.level == UnitLevel::kCity ? 4 : unit.level == UnitLevel::kCounty ? 6 : 10;
  if (!AllDigits(unit.code) || unit.code.size() != code_len) {
    problems.Add("code", unit.code, absl::StrCat(level, " codes are ", code_len, " digits"));
  } else if (known_.contains(unit.code)) {
    problems.Add("code", unit.code, "unit code already exists");
  } else if (unit.level != UnitLevel::kSchool &&
             !absl::StartsWith(unit.code, unit.parent_code)) {
    problems.Add("code", unit.code, "a city or county code starts with its parent's code");
  }
  UnitLevel parent_level = static_cast<UnitLevel>(static_cast<int>(unit.level) - 1);
  auto parent = known_.find(unit.parent_code);
  if (parent == known_.end() || parent->second != parent_level) {
    problems.Add("parent_code", unit.parent_code,
                 absl::StrCat("must be an existing ",
                              parent_level == UnitLevel::kProvince ? "province"
                              : parent_level == UnitLevel::kCity   ? "city"
                                                                   : "county",
                              " unit (stored or earlier in the file)"));
  }
  if (unit.name.empty() || unit.name.size() > 200)
    problems.Add("name", unit.name, "required, at most 200 bytes");
  std::string category = field(kSchoolCategory);
  if (unit.level == UnitLevel::kSchool) {
    auto parsed = CodeTable::Of<v1::SchoolCategory>().Parse(category);
    if (!parsed.ok()) {
      problems.Add("school_category", category, std::string(parsed.status().message()));
    } else {
      unit.school_category = static_cast<v1::SchoolCategory>(*parsed);
    }
  } else if (!category.empty()) {
    problems.Add("school_category", category, "only schools have a school category");
  }
  if (!problems.empty()) return false;
  known_[unit.code] = unit.level;
  prepared_.push_back(std::move(unit));
  return true;
}

std::unique_ptr<PreparedRows> UnitRowHandler::TakePrepared() {
  auto rows = std::make_unique<PreparedUnits>();
  rows->units.swap(prepared_);
  return rows;
}

absl::StatusOr<uint64_t> UnitRowHandler::Write(Store& store, PreparedRows& rows,
                                               std::vector<v1::ImportProblem>* problems) {
  ASSIGN_OR_RETURN(sql::Statement insert,
                   store.db().Prepare("INSERT INTO units(code, parent_code, level, name, "
                                      "school_category) VALUES (?, ?, ?, ?, ?)"));
  const auto& units = static_cast<PreparedUnits&>(rows).units;
  for (const Unit& u : units) {
    insert.BindAll(u.code, u.parent_code, static_cast<int>(u.level), u.name);
    if (u.level == UnitLevel::kSchool) {
      insert.Bind(5, static_cast<int>(u.school_category));
    } else {
      insert.BindNull(5);
    }
    RETURN_IF_ERROR(insert.Run());
  }
  return units.size();
}

}  // namespace ntmis::provincial

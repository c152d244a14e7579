#include "provincial/core/units.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"
#include "common/tables/text_encoding.h"
#include "common/teacher/code_tables.h"

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

const std::vector<TableColumn>& UnitTemplate() {
  static const auto* columns = [] {
    static const char* const kLabels[] = {"单位代码", "上级单位代码", "层级",
                                          "单位名称", "学校类别"};
    auto* out = new std::vector<TableColumn>();
    for (size_t i = 0; i < UnitTemplateColumns().size(); ++i) {
      TableColumn c;
      c.name = UnitTemplateColumns()[i];
      c.label = kLabels[i];
      c.max_chars = c.name == "name" ? 100 : 40;
      out->push_back(std::move(c));
    }
    return out;
  }();
  return *columns;
}

absl::Status EnsureProvinceUnit(Store& store, const std::string& province) {
  int code = 0;
  if (!absl::SimpleAtoi(province, &code) || !IsProvinceCode(code) ||
      province.size() != 2)
    return absl::InvalidArgumentError(
        absl::StrCat("省份须为两位 GB/T 2260 代码；可选：",
                     CodeTable::Of<v1::Province>().AllowedValues()));
  ASSIGN_OR_RETURN(
      sql::Statement stmt,
      store.db().Prepare("INSERT OR IGNORE INTO units(code, parent_code, "
                         "level, name) VALUES (?, NULL, 1, ?)"));
  return stmt.BindAll(province, CodeTable::Of<v1::Province>().Label(code))
      .Run();
}

namespace {

// A school, its city and county, its category and the closed unit on its
// chain (the school, its county or its city; '' when all are open).
constexpr char kSchoolPlaceSql[] =
    "SELECT s.code, c.parent_code, s.parent_code, s.school_category, "
    "CASE WHEN s.closed THEN s.code WHEN c.closed THEN c.code "
    "WHEN y.closed THEN y.code ELSE '' END "
    "FROM units s JOIN units c ON c.code = s.parent_code "
    "LEFT JOIN units y ON y.code = c.parent_code WHERE s.level = 4";

SchoolPlace PlaceOf(sql::Statement& stmt) {
  return {stmt.ColumnText(1), stmt.ColumnText(2),
          static_cast<v1::SchoolCategory>(stmt.ColumnInt(3)),
          stmt.ColumnText(4)};
}

}  // namespace

absl::StatusOr<absl::flat_hash_map<std::string, SchoolPlace>> LoadSchools(
    Store& store) {
  ASSIGN_OR_RETURN(sql::Statement stmt, store.db().Prepare(kSchoolPlaceSql));
  absl::flat_hash_map<std::string, SchoolPlace> schools;
  RETURN_IF_ERROR(
      stmt.ForEachRow([&] { schools[stmt.ColumnText(0)] = PlaceOf(stmt); }));
  return schools;
}

absl::StatusOr<std::optional<SchoolPlace>> LoadSchool(Store& store,
                                                      const std::string& code) {
  ASSIGN_OR_RETURN(
      sql::Statement stmt,
      store.db().Prepare(absl::StrCat(kSchoolPlaceSql, " AND s.code = ?")));
  ASSIGN_OR_RETURN(bool row, stmt.BindAll(code).Step());
  if (!row) return std::nullopt;
  return PlaceOf(stmt);
}

std::string SchoolTakesTeachersRule(const std::string& school_code,
                                    const SchoolPlace* place) {
  if (place == nullptr)
    return "本省单位树中没有这个学校代码（请核对代码，或先导入单位）";
  if (place->closed_unit.empty()) return "";
  if (place->closed_unit == school_code)
    return "该学校已撤销（关闭），不能再录入教师";
  return absl::StrCat("该学校所属单位 ", place->closed_unit,
                      " 已撤销（关闭），不能再录入教师");
}

void CheckNewUnit(const Unit& unit, std::optional<UnitLevel> parent_level,
                  bool code_taken, const std::string& category,
                  RowProblems& problems) {
  size_t code_len = unit.level == UnitLevel::kCity     ? 4
                    : unit.level == UnitLevel::kCounty ? 6
                                                       : 10;
  if (!AllDigits(unit.code) || unit.code.size() != code_len) {
    problems.Add("code", unit.code,
                 absl::StrCat(UnitLevelLabel(unit.level), "代码为 ", code_len,
                              " 位数字"));
  } else if (code_taken) {
    problems.Add("code", unit.code, "单位代码已存在");
  } else if (unit.level != UnitLevel::kSchool &&
             !absl::StartsWith(unit.code, unit.parent_code)) {
    problems.Add("code", unit.code, "地市、区县代码须以上级单位代码开头");
  }
  UnitLevel wanted = static_cast<UnitLevel>(static_cast<int>(unit.level) - 1);
  if (parent_level != wanted) {
    problems.Add("parent_code", unit.parent_code,
                 absl::StrCat("须为已有且未撤销的", UnitLevelLabel(wanted),
                              "单位代码（已导入，或在本文件前面的行中）"));
  }
  if (unit.name.empty() || unit.name.size() > 200 || !IsValidUtf8(unit.name))
    problems.Add("name", unit.name, "必填，UTF-8 文本，不超过 200 字节");
  if (unit.level == UnitLevel::kSchool) {
    auto parsed = CodeTable::Of<v1::SchoolCategory>().Parse(category);
    if (!parsed.ok())
      problems.Add("school_category", category,
                   std::string(parsed.status().message()));
  } else if (!category.empty()) {
    problems.Add("school_category", category, "只有学校才填学校类别");
  }
}

namespace {

Unit UnitFrom(const sql::Statement& row) {
  Unit unit;
  unit.code = row.ColumnText(0);
  unit.parent_code = row.ColumnText(1);
  unit.level = static_cast<UnitLevel>(row.ColumnInt(2));
  unit.name = row.ColumnText(3);
  unit.school_category = static_cast<v1::SchoolCategory>(row.ColumnInt(4));
  unit.closed = row.ColumnInt(5) != 0;
  return unit;
}

constexpr char kUnitColumns[] =
    "SELECT code, COALESCE(parent_code, ''), level, name, "
    "COALESCE(school_category, 0), "
    "closed FROM units ";

}  // namespace

const char* UnitLevelName(UnitLevel level) {
  switch (level) {
    case UnitLevel::kProvince:
      return "province";
    case UnitLevel::kCity:
      return "city";
    case UnitLevel::kCounty:
      return "county";
    case UnitLevel::kSchool:
      return "school";
  }
  return "unit";
}

const char* UnitLevelLabel(UnitLevel level) {
  switch (level) {
    case UnitLevel::kProvince:
      return "省级";
    case UnitLevel::kCity:
      return "地市";
    case UnitLevel::kCounty:
      return "区县";
    case UnitLevel::kSchool:
      return "学校";
  }
  return "单位";
}

absl::StatusOr<Unit> LoadUnit(Store& store, const std::string& code) {
  ASSIGN_OR_RETURN(sql::Statement stmt, store.db().Prepare(absl::StrCat(
                                            kUnitColumns, "WHERE code = ?")));
  ASSIGN_OR_RETURN(bool row, stmt.BindAll(code).Step());
  if (!row)
    return absl::NotFoundError(
        absl::StrCat("没有单位代码为 ", code, " 的单位"));
  return UnitFrom(stmt);
}

const std::string& UnitNames::operator()(const std::string& code) {
  auto [name, fresh] = names_.try_emplace(code, code);
  if (fresh)
    if (absl::StatusOr<Unit> unit = LoadUnit(store_, code); unit.ok())
      name->second = unit->name;
  return name->second;
}

absl::StatusOr<std::vector<Unit>> UnitChain(Store& store,
                                            const std::string& code) {
  std::vector<Unit> chain;
  std::string next = code;
  while (!next.empty() && chain.size() < 5) {
    ASSIGN_OR_RETURN(Unit unit, LoadUnit(store, next));
    next = unit.parent_code;
    chain.push_back(std::move(unit));
  }
  return chain;
}

absl::StatusOr<std::vector<Unit>> ChildUnits(Store& store,
                                             const std::string& code,
                                             bool include_closed) {
  ASSIGN_OR_RETURN(
      sql::Statement stmt,
      store.db().Prepare(absl::StrCat(kUnitColumns, "WHERE parent_code = ?",
                                      include_closed ? "" : " AND closed = 0",
                                      " ORDER BY code")));
  stmt.BindAll(code);
  std::vector<Unit> units;
  RETURN_IF_ERROR(stmt.ForEachRow([&] { units.push_back(UnitFrom(stmt)); }));
  return units;
}

absl::Status InsertUnit(Store& store, const Unit& unit) {
  ASSIGN_OR_RETURN(
      sql::Statement insert,
      store.db().Prepare("INSERT INTO units(code, parent_code, level, name, "
                         "school_category) VALUES (?, ?, ?, ?, ?)"));
  insert.BindAll(unit.code, unit.parent_code, static_cast<int>(unit.level),
                 unit.name);
  if (unit.level == UnitLevel::kSchool) {
    insert.Bind(5, static_cast<int>(unit.school_category));
  } else {
    insert.BindNull(5);
  }
  return insert.Run();
}

void ToProto(const Unit& unit, v1::UnitInfo* out) {
  out->set_code(unit.code);
  out->set_parent_code(unit.parent_code);
  out->set_level(static_cast<uint32_t>(unit.level));
  out->set_name(unit.name);
  out->set_school_category(unit.school_category);
  out->set_closed(unit.closed);
}

}  // namespace ntmis::provincial

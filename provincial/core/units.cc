#include "provincial/core/units.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "common/teacher/code_tables.h"
#include "common/text_encoding.h"
#include "provincial/core/access.h"
#include "provincial/core/teacher_queries.h"
#include "provincial/core/teachers.h"

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
        absl::StrCat("province must be a two-digit GB/T 2260 code; allowed: ",
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

absl::Status ProblemsStatus(RowProblems& problems) {
  std::vector<std::string> parts;
  for (const v1::ImportProblem& p : problems.problems())
    parts.push_back(absl::StrCat(p.column(), "='", p.value(), "': ", p.rule()));
  return absl::InvalidArgumentError(absl::StrJoin(parts, "; "));
}

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
  if (!row) return absl::NotFoundError(absl::StrCat("no unit ", code));
  return UnitFrom(stmt);
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

namespace {

// A system administrator changes the units below its own.
absl::Status CheckUnitAdmin(Store& store, const User& actor,
                            const std::string& unit_code) {
  RETURN_IF_ERROR(CheckRole(actor, {Role::kSysAdmin}, "调整单位"));
  RETURN_IF_ERROR(CheckWithin(store, actor, unit_code));
  if (unit_code == actor.unit_code) {
    return absl::PermissionDeniedError(
        absl::StrCat("unit ", unit_code,
                     " is changed by the administrator of the unit above it"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Unit> AddUnit(Store& store, const User& actor,
                             const Unit& unit) {
  RETURN_IF_ERROR(CheckRole(actor, {Role::kSysAdmin}, "调整单位"));
  RETURN_IF_ERROR(CheckWithin(store, actor, unit.parent_code));
  if (static_cast<int>(unit.level) < 2 || static_cast<int>(unit.level) > 4)
    return absl::InvalidArgumentError("level: 2 city, 3 county, 4 school");
  ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(store.db()));
  std::optional<UnitLevel> parent_level;
  absl::StatusOr<Unit> parent = LoadUnit(store, unit.parent_code);
  if (parent.ok() && !parent->closed) parent_level = parent->level;
  bool taken = LoadUnit(store, unit.code).ok();
  RowProblems problems(0);
  std::string category =
      unit.level == UnitLevel::kSchool
          ? absl::StrCat(static_cast<int>(unit.school_category))
          : "";
  CheckNewUnit(unit, parent_level, taken, category, problems);
  if (!problems.empty()) return ProblemsStatus(problems);
  RETURN_IF_ERROR(InsertUnit(store, unit));
  RETURN_IF_ERROR(txn.Commit());
  return LoadUnit(store, unit.code);
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

absl::StatusOr<Unit> RenameUnit(Store& store, const User& actor,
                                const std::string& code,
                                const std::string& name) {
  RETURN_IF_ERROR(CheckUnitAdmin(store, actor, code));
  ASSIGN_OR_RETURN(Unit unit, LoadUnit(store, code));
  if (name.empty() || name.size() > 200 || !IsValidUtf8(name))
    return absl::InvalidArgumentError(
        absl::StrCat("name='", name, "': required, UTF-8, at most 200 bytes"));
  ASSIGN_OR_RETURN(
      sql::Statement update,
      store.db().Prepare("UPDATE units SET name = ? WHERE code = ?"));
  RETURN_IF_ERROR(update.BindAll(name, code).Run());
  unit.name = name;
  return unit;
}

absl::StatusOr<Unit> MoveUnit(Store& store, const User& actor,
                              const std::string& code,
                              const std::string& new_parent_code) {
  RETURN_IF_ERROR(CheckUnitAdmin(store, actor, code));
  RETURN_IF_ERROR(CheckWithin(store, actor, new_parent_code));
  ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(store.db()));
  ASSIGN_OR_RETURN(Unit unit, LoadUnit(store, code));
  if (unit.level != UnitLevel::kSchool) {
    return absl::InvalidArgumentError(absl::StrCat(
        UnitLevelName(unit.level), " ", code,
        ": only schools move; a city's or county's code starts with its "
        "parent's, so one "
        "that changes parent gets a new code (add it, then move its schools)"));
  }
  absl::StatusOr<Unit> parent = LoadUnit(store, new_parent_code);
  if (!parent.ok() || parent->level != UnitLevel::kCounty || parent->closed) {
    return absl::InvalidArgumentError(
        absl::StrCat("new_parent_code='", new_parent_code,
                     "': must be an open county of this province"));
  }
  if (unit.closed) {
    return absl::FailedPreconditionError(
        absl::StrCat("school ", code, " is closed"));
  }
  ASSIGN_OR_RETURN(
      sql::Statement update,
      store.db().Prepare("UPDATE units SET parent_code = ? WHERE code = ?"));
  RETURN_IF_ERROR(update.BindAll(new_parent_code, code).Run());
  // Every record of the school carries its county and city; effective ones
  // are re-sent with them.
  RETURN_IF_ERROR(RelocateSchoolTeachers(store, code, parent->parent_code,
                                         new_parent_code));
  RETURN_IF_ERROR(txn.Commit());
  unit.parent_code = new_parent_code;
  return unit;
}

absl::StatusOr<Unit> CloseUnit(Store& store, const User& actor,
                               const std::string& code,
                               const std::string& reason) {
  if (absl::StripAsciiWhitespace(reason).empty())
    return absl::InvalidArgumentError("closing a unit needs a reason");
  RETURN_IF_ERROR(CheckUnitAdmin(store, actor, code));
  ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(store.db()));
  ASSIGN_OR_RETURN(Unit unit, LoadUnit(store, code));
  if (unit.level == UnitLevel::kProvince)
    return absl::InvalidArgumentError("the province unit cannot be closed");
  if (unit.closed) return unit;
  ASSIGN_OR_RETURN(std::vector<Unit> children, ChildUnits(store, code, false));
  if (!children.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat(UnitLevelName(unit.level), " ", code, " still has ",
                     children.size(), " open units (first ", children[0].code,
                     "): close or move them first"));
  }
  if (unit.level == UnitLevel::kSchool) {
    ASSIGN_OR_RETURN(uint64_t active, CountActiveTeachers(store, code));
    if (active > 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("school ", code, " still has ", active,
                       " active teachers: transfer or withdraw them first"));
    }
  }
  ASSIGN_OR_RETURN(
      sql::Statement update,
      store.db().Prepare("UPDATE units SET closed = 1 WHERE code = ?"));
  RETURN_IF_ERROR(update.BindAll(code).Run());
  RETURN_IF_ERROR(txn.Commit());
  unit.closed = true;
  return unit;
}

}  // namespace ntmis::provincial

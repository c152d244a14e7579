#include "provincial/core/unit_admin.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/base/status_macros.h"
#include "common/tables/text_encoding.h"
#include "provincial/core/access.h"
#include "provincial/core/teacher_queries.h"
#include "provincial/core/teachers.h"

namespace ntmis::provincial {

namespace {

absl::Status ProblemsStatus(RowProblems& problems) {
  std::vector<std::string> parts;
  for (const v1::ImportProblem& p : problems.problems())
    parts.push_back(absl::StrCat(p.column(), "='", p.value(), "': ", p.rule()));
  return absl::InvalidArgumentError(absl::StrJoin(parts, "; "));
}

// A system administrator changes the units below its own.
absl::Status CheckUnitAdmin(Store& store, const User& actor,
                            const std::string& unit_code) {
  RETURN_IF_ERROR(CheckRole(actor, {Role::kSysAdmin}, "调整单位"));
  RETURN_IF_ERROR(CheckWithin(store, actor, unit_code));
  if (unit_code == actor.unit_code) {
    return absl::PermissionDeniedError(
        absl::StrCat("单位 ", unit_code, " 由上级单位的系统管理员调整"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<Unit>> ListChildUnits(Store& store, const User& user,
                                                 const std::string& unit_code,
                                                 bool include_closed,
                                                 bool directory) {
  const std::string& code = unit_code.empty() ? user.unit_code : unit_code;
  if (directory) {
    RETURN_IF_ERROR(CheckRole(user,
                              {Role::kSysAdmin, Role::kManager, Role::kQuerier},
                              "查看单位名录"));
    RETURN_IF_ERROR(LoadUnit(store, code).status());
    return ChildUnits(store, code, /*include_closed=*/false);
  }
  RETURN_IF_ERROR(CheckWithin(store, user, code));
  return ChildUnits(store, code, include_closed);
}

absl::StatusOr<Unit> AddUnit(Store& store, const User& actor,
                             const Unit& unit) {
  RETURN_IF_ERROR(CheckRole(actor, {Role::kSysAdmin}, "调整单位"));
  RETURN_IF_ERROR(CheckWithin(store, actor, unit.parent_code));
  if (static_cast<int>(unit.level) < 2 || static_cast<int>(unit.level) > 4)
    return absl::InvalidArgumentError(
        "level: 须为 2（地市）、3（区县）或 4（学校）");
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

absl::StatusOr<Unit> RenameUnit(Store& store, const User& actor,
                                const std::string& code,
                                const std::string& name) {
  RETURN_IF_ERROR(CheckUnitAdmin(store, actor, code));
  ASSIGN_OR_RETURN(Unit unit, LoadUnit(store, code));
  if (name.empty() || name.size() > 200 || !IsValidUtf8(name))
    return absl::InvalidArgumentError(
        absl::StrCat("name='", name, "': 必填，不超过 200 字节"));
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
        UnitLevelLabel(unit.level), " ", code,
        "：只有学校可以改隶属；地市、区县的代码以上级代码开头，改隶属即是新代码"
        "（请新增该单位，再把学校移过去）"));
  }
  absl::StatusOr<Unit> parent = LoadUnit(store, new_parent_code);
  if (!parent.ok() || parent->level != UnitLevel::kCounty || parent->closed) {
    return absl::InvalidArgumentError(absl::StrCat(
        "new_parent_code='", new_parent_code, "': 须为本省一个未撤销的区县"));
  }
  if (unit.closed) {
    return absl::FailedPreconditionError(
        absl::StrCat("学校 ", code, " 已撤销"));
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
    return absl::InvalidArgumentError("reason: 撤销单位须填写原因");
  RETURN_IF_ERROR(CheckUnitAdmin(store, actor, code));
  ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(store.db()));
  ASSIGN_OR_RETURN(Unit unit, LoadUnit(store, code));
  if (unit.level == UnitLevel::kProvince)
    return absl::InvalidArgumentError("省级单位不能撤销");
  if (unit.closed) return unit;
  ASSIGN_OR_RETURN(std::vector<Unit> children, ChildUnits(store, code, false));
  if (!children.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        UnitLevelLabel(unit.level), " ", code, " 下还有 ", children.size(),
        " 个未撤销的单位（如 ", children[0].code, "）：请先撤销或移走它们"));
  }
  if (unit.level == UnitLevel::kSchool) {
    ASSIGN_OR_RETURN(uint64_t active, CountActiveTeachers(store, code));
    if (active > 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("学校 ", code, " 还有 ", active,
                       " 名在册教师：请先为他们办理调动或在职情况变动"));
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

#include "provincial/core/labels.h"

#include <set>

#include "common/tables/table_reader.h"
#include "provincial/core/careers.h"
#include "provincial/core/categories.h"
#include "provincial/core/teacher_fields.h"
#include "provincial/core/teacher_state.h"
#include "provincial/core/units.h"
#include "provincial/core/user.h"
#include "provincial/core/workflow.h"

namespace ntmis::provincial {

std::vector<LabelTable> ClerkLabels() {
  std::vector<LabelTable> tables;
  LabelTable& states = tables.emplace_back(LabelTable{"states", {}});
  for (TeacherState s : {TeacherState::kDraft, TeacherState::kSubmitted,
                         TeacherState::kSchoolApproved, TeacherState::kReturned,
                         TeacherState::kEffective, TeacherState::kWithdrawn,
                         TeacherState::kTransferredOut})
    states.entries.emplace_back(std::string(StateName(s)),
                                std::string(StateLabel(s)));
  tables.push_back({"steps", ReviewStepLabels()});
  LabelTable& roles = tables.emplace_back(LabelTable{"roles", {}});
  for (Role r :
       {Role::kSysAdmin, Role::kManager, Role::kQuerier, Role::kTeacher})
    roles.entries.emplace_back(v1::UserRole_Name(RoleToProto(r)), RoleLabel(r));
  LabelTable& levels = tables.emplace_back(LabelTable{"levels", {}});
  for (UnitLevel l : {UnitLevel::kProvince, UnitLevel::kCity,
                      UnitLevel::kCounty, UnitLevel::kSchool})
    levels.entries.emplace_back(std::to_string(static_cast<int>(l)),
                                UnitLevelLabel(l));
  LabelTable& kinds = tables.emplace_back(LabelTable{"case_kinds", {}});
  for (v1::CareerKind k :
       {v1::CAREER_TRANSFER, v1::CAREER_STATUS_CHANGE, v1::CAREER_ROTATION})
    kinds.entries.emplace_back(v1::CareerKind_Name(k), CareerKindLabel(k));
  // Field names in the node's "field='value': rule" problems, so a console
  // shows "民族「77」：…" (the template's columns, then each category's).
  LabelTable& fields = tables.emplace_back(LabelTable{"fields", {}});
  std::set<std::string> seen;
  auto field = [&](const std::string& name, const std::string& label) {
    if (seen.insert(name).second) fields.entries.emplace_back(name, label);
  };
  for (const TableColumn& c : TeacherTemplate()) field(c.name, c.label);
  for (const v1::CategoryDef& c : NationalCatalog().categories())
    for (const v1::FieldDef& f : c.fields()) field(f.name(), f.label());
  for (const auto& [name, label] :
       std::vector<std::pair<const char*, const char*>>{
           {"teacher_number", "教师编号"},
           {"reason", "原因"},
           {"effective_date", "生效日期"},
           {"start_date", "开始日期"},
           {"end_date", "结束日期"},
           {"host_school", "接收学校"},
           {"to_school", "调入学校"},
           {"entry_no", "条目序号"},
           {"decision", "审核结论"},
           {"level", "单位级别"},
           {"new_parent_code", "新的上级单位"},
           {"label", "名称"},
           {"role", "角色"},
           {"password", "密码"},
           {"username", "用户名"},
           {"unit_code", "单位"}})
    field(name, label);
  return tables;
}

}  // namespace ntmis::provincial

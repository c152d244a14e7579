#include "provincial/core/labels.h"

#include "provincial/core/careers.h"
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
  return tables;
}

}  // namespace ntmis::provincial

// A school of the national school registry, as the ministry publishes it:
// the registry template's columns and the rules a school must satisfy. The
// national node checks them when it imports the registry and again before
// it sends a school to a province, and the province before it stores one,
// so one bad record is skipped and reported, never breaking a sync.
#ifndef NTMIS_COMMON_TEACHER_REGISTRY_SCHOOL_H_
#define NTMIS_COMMON_TEACHER_REGISTRY_SCHOOL_H_

#include <vector>

#include "common/tables/table_reader.h"
#include "common/teacher/record_validation.h"
#include "ntmis/v1/sync.pb.h"

namespace ntmis {

// The registry template: code, name, county_code, school_category and the
// optional closed (0/1), with their labels.
const std::vector<TableColumn>& RegistrySchoolColumns();

// Every rule `school` breaks (field, value, rule in Chinese); empty when it
// may be stored and sent.
std::vector<FieldProblem> CheckRegistrySchool(const v1::RegistrySchool& school);

}  // namespace ntmis

#endif  // NTMIS_COMMON_TEACHER_REGISTRY_SCHOOL_H_

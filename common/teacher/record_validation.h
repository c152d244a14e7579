// The rules a core teacher record must satisfy, checked by the provincial
// importer before a record is stored and by the national node before it is
// accepted: required fields, codes in their tables, consistent dates.
#ifndef NTMIS_COMMON_TEACHER_RECORD_VALIDATION_H_
#define NTMIS_COMMON_TEACHER_RECORD_VALIDATION_H_

#include <string>
#include <vector>

#include "ntmis/v1/teacher.pb.h"

namespace ntmis {

// The longest name, in characters, on every path (template, forms, sync).
inline constexpr size_t kNameMaxChars = 50;

struct FieldProblem {
  std::string field;  // TeacherRecord field name
  std::string value;  // as given (never an ID-card number)
  std::string rule;   // what is required, with allowed values
};

// Every rule, every required field: the record is complete.
std::vector<FieldProblem> ValidateTeacherRecord(
    const v1::TeacherRecord& record);

// The same rules for a record still being filled in (a draft): fields not
// set yet (0, empty) pass; those set must be valid.
std::vector<FieldProblem> ValidateDraftRecord(const v1::TeacherRecord& record);

}  // namespace ntmis

#endif  // NTMIS_COMMON_TEACHER_RECORD_VALIDATION_H_

// The teacher import template: its columns, and the conversion of one row
// into a core TeacherRecord with every rule checked (ID-card number, its
// agreement with birth date and gender, codes, the school).
#ifndef NTMIS_PROVINCIAL_TEACHER_TEMPLATE_H_
#define NTMIS_PROVINCIAL_TEACHER_TEMPLATE_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "common/crypto.h"
#include "ntmis/v1/teacher.pb.h"
#include "provincial/csv_import.h"
#include "provincial/units.h"

namespace ntmis::provincial {

// Header of the teacher template, in order.
const std::vector<std::string>& TeacherTemplateColumns();

// Positions in TeacherTemplateColumns().
enum TeacherColumn {
  kName, kGender, kBirthDate, kIdCardNumber, kEthnicity, kNationality,
  kPoliticalStatus, kHireDate, kEmploymentType, kStatus, kSchoolCode, kPostType,
  kEducation, kDegree, kTitle, kQualification
};

// Keys for the ID-card number: the federation's hash key and the node's
// sealing key (both 32 bytes).
struct IdKeys {
  std::string hash_key;
  std::string seal_key;
};

struct ParsedTeacher {
  v1::TeacherRecord record;  // teacher_number not yet minted
  std::string id_card;       // normalised (upper-case X); never logged
};

// Parses and checks one row. On failure adds one problem per bad field and
// returns false. `province` is the node's code; `id_hasher` keys id_hash.
bool ParseTeacherRow(const std::vector<std::string>& fields, const ColumnIndex& index,
                     int province,
                     const absl::flat_hash_map<std::string, SchoolPlace>& schools,
                     crypto::Hmac& id_hasher, ParsedTeacher* out, RowProblems& problems);

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_TEACHER_TEMPLATE_H_

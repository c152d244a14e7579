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

// Who may write a template field once a record exists. The ID-card number
// fixes gender and birth date, and a school change is a transfer, so those
// never change by editing.
enum class FieldWriter {
  kTeacher,  // the teacher (self-service) or school / administration staff
  kStaff,    // school or administration only: a teacher reads it, never writes it
  kFixed,    // set when the record is created
};
FieldWriter WriterOf(TeacherColumn column);

// The column for a template field name; INVALID_ARGUMENT listing the names.
absl::StatusOr<TeacherColumn> ColumnByName(const std::string& name);

// A field of `record` as template text (codes as codes; the ID-card number,
// which records do not hold, as empty), so exported rows import again.
std::string TeacherFieldText(const v1::TeacherRecord& record, TeacherColumn column);
// The official label of a code field's value ("女"); empty for other fields.
std::string TeacherFieldLabel(const v1::TeacherRecord& record, TeacherColumn column);

// Sets one field of `record` from its template text (codes or labels,
// YYYY-MM-DD dates). INVALID_ARGUMENT naming field, value and rule; the
// rules that involve several fields are ValidateDraftRecord's.
absl::Status SetTeacherField(v1::TeacherRecord& record, TeacherColumn column,
                             const std::string& value);

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_TEACHER_TEMPLATE_H_

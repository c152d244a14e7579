// The fields of a teacher's core record as people and files name them (the
// teacher template's columns), who may write each once the record exists
// (field rights), and their conversion from and to text. Parsing a whole
// template row is the teacher import's (provincial/import/teacher_import.h).
#ifndef NTMIS_PROVINCIAL_CORE_TEACHER_FIELDS_H_
#define NTMIS_PROVINCIAL_CORE_TEACHER_FIELDS_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "common/crypto/crypto.h"
#include "ntmis/v1/categories.pb.h"
#include "ntmis/v1/teacher.pb.h"
#include "provincial/core/units.h"

namespace ntmis::provincial {

// Header of the teacher template, in order.
const std::vector<std::string>& TeacherTemplateColumns();

// The same columns with their labels and limits, as imports read them.
const std::vector<TableColumn>& TeacherTemplate();

// Positions in TeacherTemplateColumns().
enum TeacherColumn {
  kName,
  kGender,
  kBirthDate,
  kIdCardNumber,
  kEthnicity,
  kNationality,
  kPoliticalStatus,
  kHireDate,
  kEmploymentType,
  kStatus,
  kSchoolCode,
  kPostType,
  kEducation,
  kDegree,
  kTitle,
  kQualification
};

// Keys for the ID-card number: the federation's hash key and the node's
// sealing key (both 32 bytes).
struct IdKeys {
  std::string hash_key;
  std::string seal_key;
};

// Who may write a template field once a record exists. The ID-card number
// fixes gender and birth date, and a school change is a transfer, so those
// never change by editing.
enum class FieldWriter {
  kTeacher,  // the teacher (self-service) or school / administration staff
  kStaff,  // school or administration only: a teacher reads it, never writes it
  kFixed,  // set when the record is created
};
FieldWriter WriterOf(TeacherColumn column);

// The column for a template field name; INVALID_ARGUMENT listing the names.
absl::StatusOr<TeacherColumn> ColumnByName(const std::string& name);

// A field of `record` as template text (codes as codes; the ID-card number,
// which records do not hold, as empty), so exported rows import again.
std::string TeacherFieldText(const v1::TeacherRecord& record,
                             TeacherColumn column);
// The official label of a code field's value ("女"); empty for other fields.
std::string TeacherFieldLabel(const v1::TeacherRecord& record,
                              TeacherColumn column);

// The core record described as a form's category ("basic", 基本信息): each
// template column with its label, type, code table and writer (the ID
// card, gender, birth date and school are WRITER_FIXED).
const v1::CategoryDef& BasicInformationForm();

// The core record's fields as template text, in template order.
std::vector<v1::FieldValue> BasicInformationValues(
    const v1::TeacherRecord& record);

// Sets one field of `record` from its template text (codes or labels,
// YYYY-MM-DD dates). INVALID_ARGUMENT naming field, value and rule; the
// rules that involve several fields are ValidateDraftRecord's.
absl::Status SetTeacherField(v1::TeacherRecord& record, TeacherColumn column,
                             const std::string& value);

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_CORE_TEACHER_FIELDS_H_

#include "provincial/teacher_template.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "common/code_tables.h"
#include "common/crypto.h"
#include "common/dates.h"
#include "common/id_card.h"
#include "common/record_validation.h"
#include "common/teacher_number.h"

namespace ntmis::provincial {

const std::vector<std::string>& TeacherTemplateColumns() {
  static const auto* columns = new std::vector<std::string>{
      "name",           "gender",           "birth_date",      "id_card_number",
      "ethnicity",      "nationality",      "political_status", "hire_date",
      "employment_type", "status",          "school_code",     "post_type",
      "education",      "degree",           "title",           "qualification"};
  return *columns;
}

namespace {

class RowReader {
 public:
  RowReader(const std::vector<std::string>& fields, const ColumnIndex& index,
            RowProblems& problems)
      : fields_(fields), index_(index), problems_(problems) {}

  std::string Text(TeacherColumn column) const {
    return std::string(absl::StripAsciiWhitespace(fields_[index_[column]]));
  }

  template <typename Enum>
  Enum Code(TeacherColumn column) {
    std::string value = Text(column);
    auto parsed = CodeTable::Of<Enum>().Parse(value);
    if (!parsed.ok()) {
      problems_.Add(Name(column), value,
                    value.empty() ? absl::StrCat("required; allowed: ",
                                                 CodeTable::Of<Enum>().AllowedValues())
                                  : std::string(parsed.status().message()));
      return static_cast<Enum>(0);
    }
    return static_cast<Enum>(*parsed);
  }

  std::optional<Date> DateField(TeacherColumn column) {
    std::string value = Text(column);
    std::optional<Date> date = ParseDate(value);
    if (!date) problems_.Add(Name(column), value, "required real date YYYY-MM-DD");
    return date;
  }

  static const std::string& Name(TeacherColumn column) {
    return TeacherTemplateColumns()[column];
  }

 private:
  const std::vector<std::string>& fields_;
  const ColumnIndex& index_;
  RowProblems& problems_;
};

}  // namespace

bool ParseTeacherRow(const std::vector<std::string>& fields, const ColumnIndex& index,
                     int province,
                     const absl::flat_hash_map<std::string, SchoolPlace>& schools,
                     crypto::Hmac& id_hasher, ParsedTeacher* out, RowProblems& problems) {
  RowReader row(fields, index, problems);
  v1::TeacherRecord& r = out->record;
  r.Clear();
  r.set_teacher_number(MintTeacherNumber(province, 0));  // placeholder
  r.set_province(static_cast<v1::Province>(province));
  r.set_name(row.Text(kName));
  r.set_gender(row.Code<v1::Gender>(kGender));
  std::optional<Date> birth = row.DateField(kBirthDate);
  if (birth) r.set_birth_date(birth->ToString());

  out->id_card = absl::AsciiStrToUpper(row.Text(kIdCardNumber));
  auto id = ParseIdCard(out->id_card);
  if (!id.ok()) {
    problems.Add("id_card_number", MaskIdCard(out->id_card),
                 std::string(id.status().message()));
  } else {
    if (birth && !(id->birth_date == *birth))
      problems.Add("birth_date", birth->ToString(),
                   "must equal the birth date in ID-card digits 7-14");
    if (r.gender() != 0 && id->gender != r.gender())
      problems.Add("gender", row.Text(kGender),
                   "must agree with ID-card digit 17 (odd male, even female)");
  }
  r.set_id_type(v1::ID_TYPE_RESIDENT_ID_CARD);
  r.set_id_hash(id_hasher.Sign(out->id_card));

  r.set_ethnicity(row.Code<v1::Ethnicity>(kEthnicity));
  std::string nationality = absl::AsciiStrToUpper(row.Text(kNationality));
  r.set_nationality(nationality.empty() ? "CHN" : nationality);
  r.set_political_status(row.Code<v1::PoliticalStatus>(kPoliticalStatus));
  std::optional<Date> hire = row.DateField(kHireDate);
  if (hire) r.set_hire_date(hire->ToString());
  r.set_employment_type(row.Code<v1::EmploymentType>(kEmploymentType));
  r.set_status(row.Code<v1::InServiceStatus>(kStatus));

  std::string school = row.Text(kSchoolCode);
  auto place = schools.find(school);
  if (place == schools.end()) {
    problems.Add("school_code", school, "must be an open school of this province's unit tree");
  } else {
    r.set_school_code(school);
    r.set_city_code(place->second.city_code);
    r.set_county_code(place->second.county_code);
    r.set_school_category(place->second.category);
  }
  r.set_post_type(row.Code<v1::PostType>(kPostType));
  r.set_education(row.Code<v1::Education>(kEducation));
  r.set_degree(row.Code<v1::Degree>(kDegree));
  r.set_title(row.Code<v1::TitleLevel>(kTitle));
  r.set_qualification(row.Code<v1::QualificationType>(kQualification));
  if (!problems.empty()) return false;

  // The national rules on the assembled record (ranges, date order, ...).
  for (const FieldProblem& p : ValidateTeacherRecord(r)) {
    problems.Add(p.field, p.value, p.rule);
  }
  return problems.empty();
}

FieldWriter WriterOf(TeacherColumn column) {
  switch (column) {
    case kGender:
    case kBirthDate:
    case kIdCardNumber:
    case kSchoolCode:
      return FieldWriter::kFixed;
    case kEthnicity:
    case kNationality:
    case kPoliticalStatus:
    case kEducation:
    case kDegree:
      return FieldWriter::kTeacher;
    default:
      return FieldWriter::kStaff;
  }
}

absl::StatusOr<TeacherColumn> ColumnByName(const std::string& name) {
  const auto& columns = TeacherTemplateColumns();
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] == name) return static_cast<TeacherColumn>(i);
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "field '", name, "' is unknown; fields: ", absl::StrJoin(columns, ", ")));
}

namespace {

template <typename Enum>
absl::StatusOr<Enum> CodeValue(TeacherColumn column, const std::string& value) {
  auto parsed = CodeTable::Of<Enum>().Parse(value);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(TeacherTemplateColumns()[column], "='",
                                                   value, "': ", parsed.status().message()));
  }
  return static_cast<Enum>(*parsed);
}

absl::StatusOr<std::string> DateValue(TeacherColumn column, const std::string& value) {
  std::optional<Date> date = ParseDate(value);
  if (!date) {
    return absl::InvalidArgumentError(absl::StrCat(TeacherTemplateColumns()[column], "='",
                                                   value, "': a real date YYYY-MM-DD"));
  }
  return date->ToString();
}

}  // namespace

namespace {

// The code table and value of a code field; nullptr for other fields.
const CodeTable* CodeOf(const v1::TeacherRecord& r, TeacherColumn column, int* value) {
  switch (column) {
    case kGender: *value = r.gender(); return &CodeTable::Of<v1::Gender>();
    case kEthnicity: *value = r.ethnicity(); return &CodeTable::Of<v1::Ethnicity>();
    case kPoliticalStatus: *value = r.political_status(); return &CodeTable::Of<v1::PoliticalStatus>();
    case kEmploymentType: *value = r.employment_type(); return &CodeTable::Of<v1::EmploymentType>();
    case kStatus: *value = r.status(); return &CodeTable::Of<v1::InServiceStatus>();
    case kPostType: *value = r.post_type(); return &CodeTable::Of<v1::PostType>();
    case kEducation: *value = r.education(); return &CodeTable::Of<v1::Education>();
    case kDegree: *value = r.degree(); return &CodeTable::Of<v1::Degree>();
    case kTitle: *value = r.title(); return &CodeTable::Of<v1::TitleLevel>();
    case kQualification: *value = r.qualification(); return &CodeTable::Of<v1::QualificationType>();
    default: return nullptr;
  }
}

}  // namespace

std::string TeacherFieldText(const v1::TeacherRecord& r, TeacherColumn column) {
  int value = 0;
  if (const CodeTable* table = CodeOf(r, column, &value)) {
    return value == 0 ? "" : table->Code(value);
  }
  switch (column) {
    case kName: return r.name();
    case kBirthDate: return r.birth_date();
    case kNationality: return r.nationality();
    case kHireDate: return r.hire_date();
    case kSchoolCode: return r.school_code();
    default: return "";
  }
}

std::string TeacherFieldLabel(const v1::TeacherRecord& r, TeacherColumn column) {
  int value = 0;
  const CodeTable* table = CodeOf(r, column, &value);
  return table == nullptr || value == 0 ? "" : table->Label(value);
}

absl::Status SetTeacherField(v1::TeacherRecord& r, TeacherColumn column,
                             const std::string& raw) {
  const std::string value(absl::StripAsciiWhitespace(raw));
  switch (column) {
    case kName:
      if (value.empty() || value.size() > 120)
        return absl::InvalidArgumentError(absl::StrCat("name='", value,
                                                       "': required, at most 120 bytes"));
      r.set_name(value);
      return absl::OkStatus();
    case kGender: {
      ASSIGN_OR_RETURN(auto v, CodeValue<v1::Gender>(column, value));
      r.set_gender(v);
      return absl::OkStatus();
    }
    case kBirthDate: {
      ASSIGN_OR_RETURN(std::string v, DateValue(column, value));
      r.set_birth_date(v);
      return absl::OkStatus();
    }
    case kHireDate: {
      ASSIGN_OR_RETURN(std::string v, DateValue(column, value));
      r.set_hire_date(v);
      return absl::OkStatus();
    }
    case kNationality:
      r.set_nationality(absl::AsciiStrToUpper(value));
      return absl::OkStatus();
    case kEthnicity: {
      ASSIGN_OR_RETURN(auto v, CodeValue<v1::Ethnicity>(column, value));
      r.set_ethnicity(v);
      return absl::OkStatus();
    }
    case kPoliticalStatus: {
      ASSIGN_OR_RETURN(auto v, CodeValue<v1::PoliticalStatus>(column, value));
      r.set_political_status(v);
      return absl::OkStatus();
    }
    case kEmploymentType: {
      ASSIGN_OR_RETURN(auto v, CodeValue<v1::EmploymentType>(column, value));
      r.set_employment_type(v);
      return absl::OkStatus();
    }
    case kStatus: {
      ASSIGN_OR_RETURN(auto v, CodeValue<v1::InServiceStatus>(column, value));
      r.set_status(v);
      return absl::OkStatus();
    }
    case kPostType: {
      ASSIGN_OR_RETURN(auto v, CodeValue<v1::PostType>(column, value));
      r.set_post_type(v);
      return absl::OkStatus();
    }
    case kEducation: {
      ASSIGN_OR_RETURN(auto v, CodeValue<v1::Education>(column, value));
      r.set_education(v);
      return absl::OkStatus();
    }
    case kDegree: {
      ASSIGN_OR_RETURN(auto v, CodeValue<v1::Degree>(column, value));
      r.set_degree(v);
      return absl::OkStatus();
    }
    case kTitle: {
      ASSIGN_OR_RETURN(auto v, CodeValue<v1::TitleLevel>(column, value));
      r.set_title(v);
      return absl::OkStatus();
    }
    case kQualification: {
      ASSIGN_OR_RETURN(auto v, CodeValue<v1::QualificationType>(column, value));
      r.set_qualification(v);
      return absl::OkStatus();
    }
    case kIdCardNumber:
    case kSchoolCode:
      break;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      TeacherTemplateColumns()[column],
      " is set when the record is created (a school change is a transfer)"));
}

}  // namespace ntmis::provincial

#include "provincial/core/teacher_fields.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/base/dates.h"
#include "common/base/status_macros.h"
#include "common/crypto/crypto.h"
#include "common/teacher/code_tables.h"
#include "common/teacher/country_codes.h"
#include "common/teacher/id_card.h"
#include "common/teacher/record_validation.h"
#include "common/teacher/teacher_number.h"

namespace ntmis::provincial {

const std::vector<std::string>& TeacherTemplateColumns() {
  static const auto* columns = new std::vector<std::string>{"name",
                                                            "gender",
                                                            "birth_date",
                                                            "id_card_number",
                                                            "ethnicity",
                                                            "nationality",
                                                            "political_status",
                                                            "hire_date",
                                                            "employment_type",
                                                            "status",
                                                            "school_code",
                                                            "post_type",
                                                            "education",
                                                            "degree",
                                                            "title",
                                                            "qualification"};
  return *columns;
}

const std::vector<TableColumn>& TeacherTemplate() {
  static const auto* columns = [] {
    static const char* const kLabels[] = {
        "姓名",     "性别",      "出生日期",     "身份证件号码",
        "民族",     "国籍/地区", "政治面貌",     "参加工作年月",
        "用人形式", "任职状态",  "学校标识码",   "岗位类别",
        "最高学历", "最高学位",  "专业技术职务", "教师资格"};
    auto* out = new std::vector<TableColumn>();
    for (size_t i = 0; i < TeacherTemplateColumns().size(); ++i) {
      TableColumn c;
      c.name = TeacherTemplateColumns()[i];
      c.label = kLabels[i];
      c.max_chars = i == kName ? kNameMaxChars : 40;
      out->push_back(std::move(c));
    }
    return out;
  }();
  return *columns;
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
      "没有字段「", name, "」；可选：", absl::StrJoin(columns, ", ")));
}

namespace {

template <typename Enum>
absl::StatusOr<Enum> CodeValue(TeacherColumn column, const std::string& value) {
  auto parsed = CodeTable::Of<Enum>().Parse(value);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(TeacherTemplateColumns()[column], "='", value,
                     "': ", parsed.status().message()));
  }
  return static_cast<Enum>(*parsed);
}

absl::StatusOr<std::string> DateValue(TeacherColumn column,
                                      const std::string& value) {
  std::optional<Date> date = ParseEnteredDate(value);
  if (!date) {
    return absl::InvalidArgumentError(absl::StrCat(
        TeacherTemplateColumns()[column], "='", value,
        "': 须为真实日期，如 2010-09-01、2010/9/1 或 2010年9月1日"));
  }
  return date->ToString();
}

}  // namespace

namespace {

// The code table of a code field; nullptr for other fields.
const google::protobuf::EnumDescriptor* EnumOf(TeacherColumn column) {
  switch (column) {
    case kGender:
      return v1::Gender_descriptor();
    case kEthnicity:
      return v1::Ethnicity_descriptor();
    case kPoliticalStatus:
      return v1::PoliticalStatus_descriptor();
    case kEmploymentType:
      return v1::EmploymentType_descriptor();
    case kStatus:
      return v1::InServiceStatus_descriptor();
    case kPostType:
      return v1::PostType_descriptor();
    case kEducation:
      return v1::Education_descriptor();
    case kDegree:
      return v1::Degree_descriptor();
    case kTitle:
      return v1::TitleLevel_descriptor();
    case kQualification:
      return v1::QualificationType_descriptor();
    default:
      return nullptr;
  }
}

// The code table and value of a code field; nullptr for other fields.
const CodeTable* CodeOf(const v1::TeacherRecord& r, TeacherColumn column,
                        int* value) {
  const google::protobuf::EnumDescriptor* table = EnumOf(column);
  if (table == nullptr) return nullptr;
  switch (column) {
    case kGender:
      *value = r.gender();
      break;
    case kEthnicity:
      *value = r.ethnicity();
      break;
    case kPoliticalStatus:
      *value = r.political_status();
      break;
    case kEmploymentType:
      *value = r.employment_type();
      break;
    case kStatus:
      *value = r.status();
      break;
    case kPostType:
      *value = r.post_type();
      break;
    case kEducation:
      *value = r.education();
      break;
    case kDegree:
      *value = r.degree();
      break;
    case kTitle:
      *value = r.title();
      break;
    default:
      *value = r.qualification();
      break;
  }
  return &CodeTable::For(table);
}

}  // namespace

std::string TeacherFieldText(const v1::TeacherRecord& r, TeacherColumn column) {
  int value = 0;
  if (const CodeTable* table = CodeOf(r, column, &value)) {
    return value == 0 ? "" : table->Code(value);
  }
  switch (column) {
    case kName:
      return r.name();
    case kBirthDate:
      return r.birth_date();
    case kNationality:
      return r.nationality();
    case kHireDate:
      return r.hire_date();
    case kSchoolCode:
      return r.school_code();
    default:
      return "";
  }
}

std::string TeacherFieldLabel(const v1::TeacherRecord& r,
                              TeacherColumn column) {
  if (column == kNationality && !r.nationality().empty())
    return CountryLabel(r.nationality());
  int value = 0;
  const CodeTable* table = CodeOf(r, column, &value);
  return table == nullptr || value == 0 ? "" : table->Label(value);
}

const v1::CategoryDef& BasicInformationForm() {
  static const v1::CategoryDef* form = [] {
    auto* c = new v1::CategoryDef;
    c->set_code("basic");
    c->set_label("基本信息");
    c->set_writer(v1::WRITER_TEACHER);
    for (size_t i = 0; i < TeacherTemplate().size(); ++i) {
      const auto column = static_cast<TeacherColumn>(i);
      v1::FieldDef* f = c->add_fields();
      f->set_name(TeacherTemplate()[i].name);
      f->set_label(TeacherTemplate()[i].label);
      f->set_required(true);
      if (const google::protobuf::EnumDescriptor* table = EnumOf(column)) {
        f->set_type(v1::FieldDef::CODE);
        f->set_code_table(table->full_name());
      } else if (column == kBirthDate || column == kHireDate) {
        f->set_type(v1::FieldDef::DATE);
      } else if (column == kNationality) {
        // Chosen by name (中国); the CLI and imports take any ISO code.
        f->set_type(v1::FieldDef::CODE);
        for (const auto& [code, name] : CommonCountries())
          f->add_codes(absl::StrCat(code, "=", name));
      } else {
        f->set_type(v1::FieldDef::TEXT);
        f->set_max_length(TeacherTemplate()[i].max_chars);
      }
      switch (WriterOf(column)) {
        case FieldWriter::kFixed:
          f->set_writer(v1::WRITER_FIXED);
          break;
        case FieldWriter::kStaff:
          f->set_writer(v1::WRITER_STAFF);
          break;
        case FieldWriter::kTeacher:
          f->set_writer(v1::WRITER_TEACHER);
          break;
      }
    }
    return c;
  }();
  return *form;
}

std::vector<v1::FieldValue> BasicInformationValues(
    const v1::TeacherRecord& record) {
  std::vector<v1::FieldValue> values;
  for (size_t i = 0; i < TeacherTemplateColumns().size(); ++i) {
    v1::FieldValue v;
    v.set_field(TeacherTemplateColumns()[i]);
    v.set_value(TeacherFieldText(record, static_cast<TeacherColumn>(i)));
    values.push_back(std::move(v));
  }
  return values;
}

absl::Status SetTeacherField(v1::TeacherRecord& r, TeacherColumn column,
                             const std::string& raw) {
  const std::string value(absl::StripAsciiWhitespace(raw));
  switch (column) {
    case kName:
      if (value.empty() || value.size() > 120)
        return absl::InvalidArgumentError(absl::StrCat(
            "name='", value, "': 必填，不超过 120 字节（40 个汉字）"));
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
    case kNationality: {
      // A code, or a name a clerk chooses (中国); an unknown text stays as
      // typed and the record's validation names it.
      const std::string code = CountryCodeOf(value);
      r.set_nationality(code.empty() ? absl::AsciiStrToUpper(value) : code);
      return absl::OkStatus();
    }
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
  return absl::InvalidArgumentError(
      absl::StrCat(TeacherTemplateColumns()[column],
                   "='': ", TeacherTemplate()[column].label,
                   "在建立记录时确定，不能修改（性别、出生日期来自身份证件号"
                   "码；换学校请办理"
                   "调动）"));
}

}  // namespace ntmis::provincial

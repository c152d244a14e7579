#include "common/teacher/record_validation.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/base/dates.h"
#include "common/tables/text_encoding.h"
#include "common/teacher/code_tables.h"
#include "common/teacher/country_codes.h"
#include "common/teacher/service_status.h"
#include "common/teacher/teacher_number.h"

namespace ntmis {
namespace {

bool AllDigits(absl::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return !s.empty();
}

class Checker {
 public:
  Checker(const v1::TeacherRecord& r, bool draft) : r_(r), draft_(draft) {}

  template <typename Enum>
  void Code(const char* field, int value) {
    if (draft_ && value == 0) return;
    const CodeTable& table = CodeTable::Of<Enum>();
    if (!table.Contains(value)) {
      Add(field, absl::StrCat(value),
          absl::StrCat("必填，须为代码表中的代码；可选：",
                       table.AllowedValues()));
    }
  }

  void Add(std::string field, std::string value, std::string rule) {
    problems_.push_back({std::move(field), std::move(value), std::move(rule)});
  }

  std::vector<FieldProblem> Run() {
    if (!IsValidTeacherNumber(r_.teacher_number()))
      Add("teacher_number", r_.teacher_number(),
          "12 位数字，末位为 MOD 11-10 校验码");
    Code<v1::Province>("province", r_.province());
    if (r_.name().empty() || !IsValidUtf8(r_.name()) ||
        Utf8Length(r_.name()) > kNameMaxChars)
      Add("name", r_.name(),
          absl::StrCat("必填，不超过 ", kNameMaxChars, " 个字"));
    Code<v1::Gender>("gender", r_.gender());
    std::optional<Date> birth = ParseDate(r_.birth_date());
    Date today = Today();
    if (!birth) {
      Add("birth_date", r_.birth_date(), "必填，日期格式为 YYYY-MM-DD");
    } else if (AgeOn(*birth, today) < 16 || AgeOn(*birth, today) > 80) {
      Add("birth_date", r_.birth_date(), "教师年龄须在 16 至 80 岁之间");
    }
    Code<v1::IdType>("id_type", r_.id_type());
    if (r_.id_hash().size() != 32)
      Add("id_hash", absl::StrCat(r_.id_hash().size(), " bytes"),
          "身份证件号码的密钥散列，须为 32 字节");
    Code<v1::Ethnicity>("ethnicity", r_.ethnicity());
    if (!IsCountryCode(r_.nationality()) &&
        !(draft_ && r_.nationality().empty()))
      Add("nationality", r_.nationality(),
          "须为 ISO 3166-1 三字母国家（地区）代码，如 CHN（港澳台为 "
          "HKG、MAC、TWN）");
    Code<v1::PoliticalStatus>("political_status", r_.political_status());
    std::optional<Date> hire = ParseDate(r_.hire_date());
    if (draft_ && r_.hire_date().empty()) {
    } else if (!hire) {
      Add("hire_date", r_.hire_date(), "必填，日期格式为 YYYY-MM-DD");
    } else if (today < *hire) {
      Add("hire_date", r_.hire_date(), "不能晚于今天");
    } else if (birth && AgeOn(*birth, *hire) < 16) {
      Add("hire_date", r_.hire_date(), "须在出生日期满 16 周岁之后");
    }
    Code<v1::EmploymentType>("employment_type", r_.employment_type());
    Code<v1::InServiceStatus>("status", r_.status());
    if (EndsService(static_cast<v1::InServiceStatus>(r_.status())))
      Add("status",
          CodeTable::Of<v1::InServiceStatus>().Code(r_.status()) + " " +
              CodeTable::Of<v1::InServiceStatus>().Label(r_.status()),
          "只采集在岗教职工（离退休、离职等人员信息不采集）：在库教师退休、离"
          "职等请办理在职情况变动；调出请办理调动");
    std::string province = CodeTable::Of<v1::Province>().Code(r_.province());
    if (r_.city_code().size() != 4 || !AllDigits(r_.city_code()) ||
        !absl::StartsWith(r_.city_code(), province))
      Add("city_code", r_.city_code(), "4 位数字，以省份代码开头");
    if (r_.county_code().size() != 6 || !AllDigits(r_.county_code()) ||
        !absl::StartsWith(r_.county_code(), r_.city_code()))
      Add("county_code", r_.county_code(), "6 位数字，以所属地市代码开头");
    if (r_.school_code().empty() || r_.school_code().size() > 32)
      Add("school_code", r_.school_code(), "必填，机构代码，不超过 32 个字符");
    Code<v1::SchoolCategory>("school_category", r_.school_category());
    Code<v1::PostType>("post_type", r_.post_type());
    Code<v1::Education>("education", r_.education());
    Code<v1::Degree>("degree", r_.degree());
    Code<v1::TitleLevel>("title", r_.title());
    Code<v1::QualificationType>("qualification", r_.qualification());
    return std::move(problems_);
  }

 private:
  const v1::TeacherRecord& r_;
  const bool draft_;
  std::vector<FieldProblem> problems_;
};

}  // namespace

std::vector<FieldProblem> ValidateTeacherRecord(
    const v1::TeacherRecord& record) {
  return Checker(record, false).Run();
}

std::vector<FieldProblem> ValidateDraftRecord(const v1::TeacherRecord& record) {
  return Checker(record, true).Run();
}

}  // namespace ntmis

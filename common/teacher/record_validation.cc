#include "common/teacher/record_validation.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "common/teacher/code_tables.h"
#include "common/teacher/country_codes.h"
#include "common/teacher/teacher_number.h"
#include "common/text_encoding.h"

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
          absl::StrCat("required ", table.name(), " code; allowed: ",
                       table.AllowedValues()));
    }
  }

  void Add(std::string field, std::string value, std::string rule) {
    problems_.push_back({std::move(field), std::move(value), std::move(rule)});
  }

  std::vector<FieldProblem> Run() {
    if (!IsValidTeacherNumber(r_.teacher_number()))
      Add("teacher_number", r_.teacher_number(),
          "12 digits with a valid MOD 11-10 check digit");
    Code<v1::Province>("province", r_.province());
    if (r_.name().empty() || r_.name().size() > 120 || !IsValidUtf8(r_.name()))
      Add("name", r_.name(), "required, UTF-8, at most 120 bytes");
    Code<v1::Gender>("gender", r_.gender());
    std::optional<Date> birth = ParseDate(r_.birth_date());
    Date today = Today();
    if (!birth) {
      Add("birth_date", r_.birth_date(), "required date YYYY-MM-DD");
    } else if (AgeOn(*birth, today) < 16 || AgeOn(*birth, today) > 80) {
      Add("birth_date", r_.birth_date(), "a teacher is between 16 and 80 years old");
    }
    Code<v1::IdType>("id_type", r_.id_type());
    if (r_.id_hash().size() != 32)
      Add("id_hash", absl::StrCat(r_.id_hash().size(), " bytes"),
          "keyed hash of the ID-card number, 32 bytes");
    Code<v1::Ethnicity>("ethnicity", r_.ethnicity());
    if (!IsCountryCode(r_.nationality()) && !(draft_ && r_.nationality().empty()))
      Add("nationality", r_.nationality(),
          "an ISO 3166-1 alpha-3 code such as CHN (HKG, MAC, TWN for the regions)");
    Code<v1::PoliticalStatus>("political_status", r_.political_status());
    std::optional<Date> hire = ParseDate(r_.hire_date());
    if (draft_ && r_.hire_date().empty()) {
    } else if (!hire) {
      Add("hire_date", r_.hire_date(), "required date YYYY-MM-DD");
    } else if (today < *hire) {
      Add("hire_date", r_.hire_date(), "must not be in the future");
    } else if (birth && AgeOn(*birth, *hire) < 16) {
      Add("hire_date", r_.hire_date(), "must be at least 16 years after birth_date");
    }
    Code<v1::EmploymentType>("employment_type", r_.employment_type());
    Code<v1::InServiceStatus>("status", r_.status());
    std::string province = CodeTable::Of<v1::Province>().Code(r_.province());
    if (r_.city_code().size() != 4 || !AllDigits(r_.city_code()) ||
        !absl::StartsWith(r_.city_code(), province))
      Add("city_code", r_.city_code(), "4 digits starting with the province code");
    if (r_.county_code().size() != 6 || !AllDigits(r_.county_code()) ||
        !absl::StartsWith(r_.county_code(), r_.city_code()))
      Add("county_code", r_.county_code(), "6 digits starting with city_code");
    if (r_.school_code().empty() || r_.school_code().size() > 32)
      Add("school_code", r_.school_code(), "required institution code, at most 32 characters");
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

std::vector<FieldProblem> ValidateTeacherRecord(const v1::TeacherRecord& record) {
  return Checker(record, false).Run();
}

std::vector<FieldProblem> ValidateDraftRecord(const v1::TeacherRecord& record) {
  return Checker(record, true).Run();
}

}  // namespace ntmis

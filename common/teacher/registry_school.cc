#include "common/teacher/registry_school.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/tables/text_encoding.h"
#include "common/teacher/code_tables.h"

namespace ntmis {
namespace {

constexpr size_t kMaxNameChars = 100;

bool AllDigits(absl::string_view s, size_t n) {
  if (s.size() != n) return false;
  for (char c : s)
    if (!absl::ascii_isdigit(c)) return false;
  return true;
}

}  // namespace

const std::vector<TableColumn>& RegistrySchoolColumns() {
  static const auto* columns = [] {
    auto* out = new std::vector<TableColumn>(5);
    (*out)[0] = {"code", "学校标识码", true, 20, false};
    (*out)[1] = {"name", "学校名称", true, kMaxNameChars, false};
    (*out)[2] = {"county_code", "所在县（区）代码", true, 20, false};
    (*out)[3] = {"school_category", "学校类别", true, 40, false};
    (*out)[4] = {"closed", "是否撤销", false, 10, false};
    return out;
  }();
  return *columns;
}

std::vector<FieldProblem> CheckRegistrySchool(
    const v1::RegistrySchool& school) {
  std::vector<FieldProblem> problems;
  if (!AllDigits(school.code(), 10))
    problems.push_back({"code", school.code(), "学校标识码是 10 位数字"});
  if (school.name().empty()) {
    problems.push_back({"name", "", "必填"});
  } else if (!IsSingleLineText(school.name())) {  // also guards records stored
                                                  // before the reader
    problems.push_back(
        {"name", school.name(),
         "只能是一行文字：不能含有无效字节、控制字符或双向文字控制字符"});
  } else if (Utf8Length(school.name()) > kMaxNameChars) {
    problems.push_back({"name", school.name(),
                        absl::StrCat("长度 ", Utf8Length(school.name()),
                                     " 字，超过上限 ", kMaxNameChars, " 字")});
  }
  int province = 0;
  if (!AllDigits(school.county_code(), 6) ||
      !absl::SimpleAtoi(school.county_code().substr(0, 2), &province) ||
      !IsProvinceCode(province)) {
    problems.push_back({"county_code", school.county_code(),
                        "县（区）代码是 6 位数字，前两位是省级行政区划代码"});
  }
  if (!v1::SchoolCategory_IsValid(school.school_category()) ||
      school.school_category() == v1::SchoolCategory{}) {
    problems.push_back({"school_category",
                        absl::StrCat(school.school_category()),
                        "学校类别须是国家代码表中的代码"});
  }
  return problems;
}

}  // namespace ntmis

#include "common/teacher/id_card.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/teacher/code_tables.h"

namespace ntmis {

char IdCardCheckChar(absl::string_view first17) {
  static constexpr int kWeights[17] = {7, 9, 10, 5,  8, 4, 2, 1, 6,
                                       3, 7, 9,  10, 5, 8, 4, 2};
  static constexpr char kCheck[] = "10X98765432";
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += (first17[i] - '0') * kWeights[i];
  return kCheck[sum % 11];
}

absl::StatusOr<IdCardInfo> ParseIdCard(absl::string_view number) {
  if (number.size() != 18) {
    return absl::InvalidArgumentError(
        absl::StrCat("须为 18 位（GB 11643），实为 ", number.size(), " 位"));
  }
  for (int i = 0; i < 17; ++i) {
    if (number[i] < '0' || number[i] > '9') {
      return absl::InvalidArgumentError(
          absl::StrCat("第 ", i + 1, " 位须为数字（GB 11643）"));
    }
  }
  char last = number[17] == 'x' ? 'X' : number[17];
  char expected = IdCardCheckChar(number.substr(0, 17));
  if (last != expected) {
    return absl::InvalidArgumentError(
        "校验位与前 17 位不符（GB 11643 MOD 11-2），请核对号码");
  }
  IdCardInfo info;
  info.region = std::string(number.substr(0, 6));
  int province = (number[0] - '0') * 10 + (number[1] - '0');
  // Residents of Hong Kong, Macao and Taiwan hold numbers starting 81/82/83.
  if (!IsProvinceCode(province) && province != 71 && province != 81 &&
      province != 82 && province != 83) {
    return absl::InvalidArgumentError(absl::StrCat(
        "地区码 ", info.region, " 的前两位不是 GB/T 2260 省级代码"));
  }
  std::optional<Date> birth = ParseDate(number.substr(6, 8));
  if (!birth) {
    return absl::InvalidArgumentError(
        "第 7–14 位不是真实的出生日期（YYYYMMDD）");
  }
  if (Today() < *birth) {
    return absl::InvalidArgumentError("第 7–14 位的出生日期晚于今天");
  }
  info.birth_date = *birth;
  info.gender =
      (number[16] - '0') % 2 == 1 ? v1::GENDER_MALE : v1::GENDER_FEMALE;
  return info;
}

std::string MaskIdCard(absl::string_view number) {
  if (number.size() < 8) return std::string(number.size(), '*');
  return absl::StrCat(number.substr(0, 3), std::string(number.size() - 6, '*'),
                      number.substr(number.size() - 3));
}

std::string MaskIdCardsIn(absl::string_view text) {
  auto alnum = [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c));
  };
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    if (!alnum(text[i])) {
      out.push_back(text[i++]);
      continue;
    }
    size_t end = i;
    while (end < text.size() && alnum(text[end])) ++end;
    const absl::string_view run = text.substr(i, end - i);
    const bool digits17 =
        run.size() == 18 &&
        std::all_of(run.begin(), run.end() - 1, absl::ascii_isdigit) &&
        (absl::ascii_isdigit(run.back()) || run.back() == 'X' ||
         run.back() == 'x');
    const bool digits15 =
        run.size() == 15 &&
        std::all_of(run.begin(), run.end(), absl::ascii_isdigit);
    absl::StrAppend(&out, digits17 || digits15 ? MaskIdCard(run) : run);
    i = end;
  }
  return out;
}

}  // namespace ntmis

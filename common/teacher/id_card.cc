#include "common/teacher/id_card.h"

#include "absl/strings/str_cat.h"
#include "common/teacher/code_tables.h"

namespace ntmis {

char IdCardCheckChar(absl::string_view first17) {
  static constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6,
                                       3, 7, 9, 10, 5, 8, 4, 2};
  static constexpr char kCheck[] = "10X98765432";
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += (first17[i] - '0') * kWeights[i];
  return kCheck[sum % 11];
}

absl::StatusOr<IdCardInfo> ParseIdCard(absl::string_view number) {
  if (number.size() != 18) {
    return absl::InvalidArgumentError(absl::StrCat(
        "must be 18 characters (GB 11643), got ", number.size()));
  }
  for (int i = 0; i < 17; ++i) {
    if (number[i] < '0' || number[i] > '9') {
      return absl::InvalidArgumentError(
          absl::StrCat("character ", i + 1, " must be a digit (GB 11643)"));
    }
  }
  char last = number[17] == 'x' ? 'X' : number[17];
  char expected = IdCardCheckChar(number.substr(0, 17));
  if (last != expected) {
    return absl::InvalidArgumentError(
        "check character does not match the first 17 digits (GB 11643 MOD 11-2)");
  }
  IdCardInfo info;
  info.region = std::string(number.substr(0, 6));
  int province = (number[0] - '0') * 10 + (number[1] - '0');
  // Residents of Hong Kong, Macao and Taiwan hold numbers starting 81/82/83.
  if (!IsProvinceCode(province) && province != 71 && province != 81 &&
      province != 82 && province != 83) {
    return absl::InvalidArgumentError(absl::StrCat(
        "region code ", info.region, " does not start with a GB/T 2260 province code"));
  }
  std::optional<Date> birth = ParseDate(number.substr(6, 8));
  if (!birth) {
    return absl::InvalidArgumentError(
        "digits 7-14 are not a real birth date (YYYYMMDD)");
  }
  if (Today() < *birth) {
    return absl::InvalidArgumentError("birth date in digits 7-14 is in the future");
  }
  info.birth_date = *birth;
  info.gender = (number[16] - '0') % 2 == 1 ? v1::GENDER_MALE : v1::GENDER_FEMALE;
  return info;
}

std::string MaskIdCard(absl::string_view number) {
  if (number.size() < 8) return std::string(number.size(), '*');
  return absl::StrCat(number.substr(0, 3),
                      std::string(number.size() - 6, '*'),
                      number.substr(number.size() - 3));
}

}  // namespace ntmis

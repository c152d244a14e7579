#include "national/rollup/age_bands.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace ntmis::national {

int64_t BirthCohort(const std::string& birth_date) {
  std::optional<Date> birth = ParseDate(birth_date);
  if (!birth) return 0;
  bool after =
      birth->month > kStatisticsMonth ||
      (birth->month == kStatisticsMonth && birth->day > kStatisticsDay);
  return std::clamp<int64_t>(birth->year + (after ? 1 : 0) - kCohortBase, 0,
                             127);
}

absl::StatusOr<int> ReferenceYear(const std::string& text, const Date& today) {
  if (text.empty()) {
    bool reached =
        today.month > kStatisticsMonth ||
        (today.month == kStatisticsMonth && today.day >= kStatisticsDay);
    return reached ? today.year : today.year - 1;
  }
  std::optional<Date> date = text.size() == 4
                                 ? ParseDate(absl::StrCat(text, "-08-31"))
                                 : ParseDate(text);
  if (!date || date->month != kStatisticsMonth || date->day != kStatisticsDay ||
      date->year <= kCohortBase || date->year > kCohortBase + 200) {
    return absl::InvalidArgumentError(
        absl::StrCat("age reference '", text,
                     "': ages are counted on the statistics date 31 August; "
                     "give a year (2026) "
                     "or that date (2026-08-31)"));
  }
  return date->year;
}

int AgeBandOf(int64_t cohort, int reference_year) {
  int age = reference_year - kCohortBase - static_cast<int>(cohort);
  if (age < 25) return 0;
  if (age >= 60) return kAgeBands - 1;
  return (age - 25) / 5 + 1;
}

std::string AgeBandCode(int band) {
  if (band <= 0) return "0-24";
  if (band >= kAgeBands - 1) return "60+";
  int low = 25 + 5 * (band - 1);
  return absl::StrCat(low, "-", low + 4);
}

std::string AgeBandLabel(int band) {
  if (band <= 0) return "24岁及以下";
  if (band >= kAgeBands - 1) return "60岁及以上";
  int low = 25 + 5 * (band - 1);
  return absl::StrCat(low, "–", low + 4, "岁");
}

absl::StatusOr<int> ParseAgeBand(const std::string& text) {
  if (text == "≤24" || text == "<=24") return 0;
  if (text == "≥60" || text == ">=60") return kAgeBands - 1;
  std::vector<std::string> codes;
  for (int b = 0; b < kAgeBands; ++b) {
    if (AgeBandCode(b) == text) return b;
    codes.push_back(AgeBandCode(b));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("age_band '", text,
                   "' is not a band; allowed: ", absl::StrJoin(codes, ", ")));
}

}  // namespace ntmis::national

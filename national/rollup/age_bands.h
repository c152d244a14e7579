// Age bands of national aggregates. Ages are counted on the education
// statistics date, 31 August of a reference year: a record's rollup cell
// keeps its birth cohort (the year it turns a whole year older by that date,
// i.e. the birth year, plus one for birthdays after 31 August), so the age
// on any reference year's statistics date is exact and the year can be
// chosen per query without touching teacher rows.
#ifndef NTMIS_NATIONAL_ROLLUP_AGE_BANDS_H_
#define NTMIS_NATIONAL_ROLLUP_AGE_BANDS_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "common/base/dates.h"

namespace ntmis::national {

inline constexpr int kStatisticsMonth = 8;
inline constexpr int kStatisticsDay = 31;
inline constexpr int kCohortBase = 1900;  // cohort field 0; 7 bits reach 2027
inline constexpr int kAgeBands = 9;       // 0-24, 25-29, …, 55-59, 60+

// The cohort field of a record born on `birth_date` (YYYY-MM-DD), clamped
// to the field.
int64_t BirthCohort(const std::string& birth_date);

// The reference year of "YYYY" or "YYYY-08-31"; "" is the latest statistics
// date on or before `today`. INVALID_ARGUMENT for anything else, naming
// the statistics date.
absl::StatusOr<int> ReferenceYear(const std::string& text, const Date& today);

// The band (0…8) of a cohort field value on the reference year's date.
int AgeBandOf(int64_t cohort, int reference_year);

// "0-24", "25-29", …, "60+", and its label ("24岁及以下" …).
std::string AgeBandCode(int band);
std::string AgeBandLabel(int band);
// A band as typed: its code, or "≤24"/"<=24"/"≥60"/">=60". INVALID_ARGUMENT
// lists the codes.
absl::StatusOr<int> ParseAgeBand(const std::string& text);

}  // namespace ntmis::national

#endif  // NTMIS_NATIONAL_ROLLUP_AGE_BANDS_H_

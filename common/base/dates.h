// Calendar dates as "YYYY-MM-DD" strings: parsing, validity and age.
#ifndef NTMIS_COMMON_BASE_DATES_H_
#define NTMIS_COMMON_BASE_DATES_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace ntmis {

struct Date {
  int year = 0;
  int month = 0;
  int day = 0;

  std::string ToString() const;  // YYYY-MM-DD
  int Compare(const Date& other) const;
  friend bool operator<(const Date& a, const Date& b) {
    return a.Compare(b) < 0;
  }
  friend bool operator==(const Date& a, const Date& b) {
    return a.Compare(b) == 0;
  }
};

bool IsLeapYear(int year);
int DaysInMonth(int year, int month);
bool IsValidDate(int year, int month, int day);

// Parses YYYY-MM-DD (also accepts YYYYMMDD and YYYY/MM/DD); nullopt when the
// text is malformed or the day does not exist.
std::optional<Date> ParseDate(absl::string_view text);

// A date as people and spreadsheets write it, for what users enter
// (imports, forms), always stored as Date::ToString(): everything ParseDate
// takes, and 2010/9/1, 2010.09.01, 2010-9-1, 2010年9月1日, each optionally
// followed by a midnight time (" 00:00:00", "T00:00:00", " 0:00").
std::optional<Date> ParseEnteredDate(absl::string_view text);

// Today's date in China Standard Time (UTC+8).
Date Today();

// Whole years from `birth` to `on`.
int AgeOn(const Date& birth, const Date& on);

}  // namespace ntmis

#endif  // NTMIS_COMMON_BASE_DATES_H_

// The outlook's cell: what the retirement outlook and the hires of recent
// years need of a record (national/query/outlook.h), packed like a rollup
// cell (national/rollup/dimensions.h) into a second cube of each province
// (national/ingest/province_db.h). The rollup's 64-bit cell has no room
// for a birth month and a hire year; this one keeps the place, the school
// category, title, post and gender beside them (46 bits).
#ifndef NTMIS_NATIONAL_ROLLUP_OUTLOOK_CELL_H_
#define NTMIS_NATIONAL_ROLLUP_OUTLOOK_CELL_H_

#include <cstdint>

#include "national/rollup/view_layout.h"
#include "ntmis/v1/teacher.pb.h"

namespace ntmis::national::outlook {

// Months are counted from January 1900 (0); 11 bits reach 2070.
inline constexpr int kMonthBase = 1900;
// Hire years from 1950 (value 1); 0: no hire date.
inline constexpr int kHireBase = 1949;

// The fields, low to high.
inline constexpr CellField kHireYear{0, (1 << 7) - 1};
inline constexpr CellField kBirthMonth{7, (1 << 11) - 1};
inline constexpr CellField kGender{18, (1 << 2) - 1};
inline constexpr CellField kPostType{20, (1 << 4) - 1};
inline constexpr CellField kTitle{24, (1 << 4) - 1};
inline constexpr CellField kSchoolCategory{28, (1 << 4) - 1};
// City << 7 | county, as the rollup's county; city is its upper half.
inline constexpr CellField kCounty{32, (1 << 14) - 1};
inline constexpr CellField kCity{39, (1 << 7) - 1};

int64_t CellOf(const v1::TeacherRecord& record);

// Month numbers (months since January 1900) and back.
inline int MonthNumber(int year, int month) {
  return (year - kMonthBase) * 12 + (month - 1);
}
inline int YearOfMonth(int number) { return kMonthBase + number / 12; }
inline int MonthOfMonth(int number) { return number % 12 + 1; }

}  // namespace ntmis::national::outlook

#endif  // NTMIS_NATIONAL_ROLLUP_OUTLOOK_CELL_H_

#include "national/rollup/outlook_cell.h"

#include <algorithm>

#include "common/base/dates.h"

namespace ntmis::national::outlook {
namespace {

int64_t TwoDigits(const std::string& s, size_t at) {
  return s.size() >= at + 2 ? (s[at] - '0') * 10 + (s[at + 1] - '0') : 0;
}

int64_t Put(const CellField& f, int64_t value) {
  return (value & f.mask) << f.shift;
}

}  // namespace

int64_t CellOf(const v1::TeacherRecord& r) {
  int64_t birth = 0, hired = 0;
  if (std::optional<Date> d = ParseDate(r.birth_date()))
    birth = std::clamp<int64_t>(MonthNumber(d->year, d->month), 0,
                                kBirthMonth.mask);
  if (std::optional<Date> d = ParseDate(r.hire_date()))
    hired = std::clamp<int64_t>(d->year - kHireBase, 0, kHireYear.mask);
  const int64_t county =
      TwoDigits(r.county_code(), 2) << 7 | TwoDigits(r.county_code(), 4);
  return Put(kHireYear, hired) | Put(kBirthMonth, birth) |
         Put(kGender, r.gender()) | Put(kPostType, r.post_type()) |
         Put(kTitle, r.title()) | Put(kSchoolCategory, r.school_category()) |
         Put(kCounty, county);
}

}  // namespace ntmis::national::outlook

// The dimensions national aggregates are grouped and filtered by, and the
// rollup cell they pack into: every dimension but `province` (which is the
// province file a row lives in) occupies a fixed bit field of one 64-bit
// cell number, so a province's rollup is a small table of (cell, teachers).
#ifndef NTMIS_NATIONAL_ROLLUP_DIMENSIONS_H_
#define NTMIS_NATIONAL_ROLLUP_DIMENSIONS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/teacher/code_tables.h"
#include "ntmis/v1/teacher.pb.h"

namespace ntmis::national {

struct Dimension {
  enum class Kind { kProvince, kUnit, kCode, kAgeBand };
  std::string name;   // as operators type it: "school_category"
  std::string label;  // as people read it: "学校类别"
  Kind kind;
  const CodeTable* table;  // for kCode and kProvince
  int shift = 0;           // bit field in the cell; bits == 0 for province
  int bits = 0;
  // This dimension's value for a record: the code; for city the two city
  // digits, for county (city digits << 7 | county digits); for age_band the
  // birth cohort (national/rollup/age_bands.h), which a query turns into a
  // band.
  int64_t (*value)(const v1::TeacherRecord&);

  bool in_cell() const { return bits > 0; }
  int64_t mask() const { return (int64_t{1} << bits) - 1; }
};

const std::vector<Dimension>& Dimensions();

// INVALID_ARGUMENT naming the allowed dimensions.
absl::StatusOr<const Dimension*> FindDimension(const std::string& name);

// The rollup cell of a record (all dimensions but province).
int64_t CellOf(const v1::TeacherRecord& record);

// A filter value as typed ("2", "女", "440103", "25-29") -> the dimension's
// value (for age_band: the band). INVALID_ARGUMENT names the allowed values.
absl::StatusOr<int64_t> ParseDimensionValue(const Dimension& d,
                                            const std::string& text);

// A dimension value (for age_band: the band) -> its code as printed ("02",
// "4401", "440103", "25-29"), given the province the row came from, and its
// label ("" for units).
std::string DimensionCode(const Dimension& d, int64_t value,
                          const std::string& province);
std::string DimensionLabel(const Dimension& d, int64_t value);

inline constexpr size_t kMaxGroupBy = 4;

}  // namespace ntmis::national

#endif  // NTMIS_NATIONAL_ROLLUP_DIMENSIONS_H_

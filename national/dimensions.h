// The dimensions national aggregates are grouped and filtered by: their
// names, rollup columns and code tables. `province` is the province file a
// row lives in; the others are columns of every province's rollup table.
#ifndef NTMIS_NATIONAL_DIMENSIONS_H_
#define NTMIS_NATIONAL_DIMENSIONS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/code_tables.h"
#include "ntmis/v1/teacher.pb.h"

namespace ntmis::national {

struct Dimension {
  std::string name;          // as operators type it: "school_category"
  std::string column;        // rollup column; empty for province
  const CodeTable* table;    // nullptr for unit codes (city, county)
  // The value of this dimension for a record (a code, as text for units).
  std::string (*of)(const v1::TeacherRecord&);
};

const std::vector<Dimension>& Dimensions();

// INVALID_ARGUMENT naming the allowed dimensions.
absl::StatusOr<const Dimension*> FindDimension(const std::string& name);

inline constexpr size_t kMaxGroupBy = 4;

}  // namespace ntmis::national

#endif  // NTMIS_NATIONAL_DIMENSIONS_H_

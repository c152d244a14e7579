// What the core's checks of a template row report through: the problems of
// one row (RowProblems, shared by every import in common/tables/table_reader.h)
// and the field position of each template column.
#ifndef NTMIS_PROVINCIAL_CORE_PROBLEMS_H_
#define NTMIS_PROVINCIAL_CORE_PROBLEMS_H_

#include <cstddef>
#include <vector>

#include "common/tables/table_reader.h"

namespace ntmis::provincial {

// Field position of each template column (in the handler's column order).
using ColumnIndex = std::vector<size_t>;

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_CORE_PROBLEMS_H_

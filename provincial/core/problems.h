// The problems of one record, each naming its row, field, value and rule:
// what every check of the core reports and every import report lists.
#ifndef NTMIS_PROVINCIAL_CORE_PROBLEMS_H_
#define NTMIS_PROVINCIAL_CORE_PROBLEMS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "ntmis/v1/provincial.pb.h"

namespace ntmis::provincial {

// Field position of each template column (in the handler's column order).
using ColumnIndex = std::vector<size_t>;

// Problems found in one row.
// Thread-compatible.
class RowProblems {
 public:
  explicit RowProblems(uint64_t row) : row_(row) {}
  void Add(std::string column, std::string value, std::string rule);
  bool empty() const { return problems_.empty(); }
  uint64_t row() const { return row_; }
  std::vector<v1::ImportProblem>& problems() { return problems_; }

 private:
  uint64_t row_;
  std::vector<v1::ImportProblem> problems_;
};

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_CORE_PROBLEMS_H_

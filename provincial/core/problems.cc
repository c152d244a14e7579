#include "provincial/core/problems.h"

namespace ntmis::provincial {

void RowProblems::Add(std::string column, std::string value, std::string rule) {
  v1::ImportProblem p;
  p.set_row(row_);
  p.set_column(std::move(column));
  p.set_value(std::move(value));
  p.set_rule(std::move(rule));
  problems_.push_back(std::move(p));
}

}  // namespace ntmis::provincial

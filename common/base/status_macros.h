// RETURN_IF_ERROR / ASSIGN_OR_RETURN for absl::Status, which Abseil 20220623
// does not ship.
#ifndef NTMIS_COMMON_BASE_STATUS_MACROS_H_
#define NTMIS_COMMON_BASE_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define NTMIS_CONCAT_INNER_(a, b) a##b
#define NTMIS_CONCAT_(a, b) NTMIS_CONCAT_INNER_(a, b)

// Returns from the current function if `expr` is not OK.
#define RETURN_IF_ERROR(expr)                      \
  do {                                             \
    ::absl::Status ntmis_status_ = (expr);         \
    if (!ntmis_status_.ok()) return ntmis_status_; \
  } while (0)

// ASSIGN_OR_RETURN(auto x, Foo()); declares/assigns x or returns the error.
#define ASSIGN_OR_RETURN(lhs, expr)                                           \
  NTMIS_ASSIGN_OR_RETURN_IMPL_(NTMIS_CONCAT_(ntmis_statusor_, __LINE__), lhs, \
                               expr)

#define NTMIS_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return std::move(tmp).status();     \
  lhs = std::move(tmp).value()

#endif  // NTMIS_COMMON_BASE_STATUS_MACROS_H_

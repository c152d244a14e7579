// Who may act on what in the provincial node: every role acts on its own
// unit and everything below it, never sideways or up; a teacher account
// acts only on its own record. The rules live here, in the node's core, so
// every caller of the workflow, the reports and the audit queries gets them.
#ifndef NTMIS_PROVINCIAL_CORE_ACCESS_H_
#define NTMIS_PROVINCIAL_CORE_ACCESS_H_

#include <initializer_list>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "provincial/core/store.h"
#include "provincial/core/units.h"
#include "provincial/core/user.h"

namespace ntmis::provincial {

// OK when `unit_code` is the user's unit or one below it; PERMISSION_DENIED
// naming both otherwise (and for teacher accounts, which have no unit scope).
absl::Status CheckWithin(Store& store, const User& user,
                         const std::string& unit_code);

// OK when the user has one of `roles`; PERMISSION_DENIED naming `action`
// and the roles it needs otherwise.
absl::Status CheckRole(const User& user, std::initializer_list<Role> roles,
                       const std::string& action);

// OK when the user works at the province's own unit (`province`, the node's
// two-digit code) with one of `roles`; PERMISSION_DENIED naming `action`,
// the roles and the user's unit otherwise.
absl::Status CheckProvinceLevel(const User& user, const std::string& province,
                                std::initializer_list<Role> roles,
                                const std::string& action);

// Province-wide jobs (unit and teacher imports, sync health, a sync on
// demand): the province level's system administrators and information
// managers.
absl::Status CheckProvinceStaff(const User& user, const std::string& province,
                                const std::string& action);

// Reading a teacher of `school_code`: staff within scope, or the teacher's
// own account.
absl::Status CheckReadTeacher(Store& store, const User& user,
                              const std::string& school_code,
                              const std::string& teacher_number);

// The school codes under a unit (the unit itself when it is a school), for
// queries that must stay within a subtree. Includes closed schools.
absl::StatusOr<std::vector<std::string>> SchoolsUnder(
    Store& store, const std::string& unit_code);

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_CORE_ACCESS_H_

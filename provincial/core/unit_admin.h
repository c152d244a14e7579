// The unit tree as a user works on it: reading a unit's children within
// the user's scope, and changes after the import by a system
// administrator. This sits above the tree (units.h), who may act (access.h)
// and the teachers (closing a school needs it empty), so none of those
// depends on another in a loop.
#ifndef NTMIS_PROVINCIAL_CORE_UNIT_CHANGES_H_
#define NTMIS_PROVINCIAL_CORE_UNIT_CHANGES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "provincial/core/store.h"
#include "provincial/core/units.h"
#include "provincial/core/user.h"

namespace ntmis::provincial {

// The children of `unit_code` (the user's own unit when empty), open ones
// unless `include_closed`; PERMISSION_DENIED outside the user's scope. With
// `directory`, the open children of any unit of the province, for staff
// (the directory of units is no secret; the teachers in them are).
absl::StatusOr<std::vector<Unit>> ListChildUnits(Store& store, const User& user,
                                                 const std::string& unit_code,
                                                 bool include_closed,
                                                 bool directory = false);

// Changes to the tree after the import, by `actor`: a system administrator
// changes the units below its own unit (never its own), and adds units under
// its unit or below. Each checks the rules of the template (code lengths and
// prefixes, parent levels, categories); a moved unit keeps its code and
// history, and a moved school's effective teachers are re-sent with their new
// city and county. A unit can be closed only with a reason and when no open
// unit and no active teacher is left under it; closed units and their
// teachers' history stay.
absl::StatusOr<Unit> AddUnit(Store& store, const User& actor, const Unit& unit);
absl::StatusOr<Unit> RenameUnit(Store& store, const User& actor,
                                const std::string& code,
                                const std::string& name);
absl::StatusOr<Unit> MoveUnit(Store& store, const User& actor,
                              const std::string& code,
                              const std::string& new_parent_code);
absl::StatusOr<Unit> CloseUnit(Store& store, const User& actor,
                               const std::string& code,
                               const std::string& reason);

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_CORE_UNIT_CHANGES_H_

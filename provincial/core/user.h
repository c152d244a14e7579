// Who acts: a user of the provincial node, with the role and unit every
// rule of the core (provincial/core/access.h) decides by. Plain values.
#ifndef NTMIS_PROVINCIAL_CORE_USER_H_
#define NTMIS_PROVINCIAL_CORE_USER_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "ntmis/v1/provincial.pb.h"

namespace ntmis::provincial {

// Three roles at each level (province, city, county, school), plus the
// teachers' self-service accounts at their school.
enum class Role { kSysAdmin, kManager, kQuerier, kTeacher };
const char* RoleName(Role role);   // "sysadmin", as the CLI takes it
const char* RoleLabel(Role role);  // "系统管理员", as clerks read it
// INVALID_ARGUMENT listing the roles for an unknown name.
absl::StatusOr<Role> ParseRole(const std::string& name);
// The role on the wire, and back (INVALID_ARGUMENT for UNSPECIFIED).
v1::UserRole RoleToProto(Role role);
absl::StatusOr<Role> RoleFromProto(v1::UserRole role);

// The actor of what the node does by itself (a case coming into effect on
// its date): no account can have this name (Accounts::Create).
inline constexpr char kSystemActor[] = "系统";

struct User {
  int64_t id = 0;
  std::string username;
  std::string unit_code;
  Role role = Role::kQuerier;
  bool must_change_password = false;
  std::string teacher_number;  // teacher accounts
  bool disabled = false;
  int64_t locked_until_unix = 0;
  int64_t created_unix = 0;
};

// The account as every transport shows it (docs/architecture.md, "One
// dialect"): never the password hash; `locked` as of now.
void ToProto(const User& user, v1::UserAccount* out);

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_CORE_USER_H_

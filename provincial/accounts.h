// Accounts of the provincial node: creation with password rules, login with
// lockout, bearer-token sessions with idle expiry. Passwords are stored as
// scrypt hashes and tokens as SHA-256 hashes; neither is ever logged.
//
// Not thread-safe: use one Accounts per Store.
#ifndef NTMIS_PROVINCIAL_ACCOUNTS_H_
#define NTMIS_PROVINCIAL_ACCOUNTS_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "provincial/store.h"

namespace ntmis::provincial {

enum class Role { kSysAdmin, kManager, kQuerier };
const char* RoleName(Role role);

struct User {
  int64_t id = 0;
  std::string username;
  std::string unit_code;
  Role role = Role::kQuerier;
  bool must_change_password = false;
};

struct Session {
  std::string token;  // give to the client once; only its hash is stored
  int64_t expires_unix = 0;
};

struct AccountPolicy {
  int max_failed_logins = 5;
  int64_t lockout_seconds = 15 * 60;
  int64_t idle_timeout_seconds = 30 * 60;
  int64_t session_max_seconds = 12 * 3600;
};

// INVALID_ARGUMENT unless >= 8 characters from >= 3 of: lower, upper,
// digit, other.
absl::Status CheckPasswordRules(const std::string& password);

class Accounts {
 public:
  explicit Accounts(Store& store, AccountPolicy policy = {})
      : store_(store), policy_(policy) {}

  absl::StatusOr<User> Create(const std::string& username, const std::string& unit_code,
                              Role role, const std::string& password,
                              bool must_change_password);

  // UNAUTHENTICATED for a wrong name or password (the same message for
  // both), PERMISSION_DENIED while locked out. `now` is unix seconds.
  absl::StatusOr<Session> Login(const std::string& username,
                                const std::string& password, int64_t now);

  // The user behind a bearer token; UNAUTHENTICATED if unknown or expired.
  absl::StatusOr<User> Authenticate(const std::string& token, int64_t now);

 private:
  Store& store_;
  AccountPolicy policy_;
};

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_ACCOUNTS_H_

// The rules of account names and passwords, the same on both nodes: the
// provincial accounts (provincial/core/accounts.h) and the ministry's
// central accounts (national/accounts/central_accounts.h).
#ifndef NTMIS_COMMON_LOGIN_PASSWORD_RULES_H_
#define NTMIS_COMMON_LOGIN_PASSWORD_RULES_H_

#include <string>

#include "absl/status/status.h"

namespace ntmis {

// INVALID_ARGUMENT unless >= 8 characters from >= 3 of: lower, upper,
// digit, other.
absl::Status CheckPasswordRules(const std::string& password);

// A random password that meets CheckPasswordRules, without look-alike
// characters (it is read off a slip and typed).
std::string GeneratePassword();

// INVALID_ARGUMENT unless 2 to 64 ASCII letters, digits or . _ -.
absl::Status CheckUsernameRules(const std::string& username);

}  // namespace ntmis

#endif  // NTMIS_COMMON_LOGIN_PASSWORD_RULES_H_

// Logging in to a provincial node, with the rules that keep it usable under
// abuse (every transport — gRPC, the web console — calls Login):
//
// * A typed name that keeps failing from one address is slowed, and so is an
//   address that fails for many names (provincial/core/login_throttle.h):
//   refused at once with RESOURCE_EXHAUSTED and how long to wait. Colleagues
//   behind the same NAT address, typing their own names, are not held back
//   by a flood on one name. An unlock or a reset lifts the name's delays.
// * Five wrong passwords for an account from one source lock the account for
//   that source for 15 minutes; the account's owner still logs in from
//   elsewhere, and its administrator (`user unlock`) or a password reset ends
//   every lock of the account.
// * Unknown user, wrong password and an account locked for this source give
//   the same UNAUTHENTICATED answer after the same work (one password hash),
//   so the answer does not tell which names exist. Only someone who knows an
//   account's password learns that it is disabled.
// * Passwords are checked on the node's bounded hashing slots outside any
//   lane of the store pool, so a burst of logins delays only logins.
// * Every attempt is audited with the rule that decided it; a name that is no
//   account is recorded masked (people type passwords there).
//
// Thread-safe.
#ifndef NTMIS_PROVINCIAL_CORE_LOGINS_H_
#define NTMIS_PROVINCIAL_CORE_LOGINS_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "common/audit/audit_log.h"
#include "provincial/core/accounts.h"
#include "provincial/core/login_throttle.h"
#include "provincial/core/store_pool.h"

namespace ntmis::provincial {

struct LoginPolicy {
  int max_failures = 5;               // per account and source
  int64_t lockout_seconds = 15 * 60;  // per account and source
  ThrottlePolicy throttle;            // per source and name, and per source
};

struct LoginAttempt {
  std::string username;
  std::string password;
  std::string source;  // the peer's address without the port
};

// The answer to an unknown user, a wrong password and a locked account.
extern const char kLoginRefused[];

// "a*****": the first character of what was typed and the length, for the
// audit log of a name that is no account.
std::string MaskTypedName(const std::string& typed);

// The address of a gRPC peer ("ipv4:10.1.2.3:5555" -> "10.1.2.3",
// "ipv6:[::1]:5555" -> "::1").
std::string PeerAddress(const std::string& grpc_peer);

class Logins {
 public:
  // `pool`, `audit` and `hashing` must outlive this.
  Logins(StorePool& pool, AuditLog& audit, ConcurrencyLimit& hashing,
         LoginPolicy policy = {})
      : pool_(pool),
        audit_(audit),
        hashing_(hashing),
        policy_(policy),
        throttle_(policy.throttle) {}

  // A session for a right password. UNAUTHENTICATED (kLoginRefused) for an
  // unknown user, a wrong password or an account locked for this source;
  // PERMISSION_DENIED for a disabled account with the right password;
  // RESOURCE_EXHAUSTED while the source must wait. `now` is unix seconds.
  absl::StatusOr<Session> Login(const LoginAttempt& attempt, int64_t now);

  // An administrator (`actor`) unlocks an account or resets its password
  // (Accounts::Unlock, Accounts::ResetPassword, which decide who may), and
  // the login delays of the name end with it, so its owner logs in at once.
  absl::StatusOr<User> Unlock(Accounts& accounts, const User& actor,
                              const std::string& username);
  absl::StatusOr<NewAccount> ResetPassword(Accounts& accounts,
                                           const User& actor,
                                           const std::string& username);

 private:
  absl::StatusOr<Session> Decide(const LoginAttempt& attempt, int64_t now,
                                 AuditEntry& audit);

  StorePool& pool_;
  AuditLog& audit_;
  ConcurrencyLimit& hashing_;
  const LoginPolicy policy_;
  LoginThrottle throttle_;
};

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_CORE_LOGINS_H_

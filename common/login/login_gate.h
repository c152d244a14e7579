// Logging in, with the rules that keep it usable under abuse — the same
// for the provincial node's accounts and the ministry's central accounts
// (every transport of either node calls its node's Login, which is this):
//
// * A typed name that keeps failing from one address is slowed, and so is an
//   address that fails for many names (common/login/login_throttle.h):
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
//   database connection, so a burst of logins delays only logins.
// * Every attempt is audited with the rule that decided it; a name that is no
//   account is recorded masked (people type passwords there).
//
// Thread-safe.
#ifndef NTMIS_COMMON_LOGIN_LOGIN_GATE_H_
#define NTMIS_COMMON_LOGIN_LOGIN_GATE_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "common/audit/audit_log.h"
#include "common/base/concurrency_limit.h"
#include "common/login/login_tables.h"
#include "common/login/login_throttle.h"

namespace ntmis {

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

// The node's accounts as a login reads and writes them
// (common/login/login_tables.h on a connection the node lends for the step).
class LoginAccounts {
 public:
  virtual ~LoginAccounts() = default;
  virtual absl::StatusOr<LoginRecord> ReadForLogin(
      const std::string& username, const std::string& source) = 0;
  virtual absl::StatusOr<int64_t> RecordFailure(int64_t user_id,
                                                const std::string& source,
                                                int64_t now, int max_failures,
                                                int64_t lockout_seconds) = 0;
  virtual absl::StatusOr<Session> OpenSession(int64_t user_id,
                                              const std::string& source,
                                              int64_t now) = 0;
};

class LoginGate {
 public:
  // `accounts`, `audit` and `hashing` must outlive this.
  LoginGate(LoginAccounts& accounts, AuditLog& audit, ConcurrencyLimit& hashing,
            LoginPolicy policy = {})
      : accounts_(accounts),
        audit_(audit),
        hashing_(hashing),
        policy_(policy),
        throttle_(policy.throttle) {}

  // A session for a right password. UNAUTHENTICATED (kLoginRefused) for an
  // unknown user, a wrong password or an account locked for this source;
  // PERMISSION_DENIED for a disabled account with the right password;
  // RESOURCE_EXHAUSTED while the source must wait. `now` is unix seconds.
  absl::StatusOr<Session> Login(const LoginAttempt& attempt, int64_t now);

  // The account was unlocked or its password reset by its administrator:
  // the name's login delays end, so its owner logs in at once.
  void ForgetName(const std::string& username) {
    throttle_.ForgetName(username);
  }

 private:
  absl::StatusOr<Session> Decide(const LoginAttempt& attempt, int64_t now,
                                 AuditEntry& audit);

  LoginAccounts& accounts_;
  AuditLog& audit_;
  ConcurrencyLimit& hashing_;
  const LoginPolicy policy_;
  LoginThrottle throttle_;
};

}  // namespace ntmis

#endif  // NTMIS_COMMON_LOGIN_LOGIN_GATE_H_

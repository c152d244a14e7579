// Logging in to a provincial node: the login rules of common/login/
// login_gate.h over the province's accounts, each step on a lane of the
// store pool (every transport — gRPC, the web console — calls Login).
//
// Thread-safe.
#ifndef NTMIS_PROVINCIAL_CORE_LOGINS_H_
#define NTMIS_PROVINCIAL_CORE_LOGINS_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "common/audit/audit_log.h"
#include "common/login/login_gate.h"
#include "provincial/core/accounts.h"
#include "provincial/core/store_pool.h"

namespace ntmis::provincial {

class Logins : private LoginAccounts {
 public:
  // `pool`, `audit` and `hashing` must outlive this.
  Logins(StorePool& pool, AuditLog& audit, ConcurrencyLimit& hashing,
         LoginPolicy policy = {})
      : pool_(pool), gate_(*this, audit, hashing, policy) {}

  // See LoginGate::Login.
  absl::StatusOr<Session> Login(const LoginAttempt& attempt, int64_t now) {
    return gate_.Login(attempt, now);
  }

  // An administrator (`actor`) unlocks an account or resets its password
  // (Accounts::Unlock, Accounts::ResetPassword, which decide who may), and
  // the login delays of the name end with it, so its owner logs in at once.
  absl::StatusOr<User> Unlock(Accounts& accounts, const User& actor,
                              const std::string& username);
  absl::StatusOr<NewAccount> ResetPassword(Accounts& accounts,
                                           const User& actor,
                                           const std::string& username);

 private:
  absl::StatusOr<LoginRecord> ReadForLogin(const std::string& username,
                                           const std::string& source) override;
  absl::StatusOr<int64_t> RecordFailure(int64_t user_id,
                                        const std::string& source, int64_t now,
                                        int max_failures,
                                        int64_t lockout_seconds) override;
  absl::StatusOr<Session> OpenSession(int64_t user_id,
                                      const std::string& source,
                                      int64_t now) override;

  StorePool& pool_;
  LoginGate gate_;
};

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_CORE_LOGINS_H_

#include "provincial/core/logins.h"

#include "common/base/status_macros.h"

namespace ntmis::provincial {

absl::StatusOr<LoginRecord> Logins::ReadForLogin(const std::string& username,
                                                 const std::string& source) {
  StorePool::Lease lane = pool_.Acquire();
  return lane->accounts.ReadForLogin(username, source);
}

absl::StatusOr<int64_t> Logins::RecordFailure(int64_t user_id,
                                              const std::string& source,
                                              int64_t now, int max_failures,
                                              int64_t lockout_seconds) {
  StorePool::Lease lane = pool_.Acquire();
  return lane->accounts.RecordLoginFailure(user_id, source, now, max_failures,
                                           lockout_seconds);
}

absl::StatusOr<Session> Logins::OpenSession(int64_t user_id,
                                            const std::string& source,
                                            int64_t now) {
  StorePool::Lease lane = pool_.Acquire();
  return lane->accounts.OpenSession(user_id, source, now);
}

absl::StatusOr<User> Logins::Unlock(Accounts& accounts, const User& actor,
                                    const std::string& username) {
  ASSIGN_OR_RETURN(User target, accounts.Unlock(actor, username));
  gate_.ForgetName(username);
  return target;
}

absl::StatusOr<NewAccount> Logins::ResetPassword(Accounts& accounts,
                                                 const User& actor,
                                                 const std::string& username) {
  ASSIGN_OR_RETURN(NewAccount account, accounts.ResetPassword(actor, username));
  gate_.ForgetName(username);
  return account;
}

}  // namespace ntmis::provincial
